# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Libraries, items and item files, enough for tests to make their own items."""

from __future__ import annotations

import uuid

import pytest

from .conftest import new_item


def test_libraries(client, sim):
    local = sim["libraries"]["local-lib"]["id"]
    assert local in client.list_libraries().value
    library = client.get_library(local).value
    assert (library["id"], library["name"], library["type"]) == (local, "local-lib", "LOCAL")
    subscribed = client.get_library(sim["libraries"]["subscribed-lib"]["id"]).value
    assert subscribed["type"] == "SUBSCRIBED" and subscribed["subscription_info"]["subscription_url"]


def test_create_local_library(client):
    name = "lib-" + uuid.uuid4().hex[:8]
    token = str(uuid.uuid4())
    reply = client.create_library({"name": name, "description": "made by a test", "type": "SUBSCRIBED"}, client_token=token)
    assert reply.status == (201 if client.flavor == "api" else 200)
    library_id = reply.value
    assert client.create_library({"name": name}, client_token=token).value == library_id
    library = client.get_library(library_id).value
    assert (library["name"], library["type"], library["description"]) == (name, "LOCAL", "made by a test")
    assert library_id in client.list_libraries().value


@pytest.mark.parametrize("spec", [{}, {"name": ""}, {"name": 5}])
def test_create_library_needs_a_name(client, spec):
    path = "/api/content/local-library" if client.flavor == "api" else "/rest/com/vmware/content/local-library"
    body = spec if client.flavor == "api" else {"create_spec": spec}
    reply = client.call("POST", path, body=body, check_request=False)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert "name" in reply.text


def test_create_and_read_items(client, sim):
    library = sim["libraries"]["local-lib"]["id"]
    name = "item-" + uuid.uuid4().hex[:8]
    reply = client.create_item({"library_id": library, "name": name, "type": "ovf", "description": "d"})
    assert reply.status == (201 if client.flavor == "api" else 200)
    item_id = reply.value
    item = client.get_item(item_id).value
    assert (item["id"], item["library_id"], item["name"], item["type"], item["description"]) == (item_id, library, name, "ovf", "d")
    assert (item["content_version"], item["size"], item["cached"]) == ("1", 0, True)
    assert item_id in client.list_items(library).value
    assert item_id not in client.list_items(sim["libraries"]["subscribed-lib"]["id"]).value
    assert client.list_item_files(item_id).value == []


def test_item_creation_errors(client, sim):
    local = sim["libraries"]["local-lib"]["id"]
    missing = str(uuid.uuid4())
    cases = [
        ({"library_id": missing, "name": "x"}, 404, "not_found", missing),
        ({"library_id": sim["libraries"]["subscribed-lib"]["id"], "name": "x"}, 400, "invalid_element_type", "subscribed"),
        ({"library_id": local, "name": "empty-iso"}, 400, "already_exists", "empty-iso"),
        ({"library_id": local}, 400, "invalid_argument", "name"),
        ({"name": "x"}, 400, "invalid_argument", "library_id"),
    ]
    for spec, status, error_type, text in cases:
        reply = client.create_item(spec)
        assert (reply.status, reply.error_type) == (status, error_type), spec
        assert text in reply.text


def test_item_lookup_errors(client, sim):
    missing = str(uuid.uuid4())
    for reply in (client.get_item(missing), client.list_items(missing), client.list_item_files(missing), client.get_library(missing)):
        assert (reply.status, reply.error_type) == (404, "not_found")
        assert missing in reply.text
    reply = client.get_item_file(new_item(client, sim, "iso"), "nothing.iso")
    assert (reply.status, reply.error_type) == (404, "not_found")
    assert "nothing.iso" in reply.text


def test_api_item_list_needs_library_id(client):
    path = "/api/content/library/item" if client.flavor == "api" else "/rest/com/vmware/content/library/item"
    reply = client.raw("GET", path)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")


def test_find_libraries(client, sim):
    local, subscribed = sim["libraries"]["local-lib"]["id"], sim["libraries"]["subscribed-lib"]["id"]
    assert client.find_libraries({"name": "LOCAL-lib"}).value == [local]
    assert client.find_libraries({"name": "subscribed-lib", "type": "SUBSCRIBED"}).value == [subscribed]
    assert client.find_libraries({"name": "subscribed-lib", "type": "LOCAL"}).value == []
    assert subscribed in client.find_libraries({"type": "SUBSCRIBED"}).value
    assert local not in client.find_libraries({"type": "SUBSCRIBED"}).value
    assert client.find_libraries({"name": "no-such-library"}).value == []


def test_find_needs_a_property(client):
    for reply in (client.find_libraries({}), client.find_items({})):
        assert (reply.status, reply.error_type) == (400, "invalid_argument")
    reply = client.find_libraries({"type": "PUBLISHED"}, check_request=False)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")


def test_find_items(client, sim):
    local, subscribed = sim["libraries"]["local-lib"]["id"], sim["libraries"]["subscribed-lib"]["id"]
    seeded = sim["items"]
    assert client.find_items({"name": "EMPTY-iso", "library_id": local}).value == [seeded["empty-iso"]["id"]]
    assert client.find_items({"name": "empty-iso", "library_id": subscribed}).value == []
    assert client.find_items({"name": "subscribed-item"}).value == [seeded["subscribed-item"]["id"]]
    ovf_items = client.find_items({"library_id": local, "type": "OVF"}).value
    assert seeded["empty-ovf"]["id"] in ovf_items and seeded["empty-iso"]["id"] not in ovf_items
    assert client.find_items({"name": "empty-iso", "cached": True}).value == [seeded["empty-iso"]["id"]]
    assert client.find_items({"name": "empty-iso", "cached": False}).value == []
    source_id = client.get_item(seeded["subscribed-item"]["id"]).value["source_id"]
    assert client.find_items({"source_id": source_id}).value == [seeded["subscribed-item"]["id"]]


def test_delete_item(client, sim):
    library = sim["libraries"]["local-lib"]["id"]
    item_id = new_item(client, sim, "iso")
    name = client.get_item(item_id).value["name"]
    reply = client.delete_item(item_id)
    assert reply.status == (204 if client.flavor == "api" else 200)
    assert (client.get_item(item_id).status, client.delete_item(item_id).status) == (404, 404)
    assert client.find_items({"name": name}).value == []
    assert item_id not in client.list_items(library).value
    # The name is free again.
    assert client.create_item({"library_id": library, "name": name}).ok


def test_subscribed_item_cannot_be_deleted(client, sim):
    item_id = sim["items"]["subscribed-item"]["id"]
    reply = client.delete_item(item_id)
    assert (reply.status, reply.error_type) == (400, "invalid_element_type")
    assert item_id in reply.text and "subscribed" in reply.text
    assert client.get_item(item_id).ok


def test_library_get_gives_the_type(client, sim):
    for name, library in sim["libraries"].items():
        assert client.get_library(library["id"]).value["type"] == library["type"], name
