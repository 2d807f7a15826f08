"""Layering (issue 17): each package owns its settings, none imports from a package above it."""
from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# A package may import the ones after it in its row, never one before it.
BELOW = {"knowledge": set(), "speech": set(), "printing": {"knowledge"}}


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("package", sorted(BELOW))
def test_no_package_imports_from_a_package_above_it(package):
    ours = {"kiosk", *BELOW} - {package}
    bad = {str(p.relative_to(REPO)): sorted(_imports(p) & (ours - BELOW[package]))
           for p in (REPO / package).rglob("*.py")}
    assert not {k: v for k, v in bad.items() if v}


def test_reading_the_configuration_loads_no_engine():
    code = ("import sys, kiosk.config as c; c.load_config(environ={}); "
            "print(sorted(m for m in ('numpy', 'PIL', 'fpdf', 'rapidfuzz', 'knowledge.base', 'speech.asr') "
            "if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stderr


def test_the_configuration_is_composed_of_the_packages_own_settings():
    from kiosk import config
    from knowledge.params import MatchConfig
    from printing.settings import PrinterConfig
    from speech.settings import AsrConfig, AudioConfig, TtsConfig

    types = {f.name: f.default_factory for f in dataclasses.fields(config.Config) if f.name != "source"}
    assert types["asr"] is AsrConfig and types["audio"] is AudioConfig and types["tts"] is TtsConfig
    assert types["printer"] is PrinterConfig and types["match"] is MatchConfig
    assert config.PrinterConfig is PrinterConfig  # still importable from kiosk.config


def test_speech_defaults_are_written_once():
    from speech.asr import GuardThresholds
    from speech.settings import AsrConfig, AudioConfig
    from speech.vad import EndpointConfig

    asr, guards = AsrConfig(), GuardThresholds()
    assert (guards.no_speech_prob, guards.log_prob, guards.compression_ratio) == (
        asr.no_speech_threshold, asr.log_prob_threshold, asr.compression_ratio_threshold)
    audio, ep = AudioConfig(), EndpointConfig()
    assert (ep.end_silence_s, ep.max_utterance_s, ep.min_speech_s, ep.floor_end_s) == (
        audio.end_silence_s, audio.max_utterance_s, audio.min_speech_s, audio.floor_end_s)
