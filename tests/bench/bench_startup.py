"""Start-up: median wall time of whole `dcalc` processes against the floor of importing what dcalc is built on, and
(with valgrind installed) the instructions each process executes, which a busy machine does not blur.

    python tests/bench/bench_startup.py [--runs N]

The commands run interleaved (one round of every command, N rounds) so that a busy machine slows all alike; the
first round warms the disk cache and writes bytecode (PYTHONDONTWRITEBYTECODE is cleared for the children, as a
user's installation has its .pyc files) and is not counted. qalc, if installed, is timed beside them. The instruction counts are callgrind's, one run each after a warm-up run,
with PYTHONHASHSEED=0 so that a second measurement gives the same count.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from report import Row, print_table  # noqa: E402

BIN = Path(sys.executable).parent


# The smallest typer program taking what `dcalc grad` takes: what the command-line layer alone costs.
SMALLEST_TYPER = """import typer
app = typer.Typer(add_completion=False)
@app.command()
def grad(expr: str, at: str = typer.Option("")):
    print(expr, at)
app()
"""


def commands() -> dict[str, list[str]]:
    dcalc = str(BIN / "dcalc") if (BIN / "dcalc").exists() else shutil.which("dcalc")
    cmds = {
        "floor": [sys.executable, "-c", "import typer, lark"],
        "typer": [sys.executable, "-c", SMALLEST_TYPER, "sin(x + x^2)", "--at", "2"],
        "grad": [dcalc, "grad", "sin(x + x^2)", "--at", "2"],
        "help": [dcalc, "--help"],
    }
    if shutil.which("qalc"):
        cmds["qalc"] = ["qalc", "-t", "diff(sin(x+x^2), x, 1, 2)"]  # derivative at x = 2, like the dcalc grad above
    return cmds


def measure(runs: int) -> dict[str, float]:
    """Median seconds per command."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cmds = commands()
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for round_ in range(runs + 1):
        for name, cmd in cmds.items():
            t = time.perf_counter()
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            if round_:
                times[name].append(time.perf_counter() - t)
    return {name: statistics.median(ts) for name, ts in times.items()}


def instructions() -> dict[str, int] | None:
    """Instructions per command (floor, typer, grad), counted by valgrind's callgrind; None without valgrind."""
    if not shutil.which("valgrind"):
        return None
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONHASHSEED"] = "0"
    counts = {}
    for name in ("floor", "typer", "grad"):
        cmd = commands()[name]
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True).stderr
        counts[name] = int(next(line for line in out.splitlines() if "Collected" in line).split()[-1])
    return counts


def instruction_rows() -> list[Row]:
    n = instructions()
    if n is None:
        return [Row("start-up in instructions", "≤ 1.10× the smallest typer command", "valgrind not installed",
                    None, 1.10)]
    grad, typer, floor = n["grad"] / 1e6, n["typer"] / 1e6, n["floor"] / 1e6
    return [Row("start-up in instructions: dcalc grad vs the smallest typer command",
                "≤ 1.10× the same arguments, one function", f"{grad:.0f} M vs {typer:.0f} M", grad / typer, 1.10),
            Row("start-up in instructions: dcalc grad vs import typer, lark", "≤ 1× import typer, lark",
                f"{grad:.0f} M vs {floor:.0f} M", grad / floor, 1.0)]


def rows(runs: int = 21) -> list[Row]:
    m = measure(runs)
    floor = m["floor"]
    out = [Row("start-up: dcalc grad \"sin(x + x^2)\" --at 2", "≤ 1.15× import typer, lark",
               f"{m['grad'] * 1e3:.0f} ms vs {floor * 1e3:.0f} ms", m["grad"] / floor, 1.15),
           Row("start-up: dcalc grad vs the smallest typer command", "≤ 1.10× the same arguments, one function",
               f"{m['grad'] * 1e3:.0f} ms vs {m['typer'] * 1e3:.0f} ms", m["grad"] / m["typer"], 1.10),
           Row("start-up: dcalc --help", "≤ 1.5× import typer, lark",
               f"{m['help'] * 1e3:.0f} ms vs {floor * 1e3:.0f} ms", m["help"] / floor, 1.5)]
    if "qalc" in m:
        out.append(Row("start-up: dcalc grad vs qalc", "≤ 1× qalc 'diff(sin(x+x^2), x, 1, 2)'",
                       f"{m['grad'] * 1e3:.0f} ms vs {m['qalc'] * 1e3:.0f} ms", m["grad"] / m["qalc"], 1.0))
        out.append(Row("start-up: the smallest typer command vs qalc", "(what the command line alone costs)",
                       f"{m['typer'] * 1e3:.0f} ms vs {m['qalc'] * 1e3:.0f} ms", m["typer"] / m["qalc"], None))
    else:
        out.append(Row("start-up: dcalc grad vs qalc", "≤ 1× qalc", "qalc not installed here", None, 1.0))
    return out + instruction_rows()


if __name__ == "__main__":
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 21
    print_table(rows(runs))
