# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vAPI standard errors and localizable messages, independent of the URL flavour.

flavors.py turns them into the /api or the /rest JSON shape (reference §6).
"""

from __future__ import annotations

from typing import Any

# Reference §6.3. resource_busy is 500 as in the official docs and the /api
# spec; timed_out follows the runtime's map (504).
ERROR_STATUS = {
    "already_exists": 400,
    "concurrent_change": 409,
    "error": 500,
    "invalid_argument": 400,
    "invalid_element_type": 400,
    "invalid_request": 400,
    "not_allowed_in_current_state": 400,
    "not_found": 404,
    "operation_not_found": 404,
    "resource_busy": 500,
    "resource_inaccessible": 500,
    "service_unavailable": 503,
    "timed_out": 504,
    "unauthenticated": 401,
    "unauthorized": 403,
    "unsupported": 400,
}

# The error a fault injected with only an HTTP status answers with.
STATUS_ERROR = {
    400: "invalid_argument",
    401: "unauthenticated",
    403: "unauthorized",
    404: "not_found",
    409: "concurrent_change",
    500: "error",
    503: "service_unavailable",
    504: "timed_out",
}


class Message:
    """A com.vmware.vapi.std.localizable_message.

    Every simulator message names its values twice, positionally in ``args``
    and by name in ``params``, so that a client reading either finds them.
    """

    __slots__ = ("msg_id", "text", "values")

    def __init__(self, msg_id: str, template: str, **values: Any) -> None:
        self.msg_id = msg_id
        self.values = values
        self.text = template.format(**values)

    def to_json(self, flavor: str | None) -> dict[str, Any]:
        """Render the message; /rest encodes the ``params`` map as a key/value list."""
        body: dict[str, Any] = {
            "id": self.msg_id,
            "default_message": self.text,
            "args": [str(value) for value in self.values.values()],
        }
        if self.values:
            params = {name: _localization_param(value) for name, value in self.values.items()}
            if flavor == "rest":
                body["params"] = [{"key": name, "value": param} for name, param in params.items()]
            else:
                body["params"] = params
        return body

    def __repr__(self) -> str:
        return f"Message({self.msg_id!r}, {self.text!r})"


def _localization_param(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"s": str(value).lower()}
    if isinstance(value, int):
        return {"i": value}
    return {"s": str(value)}


class VapiError(Exception):
    """An error the API answers with: a vAPI error type and its messages."""

    def __init__(self, error_type: str, message: Message, status: int | None = None) -> None:
        super().__init__(message.text)
        self.error_type = error_type
        self.messages = [message]
        self.status = status if status is not None else ERROR_STATUS.get(error_type, 500)


def error(error_type: str, msg_id: str, template: str, **values: Any) -> VapiError:
    """Build a VapiError with a single message."""
    return VapiError(error_type, Message(msg_id, template, **values))


def invalid_argument(template: str, **values: Any) -> VapiError:
    return error("invalid_argument", "com.vmware.vapi.std.errors.invalid_argument", template, **values)


def not_found(what: str, ident: str) -> VapiError:
    """``what`` is a capitalised noun such as "Update session"; the message names the id."""
    slug = what.lower().replace(" ", "_")
    return error("not_found", f"com.vmware.vdcs.cls-main.{slug}_not_found", what + " {id} was not found.", id=ident)
