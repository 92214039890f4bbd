"""The long differential run, on demand: many random programs against the 50-digit oracle (tests/oracle_gen.py).

    python tests/bench/oracle_long.py --cases 10000 [--start 1000000] [--jobs 2] [--save found.jsonl] [--quiet]

Seeds start..start+cases-1 (the CI test runs seeds 0..199; the default start is past them). Prints, for the run: the
cases, those that passed (every comparison right, or a refusal the oracle confirms), the comparisons made, the refusals
confirmed, the comparisons where the oracle saw a value within rounding of an edge and accepted either answer, and the
wrong answers: per bug class (oracle_gen.KNOWN_CLASSES, or 'unclassified'), a count and a few reproducers. --save writes
every failing case as a line for tests/oracle_regressions.jsonl (give each a "name" before adding it). Exit status 1
when some answer was wrong. About 0.2-0.5 s a case on one core; --jobs N runs N processes, each a run of CHUNK
consecutive seeds at a time, and merges their tallies in seed order (the same summary as one process gives). Ctrl-C
stops the run and prints the summary of the seeds done so far (with --jobs, of the chunks finished in order).
"""

from __future__ import annotations

import argparse
import collections
import json
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: oracle_gen, dcalc_proc

from oracle_gen import KNOWN_CLASSES, run_case  # noqa: E402

CHUNK = 25  # seeds a worker runs at a time with --jobs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--start", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=1, help="processes, each running chunks of consecutive seeds")
    parser.add_argument("--save", type=Path, help="write the failing cases here, one JSON object a line")
    parser.add_argument("--examples", type=int, default=3, help="reproducers shown per bug class")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    args = parser.parse_args(argv)
    if args.cases < 0 or args.jobs < 1:
        parser.error("--cases must be 0 or more and --jobs 1 or more")
    counts = collections.Counter()
    by_class = collections.defaultdict(list)
    saved = []
    start = time.perf_counter()
    stop = args.start + args.cases
    chunks = [range(a, min(a + CHUNK, stop)) for a in range(args.start, stop, CHUNK)]
    done = args.start  # every seed below this one has run
    pool = None
    try:
        if args.jobs == 1:
            results = (_chunk(c) for c in chunks)
        else:
            import multiprocessing
            pool = multiprocessing.get_context("fork").Pool(args.jobs, initializer=_worker)
            results = pool.imap(_chunk, chunks)  # in order: the summary is the same as one process's
        for c, (c_counts, c_by_class, c_saved) in zip(chunks, results):
            counts.update(c_counts)
            for k, found in c_by_class.items():
                by_class[k].extend(found)
            saved.extend(c_saved)
            done = c.stop
            if not args.quiet and (done - args.start) // 100 > (c.start - args.start) // 100:
                print(f"  {done - args.start} cases, {counts['wrong cases']} wrong, "
                      f"{time.perf_counter() - start:.0f} s", file=sys.stderr)
    except KeyboardInterrupt:  # Ctrl-C: the summary of the cases run so far
        if pool is not None:
            pool.terminate()
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    elapsed = time.perf_counter() - start
    jobs = f", {args.jobs} processes" if args.jobs > 1 else ""
    seeds = f"seeds {args.start}..{done - 1}" if done > args.start else f"no case finished from seed {args.start}"
    print(f"oracle_long: {seeds}, {elapsed:.0f} s{jobs}")
    for key in ("cases", "passed", "comparisons", "refusals confirmed", "either (within rounding of an edge)",
                "wrong cases", "wrong answers", "oracle errors"):
        print(f"  {key}: {counts[key]}")
    for c, found in sorted(by_class.items(), key=lambda kv: -len(kv[1])):
        print(f"\n{c} ({len(found)} cases): {KNOWN_CLASSES.get(c, 'NOT a known class')}")
        for r in found[: args.examples]:
            print("  " + r)
    if args.save:
        args.save.write_text("".join(json.dumps(r) + "\n" for r in saved), encoding="utf-8")
    return 1 if counts["wrong cases"] or counts["oracle errors"] else 0


def _worker() -> None:
    """A --jobs process: Ctrl-C is the parent's to handle (it stops the pool and prints the summary)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _chunk(seeds: range):
    """The tallies of a run of consecutive seeds: (counts, by_class, saved), as _run fills them."""
    counts = collections.Counter()
    by_class = collections.defaultdict(list)
    saved = []
    for seed in seeds:
        _run(seed, counts, by_class, saved)
    return counts, dict(by_class), saved


def _run(seed: int, counts, by_class, saved) -> None:
    """One case into the tallies."""
    try:
        res = run_case(seed)
    except Exception as e:  # noqa: BLE001 - a failure of the oracle itself is reported, not hidden
        counts["oracle errors"] += 1
        by_class["oracle error"].append(f"seed {seed}: {type(e).__name__}: {e}")
        return
    counts["cases"] += 1
    counts["comparisons"] += len(res.checks)
    for _, v in res.checks:
        if v.startswith("refusal confirmed"):
            counts["refusals confirmed"] += 1
        elif v == "either":
            counts["either (within rounding of an edge)"] += 1
    if res.wrong:
        counts["wrong cases"] += 1
        counts["wrong answers"] += len(res.wrong)
        for c in res.classes():
            by_class[c].append(res.reproducer() + "\n      " + "\n      ".join(
                f"{w}: {v[:300]}" for w, v in res.wrong))
        saved.append(res.regression())
    else:
        counts["passed"] += 1


if __name__ == "__main__":
    raise SystemExit(main())
