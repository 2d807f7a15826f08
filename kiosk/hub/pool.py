"""A small thread-safe pool of PostgreSQL connections for the hub's request handlers.

Opening a connection costs a few milliseconds; the stats endpoint takes hundreds of
uploads a minute at province scale, so handlers borrow one instead. A connection that
broke (server restart) is dropped and a new one opened on the next borrow.
"""
from __future__ import annotations

import queue
import threading
from contextlib import contextmanager
from typing import Iterator

import psycopg

from kiosk.hub.db import connect


class Pool:
    def __init__(self, url: str, size: int = 8):
        self.url = url
        self._idle: queue.LifoQueue[psycopg.Connection] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        self._slots.acquire()
        conn = None
        try:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                conn = connect(self.url)
            yield conn
        finally:
            if conn is not None:
                if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    try:
                        conn.close()
                    except psycopg.Error:
                        pass
                else:
                    self._idle.put(conn)
            self._slots.release()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
