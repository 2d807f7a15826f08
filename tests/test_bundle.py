"""Signed content bundles (knowledge.bundle): real Ed25519 keys, real tar.gz, real files."""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import os
import stat
import tarfile
from pathlib import Path

import pytest

from knowledge import bundle
from knowledge.bundle import BundleError
from knowledge.serialize import canonical_json
from knowledge.source import load_source


@pytest.fixture
def keys(tmp_path: Path):
    key_path, pub_path = bundle.generate_keypair(tmp_path / "keys")
    return bundle.load_private_key(key_path), pub_path


@pytest.fixture
def built(tmp_path: Path, mini_content: Path, keys):
    private, pub = keys
    out = tmp_path / "bundles"
    m = bundle.build_bundle(load_source(mini_content), province="79", version=1, note="lần đầu",
                            private_key=private, out_dir=out)
    return out, m, pub


def _without_office(content) -> dict:
    d = json.loads(canonical_json(content))
    d.pop("office")
    return d


def test_keypair_files_and_permissions(tmp_path: Path, keys):
    key_path = tmp_path / "keys" / "province.key"
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert (tmp_path / "keys" / "province.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    with pytest.raises(BundleError, match="already exists"):
        bundle.generate_keypair(tmp_path / "keys")  # never overwrite the province key


def test_round_trip(built, mini_content: Path):
    out, m, pub = built
    assert sorted(p.name for p in out.iterdir()) == ["1", "latest.json"]
    assert (out / "latest.json").read_bytes() == (out / "1" / "bundle.json").read_bytes()
    got = bundle.verify_envelope((out / "latest.json").read_bytes(), pub)
    assert got == m and got.version == 1 and got.province == "79" and got.note == "lần đầu"
    assert got.procedures == 5 and got.published_at.endswith("Z")
    archive = (out / "1" / got.content_file).read_bytes()
    assert got.content_bytes == len(archive) and got.content_sha256 == hashlib.sha256(archive).hexdigest()
    content = bundle.read_content(archive, got)
    assert _without_office(content) == _without_office(load_source(mini_content))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        names = set(tar.getnames())
    assert "office.yaml" not in names and "procedures/1.001193.yaml" in names and "catalogue.csv" in names


def test_public_key_as_pem_text(built):
    out, m, pub = built
    assert bundle.verify_envelope((out / "latest.json").read_bytes(), pub.read_text()) == m


def test_same_content_packs_to_same_bytes(mini_content: Path):
    c = load_source(mini_content)
    assert bundle.pack_content(c) == bundle.pack_content(c)


def test_versions_are_immutable_and_only_move_forward(built, mini_content: Path, keys):
    out, m, pub = built
    private, _ = keys
    before = (out / "1" / "content.tar.gz").read_bytes()
    c = load_source(mini_content)
    with pytest.raises(BundleError, match="immutable"):
        bundle.build_bundle(c, province="79", version=1, note="lại", private_key=private, out_dir=out)
    assert (out / "1" / "content.tar.gz").read_bytes() == before
    bundle.build_bundle(c, province="79", version=3, note="", private_key=private, out_dir=out)
    with pytest.raises(BundleError, match="not newer"):
        bundle.build_bundle(c, province="79", version=2, note="", private_key=private, out_dir=out)
    assert bundle.verify_envelope((out / "latest.json").read_bytes(), pub).version == 3
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_tampered_manifest_is_refused(built):
    out, m, pub = built
    env = json.loads((out / "latest.json").read_bytes())
    env["manifest"]["note"] = "đã sửa"
    with pytest.raises(BundleError, match="tampered"):
        bundle.verify_envelope(json.dumps(env).encode(), pub)
    env = json.loads((out / "latest.json").read_bytes())
    env["manifest"]["version"] = 99
    with pytest.raises(BundleError, match="tampered"):
        bundle.verify_envelope(json.dumps(env).encode(), pub)


def test_tampered_archive_is_refused(built):
    out, m, pub = built
    archive = bytearray((out / "1" / "content.tar.gz").read_bytes())
    archive[len(archive) // 2] ^= 0xFF
    with pytest.raises(BundleError, match="tampered"):
        bundle.read_content(bytes(archive), m)
    with pytest.raises(BundleError, match="tampered"):
        bundle.read_content(bytes(archive) + b"x", m)


def test_truncated_archive_is_refused(built):
    out, m, pub = built
    archive = (out / "1" / "content.tar.gz").read_bytes()
    with pytest.raises(BundleError, match="truncated"):
        bundle.read_content(archive[: len(archive) // 2], m)
    with pytest.raises(BundleError, match="truncated"):
        bundle.read_content(b"", m)


@pytest.mark.parametrize("data", [
    b"", b"<html>502 Bad Gateway</html>", b"\xff\xfe\x00", b"[]", b'{"manifest": 1}',
])
def test_garbage_envelope_is_refused(built, data: bytes):
    _, _, pub = built
    with pytest.raises(BundleError):
        bundle.verify_envelope(data, pub)


def test_unsigned_envelope_is_refused(built):
    out, m, pub = built
    env = json.loads((out / "latest.json").read_bytes())
    for bad in ("", None, "!!!not base64"):
        env["signature"] = bad
        with pytest.raises(BundleError, match="unsigned|base64"):
            bundle.verify_envelope(json.dumps(env).encode(), pub)
    del env["signature"]
    with pytest.raises(BundleError, match="unsigned"):
        bundle.verify_envelope(json.dumps(env).encode(), pub)


def test_wrong_key_is_refused(built, tmp_path: Path):
    out, m, pub = built
    _, other_pub = bundle.generate_keypair(tmp_path / "other")
    data = (out / "latest.json").read_bytes()
    with pytest.raises(BundleError, match="wrong key"):
        bundle.verify_envelope(data, other_pub)
    # an attacker who copies the expected key id still fails the signature check
    env = json.loads(data)
    env["key_id"] = bundle.key_id(bundle.load_public_key(other_pub))
    with pytest.raises(BundleError, match="wrong key"):
        bundle.verify_envelope(json.dumps(env).encode(), other_pub)


def test_bad_public_key_is_a_clear_error(tmp_path: Path, built):
    out, _, _ = built
    with pytest.raises(BundleError, match="cannot read the public key"):
        bundle.verify_envelope((out / "latest.json").read_bytes(), tmp_path / "none.pub")
    with pytest.raises(BundleError, match="invalid public key"):
        bundle.load_public_key("-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----")


def _signed_archive(archive: bytes, private, **fields) -> bundle.Manifest:
    """A manifest the province key really signed for ``archive`` (a hostile or buggy hub)."""
    return bundle.Manifest(format=1, province="79", version=2, published_at="2026-12-02T00:00:00Z",
                           content_file="content.tar.gz", content_sha256=hashlib.sha256(archive).hexdigest(),
                           content_bytes=len(archive), procedures=1, note="", **fields)


def _tar(entries: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return buf.getvalue()


def _file(name: str, data: bytes = b"x: 1\n") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


@pytest.mark.parametrize("name", ["../evil.yaml", "procedures/../../evil.yaml", "/etc/passwd", "procedures/a/b.yaml",
                                  "office.yaml", "run.sh", "procedures\\..\\x.yaml"])
def test_path_traversal_and_stray_files_are_refused(tmp_path: Path, keys, name: str):
    private, _ = keys
    archive = _tar([_file("categories.yaml", b"- code: a\n  name: A\n"), _file(name)])
    with pytest.raises(BundleError, match="unsafe path|unexpected file"):
        bundle.read_content(archive, _signed_archive(archive, private))
    assert not (tmp_path / "evil.yaml").exists() and not (tmp_path.parent / "evil.yaml").exists()


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.FIFOTYPE])
def test_links_and_devices_are_refused(keys, kind):
    private, _ = keys
    info = tarfile.TarInfo("procedures/1.001193.yaml")
    info.type = kind
    info.linkname = "/etc/passwd"
    archive = _tar([_file("categories.yaml"), (info, b"")])
    with pytest.raises(BundleError, match="links"):
        bundle.read_content(archive, _signed_archive(archive, private))


def test_oversized_member_is_refused(keys):
    private, _ = keys
    archive = _tar([_file("procedures/1.001193.yaml", b"a" * (bundle.MAX_FILE_BYTES + 1))])
    with pytest.raises(BundleError, match="too large"):
        bundle.read_content(archive, _signed_archive(archive, private))


def test_signed_but_invalid_content_is_refused(keys):
    private, _ = keys
    archive = _tar([_file("categories.yaml", b"- code: a\n  name: A\n"),
                    _file("procedures/1.001193.yaml", b"code: [broken\n")])
    with pytest.raises(BundleError, match="bad content"):
        bundle.read_content(archive, _signed_archive(archive, private))
    not_gzip = b"plain text, not an archive"
    with pytest.raises(BundleError, match="broken archive"):
        bundle.read_content(not_gzip, _signed_archive(not_gzip, private))


def test_future_format_is_refused_with_a_hint(built, keys):
    out, m, pub = built
    private, _ = keys
    newer = dataclasses.replace(m, format=2)
    with pytest.raises(BundleError, match="unsupported bundle format"):
        bundle.verify_envelope(bundle.sign_envelope(newer, private), pub)


def test_manifest_with_unsafe_content_file_is_refused(built, keys):
    out, m, pub = built
    private, _ = keys
    for bad in ("../../etc/passwd", "a/b.tar.gz", ""):
        with pytest.raises(BundleError, match="content_file"):
            bundle.verify_envelope(bundle.sign_envelope(dataclasses.replace(m, content_file=bad), private), pub)


def test_signature_covers_the_documented_bytes(built):
    """The wire format in FLEET.md: a verifier in another language can check it."""
    out, m, pub = built
    env = json.loads((out / "latest.json").read_bytes())
    signed = json.dumps(env["manifest"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    bundle.load_public_key(pub).verify(base64.b64decode(env["signature"]), signed)
    assert env["key_id"] == bundle.key_id(bundle.load_public_key(pub)) and len(env["key_id"]) == 16


def test_shipped_content_bundle_size(tmp_path: Path, keys):
    """The real content packs small enough to poll cheaply (figure quoted in docs/fleet.md)."""
    from kiosk.config import PathsConfig

    private, pub = keys
    c = load_source(PathsConfig().content_dir)
    m = bundle.build_bundle(c, province="79", version=1, note="", private_key=private, out_dir=tmp_path / "b")
    assert m.content_bytes < 1024 * 1024
    got = bundle.read_content((tmp_path / "b" / "1" / "content.tar.gz").read_bytes(), m)
    assert _without_office(got) == _without_office(c)
    assert os.path.getsize(tmp_path / "b" / "latest.json") < 2048
