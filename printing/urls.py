"""Which web addresses may become a QR code on the slip (and be saved by the admin).

A QR code is followed without reading it, so an address in the content must be an
official one: https, on a government domain. ``gov.vn`` is reserved for state bodies
(registration goes through VNNIC with an official letter), so every host under it is
a government host; a look-alike such as ``dichvucong-gov.vn`` or
``dichvucong.gov.vn.example.com`` is not under it. Wards that link to another official
domain add it with ``KIOSK_URL_DOMAINS`` (comma-separated, e.g. ``gov.vn,hanoi.gov.vn``).
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

DEFAULT_DOMAINS = ("gov.vn",)
MAX_URL = 500  # QR version 15-M holds ~ 400 bytes; the longest shipped address is 94


def allowed_domains() -> tuple[str, ...]:
    raw = os.environ.get("KIOSK_URL_DOMAINS", "")
    domains = tuple(d.strip().lower().lstrip(".") for d in raw.split(",") if d.strip())
    return domains or DEFAULT_DOMAINS


def url_problem(url: str, domains: tuple[str, ...] | None = None) -> str | None:
    """None when the address may be shown and encoded; otherwise why not, in Vietnamese."""
    domains = domains or allowed_domains()
    text = (url or "").strip()
    if len(text) > MAX_URL:
        return f"địa chỉ quá dài (tối đa {MAX_URL} ký tự)"
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        return "địa chỉ không được có dấu cách hay ký tự điều khiển"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return "địa chỉ web không hợp lệ"
    if parts.scheme.lower() != "https":
        return "địa chỉ phải bắt đầu bằng https:// (trang chính thức, có mã hóa)"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "địa chỉ không được chứa tên đăng nhập hay dấu @"
    host = (parts.hostname or "").rstrip(".")
    if not host or not host.isascii():
        return "tên miền phải viết bằng chữ không dấu (ví dụ dichvucong.gov.vn)"
    if port not in (None, 443):
        return "địa chỉ không được chỉ định cổng riêng"
    if not any(host == d or host.endswith("." + d) for d in domains):
        return f"chỉ nhận trang của cơ quan nhà nước ({', '.join(domains)}); '{host}' không thuộc danh sách"
    return None


def safe_url(url: str | None) -> str | None:
    """The address if it passes url_problem, else None (the caller falls back to the national portal)."""
    if url and url_problem(url) is None:
        return url.strip()
    return None
