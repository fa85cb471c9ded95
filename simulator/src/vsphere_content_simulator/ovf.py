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

from vsphere_content_simulator.errors import Message

# Descriptors and certificates are small; a cap keeps a mislabelled disk image from being parsed.
MAX_METADATA_BYTES = 16 * 1024 * 1024
DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
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


class DescriptorError(ValueError):
    """An OVF descriptor the simulator refuses to read; the message says why."""


def referenced_files(path: str | None) -> list[str]:
    """The ``ovf:href`` of every ``References/File`` of an OVF descriptor; DescriptorError if it cannot be read.

    A DOCTYPE (and so any entity declaration) is refused before parsing: OVF
    descriptors have none, and entities are how XML bombs work.
    """
    if not path:
        raise DescriptorError("it has no content")
    data = _read_small(path)
    if data is None:
        raise DescriptorError(f"it is larger than {MAX_METADATA_BYTES} bytes")
    if DOCTYPE.search(data):
        raise DescriptorError("it has a DOCTYPE or an entity declaration, which OVF descriptors may not have")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise DescriptorError(f"it is not well-formed XML: {exc}") from None
    names = []
    for references in root:
        if _local(references.tag) != "References":
            continue
        for element in references:
            if _local(element.tag) != "File":
                continue
            for key, value in element.attrib.items():
                if _local(key) == "href" and value not in names:
                    names.append(value)
    return names


def _local(name: str) -> str:
    """An element or attribute name without its {namespace}."""
    return name.rsplit("}", 1)[-1]


def fallback_signer_pem() -> bytes:
    """A self-signed certificate for .cert files that carry no PEM certificate of their own."""
    return trustme.CA(organization_name="vCenter simulator OVF signer").cert_pem.bytes()


def _oneline(name: x509.Name) -> str:
    # The OpenSSL one-line form vCenter shows, e.g. /C=US/ST=California/O=VMware, Inc. Only an
    # x500UniqueIdentifier has a bytes value: it shows as str() writes bytes, b'...'.
    return "".join(f"/{attribute.rfc4514_attribute_name}={attribute.value!s}" for attribute in name)


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
        warnings.append(
            (
                "EXPIRED_CERTIFICATE",
                Message(
                    "com.vmware.vdcs.cls-main.preview_expired_certificate",
                    "The signing certificate {subject} expired on {date}.",
                    subject=subject,
                    date=leaf.not_valid_after_utc.isoformat(),
                ),
            )
        )
    if leaf.not_valid_before_utc > now:
        warnings.append(
            (
                "NOT_YET_VALID_CERTIFICATE",
                Message(
                    "com.vmware.vdcs.cls-main.preview_not_yet_valid_certificate",
                    "The signing certificate {subject} is not valid before {date}.",
                    subject=subject,
                    date=leaf.not_valid_before_utc.isoformat(),
                ),
            )
        )
    if self_signed:
        warnings.append(
            (
                "SELF_SIGNED_CERTIFICATE",
                Message("com.vmware.vdcs.cls-main.preview_self_signed_certificate", "The signing certificate {subject} is self-signed.", subject=subject),
            )
        )
    else:
        # The simulator trusts no signing authority, as a vCenter without custom roots would not.
        warnings.append(
            (
                "UNTRUSTED_CERTIFICATE",
                Message(
                    "com.vmware.vdcs.cls-main.preview_untrusted_certificate",
                    "The signing certificate {subject}, issued by {issuer}, is not trusted.",
                    subject=subject,
                    issuer=issuer,
                ),
            )
        )
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
