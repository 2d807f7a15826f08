"""deploy/install.sh and uninstall.sh: lint, --dry-run (prints, changes nothing), config defaults.

A real install (apt, user, LightDM) is not run by the suite: it changes the machine.
docs/operations.md records a manual run on a scratch machine.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import load_config

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
SCRIPTS = [DEPLOY / "install.sh", DEPLOY / "uninstall.sh", DEPLOY / "kiosk-xsession", DEPLOY / "kiosk-wait-display"]
# What a dry run must never create or touch.
SYSTEM_PATHS = [Path(p) for p in ("/opt/kiosk", "/etc/kiosk", "/var/lib/kiosk", "/etc/systemd/system/kiosk.service",
                                   "/etc/lightdm/lightdm.conf.d/50-kiosk.conf")]


def snapshot() -> dict[str, float | None]:
    return {str(p): (p.stat().st_mtime if p.exists() else None) for p in SYSTEM_PATHS}


def sh(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*args], capture_output=True, text=True, timeout=timeout, cwd=REPO)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_are_executable_and_parse(script):
    assert os.access(script, os.X_OK)
    shell = "bash" if script.suffix == ".sh" else "sh"
    r = sh(shell, "-n", str(script))
    assert r.returncode == 0, r.stderr
    if script.suffix == ".sh":
        assert "set -euo pipefail" in script.read_text(encoding="utf-8")


@pytest.mark.slow
def test_shellcheck_clean():
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck missing (script/bootstrap installs it)")
    r = sh("shellcheck", "--severity=style", *map(str, SCRIPTS))
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.slow
def test_install_dry_run_prints_every_step_and_changes_nothing():
    before = snapshot()
    r = sh(str(DEPLOY / "install.sh"), "--dry-run")
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "--dry-run: nothing will be changed" in out
    assert snapshot() == before
    # Whatever this machine already has, the app, config, units and session are always shown.
    for needle in (
        "rsync -a --delete",
        "/opt/kiosk/src/",
        "kiosk models prepare",
        "/etc/systemd/system/kiosk.service",
        "/etc/systemd/system/kiosk-admin.service",
        "/etc/systemd/system/kiosk-backup.timer",
        "/etc/tmpfiles.d/kiosk.conf",
        "/etc/logrotate.d/kiosk",
        "/etc/lightdm/lightdm.conf.d/50-kiosk.conf",
        "/usr/share/xsessions/kiosk.desktop",
    ):
        assert needle in out, needle
    if not Path("/etc/kiosk/kiosk.toml").exists():
        assert "/etc/kiosk/kiosk.toml" in out
    if subprocess.run(["id", "-u", "kiosk"], capture_output=True).returncode != 0:
        assert "useradd --system" in out and "passwd --lock kiosk" in out
    # Steps come in a safe order: user before its directories, app before its model, units before enabling.
    lines = out.splitlines()

    def first(text: str) -> int:
        return next(i for i, ln in enumerate(lines) if text in ln)

    assert first("/opt/kiosk/src/") < first("kiosk models prepare") < first("/etc/systemd/system/kiosk.service")
    assert "piper.download_voices" not in out  # only with --with-vi-voice


@pytest.mark.slow
def test_install_dry_run_with_optional_downloads():
    r = sh(str(DEPLOY / "install.sh"), "--dry-run", "--with-vi-voice", "--with-whisper-model", "small", "--no-session")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "-m piper.download_voices vi_VN-vais1000-medium --data-dir /var/lib/kiosk/voices" in out
    assert "download_model" in out and "/var/lib/kiosk/models/faster-whisper-small" in out
    assert "lightdm" not in out.replace("lightdm shared", "")  # --no-session: no display manager


def test_install_options():
    assert sh(str(DEPLOY / "install.sh"), "--help").returncode == 0
    bad = sh(str(DEPLOY / "install.sh"), "--frobnicate")
    assert bad.returncode == 2 and "unknown option" in bad.stderr
    if os.getuid() != 0:
        r = sh(str(DEPLOY / "install.sh"))
        assert r.returncode == 1 and "root" in r.stderr


def test_uninstall_dry_run():
    before = snapshot()
    r = sh(str(DEPLOY / "uninstall.sh"), "--dry-run", "--purge")
    assert r.returncode == 0, r.stderr
    assert snapshot() == before
    assert "--dry-run" in r.stdout
    assert sh(str(DEPLOY / "uninstall.sh"), "--help").returncode == 0


def test_generated_config_is_valid_and_points_at_the_system_dirs(tmp_path):
    """install.sh builds /etc/kiosk/kiosk.toml from kiosk.example.toml with kiosk-toml-default."""
    cfg = tmp_path / "kiosk.toml"
    shutil.copy(REPO / "kiosk.example.toml", cfg)
    for args in (("paths", "content_dir", "/opt/kiosk/src/assets/content"), ("paths", "data_dir", "/var/lib/kiosk"),
                 ("paths", "cache_dir", "/var/cache/kiosk"), ("tts", "voices_dir", "/var/lib/kiosk/voices")):
        r = sh(sys.executable, str(DEPLOY / "kiosk-toml-default"), str(cfg), *args)
        assert r.returncode == 0, r.stderr
    config = load_config(cfg, environ={})
    assert str(config.paths.data_dir) == "/var/lib/kiosk"
    assert str(config.paths.cache_dir) == "/var/cache/kiosk"
    assert str(config.paths.content_dir) == "/opt/kiosk/src/assets/content"
    assert str(config.tts.voices_dir) == "/var/lib/kiosk/voices"
    # A value the staff already set is kept; a new section is added when missing.
    r = sh(sys.executable, str(DEPLOY / "kiosk-toml-default"), str(cfg), "paths", "data_dir", "/elsewhere")
    assert "already set" in r.stdout
    sh(sys.executable, str(DEPLOY / "kiosk-toml-default"), str(cfg), "asr", "model_dir", '/var/lib/kiosk/models/a "b"')
    config = load_config(cfg, environ={})
    assert str(config.paths.data_dir) == "/var/lib/kiosk"
    assert str(config.asr.model_dir) == '/var/lib/kiosk/models/a "b"'


def test_install_script_documents_its_flags():
    text = (DEPLOY / "install.sh").read_text(encoding="utf-8")
    for flag in ("--dry-run", "--with-vi-voice", "--with-whisper-model", "--no-session"):
        assert flag in text
    ops = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    for flag in ("--dry-run", "--with-vi-voice", "--with-whisper-model"):
        assert flag in ops, f"docs/operations.md does not document {flag}"
