# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Malformed requests get the right vAPI error, never a 500 or a hang."""

from __future__ import annotations

import socket
import ssl
import time

import pytest

from vsphere_content_simulator.routes import OPERATIONS

from .conftest import new_session

API_US = "/api/content/library/item/update-session"
REST_US = "/rest/com/vmware/content/library/item/update-session"
REST_FILE = "/rest/com/vmware/content/library/item/updatesession/file"


def session_paths(flavor, sid):
    if flavor == "api":
        return {
            "create": ("POST", API_US),
            "update": ("PATCH", f"{API_US}/{sid}"),
            "add": ("POST", f"{API_US}/{sid}/file"),
            "keep": ("POST", f"{API_US}/{sid}?action=keep-alive"),
        }
    return {
        "create": ("POST", REST_US),
        "update": ("PATCH", f"{REST_US}/id:{sid}"),
        "add": ("POST", f"{REST_FILE}/id:{sid}?~action=add"),
        "keep": ("POST", f"{REST_US}/id:{sid}?~action=keep-alive"),
    }


@pytest.mark.parametrize("operation", ["create", "update", "add", "keep"])
@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00garbage", b'{"a": [1, 2'])
def test_malformed_json(client, item, validator, operation, body):
    sid = new_session(client, item)
    method, path = session_paths(client.flavor, sid)[operation]
    reply = client.raw(method, path, data=body, headers={"Content-Type": "application/json"})
    assert (reply.status, reply.error_type) == (400, "invalid_request")
    validator.check_error(reply.status, reply.body, client.flavor)
    assert client.get_session(sid).value["state"] == "ACTIVE"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"create_spec": "item"}, "create_spec"),
        ({"create_spec": {"library_item_id": 42}}, "library_item_id"),
        ({"create_spec": {"library_item_id": None}}, "library_item_id"),
        ({"client_token": 7, "create_spec": {}}, "client_token"),
        ({}, "create_spec"),
        ({"create_spec": {"library_item_id": "x", "warning_behavior": "all"}}, "warning_behavior"),
    ],
)
@pytest.mark.parametrize("flavor", ["rest"])
def test_rest_create_with_wrong_types(client, body, field):
    reply = client.call("POST", REST_US, body=body, check_request=False)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert field in reply.text


@pytest.mark.parametrize(
    "body, field",
    [
        ("item", "create_spec"),
        ([{"library_item_id": "x"}], "create_spec"),
        ({"library_item_id": ["x"]}, "library_item_id"),
        (None, "create_spec"),
    ],
)
@pytest.mark.parametrize("flavor", ["api"])
def test_api_create_with_wrong_types(client, body, field):
    reply = client.call("POST", API_US, body=body, check_request=False)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert field in reply.text


@pytest.mark.parametrize("flavor", ["rest"])
def test_rest_body_must_be_an_object(client, item):
    sid = new_session(client, item)
    reply = client.raw("POST", f"{REST_FILE}/id:{sid}?~action=get", json=["a.iso"])
    assert (reply.status, reply.error_type) == (400, "invalid_request")


@pytest.mark.parametrize(
    "request_args",
    [
        ("GET", REST_FILE, {}),
        ("POST", REST_FILE + "/id:{sid}?~action=get", {"json": {}}),
        ("POST", REST_FILE + "/id:{sid}?~action=remove", {"json": {"file_name": 3}}),
        ("GET", "/rest/com/vmware/content/library/item", {}),
        ("GET", "/rest/com/vmware/content/library/item/file", {}),
    ],
)
@pytest.mark.parametrize("flavor", ["rest"])
def test_rest_missing_parameters(client, item, request_args):
    sid = new_session(client, item)
    method, path, kwargs = request_args
    reply = client.raw(method, path.format(sid=sid), **kwargs)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")


def test_oversized_body(client, item):
    sid = new_session(client, item)
    method, path = session_paths(client.flavor, sid)["update"]
    reply = client.raw(method, path, data=b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}', headers={"Content-Type": "application/json"})
    assert (reply.status, reply.error_type) == (400, "invalid_request")


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "TRACE"])
def test_odd_methods(client, method):
    path = API_US if client.flavor == "api" else REST_US
    reply = client.raw(method, path)
    assert reply.status == 405


def test_simulator_survives(client, sim):
    """After every bad request above, the simulator still answers normally."""
    assert client.session_info().ok
    assert client.list_libraries().value == client.list_libraries().value
    assert sim["libraries"]["local-lib"]["id"] in client.list_libraries().value


def test_deeply_nested_json(client):
    path = API_US if client.flavor == "api" else REST_US
    reply = client.raw("POST", path, data=b"[" * 100000, headers={"Content-Type": "application/json"})
    assert (reply.status, reply.error_type) == (400, "invalid_request")


GARBAGE = [
    b"null",
    b"[]",
    b'"text"',
    b"{}",
    b"1e999",
    b'{"create_spec": null, "file_spec": [], "file_name": {}}',
    b'{"update_spec": {"warning_behavior": [null]}, "client_progress": true, "client_error_message": 5}',
]


def test_garbage_never_breaks_an_operation(client, item, sim):
    """Every operation of the route table, in this flavour, with bodies of every wrong shape: 4xx, never 5xx."""
    sid = new_session(client, item)
    download = client.raw("POST", "/rest/com/vmware/content/library/item/download-session", json={"create_spec": {"library_item_id": item}}).body["value"]
    ids = {
        "update_session_id": sid,
        "library_item_id": item,
        "library_id": sim["libraries"]["local-lib"]["id"],
        "file_name": "a.iso",
        "download_session_id": download,
        "source_library_item_id": item,
    }
    for operation in OPERATIONS:
        route = operation.route(client.flavor)
        if route is None or operation.name in ("session.delete", "session.create"):
            continue
        path, query = route.path.split("?", 1) if "?" in route.path else (route.path, "")
        path = path.format(**{key: value for key, value in ids.items() if "{" + key + "}" in path})
        params = dict([query.split("=", 1)]) if "=" in query else {}
        for body in GARBAGE:
            reply = client.raw(route.method, path, params=params, data=body, headers={"Content-Type": "application/json"})
            assert reply.status < 500, (operation.name, body, reply.status, reply.body)
    assert client.session_info().ok


def raw_exchange(sim, data, read=True):
    """Send bytes on a fresh TLS connection; return what the server answers (or b"" when not reading)."""
    port = int(sim["url"].rsplit(":", 1)[1])
    context = ssl.create_default_context(cafile=sim["ca_cert"])
    with context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="127.0.0.1") as conn:
        conn.sendall(data)
        return conn.recv(4096) if read else b""


@pytest.mark.parametrize("flavor", ["api"])
def test_malformed_http(client, sim):
    for data in (b"GARBAGE\r\n\r\n", b"PUT /cls-data/a/b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n"):
        assert raw_exchange(sim, data).startswith(b"HTTP/1.0 400")
    assert client.session_info().ok


def test_interrupted_upload(client, item, sim):
    sid = new_session(client, item)
    uri = client.add_file(sid, {"name": "a.iso", "source_type": "PUSH"}).value["upload_endpoint"]["uri"]
    path = uri.split("/", 3)[3]
    raw_exchange(sim, f"PUT /{path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n".encode() + b"x" * 10, read=False)
    deadline = time.monotonic() + 10
    info = client.get_file(sid, "a.iso").value
    while info["status"] != "ERROR" and time.monotonic() < deadline:
        time.sleep(0.05)
        info = client.get_file(sid, "a.iso").value
    assert info["status"] == "ERROR" and "interrupted" in info["error_message"]["default_message"]
