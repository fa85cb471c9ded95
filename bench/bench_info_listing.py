# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: listing many update sessions, concurrent (as update_session_info does) against one by one.

    .venv/bin/python bench/bench_info_listing.py [--sessions 300] [--latency-ms 20]

Starts the simulator with --latency-ms (so that each call costs what a round trip to a
vCenter does), opens --sessions update sessions, then lists them all with the collection's
client twice in the same process: with its connection pool of 8 (the module's setting)
and with a pool of 1 (a sequential baseline). Prints both times and their ratio.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid

from vsphere_content_simulator.launcher import start_simulator, stop_simulator

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(REPO, '.tmp', 'bench-collections')


def link_collection():
    parent = os.path.join(COLLECTIONS, 'ansible_collections', 'vsphere')
    os.makedirs(parent, exist_ok=True)
    link = os.path.join(parent, 'content_library')
    if not os.path.exists(link):
        os.symlink(REPO, link)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sessions', type=int, default=300)
    parser.add_argument('--latency-ms', type=int, default=20)
    args = parser.parse_args()
    link_collection()
    # After the link exists: Python caches that a missing path holds nothing.
    sys.path.insert(0, COLLECTIONS)
    # pylint: disable=import-outside-toplevel
    from ansible_collections.vsphere.content_library.plugins.module_utils import _client
    from ansible_collections.vsphere.content_library.plugins.module_utils._update_session import list_sessions

    process, info = start_simulator(['--port', '0', '--latency-ms', str(args.latency_ms), '--max-sessions', '10'], stderr=subprocess.DEVNULL)
    host, port = info['url'].split('://')[1].split(':')

    def client():
        return _client.RestClient(host, info['username'], info['password'], port=int(port), ca_path=info['ca_cert'])

    try:
        setup = client()
        setup.login()
        library_id = info['libraries']['local-lib']['id']
        for number in range(args.sessions):
            # One item per session: vCenter allows one update session per item.
            spec = {'library_id': library_id, 'name': 'bench-%d-%s' % (number, uuid.uuid4().hex[:6]), 'type': 'iso'}
            item_id = setup.http.post(setup.base_url + '/api/content/library/item', json=spec, **setup.request_options).json()
            setup.call('update_session.create', create_spec={'library_item_id': item_id}, client_token=str(uuid.uuid4()))
        setup.logout()

        timings = {}
        for label, parallel in (('concurrent (pool of %d)' % _client.MAX_PARALLEL, _client.MAX_PARALLEL), ('sequential (pool of 1)', 1)):
            _client.MAX_PARALLEL = parallel
            listing = client()
            start = time.monotonic()
            sessions = list_sessions(listing)
            timings[label] = time.monotonic() - start
            listing.logout()
            if len(sessions) != args.sessions:
                raise SystemExit('listed %d sessions, expected %d' % (len(sessions), args.sessions))
    finally:
        stop_simulator(process)
    print('%d sessions, %d ms added to every call' % (args.sessions, args.latency_ms))
    for label, seconds in timings.items():
        print('%-24s %.2f s' % (label, seconds))
    concurrent, sequential = list(timings.values())
    print('sequential / concurrent: %.1f' % (sequential / concurrent))


if __name__ == '__main__':
    main()
