# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 15, in the style of test_bad_answers.py: malformed answers to the download, item and library operations.

The client talks to a fake vCenter (relia_download.DownloadVCenter) that gives one malformed answer to one
operation: a ``ContentLibraryError`` with the HTTP status, the operation's words and the first 200 characters of
the body, and the operation is not sent again. Then library_item_download, run as a process against such a fake:
a failed task with that msg, no traceback, no temporary file in the destination, the download session (when one
was opened) failed and deleted, and the login ended. File names from vCenter that are not plain names (``../``,
``/``, ``\\``, control characters) are refused before anything is opened or written: the simulator cannot produce
them (it refuses such names as vCenter does), this fake can.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

import relia_download as d
import relia_helpers as h
from ansible_collections.vsphere.content_library.plugins.module_utils._operations import OPERATIONS
from test_bad_answers import assert_clean_error, body_for, client_for, squash

# Bodies of the download and item models, wrapped per flavour like body_for's.
MODEL_BODIES: dict[str, Any] = {
    'endpoint-not-url': {'name': d.FILE_NAME, 'status': 'PREPARED', 'download_endpoint': {'uri': 'ftp://127.0.0.1/disk.iso'}},
    'endpoint-not-object': {'name': d.FILE_NAME, 'status': 'PREPARED', 'download_endpoint': 'https://127.0.0.1/disk.iso'},
    'download-session-state-bogus': {'library_item_id': d.ITEM_ID, 'state': 'PREPARING'},
    'size-not-a-number': {'name': d.FILE_NAME, 'status': 'PREPARED', 'size': '4 GB'},
    'item-without-library': {'name': 'relia-item', 'type': 'iso'},
    'library-type-bogus': {'name': 'relia-lib', 'type': 'PUBLISHED'},
    'files-size-not-a-number': [{'name': d.FILE_NAME, 'size': 'big'}],
    'files-not-objects': [d.FILE_NAME, 42],
    'checksum-not-a-string': [{'name': d.FILE_NAME, 'size': 3, 'checksum_info': {'algorithm': 'SHA1', 'checksum': 123}}],
}


def body(kind: str, flavor: str) -> tuple[str, str]:
    if kind in MODEL_BODIES:
        value = MODEL_BODIES[kind]
        return json.dumps({'value': value} if flavor == h.REST else value), 'application/json'
    return body_for(kind, flavor)


SESSION = {'download_session_id': d.DOWNLOAD_SESSION_ID}
FILE = dict(SESSION, file_name=d.FILE_NAME)
# What each operation is called with, and the malformed bodies that apply (a list answered null is an empty list).
CALLS: dict[str, tuple[dict[str, Any], list[str]]] = {
    'download_session.create': (
        {'create_spec': {'library_item_id': d.ITEM_ID}, 'client_token': str(uuid.uuid4())},
        ['html', 'empty', 'truncated-json', 'null', 'value-null', 'object-for-string', 'list-for-object', 'number'],
    ),
    'download_session.get': (SESSION, ['html', 'empty', 'null', 'value-null', 'list-for-object', 'session-without-state', 'download-session-state-bogus']),
    'download_session.keep_alive': (dict(SESSION, progress=10), ['html', 'truncated-json']),
    'download_file.list': (SESSION, ['html', 'empty', 'truncated-json', 'object-for-list', 'list-of-non-strings']),
    'download_file.get': (FILE, ['html', 'empty', 'null', 'value-null', 'file-without-status', 'file-status-bogus', 'endpoint-not-url', 'size-not-a-number']),
    'download_file.prepare': (
        dict(FILE, endpoint_type='HTTPS'),
        ['html', 'empty', 'truncated-json', 'null', 'list-for-object', 'file-status-bogus', 'endpoint-not-url', 'endpoint-not-object'],
    ),
    'item.get': ({'library_item_id': d.ITEM_ID}, ['html', 'empty', 'null', 'value-null', 'item-without-library']),
    'item_file.list': (
        {'library_item_id': d.ITEM_ID},
        ['html', 'truncated-json', 'object-for-list', 'files-not-objects', 'files-size-not-a-number', 'checksum-not-a-string'],
    ),
    'library.get': ({'library_id': d.LIBRARY_ID}, ['html', 'null', 'library-type-bogus']),
    'library.find': ({'find_spec': {'name': 'relia-lib'}}, ['html', 'object-for-list', 'list-of-non-strings']),
    'item.find': ({'find_spec': {'name': 'relia-item', 'library_id': d.LIBRARY_ID}}, ['html', 'number']),
}
CREATED = ('download_session.create',)


def _cases() -> list[Any]:
    return [
        pytest.param(flavor, op, kind, id='%s-%s-%s' % (flavor, op, kind))
        for flavor in (h.API, h.REST)
        for op, (_params, kinds) in CALLS.items()
        for kind in kinds
    ]


@pytest.fixture(scope='module')
def fakes(tls: h.TLSMaterial) -> Any:
    with d.DownloadVCenter(tls, h.API) as api, d.DownloadVCenter(tls, h.REST) as rest:
        yield {h.API: api, h.REST: rest}


@pytest.fixture
def fake(request: pytest.FixtureRequest, fakes: dict[str, d.DownloadVCenter]) -> d.DownloadVCenter:
    vcenter = fakes[request.node.callspec.params['flavor']]
    vcenter.answers.clear()
    vcenter.ops.clear()
    vcenter.logged_out.clear()
    return vcenter


@pytest.mark.parametrize('flavor, op, kind', _cases())
def test_malformed_answer_to_a_download_operation(fake: d.DownloadVCenter, flavor: str, op: str, kind: str) -> None:
    params, _kinds = CALLS[op]
    text, content_type = body(kind, flavor)
    status = 201 if flavor == h.API and op in CREATED else 200
    fake.answers[op] = h.Answer(status, text, headers={'Content-Type': content_type})
    client = client_for(fake)
    client.login()
    error = None
    try:
        client.call(op, **params)
    except BaseException as exc:  # pylint: disable=broad-except
        error = exc
    finally:
        client.logout()
        client.close()
    assert_clean_error(error, status, OPERATIONS[op].describe(params), text)
    assert fake.count(op) == 1, 'a malformed answer to a %s must not be repeated: %s' % (op, fake.ops)


@pytest.mark.parametrize('flavor', [h.API, h.REST])
def test_good_download_answers_are_taken(fake: d.DownloadVCenter, flavor: str) -> None:
    """The control: the fake's good answers pass, so the failures above are about the bodies."""
    client = client_for(fake)
    try:
        client.login()
        for op, (params, _kinds) in CALLS.items():
            client.call(op, **params)
    finally:
        client.logout()
        client.close()
    assert fake.ops.count('download_session.create') == 1


# -- through library_item_download ---------------------------------------------------------------------------

BY_NAME = {'library_name': 'relia-lib', 'item_name': 'relia-item'}
BY_ID = {'library_item_id': d.ITEM_ID}


def bad_names(*names: str) -> list[dict[str, Any]]:
    return [{'name': name, 'size': 3, 'checksum_info': {'algorithm': 'SHA1', 'checksum': '0' * 40}} for name in names]


# (id, args, operation answered badly, body kind (or None: ``answer`` below), words the msg must hold, item files)
MODULE_CASES: list[tuple[str, dict[str, Any], str, str | None, str, list[dict[str, Any]] | None]] = [
    ('library-find-html', BY_NAME, 'library.find', 'html', 'find library relia-lib', None),
    ('library-get-type-bogus', BY_NAME, 'library.get', 'library-type-bogus', 'get library lib-0001', None),
    ('item-find-html', BY_NAME, 'item.find', 'html', 'find library item relia-item in library lib-0001', None),
    ('item-get-value-null', BY_ID, 'item.get', 'value-null', 'get library item item-0001', None),
    ('item-files-html', BY_ID, 'item_file.list', 'html', 'list the files of library item item-0001', None),
    ('item-files-not-objects', BY_ID, 'item_file.list', 'files-not-objects', 'list the files of library item', None),
    ('create-html', BY_ID, 'download_session.create', 'html', 'create a download session for library item item-0001', None),
    ('create-object', BY_NAME, 'download_session.create', 'object-for-string', 'create a download session', None),
    ('prepare-html', BY_ID, 'download_file.prepare', 'html', 'prepare file disk.iso of download session dl-0001', None),
    ('prepare-status-bogus', BY_ID, 'download_file.prepare', 'file-status-bogus', 'prepare file disk.iso', None),
    ('prepare-endpoint-not-url', BY_NAME, 'download_file.prepare', 'endpoint-not-url', 'prepare file disk.iso', None),
    ('prepare-truncated', BY_ID, 'download_file.prepare', 'truncated-json', 'prepare file disk.iso', None),
    ('get-while-preparing-empty', BY_ID, 'download_file.get', 'empty', 'get file disk.iso of download session dl-0001', None),
    ('get-after-download-truncated', BY_ID, 'download_file.get', 'truncated-json', 'get file disk.iso', None),
    ('get-after-download-html', BY_NAME, 'download_file.get', 'html', 'get file disk.iso', None),
    ('prepared-without-endpoint', BY_ID, 'download_file.prepare', None, 'the PREPARED file has no download_endpoint', None),
    ('download-is-an-html-page', BY_ID, 'file.download', None, 'disk.iso', None),
    ('download-404', BY_ID, 'file.download', None, 'download file disk.iso', None),
    # File names that are not plain names: refused before any session is opened or any byte written.
    ('name-dotdot-slash', BY_ID, 'item_file.list', None, "'../evil.iso'", bad_names('../evil.iso')),
    ('name-absolute', BY_ID, 'item_file.list', None, "'/etc/cron.d/evil'", bad_names('disk.iso', '/etc/cron.d/evil')),
    ('name-backslash', BY_ID, 'item_file.list', None, 'must be a plain file name', bad_names('..\\..\\evil.iso')),
    ('name-dotdot', BY_NAME, 'item_file.list', None, "'..'", bad_names('..')),
    ('name-newline', BY_ID, 'item_file.list', None, 'control characters', bad_names('evil\n.iso')),
    ('name-nul', BY_ID, 'item_file.list', None, 'NUL character', bad_names('evil\x00.iso')),
]
SESSION_OPS = ('download_file.prepare', 'download_file.get', 'file.download')


def _special_answer(fake: d.DownloadVCenter, case_id: str) -> Any:
    """The answers that are not a malformed body: a PREPARED file without an endpoint, an HTML page, a 404."""
    if case_id == 'prepared-without-endpoint':
        return fake.ok({'name': d.FILE_NAME, 'status': 'PREPARED', 'bytes_transferred': 0})
    if case_id == 'download-is-an-html-page':
        return h.Answer(200, body_for('html', fake.flavor)[0], headers={'Content-Type': 'text/html'})
    if case_id == 'download-404':
        return fake.error(404, 'not_found', 'The download session dl-0001 was not found.')
    return None


@pytest.fixture(scope='module')
def module_runs(tls: h.TLSMaterial, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each case against its own fake vCenter (the flavours alternately), run concurrently."""
    base = tmp_path_factory.mktemp('relia-dl-answers')
    results: dict[str, Any] = {}
    fakes = []
    calls = []
    try:
        for index, (case_id, args, op, kind, _words, files) in enumerate(MODULE_CASES):
            flavor = h.API if index % 2 == 0 else h.REST
            fake = d.DownloadVCenter(tls, flavor, item_files=files).__enter__()
            fakes.append(fake)
            if op == 'download_file.get' and case_id.startswith('get-while-preparing'):
                fake.answers['download_file.prepare'] = fake.ok(fake.prepared('PREPARING'))
            if kind is not None:
                text, content_type = body(kind, flavor)
                status = 201 if flavor == h.API and op in CREATED else 200
                fake.answers[op] = h.Answer(status, text, headers={'Content-Type': content_type})
            elif files is None:
                fake.answers[op] = _special_answer(fake, case_id)
            dest = base / case_id
            calls.append(('library_item_download', dict(fake.connection(), dest=str(dest), **args)))
        runs = h.run_modules(calls, workers=2)
        for (case_id, *_rest), run, fake, (_module, args) in zip(MODULE_CASES, runs, fakes, calls):
            results[case_id] = (run, fake, Path(args['dest']))
    finally:
        for fake in fakes:
            fake.__exit__(None, None, None)
    return results


@pytest.mark.parametrize('case_id, args, op, kind, words, files', MODULE_CASES, ids=[c[0] for c in MODULE_CASES])
def test_download_fails_cleanly_on_a_malformed_answer(
    module_runs: dict[str, Any], case_id: str, args: dict[str, Any], op: str, kind: str | None, words: str, files: list[dict[str, Any]] | None
) -> None:
    run, fake, dest = module_runs[case_id]
    h.assert_no_traceback(run)
    assert run.failed, 'a malformed answer to %s was taken as valid: %r' % (op, run.result)
    assert words in run.msg, run.msg
    if kind is not None:
        text, _content_type = body(kind, fake.flavor)
        assert run.result.get('error_type') == 'BAD_ANSWER', run.result
        status = 201 if fake.flavor == h.API and op in CREATED else 200
        assert 'vCenter answered HTTP %d' % status in run.msg, 'no HTTP status in %r' % run.msg
        if text.strip():
            assert squash(text[:200]) in squash(run.msg), run.msg
    if files is not None:
        assert run.result.get('error_type') == 'BAD_ANSWER' and 'nothing was written' in run.msg, run.result
        assert 'download_session.create' not in fake.ops, fake.ops
    # Nothing is left in the destination: no temporary file, no file under its final name.
    assert d.listing(dest) == [], d.listing(dest)
    # A session the task opened was failed with the reason and deleted; the login was ended.
    if op in SESSION_OPS:
        assert fake.count('download_session.fail') == 1 and fake.count('download_session.delete') == 1, fake.ops
        assert d.DOWNLOAD_SESSION_ID in run.msg and 'was failed with this reason, and it was deleted' in run.msg, run.msg
    assert fake.logged_out == fake.tokens, (fake.tokens, fake.logged_out)
    assert len(fake.ops) <= 20, fake.ops


def test_download_control_run_succeeds(tls: h.TLSMaterial, tmp_path: Path) -> None:
    """The control: the fake's good answers make a download that succeeds, so the failures above are about the answers."""
    with d.DownloadVCenter(tls, h.REST) as fake:
        run = h.run_module('library_item_download', dict(fake.connection(), dest=str(tmp_path / 'out'), **BY_NAME))
    h.assert_no_traceback(run)
    assert not run.failed, run
    assert (tmp_path / 'out' / d.FILE_NAME).read_bytes() == d.CONTENT
    assert d.listing(tmp_path / 'out') == [d.FILE_NAME]
    assert fake.count('download_session.delete') == 1 and fake.count('download_session.fail') == 0, fake.ops
