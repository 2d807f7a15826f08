"""Signed, immutable content bundles: what a province hub publishes and ward kiosks apply.

A bundle is two static files under ``<bundles>/<version>/`` plus a pointer to the newest:

    <version>/content.tar.gz   the province's share of the content, in the source format
    <version>/bundle.json      the signed envelope: manifest + Ed25519 signature + key id
    latest.json                a copy of the newest version's envelope

The archive holds exactly what ``knowledge.export.export_content`` writes, minus
``office.yaml`` (the office, its counters and hours are always the ward's own):

    categories.yaml  notices.yaml  catalogue.csv  families.yaml (when any)
    procedures/<code>.yaml  redirects/<code>.yaml

Nothing else is accepted on the way in (no links, no other paths), so a bundle can
never write outside a temporary directory. The manifest carries the archive's size and
SHA-256, and the signature covers the manifest, so one signature check plus one hash
check prove the whole bundle came from the holder of the province key unchanged.
Pure: no network, no database (docs/fleet.md, "Ward kiosks").
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from knowledge.errors import ContentInvalid, KnowledgeError
from knowledge.export import export_content
from knowledge.model import Content, Detail
from knowledge.source import MAX_CSV_BYTES, MAX_FILE_BYTES, load_source

BUNDLE_FORMAT = 1
CONTENT_FILE = "content.tar.gz"
ENVELOPE_FILE = "bundle.json"
LATEST_FILE = "latest.json"
PRIVATE_KEY_FILE = "province.key"
PUBLIC_KEY_FILE = "province.pub"

# Caps on what a bundle may make a kiosk download and unpack. The shipped content
# (213 procedures + 13 redirects + catalogue) packs to about 0.2 MB and unpacks to
# about 1 MB; the whole national catalogue of ~2,000 procedures written up in full
# would be ~10 MB. The caps leave a wide margin over that and stop a gzip bomb.
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_MEMBERS = 20_000
MAX_ENVELOPE_BYTES = 64 * 1024  # a manifest is ~400 bytes

TOP_FILES = ("categories.yaml", "notices.yaml", "catalogue.csv", "families.yaml")
_MEMBER_RE = re.compile(r"^(procedures|redirects)/[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

# load_source needs an office.yaml; a bundle has none. This stand-in is replaced by the
# ward's own office when the kiosk merges the bundle (kiosk.fleet.merge).
PLACEHOLDER_OFFICE_YAML = 'name: "Văn phòng của phường"\naddress: "—"\nhours: "—"\ncounters: []\n'


class BundleError(KnowledgeError):
    """A bundle that must not be applied; the message says why in one line."""


@dataclass(frozen=True)
class Manifest:
    format: int
    province: str
    version: int
    published_at: str  # ISO 8601 UTC, e.g. 2026-12-02T03:00:00Z
    content_file: str  # relative to the version directory
    content_sha256: str
    content_bytes: int
    procedures: int  # written-up procedures (not catalogue rows)
    note: str

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def signed_bytes(self) -> bytes:
        """Exactly the bytes the signature covers (FLEET.md)."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------- keys

def generate_keypair(dir: Path) -> tuple[Path, Path]:
    """Write province.key (PEM PKCS#8, mode 0600) and province.pub (PEM) into ``dir``.

    Refuses to overwrite: replacing the key would make every kiosk refuse every
    later bundle until its config is changed by hand."""
    dir = Path(dir)
    dir.mkdir(parents=True, exist_ok=True)
    key_path, pub_path = dir / PRIVATE_KEY_FILE, dir / PUBLIC_KEY_FILE
    if key_path.exists() or pub_path.exists():
        raise BundleError(f"khóa đã có trong {dir}, không ghi đè / key pair already exists")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    pub_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
    return key_path, pub_path


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise BundleError(f"không đọc được khóa ký {path}: {exc} / cannot read the private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise BundleError(f"{path} không phải khóa Ed25519 / not an Ed25519 key")
    return key


def load_public_key(path_or_pem: str | Path | bytes | Ed25519PublicKey) -> Ed25519PublicKey:
    """The province's public key from a PEM file path, PEM text, or a key object."""
    if isinstance(path_or_pem, Ed25519PublicKey):
        return path_or_pem
    if isinstance(path_or_pem, bytes):
        pem = path_or_pem
    elif isinstance(path_or_pem, str) and "-----BEGIN" in path_or_pem:
        pem = path_or_pem.strip().encode("ascii", "replace")
    else:
        try:
            pem = Path(path_or_pem).read_bytes()
        except OSError as exc:
            raise BundleError(f"không đọc được khóa công khai {path_or_pem}: {exc.strerror} / cannot read the public key") from exc
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise BundleError(f"khóa công khai không hợp lệ / invalid public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise BundleError("khóa công khai không phải Ed25519 / public key is not Ed25519")
    return key


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


# ---------------------------------------------------------------- building

def _utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def pack_content(content: Content) -> bytes:
    """The province's share of ``content`` as a reproducible tar.gz (same content → same bytes)."""
    with tempfile.TemporaryDirectory(prefix="bundle-") as tmp:
        root = Path(tmp)
        export_content(content, root)
        (root / "office.yaml").unlink()
        files = sorted(p for p in root.rglob("*") if p.is_file())
        buf = io.BytesIO()
        # mtime 0 in gzip and tar headers, fixed owner and mode: the hash depends on the content only.
        with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for path in files:
                    data = path.read_bytes()
                    info = tarfile.TarInfo(path.relative_to(root).as_posix())
                    info.size, info.mode, info.mtime = len(data), 0o644, 0
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    tar.addfile(info, io.BytesIO(data))
        return buf.getvalue()


def sign_envelope(manifest: Manifest, private_key: Ed25519PrivateKey) -> bytes:
    signature = private_key.sign(manifest.signed_bytes())
    envelope = {"manifest": manifest.to_dict(), "signature": base64.b64encode(signature).decode("ascii"),
                "key_id": key_id(private_key.public_key())}
    return (json.dumps(envelope, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _latest_version(out_dir: Path) -> int | None:
    try:
        return int(json.loads((out_dir / LATEST_FILE).read_bytes())["manifest"]["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def build_bundle(content: Content, *, province: str, version: int, note: str, private_key: Ed25519PrivateKey,
                 out_dir: Path, published_at: str | None = None) -> Manifest:
    """Write ``out_dir/<version>/`` (archive + envelope), then point ``latest.json`` at it.

    A version directory is never rewritten, and a version not above the current latest
    is refused (kiosks only move forward: a province rollback is a new version holding
    the old content)."""
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise BundleError(f"số phiên bản phải là số nguyên ≥ 1 / version must be an integer ≥ 1: {version!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / str(version)
    if final.exists():
        raise BundleError(f"phiên bản {version} đã phát hành, không ghi lại / version {version} already exists (immutable)")
    latest = _latest_version(out_dir)
    if latest is not None and version <= latest:
        raise BundleError(f"phiên bản {version} không mới hơn phiên bản mới nhất {latest} / version not newer than latest")
    archive = pack_content(content)
    manifest = Manifest(
        format=BUNDLE_FORMAT, province=province, version=version, published_at=published_at or _utc_now(),
        content_file=CONTENT_FILE, content_sha256=hashlib.sha256(archive).hexdigest(), content_bytes=len(archive),
        procedures=sum(p.detail is Detail.FULL for p in content.procedures), note=note,
    )
    envelope = sign_envelope(manifest, private_key)
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".{version}."))
    try:
        (staging / CONTENT_FILE).write_bytes(archive)
        (staging / ENVELOPE_FILE).write_bytes(envelope)
        os.chmod(staging, 0o755)
        os.rename(staging, final)  # atomic: a web server never serves half a version dir
    except OSError as exc:
        for p in staging.glob("*"):
            p.unlink()
        staging.rmdir()
        raise BundleError(f"không ghi được phiên bản {version}: {exc} / cannot write the bundle") from exc
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".latest.")
    with os.fdopen(fd, "wb") as f:
        f.write(envelope)
    os.chmod(tmp, 0o644)
    os.replace(tmp, out_dir / LATEST_FILE)
    return manifest


# ---------------------------------------------------------------- verifying

def _manifest_from_dict(d: object) -> Manifest:
    if not isinstance(d, dict):
        raise BundleError("bản kê không hợp lệ / malformed manifest")
    names = {f.name: f.type for f in dataclasses.fields(Manifest)}
    missing = [n for n in names if n not in d]
    if missing:
        raise BundleError(f"bản kê thiếu trường {', '.join(missing)} / manifest field missing")
    ints = ("format", "version", "content_bytes", "procedures")
    for n in names:
        v = d[n]
        ok = (isinstance(v, int) and not isinstance(v, bool)) if n in ints else isinstance(v, str)
        if not ok:
            raise BundleError(f"bản kê: trường {n} sai kiểu / manifest field {n} has the wrong type")
    m = Manifest(**{n: d[n] for n in names})
    if m.format != BUNDLE_FORMAT:
        raise BundleError(f"định dạng gói {m.format} không hỗ trợ (cần {BUNDLE_FORMAT}) — cập nhật phần mềm kiosk / unsupported bundle format")
    if m.version < 1 or m.content_bytes < 0 or m.content_bytes > MAX_ARCHIVE_BYTES:
        raise BundleError("bản kê: phiên bản hoặc kích thước không hợp lệ / bad version or size")
    if "/" in m.content_file or "\\" in m.content_file or m.content_file in ("", ".", ".."):
        raise BundleError("bản kê: tên tệp nội dung không hợp lệ / bad content_file")
    if not _HEX64.match(m.content_sha256):
        raise BundleError("bản kê: mã băm không hợp lệ / bad content_sha256")
    return m


def verify_envelope(data: bytes, public_key: Ed25519PublicKey | str | Path) -> Manifest:
    """The manifest of an envelope whose signature checks out against ``public_key``."""
    public_key = load_public_key(public_key)
    if len(data) > MAX_ENVELOPE_BYTES:
        raise BundleError("bản kê quá lớn / envelope too large")
    try:
        env = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BundleError("gói không có chữ ký hợp lệ: không phải JSON / unsigned or garbage envelope (not JSON)") from None
    if not isinstance(env, dict) or not isinstance(env.get("manifest"), dict):
        raise BundleError("gói không có bản kê / envelope has no manifest")
    sig = env.get("signature")
    if not isinstance(sig, str) or not sig:
        raise BundleError("gói chưa được ký / unsigned bundle")
    try:
        signature = base64.b64decode(sig, validate=True)
    except ValueError:
        raise BundleError("chữ ký không đọc được / signature is not base64") from None
    expected = key_id(public_key)
    if env.get("key_id") not in (None, expected):
        raise BundleError(f"gói được ký bằng khóa khác ({str(env.get('key_id'))[:16]}, cần {expected}) / wrong key")
    signed = json.dumps(env["manifest"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    try:
        public_key.verify(signature, signed)
    except InvalidSignature:
        raise BundleError("chữ ký không khớp: gói bị sửa hoặc sai khóa / bad signature (tampered or wrong key)") from None
    return _manifest_from_dict(env["manifest"])


def _member_ok(name: str) -> bool:
    return name in TOP_FILES or bool(_MEMBER_RE.match(name))


def _unpack(archive: bytes, dest: Path) -> None:
    """Write the archive's files under ``dest``; refuse anything but the known file names."""
    seen: set[str] = set()
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            for i, member in enumerate(tar):
                if i >= MAX_MEMBERS:
                    raise BundleError(f"gói có quá {MAX_MEMBERS} tệp / too many files")
                name = member.name
                if member.isdir() and name.rstrip("/") in ("procedures", "redirects"):
                    continue
                if name.startswith("/") or "\\" in name or ".." in name.split("/"):
                    raise BundleError(f"gói có đường dẫn không an toàn: {name!r} / unsafe path")
                if not member.isfile():
                    raise BundleError(f"gói có mục không phải tệp thường: {name!r} / links and devices are refused")
                if not _member_ok(name):
                    raise BundleError(f"gói có tệp lạ: {name!r} / unexpected file")
                if name in seen:
                    raise BundleError(f"gói có tệp trùng tên: {name!r} / duplicate file")
                seen.add(name)
                cap = MAX_CSV_BYTES if name == "catalogue.csv" else MAX_FILE_BYTES
                total += member.size
                if member.size > cap or total > MAX_UNPACKED_BYTES:
                    raise BundleError(f"tệp {name} quá lớn / file too large")
                f = tar.extractfile(member)
                data = f.read(cap + 1) if f is not None else b""
                if len(data) != member.size:
                    raise BundleError(f"tệp {name} bị cắt cụt / truncated member")
                path = dest / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
        raise BundleError(f"tệp nén hỏng / broken archive: {exc}") from exc


def check_archive(archive: bytes, manifest: Manifest) -> None:
    """Size then hash, so the log says 'truncated' for a short download and 'tampered' otherwise."""
    if len(archive) < manifest.content_bytes:
        raise BundleError(f"tệp nội dung bị cắt cụt ({len(archive)}/{manifest.content_bytes} byte) / truncated archive")
    if len(archive) != manifest.content_bytes:
        raise BundleError(f"tệp nội dung sai kích thước ({len(archive)}≠{manifest.content_bytes} byte) / tampered archive")
    if hashlib.sha256(archive).hexdigest() != manifest.content_sha256:
        raise BundleError("tệp nội dung không khớp mã băm đã ký: bị sửa / tampered archive (sha256 mismatch)")


def read_content(archive: bytes, manifest: Manifest) -> Content:
    """The province content in a verified manifest's archive.

    The returned office is a placeholder: the ward's own office replaces it."""
    check_archive(archive, manifest)
    with tempfile.TemporaryDirectory(prefix="bundle-read-") as tmp:
        root = Path(tmp)
        _unpack(archive, root)
        if not (root / "categories.yaml").is_file():
            raise BundleError("gói thiếu categories.yaml / bad content: categories.yaml missing")
        (root / "office.yaml").write_text(PLACEHOLDER_OFFICE_YAML, encoding="utf-8")
        try:
            return load_source(root)
        except ContentInvalid as exc:
            first = exc.problems[0] if exc.problems else ""
            raise BundleError(f"nội dung trong gói không hợp lệ ({len(exc.problems)} lỗi, đầu tiên: {first}) / bad content") from exc
        except KnowledgeError as exc:
            raise BundleError(f"nội dung trong gói không hợp lệ: {exc} / bad content") from exc
