"""Whether a change makes an ask faster: this checkout against another one, asked in turns.

    .venv/bin/python bench/latency_ab.py OTHER_CHECKOUT [--rounds 20] [--batch 100] [--n 2000]

On this 2-core virtual machine one code's p50 moved 2.8 → 3.8 ms within ten minutes
(2026-12-06): two runs of bench/match_latency.py one after the other compare the machine's
moments, not the code. Here both versions are loaded at once, each in its own process with
its own ``knowledge`` package (e.g. a ``git worktree`` of the commit before the change), the
same synthetic content of ``--n`` procedures and the same questions; they take turns asking
batches of ``--batch`` questions, the order swapped every round, so a slow minute falls on
both. Printed: each side's p50, p99 and mean, and the median of the per-question ratio
(this / other, the same question asked by both): below 1, this checkout is faster.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "data" / "questions"


def worker(root: Path, n: int) -> None:
    """Build the knowledge base of ``root``'s code, then answer "FROM TO" lines on stdin with
    the JSON list of each ask's milliseconds."""
    sys.path[:0] = [str(root), str(root / "bench")]
    from match_latency import synthetic  # the other checkout's own, as its kiosk would build it

    from knowledge.base import KnowledgeBase
    from knowledge.evaluate import load_questions
    from knowledge.source import load_source

    rng = random.Random(7)
    qs = [q.question for q in load_questions(QUESTIONS)]
    # distinct questions so the normalisation cache does not hide the work: match_latency.py's
    # lines, repeated rather than imported, since the other checkout's copy may predate any helper
    qs = [f"{q} {rng.randint(0, 10**6)}" if i % 2 else q for i, q in enumerate(qs * 3)]
    kb = KnowledgeBase(synthetic(load_source(root / "assets" / "content"), n, rng))
    for q in qs[:50]:
        kb.ask(q)
    print("ready", flush=True)
    for line in sys.stdin:
        a, b = map(int, line.split())
        out = []
        for k in range(a, b):
            q = f"{qs[k % len(qs)]} {k // len(qs)}" if k >= len(qs) else qs[k]
            t0 = time.perf_counter()
            kb.ask(q)
            out.append((time.perf_counter() - t0) * 1000)
        print(json.dumps(out), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("other", nargs="?", help="the checkout to compare with (a directory holding knowledge/)")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--n", type=int, default=2000, help="procedures in the synthetic content (default: %(default)s)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(Path(args.worker), args.n)
        return
    if not args.other or not (Path(args.other) / "knowledge").is_dir():
        sys.exit("latency_ab: give the other checkout's directory (it must hold knowledge/), e.g. "
                 "git worktree add /tmp/before HEAD~1")
    roots = [ROOT, Path(args.other).resolve()]
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", str(r), "--n", str(args.n)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for r in roots]
    for p, r in zip(procs, roots):
        if p.stdout is None or p.stdout.readline().strip() != "ready":
            sys.exit(f"latency_ab: the worker for {r} did not start")
    times: list[list[float]] = [[], []]
    for i in range(args.rounds):
        span = f"{i * args.batch} {(i + 1) * args.batch}\n"
        for j in ((0, 1) if i % 2 == 0 else (1, 0)):
            stdin, stdout = procs[j].stdin, procs[j].stdout
            assert stdin is not None and stdout is not None
            stdin.write(span)
            stdin.flush()
            times[j] += json.loads(stdout.readline())
    for p in procs:
        if p.stdin is not None:
            p.stdin.close()
        p.wait()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f}; {args.n} procedures, "
          f"{args.rounds} rounds of {args.batch} asks each")
    for label, r, t in zip(("this ", "other"), roots, times):
        a = np.array(t)
        print(f"  {label} {str(r):40} {len(a)} asks: p50 {np.median(a):.2f} ms, p99 {np.percentile(a, 99):.2f} ms, mean {a.mean():.2f} ms")
    ratio = np.array(times[0]) / np.array(times[1])
    print(f"  per-question time, this / other: median {np.median(ratio):.3f} (below 1: this checkout is faster)")


if __name__ == "__main__":
    main()
