# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 9, Must (5): secrets stay secret, and the session token goes only to the origin logged in to.

* Every module, on success and failure paths, run by ``ansible-playbook -vvv`` against the simulator
  in both flavours: neither the password nor any API session token appears in stdout or stderr.
* Redirects to another origin (other port, other host name, plain http): the other origin gets no
  request carrying the token or credentials (and, as the issue says, no redirect is followed at all).
* An ``upload_endpoint.uri`` that names another host: the PUT goes to the host logged in to, at the
  same path, with a warning; the other host sees nothing.
* Likewise a ``download_endpoint.uri`` on another host (the simulator's ``download_host: other``, and a fake
  vCenter's endpoints on another port, host name or plain http): the GET goes to the host logged in to.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import relia_download as d
import relia_helpers as h
from ansible_collections.vsphere.content_library.plugins.module_utils._client import RestClient
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import ContentLibraryError


def _task(name: str, module: str, args: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return dict({'name': name, 'vsphere.content_library.' + module: args}, **extra)


def playbook_for(sim: h.Sim, item_id: str, src: str, dest: str = '/nonexistent') -> str:
    """Success and failure paths of every module (failures ignored, counted in the recap)."""
    conn = sim.conn()
    session = '{{ opened.update_session.id }}'
    unknown = str(uuid.uuid4())
    tasks = [
        _task('open a session', 'update_session', dict(conn, library_item_id=item_id), register='opened'),
        _task('read it', 'update_session_info', dict(conn, id=session)),
        _task('push a file', 'update_session_file', dict(conn, id=session, name='disk.iso', src=src)),
        _task('read the files', 'update_session_file_info', dict(conn, id=session, validate=True)),
        _task('FAIL: a file for an unknown session', 'update_session_file', dict(conn, id=unknown, name='disk.iso', src=src), ignore_errors=True),
        _task('FAIL: complete an unknown session', 'update_session', dict(conn, id=unknown, state='completed'), ignore_errors=True),
        _task(
            'FAIL: a wrong password that starts with the right one',
            'update_session_info',
            dict(conn, password=sim.password + 'x', id=session),
            ignore_errors=True,
        ),
        _task('FAIL: files of an unknown session', 'update_session_file_info', dict(conn, id=unknown), ignore_errors=True),
        _task('fail the session', 'update_session_fail', dict(conn, id=session, client_error_message='relia security')),
        _task('FAIL: fail an unknown session', 'update_session_fail', dict(conn, id=unknown, client_error_message='relia'), ignore_errors=True),
        _task('delete the session', 'update_session', dict(conn, id=session, state='absent')),
        _task('upload into a new item', 'library_item_upload', dict(conn, library_name='local-lib', item_name='relia-secret', src=src)),
        _task('FAIL: upload into an unknown item', 'library_item_upload', dict(conn, library_item_id=unknown, src=src), ignore_errors=True),
        _task('download the item', 'library_item_download', dict(conn, library_name='local-lib', item_name='relia-secret', dest=dest)),
        _task('download it again (no change)', 'library_item_download', dict(conn, library_name='local-lib', item_name='relia-secret', dest=dest)),
        _task('FAIL: download an unknown item', 'library_item_download', dict(conn, library_item_id=unknown, dest=dest), ignore_errors=True),
        _task('list the library with the files', 'library_item_info', dict(conn, library_name='local-lib', files=True)),
        _task('FAIL: list an unknown library', 'library_item_info', dict(conn, library_name='relia-no-such-library'), ignore_errors=True),
        _task('describe the item', 'library_item', dict(conn, library_name='local-lib', item_name='relia-secret', item_description='relia security')),
        _task('delete the item', 'library_item', dict(conn, library_name='local-lib', item_name='relia-secret', state='absent')),
        _task('FAIL: an item in a subscribed library', 'library_item', dict(conn, library_name='subscribed-lib', item_name='relia-secret'), ignore_errors=True),
    ]
    play = [{'name': 'relia security', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]
    return json.dumps(play, indent=1)  # JSON is YAML


@pytest.fixture(scope='module')
def playbook_runs(sim_api: h.Sim, sim_rest: h.Sim, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One -vvv playbook per flavour, both at once."""
    base = tmp_path_factory.mktemp('relia-security')
    src = base / 'disk.iso'
    src.write_bytes(b'relia security payload\n' * 64)
    jobs = {}
    for sim in (sim_api, sim_rest):
        sim.reset()
        workdir = base / sim.flavor
        workdir.mkdir()
        jobs[sim.flavor] = (sim, playbook_for(sim, sim.create_item(), str(src), str(workdir / 'downloaded')), workdir)
        sim.admin_logout()
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = dict((flavor, pool.submit(h.run_playbook, text, workdir)) for flavor, (sim, text, workdir) in jobs.items())
        return dict((flavor, (jobs[flavor][0], future.result())) for flavor, future in futures.items())


def _recap(output: str) -> dict[str, int]:
    match = re.search(r'localhost\s*:\s*(.*)', output.split('PLAY RECAP')[-1])
    assert match, output[-3000:]
    return dict((key, int(value)) for key, value in re.findall(r'(\w+)=(\d+)', match.group(1)))


@pytest.mark.parametrize('flavor', [h.API, h.REST])
def test_playbook_ran_every_path(playbook_runs: dict[str, Any], flavor: str) -> None:
    sim, done = playbook_runs[flavor]
    output = done.stdout + done.stderr
    recap = _recap(output)
    assert recap.get('failed') == 0 and recap.get('ignored') == 9, (recap, output[-4000:])
    assert h.TRACEBACK_MARK not in output, output[-4000:]
    assert 'module_args' in output, 'not verbose enough to show the module arguments'
    stats = sim.stats()
    assert stats['logins'] >= 18 and stats['open_login_sessions'] == 0, stats
    assert stats['download_sessions'] == 0, stats


@pytest.mark.parametrize('flavor', [h.API, h.REST])
def test_password_never_in_output(playbook_runs: dict[str, Any], flavor: str) -> None:
    sim, done = playbook_runs[flavor]
    output = done.stdout + done.stderr
    assert sim.password not in output
    assert sim.password[:12] not in output, 'a part of the password is in the output'


@pytest.mark.parametrize('flavor', [h.API, h.REST])
def test_session_token_never_in_output(playbook_runs: dict[str, Any], flavor: str) -> None:
    _sim, done = playbook_runs[flavor]
    output = done.stdout + done.stderr
    # The simulator's tokens are 32 lower-case hex digits; nothing else in this output looks like that.
    assert not h.TOKEN_LIKE.findall(output), h.TOKEN_LIKE.findall(output)[:5]
    for header in re.findall(r'vmware-api-session-id["\']?\s*[:=]\s*["\']?([^"\',\s}]+)', output, re.I):
        assert header in ('********', 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'), header


# -- redirects -------------------------------------------------------------------------------------------

REDIRECT_KINDS = ['other-port', 'other-host', 'plain-http-same-host', 'https-to-http-same-port']


@pytest.mark.parametrize('status', [302, 307])
@pytest.mark.parametrize('kind', REDIRECT_KINDS)
@pytest.mark.parametrize('flavor', [h.API, h.REST])
def test_token_does_not_follow_a_redirect(tls: h.TLSMaterial, flavor: str, kind: str, status: int) -> None:
    with h.FakeVCenter(tls, flavor) as fake, h.Elsewhere(tls) as elsewhere:
        fake.answers['update_session.get'] = lambda request: h.Answer(
            status, b'', headers={'Location': elsewhere.target(kind, fake, request['path'])}, raw_json=False
        )
        conn = fake.connection()
        client = RestClient(conn['hostname'], conn['username'], conn['password'], port=conn['port'], ca_path=conn['ca_path'], api_flavor=flavor, timeout=5)
        error = None
        try:
            client.login()
            client.call('update_session.get', update_session_id='sess-0001')
        except BaseException as exc:  # pylint: disable=broad-except
            error = exc
        finally:
            client.logout()
            client.close()
        h.assert_nothing_leaked(elsewhere)
        assert isinstance(error, ContentLibraryError), 'a redirect elsewhere must fail cleanly, not %r' % error


@pytest.mark.parametrize('kind', ['other-port', 'plain-http-same-host'])
def test_credentials_do_not_follow_a_login_redirect(tls: h.TLSMaterial, kind: str) -> None:
    with h.FakeVCenter(tls, h.API) as fake, h.Elsewhere(tls) as elsewhere:
        fake.answers['session.create'] = lambda request: h.Answer(307, b'', headers={'Location': elsewhere.target(kind, fake, request['path'])}, raw_json=False)
        conn = fake.connection()
        client = RestClient(conn['hostname'], conn['username'], conn['password'], port=conn['port'], ca_path=conn['ca_path'], api_flavor=h.API, timeout=5)
        error = None
        try:
            client.login()
        except BaseException as exc:  # pylint: disable=broad-except
            error = exc
        finally:
            client.close()
        h.assert_nothing_leaked(elsewhere)
        assert isinstance(error, ContentLibraryError), error


def test_module_does_not_follow_a_redirect_elsewhere(tls: h.TLSMaterial) -> None:
    with h.FakeVCenter(tls, h.API) as fake, h.Elsewhere(tls) as elsewhere:
        fake.answers['update_session.get'] = lambda request: h.Answer(
            302, b'', headers={'Location': elsewhere.target('other-host', fake, request['path'])}, raw_json=False
        )
        run = h.run_module('update_session_info', dict(fake.connection(), id='sess-0001'))
        h.assert_nothing_leaked(elsewhere)
        h.assert_no_traceback(run)
        assert run.failed, run
        assert fake.logged_out == fake.tokens


# -- upload endpoints on another host ----------------------------------------------------------------


@pytest.mark.parametrize('flavor', [h.API, h.REST])
def test_upload_goes_to_the_logged_in_host_with_a_warning(tls: h.TLSMaterial, tmp_path: Path, flavor: str) -> None:
    src = tmp_path / 'disk.iso'
    src.write_bytes(b'relia upload\n' * 100)
    with h.FakeVCenter(tls, flavor) as fake, h.Elsewhere(tls) as elsewhere:
        path = '/cls-data/sess-0001/disk.iso'
        fake.answers['file.add'] = fake.ok(
            h.fake_file(status='WAITING_FOR_TRANSFER', upload_uri='https://localhost:%s%s' % (elsewhere.https.port, path)), created=True
        )
        run = h.run_module('update_session_file', dict(fake.connection(), id='sess-0001', name='disk.iso', src=str(src)))
        h.assert_nothing_leaked(elsewhere)
        h.assert_no_traceback(run)
        uploads = [r for r in fake.server.requests if r.get('op') == 'file.upload']
        assert [(r['method'], r['path']) for r in uploads] == [('PUT', path)], fake.ops
        assert uploads[0]['body'] == src.read_bytes()
        assert not run.failed, run
        # ansible-core 2.19 gives structured warnings (dicts); older versions give strings.
        warnings = ' '.join(str(w) for w in (run.result or {}).get('warnings') or [])
        assert 'localhost:%s' % elsewhere.https.port in warnings, 'no warning names the other host: %r' % warnings


# -- download endpoints on another host ---------------------------------------------------------------


def _warnings(run: h.ModuleRun) -> str:
    # ansible-core 2.19 gives structured warnings (dicts); older versions give strings.
    return ' '.join(str(w) for w in (run.result or {}).get('warnings') or [])


def test_download_goes_to_the_logged_in_host_with_a_warning(sim: h.Sim, tmp_path: Path) -> None:
    """The simulator's ``download_host: other``: the token never reaches the other host, the file comes from vCenter."""
    content = os.urandom(256 * 1024)
    item_id = d.content_item(sim, {'disk.iso': content})
    sim.settings(download_host='other')
    try:
        other = sim.request('GET', '/_sim/other-host').json()
        assert sim.request('DELETE', '/_sim/other-host/log').status_code == 204
        sim.reset()
        run = h.run_module('library_item_download', sim.conn(library_item_id=item_id, dest=str(tmp_path / 'out')))
        reached = sim.request('GET', '/_sim/other-host/log').json()['entries']
    finally:
        sim.settings(download_host='main')
    h.assert_no_traceback(run)
    assert not run.failed, run
    assert reached == [], 'the other host got %s' % [(e['method'], e['path'], sorted(e['headers'])) for e in reached]
    downloads = [(e['path'], e['status'], e['session_header']) for e in sim.log() if e['operation'] == 'file.download']
    assert len(downloads) == 1 and downloads[0][1] == 200 and downloads[0][2], downloads
    assert (tmp_path / 'out' / 'disk.iso').read_bytes() == content
    assert other['https_url'] in _warnings(run), 'no warning names the other host: %r' % _warnings(run)
    assert sim.stats()['download_sessions'] == 0


@pytest.mark.parametrize('kind', ['other-port', 'other-host', 'plain-http-same-host'])
def test_download_endpoint_elsewhere_gets_no_token(tls: h.TLSMaterial, tmp_path: Path, kind: str) -> None:
    with d.DownloadVCenter(tls, h.API) as fake, h.Elsewhere(tls) as elsewhere:
        uri = elsewhere.target(kind, fake, d.DOWNLOAD_PATH)
        fake.answers['download_file.prepare'] = fake.ok(dict(fake.prepared(), download_endpoint={'uri': uri}))
        run = h.run_module('library_item_download', dict(fake.connection(), library_item_id=d.ITEM_ID, dest=str(tmp_path / 'out')))
        h.assert_nothing_leaked(elsewhere)
        h.assert_no_traceback(run)
        downloads = [(r['method'], r['path']) for r in fake.server.requests if r.get('op') == 'file.download']
    assert not run.failed, run
    assert downloads == [('GET', d.DOWNLOAD_PATH)], fake.ops
    assert (tmp_path / 'out' / d.FILE_NAME).read_bytes() == d.CONTENT
    assert uri.rsplit('/cls/', 1)[0] in _warnings(run), _warnings(run)
