# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the reliability suites for the library item modules (issue 15): downloads, items, libraries.

* ``DownloadVCenter``: relia_helpers' fake vCenter, which also serves one library with one item holding one file,
  and its download: library and item find/get, the item's files, download sessions, their files, the download
  endpoint. Good answers unless ``answers`` says otherwise, like FakeVCenter.
* ``content_item``: an item of the simulator's local library holding a file, made through an update session.
* ``listing``: what a directory holds, hidden files included (the module's temporary files start with a dot).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import relia_helpers as h

LIBRARY_ID = 'lib-0001'
ITEM_ID = 'item-0001'
DOWNLOAD_SESSION_ID = 'dl-0001'
FILE_NAME = 'disk.iso'
CONTENT = b'relia download content\n' * 4096
SHA1 = hashlib.sha1(CONTENT).hexdigest()

_LIB = {h.API: '/api/content/library', h.REST: '/rest/com/vmware/content/library'}
_ITEM = {h.API: '/api/content/library/item', h.REST: '/rest/com/vmware/content/library/item'}
_DS = {h.API: '/api/content/library/item/download-session', h.REST: '/rest/com/vmware/content/library/item/download-session'}
_DSF_REST = '/rest/com/vmware/content/library/item/downloadsession/file'
DOWNLOAD_PATH = '/cls/data/%s/%s' % (DOWNLOAD_SESSION_ID, FILE_NAME)


def _query(query: str) -> dict[str, str]:
    return dict(part.split('=', 1) if '=' in part else (part, '') for part in query.split('&') if part)


def classify_download(flavor: str, method: str, path: str, query: str) -> str | None:
    """The operation (as in _operations.py) of a library, item or download request; None for the others."""
    action = _query(query).get('action' if flavor == h.API else '~action')
    if path.startswith('/cls/data/'):
        return 'file.download'
    if flavor == h.REST and path.startswith(_DSF_REST):
        return 'download_file.list' if method == 'GET' else 'download_file.' + (action or 'unknown')
    ds = _DS[flavor]
    if path == ds:
        return {'GET': 'download_session.list', 'POST': 'download_session.create'}.get(method, 'unknown')
    if path.startswith(ds + '/'):
        rest = path[len(ds) + 1 :]
        if rest.endswith('/file'):
            if method == 'POST':
                return 'download_file.' + (action or 'unknown')
            return 'download_file.get' if 'file_name' in _query(query) else 'download_file.list'
        if method == 'POST' and action:
            return 'download_session.' + action.replace('-', '_')
        return {'GET': 'download_session.get', 'DELETE': 'download_session.delete'}.get(method, 'unknown')
    if 'update-session' in path or 'updatesession' in path:
        return None
    item = _ITEM[flavor]
    if path == item:
        if method == 'POST':
            return 'item.' + (action or 'create')
        return 'item.list'
    if flavor == h.REST and path == item + '/file':
        return 'item_file.list'
    if path.startswith(item + '/'):
        rest = path[len(item) + 1 :]
        if rest.startswith('file/'):
            return 'item_file.get'
        if rest.endswith('/file'):
            return 'item_file.get' if 'name' in _query(query) else 'item_file.list'
        return {'GET': 'item.get', 'PATCH': 'item.update', 'DELETE': 'item.delete'}.get(method, 'item.' + (action or 'unknown'))
    library = _LIB[flavor]
    if path == library:
        return 'library.' + (action or 'list') if method == 'POST' else 'library.list'
    if path.startswith(library + '/'):
        return 'library.get'
    return None


class DownloadVCenter(h.FakeVCenter):
    """A fake vCenter (one flavour) with library ``lib-0001`` (relia-lib), holding item ``item-0001`` (relia-item),
    holding ``disk.iso`` (CONTENT), and its download: session ``dl-0001`` prepares the file at once."""

    def __init__(self, tls: h.TLSMaterial | None, flavor: str = h.API, item_files: list[dict[str, Any]] | None = None):
        super().__init__(tls, flavor, session_id=DOWNLOAD_SESSION_ID)
        self.item_files = (
            item_files
            if item_files is not None
            else [{'name': FILE_NAME, 'size': len(CONTENT), 'cached': True, 'version': '1', 'checksum_info': {'algorithm': 'SHA1', 'checksum': SHA1}}]
        )

    def prepared(self, status: str = 'PREPARED', done: bool = False) -> dict[str, Any]:
        info: dict[str, Any] = {'name': FILE_NAME, 'status': status, 'bytes_transferred': len(CONTENT) if done else 0}
        if status == 'PREPARED':
            info['download_endpoint'] = {'uri': self.url + DOWNLOAD_PATH}
        if done:
            info.update(size=len(CONTENT), checksum_info={'algorithm': 'SHA1', 'checksum': SHA1})
        return info

    def good(self, op: str, request: dict[str, Any]) -> h.Answer:
        if op == 'library.find':
            return self.ok([LIBRARY_ID])
        if op == 'library.get':
            return self.ok({'id': LIBRARY_ID, 'name': 'relia-lib', 'type': 'LOCAL'})
        if op == 'item.find':
            return self.ok([ITEM_ID])
        if op == 'item.list':
            return self.ok([ITEM_ID])
        if op == 'item.get':
            return self.ok(
                {'id': ITEM_ID, 'library_id': LIBRARY_ID, 'name': 'relia-item', 'type': 'iso', 'content_version': '1', 'size': len(CONTENT), 'cached': True}
            )
        if op == 'item_file.list':
            return self.ok(self.item_files)
        if op == 'download_session.list':
            return self.ok([])
        if op == 'download_session.create':
            return self.ok(DOWNLOAD_SESSION_ID, created=True)
        if op == 'download_session.get':
            return self.ok(
                {
                    'library_item_id': ITEM_ID,
                    'library_item_content_version': '1',
                    'state': 'ACTIVE',
                    'client_progress': 0,
                    'expiration_time': '2030-01-01T00:00:00.000Z',
                }
            )
        if op == 'download_file.prepare':
            return self.ok(self.prepared())
        if op == 'download_file.get':
            # Asked after the download: size and checksum of what was served, as vCenter fills them in.
            return self.ok(self.prepared(done=True))
        if op == 'download_file.list':
            return self.ok([self.prepared()])
        if op == 'file.download':
            return h.Answer(200, CONTENT, headers={'Content-Type': 'application/octet-stream'}, raw_json=False)
        return super().good(op, request)

    def _handle(self, request: dict[str, Any]) -> h.Answer:
        op = classify_download(self.flavor, request['method'], request['path'], request['query'])
        if op is None:
            return super()._handle(request)
        request['op'] = op
        self.ops.append(op)
        if request['headers'].get('vmware-api-session-id') not in self.tokens:
            return self.error(401, 'unauthenticated')
        answer = self.answers.get(op)
        if callable(answer):
            answer = answer(request)
        return answer if answer is not None else self.good(op, request)


# -- the simulator ------------------------------------------------------------------------------------


def content_item(sim: h.Sim, files: dict[str, bytes], item_type: str = 'iso') -> str:
    """A new item of local-lib holding ``files`` (name -> bytes), put in with an update session; its id."""
    item_id = sim.create_item(item_type)
    session_id = sim.create_session(item_id)
    for name, data in files.items():
        sim.add_push_file(session_id, name, data, ('SHA1', hashlib.sha1(data).hexdigest()))
    sim.session_action(session_id, 'complete')
    return item_id


def listing(directory: Path | str) -> list[str]:
    """Every name in a directory, hidden ones (the temporary files) included; [] when it does not exist."""
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else []
