"""How long another clerk's GET /login takes while one clerk loads the national snapshot.

    python bench/admin_event_loop.py [ROOT] [--rounds 4]

A real uvicorn server on 127.0.0.1 (random port) with the shipped content and one admin account in a
temporary directory; one client POSTs /national with the two national snapshot files as server paths
(parse, audit of the draft, render), while a second client requests /login every 20 ms until that load
answers. ROOT (default: this checkout) is the tree whose kiosk/ and knowledge/ are imported, so an older
commit can be measured from a `git archive` copy. Needs the snapshot in KIOSK_NATIONAL_DATA or
../shared/data; prints one line.
"""
from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
PASSWORD = "mat-khau-quan-tri"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", nargs="?", type=Path, default=HERE, help="tree to import kiosk/ from (default: this one)")
    ap.add_argument("--rounds", type=int, default=4, help="national loads to time (default 4)")
    args = ap.parse_args()
    shared = Path(os.environ.get("KIOSK_NATIONAL_DATA", HERE.parent / "shared" / "data"))
    files = sorted(shared.glob("national-procedure-*.jsonl.gz"))
    if len(files) != 2:
        print(f"national snapshot not found in {shared} (set KIOSK_NATIONAL_DATA)", file=sys.stderr)
        return 1
    sys.path.insert(0, str(args.root.resolve()))
    import requests
    import uvicorn

    from kiosk.admin import AdminSettings, create_app
    from kiosk.admin.accounts import Accounts
    from kiosk.admin.schema import open_admin_db
    from knowledge.store import open_content

    content = args.root / "assets" / "content"
    with tempfile.TemporaryDirectory() as tmp:
        db = open_admin_db(Path(tmp) / "kiosk.db")
        open_content(db, content)
        Accounts(db).create("lan", PASSWORD, "admin")
        db.close()
        app = create_app(AdminSettings(db_path=Path(tmp) / "kiosk.db", content_dir=content))
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{port}"
        while True:
            try:
                requests.get(base + "/login", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        clerk = requests.Session()
        token = re.search(r'name="csrf" value="([^"]+)"', clerk.get(base + "/login").text).group(1)
        clerk.post(base + "/login", data={"csrf": token, "name": "lan", "password": PASSWORD, "next": "/"})
        csrf = re.search(r'name="csrf" value="([^"]+)"', clerk.get(base + "/account").text).group(1)
        loads: list[float] = []
        waits: list[float] = []
        for _ in range(args.rounds):
            done = threading.Event()

            def load() -> None:
                t = time.perf_counter()
                r = clerk.post(base + "/national", data={"csrf": csrf, "paths": "\n".join(map(str, files))})
                assert r.status_code == 200, r.status_code
                loads.append(time.perf_counter() - t)
                done.set()

            worker = threading.Thread(target=load)
            worker.start()
            with requests.Session() as other:
                time.sleep(0.05)
                while not done.is_set():
                    t = time.perf_counter()
                    other.get(base + "/login")
                    waits.append(time.perf_counter() - t)
                    time.sleep(0.02)
            worker.join()
        server.should_exit = True
    waits.sort()
    print(f"national load {statistics.median(loads):.2f} s (median of {len(loads)}); GET /login meanwhile: "
          f"n={len(waits)}, median {statistics.median(waits) * 1000:.0f} ms, p95 {waits[int(0.95 * (len(waits) - 1))] * 1000:.0f} ms, "
          f"max {waits[-1] * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
