# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Download sessions (download-session-api.md, cited as "download reference §N"): their state and
lifetimes, file preparation, and the download endpoint that serves the bytes.

A session sees the files its item had when it was created (``library_item_content_version``).
Preparing a file takes ``prepare_latency`` seconds (PREPARE_REQUESTED, then PREPARING, then
PREPARED or ERROR) and does no real work: the bytes are already on disk. The endpoint,
``/cls/data/<session>/<file name>``, streams them from disk in large writes, with Range support;
it hashes nothing, because the SHA1 of the stored bytes is known since they were received.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from aiohttp import web

from vsphere_content_simulator import sessions
from vsphere_content_simulator.errors import Message, VapiError, error
from vsphere_content_simulator.state import ACTIVE, Fault, ItemFile, Store, iso_time, new_id

LOG = logging.getLogger("simulator.downloads")

# Where prepared files are served (like vCenter's /cls/data/...); uploads use /cls-data.
DOWNLOAD_PREFIX = "/cls/data"

# PrepareStatus
UNPREPARED = "UNPREPARED"
PREPARE_REQUESTED = "PREPARE_REQUESTED"
PREPARING = "PREPARING"
PREPARED = "PREPARED"
PREPARE_ERROR = "ERROR"

# One write per MiB: few trips through aiohttp and the TLS layer, little memory.
CHUNK = 1024 * 1024
# With a rate limit, smaller writes keep the rate smooth.
MIN_RATED_CHUNK = 16 * 1024

SERVE_FAULTS = ("drop_download", "corrupt_download", "ignore_range", "no_content_length")
PREPARE_FAULTS = ("prepare_error", "prepare_stall")
FAULT_OPERATIONS = {action: "file.download" for action in SERVE_FAULTS}
FAULT_OPERATIONS.update({action: "download_file.prepare" for action in PREPARE_FAULTS})


@dataclass
class DownloadFile:  # pylint: disable=too-many-instance-attributes
    """A file of a download session (download reference §2.2): the item file it serves and its prepare status."""

    name: str
    item_file: ItemFile
    status: str = UNPREPARED
    bytes_transferred: int = 0
    error_message: Message | None = None
    uri: str | None = None
    task: asyncio.Task | None = None
    # Byte ranges [start, end) served so far; once they cover the file, size and checksum_info are shown.
    served: list[tuple[int, int]] = field(default_factory=list)
    downloaded: bool = False

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "status": self.status, "bytes_transferred": self.bytes_transferred}
        if self.downloaded:
            body["size"] = self.item_file.size
            if self.item_file.checksum_info:
                body["checksum_info"] = dict(self.item_file.checksum_info)
        if self.status == PREPARED and self.uri:
            body["download_endpoint"] = {"uri": self.uri}
        if self.error_message is not None:
            body["error_message"] = self.error_message
        return body

    def record_served(self, start: int, end: int) -> None:
        """Add [start, end) to the ranges served; the whole file served means downloaded."""
        if end <= start and self.item_file.size:
            return
        merged: list[tuple[int, int]] = []
        for low, high in sorted(self.served + [(start, end)]):
            if merged and low <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], high))
            else:
                merged.append((low, high))
        self.served = merged
        if merged and merged[0][0] == 0 and merged[0][1] >= self.item_file.size:
            self.downloaded = True


@dataclass
class DownloadSession:  # pylint: disable=too-many-instance-attributes
    """A download session (download reference §2.1) with the item's files as they were at its creation."""

    id: str
    user: str
    item_id: str
    content_version: int
    client_token: str | None = None
    files: dict[str, DownloadFile] = field(default_factory=dict)
    state: str = ACTIVE
    client_progress: int = 0
    error_message: Message | None = None
    last_activity: float = field(default_factory=time.time)
    ended: float | None = None


def create(store: Store, user: str, item: Any, token: str | None) -> DownloadSession:
    session = DownloadSession(id=new_id(), user=user, item_id=item.id, content_version=item.content_version, client_token=token)
    for item_file in item.files.values():
        session.files[item_file.name] = DownloadFile(name=item_file.name, item_file=item_file)
    store.download_sessions[session.id] = session
    return session


def session_of(store: Store, session_id: str) -> DownloadSession:
    session = store.download_sessions.get(session_id)
    if session is None:
        raise error("not_found", "com.vmware.vdcs.cls-main.download_session_not_found", "Download session {id} was not found.", id=session_id)
    return session


def model(store: Store, session: DownloadSession) -> dict[str, Any]:
    """DownloadSessionModel as get returns it: without ``id``, as the API documents."""
    body: dict[str, Any] = {
        "library_item_id": session.item_id,
        "library_item_content_version": str(session.content_version),
        "state": session.state,
        "client_progress": session.client_progress,
        "expiration_time": iso_time(expiration_time(store, session)),
    }
    if session.error_message is not None:
        body["error_message"] = session.error_message
    return body


# Lifetimes (download reference §4).
touch = sessions.touch


def expiration_time(store: Store, session: DownloadSession) -> float:
    """When an ACTIVE session expires, or when a terminal one is deleted."""
    return sessions.expiration_time(session, store.config.download_session_timeout, store.config.terminal_session_retention)


def require_active(session: DownloadSession, operation: str) -> None:
    sessions.require_active(session, "download", operation)


def _stop_preparing(session: DownloadSession) -> None:
    for download_file in session.files.values():
        if download_file.task is not None and not download_file.task.done():
            download_file.task.cancel()
        download_file.task = None


def end(session: DownloadSession, state: str, message: Message | None = None) -> None:
    """CANCELED or ERROR: preparations stop, the endpoints stop serving (transfers in flight are cut)."""
    _stop_preparing(session)
    session.state = state
    session.error_message = message
    session.ended = time.time()


def delete(store: Store, session: DownloadSession) -> None:
    _stop_preparing(session)
    store.download_sessions.pop(session.id, None)
    if session.client_token:
        store.client_tokens.pop(("download_session", session.user, session.client_token), None)


def sweep(store: Store) -> None:
    """Expire idle ACTIVE download sessions (state ERROR) and delete terminal ones after the retention."""
    sessions.sweep(
        store.download_sessions,
        "download",
        store.config.download_session_timeout,
        store.config.terminal_session_retention,
        end,
        lambda session: delete(store, session),
    )


def stats(store: Store) -> dict[str, int]:
    every = store.download_sessions.values()
    return {"open_download_sessions": sum(1 for s in every if s.state == ACTIVE), "download_sessions": len(store.download_sessions)}


# Prepare (download reference §2.2, §3, §4).
def prepare(store: Store, session: DownloadSession, download_file: DownloadFile, base_url: str, fault: Fault | None) -> None:
    """Start preparing a file: PREPARE_REQUESTED now, PREPARING after half the latency, then PREPARED or ERROR.

    A file already requested, preparing or prepared is left as it is; one in ERROR is tried again.
    With no latency the outcome is there at once.
    """
    if download_file.status in (PREPARE_REQUESTED, PREPARING, PREPARED):
        return
    if fault is not None and fault.action not in PREPARE_FAULTS:
        fault = None
    download_file.status = PREPARE_REQUESTED
    download_file.error_message = None
    download_file.uri = None
    uri = f"{base_url}{DOWNLOAD_PREFIX}/{quote(session.id, safe='')}/{quote(download_file.name, safe='')}"
    latency = float(store.settings["prepare_latency"])
    if latency <= 0:
        download_file.status = PREPARING
        if fault is None or fault.action != "prepare_stall":
            _prepared(download_file, uri, fault)
        return
    download_file.task = store.spawn(_prepare_later(download_file, uri, fault, latency))


async def _prepare_later(download_file: DownloadFile, uri: str, fault: Fault | None, latency: float) -> None:
    try:
        await asyncio.sleep(latency / 2)
        download_file.status = PREPARING
        if fault is not None and fault.action == "prepare_stall":
            # Never finishes: the file stays PREPARING until its session ends.
            return
        await asyncio.sleep(latency / 2)
        _prepared(download_file, uri, fault)
    finally:
        download_file.task = None


def _prepared(download_file: DownloadFile, uri: str, fault: Fault | None) -> None:
    """The end of a prepare: PREPARED with the URI, or ERROR when the bytes are not there (or a fault says so)."""
    item_file = download_file.item_file
    if fault is not None and fault.action == "prepare_error":
        download_file.status = PREPARE_ERROR
        download_file.error_message = Message(
            "com.vmware.vdcs.cls-main.prepare_failed",
            "{message}",
            message=fault.message or f"Preparing {download_file.name} failed (fault injected by the simulator).",
        )
    elif item_file.path is None:
        download_file.status = PREPARE_ERROR
        download_file.error_message = Message(
            "com.vmware.vdcs.cls-main.content_not_stored",
            "The content of {name} cannot be downloaded: the simulator did not keep its bytes (--discard-content).",
            name=download_file.name,
        )
    elif not os.path.exists(item_file.path):
        download_file.status = PREPARE_ERROR
        download_file.error_message = Message(
            "com.vmware.vdcs.cls-main.content_gone",
            "The content of {name} is no longer stored: its library item was changed or deleted since the download session was created.",
            name=download_file.name,
        )
    else:
        download_file.status = PREPARED
        download_file.uri = uri


# The download endpoint (download reference §5).
def _endpoint_not_found(session_id: str, name: str, why: str) -> VapiError:
    return error(
        "not_found",
        "com.vmware.vdcs.cls-main.download_endpoint_not_found",
        "There is nothing to download at {path}: {why}.",
        path=f"{DOWNLOAD_PREFIX}/{session_id}/{name}",
        why=why,
    )


UNSATISFIABLE = (-1, -1)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The [start, end) a ``Range: bytes=...`` header asks for; None to send the whole file (no header, a
    malformed one, or several ranges); UNSATISFIABLE for a range that starts beyond the end."""
    if not header:
        return None
    unit, sep, spec = header.strip().partition("=")
    if not sep or unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, sep, last = (part.strip() for part in spec.partition("-"))
    if not sep or (first and not first.isdigit()) or (last and not last.isdigit()) or not (first or last):
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            return UNSATISFIABLE
        return max(size - suffix, 0), size
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        return UNSATISFIABLE
    return start, min(int(last) + 1, size) if last else size


def _serving(store: Store, session: DownloadSession, download_file: DownloadFile) -> bool:
    """Whether an endpoint still serves: its session ACTIVE and not deleted, its file PREPARED."""
    return session.state == ACTIVE and store.download_sessions.get(session.id) is session and download_file.status == PREPARED


async def serve(ctx: Any, session_id: str, name: str) -> web.StreamResponse:
    """GET on a prepared file's endpoint: 200 (or 206 for a Range), streamed from disk."""
    store = ctx.store
    session = store.download_sessions.get(session_id)
    if session is None:
        raise _endpoint_not_found(session_id, name, "no such download session")
    download_file = session.files.get(name)
    if download_file is None or not _serving(store, session, download_file):
        why = f"download session {session_id} is {session.state}" if session.state != ACTIVE else f"the file is not prepared in download session {session_id}"
        raise _endpoint_not_found(session_id, name, why)
    try:
        fd = os.open(download_file.item_file.path or "", os.O_RDONLY)
    except OSError:
        raise _endpoint_not_found(session_id, name, "its content is no longer stored") from None
    try:
        return await _send(ctx, session, download_file, fd)
    finally:
        os.close(fd)


async def _send(ctx: Any, session: DownloadSession, download_file: DownloadFile, fd: int) -> web.StreamResponse:
    request = ctx.request
    fault = ctx.fault if ctx.fault is not None and ctx.fault.action in SERVE_FAULTS else None
    action = fault.action if fault is not None else None
    size = os.fstat(fd).st_size
    wanted = None if action == "ignore_range" else parse_range(request.headers.get("Range"), size)
    headers = {"Content-Type": "application/octet-stream"}
    if action != "ignore_range":
        headers["Accept-Ranges"] = "bytes"
    if wanted == UNSATISFIABLE:
        return web.Response(status=416, headers=dict(headers, **{"Content-Range": f"bytes */{size}"}))
    start, end = wanted if wanted is not None else (0, size)
    if wanted is not None:
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    response = web.StreamResponse(status=206 if wanted is not None else 200, headers=headers)
    if action == "no_content_length":
        response.enable_chunked_encoding()
    else:
        response.content_length = end - start
    await response.prepare(request)
    position = await _stream(ctx, session, download_file, fd, response, (start, end), fault)
    download_file.record_served(start, position)
    return response


async def _stream(
    ctx: Any, session: DownloadSession, download_file: DownloadFile, fd: int, response: web.StreamResponse, span: tuple[int, int], fault: Fault | None
) -> int:
    """Write bytes [start, end) of ``fd``; returns where it stopped (``end`` unless cut short)."""
    store = ctx.store
    transport = ctx.request.transport
    position, end = span
    rate = int(store.settings["download_rate_limit"])
    chunk = CHUNK if not rate else max(MIN_RATED_CHUNK, min(CHUNK, rate // 8))
    stop_at = end
    corrupt_at = None
    if fault is not None and fault.action == "drop_download":
        stop_at = min(end, position + (fault.after_bytes or 0))
    elif fault is not None and fault.action == "corrupt_download":
        corrupt_at = fault.offset if fault.offset is not None else position
    started = time.monotonic()
    sent = 0
    try:
        while position < stop_at:
            if not _serving(store, session, download_file):
                # Canceled, failed, expired or deleted meanwhile: the transfer is cut.
                LOG.info("download of %s stopped: download session %s is %s", download_file.name, session.id, session.state)
                if transport is not None:
                    transport.abort()
                return position
            data = os.pread(fd, min(chunk, stop_at - position), position)
            if not data:
                break
            if corrupt_at is not None and position <= corrupt_at < position + len(data):
                flipped = bytearray(data)
                flipped[corrupt_at - position] ^= 0xFF
                data = bytes(flipped)
            await response.write(data)
            position += len(data)
            sent += len(data)
            download_file.bytes_transferred += len(data)
            if rate:
                delay = started + sent / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
        if stop_at < end:
            # drop_download: what was written reaches the client, then the connection closes.
            LOG.info("fault drops the download of %s after %s bytes", download_file.name, sent)
            ctx.dropped = True
            if transport is not None:
                transport.close()
            return position
        await response.write_eof()
    except ConnectionError:
        # The client went away; the log keeps the status that was sent.
        LOG.info("the client of %s left after %s bytes", download_file.name, sent)
    return position


# Settings and faults (control.py).
def check_settings(body: dict[str, Any]) -> str | None:
    """What is wrong with the download settings of a PATCH /_sim/settings body, or None."""
    rate = body.get("download_rate_limit", 0)
    if isinstance(rate, bool) or not isinstance(rate, int) or rate < 0:
        return "download_rate_limit must be a number of bytes per second, 0 for none"
    if body.get("download_host", "main") not in ("main", "other"):
        return "download_host must be main or other"
    for name in ("prepare_latency", "copy_latency"):
        value = body.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 3600:
            return f"{name} must be a number of seconds (0-3600)"
    return None


def parse_fault(fault: Fault, body: dict[str, Any]) -> None:
    """The fields of the download faults; ValueError names what is wrong. Without ``operation`` a download
    fault targets the operation it acts on (file.download or download_file.prepare)."""
    if fault.operation is None:
        fault.operation = FAULT_OPERATIONS[fault.action]
    if "status" in body:
        raise ValueError(f"status does not apply to a {fault.action} fault")
    if fault.action == "drop_download":
        after = body.get("after_bytes")
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            raise ValueError("after_bytes is required (an integer of at least 0)")
        fault.after_bytes = after
    if fault.action == "corrupt_download" and body.get("offset") is not None:
        offset = body["offset"]
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValueError("offset must be an integer of at least 0")
        fault.offset = offset
    if fault.action == "prepare_error" and body.get("message") is not None:
        if not isinstance(body["message"], str) or not body["message"]:
            raise ValueError("message must be a non-empty string")
        fault.message = body["message"]
