# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Matching a request to an operation of routes.OPERATIONS."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import unquote

from vsphere_content_simulator.errors import Message, VapiError, error
from vsphere_content_simulator.routes import OPERATIONS, Operation, Route

ACTION_KEYS = {"api": "action", "rest": "~action"}


@dataclass(frozen=True)
class CompiledRoute:
    """A Route of one flavour, ready to match: its path regex, required action and query parameters."""

    operation: Operation
    route: Route
    flavor: str | None
    regex: re.Pattern
    action: str | None
    present: tuple[str, ...]
    literals: int

    def accepts_query(self, query: Mapping[str, str]) -> bool:
        action_key = ACTION_KEYS.get(self.flavor or "")
        if action_key is not None and query.get(action_key) != self.action:
            return False
        return all(name in query for name in self.present)


@dataclass(frozen=True)
class Match:
    """The operation a request asks for and the parameters its path carries."""

    operation: Operation
    route: Route
    path_params: dict[str, str]


def compile_route(operation: Operation, route: Route, flavor: str | None) -> CompiledRoute:
    path, query = route.path.split("?", 1) if "?" in route.path else (route.path, "")
    action = None
    present: list[str] = []
    if query:
        key, sep, value = query.partition("=")
        if sep and key == ACTION_KEYS.get(flavor or ""):
            action = value
        else:
            present.append(key)
    pattern = ""
    for part in re.split(r"(\{[a-z_]+\})", path):
        pattern += f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
    literals = sum(1 for segment in path.split("/") if segment and "{" not in segment)
    return CompiledRoute(operation, route, flavor, re.compile(pattern + r"\Z"), action, tuple(present), literals)


class Router:
    """Finds the operation for a method, raw path and query; literal paths win over templated ones."""

    def __init__(self, served: Any) -> None:
        compiled = []
        for operation in OPERATIONS:
            for flavor in ("api", "rest", None):
                routes = [operation.route(flavor) if flavor else operation.raw]
                if flavor == "rest":
                    routes.extend(operation.compat)
                for route in routes:
                    if route is not None and (flavor is None or served(flavor)):
                        compiled.append(compile_route(operation, route, flavor))
        compiled.sort(key=lambda c: (-c.literals, -len(c.present) - (c.action is not None)))
        self.routes = compiled

    def match(self, method: str, raw_path: str, query: Mapping[str, str], flavor: str | None) -> Match:
        """The matching operation; 404 for an unknown path, 405 for a known path with the wrong method."""
        methods = set()
        best = None
        for candidate in self.routes:
            if candidate.flavor != flavor:
                continue
            found = candidate.regex.match(raw_path)
            if not found:
                continue
            # A path that matches a literal segment is not also an id of a templated one.
            if best is not None and candidate.literals < best:
                break
            best = candidate.literals
            methods.add(candidate.route.method)
            if candidate.route.method == method and candidate.accepts_query(query):
                params = {name: unquote(value) for name, value in found.groupdict().items()}
                return Match(candidate.operation, candidate.route, params)
        if not methods:
            raise error("not_found", "com.vmware.vapi.rest.operationsForUrlNotFound", "Unable to find operations for URL: {path}", path=unquote(raw_path))
        if method not in methods:
            raise MethodNotAllowed(method, unquote(raw_path), sorted(methods))
        action = query.get(ACTION_KEYS.get(flavor or "", ""), "")
        raise error(
            "operation_not_found",
            "com.vmware.vapi.rest.operationNotFound",
            "No operation for {method} {path} with action {action!r}.",
            method=method,
            path=unquote(raw_path),
            action=action,
        )


class MethodNotAllowed(VapiError):
    """405 for a known path, with the Allow header the response must carry."""

    def __init__(self, method: str, path: str, allowed: list[str]) -> None:
        super().__init__(
            "operation_not_found",
            Message(
                "com.vmware.vapi.rest.httpMethodNotAllowed",
                "HTTP method {method} is not allowed for {path}; allowed: {allowed}.",
                method=method,
                path=path,
                allowed=", ".join(allowed),
            ),
            status=405,
        )
        self.allowed = allowed
