# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vSphere 6.x spellings of the legacy flavour: ``POST <service>?~action=NAME`` with the
parameters in the JSON body, or the scalar ones in the query string (reference §3, §7)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .conftest import make_client, new_item
from .test_files import push

REST_US = "/rest/com/vmware/content/library/item/update-session"
REST_FILE = "/rest/com/vmware/content/library/item/updatesession/file"


@pytest.fixture(name="rest")
def fixture_rest(sim, validator):
    client = make_client(sim, "rest", validator)
    yield client
    client.logout()


def act(client, base, action, body=None, query=None):
    params = {"~action": action, **(query or {})}
    reply = client.raw("POST", base, params=params, json=body)
    if client.validator is not None and not reply.ok:
        client.validator.check_error(reply.status, reply.body, "rest")
    return reply


@pytest.mark.parametrize("where", ["body", "query"])
def test_every_update_session_action(rest, sim, control, where):
    def call(action, **params):
        body = dict(params) if where == "body" else {}
        query: dict[str, Any] = {}
        if where == "query":
            for name, value in params.items():
                (query if isinstance(value, (str, int)) else body)[name] = value
        return act(rest, REST_US, action, body or None, query)

    item = new_item(rest, sim, "iso")
    token = str(uuid.uuid4())
    created = call("create", client_token=token, create_spec={"library_item_id": item})
    assert created.status == 200
    sid = created.body["value"]
    assert call("create", client_token=token, create_spec={"library_item_id": item}).body == {"value": sid}
    assert call("list", library_item_id=item).body == {"value": [sid]}
    assert call("get", update_session_id=sid).body["value"]["state"] == "ACTIVE"
    assert call("update", update_session_id=sid, update_spec={"warning_behavior": [{"type": "UNTRUSTED_CERTIFICATE", "ignored": True}]}).status == 200
    assert call("keep-alive", update_session_id=sid, client_progress=40).status == 200
    session = rest.get_session(sid).value
    assert (session["client_progress"], session["warning_behavior"][0]["ignored"]) == (40, True)
    push(rest, sid, "a.iso", b"abc")
    assert call("complete", update_session_id=sid).status == 200
    assert rest.get_session(sid).value["state"] == "DONE"
    assert call("delete", update_session_id=sid).status == 200
    assert rest.get_session(sid).status == 404
    for action, state in (("cancel", "CANCELED"), ("fail", "ERROR")):
        other = rest.create_session(item).value
        extra = {"client_error_message": "client gave up"} if action == "fail" else {}
        assert call(action, update_session_id=other, **extra).status == 200
        session = rest.get_session(other).value
        assert session["state"] == state
        if action == "fail":
            assert session["error_message"]["default_message"] == "client gave up"
        assert rest.delete_session(other).ok
    control.clear_log()
    call("get", update_session_id=sid)
    [entry] = control.log()
    assert (entry["operation"], entry["status"], entry["query"].split("&")[0]) == ("update_session.get", 404, "~action=get")


@pytest.mark.parametrize("where", ["body", "query"])
def test_every_file_action(rest, sim, where):
    sid = rest.create_session(new_item(rest, sim, "iso")).value

    def call(action, **params):
        if where == "body":
            return act(rest, REST_FILE, action, params)
        body = {k: v for k, v in params.items() if not isinstance(v, str)}
        return act(rest, REST_FILE, action, body or None, {k: v for k, v in params.items() if isinstance(v, str)})

    added = call("add", update_session_id=sid, file_spec={"name": "a.iso", "source_type": "PUSH"})
    assert added.status == 200 and added.body["value"]["status"] == "WAITING_FOR_TRANSFER"
    assert rest.upload(added.body["value"]["upload_endpoint"]["uri"], b"abc").status == 200
    assert call("get", update_session_id=sid, file_name="a.iso").body["value"]["status"] == "READY"
    assert [f["name"] for f in call("list", update_session_id=sid).body["value"]] == ["a.iso"]
    assert call("validate", update_session_id=sid).body["value"]["has_errors"] is False
    assert call("remove", update_session_id=sid, file_name="a.iso").status == 200
    assert call("list", update_session_id=sid).body == {"value": []}


def test_errors_keep_their_legacy_shape(rest):
    missing = str(uuid.uuid4())
    reply = act(rest, REST_US, "fail", {"update_session_id": missing, "client_error_message": "x"})
    assert (reply.status, reply.error_type) == (404, "not_found") and missing in reply.text
    reply = act(rest, REST_US, "fail", query={"update_session_id": missing})
    assert (reply.status, reply.error_type) == (400, "invalid_argument") and "client_error_message" in reply.text
    reply = act(rest, REST_US, "keep-alive", query={"update_session_id": missing, "client_progress": "lots"})
    assert (reply.status, reply.error_type) == (400, "invalid_argument")


def test_not_on_the_modern_flavour(sim, validator):
    client = make_client(sim, "api", validator)
    reply = client.raw("POST", "/api/content/library/item/update-session", params={"action": "get"}, json={"update_session_id": "x"})
    assert reply.status in (400, 404) and reply.error_type in ("operation_not_found", "invalid_argument")
