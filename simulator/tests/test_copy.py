# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The item copy action (download reference §6): a new item at once, its files a little later, idempotent with a token."""

from __future__ import annotations

import hashlib
import time
import uuid

import pytest

from .dlclient import fixture_dl  # noqa: F401  # pylint: disable=unused-import
from .dlclient import item_with_files, new_download, prepared_uri

FILES = {"package.ovf": b"<Envelope/>", "disk-0.vmdk": b"disk bytes " * 50_000}


@pytest.fixture(name="source")
def fixture_source(dl, sim):
    return item_with_files(dl, sim, FILES, "ovf")


@pytest.fixture(name="copy_latency")
def fixture_copy_latency(control):
    default = control.settings()["copy_latency"]
    yield lambda seconds: control.settings(copy_latency=seconds)
    control.settings(copy_latency=default)


def name():
    return "copy-" + uuid.uuid4().hex[:8]


def wait_for_files(client, item_id, count, limit=5.0):
    deadline = time.monotonic() + limit
    while True:
        files = client.list_item_files(item_id).value
        if len(files) == count or time.monotonic() > deadline:
            return files
        time.sleep(0.05)


def test_copy(dl, sim, source, copy_latency):
    copy_latency(0.5)
    local = sim["libraries"]["local-lib"]["id"]
    new_name = name()
    assert dl.update_item(source, {"description": "the source"}).ok
    reply = dl.copy_item(source, {"library_id": local, "name": new_name})
    assert reply.status == 200
    copy = reply.value
    assert uuid.UUID(copy) and copy != source
    # The item is there at once, with the source's type and description and the given name, but no files yet.
    item = dl.get_item(copy).value
    assert (item["name"], item["type"], item["library_id"], item["size"]) == (new_name, "ovf", local, 0)
    assert item["description"] == "the source"
    assert dl.list_item_files(copy).value == []
    assert copy in dl.list_items(local).value
    # Then the same files, sizes and checksums as the source.
    files = wait_for_files(dl, copy, len(FILES))
    assert files == dl.list_item_files(source).value
    item = dl.get_item(copy).value
    assert (item["size"], item["content_version"]) == (sum(map(len, FILES.values())), "2")
    # The bytes really are there: a download of the copy equals the source.
    sid = new_download(dl, copy)
    for file_name, data in FILES.items():
        body = dl.fetch(prepared_uri(dl, sid, file_name)).content
        assert hashlib.sha1(body).hexdigest() == hashlib.sha1(data).hexdigest()


def test_copy_to_another_library_with_a_description(dl, source):
    library = dl.create_library({"name": "lib-" + uuid.uuid4().hex[:8]}).value
    copy = dl.copy_item(source, {"library_id": library, "name": "same-name", "description": "copied"}).value
    item = dl.get_item(copy).value
    assert (item["library_id"], item["description"]) == (library, "copied")
    assert len(wait_for_files(dl, copy, len(FILES))) == len(FILES)


def test_a_copy_may_reuse_a_name(dl, sim, source):
    """Copy documents no already_exists: a second item with the same name is allowed."""
    local = sim["libraries"]["local-lib"]["id"]
    source_name = dl.get_item(source).value["name"]
    copy = dl.copy_item(source, {"library_id": local, "name": source_name}).value
    assert dl.get_item(copy).value["name"] == source_name


def test_client_token(dl, sim, source):
    local = sim["libraries"]["local-lib"]["id"]
    token = str(uuid.uuid4())
    first = dl.copy_item(source, {"library_id": local, "name": name()}, client_token=token).value
    assert dl.copy_item(source, {"library_id": local, "name": name()}, client_token=token).value == first
    assert dl.copy_item(source, {"library_id": local, "name": name()}, client_token=str(uuid.uuid4())).value != first
    reply = dl.copy_item(source, {"library_id": local, "name": name()}, client_token="not-a-uuid")
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert "client_token" in reply.text


@pytest.mark.parametrize("flavor", ["api"])
def test_client_token_as_query_parameter(dl, sim, source):
    local = sim["libraries"]["local-lib"]["id"]
    token = str(uuid.uuid4())
    first = dl.copy_item(source, {"library_id": local, "name": name()}, client_token=token, token_in="query").value
    assert dl.copy_item(source, {"library_id": local, "name": name()}, client_token=token).value == first


def test_copy_errors(dl, sim, source):
    local = sim["libraries"]["local-lib"]["id"]
    missing = str(uuid.uuid4())
    cases = [
        (missing, {"library_id": local, "name": "x"}, 404, "not_found", missing),
        (source, {"library_id": missing, "name": "x"}, 404, "not_found", missing),
        (source, {"library_id": local, "name": ""}, 400, "invalid_argument", "name"),
        (source, {"library_id": local, "name": "   "}, 400, "invalid_argument", "name"),
        (source, {"library_id": local, "name": "n" * 81}, 400, "invalid_argument", "80"),
        (source, {"library_id": local, "name": "x", "description": "d" * 2001}, 400, "invalid_argument", "2000"),
        (source, {"library_id": local}, 400, "invalid_argument", "name"),
        (source, {"name": "x"}, 400, "invalid_argument", "library_id"),
        (source, {"library_id": sim["libraries"]["subscribed-lib"]["id"], "name": "x"}, 400, "invalid_element_type", "subscribed"),
    ]
    before = set(dl.list_items(local).value)
    for source_id, spec, status, error_type, text in cases:
        reply = dl.copy_item(source_id, spec)
        assert (reply.status, reply.error_type) == (status, error_type), spec
        assert text in reply.text, reply.text
    assert set(dl.list_items(local).value) == before
    # The longest allowed name and description are fine.
    assert dl.copy_item(source, {"library_id": local, "name": "n" * 80, "description": "d" * 2000}).ok


def test_a_subscribed_item_can_be_copied_into_a_local_library(dl, sim):
    local = sim["libraries"]["local-lib"]["id"]
    copy = dl.copy_item(sim["items"]["subscribed-item"]["id"], {"library_id": local, "name": name()}).value
    assert dl.get_item(copy).value["type"] == "ovf"


def test_a_failed_copy_is_rolled_back(dl, sim, source, copy_latency):
    """The source's content is gone before the copy lands: the new item is removed, as vCenter rolls back."""
    copy_latency(0.5)
    local = sim["libraries"]["local-lib"]["id"]
    copy = dl.copy_item(source, {"library_id": local, "name": name()}).value
    assert dl.delete_item(source).ok
    deadline = time.monotonic() + 5
    while dl.get_item(copy).ok and time.monotonic() < deadline:
        time.sleep(0.05)
    assert dl.get_item(copy).status == 404
    assert copy not in dl.list_items(local).value


def test_the_copy_is_independent_of_its_source(dl, sim, source):
    local = sim["libraries"]["local-lib"]["id"]
    copy = dl.copy_item(source, {"library_id": local, "name": name()}).value
    assert len(wait_for_files(dl, copy, len(FILES))) == len(FILES)
    assert dl.delete_item(source).ok
    sid = new_download(dl, copy)
    assert dl.fetch(prepared_uri(dl, sid, "disk-0.vmdk")).content == FILES["disk-0.vmdk"]


def test_copy_is_logged_as_a_write(dl, sim, source, control):
    control.clear_log()
    dl.copy_item(source, {"library_id": sim["libraries"]["local-lib"]["id"], "name": name()})
    [entry] = control.log()
    assert (entry["operation"], entry["write"]) == ("item.copy", True)
