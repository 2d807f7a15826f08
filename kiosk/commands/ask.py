"""`kiosk ask` — the whole pipeline without a screen (text or a WAV file)."""
from __future__ import annotations

import argparse
import json
import logging
import sys

from kiosk.config import Config

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ask", help="hỏi một câu (chữ hoặc tệp WAV) và in câu trả lời / ask without a screen",
        description="Hỏi như ở kiosk: chữ, hoặc --audio tệp WAV (nhận dạng bằng Whisper trên máy). "
        "In quyết định (answer | clarify | none), các thủ tục khớp nhất và câu trả lời.",
    )
    p.add_argument("text", nargs="*", help="câu hỏi bằng chữ (có dấu hoặc không dấu)")
    p.add_argument("--audio", metavar="FILE.wav", help="nhận dạng câu hỏi từ tệp âm thanh (mặc định: không)")
    p.add_argument("--json", action="store_true", help="in đúng một đối tượng JSON theo hợp đồng (mặc định: chữ)")
    p.add_argument("--speak", action="store_true", help="đọc câu trả lời ra loa (mặc định: không)")
    p.add_argument("--say-to", metavar="FILE.wav", help="ghi câu trả lời được đọc vào tệp WAV (mặc định: không)")
    p.add_argument("--no-log", action="store_true", help="không ghi vào nhật ký câu hỏi (mặc định: có ghi)")
    p.set_defaults(handler=run)


def run(args, config: Config) -> int:
    from kiosk.cli import CliError
    from kiosk.services import load_knowledge
    from knowledge.replies import kind_label, reply_for

    if bool(args.text) == bool(args.audio):
        raise CliError("cần đúng một trong hai: câu hỏi bằng chữ hoặc --audio FILE.wav / give TEXT or --audio")
    kb, db = load_knowledge(config)
    transcript = None
    if args.audio:
        from kiosk.hearing import ask_heard, hear
        from speech import load_audio, load_transcriber

        transcriber = load_transcriber(config, vocabulary=kb.vocabulary())
        audio = load_audio(args.audio)
        heard = hear(kb, transcriber, audio, transcriber.transcribe(audio), fit_choices=config.asr.fit_choices)
        transcript = heard.text
        query = transcript
        result = ask_heard(kb, heard)
    else:
        query = " ".join(args.text)
        result = kb.ask(query, transcript=transcript)
    if not args.no_log:
        from knowledge.qlog import Channel, log_question

        try:
            log_question(db, query, result.decision, result.matches, channel=Channel.VOICE if args.audio else Channel.SEARCH,
                         content_version=kb.version)
        except Exception as exc:  # a full disk must not cost the citizen the answer
            log.warning("question log not written: %s", exc)

    reply = reply_for(result, kb)  # the same words the app shows and speaks
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        if transcript is not None:
            print(f"Nghe được: {transcript or '(không nghe rõ)'}")
        print(f"[{kind_label(reply, result.reason)}]")
        print(reply.text)
        if result.more_choices:  # what "Không phải" would offer next
            print("Nếu không phải: " + "; ".join(f"{m.label or m.title} [{m.code}]" for m in result.more_choices))
        sys.stdout.flush()

    if args.speak or args.say_to:
        from speech import load_synthesizer

        synth = load_synthesizer(config.tts)
        text = reply.spoken
        if args.say_to:
            synth.to_wav(text, args.say_to)
        if args.speak:
            from speech import Player

            Player(config.audio, volume=config.tts.volume).play(synth.synthesize(text), block=True)
    return 0
