# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Signed-content preview (reference §2.2, §2.3) and how warning_behavior decides complete."""

from __future__ import annotations

import base64
import datetime

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .conftest import new_session
from .test_files import OVF, push

IGNORE_SELF_SIGNED = [{"type": "SELF_SIGNED_CERTIFICATE", "ignored": True}]


def self_signed_pem(common_name="Example Signer", days=(-1, 365)):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example, Inc."), x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + datetime.timedelta(days=days[0]))
        .not_valid_after(now + datetime.timedelta(days=days[1]))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def cert_file(pem):
    """An OVF .cert file: the manifest's signature, then the signing certificate."""
    return b"SHA256(package.mf)= " + b"ab" * 32 + b"\n" + pem


def signed_upload(client, sid, pem):
    push(client, sid, "package.cert", cert_file(pem))
    push(client, sid, "package.ovf", OVF)
    add_disks(client, sid)


def add_disks(client, sid):
    """The disks the descriptor references: complete refuses a package without them."""
    for name in ("disk-0.vmdk", "disk-1.vmdk"):
        push(client, sid, name, b"disk")


def test_preview_states_and_self_signed_warning(client, ovf_item):
    sid = new_session(client, ovf_item)
    assert client.get_session(sid).value["preview_info"] == {"state": "UNAVAILABLE"}
    cert_uri = push(client, sid, "package.cert").value["upload_endpoint"]["uri"]
    ovf_uri = push(client, sid, "package.ovf").value["upload_endpoint"]["uri"]
    # The descriptor is added but not uploaded yet.
    assert client.get_session(sid).value["preview_info"] == {"state": "PREPARING"}
    pem = self_signed_pem()
    assert client.upload(ovf_uri, OVF).ok
    assert client.get_session(sid).value["preview_info"] == {"state": "PREPARING"}
    assert client.upload(cert_uri, cert_file(pem)).ok
    preview = client.get_session(sid).value["preview_info"]
    assert preview["state"] == "AVAILABLE"
    info = preview["certificate_info"]
    assert info["subject"] == info["issuer"] == "/O=Example, Inc./CN=Example Signer"
    assert info["self_signed"] is True
    assert info["x509"].encode() == pem
    assert base64.b64decode(preview["cert_chain"][0]) == x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    [warning] = preview["warnings"]
    assert (warning["type"], warning["ignored"]) == ("SELF_SIGNED_CERTIFICATE", False)
    assert "Example Signer" in warning["message"]["default_message"]


def test_complete_with_an_unignored_warning_fails_the_session(client, ovf_item):
    sid = new_session(client, ovf_item)
    signed_upload(client, sid, self_signed_pem())
    reply = client.complete(sid)
    # Like vCenter, the call succeeds and the session ends in ERROR.
    assert reply.ok
    model = client.get_session(sid).value
    assert model["state"] == "ERROR"
    assert "SELF_SIGNED_CERTIFICATE" in model["error_message"]["default_message"]
    assert "preview_info" not in model
    assert client.list_item_files(ovf_item).value == []


def test_ignoring_the_warning_lets_complete_succeed(client, ovf_item):
    failed = new_session(client, ovf_item)
    signed_upload(client, failed, self_signed_pem())
    assert client.complete(failed).ok
    sid = new_session(client, ovf_item)
    signed_upload(client, sid, self_signed_pem())
    assert client.update_session(sid, {"warning_behavior": IGNORE_SELF_SIGNED}).ok
    [warning] = client.get_session(sid).value["preview_info"]["warnings"]
    assert warning["ignored"] is True
    assert client.complete(sid).ok
    assert client.get_session(sid).value["state"] == "DONE"
    # The certificate is not kept in storage.
    assert sorted(f["name"] for f in client.list_item_files(ovf_item).value) == ["disk-0.vmdk", "disk-1.vmdk", "package.ovf"]


def test_warning_behavior_given_at_create(client, ovf_item):
    sid = new_session(client, ovf_item, warning_behavior=IGNORE_SELF_SIGNED)
    signed_upload(client, sid, self_signed_pem())
    assert client.complete(sid).ok
    assert client.get_session(sid).value["state"] == "DONE"


@pytest.mark.parametrize(
    "days, expected",
    [
        ((-30, -1), ["EXPIRED_CERTIFICATE", "SELF_SIGNED_CERTIFICATE"]),
        ((1, 30), ["NOT_YET_VALID_CERTIFICATE", "SELF_SIGNED_CERTIFICATE"]),
    ],
)
def test_certificate_validity_warnings(client, ovf_item, days, expected):
    sid = new_session(client, ovf_item)
    signed_upload(client, sid, self_signed_pem(days=days))
    warnings = client.get_session(sid).value["preview_info"]["warnings"]
    assert [w["type"] for w in warnings] == expected
    assert client.update_session(sid, {"warning_behavior": [{"type": t, "ignored": True} for t in expected[:1]]}).ok
    assert client.complete(sid).ok
    model = client.get_session(sid).value
    assert model["state"] == "ERROR"
    assert expected[1] in model["error_message"]["default_message"]
    assert expected[0] not in model["error_message"]["default_message"]


def test_certificate_from_an_untrusted_authority(client, ovf_item):
    authority = trustme.CA()
    leaf = authority.issue_cert("signer.example.com")
    sid = new_session(client, ovf_item)
    signed_upload(client, sid, leaf.cert_chain_pems[0].bytes() + authority.cert_pem.bytes())
    preview = client.get_session(sid).value["preview_info"]
    assert preview["certificate_info"]["self_signed"] is False
    assert len(preview["cert_chain"]) == 2
    assert [w["type"] for w in preview["warnings"]] == ["UNTRUSTED_CERTIFICATE"]


def test_unsigned_ovf(client, ovf_item):
    sid = new_session(client, ovf_item)
    push(client, sid, "package.ovf", OVF)
    preview = client.get_session(sid).value["preview_info"]
    assert preview == {"state": "AVAILABLE", "warnings": []}
    add_disks(client, sid)
    assert client.complete(sid).ok
    assert client.get_session(sid).value["state"] == "DONE"


def test_no_preview_for_other_item_types(client, item):
    sid = new_session(client, item)
    push(client, sid, "package.cert", cert_file(self_signed_pem()))
    push(client, sid, "package.ovf", OVF)
    assert client.get_session(sid).value["preview_info"] == {"state": "UNAVAILABLE"}
    assert client.complete(sid).ok
    assert client.get_session(sid).value["state"] == "DONE"
