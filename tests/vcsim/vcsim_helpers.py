# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the vcsim suite: govmomi's vcsim as a second, independent vCenter stand-in.

* starting vcsim (built by tools/vcsim.sh) on a free loopback port, with a certificate from our own CA,
* seeding it with plain ``requests`` against its legacy REST API (and one SOAP call for a datastore id),
* running a module as a real process, the collection importable as ``ansible_collections.vsphere.content_library``,
* a recording HTTPS reverse proxy, to see every login, logout and write a module sends,
* our own simulator as the other vCenter of a copy (``Simulator``): started by the copy tests through
  its package's launcher, and reached only through its public API and ``/_sim/stats``.

Deliberately independent of the bundled simulator's internals and of tests/reliability (both are being
moved and restructured); the few helpers shared in spirit with relia_helpers.py are small enough to keep here.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

VCSIM_DIR = Path(__file__).resolve().parent
REPO_ROOT = VCSIM_DIR.parent.parent
BUILD_SCRIPT = REPO_ROOT / 'tools' / 'vcsim.sh'
PYTHON = sys.executable
MODULE_PACKAGE = 'ansible_collections.vsphere.content_library.plugins.modules'
MODULES = (
    'update_session_info',
    'update_session',
    'update_session_file',
    'update_session_file_info',
    'update_session_fail',
    'library_item_upload',
    'library_item_info',
    'library_item',
    'library_item_download',
    'library_item_copy',
)
TRACEBACK_MARK = 'Traceback (most recent call last)'

# The machine sets these globally; requests lets them override every verify= of ours.
UNWANTED_ENV = (
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
    'VMWARE_CA_PATH',
    'VMWARE_PROXY_HOST',
    'VMWARE_PROXY_PORT',
)

REST = '/rest/com/vmware'
LOGIN_PATHS = ('/api/session', REST + '/cis/session')
US = REST + '/content/library/item/update-session'
USF = REST + '/content/library/item/updatesession/file'
DS = REST + '/content/library/item/download-session'
DSF = REST + '/content/library/item/downloadsession/file'


# -- the collection tree and the environment of the processes we start ----------------------------------


def make_collection_tree(base: Path) -> Path:
    """``base/ansible_collections/vsphere/content_library`` as a symlink to this repository; returns base."""
    namespace = Path(base) / 'ansible_collections' / 'vsphere'
    namespace.mkdir(parents=True, exist_ok=True)
    link = namespace / 'content_library'
    if not link.exists():
        link.symlink_to(REPO_ROOT, target_is_directory=True)
    return Path(base)


def clean_env(tree: Path | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """os.environ without CA-bundle, proxy and VMWARE_* overrides; the collection importable from ``tree``."""
    env = dict((key, value) for key, value in os.environ.items() if key not in UNWANTED_ENV)
    if tree is not None:
        env['PYTHONPATH'] = str(tree) + (os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
        env['ANSIBLE_COLLECTIONS_PATH'] = str(tree)
    env['NO_PROXY'] = env['no_proxy'] = '*'
    env.update(extra or {})
    return env


# -- running modules -----------------------------------------------------------------------------------


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


class ModuleRun:
    """One module process: its JSON result (or None), stdout, stderr, exit status and duration."""

    def __init__(self, name: str, args: dict[str, Any], rc: int, stdout: str, stderr: str, seconds: float):
        self.name = name
        self.args = args
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.result = parse_module_output(stdout) or {}

    @property
    def failed(self) -> bool:
        return not self.result or bool(self.result.get('failed'))

    @property
    def changed(self) -> bool:
        return bool(self.result.get('changed'))

    @property
    def msg(self) -> str:
        return str(self.result.get('msg', ''))

    def __getitem__(self, key: str) -> Any:
        return self.result[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.result.get(key, default)

    def __repr__(self) -> str:
        args = dict((k, v) for k, v in self.args.items() if k not in ('password', 'hostname', 'port', 'username', 'ca_path'))
        result = dict((k, v) for k, v in self.result.items() if k != 'invocation')
        return 'ModuleRun(%s %s rc=%s %.1fs result=%s stderr=%r)' % (
            self.name,
            json.dumps(args),
            self.rc,
            self.seconds,
            json.dumps(result, indent=1)[:6000],
            self.stderr[-2000:],
        )


def run_module(tree: Path, name: str, args: dict[str, Any], check_mode: bool = False, diff: bool = False, timeout: float = 180) -> ModuleRun:
    """Run one module as a real process (``python -m <module> <args.json>``, as Ansible runs it on a target)."""
    module_args = dict(args)
    if check_mode:
        module_args['_ansible_check_mode'] = True
    if diff:
        module_args['_ansible_diff'] = True
    with tempfile.TemporaryDirectory(prefix='vcsim-args-') as workdir:
        path = Path(workdir) / 'args.json'
        path.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': module_args}))
        started = time.monotonic()
        try:
            done = subprocess.run(
                [PYTHON, '-m', '%s.%s' % (MODULE_PACKAGE, name), str(path)],
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=workdir,
                env=clean_env(tree),
                stdin=subprocess.DEVNULL,
                check=False,
            )
            rc, stdout, stderr = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as exc:
            rc, stdout = -9, exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or '')
            stderr = '[killed after %s seconds]' % timeout
        return ModuleRun(name, args, rc, stdout, stderr, time.monotonic() - started)


def warnings_of(run: ModuleRun) -> list[str]:
    """The task's warnings as text: strings before ansible-core 2.19, ``{"event": {"msg": ...}}`` since."""
    texts = []
    for warning in run.result.get('warnings') or []:
        texts.append(warning if isinstance(warning, str) else str(warning.get('event', {}).get('msg', warning)))
    return texts


def traceback_signs(run: ModuleRun) -> list[str]:
    signs = []
    if TRACEBACK_MARK in str(run.result.get('exception', '')):
        signs.append('the exception key holds a traceback')
    if 'Unexpected error' in run.msg:
        signs.append('msg says Unexpected error')
    if TRACEBACK_MARK in run.stderr or TRACEBACK_MARK in run.stdout:
        signs.append('a traceback was printed')
    if not run.result:
        signs.append('no JSON result (rc=%s)' % run.rc)
    return signs


def assert_ok(run: ModuleRun) -> ModuleRun:
    """The task succeeded, without a traceback."""
    assert not traceback_signs(run), '%s\n%r' % (traceback_signs(run), run)
    assert not run.failed, 'the task failed: %s\n%r' % (run.msg, run)
    return run


def assert_clean_failure(run: ModuleRun, *words: str) -> ModuleRun:
    """The task failed with a msg naming each of ``words``, without a traceback."""
    assert not traceback_signs(run), '%s\n%r' % (traceback_signs(run), run)
    assert run.failed, 'expected a failure: %r' % run
    for word in words:
        assert word.lower() in run.msg.lower(), 'msg does not name %r: %r' % (word, run.msg)
    return run


# -- vcsim ------------------------------------------------------------------------------------------------


def build_vcsim() -> tuple[str, str]:
    """tools/vcsim.sh: the binary's path and what the script said on stderr (timings)."""
    done = subprocess.run(['bash', str(BUILD_SCRIPT)], capture_output=True, text=True, env=clean_env(), check=False, stdin=subprocess.DEVNULL, timeout=1800)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines or not os.access(lines[-1], os.X_OK):
        raise RuntimeError('tools/vcsim.sh failed (rc=%s): %s' % (done.returncode, (done.stderr or done.stdout)[-2000:]))
    return lines[-1], done.stderr


class TLSMaterial:
    """A CA of our own (trustme) and a server certificate for 127.0.0.1 and localhost, as PEM files."""

    def __init__(self, directory: Path):
        import trustme  # pylint: disable=import-outside-toplevel

        directory = Path(directory)
        self.ca = trustme.CA()
        self.cert = self.ca.issue_cert('127.0.0.1', 'localhost')
        self.ca_path = str(directory / 'ca.pem')
        self.ca.cert_pem.write_to_path(self.ca_path)
        self.chain_path = str(directory / 'server-chain.pem')
        with open(self.chain_path, 'wb') as chain:
            for blob in self.cert.cert_chain_pems:
                chain.write(blob.bytes())
        self.key_path = str(directory / 'server-key.pem')
        self.cert.private_key_pem.write_to_path(self.key_path)


class Vcsim:
    """A running vcsim process: its URL, credentials and CA, and connection options for modules."""

    USERNAME = 'vcsim-admin@vsphere.local'
    PASSWORD = 'Vcsim-' + uuid.uuid4().hex[:12]

    def __init__(self, binary: str, tls: TLSMaterial, workdir: Path):
        self.binary = binary
        self.tls = tls
        self.ca_path = tls.ca_path
        self.log_path = Path(workdir) / 'vcsim.log'
        self.username = self.USERNAME
        self.password = self.PASSWORD
        self.process: subprocess.Popen | None = None
        self.host = '127.0.0.1'
        self.port = 0
        self.url = ''

    def start(self, timeout: float = 60) -> 'Vcsim':
        command = [
            self.binary,
            '-l',
            '127.0.0.1:0',
            '-tlscert',
            self.tls.chain_path,
            '-tlskey',
            self.tls.key_path,
            '-username',
            self.username,
            '-password',
            self.password,
        ]
        self._log = open(self.log_path, 'w')  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,  # pylint: disable=consider-using-with
            env=clean_env(),
            stdin=subprocess.DEVNULL,
        )
        # vcsim prints "export GOVC_URL=https://user:pass@127.0.0.1:PORT/sdk GOVC_SIM_PID=..." once it listens.
        ready, _w, _x = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ''
        found = re.search(r'GOVC_URL=(\S+)', line)
        if not found:
            self.stop()
            raise RuntimeError('vcsim did not start: %r %s' % (line, self.log_path.read_text()[-2000:]))
        parts = urlsplit(found.group(1))
        self.port = parts.port
        self.url = 'https://%s:%s' % (self.host, self.port)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, '_log', None):
            self._log.close()

    def log_tail(self, lines: int = 20) -> str:
        return '\n'.join(self.log_path.read_text(errors='replace').splitlines()[-lines:])

    def conn(self, flavor: str, **overrides: Any) -> dict[str, Any]:
        """A module's connection options: certificates verified against our CA."""
        args = {
            'hostname': self.host,
            'port': self.port,
            'username': self.username,
            'password': self.password,
            'validate_certs': True,
            'ca_path': self.ca_path,
            'api_flavor': flavor,
            'timeout': 30,
        }
        args.update(overrides)
        return args


# -- seeding and reading vcsim with plain requests ----------------------------------------------------------

_SOAP = (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:urn="urn:vim25"><soapenv:Body>%s</soapenv:Body></soapenv:Envelope>'
)


class Admin:
    """An admin client of the suite's own, on vcsim's legacy REST API (the only flavour vcsim 0.24 serves)."""

    def __init__(self, vcsim: Vcsim):
        self.vcsim = vcsim
        self.base = vcsim.url
        self.http = requests.Session()
        self.http.trust_env = False
        self.token: str | None = None
        self._datastore_id: str | None = None

    # transport
    def request(self, method: str, path: str, auth: bool = True, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop('headers', {}))
        if auth:
            headers['vmware-api-session-id'] = self.login()
        kwargs.setdefault('timeout', 30)
        return self.http.request(method, self.base + path, headers=headers, verify=self.vcsim.ca_path, **kwargs)

    def value(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        assert response.ok, '%s %s: %s %s' % (method, path, response.status_code, response.text[:500])
        return response.json().get('value') if response.content else None

    def login(self) -> str:
        if not self.token:
            response = self.http.post(
                self.base + REST + '/cis/session',
                auth=(self.vcsim.username, self.vcsim.password),
                headers={'vmware-use-header-authn': 'true'},
                verify=self.vcsim.ca_path,
                timeout=30,
            )
            assert response.ok, response.text
            self.token = response.json()['value']
        return self.token

    def logout(self) -> None:
        if self.token:
            self.request('DELETE', REST + '/cis/session')
            self.token = None

    def token_alive(self, token: str) -> bool:
        """Whether vcsim still knows this login (``POST .../cis/session?~action=get`` with it)."""
        response = self.http.post(
            self.base + REST + '/cis/session', params={'~action': 'get'}, headers={'vmware-api-session-id': token}, verify=self.vcsim.ca_path, timeout=30
        )
        return response.status_code == 200

    # inventory: vcsim's REST API has no datastore list in 0.24, so one SOAP call finds the datastore
    def datastore_id(self) -> str:
        """The moref of DC0's LocalDS_0 (vcsim's ids look like ``/tmp/govcsim-DC0-LocalDS_0-123@folder-5``)."""
        if self._datastore_id is None:
            soap = requests.Session()
            soap.trust_env = False
            headers = {'Content-Type': 'text/xml; charset=utf-8', 'SOAPAction': 'urn:vim25/6.5'}

            def call(body: str) -> str:
                response = soap.post(self.base + '/sdk', data=_SOAP % body, headers=headers, verify=self.vcsim.ca_path, timeout=30)
                assert response.ok, response.text[:500]
                return response.text

            call(
                '<urn:Login><urn:_this type="SessionManager">SessionManager</urn:_this><urn:userName>%s</urn:userName>'
                '<urn:password>%s</urn:password></urn:Login>' % (self.vcsim.username, self.vcsim.password)
            )
            try:
                answer = call(
                    '<urn:FindByInventoryPath><urn:_this type="SearchIndex">SearchIndex</urn:_this>'
                    '<urn:inventoryPath>DC0/datastore/LocalDS_0</urn:inventoryPath></urn:FindByInventoryPath>'
                )
            finally:
                call('<urn:Logout><urn:_this type="SessionManager">SessionManager</urn:_this></urn:Logout>')
            found = re.search(r'<returnval type="Datastore">([^<]+)</returnval>', answer)
            assert found, answer[:500]
            self._datastore_id = found.group(1)
        return self._datastore_id

    # libraries and items
    def create_library(self, name: str | None = None) -> dict[str, Any]:
        # vcsim sets no type of its own (vCenter does): without "LOCAL" the modules would not upload into it.
        spec = {
            'name': name or 'lib-%s' % uuid.uuid4().hex[:8],
            'type': 'LOCAL',
            'storage_backings': [{'type': 'DATASTORE', 'datastore_id': self.datastore_id()}],
        }
        library_id = self.value('POST', REST + '/content/local-library', json={'create_spec': spec})
        return dict(spec, id=library_id)

    def create_item(self, library_id: str, name: str | None = None, item_type: str = 'iso') -> str:
        spec = {'library_id': library_id, 'name': name or 'item-%s' % uuid.uuid4().hex[:8], 'type': item_type}
        return self.value('POST', REST + '/content/library/item', json={'create_spec': spec})

    def item(self, item_id: str) -> dict[str, Any] | None:
        response = self.request('GET', REST + '/content/library/item/id:' + item_id)
        return response.json()['value'] if response.ok else None

    def find_items(self, library_id: str, name: str) -> list[str]:
        return self.value('POST', REST + '/content/library/item', params={'~action': 'find'}, json={'spec': {'library_id': library_id, 'name': name}}) or []

    def item_files(self, item_id: str) -> list[dict[str, Any]]:
        return self.value('GET', REST + '/content/library/item/file', params={'library_item_id': item_id}) or []

    # update sessions
    def create_session(self, item_id: str) -> str:
        return self.value('POST', US, json={'client_token': str(uuid.uuid4()), 'create_spec': {'library_item_id': item_id}})

    def session_ids(self) -> list[str]:
        # vcsim answers an empty list as {"value": null} (Go's nil slice), and lists every user's sessions.
        return self.value('GET', US) or []

    def session(self, session_id: str) -> dict[str, Any] | None:
        response = self.request('GET', US + '/id:' + session_id)
        if response.status_code == 404:
            return None
        assert response.ok, response.text
        return response.json()['value']

    def sessions_of(self, item_id: str) -> list[dict[str, Any]]:
        sessions = [self.session(session_id) for session_id in self.session_ids()]
        return [s for s in sessions if s and s.get('library_item_id') == item_id]

    def session_action(self, session_id: str, action: str, body: dict[str, Any] | None = None) -> None:
        self.value('POST', US + '/id:' + session_id, params={'~action': action}, json=body)

    def delete_all_sessions(self) -> None:
        for session_id in self.session_ids():
            self.request('DELETE', US + '/id:' + session_id)
        assert self.session_ids() == []

    def session_files(self, session_id: str) -> list[dict[str, Any]]:
        return self.value('GET', USF, params={'update_session_id': session_id}) or []

    def push_file(self, session_id: str, name: str, data: bytes) -> None:
        info = self.value(
            'POST', USF + '/id:' + session_id, params={'~action': 'add'}, json={'file_spec': {'name': name, 'source_type': 'PUSH', 'size': len(data)}}
        )
        response = self.request('PUT', urlsplit(info['upload_endpoint']['uri']).path, data=data, headers={'Content-Type': 'application/octet-stream'})
        assert response.ok, response.text

    def upload_item(self, library_id: str, name: str, item_type: str, files: list[tuple[str, bytes]]) -> str:
        """A new item holding ``files``, pushed one by one in one update session (completed, then deleted).

        vcsim 0.24 keeps only the ``.ovf`` of an OVA, so an OVF template is pushed as its descriptor and disks.
        """
        item_id = self.create_item(library_id, name, item_type)
        session_id = self.create_session(item_id)
        for file_name, data in files:
            self.push_file(session_id, file_name, data)
        self.session_action(session_id, 'complete')
        self.request('DELETE', US + '/id:' + session_id)
        return item_id

    def item_ids(self, library_id: str) -> list[str]:
        return self.value('GET', REST + '/content/library/item', params={'library_id': library_id}) or []

    # download sessions
    def download_session_ids(self) -> list[str]:
        """Every download session vcsim holds (it lists every user's, whatever the filter)."""
        return self.value('GET', DS) or []

    def download_sessions_of(self, item_id: str) -> list[str]:
        sessions = []
        for session_id in self.download_session_ids():
            response = self.request('GET', DS + '/id:' + session_id)
            if response.ok and response.json()['value'].get('library_item_id') == item_id:
                sessions.append(session_id)
        return sessions

    def download(self, item_id: str, name: str) -> bytes:
        """The bytes vcsim serves for one file of an item (a download session of our own, deleted afterwards)."""
        session_id = self.value('POST', DS, json={'create_spec': {'library_item_id': item_id}})
        try:
            info = self.value('POST', DSF + '/id:' + session_id, params={'~action': 'prepare'}, json={'file_name': name})
            response = self.request('GET', urlsplit(info['download_endpoint']['uri']).path)
            assert response.ok, '%s: %s %s' % (name, response.status_code, response.text[:300])
            return response.content
        finally:
            self.request('DELETE', DS + '/id:' + session_id)


# -- our own simulator, as the other vCenter of a copy ---------------------------------------------------------


class Simulator:
    """The collection's own simulator (vsphere-content-simulator), started with ``info`` (its JSON line).

    It has its own CA, user and password, and speaks both flavours: a copy between it and vcsim
    has two vCenters that share nothing. Its reads log in and out each time, so that its
    ``open_login_sessions`` counts only the modules' logins.
    """

    def __init__(self, info: dict[str, Any]):
        self.info = info
        parts = urlsplit(info['url'])
        self.host = parts.hostname or '127.0.0.1'
        self.port = parts.port
        self.url = info['url']
        self.username = info['username']
        self.password = info['password']
        self.ca_path = info['ca_cert']
        self.libraries = info['libraries']
        self.items = info['items']
        self.http = requests.Session()
        self.http.trust_env = False

    def conn(self, flavor: str = 'auto', **overrides: Any) -> dict[str, Any]:
        args = {
            'hostname': self.host,
            'port': self.port,
            'username': self.username,
            'password': self.password,
            'validate_certs': True,
            'ca_path': self.ca_path,
            'api_flavor': flavor,
            'timeout': 30,
        }
        args.update(overrides)
        return args

    def stats(self) -> dict[str, Any]:
        """``/_sim/stats``: logins, logouts and open_login_sessions."""
        response = self.http.get(self.url + '/_sim/stats', verify=self.ca_path, timeout=30)
        assert response.ok, response.text
        return response.json()

    def _read(self, method: str, path: str, **kwargs: Any) -> Any:
        login = self.http.post(self.url + '/api/session', auth=(self.username, self.password), verify=self.ca_path, timeout=30)
        assert login.ok, login.text
        headers = {'vmware-api-session-id': login.json()}
        try:
            response = self.http.request(method, self.url + path, headers=headers, verify=self.ca_path, timeout=30, **kwargs)
            assert response.ok, '%s %s: %s %s' % (method, path, response.status_code, response.text[:300])
            return response.json()
        finally:
            self.http.delete(self.url + '/api/session', headers=headers, verify=self.ca_path, timeout=30)

    def find_items(self, library_id: str, name: str) -> list[str]:
        return self._read('POST', '/api/content/library/item', params={'action': 'find'}, json={'name': name, 'library_id': library_id})

    def item_files(self, item_id: str) -> list[dict[str, Any]]:
        return self._read('GET', '/api/content/library/item/%s/file' % item_id)


# -- a recording reverse proxy ----------------------------------------------------------------------------


@dataclass
class Exchange:
    method: str
    path: str
    query: str
    status: int
    request_headers: dict[str, str]
    response_body: bytes = field(repr=False)

    @property
    def is_login(self) -> bool:
        return self.method == 'POST' and self.path in LOGIN_PATHS and '~action' not in self.query

    @property
    def is_logout(self) -> bool:
        return self.method == 'DELETE' and self.path in LOGIN_PATHS

    @property
    def is_write(self) -> bool:
        """A request that changes something on vCenter (logins and logouts are not counted)."""
        if self.is_login or self.is_logout:
            return False
        if self.method in ('PUT', 'PATCH', 'DELETE'):
            return True
        if self.method != 'POST':
            return False
        action = dict(part.split('=', 1) for part in self.query.split('&') if '=' in part).get('~action', '')
        # Reads that are POSTs in the legacy flavour: find, get, list and validate.
        return action not in ('find', 'get', 'list', 'validate')


class Recorder:
    """An HTTPS reverse proxy in front of vcsim that records every exchange.

    Modules talk to the proxy (same CA, same host name); it forwards each request to vcsim and
    rewrites vcsim's origin to its own in answers, so that upload endpoints point back at it.
    """

    def __init__(self, vcsim: Vcsim):
        import ssl  # pylint: disable=import-outside-toplevel

        self.vcsim = vcsim
        self.exchanges: list[Exchange] = []
        self.lock = threading.Lock()
        upstream = requests.Session()
        upstream.trust_env = False
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'
            # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
            # client's delayed ACK hold each answer's body back for about 40 ms.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _forward(self) -> None:
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else None
                path, _sep, query = self.path.partition('?')
                hop = ('host', 'content-length', 'connection', 'accept-encoding')
                headers = dict((k, v) for k, v in self.headers.items() if k.lower() not in hop)
                answer = upstream.request(
                    self.command, recorder.vcsim.url + self.path, data=body, headers=headers, verify=recorder.vcsim.ca_path, allow_redirects=False, timeout=60
                )
                content = answer.content.replace(recorder.vcsim.url.encode(), recorder.url.encode())
                with recorder.lock:
                    recorder.exchanges.append(
                        Exchange(self.command, path, query, answer.status_code, dict((k.lower(), v) for k, v in self.headers.items()), content)
                    )
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in ('content-length', 'transfer-encoding', 'connection', 'content-encoding'):
                        self.send_header(key, value)
                # vcsim sends bigger bodies (file downloads) chunked, without a Content-Length: so does the proxy.
                if 'content-length' not in (key.lower() for key in answer.headers) and answer.status_code not in (204, 304):
                    self.send_header('Transfer-Encoding', 'chunked')
                    self.end_headers()
                    self.wfile.write((b'%x\r\n' % len(content) + content + b'\r\n' if content else b'') + b'0\r\n\r\n')
                    return
                self.send_header('Content-Length', str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(vcsim.tls.chain_path, vcsim.tls.key_path)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = 'https://127.0.0.1:%s' % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> 'Recorder':
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def conn(self, flavor: str, **overrides: Any) -> dict[str, Any]:
        return self.vcsim.conn(flavor, port=self.port, **overrides)

    def reset(self) -> None:
        with self.lock:
            self.exchanges.clear()

    def tokens_issued(self) -> list[str]:
        tokens = []
        for exchange in self.exchanges:
            if exchange.is_login and exchange.status == 200:
                tokens.append(json.loads(exchange.response_body)['value'])
        return tokens

    def tokens_ended(self) -> list[str]:
        return [e.request_headers.get('vmware-api-session-id', '') for e in self.exchanges if e.is_logout and e.status == 200]

    def download_sessions_created(self) -> list[str]:
        return [json.loads(e.response_body)['value'] for e in self.exchanges if e.method == 'POST' and e.path == DS and e.status == 200]

    def writes(self) -> list[str]:
        return ['%s %s%s' % (e.method, e.path, '?' + e.query if e.query else '') for e in self.exchanges if e.is_write]

    def summary(self) -> str:
        return '\n'.join('%s %s%s -> %s' % (e.method, e.path, '?' + e.query if e.query else '', e.status) for e in self.exchanges)


def parse_time(value: str) -> datetime.datetime:
    """An API date-time as vcsim writes it (RFC 3339, nanoseconds, trailing zeros trimmed, ``Z``)."""
    whole, _dot, fraction = value.rstrip('Z').partition('.')
    parsed = datetime.datetime.strptime(whole, '%Y-%m-%dT%H:%M:%S').replace(tzinfo=datetime.timezone.utc)
    return parsed + datetime.timedelta(microseconds=int((fraction + '000000')[:6]))


# -- local content --------------------------------------------------------------------------------------------

OVF_TEMPLATE = '''<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
          xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
          xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData">
  <References>
    <File ovf:href="{disk}" ovf:id="file1" ovf:size="{size}"/>
  </References>
  <DiskSection>
    <Info>Virtual disk information</Info>
    <Disk ovf:capacity="1" ovf:capacityAllocationUnits="byte * 2^20" ovf:diskId="vmdisk1" ovf:fileRef="file1"
          ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <VirtualSystem ovf:id="{name}">
    <Info>A virtual machine</Info>
    <Name>{name}</Name>
  </VirtualSystem>
</Envelope>
'''


def make_ovf_dir(directory: Path, name: str = 'tiny', disk_bytes: bytes = b'\x00disk\x01' * 512) -> Path:
    """A directory with an OVF descriptor and the one disk it references (no manifest, no certificate)."""
    directory.mkdir(parents=True, exist_ok=True)
    disk = '%s-disk1.vmdk' % name
    (directory / disk).write_bytes(disk_bytes)
    (directory / ('%s.ovf' % name)).write_text(OVF_TEMPLATE.format(disk=disk, size=len(disk_bytes), name=name))
    return directory
