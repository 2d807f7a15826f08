"""The ward admin's publish when the ward follows a province hub: edits become the ward's layer.

The admin's draft/publish workflow stays as it is; only what is published changes. Once a
province bundle has been applied (``following``), publishing a draft records what staff
changed in the layer (kiosk.fleet.layer.record_edits) and publishes the province content
merged with that layer — so the same edits are re-applied on top of every later bundle.
A ward that never received a bundle publishes its draft exactly as before.
"""
from __future__ import annotations

import json

import sqlite_utils

from kiosk.fleet import layer as layers
from knowledge.model import Content
from knowledge.serialize import content_to_dict


def province_version(db: sqlite_utils.Database) -> int | None:
    """The province version applied here; None for a ward on its own (the tables exist only once `kiosk sync` ran)."""
    return layers.province_version(db) if "fleet_state" in db.table_names() else None


def following(db: sqlite_utils.Database) -> bool:
    return province_version(db) is not None


def base_snapshot(db: sqlite_utils.Database, version: str | None) -> dict | None:
    if not version:
        return None
    row = next(db.query("SELECT snapshot FROM content_versions WHERE version = ? ORDER BY id DESC LIMIT 1", [version]),
               None)
    return json.loads(row["snapshot"]) if row else None


def layered(db: sqlite_utils.Database, *, base_version: str | None, live: Content, edited: Content,
            user: str) -> tuple[dict, layers.Layer]:
    """(content dict to publish, new layer) for a draft begun at ``base_version`` and validated as ``edited``."""
    province = layers.province_content(db)
    assert province is not None, "following() first"
    base = base_snapshot(db, base_version) or content_to_dict(live)
    new = content_to_dict(edited)
    layer = layers.record_edits(layers.load_layer(db), base=base, new=new, province=province, user=user)
    return layers.merge(province, layer, new["office"]), layer
