# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a handler gets besides its parameters: the store, the request and who is calling."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vsphere_content_simulator.state import Store


@dataclass
class Context:
    """The request being handled, its flavour, and the caller once authenticated."""

    store: Store
    request: Any
    flavor: str | None
    user: str | None = None
    token: str | None = None
    # Cookies the response sets (the login cookie).
    cookies: dict[str, str] = field(default_factory=dict)
    # The request's log entry; a drop_upload fault's byte count; whether the connection was dropped.
    log_entry: dict[str, Any] | None = None
    drop_after: int | None = None
    dropped: bool = False
    # The fault that hit the request, for the handlers that act on it (downloads.py).
    fault: Any = None

    @property
    def base_url(self) -> str:
        """This server as the client reached it, for the upload endpoints it hands out."""
        return f"{self.request.scheme}://{self.request.host}"
