# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""library_item_copy against two vCenters (issue 16): bad input, bad answers, faults and tokens, on either side.

Two pairs of simulators, each a source and a target (another port, CA, ids and user): one pair copies
from /api to /rest, the other from /rest to /api. Every case runs the module as a real process and
then looks at both sides:

* bad input is refused before the first request, on either simulator (both request logs stay empty);
* a malformed answer from either side (a fake vCenter as the source or as the target, the real
  simulator on the other side) fails with the HTTP status, the operation and the start of the body,
  and leaves nothing open on the other side;
* faults on either side (503 bursts, drops, slow answers, a 401 in mid-run, SIGTERM) end cleanly:
  no login, no download session, no ACTIVE update session left, a created target item gone, an
  existing one unchanged, no write repeated, within the time bound;
* each vCenter's token stays on its origin, even when the source names another host for downloads
  and the target another host for uploads; neither password nor token reaches the output of -vvv.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import signal
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
from vsphere_content_simulator.launcher import running_simulator

import relia_helpers as h

MODULE = 'library_item_copy'
TARGET_USER = 'relia-target@vsphere.local'
MIB = 1024 * 1024
TIMEOUT = 2
RETRIES = 2
DELAY = 3  # a slow answer: longer than TIMEOUT
STARTUP = 8.0  # process start-up, two logins and logouts, the clean-up on both sides, on two shared cores
LONG = 'x' * 10000


# -- two vCenters ------------------------------------------------------------------------------------------


class Pair:
    """A source and a target simulator, and what a case needs of both."""

    def __init__(self, source: h.Sim, target: h.Sim) -> None:
        self.source = source
        self.target = target
        self.name = '%s->%s' % (source.flavor, target.flavor)

    def sides(self) -> tuple[tuple[str, h.Sim], tuple[str, h.Sim]]:
        return ('source', self.source), ('target', self.target)

    def target_conn(self, **overrides: Any) -> dict[str, Any]:
        t = self.target
        conn = {
            'hostname': t.host,
            'port': t.port,
            'username': t.username,
            'password': t.password,
            'ca_path': t.ca,
            'api_flavor': t.flavor,
            'library_name': 'local-lib',
        }
        conn.update(overrides)
        return conn

    def reset(self) -> None:
        for _side, sim in self.sides():
            sim.reset()
            sim.settings(upload_rate_limit=0, download_rate_limit=0)


def seed(sim: h.Sim, content: bytes, name: str | None = None) -> str:
    """A new iso item in local-lib holding ``content`` as photon.iso (through the simulator's own API)."""
    item_id = sim.create_item('iso')
    if name:
        rename = {'name': name} if sim.flavor == h.API else {'update_spec': {'name': name}}
        path = '/api/content/library/item/%s' % item_id if sim.flavor == h.API else '/rest/com/vmware/content/library/item/id:%s' % item_id
        sim._value(sim.request('PATCH', path, json=rename, headers=sim._auth()))  # pylint: disable=protected-access
    session_id = sim.create_session(item_id)
    sim.add_push_file(session_id, 'photon.iso', content, ('SHA1', hashlib.sha1(content).hexdigest()))
    sim.session_action(session_id, 'complete')
    assert h.wait_for(lambda: sim.get_session(session_id)['state'] == 'DONE'), sim.get_session(session_id)
    sim._value(sim.request('DELETE', sim.session_path(session_id), headers=sim._auth()))  # pylint: disable=protected-access
    return item_id


def files_of(sim: h.Sim, item_id: str | None) -> list[tuple[str, int, str]] | None:
    files = sim.item_files(item_id) if item_id else None
    if files is None:
        return None
    return sorted((f['name'], f.get('size'), (f.get('checksum_info') or {}).get('checksum')) for f in files)


def active_sessions(sim: h.Sim) -> list[str]:
    return [sid for sid, session in sim.user_sessions().items() if session['state'] == 'ACTIVE']


def foreign_tokens(sim: h.Sim, entries: list[dict[str, Any]], expired: bool = False) -> list[dict[str, Any]]:
    """Requests that carried a session token which this simulator did not answer as its own user.

    A token of the other vCenter is unknown here: such a request is a 401 as nobody. Not counted: the
    requests an injected fault answered (faults come before authentication) or delayed (the module may
    have logged out meanwhile), and, where a case makes a token expire on purpose (``expired``), the
    401s as nobody that the expired token gets.
    """
    return [
        e
        for e in entries
        if e['session_header'] and e['user'] != sim.username and not e.get('fault') and not (expired and e['user'] is None and e['status'] == 401)
    ]


def writes_repeated(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """h.duplicated_writes, with download session creates allowed too: they carry a client token."""
    return [e for e in h.duplicated_writes(entries) if e['operation'] != 'download_session.create']


@pytest.fixture(scope='module')
def pairs() -> Iterator[list[Pair]]:
    """api -> rest and rest -> api; the target has a user of its own, and both have the suite's worker users."""
    with contextlib.ExitStack() as stack:
        made = []
        for source_flavor, target_flavor in ((h.API, h.REST), (h.REST, h.API)):
            sims = []
            for flavor, extra in ((source_flavor, []), (target_flavor, ['--username', TARGET_USER])):
                info = stack.enter_context(running_simulator(['--flavor', flavor, '--log-level', 'error', *h.worker_user_flags(), *extra]))
                sim = h.Sim(info, flavor)
                stack.callback(sim.admin_logout)
                sims.append(sim)
            made.append(Pair(*sims))
        yield made


# -- 1. bad input: refused before the first request, on either side ------------------------------------------

DROP = object()
# (case id, overrides of the source's options, overrides of target's options, words the msg must hold)
INPUT_CASES: list[tuple[str, dict[str, Any], dict[str, Any], tuple[str, ...]]] = [
    ('no-target', {'target': DROP}, {}, ('target',)),
    ('target-without-library', {}, {'library_name': DROP}, ('target', 'library_id', 'library_name')),
    ('target-library_id-and-library_name', {}, {'library_id': str(uuid.uuid4())}, ('target.library_id', 'target.library_name')),
    ('target-library_id-slash', {}, {'library_name': DROP, 'library_id': 'a/b'}, ('target.library_id',)),
    ('target-library_id-dotdot', {}, {'library_name': DROP, 'library_id': '..'}, ('target.library_id',)),
    ('target-library_name-empty', {}, {'library_name': ''}, ('library_name',)),
    ('target-item_name-blank', {}, {'item_name': '   '}, ('target.item_name',)),
    ('target-item_name-10000-chars', {}, {'item_name': LONG}, ('target.item_name',)),
    ('target-hostname-space', {}, {'hostname': 'vc enter.example'}, ('target.hostname',)),
    ('target-hostname-empty', {}, {'hostname': ''}, ('target.hostname',)),
    ('target-hostname-url-ftp', {}, {'hostname': 'ftp://127.0.0.1/'}, ('target.hostname',)),
    ('target-port-0', {}, {'port': 0}, ('target.port',)),
    ('target-port-70000', {}, {'port': 70000}, ('target.port',)),
    ('target-timeout-0', {}, {'timeout': 0}, ('target.timeout',)),
    ('target-retries-11', {}, {'retries': 11}, ('target.retries',)),
    ('target-ca_path-missing', {}, {'ca_path': '/nonexistent/relia/target-ca.pem'}, ('target.ca_path',)),
    ('target-proxy_port-without-host', {}, {'proxy_port': 3128}, ('target.proxy_port',)),
    ('target-api_flavor-soap', {}, {'api_flavor': 'soap'}, ('api_flavor',)),
    ('target-create_item-maybe', {}, {'create_item': 'maybe'}, ('create_item',)),
    ('target-unknown-option', {}, {'library_path': '/x'}, ('library_path',)),
    ('library_item_id-empty', {'library_item_id': ''}, {}, ('library_item_id',)),
    ('library_item_id-dotdot', {'library_item_id': '..'}, {}, ('library_item_id',)),
    ('library_item_id-slash', {'library_item_id': 'a/b'}, {}, ('library_item_id',)),
    ('library_item_id-hash', {'library_item_id': 'a#b'}, {}, ('library_item_id',)),
    ('library_item_id-10000-chars', {'library_item_id': LONG}, {}, ('library_item_id',)),
    ('library_item_id-and-item_name', {'item_name': 'photon'}, {}, ('library_item_id', 'item_name')),
    ('no-source-item', {'library_item_id': DROP}, {}, ('library_item_id', 'item_name')),
    ('library_id-slash', {'library_item_id': DROP, 'library_id': 'a/b', 'item_name': 'photon'}, {}, ('library_id',)),
    ('library_name-empty', {'library_item_id': DROP, 'library_name': '', 'item_name': 'photon'}, {}, ('library_name',)),
    ('item_name-blank', {'library_item_id': DROP, 'library_name': 'local-lib', 'item_name': ' '}, {}, ('item_name',)),
    ('parallel-0', {'parallel': 0}, {}, ('parallel',)),
    ('parallel-9', {'parallel': 9}, {}, ('parallel',)),
    ('keep_alive_interval--1', {'keep_alive_interval': -1}, {}, ('keep_alive_interval',)),
    ('wait_timeout-0', {'wait_timeout': 0}, {}, ('wait_timeout',)),
    ('method-copy', {'method': 'copy'}, {}, ('method',)),
    ('ignore_warnings-bogus', {'ignore_warnings': ['WEAK_CIPHER']}, {}, ('ignore_warnings',)),
    ('source-port-0', {'port': 0}, {}, ('port',)),
    ('source-ca_path-missing', {'ca_path': '/nonexistent/relia/ca.pem'}, {}, ('ca_path',)),
]
TRANSPORT_ERRORS = ('CONNECTION_ERROR', 'REQUEST_ERROR', 'TLS_ERROR', 'TIMED_OUT', 'PROXY_ERROR')


def _spoil(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    spoiled = dict(base)
    for key, value in overrides.items():
        if value is DROP:
            spoiled.pop(key, None)
        else:
            spoiled[key] = value
    return spoiled


@pytest.fixture(scope='module')
def refusals(pairs: list[Pair]) -> dict[str, Any]:
    """Every input case on two workers, each logged in as its own user on both sides; both logs read after each."""
    for pair in pairs:
        pair.reset()
    queue = list(enumerate(INPUT_CASES))
    lock = threading.Lock()
    results: dict[str, Any] = {}

    def worker(user: str, password: str) -> None:
        while True:
            with lock:
                if not queue:
                    return
                index, (case_id, source, target, _words) = queue.pop(0)
            pair = pairs[index % len(pairs)]
            args = dict(
                pair.source.conn(username=user, password=password),
                library_item_id=str(uuid.uuid4()),
                target=_spoil(pair.target_conn(username=user, password=password), target),
            )
            args = _spoil(args, source)
            starts = [len(sim.log()) for _side, sim in pair.sides()]
            run = h.run_module(MODULE, args)
            sent = [e for (_side, sim), start in zip(pair.sides(), starts) for e in sim.log()[start:] if e.get('user') == user]
            results[case_id] = (run, sent)

    threads = [threading.Thread(target=worker, args=pair_) for pair_ in h.WORKER_USERS[:2]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results['logs'] = dict(('%s %s' % (pair.name, side), sim.log()) for pair in pairs for side, sim in pair.sides())
    return results


@pytest.mark.parametrize('case_id, source, target, words', INPUT_CASES, ids=[case[0] for case in INPUT_CASES])
def test_bad_input_is_refused_before_any_request_on_either_side(
    refusals: dict[str, Any], case_id: str, source: dict[str, Any], target: dict[str, Any], words: tuple[str, ...]
) -> None:
    run, sent = refusals[case_id]
    h.assert_no_traceback(run)
    assert run.failed, 'the task should have been refused: %r' % run
    assert any(word in run.msg for word in words), 'msg should name %s: %r' % (' or '.join(words), run.msg[:500])
    assert (run.result or {}).get('error_type') not in TRANSPORT_ERRORS, run.msg[:500]
    assert sent == [], 'requests were sent before the input was checked: %s' % [(e['method'], e['path'][:80]) for e in sent]


def test_no_bad_input_reached_either_simulator(refusals: dict[str, Any]) -> None:
    """Not one request from any case, attributed or not (a login refused has no user)."""
    logs = refusals['logs']
    assert all(entries == [] for entries in logs.values()), dict(
        (name, [(e['method'], e['path']) for e in entries]) for name, entries in logs.items() if entries
    )


# -- 2. bad answers: a fake vCenter on one side, the simulator on the other ------------------------------------

DATA = b'relia copy ' * 40000
FAKE_FILES = [{'name': 'photon.iso', 'size': len(DATA), 'cached': True, 'checksum_info': {'algorithm': 'SHA1', 'checksum': hashlib.sha1(DATA).hexdigest()}}]
HTML = (
    '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The proxy '
    'server received an invalid response from an upstream server. Reference #97.1f2e3d4c; please contact your '
    'administrator if the problem persists.</p><hr><address>relia-proxy/1.0</address></body></html>'
)
_LIB = '/api/content/library'
_ITEM = '/api/content/library/item'
_DS = '/api/content/library/item/download-session'


def classify_copy(method: str, path: str, query: str) -> str:
    """The operations a copy sends to an /api vCenter (the update session ones as h.classify names them)."""
    if path.startswith(('/api/session', '/api/content/library/item/update-session', '/cls-data/')):
        return h.classify(h.API, method, path, query)
    if path.startswith('/cls/data/'):
        return 'file.download'
    if path.startswith(_DS):
        rest = path[len(_DS) :].strip('/')
        if not rest:
            return {'GET': 'download_session.list', 'POST': 'download_session.create'}.get(method, 'unknown')
        if rest.endswith('/file'):
            return 'download_file.prepare' if 'action=prepare' in query else 'download_file.get'
        if method == 'DELETE':
            return 'download_session.delete'
        return 'download_session.' + query.partition('action=')[2].replace('-', '_')
    if path == _LIB:
        return 'library.find'
    if path.startswith(_LIB + '/') and not path.startswith(_ITEM):
        return 'library.get'
    if path == _ITEM:
        return 'item.find' if 'action=find' in query else 'item.create'
    if path.startswith(_ITEM + '/'):
        if path.endswith('/file'):
            return 'item_file.list'
        return {'GET': 'item.get', 'DELETE': 'item.delete'}.get(method, 'unknown')
    return 'unknown'


class CopyFake(h.FakeVCenter):
    """A fake /api vCenter that serves the item item-src (as a source) or takes item-1 (as a target).

    Good answers unless ``answers`` says otherwise; logins need the fake's credentials, everything else
    one of its tokens (the download endpoint too), except the upload endpoint.
    """

    def __init__(self, tls: h.TLSMaterial) -> None:
        super().__init__(tls, h.API, session_id='sess-0001')
        self.completed = False

    def _handle(self, request: dict[str, Any]) -> h.Answer:
        op = classify_copy(request['method'], request['path'], request['query'])
        request['op'] = op
        self.ops.append(op)
        if op == 'session.create':
            if not h.basic_auth_ok(request):
                return self.error(401, 'unauthenticated')
        elif op != 'file.upload' and request['headers'].get('vmware-api-session-id') not in self.tokens:
            return self.error(401, 'unauthenticated')
        answer = self.answers.get(op)
        if callable(answer):
            answer = answer(request)
        return answer if answer is not None else self.good(op, request)

    def good(self, op: str, request: dict[str, Any]) -> h.Answer:
        if op == 'file.download':
            return h.Answer(200, DATA, headers={'Content-Type': 'application/octet-stream'}, raw_json=False)
        if op == 'update_session.complete':
            self.completed = True
        if op == 'update_session.get':
            return self.ok(h.fake_session(state='DONE') if self.completed else h.fake_session(preview_info={'state': 'NOT_APPLICABLE'}))
        if op == 'file.add':
            return self.ok(
                h.fake_file(name='photon.iso', status='WAITING_FOR_TRANSFER', upload_uri='%s/cls-data/sess-0001/photon.iso' % self.url), created=True
            )
        source_role = request['path'].startswith(_ITEM + '/item-src')
        answers = {
            'library.find': (['lib-1'], False),
            'library.get': ({'name': 'local-lib', 'type': 'LOCAL'}, False),
            'item.get': ({'library_id': 'lib-1', 'name': 'photon', 'type': 'iso', 'content_version': '1'}, False),
            'item.find': ([], False),
            'item.create': ('item-1', True),
            'item_file.list': (FAKE_FILES if source_role or self.completed else [], False),
            'download_session.list': ([], False),
            'download_session.create': ('dl-0001', True),
            'download_file.prepare': (
                {'name': 'photon.iso', 'status': 'PREPARED', 'bytes_transferred': 0, 'download_endpoint': {'uri': '%s/cls/data/dl-0001/photon.iso' % self.url}},
                False,
            ),
        }
        if op in answers:
            value, created = answers[op]
            return self.ok(value, created=created)
        return super().good(op, request)


# (case id, the fake's side, operation answered badly, body, status, words of the operation in the msg)
ANSWER_CASES = [
    ('source-item-get-html', 'source', 'item.get', HTML, 200, 'get library item item-src'),
    ('source-item-files-truncated', 'source', 'item_file.list', '[{"name": "photon.iso", "si', 200, 'item-src'),
    ('source-download-session-create-null', 'source', 'download_session.create', 'null', 201, 'create a download session'),
    (
        'source-prepare-without-endpoint',
        'source',
        'download_file.prepare',
        json.dumps({'name': 'photon.iso', 'status': 'PREPARED'}),
        200,
        'prepare file photon.iso',
    ),
    ('target-library-find-html', 'target', 'library.find', HTML, 200, 'find'),
    ('target-item-create-html', 'target', 'item.create', HTML, 201, 'create'),
    ('target-update-session-create-list', 'target', 'update_session.create', '[{"state": "ACTIVE"}]', 201, 'create an update session'),
    ('target-file-add-without-endpoint', 'target', 'file.add', json.dumps(h.fake_file(name='photon.iso', status='WAITING_FOR_TRANSFER')), 201, 'add a file'),
]


def squash(text: str) -> str:
    return ' '.join(text.split())


@pytest.fixture(scope='module')
def answer_runs(pairs: list[Pair], tls: h.TLSMaterial) -> dict[str, Any]:
    """Each case against a fake of its own on one side and a pair's simulator on the other, two at a time."""
    results: dict[str, Any] = {}
    lock = threading.Lock()
    queue = list(enumerate(ANSWER_CASES))

    def worker(pair: Pair) -> None:
        while True:
            with lock:
                if not queue:
                    return
                _index, (case_id, side, op, body, status, _words) = queue.pop(0)
            with CopyFake(tls) as fake:
                content_type = 'text/html' if body.startswith('<') else 'application/json'
                fake.answers[op] = h.Answer(status, body, headers={'Content-Type': content_type}, raw_json=False)
                pair.reset()
                real = pair.target if side == 'source' else pair.source
                if side == 'source':
                    args = dict(fake.connection(), library_item_id='item-src', target=pair.target_conn(item_name=case_id))
                else:
                    source_item = seed(pair.source, DATA)
                    conn = fake.connection()
                    conn.pop('timeout')
                    args = dict(pair.source.conn(), library_item_id=source_item, target=dict(conn, library_name='local-lib'))
                open_before = real.stats()['open_login_sessions']
                run = h.run_module(MODULE, args)
                results[case_id] = {
                    'run': run,
                    'fake': fake,
                    'real': real,
                    'stats': real.stats(),
                    'open_before': open_before,
                    'log': real.log(),
                    'active': active_sessions(real),
                    'left': real.find_items(case_id) if side == 'source' else None,
                }

    threads = [threading.Thread(target=worker, args=(pair,)) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize('case_id, side, op, body, status, words', ANSWER_CASES, ids=[case[0] for case in ANSWER_CASES])
def test_a_bad_answer_from_either_side_fails_cleanly(answer_runs: dict[str, Any], case_id: str, side: str, op: str, body: str, status: int, words: str) -> None:
    got = answer_runs[case_id]
    run, fake, real = got['run'], got['fake'], got['real']
    h.assert_no_traceback(run)
    assert run.failed, 'a malformed answer to %s was taken as valid: %r' % (op, run.result)
    assert fake.count(op) == 1, 'the malformed answer to %s was asked for again: %s' % (op, fake.ops)
    assert str(status) in run.msg and words in run.msg, run.msg
    # the start of the body: as sent, or as the model it parsed into when only its content was wrong
    excerpts = [squash(body[:200])] + ([squash(str(json.loads(body))[:200])] if body.startswith('{') else [])
    assert any(excerpt in squash(run.msg) for excerpt in excerpts), run.msg
    # The fake's side: its login ended; what it opened was ended too.
    assert fake.logged_out == fake.tokens, (fake.tokens, fake.logged_out)
    if side == 'target' and fake.count('update_session.create') and op != 'update_session.create':
        assert fake.count('update_session.fail') == 1 and fake.count('update_session.delete') == 1, fake.ops
    if side == 'target' and fake.count('item.create') and op != 'item.create':
        assert fake.count('item.delete') == 1, fake.ops
    if side == 'source' and fake.count('download_session.create') and op != 'download_session.create':
        assert fake.count('download_session.fail') == 1 and fake.count('download_session.delete') == 1, fake.ops
    # The simulator's side: nothing left open, nothing created left behind, its token only there.
    stats = got['stats']
    assert stats['open_login_sessions'] == got['open_before'], stats  # the test's own admin login may be open
    assert stats['download_sessions'] == 0 and got['active'] == [], (stats, got['active'])
    assert not got['left'], 'the target item the task created is still there: %s' % got['left']
    assert foreign_tokens(real, got['log']) == []


def test_the_fake_vcenters_good_answers_are_taken(pairs: list[Pair], tls: h.TLSMaterial) -> None:
    """Controls: with no bad answer, the copy succeeds from a fake source and into a fake target."""
    pair = pairs[0]
    pair.reset()
    with CopyFake(tls) as source:
        run = h.run_module(MODULE, dict(source.connection(), library_item_id='item-src', target=pair.target_conn(item_name='from-fake')))
        h.assert_no_traceback(run)
        assert not run.failed, run
        assert run.result['bytes_copied'] == len(DATA)
        assert files_of(pair.target, pair.target.find_items('from-fake')[0]) == [('photon.iso', len(DATA), FAKE_FILES[0]['checksum_info']['checksum'])]
    with CopyFake(tls) as target:
        run = h.run_module(
            MODULE, dict(pair.source.conn(), library_item_id=seed(pair.source, DATA), target=dict(target.connection(), library_name='local-lib'))
        )
        h.assert_no_traceback(run)
        assert not run.failed, run
        assert target.count('file.upload') == 1 and target.count('update_session.complete') == 1, target.ops


# -- 3. faults on either side ------------------------------------------------------------------------------------


@dataclass
class Case:
    """One copy under faults injected on one side (``side``); ``existing``: into a target item that has content."""

    fault: str
    side: str
    faults: list[dict[str, Any]]
    expect: str
    words: tuple[str, ...] = ()
    existing: bool = False
    logins: dict[str, int] = field(default_factory=dict)
    settle: float = 0.0
    size: int = MIB
    rate: int = 0  # the source's download_rate_limit during the run
    signal: bool = False
    expired: bool = False  # a token is made to expire: 401s as nobody are expected
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return re.sub(r'[^a-z0-9]+', '-', ('%s %s' % (self.side, self.fault)).lower()).strip('-')


def op(operation: str, **fault: Any) -> dict[str, Any]:
    return dict(fault, operation=operation)


SLOW = {'action': 'delay', 'seconds': DELAY}
FAULT_CASES = [
    Case('503 x2 on the item file list', 'source', [op('item_file.list', status=503, count=RETRIES)], 'ok'),
    Case('503 always on the prepared file get', 'source', [op('download_file.get', status=503, every=True)], 'failed', words=('503',)),
    Case('drop before the download session create', 'source', [op('download_session.create', drop=True)], 'ok'),
    Case('drop mid-file, once', 'source', [{'action': 'drop_download', 'after_bytes': 256 * 1024}], 'ok'),
    Case('slow item get', 'source', [op('item.get', **SLOW)], 'ok', settle=DELAY),
    Case('401 at the prepare', 'source', [op('download_file.prepare', action='expire_session')], 'ok', logins={'source': 2}, expired=True),
    Case('401 at the download', 'source', [op('file.download', action='expire_session')], 'ok', logins={'source': 2}, expired=True),
    Case('SIGTERM while streaming', 'source', [], 'failed', words=('SIGTERM',), existing=True, size=4 * MIB, rate=MIB, signal=True),
    Case('503 x2 on the update session create', 'target', [op('update_session.create', status=503, count=RETRIES)], 'ok'),
    Case('503 always on validate', 'target', [op('file.validate', status=503, every=True)], 'failed', words=('503',)),
    Case('500 on complete (existing item)', 'target', [op('update_session.complete', status=500)], 'failed', words=('500',), existing=True),
    Case('drop after complete', 'target', [op('update_session.complete', drop=True, when='after')], 'ok'),
    Case('slow library get', 'target', [op('library.get', **SLOW)], 'ok', settle=DELAY),
    Case('401 at file add', 'target', [op('file.add', action='expire_session')], 'ok', logins={'target': 2}, expired=True),
    Case('401 at the upload PUT', 'target', [op('file.upload', action='expire_session')], 'ok', logins={'target': 2}, expired=True),
    Case('upload dropped (existing item)', 'target', [op('file.upload', action='drop_upload', after_bytes=256 * 1024)], 'failed', existing=True),
]
FAULTS = dict((case.slug, case) for case in FAULT_CASES)
assert len(FAULTS) == len(FAULT_CASES), 'two fault cases share an id'


def bound_of(case: Case) -> float:
    """timeout x (retries + 1) and the back-off, on each side, plus the start-up and a rate-limited stream."""
    return 2 * (TIMEOUT * (RETRIES + 1) + h.backoff_allowance(RETRIES)) + STARTUP + (case.size / case.rate if case.rate else 0)


def run_fault_case(pair: Pair, case: Case, workdir: Path) -> dict[str, Any]:
    pair.reset()
    content = uuid.uuid4().bytes * (case.size // 16)
    source_item = seed(pair.source, content)
    name = 'relia-copy-%s' % uuid.uuid4().hex[:10]
    target_item = seed(pair.target, b'previous content\n' * 1000, name=name) if case.existing else None
    before = files_of(pair.target, target_item)
    known = dict((side, set(sim.user_sessions())) for side, sim in pair.sides())
    pair.reset()
    open_before = dict((side, sim.stats()['open_login_sessions']) for side, sim in pair.sides())
    sim = pair.source if case.side == 'source' else pair.target
    for fault in case.faults:
        sim.fault(**fault)
    if case.rate:
        pair.source.settings(download_rate_limit=case.rate)
    args = dict(
        pair.source.conn(timeout=TIMEOUT, retries=RETRIES),
        library_item_id=source_item,
        wait_timeout=20,
        keep_alive_interval=1,
        target=pair.target_conn(item_name=name, timeout=TIMEOUT, retries=RETRIES),
        **case.extra,
    )
    signal_at = None
    if case.signal:
        seen: dict[str, float] = {}

        def streaming() -> bool:
            # The log shows a request once answered: the file was added on the target, so its PUT is under way.
            if 'added' not in seen and any(e['operation'] == 'file.add' for e in pair.target.log()):
                seen['added'] = time.monotonic()
            return 'added' in seen and time.monotonic() - seen['added'] > 0.5

        run = h.signal_module(MODULE, args, workdir, signal.SIGTERM, when=streaming)
        signal_at = run.seconds
    else:
        run = h.run_module(MODULE, args, timeout=90)
    if case.settle:
        time.sleep(case.settle)
    for _side, each in pair.sides():
        each.clear_faults()
    pair.source.settings(download_rate_limit=0)
    measure: dict[str, Any] = {'run': run, 'seconds': run.seconds, 'signal_at': signal_at}
    for side, each in pair.sides():
        stats = each.stats()
        entries = each.log()
        measure[side] = {
            'stats': stats,
            'logins_open': stats['open_login_sessions'] - open_before[side],
            'entries': entries,
            'active': [sid for sid in active_sessions(each) if sid not in known[side]],
            'repeated': writes_repeated(entries),
            'foreign': foreign_tokens(each, entries, case.expired),
        }
    found = pair.target.find_items(name)
    measure['target_files'] = files_of(pair.target, found[0]) if found else None
    measure['source_files'] = files_of(pair.source, source_item)
    measure['before'] = before
    return measure


def problems_of(case: Case, m: dict[str, Any]) -> list[str]:
    run: h.ModuleRun = m['run']
    problems = ['not a clean end: %s' % sign for sign in h.traceback_signs(run)]
    outcome = 'failed' if run.failed else 'ok'
    if outcome != case.expect:
        problems.append('expected %s, got %s: %s' % (case.expect, outcome, run.msg or run.result))
    problems += ['the msg does not say %r: %s' % (word, run.msg) for word in case.words if run.failed and word not in run.msg]
    for side in ('source', 'target'):
        got = m[side]
        if got['logins_open']:
            problems.append('%d login(s) left open on the %s' % (got['logins_open'], side))
        if got['stats']['download_sessions']:
            problems.append('%d download session(s) left on the %s' % (got['stats']['download_sessions'], side))
        if got['active']:
            problems.append('update session(s) left ACTIVE on the %s: %s' % (side, got['active']))
        if got['repeated']:
            problems.append('writes repeated on the %s: %s' % (side, [(e['operation'], e['path'], e['status']) for e in got['repeated']]))
        if got['foreign']:
            problems.append('a token that is not the %s\'s own reached it: %s' % (side, [(e['operation'], e['status']) for e in got['foreign']]))
        if side in case.logins and got['stats']['logins'] != case.logins[side]:
            problems.append('%d login(s) on the %s, expected %d' % (got['stats']['logins'], side, case.logins[side]))
    if not run.failed and m['target_files'] != m['source_files']:
        problems.append('the target item holds %s, not the source\'s %s' % (m['target_files'], m['source_files']))
    if run.failed and case.existing and m['target_files'] != m['before']:
        problems.append('the existing target item changed: %s, before %s' % (m['target_files'], m['before']))
    if run.failed and not case.existing and m['target_files'] is not None:
        problems.append('the target item the task created is still there')
    bound = (m['signal_at'] or 0) + TIMEOUT + 3 if case.signal else bound_of(case)
    if m['seconds'] > bound:
        problems.append('took %.1f s, more than the bound of %.1f s' % (m['seconds'], bound))
    return problems


@pytest.fixture(scope='module')
def fault_runs(pairs: list[Pair], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every fault case, one worker per pair; the cases alternate between api -> rest and rest -> api."""
    base = tmp_path_factory.mktemp('copy-faults')
    queue = sorted(FAULTS, key=lambda slug: -(FAULTS[slug].size / FAULTS[slug].rate if FAULTS[slug].rate else FAULTS[slug].settle))
    lock = threading.Lock()
    results: dict[str, Any] = {}

    def worker(pair: Pair) -> None:
        while True:
            with lock:
                if not queue:
                    return
                slug = queue.pop(0)
            try:
                measure = run_fault_case(pair, FAULTS[slug], Path(tempfile.mkdtemp(prefix=slug[:30] + '-', dir=base)))
                measure['pair'] = pair.name
            except Exception as exc:  # pylint: disable=broad-except
                measure = {'error': '%s: %s' % (exc.__class__.__name__, exc)}
            with lock:
                results[slug] = measure

    threads = [threading.Thread(target=worker, args=(pair,), daemon=True) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize('slug', list(FAULTS))
def test_fault_on_either_side_leaves_nothing_behind(fault_runs: dict[str, Any], slug: str) -> None:
    measure = fault_runs[slug]
    assert 'error' not in measure, measure.get('error')
    problems = problems_of(FAULTS[slug], measure)
    assert not problems, '%s (%s)\n%s\n%r' % (slug, measure['pair'], '\n'.join(problems), measure['run'])


# -- 4. tokens stay on their origin; secrets stay out of the output ----------------------------------------------


def test_tokens_never_reach_the_other_hosts(tmp_path: Path) -> None:
    """The source names another host for downloads, the target another one for uploads: neither gets a request."""
    with (
        running_simulator(['--flavor', h.API, '--log-level', 'error', '--download-host', 'other']) as source_info,
        running_simulator(['--flavor', h.REST, '--log-level', 'error', '--upload-host', 'other', '--username', TARGET_USER]) as target_info,
    ):
        pair = Pair(h.Sim(source_info, h.API), h.Sim(target_info, h.REST))
        try:
            content = uuid.uuid4().bytes * 4096
            source_item = seed(pair.source, content)
            for _side, sim in pair.sides():
                sim.reset()
                assert sim.request('DELETE', '/_sim/other-host/log').status_code == 204
            run = h.run_module(MODULE, dict(pair.source.conn(), library_item_id=source_item, target=pair.target_conn()))
            h.assert_no_traceback(run)
            assert not run.failed, run
            warnings = ' '.join(str(w) for w in run.result.get('warnings') or [])
            for _side, sim in pair.sides():
                other = sim.request('GET', '/_sim/other-host').json()
                assert other['running'], other
                assert urlhost(other['https_url']) in warnings, 'no warning names %s: %s' % (other['https_url'], warnings)
                entries = sim.request('GET', '/_sim/other-host/log').json()['entries']
                assert entries == [], 'the other host got requests: %s' % [(e['method'], e['path'], sorted(e['headers'])) for e in entries]
                assert foreign_tokens(sim, sim.log()) == []
            assert [e['status'] for e in pair.source.log() if e['operation'] == 'file.download'] == [200]
            assert [e['status'] for e in pair.target.log() if e['operation'] == 'file.upload'] == [200]
            target_item = pair.target.find_items(run.result['target_item']['name'])[0]
            assert files_of(pair.target, target_item) == files_of(pair.source, source_item)
        finally:
            for _side, sim in pair.sides():
                sim.admin_logout()


def urlhost(url: str) -> str:
    return url.split('://', 1)[1].rstrip('/')


def test_neither_password_nor_token_in_verbose_output(pairs: list[Pair], tmp_path: Path) -> None:
    """ansible-playbook -vvv: a copy, its re-run and a copy refused by the target's login show no secret."""
    pair = pairs[1]
    pair.reset()
    source_item = seed(pair.source, uuid.uuid4().bytes * 4096)
    pair.source.admin_logout()
    pair.target.admin_logout()
    conn = pair.source.conn()
    target = pair.target_conn(item_name='relia-secret')
    tasks = [
        {'name': 'copy', 'vsphere.content_library.library_item_copy': dict(conn, library_item_id=source_item, target=target)},
        {'name': 'copy again', 'vsphere.content_library.library_item_copy': dict(conn, library_item_id=source_item, target=target)},
        {
            'name': 'FAIL: a wrong target password that starts with the right one',
            'ignore_errors': True,
            'vsphere.content_library.library_item_copy': dict(
                conn, library_item_id=source_item, force=True, target=dict(target, password=pair.target.password + 'x')
            ),
        },
    ]
    play = [{'name': 'relia copy secrets', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]
    done = h.run_playbook(json.dumps(play), tmp_path)
    output = done.stdout + done.stderr
    recap = output.split('PLAY RECAP')[-1]
    assert all(word in recap for word in ('ok=3', 'changed=1', 'failed=0', 'ignored=1')), output[-3000:]
    assert h.TRACEBACK_MARK not in output, output[-3000:]
    for sim in (pair.source, pair.target):
        assert sim.password not in output and sim.password[:12] not in output
        assert sim.stats()['open_login_sessions'] == 0
    assert not h.TOKEN_LIKE.findall(output), h.TOKEN_LIKE.findall(output)[:5]


def test_the_case_lists_cover_issue_16() -> None:
    """Bad input of every option family on both sides; faults of each kind on each side."""
    assert len(INPUT_CASES) >= 35 and sum(1 for case in INPUT_CASES if case[0].startswith('target')) >= 15
    kinds = ('503', 'drop', 'slow', '401')
    for side in ('source', 'target'):
        faults = ' '.join(case.fault for case in FAULT_CASES if case.side == side)
        assert all(kind in faults for kind in kinds), (side, faults)
    assert set(case[1] for case in ANSWER_CASES) == {'source', 'target'}
