"""The defaults of the command line's options, written once (imported at start-up for the help: no imports here)."""

CHECK_TOL = 1e-6  # default --tol of `dcalc check`: what a finite difference with extrapolation reliably reaches
EXPECT_TOL = 1e-9  # default --tol of --expect: about nine significant digits
