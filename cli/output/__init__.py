"""Trace data and its renderers, and the writers of results and batch rows."""
