"""Derivative formulas, their simplifier and the text and LaTeX printers."""
