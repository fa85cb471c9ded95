# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 9, Must (1): input is checked before anything is sent.

Every case runs a module as a real process against the simulator, whose request log
was cleared just before, and asserts: the task failed, its ``msg`` names the option,
there is no traceback anywhere, and the simulator saw no request at all.
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest
from vsphere_content_simulator.launcher import running_simulator

import relia_helpers as h

SESSION_ID = str(uuid.uuid4())  # well-formed, unknown: a request for it would show in the log
ITEM_ID = str(uuid.uuid4())
LONG = 'x' * 10000

# Every id form the issue names: empty, dot segments, URL delimiters, whitespace, control chars, too long.
BAD_IDS = [
    pytest.param('', id='empty'),
    pytest.param('.', id='dot'),
    pytest.param('..', id='dotdot'),
    pytest.param('a/b', id='slash'),
    pytest.param('../../session', id='dotdot-slash'),
    pytest.param('a?b=c', id='question'),
    pytest.param('a#b', id='hash'),
    pytest.param('a b', id='space'),
    pytest.param('   ', id='blank'),
    pytest.param('a\tb', id='tab'),
    pytest.param('a\nb', id='newline'),
    pytest.param('a\x00b', id='nul'),
    pytest.param('a\x1bb', id='escape'),
    pytest.param(LONG, id='10000-chars'),
]
# The modules that take an update session id, the spelling the case uses, and the names a msg may use.
ID_OPTION = {
    'update_session': ('id', ('update_session_id', 'id')),
    'update_session_info': ('id', ('update_session_id', 'id')),
    'update_session_fail': ('update_session_id', ('update_session_id', 'id')),
    'update_session_file': ('update_session_id', ('update_session_id', 'id')),
    'update_session_file_info': ('id', ('update_session_id', 'id')),
}
SHORT_BAD_IDS = ['', '..', 'a/b', 'a?b', 'a b', LONG]


def names_option(msg: str, names: tuple[str, ...]) -> bool:
    """Whether msg names one of the option's names as a word (``id`` is not found inside ``update_session_id``)."""
    return any(re.search(r'(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])' % re.escape(name), msg) for name in names)


@pytest.fixture(scope='module')
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp('relia-files')
    good = base / 'good.iso'
    good.write_bytes(b'relia' * 100)
    fifo = base / 'a-fifo'
    os.mkfifo(fifo)
    directory = base / 'a-directory'
    directory.mkdir()
    return {'good': str(good), 'fifo': str(fifo), 'dir': str(directory), 'missing': str(base / 'missing.iso'), 'dest': str(base / 'download-dest')}


def module_args(module: str, files: dict[str, str]) -> dict[str, Any]:
    """Arguments that are valid for ``module`` on their own (the case then spoils one of them)."""
    return {
        'update_session': {'id': SESSION_ID},
        'update_session_info': {'id': SESSION_ID},
        'update_session_fail': {'update_session_id': SESSION_ID, 'client_error_message': 'relia'},
        'update_session_file': {'update_session_id': SESSION_ID, 'name': 'disk.iso', 'src': files['good']},
        'update_session_file_info': {'id': SESSION_ID},
        'library_item_upload': {'library_name': 'local-lib', 'item_name': 'relia-item', 'src': files['good']},
        'library_item_copy': {'library_name': 'local-lib', 'item_name': 'relia-item', 'target': {'library_name': 'local-lib'}},
        'library_item_download': {'library_name': 'local-lib', 'item_name': 'relia-item', 'dest': files['dest']},
        'library_item_info': {'library_name': 'local-lib'},
        'library_item': {'library_name': 'local-lib', 'item_name': 'relia-item'},
    }[module]


# (case id, module, overrides, names the msg may use). Overrides with the value DROP remove the key.
DROP = object()
CASES: list[Any] = []


def case(case_id: str, module: str, overrides: dict[str, Any], *names: str) -> None:
    CASES.append(pytest.param(module, overrides, names, case_id, id=case_id))


for _module, (_key, _names) in ID_OPTION.items():
    _values = BAD_IDS if _module == 'update_session' else [pytest.param(v, id=repr(v)[:12]) for v in SHORT_BAD_IDS]
    for _value in _values:
        case('%s-id-%s' % (_module, _value.id), _module, {_key: _value.values[0]}, *_names)

# library_item_id: update_session (create/reuse path) and update_session_info (list path).
for _value in BAD_IDS:
    if _value.id in ('dotdot-slash', 'escape', 'blank'):
        continue
    case('update_session-library_item_id-%s' % _value.id, 'update_session', {'id': DROP, 'library_item_id': _value.values[0]}, 'library_item_id')
for _value in ['', '..', 'a/b', 'a#b', LONG]:
    case('update_session_info-library_item_id-%s' % repr(_value)[:12], 'update_session_info', {'id': DROP, 'library_item_id': _value}, 'library_item_id')

# source_url, ssl_certificate_thumbprint, file name, src.
_PULL = {'src': DROP, 'source_url': 'https://127.0.0.1:9/x.iso', 'ssl_certificate_thumbprint': ':'.join(['AB'] * 20)}
for _cid, _url in [
    ('bad-port', 'https://h.example:99999/x'),
    ('bare-ipv6', 'https://::1/x'),
    ('ftp', 'ftp://h.example/x'),
    ('no-host', 'https:///x'),
    ('no-scheme', 'h.example/x'),
    ('space-in-host', 'https://h example/x'),
]:
    case('source_url-%s' % _cid, 'update_session_file', dict(_PULL, source_url=_url), 'source_url')
for _cid, _thumb in [
    ('abc', 'abc'),
    ('20-bytes-no-colons', 'AB' * 20),
    ('32-bytes', ':'.join(['AB'] * 32)),
    ('non-hex', ':'.join(['ZZ'] * 20)),
    ('19-bytes', ':'.join(['AB'] * 19)),
]:
    case('thumbprint-%s' % _cid, 'update_session_file', dict(_PULL, ssl_certificate_thumbprint=_thumb), 'ssl_certificate_thumbprint')
for _cid, _name in [('slash', 'a/b.iso'), ('backslash', 'a\\b.iso'), ('dotdot', '..'), ('dot', '.'), ('empty', ''), ('nul', 'a\x00.iso')]:
    case('file-name-%s' % _cid, 'update_session_file', {'name': _name}, 'name')
    if _cid in ('slash', 'empty'):
        case('file-info-name-%s' % _cid, 'update_session_file_info', {'name': _name}, 'name')
for _cid in ('missing', 'dir', 'fifo'):
    case('src-%s' % _cid, 'update_session_file', {'src': '@' + _cid}, 'src')

# Numbers and messages.
case('client_progress--1', 'update_session', {'client_progress': -1}, 'client_progress')
case('client_progress-101', 'update_session', {'client_progress': 101}, 'client_progress')
case('client_error_message-empty', 'update_session_fail', {'client_error_message': ''}, 'client_error_message')
case('client_error_message-blank', 'update_session_fail', {'client_error_message': ' \t\n'}, 'client_error_message')
case('update_session-wait_timeout--1', 'update_session', {'state': 'completed', 'wait_timeout': -1}, 'wait_timeout')
case('file-wait_timeout--1', 'update_session_file', {'wait_timeout': -1}, 'wait_timeout')
case('file-keep_alive_interval--1', 'update_session_file', {'keep_alive_interval': -1}, 'keep_alive_interval')

# Enums outside the documented lists.
case('update_session-state-bogus', 'update_session', {'state': 'bogus'}, 'state')
case('update_session_file-state-bogus', 'update_session_file', {'state': 'completed'}, 'state')
case('warning_behavior-type-bogus', 'update_session', {'warning_behavior': [{'type': 'BOGUS'}]}, 'type', 'warning_behavior')
case('checksum_algorithm-crc32', 'update_session_file', {'checksum_algorithm': 'CRC32', 'checksum': 'ab'}, 'checksum_algorithm')

# library_item_upload: where, what and how, each refused before the first request.
_UPLOAD_BY_ID = {'library_name': DROP, 'item_name': DROP}
for _value in ['', '..', 'a/b', 'a#b', LONG]:
    case('upload-library_item_id-%s' % repr(_value)[:12], 'library_item_upload', dict(_UPLOAD_BY_ID, library_item_id=_value), 'library_item_id')
    case('upload-library_id-%s' % repr(_value)[:12], 'library_item_upload', {'library_name': DROP, 'library_id': _value}, 'library_id')
case('upload-library_name-empty', 'library_item_upload', {'library_name': ''}, 'library_name')
case('upload-item_name-blank', 'library_item_upload', {'item_name': '  '}, 'item_name')
case('upload-no-item', 'library_item_upload', {'item_name': DROP}, 'item_name', 'library_item_id')
for _cid in ('missing', 'fifo'):
    case('upload-src-%s' % _cid, 'library_item_upload', {'src': '@' + _cid}, 'src')
case('upload-source_url-bad-port', 'library_item_upload', {'src': DROP, 'source_url': 'https://h.example:99999/x.iso'}, 'source_url')
case(
    'upload-thumbprint-without-https',
    'library_item_upload',
    {'src': DROP, 'source_url': 'http://h.example/x.iso', 'ssl_certificate_thumbprint': ':'.join(['AB'] * 20)},
    'ssl_certificate_thumbprint',
)
case('upload-name-slash', 'library_item_upload', {'name': 'a/b.iso'}, 'name')
case('upload-parallel-0', 'library_item_upload', {'parallel': 0}, 'parallel')
case('upload-parallel-9', 'library_item_upload', {'parallel': 9}, 'parallel')
case('upload-wait_timeout-0', 'library_item_upload', {'wait_timeout': 0}, 'wait_timeout')
case('upload-ignore_warnings-bogus', 'library_item_upload', {'ignore_warnings': ['WEAK_CIPHER']}, 'ignore_warnings')
case('upload-keep_alive_interval--1', 'library_item_upload', {'keep_alive_interval': -1}, 'keep_alive_interval')
case('upload-item_type-blank', 'library_item_upload', {'item_type': ' '}, 'item_type')

# library_item_copy, with the target on the same simulator (test_copy.py has the rest, between two simulators).
case('copy-library_item_id-dotdot', 'library_item_copy', {'library_name': DROP, 'item_name': DROP, 'library_item_id': '..'}, 'library_item_id')
case('copy-target-port-0', 'library_item_copy', {'target': {'library_name': 'local-lib', 'port': 0}}, 'target.port')
case('copy-target-both-libraries', 'library_item_copy', {'target': {'library_name': 'local-lib', 'library_id': ITEM_ID}}, 'target.library_id')
case('copy-parallel-0', 'library_item_copy', {'parallel': 0}, 'parallel')
# library_item_download, library_item_info and library_item: ids, names, numbers, files and dest.
NAME_81 = 'n' * 81  # vCenter's names have at most 80 characters
_BY_ID = {'library_name': DROP, 'item_name': DROP}
for _module, _prefix in (('library_item_download', 'download'), ('library_item_info', 'info'), ('library_item', 'item')):
    for _value in ['', '..', 'a/b', 'a#b', 'a\x00b', LONG]:
        case('%s-library_item_id-%s' % (_prefix, repr(_value)[:12]), _module, dict(_BY_ID, library_item_id=_value), 'library_item_id')
    for _value in ['', 'a b', 'a?b']:
        case('%s-library_id-%s' % (_prefix, repr(_value)[:12]), _module, {'library_name': DROP, 'library_id': _value}, 'library_id')
    for _cid, _value in [('empty', ''), ('81-chars', NAME_81), ('control', 'local\x01lib'), ('newline', 'local\nlib')]:
        case('%s-library_name-%s' % (_prefix, _cid), _module, {'library_name': _value}, 'library_name')
    for _cid, _value in [('81-chars', NAME_81), ('escape', 'relia\x1bitem')]:
        case('%s-item_name-%s' % (_prefix, _cid), _module, {'item_name': _value}, 'item_name')
    case('%s-library_id-and-library_name' % _prefix, _module, {'library_id': str(uuid.uuid4())}, 'library_id', 'library_name')
    case('%s-nothing-named' % _prefix, _module, {'library_name': DROP, 'item_name': DROP}, 'library_item_id')
case('download-item_name-blank', 'library_item_download', {'item_name': '  '}, 'item_name')
case(
    'download-library_item_id-and-item_name',
    'library_item_download',
    {'library_name': DROP, 'library_item_id': str(uuid.uuid4())},
    'library_item_id',
    'item_name',
)
for _value in (0, 9, -1):
    case('download-parallel-%s' % _value, 'library_item_download', {'parallel': _value}, 'parallel')
case('download-keep_alive_interval--1', 'library_item_download', {'keep_alive_interval': -1}, 'keep_alive_interval')
case('download-wait_timeout-0', 'library_item_download', {'wait_timeout': 0}, 'wait_timeout')
case('download-wait_timeout--5', 'library_item_download', {'wait_timeout': -5}, 'wait_timeout')
for _cid, _files in [
    ('slash', ['a/b.vmdk']),
    ('dotdot-slash', ['../etc/passwd']),
    ('dotdot', ['..']),
    ('empty', ['']),
    ('backslash', ['a\\b']),
    ('nul', ['a\x00b']),
    ('newline', ['a\nb']),
    ('256-chars', ['f' * 256]),
]:
    case('download-files-%s' % _cid, 'library_item_download', {'files': _files}, 'files')
case('download-format-ova-with-files', 'library_item_download', {'format': 'ova', 'files': ['vm.ovf']}, 'files', 'format')
case('download-format-zip', 'library_item_download', {'format': 'zip'}, 'format')
case('download-dest-empty', 'library_item_download', {'dest': ''}, 'dest')
case('download-dest-blank', 'library_item_download', {'dest': '   '}, 'dest')
case('download-dest-missing', 'library_item_download', {'dest': DROP}, 'dest')
# The file arguments, which Ansible applies only once the files are written: checked before anything is fetched.
case('download-mode-bogus', 'library_item_download', {'mode': 'u=rwx,bogus'}, 'mode')
case('download-mode-not-octal', 'library_item_download', {'mode': '0999'}, 'mode')
case('download-owner-unknown', 'library_item_download', {'owner': 'relia-no-such-user'}, 'owner')
case('download-group-unknown', 'library_item_download', {'group': 'relia-no-such-group'}, 'group')
case('item-item_name-empty', 'library_item', {'item_name': ''}, 'item_name')
case('item-item_type-blank', 'library_item', {'item_type': ' '}, 'item_type')
case('item-item_type-81-chars', 'library_item', {'item_type': NAME_81}, 'item_type')
case('item-item_description-2001-chars', 'library_item', {'item_description': 'd' * 2001}, 'item_description')
case('item-state-deleted', 'library_item', {'state': 'deleted'}, 'state')

# Connection options (any module takes them; each case on one module, both flavours via the sim fixture).
CONNECTION_CASES = [
    pytest.param({'port': 0}, ('port',), 'port-0', id='port-0'),
    pytest.param({'port': -1}, ('port',), 'port--1', id='port--1'),
    pytest.param({'port': 70000}, ('port',), 'port-70000', id='port-70000'),
    pytest.param({'timeout': 0}, ('timeout',), 'timeout-0', id='timeout-0'),
    pytest.param({'timeout': -5}, ('timeout',), 'timeout--5', id='timeout--5'),
    pytest.param({'ca_path': '/nonexistent/relia/ca.pem'}, ('ca_path',), 'ca_path-missing', id='ca_path-missing'),
    pytest.param({'hostname': 'h' * 100000}, ('hostname',), 'hostname-100000-chars', id='hostname-100000-chars'),
    pytest.param({'hostname': 'vc enter.example'}, ('hostname',), 'hostname-with-space', id='hostname-with-space'),
    pytest.param({'hostname': ''}, ('hostname',), 'hostname-empty', id='hostname-empty'),
    pytest.param({'hostname': '@host-port-conflict'}, ('port',), 'hostname-port-conflicts-with-port', id='hostname-port-conflicts-with-port'),
    pytest.param({'hostname': 'https://127.0.0.1:99999'}, ('hostname', 'port'), 'hostname-url-port-99999', id='hostname-url-port-99999'),
    pytest.param({'hostname': 'ftp://127.0.0.1/'}, ('hostname',), 'hostname-url-ftp', id='hostname-url-ftp'),
    pytest.param({'api_flavor': 'soap'}, ('api_flavor',), 'api_flavor-soap', id='api_flavor-soap'),
    pytest.param({'retries': -1}, ('retries',), 'retries--1', id='retries--1'),
    pytest.param({'retries': 11}, ('retries',), 'retries-11', id='retries-11'),
    pytest.param({'proxy_host': 'a proxy', 'proxy_port': 3128}, ('proxy_host',), 'proxy_host-space', id='proxy_host-space'),
    pytest.param({'proxy_host': 'proxy.example', 'proxy_port': 70000}, ('proxy_port',), 'proxy_port-70000', id='proxy_port-70000'),
    pytest.param({'proxy_port': 3128}, ('proxy_port', 'proxy_host'), 'proxy_port-without-host', id='proxy_port-without-host'),
    pytest.param({'proxy_protocol': 'socks5'}, ('proxy_protocol',), 'proxy_protocol-socks5', id='proxy_protocol-socks5'),
]


def _resolve(value: Any, files: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith('@') and value[1:] in files:
        return files[value[1:]]
    return value


def _apply(args: dict[str, Any], overrides: dict[str, Any], files: dict[str, str]) -> dict[str, Any]:
    args = dict(args)
    for key, value in overrides.items():
        if value is DROP:
            args.pop(key, None)
        else:
            args[key] = _resolve(value, files)
    return args


# Transport failures mean the module tried to reach a server with the bad value instead of refusing it.
TRANSPORT_ERRORS = ('CONNECTION_ERROR', 'REQUEST_ERROR', 'TLS_ERROR', 'TIMED_OUT', 'PROXY_ERROR')


def assert_refused(run: h.ModuleRun, names: tuple[str, ...], sent: list[dict[str, Any]]) -> None:
    h.assert_no_traceback(run)
    assert run.failed, 'the task should have been refused: %r' % run
    assert names_option(run.msg, names), 'msg should name %s: %r' % (' or '.join(names), run.msg[:500])
    assert (run.result or {}).get('error_type') not in TRANSPORT_ERRORS, 'the value was used to connect instead of being refused: %r' % run.msg[:500]
    assert sent == [], 'requests were sent before the input was checked: %s' % [(e['method'], e['path'][:80], e['query'][:40]) for e in sent]


def _case_flavor(index: int) -> str:
    # Alternate the flavours over the module cases: both are covered without doubling the run time.
    return h.API if index % 2 == 0 else h.REST


@pytest.fixture(scope='module')
def refusals(sim_api: h.Sim, sim_rest: h.Sim, files: dict[str, str]) -> dict[str, Any]:
    """Every case, run once as a module process; the cases run on four workers (see run_attributed)."""
    sims = {h.API: sim_api, h.REST: sim_rest}
    for sim in sims.values():
        sim.reset()
    jobs = []
    for index, param in enumerate(CASES):
        module, overrides, _names, case_id = param.values
        sim = sims[_case_flavor(index)]
        jobs.append((case_id, sim, module, _apply(dict(sim.conn(), **module_args(module, files)), overrides, files)))
    for param in CONNECTION_CASES:
        overrides, _names, case_id = param.values
        for flavor, sim in sims.items():
            if overrides.get('hostname') == '@host-port-conflict':
                # The simulator's port written in hostname, and another one in port.
                overrides = {'hostname': '127.0.0.1:%s' % sim.port, 'port': sim.port + 1 if sim.port < 65535 else 1}
            args = dict(sim.conn(), **module_args('update_session_info', files))
            args.update(overrides)
            jobs.append(('%s-%s' % (flavor, case_id), sim, 'update_session_info', args))
    return h.run_attributed(jobs)


@pytest.mark.parametrize('module, overrides, names, case_id', CASES)
def test_bad_module_input_is_refused_before_any_request(
    refusals: dict[str, Any], module: str, overrides: dict[str, Any], names: tuple[str, ...], case_id: str
) -> None:
    run, sent = refusals[case_id]
    assert run.name == module
    assert_refused(run, names, sent)


@pytest.mark.parametrize('flavor', [h.API, h.REST])
@pytest.mark.parametrize('overrides, names, case_id', CONNECTION_CASES)
def test_bad_connection_option_is_refused_before_any_request(
    refusals: dict[str, Any], flavor: str, overrides: dict[str, Any], names: tuple[str, ...], case_id: str
) -> None:
    run, sent = refusals['%s-%s' % (flavor, case_id)]
    assert_refused(run, names, sent)


def test_the_case_list_covers_the_issue() -> None:
    """At least 80 cases, over every module of relia_helpers.MODULES."""
    assert len(CASES) + 2 * len(CONNECTION_CASES) >= 80
    assert set(param.values[0] for param in CASES) == set(h.MODULES)


# -- accepted forms ----------------------------------------------------------------------------------

HOSTNAME_FORMS = {
    'host:port': ('127.0.0.1:{port}', False),
    'host:port-and-the-same-port': ('127.0.0.1:{port}', True),
    'https://host:port/': ('https://127.0.0.1:{port}/', False),
    'https://host:port': ('https://127.0.0.1:{port}', False),
    'localhost:port': ('localhost:{port}', False),
}


@pytest.mark.parametrize('form', sorted(HOSTNAME_FORMS))
def test_accepted_hostname_forms_reach_the_right_port(sim: h.Sim, form: str) -> None:
    """hostname may carry the port; the default port (443) must not win over it."""
    template, with_port = HOSTNAME_FORMS[form]
    args = sim.conn(hostname=template.format(port=sim.port))
    if not with_port:
        del args['port']
    args['library_item_id'] = sim.items['empty-iso']['id']
    run = h.run_module('update_session_info', args)
    h.assert_no_traceback(run)
    assert not run.failed, run
    operations = [entry['operation'] for entry in sim.log()]
    assert 'session.create' in operations and 'update_session.list' in operations, operations


@pytest.mark.parametrize('retries', [0, 3, 10])
def test_retries_option_is_accepted(sim_api: h.Sim, retries: int) -> None:
    """The new connection option ``retries`` (default 3): valid values are taken."""
    sim_api.reset()
    args = sim_api.conn(retries=retries, library_item_id=sim_api.items['empty-iso']['id'])
    run = h.run_module('update_session_info', args)
    h.assert_no_traceback(run)
    assert not run.failed, run


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(('::1', 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason='no IPv6 loopback (::1) on this machine')
def test_accepted_bracketed_ipv6_with_port(tmp_path: Path) -> None:
    with running_simulator(['--flavor', 'api', '--log-level', 'error', '--host', '::1']) as info:
        sim = h.Sim(info, h.API)
        sim.reset()
        args = sim.conn(hostname='[::1]:%s' % sim.port)
        del args['port']
        args['library_item_id'] = info['items']['empty-iso']['id']
        run = h.run_module('update_session_info', args)
        h.assert_no_traceback(run)
        assert not run.failed, run
        assert 'session.create' in [entry['operation'] for entry in sim.log()]
