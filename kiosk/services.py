"""Build the long-lived objects from the config, once (used by the CLI, the app and the admin)."""
from __future__ import annotations

import logging
import threading

import sqlite_utils

from kiosk.config import Config
from knowledge.base import KnowledgeBase
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
    return KnowledgeBase(content, answer_threshold=config.match.answer_threshold,
                         clarify_threshold=config.match.clarify_threshold)


class LiveKnowledge:
    """The knowledge base that follows what staff publish, without a restart.

    ``refresh()`` is cheap (one indexed SELECT) and is called by the app on a timer
    and before each question; a new content version is loaded and swapped in whole.
    """

    def __init__(self, config: Config):
        self._config = config
        self._lock = threading.Lock()
        self.kb, self.db = load_knowledge(config)

    def refresh(self) -> bool:
        """Swap in a newly published version; True if the content changed."""
        try:
            version = current_version(self.db)
        except Exception as exc:  # a locked or vanished database must not stop the kiosk
            log.warning("content version check failed: %s", exc)
            return False
        if not version:
            return False
        import datetime as dt

        # A new day can bring a procedure into force (or out of it) without a new version.
        if version == self.kb.version and self.kb.today == dt.date.today().isoformat():
            return False
        try:
            kb = _build(self._config, read_content(self.db))
        except Exception as exc:
            log.error("new content version %s could not be loaded, keeping %s: %s", version, self.kb.version, exc)
            return False
        with self._lock:
            self.kb = kb
        log.info("content version %s loaded", version)
        return True
