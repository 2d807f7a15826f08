"""Errors of the hub: one line, Vietnamese first, English after a slash (like kiosk.admin.errors)."""
from __future__ import annotations


class HubError(Exception):
    """A user-facing error of the province hub."""


class DatabaseUnavailable(HubError):
    """PostgreSQL cannot be reached or refused the connection."""
