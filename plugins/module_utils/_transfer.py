# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Moving file content: local checksums, TLS thumbprints, and a streaming upload body.

This is a private module: it is not a public API and may change at any time.
"""

from __future__ import annotations

import hashlib
import os
import socket
import ssl
import threading

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, but sanity imports on it
    from urlparse import urlsplit

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import TransportError

CHECKSUM_ALGORITHMS = ('SHA1', 'MD5', 'SHA256', 'SHA512')
# Big reads keep the per-call overhead small; the memory used stays at one chunk.
CHUNK_SIZE = 1024 * 1024


def file_checksum(path, algorithm):
    """The hex digest of a file, read in chunks (never whole into memory)."""
    digest = hashlib.new(algorithm.lower())
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(CHUNK_SIZE), b''):
            digest.update(chunk)
    return digest.hexdigest()


def server_thumbprint(url, timeout):
    """SHA-1 of the DER certificate an https server presents, as AA:BB:... (what vCenter expects)."""
    parts = urlsplit(url)
    port = parts.port or 443
    context = ssl.create_default_context()
    # We want whatever certificate the server shows, to pin it; trust is the user's decision (TOFU).
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout) as sock:
            with context.wrap_socket(sock, server_hostname=parts.hostname) as tls:
                der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError) as exc:
        raise TransportError('Cannot read the TLS certificate of %s:%s to pin it: %s' % (parts.hostname, port, exc), 'TLS_ERROR')
    digest = hashlib.sha1(der).hexdigest().upper()
    return ':'.join(digest[i:i + 2] for i in range(0, len(digest), 2))


class UploadBody(object):
    """A file as a request body: requests streams it by ``read()`` and sizes it by ``len()``.

    ``sent`` counts the bytes handed to the connection so that a keep-alive thread
    can report progress while the upload runs.
    """

    def __init__(self, path):
        self._handle = open(path, 'rb')
        self._size = os.fstat(self._handle.fileno()).st_size
        self.sent = 0

    def __len__(self):
        return self._size

    def read(self, size=-1):
        chunk = self._handle.read(CHUNK_SIZE if size is None or size < 0 else max(size, CHUNK_SIZE))
        self.sent += len(chunk)
        return chunk

    def close(self):
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Heartbeat(object):
    """Calls ``beat()`` every ``interval`` seconds in a thread until the ``with`` block ends.

    vCenter expires an update session after five idle minutes by default, and an
    upload of a large file can take longer than that. No interval: no thread.
    Failed beats are kept in ``errors`` for the caller to report.
    """

    def __init__(self, interval, beat):
        self._interval = interval
        self._beat = beat
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name='update-session-keep-alive')
        self._thread.daemon = True
        self.errors = []

    def _run(self):
        while not self._stop.wait(self._interval):
            try:
                self._beat()
            except Exception as exc:  # pylint: disable=broad-except
                # A failed keep-alive must not break the upload; the caller reports it.
                self.errors.append(exc)

    def __enter__(self):
        if self._interval:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
