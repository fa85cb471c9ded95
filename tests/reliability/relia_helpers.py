# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared helpers of the reliability suites (issue 9): one place, imported by conftest and the tests.

* a collection tree (``ansible_collections/vsphere/content_library`` -> the repository root),
* running a module as a real process, several at once, or a playbook,
* a control client for the bundled simulator (log, stats, faults, seeding content),
* a scriptable HTTPS server (trustme) for malformed answers, redirects and other origins,
* the assertions every suite shares (a clean failure: no traceback, the option named).
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import requests

RELIABILITY_DIR = Path(__file__).resolve().parent
TESTS_DIR = RELIABILITY_DIR.parent
REPO_ROOT = TESTS_DIR.parent
PYTHON = sys.executable
ANSIBLE_PLAYBOOK = str(Path(sys.executable).parent / 'ansible-playbook')
COLLECTION = 'vsphere.content_library'
MODULE_PACKAGE = 'ansible_collections.vsphere.content_library.plugins.modules'
MODULES = (
    'update_session',
    'update_session_info',
    'update_session_fail',
    'update_session_file',
    'update_session_file_info',
    'library_item_upload',
    'library_item_download',
    'library_item_info',
    'library_item',
)
# A copy needs a target: test_bad_input runs its cases with the target on the same simulator; test_copy.py
# runs it between two simulators (bad input, bad answers, faults and tokens on either side).
MODULES += ('library_item_copy',)

TRACEBACK_MARK = 'Traceback (most recent call last)'
# What the simulator issues as a login token (secrets.token_hex(16)), and what vCenter's look like.
TOKEN_LIKE = re.compile(r'(?<![0-9a-fA-F])[0-9a-f]{32}(?![0-9a-fA-F])')


# -- the collection tree ------------------------------------------------------------------------------


def make_collection_tree(base: Path) -> Path:
    """``base/ansible_collections/vsphere/content_library`` as a symlink to the repository; returns base."""
    namespace = Path(base) / 'ansible_collections' / 'vsphere'
    namespace.mkdir(parents=True, exist_ok=True)
    link = namespace / 'content_library'
    if not link.exists():
        link.symlink_to(REPO_ROOT, target_is_directory=True)
    return Path(base)


_TREE: dict[str, Path] = {}


def collection_tree() -> Path:
    """The process-wide collection tree (made once, removed by conftest at the end of the session)."""
    if 'tree' not in _TREE:
        _TREE['tree'] = make_collection_tree(Path(tempfile.mkdtemp(prefix='relia-collections-')))
        if str(_TREE['tree']) not in sys.path:
            sys.path.insert(0, str(_TREE['tree']))
    return _TREE['tree']


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every process we start: no CA bundle or proxy overrides, the collection importable."""
    env = dict(os.environ)
    for name in (
        'REQUESTS_CA_BUNDLE',
        'CURL_CA_BUNDLE',
        'SSL_CERT_FILE',
        'HTTPS_PROXY',
        'https_proxy',
        'HTTP_PROXY',
        'http_proxy',
        'ALL_PROXY',
        'all_proxy',
        'VMWARE_HOST',
        'VMWARE_PORT',
        'VMWARE_USER',
        'VMWARE_PASSWORD',
        'VMWARE_VALIDATE_CERTS',
        'VMWARE_PROXY_HOST',
        'VMWARE_PROXY_PORT',
    ):
        env.pop(name, None)
    tree = str(collection_tree())
    env['PYTHONPATH'] = tree + (os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
    env['ANSIBLE_COLLECTIONS_PATH'] = tree
    env['NO_PROXY'] = env['no_proxy'] = '*'
    env.update(extra or {})
    return env


# -- running modules ---------------------------------------------------------------------------------


class ModuleRun:
    """One module process: its parsed JSON result (or None), stdout, stderr, exit status and duration."""

    def __init__(self, name: str, args: dict[str, Any], rc: int, stdout: str, stderr: str, seconds: float):
        self.name = name
        self.args = args
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.result = parse_module_output(stdout)

    @property
    def failed(self) -> bool:
        return bool(self.result is None or self.result.get('failed'))

    @property
    def msg(self) -> str:
        return str((self.result or {}).get('msg', ''))

    def __repr__(self) -> str:
        return 'ModuleRun(%s rc=%s %.1fs result=%r stderr=%r)' % (self.name, self.rc, self.seconds, self.result, self.stderr[-2000:])


def parse_module_output(stdout: str) -> dict[str, Any] | None:
    """The module's JSON result: the last line of stdout that parses as a JSON object."""
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith('{'):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def module_command(name: str, args: dict[str, Any], check_mode: bool = False, diff: bool = False, workdir: Path | None = None) -> list[str]:
    """``python -m <module> <args.json>``, the args file written under workdir (or a temp dir)."""
    module_args = dict(args)
    if check_mode:
        module_args['_ansible_check_mode'] = True
    if diff:
        module_args['_ansible_diff'] = True
    directory = Path(workdir or tempfile.mkdtemp(prefix='relia-args-'))
    path = directory / ('args-%s.json' % uuid.uuid4().hex[:12])
    path.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': module_args}))
    return [PYTHON, '-m', '%s.%s' % (MODULE_PACKAGE, name), str(path)]


def run_module(
    name: str, args: dict[str, Any], check_mode: bool = False, diff: bool = False, timeout: float = 120, env: dict[str, str] | None = None
) -> ModuleRun:
    """Run one module as a real process (as Ansible would on the target) and wait for it."""
    with tempfile.TemporaryDirectory(prefix='relia-args-') as workdir:
        command = module_command(name, args, check_mode=check_mode, diff=diff, workdir=Path(workdir))
        started = time.monotonic()
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, cwd=workdir, env=clean_env(env), stdin=subprocess.DEVNULL, check=False
            )
            rc, stdout, stderr = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as exc:
            rc = -9
            stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or '')
            stderr = (exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or '')) + '\n[relia: killed after %s seconds]' % timeout
        return ModuleRun(name, args, rc, stdout, stderr, time.monotonic() - started)


def start_module(name: str, args: dict[str, Any], workdir: Path, env: dict[str, str] | None = None, check_mode: bool = False) -> subprocess.Popen:
    """Start a module process without waiting (for signal tests); its own process group."""
    command = module_command(name, args, check_mode=check_mode, workdir=workdir)
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(workdir),
        env=clean_env(env),
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def finish_module(process: subprocess.Popen, name: str, args: dict[str, Any], started: float, timeout: float = 60) -> ModuleRun:
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    return ModuleRun(name, args, process.returncode, stdout, stderr, time.monotonic() - started)


def signal_module(name: str, args: dict[str, Any], workdir: Path, sig: int, when: Callable[[], bool], deadline: float = 30) -> ModuleRun:
    """Start a module, wait until ``when()`` is true, send it ``sig``, and collect what it printed."""
    started = time.monotonic()
    process = start_module(name, args, workdir)
    try:
        while time.monotonic() - started < deadline and process.poll() is None and not when():
            time.sleep(0.05)
        if process.poll() is None:
            os.kill(process.pid, sig)
    finally:
        run = finish_module(process, name, args, started)
    return run


def run_modules(calls: list[tuple[str, dict[str, Any]]], workers: int = 4, **kwargs: Any) -> list[ModuleRun]:
    """Run several module processes concurrently; results in the order of ``calls``."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: run_module(call[0], call[1], **kwargs), calls))


def run_playbook(
    playbook: str, workdir: Path, extra_args: tuple[str, ...] = ('-vvv',), env: dict[str, str] | None = None, timeout: float = 150
) -> subprocess.CompletedProcess:
    """``ansible-playbook -vvv`` on a playbook text (localhost, local connection)."""
    path = Path(workdir) / ('playbook-%s.yml' % uuid.uuid4().hex[:8])
    path.write_text(playbook)
    inventory = Path(workdir) / 'inventory.ini'
    inventory.write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % PYTHON)
    (Path(workdir) / 'ansible.cfg').write_text('[defaults]\n')
    play_env = clean_env(
        dict(
            {
                'ANSIBLE_HOST_KEY_CHECKING': 'False',
                'ANSIBLE_RETRY_FILES_ENABLED': 'False',
                'ANSIBLE_LOCAL_TEMP': str(Path(workdir) / 'ansible-local'),
                'ANSIBLE_REMOTE_TEMP': str(Path(workdir) / 'ansible-remote'),
                'ANSIBLE_NOCOLOR': '1',
                'ANSIBLE_FORCE_COLOR': '0',
                'ANSIBLE_DEPRECATION_WARNINGS': 'False',
                'ANSIBLE_CONFIG': str(Path(workdir) / 'ansible.cfg'),
                'HOME': str(workdir),
            },
            **(env or {}),
        )
    )
    return subprocess.run(
        [ANSIBLE_PLAYBOOK, '-i', str(inventory), str(path), *extra_args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(workdir),
        env=play_env,
        stdin=subprocess.DEVNULL,
        check=False,
    )


# -- assertions ----------------------------------------------------------------------------------------


def traceback_signs(run: ModuleRun) -> list[str]:
    """Everything in a module run that looks like a traceback or an unexpected error."""
    signs = []
    result = run.result or {}
    if TRACEBACK_MARK in str(result.get('exception', '')):
        signs.append('exception key holds a traceback')
    if 'Unexpected error' in run.msg:
        signs.append('msg says Unexpected error: %s' % run.msg)
    if TRACEBACK_MARK in run.stderr or TRACEBACK_MARK in run.stdout:
        signs.append('traceback printed: %s' % (run.stderr or run.stdout)[-1500:])
    if run.result is None:
        signs.append('no JSON result (rc=%s): %s' % (run.rc, (run.stderr or run.stdout)[-1500:]))
    return signs


def assert_no_traceback(run: ModuleRun) -> None:
    signs = traceback_signs(run)
    assert not signs, '%s\n%r' % ('\n'.join(signs), run)


def assert_clean_failure(run: ModuleRun, *words: str) -> None:
    """The task failed, with one msg naming each of ``words`` (option names), and no traceback."""
    assert_no_traceback(run)
    assert run.failed, 'expected a failure: %r' % run
    for word in words:
        assert word in run.msg, 'msg does not name %r: %r' % (word, run.msg)


# -- the simulator -------------------------------------------------------------------------------------

API, REST = 'api', 'rest'
_US = {API: '/api/content/library/item/update-session', REST: '/rest/com/vmware/content/library/item/update-session'}
_USF_REST = '/rest/com/vmware/content/library/item/updatesession/file'


class Sim:
    """A running simulator seen from a test: connection args for modules, control API, seeding."""

    def __init__(self, info: dict[str, Any], flavor: str):
        self.info = info
        self.flavor = flavor
        self.url = info['url']
        parts = urlsplit(self.url)
        self.host = parts.hostname
        self.port = parts.port
        self.username = info['username']
        self.password = info['password']
        self.ca = info['ca_cert']
        self.items = info['items']
        self.libraries = info['libraries']
        self._token: str | None = None
        self.http = requests.Session()
        self.http.trust_env = False

    # connection options of the modules
    def conn(self, **overrides: Any) -> dict[str, Any]:
        args = {
            'hostname': self.host,
            'port': self.port,
            'username': self.username,
            'password': self.password,
            'ca_path': self.ca,
            'api_flavor': self.flavor,
            'validate_certs': True,
        }
        args.update(overrides)
        return dict((key, value) for key, value in args.items() if value is not None or key in overrides)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault('timeout', 30)
        return self.http.request(method, self.url + path, verify=self.ca, **kwargs)

    # control API
    def reset(self) -> None:
        assert self.request('DELETE', '/_sim/faults').status_code == 204
        assert self.request('DELETE', '/_sim/log').status_code == 204

    def log(self) -> list[dict[str, Any]]:
        return self.request('GET', '/_sim/log').json()['entries']

    def stats(self) -> dict[str, int]:
        return self.request('GET', '/_sim/stats').json()

    def fault(self, **fault: Any) -> None:
        response = self.request('POST', '/_sim/faults', json=fault)
        assert response.status_code == 201, response.text

    # an admin client of its own, in the simulator's flavour, to seed content
    def _auth(self) -> dict[str, str]:
        if not self._token:
            path = '/api/session' if self.flavor == API else '/rest/com/vmware/cis/session'
            response = self.request('POST', path, auth=(self.username, self.password), headers={'vmware-use-header-authn': 'true'})
            assert response.ok, response.text
            value = response.json()
            self._token = value if self.flavor == API else value['value']
        return {'vmware-api-session-id': self._token}

    def admin_logout(self) -> None:
        if self._token:
            path = '/api/session' if self.flavor == API else '/rest/com/vmware/cis/session'
            self.request('DELETE', path, headers=self._auth())
            self._token = None

    def _value(self, response: requests.Response) -> Any:
        assert response.ok, '%s %s: %s %s' % (response.request.method, response.request.url, response.status_code, response.text)
        if not response.content:
            return None
        body = response.json()
        return body['value'] if self.flavor == REST and isinstance(body, dict) and 'value' in body else body

    def create_item(self, item_type: str = 'iso') -> str:
        spec = {'library_id': self.libraries['local-lib']['id'], 'name': 'relia-%s' % uuid.uuid4().hex[:10], 'type': item_type}
        if self.flavor == API:
            return self._value(self.request('POST', '/api/content/library/item', json=spec, headers=self._auth()))
        return self._value(self.request('POST', '/rest/com/vmware/content/library/item', json={'create_spec': spec}, headers=self._auth()))

    def create_session(self, item_id: str | None = None) -> str:
        item_id = item_id or self.create_item()
        if self.flavor == API:
            return self._value(self.request('POST', _US[API], json={'library_item_id': item_id}, headers=self._auth()))
        return self._value(self.request('POST', _US[REST], json={'create_spec': {'library_item_id': item_id}}, headers=self._auth()))

    def session_path(self, session_id: str) -> str:
        return '%s/%s%s' % (_US[self.flavor], '' if self.flavor == API else 'id:', session_id)

    def get_session(self, session_id: str) -> dict[str, Any]:
        return self._value(self.request('GET', self.session_path(session_id), headers=self._auth()))

    def list_sessions(self, item_id: str) -> list[str]:
        return self._value(self.request('GET', _US[self.flavor], params={'library_item_id': item_id}, headers=self._auth()))

    def session_action(self, session_id: str, action: str, body: dict[str, Any] | None = None) -> None:
        key = 'action' if self.flavor == API else '~action'
        self._value(self.request('POST', self.session_path(session_id), params={key: action}, json=body, headers=self._auth()))

    def add_push_file(self, session_id: str, name: str, content: bytes, checksum: tuple[str, str] | None = None) -> dict[str, Any]:
        """Add a PUSH file and upload ``content``; returns the file info (READY)."""
        spec: dict[str, Any] = {'name': name, 'source_type': 'PUSH', 'size': len(content)}
        if checksum:
            spec['checksum_info'] = {'algorithm': checksum[0], 'checksum': checksum[1]}
        if self.flavor == API:
            info = self._value(self.request('POST', '%s/%s/file' % (_US[API], session_id), json=spec, headers=self._auth()))
        else:
            info = self._value(
                self.request('POST', '%s/id:%s' % (_USF_REST, session_id), params={'~action': 'add'}, json={'file_spec': spec}, headers=self._auth())
            )
        uri = info['upload_endpoint']['uri']
        response = self.http.put(uri, data=content, verify=self.ca, headers=self._auth(), timeout=30)
        assert response.ok, response.text
        return self.get_file(session_id, name)

    def get_file(self, session_id: str, name: str) -> dict[str, Any]:
        deadline = time.monotonic() + 10
        while True:
            if self.flavor == API:
                info = self._value(self.request('GET', '%s/%s/file/%s' % (_US[API], session_id, name), headers=self._auth()))
            else:
                info = self._value(
                    self.request('POST', '%s/id:%s' % (_USF_REST, session_id), params={'~action': 'get'}, json={'file_name': name}, headers=self._auth())
                )
            if info['status'] in ('READY', 'ERROR') or time.monotonic() > deadline:
                return info
            time.sleep(0.05)

    # more control and reads for the fault suite
    def settings(self, **changes: Any) -> dict[str, Any]:
        """``PATCH /_sim/settings`` (``upload_rate_limit``, ``upload_host``); returns the settings now."""
        response = self.request('PATCH', '/_sim/settings', json=changes)
        assert response.ok, response.text
        return response.json()

    def clear_faults(self) -> None:
        assert self.request('DELETE', '/_sim/faults').status_code == 204

    def user_sessions(self) -> dict[str, dict[str, Any]]:
        """Every update session of the simulator's main user (the user the modules log in as), by id."""
        sessions = {}
        for session_id in self._value(self.request('GET', _US[self.flavor], headers=self._auth())) or []:
            response = self.request('GET', self.session_path(session_id), headers=self._auth())
            if response.status_code != 404:  # deleted between the list and the get
                sessions[session_id] = dict(self._value(response), id=session_id)
        return sessions

    def find_items(self, name: str) -> list[str]:
        """The ids of the items of ``local-lib`` named ``name``."""
        spec = {'name': name, 'library_id': self.libraries['local-lib']['id']}
        if self.flavor == API:
            response = self.request('POST', '/api/content/library/item', params={'action': 'find'}, json=spec, headers=self._auth())
        else:
            response = self.request('POST', '/rest/com/vmware/content/library/item', params={'~action': 'find'}, json={'spec': spec}, headers=self._auth())
        return self._value(response) or []

    def item_files(self, item_id: str) -> list[dict[str, Any]] | None:
        """The files of a library item, or None when the item does not exist."""
        if self.flavor == API:
            response = self.request('GET', '/api/content/library/item/%s/file' % item_id, headers=self._auth())
        else:
            response = self.request('GET', '/rest/com/vmware/content/library/item/file', params={'library_item_id': item_id}, headers=self._auth())
        return None if response.status_code == 404 else self._value(response)


# Extra simulator users, one per concurrent worker: the log's ``user`` field then tells whose request it was.
WORKER_USERS = [('relia-w%d@vsphere.local' % i, 'Relia-W%d-%s' % (i, uuid.uuid4().hex[:12])) for i in range(4)]


def worker_user_flags() -> list[str]:
    flags = []
    for user, password in WORKER_USERS:
        flags += ['--extra-user', '%s:%s' % (user, password)]
    return flags


def run_attributed(jobs: list[tuple[str, Sim, str, dict[str, Any]]]) -> dict[str, tuple[ModuleRun, list[dict[str, Any]]]]:
    """Run ``(key, sim, module, args)`` jobs on a pool of workers, each logged in as its own simulator user.

    Returns ``{key: (run, the simulator log entries of that run)}``: a worker runs its jobs one after the
    other, so the entries of its user that appear after a job started are that job's, however the
    workers interleave. This gives each case its own request log without running the cases one by one.
    """
    queue = list(reversed(jobs))
    lock = threading.Lock()
    results: dict[str, tuple[ModuleRun, list[dict[str, Any]]]] = {}

    def worker(user: str, password: str) -> None:
        while True:
            with lock:
                if not queue:
                    return
                key, sim, module, args = queue.pop()
            args = dict(args, username=user, password=password)
            start = len(sim.log())
            run = run_module(module, args)
            entries = [entry for entry in sim.log()[start:] if entry.get('user') == user]
            results[key] = (run, entries)

    # More processes than cores only adds contention: a module run is CPU-bound start-up, mostly.
    count = max(1, min(len(WORKER_USERS), os.cpu_count() or 2))
    threads = [threading.Thread(target=worker, args=pair) for pair in WORKER_USERS[:count]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# -- a scriptable HTTPS server ----------------------------------------------------------------------


class Answer:
    """What the test server sends: status, body (bytes/str, or an object sent as JSON), headers."""

    def __init__(
        self, status: int = 200, body: Any = b'', headers: dict[str, str] | None = None, delay: float = 0.0, raw_json: bool = True, drop: bool = False
    ):
        self.status = status
        self.headers = dict(headers or {})
        self.delay = delay
        self.drop = drop
        if isinstance(body, bytes):
            self.body = body
        elif isinstance(body, str):
            self.body = body.encode('utf-8')
        else:
            self.body = json.dumps(body).encode('utf-8')
            self.headers.setdefault('Content-Type', 'application/json')
        if raw_json:
            self.headers.setdefault('Content-Type', 'application/json')


class ScriptedServer:
    """An HTTPS (or HTTP) server in a thread: ``handler(request) -> Answer``; every request recorded.

    ``request`` is a dict with method, path (without query), query, headers (lower-case keys), body (bytes).
    """

    def __init__(self, handler: Callable[[dict[str, Any]], Answer], tls: 'TLSMaterial | None', host: str = '127.0.0.1'):
        self.handler = handler
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                parts = urlsplit(self.path)
                request = {
                    'method': self.command,
                    'path': parts.path,
                    'query': parts.query,
                    'headers': dict((k.lower(), v) for k, v in self.headers.items()),
                    'body': body,
                    'server': outer,
                }
                with outer.lock:
                    outer.requests.append(request)
                try:
                    answer = outer.handler(request)
                except Exception as exc:  # pylint: disable=broad-except
                    answer = Answer(599, 'test server handler failed: %r' % exc)
                if answer.delay:
                    time.sleep(answer.delay)
                if answer.drop:
                    self.close_connection = True
                    try:
                        self.connection.shutdown(2)
                    except OSError:
                        pass
                    return
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header('Content-Length', str(len(answer.body)))
                self.end_headers()
                if self.command != 'HEAD':
                    self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.tls = tls
        if tls is not None:
            self.httpd.socket = tls.server_context().wrap_socket(self.httpd.socket, server_side=True)
        self.host = host
        self.port = self.httpd.server_address[1]
        self.scheme = 'https' if tls is not None else 'http'
        self.url = '%s://%s:%s' % (self.scheme, host, self.port)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> 'ScriptedServer':
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def count(self, method: str | None = None, path_contains: str = '') -> int:
        with self.lock:
            return sum(1 for r in self.requests if (method is None or r['method'] == method) and path_contains in r['path'])

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()


class TLSMaterial:
    """A throwaway CA (trustme) and a certificate for 127.0.0.1/localhost; ``ca_path`` for clients."""

    def __init__(self, directory: Path):
        import trustme  # pylint: disable=import-outside-toplevel

        self.ca = trustme.CA()
        self.cert = self.ca.issue_cert('127.0.0.1', 'localhost', '::1')
        self.ca_path = str(Path(directory) / 'relia-ca.pem')
        self.ca.cert_pem.write_to_path(self.ca_path)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.cert.configure_cert(context)
        return context


# -- a fake vCenter built on ScriptedServer -------------------------------------------------------------

FAKE_USER = 'relia@vsphere.local'
FAKE_PASSWORD = 'Relia-S3cret-' + uuid.uuid4().hex[:8]


def basic_auth_ok(request: dict[str, Any]) -> bool:
    header = request['headers'].get('authorization', '')
    expected = 'Basic ' + base64.b64encode(('%s:%s' % (FAKE_USER, FAKE_PASSWORD)).encode()).decode()
    return header == expected


def fake_session(state: str = 'ACTIVE', item: str = 'item-1', **extra: Any) -> dict[str, Any]:
    """A complete UpdateSessionModel (get omits id)."""
    session = {
        'library_item_id': item,
        'library_item_content_version': '1',
        'client_progress': 0,
        'state': state,
        'expiration_time': '2030-01-01T00:00:00.000Z',
        'warning_behavior': [],
    }
    if state == 'ACTIVE':
        session['preview_info'] = {'state': 'UNAVAILABLE'}
    session.update(extra)
    return session


def fake_vcenter_connection(server: ScriptedServer, flavor: str = API, **overrides: Any) -> dict[str, Any]:
    args = {
        'hostname': server.host,
        'port': server.port,
        'username': FAKE_USER,
        'password': FAKE_PASSWORD,
        'ca_path': server.tls.ca_path if server.tls else None,
        'api_flavor': flavor,
        'timeout': 10,
    }
    args.update(overrides)
    return args


def wait_for(condition: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


SIGNALS = {'SIGTERM': signal.SIGTERM, 'SIGINT': signal.SIGINT}


_US_PATHS = {API: '/api/content/library/item/update-session', REST: '/rest/com/vmware/content/library/item/update-session'}
_SESSION_PATHS = {API: '/api/session', REST: '/rest/com/vmware/cis/session'}


def classify(flavor: str, method: str, path: str, query: str) -> str:
    """The operation name (as in _operations.py) a request to a fake vCenter is, or 'unknown'."""
    params = dict(part.split('=', 1) if '=' in part else (part, '') for part in query.split('&') if part)
    action = params.get('action' if flavor == API else '~action')
    if path == _SESSION_PATHS[flavor]:
        return {'POST': 'session.create', 'DELETE': 'session.delete'}.get(method, 'session.get')
    base = _US_PATHS[flavor]
    if flavor == REST and path.startswith(_USF_REST):
        if method == 'GET':
            return 'file.list'
        return 'file.' + (action or 'unknown')
    if path == base:
        return {'GET': 'update_session.list', 'POST': 'update_session.create'}.get(method, 'unknown')
    if path.startswith(base + '/'):
        rest = path[len(base) + 1 :]
        if '/file' in rest:
            session, dummy, tail = rest.partition('/file')
            if tail.startswith('/'):
                return {'GET': 'file.get', 'DELETE': 'file.remove'}.get(method, 'unknown')
            if method == 'GET':
                return 'file.list'
            return 'file.' + (action or 'add')
        if method == 'GET':
            return 'update_session.get'
        if method == 'PATCH':
            return 'update_session.update'
        if method == 'DELETE':
            return 'update_session.delete'
        if method == 'POST' and action:
            return 'update_session.' + action.replace('-', '_')
    if path.startswith('/cls-data/'):
        return 'file.upload'
    return 'unknown'


def fake_file(name: str = 'disk.iso', status: str = 'READY', upload_uri: str | None = None, **extra: Any) -> dict[str, Any]:
    info = {'name': name, 'source_type': 'PUSH', 'bytes_transferred': 0, 'status': status, 'keep_in_storage': True}
    if upload_uri:
        info['upload_endpoint'] = {'uri': upload_uri}
    info.update(extra)
    return info


class FakeVCenter:
    """A minimal vCenter on a ScriptedServer, in one flavour: good answers unless ``answers`` says otherwise.

    ``answers[operation]`` is an Answer, or a callable ``(request) -> Answer | None`` (None: the good answer).
    Logins need the fake's Basic credentials; every other request its token, else 401. Every request's
    operation is appended to ``ops``; ``tokens`` are the tokens it issued, ``logged_out`` those ended.
    """

    def __init__(self, tls: TLSMaterial | None, flavor: str = API, session_id: str = 'sess-0001'):
        self.flavor = flavor
        self.session_id = session_id
        self.answers: dict[str, Any] = {}
        self.ops: list[str] = []
        self.tokens: list[str] = []
        self.logged_out: list[str] = []
        self.server = ScriptedServer(self._handle, tls)
        self.url = self.server.url
        self.port = self.server.port

    def __enter__(self) -> 'FakeVCenter':
        self.server.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.__exit__(*exc)

    def connection(self, **overrides: Any) -> dict[str, Any]:
        return fake_vcenter_connection(self.server, self.flavor, **overrides)

    def ok(self, value: Any, created: bool = False) -> Answer:
        """A success in this flavour: /api bare (201 for creates), /rest wrapped in value (200)."""
        if self.flavor == API:
            if value is None:
                return Answer(204, b'', raw_json=False)
            # json.dumps: a bare string (a token, an id) is a JSON string on the wire, quotes and all.
            return Answer(201 if created else 200, json.dumps(value))
        if value is None:
            return Answer(200, b'', raw_json=False)
        return Answer(200, {'value': value})

    def good(self, op: str, request: dict[str, Any]) -> Answer:
        if op == 'session.create':
            token = uuid.uuid4().hex
            self.tokens.append(token)
            return self.ok(token, created=True)
        if op == 'session.delete':
            self.logged_out.append(request['headers'].get('vmware-api-session-id', ''))
            return self.ok(None)
        if op == 'update_session.list':
            return self.ok([self.session_id])
        if op == 'update_session.get':
            return self.ok(fake_session())
        if op == 'update_session.create':
            return self.ok(self.session_id, created=True)
        if op == 'file.add':
            return self.ok(fake_file(status='WAITING_FOR_TRANSFER', upload_uri='%s/cls-data/%s/disk.iso' % (self.url, self.session_id)), created=True)
        if op == 'file.list':
            return self.ok([])
        if op == 'file.get':
            return self.ok(fake_file())
        if op == 'file.upload':
            return Answer(200, b'', raw_json=False)
        if op == 'file.validate':
            return self.ok({'has_errors': False, 'missing_files': [], 'invalid_files': []})
        return self.ok(None)

    def _handle(self, request: dict[str, Any]) -> Answer:
        op = classify(self.flavor, request['method'], request['path'], request['query'])
        request['op'] = op
        self.ops.append(op)
        if op == 'session.create':
            if not basic_auth_ok(request):
                return self.error(401, 'unauthenticated')
        elif op != 'file.upload' and request['headers'].get('vmware-api-session-id') not in self.tokens:
            return self.error(401, 'unauthenticated')
        answer = self.answers.get(op)
        if callable(answer):
            answer = answer(request)
        return answer if answer is not None else self.good(op, request)

    def error(self, status: int, error_type: str, message: str = 'fake vCenter error') -> Answer:
        messages = [{'id': 'relia.fake', 'default_message': message, 'args': []}]
        if self.flavor == API:
            return Answer(status, {'error_type': error_type.upper(), 'messages': messages})
        return Answer(status, {'type': 'com.vmware.vapi.std.errors.' + error_type, 'value': {'messages': messages}})

    def count(self, op: str) -> int:
        return self.ops.count(op)


# -- other origins (redirect and upload targets) ---------------------------------------------------

SECRET_HEADERS = ('vmware-api-session-id', 'authorization', 'cookie')


class Elsewhere:
    """The other origins: an HTTPS server on another port (and host name), and a plain-http one."""

    def __init__(self, tls: TLSMaterial):
        self.https = ScriptedServer(lambda request: Answer(200, fake_session()), tls)
        self.http = ScriptedServer(lambda request: Answer(200, fake_session()), None)

    def __enter__(self) -> 'Elsewhere':
        self.https.__enter__()
        self.http.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.https.__exit__(*exc)
        self.http.__exit__(*exc)

    def target(self, kind: str, fake: FakeVCenter, path: str) -> str:
        return {
            'other-port': 'https://127.0.0.1:%s%s' % (self.https.port, path),
            'other-host': 'https://localhost:%s%s' % (self.https.port, path),
            'plain-http-same-host': 'http://127.0.0.1:%s%s' % (self.http.port, path),
            'https-to-http-same-port': 'http://127.0.0.1:%s%s' % (fake.port, path),
        }[kind]

    def requests(self) -> list[dict[str, Any]]:
        return self.https.requests + self.http.requests


def assert_nothing_leaked(elsewhere: Elsewhere) -> None:
    for request in elsewhere.requests():
        leaked = [name for name in SECRET_HEADERS if name in request['headers']]
        assert not leaked, 'the other origin got %s on %s %s' % (leaked, request['method'], request['path'])
    assert not elsewhere.requests(), 'a redirect to another origin was followed: %s' % [(r['method'], r['path']) for r in elsewhere.requests()]


# -- simulators of one's own, and the figures of a run ---------------------------------------------------


def start_simulators(stack: Any, flavor: str, count: int, *flags: str) -> list[Sim]:
    """``count`` simulators of one flavour, stopped when ``stack`` (a contextlib.ExitStack) closes.

    A test that owns a simulator can reset its log, faults and settings between cases without
    disturbing anyone, so its cases run concurrently, one simulator each.
    """
    from vsphere_content_simulator.launcher import running_simulator  # pylint: disable=import-outside-toplevel

    sims = []
    for _number in range(count):
        info = stack.enter_context(running_simulator(['--flavor', flavor, '--log-level', 'error', *flags]))
        sim = Sim(info, flavor)
        stack.callback(sim.admin_logout)
        sims.append(sim)
    return sims


# Creates that carry a client token: vCenter answers a repeat with the same object, so they may be sent again.
TOKEN_CREATES = ('update_session.create', 'item.create', 'download_session.create')
# Writes (for the simulator's log) that change nothing when repeated: preparing a file already prepared.
IDEMPOTENT_WRITES = ('download_file.prepare',)


def duplicated_writes(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The writes of a simulator log that repeat an earlier one: same operation, path, query and body.

    Not counted: creates with a client token (safe to repeat), prepares, the one repeat of a write that was
    answered 401 (the client logged in again; a 401 did nothing), and keep-alives without a progress
    (the upload's periodic heartbeat: each is the same request on purpose).
    """
    last: dict[tuple[Any, ...], dict[str, Any]] = {}
    after_401: set[tuple[Any, ...]] = set()
    repeats = []
    for entry in entries:
        if not entry.get('write'):
            continue
        key = (entry['operation'], entry['path'], entry['query'], entry['body_sha1'])
        earlier = last.get(key)
        last[key] = entry
        if earlier is None or entry['operation'] in TOKEN_CREATES + IDEMPOTENT_WRITES:
            continue
        if earlier['status'] == 401 and key not in after_401:
            after_401.add(key)
            continue
        if entry['operation'] == 'update_session.keep_alive' and entry['body_sha1'] is None:
            continue
        repeats.append(entry)
    return repeats


def backoff_allowance(retries: int) -> float:
    """The most the client's back-off can add to a request that is retried ``retries`` times."""
    from ansible_collections.vsphere.content_library.plugins.module_utils._client import (  # pylint: disable=import-outside-toplevel
        BACKOFF_BASE,
        BACKOFF_CAP,
    )

    return sum(min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt) for attempt in range(retries))


def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(str(cell).replace('|', '\\|') for cell in row) + ' |' for row in rows]
    return '\n'.join(lines) + '\n'
