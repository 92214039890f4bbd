"""Scale: parse + value + full gradient of 100,000-node inputs against Lark's LALR parse of the same text alone.

    python tests/bench/bench_scale.py [--sympy] [--only NAME]

Each case runs in fresh processes, one timing and one measuring dcalc's peak memory alone: the floor is a plain Lark(grammar,
parser="lalr") parse of the text, no transformer; dcalc's time is dcalc.parse + lowering + one value pass + one
reverse pass, in the same process, best of three each, in CPU time. The 10,000-node SymPy comparison (--sympy, slow) times
parse_expr + diff by every variable + evalf, as a SymPy user would get a gradient.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import cases  # noqa: E402
from report import Row, print_table  # noqa: E402

CASES = {
    "balanced tree": lambda n: cases.balanced(int(n * 1.22)),  # about n nodes after the random splits
    "sin(sin(…x)) chain": lambda n: cases.sin_chain(n),
    "((…)*x+1) chain": lambda n: cases.horner_chain(n // 4),
    "program of statements": lambda n: cases.program(n // 10),
    "sum over variables": lambda n: cases.wide_sum(n // 11),
}


def best(f, repeat: int = 3) -> tuple[float, object]:
    out, times = None, []
    for _ in range(repeat):
        t = time.process_time()  # CPU time: other processes on a busy machine do not count
        out = f()
        times.append(time.process_time() - t)
    return min(times), out


def run_case(name: str, nodes: int) -> dict:
    """Time one case in this process; called in a child process by main()."""
    from importlib import resources

    from lark import Lark

    import dcalc
    from dcalc.core.graph import lower
    from dcalc.core.names import walk
    from dcalc.modes.evaluate import node_values
    from dcalc.modes.reverse import gradient
    text, point = CASES[name](nodes)
    grammar = resources.files("dcalc.grammar").joinpath("dcalc.lark").read_text(encoding="utf-8")
    plain = Lark(grammar, parser="lalr")
    plain.parse("x")  # the lexer is built on first use
    dcalc.parse("x")
    lark_s, _ = best(lambda: plain.parse(text))

    def full():
        graph = lower(dcalc.parse(text))
        gradient(graph, node_values(graph, point))
        return graph
    dcalc_s, graph = best(full)
    ast = dcalc.parse(text)
    size = sum(1 for s in ast.stmts for _ in walk(getattr(s, "expr", s)))
    return {"lark": lark_s, "dcalc": dcalc_s, "nodes": size, "graph": len(graph.nodes)}


def peak_memory(name: str, nodes: int) -> dict:
    """Peak resident memory of a process that only runs dcalc on the case (Lark's own tree would dwarf it)."""
    import dcalc
    from dcalc.modes.evaluate import node_values
    from dcalc.modes.reverse import gradient
    text, point = CASES[name](nodes)
    graph = dcalc.compile(text)
    gradient(graph, node_values(graph, point))
    return {"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def sympy_case(nodes: int) -> dict:
    """SymPy on the balanced tree of about `nodes` nodes: parse, differentiate by every variable, evaluate."""
    import sympy
    from sympy.parsing.sympy_parser import parse_expr
    text, point = cases.balanced(int(nodes * 1.22))
    t = time.process_time()
    try:
        f = parse_expr(text.replace("^", "**"))
        subs = {sympy.Symbol(k): v for k, v in point.items()}
        [sympy.diff(f, x).evalf(subs=subs) for x in sorted(f.free_symbols, key=str)]
        what = "ok"
    except Exception as e:  # noqa: BLE001 - record how SymPy fails (RecursionError at depth)
        what = type(e).__name__
    return {"sympy": time.process_time() - t, "dcalc": dcalc_time(text, point), "outcome": what}


def dcalc_time(text: str, point: dict[str, float]) -> float:
    import dcalc
    from dcalc.modes.evaluate import node_values
    from dcalc.modes.reverse import gradient
    dcalc.parse("x")
    t = time.process_time()
    graph = dcalc.compile(text)
    gradient(graph, node_values(graph, point))
    return time.process_time() - t


SYMPY_LIMIT = 120.0  # seconds; SymPy gets no longer than this (it ran over 14 minutes here without a limit)


def child(args: list[str], timeout: float | None = None) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True,
                         timeout=timeout)
    return json.loads(out.stdout.strip().splitlines()[-1])


def rows(nodes: int = 100_000, sympy: bool = False, only: str | None = None) -> list[Row]:
    out = []
    for name in CASES:
        if only and only not in name:
            continue
        r = child(["--case", name, str(nodes)]) | child(["--memory", name, str(nodes)])
        out.append(Row(f"scale: {name}, {r['nodes']:,} nodes ({r['graph']:,} in the graph)",
                       "parse + value + gradient ≤ 1.3× Lark parse alone",
                       f"{r['dcalc']:.2f} s vs {r['lark']:.2f} s", r["dcalc"] / r["lark"], 1.3))
        out.append(Row(f"memory: {name}", "peak ≤ 150 MB", f"{r['peak_mb']:.0f} MB", r["peak_mb"] / 150, 1.0))
    if sympy:
        out.append(sympy_row(nodes // 10))
    return out


def sympy_row(nodes: int) -> Row:
    try:
        r = child(["--sympy", str(nodes)], timeout=SYMPY_LIMIT)
    except subprocess.TimeoutExpired:  # at least the limit: dcalc's own time, measured alone, is well under 1 s
        r = child(["--sympy-dcalc", str(nodes)])
        r.update(sympy=SYMPY_LIMIT, outcome=f"not done after {SYMPY_LIMIT:.0f} s, stopped")
    return Row(f"vs SymPy: balanced tree, {nodes:,} nodes", "≥ 100× faster than SymPy",
               f"{r['dcalc']:.3f} s vs {r['sympy']:.1f} s (SymPy: {r['outcome']})", r["sympy"] / r["dcalc"], -100)


if __name__ == "__main__":
    argv = sys.argv[1:]
    if argv[:1] == ["--case"]:
        print(json.dumps(run_case(argv[1], int(argv[2]))))
    elif argv[:1] == ["--memory"]:
        print(json.dumps(peak_memory(argv[1], int(argv[2]))))
    elif argv[:1] == ["--sympy"]:
        print(json.dumps(sympy_case(int(argv[1]))))
    elif argv[:1] == ["--sympy-dcalc"]:
        print(json.dumps({"dcalc": dcalc_time(*cases.balanced(int(int(argv[1]) * 1.22)))}))
    else:
        only = argv[argv.index("--only") + 1] if "--only" in argv else None
        print_table(rows(sympy="--sympy" in argv, only=only))
