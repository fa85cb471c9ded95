# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""com.vmware.content.library.item.updatesession.file (reference §4) and the upload endpoint."""

from __future__ import annotations

import string
from typing import Any
from urllib.parse import quote

from vsphere_content_simulator import lifecycle, ovf, transfer
from vsphere_content_simulator.context import Context
from vsphere_content_simulator.errors import Message, error, invalid_argument
from vsphere_content_simulator.handlers.auth import authenticate
from vsphere_content_simulator.handlers.common import endpoint_base
from vsphere_content_simulator.state import FILE_ERROR, READY, TRANSFERRING, WAITING_FOR_TRANSFER, SessionFile, Store, UpdateSession, discard

UPLOAD_PREFIX = "/cls-data"
CHECKSUM_DIGITS = {"MD5": 32, "SHA1": 40, "SHA256": 64, "SHA512": 128}


def _file(session: UpdateSession, name: str) -> SessionFile:
    session_file = session.files.get(name)
    if session_file is None:
        raise invalid_argument("File {name} does not exist in update session {id}.", name=name, id=session.id)
    return session_file


def _check_name(name: str) -> None:
    if name in (".", "..") or any(ch in name for ch in "/\\\0"):
        raise invalid_argument("{field} {name} is not a valid file name.", field="file_spec.name", name=name)


def _check_checksum(checksum_info: dict[str, str] | None) -> dict[str, str] | None:
    if checksum_info is None:
        return None
    algorithm = checksum_info.get("algorithm", "SHA1")
    value = checksum_info["checksum"].strip().lower()
    if len(value) != CHECKSUM_DIGITS[algorithm] or any(ch not in string.hexdigits for ch in value):
        raise invalid_argument(
            "{field} must be {digits} hexadecimal digits for {algorithm}.",
            field="file_spec.checksum_info.checksum",
            digits=CHECKSUM_DIGITS[algorithm],
            algorithm=algorithm,
        )
    return {"algorithm": algorithm, "checksum": value}


def _forget(session_file: SessionFile) -> None:
    """Drop what a session file received before it is replaced or removed."""
    if session_file.task is not None and not session_file.task.done():
        session_file.task.cancel()
    session_file.task = None
    if session_file.added:
        discard(session_file.path)
        session_file.path = None


async def add(ctx: Context, params: dict[str, Any]) -> Any:
    store = ctx.store
    session = store.update_session(params["update_session_id"])
    spec = params["file_spec"]
    name = spec["name"]
    _check_name(name)
    source_type = spec["source_type"]
    endpoint = spec.get("source_endpoint")
    if source_type == "NONE":
        raise invalid_argument("{field} must be PUSH or PULL to add a file.", field="file_spec.source_type")
    if source_type == "PULL":
        if endpoint is None:
            raise invalid_argument("{field} is required for a PULL file.", field="file_spec.source_endpoint")
        transfer.check_pull_uri(endpoint["uri"])
    checksum_info = _check_checksum(spec.get("checksum_info"))
    item = store.items.get(session.item_id)
    is_ovf_item = item is not None and item.is_ovf
    if is_ovf_item and ovf.is_metadata(name):
        descriptor = next((f.name for f in session.files.values() if f.added and ovf.is_descriptor(f.name)), None)
        if descriptor is not None:
            raise error(
                "not_allowed_in_current_state",
                "com.vmware.vdcs.cls-main.metadata_after_descriptor",
                "The OVF metadata file {name} must be added before the OVF descriptor {descriptor} of update session {id}.",
                name=name,
                descriptor=descriptor,
                id=session.id,
            )
    previous = session.files.get(name)
    if previous is not None:
        _forget(previous)
    session_file = SessionFile(
        name=name,
        source_type=source_type,
        status=WAITING_FOR_TRANSFER,
        keep_in_storage=not (is_ovf_item and ovf.is_metadata(name)),
        expected_size=spec.get("size"),
        checksum_info=checksum_info,
    )
    if source_type == "PUSH":
        base = endpoint_base(ctx, "upload_host")
        session_file.upload_uri = f"{base}{UPLOAD_PREFIX}/{quote(session.id, safe='')}/{quote(name, safe='')}"
    else:
        session_file.source_endpoint = dict(endpoint)
    session.files[name] = session_file
    lifecycle.touch(session)
    if source_type == "PULL":
        session_file.task = store.spawn(transfer.pull(store, session, session_file))
    return session_file.to_json()


async def get(ctx: Context, params: dict[str, Any]) -> Any:
    session = ctx.store.update_session(params["update_session_id"])
    return _file(session, params["file_name"]).to_json()


async def list_(ctx: Context, params: dict[str, Any]) -> Any:
    session = ctx.store.update_session(params["update_session_id"])
    return [session_file.to_json() for session_file in session.files.values()]


async def remove(ctx: Context, params: dict[str, Any]) -> Any:
    """The file leaves the session's view now and the item when the session completes."""
    session = ctx.store.update_session(params["update_session_id"])
    session_file = _file(session, params["file_name"])
    _forget(session_file)
    del session.files[session_file.name]
    lifecycle.touch(session)
    return None


async def validate(ctx: Context, params: dict[str, Any]) -> Any:
    store = ctx.store
    session = store.update_session(params["update_session_id"])
    lifecycle.require_active(session, "validate")
    return validation_result(store, session)


def validation_result(store: Store, session: UpdateSession) -> dict[str, Any]:
    """The ValidationResult: missing files are those an OVF descriptor references but the session lacks;
    invalid ones failed, have not arrived, or are descriptors that cannot be read."""
    missing: list[str] = []
    invalid = []
    item = store.items.get(session.item_id)
    if item is not None and item.is_ovf:
        for descriptor in session.files.values():
            if not ovf.is_descriptor(descriptor.name) or descriptor.status != READY:
                continue
            path = descriptor.item_file.path if descriptor.item_file else descriptor.path
            try:
                names = ovf.referenced_files(path)
            except ovf.DescriptorError as exc:
                invalid.append(
                    {
                        "name": descriptor.name,
                        "error_message": Message(
                            "com.vmware.ovfs.ovfs-main.ovfs.parse_error",
                            "The OVF descriptor {name} cannot be read: {reason}.",
                            name=descriptor.name,
                            reason=str(exc),
                        ),
                    }
                )
                continue
            for name in names:
                if name not in session.files and name not in missing:
                    missing.append(name)
    for session_file in session.files.values():
        if session_file.status == FILE_ERROR:
            invalid.append({"name": session_file.name, "error_message": session_file.error_message})
        elif session_file.status != READY and session_file.source_type == "PUSH":
            invalid.append(
                {
                    "name": session_file.name,
                    "error_message": Message(
                        "com.vmware.vdcs.cls-main.file_not_received",
                        "File {name} has not been received completely: it is {status}.",
                        name=session_file.name,
                        status=session_file.status,
                    ),
                }
            )
    return {"has_errors": bool(missing or invalid), "missing_files": missing, "invalid_files": invalid}


async def upload(ctx: Context, params: dict[str, Any]) -> Any:
    """The PUT on an upload endpoint: the session header is optional, but checked when sent."""
    authenticate(ctx, required=False)
    store = ctx.store
    session = store.update_session(params["update_session_id"])
    session_file = session.files.get(params["file_name"])
    if session_file is None:
        raise error(
            "not_found",
            "com.vmware.vdcs.cls-main.upload_file_not_found",
            "File {name} was not added to update session {id}.",
            name=params["file_name"],
            id=session.id,
        )
    if session_file.source_type != "PUSH":
        raise invalid_argument(
            "File {name} of update session {id} is a {source} file: only PUSH files are uploaded.",
            name=session_file.name,
            id=session.id,
            source=session_file.source_type,
        )
    lifecycle.require_active(session, "upload")
    if session_file.status == TRANSFERRING:
        raise error(
            "concurrent_change",
            "com.vmware.vdcs.cls-main.upload_in_progress",
            "File {name} of update session {id} is already being uploaded.",
            name=session_file.name,
            id=session.id,
        )
    if session_file.path:
        discard(session_file.path)
        session_file.path = None
    try:
        await transfer.upload(store, session, session_file, ctx.request, ctx.drop_after)
    finally:
        ctx.dropped = ctx.drop_after is not None and session_file.bytes_transferred >= ctx.drop_after
    return None
