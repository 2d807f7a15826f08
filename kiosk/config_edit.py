"""Change one key of a kiosk.toml in place, keeping everything else (comments too).

Used by ``kiosk models install|use`` to point ``[asr] model_dir`` at a model. The new
file is written next to the old one, checked with ``load_config`` (a result the kiosk
could not start with is never written), then renamed over it with the same mode and
owner: a power cut leaves the old file or the new one, never half of each.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from kiosk.config import ConfigError, load_config


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def set_key(text: str, section: str, key: str, value: str | None) -> str:
    """``text`` with ``key`` in ``[section]`` set to the string ``value`` (None removes it).

    An existing line is replaced; else a commented example line ``# key = …`` is
    replaced; else the key is added under the section header (the section is added at
    the end if missing).
    """
    lines = text.splitlines()
    current = None
    start = None
    found = None
    commented = None
    for i, line in enumerate(lines):
        m = re.match(r"\s*\[([^\]]+)\]\s*(#.*)?$", line)
        if m:
            if current == section:
                break
            current = m.group(1).strip()
            if current == section:
                start = i
            continue
        if current == section:
            if found is None and re.match(rf"\s*{re.escape(key)}\s*=", line):
                found = i
            elif commented is None and re.match(rf"\s*#\s*{re.escape(key)}\s*=", line):
                commented = i
    if value is None:
        if found is not None:
            del lines[found]
        return "\n".join(lines) + "\n"
    new = f"{key} = {_toml_string(value)}"
    if found is not None:
        lines[found] = new
    elif commented is not None:
        lines[commented] = new
    elif start is not None:
        lines.insert(start + 1, new)
    else:
        if lines and lines[-1].strip():
            lines.append("")
        lines += [f"[{section}]", new]
    return "\n".join(lines) + "\n"


def write_key(path: Path, section: str, key: str, value: str | None) -> bool:
    """Set ``key`` in ``path`` atomically. Returns False when the file already says so."""
    path = Path(path)
    try:
        old = path.read_text(encoding="utf-8")
        st = path.stat()
    except OSError as exc:
        raise ConfigError(f"không đọc được tệp cấu hình / cannot read {path}: {exc.strerror}") from None
    new = set_key(old, section, key, value)
    if new == old:
        return False
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(new)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, st.st_mode & 0o7777)
        if os.geteuid() == 0:
            os.chown(tmp, st.st_uid, st.st_gid)
        load_config(tmp, environ={})  # never write a file the kiosk would refuse
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return True
