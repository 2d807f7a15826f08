"""Real voices in a lobby (../shared/audio, FOSD): babble, quiet voices, pauses,
through the kiosk's own listening code. Skips with a reason when the clips are absent.

Scenes are built by bench/lobby.py (the same code the benchmarks use); the figures
the assertions guard are in docs/speech.md.
"""
from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from kiosk.config import AudioConfig
from speech.asr import load_audio
from speech.audio import ReplayRecorder
from speech.vad import WINDOW, Endpoint, SileroVad

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
import lobby  # noqa: E402

SHARED_AUDIO = Path(os.environ.get("KIOSK_SHARED_AUDIO") or REPO.parent / "shared" / "audio")


def shared(every: int) -> list[tuple[np.ndarray, str, str]]:
    """Every Nth clip (sorted by name: a fixed, deterministic subset): (audio, text, name)."""
    if not SHARED_AUDIO.is_dir():
        pytest.skip(f"no recorded clips: {SHARED_AUDIO} is absent (set KIOSK_SHARED_AUDIO to point elsewhere)")
    wavs = [p for p in sorted(SHARED_AUDIO.glob("*.wav")) if p.with_suffix(".txt").is_file()]
    if not wavs:
        pytest.skip(f"no WAV+TXT pairs in {SHARED_AUDIO}")
    return [(load_audio(p), p.with_suffix(".txt").read_text(encoding="utf-8").strip(), p.stem) for p in wavs[::every]]


@pytest.fixture(scope="module")
def vad():
    return SileroVad()


def end_delay(audio_cfg, vad, scene: lobby.Scene) -> float | None:
    """Seconds from the end of the voice to the end-of-speech decision; None = no decision."""
    r = ReplayRecorder(audio_cfg, scene.audio, vad=vad)
    rec = r.record(max_wait_s=None)
    consumed = len(r.block_delivered_at) * WINDOW
    if rec.reason != Endpoint.END_OF_SPEECH or consumed >= scene.audio.size:
        return None
    return (consumed - scene.speech_end) / lobby.SR


def test_babble_does_not_hold_the_question_open(vad):
    """Four other people talking 10 dB below the citizen: with the VAD alone the
    kiosk never decides the citizen has finished (22 of 25 clips, bench/endpoint.py);
    with the level gate (audio.floor_margin_db) it decides within 1.5 s."""
    clips = shared(every=10)
    others = [a for a, _, _ in shared(every=7)]
    shipped = AudioConfig()
    assert shipped.floor_margin_db > 0
    vad_only = dataclasses.replace(shipped, floor_margin_db=0.0)
    gated, ungated = [], []
    for i, (audio, _, name) in enumerate(clips):
        rng = np.random.default_rng(i)
        scene = lobby.in_noise(audio, lobby.babble(others, audio.size + 4 * lobby.SR, rng), 10.0, rng=rng)
        gated.append((name, end_delay(shipped, vad, scene)))
        ungated.append(end_delay(vad_only, vad, scene))
    late = [(n, d) for n, d in gated if d is None or d > 1.5]
    assert not late, late
    assert sum(d is None for d in ungated) >= len(clips) // 2, "babble no longer holds the VAD alone open: re-tune"


def test_a_quiet_room_ends_promptly_with_the_gate(vad):
    """The level gate must not change a quiet room: the decision comes 0.6 s after the voice."""
    delays = []
    for i, (audio, _, _) in enumerate(shared(every=10)):
        scene = lobby.in_noise(audio, None, None, rng=np.random.default_rng(i))
        delays.append(end_delay(AudioConfig(), vad, scene))
    decided = [d for d in delays if d is not None]
    assert len(decided) == len(delays)
    assert np.median(decided) == pytest.approx(0.6, abs=0.1)


@pytest.mark.parametrize("db, allowed", [(20, 0), (30, 1)])
def test_far_voices_are_still_heard(vad, db, allowed):
    """A voice 20–30 dB down (a metre away, speaking softly) is still detected by the
    VAD and ends where the same voice at its own level ends (some clips have a pause
    inside that ends them early either way). Measured 2026-12-02: at 30 dB Silero
    loses the soft second half of one clip of these ten (…_005586, loud frames at
    −53 dBFS; ends 4.4 s early); a gain before the VAD fixed it at 12 dB but cut
    other clips (bench/endpoint.py --vad-gains), so it is off."""
    early = []
    for i, (audio, _, name) in enumerate(shared(every=10)):
        clean = lobby.in_noise(audio, None, None, rng=np.random.default_rng(i))
        far = lobby.in_noise(lobby.attenuate(audio, db), None, None, rng=np.random.default_rng(i))
        d_clean, d_far = end_delay(AudioConfig(), vad, clean), end_delay(AudioConfig(), vad, far)
        assert d_far is not None, f"{name}: not heard at −{db} dB"
        if abs(d_far - d_clean) >= 0.3:
            early.append((name, d_clean, d_far))
    assert len(early) <= allowed, early


def test_an_extended_pause_joins_two_real_clips(vad):
    """The end-of-speech hold (what the Listener grants when the speech so far sounds
    unfinished): two real clips 1.2 s apart are one recording with the hold, two without."""
    (a, _, _), (b, _, _) = shared(every=50)[:2]
    audio, pause_start, second_start = lobby.joined(a, b, 1.2)
    audio = np.concatenate([np.zeros(8000, np.float32), audio, np.zeros(32000, np.float32)])
    second_start += 8000
    asked = []

    def hold(rec):
        asked.append(rec)
        return 1.0

    whole = ReplayRecorder(AudioConfig(), audio, vad=vad).record(max_wait_s=None, on_end=hold)
    assert whole.span[1] * WINDOW > second_start and asked
    cut = ReplayRecorder(AudioConfig(), audio, vad=vad).record(max_wait_s=None, on_end=lambda rec: 0.0)
    assert cut.span[1] * WINDOW < second_start
    assert asked[0].span == cut.span, "the callback sees exactly the recording that would be returned"


@pytest.mark.slow
def test_quiet_voices_are_heard_with_the_shipped_gain(transcriber):  # noqa: F811
    """A voice 30 dB down in a quiet room (−70 dBFS) is transcribed, not dropped, and mostly
    heard about as well as at its own level, with the shipped settings (gain normalisation
    on). What the gain itself brings shows over all 100 clips only (bench/asr_noise.py
    --every 1, docs/speech.md: 9 → 2 empty at 30 dB); on these ten, 2026-12-05: 1 empty,
    9 of 10 within 0.2 of their own-level similarity (7 with the gain off)."""
    from speech_fixtures import similarity

    assert transcriber.gain is not None, "gain normalisation is the shipped setting"
    empty, near, far_sims, own_sims = [], 0, [], []
    for i, (audio, text, name) in enumerate(shared(every=10)):
        own = transcriber.transcribe(lobby.in_noise(audio, None, None, rng=np.random.default_rng(i)).audio).text
        far = transcriber.transcribe(
            lobby.in_noise(lobby.attenuate(audio, 30), None, None, rng=np.random.default_rng(i)).audio).text
        if not far.strip():
            empty.append(name)
        own_sims.append(similarity(own, text))
        far_sims.append(similarity(far, text))
        near += similarity(far, text) >= similarity(own, text) - 0.2
    print("own level", np.round(own_sims, 2), "30 dB down", np.round(far_sims, 2))
    assert len(empty) <= 2, empty
    assert near >= 7, (own_sims, far_sims)  # most clips heard about as well as at their own level


@pytest.mark.slow
def test_gain_does_not_make_speech_of_an_empty_room(transcriber):  # noqa: F811
    """Gain normalisation on: an empty room, a fan and mains hum stay silent."""
    rng = np.random.default_rng(3)
    from speech.level import GainSettings

    old = transcriber.gain
    transcriber.gain = GainSettings()
    try:
        n = 3 * lobby.SR
        rooms = {
            "room −70 dBFS": rng.standard_normal(n) * 10 ** (-70 / 20),
            "room −55 dBFS": rng.standard_normal(n) * 10 ** (-55 / 20),
            "fan −45 dBFS": lobby.pink_noise(n, rng) * 10 ** (-45 / 20),
            "hum −50 dBFS": np.sin(2 * np.pi * 50 * np.arange(n) / lobby.SR) * 10 ** (-47 / 20),
        }
        for name, audio in rooms.items():
            t = transcriber.transcribe(audio.astype(np.float32))
            assert t.text == "", f"{name}: {t.text!r}"
    finally:
        transcriber.gain = old


def test_a_long_pause_splits_the_decoding_and_a_short_one_does_not():
    """asr.split_pause_s: Whisper decodes each side of a long pause on its own (base given
    one held question often stops after its first part, docs/speech.md)."""
    from speech.asr_whisper import split_at_pauses

    (a, _, _), (b, _, _) = shared(every=50)[:2]
    audio, pause_start, second_start = lobby.joined(a, b, 1.2)
    parts = split_at_pauses(audio, 0.8)
    assert len(parts) == 2 and parts[0][0] == 0 and parts[-1][1] == audio.size
    assert pause_start < parts[0][1] == parts[1][0] < second_start
    assert split_at_pauses(audio, 0.0) == [(0, audio.size)]
    short, _, _ = lobby.joined(a, b, 0.3)
    assert split_at_pauses(short, 0.8) == [(0, short.size)]


@pytest.mark.slow
def test_a_paused_question_is_transcribed_as_one(transcriber):  # noqa: F811
    """Real clips joined 1.2 s apart (a held question), the pairs bench/asr_pauses.py draws.
    Decoded in one piece, base often returns only the first sentence; the shipped
    transcriber decodes each side of the pause and returns words of both. Guarded as rates
    over the pairs, not on two chosen pairs: which pair base mis-hears moves with the
    numerics of the libraries (numpy 2.4 turned one of the two pairs this test named into
    a lost second part) and with the recordings."""
    from asr_pauses import found

    clips = [(audio, text) for audio, text, _ in shared(every=1)]
    assert transcriber.split_pause_s > 0
    order = np.random.default_rng(5).permutation(len(clips))
    pairs = [(clips[order[2 * i]], clips[order[2 * i + 1]]) for i in range(min(16, len(clips) // 2))]
    first, second = [], []
    for k, ((a, ta), (b, tb)) in enumerate(pairs):
        audio, _, _ = lobby.joined(a, b, 1.2, rng=np.random.default_rng(k))
        text = transcriber.transcribe(audio).text
        first.append(found(text, ta))
        second.append(found(text, tb))
    lost = sum(x < 0.2 for x in second)
    # 2026-12-04, these 16 pairs: first part 0.38 found, second 0.38, second lost 6/16
    # (30 pairs, docs/speech.md: 34 / 34 %, 11/30; one decoding: 35 / 27 %, 16/30)
    assert np.mean(first) >= 0.25 and np.mean(second) >= 0.25, (first, second)
    assert lost <= len(pairs) // 2, second
