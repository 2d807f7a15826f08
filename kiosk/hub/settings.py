"""The hub's settings: its PostgreSQL URL, signing keys, bundle directory, cookie and pool options (from `kiosk hub`)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.hub import content as hub_content


@dataclass(frozen=True)
class HubSettings:
    database_url: str
    keys_dir: Path
    bundles_dir: Path
    secure_cookies: bool = False
    pool_size: int = 8

    @property
    def paths(self) -> hub_content.HubPaths:
        return hub_content.HubPaths(self.keys_dir, self.bundles_dir)

