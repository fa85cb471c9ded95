# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Moving file content: PUSH uploads received on the upload endpoint, PULL downloads made by the server.

Both stream chunk by chunk, so memory stays flat whatever the file size, and
both verify the announced size and checksum before a file turns READY. Every
file is stored on disk (downloads serve it), unless --discard-content keeps only
the files the simulator reads back (OVF descriptors, certificates, manifests).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import ssl
import time
from typing import Any, AsyncIterator
from urllib.parse import urlsplit

import aiohttp
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from vsphere_content_simulator import lifecycle, ovf
from vsphere_content_simulator.errors import Message, VapiError, error
from vsphere_content_simulator.state import ACTIVE, FILE_ERROR, READY, TRANSFERRING, VALIDATING, SessionFile, Store, UpdateSession, discard, new_id

LOG = logging.getLogger("simulator.transfer")

HASHES = {"SHA1": "sha1", "MD5": "md5", "SHA256": "sha256", "SHA512": "sha512"}
PULL_CHUNK = 1024 * 1024
# Bytes handed to the writer thread at a time: few enough trips, little memory.
WRITE_BATCH = 2 * 1024 * 1024
# Recording activity for every chunk would be needless work on a fast upload.
TOUCH_INTERVAL = 0.5


class TransferFailed(Exception):
    """The content did not arrive as announced; the message becomes the file's error_message."""

    def __init__(self, message: Message, error_type: str = "invalid_argument") -> None:
        super().__init__(message.text)
        self.message = message
        self.error_type = error_type


def keeps_content(store: Store, session_file: SessionFile) -> bool:
    """Whether a file's bytes are stored: every file's (downloads serve them), or with --discard-content
    only those the simulator parses, so that an upload benchmark measures no disk writes.
    """
    name = session_file.name
    return not store.config.discard_content or ovf.is_descriptor(name) or ovf.is_metadata(name)


def start(session: UpdateSession, session_file: SessionFile, path: str | None) -> None:
    """Reset a file for a new transfer into ``path`` (None: the bytes are not stored)."""
    session_file.status = TRANSFERRING
    session_file.bytes_transferred = 0
    session_file.received_size = None
    session_file.received_checksum = None
    session_file.error_message = None
    session_file.certificate = None
    session_file.path = path
    lifecycle.touch(session)


class Writer:
    """Hashes batches of chunks, and writes them unless ``path`` is None, in a worker thread, one batch behind the reader.

    The event loop only decrypts and parses; hashing and file writes (both
    release the GIL on large buffers) run on the other core, overlapped with the
    next batch being read.
    """

    def __init__(self, path: str | None, digests: list[Any], size_hint: int | None) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) if path is not None else None
        self.digests = digests
        self.written = 0
        self.preallocated = 0
        self.pending: asyncio.Future | None = None
        if size_hint and self.fd is not None:
            self.pending = asyncio.get_running_loop().run_in_executor(None, self._preallocate, self.fd, size_hint)

    def _preallocate(self, fd: int, size: int) -> None:
        # Allocating the blocks up front is several times faster than ext4's
        # delayed allocation chunk by chunk; without room the writes still try.
        try:
            os.posix_fallocate(fd, 0, size)
            self.preallocated = size
        except OSError:
            pass

    def _write(self, pieces: list[bytes]) -> None:
        # One buffer (joined with the GIL released), so that each digest takes the GIL back once per
        # batch, not once per piece: every hand-back waits for the event loop to let go of it.
        data = b"".join(pieces)
        self.written += len(data)
        for digest in self.digests:
            digest.update(data)
        if self.fd is None:
            return
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    async def submit(self, pieces: list[bytes]) -> None:
        """Wait for the previous batch, then start this one."""
        await self.flush()
        self.pending = asyncio.get_running_loop().run_in_executor(None, self._write, pieces)

    async def flush(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            await pending

    async def close(self) -> None:
        try:
            await self.flush()
            if self.fd is not None and self.preallocated > self.written:
                os.ftruncate(self.fd, self.written)
        finally:
            if self.fd is not None:
                os.close(self.fd)


async def receive(store: Store, session: UpdateSession, session_file: SessionFile, chunks: AsyncIterator[bytes], size_hint: int | None = None) -> None:
    """Receive chunks (into a new file of the session if keeps_content), then verify them; raise TransferFailed on any mismatch.

    A SHA1 of the bytes is always kept: the item file's checksum_info, as vCenter reports it.
    """
    path = None
    if keeps_content(store, session_file):
        path = str(store.session_dir(session.id) / new_id())
        store.session_dir(session.id).mkdir(parents=True, exist_ok=True)
    start(session, session_file, path)
    algorithm = (session_file.checksum_info or {}).get("algorithm", "SHA1")
    sha1 = hashlib.sha1()
    digest = None
    if session_file.checksum_info:
        digest = sha1 if algorithm == "SHA1" else hashlib.new(HASHES[algorithm])
    expected = session_file.expected_size
    last_touch = time.monotonic()
    writer = Writer(path, [sha1] if digest in (None, sha1) else [sha1, digest], expected or size_hint)
    batch: list[bytes] = []
    batched = 0
    try:
        async for chunk in chunks:
            if session.state != ACTIVE or session.files.get(session_file.name) is not session_file:
                raise TransferFailed(
                    Message(
                        "com.vmware.vdcs.cls-main.transfer_abandoned",
                        "The transfer of {name} stopped: update session {id} is {state} or the file was replaced.",
                        name=session_file.name,
                        id=session.id,
                        state=session.state,
                    ),
                    "not_allowed_in_current_state",
                )
            batch.append(chunk)
            batched += len(chunk)
            session_file.bytes_transferred += len(chunk)
            if expected is not None and session_file.bytes_transferred > expected:
                raise TransferFailed(_size_mismatch(session_file, "more than"))
            if batched >= WRITE_BATCH:
                await writer.submit(batch)
                batch, batched = [], 0
            if time.monotonic() - last_touch > TOUCH_INTERVAL:
                lifecycle.touch(session)
                last_touch = time.monotonic()
        if batch:
            await writer.submit(batch)
    finally:
        await writer.close()
    session_file.status = VALIDATING
    lifecycle.touch(session)
    if expected is not None and session_file.bytes_transferred != expected:
        raise TransferFailed(_size_mismatch(session_file, "only"))
    session_file.sha1 = sha1.hexdigest()
    # A digest is made when, and only when, the file was announced with checksum_info (set once, at add).
    if digest is not None and session_file.checksum_info:
        received = digest.hexdigest()
        wanted = session_file.checksum_info["checksum"].strip().lower()
        if received != wanted:
            raise TransferFailed(
                Message(
                    "com.vmware.vdcs.cls-main.checksum_mismatch",
                    "The {algorithm} checksum of {name} is {received}, not {expected}.",
                    algorithm=algorithm,
                    name=session_file.name,
                    received=received,
                    expected=wanted,
                )
            )
        session_file.received_checksum = {"algorithm": algorithm, "checksum": received}
    if ovf.is_certificate(session_file.name):
        if store.fallback_signer_pem is None:
            store.fallback_signer_pem = ovf.fallback_signer_pem()
        session_file.certificate = ovf.read_certificate(path, store.fallback_signer_pem)
    session_file.received_size = session_file.bytes_transferred
    session_file.status = READY


def _size_mismatch(session_file: SessionFile, how: str) -> Message:
    return Message(
        "com.vmware.vdcs.cls-main.size_mismatch",
        "The file {name} was announced with {expected} bytes but {how} {received} bytes arrived.",
        name=session_file.name,
        expected=session_file.expected_size,
        how=how,
        received=session_file.bytes_transferred,
    )


def fail(session_file: SessionFile, message: Message) -> None:
    session_file.status = FILE_ERROR
    session_file.error_message = message
    discard(session_file.path)
    session_file.path = None


async def upload(store: Store, session: UpdateSession, session_file: SessionFile, request: Any, drop_after: int | None = None) -> None:
    """The PUT on a PUSH file's upload endpoint; VapiError (400) when the content is refused.

    ``--upload-rate-limit`` (or /_sim/settings) caps each connection's rate;
    ``drop_after`` (a drop_upload fault) closes the connection once that many bytes arrived.
    """
    chunks = _request_chunks(request, store.settings["upload_rate_limit"], drop_after)
    try:
        await receive(store, session, session_file, chunks, request.content_length)
    except TransferFailed as exc:
        fail(session_file, exc.message)
        raise VapiError(exc.error_type, exc.message) from None
    except (ConnectionError, RequestPayloadError, HttpProcessingError) as exc:
        message = Message(
            "com.vmware.vdcs.cls-main.transfer_interrupted",
            "The upload of {name} was interrupted after {received} bytes: {reason}.",
            name=session_file.name,
            received=session_file.bytes_transferred,
            reason=str(exc) or type(exc).__name__,
        )
        fail(session_file, message)
        raise VapiError("invalid_request", message) from None
    except OSError as exc:
        # The simulator's own storage failed (a full disk, say): the file must not stay TRANSFERRING.
        message = Message("com.vmware.vdcs.cls-main.storage_error", "The simulator could not store {name}: {reason}.", name=session_file.name, reason=str(exc))
        fail(session_file, message)
        raise VapiError("resource_inaccessible", message) from None


async def _request_chunks(request: Any, rate: int, drop_after: int | None) -> AsyncIterator[bytes]:
    """The request body as it arrives, at most ``rate`` bytes per second (0: unlimited).

    While the reader sleeps aiohttp stops reading the socket once its buffer is
    full, so TCP flow control slows the client down to the rate.
    """
    started = time.monotonic()
    received = 0
    while True:
        chunk = await request.content.readany()
        if not chunk:
            return
        if drop_after is not None and received + len(chunk) >= drop_after:
            chunk = chunk[: max(drop_after - received, 0)]
            if chunk:
                yield chunk
            LOG.info("fault drops the upload %s after %s bytes", request.path, drop_after)
            if request.transport is not None:
                request.transport.abort()
            raise ConnectionResetError(f"the simulator dropped the connection after {drop_after} bytes (injected fault)")
        received += len(chunk)
        yield chunk
        if rate:
            delay = started + received / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)


def check_pull_uri(uri: str) -> str:
    """The scheme of a PULL source; invalid_argument for one the API does not know."""
    try:
        scheme = urlsplit(uri).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https", "ds", "file"):
        raise error(
            "invalid_argument", "com.vmware.vdcs.cls-main.invalid_source_uri", "The source endpoint URI {uri} must use http, https, ds or file.", uri=uri
        )
    return scheme


async def pull(store: Store, session: UpdateSession, session_file: SessionFile) -> None:
    """Fetch a PULL file's source endpoint; the file ends READY or ERROR, never raising."""
    endpoint = session_file.source_endpoint or {}
    uri = endpoint.get("uri", "")
    try:
        if check_pull_uri(uri) not in ("http", "https"):
            raise TransferFailed(
                Message("com.vmware.vdcs.cls-main.unsupported_source", "The simulator cannot read {uri}: it pulls only from http and https.", uri=uri)
            )
        thumbprint = endpoint.get("ssl_certificate_thumbprint")
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=120)
        if thumbprint and uri.lower().startswith("https:"):
            await _check_thumbprint(uri, thumbprint)
        async with aiohttp.ClientSession(timeout=timeout) as client:
            async with client.get(uri, ssl=_pull_ssl(thumbprint)) as response:
                if response.status != 200:
                    raise TransferFailed(
                        Message(
                            "com.vmware.vdcs.cls-main.source_http_error", "The source endpoint {uri} answered HTTP {status}.", uri=uri, status=response.status
                        )
                    )
                await receive(store, session, session_file, response.content.iter_chunked(PULL_CHUNK), response.content_length)
    except asyncio.CancelledError:
        fail(session_file, Message("com.vmware.vdcs.cls-main.transfer_canceled", "The transfer of {name} was canceled.", name=session_file.name))
        raise
    except TransferFailed as exc:
        fail(session_file, exc.message)
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError, ValueError) as exc:
        fail(
            session_file,
            Message(
                "com.vmware.vdcs.cls-main.source_unreachable", "The simulator could not fetch {uri}: {reason}.", uri=uri, reason=str(exc) or type(exc).__name__
            ),
        )
    except VapiError as exc:
        fail(session_file, exc.messages[0])
    except Exception as exc:  # pylint: disable=broad-exception-caught
        # A background task has nobody to report to: log it and leave the file in ERROR, not TRANSFERRING.
        LOG.exception("pull of %s failed", uri)
        fail(session_file, Message("com.vmware.vdcs.cls-main.pull_failed", "The simulator failed to pull {uri}: {reason}.", uri=uri, reason=type(exc).__name__))
    finally:
        session_file.task = None
    LOG.info("pull of %s for update session %s ended %s", session_file.name, session.id, session_file.status)
    if session.state == ACTIVE:
        lifecycle.touch(session)
        if session.completing and not lifecycle.pending_transfers(session):
            lifecycle.finish(store, session)


def _unverified_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _pull_ssl(thumbprint: str | None) -> ssl.SSLContext | bool:
    # With a thumbprint the certificate is accepted only if it matches, "and no other validation is done".
    return _unverified_context() if thumbprint else True


def normalize_thumbprint(thumbprint: str) -> str:
    return "".join(ch for ch in thumbprint.lower() if ch in "0123456789abcdef")


async def _check_thumbprint(uri: str, thumbprint: str) -> None:
    """Compare the SHA-1 of the server's DER certificate with the expected thumbprint, before any request.

    A handshake of its own, because aiohttp may release the connection of a
    small response before its certificate can be read.
    """
    parts = urlsplit(uri)
    host = parts.hostname or ""
    writer = (await asyncio.wait_for(asyncio.open_connection(host, parts.port or 443, ssl=_unverified_context(), server_hostname=host), 30))[1]
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError, asyncio.TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), 5)
    actual = hashlib.sha1(der).hexdigest() if der else ""
    if actual != normalize_thumbprint(thumbprint):
        pretty = ":".join(actual[i : i + 2] for i in range(0, len(actual), 2)).upper()
        raise TransferFailed(
            Message(
                "com.vmware.vdcs.cls-main.thumbprint_mismatch",
                "The certificate of {uri} has the SHA-1 thumbprint {actual}, not {expected}.",
                uri=uri,
                actual=pretty or "(none)",
                expected=thumbprint,
            )
        )
