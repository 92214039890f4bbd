"""Text to AST: the grammar tables, the LALR loop, the AST and its names."""
