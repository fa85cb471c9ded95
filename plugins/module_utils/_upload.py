# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The upload loop: add files to an update session, stream them, keep the session alive, wait for them.

This is a private module: it is not a public API and may change at any time.

Used by update_session_file (one file), library_item_upload (a file, an OVF template
or an OVA's members) and library_item_copy (files streamed from another vCenter), so
that they never drift apart. A part is anything with a ``name``, a ``size``, an optional
``expected`` checksum and an ``upload_body()`` that opens a fresh stream of its bytes.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Protocol, Sequence

from ansible_collections.vsphere.content_library.plugins.module_utils._client import RestClient
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    BadAnswerError,
    StateError,
    TransferAborted,
    TransferFailed,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._model import (
    ACTIVE,
    ERROR,
    PUSH,
    READY,
    WAITING_FOR_TRANSFER,
    message_text,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._poll import wait_for
from ansible_collections.vsphere.content_library.plugins.module_utils._transfer import Heartbeat, Progress, run_all


class Part(Protocol):
    """One file to upload: ``upload_body()`` opens a fresh stream of its bytes (a ``_content.VerifyingStream``)."""

    name: str
    size: int
    expected: Any

    def upload_body(self) -> Any:
        """A fresh stream of the part's bytes."""


class _AbortableBody:
    """A request body that stops (raises) as soon as another transfer of the task has failed."""

    def __init__(self, body: Any, stop: threading.Event) -> None:
        self._body = body
        self._stop = stop

    def __len__(self) -> int:
        return len(self._body)

    def read(self, size: int = -1) -> bytes:
        if self._stop.is_set():
            raise TransferAborted('stopped because another file failed')
        return self._body.read(size)

    @property
    def sent(self) -> int:
        return self._body.sent


class Uploader:
    """Moves files into one update session and reports progress to vCenter while bytes flow.

    ``keep_alive_interval`` seconds between keep-alives (0: none); each one raises the
    session's ``client_progress`` to the percentage of all bytes sent so far.
    """

    def __init__(
        self, client: RestClient, session_id: str, keep_alive_interval: float, wait_timeout: float = 600, warn: Callable[[str], None] | None = None
    ) -> None:
        self.client = client
        self.wait_timeout = wait_timeout
        self.session_id = session_id
        self.interval = keep_alive_interval
        self.warn = warn
        self.bodies: list[_AbortableBody] = []
        self.progress = Progress(cap=99)
        self._lock = threading.Lock()

    @property
    def total(self) -> int:
        return self.progress.total

    @total.setter
    def total(self, value: int) -> None:
        self.progress.total = value

    @property
    def sent(self) -> int:
        with self._lock:
            return sum(body.sent for body in self.bodies)

    def beat(self) -> None:
        """One keep-alive, with the progress when it has grown (never 100: that is for completion)."""
        self.client.call('update_session.keep_alive', update_session_id=self.session_id, client_progress=self.progress.rise(self.sent))

    def add(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Add one file to the session; return vCenter's File.Info."""
        return self.client.call('file.add', update_session_id=self.session_id, file_spec=spec)

    def push(self, parts: Sequence[Part], parallel: int = 1, spec_for: Callable[[Part], dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """Add every part (in order), then PUT them, ``parallel`` at a time; return the READY File.Infos.

        ``spec_for(part)`` gives the part's File.AddSpec (default: name, PUSH, size and the
        expected checksum when there is one). Raises the first failure, after stopping the others.
        """
        spec_for = spec_for or push_spec
        infos = [(part, self.add(spec_for(part))) for part in parts]
        self.total = sum(part.size for part in parts)
        self.run([self._job(part, info) for part, info in infos], parallel)
        return [self.settle(part.name, 'upload', pushed=True) for part, _info in infos]

    def run(self, jobs: Sequence[Callable[[threading.Event], Any]], parallel: int) -> list[Any]:
        """Run transfer jobs ``parallel`` at a time (see ``_transfer.run_all``) while keep-alives report the progress."""
        heartbeat = Heartbeat(self.interval, self.beat, name='update-session-keep-alive')
        try:
            with heartbeat:
                return run_all(jobs, parallel)
        finally:
            for error in heartbeat.errors[:1]:
                if self.warn:
                    self.warn('A keep-alive of update session %s during the upload failed: %s' % (self.session_id, error))

    def _job(self, part: Part, info: dict[str, Any]) -> Callable[[threading.Event], None]:
        return lambda stop: self.put(part, info, stop)

    def put(self, part: Part, info: dict[str, Any], stop: threading.Event) -> None:
        """PUT one added part to its upload endpoint; after a 401, log in again and send it once more from its start."""
        uri = (info.get('upload_endpoint') or {}).get('uri')
        if not uri:
            raise StateError('vCenter gave no upload endpoint for file %s.' % part.name, ACTIVE)
        action = 'upload file %s to update session %s' % (part.name, self.session_id)
        # The API session may expire during the upload: the file is then sent once more, from its start.
        self.client.relogin_on_401(lambda: self._send(part, uri, stop, action))

    def _send(self, part: Part, uri: str, stop: threading.Event, action: str) -> None:
        body = part.upload_body()
        wrapped = _AbortableBody(body, stop)
        with self._lock:
            self.bodies.append(wrapped)
        try:
            self.client.upload(uri, wrapped, action)
            if body.sent == body.size:
                body.verify()
        except BaseException:
            with self._lock:
                self.bodies.remove(wrapped)  # a repeated upload counts its bytes once
            raise
        finally:
            body.close()

    def file_info(self, name: str) -> dict[str, Any]:
        """The session's File.Info of ``name``.

        govmomi's vcsim answers a file get with the session itself: the file is then read from the list.
        """
        try:
            return self.client.call('file.get', update_session_id=self.session_id, file_name=name)
        except BadAnswerError:
            for info in self.client.call('file.list', update_session_id=self.session_id):
                if info.get('name') == name:
                    return info
            raise

    def settle(self, name: str, what: str, pushed: bool = False) -> dict[str, Any]:
        """Wait until the file is READY; raise TransferFailed on ERROR, WaitTimedOut after ``wait_timeout``.

        After a PUT that vCenter accepted (``pushed``), a file still WAITING_FOR_TRANSFER counts as
        received (vcsim never moves a pushed file on): validation and completion are the checks that decide.
        """
        done = (READY, WAITING_FOR_TRANSFER) if pushed else (READY,)

        def check(info: dict[str, Any]) -> None:
            if info.get('status') == ERROR:
                raise TransferFailed('The %s of file %s failed: %s' % (what, name, message_text(info.get('error_message'), 'vCenter gave no reason')), name)

        return wait_for(
            lambda: self.file_info(name),
            lambda info: info.get('status') in done,
            self.wait_timeout,
            lambda info, waited: 'The %s of file %s was still %s after %s seconds' % (what, name, info.get('status'), waited),
            check=check,
            keep_alive=self.beat,
            keep_alive_interval=self.interval,
        )


def push_spec(part: Part) -> dict[str, Any]:
    spec: dict[str, Any] = {'name': part.name, 'source_type': PUSH, 'size': part.size}
    if part.expected:
        spec['checksum_info'] = {'algorithm': part.expected.algorithm, 'checksum': part.expected.checksum}
    return spec
