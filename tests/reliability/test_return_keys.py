# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 13: each module's result keys against its RETURN documentation, in both directions.

Every one of the ten modules runs as a real process (``relia_helpers.run_module``) against the
simulator in scenarios that cover success, check mode, diff mode and failures: bad input, a 404, a
state that refuses the action, a checksum mismatch, a size mismatch, a refused preview warning, a
prepare error, a time-out, a 500 and a 503 injected by the simulator's faults, a session that ends
in ERROR after completion. The top-level keys of every result are collected per module and compared
with the module's RETURN (the module imported, its RETURN yaml-loaded):

* every key a run returns is documented, except the keys Ansible's own machinery adds (``ANSIBLE_KEYS``);
* every documented key is returned by at least one scenario, except the keys of ``NOT_PRODUCIBLE``, each
  with the precise reason no run against the simulator can produce it (and a test that each of those
  keys really is never returned, so the list cannot go stale).

Each scenario also says whether it fails and with which ``error_type``, so that it tests what its
label says. Scenarios run four at a time; a fault that the simulator can aim at one scenario's
requests (by an id or a file name in the path) is set by that scenario on the shared simulators, and
the few faults that cannot be aimed (the path has no id the test knows in advance) run one after the
other on a simulator of their own, beside the others.

``RETURN_KEYS_DUMP=<file>`` writes every scenario's result (and duration) there as JSON, to look at.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import yaml
from vsphere_content_simulator.launcher import running_simulator

import relia_helpers as h

MODULES = sorted(p.stem for p in (h.REPO_ROOT / 'plugins' / 'modules').glob('*.py') if not p.name.startswith('_'))

# Keys Ansible itself puts into a module's result (AnsibleModule.exit_json/fail_json, the executor), which a
# module's RETURN does not document: Ansible's "common return values".
ANSIBLE_KEYS = {
    'changed': 'every module result: whether the task changed something',
    'failed': 'every failed result (fail_json)',
    'invocation': 'the module arguments, added by AnsibleModule',
    'warnings': "AnsibleModule.warn()'s messages",
    'deprecations': "AnsibleModule.deprecate()'s messages",
    'exception': "fail_json's traceback (only for a bug of ours: 'Unexpected error')",
    'skipped': 'a skipped task',
}

# Documented keys that no scenario against the simulator can produce, and why.
_SIZE_MISMATCH_DOWNLOADED = (
    'a SIZE_MISMATCH of a download needs a server whose stream ends cleanly before its Content-Length, or that '
    'reports another size for what it served; the simulator sends exactly Content-Length bytes or breaks the '
    'connection (which the client resumes with Range, or reports as TRANSFER_FAILED), and reports the size it '
    "served truthfully. The key comes from _errors.ContentMismatchError, whose result tests/unit's test_content.py "
    'checks for a stream that ends short'
)
_SIZE_MISMATCH_COPIED = _SIZE_MISMATCH_DOWNLOADED + (
    "; the copy's other SIZE_MISMATCH, a target item that does not hold the source's files after a copy that went "
    'through, needs a target that stores other bytes than it was sent, which the simulator never does'
)
NOT_PRODUCIBLE: dict[str, dict[str, str]] = {
    'library_item_download': {
        'expected_size': _SIZE_MISMATCH_DOWNLOADED,
        'actual_size': _SIZE_MISMATCH_DOWNLOADED,
        'secontext': (
            'AnsibleModule adds secontext to a result with a dest only where SELinux is enabled '
            '(selinux_enabled()); the Debian hosts these tests run on have no SELinux'
        ),
    },
    'library_item_copy': {'expected_size': _SIZE_MISMATCH_COPIED, 'actual_size': _SIZE_MISMATCH_COPIED},
}

MIB = 1024 * 1024
TIMEOUT = 15  # the modules' timeout option, unless a scenario says otherwise
SESSION_TIMEOUT = 2  # --update-session-timeout of the simulator of the one-by-one scenarios
SLOW_COMPLETE = 12  # a complete held that long there: longer than the client waits for it
LATE_CLIENT = 5  # the timeout of those scenarios' requests: longer than SESSION_TIMEOUT
WORKERS = 4

DESCRIPTOR = '''<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <References>
    <File ovf:href="disk1.vmdk" ovf:id="file1"/>
  </References>
  <VirtualSystem ovf:id="keys"><Info>A test template</Info></VirtualSystem>
</Envelope>
'''


def documented(module: str) -> dict[str, Any]:
    """The module's RETURN, read from the module itself."""
    imported = importlib.import_module('%s.%s' % (h.MODULE_PACKAGE, module))
    return yaml.safe_load(imported.RETURN)


# -- the simulators, and what the scenarios need on them ---------------------------------------------------------


class KeySim(h.Sim):
    """A simulator (``/api`` flavour) with the seeding this suite needs beyond relia_helpers.Sim's."""

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._value(self.request(method, path, headers=self._auth(), **kwargs))

    def local_lib(self) -> str:
        return self.libraries['local-lib']['id']

    def item(self, item_id: str) -> dict[str, Any]:
        return self.api('GET', '/api/content/library/item/%s' % item_id)

    def create_library(self, name: str) -> str:
        return self.api('POST', '/api/content/local-library', json={'name': name})

    def create_item_in(self, library_id: str, item_type: str) -> str:
        spec = {'library_id': library_id, 'name': 'keys-%s' % uuid.uuid4().hex[:10], 'type': item_type}
        return self.api('POST', '/api/content/library/item', json=spec)

    def content_item(self, files: list[tuple[str, bytes]], item_type: str = 'iso', library_id: str | None = None) -> dict[str, Any]:
        """A new item (of local-lib, or of ``library_id``) holding ``files``, put there by a completed update session."""
        item_id = self.create_item_in(library_id or self.local_lib(), item_type)
        session = self.create_session(item_id)
        for name, data in files:
            self.add_push_file(session, name, data)
        self.session_action(session, 'complete')
        assert h.wait_for(lambda: self.get_session(session)['state'] == 'DONE'), self.get_session(session)
        return self.item(item_id)

    def active_session(self, item_type: str = 'iso') -> str:
        return self.create_session(self.create_item(item_type))

    def done_session(self) -> str:
        session = self.active_session()
        self.session_action(session, 'complete')
        assert h.wait_for(lambda: self.get_session(session)['state'] == 'DONE')
        return session

    def busy_item(self) -> tuple[str, str]:
        """An item with an ACTIVE update session of the modules' user on it: (item id, session id)."""
        item_id = self.create_item('iso')
        return item_id, self.create_session(item_id)


@contextlib.contextmanager
def key_sim(*flags: str) -> Iterator[KeySim]:
    with running_simulator(['--flavor', 'api', '--log-level', 'error', '--prepare-latency', '0.05', '--copy-latency', '0.05', *flags]) as info:
        sim = KeySim(info, h.API)
        try:
            yield sim
        finally:
            sim.admin_logout()


def data(seed: str, size: int = 64 * 1024) -> bytes:
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (size // len(block) + 1))[:size]


def ovf_directory(path: Path, good_manifest: bool = True) -> Path:
    """An OVF template with a manifest (SHA256) and a certificate without a PEM block (self-signed, for the simulator)."""
    path.mkdir(parents=True)
    disk = data('disk of ' + path.name)
    (path / 'keys.ovf').write_text(DESCRIPTOR)
    (path / 'disk1.vmdk').write_bytes(disk)
    disk_digest = hashlib.sha256(disk).hexdigest() if good_manifest else '0' * 64
    (path / 'keys.mf').write_text('SHA256(keys.ovf)= %s\nSHA256(disk1.vmdk)= %s\n' % (hashlib.sha256(DESCRIPTOR.encode()).hexdigest(), disk_digest))
    (path / 'keys.cert').write_text('SHA256(keys.mf)= %s\n' % ('ab' * 128))
    return path


# -- scenarios ------------------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    module: str
    label: str
    args: dict[str, Any]
    fails: bool = False
    error_type: str | None = None
    check_mode: bool = False
    diff: bool = False
    sim: KeySim | None = None  # where ``faults`` go
    faults: list[dict[str, Any]] = field(default_factory=list)
    alone: bool = False  # on the one-by-one simulator, after the others there
    during: Callable[[], None] | None = None  # runs while the module runs (it is started, not waited for)
    keys: tuple[str, ...] = ()  # keys this scenario is there for: asserted
    values: dict[str, Any] = field(default_factory=dict)  # and the values of some: asserted

    @property
    def ident(self) -> str:
        return '%s: %s' % (self.module, self.label)


def run_scenario(scenario: Scenario, workdir: Path) -> h.ModuleRun:
    if scenario.sim is not None:
        for fault in scenario.faults:
            scenario.sim.fault(**fault)
    if scenario.during is None:
        return h.run_module(scenario.module, scenario.args, check_mode=scenario.check_mode, diff=scenario.diff, timeout=150)
    started = time.monotonic()
    process = h.start_module(scenario.module, scenario.args, workdir, check_mode=scenario.check_mode)
    try:
        scenario.during()
    finally:
        run = h.finish_module(process, scenario.module, scenario.args, started, timeout=150)
    return run


def grown_once_held(sim: KeySim, operation: str, path: Path) -> Callable[[], None]:
    """Grow ``path`` once the request of ``operation`` that a delay fault holds has arrived.

    The module read the file's size before it sent that request, and opens the file for its upload
    after the answer: in between, the file changes, as a file still being written would.
    """

    def held() -> bool:
        faults = sim.request('GET', '/_sim/faults').json()['faults']
        return any(fault['operation'] == operation and fault['hits'] for fault in faults)

    def grow() -> None:
        assert h.wait_for(held, timeout=60), sim.request('GET', '/_sim/faults').json()
        with open(path, 'ab') as handle:
            handle.write(b'appended after the module read the file')

    return grow


def closed_port() -> int:
    """A local port nothing listens on (bound, then released), for a pull that cannot connect."""
    import socket  # pylint: disable=import-outside-toplevel

    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def scenarios(main: KeySim, target: KeySim, alone: KeySim, work: Path) -> list[Scenario]:  # pylint: disable=too-many-locals,too-many-statements
    conn = main.conn(timeout=TIMEOUT, retries=1)
    lib = main.local_lib()
    unknown = str(uuid.uuid4())
    found: list[Scenario] = []

    def add(module: str, label: str, args: dict[str, Any], **kwargs: Any) -> None:
        base = dict(kwargs.pop('connection', conn))
        base.update(args)
        found.append(Scenario(module, label, base, **kwargs))

    iso = work / 'photon.iso'
    iso.write_bytes(data('iso'))
    good_ovf = ovf_directory(work / 'good-ovf')
    bad_ovf = ovf_directory(work / 'bad-ovf', good_manifest=False)

    # content on the main simulator
    iso_item = main.content_item([('photon.iso', data('item iso'))])
    ovf_item = main.content_item([('keys.ovf', DESCRIPTOR.encode()), ('disk1.vmdk', data('item disk'))], 'ovf')
    corrupt_item = main.content_item([('corrupt-me.iso', data('corrupt'))])
    dropped_item = main.content_item([('drop-me.iso', data('drop'))])
    status_item = main.content_item([('status-me.iso', data('status'))])
    copy_corrupt = main.content_item([('copy-corrupt.iso', data('copy corrupt'))])
    same_corrupt = main.content_item([('same-corrupt.iso', data('same corrupt'))])

    # -- library_item ---------------------------------------------------------------------------------------------
    name = 'keys-item-%s' % uuid.uuid4().hex[:8]
    add(
        'library_item',
        'create, diff',
        {'library_name': 'local-lib', 'item_name': name, 'item_type': 'iso'},
        diff=True,
        keys=('library_item', 'diff', 'api_flavor'),
    )
    add(
        'library_item',
        'create, check mode',
        {'library_name': 'local-lib', 'item_name': 'keys-never-made', 'item_type': 'iso'},
        check_mode=True,
        diff=True,
        keys=('library_item',),
    )
    add('library_item', 'describe by id', {'library_item_id': main.create_item('iso'), 'description': 'keys'})
    add('library_item', 'absent', {'library_item_id': main.create_item('iso'), 'state': 'absent'}, diff=True)
    add(
        'library_item',
        'unknown library name',
        {'library_name': 'no-such-library', 'item_name': 'x'},
        fails=True,
        error_type='NOT_FOUND',
        keys=('msg', 'error_type', 'api_flavor'),
    )
    add('library_item', 'bad input: item_type changes', {'library_item_id': iso_item['id'], 'item_type': 'ovf'}, fails=True, error_type='INVALID_ARGUMENT')
    busy, _session = main.busy_item()
    add(
        'library_item',
        'delete refused: an ACTIVE session',
        {'library_item_id': busy, 'state': 'absent'},
        fails=True,
        error_type='NOT_ALLOWED_IN_CURRENT_STATE',
        keys=('session_state', 'library_item_id', 'library_id'),
    )
    busy, _session = main.busy_item()
    add(
        'library_item',
        'forced delete answered 500',
        {'library_item_id': busy, 'state': 'absent', 'force': True},
        fails=True,
        error_type='ERROR',
        sim=main,
        faults=[{'operation': 'item.delete', 'path': busy, 'status': 500, 'every': True}],
        keys=('status', 'error_messages', 'update_session_id', 'library_item_id', 'library_id'),
    )

    # -- library_item_info ----------------------------------------------------------------------------------------
    # A library of its own: items of local-lib come and go while this scenario reads them all.
    info_lib = main.create_library('keys-info')
    main.content_item([('photon.iso', data('info iso'))], library_id=info_lib)
    add('library_item_info', 'a library, with files', {'library_name': 'keys-info', 'files': True}, keys=('library_items',))
    info_item = main.content_item([('photon.iso', data('info 500'))])
    add('library_item_info', 'one item, check mode', {'library_item_id': iso_item['id']}, check_mode=True)
    add('library_item_info', 'unknown library id', {'library_id': unknown}, fails=True, error_type='NOT_FOUND', keys=('library_id', 'error_messages'))
    add(
        'library_item_info',
        'item read answered 500',
        {'library_item_id': info_item['id']},
        fails=True,
        error_type='ERROR',
        sim=main,
        faults=[{'operation': 'item.get', 'path': info_item['id'] + '$', 'status': 500, 'every': True}],
        keys=('status', 'error_messages', 'library_item_id'),
    )

    # -- library_item_upload --------------------------------------------------------------------------------------
    upload_name = 'keys-upload-%s' % uuid.uuid4().hex[:8]
    add(
        'library_item_upload',
        'an ISO into a new item, diff',
        {'library_name': 'local-lib', 'item_name': upload_name, 'src': str(iso)},
        diff=True,
        keys=('library_item', 'files', 'update_session', 'bytes_sent', 'seconds', 'throughput_mib_s', 'diff'),
    )
    add('library_item_upload', 'the same content again', {'library_item_id': iso_item['id'], 'src': str(iso)})
    add('library_item_upload', 'check mode', {'library_name': 'local-lib', 'item_name': 'keys-upload-never', 'src': str(good_ovf)}, check_mode=True, diff=True)
    add(
        'library_item_upload',
        'a signed OVF template, warning accepted',
        {'library_name': 'local-lib', 'item_name': 'keys-ovf-%s' % uuid.uuid4().hex[:8], 'src': str(good_ovf), 'ignore_warnings': ['SELF_SIGNED_CERTIFICATE']},
    )
    add(
        'library_item_upload',
        'a signed OVF template, warning refused',
        {'library_name': 'local-lib', 'item_name': 'keys-refused-%s' % uuid.uuid4().hex[:8], 'src': str(good_ovf)},
        fails=True,
        error_type='PREVIEW_WARNING',
        keys=('update_session_id', 'library_item_id'),
    )
    add(
        'library_item_upload',
        'a disk that does not match the manifest',
        {
            'library_name': 'local-lib',
            'item_name': 'keys-mismatch-%s' % uuid.uuid4().hex[:8],
            'src': str(bad_ovf),
            'ignore_warnings': ['SELF_SIGNED_CERTIFICATE'],
        },
        fails=True,
        error_type='CHECKSUM_MISMATCH',
        keys=('file_name', 'expected_checksum', 'actual_checksum'),
    )
    busy, _session = main.busy_item()
    add(
        'library_item_upload',
        'an item with an ACTIVE session (500 resource_busy)',
        {'library_item_id': busy, 'src': str(iso)},
        fails=True,
        error_type='RESOURCE_BUSY',
        keys=('status', 'error_messages'),
    )
    add(
        'library_item_upload',
        'a subscribed library refused',
        {'library_name': 'subscribed-lib', 'item_name': 'x', 'src': str(iso)},
        fails=True,
        error_type='INVALID_ARGUMENT',
    )
    add(
        'library_item_upload',
        'a pull that fails',
        {'library_name': 'local-lib', 'item_name': 'keys-pull-%s' % uuid.uuid4().hex[:8], 'source_url': 'http://127.0.0.1:%d/photon.iso' % closed_port()},
        fails=True,
        error_type='TRANSFER_FAILED',
        keys=('file_name', 'update_session_id', 'library_id'),
    )
    add(
        'library_item_upload',
        'bad input: src missing',
        {'library_name': 'local-lib', 'item_name': 'x', 'src': str(work / 'missing.iso')},
        fails=True,
        error_type='INVALID_ARGUMENT',
    )

    # -- library_item_download ------------------------------------------------------------------------------------
    add(
        'library_item_download',
        'files, diff',
        {'library_item_id': iso_item['id'], 'dest': str(work / 'dl-files')},
        diff=True,
        keys=('library_item', 'files', 'dest', 'format', 'bytes_received', 'seconds', 'throughput_mib_s', 'diff'),
    )
    add('library_item_download', 'check mode', {'library_item_id': ovf_item['id'], 'dest': str(work / 'dl-check')}, check_mode=True, diff=True)
    stale_ova = work / 'stale.ova'
    stale_ova.write_bytes(b'an older export')
    add(
        'library_item_download',
        'an OVA over an older one, backup',
        {'library_item_id': ovf_item['id'], 'format': 'ova', 'dest': str(stale_ova), 'backup': True},
        keys=('backup_file',),
    )
    add(
        'library_item_download',
        'corrupted in transit',
        {'library_item_id': corrupt_item['id'], 'dest': str(work / 'dl-corrupt')},
        fails=True,
        error_type='CHECKSUM_MISMATCH',
        sim=main,
        faults=[{'action': 'corrupt_download', 'path': 'corrupt-me'}],
        keys=('file_name', 'checksum_algorithm', 'expected_checksum', 'actual_checksum', 'download_session_id', 'library_item_id'),
    )
    add(
        'library_item_download',
        'a broken stream, no retries',
        {'library_item_id': dropped_item['id'], 'dest': str(work / 'dl-dropped'), 'retries': 0},
        fails=True,
        error_type='TRANSFER_FAILED',
        sim=main,
        faults=[{'action': 'drop_download', 'after_bytes': 100, 'path': 'drop-me', 'every': True}],
        keys=('file_name',),
    )
    add(
        'library_item_download',
        'the file answered 503',
        {'library_item_id': status_item['id'], 'dest': str(work / 'dl-503'), 'retries': 0},
        fails=True,
        error_type='SERVICE_UNAVAILABLE',
        sim=main,
        faults=[{'operation': 'file.download', 'path': 'status-me', 'status': 503, 'every': True}],
        keys=('status', 'error_messages'),
    )
    add(
        'library_item_download',
        'an item with no files, by library id',
        {'library_id': lib, 'item_name': 'empty-iso', 'dest': str(work / 'dl-empty')},
        fails=True,
        error_type='NOT_FOUND',
        keys=('library_id',),
    )

    # -- library_item_copy ----------------------------------------------------------------------------------------
    target_conn = {
        'hostname': target.host,
        'port': target.port,
        'username': target.username,
        'password': target.password,
        'ca_path': target.ca,
        'api_flavor': 'api',
        'timeout': TIMEOUT,
    }
    copy_name = 'keys-copy-%s' % uuid.uuid4().hex[:8]
    add(
        'library_item_copy',
        'between two vCenters, diff',
        {'library_item_id': ovf_item['id'], 'target': dict(target_conn, library_name='local-lib', item_name=copy_name)},
        diff=True,
        keys=('source_item', 'target_item', 'files', 'method', 'bytes_copied', 'seconds', 'throughput_mib_s', 'diff'),
    )
    add(
        'library_item_copy',
        'check mode',
        {'library_item_id': iso_item['id'], 'target': dict(target_conn, library_name='local-lib')},
        check_mode=True,
        diff=True,
    )
    add(
        'library_item_copy',
        'on one vCenter, server-side copy',
        {'library_item_id': iso_item['id'], 'target': {'library_id': lib, 'item_name': 'keys-server-copy'}},
    )
    add(
        'library_item_copy',
        'corrupted in transit between two vCenters',
        {'library_id': lib, 'item_name': copy_corrupt['name'], 'target': dict(target_conn, library_id=target.local_lib())},
        fails=True,
        error_type='CHECKSUM_MISMATCH',
        sim=main,
        faults=[{'action': 'corrupt_download', 'path': 'copy-corrupt'}],
        keys=(
            'file_name',
            'checksum_algorithm',
            'expected_checksum',
            'actual_checksum',
            'library_item_id',
            'library_id',
            'download_session_id',
            'target_library_item_id',
            'target_library_id',
            'target_update_session_id',
        ),
        values={'library_item_id': copy_corrupt['id'], 'library_id': lib, 'target_library_id': target.local_lib()},
    )
    add(
        'library_item_copy',
        'corrupted in transit on one vCenter, streamed',
        {'library_item_id': same_corrupt['id'], 'method': 'stream', 'target': {'library_id': lib, 'item_name': 'keys-same-stream'}},
        fails=True,
        error_type='CHECKSUM_MISMATCH',
        sim=main,
        faults=[{'action': 'corrupt_download', 'path': 'same-corrupt'}],
        keys=('update_session_id', 'target_update_session_id', 'target_library_item_id'),
        # The source, as documented, although the target's calls go through the same login.
        values={'library_item_id': same_corrupt['id'], 'library_id': lib},
    )
    target_busy, _session = target.busy_item()
    add(
        'library_item_copy',
        'target item with an ACTIVE session (500 resource_busy)',
        {'library_item_id': iso_item['id'], 'target': dict(target_conn, library_name='local-lib', item_name=target.item(target_busy)['name'])},
        fails=True,
        error_type='RESOURCE_BUSY',
        keys=('status', 'error_messages'),
    )
    add(
        'library_item_copy',
        'unknown target library',
        {'library_item_id': iso_item['id'], 'target': dict(target_conn, library_name='no-such-library')},
        fails=True,
        error_type='NOT_FOUND',
    )

    # -- update_session -------------------------------------------------------------------------------------------
    add('update_session', 'open a session, diff', {'library_item_id': main.create_item('iso')}, diff=True, keys=('update_session', 'diff'))
    add('update_session', 'open a session, check mode', {'library_item_id': main.create_item('iso')}, check_mode=True, diff=True)
    add('update_session', 'progress and keep-alive', {'id': main.active_session(), 'client_progress': 50, 'keep_alive': True})
    add('update_session', 'complete', {'id': main.active_session(), 'state': 'completed'})
    add('update_session', 'delete a finished session', {'id': main.done_session(), 'state': 'absent'})
    add(
        'update_session',
        'cancel refused: the session is DONE',
        {'id': main.done_session(), 'state': 'canceled'},
        fails=True,
        error_type='NOT_ALLOWED_IN_CURRENT_STATE',
        keys=('session_state', 'update_session_id'),
    )
    add('update_session', 'an unknown item', {'library_item_id': unknown}, fails=True, error_type='NOT_FOUND', keys=('library_item_id',))
    session = main.active_session()
    add(
        'update_session',
        'session read answered 500',
        {'id': session, 'keep_alive': True},
        fails=True,
        error_type='ERROR',
        sim=main,
        faults=[{'operation': 'update_session.get', 'path': session, 'status': 500, 'every': True}],
        keys=('status', 'error_messages'),
    )
    signed = main.active_session('ovf')
    main.add_push_file(signed, 'keys.cert', b'no PEM here: the simulator signs it itself')
    main.add_push_file(signed, 'keys.ovf', DESCRIPTOR.encode())
    main.add_push_file(signed, 'disk1.vmdk', data('signed disk'))
    add(
        'update_session',
        'completed, but ERROR: a warning not ignored',
        {'id': signed, 'state': 'completed'},
        fails=True,
        error_type='SESSION_ERROR',
        keys=('update_session', 'session_state'),
    )
    add('update_session', 'bad input: client_token', {'library_item_id': iso_item['id'], 'client_token': 'nope'}, fails=True, error_type='INVALID_ARGUMENT')

    # -- update_session_fail --------------------------------------------------------------------------------------
    add(
        'update_session_fail', 'fail a session, diff', {'id': main.active_session(), 'client_error_message': 'keys'}, diff=True, keys=('update_session', 'diff')
    )
    add('update_session_fail', 'check mode', {'id': main.active_session(), 'client_error_message': 'keys'}, check_mode=True, diff=True)
    add(
        'update_session_fail',
        'refused: the session is DONE',
        {'id': main.done_session(), 'client_error_message': 'x'},
        fails=True,
        error_type='NOT_ALLOWED_IN_CURRENT_STATE',
        keys=('session_state',),
    )
    add(
        'update_session_fail',
        'an unknown session',
        {'id': unknown, 'client_error_message': 'x'},
        fails=True,
        error_type='NOT_FOUND',
        keys=('update_session_id',),
    )
    session = main.active_session()
    add(
        'update_session_fail',
        'fail answered 500',
        {'id': session, 'client_error_message': 'x'},
        fails=True,
        error_type='ERROR',
        sim=main,
        faults=[{'operation': 'update_session.fail', 'path': session, 'status': 500}],
        keys=('status', 'error_messages'),
    )

    # -- update_session_file --------------------------------------------------------------------------------------
    add(
        'update_session_file',
        'upload a file, diff',
        {'id': main.active_session(), 'name': 'photon.iso', 'src': str(iso), 'checksum_algorithm': 'SHA256'},
        diff=True,
        keys=('file', 'diff'),
    )
    add(
        'update_session_file',
        'check mode, a predicted session',
        {'id': 'predicted-by-check-mode', 'name': 'photon.iso', 'src': str(iso)},
        check_mode=True,
        diff=True,
    )
    add('update_session_file', 'remove a file that is not there', {'id': main.active_session(), 'name': 'x.iso', 'state': 'absent'})
    add(
        'update_session_file',
        'a checksum vCenter refuses',
        {'id': main.active_session(), 'name': 'photon.iso', 'src': str(iso), 'checksum_algorithm': 'SHA1', 'checksum': '0' * 40},
        fails=True,
        error_type='INVALID_ARGUMENT',
        keys=('update_session_id', 'status', 'error_messages'),
    )
    pull_from = 'http://127.0.0.1:%d/photon.iso' % closed_port()
    add(
        'update_session_file',
        'a pull that fails',
        {'id': main.active_session(), 'name': 'photon.iso', 'source_url': pull_from},
        fails=True,
        error_type='TRANSFER_FAILED',
        keys=('file_name',),
    )
    session = main.active_session()
    growing_src = work / 'growing-src.iso'
    growing_src.write_bytes(data('growing src'))
    add(
        'update_session_file',
        'the file grows after it was read',
        {'id': session, 'name': 'photon.iso', 'src': str(growing_src)},
        fails=True,
        error_type='SIZE_MISMATCH',
        sim=main,
        faults=[{'operation': 'file.add', 'path': session, 'action': 'delay', 'seconds': 3, 'every': True}],
        during=grown_once_held(main, 'file.add', growing_src),
        keys=('file_name', 'expected_size', 'actual_size'),
    )
    add(
        'update_session_file',
        'refused: the session is DONE',
        {'id': main.done_session(), 'name': 'photon.iso', 'src': str(iso)},
        fails=True,
        error_type='NOT_ALLOWED_IN_CURRENT_STATE',
        keys=('session_state',),
    )
    session = main.active_session()
    add(
        'update_session_file',
        'file list answered 500',
        {'id': session, 'name': 'photon.iso', 'src': str(iso)},
        fails=True,
        error_type='ERROR',
        sim=main,
        faults=[{'operation': 'file.list', 'path': session, 'status': 500, 'every': True}],
        keys=('status', 'error_messages'),
    )

    # -- update_session_file_info ---------------------------------------------------------------------------------
    session = main.active_session()
    main.add_push_file(session, 'photon.iso', data('listed'))
    add('update_session_file_info', 'files and validation', {'id': session, 'validate': True}, keys=('files', 'validation'))
    add('update_session_file_info', 'check mode, one name', {'id': session, 'name': 'photon.iso'}, check_mode=True)
    add(
        'update_session_file_info',
        'validate refused: the session is DONE',
        {'id': main.done_session(), 'validate': True},
        fails=True,
        error_type='NOT_ALLOWED_IN_CURRENT_STATE',
        keys=('session_state', 'update_session_id'),
    )
    session = main.active_session()
    add(
        'update_session_file_info',
        'file list answered 503, no retries',
        {'id': session, 'retries': 0},
        fails=True,
        error_type='SERVICE_UNAVAILABLE',
        sim=main,
        faults=[{'operation': 'file.list', 'path': session, 'status': 503, 'every': True}],
        keys=('status', 'error_messages'),
    )

    # -- update_session_info --------------------------------------------------------------------------------------
    listed, _session = main.busy_item()
    add('update_session_info', 'the sessions of an item', {'library_item_id': listed}, keys=('update_sessions',))
    add('update_session_info', 'one session, check mode', {'id': main.done_session()}, check_mode=True)
    add('update_session_info', 'an unknown item', {'library_item_id': unknown}, fails=True, error_type='NOT_FOUND', keys=('library_item_id', 'error_messages'))
    session = main.active_session()
    add(
        'update_session_info',
        'session read answered 500',
        {'id': session},
        fails=True,
        error_type='ERROR',
        sim=main,
        faults=[{'operation': 'update_session.get', 'path': session, 'status': 500, 'every': True}],
        keys=('status', 'update_session_id'),
    )

    # -- one by one, on a simulator of their own (faults that cannot be aimed; short-lived update sessions) -------
    alone_conn = alone.conn(timeout=TIMEOUT, retries=1)
    alone_iso = alone.content_item([('photon.iso', data('alone iso'))])
    add(
        'library_item_download',
        'vCenter cannot prepare the file',
        {'library_item_id': alone_iso['id'], 'dest': str(work / 'dl-prepare-error')},
        connection=alone_conn,
        fails=True,
        error_type='TRANSFER_FAILED',
        sim=alone,
        alone=True,
        faults=[{'action': 'prepare_error', 'message': 'The datastore is not accessible.'}],
        keys=('file_name',),
    )
    add(
        'library_item_download',
        'the prepare never ends: time-out',
        {'library_item_id': alone_iso['id'], 'dest': str(work / 'dl-stall'), 'wait_timeout': 1},
        connection=alone_conn,
        fails=True,
        error_type='TIMED_OUT',
        sim=alone,
        alone=True,
        faults=[{'action': 'prepare_stall'}],
    )
    growing = work / 'growing.iso'
    growing.write_bytes(data('growing'))
    add(
        'library_item_upload',
        'the file grows after it was read',
        {'library_name': 'local-lib', 'item_name': 'keys-growing', 'src': str(growing)},
        connection=alone_conn,
        fails=True,
        error_type='SIZE_MISMATCH',
        sim=alone,
        alone=True,
        faults=[{'operation': 'update_session.create', 'action': 'delay', 'seconds': 3, 'every': True}],
        during=grown_once_held(alone, 'update_session.create', growing),
        keys=('file_name', 'expected_size', 'actual_size', 'library_id'),
    )
    late = dict(alone_conn, timeout=LATE_CLIENT)
    add(
        'library_item_upload',
        'the session expires while it completes: ERROR after completion',
        {'library_name': 'local-lib', 'item_name': 'keys-expired', 'src': str(iso)},
        connection=late,
        fails=True,
        error_type='SESSION_ERROR',
        sim=alone,
        alone=True,
        faults=[{'operation': 'update_session.complete', 'action': 'delay', 'seconds': SLOW_COMPLETE}],
        keys=('update_session', 'session_state'),
    )
    alone_target = {
        'hostname': alone.host,
        'port': alone.port,
        'username': alone.username,
        'password': alone.password,
        'ca_path': alone.ca,
        'api_flavor': 'api',
        'timeout': LATE_CLIENT,
    }
    add(
        'library_item_copy',
        "the target's session expires while it completes: ERROR after completion",
        {'library_item_id': iso_item['id'], 'target': dict(alone_target, library_name='local-lib', item_name='keys-expired-copy')},
        fails=True,
        error_type='SESSION_ERROR',
        sim=alone,
        alone=True,
        faults=[{'operation': 'update_session.complete', 'action': 'delay', 'seconds': SLOW_COMPLETE}],
        keys=('update_session', 'session_state'),
    )
    return found


# -- running them ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope='module')
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Scenario, h.ModuleRun]]]:
    """Every scenario's run, by ident: the shared ones WORKERS at a time, the one-by-one ones beside them."""
    work = tmp_path_factory.mktemp('return-keys')
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        main = stack.enter_context(key_sim())
        target = stack.enter_context(key_sim())
        alone = stack.enter_context(key_sim('--update-session-timeout', str(SESSION_TIMEOUT)))
        every = scenarios(main, target, alone, work)
        seeded = time.monotonic()
        idents = [s.ident for s in every]
        assert len(idents) == len(set(idents)), 'two scenarios with one label'
        results: dict[str, tuple[Scenario, h.ModuleRun]] = {}

        def one_by_one() -> None:
            for scenario in [s for s in every if s.alone]:
                alone.reset()
                results[scenario.ident] = (scenario, run_scenario(scenario, work))

        sequential = threading.Thread(target=one_by_one)
        sequential.start()
        with ThreadPoolExecutor(max_workers=WORKERS - 1) as pool:
            shared = [s for s in every if not s.alone]
            for scenario, run in zip(shared, pool.map(lambda s: run_scenario(s, work), shared)):
                results[scenario.ident] = (scenario, run)
        sequential.join()
        print('\nreturn keys: %d scenarios; seeding %.1fs, runs %.1fs' % (len(every), seeded - started, time.monotonic() - seeded))
        if os.environ.get('RETURN_KEYS_DUMP'):
            Path(os.environ['RETURN_KEYS_DUMP']).write_text(
                json.dumps(
                    dict((ident, {'result': run.result, 'rc': run.rc, 'seconds': round(run.seconds, 1)}) for ident, (_scenario, run) in results.items()),
                    indent=1,
                    sort_keys=True,
                )
            )
        yield results


def test_scenarios(runs: dict[str, tuple[Scenario, h.ModuleRun]]) -> None:
    """Each scenario ends as its label says (failed or not, the error type), cleanly, with the keys it is there for."""
    problems = []
    for ident, (scenario, run) in sorted(runs.items()):
        signs = h.traceback_signs(run)
        result = run.result or {}
        if signs:
            problems.append('%s: %s' % (ident, signs))
            continue
        if run.failed != scenario.fails:
            problems.append('%s: failed=%s, expected %s: %s' % (ident, run.failed, scenario.fails, run.msg))
        elif scenario.error_type and result.get('error_type') != scenario.error_type:
            problems.append('%s: error_type %s, expected %s: %s' % (ident, result.get('error_type'), scenario.error_type, run.msg))
        missing = [key for key in scenario.keys if key not in result]
        if missing:
            problems.append('%s: no %s in %s' % (ident, missing, sorted(result)))
        wrong = dict((key, result.get(key)) for key, value in scenario.values.items() if result.get(key) != value)
        if wrong:
            problems.append('%s: %s, expected %s' % (ident, wrong, scenario.values))
    assert not problems, '\n'.join(problems)


def returned_keys(runs: dict[str, tuple[Scenario, h.ModuleRun]], module: str) -> dict[str, list[str]]:
    """{key: the scenarios that returned it} over every run of ``module``."""
    keys: dict[str, list[str]] = {}
    for scenario, run in runs.values():
        if scenario.module == module:
            for key in run.result or {}:
                keys.setdefault(key, []).append(scenario.label)
    return keys


@pytest.mark.parametrize('module', MODULES)
def test_every_returned_key_is_documented(runs: dict[str, tuple[Scenario, h.ModuleRun]], module: str) -> None:
    doc = documented(module)
    keys = returned_keys(runs, module)
    undocumented = dict((key, where) for key, where in keys.items() if key not in doc and key not in ANSIBLE_KEYS)
    assert not undocumented, '%s returns keys its RETURN does not document: %s' % (module, undocumented)


@pytest.mark.parametrize('module', MODULES)
def test_every_documented_key_is_returned(runs: dict[str, tuple[Scenario, h.ModuleRun]], module: str) -> None:
    doc = documented(module)
    keys = returned_keys(runs, module)
    unexplained = NOT_PRODUCIBLE.get(module, {})
    never = sorted(key for key in doc if key not in keys and key not in unexplained)
    assert not never, '%s documents keys no scenario returned: %s (scenarios: %s)' % (
        module,
        never,
        sorted(s.label for s, _run in runs.values() if s.module == module),
    )
    stale = sorted(key for key in unexplained if key in keys)
    assert not stale, '%s: NOT_PRODUCIBLE says no scenario returns %s, but %s do' % (module, stale, dict((key, keys[key]) for key in stale))
    assert all(key in doc for key in unexplained), (module, unexplained)


def test_every_module_has_scenarios(runs: dict[str, tuple[Scenario, h.ModuleRun]]) -> None:
    """Each module ran in success, check mode, diff mode (where it has a diff) and failure scenarios."""
    for module in MODULES:
        mine = [scenario for scenario, _run in runs.values() if scenario.module == module]
        assert any(not s.fails and not s.check_mode for s in mine), module
        assert any(s.check_mode for s in mine), module
        assert any(s.fails for s in mine), module
        if 'diff' in documented(module):
            assert any(s.diff and not s.fails for s in mine), module
