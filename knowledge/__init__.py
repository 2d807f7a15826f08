"""Content, matching and answers. No Kivy, no audio."""
from knowledge.base import AskResult, KnowledgeBase
from knowledge.errors import ContentInvalid, ContentNotFound, KnowledgeError, Problem, UnknownProcedure
from knowledge.model import Answer, Category, Content, Decision, Detail, DocForm, Document, Match, Office, Procedure
from knowledge.normalize import fold, normalize_text
from knowledge.source import load_source, validate_source

__all__ = [
    "Answer", "AskResult", "Category", "Content", "ContentInvalid", "ContentNotFound", "Decision", "Detail",
    "DocForm", "Document", "KnowledgeBase", "KnowledgeError", "Match", "Office", "Problem", "Procedure",
    "UnknownProcedure", "fold", "load_source", "normalize_text", "validate_source",
]
