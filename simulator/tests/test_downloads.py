# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Download sessions and their files (download reference §1-§4), in both flavours."""

from __future__ import annotations

import time
import uuid

import pytest

from vsphere_content_simulator.launcher import running_simulator
from .conftest import OTHER_USER, new_session
from .dlclient import fixture_dl  # noqa: F401  # pylint: disable=unused-import
from .dlclient import item_with_files, make_download_client, new_download, prepared_uri
from .test_files import push
from .test_update_sessions import parse_time

FILES = {"disk.iso": b"iso bytes " * 1000, "notes.txt": b"some notes\n"}


@pytest.fixture(name="content")
def fixture_content(dl, sim):
    """A new item holding FILES."""
    return item_with_files(dl, sim, FILES)


@pytest.fixture(name="latency")
def fixture_latency(control):
    """Change prepare_latency for one test; the default comes back afterwards."""
    default = control.settings()["prepare_latency"]
    yield lambda seconds: control.settings(prepare_latency=seconds)
    control.settings(prepare_latency=default)


def test_create_get_and_delete(dl, content):
    reply = dl.create_download(content)
    assert reply.status == (201 if dl.flavor == "api" else 200)
    sid = reply.value
    assert uuid.UUID(sid)
    model = dl.get_download(sid).value
    # get omits the id, as the API documents.
    assert "id" not in model and "error_message" not in model
    assert (model["library_item_id"], model["state"], model["client_progress"]) == (content, "ACTIVE", 0)
    assert model["library_item_content_version"] == dl.get_item(content).value["content_version"] == "2"
    assert abs(parse_time(model["expiration_time"]) - (time.time() + 300)) < 5
    reply = dl.delete_download(sid)
    assert (reply.status, reply.body) == ((204 if dl.flavor == "api" else 200), None)
    for reply in (dl.get_download(sid), dl.delete_download(sid)):
        assert (reply.status, reply.error_type) == (404, "not_found")
        assert sid in reply.text


def test_create_errors(dl):
    missing = str(uuid.uuid4())
    reply = dl.create_download(missing)
    assert (reply.status, reply.error_type) == (404, "not_found")
    assert missing in reply.text
    reply = dl.create_download(None, spec={})
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert "library_item_id" in reply.text
    reply = dl.create_download(missing, client_token="not-a-uuid")
    assert (reply.status, reply.error_type) == (400, "invalid_argument")


def test_a_subscribed_item_can_be_downloaded(dl, sim):
    sid = new_download(dl, sim["items"]["subscribed-item"]["id"])
    assert dl.list_download_files(sid).value == []


def test_client_token_makes_create_idempotent(dl, content):
    token = str(uuid.uuid4())
    first = new_download(dl, content, client_token=token)
    assert new_download(dl, content, client_token=token) == first
    assert new_download(dl, content, client_token=str(uuid.uuid4())) != first
    assert new_download(dl, content) != first
    # Once the session is deleted, the token makes a new one.
    assert dl.delete_download(first).ok
    assert new_download(dl, content, client_token=token) != first


@pytest.mark.parametrize("flavor", ["api"])
def test_client_token_as_query_parameter(dl, content):
    """The Swagger shows the modern token as a query parameter; the header is what the SDK sends."""
    token = str(uuid.uuid4())
    assert new_download(dl, content, client_token=token, token_in="query") == new_download(dl, content, client_token=token)


def test_list_is_per_user_and_filtered(dl, sim, flavor, validator, content):
    other_item = item_with_files(dl, sim, {"x.iso": b"x"})
    mine = new_download(dl, content)
    mine_other = new_download(dl, other_item)
    other = make_download_client(sim, flavor, validator, OTHER_USER)
    theirs = new_download(other, content)
    assert {mine, mine_other} <= set(dl.list_downloads().value)
    assert theirs not in dl.list_downloads().value
    assert dl.list_downloads(content).value == [mine]
    assert other.list_downloads(content).value == [theirs]
    # Holding the id is enough for get (System.Anonymous).
    assert dl.get_download(theirs).ok
    missing = str(uuid.uuid4())
    reply = dl.list_downloads(missing)
    assert (reply.status, reply.error_type) == (404, "not_found")
    assert missing in reply.text
    other.logout()


def test_keep_alive_and_progress(dl, content):
    sid = new_download(dl, content)
    before = parse_time(dl.get_download(sid).value["expiration_time"])
    time.sleep(0.05)
    reply = dl.keep_download_alive(sid)
    assert (reply.status, reply.body) == ((204 if dl.flavor == "api" else 200), None)
    assert parse_time(dl.get_download(sid).value["expiration_time"]) > before
    assert dl.keep_download_alive(sid, 40).ok
    assert dl.get_download(sid).value["client_progress"] == 40
    # Only a higher value is stored; a lower or equal one is not an error.
    assert dl.keep_download_alive(sid, 30).ok and dl.keep_download_alive(sid, 40).ok
    assert dl.get_download(sid).value["client_progress"] == 40
    assert dl.keep_download_alive(sid, 100).ok
    assert dl.get_download(sid).value["client_progress"] == 100
    for bad in (101, -1):
        reply = dl.download_action(sid, "keep-alive", {"progress": bad})
        assert (reply.status, reply.error_type) == (400, "invalid_argument")
        assert "progress" in reply.text
    reply = dl.download_action(sid, "keep-alive", {"progress": "50"}, check_request=False)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")


def test_cancel(dl, content):
    sid = new_download(dl, content)
    reply = dl.cancel_download(sid)
    assert (reply.status, reply.body) == ((204 if dl.flavor == "api" else 200), None)
    model = dl.get_download(sid).value
    assert model["state"] == "CANCELED" and "error_message" not in model
    for reply in (dl.cancel_download(sid), dl.fail_download(sid, "late"), dl.keep_download_alive(sid, 5), dl.prepare(sid, "disk.iso")):
        assert (reply.status, reply.error_type) == (400, "not_allowed_in_current_state")
        assert "CANCELED" in reply.text
    # Reads still work, and delete needs no particular state.
    assert [f["status"] for f in dl.list_download_files(sid).value] == ["UNPREPARED", "UNPREPARED"]
    assert dl.delete_download(sid).ok


def test_fail(dl, content):
    sid = new_download(dl, content)
    reply = dl.fail_download(sid, "disk full on the client")
    assert (reply.status, reply.body) == ((204 if dl.flavor == "api" else 200), None)
    model = dl.get_download(sid).value
    assert model["state"] == "ERROR"
    assert model["error_message"]["default_message"] == "disk full on the client"
    for reply in (dl.fail_download(sid, "again"), dl.cancel_download(sid), dl.keep_download_alive(sid)):
        assert (reply.status, reply.error_type) == (400, "not_allowed_in_current_state")
    assert dl.delete_download(sid).ok


def test_fail_needs_a_message(dl, content):
    sid = new_download(dl, content)
    reply = dl.download_action(sid, "fail", {}, check_request=False)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert "client_error_message" in reply.text
    assert dl.get_download(sid).value["state"] == "ACTIVE"


def test_delete_an_active_session(dl, content):
    sid = new_download(dl, content)
    assert dl.delete_download(sid).ok
    assert sid not in dl.list_downloads().value


def test_unknown_session(dl):
    missing = str(uuid.uuid4())
    for reply in (
        dl.get_download(missing),
        dl.keep_download_alive(missing),
        dl.cancel_download(missing),
        dl.fail_download(missing, "x"),
        dl.delete_download(missing),
        dl.list_download_files(missing),
        dl.get_download_file(missing, "a.iso"),
        dl.prepare(missing, "a.iso"),
    ):
        assert (reply.status, reply.error_type) == (404, "not_found")
        assert missing in reply.text


def test_file_list_and_get(dl, content):
    sid = new_download(dl, content)
    files = dl.list_download_files(sid).value
    assert files == [{"name": name, "status": "UNPREPARED", "bytes_transferred": 0} for name in FILES]
    assert dl.get_download_file(sid, "notes.txt").value == files[1]
    reply = dl.get_download_file(sid, "nothing.iso")
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert "nothing.iso" in reply.text


def test_prepare_passes_through_its_states(dl, content, latency):
    latency(0.6)
    sid = new_download(dl, content)
    info = dl.prepare(sid, "disk.iso").value
    assert info == {"name": "disk.iso", "status": "PREPARE_REQUESTED", "bytes_transferred": 0}
    seen = [info["status"]]
    deadline = time.monotonic() + 5
    while seen[-1] != "PREPARED" and time.monotonic() < deadline:
        time.sleep(0.05)
        info = dl.get_download_file(sid, "disk.iso").value
        if info["status"] != seen[-1]:
            seen.append(info["status"])
        # The endpoint exists only once the file is PREPARED.
        assert ("download_endpoint" in info) is (info["status"] == "PREPARED")
    assert seen == ["PREPARE_REQUESTED", "PREPARING", "PREPARED"]
    assert info["download_endpoint"]["uri"] == f"{dl.info['url']}/cls/data/{sid}/disk.iso"
    # A second prepare leaves a prepared file as it is.
    assert dl.prepare(sid, "disk.iso").value["status"] == "PREPARED"
    assert dl.get_download_file(sid, "notes.txt").value["status"] == "UNPREPARED"


def test_prepare_with_no_latency_answers_prepared(dl, content, latency):
    latency(0)
    sid = new_download(dl, content)
    info = dl.prepare(sid, "notes.txt", "HTTPS").value
    assert info["status"] == "PREPARED" and info["download_endpoint"]["uri"].endswith(f"/cls/data/{sid}/notes.txt")


def test_prepare_errors(dl, content):
    sid = new_download(dl, content)
    reply = dl.prepare(sid, "nothing.iso")
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert "nothing.iso" in reply.text
    reply = dl.prepare(sid, "disk.iso", "DIRECT")
    assert (reply.status, reply.error_type) == (403, "unauthorized")
    assert "ContentLibrary.ReadStorage" in reply.text
    reply = dl.prepare(sid, "disk.iso", "FTP", check_request=False)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert "endpoint_type" in reply.text
    assert dl.get_download_file(sid, "disk.iso").value["status"] == "UNPREPARED"


def test_prepare_is_activity(dl, content):
    sid = new_download(dl, content)
    before = parse_time(dl.get_download(sid).value["expiration_time"])
    time.sleep(0.05)
    assert dl.prepare(sid, "notes.txt").ok
    assert parse_time(dl.get_download(sid).value["expiration_time"]) > before
    # Reads are not.
    after = dl.get_download(sid).value["expiration_time"]
    time.sleep(0.05)
    dl.list_download_files(sid)
    dl.get_download_file(sid, "notes.txt")
    assert dl.get_download(sid).value["expiration_time"] == after


def test_the_session_sees_the_item_as_it_was(dl, content):
    """library_item_content_version and the files are those of the session's creation."""
    sid = new_download(dl, content)
    update = new_session(dl, content)
    push(dl, update, "disk.iso", b"a new version")
    assert dl.complete(update).ok
    assert dl.get_item(content).value["content_version"] == "3"
    assert dl.get_download(sid).value["library_item_content_version"] == "2"
    # The old bytes of disk.iso were replaced: preparing them fails; the unchanged file still works.
    assert dl.prepare(sid, "disk.iso").ok
    info = dl.wait_for_file(sid, "disk.iso")
    assert info["status"] == "ERROR" and "no longer stored" in info["error_message"]["default_message"]
    assert dl.fetch(prepared_uri(dl, sid, "notes.txt")).content == FILES["notes.txt"]
    newer = new_download(dl, content)
    assert dl.get_download(newer).value["library_item_content_version"] == "3"
    assert dl.fetch(prepared_uri(dl, newer, "disk.iso")).content == b"a new version"


def test_an_error_can_be_prepared_again(dl, content, control):
    control.clear_faults()
    control.fault(action="prepare_error")
    sid = new_download(dl, content)
    assert dl.prepare(sid, "disk.iso").ok
    assert dl.wait_for_file(sid, "disk.iso")["status"] == "ERROR"
    assert dl.fetch(prepared_uri(dl, sid, "disk.iso")).content == FILES["disk.iso"]
    assert "error_message" not in dl.get_download_file(sid, "disk.iso").value
    control.clear_faults()


@pytest.mark.parametrize("flavor", ["rest"])
def test_legacy_action_forms(dl, content):
    """The vSphere 6.x forms: POST <service>?~action=NAME with the parameters in the body or the query."""
    base = "/rest/com/vmware/content/library/item/download-session"
    files = "/rest/com/vmware/content/library/item/downloadsession/file"
    sid = dl.raw("POST", base, params={"~action": "create"}, json={"create_spec": {"library_item_id": content}}).body["value"]
    assert dl.raw("POST", base, params={"~action": "get"}, json={"download_session_id": sid}).body["value"]["state"] == "ACTIVE"
    assert sid in dl.raw("POST", base, params={"~action": "list", "library_item_id": content}).body["value"]
    assert dl.raw("POST", base, params={"~action": "keep-alive", "download_session_id": sid, "progress": "20"}).status == 200
    assert dl.get_download(sid).value["client_progress"] == 20
    listed = dl.raw("POST", files, params={"~action": "list"}, json={"download_session_id": sid}).body["value"]
    assert [f["name"] for f in listed] == list(FILES)
    prepared = dl.raw("POST", files, params={"~action": "prepare"}, json={"download_session_id": sid, "file_name": "notes.txt", "endpoint_type": "HTTPS"})
    assert prepared.body["value"]["name"] == "notes.txt"
    got = dl.raw("POST", files, params={"~action": "get", "download_session_id": sid, "file_name": "notes.txt"})
    assert got.body["value"]["name"] == "notes.txt"
    assert dl.raw("POST", base, params={"~action": "fail"}, json={"download_session_id": sid, "client_error_message": "legacy"}).status == 200
    assert dl.get_download(sid).value["error_message"]["default_message"] == "legacy"
    assert dl.raw("POST", base, params={"~action": "delete", "download_session_id": sid}).status == 200
    other = new_download(dl, content)
    assert dl.raw("POST", base, params={"~action": "cancel"}, json={"download_session_id": other}).status == 200
    assert dl.get_download(other).value["state"] == "CANCELED"


def test_modern_paths_answer_404_on_a_legacy_only_simulator(validator):
    with running_simulator(["--log-level", "warning", "--flavor", "rest"]) as info:
        client = make_download_client(info, "rest", validator)
        reply = client.raw("GET", "/api/content/library/item/download-session")
        assert reply.status == 404
        assert client.list_downloads().ok
