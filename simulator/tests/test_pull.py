# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PULL files: the simulator fetches http(s) sources itself, checking thumbprints, sizes and checksums."""

from __future__ import annotations

import hashlib
import http.server
import ssl
import threading
import time

import pytest
import trustme

from .conftest import new_session

CONTENT = b"pulled content " * 4096
SLOW_RELEASE = threading.Event()


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves CONTENT; /missing is a 404 and /slow pauses until SLOW_RELEASE is set."""

    def do_GET(self):  # pylint: disable=invalid-name  # the name http.server calls
        if self.path == "/missing":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(CONTENT)))
        self.end_headers()
        if self.path == "/slow":
            self.wfile.write(CONTENT[:1000])
            self.wfile.flush()
            SLOW_RELEASE.wait(10)
            self.wfile.write(CONTENT[1000:])
        else:
            self.wfile.write(CONTENT)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Keep the test output quiet."""


def serve(context=None):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture(scope="module", name="origin")
def fixture_origin():
    server = serve()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module", name="secure_origin")
def fixture_secure_origin():
    authority = trustme.CA()
    cert = authority.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    server = serve(context)
    der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())
    thumbprint = hashlib.sha1(der).hexdigest()
    yield f"https://127.0.0.1:{server.server_address[1]}", thumbprint
    server.shutdown()


def pull(client, sid, uri, thumbprint=None, **spec):
    endpoint = {"uri": uri}
    if thumbprint is not None:
        endpoint["ssl_certificate_thumbprint"] = thumbprint
    reply = client.add_file(sid, {"name": "pulled.iso", "source_type": "PULL", "source_endpoint": endpoint, **spec})
    assert reply.ok, reply.body
    return reply.value


def wait_file(client, sid, name="pulled.iso", limit=10.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        info = client.get_file(sid, name).value
        if info["status"] in ("READY", "ERROR"):
            return info
        time.sleep(0.05)
    raise AssertionError(f"{name} did not finish")


def test_pull_over_http(client, item, origin):
    sid = new_session(client, item)
    checksum = hashlib.sha256(CONTENT).hexdigest()
    info = pull(client, sid, origin + "/file.iso", size=len(CONTENT), checksum_info={"algorithm": "SHA256", "checksum": checksum})
    assert (info["source_type"], info["status"]) == ("PULL", "WAITING_FOR_TRANSFER")
    assert info["source_endpoint"] == {"uri": origin + "/file.iso"}
    assert "upload_endpoint" not in info
    info = wait_file(client, sid)
    assert (info["status"], info["size"], info["bytes_transferred"]) == ("READY", len(CONTENT), len(CONTENT))
    assert info["checksum_info"] == {"algorithm": "SHA256", "checksum": checksum}
    assert client.complete(sid).ok
    assert client.get_item_file(item, "pulled.iso").value["size"] == len(CONTENT)


@pytest.mark.parametrize(
    "case",
    [
        ("/file.iso", {"checksum_info": {"algorithm": "MD5", "checksum": "0" * 32}}, "MD5"),
        ("/file.iso", {"size": 10}, "10"),
        ("/missing", {}, "404"),
    ],
)
def test_pull_failures(client, item, origin, case):
    path, spec, reason = case
    sid = new_session(client, item)
    pull(client, sid, origin + path, **spec)
    info = wait_file(client, sid)
    assert info["status"] == "ERROR"
    assert reason in info["error_message"]["default_message"]
    assert client.validate(sid).value["invalid_files"][0]["name"] == "pulled.iso"
    # Only files the client uploads must be received for complete; a failed pull is left out.
    assert client.complete(sid).ok
    assert client.get_session(sid).value["state"] == "DONE"
    assert client.list_item_files(item).value == []


def test_pull_from_an_unreachable_host(client, item):
    sid = new_session(client, item)
    pull(client, sid, "http://127.0.0.1:9/nothing.iso")
    assert wait_file(client, sid)["status"] == "ERROR"


def test_pull_from_a_datastore_is_not_simulated(client, item):
    sid = new_session(client, item)
    pull(client, sid, "ds:///vmfs/volumes/datastore1/a.iso")
    info = wait_file(client, sid)
    assert info["status"] == "ERROR" and "http" in info["error_message"]["default_message"]


@pytest.mark.parametrize("style", ["plain", "colons-upper"])
def test_pull_over_https_with_the_right_thumbprint(client, item, secure_origin, style):
    url, thumbprint = secure_origin
    if style == "colons-upper":
        thumbprint = ":".join(thumbprint[i : i + 2] for i in range(0, len(thumbprint), 2)).upper()
    sid = new_session(client, item)
    pull(client, sid, url + "/file.iso", thumbprint)
    info = wait_file(client, sid)
    assert info["status"] == "READY", info.get("error_message")


def test_pull_over_https_with_a_wrong_thumbprint(client, item, secure_origin):
    url = secure_origin[0]
    sid = new_session(client, item)
    pull(client, sid, url + "/file.iso", "AA:" * 19 + "AA")
    info = wait_file(client, sid)
    assert info["status"] == "ERROR" and "thumbprint" in info["error_message"]["default_message"]


def test_pull_over_https_without_thumbprint_validates_the_certificate(client, item, secure_origin):
    url = secure_origin[0]
    sid = new_session(client, item)
    pull(client, sid, url + "/file.iso")
    info = wait_file(client, sid)
    assert info["status"] == "ERROR" and "certificate" in info["error_message"]["default_message"].lower()


def test_complete_returns_before_a_pull_ends(client, item, origin):
    SLOW_RELEASE.clear()
    sid = new_session(client, item)
    pull(client, sid, origin + "/slow")
    try:
        deadline = time.monotonic() + 5
        while client.get_file(sid, "pulled.iso").value["status"] != "TRANSFERRING" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.complete(sid).ok
        model = client.get_session(sid).value
        assert model["state"] == "ACTIVE"
        assert model["preview_info"] == {"state": "NOT_APPLICABLE"}
    finally:
        SLOW_RELEASE.set()
    deadline = time.monotonic() + 10
    while client.get_session(sid).value["state"] == "ACTIVE" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.get_session(sid).value["state"] == "DONE"
    assert client.get_item_file(item, "pulled.iso").value["size"] == len(CONTENT)


def test_a_pull_failing_during_complete_fails_the_session(client, item, origin):
    SLOW_RELEASE.clear()
    sid = new_session(client, item)
    pull(client, sid, origin + "/slow", checksum_info={"algorithm": "SHA1", "checksum": "0" * 40})
    try:
        deadline = time.monotonic() + 5
        while client.get_file(sid, "pulled.iso").value["status"] != "TRANSFERRING" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.complete(sid).ok
    finally:
        SLOW_RELEASE.set()
    deadline = time.monotonic() + 10
    while client.get_session(sid).value["state"] == "ACTIVE" and time.monotonic() < deadline:
        time.sleep(0.05)
    model = client.get_session(sid).value
    assert model["state"] == "ERROR"
    assert "pulled.iso" in model["error_message"]["default_message"]
    assert client.list_item_files(item).value == []


def test_cancel_stops_a_pull(client, item, origin):
    SLOW_RELEASE.clear()
    sid = new_session(client, item)
    pull(client, sid, origin + "/slow")
    try:
        assert client.cancel(sid).ok
        assert client.get_file(sid, "pulled.iso").value["status"] == "ERROR"
    finally:
        SLOW_RELEASE.set()
