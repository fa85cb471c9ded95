# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one aiohttp handler behind every API path: route, log, fault, authenticate, run, render."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import Any

from aiohttp import web

from vsphere_content_simulator import lifecycle
from vsphere_content_simulator.context import Context
from vsphere_content_simulator.errors import STATUS_ERROR, Message, VapiError, error
from vsphere_content_simulator.flavors import collect_params, error_response, flavor_of, read_json_body, success_response
from vsphere_content_simulator.handlers.auth import SESSION_HEADER, authenticate
from vsphere_content_simulator.router import Match, MethodNotAllowed, Router
from vsphere_content_simulator.schema import validate
from vsphere_content_simulator.state import Fault, Store

LOG = logging.getLogger("simulator.api")


def take_fault(store: Store, method: str, path: str, operation: str) -> Fault | None:
    """The first pending fault matching a request, after its skips, counted down and forgotten once spent."""
    for fault in store.faults:
        if fault.method not in ("*", method) or not fault.pattern.search(path):
            continue
        if fault.operation is not None and fault.operation != operation:
            continue
        fault.seen += 1
        if fault.seen <= fault.skip:
            continue
        fault.hits += 1
        if not fault.every and fault.hits >= fault.count:
            store.faults.remove(fault)
        return fault
    return None


BAD_BODY = {
    "html": ("text/html", b"<html><head><title>502 Proxy Error</title></head><body>Proxy Error</body></html>"),
    "empty": ("application/json", b""),
    "truncated": ("application/json", b'{"value": {"name": "trunc'),
    "null": ("application/json", b"null"),
    "value_null": ("application/json", b'{"value": null}'),
    "list": ("application/json", b"[]"),
}


class Dispatcher:
    """Serves every path outside /_sim from the operation table, and logs each request."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.router = Router(store.config.serves)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp handler: whatever happens, a vAPI answer (or a dropped connection) and a log entry."""
        store = self.store
        flavor = flavor_of(request.path)
        ctx = Context(store, request, flavor)
        entry: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "query": request.query_string,
            "status": None,
            "flavor": flavor,
            "operation": "unknown",
            "write": False,
            "user": None,
            "session_header": SESSION_HEADER in request.headers,
            "authorization": "Authorization" in request.headers,
            "body_sha1": None,
            "fault": None,
        }
        ctx.log_entry = entry
        match: Match | None = None
        dropped = False
        routing_error: VapiError | None = None
        try:
            match = self.router.match(request.method, request.rel_url.raw_path, request.query, flavor)
            entry["operation"] = match.operation.name
            entry["write"] = match.operation.write
        except VapiError as exc:
            routing_error = exc
        try:
            if store.config.latency_ms:
                await asyncio.sleep(store.config.latency_ms / 1000)
            lifecycle.sweep(store)
            fault = take_fault(store, request.method, request.path, entry["operation"])
            if fault is not None:
                entry["fault"] = fault.id
                ctx.fault = fault
            replaces = fault is not None and fault.action in ("status", "drop", "body", "redirect")
            if fault is not None and fault.when == "before" and fault.action == "delay":
                await asyncio.sleep(fault.seconds)
            if fault is not None and fault.action == "expire_session":
                # As if the login session had expired: this request and every later one with the token get 401.
                store.login_sessions.pop(request.headers.get(SESSION_HEADER, ""), None)
            if fault is not None and fault.action == "drop_upload":
                ctx.drop_after = fault.after_bytes
            if fault is not None and replaces and fault.when == "before":
                response = self.fault_answer(request, fault, flavor)
            else:
                try:
                    if match is not None:
                        response = await self.run(ctx, match)
                    elif routing_error is not None:
                        raise routing_error
                except VapiError as exc:
                    if fault is None or fault.when != "after":
                        raise
                    response = error_response(exc, flavor)
                if fault is not None and fault.when == "after":
                    if fault.action == "delay":
                        await asyncio.sleep(fault.seconds)
                    elif replaces:
                        response = self.fault_answer(request, fault, flavor)
            dropped = fault is not None and fault.action == "drop"
        except MethodNotAllowed as exc:
            response = error_response(exc, flavor)
            response.headers["Allow"] = ", ".join(exc.allowed)
        except VapiError as exc:
            response = error_response(exc, flavor)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # A bug must still answer with a vAPI error, never a traceback page or a hang.
            LOG.exception("%s %s failed", request.method, request.path)
            response = error_response(
                error("error", "com.vmware.vapi.simulator.internal_error", "The simulator failed on this request: {kind}.", kind=type(exc).__name__), flavor
            )
        dropped = dropped or ctx.dropped
        entry["user"] = ctx.user
        entry["status"] = 0 if dropped else response.status
        store.log.append(entry)
        LOG.debug("%s %s -> %s (%s) user=%s", request.method, request.path, response.status, entry["operation"], ctx.user)
        return response

    async def run(self, ctx: Context, match: Match) -> web.StreamResponse:
        """Authenticate, read and validate the parameters, call the handler, render its result."""
        operation = match.operation
        if operation.auth == "session":
            authenticate(ctx)
        body = None
        if match.route.body is not None:
            body = await read_json_body(ctx.request)
            if body is not None and ctx.log_entry is not None:
                ctx.log_entry["body_sha1"] = hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest()
        params = validate(collect_params(match.route, ctx.request, match.path_params, body), operation.params)
        result = await operation.handler(ctx, params)
        if isinstance(result, web.StreamResponse):
            # The download endpoint streamed its own answer.
            return result
        response = success_response(result, ctx.flavor, operation.created)
        for name, value in ctx.cookies.items():
            response.set_cookie(name, value, path="/", httponly=True, secure=self.store.config.tls)
        return response

    def fault_answer(self, request: web.Request, fault: Fault, flavor: str | None) -> web.StreamResponse:
        if fault.action == "drop":
            return self.drop(request)
        if fault.action == "body":
            content_type, payload = BAD_BODY[fault.body or "empty"]
            LOG.info("fault answers %s %s with a %s body", request.method, request.path, fault.body)
            return web.Response(status=int(fault.status or 200), body=payload, content_type=content_type)
        if fault.action == "redirect":
            return self.redirect(request, fault)
        return self.fault_response(request, fault, flavor)

    def redirect(self, request: web.Request, fault: Fault) -> web.StreamResponse:
        """A redirect to the same path and query on another origin."""
        other = self.store.other_host
        target = fault.target or "other"
        origin = {"other": other.https_url if other else "", "http": other.http_url if other else ""}.get(target, target)
        LOG.info("fault redirects %s %s to %s", request.method, request.path, origin)
        return web.Response(status=int(fault.status or 307), headers={"Location": origin + request.rel_url.raw_path_qs})

    @staticmethod
    def drop(request: web.Request) -> web.StreamResponse:
        """Close the connection without answering (the log shows status 0)."""
        LOG.info("fault drops %s %s", request.method, request.path)
        if request.transport is not None:
            request.transport.abort()
        # Never sent: aiohttp finds the connection closed and discards it.
        return web.Response(status=503)

    @staticmethod
    def fault_response(request: web.Request, fault: Fault, flavor: str | None) -> web.StreamResponse:
        """The vAPI error of the fault's status, in the request's flavour."""
        LOG.info("fault %s answers %s %s", fault.status, request.method, request.path)
        status = int(fault.status or 500)
        err = VapiError(
            STATUS_ERROR.get(status, "error"),
            Message(
                "com.vmware.vapi.simulator.injected_fault",
                "Fault injected by the simulator: HTTP {status} for {method} {path}.",
                status=status,
                method=request.method,
                path=request.path,
            ),
            status=status,
        )
        return error_response(err, flavor)
