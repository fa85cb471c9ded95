# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The download loop: a download session on an item, its files prepared just in time, read as streams.

This is a private module: it is not a public API and may change at any time.

The counterpart of ``_upload``, used by library_item_download (into files or an OVA) and
library_item_copy (into another vCenter's upload endpoint). ``DownloadSession`` opens the
session (on the run's clean-up stack: failed with the reason and deleted if the task
fails), keeps it alive with its ``progress`` while bytes flow, prepares a file and waits
until it is PREPARED. ``RemoteStream`` reads one prepared file in large chunks and, when
the stream breaks, goes on where it stopped: with ``Range`` where the server answers 206,
from the start otherwise (the bytes already passed on are read again and skipped), within
the connection's ``retries``.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any, Callable

from ansible_collections.vsphere.content_library.plugins.module_utils._cleanup import CleanupStack, Undo
from ansible_collections.vsphere.content_library.plugins.module_utils._client import (
    HAS_REQUESTS,
    RETRY_STATUSES,
    RestClient,
    backoff_delay,
    short_reason,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    ApiError,
    BadAnswerError,
    ContentLibraryError,
    TransferAborted,
    TransferFailed,
    TransportError,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._model import ERROR, HTTPS, PREPARED, message_text
from ansible_collections.vsphere.content_library.plugins.module_utils._poll import wait_for
from ansible_collections.vsphere.content_library.plugins.module_utils._transfer import CHUNK_SIZE, Heartbeat, Progress

if HAS_REQUESTS:
    import requests
    import urllib3

    # What breaks a stream in mid-file: the connection, a read time-out, a truncated body.
    _STREAM_ERRORS: tuple[type[BaseException], ...] = (urllib3.exceptions.HTTPError, requests.exceptions.RequestException, OSError)
else:  # the module fails at once without requests (see _module); this keeps the import working
    _STREAM_ERRORS = (OSError,)

FileInfo = dict[str, Any]


class DownloadSession:
    """One download session on a library item, from its opening to its deletion.

    ``keep_alive_interval`` seconds between keep-alives while files are prepared and read
    (0: none); each one raises the session's progress to the percentage of ``total`` bytes
    received so far. ``wait_timeout`` bounds each wait for a file to be PREPARED.
    """

    def __init__(
        self, client: RestClient, cleanup: CleanupStack, item_id: str, keep_alive_interval: float, wait_timeout: float, warn: Callable[[str], None]
    ) -> None:
        self.client = client
        self.cleanup = cleanup
        self.item_id = item_id
        self.interval = keep_alive_interval
        self.wait_timeout = wait_timeout
        self.warn = warn
        self.id: str | None = None
        self.progress = Progress()
        self.streams: list[RemoteStream] = []
        self._lock = threading.Lock()
        self._undo: Undo | None = None
        self._heartbeat: Heartbeat | None = None

    # -- the session -----------------------------------------------------------------------

    def open(self) -> str:
        """Create the session (with a client token) and put its end on the clean-up stack.

        When every try of the create is lost, a session may exist all the same: the item's
        download sessions that were not there before are ended too.
        """
        before = set(self._session_ids())
        try:
            session_id = self.client.call('download_session.create', create_spec={'library_item_id': self.item_id}, client_token=str(uuid.uuid4()))
        except TransportError:
            try:
                for found in set(self._session_ids()) - before:
                    self._push_end(found)
            except ContentLibraryError:
                pass
            raise
        self.id = session_id
        self._undo = self._push_end(session_id)
        self._heartbeat = Heartbeat(self.interval, self.beat, name='download-session-keep-alive')
        self._heartbeat.__enter__()
        return session_id

    def _session_ids(self) -> list[str]:
        return self.client.call('download_session.list', library_item_id=self.item_id)

    def _push_end(self, session_id: str) -> Undo:
        self.cleanup.touch('download_session_id', session_id)
        return self.cleanup.push('download session %s' % session_id, lambda reason: end_download_session(self.client, session_id, reason))

    def close(self) -> None:
        """Stop the keep-alives and delete the session; the task's work is done (a failed delete only warns)."""
        self._stop_heartbeat()
        if self.id is None:
            return
        self.cleanup.release(self._undo)
        try:
            self.client.call('download_session.delete', download_session_id=self.id)
        except ContentLibraryError as exc:
            self.warn('Deleting download session %s failed: %s' % (self.id, exc))

    def _stop_heartbeat(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.__exit__(None, None, None)
            for error in self._heartbeat.errors[:1]:
                self.warn('A keep-alive of download session %s failed: %s' % (self.id, error))
            self._heartbeat = None

    @property
    def received(self) -> int:
        with self._lock:
            return sum(stream.received for stream in self.streams)

    @property
    def total(self) -> int:
        return self.progress.total

    @total.setter
    def total(self, value: int) -> None:
        self.progress.total = value

    def beat(self) -> None:
        """One keep-alive, with the progress when it has grown (the API wants it to go up only)."""
        self.client.call('download_session.keep_alive', download_session_id=self.id, progress=self.progress.rise(self.received))

    # -- its files -------------------------------------------------------------------------

    def file_info(self, name: str) -> FileInfo:
        return self.client.call('download_file.get', download_session_id=self.id, file_name=name)

    def prepare(self, name: str, stop: threading.Event | None = None) -> FileInfo:
        """Ask vCenter to prepare ``name`` and wait until it is PREPARED; TransferFailed when it ends in ERROR."""

        def check(info: FileInfo) -> None:
            if stop is not None and stop.is_set():
                raise TransferAborted('stopped because another file failed')
            if info.get('status') == ERROR:
                raise TransferFailed(
                    'vCenter could not prepare file %s for download: %s'
                    % (name, message_text(info.get('error_message'), 'vCenter gave no reason').rstrip('.')),
                    name,
                )

        info = self.client.call('download_file.prepare', download_session_id=self.id, file_name=name, endpoint_type=HTTPS)
        if info.get('status') == PREPARED:
            return info
        return wait_for(
            lambda: self.file_info(name),
            lambda now: now.get('status') == PREPARED,
            self.wait_timeout,
            lambda now, waited: 'File %s of download session %s was still %s after %s seconds (wait_timeout)' % (name, self.id, now.get('status'), waited),
            check=check,
        )

    def stream(self, info: FileInfo, stop: threading.Event | None = None) -> RemoteStream:
        """Open the stream of a PREPARED file; it counts towards the session's progress."""
        uri = (info.get('download_endpoint') or {}).get('uri')
        if not uri:
            raise BadAnswerError(200, 'prepare file %s' % info['name'], 'the PREPARED file has no download_endpoint', str(info))
        stream = RemoteStream(self.client, info['name'], uri, stop)
        with self._lock:
            self.streams.append(stream)
        return stream


def end_download_session(client: RestClient, session_id: str, reason: str) -> str:
    """Fail a download session with ``reason``, then delete it; say what happened, in words (never raises).

    Unlike an update session, a download session may be deleted in any state, so the delete
    is sent even when the fail is refused. A delete answered 404 after the fail means the
    session is gone already (govmomi's vcsim removes a download session when it is failed).
    """
    reason = ' '.join(reason.split())[:1000].rstrip('. ') or 'the task failed'
    try:
        client.call('download_session.fail', download_session_id=session_id, client_error_message=reason)
        failed = 'was failed with this reason'
    except ApiError as exc:
        if exc.status == 404:
            return 'Download session %s no longer exists.' % session_id
        failed = 'could not be failed (%s)' % exc.server_message().rstrip('.')
    except ContentLibraryError as exc:
        failed = 'could not be failed (%s)' % exc
    try:
        client.call('download_session.delete', download_session_id=session_id)
        return 'Download session %s %s, and it was deleted.' % (session_id, failed)
    except ApiError as exc:
        if exc.status == 404:
            return 'Download session %s %s, and it no longer exists.' % (session_id, failed)
        return 'Download session %s %s; deleting it failed: %s' % (session_id, failed, exc)
    except ContentLibraryError as exc:
        return 'Download session %s %s; deleting it failed: %s' % (session_id, failed, exc)


class RemoteStream:
    """The bytes of one prepared file, read from its download endpoint in large chunks.

    ``length`` is the file's size from ``Content-Length`` (None when the server sends the
    body chunked). A stream that breaks is opened again from where it stopped, at most
    ``client.retries`` times in all: with ``Range`` when the server answers 206, otherwise
    from the start, skipping what was already read. ``resumed`` says how, for the result.
    A 401 (the login expired while the file streamed) logs in again and goes on likewise.
    The first GET is a read like any other: sent again, within the same retries, when it
    times out, its connection drops or the answer is 502, 503 or 504.
    """

    def __init__(self, client: RestClient, name: str, uri: str, stop: threading.Event | None = None) -> None:
        self.client = client
        self.name = name
        self.uri = uri
        self.stop = stop
        self.action = 'download file %s' % name
        self.received = 0
        self.resumed: list[str] = []
        self.closed = False
        self._tries = 0
        self._response = self._first_get()
        self.length = self._content_length(self._response)
        self._raw = self._response.raw

    @staticmethod
    def _content_length(response: requests.Response) -> int | None:
        value = response.headers.get('Content-Length')
        if value is None or 'chunked' in response.headers.get('Transfer-Encoding', '').lower():
            return None
        try:
            length = int(value)
        except ValueError:
            raise BadAnswerError(response.status_code, 'download a file', 'its Content-Length is not a number', value)
        return length if length >= 0 else None

    def _first_get(self) -> requests.Response:
        while True:
            try:
                return self._get(0)
            except (TransportError, ApiError) as exc:
                if isinstance(exc, ApiError) and exc.status not in RETRY_STATUSES:
                    raise
                self._tries += 1
                if self._tries > self.client.retries or (self.stop is not None and self.stop.is_set()):
                    raise
            time.sleep(backoff_delay(self._tries - 1))

    def _get(self, offset: int) -> requests.Response:
        # The login may expire while the file streams: then log in again and go on.
        return self.client.relogin_on_401(lambda: self.client.download(self.uri, self.action, offset))

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (a chunk when not given); ``b''`` at the end of the file."""
        want = CHUNK_SIZE if size is None or size < 0 else max(size, 1)
        while True:
            if self.stop is not None and self.stop.is_set():
                raise TransferAborted('stopped because another file failed')
            try:
                chunk = self._raw.read(want)
            except _STREAM_ERRORS as exc:
                self._resume(short_reason(exc))
                continue
            if not chunk and self.length is not None and self.received < self.length:
                self._resume('the stream ended after %d of %d bytes' % (self.received, self.length))
                continue
            self.received += len(chunk)
            return chunk

    def _resume(self, why: str) -> None:
        """Open the stream again at ``received``; TransferFailed when the retries are spent."""
        self._response.close()
        while True:
            if self.closed:
                raise TransferAborted('the download of %s was closed' % self.name)
            self._tries += 1
            if self._tries > self.client.retries:
                raise TransferFailed(
                    'The download of file %s broke after %d bytes (%s), and %d %s to resume it failed.'
                    % (self.name, self.received, why, self._tries - 1, 'try' if self._tries == 2 else 'tries'),
                    self.name,
                )
            time.sleep(backoff_delay(self._tries - 1))
            try:
                response = self._get(self.received)
            except (TransportError, ApiError) as exc:
                why = str(exc)
                continue
            if response.status_code == 206:
                start = self._range_start(response)
                if start == self.received:
                    self.resumed.append('range')
                    self._response, self._raw = response, response.raw
                    return
                response.close()
                why = 'the server resumed at byte %s instead of %d' % (start, self.received)
                continue
            # 200 (the server ignores Range): read the file again and skip what was passed on already.
            self.resumed.append('restart')
            self._response, self._raw = response, response.raw
            try:
                self._skip(self.received)
                return
            except _STREAM_ERRORS as exc:
                why = short_reason(exc)
                response.close()

    @staticmethod
    def _range_start(response: requests.Response) -> int | None:
        value = response.headers.get('Content-Range', '')
        try:
            return int(value.split()[1].split('-')[0])
        except (IndexError, ValueError):
            return None

    def _skip(self, count: int) -> None:
        left = count
        while left:
            chunk = self._raw.read(min(CHUNK_SIZE, left))
            if not chunk:
                raise OSError('the stream ended while skipping the bytes already read')
            left -= len(chunk)

    def close(self) -> None:
        self.closed = True
        self._response.close()
