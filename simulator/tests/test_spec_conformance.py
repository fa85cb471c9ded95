# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's route table against the vendored Swagger subsets (simulator/spec).

Every other test validates each request and response of its client against them.
"""

from __future__ import annotations

import pytest

from vsphere_content_simulator.routes import OPERATIONS


@pytest.fixture(name="spec")
def fixture_spec(validator):
    return validator


def spec_operations(spec):
    return {(method.upper(), path) for document in spec.documents.values() for path, operations in document["paths"].items() for method in operations}


def test_every_route_is_in_the_spec(spec):
    known = spec_operations(spec)
    for operation in OPERATIONS:
        for route in (operation.api, operation.rest):
            if route is None:
                continue
            # The spec writes a required query parameter as "?name"; the simulator checks it as a parameter.
            spellings = {route.path} | {f"{route.path}?{name}" for name in route.query}
            assert spellings & {path for method, path in known if method == route.method}, f"{operation.name}: {route.method} {route.path}"


def test_every_update_session_operation_of_the_spec_is_served(spec):
    served = {(route.method, route.path) for operation in OPERATIONS for route in (operation.api, operation.rest) if route}
    wanted = {
        (method, path)
        for method, path in spec_operations(spec)
        if "update-session" in path or "updatesession" in path or path.endswith("/session") or "cis/session" in path
    }
    assert wanted - served == set()


def test_responses_were_validated(spec, client, item):
    before = spec.validated
    assert client.create_session(item).ok
    assert spec.validated > before
