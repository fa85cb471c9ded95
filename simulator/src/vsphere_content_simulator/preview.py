# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An update session's preview_info (reference §2.2): derived from its files on every read."""

from __future__ import annotations

from typing import Any

from vsphere_content_simulator import ovf
from vsphere_content_simulator.state import ACTIVE, READY, Item, UpdateSession


def preview_info(session: UpdateSession, item: Item | None) -> dict[str, Any] | None:
    """The PreviewInfo of an ACTIVE session, None otherwise (the field is only set while ACTIVE)."""
    if session.state != ACTIVE:
        return None
    descriptors = [f for f in session.files.values() if ovf.is_descriptor(f.name)]
    if item is None or not item.is_ovf or not descriptors:
        # Nothing to preview; once complete is under way no preview will come.
        return {"state": "NOT_APPLICABLE" if session.completing else "UNAVAILABLE"}
    certificates = [f for f in session.files.values() if ovf.is_certificate(f.name)]
    if any(f.status != READY for f in descriptors + certificates):
        return {"state": "PREPARING"}
    info: dict[str, Any] = {"state": "AVAILABLE", "warnings": []}
    signed = next((f.certificate for f in certificates if f.certificate), None)
    if signed:
        info["certificate_info"] = dict(signed["certificate_info"])
        info["cert_chain"] = list(signed["cert_chain"])
        info["warnings"] = [
            {"type": warning_type, "message": message, "ignored": session.ignores(warning_type)} for warning_type, message in signed["warnings"]
        ]
    return info


def unignored_warnings(session: UpdateSession, item: Item | None) -> list[str]:
    """The warning types that make complete fail the session."""
    info = preview_info(session, item) or {}
    return [warning["type"] for warning in info.get("warnings", []) if not warning["ignored"]]
