# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the bench/bench_module_*.py scripts share: the simulator, test content, and measured processes.

Every benchmark runs the library_item_upload module the way Ansible's AnsiballZ wrapper does in
the end (one Python process reading its arguments file), and curl as the baseline, each as a child
process under /usr/bin/time, whose report gives that process's own peak RSS and CPU seconds. REQUESTS_CA_BUNDLE
and CURL_CA_BUNDLE are removed from the children's environment: they would override the CA given.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid

import requests
from vsphere_content_simulator.launcher import start_simulator, stop_simulator

# bench/ -> the repository root, which the benchmarks' collections tree links to.
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MIB = 1024 * 1024
GIB = 1024 * MIB
MODULE = 'ansible_collections.vsphere.content_library.plugins.modules.library_item_upload'
RSS_LIMIT_MIB = 100
_BLOCK = 4 * MIB
_OVF_NS = 'http://schemas.dmtf.org/ovf/envelope/1'


def child_env(**extra):
    """os.environ without the CA bundle variables (they override the CA the scripts pass), plus ``extra``."""
    env = dict((key, value) for key, value in os.environ.items() if key not in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'))
    env.update(extra)
    return env


def need(*tools):
    for tool in tools:
        if not (os.access(tool, os.X_OK) if os.path.isabs(tool) else shutil.which(tool)):
            raise SystemExit('%s is needed for this benchmark' % tool)


@contextlib.contextmanager
def workspace(prefix):
    """A temporary directory (under $TMPDIR) holding the content and a collections tree; removed at the end."""
    workdir = tempfile.mkdtemp(prefix=prefix)
    try:
        yield Workspace(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class Workspace(object):
    def __init__(self, path):
        self.path = path
        # ansible_collections/vsphere/content_library -> this checkout, as ANSIBLE_COLLECTIONS_PATH wants it.
        self.collections = os.path.join(path, 'collections')
        os.makedirs(os.path.join(self.collections, 'ansible_collections', 'vsphere'))
        os.symlink(REPO, os.path.join(self.collections, 'ansible_collections', 'vsphere', 'content_library'))

    def join(self, *names):
        return os.path.join(self.path, *names)


@contextlib.contextmanager
def simulator(*flags):
    """A simulator for the benchmark (its logs discarded); yields its JSON line with ``pid`` added."""
    process, info = start_simulator(['--log-level', 'warning'] + list(flags), stderr=subprocess.DEVNULL)
    try:
        yield dict(info, pid=process.pid)
    finally:
        stop_simulator(process)


def cpu_seconds_of(pid):
    """User+system CPU seconds that process ``pid`` used so far (from /proc)."""
    with open('/proc/%d/stat' % pid) as handle:
        fields = handle.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf('SC_CLK_TCK'))


def sync():
    """Flush dirty pages so that writeback from earlier work does not compete with the next run."""
    subprocess.run(['sync'], check=False)


# -- content ---------------------------------------------------------------------------------------

class PatternReader(io.RawIOBase):
    """``size`` bytes of a random 4 MiB block repeated (the same for a given ``seed``), as a stream."""

    def __init__(self, size, seed=0):
        super(PatternReader, self).__init__()
        block = bytearray()
        counter = 0
        while len(block) < _BLOCK:
            block += hashlib.sha512(b'%d:%d' % (seed, counter)).digest() * 64
            counter += 1
        self._block = bytes(block[:_BLOCK])
        self._left = size
        self._at = 0

    def readable(self):
        return True

    def read(self, size=-1):
        size = _BLOCK if size is None or size < 0 else size
        size = min(size, self._left, _BLOCK - self._at)
        chunk = self._block[self._at:self._at + size]
        self._at = (self._at + size) % _BLOCK
        self._left -= size
        return chunk


def make_file(path, size, seed=0):
    """Write ``size`` bytes of pattern to ``path``; return its SHA256 hex digest (for a manifest)."""
    digest = hashlib.sha256()
    reader = PatternReader(size, seed)
    with open(path, 'wb') as handle:
        for chunk in iter(reader.read, b''):
            digest.update(chunk)
            handle.write(chunk)
    return digest.hexdigest()


def pattern_sha256(size, seed=0):
    digest = hashlib.sha256()
    reader = PatternReader(size, seed)
    for chunk in iter(reader.read, b''):
        digest.update(chunk)
    return digest.hexdigest()


def ovf_descriptor(disks):
    """An OVF descriptor whose References name ``disks`` (``[(file name, size)]``)."""
    files = ''.join('    <File ovf:href="%s" ovf:id="file%d" ovf:size="%d"/>\n' % (name, index, size)
                    for index, (name, size) in enumerate(disks, 1))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Envelope xmlns="%s" xmlns:ovf="%s">\n  <References>\n%s  </References>\n'
            '  <VirtualSystem ovf:id="bench"><Info>benchmark</Info></VirtualSystem>\n</Envelope>\n'
            % (_OVF_NS, _OVF_NS, files)).encode('utf-8')


def make_ovf_dir(directory, disk_sizes, manifest=False):
    """An OVF template directory: bench.ovf and bench-disk<N>.vmdk (and bench.mf with SHA256 digests)."""
    os.makedirs(directory)
    disks = [('bench-disk%d.vmdk' % index, size) for index, size in enumerate(disk_sizes, 1)]
    descriptor = ovf_descriptor(disks)
    with open(os.path.join(directory, 'bench.ovf'), 'wb') as handle:
        handle.write(descriptor)
    lines = ['SHA256(bench.ovf)= %s' % hashlib.sha256(descriptor).hexdigest()]
    for index, (name, size) in enumerate(disks):
        lines.append('SHA256(%s)= %s' % (name, make_file(os.path.join(directory, name), size, seed=index)))
    if manifest:
        with open(os.path.join(directory, 'bench.mf'), 'w') as handle:
            handle.write('\n'.join(lines) + '\n')
    return directory


def make_ova(path, disk_sizes, manifest=True):
    """An OVA written with tarfile: bench.ovf first, then bench.mf (SHA256, what ovftool writes), then the disks.

    The disks are generated into the archive, never as separate files, so the disk holds the OVA only.
    """
    disks = [('bench-disk%d.vmdk' % index, size) for index, size in enumerate(disk_sizes, 1)]
    descriptor = ovf_descriptor(disks)
    members = [('bench.ovf', len(descriptor), lambda: io.BytesIO(descriptor))]
    if manifest:
        lines = ['SHA256(bench.ovf)= %s' % hashlib.sha256(descriptor).hexdigest()]
        lines += ['SHA256(%s)= %s' % (name, pattern_sha256(size, seed=index)) for index, (name, size) in enumerate(disks)]
        text = ('\n'.join(lines) + '\n').encode('ascii')
        members.append(('bench.mf', len(text), lambda: io.BytesIO(text)))
    for index, (name, size) in enumerate(disks):
        members.append((name, size, lambda size=size, index=index: PatternReader(size, seed=index)))
    with tarfile.open(path, 'w', format=tarfile.USTAR_FORMAT) as archive:
        for name, size, opener in members:
            info = tarfile.TarInfo(name)
            info.size = size
            info.mode = 0o644
            info.mtime = int(time.time())
            archive.addfile(info, opener())
    return path


# -- the API, with plain requests (to prepare curl's runs) ----------------------------------------

class Api(object):
    """Just enough of the API, with plain requests and the simulator's CA, for the baseline runs."""

    def __init__(self, info):
        self.info = info
        self.url = info['url']
        self.http = requests.Session()
        self.http.trust_env = False  # no REQUESTS_CA_BUNDLE, no proxies
        self.http.verify = info['ca_cert']
        response = self.http.post(self.url + '/api/session', auth=(info['username'], info['password']))
        response.raise_for_status()
        self.token = response.json()
        self.http.headers['vmware-api-session-id'] = self.token

    def _call(self, method, path, **kwargs):
        response = self.http.request(method, self.url + '/api/content/library/' + path, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def new_session(self, item_type='iso'):
        spec = {'library_id': self.info['libraries']['local-lib']['id'], 'name': unique_name('curl'), 'type': item_type}
        item = self._call('POST', 'item', json=spec)
        return self._call('POST', 'item/update-session', json={'library_item_id': item})

    def add_file(self, session_id, name, size):
        info = self._call('POST', 'item/update-session/%s/file' % session_id, json={'name': name, 'source_type': 'PUSH', 'size': size})
        return info['upload_endpoint']['uri']

    def file_status(self, session_id, name):
        return self._call('GET', 'item/update-session/%s/file/%s' % (session_id, name))['status']

    def cancel(self, session_id):
        """Cancel the session: the simulator then drops the bytes it stored for it."""
        self._call('POST', 'item/update-session/%s?action=cancel' % session_id)

    def close(self):
        self.http.delete(self.url + '/api/session')


def unique_name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


# -- measured child processes -----------------------------------------------------------------------

class Measured(object):
    """A finished child process: ``wall`` seconds, ``user``/``sys``/``cpu`` seconds, ``rss_mib`` (its peak RSS), output."""

    def __init__(self, returncode, wall, user, system, maxrss_kib, stdout, stderr):
        self.returncode = returncode
        self.wall = wall
        self.user = user
        self.sys = system
        self.cpu = user + system
        self.rss_mib = maxrss_kib / 1024.0
        self.stdout = stdout
        self.stderr = stderr


def run_measured(command, env, workdir):
    """Run ``command`` under /usr/bin/time; return a Measured with the resource usage of that process alone.

    Not os.wait4() or RUSAGE_CHILDREN from here: Python starts children with vfork(), and Linux counts
    the parent's resident set in the child's ru_maxrss (the high-water mark of the mm that exec()
    replaced), so every child would look as big as this script. /usr/bin/time is a small C program.
    """
    out_path, err_path, usage_path = (os.path.join(workdir, name) for name in ('child.out', 'child.err', 'child.usage'))
    with open(out_path, 'wb') as out, open(err_path, 'wb') as err:
        start = time.monotonic()
        returncode = subprocess.call(['/usr/bin/time', '-o', usage_path, '-f', '%U %S %M'] + list(command),
                                     env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        wall = time.monotonic() - start
    with open(out_path, 'rb') as out, open(err_path, 'rb') as err, open(usage_path) as usage:
        stdout, stderr = out.read().decode('utf-8', 'replace'), err.read().decode('utf-8', 'replace')
        # The last line: time prints "Command exited with non-zero status N" before it on a failure.
        user, system, maxrss = usage.read().strip().splitlines()[-1].split()
    return Measured(returncode, wall, float(user), float(system), int(maxrss), stdout, stderr)


def connection_args(info):
    host, port = info['url'].split('://')[1].rsplit(':', 1)
    return {'hostname': host, 'port': int(port), 'username': info['username'], 'password': info['password'],
            'ca_path': info['ca_cert']}


def run_module(info, space, **options):
    """Run library_item_upload once as a Python process of its own (``python -m MODULE args.json``).

    ``options`` are the module's (``src``, ``parallel``...); the item is a new one in local-lib unless
    ``library_item_id`` is given. Returns the Measured process, with ``result`` (the module's JSON).
    """
    args = connection_args(info)
    if 'library_item_id' not in options:
        args.update(library_name='local-lib', item_name=unique_name('module'))
    args.update(options)
    args_path = space.join('args.json')
    with open(args_path, 'w') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
    measured = run_measured([sys.executable, '-m', MODULE, args_path], child_env(PYTHONPATH=space.collections), space.path)
    os.unlink(args_path)  # it holds the password
    try:
        measured.result = json.loads(measured.stdout)
    except ValueError:
        raise SystemExit('the module printed no JSON (exit %s): %s %s' % (measured.returncode, measured.stdout[-2000:], measured.stderr[-2000:]))
    if measured.result.get('failed') or not measured.result.get('changed'):
        raise SystemExit('the module did not upload: %s' % measured.result.get('msg', measured.result))
    return measured


def run_curl(info, api, space, path, name='big.iso', item_type='iso'):
    """``curl -T path`` to the upload endpoint of a new update session opened with plain requests.

    Returns the Measured curl process. The session is checked READY, then canceled (freeing the bytes).
    """
    session_id = api.new_session(item_type)
    uri = api.add_file(session_id, name, os.path.getsize(path))
    headers = space.join('curl-headers')
    # The token from a file, not the command line.
    fd = os.open(headers, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as handle:
        handle.write('vmware-api-session-id: %s\nContent-Type: application/octet-stream\n' % api.token)
    measured = run_measured(['curl', '--silent', '--show-error', '--fail', '--cacert', info['ca_cert'], '-H', '@' + headers,
                             '--upload-file', path, '-o', '/dev/null', uri], child_env(), space.path)
    if measured.returncode != 0:
        raise SystemExit('curl failed: %s' % measured.stderr)
    status = api.file_status(session_id, name)
    if status != 'READY':
        raise SystemExit('the curl upload ended %s, not READY' % status)
    api.cancel(session_id)
    return measured


def run_ansible(info, space, **options):
    """Run the module through ``ansible localhost -m`` (controller included); return (wall seconds, module result)."""
    args = connection_args(info)
    args.update(library_name='local-lib', item_name=unique_name('ansible'))
    args.update(options)
    env = child_env(ANSIBLE_COLLECTIONS_PATH=space.collections, ANSIBLE_PYTHON_INTERPRETER=sys.executable, NO_COLOR='1',
                    ANSIBLE_LOCAL_TEMP=space.join('ansible-tmp'), ANSIBLE_REMOTE_TEMP=space.join('ansible-tmp'))
    ansible = os.path.join(os.path.dirname(sys.executable), 'ansible')
    command = [ansible if os.path.exists(ansible) else 'ansible', 'localhost', '-c', 'local', '-i', 'localhost,',
               '-m', 'vsphere.content_library.library_item_upload', '-a', json.dumps(args)]
    measured = run_measured(command, env, space.path)
    try:
        # The ad-hoc (minimal) callback prints "localhost | CHANGED => {...}".
        result = json.loads(measured.stdout.split('=>', 1)[1])
    except (ValueError, IndexError):
        raise SystemExit('ansible printed no result (exit %s): %s %s' % (measured.returncode, measured.stdout[-2000:], measured.stderr[-2000:]))
    if result.get('failed'):
        raise SystemExit('the module failed under ansible: %s' % result.get('msg'))
    return measured.wall, result


# -- printing -------------------------------------------------------------------------------------

def median(values):
    return statistics.median(values)


def table(headers, rows):
    """Print an aligned text table (every cell already a string)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    for row in [headers, ['-' * width for width in widths]] + rows:
        print('  '.join(str(cell).rjust(width) if index else str(cell).ljust(width) for index, (cell, width) in enumerate(zip(row, widths))))


def verdict(ok):
    return 'MET' if ok else 'NOT MET'
