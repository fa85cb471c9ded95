# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The upload loop: add files to an update session, stream them, keep the session alive, wait for them.

This is a private module: it is not a public API and may change at any time.

Used by update_session_file (one file) and library_item_upload (a file, an OVF
template or an OVA's members), so that the two never drift apart.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import ApiError, ContentLibraryError, StateError
from ansible_collections.vsphere.content_library.plugins.module_utils._transfer import Heartbeat

READY = 'READY'
FAILED = 'ERROR'


class UploadAborted(ContentLibraryError):
    """Another upload of the same task failed: this one stops early."""


class _AbortableBody(object):
    """A request body that stops (raises) as soon as another upload of the task has failed."""

    def __init__(self, body, stop):
        self._body = body
        self._stop = stop

    def __len__(self):
        return len(self._body)

    def read(self, size=-1):
        if self._stop.is_set():
            raise UploadAborted('stopped because another file failed')
        return self._body.read(size)

    @property
    def sent(self):
        return self._body.sent


class Uploader(object):
    """Moves files into one update session and reports progress to vCenter while bytes flow.

    ``keep_alive_interval`` seconds between keep-alives (0: none); each one raises the
    session's ``client_progress`` to the percentage of all bytes sent so far.
    """

    def __init__(self, client, session_id, keep_alive_interval, wait_timeout=600, warn=None):
        self.client = client
        self.wait_timeout = wait_timeout
        self.session_id = session_id
        self.interval = keep_alive_interval
        self.warn = warn
        self.bodies = []
        self.total = 0
        self.progress = 0
        self._lock = threading.Lock()

    @property
    def sent(self):
        return sum(body.sent for body in self.bodies)

    def beat(self):
        """One keep-alive, with the progress when it has grown (never 100: that is for completion)."""
        percent = min(99, int(100 * self.sent / self.total)) if self.total else 0
        with self._lock:
            raise_to = percent if percent > self.progress else None
            if raise_to is not None:
                self.progress = raise_to
        self.client.call('update_session.keep_alive', update_session_id=self.session_id, client_progress=raise_to)

    def add(self, spec):
        """Add one file to the session; return vCenter's File.Info."""
        return self.client.call('file.add', update_session_id=self.session_id, file_spec=spec)

    def push(self, parts, parallel=1, spec_for=None):
        """Add every part (in order), then PUT them, ``parallel`` at a time; return the READY File.Infos.

        ``spec_for(part)`` gives the part's File.AddSpec (default: name, PUSH, size and the
        manifest's checksum when there is one). Raises the first failure, after stopping the others.
        """
        spec_for = spec_for or push_spec
        infos = [(part, self.add(spec_for(part))) for part in parts]
        self.total = sum(part.size for part in parts)
        stop = threading.Event()
        heartbeat = Heartbeat(self.interval, self.beat)
        with heartbeat:
            with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(infos)))) as pool:
                futures = [pool.submit(self._put, part, info, stop) for part, info in infos]
                errors = []
                for future in futures:
                    try:
                        future.result()
                    except BaseException as exc:  # pylint: disable=broad-except
                        stop.set()
                        errors.append(exc)
        for error in heartbeat.errors[:1]:
            if self.warn:
                self.warn('A keep-alive of update session %s during the upload failed: %s' % (self.session_id, error))
        real = [error for error in errors if not isinstance(error, UploadAborted)]
        if real or errors:
            raise (real or errors)[0]
        return [self.settle(part.name, 'upload') for part, _info in infos]

    def _put(self, part, info, stop):
        uri = ((info or {}).get('upload_endpoint') or {}).get('uri')
        if not uri:
            raise StateError('vCenter gave no upload endpoint for file %s.' % part.name, 'ACTIVE')
        action = 'upload file %s to update session %s' % (part.name, self.session_id)
        token = self.client.token
        try:
            self._send(part, uri, stop, action)
        except ApiError as exc:
            if exc.status != 401:
                raise
            # The API session expired during the upload: log in again and send the file once more, from its start.
            self.client.login_again(token)
            self._send(part, uri, stop, action)

    def _send(self, part, uri, stop, action):
        # Only the manifest's digest is computed while streaming: any other hash would cost CPU for nothing.
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

    def settle(self, name, what):
        """Wait until the file is READY; raise on ERROR or when ``wait_timeout`` seconds pass."""
        timeout = self.wait_timeout
        deadline = time.monotonic() + timeout
        while True:
            info = self.client.call('file.get', update_session_id=self.session_id, file_name=name)
            if info.get('status') == READY:
                return info
            if info.get('status') == FAILED:
                message = (info.get('error_message') or {}).get('default_message') or 'vCenter gave no reason'
                raise TransferFailed('The %s of file %s failed: %s' % (what, name, message))
            if time.monotonic() >= deadline:
                raise TransferFailed('The %s of file %s was still %s after %s seconds' % (what, name, info.get('status'), timeout))
            time.sleep(0.5)


class TransferFailed(ContentLibraryError):
    def to_result(self):
        return {'error_type': 'TRANSFER_FAILED'}


def push_spec(part):
    spec = {'name': part.name, 'source_type': 'PUSH', 'size': part.size}
    if part.expected:
        spec['checksum_info'] = {'algorithm': part.expected.algorithm, 'checksum': part.expected.checksum}
    return spec
