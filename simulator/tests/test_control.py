# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The /_sim test-control API: request log, stats, fault injection and latency."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from vsphere_content_simulator.launcher import running_simulator

from .conftest import make_client, new_item, new_session
from .test_files import push
from .vapi import Client, Control

WRITES = {
    "session.create": False,
    "session.get": False,
    "session.delete": False,
    "update_session.create": True,
    "update_session.get": False,
    "update_session.list": False,
    "update_session.update": True,
    "update_session.delete": True,
    "update_session.keep_alive": True,
    "update_session.cancel": True,
    "update_session.complete": True,
    "update_session.fail": True,
    "file.add": True,
    "file.get": False,
    "file.list": False,
    "file.remove": True,
    "file.validate": False,
    "file.upload": True,
    "library.list": False,
    "library.get": False,
    "library.create": True,
    "library.find": False,
    "item.find": False,
    "item.delete": True,
    "item.create": True,
    "item.get": False,
    "item.list": False,
    "item_file.list": False,
    "item_file.get": False,
    "unknown": False,
}


def every_operation(client, info):
    """Call each operation of the API once (and an unknown path)."""
    client.list_libraries()
    client.get_library(info["libraries"]["local-lib"]["id"])
    client.create_library({"name": "lib-" + uuid.uuid4().hex[:6]})
    item_id = new_item(client, info, "iso")
    client.get_item(item_id)
    client.list_items(info["libraries"]["local-lib"]["id"])
    client.find_libraries({"name": "local-lib"})
    client.find_items({"name": "empty-iso"})
    client.delete_item(new_item(client, info, "iso"))
    client.session_info()
    sid = new_session(client, item_id)
    client.get_session(sid)
    client.list_sessions()
    client.update_session(sid, {"warning_behavior": []})
    client.keep_alive(sid, 5)
    push(client, sid, "a.iso", b"abc")
    client.get_file(sid, "a.iso")
    client.list_files(sid)
    client.validate(sid)
    push(client, sid, "b.iso")
    client.remove_file(sid, "b.iso")
    client.complete(sid)
    client.list_item_files(item_id)
    client.get_item_file(item_id, "a.iso")
    client.delete_session(sid)
    for action in (client.cancel, lambda s: client.fail(s, "x")):
        action(new_session(client, item_id))
    client.raw("GET", "/api/not/there")


def test_log_records_every_operation(sim, flavor, validator, control):
    control.clear_log()
    client = make_client(sim, flavor, validator)
    every_operation(client, sim)
    client.logout()
    entries = control.log()
    seen = {}
    for entry in entries:
        assert set(entry) == {
            "method",
            "path",
            "query",
            "status",
            "flavor",
            "operation",
            "write",
            "user",
            "session_header",
            "authorization",
            "body_sha1",
            "fault",
        }
        assert entry["session_header"] is (
            entry["operation"] not in ("session.create", "file.upload") or entry["operation"] == "file.upload" and entry["session_header"]
        )
        assert entry["write"] is WRITES[entry["operation"]], entry
        seen[entry["operation"]] = entry
    assert set(seen) == set(WRITES)
    assert seen["file.upload"]["flavor"] is None and seen["file.upload"]["method"] == "PUT"
    assert seen["update_session.get"]["flavor"] == flavor
    assert seen["update_session.get"]["user"] == sim["username"]
    assert seen["unknown"]["status"] == 404
    complete = seen["update_session.complete"]
    assert complete["query"] == ("action=complete" if flavor == "api" else "~action=complete")
    assert complete["status"] == (204 if flavor == "api" else 200)
    assert not any(entry["path"].startswith("/_sim") for entry in entries)


def test_failed_writes_are_logged_as_writes(client, control, item):
    sid = new_session(client, item)
    control.clear_log()
    client.delete_session(sid)
    client.create_session(str(uuid.uuid4()))
    [refused, missing] = control.log()
    assert (refused["operation"], refused["status"], refused["write"]) == ("update_session.delete", 400, True)
    assert (missing["operation"], missing["status"], missing["write"]) == ("update_session.create", 404, True)


def test_clearing_the_log_resets_the_counters(sim, flavor, validator, control):
    control.clear_log()
    open_before = control.stats()["open_login_sessions"]
    first = make_client(sim, flavor, validator)
    second = make_client(sim, flavor, validator)
    first.logout()
    failed = Client(sim, flavor, validator)
    failed.login(password="wrong")
    stats = control.stats()
    assert (stats["logins"], stats["logouts"], stats["open_login_sessions"]) == (2, 1, open_before + 1)
    [entry] = [e for e in control.log() if e["status"] == 401]
    assert (entry["operation"], entry["user"]) == ("session.create", None)
    control.clear_log()
    assert control.log() == []
    stats = control.stats()
    assert (stats["logins"], stats["logouts"], stats["open_login_sessions"]) == (0, 0, open_before + 1)
    second.logout()
    assert control.stats()["open_login_sessions"] == open_before


def test_status_fault(sim, flavor, validator, control):
    login_path = "/api/session" if flavor == "api" else "/rest/com/vmware/cis/session"
    reply = control.fault(method="POST", path="^" + login_path + "$", count=2, status=503)
    assert reply.status_code == 201
    assert reply.json()["count"] == 2
    control.clear_log()
    for attempt in range(2):
        client = Client(sim, flavor, validator)
        reply = client.login()
        assert (reply.status, reply.error_type) == (503, "service_unavailable"), attempt
        assert "injected" in reply.text
    assert make_client(sim, flavor, validator).logout().ok
    statuses = [(e["operation"], e["status"]) for e in control.log()]
    created = 201 if flavor == "api" else 200
    assert statuses[:3] == [("session.create", 503), ("session.create", 503), ("session.create", created)]
    assert control.stats()["logins"] == 1


def test_fault_matches_method_and_path(client, control, item):
    control.fault(method="GET", path="update-session", status=500)
    sid = new_session(client, item)
    reply = client.get_session(sid)
    assert (reply.status, reply.error_type) == (500, "error")
    assert client.get_session(sid).ok


def test_fault_other_statuses(client, control):
    control.fault(path="/content/library$", status=404)
    reply = client.list_libraries()
    assert (reply.status, reply.error_type) == (404, "not_found")
    control.fault(path="/content/library$", status=502)
    reply = client.raw("GET", "/api/content/library" if client.flavor == "api" else "/rest/com/vmware/content/library")
    assert (reply.status, reply.error_type) == (502, "error")


def test_drop_fault(client, control, item):
    control.clear_log()
    control.fault(method="POST", path="update-session", drop=True)
    with pytest.raises(requests.ConnectionError):
        client.create_session(item)
    assert client.create_session(item).ok
    entries = control.log()
    assert [(e["operation"], e["status"]) for e in entries] == [("update_session.create", 0), ("update_session.create", 201 if client.flavor == "api" else 200)]


def test_drop_fault_on_upload(client, control, item):
    sid = new_session(client, item)
    uri = push(client, sid, "a.iso").value["upload_endpoint"]["uri"]
    control.fault(method="PUT", path="/cls-data/", drop=True)
    with pytest.raises(requests.ConnectionError):
        client.upload(uri, b"abc")
    assert client.upload(uri, b"abc").status == 200


def test_fault_list_and_clear(control, client):
    control.clear_faults()
    control.fault(path="never-matches-anything", status=503, count=3)
    faults = requests.get(control.base + "/faults", verify=control.verify, timeout=10).json()["faults"]
    assert [(f["path"], f["count"], f["status"], f["method"]) for f in faults] == [("never-matches-anything", 3, 503, "*")]
    control.clear_faults()
    assert requests.get(control.base + "/faults", verify=control.verify, timeout=10).json() == {"faults": []}
    assert client.list_libraries().ok


@pytest.mark.parametrize(
    "spec",
    [
        {"path": "x"},
        {"path": "x", "status": 503, "drop": True},
        {"path": "(", "status": 503},
        {"path": "x", "status": 200},
        {"path": "x", "status": 503, "count": 0},
        {"path": "x", "status": 503, "count": None},
        {"path": "x", "status": 503, "skip": None},
        {"path": "x", "status": "503"},
        {"method": 5, "status": 503},
    ],
)
def test_bad_fault_specs(control, spec):
    reply = control.fault(**spec)
    assert reply.status_code == 400
    assert "invalid fault" in reply.json()["error"]


def test_unknown_control_endpoint(control):
    for path in ("", "/nothing"):
        reply = requests.get(control.base + path, verify=control.verify, timeout=10)
        assert reply.status_code == 404


def test_latency():
    with running_simulator(["--log-level", "warning", "--latency-ms", "150"]) as info:
        client = Client(info, "api")
        started = time.monotonic()
        assert client.login().ok
        assert client.list_libraries().ok
        assert time.monotonic() - started >= 0.3
        started = time.monotonic()
        Control(info).stats()
        assert time.monotonic() - started < 0.15
