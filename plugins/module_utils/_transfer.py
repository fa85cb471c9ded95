# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Moving file content: local checksums, pinned TLS thumbprints, and a heartbeat while bytes flow.

This is a private module: it is not a public API and may change at any time.
"""

from __future__ import annotations

import hashlib
import os
import queue
import socket
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence
from urllib.parse import urlsplit

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import TransferAborted, TransportError

# Big reads keep the per-call overhead small; the memory used stays at one chunk.
CHUNK_SIZE = 1024 * 1024
# Writing a chunk to the page cache in slices of this size cost a third of the CPU that one
# 1 MiB write did, on the 2-core VM where bench/bench_module_download.py measured both (the
# kernel's copy into freshly faulted pages dominates). curl writes 16 KiB at a time too.
WRITE_SLICE = 16 * 1024


def throughput(size: int, seconds: float) -> float:
    """MiB/s, rounded for a result."""
    return round(size / (1024 * 1024) / seconds, 1) if seconds > 0 else 0.0


def write_all(handle: Any, data: bytes) -> None:
    """Write ``data`` to a raw (unbuffered) file in WRITE_SLICE slices, without copying it."""
    view = memoryview(data)
    start = 0
    while start < len(view):
        start += handle.write(view[start : start + WRITE_SLICE])


# Every this many bytes written, the new pages are handed to the disk without waiting.
WRITEBACK_STEP = 16 * 1024 * 1024


class WriteBehind:
    """A raw (unbuffered) file whose pages start going to disk while it is written, not all at ``sync()``.

    Every WRITEBACK_STEP bytes, ``posix_fadvise(POSIX_FADV_DONTNEED)`` over the bytes written since
    the last step makes Linux start writing them back and return at once; the fsync at the end then
    waits for the last step only, not for the whole file (on the 2-core VM where
    bench/bench_module_download.py measured it, a 1 GiB download took 2.2 s with one fsync at the end
    and 1.7 s with this). Where the call does not exist or is refused, the writes are the same and
    ``sync()`` does all the work.
    """

    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self._fd = handle.fileno()
        self._written = 0
        self._handed = 0
        self._advise = getattr(os, 'posix_fadvise', None)

    def fileno(self) -> int:
        return self._fd

    def write(self, data: Any) -> int:
        count = self._handle.write(data)
        self._written += count
        if self._advise is not None and self._written - self._handed >= WRITEBACK_STEP:
            try:
                self._advise(self._fd, self._handed, self._written - self._handed, os.POSIX_FADV_DONTNEED)
            except OSError:
                self._advise = None  # not on this file system: sync() will do it all
            self._handed = self._written
        return count

    def sync(self) -> None:
        os.fsync(self._fd)


def write_stream(handle: Any, body: Any) -> None:
    """Every chunk ``body.read()`` gives until ``b''``, written to ``handle`` (a raw file) in slices."""
    for chunk in iter(lambda: body.read(CHUNK_SIZE), b''):
        write_all(handle, chunk)


def file_checksum(path: str, algorithm: str) -> str:
    """The hex digest of a file, read in chunks (never whole into memory)."""
    digest = hashlib.new(algorithm.lower())
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(CHUNK_SIZE), b''):
            digest.update(chunk)
    return digest.hexdigest()


def server_thumbprint(url: str, timeout: float) -> str:
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
    if not der:
        raise TransportError('%s:%s presented no TLS certificate to pin.' % (parts.hostname, port), 'TLS_ERROR')
    digest = hashlib.sha1(der).hexdigest().upper()
    return ':'.join(digest[i : i + 2] for i in range(0, len(digest), 2))


def pin_thumbprint(url: str, given: str | None, timeout: float, warn: Callable[[str], None]) -> str | None:
    """The thumbprint vCenter must see when it pulls from ``url``.

    ``given`` (the task's ``ssl_certificate_thumbprint``) wins. Without it, an https URL's
    certificate is read now, pinned, and the user is warned that it was trusted on first use;
    plain http needs none.
    """
    if given or not url.lower().startswith('https:'):
        return given
    thumbprint = server_thumbprint(url, timeout)
    warn(
        'The certificate of %s was trusted on first use: thumbprint %s. Set ssl_certificate_thumbprint to pin '
        'the one you expect.' % (urlsplit(url).netloc, thumbprint)
    )
    return thumbprint


class Progress:
    """The percentage of a session's bytes moved so far, as its keep-alives report it: it only ever goes up.

    ``cap`` is the highest value reported while bytes still flow (an update session's 100 is
    for its completion).
    """

    def __init__(self, cap: int = 100) -> None:
        self.total = 0
        self.reported = 0
        self.cap = cap
        self._lock = threading.Lock()

    def rise(self, done: int) -> int | None:
        """The percentage to report now, or None when it has not grown since the last report."""
        percent = min(self.cap, int(100 * done / self.total)) if self.total else 0
        with self._lock:
            if percent <= self.reported:
                return None
            self.reported = percent
            return percent


class Heartbeat:
    """Calls ``beat()`` every ``interval`` seconds in a thread until the ``with`` block ends.

    vCenter expires an update or download session after five idle minutes by default, and
    a transfer of a large file can take longer than that. No interval: no thread. Failed
    beats are kept in ``errors`` for the caller to report.
    """

    def __init__(self, interval: float, beat: Callable[[], None], name: str = 'session-keep-alive') -> None:
        self._interval = interval
        self._beat = beat
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name)
        self._thread.daemon = True
        self.errors: list[Exception] = []

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._beat()
            except Exception as exc:  # pylint: disable=broad-except
                # A failed keep-alive must not break the transfer; the caller reports it.
                self.errors.append(exc)

    def __enter__(self) -> Heartbeat:
        if self._interval:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def run_all(jobs: Sequence[Callable[[threading.Event], Any]], parallel: int) -> list[Any]:
    """Run ``job(stop)`` for every job, ``parallel`` at a time; return their results in order.

    When one fails, ``stop`` is set so that the others end early (raising TransferAborted) and
    those not started yet do not start; the first real failure is raised once all have ended.
    """
    stop = threading.Event()
    results: list[Any] = []
    errors: list[BaseException] = []

    def guarded(job: Callable[[threading.Event], Any]) -> Any:
        if stop.is_set():
            raise TransferAborted('not started, because another file failed')
        return job(stop)

    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(jobs)))) as pool:
        futures = [pool.submit(guarded, job) for job in jobs]
        for future in futures:
            try:
                results.append(future.result())
            except BaseException as exc:  # pylint: disable=broad-except
                stop.set()
                errors.append(exc)
    real = [error for error in errors if not isinstance(error, TransferAborted)]
    if real or errors:
        raise (real or errors)[0]
    return results


class Prefetch:
    """Reads a stream ahead in a thread of its own, ``depth`` chunks at most, so that receiving and using the bytes overlap.

    The reading thread spends its time in the network and TLS code, the caller in hashing and
    writing; both let go of Python's lock while they work, so two cores share the load. Memory
    stays at ``depth`` chunks. An error of the reading thread is raised by the caller's next
    ``read()``; ``close()`` stops the thread and closes the stream.
    """

    def __init__(self, stream: Any, depth: int = 4, chunk: int = CHUNK_SIZE) -> None:
        self._stream = stream
        self._chunk = chunk
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name='prefetch', daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._closed.is_set():
                data = self._stream.read(self._chunk)
                self._put(data)
                if not data:
                    return
        except BaseException as exc:  # pylint: disable=broad-except
            self._put(exc)

    def _put(self, item: Any) -> None:
        while not self._closed.is_set():
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def read(self, size: int = -1) -> bytes:  # pylint: disable=unused-argument
        """The next chunk as the stream gave it (``size`` is a hint only), ``b''`` at the end."""
        item = self._queue.get()
        if isinstance(item, BaseException):
            self._queue.put(item)  # every later read raises it too
            raise item
        if not item:
            self._queue.put(item)
        return item

    def close(self) -> None:
        self._closed.set()
        self._stream.close()  # a read in progress ends now
        self._thread.join(timeout=30)

    def __enter__(self) -> Prefetch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        # length, received, resumed and the like come from the stream itself
        return getattr(self._stream, name)
