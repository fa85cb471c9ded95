# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection (POST /_sim/faults), the other host, the upload host switch and the rate limit."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from vsphere_content_simulator.launcher import running_simulator

from .conftest import make_client, new_item, new_session
from .test_files import push
from .vapi import Client, Control


@pytest.fixture(name="faults")
def fixture_faults(control):
    """The control API, with faults and settings reset after the test."""
    control.clear_faults()
    yield control
    control.clear_faults()
    control.settings(upload_rate_limit=0, upload_host="main")


def add(control, **spec):
    reply = control.fault(**spec)
    assert reply.status_code == 201, reply.text
    return reply.json()


def login_path(flavor):
    return "/api/session" if flavor == "api" else "/rest/com/vmware/cis/session"


def test_burst_after_skip_by_operation(client, faults, item):
    add(faults, operation="update_session.get", skip=1, count=2, status=503)
    sid = new_session(client, item)
    assert client.get_session(sid).ok
    for dummy in range(2):
        reply = client.get_session(sid)
        assert (reply.status, reply.error_type) == (503, "service_unavailable")
    assert client.get_session(sid).ok


@pytest.mark.parametrize("status,error_type", [(502, "error"), (504, "timed_out"), (500, "error"), (401, "unauthenticated")])
def test_status_on_a_write(client, faults, item, status, error_type):
    add(faults, method="POST", operation="update_session.create", status=status)
    if status == 502:
        # vAPI maps no error type to 502: the body says error, which the spec check would pin to 500.
        client.validator = None
    reply = client.create_session(item)
    assert (reply.status, reply.error_type) == (status, error_type)
    assert client.list_sessions(item).value == []


def test_every_request(client, faults):
    fault = add(faults, operation="library.list", every=True, status=503)
    for dummy in range(3):
        assert client.list_libraries().status == 503
    assert [f["id"] for f in requests.get(faults.base + "/faults", verify=faults.verify, timeout=10).json()["faults"]] == [fault["id"]]
    faults.clear_faults()
    assert client.list_libraries().ok


def test_refused_logins(sim, flavor, validator, faults):
    add(faults, operation="session.create", count=2, status=401)
    for dummy in range(2):
        reply = Client(sim, flavor, validator).login()
        assert (reply.status, reply.error_type) == (401, "unauthenticated")
    assert Client(sim, flavor, validator).login().ok


def test_session_expires_after_n_requests(client, faults, item):
    add(faults, action="expire_session", path="/content/", skip=2)
    assert client.get_item(item).ok and client.get_item(item).ok
    for dummy in range(2):
        reply = client.get_item(item)
        assert (reply.status, reply.error_type) == (401, "unauthenticated")
    assert client.login().ok and client.get_item(item).ok


def test_lost_answer_after_the_create_happened(client, faults, item):
    faults.clear_log()
    add(faults, operation="update_session.create", action="drop", when="after")
    with pytest.raises(requests.ConnectionError):
        client.create_session(item)
    [sid] = client.list_sessions(item).value
    assert client.get_session(sid).value["state"] == "ACTIVE"
    [entry] = [e for e in faults.log() if e["operation"] == "update_session.create"]
    assert (entry["status"], entry["write"], entry["session_header"]) == (0, True, True)
    assert entry["fault"] and entry["body_sha1"]


def test_slow_answer(client, faults, item):
    add(faults, operation="item.get", action="delay", seconds=1.5)
    with pytest.raises(requests.Timeout):
        client.http.get(
            client.url(("/api/content/library/item/" if client.flavor == "api" else "/rest/com/vmware/content/library/item/id:") + item),
            headers={"vmware-api-session-id": client.token},
            verify=client.verify,
            timeout=0.5,
        )
    add(faults, operation="update_session.create", action="delay", seconds=1.0, when="after")
    started = time.monotonic()
    assert client.create_session(item).ok
    assert time.monotonic() - started >= 1.0


@pytest.mark.parametrize(
    "kind,expected",
    [
        ("html", "<html>"),
        ("empty", None),
        ("truncated", '{"value": {"name": "trunc'),
        ("null", None),
        ("value_null", {"value": None}),
        ("list", []),
    ],
)
def test_malformed_bodies(client, faults, item, kind, expected):
    add(faults, operation="item.get", action="body", body=kind)
    reply = client.raw("GET", ("/api/content/library/item/" if client.flavor == "api" else "/rest/com/vmware/content/library/item/id:") + item)
    assert reply.status == 200
    if kind == "html":
        assert reply.headers["Content-Type"].startswith("text/html") and "<html>" in reply.body
    else:
        assert reply.body == expected


def test_malformed_body_after_a_write(client, faults, item):
    add(faults, operation="update_session.create", action="body", body="null", when="after", status=201)
    assert (
        client.raw(
            "POST",
            "/api/content/library/item/update-session" if client.flavor == "api" else "/rest/com/vmware/content/library/item/update-session",
            json={"library_item_id": item} if client.flavor == "api" else {"create_spec": {"library_item_id": item}},
        ).status
        == 201
    )
    assert len(client.list_sessions(item).value) == 1


def test_upload_dropped_mid_way(client, faults, item):
    sid = new_session(client, item)
    uri = push(client, sid, "a.iso", size=300_000).value["upload_endpoint"]["uri"]
    add(faults, operation="file.upload", action="drop_upload", after_bytes=100_000)
    with pytest.raises(requests.ConnectionError):
        client.upload(uri, b"x" * 300_000)
    info = client.get_file(sid, "a.iso").value
    assert info["status"] == "ERROR" and 0 < info["bytes_transferred"] <= 100_000
    assert "interrupted" in info["error_message"]["default_message"]
    [entry] = [e for e in faults.log() if e["operation"] == "file.upload"][-1:]
    assert entry["status"] == 0
    assert client.upload(uri, b"x" * 300_000).status == 200


@pytest.mark.parametrize("target,scheme", [("other", "https"), ("http", "http")])
def test_redirect_to_another_origin(client, faults, target, scheme):
    faults.clear_other_host_log()
    fault = add(faults, operation="library.list", action="redirect", target=target)
    assert fault["status"] == 307
    other = faults.start_other_host()
    path = "/api/content/library" if client.flavor == "api" else "/rest/com/vmware/content/library"
    response = client.http.get(client.url(path), headers={"vmware-api-session-id": client.token}, verify=client.verify, timeout=10, allow_redirects=False)
    assert response.status_code == 307
    assert response.headers["Location"] == other[f"{scheme}_url"] + path
    # A client that follows it blindly: the other host logs what it was sent.
    assert other["https_url"].startswith("https://127.0.0.") and other["http_url"].startswith("http://127.0.0.")
    add(faults, operation="library.list", action="redirect", target=target, status=302)
    client.http.get(client.url(path), headers={"vmware-api-session-id": client.token}, auth=("user", "secret"), verify=client.verify, timeout=10)
    [entry] = faults.other_host_log()
    assert (entry["scheme"], entry["method"], entry["path"]) == (scheme, "GET", path)
    # requests drops Authorization across hosts but not a custom header: exactly what the log shows.
    assert "Authorization" not in entry["headers"]
    assert entry["headers"].get("vmware-api-session-id") == client.token


def test_upload_host_switch(client, faults, item):
    other = faults.start_other_host()
    assert faults.settings(upload_host="other")["upload_host"] == "other"
    sid = new_session(client, item)
    uri = push(client, sid, "a.iso").value["upload_endpoint"]["uri"]
    path = f"/cls-data/{sid}/a.iso"
    assert uri == other["https_url"] + path
    faults.clear_other_host_log()
    assert client.upload(uri, b"abc", with_session=False).status == 200
    [entry] = faults.other_host_log()
    assert (entry["method"], entry["path"], entry["body_bytes"]) == ("PUT", path, 3)
    assert "vmware-api-session-id" not in entry["headers"]
    assert client.get_file(sid, "a.iso").value["status"] == "WAITING_FOR_TRANSFER"
    # The main host still serves the path.
    assert client.upload(client.url(path), b"abc").status == 200
    assert client.get_file(sid, "a.iso").value["status"] == "READY"
    faults.settings(upload_host="main")
    assert push(client, sid, "b.iso").value["upload_endpoint"]["uri"] == client.url(f"/cls-data/{sid}/b.iso")


@pytest.mark.parametrize(
    "spec",
    [
        {"action": "explode"},
        {"action": "body", "body": "xml"},
        {"action": "redirect", "target": "ftp://x"},
        {"action": "redirect", "status": 200},
        {"action": "delay"},
        {"action": "drop_upload"},
        {"operation": "no.such", "status": 503},
        {"status": 503, "skip": -1},
        {"status": 503, "when": "later"},
        {"status": 503, "nonsense": 1},
        {"action": "drop", "status": 503},
        {"status": 503, "every": "yes"},
    ],
)
def test_bad_fault_specs(faults, spec):
    reply = faults.fault(**spec)
    assert reply.status_code == 400 and "invalid fault" in reply.json()["error"]


def test_bad_settings(faults):
    for body in ({"upload_rate_limit": -1}, {"upload_host": "elsewhere"}, {"colour": "red"}):
        response = requests.patch(faults.base + "/settings", json=body, verify=faults.verify, timeout=10)
        assert response.status_code == 400


def timed_uploads(client, item, parallel, size):
    sid = new_session(client, item)
    uris = [push(client, sid, f"f{n}.iso", size=size).value["upload_endpoint"]["uri"] for n in range(parallel)]
    replies = []
    threads = [threading.Thread(target=lambda u=uri: replies.append(client.upload(u, b"r" * size))) for uri in uris]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status for r in replies] == [200] * parallel
    return time.monotonic() - started


def test_upload_rate_limit_is_per_connection(client, faults, item):
    """At 1 MB/s per connection, 4 uploads of 1 MB in parallel take about as long as one."""
    assert faults.settings(upload_rate_limit=1_000_000)["upload_rate_limit"] == 1_000_000
    one = timed_uploads(client, item, 1, 1_000_000)
    assert 0.8 <= one < 3
    four = timed_uploads(client, new_item(client, client.info, "iso"), 4, 1_000_000)
    assert 0.8 <= four < 2 * one
    faults.settings(upload_rate_limit=0)
    assert timed_uploads(client, new_item(client, client.info, "iso"), 1, 1_000_000) < 0.5


def test_rate_limit_and_other_host_flags(validator):
    with running_simulator(["--log-level", "warning", "--upload-rate-limit", "500000", "--upload-host", "other"]) as info:
        assert info["other_host"]["https_url"].startswith("https://127.0.0.")
        control = Control(info)
        settings = control.settings()
        assert (settings["upload_rate_limit"], settings["upload_host"]) == (500000, "other")
        client = make_client(info, "api", validator)
        sid = new_session(client, info["items"]["empty-iso"]["id"])
        uri = push(client, sid, "a.iso").value["upload_endpoint"]["uri"]
        assert uri.startswith(info["other_host"]["https_url"])
        started = time.monotonic()
        assert client.upload(client.url(uri[len(info["other_host"]["https_url"]) :]), b"z" * 500_000).status == 200
        assert time.monotonic() - started >= 0.8
