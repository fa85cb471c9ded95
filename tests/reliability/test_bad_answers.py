# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 9, Must (6) and (7): a 2xx answer that is not the JSON the operation returns fails cleanly.

The client (``RestClient``) talks to a fake vCenter (tests' own HTTPS server, trustme CA) that
gives one malformed answer to one operation. Expected: a ``ContentLibraryError`` subclass, never
another exception, whose message holds the HTTP status, what the client was doing (the
operation's words), and the first 200 characters of the body. Then the same through the modules,
run as processes: a failed task with that msg, no traceback, and no request per character.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

import relia_helpers as h
from ansible_collections.vsphere.content_library.plugins.module_utils._client import RestClient
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import ContentLibraryError
from ansible_collections.vsphere.content_library.plugins.module_utils._operations import OPERATIONS

SESSION_ID = 'sess-0001'
HTML = (
    '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>'
    '<p>The proxy server received an invalid response from an upstream server. Reference #97.1f2e3d4c; '
    'please contact your administrator if the problem persists.</p><hr><address>relia-proxy/1.0</address>'
    '</body></html>'
)
assert len(HTML) > 250
HTML_LOGIN = (
    '<html><head><title>vSphere Client</title></head><body><form action="/websso/SAML2/SSO">'
    '<input name="username"><input name="password" type="password"></form>' + 'x' * 200 + '</body></html>'
)

# The malformed bodies: (id, body, content type).
BODIES = {
    'html': (HTML, 'text/html'),
    'empty': ('', 'application/json'),
    'truncated-json': ('{"library_item_id": "item-1", "state": "ACT', 'application/json'),
    'null': ('null', 'application/json'),
    'value-null': ('{"value": null}', 'application/json'),
    'list-for-object': ('[{"state": "ACTIVE"}, 2, "three"]', 'application/json'),
    'object-for-list': ('{"id": "sess-0001", "state": "ACTIVE"}', 'application/json'),
    'object-for-string': ('{"id": "sess-0001"}', 'application/json'),
    'number': ('42', 'application/json'),
    'session-without-state': (None, 'application/json'),  # filled per flavour below
    'state-bogus': (None, 'application/json'),
    'file-without-status': (None, 'application/json'),
    'file-status-bogus': (None, 'application/json'),
    'file-without-upload-endpoint': (None, 'application/json'),
    'list-of-non-strings': ('[1, {"id": "x"}, null]', 'application/json'),
    'login-html': (HTML_LOGIN, 'text/html'),
}

# What each operation is called with, and which bad bodies apply to it.
CALLS = {
    'update_session.get': (
        {'update_session_id': SESSION_ID},
        ['html', 'empty', 'truncated-json', 'null', 'value-null', 'list-for-object', 'number', 'session-without-state', 'state-bogus'],
    ),
    # A list answered null is an empty list (Go's encoding, as govmomi's vcsim sends it): not a bad answer.
    'update_session.list': ({'library_item_id': 'item-1'}, ['html', 'empty', 'truncated-json', 'object-for-list', 'number', 'list-of-non-strings']),
    'update_session.create': (
        {'create_spec': {'library_item_id': 'item-1'}, 'client_token': '6f1c2d3e-4b5a-4c6d-8e7f-901234567890'},
        ['html', 'empty', 'truncated-json', 'null', 'value-null', 'object-for-string', 'list-for-object', 'number'],
    ),
    # Void operations: an empty answer is right for them; a page or broken JSON is not.
    'update_session.update': ({'update_session_id': SESSION_ID, 'update_spec': {'warning_behavior': []}}, ['html', 'truncated-json']),
    'update_session.keep_alive': ({'update_session_id': SESSION_ID, 'client_progress': 10}, ['html', 'truncated-json']),
    'update_session.complete': ({'update_session_id': SESSION_ID}, ['html', 'truncated-json']),
    'update_session.fail': ({'update_session_id': SESSION_ID, 'client_error_message': 'relia'}, ['html', 'truncated-json']),
    'file.add': (
        {'update_session_id': SESSION_ID, 'file_spec': {'name': 'disk.iso', 'source_type': 'PUSH', 'size': 3}},
        [
            'html',
            'empty',
            'truncated-json',
            'null',
            'value-null',
            'list-for-object',
            'number',
            'file-without-status',
            'file-status-bogus',
            'file-without-upload-endpoint',
        ],
    ),
}
LOGIN_BODIES = ['login-html', 'html', 'empty', 'truncated-json', 'null', 'value-null', 'list-for-object', 'object-for-string', 'number']


def body_for(kind: str, flavor: str) -> tuple[str, str]:
    """The malformed body text; the model-shaped ones are wrapped as the flavour wraps results."""
    import json  # pylint: disable=import-outside-toplevel

    text, content_type = BODIES[kind]
    if text is not None:
        return text, content_type
    session = h.fake_session()
    upload = {'uri': 'https://127.0.0.1:1/cls-data/%s/disk.iso' % SESSION_ID}
    value: Any = {
        'session-without-state': dict((k, v) for k, v in session.items() if k != 'state'),
        'state-bogus': dict(session, state='BOGUS'),
        'file-without-status': dict((k, v) for k, v in h.fake_file(upload_uri=upload['uri']).items() if k != 'status'),
        'file-status-bogus': h.fake_file(status='BOGUS', upload_uri=upload['uri']),
        'file-without-upload-endpoint': h.fake_file(status='WAITING_FOR_TRANSFER'),
    }[kind]
    return json.dumps({'value': value} if flavor == h.REST else value), content_type


def squash(text: str) -> str:
    return ' '.join(text.split())


def client_for(fake: h.FakeVCenter, **kwargs: Any) -> RestClient:
    conn = fake.connection()
    return RestClient(
        conn['hostname'], conn['username'], conn['password'], port=conn['port'], ca_path=conn['ca_path'], api_flavor=fake.flavor, timeout=10, **kwargs
    )


def assert_clean_error(exc: BaseException | None, status: int, words: str, body: str) -> None:
    assert exc is not None, 'the malformed answer was accepted'
    assert isinstance(exc, ContentLibraryError), 'not a ContentLibraryError: %s: %s' % (type(exc).__name__, exc)
    message = str(exc)
    assert str(status) in message, 'the HTTP status %s is not in %r' % (status, message[:400])
    assert words in message, 'the operation (%r) is not in %r' % (words, message[:400])
    if body.strip():
        assert squash(body[:200]) in squash(message), 'the first 200 characters of the body are not in %r' % message[:600]


def _cases() -> list[Any]:
    cases = []
    for flavor in (h.API, h.REST):
        for op, (_params, kinds) in CALLS.items():
            for kind in kinds:
                cases.append(pytest.param(flavor, op, kind, id='%s-%s-%s' % (flavor, op, kind)))
    return cases


@pytest.fixture(scope='module')
def fakes(tls: h.TLSMaterial) -> Any:
    with h.FakeVCenter(tls, h.API) as api, h.FakeVCenter(tls, h.REST) as rest:
        yield {h.API: api, h.REST: rest}


@pytest.fixture
def fake(request: pytest.FixtureRequest, fakes: dict[str, h.FakeVCenter]) -> h.FakeVCenter:
    flavor = request.node.callspec.params['flavor']
    vcenter = fakes[flavor]
    vcenter.answers.clear()
    vcenter.ops.clear()
    vcenter.logged_out.clear()  # tokens stay valid: a test may still log out a login of an earlier one
    return vcenter


@pytest.mark.parametrize('flavor, op, kind', _cases())
def test_malformed_answer_to_an_operation(fake: h.FakeVCenter, flavor: str, op: str, kind: str) -> None:
    params, _kinds = CALLS[op]
    text, content_type = body_for(kind, flavor)
    # A create answers 201 on /api, every other success here 200 (a page with 204 cannot have a body).
    status = 201 if flavor == h.API and op in ('update_session.create', 'file.add') else 200
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
@pytest.mark.parametrize('kind', LOGIN_BODIES)
def test_malformed_answer_to_the_login(fake: h.FakeVCenter, flavor: str, kind: str) -> None:
    text, content_type = body_for(kind, flavor)
    status = 201 if flavor == h.API else 200
    fake.answers['session.create'] = h.Answer(status, text, headers={'Content-Type': content_type})
    client = client_for(fake)
    error = None
    try:
        client.login()
    except BaseException as exc:  # pylint: disable=broad-except
        error = exc
    finally:
        client.logout()
        client.close()
    assert_clean_error(error, status, 'log in', text)
    assert client._token is None  # pylint: disable=protected-access
    assert fake.count('session.create') == 1 and fake.count('update_session.get') == 0, fake.ops


# -- through the modules ------------------------------------------------------------------------------

MODULE_CASES = [
    # (id, module, args, operation answered badly, body kind, words the msg must hold)
    ('info-list-html', 'update_session_info', {'library_item_id': 'item-1'}, 'update_session.list', 'html', 'list update sessions'),
    ('info-list-object', 'update_session_info', {'library_item_id': 'item-1'}, 'update_session.list', 'object-for-list', 'list update sessions'),
    ('info-get-empty', 'update_session_info', {'id': SESSION_ID}, 'update_session.get', 'empty', 'get update session'),
    ('info-get-null', 'update_session_info', {'id': SESSION_ID}, 'update_session.get', 'null', 'get update session'),
    ('info-get-value-null', 'update_session_info', {'id': SESSION_ID}, 'update_session.get', 'value-null', 'get update session'),
    ('info-get-truncated', 'update_session_info', {'id': SESSION_ID}, 'update_session.get', 'truncated-json', 'get update session'),
    (
        'complete-get-without-state',
        'update_session',
        {'id': SESSION_ID, 'state': 'completed'},
        'update_session.get',
        'session-without-state',
        'get update session',
    ),
    ('present-get-state-bogus', 'update_session', {'id': SESSION_ID, 'keep_alive': True}, 'update_session.get', 'state-bogus', 'get update session'),
    ('fail-get-html', 'update_session_fail', {'id': SESSION_ID, 'client_error_message': 'relia'}, 'update_session.get', 'html', 'get update session'),
    ('file-info-login-html', 'update_session_file_info', {'id': SESSION_ID}, 'session.create', 'login-html', 'log in'),
    ('create-html', 'update_session', {'library_item_id': 'item-1'}, 'update_session.create', 'html', 'create an update session'),
]


@pytest.fixture(scope='module')
def module_runs(tls: h.TLSMaterial) -> dict[str, Any]:
    """Each module case against its own fake vCenter (both flavours alternately), run concurrently."""
    results: dict[str, Any] = {}
    fakes = []
    calls = []
    try:
        for index, (case_id, module, args, op, kind, _words) in enumerate(MODULE_CASES):
            flavor = h.API if index % 2 == 0 else h.REST
            fake = h.FakeVCenter(tls, flavor).__enter__()
            fakes.append(fake)
            if op == 'update_session.list':
                fake.answers['update_session.list'] = None
            text, content_type = body_for(kind, flavor)
            status = 201 if flavor == h.API and op in ('update_session.create', 'session.create') else 200
            fake.answers[op] = h.Answer(status, text, headers={'Content-Type': content_type})
            if op == 'update_session.create':
                fake.answers['update_session.list'] = fake.ok([])
            calls.append((module, dict(fake.connection(), **args)))
        runs = h.run_modules(calls, workers=2)
        for (case_id, _module, _args, _op, _kind, _words), run, fake in zip(MODULE_CASES, runs, fakes):
            results[case_id] = (run, fake)
    finally:
        for fake in fakes:
            fake.__exit__(None, None, None)
    return results


@pytest.mark.parametrize('case_id, module, args, op, kind, words', MODULE_CASES, ids=[c[0] for c in MODULE_CASES])
def test_module_fails_cleanly_on_a_malformed_answer(
    module_runs: dict[str, Any], case_id: str, module: str, args: dict[str, Any], op: str, kind: str, words: str
) -> None:
    run, fake = module_runs[case_id]
    h.assert_no_traceback(run)
    assert run.failed, 'a malformed answer to %s was taken as valid: %r' % (op, run.result)
    assert words in run.msg, run.msg
    text, _content_type = body_for(kind, fake.flavor)
    if text.strip():
        assert squash(text[:200]) in squash(run.msg), run.msg
    # Nothing iterates over a body of the wrong type: no request per character or per field.
    assert fake.count('update_session.get') <= 1, fake.ops
    assert len(fake.ops) <= 8, fake.ops
    # The login was ended, whatever happened (a login that failed has nothing to end).
    if op != 'session.create':
        assert fake.logged_out == fake.tokens, (fake.tokens, fake.logged_out)
    assert re.search(r'\b(200|201)\b', run.msg), 'the HTTP status is not in %r' % run.msg


# -- controls: the fake vCenter's good answers are taken (so the failures above are about the bodies) ---


@pytest.mark.parametrize('flavor', [h.API, h.REST])
def test_good_answers_are_taken(fake: h.FakeVCenter, flavor: str) -> None:
    client = client_for(fake)
    try:
        client.login()
        assert client.flavor == flavor
        for op, (params, _kinds) in CALLS.items():
            result = client.call(op, **params)
            if op == 'update_session.get':
                assert result['state'] == 'ACTIVE'
            elif op == 'update_session.list':
                assert result == [SESSION_ID]
            elif op == 'update_session.create':
                assert result == SESSION_ID
            elif op == 'file.add':
                assert result['upload_endpoint']['uri'].startswith(fake.url)
            else:
                assert not result
    finally:
        client.logout()
        client.close()
    assert fake.logged_out == fake.tokens[-1:], (fake.tokens[-2:], fake.logged_out)


def test_module_control_run_succeeds(tls: h.TLSMaterial) -> None:
    with h.FakeVCenter(tls, h.API) as fake:
        run = h.run_module('update_session_info', dict(fake.connection(), library_item_id='item-1'))
    h.assert_no_traceback(run)
    assert not run.failed, run
    assert [s['state'] for s in run.result['update_sessions']] == ['ACTIVE']
