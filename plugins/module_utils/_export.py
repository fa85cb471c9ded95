# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The export engine: a library item's content onto the host that runs the module, as files or one OVA.

This is a private module: it is not a public API and may change at any time.

library_item_download's flow: find the item and its files, refuse any file name that is
not a plain base name, compare the local files (or the OVA's members) with the item's by
name, size and checksum, and only when they differ open a download session and fetch what
differs. Each file is streamed into a temporary file in the destination's own directory,
hashed on the way, checked against vCenter's size and checksum, synced, and renamed into
place only once every file of the task is in; an OVA is written as one stream. On any
failure the temporary files are removed and the files already there are left as they were.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
import time
from typing import Any, Callable

from ansible_collections.vsphere.content_library.plugins.module_utils._content import (
    Checksum,
    OvaWriter,
    VerifyingStream,
    check_member_name,
    manifest_text,
    ova_parts,
    parse_descriptor,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._download import DownloadSession
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    BadAnswerError,
    ContentLibraryError,
    ContentMismatchError,
    LocalFileError,
    NotFoundError,
    UserInputError,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._library import (
    Item,
    checked_name,
    file_view,
    holds_same_file,
    item_files,
    item_view,
    locate_item,
    server_checksum,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._model import (
    DEFAULT_ALGORITHM,
    DESCRIPTOR_SUFFIX,
    MANIFEST_SUFFIX,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._module import ModuleTask
from ansible_collections.vsphere.content_library.plugins.module_utils._transfer import (
    CHUNK_SIZE,
    Prefetch,
    WriteBehind,
    file_checksum,
    run_all,
    throughput,
    write_stream,
)

FileInfo = dict[str, Any]
# A descriptor is read into memory to learn its References; a bigger one is not an OVF descriptor.
MAX_DESCRIPTOR_BYTES = 16 * 1024 * 1024
# The digest of the manifest an exported OVA carries.
OVA_MANIFEST_ALGORITHM = 'SHA256'
# How an OVA member was written: straight from the stream, or (no Content-Length) through a temporary file.
STREAMED = 'streamed'
SPOOLED = 'spooled'
_AGAINST = 'the checksum vCenter reports'


class LocalFile:
    """A file on the host (or an OVA member) to compare with an item's file; its checksum is read only when asked."""

    def __init__(self, name: str, size: int, checksum: Callable[[str], str]) -> None:
        self.name = name
        self.size = size
        self._checksum = checksum
        self.checksum_info: dict[str, str] | None = None

    def checksum(self, algorithm: str) -> str:
        digest = self._checksum(algorithm)
        self.checksum_info = {'algorithm': algorithm, 'checksum': digest}
        return digest

    def view(self) -> dict[str, Any]:
        entry: dict[str, Any] = {'name': self.name, 'size': self.size}
        if self.checksum_info:
            entry['checksum_info'] = self.checksum_info
        return entry


class _Staged:
    """A file fetched into a temporary file beside its destination, waiting to be renamed into place."""

    def __init__(self, name: str, path: str, temporary: str, resumed: list[str]) -> None:
        self.name = name
        self.path = path
        self.temporary = temporary
        self.resumed = resumed


class ExportTask(ModuleTask):
    """library_item_download: compare, then fetch only what differs, into files or one OVA."""

    def __init__(self, module: Any) -> None:
        super().__init__(module)
        self.dest: str = os.path.abspath(self.params['dest'])
        self.ova = self.params['format'] == 'ova'
        self.received = 0
        self.extra: dict[str, Any] = {}
        self._temporaries: list[str] = []
        self._lock = threading.Lock()

    # -- the flow ----------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        item, _library = locate_item(self.client, self.params, local_only=False)
        if item is None:
            raise NotFoundError('The library has no item named %s.' % self.params['item_name'])
        infos = self.chosen_files(item)
        self.check_destinations(infos)
        before = self.local_files(infos)
        stale = [info for info in infos if self.params['force'] or not self.matches(info, before.get(info['name']))]
        if self.ova and (stale or set(before) != set(info['name'] for info in infos) | {self.manifest_name(infos)}):
            stale = infos  # an OVA is written whole, and holds nothing else than the item's files and its manifest
        result: dict[str, Any] = dict(
            changed=bool(stale), library_item=item_view(item), dest=self.dest, format=self.params['format'], bytes_received=0, seconds=0.0, throughput_mib_s=0.0
        )
        written: dict[str, dict[str, Any]] = {}
        if stale and not self.check_mode:
            started = time.monotonic()
            written = self.fetch_ova(item, infos) if self.ova else self.fetch_files(item, stale)
            seconds = time.monotonic() - started
            result.update(bytes_received=self.received, seconds=round(seconds, 3), throughput_mib_s=throughput(self.received, seconds))
        changed_names = set(info['name'] for info in stale)
        result['files'] = [
            dict(file_view(info), path=self.path_of(info['name']), changed=info['name'] in changed_names, **written.get(info['name'], {})) for info in infos
        ]
        result.update(self.extra)
        result['changed'] = self.apply_attributes(result['changed'], infos)
        if stale:
            after = [file_view(info) for info in infos]
            result.update(
                self.module.diff(
                    {'files': sorted((local.view() for local in before.values()), key=lambda f: f['name'])}, {'files': sorted(after, key=lambda f: f['name'])}
                )
            )
        return result

    def path_of(self, name: str) -> str:
        return self.dest if self.ova else os.path.join(self.dest, name)

    def check_destinations(self, infos: list[FileInfo]) -> None:
        """Refuse, before anything is fetched, a destination that exists and cannot be replaced by a file.

        Renaming a file over a directory fails only once every byte is in; better to say so first.
        """
        if not self.ova and os.path.exists(self.dest) and not os.path.isdir(self.dest):
            raise UserInputError("dest %s exists and is not a directory (format=files writes the item's files into a directory)." % self.dest)
        for path in sorted(set(self.path_of(info['name']) for info in infos)):
            if os.path.exists(path) and not os.path.isfile(path):
                raise LocalFileError('%s exists and is not a regular file, so the download cannot replace it; nothing was fetched.' % path)

    # -- what -----------------------------------------------------------------------------------

    def chosen_files(self, item: Item) -> list[FileInfo]:
        """The item's files the task writes, the descriptor first for an OVA; every name is checked first."""
        infos = item_files(self.client, item['id'])
        for info in infos:
            checked_name(info.get('name'))
        by_name = dict((info['name'], info) for info in infos)
        wanted = self.params['files']
        if wanted:
            unknown = [name for name in wanted if name not in by_name]
            if unknown:
                raise NotFoundError(
                    'Library item %s has no file named %s; it has %s.' % (item['id'], ', '.join(unknown), ', '.join(sorted(by_name)) or 'no files')
                )
            infos = [by_name[name] for name in dict.fromkeys(wanted)]
        if not infos:
            raise NotFoundError('Library item %s (%s) holds no files: there is nothing to download.' % (item.get('name'), item['id']))
        if not self.ova:
            return infos
        descriptors = [info for info in infos if info['name'].lower().endswith(DESCRIPTOR_SUFFIX)]
        if len(descriptors) != 1:
            raise UserInputError(
                'format=ova needs an OVF template: library item %s (%s) holds %s .ovf descriptors.' % (item.get('name'), item['id'], len(descriptors) or 'no')
            )
        for info in infos:
            check_member_name(info['name'])
        manifest = self.manifest_name(infos)
        if manifest in by_name:
            raise UserInputError("Library item %s holds a file named %s, the name the OVA's own manifest takes." % (item['id'], manifest))
        # The descriptor first; the rest follows its References once it is read.
        return descriptors + [info for info in infos if info not in descriptors]

    @staticmethod
    def manifest_name(infos: list[FileInfo]) -> str:
        descriptor = next(info['name'] for info in infos if info['name'].lower().endswith(DESCRIPTOR_SUFFIX))
        return os.path.splitext(descriptor)[0] + MANIFEST_SUFFIX

    def local_files(self, infos: list[FileInfo]) -> dict[str, LocalFile]:
        """What is on the host now, by name (for an OVA: its members), without reading any content yet."""
        if self.ova:
            if not os.path.isfile(self.dest):
                return {}
            try:
                parts = ova_parts(self.dest)
            except UserInputError:
                return {}  # not an archive of plain files: it is replaced
            return dict((name, LocalFile(name, part.size, part.checksum)) for name, part in parts.items())
        found = {}
        for info in infos:
            path = os.path.join(self.dest, info['name'])
            if os.path.isfile(path):
                found[info['name']] = LocalFile(info['name'], os.path.getsize(path), self._checksum_of(path))
        return found

    @staticmethod
    def _checksum_of(path: str) -> Callable[[str], str]:
        return lambda algorithm: file_checksum(path, algorithm)

    @staticmethod
    def matches(info: FileInfo, local: LocalFile | None) -> bool:
        """Whether a local file is the item's file: the same size, then the same checksum in vCenter's algorithm."""
        return local is not None and holds_same_file(info, local.size, local.checksum)

    # -- fetching into files ----------------------------------------------------------------------

    def fetch_files(self, item: Item, infos: list[FileInfo]) -> dict[str, dict[str, Any]]:
        self.make_directory(self.dest)
        session = self.open_session(item, infos)
        staged = run_all([self._file_job(session, info) for info in infos], self.params['parallel'])
        session.close()
        # Only now that every file is in and checked does any file on the host change.
        written: dict[str, dict[str, Any]] = {}
        for each in staged:
            written[each.name] = self.put_in_place(each.temporary, each.path)
            if each.resumed:
                written[each.name]['resumed'] = each.resumed
        return written

    def _file_job(self, session: DownloadSession, info: FileInfo) -> Callable[[threading.Event], _Staged]:
        return lambda stop: self.fetch_file(session, info, stop)

    def fetch_file(self, session: DownloadSession, info: FileInfo, stop: threading.Event) -> _Staged:
        """Prepare one file, stream it into a temporary file beside its destination, and check it."""
        name = info['name']
        path = os.path.join(self.dest, name)
        temporary = self.temporary_file(self.dest, name)
        remote, body = self.open_verified(session, info, stop)
        with remote:
            try:
                with open(temporary, 'wb', buffering=0) as raw:
                    handle = WriteBehind(raw)
                    write_stream(handle, body)
                    handle.sync()
            except OSError as exc:
                raise LocalFileError('Could not write %s: %s.' % (temporary, exc.strerror or exc))
        self.check_after(session, info, remote, body.verify())
        return _Staged(name, path, temporary, remote.resumed)

    def open_verified(self, session: DownloadSession, info: FileInfo, stop: threading.Event, also: tuple[str, ...] = ()) -> tuple[Any, VerifyingStream]:
        """Prepare a file and open its stream, read ahead, counted, hashed in vCenter's algorithm and checked against its checksum.

        The size checked is the Content-Length; without one, the stream's end decides, and vCenter's
        size of what it served is compared afterwards (``check_after``). The first value, the stream
        read ahead (``_transfer.Prefetch``), is closed by the caller.
        """
        prepared = session.prepare(info['name'], stop)
        remote = Prefetch(session.stream(prepared, stop))
        expected = server_checksum(info)
        digests = also + (() if expected else (DEFAULT_ALGORITHM,))
        return remote, VerifyingStream(_Counting(remote, self), info['name'], remote.length, expected, also=digests, against=_AGAINST)

    def check_after(self, session: DownloadSession, info: FileInfo, remote: Any, digests: dict[str, str]) -> None:
        """vCenter fills in the size and checksum of what it served once the download is complete: they must agree."""
        name = info['name']
        served = session.file_info(name)
        size = served.get('size')
        if size is not None and size != remote.received:
            raise ContentMismatchError(
                '%s: vCenter says it served %d bytes, but %d arrived.' % (name, size, remote.received), name, expected_size=size, actual_size=remote.received
            )
        checksum = server_checksum(served)
        if checksum is not None and checksum.algorithm in digests and digests[checksum.algorithm] != checksum.checksum:
            raise ContentMismatchError(
                '%s does not match what vCenter served: its %s digest is %s, vCenter says %s.'
                % (name, checksum.algorithm, digests[checksum.algorithm], checksum.checksum),
                name,
                checksum.algorithm,
                checksum.checksum,
                digests[checksum.algorithm],
            )

    def put_in_place(self, temporary: str, path: str) -> dict[str, Any]:
        """Rename a checked temporary file over its destination, after a backup when asked for."""
        extra: dict[str, Any] = {}
        if self.params['backup'] and os.path.exists(path):
            extra['backup_file'] = self.module.module.backup_local(path)
        try:
            self.module.module.atomic_move(temporary, path)
        except ContentLibraryError:
            raise  # a signal (TaskInterrupted) stays what it is
        except Exception as exc:  # pylint: disable=broad-except
            # ansible-core 2.17 and later raise a bare Exception when the rename and its fallbacks fail.
            raise LocalFileError('Could not put %s in place: %s' % (path, exc))
        with self._lock:
            if temporary in self._temporaries:
                self._temporaries.remove(temporary)
        return extra

    # -- fetching into one OVA ---------------------------------------------------------------------

    def fetch_ova(self, item: Item, infos: list[FileInfo]) -> dict[str, dict[str, Any]]:
        """Write the OVA as one stream: the descriptor, the files in its References' order, then a SHA256 manifest."""
        directory = os.path.dirname(self.dest)
        if not os.path.isdir(directory):
            raise UserInputError('dest %s: its directory %s does not exist.' % (self.dest, directory))
        session = self.open_session(item, infos)
        temporary = self.temporary_file(directory, os.path.basename(self.dest))
        written: dict[str, dict[str, Any]] = {}
        digests: list[tuple[str, Checksum]] = []
        stop = threading.Event()
        try:
            with open(temporary, 'wb', buffering=0) as raw:
                handle = WriteBehind(raw)
                writer = OvaWriter(handle)
                descriptor = infos[0]
                data = self.fetch_descriptor(session, descriptor, stop)
                writer.add_bytes(descriptor['name'], data)
                digests.append((descriptor['name'], Checksum(OVA_MANIFEST_ALGORITHM, hashlib.sha256(data).hexdigest())))
                written[descriptor['name']] = {'ova_member': STREAMED}
                for info in self.reference_order(descriptor['name'], data, infos[1:]):
                    how, digest = self.add_member(session, writer, info, directory, stop)
                    digests.append((info['name'], digest))
                    written[info['name']] = {'ova_member': how}
                writer.add_bytes(self.manifest_name(infos), manifest_text(digests))
                writer.close()
                handle.sync()
        except OSError as exc:
            raise LocalFileError('Could not write %s: %s.' % (temporary, exc.strerror or exc))
        session.close()
        self.extra.update(self.put_in_place(temporary, self.dest))
        return written

    def fetch_descriptor(self, session: DownloadSession, info: FileInfo, stop: threading.Event) -> bytes:
        """The descriptor's bytes, checked: it is small, and its References order the OVA's members."""
        remote, body = self.open_verified(session, info, stop, also=(OVA_MANIFEST_ALGORITHM,))
        with remote:
            chunks = []
            for chunk in iter(lambda: body.read(CHUNK_SIZE), b''):
                chunks.append(chunk)
                if body.sent > MAX_DESCRIPTOR_BYTES:
                    raise BadAnswerError(
                        200, 'download file %s' % info['name'], 'the descriptor has more than %d bytes, which no OVF descriptor has' % MAX_DESCRIPTOR_BYTES, ''
                    )
        self.check_after(session, info, remote, body.verify())
        return b''.join(chunks)

    @staticmethod
    def reference_order(descriptor: str, data: bytes, others: list[FileInfo]) -> list[FileInfo]:
        """The other files in the order of the descriptor's References, then any it does not reference, by name."""
        references = [reference.href for reference in parse_descriptor(io.BytesIO(data), 'The OVF descriptor %s that vCenter served' % descriptor)]
        by_name = dict((info['name'], info) for info in others)
        missing = [href for href in references if href not in by_name]
        if missing:
            raise BadAnswerError(200, 'download the OVF template', 'its descriptor references %s, which the item does not hold' % ', '.join(missing), '')
        ordered = [by_name[href] for href in dict.fromkeys(references)]
        return ordered + sorted((info for info in others if info not in ordered), key=lambda info: info['name'])

    def add_member(self, session: DownloadSession, writer: OvaWriter, info: FileInfo, directory: str, stop: threading.Event) -> tuple[str, Checksum]:
        """One member of the OVA: streamed when its size is known first, through a temporary file otherwise."""
        remote, body = self.open_verified(session, info, stop, also=(OVA_MANIFEST_ALGORITHM,))
        with remote:
            if remote.length is not None:
                writer.add(info['name'], remote.length, body)
                how = STREAMED
            else:
                # A tar header needs the size before the data, and vCenter sent none: spool this member.
                spool = self.temporary_file(directory, info['name'])
                with open(spool, 'wb', buffering=0) as handle:
                    write_stream(handle, body)
                with open(spool, 'rb') as handle:
                    writer.add(info['name'], body.sent, handle)
                self.discard(spool)
                how = SPOOLED
        digests = body.verify()
        self.check_after(session, info, remote, digests)
        return how, Checksum(OVA_MANIFEST_ALGORITHM, digests[OVA_MANIFEST_ALGORITHM])

    # -- the host's side --------------------------------------------------------------------------

    def open_session(self, item: Item, infos: list[FileInfo]) -> DownloadSession:
        session = DownloadSession(self.client, self.cleanup, item['id'], self.params['keep_alive_interval'], self.params['wait_timeout'], self.module.warn)
        session.total = sum(info.get('size') or 0 for info in infos)
        session.open()
        return session

    @staticmethod
    def make_directory(path: str) -> None:
        if os.path.isdir(path):
            return
        if os.path.exists(path):
            raise UserInputError("dest %s exists and is not a directory (format=files writes the item's files into a directory)." % path)
        try:
            os.makedirs(path)
        except OSError as exc:
            raise LocalFileError('Could not create the directory %s: %s.' % (path, exc.strerror or exc))

    def temporary_file(self, directory: str, name: str) -> str:
        """A new temporary file in ``directory`` (the final rename stays on one file system), removed if the task fails."""
        try:
            handle, path = tempfile.mkstemp(prefix='.%s.' % name[:60], suffix='.part', dir=directory)
        except OSError as exc:
            raise LocalFileError('Could not create a temporary file in %s: %s.' % (directory, exc.strerror or exc))
        os.close(handle)
        with self._lock:
            first = not self._temporaries
            self._temporaries.append(path)
        if first:
            self.cleanup.push('temporary files', self.remove_temporaries)
        return path

    def remove_temporaries(self, _reason: str) -> str | None:
        with self._lock:
            left = [path for path in self._temporaries if os.path.exists(path)]
        for path in left:
            self.discard(path)
        if not left:
            return None
        where = os.path.dirname(self.dest) if self.ova else self.dest
        return 'Its temporary files were removed, and the files already in %s were left as they were.' % where

    def discard(self, path: str) -> None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        with self._lock:
            if path in self._temporaries:
                self._temporaries.remove(path)

    def apply_attributes(self, changed: bool, infos: list[FileInfo]) -> bool:
        """mode, owner, group and the other file arguments on the files of the task; True when anything changed."""
        paths = [self.dest] if self.ova else [os.path.join(self.dest, info['name']) for info in infos]
        for path in paths:
            if os.path.isfile(path):
                arguments = self.module.module.load_file_common_arguments(self.params, path=path)
                changed = self.module.module.set_fs_attributes_if_different(arguments, changed)
        return changed


class _Counting:
    """A stream that adds what it reads to the task's count of received bytes."""

    def __init__(self, stream: Any, task: ExportTask) -> None:
        self._stream = stream
        self._task = task

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        with self._task._lock:  # pylint: disable=protected-access
            self._task.received += len(chunk)
        return chunk

    def close(self) -> None:
        self._stream.close()
