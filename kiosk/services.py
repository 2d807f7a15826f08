"""Build the long-lived objects from the config, once (used by the CLI, the app and the admin)."""
from __future__ import annotations

import contextlib
import logging
import threading
from typing import Iterator

import sqlite_utils

from kiosk.config import Config
from knowledge.base import KnowledgeBase
from knowledge.params import DEFAULT
from knowledge.store import current_version, open_content, open_db, read_content

log = logging.getLogger(__name__)


def live_content(config: Config):
    """The published content (the database is filled from the source on first use)."""
    return open_content(open_db(config.paths.db_path), config.paths.content_dir)


def load_knowledge(config: Config) -> tuple[KnowledgeBase, sqlite_utils.Database]:
    db = open_db(config.paths.db_path)
    content = open_content(db, config.paths.content_dir)
    return _build(config, content), db


def _build(config: Config, content) -> KnowledgeBase:
    return KnowledgeBase(content, params=DEFAULT.with_config(config.match))


class LiveKnowledge:
    """The knowledge base that follows what staff publish, without a restart.

    ``refresh()`` is cheap (one indexed SELECT) when nothing changed; a new content
    version (or a new day, which can bring a procedure into force) is loaded and swapped
    in whole. The app calls it on a timer from a worker thread, so it may run on any
    thread: SQLite connections stay in the thread that opened them, so another thread
    reads through a connection of its own.
    """

    def __init__(self, config: Config, kb: KnowledgeBase | None = None, db: sqlite_utils.Database | None = None):
        """``kb``/``db``: already loaded (tests, `kiosk run` with a given content); else loaded from the config."""
        self._config = config
        self._lock = threading.Lock()
        self._owner = threading.get_ident()  # the thread whose connection ``db`` is
        if kb is None or db is None:
            kb, db = load_knowledge(config)
        self.kb, self.db = kb, db

    def refresh(self) -> bool:
        """Swap in a newly published version; True if the content changed."""
        import datetime as dt

        try:
            with self._reader() as db:
                version = current_version(db)
                if not version:
                    return False
                # A new day can bring a procedure into force (or out of it) without a new version.
                if version == self.kb.version and self.kb.today == dt.date.today().isoformat():
                    return False
                try:
                    kb = _build(self._config, read_content(db))
                except Exception as exc:
                    log.error("new content version %s could not be loaded, keeping %s: %s", version,
                              self.kb.version, exc)
                    return False
        except Exception as exc:  # a locked or vanished database must not stop the kiosk
            log.warning("content version check failed: %s", exc)
            return False
        self._swap(kb)
        log.info("content version %s loaded", version)
        return True

    def reload(self) -> KnowledgeBase:
        """Load the published content again whatever its version (staff "Nạp lại nội dung");
        raises what went wrong (KnowledgeError…), keeping the current knowledge base."""
        with self._reader() as db:
            kb = _build(self._config, open_content(db, self._config.paths.content_dir))
        self._swap(kb)
        return kb

    def _swap(self, kb: KnowledgeBase) -> None:
        with self._lock:
            self.kb = kb

    @contextlib.contextmanager
    def _reader(self) -> Iterator[sqlite_utils.Database]:
        if threading.get_ident() == self._owner:
            yield self.db
            return
        db = open_db(self._config.paths.db_path)
        try:
            yield db
        finally:
            db.close()
