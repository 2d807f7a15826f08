"""A snapshot of the national procedure database (Cơ sở dữ liệu quốc gia về TTHC), read and drafted from.

The snapshot is reference data staff hand to the tools (``kiosk content audit``, the admin
page "Đối chiếu CSDL quốc gia"); the kiosk never reads it at run time. The work is split by job:

* :mod:`knowledge.national_records` — the official records (catalogue and details shapes) and
  reading a snapshot (JSONL, gzip or plain) into a :class:`Snapshot`;
* :mod:`knowledge.national_text` — words and numbers in the portal's free text (fees, days);
* :mod:`knowledge.national_draft` — an official detail record → a *draft* written-up procedure.

This module keeps every public name importable from ``knowledge.national``, where the audit,
the CLI and the admin pages import them. It only re-exports: the draft needs the records, so
the records cannot live here without an import cycle.
"""
from __future__ import annotations

from knowledge.national_draft import (
    CATEGORY_WORDS,
    CHANNEL_LABEL,
    CHANNEL_ORDER,
    DEFAULT_CATEGORY,
    category_map,
    draft_from_national,
    guess_category,
    procedure_from_record,
    short_agency,
)
from knowledge.national_records import (
    COMPLETE_CATALOGUE,
    HOURS_PER_DAY,
    PORTAL,
    NationalError,
    NationalProcedure,
    OfficialDocument,
    OfficialFee,
    OfficialTime,
    Snapshot,
    add_records,
    iter_records,
    national_from_record,
    read_snapshot,
    read_snapshot_bytes,
)
from knowledge.national_text import amounts_in_text, days_in_text, first_sentence

__all__ = [
    "CATEGORY_WORDS", "CHANNEL_LABEL", "CHANNEL_ORDER", "COMPLETE_CATALOGUE", "DEFAULT_CATEGORY", "HOURS_PER_DAY",
    "PORTAL", "NationalError", "NationalProcedure", "OfficialDocument", "OfficialFee", "OfficialTime", "Snapshot",
    "add_records", "amounts_in_text", "category_map", "days_in_text", "draft_from_national", "first_sentence",
    "guess_category", "iter_records", "national_from_record", "procedure_from_record", "read_snapshot",
    "read_snapshot_bytes", "short_agency",
]
