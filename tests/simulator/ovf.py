# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the simulator reads inside OVF packages: descriptor references and signing certificates."""
from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Any

import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from simulator.errors import Message

# Descriptors and certificates are small; a cap keeps a mislabelled disk image from being parsed.
MAX_METADATA_BYTES = 16 * 1024 * 1024
PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


def is_descriptor(name: str) -> bool:
    return name.lower().endswith(".ovf")


def is_metadata(name: str) -> bool:
    """Manifest and certificate files: not kept in storage, and refused after the descriptor."""
    return name.lower().endswith((".mf", ".cert"))


def is_certificate(name: str) -> bool:
    return name.lower().endswith(".cert")


def _read_small(path: str) -> bytes | None:
    with open(path, "rb") as handle:
        data = handle.read(MAX_METADATA_BYTES + 1)
    return None if len(data) > MAX_METADATA_BYTES else data


def referenced_files(path: str | None) -> list[str] | None:
    """The ``href`` of every File in an OVF descriptor's References; None if it cannot be read."""
    if not path:
        return None
    data = _read_small(path)
    if data is None:
        return None
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return None
    names = []
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] != "File":
            continue
        for key, value in element.attrib.items():
            if key.rsplit("}", 1)[-1] == "href" and value not in names:
                names.append(value)
    return names


def fallback_signer_pem() -> bytes:
    """A self-signed certificate for .cert files that carry no PEM certificate of their own."""
    return trustme.CA(organization_name="vCenter simulator OVF signer").cert_pem.bytes()


def _oneline(name: x509.Name) -> str:
    # The OpenSSL one-line form vCenter shows, e.g. /C=US/ST=California/O=VMware, Inc.
    return "".join(f"/{attribute.rfc4514_attribute_name}={attribute.value}" for attribute in name)


def read_certificate(path: str | None, fallback_pem: bytes) -> dict[str, Any]:
    """certificate_info, cert_chain and the warnings the signing certificate of an OVF package raises."""
    data = _read_small(path) if path else None
    chain = []
    for block in PEM_BLOCK.findall(data or b""):
        try:
            chain.append(x509.load_pem_x509_certificate(block))
        except ValueError:
            continue
    if not chain:
        chain = [x509.load_pem_x509_certificate(fallback_pem)]
    leaf = chain[0]
    subject = _oneline(leaf.subject)
    issuer = _oneline(leaf.issuer)
    self_signed = leaf.issuer == leaf.subject
    now = datetime.now(timezone.utc)
    warnings = []
    if leaf.not_valid_after_utc < now:
        warnings.append(("EXPIRED_CERTIFICATE", Message(
            "com.vmware.vdcs.cls-main.preview_expired_certificate",
            "The signing certificate {subject} expired on {date}.", subject=subject, date=leaf.not_valid_after_utc.isoformat())))
    if leaf.not_valid_before_utc > now:
        warnings.append(("NOT_YET_VALID_CERTIFICATE", Message(
            "com.vmware.vdcs.cls-main.preview_not_yet_valid_certificate",
            "The signing certificate {subject} is not valid before {date}.", subject=subject, date=leaf.not_valid_before_utc.isoformat())))
    if self_signed:
        warnings.append(("SELF_SIGNED_CERTIFICATE", Message(
            "com.vmware.vdcs.cls-main.preview_self_signed_certificate",
            "The signing certificate {subject} is self-signed.", subject=subject)))
    else:
        # The simulator trusts no signing authority, as a vCenter without custom roots would not.
        warnings.append(("UNTRUSTED_CERTIFICATE", Message(
            "com.vmware.vdcs.cls-main.preview_untrusted_certificate",
            "The signing certificate {subject}, issued by {issuer}, is not trusted.", subject=subject, issuer=issuer)))
    return {
        "certificate_info": {
            "issuer": issuer,
            "subject": subject,
            "self_signed": self_signed,
            "x509": leaf.public_bytes(Encoding.PEM).decode("ascii"),
        },
        "cert_chain": [base64.b64encode(cert.public_bytes(Encoding.DER)).decode("ascii") for cert in chain],
        "warnings": warnings,
    }
