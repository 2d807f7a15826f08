"""Content, matching and answers. No Kivy, no audio.

The names below are imported on first use (PEP 562): reading a settings module such as
knowledge.params (kiosk/config.py does, for every command) must not load the matcher.
"""
from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "AskResult": "knowledge.base", "KnowledgeBase": "knowledge.base",
    "ContentInvalid": "knowledge.errors", "ContentNotFound": "knowledge.errors", "KnowledgeError": "knowledge.errors",
    "Problem": "knowledge.errors", "UnknownProcedure": "knowledge.errors",
    "Answer": "knowledge.model", "Category": "knowledge.model", "Content": "knowledge.model",
    "Decision": "knowledge.model", "Detail": "knowledge.model", "DocForm": "knowledge.model",
    "Document": "knowledge.model", "Match": "knowledge.model", "Office": "knowledge.model",
    "Procedure": "knowledge.model",
    "fold": "knowledge.normalize", "normalize_text": "knowledge.normalize",
    "load_source": "knowledge.source", "validate_source": "knowledge.source",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        try:  # a submodule, as `import knowledge` used to load them all
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
