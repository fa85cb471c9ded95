# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The download endpoint (download reference §5): bytes, Range, login, invalidation, size and checksum afterwards,
the rate limit, the download host, expiry, the log and the stats."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid

import pytest
import requests

from vsphere_content_simulator.launcher import running_simulator
from .conftest import OTHER_USER
from .dlclient import fixture_dl  # noqa: F401  # pylint: disable=unused-import
from .dlclient import item_with_files, make_download_client, new_download, prepared_uri
from .test_update_sessions import parse_time

DATA = bytes(range(256)) * 40_000 + b"tail"
SMALL = b"0123456789"


@pytest.fixture(name="content")
def fixture_content(dl, sim):
    return item_with_files(dl, sim, {"big.iso": DATA, "small.txt": SMALL, "empty.txt": b""})


@pytest.fixture(name="settings")
def fixture_settings(control):
    """Change settings for one test; the defaults come back afterwards."""
    defaults = control.settings()
    yield control.settings
    control.settings(**defaults)


def test_whole_file(dl, content):
    sid = new_download(dl, content)
    uri = prepared_uri(dl, sid, "big.iso")
    before = dl.get_download_file(sid, "big.iso").value
    assert "size" not in before and "checksum_info" not in before and before["bytes_transferred"] == 0
    response = dl.fetch(uri)
    assert response.status_code == 200
    assert response.content == DATA
    assert response.headers["Content-Length"] == str(len(DATA))
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Type"] == "application/octet-stream"
    # Once the whole file went out, size and checksum_info are there, and match the item's file.
    info = dl.get_download_file(sid, "big.iso").value
    assert (info["size"], info["bytes_transferred"]) == (len(DATA), len(DATA))
    assert info["checksum_info"] == {"algorithm": "SHA1", "checksum": hashlib.sha1(DATA).hexdigest()}
    assert info["checksum_info"] == dl.get_item_file(content, "big.iso").value["checksum_info"]
    # Another GET counts again.
    assert dl.fetch(uri).content == DATA
    assert dl.get_download_file(sid, "big.iso").value["bytes_transferred"] == 2 * len(DATA)


def test_empty_file(dl, content):
    sid = new_download(dl, content)
    response = dl.fetch(prepared_uri(dl, sid, "empty.txt"))
    assert (response.status_code, response.content, response.headers["Content-Length"]) == (200, b"", "0")
    info = dl.get_download_file(sid, "empty.txt").value
    assert info["size"] == 0 and info["checksum_info"]["checksum"] == hashlib.sha1(b"").hexdigest()


@pytest.mark.parametrize(
    "header,status,body,content_range",
    [
        ("bytes=3-", 206, SMALL[3:], "bytes 3-9/10"),
        ("bytes=2-4", 206, SMALL[2:5], "bytes 2-4/10"),
        ("bytes=8-100", 206, SMALL[8:], "bytes 8-9/10"),
        ("bytes=-4", 206, SMALL[-4:], "bytes 6-9/10"),
        ("bytes=-40", 206, SMALL, "bytes 0-9/10"),
        ("bytes=9-9", 206, SMALL[9:], "bytes 9-9/10"),
        # Not understood (several ranges, another unit, a bad range): the whole file, as RFC 9110 allows.
        ("bytes=0-1,4-5", 200, SMALL, None),
        ("lines=1-2", 200, SMALL, None),
        ("bytes=5-2", 200, SMALL, None),
        ("bytes=x-", 200, SMALL, None),
    ],
)
@pytest.mark.parametrize("flavor", ["api"])
def test_ranges(dl, content, header, status, body, content_range):
    uri = prepared_uri(dl, new_download(dl, content), "small.txt")
    response = dl.fetch(uri, headers={"Range": header})
    assert (response.status_code, response.content) == (status, body)
    assert response.headers["Content-Length"] == str(len(body))
    assert response.headers.get("Content-Range") == content_range


@pytest.mark.parametrize("header", ["bytes=10-", "bytes=11-20", "bytes=-0"])
@pytest.mark.parametrize("flavor", ["api"])
def test_unsatisfiable_range(dl, content, header):
    sid = new_download(dl, content)
    response = dl.fetch(prepared_uri(dl, sid, "small.txt"), headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == "bytes */10"
    assert dl.get_download_file(sid, "small.txt").value["bytes_transferred"] == 0


def test_a_download_in_ranges_completes_the_file(dl, content):
    """Resuming: size and checksum_info appear once the ranges served cover the whole file."""
    sid = new_download(dl, content)
    uri = prepared_uri(dl, sid, "big.iso")
    half = len(DATA) // 2
    first = dl.fetch(uri, headers={"Range": f"bytes=0-{half - 1}"}).content
    assert "checksum_info" not in dl.get_download_file(sid, "big.iso").value
    second = dl.fetch(uri, headers={"Range": f"bytes={half}-"}).content
    assert first + second == DATA
    info = dl.get_download_file(sid, "big.iso").value
    assert (info["size"], info["bytes_transferred"]) == (len(DATA), len(DATA))
    assert info["checksum_info"]["checksum"] == hashlib.sha1(DATA).hexdigest()


def test_the_login_is_required(dl, content):
    uri = prepared_uri(dl, new_download(dl, content), "small.txt")
    for headers in ({}, {"vmware-api-session-id": "not-a-session"}):
        response = dl.fetch(uri, with_session=False, headers=headers)
        assert response.status_code == 401
        assert response.json()["error_type"] == "UNAUTHENTICATED"
    # The download session's id is not a login.
    sid = uri.split("/")[-2]
    assert dl.fetch(uri, with_session=False, headers={"vmware-api-session-id": sid}).status_code == 401
    assert dl.fetch(uri).content == SMALL


def test_another_users_login_works(dl, sim, flavor, validator, content):
    """Holding the URI and any valid login is enough (download operations need only System.Anonymous)."""
    uri = prepared_uri(dl, new_download(dl, content), "small.txt")
    other = make_download_client(sim, flavor, validator, OTHER_USER)
    assert other.fetch(uri).content == SMALL
    other.logout()


@pytest.mark.parametrize("ending", ["cancel", "fail", "delete"])
def test_endpoints_stop_working_when_the_session_ends(dl, content, ending):
    sid = new_download(dl, content)
    uri = prepared_uri(dl, sid, "small.txt")
    assert dl.fetch(uri).status_code == 200
    {"cancel": dl.cancel_download, "fail": lambda s: dl.fail_download(s, "stop"), "delete": dl.delete_download}[ending](sid)
    response = dl.fetch(uri)
    assert response.status_code == 404
    assert response.json()["error_type"] == "NOT_FOUND"


def test_404_for_files_never_prepared_and_unknown_paths(dl, content, sim):
    sid = new_download(dl, content)
    base = f"{sim['url']}/cls/data/{sid}"
    for path in ("small.txt", "nothing.txt"):
        assert dl.fetch(f"{base}/{path}").status_code == 404
    assert dl.fetch(f"{sim['url']}/cls/data/{uuid.uuid4()}/small.txt").status_code == 404


def test_only_get(dl, content):
    uri = prepared_uri(dl, new_download(dl, content), "small.txt")
    response = dl.http.put(uri, data=b"x", headers={"vmware-api-session-id": dl.token}, verify=dl.verify, timeout=10)
    assert response.status_code == 405 and response.headers["Allow"] == "GET"


def test_a_transfer_in_flight_is_cut_by_cancel(dl, content, settings):
    settings(download_rate_limit=200_000)
    sid = new_download(dl, content)
    response = dl.fetch(prepared_uri(dl, sid, "big.iso"), stream=True)
    assert response.status_code == 200
    received = len(next(response.iter_content(65536)))
    assert dl.cancel_download(sid).ok
    with pytest.raises(requests.exceptions.RequestException):
        for chunk in response.iter_content(65536):
            received += len(chunk)
    assert received < len(DATA)


def test_the_rate_limit_is_per_connection(dl, content, settings):
    """At 1 MB/s per connection, four downloads of 1 MB in parallel take about as long as one."""
    settings(download_rate_limit=1_000_000)
    sid = new_download(dl, content)
    uri = prepared_uri(dl, sid, "big.iso")
    one = timed_downloads(dl, uri, 1)
    assert 0.8 <= one < 3
    four = timed_downloads(dl, uri, 4)
    assert 0.8 <= four < 2 * one
    settings(download_rate_limit=0)
    assert timed_downloads(dl, uri, 1) < 0.5


def timed_downloads(client, uri, parallel):
    sizes = []
    threads = [threading.Thread(target=lambda: sizes.append(len(client.fetch(uri, headers={"Range": "bytes=0-999999"}).content))) for dummy in range(parallel)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sizes == [1_000_000] * parallel
    return time.monotonic() - started


def test_the_download_host_switch(dl, content, settings, control):
    other = control.start_other_host()
    assert settings(download_host="other")["download_host"] == "other"
    sid = new_download(dl, content)
    uri = prepared_uri(dl, sid, "small.txt")
    path = f"/cls/data/{sid}/small.txt"
    assert uri == other["https_url"] + path
    control.clear_other_host_log()
    # A client that sends its login to another origin: the other host's log shows it.
    dl.fetch(uri)
    [entry] = control.other_host_log()
    assert (entry["method"], entry["path"]) == ("GET", path)
    assert entry["headers"].get("vmware-api-session-id") == dl.token
    # The main host serves the same path.
    assert dl.fetch(dl.url(path)).content == SMALL


def test_log_and_stats(dl, content, control):
    control.clear_log()
    open_before = control.stats()["open_download_sessions"]
    sid = new_download(dl, content)
    other = new_download(dl, content)
    assert control.stats()["open_download_sessions"] == open_before + 2
    dl.get_download(sid)
    dl.list_downloads()
    dl.keep_download_alive(sid)
    dl.list_download_files(sid)
    uri = prepared_uri(dl, sid, "small.txt")
    dl.fetch(uri)
    dl.fetch(uri, with_session=False)
    dl.fail_download(sid, "x")
    dl.cancel_download(other)
    stats = control.stats()
    assert stats["open_download_sessions"] == open_before
    assert stats["download_sessions"] >= 2
    dl.delete_download(sid)
    dl.delete_download(other)
    entries = control.log()
    operations = {entry["operation"]: entry for entry in entries}
    writes = {
        "download_session.create": True,
        "download_session.get": False,
        "download_session.list": False,
        "download_session.keep_alive": True,
        "download_file.list": False,
        "download_file.prepare": True,
        "download_file.get": False,
        "file.download": False,
        "download_session.fail": True,
        "download_session.cancel": True,
        "download_session.delete": True,
    }
    assert {name: operations[name]["write"] for name in writes} == writes
    downloads = [entry for entry in entries if entry["operation"] == "file.download"]
    assert [(e["method"], e["path"], e["status"], e["session_header"], e["flavor"]) for e in downloads] == [
        ("GET", f"/cls/data/{sid}/small.txt", 200, True, None),
        ("GET", f"/cls/data/{sid}/small.txt", 401, False, None),
    ]
    assert downloads[0]["user"] == dl.info["username"]


@pytest.fixture(scope="module", name="quick")
def fixture_quick():
    args = ["--log-level", "warning", "--download-session-timeout", "1", "--terminal-session-retention", "1", "--prepare-latency", "0"]
    with running_simulator(args) as info:
        yield info


def test_idle_sessions_expire(quick, flavor, validator):
    client = make_download_client(quick, flavor, validator)
    item = item_with_files(client, quick, {"a.iso": SMALL})
    sid = new_download(client, item)
    created = time.time()
    model = client.get_download(sid).value
    assert abs(created + 1 - parse_time(model["expiration_time"])) < 0.5
    uri = prepared_uri(client, sid, "a.iso")
    # Keep-alives keep it.
    for dummy in range(3):
        time.sleep(0.4)
        assert client.keep_download_alive(sid).ok
    assert client.fetch(uri).content == SMALL
    # Polling and downloading are not activity: it expires.
    deadline = time.monotonic() + 5
    while client.get_download(sid).value["state"] == "ACTIVE" and time.monotonic() < deadline:
        client.fetch(uri)
        time.sleep(0.1)
    model = client.get_download(sid).value
    assert model["state"] == "ERROR" and "expired" in model["error_message"]["default_message"]
    assert time.time() - created >= 1
    assert client.fetch(uri).status_code == 404
    reply = client.keep_download_alive(sid)
    assert (reply.status, reply.error_type) == (400, "not_allowed_in_current_state")
    # Then, after the retention, it is gone.
    deadline = time.monotonic() + 5
    while client.get_download(sid).status != 404 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.get_download(sid).status == 404
    assert sid not in client.list_downloads().value
    client.logout()


def test_discarded_content_cannot_be_prepared(validator):
    with running_simulator(["--log-level", "warning", "--discard-content", "--prepare-latency", "0"]) as info:
        client = make_download_client(info, "api", validator)
        item = item_with_files(client, info, {"package.ovf": b"<Envelope/>", "disk.vmdk": SMALL}, "iso")
        sid = new_download(client, item)
        info_ = client.prepare(sid, "disk.vmdk").value
        assert info_["status"] == "ERROR" and "--discard-content" in info_["error_message"]["default_message"]
        assert "download_endpoint" not in info_
        # The files the simulator parses are kept, so they can be downloaded.
        assert client.fetch(prepared_uri(client, sid, "package.ovf")).content == b"<Envelope/>"
        assert client.get_item_file(item, "disk.vmdk").value["checksum_info"]["checksum"] == hashlib.sha1(SMALL).hexdigest()
