# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""com.vmware.content.library.item.download_session and downloadsession.file (download reference §1-§3),
and the download endpoint."""

from __future__ import annotations

from typing import Any

from vsphere_content_simulator import downloads
from vsphere_content_simulator.context import Context
from vsphere_content_simulator.downloads import DownloadFile, DownloadSession
from vsphere_content_simulator.errors import Message, error, invalid_argument
from vsphere_content_simulator.handlers.common import create_once, endpoint_base, own_session_ids
from vsphere_content_simulator.state import CANCELED, ERROR


async def create(ctx: Context, params: dict[str, Any]) -> Any:
    """Only library_item_id is read; client_token makes a retried create return the same session."""
    return create_once(ctx, "download_session", params, ctx.store.download_sessions, lambda token: _new_session(ctx, params["create_spec"], token))


def _new_session(ctx: Context, spec: dict[str, Any], token: str | None) -> str:
    item_id = spec.get("library_item_id")
    if item_id is None:
        raise invalid_argument("{field} is required.", field="create_spec.library_item_id")
    return downloads.create(ctx.store, ctx.user or "", ctx.store.item(item_id), token).id


async def get(ctx: Context, params: dict[str, Any]) -> Any:
    return downloads.model(ctx.store, downloads.session_of(ctx.store, params["download_session_id"]))


async def list_(ctx: Context, params: dict[str, Any]) -> Any:
    return own_session_ids(ctx, params, ctx.store.download_sessions.values())


async def keep_alive(ctx: Context, params: dict[str, Any]) -> Any:
    """Pushes the expiry out; ``progress`` is stored only when it is higher than the current one."""
    session = downloads.session_of(ctx.store, params["download_session_id"])
    downloads.require_active(session, "keep-alive")
    progress = params.get("progress")
    if progress is not None and progress > session.client_progress:
        session.client_progress = progress
    downloads.touch(session)
    return None


async def cancel(ctx: Context, params: dict[str, Any]) -> Any:
    session = downloads.session_of(ctx.store, params["download_session_id"])
    downloads.require_active(session, "cancel")
    downloads.end(session, CANCELED)
    return None


async def fail(ctx: Context, params: dict[str, Any]) -> Any:
    session = downloads.session_of(ctx.store, params["download_session_id"])
    downloads.require_active(session, "fail")
    downloads.end(session, ERROR, Message("com.vmware.vdcs.cls-main.client_error", "{message}", message=params["client_error_message"]))
    return None


async def delete(ctx: Context, params: dict[str, Any]) -> Any:
    """Any state: unlike an update session, an ACTIVE download session may be deleted."""
    downloads.delete(ctx.store, downloads.session_of(ctx.store, params["download_session_id"]))
    return None


def _file(session: DownloadSession, name: str) -> DownloadFile:
    download_file = session.files.get(name)
    if download_file is None:
        raise invalid_argument("File {name} does not exist in download session {id}.", name=name, id=session.id)
    return download_file


async def file_list(ctx: Context, params: dict[str, Any]) -> Any:
    session = downloads.session_of(ctx.store, params["download_session_id"])
    return [download_file.to_json() for download_file in session.files.values()]


async def file_get(ctx: Context, params: dict[str, Any]) -> Any:
    session = downloads.session_of(ctx.store, params["download_session_id"])
    return _file(session, params["file_name"]).to_json()


async def file_prepare(ctx: Context, params: dict[str, Any]) -> Any:
    """Answers at once, usually PREPARE_REQUESTED; DIRECT is refused as for a user without ContentLibrary.ReadStorage."""
    store = ctx.store
    session = downloads.session_of(store, params["download_session_id"])
    downloads.require_active(session, "prepare")
    download_file = _file(session, params["file_name"])
    if params.get("endpoint_type", "HTTPS") == "DIRECT":
        raise error(
            "unauthorized",
            "com.vmware.vdcs.cls-main.direct_endpoint_unauthorized",
            "A DIRECT download endpoint needs the privilege ContentLibrary.ReadStorage, which {user} does not have.",
            user=ctx.user or "the caller",
        )
    downloads.prepare(store, session, download_file, endpoint_base(ctx, "download_host"), ctx.fault)
    downloads.touch(session)
    return download_file.to_json()


async def download(ctx: Context, params: dict[str, Any]) -> Any:
    """GET on a download endpoint (the login is required: the dispatcher checked it)."""
    return await downloads.serve(ctx, params["download_session_id"], params["file_name"])
