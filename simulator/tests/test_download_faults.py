# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The download faults of POST /_sim/faults: a dropped or corrupted transfer, Range ignored, no Content-Length,
a prepare that fails or never ends."""

from __future__ import annotations

import hashlib
import socket
import ssl
import time
from urllib.parse import urlsplit

import pytest
import requests

from vsphere_content_simulator.launcher import running_simulator
from .dlclient import fixture_dl  # noqa: F401  # pylint: disable=unused-import
from .dlclient import item_with_files, make_download_client, new_download, prepared_uri
from .vapi import Control

DATA = hashlib.sha256(b"download faults").digest() * 40_000


@pytest.fixture(name="faults")
def fixture_faults(control):
    control.clear_faults()
    yield control
    control.clear_faults()


@pytest.fixture(name="uri")
def fixture_uri(dl, sim):
    """The endpoint of a prepared 1.25 MB file, and its session id."""
    item = item_with_files(dl, sim, {"disk.iso": DATA})
    sid = new_download(dl, item)
    return prepared_uri(dl, sid, "disk.iso"), sid


def raw_get(client, uri):
    """GET over a TLS socket of its own, read to the end: the response head and every body byte that arrived."""
    parts = urlsplit(uri)
    context = ssl.create_default_context(cafile=client.verify)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as plain:
        with context.wrap_socket(plain, server_hostname=parts.hostname) as conn:
            conn.sendall(f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nvmware-api-session-id: {client.token}\r\n\r\n".encode())
            data = b""
            try:
                while chunk := conn.recv(1 << 16):
                    data += chunk
            except (ssl.SSLError, ConnectionError):
                pass
    head, dummy, body = data.partition(b"\r\n\r\n")
    return head, body


def add(control, **spec):
    reply = control.fault(**spec)
    assert reply.status_code == 201, reply.text
    return reply.json()


def test_drop_after_some_bytes_then_resume(dl, faults, uri):
    uri, sid = uri
    fault = add(faults, action="drop_download", after_bytes=300_000)
    # Without an operation, a download fault waits for the operation it acts on.
    assert fault["operation"] == "file.download"
    assert dl.list_downloads().ok
    head, received = raw_get(dl, uri)
    assert head.startswith(b"HTTP/1.1 200 ") and f"Content-Length: {len(DATA)}".encode() in head
    assert len(received) == 300_000 and received == DATA[:300_000]
    with pytest.raises(requests.exceptions.RequestException):
        add(faults, action="drop_download", after_bytes=300_000)
        dl.fetch(uri).content  # pylint: disable=expression-not-assigned
    info = dl.get_download_file(sid, "disk.iso").value
    assert info["bytes_transferred"] == 600_000 and "checksum_info" not in info
    [entry] = [e for e in faults.log() if e["operation"] == "file.download"][-2:-1]
    assert (entry["status"], entry["fault"]) == (0, fault["id"])
    # Resuming where it stopped completes the file.
    rest = dl.fetch(uri, headers={"Range": "bytes=300000-"})
    assert rest.status_code == 206 and received + rest.content == DATA
    info = dl.get_download_file(sid, "disk.iso").value
    assert info["checksum_info"]["checksum"] == hashlib.sha1(DATA).hexdigest() and info["size"] == len(DATA)


def test_drop_before_any_byte(dl, faults, uri):
    add(faults, action="drop_download", after_bytes=0)
    with pytest.raises(requests.exceptions.RequestException):
        dl.fetch(uri[0]).content  # pylint: disable=expression-not-assigned
    assert dl.fetch(uri[0]).content == DATA


@pytest.mark.parametrize("offset", [None, 0, 1_000_000, len(DATA) - 1])
def test_corrupted_bytes_fail_the_checksum(dl, faults, uri, offset):
    uri, sid = uri
    spec = {"action": "corrupt_download"}
    if offset is not None:
        spec["offset"] = offset
    add(faults, **spec)
    body = dl.fetch(uri).content
    assert len(body) == len(DATA) and body != DATA
    flipped = offset or 0
    assert body[:flipped] == DATA[:flipped] and body[flipped + 1 :] == DATA[flipped + 1 :]
    # The server reports the checksum of what it holds: the client's check fails.
    info = dl.get_download_file(sid, "disk.iso").value
    assert info["size"] == len(DATA)
    assert info["checksum_info"]["checksum"] == hashlib.sha1(DATA).hexdigest() != hashlib.sha1(body).hexdigest()
    assert dl.fetch(uri).content == DATA


def test_corruption_outside_the_range_served(dl, faults, uri):
    add(faults, action="corrupt_download", offset=10)
    assert dl.fetch(uri[0], headers={"Range": "bytes=100-199"}).content == DATA[100:200]


def test_range_ignored(dl, faults, uri):
    add(faults, action="ignore_range")
    response = dl.fetch(uri[0], headers={"Range": "bytes=100-"})
    assert response.status_code == 200 and response.content == DATA
    assert "Content-Range" not in response.headers and "Accept-Ranges" not in response.headers


@pytest.mark.parametrize("ranged", [False, True])
def test_no_content_length(dl, faults, uri, ranged):
    add(faults, action="no_content_length", every=True)
    response = dl.fetch(uri[0], headers={"Range": "bytes=10-"} if ranged else {})
    assert "Content-Length" not in response.headers
    assert response.headers["Transfer-Encoding"] == "chunked"
    assert response.content == (DATA[10:] if ranged else DATA)


def test_prepare_error(dl, faults, sim):
    item = item_with_files(dl, sim, {"a.iso": b"a", "b.iso": b"b"})
    sid = new_download(dl, item)
    add(faults, action="prepare_error", message="The datastore went away.")
    add(faults, action="prepare_error")
    assert dl.prepare(sid, "a.iso").value["status"] in ("PREPARE_REQUESTED", "PREPARING")
    info = dl.wait_for_file(sid, "a.iso")
    assert (info["status"], info["error_message"]["default_message"]) == ("ERROR", "The datastore went away.")
    assert "download_endpoint" not in info
    assert dl.prepare(sid, "b.iso").ok
    assert "fault injected" in dl.wait_for_file(sid, "b.iso")["error_message"]["default_message"]


def test_prepare_that_never_ends(dl, faults, sim, control):
    item = item_with_files(dl, sim, {"a.iso": b"a"})
    sid = new_download(dl, item)
    add(faults, action="prepare_stall")
    assert dl.prepare(sid, "a.iso").ok
    dl.wait_for_file(sid, "a.iso", ("PREPARING",))
    time.sleep(control.settings()["prepare_latency"] * 2)
    assert dl.get_download_file(sid, "a.iso").value["status"] == "PREPARING"
    # Asking again does not restart it; the session can still be failed and deleted.
    assert dl.prepare(sid, "a.iso").value["status"] == "PREPARING"
    assert dl.fail_download(sid, "prepare timed out").ok and dl.delete_download(sid).ok


def test_prepare_stall_without_latency(validator):
    with running_simulator(["--log-level", "warning", "--prepare-latency", "0"]) as info:
        client = make_download_client(info, "rest", validator)
        sid = new_download(client, item_with_files(client, info, {"a.iso": b"a"}))
        add(Control(info), action="prepare_stall")
        assert client.prepare(sid, "a.iso").value["status"] == "PREPARING"
        assert client.prepare(sid, "a.iso").value["status"] == "PREPARING"


@pytest.mark.parametrize(
    "spec",
    [
        {"action": "drop_download"},
        {"action": "drop_download", "after_bytes": -1},
        {"action": "drop_download", "after_bytes": "10"},
        {"action": "corrupt_download", "offset": -5},
        {"action": "prepare_error", "message": 5},
        {"action": "prepare_error", "message": ""},
        {"action": "ignore_range", "status": 500},
        {"action": "no_content_length", "nonsense": True},
    ],
)
def test_bad_download_fault_specs(faults, spec):
    reply = faults.fault(**spec)
    assert reply.status_code == 400 and "invalid fault" in reply.json()["error"]


def test_a_download_fault_can_name_another_operation(dl, faults, uri):
    """With an explicit operation (or path) the fault matches as any other would."""
    fault = add(faults, action="ignore_range", operation="file.download", path="/cls/data/", skip=1)
    assert (fault["skip"], fault["path"]) == (1, "/cls/data/")
    assert dl.fetch(uri[0], headers={"Range": "bytes=0-0"}).status_code == 206
    assert dl.fetch(uri[0], headers={"Range": "bytes=0-0"}).status_code == 200
    assert dl.fetch(uri[0], headers={"Range": "bytes=0-0"}).status_code == 206
