# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every operation of content-download-8.0.2-subset.json, and item update, is served, in both flavours."""

from __future__ import annotations

from vsphere_content_simulator.routes import OPERATIONS
from .test_spec_conformance import fixture_spec  # noqa: F401  # pylint: disable=unused-import


def test_every_download_and_copy_operation_of_the_spec_is_served(spec):
    served = {(route.method, route.path) for operation in OPERATIONS for route in (operation.api, operation.rest) if route}
    wanted = {(method.upper(), path) for path, operations in spec.documents["content-download-8.0.2-subset.json"]["paths"].items() for method in operations}
    assert len(wanted) == 22
    assert wanted - served == set()


def test_item_update_is_served(spec):
    served = {(route.method, route.path) for operation in OPERATIONS for route in (operation.api, operation.rest) if route}
    document = spec.documents["content-8.0.2-subset.json"]["paths"]
    for path in ("/api/content/library/item/{library_item_id}", "/rest/com/vmware/content/library/item/id:{library_item_id}"):
        assert "patch" in document[path] and ("PATCH", path) in served
