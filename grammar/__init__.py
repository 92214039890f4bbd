"""The dcalc grammar (dcalc.lark), shipped as package data of dcalc.grammar."""
