"""The primitive table, the graph it is lowered into, and the compiled partial rules."""
