"""What the admin app is started with (paths, cookie security, matching thresholds, proxies)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AdminSettings:
    """The admin's start-up settings (``kiosk admin serve`` builds them from the config and flags)."""

    db_path: Path
    content_dir: Path
    secure_cookies: bool = False
    """Mark cookies Secure (only when the admin is served over HTTPS, e.g. behind a TLS proxy)."""
    answer_threshold: float | None = None
    clarify_threshold: float | None = None
    trusted_proxies: tuple[str, ...] = ()
    """Addresses of a reverse proxy in front of the admin; only from these is X-Forwarded-For believed
    (else every login would seem to come from the proxy, and the limiter would block everyone at once).
    Also read from KIOSK_ADMIN_TRUSTED_PROXIES (comma-separated)."""

