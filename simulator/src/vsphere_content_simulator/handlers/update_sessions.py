# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""com.vmware.content.library.item.update_session (reference §3)."""

from __future__ import annotations

from typing import Any

from vsphere_content_simulator import lifecycle, ovf
from vsphere_content_simulator.context import Context
from vsphere_content_simulator.errors import Message, error, invalid_argument
from vsphere_content_simulator.handlers.common import create_once, own_session_ids
from vsphere_content_simulator.handlers.files import validation_result
from vsphere_content_simulator.preview import preview_info
from vsphere_content_simulator.state import ACTIVE, CANCELED, ERROR, READY, SUBSCRIBED, SessionFile, Store, UpdateSession, iso_time, new_id


def model(store: Store, session: UpdateSession) -> dict[str, Any]:
    """UpdateSessionModel as get returns it: without ``id``, as vCenter does."""
    body: dict[str, Any] = {
        "library_item_id": session.item_id,
        "library_item_content_version": str(session.content_version),
        "state": session.state,
        "client_progress": session.client_progress,
        "expiration_time": iso_time(lifecycle.expiration_time(store, session)),
        "warning_behavior": [dict(entry) for entry in session.warning_behavior],
    }
    if session.error_message is not None:
        body["error_message"] = session.error_message
    preview = preview_info(session, store.items.get(session.item_id))
    if preview is not None:
        body["preview_info"] = preview
    return body


async def create(ctx: Context, params: dict[str, Any]) -> Any:
    return create_once(ctx, "update_session", params, ctx.store.update_sessions, lambda token: _new_session(ctx, params["create_spec"], token))


def _new_session(ctx: Context, spec: dict[str, Any], token: str | None) -> str:
    store = ctx.store
    item_id = spec.get("library_item_id")
    if item_id is None:
        raise invalid_argument("{field} is required.", field="create_spec.library_item_id")
    item = store.item(item_id)
    library = store.libraries.get(item.library_id)
    if library is not None and library.type == SUBSCRIBED:
        raise error(
            "invalid_element_type",
            "com.vmware.vdcs.cls-main.update_session_subscribed_item",
            "Library item {item} belongs to the subscribed library {library}: its content cannot be updated.",
            item=item.id,
            library=library.id,
        )
    busy = next((s for s in store.update_sessions.values() if s.item_id == item.id and s.state == ACTIVE), None)
    if busy is not None:
        raise error(
            "resource_busy",
            "com.vmware.vdcs.cls-main.update_session_exists",
            "Library item {item} already has the active update session {session}.",
            item=item.id,
            session=busy.id,
        )
    session_id = new_id()
    session = UpdateSession(
        id=session_id,
        user=ctx.user or "",
        item_id=item.id,
        content_version=item.content_version,
        data_dir=store.session_dir(session_id),
        warning_behavior=list(spec.get("warning_behavior", [])),
        client_token=token,
    )
    # The session starts from a snapshot of the item's files (reference §4.2, §4.3).
    for item_file in item.files.values():
        session.files[item_file.name] = SessionFile(
            name=item_file.name,
            source_type="NONE",
            status=READY,
            bytes_transferred=item_file.size,
            received_size=item_file.size,
            received_checksum=item_file.checksum_info,
            item_file=item_file,
        )
    store.update_sessions[session_id] = session
    return session_id


async def get(ctx: Context, params: dict[str, Any]) -> Any:
    return model(ctx.store, ctx.store.update_session(params["update_session_id"]))


async def list_(ctx: Context, params: dict[str, Any]) -> Any:
    return own_session_ids(ctx, params, ctx.store.update_sessions.values())


async def update(ctx: Context, params: dict[str, Any]) -> Any:
    """PATCH changes warning_behavior only; every other field of the spec is ignored (reference §3.4)."""
    session = ctx.store.update_session(params["update_session_id"])
    lifecycle.require_active(session, "update")
    spec = params["update_spec"]
    if "warning_behavior" in spec:
        session.warning_behavior = list(spec["warning_behavior"])
    lifecycle.touch(session)
    return None


async def delete(ctx: Context, params: dict[str, Any]) -> Any:
    session = ctx.store.update_session(params["update_session_id"])
    lifecycle.require_not_active(session, "delete")
    lifecycle.delete(ctx.store, session)
    return None


async def keep_alive(ctx: Context, params: dict[str, Any]) -> Any:
    session = ctx.store.update_session(params["update_session_id"])
    lifecycle.require_active(session, "keep-alive")
    progress = params.get("client_progress")
    if progress is not None:
        if progress < session.client_progress:
            raise invalid_argument(
                "client_progress {progress} is lower than the progress {current} of update session {id}.",
                progress=progress,
                current=session.client_progress,
                id=session.id,
            )
        session.client_progress = progress
    lifecycle.touch(session)
    return None


async def cancel(ctx: Context, params: dict[str, Any]) -> Any:
    session = ctx.store.update_session(params["update_session_id"])
    lifecycle.require_active(session, "cancel")
    lifecycle.end(session, CANCELED)
    return None


async def complete(ctx: Context, params: dict[str, Any]) -> Any:
    """Every file the client uploads (PUSH) must be READY (reference §3.8).

    PULL transfers still running finish in the background: the call returns and
    the session stays ACTIVE until they end. A PULL file that had already failed
    is left out of the item, as a removed file would be.
    """
    store = ctx.store
    session = store.update_session(params["update_session_id"])
    lifecycle.require_active(session, "complete")
    for session_file in session.files.values():
        if session_file.source_type == "PUSH" and session_file.status != READY:
            raise error(
                "not_allowed_in_current_state",
                "com.vmware.vdcs.cls-main.update_session_file_not_ready",
                "Update session {id} cannot complete: file {name} is {status}, not READY.",
                id=session.id,
                name=session_file.name,
                status=session_file.status,
            )
    # The OVF type adapter's checks (reference §3.8, §4.5): every referenced file present, descriptors readable.
    result = validation_result(store, session)
    if result["missing_files"]:
        raise error(
            "not_allowed_in_current_state",
            "com.vmware.vdcs.cls-main.update_session_missing_files",
            "Update session {id} cannot complete: the OVF descriptor references {files}, which the session does not have.",
            id=session.id,
            files=", ".join(result["missing_files"]),
        )
    unreadable = [entry for entry in result["invalid_files"] if ovf.is_descriptor(entry["name"])]
    if unreadable:
        raise error(
            "not_allowed_in_current_state",
            "com.vmware.vdcs.cls-main.update_session_invalid_files",
            "Update session {id} cannot complete: {reason}",
            id=session.id,
            reason=unreadable[0]["error_message"].text,
        )
    lifecycle.touch(session)
    pending = lifecycle.pending_transfers(session)
    if pending:
        session.completing = True
        session.awaited = set(pending)
    else:
        lifecycle.finish(store, session)
    return None


async def fail(ctx: Context, params: dict[str, Any]) -> Any:
    session = ctx.store.update_session(params["update_session_id"])
    lifecycle.require_active(session, "fail")
    # The client's message is stored as is: "the message won't be translated".
    lifecycle.end(session, ERROR, Message("com.vmware.vdcs.cls-main.client_error", "{message}", message=params["client_error_message"]))
    return None
