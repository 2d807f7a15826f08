"""The admin's errors: each carries a message a ward clerk can act on."""
from __future__ import annotations


class AdminError(Exception):
    """Base class; the CLI prints it as one line ``Lỗi: …``, the web pages as a notice."""


class AuthError(AdminError):
    """Wrong name or password (deliberately the same message for both)."""


class RateLimited(AdminError):
    """Too many failed logins from this address or for this account."""
