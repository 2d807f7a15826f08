"""Build the long-lived objects from the config, once (used by the CLI, the app and the admin)."""
from __future__ import annotations

import sqlite_utils

from kiosk.config import Config
from knowledge.base import KnowledgeBase
from knowledge.store import open_content, open_db


def load_knowledge(config: Config) -> tuple[KnowledgeBase, sqlite_utils.Database]:
    db = open_db(config.paths.db_path)
    content = open_content(db, config.paths.content_dir)
    kb = KnowledgeBase(content, answer_threshold=config.match.answer_threshold,
                       clarify_threshold=config.match.clarify_threshold)
    return kb, db
