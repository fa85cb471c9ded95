# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's settings, as given on the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_USERNAME = "administrator@vsphere.local"


@dataclass
class Config:  # pylint: disable=too-many-instance-attributes
    """Every command-line setting; see README.md for their meaning."""

    host: str = "127.0.0.1"
    port: int = 0
    tls: bool = True
    flavor: str = "both"
    username: str = DEFAULT_USERNAME
    password: str = ""
    extra_users: dict[str, str] = field(default_factory=dict)
    session_ttl: float = 1800.0
    max_sessions: int = 100
    update_session_timeout: float = 300.0
    terminal_session_retention: float = 600.0
    latency_ms: int = 0
    # Bytes per second per upload connection; 0 is unlimited.
    upload_rate_limit: int = 0
    # Keep only the bytes of the files the simulator reads (.ovf, .mf, .cert): for upload benchmarks.
    discard_content: bool = False
    other_host: bool = False
    upload_host: str = "main"
    log_level: str = "info"
    # Download sessions, prepare, copy (downloads.py).
    download_session_timeout: float = 300.0
    prepare_latency: float = 0.2
    copy_latency: float = 0.2
    # Bytes per second per download connection; 0 is unlimited.
    download_rate_limit: int = 0
    download_host: str = "main"
    exit_with_parent: bool = False
    # --env FILE: where to write the export lines, or None.
    env_file: str | None = None
    # --seed FILE, checked (a seed.Seed), or None; --no-default-seed makes default_seed False.
    seed: Any = None
    default_seed: bool = True

    def serves(self, flavor: str) -> bool:
        """Whether this simulator answers the given URL flavour."""
        return self.flavor in ("both", flavor)
