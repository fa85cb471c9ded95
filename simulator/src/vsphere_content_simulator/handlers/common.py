# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by the handlers of update and download sessions: client tokens, listings, endpoints."""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable

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


def own_session_ids(ctx: Context, params: dict[str, Any], sessions: Iterable[Any]) -> list[str]:
    """The caller's sessions only, optionally for one item (404 for an unknown one)."""
    item_id = params.get("library_item_id")
    if item_id is not None:
        ctx.store.item(item_id)
    return [s.id for s in sessions if s.user == ctx.user and (item_id is None or s.item_id == item_id)]


def endpoint_base(ctx: Context, setting: str) -> str:
    """The scheme and host of the endpoints given out: this host, or the other host when ``setting`` says so.

    The main host serves the same paths too: only the URI given out changes.
    """
    store = ctx.store
    if store.settings[setting] == "other" and store.other_host is not None:
        return store.other_host.https_url
    return ctx.base_url
