"""bench/latency_ab.py: two checkouts asked in turns (here the same one twice)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "latency_ab.py"


@pytest.mark.slow
def test_both_sides_answer_every_batch_and_the_ratio_is_printed():
    out = subprocess.run([sys.executable, str(SCRIPT), str(ROOT), "--n", "600", "--rounds", "2", "--batch", "3"],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    sides = re.findall(r"(\d+) asks: p50 ([\d.]+) ms, p99 ([\d.]+) ms, mean ([\d.]+) ms", out)
    assert [int(n) for n, *_ in sides] == [6, 6]  # two rounds of three, on each side
    assert all(0 < float(p50) <= float(p99) for _, p50, p99, _ in sides)
    match = re.search(r"this / other: median ([\d.]+)", out)
    assert match is not None and float(match.group(1)) > 0


def test_a_directory_without_the_code_is_refused_with_a_message(tmp_path):
    r = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "knowledge/" in r.stderr
