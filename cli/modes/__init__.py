"""Interpreters over one graph: values, tangents, adjoints, Taylor series, one-sided limits, NumPy columns."""
