"""Fault: the configuration file has typos → exit 1 with one line naming the key, never a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Slow lane: each case runs `kiosk` in a subprocess.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CLI_SHIM = ("import sys, kiosk.cli as c\n"
            "c.COMMAND_MODULES = tuple(c.COMMAND_MODULES) + (() if 'backup' in c.COMMAND_MODULES else ('backup',))\n"
            "sys.exit(c.main(sys.argv[1:]))")

CASES = {
    # name: (file content, what the one-line error must name)
    "misspelt key": ("[asr]\nbeam_sise = 5\n", ["asr.beam_sise", "asr.beam_size"]),
    "misspelt section": ('[pritner]\nkind = "escpos"\n', ["[pritner]", "[printer]"]),
    "key outside a section": ('staff_pin = "1234"\n', ["staff_pin"]),
    "wrong type": ('[asr]\ncpu_threads = "two"\n', ["asr.cpu_threads", "two"]),
    "bad boolean": ('[audio]\nkeep_audio = "maybe"\n', ["audio.keep_audio", "maybe"]),
    "broken TOML": ("[asr\nbeam_size = 5\n", ["TOML", "line 1"]),
    "section twice": ('[ui]\nfullscreen = true\n[ui]\nsize = "1x1"\n', ["TOML", "ui"]),
    "not UTF-8": (b"\xff\xfe[asr]\n", ["TOML", "utf-8"]),
}


def run_kiosk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    return subprocess.run([sys.executable, "-c", CLI_SHIM, *args], capture_output=True, text=True,
                          env={**base, **env}, cwd=REPO, timeout=120)


def assert_one_line_error(r: subprocess.CompletedProcess, *needles: str) -> None:
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("Lỗi:")]
    assert len(errors) == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])
    assert r.stdout == ""


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_config_typo_in_file(case, tmp_path):
    content, needles = CASES[case]
    cfg = tmp_path / "kiosk.toml"
    cfg.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    r = run_kiosk("ask", "đăng ký kết hôn", env={"KIOSK_CONFIG": str(cfg), "KIOSK_PATHS_DATA_DIR": str(tmp_path)})
    assert_one_line_error(r, str(cfg), *needles)
    assert not (tmp_path / "kiosk.db").exists()  # nothing was done with a bad config


@pytest.mark.parametrize("command", [["backup"], ["content", "stats"], ["checklist", "1.001193"],
                                     ["--config", "{cfg}", "ask", "x"]], ids=lambda c: " ".join(c))
def test_every_command_reports_the_typo(command, tmp_path):
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("[privacy]\nquestion_log_dayz = 30\n", encoding="utf-8")
    args = [a.replace("{cfg}", str(cfg)) for a in command]
    r = run_kiosk(*args, env={"KIOSK_CONFIG": str(cfg), "KIOSK_PATHS_DATA_DIR": str(tmp_path)})
    assert_one_line_error(r, "privacy.question_log_dayz", "privacy.question_log_days")


def test_typo_in_an_environment_variable(tmp_path):
    r = run_kiosk("ask", "x", env={"KIOSK_ASR_BEAM_SISE": "3", "KIOSK_PATHS_DATA_DIR": str(tmp_path)})
    assert_one_line_error(r, "KIOSK_", "asr.beam_sise", "asr.beam_size")


def test_missing_config_file(tmp_path):
    r = run_kiosk("ask", "x", env={"KIOSK_CONFIG": str(tmp_path / "nope.toml"), "KIOSK_PATHS_DATA_DIR": str(tmp_path)})
    assert_one_line_error(r, "nope.toml")


def test_the_shipped_example_is_valid(tmp_path):
    r = run_kiosk("--config", str(REPO / "kiosk.example.toml"), "content", "validate",
                  env={"KIOSK_PATHS_DATA_DIR": str(tmp_path)})
    assert r.returncode == 0, r.stderr
