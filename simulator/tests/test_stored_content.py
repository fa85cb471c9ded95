# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the simulator stores of the files it receives: every file's bytes, or with --discard-content those it parses only."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import trustme

from vsphere_content_simulator.launcher import running_simulator

from .conftest import make_client, new_item, new_session
from .test_files import OVF, push

# More than a few of the simulator's 2 MiB batches, and more than any "small file" threshold.
BIG = 20 * 1024 * 1024 + 12345


def big_data() -> bytes:
    return hashlib.sha256(b"seed").digest() * (BIG // 32) + b"tail" * ((BIG % 32) // 4) + b"x" * (BIG % 4)


def stored(info, directory: str, name: str) -> list[Path]:
    """The files under storage/<directory>/<name> of a simulator (its temporary directory holds ca.pem)."""
    root = Path(os.path.dirname(info["ca_cert"])) / "storage" / directory / name
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture(scope="module", name="discarding")
def fixture_discarding():
    """A simulator that keeps only the files it parses, as upload benchmarks run it."""
    with running_simulator(["--log-level", "warning", "--discard-content"]) as info:
        yield info


@pytest.fixture(name="discarding_client")
def fixture_discarding_client(discarding, flavor, validator):
    client = make_client(discarding, flavor, validator)
    yield client
    client.logout()


def test_a_big_file_is_counted_and_hashed_but_not_stored(discarding_client, discarding):
    client, sim = discarding_client, discarding
    item = new_item(client, sim, "iso")
    data = big_data()
    assert len(data) == BIG
    sid = new_session(client, item)
    push(client, sid, "big.iso", data, size=BIG, checksum_info={"algorithm": "SHA256", "checksum": hashlib.sha256(data).hexdigest()})
    info = client.get_file(sid, "big.iso").value
    assert (info["status"], info["bytes_transferred"], info["size"]) == ("READY", BIG, BIG)
    assert info["checksum_info"] == {"algorithm": "SHA256", "checksum": hashlib.sha256(data).hexdigest()}
    assert stored(sim, "sessions", sid) == []
    assert client.complete(sid).ok
    assert client.get_item_file(item, "big.iso").value == {
        "name": "big.iso",
        "size": BIG,
        "cached": True,
        "version": "1",
        "checksum_info": {"algorithm": "SHA1", "checksum": hashlib.sha1(data).hexdigest()},
    }
    assert client.get_item(item).value["size"] == BIG
    assert stored(sim, "items", item) == []


def test_a_wrong_checksum_is_still_caught_without_storage(client, item):
    data = big_data()
    sid = new_session(client, item)
    uri = push(client, sid, "big.iso", size=BIG, checksum_info={"checksum": hashlib.sha1(data + b"!").hexdigest()}).value
    reply = client.upload(uri["upload_endpoint"]["uri"], data)
    assert (reply.status, reply.error_type) == (400, "invalid_argument")
    assert client.get_file(sid, "big.iso").value["status"] == "ERROR"


def test_metadata_files_are_stored_and_parsed(discarding_client, discarding):
    client, sim = discarding_client, discarding
    ovf_item = new_item(client, sim, "ovf")
    certificate = sim_certificate_pem()
    sid = new_session(client, ovf_item)
    push(client, sid, "package.cert", certificate)
    push(client, sid, "package.mf", b"SHA256(package.ovf)= 00\n")
    push(client, sid, "package.ovf", OVF)
    push(client, sid, "disk-0.vmdk", big_data())
    # The descriptor was read: disk-1.vmdk is missing. The certificate was read: its subject is in the preview.
    assert client.validate(sid).value["missing_files"] == ["disk-1.vmdk"]
    preview = client.get_session(sid).value["preview_info"]
    assert preview["state"] == "AVAILABLE"
    assert "/O=stored content test/" in preview["certificate_info"]["subject"]
    assert sorted(path.read_bytes() for path in stored(sim, "sessions", sid)) == sorted([certificate, b"SHA256(package.ovf)= 00\n", OVF])
    push(client, sid, "disk-1.vmdk", b"small disks are not stored either")
    assert client.update_session(sid, {"warning_behavior": [{"type": "SELF_SIGNED_CERTIFICATE", "ignored": True}]}).ok
    assert client.complete(sid).ok
    assert client.get_session(sid).value["state"] == "DONE"
    # Only the descriptor reaches the item (.mf and .cert are not kept in storage), and a next session still reads it.
    assert [path.read_bytes() for path in stored(sim, "items", ovf_item)] == [OVF]
    second = new_session(client, ovf_item)
    assert client.validate(second).value == {"has_errors": False, "missing_files": [], "invalid_files": []}
    assert client.cancel(second).ok


def sim_certificate_pem() -> bytes:
    """A .cert as the OVF tools write it: the manifest signature, then the signing certificate."""
    return b"SHA256(package.mf)= 00\n" + trustme.CA(organization_name="stored content test").cert_pem.bytes()


def test_every_file_is_stored_by_default(client, sim, item):
    data = big_data()
    sid = new_session(client, item)
    push(client, sid, "big.iso", data, size=BIG)
    assert [path.read_bytes() for path in stored(sim, "sessions", sid)] == [data]
    assert client.complete(sid).ok
    assert [path.read_bytes() for path in stored(sim, "items", item)] == [data]


def test_keep_content_is_still_accepted(validator):
    data = big_data()
    with running_simulator(["--log-level", "warning", "--keep-content"]) as info:
        client = make_client(info, "api", validator)
        item = new_item(client, info, "iso")
        sid = new_session(client, item)
        push(client, sid, "big.iso", data, size=BIG)
        push(client, sid, "small.iso", b"small")
        assert sorted(path.read_bytes() for path in stored(info, "sessions", sid)) == [data, b"small"]
        assert client.complete(sid).ok
        assert client.get_item_file(item, "big.iso").value["checksum_info"] == {"algorithm": "SHA1", "checksum": hashlib.sha1(data).hexdigest()}
        assert sorted(path.read_bytes() for path in stored(info, "items", item)) == [data, b"small"]
