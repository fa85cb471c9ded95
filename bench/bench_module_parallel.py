# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: library_item_upload with parallel: 4 against parallel: 1, on connections of limited rate.

    .venv/bin/python bench/bench_module_parallel.py [--disks 4] [--disk-mib 256] [--rate-mib 16] [--runs 2] [--manifest]

Issue 8, goal 4. Starts the simulator with ``--upload-rate-limit`` (bytes per second, per upload
connection: a WAN link to vCenter, say), writes an OVF template directory (bench.ovf and --disks disks
of --disk-mib MiB), then uploads it with the module into a new item, alternating parallel: 1 and
parallel: N (N = --disks; N first in odd rounds). With every connection capped, N uploads at once
should take about 1/N of the time: prints the module's transfer times (its ``seconds``), the process
wall times, and the ratio (parallel 1 / parallel N), against the ideal N and against the time the
rate limit alone allows. It reports; it does not assert.

The default rate keeps the parallel run's total (4 x 16 MiB/s) well below what the 2-core machine
moves with the simulator, the module's hashing and TLS on both ends sharing it: at 4 x 32 MiB/s a busy
machine starves the parallel run and the ratio measures the CPU, not the parallelism.
"""

from __future__ import annotations

import argparse
import sys

from _bench_common import MIB, make_ovf_dir, median, need, run_module, simulator, sync, table, verdict, workspace

# "Close to 4x": what the fixed costs (start-up, login, adds, validation, completion) may take away.
GOAL_FRACTION = 0.9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--disks', type=int, default=4, help='disks in the OVF template, and the parallel run\'s parallel (default 4)')
    parser.add_argument('--disk-mib', type=int, default=256, help='size of each disk in MiB (default 256)')
    parser.add_argument('--rate-mib', type=float, default=16.0, help='simulator --upload-rate-limit in MiB/s per connection (default 16)')
    parser.add_argument('--runs', type=int, default=2, help='runs of each, alternating (default 2)')
    parser.add_argument('--manifest', action='store_true', help='add a SHA256 manifest (the module then hashes twice)')
    args = parser.parse_args()
    need('sync', '/usr/bin/time')
    rate = int(args.rate_mib * MIB)
    total = args.disks * args.disk_mib * MIB
    times = {1: [], args.disks: []}
    with workspace('bench-parallel-') as space, simulator('--upload-rate-limit', str(rate)) as info:
        template = make_ovf_dir(space.join('template'), [args.disk_mib * MIB] * args.disks, manifest=args.manifest)
        for number in range(1, args.runs + 1):
            for parallel in ((args.disks, 1) if number % 2 else (1, args.disks)):
                sync()
                module = run_module(info, space, src=template, parallel=parallel)
                times[parallel].append(module)
                print('run %d: parallel %d: %.2f s transfer (%.1f MiB/s), %.2f s process, %d files' % (
                    number, parallel, module.result['seconds'], module.result['throughput_mib_s'], module.wall,
                    len(module.result['files'])), flush=True)
    one_transfer = median(m.result['seconds'] for m in times[1])
    many_transfer = median(m.result['seconds'] for m in times[args.disks])
    one_wall = median(m.wall for m in times[1])
    many_wall = median(m.wall for m in times[args.disks])
    print()
    print('%d disks x %d MiB (OVF template%s), each upload connection limited to %.0f MiB/s; %d run(s) each, medians:' % (
        args.disks, args.disk_mib, ' with a SHA256 manifest' if args.manifest else '', args.rate_mib, args.runs))
    floor_one = total / float(rate)
    floor_many = args.disk_mib * MIB / float(rate)
    table(['parallel', 'transfer s', 'rate-limit floor s', 'MiB/s', 'process s', 'CPU s', 'peak RSS MiB'], [
        [str(p), '%.2f' % median(m.result['seconds'] for m in times[p]), '%.2f' % floor,
         '%.1f' % (total / MIB / median(m.result['seconds'] for m in times[p])), '%.2f' % median(m.wall for m in times[p]),
         '%.2f' % median(m.cpu for m in times[p]), '%.1f' % median(m.rss_mib for m in times[p])]
        for p, floor in ((1, floor_one), (args.disks, floor_many))])
    ratio = one_transfer / many_transfer
    print('speed-up parallel %d / parallel 1: %.2f x (transfer), %.2f x (process); ideal %d x; the floors allow %.2f x' % (
        args.disks, ratio, one_wall / many_wall, args.disks, floor_one / floor_many))
    best = min(m.result['seconds'] for m in times[1]) / min(m.result['seconds'] for m in times[args.disks])
    print('ratio of the best runs (a busy machine only ever adds time): %.2f x' % best)
    print('goal 4, close to %d x (at least %.1f x): %s' % (args.disks, GOAL_FRACTION * args.disks, verdict(ratio >= GOAL_FRACTION * args.disks)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
