# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: a module with parallel: 4 against parallel: 1, on connections of limited rate.

    .venv/bin/python bench/bench_module_parallel.py [--mode upload|download|copy] [--disks 4] [--disk-mib 256]
                                                    [--rate-mib 16] [--runs 2] [--manifest]

An OVF template of --disks disks of --disk-mib MiB (and its bench.ovf) moved by a module with
``parallel: N`` (N = --disks) and with ``parallel: 1``, alternating (N first in odd rounds), every
connection that carries a disk capped by the simulator at --rate-mib MiB/s (a WAN link to vCenter,
say). With every connection capped, N transfers at once should take about 1/N of the time: prints
the module's transfer times (its ``seconds``), the process wall times, and the ratio (parallel 1 /
parallel N), against the ideal N and against the time the rate limit alone allows. It reports; it
does not assert. --mode says which module:

- upload (issue 8, goal 4; the default): library_item_upload of an OVF template directory written
  to disk (with a SHA256 manifest with --manifest: the module then hashes twice) into a new item,
  the simulator started with ``--upload-rate-limit``;
- download: library_item_download (``format: files``) of an OVF template item (put into the
  simulator with plain requests) into a new directory, the simulator started with
  ``--download-rate-limit``;
- copy: library_item_copy (``method: stream``) of that item from one simulator, started with
  ``--download-rate-limit``, into a new item on a second one, started with ``--upload-rate-limit``
  (and ``--discard-content``): each disk crosses two capped connections, at the same rate.

The default rate keeps the parallel run's total (4 x 16 MiB/s) well below what the 2-core machine
moves with the simulator, the module's hashing and TLS on both ends sharing it: at 4 x 32 MiB/s a busy
machine starves the parallel run and the ratio measures the CPU, not the parallelism.
"""

from __future__ import annotations

import argparse
import contextlib
import sys

from _bench_common import (
    COPY,
    DOWNLOAD,
    MIB,
    Api,
    connection_args,
    make_ovf_dir,
    median,
    need,
    ovf_item,
    remove,
    run_module,
    simulator,
    sync,
    table,
    unique_name,
    verdict,
    workspace,
)

# "Close to 4x": what the fixed costs (start-up, login, adds, validation, completion) may take away.
GOAL_FRACTION = 0.9


def upload(args, space, stack, rate):
    """library_item_upload of an OVF template directory into a new item, every PUT capped."""
    info = stack.enter_context(simulator('--upload-rate-limit', str(rate)))
    template = make_ovf_dir(space.join('template'), [args.disk_mib * MIB] * args.disks, manifest=args.manifest)
    return lambda parallel: run_module(info, space, src=template, parallel=parallel)


def template_item(args, info):
    """An OVF template item of the simulator, put in with plain requests; its id."""
    api = Api(info)
    try:
        return api.put_item(ovf_item([args.disk_mib * MIB] * args.disks), item_type='ovf')
    finally:
        api.close()


def download(args, space, stack, rate):
    """library_item_download of the template item into a new directory, every GET capped."""
    info = stack.enter_context(simulator('--prepare-latency', '0', '--download-rate-limit', str(rate)))
    item = template_item(args, info)
    dest = space.join('downloaded')

    def run(parallel):
        measured = run_module(info, space, module=DOWNLOAD, library_item_id=item, dest=dest, parallel=parallel)
        remove(dest)
        return measured

    return run


def copy(args, space, stack, rate):
    """library_item_copy of the template item into a new item of a second simulator, every GET and every PUT capped."""
    source = stack.enter_context(simulator('--prepare-latency', '0', '--download-rate-limit', str(rate)))
    target = stack.enter_context(simulator('--discard-content', '--upload-rate-limit', str(rate)))
    item = template_item(args, source)
    return lambda parallel: run_module(
        source,
        space,
        module=COPY,
        library_item_id=item,
        method='stream',
        parallel=parallel,
        target=dict(connection_args(target), library_name='local-lib', item_name=unique_name('copy')),
    )


MODES = {'upload': upload, 'download': download, 'copy': copy}
LIMITED = {'upload': 'upload connection', 'download': 'download connection', 'copy': 'download connection (source) and upload connection (target)'}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--disks', type=int, default=4, help='disks in the OVF template, and the parallel run\'s parallel (default 4)')
    parser.add_argument('--disk-mib', type=int, default=256, help='size of each disk in MiB (default 256)')
    parser.add_argument('--rate-mib', type=float, default=16.0, help='the simulator\'s rate limit in MiB/s per connection (default 16)')
    parser.add_argument('--runs', type=int, default=2, help='runs of each, alternating (default 2)')
    parser.add_argument('--manifest', action='store_true', help='upload: add a SHA256 manifest (the module then hashes twice)')
    parser.add_argument('--mode', choices=MODES, default='upload', help='which module moves the template (default upload)')
    args = parser.parse_args()
    need('sync', '/usr/bin/time')
    rate = int(args.rate_mib * MIB)
    total = args.disks * args.disk_mib * MIB
    times = {1: [], args.disks: []}
    with workspace('bench-parallel-') as space, contextlib.ExitStack() as stack:
        run = MODES[args.mode](args, space, stack, rate)
        for number in range(1, args.runs + 1):
            for parallel in (args.disks, 1) if number % 2 else (1, args.disks):
                sync()
                module = run(parallel)
                times[parallel].append(module)
                print(
                    'run %d: parallel %d: %.2f s transfer (%.1f MiB/s), %.2f s process, %d files'
                    % (number, parallel, module.result['seconds'], module.result['throughput_mib_s'], module.wall, len(module.result['files'])),
                    flush=True,
                )
    one_transfer = median(m.result['seconds'] for m in times[1])
    many_transfer = median(m.result['seconds'] for m in times[args.disks])
    one_wall = median(m.wall for m in times[1])
    many_wall = median(m.wall for m in times[args.disks])
    print()
    print(
        '%s: %d disks x %d MiB (OVF template%s), each %s limited to %.0f MiB/s; %d run(s) each, medians:'
        % (
            args.mode,
            args.disks,
            args.disk_mib,
            ' with a SHA256 manifest' if args.manifest and args.mode == 'upload' else '',
            LIMITED[args.mode],
            args.rate_mib,
            args.runs,
        )
    )
    floor_one = total / float(rate)
    floor_many = args.disk_mib * MIB / float(rate)
    table(
        ['parallel', 'transfer s', 'rate-limit floor s', 'MiB/s', 'process s', 'CPU s', 'peak RSS MiB'],
        [
            [
                str(p),
                '%.2f' % median(m.result['seconds'] for m in times[p]),
                '%.2f' % floor,
                '%.1f' % (total / MIB / median(m.result['seconds'] for m in times[p])),
                '%.2f' % median(m.wall for m in times[p]),
                '%.2f' % median(m.cpu for m in times[p]),
                '%.1f' % median(m.rss_mib for m in times[p]),
            ]
            for p, floor in ((1, floor_one), (args.disks, floor_many))
        ],
    )
    ratio = one_transfer / many_transfer
    print(
        'speed-up parallel %d / parallel 1: %.2f x (transfer), %.2f x (process); ideal %d x; the floors allow %.2f x'
        % (args.disks, ratio, one_wall / many_wall, args.disks, floor_one / floor_many)
    )
    best = min(m.result['seconds'] for m in times[1]) / min(m.result['seconds'] for m in times[args.disks])
    print('ratio of the best runs (a busy machine only ever adds time): %.2f x' % best)
    print('goal, close to %d x (at least %.1f x): %s' % (args.disks, GOAL_FRACTION * args.disks, verdict(ratio >= GOAL_FRACTION * args.disks)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
