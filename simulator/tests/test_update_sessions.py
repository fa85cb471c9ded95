# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Update session operations (reference §3) and their state rules (§3.10), in both flavours."""

from __future__ import annotations

import time
import uuid
from datetime import datetime

import pytest

from .conftest import OTHER_USER, make_client, new_item, new_session

TERMINAL = ("DONE", "ERROR", "CANCELED")


def to_state(client, item_id, state):
    """A session of ``item_id`` in ``state``."""
    sid = new_session(client, item_id)
    action = {"ACTIVE": None, "DONE": client.complete, "CANCELED": client.cancel, "ERROR": lambda s: client.fail(s, "broken on purpose")}[state]
    if action is not None:
        assert action(sid).ok
    assert client.get_session(sid).value["state"] == state
    return sid


def parse_time(text):
    assert text.endswith("Z")
    return datetime.fromisoformat(text[:-1] + "+00:00").timestamp()


def test_create_and_get(client, item):
    reply = client.create_session(item)
    assert reply.status == (201 if client.flavor == "api" else 200)
    sid = reply.value
    assert isinstance(sid, str) and uuid.UUID(sid)
    model = client.get_session(sid).value
    # get omits the id, as vCenter does.
    assert "id" not in model
    assert model["library_item_id"] == item
    assert model["state"] == "ACTIVE"
    assert model["client_progress"] == 0
    assert model["library_item_content_version"] == client.get_item(item).value["content_version"]
    assert model["warning_behavior"] == []
    assert model["preview_info"] == {"state": "UNAVAILABLE"}
    assert "error_message" not in model
    assert parse_time(model["expiration_time"]) > time.time() + 200


def test_create_with_warning_behavior(client, ovf_item):
    behavior = [{"type": "UNTRUSTED_CERTIFICATE", "ignored": True}]
    sid = new_session(client, ovf_item, warning_behavior=behavior)
    assert client.get_session(sid).value["warning_behavior"] == behavior


def test_create_needs_library_item_id(client):
    reply = client.create_session(None, spec={})
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert "library_item_id" in reply.text


def test_create_unknown_item(client):
    missing = str(uuid.uuid4())
    reply = client.create_session(missing)
    assert (reply.status, reply.error_type) == (404, "not_found")
    assert missing in reply.text


def test_create_subscribed_item(client, sim):
    reply = client.create_session(sim["items"]["subscribed-item"]["id"])
    assert (reply.status, reply.error_type) == (400, "invalid_element_type")


def test_one_active_session_per_item(client, item):
    first = new_session(client, item)
    reply = client.create_session(item)
    assert (reply.status, reply.error_type) == (500, "resource_busy")
    assert first in reply.text
    # Once the first is no longer ACTIVE the item is free again.
    assert client.cancel(first).ok
    second = new_session(client, item)
    assert second != first


@pytest.mark.parametrize("flavor,token_in", [("api", "header"), ("api", "query"), ("rest", "body")])
def test_client_token_makes_create_idempotent(client, item, token_in):
    token = str(uuid.uuid4())
    first = new_session(client, item, client_token=token, token_in=token_in)
    again = new_session(client, item, client_token=token, token_in=token_in)
    assert again == first
    assert client.list_sessions(item).value == [first]


def test_client_token_is_per_user(client, sim, validator, item):
    token = str(uuid.uuid4())
    first = new_session(client, item, client_token=token)
    other = make_client(sim, client.flavor, validator, OTHER_USER)
    try:
        # Another user with the same token gets no shortcut: the item is busy.
        reply = other.create_session(item, client_token=token)
        assert (reply.status, reply.error_type) == (500, "resource_busy")
        assert first in reply.text
    finally:
        other.logout()


def test_client_token_must_be_a_uuid(client, item):
    reply = client.create_session(item, client_token="not-a-uuid")
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert "not-a-uuid" in reply.text
    assert client.list_sessions(item).value == []


def test_list_is_per_user_and_filters_by_item(client, sim, validator):
    first_item = new_item(client, sim, "iso")
    second_item = new_item(client, sim, "iso")
    first = new_session(client, first_item)
    second = new_session(client, second_item)
    listed = client.list_sessions().value
    assert first in listed and second in listed
    assert client.list_sessions(first_item).value == [first]
    assert client.list_sessions(second_item).value == [second]
    other = make_client(sim, client.flavor, validator, OTHER_USER)
    try:
        assert first not in other.list_sessions().value
        assert other.list_sessions(first_item).value == []
        mine = new_session(other, new_item(other, sim, "iso"))
        assert mine not in client.list_sessions().value
        assert mine in other.list_sessions().value
    finally:
        other.logout()


def test_list_unknown_item(client):
    missing = str(uuid.uuid4())
    reply = client.list_sessions(missing)
    assert (reply.status, reply.error_type) == (404, "not_found")
    assert missing in reply.text


def test_update_changes_only_warning_behavior(client, ovf_item):
    sid = new_session(client, ovf_item)
    behavior = [{"type": "SELF_SIGNED_CERTIFICATE", "ignored": True}, {"type": "EXPIRED_CERTIFICATE", "ignored": False}]
    reply = client.update_session(sid, {"warning_behavior": behavior, "state": "DONE", "client_progress": 99, "library_item_id": str(uuid.uuid4())})
    assert reply.status == (204 if client.flavor == "api" else 200)
    assert reply.body is None
    model = client.get_session(sid).value
    assert model["warning_behavior"] == behavior
    assert (model["state"], model["client_progress"], model["library_item_id"]) == ("ACTIVE", 0, ovf_item)
    # An empty spec leaves everything as it was.
    assert client.update_session(sid, {}).ok
    assert client.get_session(sid).value["warning_behavior"] == behavior


@pytest.mark.parametrize(
    "behavior",
    [
        [{"type": "NOT_A_WARNING", "ignored": True}],
        [{"type": "SELF_SIGNED_CERTIFICATE", "ignored": "yes"}],
        [{"type": "SELF_SIGNED_CERTIFICATE"}],
        {"type": "SELF_SIGNED_CERTIFICATE", "ignored": True},
    ],
)
def test_update_rejects_bad_warning_behavior(client, item, behavior):
    sid = new_session(client, item)
    path, kwargs = client_update_request(client, sid, {"warning_behavior": behavior})
    reply = client.raw("PATCH", path, **kwargs)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert "warning_behavior" in reply.text
    assert client.get_session(sid).value["warning_behavior"] == []


def client_update_request(client, sid, spec):
    if client.flavor == "api":
        return f"/api/content/library/item/update-session/{sid}", {"json": spec}
    return f"/rest/com/vmware/content/library/item/update-session/id:{sid}", {"json": {"update_spec": spec}}


def test_keep_alive_moves_expiration_and_progress(client, item):
    sid = new_session(client, item)
    before = parse_time(client.get_session(sid).value["expiration_time"])
    time.sleep(0.05)
    reply = client.keep_alive(sid, 40)
    assert reply.status == (204 if client.flavor == "api" else 200)
    model = client.get_session(sid).value
    assert model["client_progress"] == 40
    assert parse_time(model["expiration_time"]) > before
    assert client.keep_alive(sid).ok
    assert client.keep_alive(sid, 40).ok
    assert client.get_session(sid).value["client_progress"] == 40


@pytest.mark.parametrize("progress", [10, 101, -1])
def test_keep_alive_rejects_bad_progress(client, item, progress):
    sid = new_session(client, item)
    assert client.keep_alive(sid, 50).ok
    reply = client.keep_alive(sid, progress)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert "client_progress" in reply.text
    assert client.get_session(sid).value["client_progress"] == 50


def test_cancel(client, item):
    sid = new_session(client, item)
    reply = client.cancel(sid)
    assert reply.status == (204 if client.flavor == "api" else 200)
    model = client.get_session(sid).value
    assert model["state"] == "CANCELED"
    assert "preview_info" not in model


def test_complete_without_files(client, item):
    version = int(client.get_item(item).value["content_version"])
    sid = new_session(client, item)
    reply = client.complete(sid)
    assert reply.status == (204 if client.flavor == "api" else 200)
    assert client.get_session(sid).value["state"] == "DONE"
    assert int(client.get_item(item).value["content_version"]) == version + 1


def test_fail_stores_the_client_message(client, item):
    sid = new_session(client, item)
    reply = client.fail(sid, "could not read source file {0}")
    assert reply.status == (204 if client.flavor == "api" else 200)
    model = client.get_session(sid).value
    assert model["state"] == "ERROR"
    assert model["error_message"]["default_message"] == "could not read source file {0}"
    assert model["error_message"]["args"] == ["could not read source file {0}"]


def test_fail_needs_a_message(client, item):
    sid = new_session(client, item)
    reply = client.action(sid, "fail", {}, check_request=False)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert "client_error_message" in reply.text
    assert client.get_session(sid).value["state"] == "ACTIVE"


@pytest.mark.parametrize("state", TERMINAL)
def test_delete_terminal_session(client, item, state):
    sid = to_state(client, item, state)
    reply = client.delete_session(sid)
    assert reply.status == (204 if client.flavor == "api" else 200)
    reply = client.get_session(sid)
    assert (reply.status, reply.error_type) == (404, "not_found")
    assert sid not in client.list_sessions().value


def test_delete_refused_while_active(client, item):
    sid = new_session(client, item)
    reply = client.delete_session(sid)
    assert (reply.status, reply.error_type) == (400, "not_allowed_in_current_state")
    assert sid in reply.text and "ACTIVE" in reply.text
    assert client.get_session(sid).value["state"] == "ACTIVE"


REQUIRES_ACTIVE = {
    "update": lambda c, s: c.update_session(s, {"warning_behavior": []}),
    "keep-alive": lambda c, s: c.keep_alive(s, 10),
    "cancel": lambda c, s: c.cancel(s),
    "complete": lambda c, s: c.complete(s),
    "fail": lambda c, s: c.fail(s, "again"),
    "validate": lambda c, s: c.validate(s),
}


@pytest.mark.parametrize("state", TERMINAL)
@pytest.mark.parametrize("operation", sorted(REQUIRES_ACTIVE))
def test_operations_that_need_active(client, item, operation, state):
    sid = to_state(client, item, state)
    reply = REQUIRES_ACTIVE[operation](client, sid)
    assert (reply.status, reply.error_type) == (400, "not_allowed_in_current_state")
    assert sid in reply.text and state in reply.text
    assert client.get_session(sid).value["state"] == state


UNKNOWN_SESSION = {
    "get": lambda c, s: c.get_session(s),
    "update": lambda c, s: c.update_session(s, {}),
    "delete": lambda c, s: c.delete_session(s),
    "keep-alive": lambda c, s: c.keep_alive(s),
    "cancel": lambda c, s: c.cancel(s),
    "complete": lambda c, s: c.complete(s),
    "fail": lambda c, s: c.fail(s, "x"),
    "file.add": lambda c, s: c.add_file(s, {"name": "a.iso", "source_type": "PUSH"}),
    "file.get": lambda c, s: c.get_file(s, "a.iso"),
    "file.list": lambda c, s: c.list_files(s),
    "file.remove": lambda c, s: c.remove_file(s, "a.iso"),
    "file.validate": lambda c, s: c.validate(s),
}


@pytest.mark.parametrize("operation", sorted(UNKNOWN_SESSION))
def test_unknown_session(client, operation):
    missing = str(uuid.uuid4())
    reply = UNKNOWN_SESSION[operation](client, missing)
    assert (reply.status, reply.error_type) == (404, "not_found")
    assert missing in reply.text


def test_sessions_of_other_users_are_readable_by_id(client, sim, validator, item):
    sid = new_session(client, item)
    other = make_client(sim, client.flavor, validator, OTHER_USER)
    try:
        assert other.get_session(sid).value["library_item_id"] == item
    finally:
        other.logout()
