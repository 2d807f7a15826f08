"""Latency of one ask (normalise → match → decide → compose) at the shipped content size
and with 2,000 procedures (the shipped ones plus synthetic ones built from their words).

Usage: .venv/bin/python bench/match_latency.py [--n 2000] [--asks 2000]
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.evaluate import load_questions  # noqa: E402
from knowledge.model import Content, Procedure  # noqa: E402
from knowledge.source import load_source  # noqa: E402


def synthetic(content: Content, n: int, rng: random.Random) -> Content:
    procs = list(content.procedures)
    words = sorted({w for p in procs for t in (p.title, *p.aliases) for w in t.split()})
    extra: list[Procedure] = []
    i = 0
    while len(procs) + len(extra) < n:
        base = rng.choice(procs)
        title = " ".join(rng.sample(words, k=rng.randint(4, 10)))
        aliases = tuple(" ".join(rng.sample(words, k=rng.randint(2, 6))) for _ in range(6))
        extra.append(dataclasses.replace(base, code=f"9.{900000 + i:06d}", title=title, aliases=aliases, keywords=()))
        i += 1
    return dataclasses.replace(content, procedures=tuple(procs + extra))


def measure(kb: KnowledgeBase, questions: list[str], asks: int) -> tuple[float, float, float, float, float]:
    """Wall-clock p50, p99, max, and this thread's CPU time p50, p99: on a virtual machine
    whose figures swing from run to run, CPU time equal to wall time says the swing is the
    processor's own speed, not the host taking it away (steal time)."""
    for q in questions[:50]:
        kb.ask(q)  # warm caches as a running kiosk would be
    times, cpu = [], []
    for k in range(asks):
        q = questions[k % len(questions)]
        t0, c0 = time.perf_counter(), time.thread_time()
        kb.ask(q)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    times.sort()
    cpu.sort()
    return (statistics.median(times), times[int(0.99 * (len(times) - 1))], times[-1],
            statistics.median(cpu), cpu[int(0.99 * (len(cpu) - 1))])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--asks", type=int, default=2000)
    args = ap.parse_args()
    rng = random.Random(7)
    content = load_source(ROOT / "assets" / "content")
    questions = [q.question for q in load_questions(ROOT / "tests" / "data" / "questions")]
    # distinct questions so the normalisation cache does not hide the work
    questions = [f"{q} {rng.randint(0, 10**6)}" if i % 2 else q for i, q in enumerate(questions * 3)]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    for label, c in (("shipped", content), (f"{args.n} procedures", synthetic(content, args.n, rng))):
        t0 = time.perf_counter()
        kb = KnowledgeBase(c)
        build = (time.perf_counter() - t0) * 1000
        p50, p99, worst, cpu50, cpu99 = measure(kb, questions, args.asks)
        texts = len(kb.matcher._folded)
        print(f"{label:>16}: {len(kb.matcher)} procedures, {texts} texts; index build {build:.0f} ms; "
              f"ask p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {worst:.2f} ms; CPU time p50 {cpu50:.2f} ms, p99 {cpu99:.2f} ms")


if __name__ == "__main__":
    main()
