# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two URL flavours (reference §6): --flavor, error shapes, unknown paths and methods."""

from __future__ import annotations

import uuid

import pytest

from vsphere_content_simulator.launcher import running_simulator

from .conftest import make_client, new_session
from .vapi import Client


@pytest.fixture(scope="module", params=["api", "rest"], name="single_flavor")
def fixture_single_flavor(request):
    with running_simulator(["--log-level", "warning", "--flavor", request.param]) as info:
        assert info["flavor"] == request.param
        yield info


def test_single_flavor_simulator(single_flavor, validator):
    served = single_flavor["flavor"]
    hidden = "rest" if served == "api" else "api"
    assert make_client(single_flavor, served, validator).list_libraries().ok
    client = Client(single_flavor, hidden)
    reply = client.login()
    assert reply.status == 404
    assert reply.error_type == "not_found"
    # Every path of the hidden flavour is unknown, as on a vCenter without it.
    reply = client.raw("GET", f"/{hidden}/content/library" if hidden == "api" else "/rest/com/vmware/content/library")
    assert reply.status == 404


def test_both_flavours_share_state(sim, validator, item):
    api = make_client(sim, "api", validator)
    rest = make_client(sim, "rest", validator)
    sid = new_session(api, item)
    assert rest.get_session(sid).value == api.get_session(sid).value
    assert sid in rest.list_sessions().value
    assert rest.cancel(sid).ok
    assert api.get_session(sid).value["state"] == "CANCELED"
    api.logout()
    rest.logout()


def test_error_shapes(client):
    missing = str(uuid.uuid4())
    reply = client.get_session(missing)
    assert reply.status == 404
    if client.flavor == "api":
        assert set(reply.body) == {"error_type", "messages"}
        assert reply.body["error_type"] == "NOT_FOUND"
        [message] = reply.body["messages"]
        assert message["params"] == {"id": {"s": missing}}
    else:
        assert set(reply.body) == {"type", "value"}
        assert reply.body["type"] == "com.vmware.vapi.std.errors.not_found"
        assert reply.body["value"]["error_type"] == "NOT_FOUND"
        [message] = reply.body["value"]["messages"]
        assert message["params"] == [{"key": "id", "value": {"s": missing}}]
    assert message["args"] == [missing]
    assert missing in message["default_message"]
    assert message["id"]


def test_messages_inside_results_follow_the_flavour(client, item):
    sid = new_session(client, item)
    assert client.fail(sid, "disk full").ok
    params = client.get_session(sid).value["error_message"]["params"]
    if client.flavor == "api":
        assert params == {"message": {"s": "disk full"}}
    else:
        assert params == [{"key": "message", "value": {"s": "disk full"}}]


@pytest.mark.parametrize(
    "path",
    [
        "/api/content/nothing-here",
        "/rest/com/vmware/content/nothing",
        "/api",
        "/elsewhere",
        "/",
    ],
)
def test_unknown_paths(client, validator, path):
    reply = client.raw("GET", path)
    assert (reply.status, reply.error_type) == (404, "not_found")
    if validator is not None:
        validator.check_error(reply.status, reply.body, reply.flavor)


def test_wrong_method_on_a_known_path(client, validator):
    path = "/api/content/library/item/update-session" if client.flavor == "api" else "/rest/com/vmware/content/library/item/update-session"
    reply = client.raw("PUT", path, json={})
    assert (reply.status, reply.error_type) == (405, "operation_not_found")
    assert set(reply.headers["Allow"].split(", ")) == {"GET", "POST"}
    if validator is not None:
        validator.check_error(reply.status, reply.body, client.flavor)


def test_unknown_action(client, item, validator):
    sid = new_session(client, item)
    path = f"/api/content/library/item/update-session/{sid}" if client.flavor == "api" else f"/rest/com/vmware/content/library/item/update-session/id:{sid}"
    key = "action" if client.flavor == "api" else "~action"
    reply = client.raw("POST", path, params={key: "explode"})
    assert (reply.status, reply.error_type) == (404, "operation_not_found")
    assert "explode" in reply.text
    if validator is not None:
        validator.check_error(reply.status, reply.body, client.flavor)
