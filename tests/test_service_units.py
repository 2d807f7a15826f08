"""The systemd units, session files, tmpfiles and logrotate configs, checked with the real tools.

``systemd-analyze verify`` needs the binaries a unit names to exist, so the units are
verified as copies whose /opt/kiosk paths point into this repository (venv and
deploy/ scripts) — the same layout install.sh creates (/opt/kiosk/venv, /opt/kiosk/src).
"""
from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parent.parent
UNITS = {
    "kiosk.service": REPO / "kiosk.service",
    "kiosk-admin.service": REPO / "kiosk-admin.service",
    "kiosk-backup.service": REPO / "deploy" / "kiosk-backup.service",
    "kiosk-backup.timer": REPO / "deploy" / "kiosk-backup.timer",
    "kiosk-recover.service": REPO / "deploy" / "kiosk-recover.service",
    "kiosk-sync.service": REPO / "deploy" / "kiosk-sync.service",
}
# The province hub's unit: installed by hand on the province server (docs/fleet.md), never by
# the ward kiosk's install.sh, so it is verified with the others but not in UNITS.
HUB_UNIT = REPO / "deploy" / "kiosk-hub.service"
HUB_STATE = "/var/lib/kiosk-hub"
DATA_DIRS = {"/var/lib/kiosk", "/var/cache/kiosk", "/var/log/kiosk"}

needs_systemd_analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                           reason="systemd-analyze missing (script/bootstrap installs systemd)")


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """[Section] → key → every value (systemd allows repeated keys)."""
    out: dict[str, dict[str, list[str]]] = {}
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            out.setdefault(section, {})
            continue
        key, _, value = line.partition("=")
        out[section].setdefault(key.strip(), []).append(value.strip())
    return out


def one(unit: dict, section: str, key: str) -> str:
    values = unit[section][key]
    assert len(values) == 1, (section, key, values)
    return values[0]


@pytest.fixture(scope="module")
def local_units(tmp_path_factory) -> Path:
    """Copies of the units with /opt/kiosk/{venv,src} rewritten to this checkout."""
    d = tmp_path_factory.mktemp("units")
    for name, src in {**UNITS, HUB_UNIT.name: HUB_UNIT}.items():
        text = src.read_text(encoding="utf-8")
        text = text.replace("/opt/kiosk/venv", str(VENV)).replace("/opt/kiosk/src", str(REPO))
        (d / name).write_text(text, encoding="utf-8")
    return d


@needs_systemd_analyze
def test_systemd_analyze_verify_passes(local_units):
    assert (VENV / "bin" / "kiosk").exists(), "the venv has no kiosk console script"
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", *sorted(str(p) for p in local_units.iterdir())],
                       capture_output=True, text=True, cwd=local_units, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stderr.strip() == "", r.stderr  # not even a warning (unknown key, bad value…)


@needs_systemd_analyze
def test_systemd_analyze_verify_catches_a_broken_unit(local_units, tmp_path):
    """The check above is not vacuous: a bad ExecStart and a typo are reported."""
    bad = tmp_path / "kiosk.service"
    text = (local_units / "kiosk.service").read_text(encoding="utf-8")
    text = re.sub(r"^ExecStart=.*$", "ExecStart=/nonexistent/bin/kiosk run", text, flags=re.M)
    bad.write_text(text.replace("Restart=always", "Restart=allways"), encoding="utf-8")
    shutil.copy(local_units / "kiosk-recover.service", tmp_path)
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", str(bad)], capture_output=True, text=True,
                       cwd=tmp_path, timeout=60)
    assert r.returncode != 0
    assert "allways" in r.stderr and "/nonexistent/bin/kiosk" in r.stderr


@needs_systemd_analyze
@pytest.mark.parametrize("name, limit", [("kiosk.service", 3.0), ("kiosk-admin.service", 2.5),
                                         ("kiosk-backup.service", 2.0), ("kiosk-sync.service", 2.5),
                                         ("kiosk-hub.service", 2.0)])
def test_security_exposure_is_low(local_units, name, limit):
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", name],
                       capture_output=True, text=True, cwd=local_units, timeout=60)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.stdout + r.stderr)
    assert m, r.stdout + r.stderr
    assert float(m.group(1)) <= limit, r.stdout


def test_kiosk_service_contract():
    u = parse_unit(UNITS["kiosk.service"])
    svc = u["Service"]
    assert one(u, "Service", "Type") == "notify"  # READY=1 / WATCHDOG=1 from kiosk.heartbeat
    assert one(u, "Service", "WatchdogSec") == "30s"
    assert one(u, "Service", "Restart") == "always" and one(u, "Service", "RestartSec") == "5s"
    assert one(u, "Unit", "StartLimitBurst") and one(u, "Unit", "StartLimitIntervalSec")
    assert one(u, "Unit", "OnFailure") == "kiosk-recover.service"
    assert one(u, "Service", "User") == "kiosk"
    assert one(u, "Service", "ExecStart") == "/opt/kiosk/venv/bin/kiosk run --fullscreen"
    assert "KIOSK_CONFIG=/etc/kiosk/kiosk.toml" in svc["Environment"]
    assert "DISPLAY=:0" in svc["Environment"]
    assert "display-manager.service" in one(u, "Unit", "After") and "sound.target" in one(u, "Unit", "After")
    assert one(u, "Install", "WantedBy") == "graphical.target"
    # The app needs its devices: microphone/speaker, GPU, USB/serial printers. ProtectClock
    # implies DeviceAllow=char-rtc, which can turn the device policy into an allow-list.
    for key in ("ProtectClock", "DevicePolicy", "DeviceAllow", "MemoryDenyWriteExecute"):
        assert key not in svc, key
    assert one(u, "Service", "PrivateDevices") == "no"


@pytest.mark.parametrize("name", ["kiosk.service", "kiosk-admin.service", "kiosk-backup.service"])
def test_hardening(name):
    u = parse_unit(UNITS[name])
    s = {k: v[-1] for k, v in u["Service"].items()}
    assert s["User"] == "kiosk" and s["Group"] == "kiosk"
    assert s["NoNewPrivileges"] == "yes"
    assert s["ProtectSystem"] == "strict"
    assert s["ProtectHome"] == "yes"
    assert s["PrivateTmp"] == "yes"
    assert s["CapabilityBoundingSet"] == ""
    assert set(s["ReadWritePaths"].split()) <= DATA_DIRS  # nothing else is writable
    assert "KIOSK_CONFIG=/etc/kiosk/kiosk.toml" in u["Service"]["Environment"]
    # Privacy: no onnxruntime telemetry store / device id (see tests/test_service_privacy.py).
    assert any("ORT_DISABLE_TELEMETRY=1" in e.split() for e in u["Service"]["Environment"])


def test_admin_service():
    u = parse_unit(UNITS["kiosk-admin.service"])
    assert one(u, "Service", "ExecStart") == "/opt/kiosk/venv/bin/kiosk admin"
    assert one(u, "Service", "Restart") == "always"
    assert one(u, "Install", "WantedBy") == "multi-user.target"


def test_backup_timer():
    t = parse_unit(UNITS["kiosk-backup.timer"])
    assert one(t, "Timer", "OnCalendar") == "*-*-* 02:30:00"
    assert one(t, "Timer", "Persistent") == "true"
    assert one(t, "Install", "WantedBy") == "timers.target"
    s = parse_unit(UNITS["kiosk-backup.service"])
    assert one(s, "Service", "Type") == "oneshot"
    assert one(s, "Service", "ExecStart").startswith("/opt/kiosk/venv/bin/kiosk backup")


def test_every_unit_and_file_is_installed_and_uninstalled():
    install = (REPO / "deploy" / "install.sh").read_text(encoding="utf-8")
    uninstall = (REPO / "deploy" / "uninstall.sh").read_text(encoding="utf-8")
    for name in UNITS:
        assert name in install, name
        assert name in uninstall, name
    for f in ("tmpfiles-kiosk.conf", "logrotate-kiosk", "journald-kiosk.conf", "udev-kiosk-printer.rules",
              "lightdm-kiosk.conf", "kiosk.desktop", "xorg-kiosk.conf"):
        assert f"deploy/{f}" in install, f
    for dest in ("/etc/tmpfiles.d/kiosk.conf", "/etc/logrotate.d/kiosk", "/etc/lightdm/lightdm.conf.d/50-kiosk.conf",
                 "/usr/share/xsessions/kiosk.desktop", "/etc/X11/xorg.conf.d/50-kiosk.conf"):
        assert dest in install and dest in uninstall, dest


def test_session_files_point_at_installed_scripts():
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.read(REPO / "deploy" / "kiosk.desktop", encoding="utf-8")
    exe = desktop["Desktop Entry"]["Exec"]
    assert exe.startswith("/opt/kiosk/src/deploy/")
    assert os.access(REPO / exe.removeprefix("/opt/kiosk/src/"), os.X_OK)
    lightdm = configparser.ConfigParser(interpolation=None)
    lightdm.read(REPO / "deploy" / "lightdm-kiosk.conf", encoding="utf-8")
    seat = lightdm["Seat:*"]
    assert seat["autologin-user"] == "kiosk" and seat["autologin-session"] == "kiosk"
    assert seat["autologin-user-timeout"] == "0"
    pre = parse_unit(UNITS["kiosk.service"])["Service"]["ExecStartPre"][0].split()[0]
    assert os.access(REPO / pre.removeprefix("/opt/kiosk/src/"), os.X_OK)


@pytest.mark.slow
def test_wait_display_gives_up_with_a_message():
    if shutil.which("xset") is None:
        pytest.skip("xset missing (x11-xserver-utils)")
    started = time.monotonic()
    r = subprocess.run([str(REPO / "deploy" / "kiosk-wait-display"), ":93", "1"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1 and "not ready" in r.stderr
    assert time.monotonic() - started < 10


@pytest.mark.slow
def test_wait_display_returns_when_x_is_up(tmp_path):
    if shutil.which("xset") is None or shutil.which("Xvfb") is None:
        pytest.skip("xset/Xvfb missing")
    # a free display, above the range tests/test_app_window.py takes from (the suite runs in two workers)
    n = next(n for n in range(200, 260)
             if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists())
    display = f":{n}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "320x240x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        r = subprocess.run([str(REPO / "deploy" / "kiosk-wait-display"), display, "20"], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r.stderr
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)


def test_tmpfiles_creates_the_dirs_and_ages_diagnostic_audio(tmp_path):
    if shutil.which("systemd-tmpfiles") is None:
        pytest.skip("systemd-tmpfiles missing")
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    uid = os.getuid()
    (root / "etc" / "passwd").write_text(f"root:x:0:0::/root:/bin/sh\nkiosk:x:{uid}:{os.getgid()}::/var/lib/kiosk:/bin/bash\n")
    (root / "etc" / "group").write_text(f"root:x:0:\nkiosk:x:{os.getgid()}:\n")
    conf = (REPO / "deploy" / "tmpfiles-kiosk.conf").read_text(encoding="utf-8")

    def tmpfiles(*args):
        r = subprocess.run(["systemd-tmpfiles", f"--root={root}", *args, "-"], input=conf, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r.stderr

    tmpfiles("--create")
    modes = {p: oct((root / p.lstrip("/")).stat().st_mode & 0o777) for p in
             ("/var/lib/kiosk", "/var/lib/kiosk/backups", "/var/lib/kiosk/diagnostic-audio", "/var/cache/kiosk",
              "/var/log/kiosk")}
    assert modes["/var/lib/kiosk/diagnostic-audio"] == "0o700"
    assert modes["/var/lib/kiosk"] == "0o750"
    audio = root / "var/lib/kiosk/diagnostic-audio"
    old, new = audio / "utt-old.wav", audio / "utt-new.wav"
    old.write_bytes(b"RIFF")
    new.write_bytes(b"RIFF")
    three_days = time.time() - 3 * 86400
    os.utime(old, (three_days, three_days))
    tmpfiles("--clean")
    assert not old.exists() and new.exists()


def test_logrotate_rotates_kiosk_logs(tmp_path):
    if shutil.which("logrotate") is None:
        pytest.skip("logrotate missing")
    logs = tmp_path / "log"
    logs.mkdir()
    (logs / "kiosk.log").write_text("dòng nhật ký\n" * 100, encoding="utf-8")
    conf = (REPO / "deploy" / "logrotate-kiosk").read_text(encoding="utf-8")
    conf = conf.replace("/var/log/kiosk", str(logs))
    # The kiosk user only exists on an installed kiosk; rotate as whoever runs the test.
    conf = re.sub(r"^\s*su .*$", "", conf, flags=re.M)
    (tmp_path / "logrotate.conf").write_text(conf, encoding="utf-8")
    r = subprocess.run(["logrotate", "-f", "-s", str(tmp_path / "state"), str(tmp_path / "logrotate.conf")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert (logs / "kiosk.log.1").exists()  # delaycompress: the newest rotation stays plain
    assert (logs / "kiosk.log").stat().st_size == 0  # copytruncate: the writer keeps its file


def test_journald_and_udev_files_are_well_formed():
    j = configparser.ConfigParser()
    j.read(REPO / "deploy" / "journald-kiosk.conf", encoding="utf-8")
    assert j["Journal"]["MaxRetentionSec"] == "14day"
    rules = [ln for ln in (REPO / "deploy" / "udev-kiosk-printer.rules").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert rules and all('GROUP="lp"' in ln for ln in rules)


def test_sync_service():
    """kiosk sync exits 0 at once without a hub: on-failure, not always, or it would restart forever."""
    u = parse_unit(UNITS["kiosk-sync.service"])
    assert one(u, "Service", "ExecStart").split()[-1] == "sync"
    assert one(u, "Service", "Restart") == "on-failure"
    assert one(u, "Service", "User") == "kiosk"
    assert "AF_INET" in one(u, "Service", "RestrictAddressFamilies")
    assert one(u, "Service", "ReadWritePaths") == "/var/lib/kiosk"


# ---- the province hub (deploy/kiosk-hub.service) --------------------------------------------------

def unit_environment(unit: dict) -> dict[str, str]:
    """Environment= assignments in order (later ones win), as systemd sets them (no quoting used)."""
    env: dict[str, str] = {}
    for line in unit["Service"].get("Environment", []):
        for assignment in line.split():
            key, _, value = assignment.partition("=")
            env[key] = value
    return env


def expand_exec_start(command: str, env: dict[str, str]) -> list[str]:
    """systemd.service(5) "Command lines": ${VAR} is replaced within its word; $VAR alone as a
    word is split at whitespace into zero or more words (so an empty KIOSK_HUB_OPTIONS adds none)."""
    argv: list[str] = []
    for word in shlex.split(command):
        alone = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if alone:
            argv += env.get(alone.group(1), "").split()
        else:
            argv.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env.get(m.group(1), ""), word))
    return argv


# What a province writes into /etc/kiosk-hub/hub.env (docs/fleet.md): peer authentication over
# PostgreSQL's local socket, so no password anywhere.
HUB_ENV_FILE = {"KIOSK_HUB_DATABASE": "postgresql:///kiosk_hub?host=/var/run/postgresql"}


def test_hub_service_contract():
    u = parse_unit(HUB_UNIT)
    s = {k: v[-1] for k, v in u["Service"].items()}
    assert s["User"] == "kiosk-hub" and s["Group"] == "kiosk-hub"  # its own user: not the kiosk's data
    for key in ("After", "Wants"):
        assert "postgresql.service" in one(u, "Unit", key).split(), key
    # PostgreSQL not accepting connections yet → exit 1 → retried for ever, never left failed.
    assert s["Restart"] == "always" and s["RestartSec"] == "5s"
    assert one(u, "Unit", "StartLimitIntervalSec") == "0"
    assert s["StateDirectory"] == "kiosk-hub" and s["ReadWritePaths"] == HUB_STATE
    env = unit_environment(u)
    assert env["KIOSK_HUB_KEYS"] == f"{HUB_STATE}/keys" and env["KIOSK_HUB_BUNDLES"] == f"{HUB_STATE}/bundles"
    # The database URL (it may hold a password) comes only from the root-owned env file.
    assert "KIOSK_HUB_DATABASE" not in env
    assert s["EnvironmentFile"] == "/etc/kiosk-hub/hub.env"
    for key, value in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                       ("PrivateTmp", "yes"), ("PrivateDevices", "yes"), ("CapabilityBoundingSet", ""),
                       ("SystemCallFilter", "@system-service")):
        assert s[key] == value, key
    assert "AF_UNIX" in s["RestrictAddressFamilies"].split()  # PostgreSQL's local socket
    assert one(u, "Install", "WantedBy") == "multi-user.target"
    docs = (REPO / "docs" / "fleet.md").read_text(encoding="utf-8")
    assert s["EnvironmentFile"] in docs and "systemctl enable --now kiosk-hub" in docs


def test_hub_exec_start_is_the_real_cli_command(monkeypatch, capsys):
    """The expanded ExecStart parses with the real `kiosk` parser into `kiosk hub` (serve), and
    the settings it yields point where the unit lets it write."""
    from kiosk.cli import build_parser
    from kiosk.commands import hub

    u = parse_unit(HUB_UNIT)
    env = {**unit_environment(u), **HUB_ENV_FILE}  # EnvironmentFile= overrides Environment=
    argv = expand_exec_start(one(u, "Service", "ExecStart"), env)
    assert argv == ["/opt/kiosk/venv/bin/kiosk", "hub", "--host", "127.0.0.1", "--port", "8090"]
    for key, value in env.items():  # the CLI reads --database/--keys/--bundles defaults from these
        if key.startswith("KIOSK_HUB_"):
            monkeypatch.setenv(key, value)
    args = build_parser().parse_args(argv[1:])
    assert args.command == "hub" and args.hub_command is None and args.handler is hub.serve
    assert (args.host, args.port, args.secure_cookies) == ("127.0.0.1", 8090, False)
    settings = hub._settings(args)
    assert settings.database_url == HUB_ENV_FILE["KIOSK_HUB_DATABASE"]
    assert settings.keys_dir == Path(HUB_STATE, "keys") and settings.bundles_dir == Path(HUB_STATE, "bundles")

    # hub.env may move it behind HTTPS or onto the province network, as docs/fleet.md says.
    behind_tls = {**env, "KIOSK_HUB_HOST": "0.0.0.0", "KIOSK_HUB_PORT": "8443", "KIOSK_HUB_OPTIONS": "--secure-cookies"}
    args = build_parser().parse_args(expand_exec_start(one(u, "Service", "ExecStart"), behind_tls)[1:])
    assert (args.host, args.port, args.secure_cookies) == ("0.0.0.0", 8443, True)
    assert hub._settings(args).secure_cookies

    # Not vacuous: an option `kiosk hub` lacks is refused by the same parser.
    with pytest.raises(SystemExit):
        build_parser().parse_args(["hub", "--bind=0.0.0.0"])
    assert "--bind" in capsys.readouterr().err


def _hub_process_env(tmp_path: Path, **extra: str) -> tuple[list[str], dict[str, str]]:
    """The unit's expanded command and environment, run from this checkout: /var/lib/kiosk-hub
    (StateDirectory) becomes a temporary directory, /opt/kiosk/venv/bin/kiosk this interpreter's
    `-m kiosk` (the checkout's code, not an installed copy)."""
    u = parse_unit(HUB_UNIT)
    state = tmp_path / "var-lib-kiosk-hub"
    state.mkdir(exist_ok=True)
    unit_env = {k: v.replace(HUB_STATE, str(state)) for k, v in unit_environment(u).items()}
    unit_env.update(extra)
    argv = expand_exec_start(one(u, "Service", "ExecStart"), unit_env)
    assert argv[0] == "/opt/kiosk/venv/bin/kiosk"
    base = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}  # nothing from the caller's setup
    return [sys.executable, "-m", "kiosk", *argv[1:]], {**base, **unit_env}


@pytest.mark.slow
def test_hub_service_command_without_database_exits_with_one_line(tmp_path):
    """A hub.env without the URL, or PostgreSQL not up yet: exit 1 with one line in the journal,
    so Restart=always retries — never a traceback."""
    from hub_fixtures import _free_port

    argv, env = _hub_process_env(tmp_path)
    r = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and r.stderr.startswith("Lỗi: thiếu --database (hoặc KIOSK_HUB_DATABASE)"), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    env["KIOSK_HUB_DATABASE"] = f"postgresql://kiosk-hub@127.0.0.1:{_free_port()}/kiosk_hub"  # nothing listens
    r = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and r.stderr.startswith("Lỗi: ") and "PostgreSQL" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


@pytest.mark.slow
def test_hub_service_command_serves_signed_bundles(pg_url, pg_server, tmp_path, mini_content):
    """The unit's exact command line and environment against a real PostgreSQL, reached over its
    local socket with a `?host=DIR` URL as in docs/fleet.md's hub.env: after `kiosk hub init` it
    serves a bundle that verifies with the key init made, and stops cleanly on systemd's SIGTERM
    within TimeoutStopSec."""
    import signal
    import urllib.request

    import psycopg
    from hub_fixtures import _free_port, wait_port

    from knowledge.bundle import load_public_key, verify_envelope

    with psycopg.connect(pg_url) as c:
        row = c.execute("SHOW unix_socket_directories").fetchone()
    assert row is not None
    socket_dir = row[0].split(",")[0].strip()
    dbname = pg_url.rsplit("/", 1)[1]
    url = f"postgresql://{pg_server.user}@/{dbname}?host={socket_dir}&port={pg_server.port}"
    port = _free_port()
    argv, env = _hub_process_env(tmp_path, KIOSK_HUB_DATABASE=url, KIOSK_HUB_PORT=str(port))

    init = subprocess.run([*argv[:3], "hub", "init", "--content", str(mini_content), "--province", "79"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    keys = Path(env["KIOSK_HUB_KEYS"])
    assert oct((keys / "province.key").stat().st_mode & 0o777) == "0o600"

    proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_port("127.0.0.1", port)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/bundles/latest.json", timeout=10) as resp:
            manifest = verify_envelope(resp.read(), load_public_key(keys / "province.pub"))
        assert manifest.version == 1 and manifest.province == "79"
        assert (Path(env["KIOSK_HUB_BUNDLES"]) / "1" / manifest.content_file).is_file()
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)  # what `systemctl stop` sends (KillSignal= default)
        _, err = proc.communicate(timeout=15)  # TimeoutStopSec=15
        # uvicorn (≥ 0.29) shuts down gracefully, then re-raises the signal it caught, so the process
        # ends "killed by SIGTERM" — which systemd counts as a clean exit (systemd.service(5),
        # SuccessExitStatus=): `systemctl stop` leaves the unit inactive, not failed.
        assert proc.returncode in (0, -signal.SIGTERM), err
        assert time.monotonic() - started < 15
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
