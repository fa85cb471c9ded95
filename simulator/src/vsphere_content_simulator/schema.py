# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input validation for operation parameters, in the vAPI way.

A wrong type, a missing required field or an unknown enum value becomes
``invalid_argument`` naming the field, never an exception inside a handler.
Unknown fields are ignored (newer clients may send fields this server does not
know), and JSON null counts as unset.
"""

from __future__ import annotations

import abc
from typing import Any

from vsphere_content_simulator.errors import invalid_argument


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


class Type(abc.ABC):
    """A JSON value type; ``check`` returns the value or raises invalid_argument."""

    @abc.abstractmethod
    def check(self, value: Any, where: str) -> Any:
        """The value, if it is of this type (``where`` names it in the error)."""


class Str(Type):
    """A string; ``non_empty`` refuses blank ones."""

    def __init__(self, non_empty: bool = False) -> None:
        self.non_empty = non_empty

    def check(self, value: Any, where: str) -> Any:
        if not isinstance(value, str):
            raise invalid_argument("{field} must be a string, not {kind}.", field=where, kind=_kind(value))
        if self.non_empty and not value.strip():
            raise invalid_argument("{field} must not be empty.", field=where)
        return value


class Int(Type):
    """An integer (not a boolean), optionally within bounds."""

    def __init__(self, minimum: int | None = None, maximum: int | None = None) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def check(self, value: Any, where: str) -> Any:
        # bool is an int in Python but not in JSON.
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid_argument("{field} must be an integer, not {kind}.", field=where, kind=_kind(value))
        if self.minimum is not None and value < self.minimum:
            raise invalid_argument("{field} must be at least {minimum}, not {value}.", field=where, minimum=self.minimum, value=value)
        if self.maximum is not None and value > self.maximum:
            raise invalid_argument("{field} must be at most {maximum}, not {value}.", field=where, maximum=self.maximum, value=value)
        return value


class Bool(Type):
    """A JSON boolean."""

    def check(self, value: Any, where: str) -> Any:
        if not isinstance(value, bool):
            raise invalid_argument("{field} must be a boolean, not {kind}.", field=where, kind=_kind(value))
        return value


class Enum(Type):
    """One of a fixed set of strings."""

    def __init__(self, *values: str) -> None:
        self.values = values

    def check(self, value: Any, where: str) -> Any:
        if not isinstance(value, str) or value not in self.values:
            raise invalid_argument("{field} must be one of {allowed}, not {value}.", field=where, allowed=", ".join(self.values), value=repr(value))
        return value


class ListOf(Type):
    """A list whose elements all have one type."""

    def __init__(self, item: Type) -> None:
        self.item = item

    def check(self, value: Any, where: str) -> Any:
        if not isinstance(value, list):
            raise invalid_argument("{field} must be a list, not {kind}.", field=where, kind=_kind(value))
        return [self.item.check(element, f"{where}[{index}]") for index, element in enumerate(value)]


class Field:
    """A field of a Struct: its type and whether it is required."""

    __slots__ = ("type", "required")

    def __init__(self, field_type: Type, required: bool = False) -> None:
        self.type = field_type
        self.required = required


def req(field_type: Type) -> Field:
    return Field(field_type, required=True)


def opt(field_type: Type) -> Field:
    return Field(field_type)


class Struct(Type):
    """An object with known fields; unknown ones are dropped, null ones are unset."""

    def __init__(self, **fields: Field) -> None:
        self.fields = fields

    def check(self, value: Any, where: str) -> Any:
        if not isinstance(value, dict):
            raise invalid_argument("{field} must be an object, not {kind}.", field=where, kind=_kind(value))
        result = {}
        for name, field in self.fields.items():
            path = f"{where}.{name}" if where else name
            item = value.get(name)
            if item is None:
                if field.required:
                    raise invalid_argument("{field} is required.", field=path)
                continue
            result[name] = field.type.check(item, path)
        return result


def validate(params: dict[str, Any], spec: Struct) -> dict[str, Any]:
    """Check an operation's collected parameters against its Struct."""
    return spec.check(params, "")


# Types shared by several operations (names as in the Swagger definitions).
WARNING_TYPES = ("SELF_SIGNED_CERTIFICATE", "EXPIRED_CERTIFICATE", "NOT_YET_VALID_CERTIFICATE", "UNTRUSTED_CERTIFICATE")
CHECKSUM_ALGORITHMS = ("SHA1", "MD5", "SHA256", "SHA512")
SOURCE_TYPES = ("NONE", "PUSH", "PULL")

WARNING_BEHAVIOR = Struct(type=req(Enum(*WARNING_TYPES)), ignored=req(Bool()))
UPDATE_SESSION_MODEL = Struct(library_item_id=opt(Str()), warning_behavior=opt(ListOf(WARNING_BEHAVIOR)))
CHECKSUM_INFO = Struct(algorithm=opt(Enum(*CHECKSUM_ALGORITHMS)), checksum=req(Str()))
TRANSFER_ENDPOINT = Struct(uri=req(Str(non_empty=True)), ssl_certificate_thumbprint=opt(Str()))
FILE_ADD_SPEC = Struct(
    name=req(Str(non_empty=True)),
    source_type=req(Enum(*SOURCE_TYPES)),
    source_endpoint=opt(TRANSFER_ENDPOINT),
    size=opt(Int(minimum=0, maximum=2**63 - 1)),
    checksum_info=opt(CHECKSUM_INFO),
)
ITEM_MODEL = Struct(library_id=opt(Str()), name=opt(Str()), type=opt(Str()), description=opt(Str()))
STORAGE_BACKING = Struct(type=opt(Enum("DATASTORE", "OTHER")), datastore_id=opt(Str()), storage_uri=opt(Str()))
LIBRARY_MODEL = Struct(name=opt(Str()), description=opt(Str()), storage_backings=opt(ListOf(STORAGE_BACKING)))
LIBRARY_FIND_SPEC = Struct(name=opt(Str()), type=opt(Enum("LOCAL", "SUBSCRIBED")))
ITEM_FIND_SPEC = Struct(name=opt(Str()), library_id=opt(Str()), source_id=opt(Str()), type=opt(Str()), cached=opt(Bool()))
