# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Update session files (reference §4): add, get, list, remove, validate, uploads and completion."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid

import pytest

from .conftest import new_session
from .vapi import Reply

ALGORITHMS = {"SHA1": hashlib.sha1, "MD5": hashlib.md5, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
OVF = b"""<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <References>
    <File ovf:href="disk-0.vmdk" ovf:id="file1"/>
    <File ovf:href="disk-1.vmdk" ovf:id="file2"/>
  </References>
</Envelope>
"""


def push(client, sid, name, data=None, **spec):
    """Add a PUSH file and, when ``data`` is given, upload it."""
    reply = client.add_file(sid, {"name": name, "source_type": "PUSH", **spec})
    assert reply.ok, reply.body
    if data is not None:
        uploaded = client.upload(reply.value["upload_endpoint"]["uri"], data)
        assert uploaded.status == 200, uploaded.body
    return reply


def test_add_push_file(client, sim, item):
    sid = new_session(client, item)
    reply = client.add_file(sid, {"name": "a.iso", "source_type": "PUSH", "size": 11})
    assert reply.status == (201 if client.flavor == "api" else 200)
    info = reply.value
    assert info["name"] == "a.iso"
    assert (info["source_type"], info["status"], info["bytes_transferred"]) == ("PUSH", "WAITING_FOR_TRANSFER", 0)
    assert info["keep_in_storage"] is True
    assert "size" not in info
    assert info["upload_endpoint"]["uri"] == f"{sim['url']}/cls-data/{sid}/a.iso"


@pytest.mark.parametrize("with_session", [True, False])
def test_upload_makes_the_file_ready(client, item, with_session):
    sid = new_session(client, item)
    info = push(client, sid, "a.iso", size=11).value
    reply = client.upload(info["upload_endpoint"]["uri"], b"hello world", with_session=with_session)
    assert (reply.status, reply.body) == (200, None)
    info = client.get_file(sid, "a.iso").value
    assert (info["status"], info["bytes_transferred"], info["size"]) == ("READY", 11, 11)
    assert "checksum_info" not in info


def test_upload_with_a_bad_session_token(client, item):
    sid = new_session(client, item)
    uri = push(client, sid, "a.iso").value["upload_endpoint"]["uri"]
    reply = client.upload(uri, b"data", with_session=False, headers={"vmware-api-session-id": "0" * 32})
    assert (reply.status, reply.error_type) == (401, "unauthenticated")
    assert client.get_file(sid, "a.iso").value["status"] == "WAITING_FOR_TRANSFER"


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
def test_upload_with_a_good_checksum(client, item, algorithm):
    data = b"content library" * 1000
    checksum = ALGORITHMS[algorithm](data).hexdigest()
    sid = new_session(client, item)
    push(client, sid, "a.iso", data, size=len(data), checksum_info={"algorithm": algorithm, "checksum": checksum.upper()})
    info = client.get_file(sid, "a.iso").value
    assert info["status"] == "READY"
    assert info["checksum_info"] == {"algorithm": algorithm, "checksum": checksum}


def test_checksum_algorithm_defaults_to_sha1(client, item):
    data = b"default algorithm"
    sid = new_session(client, item)
    push(client, sid, "a.iso", data, checksum_info={"checksum": hashlib.sha1(data).hexdigest()})
    assert client.get_file(sid, "a.iso").value["checksum_info"]["algorithm"] == "SHA1"


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
def test_upload_with_a_bad_checksum(client, item, algorithm):
    data = b"what was sent"
    wrong = ALGORITHMS[algorithm](b"something else").hexdigest()
    sid = new_session(client, item)
    uri = push(client, sid, "a.iso", checksum_info={"algorithm": algorithm, "checksum": wrong}).value["upload_endpoint"]["uri"]
    reply = client.upload(uri, data)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert wrong in reply.text
    info = client.get_file(sid, "a.iso").value
    assert info["status"] == "ERROR"
    assert wrong in info["error_message"]["default_message"]
    validation = client.validate(sid).value
    assert validation["has_errors"] is True
    assert [entry["name"] for entry in validation["invalid_files"]] == ["a.iso"]
    reply = client.complete(sid)
    assert (reply.status, reply.error_type) == (400, "not_allowed_in_current_state")
    assert "a.iso" in reply.text


@pytest.mark.parametrize("sent", [b"short", b"far too long for the announced size"])
def test_upload_with_the_wrong_size(client, item, sent):
    sid = new_session(client, item)
    uri = push(client, sid, "a.iso", size=12).value["upload_endpoint"]["uri"]
    reply = client.upload(uri, sent)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert "12" in reply.text
    info = client.get_file(sid, "a.iso").value
    assert info["status"] == "ERROR" and "12" in info["error_message"]["default_message"]
    # Uploading again with the right content recovers the file.
    assert client.upload(uri, b"twelve bytes").status == 200
    assert client.get_file(sid, "a.iso").value["status"] == "READY"


def test_upload_progress_is_visible(client, item):
    sid = new_session(client, item)
    uri = push(client, sid, "big.iso", size=3 * 65536).value["upload_endpoint"]["uri"]
    release = threading.Event()
    result: dict[str, Reply] = {}

    def body():
        yield b"x" * 65536
        release.wait(10)
        yield b"x" * (2 * 65536)

    worker = threading.Thread(target=lambda: result.setdefault("reply", client.upload(uri, body())))
    worker.start()
    try:
        deadline = time.monotonic() + 10
        info = client.get_file(sid, "big.iso").value
        while info["bytes_transferred"] < 65536 and time.monotonic() < deadline:
            time.sleep(0.02)
            info = client.get_file(sid, "big.iso").value
        assert (info["status"], info["bytes_transferred"]) == ("TRANSFERRING", 65536)
        assert "size" not in info
        reply = client.complete(sid)
        assert (reply.status, reply.error_type) == (400, "not_allowed_in_current_state")
        assert "TRANSFERRING" in reply.text
    finally:
        release.set()
        worker.join(15)
    assert result["reply"].status == 200
    assert client.get_file(sid, "big.iso").value["status"] == "READY"


def test_concurrent_upload_is_refused(client, item):
    sid = new_session(client, item)
    uri = push(client, sid, "a.iso").value["upload_endpoint"]["uri"]
    release = threading.Event()
    result: dict[str, Reply] = {}

    def body():
        yield b"first"
        release.wait(10)

    worker = threading.Thread(target=lambda: result.setdefault("reply", client.upload(uri, body())))
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while client.get_file(sid, "a.iso").value["status"] != "TRANSFERRING" and time.monotonic() < deadline:
            time.sleep(0.02)
        reply = client.upload(uri, b"second")
        assert (reply.status, reply.error_type) == (409, "concurrent_change")
    finally:
        release.set()
        worker.join(15)
    assert result["reply"].status == 200
    assert client.get_file(sid, "a.iso").value["size"] == len(b"first")


def test_upload_refusals(client, item, sim):
    sid = new_session(client, item)
    uri = push(client, sid, "a.iso").value["upload_endpoint"]["uri"]
    base = f"{sim['url']}/cls-data"
    reply = client.upload(f"{base}/{uuid.uuid4()}/a.iso", b"x")
    assert (reply.status, reply.error_type) == (404, "not_found")
    reply = client.upload(f"{base}/{sid}/other.iso", b"x")
    assert (reply.status, reply.error_type) == (404, "not_found")
    assert client.cancel(sid).ok
    reply = client.upload(uri, b"x")
    assert (reply.status, reply.error_type) == (400, "not_allowed_in_current_state")


def test_get_list_remove(client, item):
    sid = new_session(client, item)
    push(client, sid, "a.iso", b"aaa")
    push(client, sid, "b iso with spaces.iso")
    assert [f["name"] for f in client.list_files(sid).value] == ["a.iso", "b iso with spaces.iso"]
    assert client.get_file(sid, "b iso with spaces.iso").value["status"] == "WAITING_FOR_TRANSFER"
    reply = client.remove_file(sid, "a.iso")
    assert reply.status == (204 if client.flavor == "api" else 200)
    assert [f["name"] for f in client.list_files(sid).value] == ["b iso with spaces.iso"]
    for reply in (client.get_file(sid, "a.iso"), client.remove_file(sid, "a.iso")):
        assert (reply.status, reply.error_type) == (400, "invalid_argument")
        assert "a.iso" in reply.text


def test_add_replaces_a_file(client, item):
    sid = new_session(client, item)
    push(client, sid, "a.iso", b"first")
    info = push(client, sid, "a.iso", size=6).value
    assert (info["status"], info["bytes_transferred"]) == ("WAITING_FOR_TRANSFER", 0)
    assert client.upload(info["upload_endpoint"]["uri"], b"second").status == 200
    assert client.get_file(sid, "a.iso").value["size"] == 6


@pytest.mark.parametrize(
    "spec, field",
    [
        ({"source_type": "PUSH"}, "name"),
        ({"name": "a.iso"}, "source_type"),
        ({"name": "a.iso", "source_type": "SIDEWAYS"}, "source_type"),
        ({"name": "a.iso", "source_type": "NONE"}, "source_type"),
        ({"name": "a.iso", "source_type": "PULL"}, "source_endpoint"),
        ({"name": "a.iso", "source_type": "PULL", "source_endpoint": {"uri": "ftp://host/a.iso"}}, "ftp://host/a.iso"),
        ({"name": "a.iso", "source_type": "PUSH", "size": -1}, "size"),
        ({"name": "a.iso", "source_type": "PUSH", "size": "11"}, "size"),
        ({"name": "a.iso", "source_type": "PUSH", "checksum_info": {"algorithm": "CRC32", "checksum": "00"}}, "algorithm"),
        ({"name": "a.iso", "source_type": "PUSH", "checksum_info": {"algorithm": "MD5", "checksum": "xyz"}}, "checksum"),
        ({"name": "../a.iso", "source_type": "PUSH"}, "../a.iso"),
    ],
)
def test_add_rejects_bad_specs(client, item, spec, field):
    sid = new_session(client, item)
    if client.flavor == "api":
        reply = client.call(
            "POST", "/api/content/library/item/update-session/{update_session_id}/file", path_params={"update_session_id": sid}, body=spec, check_request=False
        )
    else:
        reply = client.call(
            "POST",
            "/rest/com/vmware/content/library/item/updatesession/file/id:{update_session_id}?~action=add",
            path_params={"update_session_id": sid},
            body={"file_spec": spec},
            check_request=False,
        )
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert field in reply.text
    assert client.list_files(sid).value == []


@pytest.mark.parametrize("metadata", ["package.cert", "package.mf"])
def test_ovf_metadata_must_come_before_the_descriptor(client, ovf_item, metadata):
    sid = new_session(client, ovf_item)
    push(client, sid, "package.ovf")
    reply = client.add_file(sid, {"name": metadata, "source_type": "PUSH"})
    assert (reply.status, reply.error_type) == (400, "not_allowed_in_current_state")
    assert metadata in reply.text and "package.ovf" in reply.text


def test_ovf_metadata_files_are_not_kept(client, ovf_item, item):
    sid = new_session(client, ovf_item)
    assert push(client, sid, "package.mf").value["keep_in_storage"] is False
    assert push(client, sid, "package.cert").value["keep_in_storage"] is False
    assert push(client, sid, "package.ovf").value["keep_in_storage"] is True
    # The rule is for OVF items only: in an ISO item a .cert is a plain file.
    other = new_session(client, item)
    push(client, other, "notes.ovf")
    assert push(client, other, "notes.cert").value["keep_in_storage"] is True


def test_validate_lists_missing_and_invalid_files(client, ovf_item):
    sid = new_session(client, ovf_item)
    push(client, sid, "package.ovf", OVF)
    push(client, sid, "disk-0.vmdk")
    reply = client.validate(sid)
    assert reply.status == 200
    result = reply.value
    assert result["has_errors"] is True
    assert result["missing_files"] == ["disk-1.vmdk"]
    assert [entry["name"] for entry in result["invalid_files"]] == ["disk-0.vmdk"]
    assert "WAITING_FOR_TRANSFER" in result["invalid_files"][0]["error_message"]["default_message"]
    push(client, sid, "disk-0.vmdk", b"disk zero")
    push(client, sid, "disk-1.vmdk", b"disk one")
    assert client.validate(sid).value == {"has_errors": False, "missing_files": [], "invalid_files": []}


def test_complete_refuses_files_not_received(client, item):
    sid = new_session(client, item)
    push(client, sid, "a.iso")
    reply = client.complete(sid)
    assert (reply.status, reply.error_type) == (400, "not_allowed_in_current_state")
    assert "a.iso" in reply.text and sid in reply.text
    assert client.get_session(sid).value["state"] == "ACTIVE"


def test_complete_moves_files_into_the_item(client, ovf_item):
    version = int(client.get_item(ovf_item).value["content_version"])
    sid = new_session(client, ovf_item, warning_behavior=[{"type": "SELF_SIGNED_CERTIFICATE", "ignored": True}])
    push(client, sid, "package.cert", b"no PEM inside: the simulator signs with its own self-signed certificate")
    push(client, sid, "package.ovf", OVF)
    push(client, sid, "disk-0.vmdk", b"0" * 1000)
    push(client, sid, "disk-1.vmdk", b"1" * 500)
    assert client.complete(sid).ok
    assert client.get_session(sid).value["state"] == "DONE"
    item = client.get_item(ovf_item).value
    assert int(item["content_version"]) == version + 1
    assert item["size"] == len(OVF) + 1500
    files = {f["name"]: f for f in client.list_item_files(ovf_item).value}
    assert sorted(files) == ["disk-0.vmdk", "disk-1.vmdk", "package.ovf"]
    assert files["disk-0.vmdk"] == {
        "name": "disk-0.vmdk",
        "size": 1000,
        "cached": True,
        "version": "1",
        "checksum_info": {"algorithm": "SHA1", "checksum": hashlib.sha1(b"0" * 1000).hexdigest()},
    }
    assert client.get_item_file(ovf_item, "disk-1.vmdk").value["size"] == 500


def test_next_session_starts_from_the_item_files(client, item):
    first = new_session(client, item)
    push(client, first, "keep.iso", b"keep")
    push(client, first, "drop.iso", b"drop")
    push(client, first, "change.iso", b"old")
    assert client.complete(first).ok
    second = new_session(client, item)
    listed = {f["name"]: f for f in client.list_files(second).value}
    assert sorted(listed) == ["change.iso", "drop.iso", "keep.iso"]
    assert listed["keep.iso"] == {
        "name": "keep.iso",
        "source_type": "NONE",
        "status": "READY",
        "bytes_transferred": 4,
        "size": 4,
        "keep_in_storage": True,
        "checksum_info": {"algorithm": "SHA1", "checksum": hashlib.sha1(b"keep").hexdigest()},
    }
    assert client.get_file(second, "drop.iso").value["status"] == "READY"
    assert client.remove_file(second, "drop.iso").ok
    # Removal shows in the item only once the session completes.
    assert "drop.iso" in [f["name"] for f in client.list_item_files(item).value]
    push(client, second, "change.iso", b"newer")
    assert client.complete(second).ok
    files = {f["name"]: f for f in client.list_item_files(item).value}
    assert sorted(files) == ["change.iso", "keep.iso"]
    assert (files["change.iso"]["version"], files["change.iso"]["size"]) == ("2", 5)
    assert files["keep.iso"]["version"] == "1"


def test_canceled_session_leaves_the_item_alone(client, item):
    sid = new_session(client, item)
    push(client, sid, "a.iso", b"abc")
    assert client.cancel(sid).ok
    assert client.list_item_files(item).value == []


def test_file_operations_after_the_session_ended(client, item):
    sid = new_session(client, item)
    push(client, sid, "a.iso", b"abc")
    assert client.fail(sid, "stop").ok
    # get and list have no state rule (reference §3.10).
    assert client.get_file(sid, "a.iso").ok
    assert [f["name"] for f in client.list_files(sid).value] == ["a.iso"]


def test_item_files_carry_the_sha1_of_the_bytes_received(client, item):
    data = b"sha1 as vCenter reports it" * 100
    sid = new_session(client, item)
    # Announced with another algorithm: the item file still reports SHA1.
    push(client, sid, "a.iso", data, checksum_info={"algorithm": "SHA256", "checksum": hashlib.sha256(data).hexdigest()})
    assert client.complete(sid).ok
    info = client.get_item_file(item, "a.iso").value
    assert info == {
        "name": "a.iso",
        "size": len(data),
        "cached": True,
        "version": "1",
        "checksum_info": {"algorithm": "SHA1", "checksum": hashlib.sha1(data).hexdigest()},
    }
    assert client.list_item_files(item).value == [info]


def test_complete_refuses_files_the_descriptor_references_but_the_session_lacks(client, ovf_item):
    version = client.get_item(ovf_item).value["content_version"]
    sid = new_session(client, ovf_item)
    push(client, sid, "package.ovf", OVF)
    push(client, sid, "disk-0.vmdk", b"0")
    result = client.validate(sid).value
    assert (result["has_errors"], result["missing_files"]) == (True, ["disk-1.vmdk"])
    reply = client.complete(sid)
    assert (reply.status, reply.error_type) == (400, "not_allowed_in_current_state")
    assert "disk-1.vmdk" in reply.text and sid in reply.text and "disk-0.vmdk" not in reply.text
    assert client.get_session(sid).value["state"] == "ACTIVE"
    push(client, sid, "disk-1.vmdk", b"1")
    assert client.complete(sid).ok
    assert int(client.get_item(ovf_item).value["content_version"]) == int(version) + 1


NAMESPACED_OVF = b"""<?xml version="1.0"?>
<ovf:Envelope xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/2" xmlns="http://schemas.dmtf.org/ovf/envelope/2">
  <ovf:References><ovf:File ovf:href="only-this.vmdk" ovf:id="f1"/></ovf:References>
  <DiskSection><File ovf:href="not-a-reference.vmdk"/></DiskSection>
</ovf:Envelope>
"""


def test_only_references_count(client, ovf_item):
    sid = new_session(client, ovf_item)
    push(client, sid, "package.ovf", NAMESPACED_OVF)
    assert client.validate(sid).value["missing_files"] == ["only-this.vmdk"]


@pytest.mark.parametrize(
    "descriptor",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><Envelope><References><File href="&lol;.vmdk"/></References></Envelope>',
        b"<Envelope><References><File href='x.vmdk'></References>",
    ],
)
def test_unreadable_descriptors_are_invalid(client, ovf_item, descriptor):
    sid = new_session(client, ovf_item)
    push(client, sid, "package.ovf", descriptor)
    result = client.validate(sid).value
    assert result["has_errors"] is True and result["missing_files"] == []
    assert [entry["name"] for entry in result["invalid_files"]] == ["package.ovf"]
    reply = client.complete(sid)
    assert (reply.status, reply.error_type) == (400, "not_allowed_in_current_state")
    assert "package.ovf" in reply.text
