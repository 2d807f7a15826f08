"""One configuration object, built once at the edge (file → env → CLI) and passed down.

Order of precedence: defaults < TOML file < ``KIOSK_<SECTION>_<KEY>`` environment
variables < command-line overrides. Unknown keys are an error with a suggestion, so
a typo in ``kiosk.toml`` is reported instead of silently ignored.
"""
from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

# Each package owns its settings; the configuration composes them (and re-exports them,
# so `from kiosk.config import PrinterConfig` keeps working).
from knowledge.params import MatchConfig
from printing.settings import PrinterConfig
from speech.settings import AsrConfig, AudioConfig, TtsConfig

__all__ = ["AdminConfig", "AsrConfig", "AudioConfig", "Config", "ConfigError", "MatchConfig", "PathsConfig",
           "PrinterConfig", "PrivacyConfig", "TtsConfig", "UiConfig", "load_config"]

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG_PATHS = (Path("/etc/kiosk/kiosk.toml"),)


class ConfigError(Exception):
    """Bad configuration: the message names the file/variable and the key."""


def _data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ward-kiosk"


def _cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ward-kiosk"


@dataclass(frozen=True)
class PathsConfig:
    content_dir: Path = REPO_ROOT / "assets" / "content"
    """Human-editable content source (YAML/CSV)."""
    data_dir: Path = field(default_factory=_data_home)
    """Where the content database and the question log live."""
    cache_dir: Path = field(default_factory=_cache_home)
    """Where prepared models (the joined Whisper base) are kept."""

    @property
    def db_path(self) -> Path:
        return self.data_dir / "kiosk.db"


@dataclass(frozen=True)
class UiConfig:
    fullscreen: bool = False
    size: str = "1920x1080"
    font_scale: float = 1.0
    high_contrast: bool = False
    idle_timeout_s: int = 60
    idle_warning_s: int = 15
    staff_pin: str = "2468"
    auto_speak: bool = True


@dataclass(frozen=True)
class AdminConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    secure_cookies: bool = False
    """Mark session cookies Secure (only when the admin is served over HTTPS)."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses of a reverse proxy whose X-Forwarded-For the login limiter believes
    (list in kiosk.toml, comma-separated in KIOSK_ADMIN_TRUSTED_PROXIES); default none."""


@dataclass(frozen=True)
class PrivacyConfig:
    question_log_days: int = 180
    """Question-log rows older than this are deleted."""


@dataclass(frozen=True)
class FleetConfig:
    """Following a province content hub (docs/fleet.md, "Ward kiosks"). Empty hub_url = no hub:
    the kiosk works exactly as a single ward on its own."""

    hub_url: str = ""
    """Base address of the province hub (or any static server holding its bundles/), e.g.
    https://hub.tinh.gov.vn; bundles are read from <hub_url>/bundles/."""
    public_key: str = ""
    """The province's Ed25519 public key: a path to province.pub, or the PEM text itself."""
    ward_code: str = ""
    """The ward's national administrative code (e.g. 26734), sent with the statistics."""
    kiosk_id: str = ""
    """This kiosk's name within the ward (e.g. kiosk-1); empty = the machine's host name."""
    stats_token: str = ""
    """The ward's token issued by the hub (`kiosk hub add-ward`); sent as Bearer."""
    poll_seconds: int = 300
    """How often `kiosk sync` asks for latest.json (a 304 answer is ~200 bytes)."""
    send_stats: bool = True
    """Send the daily question statistics (aggregates, no personal data) to the hub."""

    @property
    def enabled(self) -> bool:
        return bool(self.hub_url.strip())


@dataclass(frozen=True)
class Config:
    paths: PathsConfig = field(default_factory=PathsConfig)
    asr: AsrConfig = field(default_factory=AsrConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    tts: TtsConfig = field(default_factory=TtsConfig)
    printer: PrinterConfig = field(default_factory=PrinterConfig)
    ui: UiConfig = field(default_factory=UiConfig)
    match: MatchConfig = field(default_factory=MatchConfig)
    admin: AdminConfig = field(default_factory=AdminConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    fleet: FleetConfig = field(default_factory=FleetConfig)
    source: str | None = None
    """The config file that was read, if any."""


def _coerce(value: Any, typ: Any, where: str) -> Any:
    # Field types are strings here (postponed annotations): "int", "Path | None"…
    t = str(typ)
    try:
        if value is None:
            return None
        if t.startswith("tuple[str"):
            items = value if isinstance(value, (list, tuple)) else str(value).split(",")
            return tuple(str(x).strip() for x in items if str(x).strip())
        if "Path" in t:
            return Path(str(value)).expanduser()
        if t.startswith("bool"):
            if isinstance(value, bool):
                return value
            s = str(value).strip().lower()
            if s in {"1", "true", "yes", "on"}:
                return True
            if s in {"0", "false", "no", "off"}:
                return False
            raise ValueError(value)
        if t.startswith("int"):
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        if t.startswith("float"):
            return float(value)
        if value == "" and "None" in t:
            return None
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: giá trị không hợp lệ / invalid value {value!r} (expected {t})") from None


def _section_fields(cls: type) -> dict[str, dataclasses.Field]:
    return {f.name: f for f in fields(cls)}


def _apply(base: Config, updates: Mapping[str, Mapping[str, Any]], where: str) -> Config:
    sections = {f.name: f for f in fields(Config) if f.name != "source"}
    out = base
    for sec_name, values in updates.items():
        if sec_name not in sections:
            hint = difflib.get_close_matches(sec_name, sections, n=1)
            raise ConfigError(
                f"{where}: mục không biết / unknown section [{sec_name}]"
                + (f" — ý bạn là [{hint[0]}]?" if hint else "")
            )
        if not isinstance(values, Mapping):
            raise ConfigError(f"{where}: [{sec_name}] phải là một bảng / must be a table")
        section = getattr(out, sec_name)
        known = _section_fields(type(section))
        changes = {}
        for key, value in values.items():
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1)
                raise ConfigError(
                    f"{where}: khóa không biết / unknown key {sec_name}.{key}"
                    + (f" — ý bạn là {sec_name}.{hint[0]}?" if hint else "")
                )
            changes[key] = _coerce(value, known[key].type, f"{where}: {sec_name}.{key}")
        out = dataclasses.replace(out, **{sec_name: dataclasses.replace(section, **changes)})
    return out


def _env_updates(environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    sections = [f.name for f in fields(Config) if f.name != "source"]
    updates: dict[str, dict[str, str]] = {}
    for name, value in environ.items():
        if not name.startswith("KIOSK_") or name == "KIOSK_CONFIG":
            continue
        rest = name[len("KIOSK_"):].lower()
        for sec in sections:
            if rest.startswith(sec + "_"):
                updates.setdefault(sec, {})[rest[len(sec) + 1:]] = value
                break
    return updates


def load_config(
    path: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Config:
    """Build the configuration once. ``path`` None → $KIOSK_CONFIG → /etc/kiosk/kiosk.toml."""
    environ = os.environ if environ is None else environ
    cfg = Config()
    chosen: Path | None = None
    if path is not None:
        chosen = Path(path)
        if not chosen.is_file():
            raise ConfigError(f"không tìm thấy tệp cấu hình / config file not found: {chosen}")
    elif environ.get("KIOSK_CONFIG"):
        chosen = Path(environ["KIOSK_CONFIG"])
        if not chosen.is_file():
            raise ConfigError(f"KIOSK_CONFIG trỏ tới tệp không có / points to a missing file: {chosen}")
    else:
        chosen = next((p for p in DEFAULT_CONFIG_PATHS if p.is_file()), None)
    if chosen is not None:
        try:
            data = tomllib.loads(chosen.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{chosen}: tệp cấu hình sai cú pháp / invalid TOML: {exc}") from None
        cfg = _apply(cfg, data, str(chosen))
        cfg = dataclasses.replace(cfg, source=str(chosen))
    env = _env_updates(environ)
    if env:
        cfg = _apply(cfg, env, "environment KIOSK_*")
    if overrides:
        cfg = _apply(cfg, {k: v for k, v in overrides.items() if v}, "command line")
    return cfg
