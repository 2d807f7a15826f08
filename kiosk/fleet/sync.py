"""`kiosk sync`: follow the province hub — poll, verify, merge with the ward's layer, publish.

One poll:

1. GET <hub_url>/bundles/latest.json with If-None-Match (a 304 costs ~200 bytes);
2. verify the envelope's Ed25519 signature with the configured province key;
3. if its version is newer than the last applied one, GET <version>/content.tar.gz and
   check its size and SHA-256 against the signed manifest, unpack it safely;
4. merge: province content + the ward's layer (kiosk.fleet.layer) + the ward's office;
5. validate the result with the content-source rules and publish it as a new local
   content version (source "province"); the running app picks it up between citizens
   as it does an admin publish (its content check, kiosk/app/main.py), the admin shows it
   in the version list.

Anything wrong — hub down, tampered, truncated or unsigned bundle, merged content
invalid — is one log line and the last good content keeps answering. Only the newest
bundle matters, so a kiosk that was off for a week catches up in one poll.
"""
from __future__ import annotations

import json
import logging
import socket
import tempfile
import time
from dataclasses import dataclass
from typing import Callable

import sqlite_utils

from kiosk.config import Config
from kiosk.fleet import http
from kiosk.fleet import layer as layers
from knowledge import bundle
from knowledge.errors import ContentInvalid, KnowledgeError
from knowledge.export import export_content
from knowledge.model import Content
from knowledge.serialize import content_from_dict, content_to_dict
from knowledge.source import load_source
from knowledge.store import open_content, open_db, publish, read_content

log = logging.getLogger("kiosk.fleet.sync")

MIN_POLL_SECONDS = 1  # poll_seconds = 0 (a typo) must not spin; tests and a LAN hub may poll every second


@dataclass(frozen=True)
class SyncResult:
    status: str  # applied | current | not-modified | refused | unreachable | disabled
    message: str
    version: int | None = None  # the province version now applied (None: none yet)
    content_version: str | None = None  # the local content version published (applied only)

    @property
    def ok(self) -> bool:
        return self.status in ("applied", "current", "not-modified", "disabled")


class FleetConfigError(KnowledgeError):
    """The [fleet] section cannot work as written (no key, unreadable key)."""


def bundles_url(config: Config) -> str:
    return config.fleet.hub_url.strip().rstrip("/") + "/bundles"


def public_key(config: Config):
    if not config.fleet.public_key.strip():
        raise FleetConfigError("fleet.public_key chưa đặt: cần khóa công khai của tỉnh (province.pub) "
                               "/ fleet.public_key is not set")
    try:
        return bundle.load_public_key(config.fleet.public_key.strip())
    except bundle.BundleError as exc:
        raise FleetConfigError(f"fleet.public_key: {exc}") from None


def validated(data: dict) -> Content:
    """``data`` through the content-source rules (the same round trip as the admin's publish)."""
    with tempfile.TemporaryDirectory(prefix="kiosk-sync-") as tmp:
        export_content(content_from_dict(data), tmp)
        return load_source(tmp)


def _imported_base(db: sqlite_utils.Database) -> dict | None:
    """The content the ward's own edits started from: the newest version that was an import
    (`kiosk content import`, the first fill), not an admin publish, a rollback or a bundle."""
    row = next(db.query(
        "SELECT snapshot FROM content_versions WHERE source NOT IN ('admin', 'province') "
        "AND source NOT LIKE 'rollback:%' ORDER BY id DESC LIMIT 1"), None)
    return json.loads(row["snapshot"]) if row else None


def _first_layer(db: sqlite_utils.Database, config: Config) -> None:
    """Joining a hub: the ward's edits so far (its live content against the content it last
    imported, else the shipped source) become its layer, so nothing it wrote is lost."""
    if layers.get_state(db, "layer_initialised"):
        return
    try:
        base = _imported_base(db) or content_to_dict(load_source(config.paths.content_dir))
        live = content_to_dict(read_content(db))
    except KnowledgeError as exc:
        log.warning("ward edits before joining the hub not carried over: %s", exc)
    else:
        layer = layers.record_edits(layers.load_layer(db), base=base, new=live, province=base, user="")
        layers.save_layer(db, layer)
        if not layer.empty:
            log.info("ward edits kept as local overrides: %d", layer.count())
    layers.set_state(db, layer_initialised="1")


def _layer_mark(db: sqlite_utils.Database) -> str:
    """Changes when the ward's layer or office changes (an admin publish in between)."""
    layer = layers.load_layer(db)
    return json.dumps([sorted((c, f, json.dumps(o.value, ensure_ascii=False)) for c, per in layer.overrides.items()
                              for f, o in per.items()), layer.local_procedures, layer.notices, layer.categories,
                       layer.hidden_notices,
                       content_to_dict(read_content(db))["office"]], ensure_ascii=False, sort_keys=True)


def apply_bundle(db: sqlite_utils.Database, config: Config, manifest: bundle.Manifest, province: Content) -> str:
    """Merge a verified province content with the ward's layer and office and publish it."""
    prov = content_to_dict(province)
    note = f"tỉnh {manifest.province} phiên bản {manifest.version}" + (f": {manifest.note}" if manifest.note else "")
    for _ in range(3):
        with layers.write_transaction(db):  # reads, then _first_layer may write: see knowledge.store.write_transaction
            _first_layer(db, config)
            mark = _layer_mark(db)
            office = content_to_dict(read_content(db))["office"]
            merged = layers.merge(prov, layers.load_layer(db), office)
        try:
            content = validated(merged)  # seconds: outside any transaction, the admin keeps working
        except ContentInvalid as exc:
            first = exc.problems[0] if exc.problems else ""
            raise bundle.BundleError(f"province version {manifest.version} with the ward's overrides is not valid "
                                     f"({len(exc.problems)} problems, first: {first})") from None
        with layers.write_transaction(db):
            if _layer_mark(db) != mark:
                continue  # staff published meanwhile: merge again with their edits
            version = publish(db, content, source="province", author="hub", note=note)
            layers.set_state(db, province_version=str(manifest.version), province=manifest.province,
                             province_manifest=json.dumps(manifest.to_dict(), ensure_ascii=False),
                             province_snapshot=json.dumps(prov, ensure_ascii=False), applied_at=layers._now())
            return version
    raise bundle.BundleError("the ward's content kept changing while the bundle was applied; retrying next poll")


def republish(db: sqlite_utils.Database, *, author: str, note: str) -> str | None:
    """The live content again from the stored province content and the current layer (after an
    override was dropped or confirmed); None when no province bundle was applied yet."""
    prov = layers.province_content(db)
    if prov is None:
        return None
    office = content_to_dict(read_content(db))["office"]
    content = validated(layers.merge(prov, layers.load_layer(db), office))
    return publish(db, content, source="admin", author=author, note=note)


def _record_check(db: sqlite_utils.Database, status: str, message: str) -> None:
    layers.set_state(db, last_check=layers._now(), last_status=status, last_message=message[:300])


def sync_once(config: Config, db: sqlite_utils.Database | None = None) -> SyncResult:
    """One poll of the hub; never raises for network or bundle problems (FleetConfigError for a bad config)."""
    if not config.fleet.enabled:
        return SyncResult("disabled", "no hub configured (fleet.hub_url is empty)")
    key = public_key(config)
    if db is None:
        db = open_db(config.paths.db_path)
        open_content(db, config.paths.content_dir)  # a fresh kiosk starts from its shipped content
    layers.ensure_schema(db)
    applied = layers.province_version(db)
    base = bundles_url(config)
    try:
        reply = http.get(f"{base}/{bundle.LATEST_FILE}", etag=layers.get_state(db, "etag"),
                         last_modified=layers.get_state(db, "last_modified"), max_bytes=bundle.MAX_ENVELOPE_BYTES)
    except http.HubError as exc:
        msg = f"hub unreachable, keeping province version {applied}: {exc}"
        log.warning(msg)
        _record_check(db, "unreachable", msg)
        return SyncResult("unreachable", msg, applied)
    if reply.status == 304:
        _record_check(db, "not-modified", "latest.json not modified")
        return SyncResult("not-modified", "latest.json not modified", applied)
    try:
        manifest = bundle.verify_envelope(reply.body, key)
    except bundle.BundleError as exc:
        return _refused(db, f"bundle refused (latest.json): {exc}", applied)
    if applied is not None and manifest.version <= applied:
        # remember the validator only for an envelope that checked out
        layers.set_state(db, etag=reply.etag, last_modified=reply.last_modified)
        msg = f"province version {applied} is current (hub latest {manifest.version})"
        _record_check(db, "current", msg)
        return SyncResult("current", msg, applied)
    try:
        archive = http.get(f"{base}/{manifest.version}/{manifest.content_file}", max_bytes=manifest.content_bytes,
                           timeout=max(http.TIMEOUT_S, 60.0)).body
    except http.HubError as exc:
        msg = f"bundle {manifest.version} not downloaded, keeping province version {applied}: {exc}"
        log.warning(msg)
        _record_check(db, "unreachable", msg)
        return SyncResult("unreachable", msg, applied)
    try:
        province = bundle.read_content(archive, manifest)
        version = apply_bundle(db, config, manifest, province)
    except bundle.BundleError as exc:
        return _refused(db, f"bundle {manifest.version} refused: {exc}", applied)
    layers.set_state(db, etag=reply.etag, last_modified=reply.last_modified, last_refusal=None)
    msg = f"province version {manifest.version} applied as content version {version}"
    log.info(msg)
    _record_check(db, "applied", msg)
    return SyncResult("applied", msg, manifest.version, version)


def _refused(db: sqlite_utils.Database, message: str, applied: int | None) -> SyncResult:
    msg = f"{message}; keeping province version {applied}"
    # One ERROR line per refusal; the same bundle refused again at every poll is not news.
    if layers.get_state(db, "last_refusal") != msg:
        log.error(msg)
    else:
        log.info("still refusing: %s", message)
    layers.set_state(db, last_refusal=msg)
    _record_check(db, "refused", msg)
    return SyncResult("refused", msg, applied)


def kiosk_id(config: Config) -> str:
    return config.fleet.kiosk_id.strip() or socket.gethostname()


def run_loop(config: Config, *, once: bool = False, sleep: Callable[[float], None] = time.sleep,
             on_result: Callable[[SyncResult], None] | None = None) -> SyncResult:
    """Poll every ``fleet.poll_seconds``; also send finished days' statistics (at most hourly)."""
    from kiosk.fleet import stats

    db = open_db(config.paths.db_path)
    open_content(db, config.paths.content_dir)
    layers.ensure_schema(db)
    last_stats: float | None = None
    while True:
        try:
            result = sync_once(config, db)
        except FleetConfigError:
            raise  # the config must be fixed: exit (systemd retries and logs it)
        except Exception as exc:  # a locked database, a full disk: this round is lost, not the service
            if once:
                raise
            log.error("sync round failed, retrying in %s s: %s", config.fleet.poll_seconds, exc)
            result = SyncResult("refused", f"sync round failed: {exc}", layers.province_version(db))
        if on_result:
            on_result(result)
        if config.fleet.send_stats and (once or last_stats is None
                                        or time.monotonic() - last_stats >= stats.RETRY_SECONDS):
            try:
                stats.send_pending(config, db)
            except Exception as exc:
                log.error("statistics round failed: %s", exc)
            last_stats = time.monotonic()
        if once:
            return result
        sleep(max(MIN_POLL_SECONDS, config.fleet.poll_seconds))
