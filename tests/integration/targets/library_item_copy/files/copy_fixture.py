# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the simulators of the library_item_copy target hold, read with plain requests; one process for both.

    python copy_fixture.py --sim-info PATH [--sim-info PATH...] state [--item ID|'' ...]
        -> one per simulator, in order: {"log": [...], "stats": {...}, "update_sessions": [{id, state}],
           "items": {name: id}, "files": [{name, size, checksum}] or null (the files of its --item)}
           log first (so it holds none of this command's requests), stats last (after its logout)
    python copy_fixture.py --sim-info PATH [--sim-info PATH...] reset-log|clear-faults

The simulator client is setup_simulator's fixture.py (its Simulator class).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'setup_simulator', 'files'))

from fixture import US_API, US_REST, Simulator, control  # noqa: E402  pylint: disable=wrong-import-position

ITEM_API = '/api/content/library/item'
ITEM_REST = '/rest/com/vmware/content/library/item'


def state(info, item_id):
    result = {'log': control(info, 'GET', 'log')['entries']}
    library = info['libraries']['local-lib']['id']
    with Simulator(info) as sim:
        sessions = []
        for session_id in sim.call('GET', US_API, US_REST):
            session = sim.call('GET', '%s/%s' % (US_API, session_id), '%s/id:%s' % (US_REST, session_id))
            sessions.append({'id': session_id, 'state': session['state']})
        result['update_sessions'] = sessions
        items = {}
        for found in sim.call('GET', '%s?library_id=%s' % (ITEM_API, library), '%s?library_id=%s' % (ITEM_REST, library)):
            items[sim.call('GET', '%s/%s' % (ITEM_API, found), '%s/id:%s' % (ITEM_REST, found))['name']] = found
        result['items'] = items
        result['files'] = None
        if item_id and item_id in items.values():
            files = sim.call('GET', '%s/%s/file' % (ITEM_API, item_id), '%s/file?library_item_id=%s' % (ITEM_REST, item_id))
            result['files'] = sorted(
                ({'name': f['name'], 'size': f.get('size'), 'checksum': (f.get('checksum_info') or {}).get('checksum')} for f in files), key=lambda f: f['name']
            )
    result['stats'] = control(info, 'GET', 'stats')
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--sim-info', action='append', required=True, help="a simulator's JSON line, in a file")
    parser.add_argument('what', choices=['state', 'reset-log', 'clear-faults'])
    parser.add_argument('--item', action='append', default=[], help='per simulator, in the same order')
    args = parser.parse_args()
    result = []
    for index, path in enumerate(args.sim_info):
        with open(path) as handle:
            info = json.load(handle)
        if args.what == 'clear-faults':
            result.append(control(info, 'DELETE', 'faults'))
        elif args.what == 'reset-log':
            result.append(control(info, 'DELETE', 'log'))
        else:
            result.append(state(info, args.item[index] if index < len(args.item) else None))
    json.dump(result, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
