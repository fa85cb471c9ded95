# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by the create operations: client tokens."""

from __future__ import annotations

import re
from typing import Any, Callable

from vsphere_content_simulator.context import Context
from vsphere_content_simulator.errors import invalid_argument

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def check_client_token(token: str | None) -> str | None:
    """client_token must be a UUID (reference §3.1)."""
    if token is not None and not UUID.match(token):
        raise invalid_argument("client_token {token} is not a UUID.", token=token)
    return token.lower() if token else None


def create_once(ctx: Context, kind: str, params: dict[str, Any], known: dict, make: Callable[[str | None], str]) -> str:
    """Run a create operation idempotently on its client_token (reference §3.1).

    ``make(token)`` creates the object and returns its id. A token seen before, from
    the same user and for an object that still exists, returns that id instead.
    """
    token = check_client_token(params.get("client_token"))
    if token is None:
        return make(None)
    key = (kind, ctx.user or "", token)
    if ctx.store.client_tokens.get(key) in known:
        return ctx.store.client_tokens[key]
    created = make(token)
    ctx.store.client_tokens[key] = created
    return created
