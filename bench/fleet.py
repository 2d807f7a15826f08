"""Fleet benchmark: 170 wards × 3 kiosks against one province hub on this machine.

    python bench/fleet.py [--wards 170] [--kiosks 3] [--rounds 10] [--concurrency 32] [--database URL]

Starts a throw-away PostgreSQL (initdb/pg_ctl in a temporary directory, as the `postgres`
user when run as root) unless --database is given, initialises a hub with the shipped
content (assets/content: the real bundle size), registers the wards, and runs the hub as
`kiosk hub` (one uvicorn process, as deployed). Then, from one asyncio client with
keep-alive connections:

1. stats     — every kiosk uploads yesterday's statistics (POST /api/stats), then again
               (idempotent replace: the hub must still hold one row per kiosk and day);
2. poll-304  — every kiosk polls latest.json with If-None-Match, --rounds times (the steady state);
3. herd      — all kiosks poll at the same instant, one connection each (after a power cut);
4. download  — a new version: every kiosk fetches latest.json (200) and content.tar.gz.

Prints requests/s, latency p50/p99 per phase, bundle and reply sizes. Client and server
share the machine's cores, so the figures are a floor for a dedicated hub. Asserts only
that every request succeeded and that the statistics count once.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


# ---- a throw-away PostgreSQL -------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TempPostgres:
    def __init__(self) -> None:
        bindir = next((d for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
                       if (d / "initdb").is_file()), None)
        if bindir is None:
            sys.exit("PostgreSQL server binaries not found (apt-get install postgresql) — or pass --database URL")
        self.bindir = bindir
        self.run_as = "postgres" if os.geteuid() == 0 else None
        self.tmp = Path(tempfile.mkdtemp(prefix="kiosk-bench-pg-"))
        if self.run_as:
            shutil.chown(self.tmp, self.run_as)
        self.user = self.run_as or os.environ.get("USER", "postgres")
        self.port = _free_port()

    def _cmd(self, *args: str) -> list[str]:
        return (["runuser", "-u", self.run_as, "--"] if self.run_as else []) + list(args)

    def start(self) -> str:
        data = self.tmp / "data"
        subprocess.run(self._cmd(str(self.bindir / "initdb"), "-D", str(data), "-U", self.user, "--auth=trust",
                                 "--encoding=UTF8", "--locale=C.UTF-8"), check=True, capture_output=True)
        # Default durability (fsync on): the benchmark measures a hub as it would run.
        subprocess.run(self._cmd(str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(self.tmp / "log"), "-w",
                                 "-o", f"-h 127.0.0.1 -p {self.port} -k {self.tmp} -c max_connections=100", "start"),
                       check=True, capture_output=True)
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(self._cmd(str(self.bindir / "pg_ctl"), "-D", str(self.tmp / "data"), "-m", "fast", "-w", "stop"),
                       capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---- a minimal keep-alive HTTP/1.1 client (asyncio streams) --------------------------------------
class Conn:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                      body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        hdrs: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            hdrs[k.strip().lower()] = v.strip()
        n = int(hdrs.get("content-length", "0"))
        data = await self.reader.readexactly(n) if n else b""
        if hdrs.get("connection", "").lower() == "close":
            self.writer.close()
            self.writer = None
        return status, hdrs, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


async def run_jobs(host: str, port: int, jobs: list, concurrency: int) -> tuple[float, list[float], dict[int, int], int]:
    """Run (method, path, headers, body, expected_status) jobs over `concurrency` keep-alive connections."""
    queue: asyncio.Queue = asyncio.Queue()
    for j in jobs:
        queue.put_nowait(j)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    received = 0

    async def worker() -> None:
        nonlocal received
        conn = Conn(host, port)
        try:
            while True:
                try:
                    method, path, headers, body, _ = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t = time.perf_counter()
                status, _, data = await conn.request(method, path, headers, body)
                latencies.append(time.perf_counter() - t)
                statuses[status] = statuses.get(status, 0) + 1
                received += len(data)
        finally:
            conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - start, latencies, statuses, received


def report(name: str, n: int, wall: float, lat: list[float], statuses: dict[int, int], received: int) -> dict:
    row = {"phase": name, "requests": n, "seconds": round(wall, 2), "rps": round(n / wall, 1),
           "p50_ms": round(_pct(lat, 50) * 1000, 1), "p99_ms": round(_pct(lat, 99) * 1000, 1),
           "max_ms": round(max(lat) * 1000, 1), "statuses": statuses, "bytes_received": received}
    print(f"{name:<10} {n:>6} req in {wall:6.2f} s = {row['rps']:>7.1f} req/s   p50 {row['p50_ms']:>6.1f} ms   "
          f"p99 {row['p99_ms']:>7.1f} ms   max {row['max_ms']:>7.1f} ms   {statuses}", flush=True)
    return row


def stats_doc(ward: str, kiosk: str, day: str, i: int) -> dict:
    # A busy kiosk's day (~60 questions), shaped like kiosk.fleet.stats.aggregate's output.
    return {"format": 1, "ward": ward, "kiosk": kiosk, "day": day, "questions": 57 + i % 13,
            "by_procedure": {"1.001193": 12, "1.000894": 5, "1.004194": 7, "2.000815": 9, "1.004884": 2},
            "decisions": {"answer": 40, "clarify": 9, "none": 6, "redirect": 2},
            "by_channel": {"voice": 20, "search": 30, "browse": 7},
            "unanswered": [{"text": f"câu hỏi chưa trả lời số {i % 40}", "count": 3},
                           {"text": "xin giấy phép nuôi chim cảnh", "count": 1}],
            "ratings": {"up": 5, "down": 1}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wards", type=int, default=170)
    ap.add_argument("--kiosks", type=int, default=3, help="kiosks per ward")
    ap.add_argument("--rounds", type=int, default=10, help="polls per kiosk in the poll-304 phase")
    ap.add_argument("--concurrency", type=int, default=32, help="client connections (stats, poll-304, download)")
    ap.add_argument("--database", help="an existing empty PostgreSQL database (default: a throw-away server)")
    ap.add_argument("--content", default=str(REPO / "assets" / "content"))
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()

    from kiosk.hub import content, stats
    from kiosk.hub.db import meta_set, open_hub
    from knowledge.bundle import generate_keypair

    pg = None if args.database else TempPostgres()
    url = args.database or pg.start()
    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-hub-"))
    hub = None
    try:
        conn = open_hub(url)
        with conn.transaction():
            meta_set(conn, "province", "79")
        paths = content.HubPaths(work / "keys", work / "bundles")
        generate_keypair(paths.keys_dir)
        t = time.perf_counter()
        first = content.import_source(conn, paths, Path(args.content))
        publish_s = time.perf_counter() - t
        tokens = {}
        for w in range(args.wards):
            code = f"{26000 + w}"
            tokens[code] = stats.add_ward(conn, code, f"Phường {w + 1}")
        port = _free_port()
        env = {**os.environ, "KIOSK_HUB_DATABASE": url, "KIOSK_HUB_KEYS": str(paths.keys_dir),
               "KIOSK_HUB_BUNDLES": str(paths.bundles_dir)}
        hub = subprocess.Popen([sys.executable, "-m", "kiosk", "hub", "--port", str(port)], cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        kiosks = [(ward, f"kiosk-{k + 1}") for ward in tokens for k in range(args.kiosks)]
        n = len(kiosks)
        latest = (paths.bundles_dir / "latest.json").read_bytes()
        archive = paths.bundles_dir / str(first.version) / "content.tar.gz"
        print(f"machine: {platform.node()} — {os.cpu_count()} CPU ({_cpu()}), Python {platform.python_version()}, "
              f"PostgreSQL {_pg_version(conn)}; hub: one uvicorn process; client on the same machine")
        print(f"fleet: {args.wards} wards × {args.kiosks} kiosks = {n} kiosks; content {first.content_bytes:,} B "
              f"({json.loads(latest)['manifest']['procedures']} procedures written up), latest.json {len(latest)} B; "
              f"publish (validate + sign + write) {publish_s:.2f} s", flush=True)
        rows = []
        day = (dt.date.today() - dt.timedelta(days=1)).isoformat()

        def stats_jobs() -> list:
            out = []
            for i, (ward, kiosk) in enumerate(kiosks):
                body = json.dumps(stats_doc(ward, kiosk, day, i), ensure_ascii=False).encode()
                out.append(("POST", "/api/stats", {"Authorization": f"Bearer {tokens[ward]}",
                                                    "Content-Type": "application/json"}, body, 200))
            return out

        for name in ("stats", "stats-again"):
            wall, lat, st, rx = asyncio.run(run_jobs("127.0.0.1", port, stats_jobs(), args.concurrency))
            rows.append(report(name, n, wall, lat, st, rx))
            assert st == {200: n}, st
        stored = conn.execute("SELECT count(*) AS rows, sum(questions) AS q FROM daily_stats").fetchone()
        assert stored["rows"] == n, stored
        size = conn.execute("SELECT pg_total_relation_size('daily_stats') AS b").fetchone()["b"]
        print(f"           hub holds {stored['rows']} rows ({stored['q']} questions): each kiosk-day once; "
              f"daily_stats {size / stored['rows']:.0f} B per kiosk-day on disk (with indexes)", flush=True)

        async def etag() -> tuple[str, int]:
            c = Conn("127.0.0.1", port)
            _, h, _ = await c.request("GET", "/bundles/latest.json")
            _, h304, _ = await c.request("GET", "/bundles/latest.json", {"If-None-Match": h["etag"]})
            c.close()
            # status line + headers of a 304, as sent on the wire
            return h["etag"], len("HTTP/1.1 304 Not Modified\r\n") + sum(len(k) + len(v) + 4 for k, v in h304.items()) + 2

        tag, size_304 = asyncio.run(etag())
        print(f"           a 304 reply is {size_304} B", flush=True)
        poll = ("GET", "/bundles/latest.json", {"If-None-Match": tag}, b"", 304)
        wall, lat, st, rx = asyncio.run(run_jobs("127.0.0.1", port, [poll] * (n * args.rounds), args.concurrency))
        rows.append(report("poll-304", n * args.rounds, wall, lat, st, rx))
        assert st == {304: n * args.rounds}, st
        wall, lat, st, rx = asyncio.run(run_jobs("127.0.0.1", port, [poll] * n, n))
        rows.append(report("herd", n, wall, lat, st, rx))
        assert st == {304: n}, st
        jobs = []
        for _ in kiosks:
            jobs.append(("GET", "/bundles/latest.json", {"If-None-Match": '"old"'}, b"", 200))
            jobs.append(("GET", f"/bundles/{first.version}/content.tar.gz", {}, b"", 200))
        wall, lat, st, rx = asyncio.run(run_jobs("127.0.0.1", port, jobs, args.concurrency))
        rows.append(report("download", len(jobs), wall, lat, st, rx))
        assert st == {200: len(jobs)}, st
        print(f"           {rx / wall / 1e6:.1f} MB/s; {n} kiosks × {archive.stat().st_size:,} B = "
              f"{n * archive.stat().st_size / 1e6:.1f} MB per new version", flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps({"kiosks": n, "content_bytes": first.content_bytes,
                                                   "latest_bytes": len(latest), "reply_304_bytes": size_304,
                                                   "stats_bytes_per_row": round(size / stored["rows"]),
                                                   "phases": rows}, indent=1))
        return 0
    finally:
        if hub is not None:
            hub.terminate()
            try:
                hub.wait(10)
            except subprocess.TimeoutExpired:
                hub.kill()
        if pg is not None:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _pg_version(conn) -> str:
    return conn.execute("SHOW server_version").fetchone()["server_version"].split()[0]


if __name__ == "__main__":
    sys.exit(main())
