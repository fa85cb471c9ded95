# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation of requests and responses against the Swagger 2.0 subsets.

The files are vendored in ``simulator/spec/`` (see PROVENANCE.md there). Definitions refer
to each other with ``#/definitions/...``; each file is registered whole as one
resource, so those references resolve inside it. Objects are made strict
(no properties beyond the definition's) so that a stray field, such as an
``id`` in an update session's get, fails validation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_FILES = ("content-8.0.2-subset.json", "session-8.0.2-api.json", "cis-session-8.0.2-rest.json", "content-download-8.0.2-subset.json")
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
    "service_unavailable": 503,
    "unauthenticated": 401,
    "unauthorized": 403,
    "unsupported": 400,
    "timed_out": 504,
}


# simulator/tests/spec.py -> simulator/spec
SPEC_DIR = Path(__file__).resolve().parents[1] / "spec"


def _strict(node: Any) -> Any:
    if isinstance(node, dict):
        node = {key: _strict(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
    elif isinstance(node, list):
        node = [_strict(value) for value in node]
    return node


def _camel(error_type: str) -> str:
    return "".join(part.capitalize() for part in error_type.split("_"))


class SpecValidator:
    """The Swagger subsets, loaded strict, and checks of requests and responses against them."""

    def __init__(self, directory: Path) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        registry: Registry = Registry()
        for name in SPEC_FILES:
            document = _strict(json.loads((directory / name).read_text(encoding="utf-8")))
            self.documents[name] = document
            registry = registry.with_resource(f"urn:spec:{name}", Resource.from_contents(document, default_specification=DRAFT4))
        self.registry = registry
        self.validated = 0

    @classmethod
    def load(cls) -> SpecValidator:
        """The vendored subsets; a missing file is an error, not a reason to skip validation."""
        return cls(SPEC_DIR)

    def _find(self, path: str, method: str) -> tuple[str, dict[str, Any]]:
        for name, document in self.documents.items():
            operation = document["paths"].get(path, {}).get(method.lower())
            if operation is not None:
                return name, operation
        raise AssertionError(f"{method} {path} is not in the Swagger subsets")

    def _check(self, document: str, schema: dict[str, Any], instance: Any, what: str) -> None:
        # Re-root the schema's references in its document so that #/definitions/... resolve there.
        wrapper = {"allOf": [self._rebase(document, schema)]}
        validator = jsonschema.Draft4Validator(wrapper, registry=self.registry, format_checker=jsonschema.FormatChecker())
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        if errors:
            raise AssertionError(f"{what} does not match the spec: {errors[0].message} at {list(errors[0].path)}\n{instance!r}")
        self.validated += 1

    def _rebase(self, document: str, schema: Any) -> Any:
        if isinstance(schema, dict):
            return {
                key: (f"urn:spec:{document}{value}" if key == "$ref" and value.startswith("#") else self._rebase(document, value))
                for key, value in schema.items()
            }
        if isinstance(schema, list):
            return [self._rebase(document, value) for value in schema]
        return schema

    def check_request(self, path: str, method: str, body: Any) -> None:
        document, operation = self._find(path, method)
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "body" and body is not None:
                self._check(document, parameter["schema"], body, f"request body of {method} {path}")

    def check_response(self, path: str, method: str, status: int, body: Any, flavor: str | None) -> None:
        """A success must be a response the spec lists; an error must be a vAPI error of its flavour."""
        if 200 <= status < 300:
            document, operation = self._find(path, method)
            response = operation["responses"].get(str(status))
            assert response is not None, f"{method} {path} answered {status}, which the spec does not list"
            schema = response.get("schema")
            if schema:
                self._check(document, schema, body, f"{status} response of {method} {path}")
            else:
                assert body is None, f"{method} {path} answered {status} with a body: {body!r}"
                self.validated += 1
            return
        self.check_error(status, body, flavor)

    def check_error(self, status: int, body: Any, flavor: str | None) -> None:
        document = "content-8.0.2-subset.json"
        definitions = self.documents[document]["definitions"]
        if flavor == "rest":
            assert isinstance(body, dict) and isinstance(body.get("type"), str), f"not a /rest error body: {body!r}"
            error_type = body["type"].rsplit(".", 1)[-1]
            assert body["type"] == "com.vmware.vapi.std.errors." + error_type
            name = f"vapi.std.errors.{error_type}_error"
            if name not in definitions:
                name = "vapi.std.errors.not_found_error"
            assert body["value"]["error_type"] == error_type.upper()
        else:
            assert isinstance(body, dict) and isinstance(body.get("error_type"), str), f"not an /api error body: {body!r}"
            error_type = body["error_type"].lower()
            name = "VapiStdErrors" + _camel(error_type)
            if name not in definitions:
                name = "VapiStdErrorsError"
        self._check(document, {"$ref": f"#/definitions/{name}"}, body, f"{status} {error_type} error")
        if status not in (405,) and error_type in ERROR_STATUS:
            assert ERROR_STATUS[error_type] == status, f"{error_type} answered with {status}"
