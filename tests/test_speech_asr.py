"""Speech recognition: real Whisper base inference on espeak-ng Vietnamese, guards,
audio decoding, and the ``kiosk transcribe`` command."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from speech_fixtures import (
    closest,
    fold,
    make_config,
    similarity,
    write_toml,
)

from kiosk.cli import main
from speech.asr import (
    SAMPLE_RATE,
    GuardThresholds,
    Segment,
    Transcript,
    build_hotwords,
    collapse_repeats,
    filter_segments,
    is_junk,
    load_audio,
    to_mono_16k,
)
from speech.errors import InvalidAudio

REPO = Path(__file__).resolve().parents[1]
# Real recordings beside the repository (a fresh user clone has none: tests skip).
SHARED_AUDIO = Path(os.environ.get("KIOSK_SHARED_AUDIO") or REPO.parent / "shared" / "audio")

# ------------------------------------------------------------ pure logic


def seg(text, nsp=0.1, lp=-0.3, cr=1.2):
    return Segment(0.0, 1.0, text, nsp, lp, cr)


@pytest.mark.parametrize(
    "text",
    [
        "Hãy subscribe cho kênh Ghiền Mì Gõ Để không bỏ lỡ những video hấp dẫn",
        "hãy subscribe cho kênh Ghiền Mình Để không bỏ lỡ những video hấp dẫn",
        "Cảm ơn các bạn đã theo dõi.",
        "Cảm ơn các bạn đã theo dõi và hẹn gặp lại.",
        "Ghiền Mì Gõ",
        "Hẹn gặp lại các bạn trong những video tiếp theo",
        "Subtitles by the Amara.org community",
    ],
)
def test_known_hallucinations_are_dropped(text):
    kept, dropped = filter_segments([seg(text)], GuardThresholds())
    assert kept == [] and dropped
    assert is_junk(text) or text.lower().startswith("ghiền")


def test_real_words_glued_to_junk_are_kept():
    kept, _ = filter_segments([seg("tôi muốn làm căn cước công dân cảm ơn các bạn đã theo dõi")], GuardThresholds())
    assert [s.text for s in kept] == ["tôi muốn làm căn cước công dân"]


def test_normal_question_is_kept_nfc():
    nfd = "Tôi muốn đăng ký khai sinh".encode()
    import unicodedata

    text = unicodedata.normalize("NFD", nfd.decode())
    kept, dropped = filter_segments([seg(text)], GuardThresholds())
    assert kept[0].text == unicodedata.normalize("NFC", text) and not dropped


@pytest.mark.parametrize(
    "segment, reason",
    [
        (seg("xin chào", nsp=0.9, lp=-1.2), "no speech"),
        (seg("xin chào", lp=-2.0), "low confidence"),
        (seg("mơ " * 40, cr=3.5), "repetition"),
        (seg("4.3.3.4.4.5.4.5.4.5.4.5.5.5"), "no words"),
        (seg("   "), "empty"),
    ],
)
def test_guards_drop_implausible_segments(segment, reason):
    kept, _ = filter_segments([segment], GuardThresholds())
    assert kept == [], reason


def test_high_no_speech_alone_is_not_enough():
    # Whisper's own rule: no_speech_prob AND low log-probability.
    kept, _ = filter_segments([seg("khai sinh", nsp=0.9, lp=-0.5)], GuardThresholds())
    assert [s.text for s in kept] == ["khai sinh"]


def test_collapse_repeats():
    assert collapse_repeats("nó hô sơ mơ mơ mơ mơ mơ") == "nó hô sơ mơ mơ"
    assert collapse_repeats("đi đi") == "đi đi"
    assert collapse_repeats("cảm ơn cảm ơn") == "cảm ơn cảm ơn"
    # Word-group loops (real base output on a FOSD clip).
    assert collapse_repeats("không có chiếc, không có chiếc, không có chiếc cây cực") == "không có chiếc, không có chiếc, cây cực"
    assert collapse_repeats("kỳ dụng khi dụng khi dụng khi dụng khi dụng khi") == "kỳ dụng khi dụng khi"


def test_spoken_clips_get_relaxed_guards():
    """When the VAD heard speech, a doubtful segment is kept (with its confidence for
    the matcher) instead of leaving a citizen who spoke with "không nghe rõ"; loops are
    cut, not dropped; junk phrases and garbage stay out."""
    g = GuardThresholds()
    doubtful = seg("Chính phủ Mỹ đóng", nsp=0.7, lp=-1.2)
    weak = seg("Cô ta ninh nổi lúc miếch", lp=-1.6)
    loop = seg("Cảm ơn kỳ dụng khi dụng khi dụng khi dụng khi dụng khi", cr=2.9)
    for s in (doubtful, weak, loop):
        assert filter_segments([s], g)[0] == []
    kept, _ = filter_segments([doubtful, weak, loop], g, spoken=True)
    assert [k.text for k in kept] == ["Chính phủ Mỹ đóng", "Cô ta ninh nổi lúc miếch", "Cảm ơn kỳ dụng khi dụng khi"]
    assert kept[0].avg_logprob == -1.2 and kept[0].no_speech_prob == 0.7
    for junk in (seg("Cảm ơn các bạn đã theo dõi"), seg("xin chào", lp=-3.0), seg("4.3.3.4.4.5.4.5.4.5")):
        assert filter_segments([junk], g, spoken=True)[0] == []


def test_build_hotwords():
    phrases = ["Đăng ký khai sinh", "đăng ký khai sinh", "  Cấp CCCD ", "", "Chứng thực bản sao"]
    assert build_hotwords(phrases) == "Đăng ký khai sinh, Cấp CCCD, Chứng thực bản sao"
    assert build_hotwords([]) is None
    long = [f"thủ tục số {i}" for i in range(100)]
    assert len(build_hotwords(long, max_chars=60)) <= 60


def test_to_mono_16k_shapes_and_types():
    stereo = np.stack([np.full(8000, 1000, np.int16), np.full(8000, -1000, np.int16)], axis=1)
    out = to_mono_16k(stereo, 8000)
    assert out.dtype == np.float32 and out.shape == (16000,) and np.allclose(out, 0)
    tone = (np.sin(np.arange(48000) / 10) * 0.5).astype(np.float64)
    assert to_mono_16k(tone, 48000).shape == (16000,)
    assert to_mono_16k(np.zeros(0)).size == 0
    with pytest.raises(InvalidAudio):
        to_mono_16k(np.zeros((2, 2, 2)))


def test_transcript_json_shape():
    t = Transcript("xin chào", "vi", 1.23456, (Segment(0.0, 1.2, "xin chào"),), 0.5)
    assert t.to_dict() == {
        "text": "xin chào",
        "language": "vi",
        "duration": 1.235,
        "segments": [{"start": 0.0, "end": 1.2, "text": "xin chào"}],
        "elapsed": 0.5,
    }
    assert bool(t) and not Transcript("", "vi", 1.0)


# ------------------------------------------------------- audio decoding


def test_corrupt_and_empty_files_raise_invalid_audio(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.wav"
    junk.write_bytes(os.urandom(4000))
    text = tmp_path / "notes.wav"
    text.write_text("đây không phải âm thanh")
    for path in (empty, junk, text, tmp_path / "missing.wav"):
        with pytest.raises(InvalidAudio) as err:
            load_audio(path)
        assert str(path) in str(err.value)


def _write(path: Path, samples: np.ndarray, rate: int, channels: int = 1) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return path


def test_header_only_wav_is_empty_not_an_error(tmp_path, transcriber):
    path = _write(tmp_path / "none.wav", np.zeros(0, np.int16), 16000)
    t = transcriber.transcribe(path)
    assert t.text == "" and t.duration == 0


# ------------------------------------------------------- real inference


@pytest.fixture(scope="module")
def results(transcriber, espeak_questions):
    return [(clip, transcriber.transcribe(clip.path)) for clip in espeak_questions]


def test_espeak_questions_are_recognised(results):
    """Whisper base on espeak-ng's crude Vietnamese: most transcripts must be closer
    to their own question than to any other one, and roughly similar to it."""
    report = []
    right = 0
    for clip, t in results:
        sim = similarity(t.text, clip.text)
        ok = closest(t.text) == clip.text
        right += ok
        report.append(f"{'OK ' if ok else 'BAD'} {sim:.2f} {clip.text!r} → {t.text!r}")
    print("\n".join(report))
    assert right >= len(results) * 2 // 3, "\n".join(report)
    mean = sum(similarity(t.text, c.text) for c, t in results) / len(results)
    assert mean >= 0.35, "\n".join(report)


def test_transcripts_are_well_formed(results):
    for clip, t in results:
        assert t.language == "vi"
        assert abs(t.duration - _duration(clip.path)) < 0.05
        assert t.text == " ".join(s.text for s in t.segments)
        for s in t.segments:
            assert 0 <= s.start <= s.end <= t.duration + 0.5
        assert 0 < t.elapsed < 20


def _duration(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def test_8khz_stereo_file_and_array_inputs(tmp_path, transcriber, espeak_questions, results):
    clip = espeak_questions[5]
    ref = dict((c.path, t) for c, t in results)[clip.path].text
    low = tmp_path / "8k-stereo.wav"
    subprocess.run(["sox", "-G", str(clip.path), "-r", "8000", "-c", "2", str(low)], check=True)
    t_file = transcriber.transcribe(low)
    assert abs(t_file.duration - _duration(clip.path)) < 0.05
    assert similarity(t_file.text, clip.text) >= 0.3, t_file.text
    # numpy arrays: int16 stereo at 8 kHz, float mono at 16 kHz
    with wave.open(str(low)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)
    t_arr = transcriber.transcribe(pcm, sample_rate=8000)
    assert similarity(t_arr.text, clip.text) >= 0.3, t_arr.text
    t_float = transcriber.transcribe(load_audio(clip.path))
    assert t_float.text == ref


def test_silence_and_noise_give_empty_text(transcriber):
    rng = np.random.default_rng(1)
    silence = np.zeros(16000 * 3, np.float32)
    hum = (0.05 * np.sin(2 * np.pi * 50 * np.arange(16000 * 3) / 16000)).astype(np.float32)
    white = (rng.standard_normal(16000 * 3) * 0.05).astype(np.float32)
    quiet = (rng.standard_normal(16000 * 3) * 0.002).astype(np.float32)
    for name, audio in (("silence", silence), ("hum", hum), ("white noise", white), ("quiet noise", quiet)):
        t = transcriber.transcribe(audio)
        assert t.text == "", f"{name}: {t.text!r}"
        assert t.duration == pytest.approx(3.0)


def test_hotwords_are_accepted(transcriber, espeak_questions):
    clip = espeak_questions[2]
    t = transcriber.transcribe(clip.path, hotwords="xác nhận tình trạng hôn nhân, khai sinh, khai tử")
    assert similarity(t.text, clip.text) >= 0.3, t.text


def test_warm_runs_again_without_error(transcriber):
    # warm() at start-up must be repeatable (the app may re-warm after a model switch);
    # timing is in bench/asr_latency.py, not here: a busy CI machine makes it noisy.
    assert transcriber.warm() is None


def shared_clips() -> list[tuple[Path, str]]:
    """The real recordings (WAV + same-named .txt transcript), sorted by name."""
    if not SHARED_AUDIO.is_dir():
        pytest.skip(f"no recorded clips: {SHARED_AUDIO} is absent (set KIOSK_SHARED_AUDIO to point elsewhere)")
    clips = [(p, p.with_suffix(".txt").read_text(encoding="utf-8").strip())
             for p in sorted(SHARED_AUDIO.glob("*.wav")) if p.with_suffix(".txt").is_file()]
    if not clips:
        pytest.skip(f"no WAV+TXT pairs in {SHARED_AUDIO}")
    return clips


def clearly_spoken(samples: np.ndarray) -> bool:
    """A clip a listener hears clearly: at least 1 s long, its loud frames (90th
    percentile of 20 ms RMS) at −35 dBFS or more and 15 dB or more above its quiet
    frames (10th percentile, the room). 93 of the 100 shared clips pass; the 7 that
    do not are speech from start to end over a hiss 4–13 dB below it."""
    if samples.size < SAMPLE_RATE:
        return False
    frames = samples[: samples.size // 320 * 320].reshape(-1, 320)
    db = 10 * np.log10((frames.astype(np.float64) ** 2).mean(axis=1) + 1e-12)
    loud, quiet = np.percentile(db, 90), np.percentile(db, 10)
    return bool(loud >= -35 and loud - quiet >= 15)


def word_errors(hyp: str, ref: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(fold(ref), fold(hyp))


@pytest.fixture(scope="module")
def shared_results(transcriber):
    """The shipped recogniser on all 100 shared clips (~50 s on 2 cores)."""
    return [(wav, ref, load_audio(wav), transcriber.transcribe(wav)) for wav, ref in shared_clips()]


@pytest.mark.slow
def test_shared_recorded_clips(shared_results):
    """Real human Vietnamese (FOSD, ../shared/audio): the shipped recogniser must not
    get worse than measured. Measured 2026-12-02 (base int8, beam 5, window 10 s,
    2 cores), bench/asr_wer.py: mean syllable similarity 0.358, WER 61.7 %
    (854 / 1,383 words) with the old guards; 0.372 / 60.9 % with the relaxed guards
    for spoken clips. Floors keep ~0.07 / ~7 points of margin for decoding noise
    (every decoding setting tried stayed within about a point, docs/speech.md)."""
    sims = [similarity(t.text, ref) for _, ref, _, t in shared_results]
    errors = sum(word_errors(t.text, ref) for _, ref, _, t in shared_results)
    total = sum(len(fold(ref)) for _, ref, _, _ in shared_results)
    report = "\n".join(f"{similarity(t.text, ref):.2f} {wav.name}: {ref!r} → {t.text!r}" for wav, ref, _, t in shared_results)
    mean = sum(sims) / len(sims)
    print(f"mean similarity {mean:.3f}, WER {100 * errors / total:.1f} % over {len(sims)} clips")
    assert mean >= 0.30, report
    assert errors / total <= 0.68, report


@pytest.mark.slow
def test_clearly_spoken_shared_clips_are_not_empty(shared_results):
    """A citizen who speaks clearly must not be told "không nghe rõ". Before the
    relaxed guards for spoken clips (2026-12-02) 5 of the 93 clearly spoken clips came
    back empty: dropped as low confidence (2), a loop, "cảm ơn các bạn ạ" taken for a
    subtitle credit, and Whisper's own no-speech skip."""
    clear = [(wav, ref, t) for wav, ref, samples, t in shared_results if clearly_spoken(samples)]
    assert len(clear) >= 90, f"only {len(clear)} clips counted as clearly spoken: clearly_spoken() changed?"
    empty = [f"{wav.name}: {ref!r} (dropped {t.dropped})" for wav, ref, t in clear if not t.text]
    assert empty == [], "\n".join(empty)


@pytest.mark.slow
def test_shared_clips_keep_confidence_fields(shared_results):
    """knowledge/ weighs the recogniser's confidence: every kept segment carries
    Whisper's avg_logprob and no_speech_prob, doubtful ones included."""
    segments = [s for *_, t in shared_results for s in t.segments]
    assert segments
    assert all(-5 < s.avg_logprob <= 0 and 0 <= s.no_speech_prob <= 1 for s in segments)
    assert any(s.avg_logprob < -1.5 for s in segments), "no doubtful segment kept: relaxed guards unused?"


# ------------------------------------------------------------------ CLI


def test_cli_transcribe_text_and_json(tmp_path, capsys, espeak_questions, results, clean_env):
    config = make_config(tmp_path)
    toml = write_toml(tmp_path / "kiosk.toml", config)
    clip, expected = results[0]
    assert main(["--config", str(toml), "transcribe", str(clip.path)]) == 0
    assert capsys.readouterr().out.strip() == expected.text
    assert main(["--config", str(toml), "transcribe", str(clip.path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"text", "language", "duration", "segments", "elapsed"}
    assert data["text"] == expected.text and data["language"] == "vi"
    assert all(set(s) == {"start", "end", "text"} for s in data["segments"])


@pytest.mark.slow
def test_cli_transcribe_corrupt_file(tmp_path, capsys, clean_env):
    toml = write_toml(tmp_path / "kiosk.toml", make_config(tmp_path))
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF....WAVEfmt garbage")
    assert main(["--config", str(toml), "transcribe", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: ") and "bad.wav" in err and "Traceback" not in err


def test_cli_transcribe_end_to_end_subprocess(tmp_path, espeak_questions, results):
    """Tier 3: the real console entry point in a fresh process."""
    config = make_config(tmp_path)
    toml = write_toml(tmp_path / "kiosk.toml", config)
    clip, expected = results[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(toml), "transcribe", str(clip.path), "--json"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["text"] == expected.text
