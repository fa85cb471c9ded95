# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""API login sessions (reference §1): Basic-auth login, the session token, info and logout."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
from typing import Any

from vsphere_content_simulator.context import Context
from vsphere_content_simulator.errors import VapiError, error
from vsphere_content_simulator.state import LoginSession, iso_time

SESSION_HEADER = "vmware-api-session-id"


def unauthenticated(template: str, **values: Any) -> VapiError:
    return error("unauthenticated", "com.vmware.vapi.endpoint.method.authentication.required", template, **values)


def session_token(ctx: Context) -> str | None:
    """The token of a request: the header, or else the cookie of the same name."""
    return ctx.request.headers.get(SESSION_HEADER) or ctx.request.cookies.get(SESSION_HEADER) or None


def authenticate(ctx: Context, required: bool = True) -> None:
    """Identify the caller from its session token; 401 when it is missing (if required), unknown or expired."""
    token = session_token(ctx)
    if token is None:
        if required:
            raise unauthenticated("This operation requires an authenticated session: send the {header} header.", header=SESSION_HEADER)
        return
    login_session = ctx.store.login_sessions.get(token)
    if login_session is None:
        raise unauthenticated("The session is unknown or has expired; log in again.")
    login_session.last_accessed = time.time()
    ctx.user = login_session.user
    ctx.token = token


def _basic_credentials(ctx: Context) -> tuple[str, str]:
    header = ctx.request.headers.get("Authorization", "")
    scheme, encoded = header.split(" ", 1) if " " in header else (header, "")
    if scheme.lower() != "basic" or not encoded.strip():
        raise unauthenticated("Log in with HTTP Basic authentication.")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise unauthenticated("The Basic authorization header cannot be decoded.") from None
    username, sep, password = decoded.partition(":")
    if not sep:
        raise unauthenticated("The Basic authorization header cannot be decoded.")
    return username, password


async def login(ctx: Context, params: dict[str, Any]) -> Any:  # pylint: disable=unused-argument
    store = ctx.store
    username, password = _basic_credentials(ctx)
    expected = store.users.get(username)
    if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
        # Name the user, never the password.
        raise unauthenticated("Authentication failed for user {user}.", user=username)
    if store.open_login_sessions() >= store.config.max_sessions:
        raise error(
            "service_unavailable",
            "com.vmware.vapi.endpoint.failedToLoginMaxSessionCountReached",
            "The maximum of {limit} open sessions is reached; log out unused sessions.",
            limit=store.config.max_sessions,
        )
    token = secrets.token_hex(16)
    now = time.time()
    store.login_sessions[token] = LoginSession(token=token, user=username, created=now, last_accessed=now)
    store.logins += 1
    ctx.user = username
    ctx.token = token
    # vCenter sets the cookie too unless the client asks for header-only authentication.
    if ctx.request.headers.get("vmware-use-header-authn", "").lower() != "true":
        ctx.cookies[SESSION_HEADER] = token
    return token


async def info(ctx: Context, params: dict[str, Any]) -> Any:  # pylint: disable=unused-argument
    if ctx.token is None:
        # Never: session.get is authenticated (auth="session"), which sets the token.
        raise unauthenticated("This operation requires an authenticated session: send the {header} header.", header=SESSION_HEADER)
    login_session = ctx.store.login_sessions[ctx.token]
    return {
        "user": login_session.user,
        "created_time": iso_time(login_session.created),
        "last_accessed_time": iso_time(login_session.last_accessed),
    }


async def logout(ctx: Context, params: dict[str, Any]) -> Any:  # pylint: disable=unused-argument
    if ctx.token is not None:
        ctx.store.login_sessions.pop(ctx.token, None)
    ctx.store.logouts += 1
    return None
