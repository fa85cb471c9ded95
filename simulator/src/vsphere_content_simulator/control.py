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

from vsphere_content_simulator import downloads
from vsphere_content_simulator.otherhost import OtherHost
from vsphere_content_simulator.routes import OPERATIONS
from vsphere_content_simulator.state import BAD_BODIES, FAULT_ACTIONS, Fault, Store

PREFIX = "/_sim"
FAULT_FIELDS = {
    "action",
    "method",
    "path",
    "operation",
    "skip",
    "count",
    "every",
    "when",
    "status",
    "drop",
    "seconds",
    "body",
    "target",
    "after_bytes",
    "offset",
    "message",
}
OPERATION_NAMES = {operation.name for operation in OPERATIONS} | {"unknown"}


def _bad(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


def _int(body: dict[str, Any], name: str, default: int, minimum: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer of at least {minimum}")
    return value


def parse_fault(body: Any) -> Fault:  # pylint: disable=too-many-branches
    """A Fault from a POST /_sim/faults body; ValueError names what is wrong."""
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    unknown = set(body) - FAULT_FIELDS
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    method = body.get("method", "*")
    path = body.get("path", ".*")
    drop = body.get("drop", False)
    if not isinstance(drop, bool):
        raise ValueError("drop must be a boolean")
    action = body.get("action") or ("drop" if drop else "status" if "status" in body else None)
    if action not in FAULT_ACTIONS:
        raise ValueError(f"action must be one of {', '.join(FAULT_ACTIONS)} (or give status, or drop: true)")
    if drop and action != "drop" or action == "drop" and "status" in body:
        raise ValueError("give exactly one of status and drop: true")
    if not isinstance(method, str) or not method:
        raise ValueError("method must be an HTTP method or '*'")
    if not isinstance(path, str):
        raise ValueError("path must be a regular expression string")
    try:
        pattern = re.compile(path)
    except re.error as exc:
        raise ValueError(f"path is not a valid regular expression: {exc}") from None
    operation = body.get("operation")
    if operation is not None and operation not in OPERATION_NAMES:
        raise ValueError(f"operation must be one of {', '.join(sorted(OPERATION_NAMES))}")
    every = body.get("every", False)
    when = body.get("when", "before")
    if not isinstance(every, bool):
        raise ValueError("every must be a boolean")
    if when not in ("before", "after"):
        raise ValueError("when must be before or after")
    fault = Fault(
        action=action,
        method=method.upper(),
        pattern=pattern,
        operation=operation,
        skip=_int(body, "skip", 0, 0),
        count=_int(body, "count", 1, 1),
        every=every,
        when=when,
    )
    status = body.get("status")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
        raise ValueError("status must be an integer")
    if action == "status":
        if status is None or not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
    elif action == "body":
        if body.get("body") not in BAD_BODIES:
            raise ValueError(f"body must be one of {', '.join(BAD_BODIES)}")
        fault.body = body["body"]
        status = 200 if status is None else status
        if not 200 <= status <= 299:
            raise ValueError("a body fault answers a 2xx status")
    elif action == "redirect":
        target = body.get("target", "other")
        if not isinstance(target, str) or not (target in ("other", "http") or re.match(r"^https?://[^/]+$", target)):
            raise ValueError("target must be other, http or an origin such as https://127.0.0.2:8443")
        fault.target = target
        status = 307 if status is None else status
        if status not in (301, 302, 303, 307, 308):
            raise ValueError("a redirect answers 301, 302, 303, 307 or 308")
    elif action == "delay":
        seconds = body.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds <= 3600:
            raise ValueError("seconds must be a number of seconds (0-3600)")
        fault.seconds = float(seconds)
    elif action in downloads.SERVE_FAULTS + downloads.PREPARE_FAULTS:
        downloads.parse_fault(fault, body)
        return fault
    elif action == "drop_upload":
        if body.get("after_bytes") is None:
            raise ValueError("after_bytes is required")
        fault.after_bytes = _int(body, "after_bytes", 0, 0)
    elif status is not None:
        raise ValueError(f"status does not apply to a {action} fault")
    fault.status = status
    return fault


async def ensure_other_host(store: Store) -> OtherHost:
    """Start the other host unless it runs already."""
    if store.other_host is None:
        other = OtherHost()
        await other.start(store.tls.other_host_context() if store.tls else None)
        store.other_host = other
    return store.other_host


def register(app: web.Application, store: Store) -> None:
    async def get_log(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        return web.json_response({"entries": list(store.log)})

    async def clear_log(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        store.log.clear()
        store.logins = 0
        store.logouts = 0
        return web.Response(status=204)

    async def stats(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        return web.json_response(
            {"logins": store.logins, "logouts": store.logouts, "open_login_sessions": store.open_login_sessions(), **downloads.stats(store)}
        )

    async def add_fault(request: web.Request) -> web.Response:
        try:
            fault = parse_fault(json.loads(await request.read() or b"null"))
        except ValueError as exc:
            return _bad(f"invalid fault: {exc}")
        if fault.action == "redirect" and fault.target in ("other", "http"):
            await ensure_other_host(store)
        store.faults.append(fault)
        return web.json_response(fault.to_json(), status=201)

    async def list_faults(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        return web.json_response({"faults": [fault.to_json() for fault in store.faults]})

    async def clear_faults(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        store.faults.clear()
        return web.Response(status=204)

    async def get_settings(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        return web.json_response(store.settings)

    async def set_settings(request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read() or b"null")
        except ValueError:
            return _bad("invalid settings: not JSON")
        if not isinstance(body, dict) or set(body) - set(store.settings):
            return _bad(f"invalid settings: give an object with some of {', '.join(store.settings)}")
        rate = body.get("upload_rate_limit", 0)
        if isinstance(rate, bool) or not isinstance(rate, int) or rate < 0:
            return _bad("invalid settings: upload_rate_limit must be a number of bytes per second, 0 for none")
        if body.get("upload_host", "main") not in ("main", "other"):
            return _bad("invalid settings: upload_host must be main or other")
        problem = downloads.check_settings(body)
        if problem is not None:
            return _bad("invalid settings: " + problem)
        if "other" in (body.get("upload_host"), body.get("download_host")):
            await ensure_other_host(store)
        store.settings.update(body)
        return web.json_response(store.settings)

    async def start_other_host(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        return web.json_response((await ensure_other_host(store)).to_json())

    async def get_other_host(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        other = store.other_host
        return web.json_response(dict(other.to_json(), running=True) if other else {"running": False})

    async def other_host_log(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        return web.json_response({"entries": list(store.other_host.log) if store.other_host else []})

    async def clear_other_host_log(request: web.Request) -> web.Response:  # pylint: disable=unused-argument
        if store.other_host:
            store.other_host.log.clear()
        return web.Response(status=204)

    async def unknown(request: web.Request) -> web.Response:
        return web.json_response({"error": f"no control endpoint {request.method} {request.path}"}, status=404)

    app.router.add_get(PREFIX + "/log", get_log)
    app.router.add_delete(PREFIX + "/log", clear_log)
    app.router.add_get(PREFIX + "/stats", stats)
    app.router.add_post(PREFIX + "/faults", add_fault)
    app.router.add_get(PREFIX + "/faults", list_faults)
    app.router.add_delete(PREFIX + "/faults", clear_faults)
    app.router.add_get(PREFIX + "/settings", get_settings)
    app.router.add_patch(PREFIX + "/settings", set_settings)
    app.router.add_post(PREFIX + "/other-host", start_other_host)
    app.router.add_get(PREFIX + "/other-host", get_other_host)
    app.router.add_get(PREFIX + "/other-host/log", other_host_log)
    app.router.add_delete(PREFIX + "/other-host/log", clear_other_host_log)
    app.router.add_route("*", PREFIX, unknown)
    app.router.add_route("*", PREFIX + "/{tail:.*}", unknown)
