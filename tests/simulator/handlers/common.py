# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by the create operations: client tokens."""
from __future__ import annotations

import re

from simulator.context import Context
from simulator.errors import invalid_argument

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def check_client_token(token: str | None) -> str | None:
    """client_token must be a UUID (reference §3.1)."""
    if token is not None and not UUID.match(token):
        raise invalid_argument("client_token {token} is not a UUID.", token=token)
    return token.lower() if token else None


def earlier_create(ctx: Context, kind: str, token: str | None, known: dict) -> str | None:
    """The id an earlier create with the same token and user returned, if that object still exists."""
    if token is None:
        return None
    created = ctx.store.client_tokens.get((kind, ctx.user or "", token))
    return created if created in known else None


def remember_create(ctx: Context, kind: str, token: str | None, created: str) -> None:
    if token is not None:
        ctx.store.client_tokens[(kind, ctx.user or "", token)] = created
