"""The defaults of the command line's options, written once (imported at start-up for the help: no imports here)."""

CHECK_TOL = 1e-6  # default --tol of `dcalc check`: what a finite difference with extrapolation reliably reaches
EXPECT_TOL = 1e-9  # default --tol of --expect: about nine significant digits

# The choices of --format and --mode (the help lists them; commands/options.py checks them)
FORMATS = ("text", "json", "csv")  # eval, grad, check
DIFF_FORMATS = ("text", "latex", "markdown", "json", "python", "numpy", "c", "js")
TRACE_FORMATS = ("text", "json", "latex", "markdown", "dot", "mermaid", "svg")
MODES = ("forward", "reverse")
SHELLS = ("bash", "zsh", "fish")  # shell completion (commands/completion.py)
