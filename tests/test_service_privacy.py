"""Privacy: a spoken question leaves no audio anywhere on disk, and the question log holds no audio.

`kiosk ask --audio FILE` runs with its own HOME, TMPDIR and data dir (and the real model
cache); afterwards every place it could write is searched for new files, and — where
strace is available — every file the process opened for writing is listed. The
environment is the one kiosk.service sets (ORT_DISABLE_TELEMETRY=1 …).
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import PathsConfig

REPO = Path(__file__).resolve().parents[1]
AUDIO_SUFFIXES = {".wav", ".wave", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".webm", ".m4a", ".aac", ".raw",
                  ".pcm", ".au", ".aiff", ".npy"}
AUDIO_MAGIC = (b"RIFF", b"fLaC", b"OggS", b"ID3", b"\xff\xfb", b"FORM", b".snd", b"\x93NUMPY")
SERVICE_ENV = {"ORT_DISABLE_TELEMETRY": "1", "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
               "DO_NOT_TRACK": "1"}
# Written by the trace: O_WRONLY / O_RDWR / O_CREAT opens, renames and links.
WRITE_CALL = re.compile(r'(?:open|openat|creat)\((?:[^,]+, )?"([^"]+)", [^)]*(?:O_WRONLY|O_RDWR|O_CREAT)[^)]*\)\s*=\s*\d'
                        r'|(?:rename|renameat2?|link|linkat)\([^"]*"[^"]+",[^"]*"([^"]+)"')


def is_audio(path: Path) -> bool:
    if path.suffix.lower() in AUDIO_SUFFIXES:
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    return head.startswith(AUDIO_MAGIC) or head[8:12] == b"WAVE"


def files_under(*roots: Path) -> dict[Path, int]:
    out = {}
    for root in roots:
        if not root.exists():
            continue
        for dirpath, _, names in os.walk(root):
            for n in names:
                p = Path(dirpath) / n
                try:
                    out[p] = p.stat().st_mtime_ns
                except OSError:
                    pass
    return out


@pytest.fixture(scope="module")
def question_wav(tmp_path_factory) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng missing")
    wav = tmp_path_factory.mktemp("input") / "question.wav"
    subprocess.run(["espeak-ng", "-v", "vi", "-w", str(wav), "cho em hỏi đăng ký kết hôn cần giấy tờ gì"], check=True,
                   timeout=60)
    return wav


def run_ask_audio(tmp_path: Path, wav: Path, extra_env: dict[str, str], *, trace: bool):
    home, tmp, data = tmp_path / "home", tmp_path / "tmp", tmp_path / "data"
    for d in (home, tmp):
        d.mkdir()
    cache = PathsConfig().cache_dir  # the prepared Whisper model (read only here)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "XDG_"))}
    env.update(HOME=str(home), TMPDIR=str(tmp), PYTHONDONTWRITEBYTECODE="1", KIOSK_PATHS_DATA_DIR=str(data),
               KIOSK_PATHS_CACHE_DIR=str(cache), KIOSK_ASR_BEAM_SIZE="1", **extra_env)
    watched = [home, tmp, data, cache, Path("/dev/shm"), Path("/var/tmp")]
    before = files_under(*watched)
    cmd = [sys.executable, "-m", "kiosk", "ask", "--json", "--audio", str(wav)]
    trace_file = tmp_path / "trace.txt"
    if trace:
        cmd = ["strace", "-f", "-qq", "-e", "trace=open,openat,creat,rename,renameat,renameat2,link,linkat",
               "-e", "signal=none", "-o", str(trace_file), *cmd]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert r.returncode == 0, r.stderr
    after = files_under(*watched)
    new = {p for p, m in after.items() if before.get(p) != m}
    written: set[str] = set()
    if trace:
        for line in trace_file.read_text(errors="replace").splitlines():
            m = WRITE_CALL.search(line)
            if m and "ENOENT" not in line:
                written.add(m.group(1) or m.group(2))
    return r, new, written, {"home": home, "tmp": tmp, "data": data}


def strace_works() -> bool:
    if shutil.which("strace") is None:
        return False
    return subprocess.run(["strace", "-qq", "-o", "/dev/null", "true"], capture_output=True).returncode == 0


def test_a_spoken_question_leaves_no_audio_on_disk(tmp_path, question_wav):
    trace = strace_works()
    r, new, written, dirs = run_ask_audio(tmp_path, question_wav, SERVICE_ENV, trace=trace)
    # Nothing new anywhere but the database (and POSIX semaphores in /dev/shm).
    unexpected = {p for p in new if not (p.is_relative_to(dirs["data"]) and p.name.startswith("kiosk.db"))
                  and not p.name.startswith("sem.")}
    assert not unexpected, sorted(map(str, unexpected))
    assert not [p for p in new if p.exists() and is_audio(p)]
    assert not any(Path(dirs["home"]).iterdir()) and not any(Path(dirs["tmp"]).iterdir())
    if trace:
        assert str(dirs["data"] / "kiosk.db") in written, written  # the trace does see writes
        audio_writes = [w for w in written if Path(w).suffix.lower() in AUDIO_SUFFIXES]
        assert not audio_writes, audio_writes
        allowed = (str(dirs["data"] / "kiosk.db"), "/dev/shm/", "/dev/null", "/dev/tty", "pipe:")
        outside = sorted(w for w in written if not w.startswith(allowed))
        assert not outside, outside  # the only file written is the database
    # …and the database holds no audio: no BLOB anywhere, no RIFF header in any text.
    con = sqlite3.connect(dirs["data"] / "kiosk.db")
    try:
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            cols = [c[1] for c in con.execute(f"PRAGMA table_info([{table}])")]
            for col in cols:
                blobs = con.execute(f"SELECT count(*) FROM [{table}] WHERE typeof([{col}]) = 'blob'").fetchone()[0]
                assert blobs == 0, (table, col)
        assert con.execute("SELECT count(*) FROM question_log WHERE channel = 'voice'").fetchone()[0] == 1
    finally:
        con.close()


def test_no_files_outside_the_data_dir_even_without_the_service_env(tmp_path, question_wav):
    r, new, written, dirs = run_ask_audio(tmp_path, question_wav, {}, trace=False)
    outside = {p for p in new if not p.is_relative_to(dirs["data"]) and not p.name.startswith("sem.")}
    assert not outside, sorted(map(str, outside))


def test_the_question_log_keeps_no_names(tmp_path):
    from knowledge.model import Decision
    from knowledge.qlog import log_question
    from knowledge.store import open_db

    db = open_db(tmp_path / "kiosk.db")
    log_question(db, "cho em hỏi làm khai sinh cho bé Nguyễn Văn An, số 0903123456", Decision.NONE, [])
    row = next(iter(db["question_log"].rows))
    stored = f"{row['query']} {row['normalized']}".lower()
    assert "0903123456" not in stored  # numbers are masked already
    assert "nguyễn văn an" not in stored and "nguyen van an" not in stored
