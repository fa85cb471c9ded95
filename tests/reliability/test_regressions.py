# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 9, "Why": one regression test per defect, named after it.

Defects whose regression tests live in the other suites (by test id):
* tracebacks for timeout 0/negative, a missing ca_path, a 100,000-character hostname, a source_url with a
  bad port or a bare IPv6 host; port 0 becoming 443, port 70000; ``host:port`` parsed as IPv6; typos in
  source_url, ssl_certificate_thumbprint or a file name sent to vCenter: test_bad_input.py;
* tracebacks on answers that are HTML, truncated JSON, null, a session without state: test_bad_answers.py;
* the token following redirects to other hosts and to plain http, and uploads to the host
  upload_endpoint.uri names: test_security.py.
Here each defect also gets one direct test, so that the lead's to-do reads as the issue does.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

import relia_download as d
import relia_helpers as h
from ansible_collections.vsphere.content_library.plugins.module_utils._client import RestClient
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import ContentLibraryError


def writes(sim: h.Sim) -> list[tuple[str, str]]:
    return [(entry['method'], entry['operation']) for entry in sim.log() if entry['write']]


def sessions_of(sim: h.Sim, item_id: str) -> list[dict[str, Any]]:
    return [dict(sim.get_session(sid), id=sid) for sid in sim.list_sessions(item_id)]


def fake_client(fake: h.FakeVCenter, **kwargs: Any) -> RestClient:
    conn = fake.connection()
    kwargs.setdefault('timeout', 5)
    return RestClient(conn['hostname'], conn['username'], conn['password'], port=conn['port'], ca_path=conn['ca_path'], api_flavor=fake.flavor, **kwargs)


def call_catching(client: RestClient, op: str, **params: Any) -> tuple[Any, BaseException | None]:
    try:
        client.login()
        return client.call(op, **params), None
    except BaseException as exc:  # pylint: disable=broad-except
        return None, exc
    finally:
        client.logout()
        client.close()


# -- ids --------------------------------------------------------------------------------------------------


def test_empty_id_does_not_patch_another_active_session(sim: h.Sim) -> None:
    other = sim.create_session()
    sim.reset()
    run = h.run_module('update_session', sim.conn(id='', warning_behavior=[{'type': 'UNTRUSTED_CERTIFICATE'}]))
    h.assert_clean_failure(run, 'id')
    assert writes(sim) == []
    assert sim.get_session(other)['warning_behavior'] == []


@pytest.mark.parametrize('session_id', ['.', '..'])
def test_dot_ids_are_not_normalised_into_other_urls(tls: h.TLSMaterial, session_id: str) -> None:
    with h.FakeVCenter(tls, h.API) as fake:
        _result, error = call_catching(fake_client(fake), 'update_session.get', update_session_id=session_id)
        gets = [r for r in fake.server.requests if r['method'] == 'GET']
    # Refused, or sent as its own quoted segment: never a GET of the list or of another resource.
    assert error is None or isinstance(error, ContentLibraryError), error
    for request in gets:
        assert request['path'].rsplit('/', 1)[-1].lower() in ('%2e', '%2e%2e'), request['path']


# -- "already uploaded" and state checks ---------------------------------------------------------------------


def test_file_without_server_checksum_is_not_taken_as_already_uploaded(tls: h.TLSMaterial, tmp_path: Path) -> None:
    src = tmp_path / 'disk.iso'
    src.write_bytes(b'new content, same size\n')
    with h.FakeVCenter(tls, h.API) as fake:
        # vCenter has a READY file of that name and size, and reports no checksum for it.
        fake.answers['file.list'] = fake.ok([h.fake_file(size=src.stat().st_size)])
        fake.answers['file.get'] = lambda request: fake.ok(h.fake_file(size=src.stat().st_size))
        run = h.run_module('update_session_file', dict(fake.connection(), id='sess-0001', name='disk.iso', src=str(src)))
    h.assert_no_traceback(run)
    assert fake.count('file.add') == 1 and fake.count('file.upload') == 1, fake.ops
    assert run.result.get('changed') is True, run


def test_file_on_an_error_session_is_not_reported_unchanged(sim: h.Sim, tmp_path: Path) -> None:
    content = b'already uploaded\n' * 10
    src = tmp_path / 'disk.iso'
    src.write_bytes(content)
    session_id = sim.create_session()
    sim.add_push_file(session_id, 'disk.iso', content, ('SHA1', hashlib.sha1(content).hexdigest()))
    sim.session_action(session_id, 'fail', {'client_error_message': 'relia'})
    assert sim.get_session(session_id)['state'] == 'ERROR'
    sim.reset()
    run = h.run_module('update_session_file', sim.conn(id=session_id, name='disk.iso', src=str(src)))
    h.assert_clean_failure(run, 'ERROR')
    assert writes(sim) == []


# -- sessions left ACTIVE ------------------------------------------------------------------------------------


def assert_session_failed_and_returned(sim: h.Sim, item_id: str, run: h.ModuleRun) -> None:
    h.assert_no_traceback(run)
    assert run.failed, run
    sim.reset()  # the faults left over must not hit the test's own reads
    sessions = sessions_of(sim, item_id)
    assert sessions, 'no session was opened'
    for session in sessions:
        assert session['state'] != 'ACTIVE', 'update session %s was left ACTIVE' % session['id']
        assert session['state'] == 'ERROR', session
        assert (session.get('error_message') or {}).get('default_message'), 'no reason recorded: %s' % session
        assert session['id'] in json.dumps(run.result), 'the failed task does not return the session id'


def test_session_not_left_active_after_a_keep_alive_answered_500(sim: h.Sim) -> None:
    item_id = sim.create_item()
    sim.reset()
    sim.fault(method='POST', path=r'update-session/[^/]+$', status=500, count=1)
    run = h.run_module('update_session', sim.conn(library_item_id=item_id, client_progress=50))
    assert_session_failed_and_returned(sim, item_id, run)


def test_session_not_left_active_after_a_503_on_the_get_after_create(sim: h.Sim) -> None:
    item_id = sim.create_item()
    sim.reset()
    sim.fault(method='GET', path=r'update-session/[^/]+$', status=503, count=20)
    run = h.run_module('update_session', sim.conn(library_item_id=item_id, timeout=5))
    assert_session_failed_and_returned(sim, item_id, run)


def test_session_not_left_active_when_the_create_answer_comes_after_the_timeout(tls: h.TLSMaterial) -> None:
    with h.FakeVCenter(tls, h.API) as fake:
        creates: list[str] = []

        def create(request: dict[str, Any]) -> h.Answer:
            creates.append(request['headers'].get('client-token', ''))
            answer = fake.ok(fake.session_id, created=True)
            answer.delay = 2.5 if len(creates) == 1 else 0  # the session exists, the answer is late
            return answer

        fake.answers['update_session.list'] = fake.ok([])
        fake.answers['update_session.create'] = create
        run = h.run_module('update_session', dict(fake.connection(timeout=1), library_item_id='item-1'))
    h.assert_no_traceback(run)
    # Either the create was repeated with the same client token and the task goes on with that session,
    # or the task fails and leaves the session FAILED: never ACTIVE and forgotten.
    if run.failed:
        assert 'update_session.fail' in fake.ops, (run.msg, fake.ops)
        assert fake.session_id in json.dumps(run.result)
    else:
        assert len(set(creates)) == 1, 'a create was repeated without the same client token: %s' % creates
        assert run.result['update_session']['id'] == fake.session_id


# -- logins left open ------------------------------------------------------------------------------------


def test_login_not_left_open_when_the_login_answer_is_slow(tls: h.TLSMaterial) -> None:
    with h.FakeVCenter(tls, h.API) as fake:

        def slow_login(request: dict[str, Any]) -> h.Answer | None:
            answer = fake.good('session.create', request)  # the session exists on the server
            answer.delay = 2.0 if len(fake.tokens) == 1 else 0
            return answer

        fake.answers['session.create'] = slow_login
        run = h.run_module('update_session_info', dict(fake.connection(timeout=1), id='sess-0001'))
        h.wait_for(lambda: set(fake.tokens) <= set(fake.logged_out), timeout=3)
    h.assert_no_traceback(run)
    assert set(fake.tokens) <= set(fake.logged_out), 'logins left open: %s' % sorted(set(fake.tokens) - set(fake.logged_out))


def test_login_not_left_open_when_the_logout_is_dropped(sim: h.Sim) -> None:
    sim.admin_logout()
    sim.reset()
    before = sim.stats()['open_login_sessions']  # earlier tests' leftovers, if any
    sim.fault(method='DELETE', path=r'/session$', drop=True, count=1)
    run = h.run_module('update_session_info', sim.conn(library_item_id=sim.items['empty-iso']['id']))
    h.assert_no_traceback(run)
    assert sim.stats()['open_login_sessions'] == before, sim.stats()


# -- 401 in mid-run --------------------------------------------------------------------------------------


def test_401_mid_run_logs_in_again_once(sim: h.Sim) -> None:
    session_id = sim.create_session()
    sim.admin_logout()
    sim.reset()
    before = sim.stats()['open_login_sessions']
    sim.fault(method='GET', path=r'update-session/[^/]+$', status=401, count=1)
    run = h.run_module('update_session_info', sim.conn(id=session_id))
    h.assert_no_traceback(run)
    assert not run.failed, run
    assert run.result['update_sessions'][0]['state'] == 'ACTIVE'
    stats = sim.stats()
    assert stats['logins'] == 2 and stats['open_login_sessions'] == before, stats


def test_401_twice_fails_after_one_more_login(sim: h.Sim) -> None:
    session_id = sim.create_session()
    sim.admin_logout()
    sim.reset()
    before = sim.stats()['open_login_sessions']
    sim.fault(method='GET', path=r'update-session/[^/]+$', status=401, count=5)
    run = h.run_module('update_session_info', sim.conn(id=session_id))
    h.assert_clean_failure(run)
    stats = sim.stats()
    assert stats['logins'] == 2 and stats['open_login_sessions'] == before, stats


# -- timeouts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize('retries', [None, 1], ids=['default-retries', 'retries-1'])
def test_read_timeout_says_timed_out_and_ends_within_timeout_times_tries(tls: h.TLSMaterial, retries: Any) -> None:
    timeout = 1
    conn = {'timeout': timeout} if retries is None else {'timeout': timeout, 'retries': retries}
    retries = 3 if retries is None else retries
    with h.FakeVCenter(tls, h.API) as fake:

        def slow_get(request: dict[str, Any]) -> h.Answer:
            answer = fake.ok(h.fake_session())
            answer.delay = 3
            return answer

        fake.answers['update_session.get'] = slow_get
        run = h.run_module('update_session_info', dict(fake.connection(**conn), id='sess-0001'))
        gets = fake.count('update_session.get')
    h.assert_clean_failure(run, 'timed out', 'get update session')
    assert 'Cannot connect' not in run.msg, run.msg
    assert re.search(r'\b%s\b' % timeout, run.msg) or 'second' in run.msg, 'the msg does not say after how long'
    assert gets <= retries + 1, gets
    # About timeout x (retries + 1), plus back-off and the process start.
    assert run.seconds < timeout * (retries + 1) + 3, run.seconds


# -- secrets and other hosts -----------------------------------------------------------------------------------


@pytest.mark.parametrize('kind', ['other-host', 'plain-http-same-host'])
def test_token_does_not_follow_redirects_to_other_hosts_or_plain_http(tls: h.TLSMaterial, kind: str) -> None:
    with h.FakeVCenter(tls, h.API) as fake, h.Elsewhere(tls) as elsewhere:
        fake.answers['update_session.list'] = lambda request: h.Answer(
            302, b'', headers={'Location': elsewhere.target(kind, fake, request['path'])}, raw_json=False
        )
        _result, error = call_catching(fake_client(fake), 'update_session.list')
        h.assert_nothing_leaked(elsewhere)
    assert isinstance(error, ContentLibraryError), error


def test_upload_does_not_send_the_token_to_the_host_upload_endpoint_names(tls: h.TLSMaterial, tmp_path: Path) -> None:
    src = tmp_path / 'disk.iso'
    src.write_bytes(b'x' * 1000)
    with h.FakeVCenter(tls, h.API) as fake, h.Elsewhere(tls) as elsewhere:
        fake.answers['file.add'] = fake.ok(
            h.fake_file(status='WAITING_FOR_TRANSFER', upload_uri='https://localhost:%s/cls-data/x/disk.iso' % elsewhere.https.port), created=True
        )
        h.run_module('update_session_file', dict(fake.connection(), id='sess-0001', name='disk.iso', src=str(src)))
        h.assert_nothing_leaked(elsewhere)


# -- bodies of the wrong type ----------------------------------------------------------------------------------


def test_html_login_page_is_not_taken_as_a_token(tls: h.TLSMaterial) -> None:
    with h.FakeVCenter(tls, h.API) as fake:
        fake.answers['session.create'] = h.Answer(201, '<html><body>Sign in</body></html>', headers={'Content-Type': 'text/html'})
        _result, error = call_catching(fake_client(fake), 'update_session.list')
    assert isinstance(error, ContentLibraryError), error
    assert fake.count('update_session.list') == 0, fake.ops


def test_html_list_answer_is_not_iterated_character_by_character(tls: h.TLSMaterial) -> None:
    with h.FakeVCenter(tls, h.REST) as fake:
        fake.answers['update_session.list'] = h.Answer(200, '<html><body>Gateway</body></html>', headers={'Content-Type': 'text/html'})
        run = h.run_module('update_session_info', dict(fake.connection(), library_item_id='item-1'))
    h.assert_clean_failure(run, 'list update sessions')
    assert fake.count('update_session.get') == 0, fake.ops


@pytest.mark.parametrize('body', ['', 'null', '{"value": null}'], ids=['empty', 'null', 'value-null'])
def test_empty_or_null_session_get_is_not_a_session_holding_only_its_id(tls: h.TLSMaterial, body: str) -> None:
    with h.FakeVCenter(tls, h.API) as fake:
        fake.answers['update_session.get'] = h.Answer(200, body)
        run = h.run_module('update_session_info', dict(fake.connection(), id='sess-0001'))
    h.assert_clean_failure(run, 'get update session')


# -- signals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize('sig', ['SIGTERM', 'SIGINT'])
def test_logout_on_signal(tls: h.TLSMaterial, tmp_path: Path, sig: str) -> None:
    with h.FakeVCenter(tls, h.API) as fake:
        # complete is accepted, but the session never leaves ACTIVE: the module waits (wait=true).
        run = h.signal_module(
            'update_session',
            dict(fake.connection(), id='sess-0001', state='completed', wait_timeout=60),
            tmp_path,
            h.SIGNALS[sig],
            when=lambda: fake.count('update_session.get') >= 3,
        )
        h.wait_for(lambda: set(fake.tokens) <= set(fake.logged_out), timeout=3)
    assert 'update_session.complete' in fake.ops, fake.ops
    assert run.seconds < 30, run
    assert h.TRACEBACK_MARK not in run.stderr, run.stderr[-2000:]
    assert fake.tokens and set(fake.tokens) <= set(fake.logged_out), 'no logout after %s: %s' % (sig, fake.ops[-5:])


# -- downloads (issue 15) --------------------------------------------------------------------------------


def test_a_directory_where_a_downloaded_file_goes_is_refused_before_any_session(sim: h.Sim, tmp_path: Path) -> None:
    """Once: every byte fetched, then 'Unexpected error: Exception: Could not replace ...' from the rename."""
    item_id = d.content_item(sim, {'disk.iso': b'relia regression\n' * 1000})
    (tmp_path / 'out' / 'disk.iso' / 'inside').mkdir(parents=True)
    sim.reset()
    run = h.run_module('library_item_download', sim.conn(library_item_id=item_id, dest=str(tmp_path / 'out')))
    h.assert_clean_failure(run, 'disk.iso exists and is not a regular file')
    assert run.result['error_type'] == 'LOCAL_FILE_ERROR', run.result
    assert [e['operation'] for e in sim.log() if e['operation'].startswith('download') or e['operation'] == 'file.download'] == []
    assert d.listing(tmp_path / 'out') == ['disk.iso'] and d.listing(tmp_path / 'out' / 'disk.iso') == ['inside']


def test_one_503_on_the_download_endpoint_does_not_fail_the_download(sim: h.Sim, tmp_path: Path) -> None:
    """Once: the first GET of a prepared file was not retried, so one 503 (or a time-out) failed the task."""
    content = b'relia regression 503\n' * 1000
    item_id = d.content_item(sim, {'disk.iso': content})
    sim.reset()
    sim.fault(operation='file.download', status=503, count=1)
    run = h.run_module('library_item_download', sim.conn(library_item_id=item_id, dest=str(tmp_path / 'out')))
    h.assert_no_traceback(run)
    assert not run.failed, run
    assert (tmp_path / 'out' / 'disk.iso').read_bytes() == content
    assert [e['status'] for e in sim.log() if e['operation'] == 'file.download'] == [503, 200]
