# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The copy engine: a library item from one vCenter into a library on another, streamed, verified, idempotent.

This is a private module: it is not a public API and may change at any time.

library_item_copy's flow. Two clients, one per vCenter, each with its own login. The
source item and the target library are found first (a subscribed target library is
refused before anything is opened); when the target item's files already equal the
source's (names, sizes, checksums), nothing is opened. Otherwise, on the same vCenter
with ``method: auto`` and no target item yet, the API's server-side ``copy`` makes the
new item and the task waits until its files match. In every other case the content is
streamed: a download session on the source and an update session on the target, and
for each file (the OVF descriptor first) the source's GET body is the target's PUT
body, hashed on the way - nothing touches the disk. ``_download`` and ``_import`` are
the two sides; ``RemotePart`` joins them.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any, Callable

from ansible_collections.vsphere.content_library.plugins.module_utils._content import Checksum, VerifyingStream
from ansible_collections.vsphere.content_library.plugins.module_utils._download import DownloadSession, RemoteStream
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import BadAnswerError, ContentMismatchError, NotFoundError, UserInputError
from ansible_collections.vsphere.content_library.plugins.module_utils._import import ContentImport
from ansible_collections.vsphere.content_library.plugins.module_utils._library import (
    Item,
    checked_name,
    create_item,
    delete_item,
    file_view,
    find_item,
    find_library,
    item_files,
    item_view,
    locate_item,
    server_checksum,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._model import DESCRIPTOR_SUFFIX
from ansible_collections.vsphere.content_library.plugins.module_utils._module import ModuleTask
from ansible_collections.vsphere.content_library.plugins.module_utils._poll import wait_for
from ansible_collections.vsphere.content_library.plugins.module_utils._transfer import Prefetch, throughput
from ansible_collections.vsphere.content_library.plugins.module_utils._upload import Uploader, push_spec

FileInfo = dict[str, Any]
SERVER_COPY = 'copy'
STREAM = 'stream'
_AGAINST = "the source's checksum"


def same_files(source: list[FileInfo], target: list[FileInfo], proof: bool = True) -> str | None:
    """None when the target's files equal the source's by name, size and checksum; otherwise what differs, in words.

    With ``proof`` (deciding whether to copy at all), a file without a checksum on either side
    differs: nothing proves it is the same. Without it (checking a copy just made, whose bytes were
    hashed on the way), only checksums both vCenters report are compared.
    """
    by_name = dict((info['name'], info) for info in target)
    names = set(info['name'] for info in source)
    if names != set(by_name):
        missing = sorted(names - set(by_name))
        extra = sorted(set(by_name) - names)
        return '; '.join(
            part for part in ('missing: %s' % ', '.join(missing) if missing else '', 'not in the source: %s' % ', '.join(extra) if extra else '') if part
        )
    for info in source:
        other = by_name[info['name']]
        if other.get('size') != info.get('size'):
            return '%s has %s bytes instead of %s' % (info['name'], other.get('size'), info.get('size'))
        mine, theirs = server_checksum(info), server_checksum(other)
        if mine is None or theirs is None:
            if not proof:
                continue
            return 'no checksum proves that %s is the same' % info['name']
        if mine.algorithm == theirs.algorithm and mine.checksum != theirs.checksum:
            return '%s has the %s checksum %s instead of %s' % (info['name'], mine.algorithm, theirs.checksum, mine.checksum)
        if mine.algorithm != theirs.algorithm:
            return 'the checksums of %s are in different algorithms (%s, %s)' % (info['name'], mine.algorithm, theirs.algorithm)
    return None


def differing_file(source: list[FileInfo], target: list[FileInfo], proof: bool = True) -> tuple[str, FileInfo | None, FileInfo | None]:
    """The file that ``same_files`` names first, with its source and target infos (None on the side that lacks it)."""
    mine = dict((info['name'], info) for info in source)
    theirs = dict((info['name'], info) for info in target)
    absent = sorted(set(mine) - set(theirs)) + sorted(set(theirs) - set(mine))
    for name in absent + [info['name'] for info in source]:
        if name in absent or same_files([mine[name]], [theirs[name]], proof):
            return name, mine.get(name), theirs.get(name)
    return '', None, None


class RemotePart:
    """A source file as an upload part: its body is the source's download stream, hashed against the source's checksum.

    The first body is the stream already opened (its Content-Length gave the size the target
    was told); a repeated PUT (after a 401 on the target) reads the source again from the start.
    """

    def __init__(self, session: DownloadSession, prepared: FileInfo, size: int, expected: Checksum | None, first: RemoteStream, stop: threading.Event) -> None:
        self.session = session
        self.prepared = prepared
        self.name: str = prepared['name']
        self.size = size
        self.expected = expected
        self.stop = stop
        self._next: RemoteStream | None = first

    def upload_body(self) -> VerifyingStream:
        stream = self._next or self.session.stream(self.prepared, self.stop)
        self._next = None
        # Read ahead in a thread: the source's TLS and the target's overlap on two cores.
        return VerifyingStream(Prefetch(stream), self.name, self.size, self.expected, against=_AGAINST)


class CopyTask(ModuleTask):
    """library_item_copy: compare, then copy on the server or stream between the two vCenters."""

    def __init__(self, module: Any) -> None:
        super().__init__(module)
        self.target_params: dict[str, Any] = self.inputs['target']
        self.same_vcenter: bool = self.inputs['same_vcenter']
        if self.same_vcenter and self.target_params['username'] == self.params['username']:
            self.target = self.client  # one vCenter, one login
        else:
            self.target = module.connect(self.target_params, self.inputs['target_endpoint'], prefix='target_')
        self.copied = 0
        self._lock = threading.Lock()

    def run(self) -> dict[str, Any]:
        source_item, source_library = locate_item(self.client, self.params, local_only=False)
        # A failure names the source as library_item_id and library_id, as documented, even when the target is this
        # same vCenter and login, whose calls on the target's item and library would otherwise touch those keys.
        self.cleanup.pin('library_id', source_library.get('id'))
        if source_item is None:
            raise NotFoundError('The source library has no item named %s.' % self.params['item_name'])
        self.cleanup.pin('library_item_id', source_item['id'])
        source_files = item_files(self.client, source_item['id'])
        for info in source_files:
            checked_name(info.get('name'))
        target = self.target_params
        library = find_library(self.target, target['library_id'], target['library_name'])
        name = target['item_name'] or source_item['name']
        target_item = find_item(self.target, library['id'], name)
        if target_item is not None and self.same_vcenter and target_item['id'] == source_item['id']:
            raise UserInputError(
                'The target is the source item itself (%s in library %s): name another library or item_name.' % (name, library.get('name') or library['id'])
            )
        before = item_files(self.target, target_item['id']) if target_item else []
        difference = same_files(source_files, before) if target_item else 'the target item does not exist'
        if target_item is None and not target['create_item']:
            raise NotFoundError('The target library %s has no item named %s, and create_item is false.' % (library.get('name') or library['id'], name))
        method = SERVER_COPY if self.same_vcenter and self.params['method'] == 'auto' and target_item is None else STREAM
        result: dict[str, Any] = dict(source_item=item_view(source_item), method=method, bytes_copied=0, seconds=0.0, throughput_mib_s=0.0)
        if difference is None and not self.params['force']:
            result.update(changed=False, target_item=item_view(target_item or {}), files=[file_view(f) for f in before])
            return result
        result['changed'] = True
        if self.check_mode:
            predicted = target_item or {'id': None, 'name': name, 'type': source_item.get('type'), 'library_id': library['id']}
            result.update(target_item=item_view(predicted), files=[file_view(f) for f in source_files])
        else:
            started = time.monotonic()
            if method == SERVER_COPY:
                target_item = self.server_copy(source_item, source_files, library['id'], name)
            else:
                target_item = self.stream(source_item, source_files, target_item, library['id'], name, before)
            seconds = time.monotonic() - started
            after = item_files(self.target, target_item['id'])
            self.verify(source_files, after)
            result.update(
                target_item=item_view(target_item),
                files=[file_view(f) for f in after],
                bytes_copied=self.copied,
                seconds=round(seconds, 3),
                throughput_mib_s=throughput(self.copied, seconds),
            )
        result.update(self.module.diff({'files': [file_view(f) for f in before]}, {'files': result['files']}))
        return result

    def verify(self, source: list[FileInfo], target: list[FileInfo]) -> None:
        """After the copy, the target item's files must equal the source's: say which one differs.

        The bytes were checked against the source's checksum while they passed; here names, sizes and the
        checksums both vCenters report are compared.
        """
        difference = same_files(source, target, proof=False)
        if difference:
            message = 'The target item does not hold what the source does: %s.' % difference
            name, mine, theirs = differing_file(source, target, proof=False)
            expected, actual = server_checksum(mine or {}), server_checksum(theirs or {})
            if mine and theirs and mine.get('size') == theirs.get('size') and expected and actual and expected.algorithm == actual.algorithm:
                raise ContentMismatchError(message, name, expected.algorithm, expected.checksum, actual.checksum)
            raise ContentMismatchError(message, name, expected_size=(mine or {}).get('size'), actual_size=(theirs or {}).get('size'))

    # -- on one vCenter: the API's copy ---------------------------------------------------------------

    def server_copy(self, source_item: Item, source_files: list[FileInfo], library_id: str, name: str) -> Item:
        spec = {'library_id': library_id, 'name': name}
        if source_item.get('description'):
            spec['description'] = source_item['description']
        new_id = self.client.call('item.copy', library_item_id=source_item['id'], destination_create_spec=spec, client_token=str(uuid.uuid4()))
        self.cleanup.touch('target_library_item_id', new_id)
        undo = self.cleanup.push('library item %s' % new_id, lambda _reason: delete_item(self.client, new_id, 'which the copy had created'))
        made = self.target_item(new_id, spec)
        if made.get('name') != name:
            # govmomi's vcsim gives the copy the source's name, whatever the request says: not the item asked for.
            raise BadAnswerError(
                200,
                'copy library item %s into library %s' % (source_item['id'], library_id),
                'the item it made, %s, is named %r, not %r as asked (method=stream creates the target item itself)' % (new_id, made.get('name'), name),
                json.dumps({'name': made.get('name')}),
            )
        # vCenter makes the item at once and copies the content afterwards: wait until the files match.
        wait_for(
            lambda: item_files(self.client, new_id),
            lambda files: same_files(source_files, files, proof=False) is None,
            self.params['wait_timeout'],
            lambda files, waited: (
                'The copy of library item %s did not hold the source\'s files after %s seconds (%s).'
                % (new_id, waited, same_files(source_files, files, proof=False))
            ),
        )
        self.cleanup.release(undo)
        self.copied = sum(info.get('size') or 0 for info in source_files)
        return self.target_item(new_id, spec)

    def target_item(self, item_id: str, fallback: dict[str, Any]) -> Item:
        found = self.target.call('item.get', library_item_id=item_id)
        return dict(found or fallback, id=item_id)

    # -- between two vCenters: streamed ---------------------------------------------------------------

    def stream(self, source_item: Item, source_files: list[FileInfo], target_item: Item | None, library_id: str, name: str, before: list[FileInfo]) -> Item:
        kept = None
        if target_item is None:
            target_item, _undo = create_item(
                self.target,
                self.cleanup,
                library_id,
                name,
                source_item.get('type'),
                source_item.get('description'),
                str(uuid.uuid4()),
                id_key='target_library_item_id',
            )
        else:
            kept = self.cleanup.push('target library item %s' % target_item['id'], lambda _reason: 'The target library item keeps its previous content.')
        source = DownloadSession(
            self.client, self.cleanup, source_item['id'], self.params['keep_alive_interval'], self.params['wait_timeout'], self.module.warn
        )
        source.total = sum(info.get('size') or 0 for info in source_files)
        source.open()
        session = ContentImport(
            self.target,
            self.cleanup,
            target_item['id'],
            self.params['ignore_warnings'],
            self.params['keep_alive_interval'],
            self.params['wait_timeout'],
            self.module.warn,
            id_key='target_update_session_id',
        )
        uploader = session.open()
        uploader.total = source.total
        # The target item ends with the source's files only: its others leave it when this session completes.
        names = set(info['name'] for info in source_files)
        for info in before:
            if info['name'] not in names:
                self.target.call('file.remove', update_session_id=session.session_id, file_name=info['name'])
        descriptors = [info for info in source_files if info['name'].lower().endswith(DESCRIPTOR_SUFFIX)]
        others = [info for info in source_files if info not in descriptors]
        # The descriptor first (the target reads its References), then the other files side by side.
        for batch in (descriptors, others):
            if batch:
                uploader.run([self._job(source, uploader, info) for info in batch], self.params['parallel'])
        session.finish()
        source.close()
        self.cleanup.release(kept)
        return dict(self.target.call('item.get', library_item_id=target_item['id']), id=target_item['id'])

    def _job(self, source: DownloadSession, uploader: Uploader, info: FileInfo) -> Callable[[threading.Event], None]:
        return lambda stop: self.copy_file(source, uploader, info, stop)

    def copy_file(self, source: DownloadSession, uploader: Uploader, info: FileInfo, stop: threading.Event) -> None:
        """Prepare on the source, add on the target with the size and the source's checksum, and pipe GET into PUT."""
        prepared = source.prepare(info['name'], stop)
        first = source.stream(prepared, stop)
        size = first.length
        if size is None:
            size = info.get('size') or 0
            self.module.warn(
                'The source sent %s without a Content-Length; its size in the library, %d bytes, is what the '
                'target was told (a different count fails the copy).' % (info['name'], size)
            )
        expected = server_checksum(info)
        part = RemotePart(source, prepared, size, expected, first, stop)
        try:
            added = uploader.add(push_spec(part))
            uploader.put(part, added, stop)
        finally:
            first.close()
        with self._lock:
            self.copied += size
