# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test fixtures made through the simulator's API with plain requests (not the collection's client).

    python fixture.py item                       -> {"library_item_id": ...}  a fresh item in local-lib
    python fixture.py session [--state STATE] [--warning TYPE:IGNORED ...]
                                                 -> {"id": ..., "library_item_id": ...}
    python fixture.py log                        -> the simulator's request log since the last reset
    python fixture.py reset-log                  -> clears the request log and the login counters
    python fixture.py stats                      -> {"logins", "logouts", "open_login_sessions"}
    python fixture.py fault --method M --path RE --status N [--count N]
                                                 -> the simulator answers the next matching requests with N
    python fixture.py fault --json '{...}'       -> any fault of the simulator's /_sim/faults (see its README)
    python fixture.py other-ca                   -> {"ca_path": ...} a CA bundle that did not sign the simulator
    python fixture.py item-files --item ID       -> the names of the library item's files
    python fixture.py serve --directory DIR [--tls] -> {"url", "thumbprint", "pid"}: a web server for PULL tests,
                                                 in the background (thumbprint: SHA-1 of its certificate, with --tls)
    python fixture.py stop --pid PID             -> stops that web server
    python fixture.py content --directory DIR    -> writes upload content into DIR: photon.iso, an OVF template
                                                 in ovf/ (2 disks, SHA256 manifest, certificate), the same as
                                                 vm.ova, badmf/ (a manifest that does not match disk2.vmdk) and big.iso
                                                 (48 MiB; left out with --without-big)
    python fixture.py settings --json '{...}'    -> changes the simulator's settings (PATCH /_sim/settings)
    python fixture.py items                      -> {name: id} of the items in local-lib
    python fixture.py sessions                   -> [{id, state, library_item_id}] of the user's update sessions
    python fixture.py leftovers [--directory DIR] -> {"stats": the simulator's counters, "files": {name: SHA1, or
                                                 "directory"} of everything in DIR, hidden files included}
    python fixture.py simulator --host H --port N [--flavor F]
                                                 -> another simulator (a second "vCenter") in the background:
                                                 its JSON line, with "pid" (stop it with: stop --pid PID)

The simulator is the one described by the JSON file named in $SIM_INFO. Fixtures use
/api when the simulator serves it and /rest otherwise, and always log out.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.server
import json
import os
import signal
import ssl
import subprocess
import shutil
import sys
import tarfile
import uuid

import requests

US_API = '/api/content/library/item/update-session'
US_REST = '/rest/com/vmware/content/library/item/update-session'


class Simulator:
    def __init__(self, info):
        self.info = info
        self.url = info['url']
        self.http = requests.Session()
        # Not Session.verify: REQUESTS_CA_BUNDLE would override it.
        self.verify = info.get('ca_cert') or True
        self.modern = info.get('flavor', 'both') != 'rest'
        self.token = None

    def __enter__(self):
        path = '/api/session' if self.modern else '/rest/com/vmware/cis/session'
        response = self.http.post(self.url + path, auth=(self.info['username'], self.info['password']), verify=self.verify)
        response.raise_for_status()
        body = response.json()
        self.token = body if self.modern else body['value']
        self.http.headers['vmware-api-session-id'] = self.token
        return self

    def __exit__(self, *exc):
        path = '/api/session' if self.modern else '/rest/com/vmware/cis/session'
        self.http.delete(self.url + path, verify=self.verify).raise_for_status()

    def call(self, method, api_path, rest_path, api_body=None, rest_body=None):
        path, body = (api_path, api_body) if self.modern else (rest_path, rest_body)
        response = self.http.request(method, self.url + path, json=body, verify=self.verify)
        if response.status_code >= 400:
            raise SystemExit('%s %s answered %s: %s' % (method, path, response.status_code, response.text))
        if not response.content:
            return None
        value = response.json()
        return value if self.modern else value.get('value')

    def new_item(self):
        spec = {'library_id': self.info['libraries']['local-lib']['id'], 'name': 'test-%s' % uuid.uuid4().hex[:8], 'type': 'ovf'}
        return self.call(
            'POST', '/api/content/library/item', '/rest/com/vmware/content/library/item', spec, {'create_spec': spec, 'client_token': str(uuid.uuid4())}
        )

    def new_session(self, item_id, warnings):
        spec = {'library_item_id': item_id}
        if warnings:
            spec['warning_behavior'] = warnings
        return self.call('POST', US_API, US_REST, spec, {'create_spec': spec})

    def action(self, session_id, action, body=None):
        self.call('POST', '%s/%s?action=%s' % (US_API, session_id, action), '%s/id:%s?~action=%s' % (US_REST, session_id, action), body, body)


OVF = """<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <References>
    <File ovf:href="disk1.vmdk" ovf:id="file1" ovf:size="%d"/>
    <File ovf:href="disk2.vmdk" ovf:id="file2" ovf:size="%d"/>
  </References>
  <VirtualSystem ovf:id="vm"/>
</Envelope>
"""


def write_content(directory, big=True):
    """Upload content for the library_item_upload tests (random bytes, so every run differs)."""

    def random_file(path, size):
        with open(path, 'wb') as handle:
            handle.write(os.urandom(size))

    def manifest(folder, names, wrong=()):
        lines = []
        for name in names:
            with open(os.path.join(folder, name), 'rb') as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()
            lines.append('SHA256(%s)= %s\n' % (name, '0' * 64 if name in wrong else digest))
        with open(os.path.join(folder, 'vm.mf'), 'w') as handle:
            handle.writelines(lines)

    os.makedirs(directory, exist_ok=True)
    random_file(os.path.join(directory, 'photon.iso'), 3 * 1024 * 1024)
    if big:
        random_file(os.path.join(directory, 'big.iso'), 48 * 1024 * 1024)
    ovf = os.path.join(directory, 'ovf')
    os.makedirs(ovf, exist_ok=True)
    random_file(os.path.join(ovf, 'disk1.vmdk'), 2 * 1024 * 1024)
    random_file(os.path.join(ovf, 'disk2.vmdk'), 1024 * 1024 + 17)
    with open(os.path.join(ovf, 'vm.ovf'), 'w') as handle:
        handle.write(OVF % (2 * 1024 * 1024, 1024 * 1024 + 17))
    with open(os.path.join(ovf, 'vm.cert'), 'w') as handle:
        handle.write('A certificate file without a PEM block: the simulator signs with a self-signed one.\n')
    names = ['vm.ovf', 'disk1.vmdk', 'disk2.vmdk']
    manifest(ovf, names)
    with tarfile.open(os.path.join(directory, 'vm.ova'), 'w', format=tarfile.USTAR_FORMAT) as ova:
        for name in ['vm.ovf', 'vm.mf', 'vm.cert', 'disk1.vmdk', 'disk2.vmdk']:
            ova.add(os.path.join(ovf, name), arcname=name)
    bad = os.path.join(directory, 'badmf')
    shutil.rmtree(bad, ignore_errors=True)
    shutil.copytree(ovf, bad)
    manifest(bad, names, wrong=('disk2.vmdk',))
    return {'directory': directory}


def serve_forever(directory, tls):
    """A plain web server for PULL tests, with a throwaway certificate when asked for TLS."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    if tls:
        import trustme  # the simulator's own requirement

        ca = trustme.CA()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_cert = ca.issue_cert('127.0.0.1', 'localhost')
        server_cert.configure_cert(context)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thumbprint = None
    if tls:
        der = ssl.PEM_cert_to_DER_cert(server_cert.cert_chain_pems[0].bytes().decode())
        digest = hashlib.sha1(der).hexdigest().upper()
        thumbprint = ':'.join(digest[i : i + 2] for i in range(0, len(digest), 2))
    sys.stdout.write(json.dumps({'url': '%s://127.0.0.1:%s' % ('https' if tls else 'http', server.server_address[1]), 'thumbprint': thumbprint}) + '\n')
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *args: sys.exit(0))
    server.serve_forever()


def start_server(directory, tls):
    command = [sys.executable, os.path.abspath(__file__), '_serve', '--directory', directory] + (['--tls'] if tls else [])
    # Its own session, so that it outlives this command and Ansible does not wait for it.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    served = json.loads(process.stdout.readline().decode())
    return dict(served, pid=process.pid)


def start_simulator(host, port, flavor):
    """Another simulator, in its own session so that it outlives this command; its JSON line and pid."""
    command = [sys.executable, '-m', 'vsphere_content_simulator', '--host', host, '--port', str(port), '--flavor', flavor, '--log-level', 'warning']
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    line = process.stdout.readline().decode()
    if not line:
        raise SystemExit('the simulator on %s:%s did not start (exit status %s)' % (host, port, process.wait()))
    return dict(json.loads(line), pid=process.pid)


def directory_listing(directory):
    """Every entry of a directory (hidden ones too): a file's SHA1, or "directory" (or "other")."""
    listing = {}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if os.path.isdir(path):
            listing[name] = 'directory'
        elif os.path.isfile(path):
            with open(path, 'rb') as handle:
                listing[name] = hashlib.sha1(handle.read()).hexdigest()
        else:
            listing[name] = 'other'
    return listing


def control(info, method, what, body=None):
    response = requests.request(method, '%s/%s' % (info['control_url'], what), json=body, verify=info.get('ca_cert') or True)
    response.raise_for_status()
    return response.json() if response.content else {}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        'what',
        choices=[
            'item',
            'session',
            'log',
            'reset-log',
            'stats',
            'fault',
            'other-ca',
            'item-files',
            'serve',
            'stop',
            '_serve',
            'content',
            'items',
            'sessions',
            'settings',
            'simulator',
            'leftovers',
        ],
    )
    parser.add_argument('--item')
    parser.add_argument('--directory')
    parser.add_argument('--tls', action='store_true')
    parser.add_argument('--pid', type=int)
    parser.add_argument('--method', default='*')
    parser.add_argument('--path', default='.')
    parser.add_argument('--status', type=int, default=503)
    parser.add_argument('--count', type=int, default=1)
    parser.add_argument('--json', help='a whole fault, as /_sim/faults takes it')
    parser.add_argument('--state', default='ACTIVE', choices=['ACTIVE', 'DONE', 'ERROR', 'CANCELED'])
    parser.add_argument('--warning', action='append', default=[], help='TYPE:true|false')
    parser.add_argument('--without-big', action='store_true', help='content: no big.iso')
    parser.add_argument('--host', default='127.0.0.2')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--flavor', default='both', choices=['api', 'rest', 'both'])
    args = parser.parse_args()
    if args.what == '_serve':
        serve_forever(args.directory, args.tls)
        return
    if args.what == 'stop':
        os.kill(args.pid, signal.SIGTERM)
        print('{}')
        return
    if args.what == 'serve':
        print(json.dumps(start_server(args.directory, args.tls)))
        return
    if args.what == 'content':
        print(json.dumps(write_content(args.directory, big=not args.without_big)))
        return
    if args.what == 'simulator':
        print(json.dumps(start_simulator(args.host, args.port, args.flavor)))
        return
    with open(os.environ['SIM_INFO']) as handle:
        info = json.load(handle)

    if args.what == 'log':
        result = control(info, 'GET', 'log')
    elif args.what == 'reset-log':
        result = control(info, 'DELETE', 'log')
    elif args.what == 'stats':
        result = control(info, 'GET', 'stats')
    elif args.what == 'leftovers':
        result = {'stats': control(info, 'GET', 'stats'), 'files': directory_listing(args.directory) if args.directory else {}}
    elif args.what == 'fault':
        fault = json.loads(args.json) if args.json else dict(method=args.method, path=args.path, status=args.status, count=args.count)
        result = control(info, 'POST', 'faults', fault)
    elif args.what == 'settings':
        result = control(info, 'PATCH', 'settings', json.loads(args.json))
    elif args.what == 'other-ca':
        result = {'ca_path': requests.certs.where()}
    elif args.what == 'item-files':
        with Simulator(info) as sim:
            files = sim.call(
                'GET', '/api/content/library/item/%s/file' % args.item, '/rest/com/vmware/content/library/item/file?library_item_id=%s' % args.item
            )
        result = sorted(f['name'] for f in files)
    elif args.what == 'items':
        library = info['libraries']['local-lib']['id']
        with Simulator(info) as sim:
            ids = sim.call('GET', '/api/content/library/item?library_id=%s' % library, '/rest/com/vmware/content/library/item?library_id=%s' % library)
            result = {}
            for item_id in ids:
                item = sim.call('GET', '/api/content/library/item/%s' % item_id, '/rest/com/vmware/content/library/item/id:%s' % item_id)
                result[item['name']] = item_id
    elif args.what == 'sessions':
        with Simulator(info) as sim:
            ids = sim.call('GET', US_API, US_REST)
            result = []
            for session_id in ids:
                session = sim.call('GET', '%s/%s' % (US_API, session_id), '%s/id:%s' % (US_REST, session_id))
                result.append({'id': session_id, 'state': session['state'], 'library_item_id': session['library_item_id']})
    else:
        with Simulator(info) as sim:
            item_id = sim.new_item()
            result = {'library_item_id': item_id}
            if args.what == 'session':
                warnings = [{'type': w.split(':')[0], 'ignored': w.split(':')[1] == 'true'} for w in args.warning]
                session_id = sim.new_session(item_id, warnings)
                # DONE needs a completed session; an empty one completes at once.
                actions = {
                    'ACTIVE': None,
                    'DONE': ('complete', None),
                    'CANCELED': ('cancel', None),
                    'ERROR': ('fail', {'client_error_message': 'made by the test fixture'}),
                }
                if actions[args.state]:
                    sim.action(session_id, *actions[args.state])
                result['id'] = session_id
    json.dump(result, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
