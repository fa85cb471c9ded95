# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test-control API under /_sim: request log, counters and fault injection.

It is plain JSON, needs no login, and is outside /api and /rest so that no
client of the vSphere API can reach it by accident.
"""
from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from simulator.state import Fault, Store

PREFIX = "/_sim"


def _bad(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


def parse_fault(body: Any) -> Fault:
    """A Fault from a POST /_sim/faults body; ValueError names what is wrong."""
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    method = body.get("method", "*")
    path = body.get("path", ".*")
    count = body.get("count", 1)
    status = body.get("status")
    drop = body.get("drop", False)
    if not isinstance(method, str) or not method:
        raise ValueError("method must be an HTTP method or '*'")
    if not isinstance(path, str):
        raise ValueError("path must be a regular expression string")
    try:
        pattern = re.compile(path)
    except re.error as exc:
        raise ValueError(f"path is not a valid regular expression: {exc}") from None
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError("count must be a positive integer")
    if not isinstance(drop, bool):
        raise ValueError("drop must be a boolean")
    if drop == (status is not None):
        raise ValueError("give exactly one of status and drop: true")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599):
        raise ValueError("status must be an HTTP error status (400-599)")
    return Fault(method=method.upper(), pattern=pattern, count=count, status=status, drop=drop)


def register(app: web.Application, store: Store) -> None:
    async def get_log(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        return web.json_response({"entries": list(store.log)})

    async def clear_log(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        store.log.clear()
        store.logins = 0
        store.logouts = 0
        return web.Response(status=204)

    async def stats(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        return web.json_response({"logins": store.logins, "logouts": store.logouts,
                                  "open_login_sessions": store.open_login_sessions()})

    async def add_fault(request: web.Request) -> web.Response:
        try:
            fault = parse_fault(json.loads(await request.read() or b"null"))
        except ValueError as exc:
            return _bad(f"invalid fault: {exc}")
        store.faults.append(fault)
        return web.json_response(fault.to_json(), status=201)

    async def list_faults(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        return web.json_response({"faults": [fault.to_json() for fault in store.faults]})

    async def clear_faults(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        store.faults.clear()
        return web.Response(status=204)

    async def unknown(request: web.Request) -> web.Response:
        return web.json_response({"error": f"no control endpoint {request.method} {request.path}"}, status=404)

    app.router.add_get(PREFIX + "/log", get_log)
    app.router.add_delete(PREFIX + "/log", clear_log)
    app.router.add_get(PREFIX + "/stats", stats)
    app.router.add_post(PREFIX + "/faults", add_fault)
    app.router.add_get(PREFIX + "/faults", list_faults)
    app.router.add_delete(PREFIX + "/faults", clear_faults)
    app.router.add_route("*", PREFIX, unknown)
    app.router.add_route("*", PREFIX + "/{tail:.*}", unknown)
