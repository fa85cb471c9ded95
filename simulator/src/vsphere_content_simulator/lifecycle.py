# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Update session state transitions (reference §3.10), expiry and completion."""

from __future__ import annotations

import os
import shutil
import time

from vsphere_content_simulator import downloads, preview, sessions
from vsphere_content_simulator.errors import Message, error
from vsphere_content_simulator.state import ACTIVE, DONE, ERROR, FILE_ERROR, ItemFile, READY, Store, UpdateSession, discard, new_id


touch = sessions.touch


def expiration_time(store: Store, session: UpdateSession) -> float:
    """When an ACTIVE session expires, or when a terminal one is deleted."""
    return sessions.expiration_time(session, store.config.update_session_timeout, store.config.terminal_session_retention)


def require_active(session: UpdateSession, operation: str) -> None:
    sessions.require_active(session, "update", operation)


def require_not_active(session: UpdateSession, operation: str) -> None:
    if session.state == ACTIVE:
        raise error(
            "not_allowed_in_current_state",
            "com.vmware.vdcs.cls-main.update_session_active",
            "The operation {operation} is not allowed on update session {id} in state {state}: cancel, complete or fail it first.",
            operation=operation,
            id=session.id,
            state=session.state,
        )


def stop_transfers(session: UpdateSession) -> None:
    for session_file in session.files.values():
        if session_file.task is not None and not session_file.task.done():
            session_file.task.cancel()
            # Now, not when the task next runs (it may first wait for its writer thread): a client that
            # reads the file right after cancel sees the transfer ended. The task says the same again.
            session_file.status = FILE_ERROR
            session_file.error_message = Message("com.vmware.vdcs.cls-main.transfer_canceled", "The transfer of {name} was canceled.", name=session_file.name)
        session_file.task = None


def discard_data(session: UpdateSession) -> None:
    """Delete what the session received and did not hand over to its item."""
    for session_file in session.files.values():
        if session_file.added:
            discard(session_file.path)
            session_file.path = None


def end(session: UpdateSession, state: str, message: Message | None = None) -> None:
    """Move an ACTIVE session to DONE, ERROR or CANCELED."""
    stop_transfers(session)
    session.state = state
    session.error_message = message
    session.completing = False
    session.awaited = set()
    session.ended = time.time()
    if state != DONE:
        discard_data(session)


def delete(store: Store, session: UpdateSession) -> None:
    stop_transfers(session)
    discard_data(session)
    shutil.rmtree(store.session_dir(session.id), ignore_errors=True)
    store.update_sessions.pop(session.id, None)
    if session.client_token:
        store.client_tokens.pop(("update_session", session.user, session.client_token), None)


def sweep(store: Store) -> None:
    """Expire idle login and update sessions and delete old terminal ones; cheap enough for every request."""
    now = time.time()
    ttl = store.config.session_ttl
    for token, login in list(store.login_sessions.items()):
        if now - login.last_accessed > ttl:
            del store.login_sessions[token]
    sessions.sweep(
        store.update_sessions,
        "update",
        store.config.update_session_timeout,
        store.config.terminal_session_retention,
        end,
        lambda session: delete(store, session),
    )
    downloads.sweep(store)


def pending_transfers(session: UpdateSession) -> list[str]:
    return [f.name for f in session.files.values() if f.task is not None and not f.task.done()]


def finish(store: Store, session: UpdateSession) -> None:
    """The end of complete: fail if a transfer awaited by complete failed or a preview warning is not ignored, else update the item."""
    item = store.items.get(session.item_id)
    failed = [f.name for f in session.files.values() if f.status == FILE_ERROR and f.name in session.awaited]
    if item is None:
        end(
            session,
            ERROR,
            Message(
                "com.vmware.vdcs.cls-main.item_deleted", "The library item {item} of update session {id} no longer exists.", item=session.item_id, id=session.id
            ),
        )
    elif failed:
        end(
            session,
            ERROR,
            Message(
                "com.vmware.vdcs.cls-main.transfer_failed",
                "Update session {id} failed: the transfer of {files} failed.",
                id=session.id,
                files=", ".join(failed),
            ),
        )
    elif warnings := preview.unignored_warnings(session, item):
        end(
            session,
            ERROR,
            Message(
                "com.vmware.vdcs.cls-main.preview_warnings_not_ignored",
                "Update session {id} failed: the preview warning {warnings} was not ignored.",
                id=session.id,
                warnings=", ".join(warnings),
            ),
        )
    else:
        apply_to_item(store, session)
        end(session, DONE)


def apply_to_item(store: Store, session: UpdateSession) -> None:
    """Replace the item's file list with the session's view of it and bump content_version."""
    item = store.item(session.item_id)
    item_dir = store.item_dir(item.id)
    item_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, ItemFile] = {}
    for session_file in session.files.values():
        if not session_file.keep_in_storage:
            discard(session_file.path)
            session_file.path = None
        elif session_file.item_file is not None:
            files[session_file.name] = session_file.item_file
        elif session_file.status == READY:
            previous = item.files.get(session_file.name)
            path = None
            if session_file.path:
                path = str(item_dir / new_id())
                os.replace(session_file.path, path)
                session_file.path = None
            files[session_file.name] = ItemFile(
                name=session_file.name,
                size=session_file.received_size or 0,
                version=previous.version + 1 if previous else 1,
                path=path,
                checksum_info={"algorithm": "SHA1", "checksum": session_file.sha1} if session_file.sha1 else None,
            )
    for name, old in item.files.items():
        if files.get(name) is not old:
            discard(old.path)
    item.files = files
    item.content_version += 1
    item.modified = time.time()
