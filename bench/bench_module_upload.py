# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: library_item_upload putting a large file into an item, against curl -T doing the same PUT.

    .venv/bin/python bench/bench_module_upload.py [--size-mib 1024] [--runs 3] [--no-ansible]

Issue 8, goals 1 and 3. Starts the simulator (HTTPS, ``--discard-content``: it hashes what it
receives and stores no disk bytes, so that its own page-cache writes do not compete with the client
under test), writes a file of --size-mib MiB, then runs,
alternating (module first in odd rounds, curl first in even ones, a ``sync`` before each):

- the module as its own Python process (``python -m ...library_item_upload args.json``, as the
  AnsiballZ wrapper runs it), uploading the file into a new item of local-lib;
- curl -T to the upload endpoint of a session this script opened with plain requests.

Prints per run and as medians: the module's own transfer time (its ``seconds``: opening the update
session to completion), the module process's wall time (start-up, login, item creation, logout
included), curl's wall time, the throughputs and their ratios (goal: module >= 0.9 x curl), and the
CPU seconds (user+sys) per GiB sent of the module and of curl (and of the simulator, which shares
the machine's cores with them), and the module's fixed cost (a run with a 1 MiB file). With ``--ansible`` (default) one more run goes through
``ansible localhost -m``, for the wall time a user sees. It reports; it does not assert.
"""

from __future__ import annotations

import argparse
import os
import sys

from _bench_common import GIB, MIB, Api, cpu_seconds_of, make_file, median, need, run_ansible, run_curl, run_module, simulator, sync, table, verdict, workspace

GOAL_RATIO = 0.9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size-mib', type=int, default=1024, help='file size in MiB (default 1024)')
    parser.add_argument('--runs', type=int, default=3, help='runs of each, alternating (default 3)')
    parser.add_argument('--ansible', action=argparse.BooleanOptionalAction, default=True, help='one more run through ansible localhost -m (default: yes)')
    args = parser.parse_args()
    need('curl', 'sync', '/usr/bin/time')
    runs = []
    with workspace('bench-upload-') as space, simulator('--discard-content') as info:
        path = space.join('big.iso')
        make_file(path, args.size_mib * MIB)
        size = os.path.getsize(path)
        small = space.join('small.iso')
        make_file(small, MIB)
        startup = run_module(info, space, src=small)  # the fixed cost: Python, imports, login, item, session, logout
        os.unlink(small)
        api = Api(info)
        try:
            for number in range(1, args.runs + 1):
                order = ('module', 'curl') if number % 2 else ('curl', 'module')
                run = {}
                for which in order:
                    sync()
                    sim_cpu = cpu_seconds_of(info['pid'])
                    if which == 'module':
                        run['module'] = run_module(info, space, src=path)
                        if run['module'].result['bytes_sent'] != size:
                            raise SystemExit('the module sent %s bytes, not %s' % (run['module'].result['bytes_sent'], size))
                    else:
                        run['curl'] = run_curl(info, api, space, path)
                    run[which + '_sim_cpu'] = cpu_seconds_of(info['pid']) - sim_cpu
                runs.append(run)
                module, curl = run['module'], run['curl']
                print(
                    'run %d (%s first): module %.2f s transfer (%.0f MiB/s), %.2f s process; curl %.2f s (%.0f MiB/s); '
                    'ratio %.2f (transfer) %.2f (process)'
                    % (
                        number,
                        order[0],
                        module.result['seconds'],
                        module.result['throughput_mib_s'],
                        module.wall,
                        curl.wall,
                        size / MIB / curl.wall,
                        curl.wall / module.result['seconds'],
                        curl.wall / module.wall,
                    ),
                    flush=True,
                )
            ansible = None
            if args.ansible:
                sync()
                ansible = run_ansible(info, space, src=path)
        finally:
            api.close()

    gib = size / float(GIB)
    transfer = median(run['module'].result['seconds'] for run in runs)
    process = median(run['module'].wall for run in runs)
    curl = median(run['curl'].wall for run in runs)
    print()
    print('file: %d MiB over HTTPS to the simulator on 127.0.0.1; %d run(s) each, alternating; medians:' % (args.size_mib, len(runs)))
    rows = [
        ['curl -T (baseline)', '%.2f' % curl, '%.0f' % (size / MIB / curl), '1.00'],
        ['module: transfer (its seconds)', '%.2f' % transfer, '%.0f' % (size / MIB / transfer), '%.2f' % (curl / transfer)],
        ['module: whole process', '%.2f' % process, '%.0f' % (size / MIB / process), '%.2f' % (curl / process)],
    ]
    if ansible:
        rows.append(['ansible localhost -m (1 run)', '%.2f' % ansible[0], '%.0f' % (size / MIB / ansible[0]), '%.2f' % (curl / ansible[0])])
    table(['what', 'seconds', 'MiB/s', 'x curl'], rows)
    ratio = curl / transfer
    pairs = median(run['curl'].wall / run['module'].result['seconds'] for run in runs)
    best = min(run['curl'].wall for run in runs) / min(run['module'].result['seconds'] for run in runs)
    print('module transfer / curl: ratio of medians %.2f, median of the per-round ratios %.2f, ratio of the best runs %.2f' % (ratio, pairs, best))
    print(
        'goal 1, module throughput >= %.1f x curl: %.2f (transfer), %.2f (whole process): %s'
        % (GOAL_RATIO, ratio, curl / process, verdict(ratio >= GOAL_RATIO))
    )
    print()
    print('CPU seconds (user+sys) per GiB sent, medians (2 cores; the simulator is on the same machine):')
    table(
        ['process', 'user', 'sys', 'CPU s/GiB', 'x curl', 'simulator CPU s/GiB'],
        [
            [
                'curl',
                '%.2f' % median(r['curl'].user for r in runs),
                '%.2f' % median(r['curl'].sys for r in runs),
                '%.2f' % (median(r['curl'].cpu for r in runs) / gib),
                '1.00',
                '%.2f' % (median(r['curl_sim_cpu'] for r in runs) / gib),
            ],
            [
                'module',
                '%.2f' % median(r['module'].user for r in runs),
                '%.2f' % median(r['module'].sys for r in runs),
                '%.2f' % (median(r['module'].cpu for r in runs) / gib),
                '%.2f' % (median(r['module'].cpu for r in runs) / max(0.01, median(r['curl'].cpu for r in runs))),
                '%.2f' % (median(r['module_sim_cpu'] for r in runs) / gib),
            ],
        ],
    )
    print(
        'module with a 1 MiB file (its fixed cost): %.2f s process, %.2f CPU s (in the per-GiB figure above: %.2f s/GiB)'
        % (startup.wall, startup.cpu, startup.cpu / gib)
    )
    print('module peak RSS: %.1f MiB (median)' % median(r['module'].rss_mib for r in runs))
    return 0


if __name__ == '__main__':
    sys.exit(main())
