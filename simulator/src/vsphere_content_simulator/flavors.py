# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two URL flavours' adapters: request parameters in, responses out.

Handlers see one set of parameter names and return plain results; this module
knows that /rest wraps results in ``{"value": ...}``, answers 200 everywhere,
takes its parameters as the fields of a JSON object (``create_spec``,
``file_name``...) and encodes maps as key/value lists, while /api sends the
spec itself as the body, answers 201/204 and returns bare JSON (reference §6).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from vsphere_content_simulator.errors import Message, VapiError, error

API = "api"
REST = "rest"
FLAVORS = (API, REST)

# Route.body values: FIELDS means the body is an object whose fields are
# parameters; any other string names the one parameter the whole body is.
FIELDS = "*"

JSON_TYPE = "application/json"
# Bodies of API calls are small specs; uploads do not go through read_json_body.
MAX_JSON_BODY = 1024 * 1024


def flavor_of(path: str) -> str | None:
    """The flavour a request path belongs to, or None outside /api and /rest."""
    for flavor in FLAVORS:
        if path == "/" + flavor or path.startswith("/" + flavor + "/"):
            return flavor
    return None


def dumps(value: Any, flavor: str | None) -> str:
    def encode(obj: Any) -> Any:
        if isinstance(obj, Message):
            return obj.to_json(flavor)
        raise TypeError(f"cannot encode {type(obj).__name__}")

    return json.dumps(value, default=encode)


def json_response(value: Any, status: int, flavor: str | None) -> web.Response:
    return web.Response(status=status, text=dumps(value, flavor), content_type=JSON_TYPE)


def error_body(err: VapiError, flavor: str | None) -> dict[str, Any]:
    value: dict[str, Any] = {
        "error_type": err.error_type.upper(),
        "messages": [message.to_json(flavor) for message in err.messages],
    }
    if flavor == REST:
        return {"type": "com.vmware.vapi.std.errors." + err.error_type, "value": value}
    return value


def error_response(err: VapiError, flavor: str | None) -> web.Response:
    return json_response(error_body(err, flavor), err.status, flavor)


def success_response(result: Any, flavor: str | None, created: bool) -> web.Response:
    """200 ``{"value": ...}`` on /rest; 201/200 or 204 for no result on /api."""
    if flavor == REST:
        if result is None:
            return web.Response(status=200)
        return json_response({"value": result}, 200, flavor)
    if result is None:
        return web.Response(status=204 if flavor == API else 200)
    return json_response(result, 201 if created else 200, flavor)


async def read_json_body(request: web.Request) -> Any:
    """The request's JSON body, None when empty; invalid_request when unreadable."""
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise error(
            "invalid_request", "vapi.bindings.typeconverter.fromjson.too.large", "The request body is larger than {limit} bytes.", limit=MAX_JSON_BODY
        ) from None
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        # ValueError covers undecodable bytes too; RecursionError is what very deep nesting raises.
        raise error(
            "invalid_request", "vapi.bindings.typeconverter.fromjson.invalid.json", "The request body is not valid JSON: {reason}.", reason=str(exc)
        ) from None


def collect_params(route: Any, request: web.Request, path_params: dict[str, str], body: Any) -> dict[str, Any]:
    """Gather an operation's parameters from the path, query, headers and body of a request."""
    params: dict[str, Any] = {}
    if route.body == FIELDS and body is not None:
        if not isinstance(body, dict):
            raise error(
                "invalid_request",
                "vapi.bindings.typeconverter.fromjson.not.object",
                "The request body must be a JSON object, not {kind}.",
                kind=type(body).__name__,
            )
        params.update(body)
    elif route.body and body is not None:
        params[route.body] = body
    for name in route.query:
        if name in request.query:
            value = request.query[name]
            params[name] = int(value) if name in route.ints and value.lstrip("-").isdigit() else value
    for header, name in route.headers:
        if header in request.headers:
            params[name] = request.headers[header]
    # The URL names the resource: a body field cannot override it.
    params.update(path_params)
    return params
