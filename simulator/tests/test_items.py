# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Library items as the info and item modules read and change them: the ItemModel fields, update (PATCH),
the name and description rules shared with create, and list by library."""

from __future__ import annotations

import time
import uuid

import pytest

from .conftest import new_item, new_session
from .dlclient import fixture_dl  # noqa: F401  # pylint: disable=unused-import
from .dlclient import item_with_files
from .test_files import push
from .test_update_sessions import parse_time


def test_item_model(dl, sim):
    started = time.time()
    item_id = item_with_files(dl, sim, {"a.iso": b"12345", "b.iso": b"123"})
    item = dl.get_item(item_id).value
    assert (item["size"], item["cached"], item["content_version"]) == (8, True, "2")
    assert (item["metadata_version"], item["version"]) == ("1", "1")
    created, modified = parse_time(item["creation_time"]), parse_time(item["last_modified_time"])
    assert started - 1 <= created <= modified <= time.time() + 1
    # Each completed update session moves content_version (not version) and last_modified_time.
    sid = new_session(dl, item_id)
    push(dl, sid, "c.iso", b"1")
    assert dl.complete(sid).ok
    item = dl.get_item(item_id).value
    assert (item["size"], item["content_version"], item["version"]) == (9, "3", "1")
    assert parse_time(item["last_modified_time"]) >= modified
    # A canceled session changes nothing.
    sid = new_session(dl, item_id)
    assert dl.cancel(sid).ok
    assert dl.get_item(item_id).value["content_version"] == "3"


def test_update_name_description_and_type(dl, sim):
    item_id = new_item(dl, sim, "iso")
    before = dl.get_item(item_id).value
    time.sleep(0.01)
    new_name = "renamed-" + uuid.uuid4().hex[:8]
    reply = dl.update_item(item_id, {"name": new_name, "description": "new words"})
    assert (reply.status, reply.body) == ((204 if dl.flavor == "api" else 200), None)
    item = dl.get_item(item_id).value
    assert (item["name"], item["description"], item["type"]) == (new_name, "new words", "iso")
    assert (item["metadata_version"], item["version"], item["content_version"]) == ("2", "2", before["content_version"])
    assert parse_time(item["last_modified_time"]) > parse_time(before["last_modified_time"])
    # Unset fields are left alone; fields update does not use (library_id) are ignored.
    assert dl.update_item(item_id, {"type": "ovf", "library_id": sim["libraries"]["subscribed-lib"]["id"]}).ok
    item = dl.get_item(item_id).value
    assert (item["name"], item["description"], item["type"], item["library_id"]) == (new_name, "new words", "ovf", sim["libraries"]["local-lib"]["id"])
    assert item["metadata_version"] == "3"
    # Nothing to change: nothing changes.
    assert dl.update_item(item_id, {}).ok and dl.update_item(item_id, {"name": new_name}).ok
    assert dl.get_item(item_id).value["metadata_version"] == "3"
    assert dl.find_items({"name": new_name}).value == [item_id]


def test_update_with_version(dl, sim):
    item_id = new_item(dl, sim, "iso")
    assert dl.update_item(item_id, {"description": "one", "version": "1"}).ok
    reply = dl.update_item(item_id, {"description": "two", "version": "1"})
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert "version" in reply.text
    assert dl.get_item(item_id).value["description"] == "one"


def test_names_are_unique_per_library_ignoring_case(dl, sim):
    local = sim["libraries"]["local-lib"]["id"]
    first, second = new_item(dl, sim, "iso"), new_item(dl, sim, "iso")
    first_name = dl.get_item(first).value["name"]
    reply = dl.update_item(second, {"name": first_name.upper()})
    assert (reply.status, reply.error_type) == (400, "already_exists")
    assert first_name.upper() in reply.text
    reply = dl.create_item({"library_id": local, "name": first_name.upper()})
    assert (reply.status, reply.error_type) == (400, "already_exists")
    # An item may change the case of its own name, and the name is free in another library.
    assert dl.update_item(first, {"name": first_name.upper()}).ok
    library = dl.create_library({"name": "lib-" + uuid.uuid4().hex[:8]}).value
    assert dl.create_item({"library_id": library, "name": first_name}).ok


@pytest.mark.parametrize(
    "spec,text",
    [
        ({"name": ""}, "name"),
        ({"name": "  "}, "name"),
        ({"name": "n" * 81}, "80"),
        ({"description": "d" * 2001}, "2000"),
    ],
)
def test_update_refuses_bad_fields(dl, sim, spec, text):
    item_id = new_item(dl, sim, "iso")
    reply = dl.update_item(item_id, spec)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert text in reply.text
    assert dl.get_item(item_id).value["metadata_version"] == "1"


def test_update_accepts_the_longest_fields(dl, sim):
    item_id = new_item(dl, sim, "iso")
    assert dl.update_item(item_id, {"name": "n" * 76 + uuid.uuid4().hex[:4], "description": "d" * 2000}).ok


def test_create_refuses_the_same_bad_fields(dl, sim):
    local = sim["libraries"]["local-lib"]["id"]
    for spec, text in (({"name": "n" * 81}, "80"), ({"name": "x" + uuid.uuid4().hex, "description": "d" * 2001}, "2000")):
        reply = dl.create_item(dict(spec, library_id=local))
        assert (reply.status, reply.error_type) == (400, "invalid_argument")
        assert text in reply.text


def test_update_errors(dl, sim):
    missing = str(uuid.uuid4())
    reply = dl.update_item(missing, {"name": "x"})
    assert (reply.status, reply.error_type) == (404, "not_found")
    assert missing in reply.text
    subscribed = sim["items"]["subscribed-item"]["id"]
    reply = dl.update_item(subscribed, {"description": "x"})
    assert (reply.status, reply.error_type) == (400, "invalid_element_type")
    assert "subscribed" in reply.text
    reply = dl.update_item(new_item(dl, sim, "iso"), {"name": 5}, check_request=False)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")


def test_update_is_logged_as_a_write(dl, sim, control):
    item_id = new_item(dl, sim, "iso")
    control.clear_log()
    dl.update_item(item_id, {"description": "logged"})
    [entry] = control.log()
    assert (entry["operation"], entry["write"], entry["method"]) == ("item.update", True, "PATCH")


def test_list_libraries_and_items(dl, sim):
    local = sim["libraries"]["local-lib"]["id"]
    assert set(lib["id"] for lib in sim["libraries"].values()) <= set(dl.list_libraries().value)
    item_id = new_item(dl, sim, "iso")
    items = dl.list_items(local).value
    assert item_id in items and sim["items"]["empty-iso"]["id"] in items
    assert sim["items"]["subscribed-item"]["id"] not in items
