# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: update_session_file uploading a large file, against curl doing the same PUT.

    .venv/bin/python tools/bench_module_upload.py [--size-mib 1024]

Starts the simulator, writes a file of --size-mib MiB, then for each of the module and curl:
opens an update session, adds the file (PUSH) and PUTs the bytes to the upload endpoint.
Prints the throughput of each, their ratio, and the module process's peak RSS (its ru_maxrss),
which must stay under 100 MiB whatever the file's size: the module streams the file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import requests

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, 'tests'))

from simulator.launcher import start_simulator, stop_simulator  # noqa: E402  pylint: disable=wrong-import-position

RSS_LIMIT_MIB = 100


def make_file(path, size_mib):
    block = os.urandom(1024 * 1024)
    with open(path, 'wb') as handle:
        for dummy in range(size_mib):
            handle.write(block)


class Api:
    """Just enough of the API, with plain requests, to prepare each run."""

    def __init__(self, info):
        self.info = info
        self.http = requests.Session()
        self.verify = info['ca_cert']
        token = self.http.post(info['url'] + '/api/session', auth=(info['username'], info['password']), verify=self.verify).json()
        self.http.headers['vmware-api-session-id'] = token

    def new_session(self):
        spec = {'library_id': self.info['libraries']['local-lib']['id'], 'name': 'bench-%s' % uuid.uuid4().hex[:8], 'type': 'iso'}
        item = self.http.post(self.info['url'] + '/api/content/library/item', json=spec, verify=self.verify).json()
        return self.http.post(self.info['url'] + '/api/content/library/item/update-session',
                              json={'library_item_id': item}, verify=self.verify).json()

    def add_file(self, session_id, name, size):
        info = self.http.post('%s/api/content/library/item/update-session/%s/file' % (self.info['url'], session_id),
                              json={'name': name, 'source_type': 'PUSH', 'size': size}, verify=self.verify).json()
        return info['upload_endpoint']['uri']

    def file_status(self, session_id, name):
        return self.http.get('%s/api/content/library/item/update-session/%s/file/%s' % (self.info['url'], session_id, name),
                             verify=self.verify).json()['status']

    def close(self):
        self.http.delete(self.info['url'] + '/api/session', verify=self.verify)


def run_module(info, session_id, path, workdir):
    """Run the module as Ansible runs it (a python process reading its args file); return seconds and peak RSS."""
    host, port = info['url'].split('://')[1].split(':')
    args = {'ANSIBLE_MODULE_ARGS': {
        'hostname': host, 'port': int(port), 'username': info['username'], 'password': info['password'],
        'ca_path': info['ca_cert'], 'update_session_id': session_id, 'name': 'big.iso', 'src': path}}
    args_path = os.path.join(workdir, 'args.json')
    with open(args_path, 'w') as handle:
        json.dump(args, handle)
    collections = os.path.join(workdir, 'collections')
    os.makedirs(os.path.join(collections, 'ansible_collections', 'vsphere'), exist_ok=True)
    link = os.path.join(collections, 'ansible_collections', 'vsphere', 'content_library')
    if not os.path.exists(link):
        os.symlink(REPO, link)
    env = dict(os.environ, PYTHONPATH=collections)
    module = os.path.join(REPO, 'plugins', 'modules', 'update_session_file.py')
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    result = subprocess.run([sys.executable, module, args_path], env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    output = json.loads(result.stdout)
    if output.get('failed') or output['file']['status'] != 'READY':
        raise SystemExit('the module failed: %s' % output.get('msg'))
    # ru_maxrss of the children is the largest child so far: run the module before any other child.
    return seconds, max(peak_kib, before) / 1024.0


def run_curl(info, api, path, size):
    session_id = api.new_session()
    uri = api.add_file(session_id, 'big.iso', size)
    start = time.monotonic()
    # --upload-file streams the file with a PUT, as the module does.
    subprocess.run(['curl', '--silent', '--show-error', '--fail', '--cacert', info['ca_cert'],
                    '-H', 'Content-Type: application/octet-stream', '-H', 'vmware-api-session-id: %s' % api.http.headers['vmware-api-session-id'],
                    '--upload-file', path, '-o', '/dev/null', uri], check=True)
    seconds = time.monotonic() - start
    if api.file_status(session_id, 'big.iso') != 'READY':
        raise SystemExit('curl upload did not reach READY')
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size-mib', type=int, default=1024)
    args = parser.parse_args()
    if not shutil.which('curl'):
        raise SystemExit('curl is needed for the comparison')
    workdir = tempfile.mkdtemp(prefix='bench-upload-')
    process, info = start_simulator(['--port', '0'], stderr=subprocess.DEVNULL)
    try:
        path = os.path.join(workdir, 'big.iso')
        make_file(path, args.size_mib)
        size = os.path.getsize(path)
        api = Api(info)
        try:
            module_seconds, module_rss = run_module(info, api.new_session(), path, workdir)
            curl_seconds = run_curl(info, api, path, size)
        finally:
            api.close()
    finally:
        stop_simulator(process)
        shutil.rmtree(workdir, ignore_errors=True)
    mib = size / (1024.0 * 1024.0)
    print('file: %d MiB' % args.size_mib)
    print('module (login, checks, add, PUT, status, logout): %.2f s, %.0f MiB/s' % (module_seconds, mib / module_seconds))
    print('curl (PUT only): %.2f s, %.0f MiB/s' % (curl_seconds, mib / curl_seconds))
    print('module time / curl time: %.2f' % (module_seconds / curl_seconds))
    print('module peak RSS: %.1f MiB (limit %d MiB): %s' % (module_rss, RSS_LIMIT_MIB, 'OK' if module_rss < RSS_LIMIT_MIB else 'OVER'))
    return 0 if module_rss < RSS_LIMIT_MIB else 1


if __name__ == '__main__':
    sys.exit(main())
