# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the bench/bench_module_*.py scripts share: the simulator, test content, and measured processes.

Every benchmark runs a module (library_item_upload, library_item_download, library_item_copy) the
way Ansible's AnsiballZ wrapper does in the end (one Python process reading its arguments file), and
curl as the baseline, each as a child process under /usr/bin/time, whose report gives that process's
own peak RSS and CPU seconds. REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE are removed from the children's
environment: they would override the CA given. The content the download and copy benchmarks read is
put into the simulator with plain requests (``Api.put_item``), generated on the way, never from a file.
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
MODULES = 'ansible_collections.vsphere.content_library.plugins.modules.'
UPLOAD = 'library_item_upload'
DOWNLOAD = 'library_item_download'
COPY = 'library_item_copy'
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


def remove(path):
    """Remove a file or a directory tree, if it is there."""
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.unlink(path)


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
        chunk = self._block[self._at : self._at + size]
        self._at = (self._at + size) % _BLOCK
        self._left -= size
        return chunk


class PatternBody(PatternReader):
    """A PatternReader as a request body: it has a length (so requests sends a Content-Length), and it answers
    the small reads of http.client and urllib3 (8 or 16 KiB) with 1 MiB, to keep the cost per byte low."""

    def __len__(self):
        return self._left

    def read(self, size=-1):
        return super(PatternBody, self).read(max(size, MIB) if size is not None and size >= 0 else size)


def pattern_pieces(size, piece):
    """``size`` bytes of the pattern (seed 0) as memoryviews of ``piece`` bytes (no copies: what uses them is measured)."""
    view = memoryview(PatternReader(_BLOCK).read(_BLOCK))
    left = size
    while left > 0:
        for offset in range(0, min(left, _BLOCK), piece):
            yield view[offset : offset + min(piece, left - offset)]
        left -= _BLOCK


def hash_cpu_seconds(size, algorithm='sha1'):
    """CPU seconds of this process that hashlib's ``algorithm`` takes over ``size`` bytes of the pattern, in 1 MiB
    updates (the hashing alone), measured with time.process_time()."""
    digest = hashlib.new(algorithm)
    pieces = pattern_pieces(size, MIB)
    start = time.process_time()
    for piece in pieces:
        digest.update(piece)
    return time.process_time() - start


def write_cpu_seconds(path, size, piece):
    """Write ``size`` bytes of the pattern into a new file ``path`` in os.write() calls of ``piece`` bytes, then fsync
    it, and remove it: (CPU seconds, user+sys, of the writes; wall seconds of the fsync), from this process."""
    pieces = pattern_pieces(size, piece)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        start = time.process_time()
        for data in pieces:
            os.write(fd, data)
        cpu = time.process_time() - start
        start = time.monotonic()
        os.fsync(fd)
        return cpu, time.monotonic() - start
    finally:
        os.close(fd)
        os.unlink(path)


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


def disk_files(disk_sizes):
    """``[(file name, size)]`` of an OVF template's disks: bench-disk1.vmdk, bench-disk2.vmdk..."""
    return [('bench-disk%d.vmdk' % index, size) for index, size in enumerate(disk_sizes, 1)]


def ovf_descriptor(disks):
    """An OVF descriptor whose References name ``disks`` (``[(file name, size)]``)."""
    files = ''.join('    <File ovf:href="%s" ovf:id="file%d" ovf:size="%d"/>\n' % (name, index, size) for index, (name, size) in enumerate(disks, 1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Envelope xmlns="%s" xmlns:ovf="%s">\n  <References>\n%s  </References>\n'
        '  <VirtualSystem ovf:id="bench"><Info>benchmark</Info></VirtualSystem>\n</Envelope>\n' % (_OVF_NS, _OVF_NS, files)
    ).encode('utf-8')


def make_ovf_dir(directory, disk_sizes, manifest=False):
    """An OVF template directory: bench.ovf and bench-disk<N>.vmdk (and bench.mf with SHA256 digests)."""
    os.makedirs(directory)
    disks = disk_files(disk_sizes)
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
    disks = disk_files(disk_sizes)
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


def iso_item(size):
    """The files of an ISO item of ``size`` bytes, for ``Api.put_item``."""
    return [('bench.iso', PatternBody(size))]


def ovf_item(disk_sizes):
    """The files of an OVF template item (bench.ovf and its disks, each a pattern of its own), for ``Api.put_item``."""
    disks = disk_files(disk_sizes)
    return [('bench.ovf', ovf_descriptor(disks))] + [(name, PatternBody(size, seed=index)) for index, (name, size) in enumerate(disks)]


# -- the API, with plain requests (to prepare curl's runs and the content) --------------------------


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

    def new_item(self, item_type='iso', prefix='curl'):
        spec = {'library_id': self.info['libraries']['local-lib']['id'], 'name': unique_name(prefix), 'type': item_type}
        return self._call('POST', 'item', json=spec)

    def new_session(self, item_type='iso'):
        return self._call('POST', 'item/update-session', json={'library_item_id': self.new_item(item_type)})

    def put_item(self, files, item_type='iso'):
        """A new item of local-lib holding ``files`` (``[(name, bytes or PatternBody)]``), PUT with requests; its id.

        The content is generated on the way (nothing is read from disk); the session is completed and
        deleted once DONE. The simulator stores the bytes, so that downloads can serve them.
        """
        item = self.new_item(item_type, prefix='bench')
        session_id = self._call('POST', 'item/update-session', json={'library_item_id': item})
        for name, data in files:
            response = self.http.put(self.add_file(session_id, name, len(data)), data=data, headers={'Content-Type': 'application/octet-stream'})
            response.raise_for_status()
        self._call('POST', 'item/update-session/%s?action=complete' % session_id)
        state = wait_until(lambda: self._call('GET', 'item/update-session/%s' % session_id)['state'], lambda now: now in ('DONE', 'ERROR', 'CANCELED'))
        if state != 'DONE':
            raise SystemExit('putting the content into item %s ended %s' % (item, state))
        self._call('DELETE', 'item/update-session/%s' % session_id)
        return item

    def delete_item(self, item_id):
        """Delete an item: the simulator then drops its stored bytes."""
        self._call('DELETE', 'item/%s' % item_id)

    def prepare_download(self, item_id, file_name):
        """Open a download session on the item and prepare ``file_name``; (session id, its download endpoint URI)."""
        session_id = self._call('POST', 'item/download-session', json={'library_item_id': item_id})
        path = 'item/download-session/%s/file' % session_id
        self._call('POST', path + '?action=prepare', json={'file_name': file_name})
        info = wait_until(lambda: self._call('GET', path, params={'file_name': file_name}), lambda now: now['status'] in ('PREPARED', 'ERROR'))
        if info['status'] != 'PREPARED':
            raise SystemExit('the simulator could not prepare %s: %s' % (file_name, info))
        return session_id, info['download_endpoint']['uri']

    def keep_alive(self, download_session_id):
        self._call('POST', 'item/download-session/%s?action=keep-alive' % download_session_id)

    def headers_file(self, space, *lines):
        """A file (mode 0600) for curl's ``-H @FILE``: the login token (so it is not on curl's command line) and ``lines``."""
        path = space.join('curl-headers-%s' % uuid.uuid4().hex[:8])
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'w') as handle:
            handle.write(''.join('%s\n' % line for line in ('vmware-api-session-id: %s' % self.token,) + lines))
        return path

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


def wait_until(get, done, timeout=120.0):
    """Call ``get()`` until ``done(value)``; the value (SystemExit after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        value = get()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise SystemExit('still %s after %d s' % (value, timeout))
        time.sleep(0.05)


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


def _timed(command, usage_path):
    return ['/usr/bin/time', '-o', usage_path, '-f', '%U %S %M'] + list(command)


def _measured(returncode, wall, out_path, err_path, usage_path):
    """The Measured of a process that ran under /usr/bin/time (``out_path`` None: its stdout went elsewhere)."""

    def text(path):
        with open(path, 'rb') as handle:
            return handle.read().decode('utf-8', 'replace')

    # The last line: time prints "Command exited with non-zero status N" before it on a failure.
    user, system, maxrss = text(usage_path).strip().splitlines()[-1].split()
    return Measured(returncode, wall, float(user), float(system), int(maxrss), text(out_path) if out_path else '', text(err_path))


def run_measured(command, env, workdir):
    """Run ``command`` under /usr/bin/time; return a Measured with the resource usage of that process alone.

    Not os.wait4() or RUSAGE_CHILDREN from here: Python starts children with vfork(), and Linux counts
    the parent's resident set in the child's ru_maxrss (the high-water mark of the mm that exec()
    replaced), so every child would look as big as this script. /usr/bin/time is a small C program.
    """
    out_path, err_path, usage_path = (os.path.join(workdir, name) for name in ('child.out', 'child.err', 'child.usage'))
    with open(out_path, 'wb') as out, open(err_path, 'wb') as err:
        start = time.monotonic()
        returncode = subprocess.call(_timed(command, usage_path), env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        wall = time.monotonic() - start
    return _measured(returncode, wall, out_path, err_path, usage_path)


def run_pipeline(commands, env, workdir):
    """Run ``commands`` as the shell runs ``A | B``, each under /usr/bin/time; a Measured for each.

    Every Measured has the pipeline's wall time (from the first start to the last exit) and its own
    process's CPU seconds and peak RSS; the last one's stdout is kept, the others' go down the pipe.
    """
    last = len(commands) - 1
    paths = [
        [os.path.join(workdir, 'pipe%d.%s' % (index, name)) if index == last or name != 'out' else None for name in ('out', 'err', 'usage')]
        for index in range(len(commands))
    ]
    processes = []
    with open(paths[last][0], 'wb') as out:
        start = time.monotonic()
        previous = subprocess.DEVNULL
        for index, command in enumerate(commands):
            with open(paths[index][1], 'wb') as err:
                process = subprocess.Popen(
                    _timed(command, paths[index][2]), env=env, stdin=previous, stderr=err, stdout=out if index == last else subprocess.PIPE
                )
            if previous is not subprocess.DEVNULL:
                previous.close()  # the next process has it now; this one would keep the pipe open
            previous = process.stdout
            processes.append(process)
        codes = [process.wait() for process in processes]
        wall = time.monotonic() - start
    return [_measured(code, wall, *paths[index]) for index, code in enumerate(codes)]


def connection_args(info):
    host, port = info['url'].split('://')[1].rsplit(':', 1)
    return {'hostname': host, 'port': int(port), 'username': info['username'], 'password': info['password'], 'ca_path': info['ca_cert']}


# Runs a module the way ``python -m MODULE ARGS`` does, and at exit (sys.exit included) copies the process's own
# /proc/self/io into a file: its I/O counters, read by the process itself, so nothing is missed at its end.
_SELF_IO = (
    'import atexit, runpy, sys\n'
    'def counters(path=sys.argv[1]):\n'
    '    with open("/proc/self/io") as source:\n'
    '        text = source.read()\n'
    '    with open(path, "w") as target:\n'
    '        target.write(text)\n'
    'atexit.register(counters)\n'
    'sys.argv = sys.argv[2:]\n'
    'runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)\n'
)


def run_module(info, space, module=UPLOAD, io_counters=False, **options):
    """Run a module once as a Python process of its own (``python -m MODULE args.json``).

    ``options`` are the module's (``src``, ``dest``, ``target``, ``parallel``...); for the upload, the
    item is a new one in local-lib unless ``library_item_id`` is given. Returns the Measured process,
    with ``result`` (the module's JSON). With ``io_counters`` the module runs under a few lines of
    Python (``_SELF_IO``) that read the process's own /proc/self/io when it exits; ``io`` is then that
    (``write_bytes``: what it made the kernel write to storage, its stdout file included).
    """
    args = connection_args(info)
    if 'library_item_id' not in options:
        args.update(library_name='local-lib', item_name=unique_name('module'))
    args.update(options)
    args_path = space.join('args.json')
    with open(args_path, 'w') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
    io_path = space.join('module.io')
    if io_counters:
        command = [sys.executable, '-c', _SELF_IO, io_path, MODULES + module, args_path]
    else:
        command = [sys.executable, '-m', MODULES + module, args_path]
    measured = run_measured(command, child_env(PYTHONPATH=space.collections), space.path)
    os.unlink(args_path)  # it holds the password
    try:
        measured.result = json.loads(measured.stdout)
    except ValueError:
        raise SystemExit('%s printed no JSON (exit %s): %s %s' % (module, measured.returncode, measured.stdout[-2000:], measured.stderr[-2000:]))
    if measured.result.get('failed') or not measured.result.get('changed'):
        raise SystemExit('%s failed or changed nothing: %s' % (module, measured.result.get('msg', measured.result)))
    if io_counters:
        with open(io_path) as handle:
            measured.io = dict((key, int(value)) for key, value in (line.split(':') for line in handle if ':' in line))
        os.unlink(io_path)
    return measured


def curl_command(info, headers):
    """curl, quiet but for errors, failing on HTTP errors, trusting the simulator's CA, with the headers of a file."""
    return ['curl', '--silent', '--show-error', '--fail', '--cacert', info['ca_cert'], '-H', '@' + headers]


def run_curl(info, api, space, path, name='big.iso', item_type='iso'):
    """``curl -T path`` to the upload endpoint of a new update session opened with plain requests.

    Returns the Measured curl process. The session is checked READY, then canceled (freeing the bytes).
    """
    session_id = api.new_session(item_type)
    uri = api.add_file(session_id, name, os.path.getsize(path))
    headers = api.headers_file(space, 'Content-Type: application/octet-stream')
    measured = run_measured(curl_command(info, headers) + ['--upload-file', path, '-o', '/dev/null', uri], child_env(), space.path)
    os.unlink(headers)
    check_curl(measured)
    status = api.file_status(session_id, name)
    if status != 'READY':
        raise SystemExit('the curl upload ended %s, not READY' % status)
    api.cancel(session_id)
    return measured


def alternate(number, module, baseline):
    """Round ``number`` of a benchmark: ``module()`` and ``baseline()``, the module first in odd rounds and the baseline
    first in even ones, so that neither always runs on the machine the other left behind; (module first?, their values)."""
    module_first = bool(number % 2)
    if module_first:
        return module_first, module(), baseline()
    other = baseline()
    return module_first, module(), other


def second_run(run):
    """``run()`` twice; the second one's value: the first may pay for compiling the collection's bytecode (__pycache__)."""
    run()
    return run()


def moved(measured, field, size):
    """The module's Measured, once its result's ``field`` says it moved ``size`` bytes."""
    if measured.result[field] != size:
        raise SystemExit('the module moved %s bytes (%s), not %s' % (measured.result[field], field, size))
    return measured


def check_curl(*measured):
    for each in measured:
        if each.returncode != 0:
            raise SystemExit('curl failed (exit %d): %s' % (each.returncode, each.stderr))


def run_ansible(info, space, **options):
    """Run the module through ``ansible localhost -m`` (controller included); return (wall seconds, module result)."""
    args = connection_args(info)
    args.update(library_name='local-lib', item_name=unique_name('ansible'))
    args.update(options)
    env = child_env(
        ANSIBLE_COLLECTIONS_PATH=space.collections,
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        NO_COLOR='1',
        ANSIBLE_LOCAL_TEMP=space.join('ansible-tmp'),
        ANSIBLE_REMOTE_TEMP=space.join('ansible-tmp'),
    )
    ansible = os.path.join(os.path.dirname(sys.executable), 'ansible')
    command = [
        ansible if os.path.exists(ansible) else 'ansible',
        'localhost',
        '-c',
        'local',
        '-i',
        'localhost,',
        '-m',
        'vsphere.content_library.library_item_upload',
        '-a',
        json.dumps(args),
    ]
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
