# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Writing downloaded bytes to disk: slices, early writeback, and the fsync that ends it."""

from __future__ import annotations

import errno
import os
import tarfile

from ansible_collections.vsphere.content_library.plugins.module_utils import _transfer
from ansible_collections.vsphere.content_library.plugins.module_utils._content import OvaWriter
from ansible_collections.vsphere.content_library.plugins.module_utils._transfer import WRITEBACK_STEP, WRITE_SLICE, WriteBehind, write_all


def _advice_log(monkeypatch, fail_with=None):
    calls = []

    def advise(fd, offset, length, advice):
        calls.append((offset, length, advice))
        if fail_with is not None:
            raise OSError(fail_with, os.strerror(fail_with))

    monkeypatch.setattr(_transfer.os, 'posix_fadvise', advise, raising=False)
    return calls


def test_every_step_is_handed_to_the_disk_once_and_the_bytes_are_exact(tmp_path, monkeypatch):
    calls = _advice_log(monkeypatch)
    data = bytes(range(256)) * (4096 * 3)  # 3 MiB, written in WRITE_SLICE slices
    chunks = 2 * WRITEBACK_STEP // len(data) + 1  # a little over two steps
    path = tmp_path / 'out'
    with open(path, 'wb', buffering=0) as raw:
        handle = WriteBehind(raw)
        for _round in range(chunks):
            write_all(handle, data)
        handle.sync()
    assert path.read_bytes() == data * chunks
    # Each full step handed over once, back to back from 0; the rest is left to the fsync.
    assert calls == [(0, WRITEBACK_STEP, os.POSIX_FADV_DONTNEED), (WRITEBACK_STEP, WRITEBACK_STEP, os.POSIX_FADV_DONTNEED)]


def test_a_refused_advice_is_not_asked_again_and_the_writes_go_on(tmp_path, monkeypatch):
    calls = _advice_log(monkeypatch, fail_with=errno.ESPIPE)
    chunk = b'x' * (1024 * 1024)
    path = tmp_path / 'out'
    with open(path, 'wb', buffering=0) as raw:
        handle = WriteBehind(raw)
        for _round in range(3 * WRITEBACK_STEP // len(chunk)):
            write_all(handle, chunk)
        handle.sync()
    assert len(calls) == 1
    assert path.stat().st_size == 3 * WRITEBACK_STEP


def test_without_posix_fadvise_the_file_is_the_same(tmp_path, monkeypatch):
    monkeypatch.delattr(_transfer.os, 'posix_fadvise', raising=False)
    path = tmp_path / 'out'
    with open(path, 'wb', buffering=0) as raw:
        handle = WriteBehind(raw)
        write_all(handle, b'y' * (WRITEBACK_STEP + 5))
        handle.sync()
    assert path.read_bytes() == b'y' * (WRITEBACK_STEP + 5)


def test_writes_reach_the_file_in_slices(tmp_path):
    sizes = []

    class Recording:
        def write(self, data):
            sizes.append(len(data))
            return len(data)

    write_all(Recording(), b'z' * (WRITE_SLICE * 2 + 7))
    assert sizes == [WRITE_SLICE, WRITE_SLICE, 7]


def test_an_ova_written_behind_reads_back(tmp_path, monkeypatch):
    _advice_log(monkeypatch)
    path = tmp_path / 'item.ova'
    disk = os.urandom(WRITEBACK_STEP + 1000)
    with open(path, 'wb', buffering=0) as raw:
        handle = WriteBehind(raw)
        writer = OvaWriter(handle, mtime=0)
        writer.add_bytes('item.ovf', b'<Envelope/>')
        writer.add_bytes('disk1.vmdk', disk)
        writer.close()
        handle.sync()
    with tarfile.open(path) as archive:
        assert archive.getnames() == ['item.ovf', 'disk1.vmdk']
        extracted = archive.extractfile('disk1.vmdk')
        assert extracted is not None and extracted.read() == disk
