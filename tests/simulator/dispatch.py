# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one aiohttp handler behind every API path: route, log, fault, authenticate, run, render."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from simulator import lifecycle
from simulator.context import Context
from simulator.errors import STATUS_ERROR, Message, VapiError, error
from simulator.flavors import collect_params, error_response, flavor_of, read_json_body, success_response
from simulator.handlers.auth import authenticate
from simulator.router import Match, MethodNotAllowed, Router
from simulator.schema import validate
from simulator.state import Fault, Store

LOG = logging.getLogger("simulator.api")


def take_fault(store: Store, method: str, path: str) -> Fault | None:
    """The first pending fault matching a request, counted down and forgotten once spent."""
    for fault in store.faults:
        if fault.method in ("*", method) and fault.pattern.search(path):
            fault.count -= 1
            if fault.count <= 0:
                store.faults.remove(fault)
            return fault
    return None


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
            "method": request.method, "path": request.path, "query": request.query_string, "status": None,
            "flavor": flavor, "operation": "unknown", "write": False, "user": None,
        }
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
            fault = take_fault(store, request.method, request.path)
            if fault is not None and fault.drop:
                dropped = True
                response = self.drop(request)
            elif fault is not None:
                response = self.fault_response(request, fault, flavor)
            elif match is not None:
                response = await self.run(ctx, match)
            elif routing_error is not None:
                raise routing_error
        except MethodNotAllowed as exc:
            response = error_response(exc, flavor)
            response.headers["Allow"] = ", ".join(exc.allowed)
        except VapiError as exc:
            response = error_response(exc, flavor)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # A bug must still answer with a vAPI error, never a traceback page or a hang.
            LOG.exception("%s %s failed", request.method, request.path)
            response = error_response(error("error", "com.vmware.vapi.simulator.internal_error",
                                            "The simulator failed on this request: {kind}.", kind=type(exc).__name__), flavor)
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
        body = await read_json_body(ctx.request) if match.route.body is not None else None
        params = validate(collect_params(match.route, ctx.request, match.path_params, body), operation.params)
        result = await operation.handler(ctx, params)
        response = success_response(result, ctx.flavor, operation.created)
        for name, value in ctx.cookies.items():
            response.set_cookie(name, value, path="/", httponly=True, secure=self.store.config.tls)
        return response

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
        err = VapiError(STATUS_ERROR.get(status, "error"),
                        Message("com.vmware.vapi.simulator.injected_fault",
                                "Fault injected by the simulator: HTTP {status} for {method} {path}.",
                                status=status, method=request.method, path=request.path),
                        status=status)
        return error_response(err, flavor)
