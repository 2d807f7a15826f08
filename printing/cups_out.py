"""Print a PDF through CUPS with ``lp`` and follow the job with ``lpstat``.

Command-line tools rather than pycups: they are in every CUPS install, need no C
extension, and honour ``CUPS_SERVER`` like the rest of the system. Output is parsed in
the C locale so messages do not depend on the kiosk's language.
"""
from __future__ import annotations

import logging
import math
import os
import re
import subprocess
import time
from dataclasses import dataclass
from enum import StrEnum

from printing.errors import PrinterUnavailable

log = logging.getLogger(__name__)

COMMAND_TIMEOUT_S = 15.0
DOWN_MESSAGE = "Hệ thống in đang tạm ngừng. Xin mời ông/bà hỏi cán bộ tại quầy hướng dẫn."
NO_QUEUE_MESSAGE = "Máy in chưa được cài đặt đúng. Xin mời ông/bà hỏi cán bộ tại quầy hướng dẫn."
STOPPED_MESSAGE = "Máy in đang tạm dừng. Xin mời ông/bà hỏi cán bộ tại quầy hướng dẫn."
PAPER_OUT_MESSAGE = "Máy in đã hết giấy. Xin mời ông/bà báo cán bộ tại quầy hướng dẫn."
OFFLINE_MESSAGE = "Máy in chưa bật hoặc chưa nối dây. Xin mời ông/bà hỏi cán bộ tại quầy hướng dẫn."
FAILED_MESSAGE = "Máy in không in được phiếu. Xin mời ông/bà hỏi cán bộ tại quầy hướng dẫn."

_REQUEST_RE = re.compile(r"request id is (\S+)")
# printer-state-reasons (as lpstat shows them under "Alerts:") → what to tell the citizen
_REASONS = (
    ("media-empty", PAPER_OUT_MESSAGE),
    ("media-needed", PAPER_OUT_MESSAGE),
    ("offline", OFFLINE_MESSAGE),  # "offline-report"; "connecting-to-device" is normal while printing
    ("paused", STOPPED_MESSAGE),
)


class JobState(StrEnum):
    PENDING = "pending"  # queued or printing
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class JobStatus:
    job_id: str
    state: JobState
    detail: str = ""
    message: str = ""  # for FAILED: what to tell the citizen


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(LC_ALL="C", LANG="C", LANGUAGE="C")
    return env


def _run(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(
            args, input=stdin, capture_output=True, env=_env(), timeout=COMMAND_TIMEOUT_S, check=False
        )
    except FileNotFoundError:
        raise PrinterUnavailable(DOWN_MESSAGE, f"không có lệnh {args[0]} — cài gói cups-client / install cups") from None
    except subprocess.TimeoutExpired:
        raise PrinterUnavailable(DOWN_MESSAGE, f"{args[0]} không trả lời sau {COMMAND_TIMEOUT_S:.0f} s") from None
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    )


def scheduler_running() -> bool:
    """``lpstat -r``: is cupsd reachable (at $CUPS_SERVER or the local socket)?"""
    try:
        return "scheduler is running" in _run(["lpstat", "-r"]).stdout
    except PrinterUnavailable:
        return False


def _error_for(output: str, queue: str) -> PrinterUnavailable:
    text = " ".join(output.split())
    low = text.lower()
    # lp reports an unreachable scheduler as a missing printer: ask the scheduler itself
    if "unable to connect" in low or "connection refused" in low or not scheduler_running():
        return PrinterUnavailable(DOWN_MESSAGE, f"CUPS không chạy / scheduler not running: {text}")
    if "does not exist" in low or "invalid destination" in low or "unknown destination" in low:
        return PrinterUnavailable(NO_QUEUE_MESSAGE, f"không có hàng in / no queue {queue or '(mặc định)'}: {text}")
    if "no default destination" in low:
        return PrinterUnavailable(NO_QUEUE_MESSAGE, f"CUPS chưa có máy in mặc định / no default printer: {text}")
    if "not accepting" in low:
        return PrinterUnavailable(STOPPED_MESSAGE, f"hàng in {queue} không nhận lệnh in / not accepting jobs: {text}")
    return PrinterUnavailable(FAILED_MESSAGE, text or "lp failed")


def media_for(pdf: bytes) -> str:
    """The CUPS ``media`` for the PDF's first page: "A4", or "Custom.80x363mm" for a roll.

    Without it CUPS puts a long roll page on the queue's default sheet and cuts it off.
    """
    m = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    if not m:
        return "A4"
    w, h = (float(v) * 25.4 / 72 for v in m.groups())
    if abs(w - 210) < 1 and abs(h - 297) < 1:
        return "A4"
    return f"Custom.{round(w)}x{math.ceil(h)}mm"


def submit(pdf: bytes, queue: str = "", title: str = "kiosk", options: dict[str, str] | None = None) -> str:
    """Send a PDF to CUPS (``queue`` empty = the default printer); returns the job id."""
    args = ["lp", "-t", title]
    if queue:
        args += ["-d", queue]
    for key, value in (options or {}).items():
        args += ["-o", f"{key}={value}"]
    args.append("-")  # the document on stdin: no temporary file to clean up
    proc = _run(args, stdin=pdf)
    match = _REQUEST_RE.search(proc.stdout)
    if proc.returncode != 0 or not match:
        raise _error_for(proc.stderr + " " + proc.stdout, queue)
    job_id = match.group(1)
    log.info("CUPS job %s submitted (%d bytes)", job_id, len(pdf))
    return job_id


def _job_block(listing: str, job_id: str) -> str | None:
    """The lines lpstat -l prints for ``job_id`` (first line plus indented details)."""
    lines = listing.splitlines()
    for i, line in enumerate(lines):
        if line.split(maxsplit=1)[:1] == [job_id]:
            block = [line]
            for more in lines[i + 1:]:
                if more[:1] not in ("\t", " "):
                    break
                block.append(more.strip())
            return "\n".join(block)
    return None


def _queue_of(job_id: str) -> str:
    return job_id.rsplit("-", 1)[0]


def printer_problem(queue: str) -> PrinterUnavailable | None:
    """Why the queue cannot print now (disabled, paper out, offline), or None."""
    args = ["lpstat", "-l", "-p"] + ([queue] if queue else [])
    if not queue:
        default = _run(["lpstat", "-d"])
        m = re.search(r"system default destination: (\S+)", default.stdout)
        if not m:
            return _error_for((default.stderr + default.stdout) or "no default destination", queue)
        queue = m.group(1)
        args = ["lpstat", "-l", "-p", queue]
    proc = _run(args)
    if proc.returncode != 0:
        return _error_for(proc.stderr + proc.stdout, queue)
    text = proc.stdout
    if re.search(rf"printer {re.escape(queue)} disabled", text):
        return PrinterUnavailable(STOPPED_MESSAGE, f"hàng in {queue} đang tắt / disabled: {' '.join(text.split())[:200]}")
    alerts = " ".join(re.findall(r"Alerts:\s*(.*)", text))
    for reason, message in _REASONS:
        if reason in alerts:
            return PrinterUnavailable(message, f"{queue}: {alerts}")
    return None


def job_status(job_id: str) -> JobStatus:
    """Where the job is now, from ``lpstat -l -o`` (active) and ``-W completed`` (finished)."""
    queue = _queue_of(job_id)
    active = _run(["lpstat", "-l", "-o", queue])
    if active.returncode != 0:
        raise _error_for(active.stderr + active.stdout, queue)
    block = _job_block(active.stdout, job_id)
    if block is not None:
        low = block.lower()
        status = re.search(r"Status:\s*(.*)", block)
        detail = status.group(1).strip() if status else ""
        if "job-completed-with-errors" in low or "failed" in detail.lower() or "stopped" in detail.lower():
            problem = printer_problem(queue)
            return JobStatus(job_id, JobState.FAILED, detail or block,
                             problem.message if problem else FAILED_MESSAGE)
        return JobStatus(job_id, JobState.PENDING, detail)
    done = _run(["lpstat", "-l", "-W", "completed", "-o", queue])
    block = _job_block(done.stdout, job_id) or ""
    if any(w in block.lower() for w in ("canceled", "cancelled", "aborted")):
        return JobStatus(job_id, JobState.FAILED, block, FAILED_MESSAGE)
    return JobStatus(job_id, JobState.COMPLETED, "")


def wait_for_job(job_id: str, timeout_s: float = 20.0, poll_s: float = 0.5) -> JobStatus:
    """Poll until the job completes or fails; PENDING when ``timeout_s`` runs out.

    A job stuck behind a printer problem (paper out, offline, disabled queue) is
    reported FAILED with that problem's message as soon as CUPS shows it.
    """
    deadline = time.monotonic() + timeout_s
    queue = _queue_of(job_id)
    while True:
        status = job_status(job_id)
        if status.state is not JobState.PENDING:
            return status
        problem = printer_problem(queue)
        if problem is not None:
            return JobStatus(job_id, JobState.FAILED, problem.detail, problem.message)
        if time.monotonic() >= deadline:
            return status
        time.sleep(poll_s)


def cancel(job_id: str) -> None:
    """Remove a job (e.g. one that failed and will be sent again)."""
    _run(["cancel", job_id])
