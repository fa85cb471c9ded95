# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the peak RSS of library_item_upload for files of growing size, and for an OVA.

    .venv/bin/python bench/bench_module_memory.py [--sizes-mib 256,1024,2048] [--ova-mib 1024]

Issue 8, goal 2: the module streams, so its peak RSS stays under 100 MiB whatever it sends, and does
not grow with the size. Starts the simulator, then for a 1 MiB ISO (the baseline: the start-up
footprint of Python, Ansible's module_utils and requests), one ISO of each --sizes-mib, and an OVA of
--ova-mib (written with tarfile: bench.ovf first, a SHA256 manifest, then the disk; the module streams
the members out of the archive and checks them against the manifest): writes the content, runs the
module as its own Python process, takes that process's peak RSS (from /usr/bin/time) and
deletes the content again. curl's peak RSS on the largest file is printed beside it, for scale.
Prints a table; reports, does not assert.
"""

from __future__ import annotations

import argparse
import os
import sys

from _bench_common import (MIB, RSS_LIMIT_MIB, Api, make_file, make_ova, need, run_curl, run_module, simulator, sync, table,
                           verdict, workspace)


def sizes(text):
    return [int(value) for value in text.split(',') if value.strip()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes-mib', type=sizes, default=[256, 1024, 2048], help='ISO sizes in MiB (default 256,1024,2048)')
    parser.add_argument('--ova-mib', type=int, default=1024, help='the OVA disk size in MiB; 0 for none (default 1024)')
    args = parser.parse_args()
    need('curl', 'sync', '/usr/bin/time')
    cases = [('ISO (baseline)', 'iso', 1)] + [('ISO', 'iso', size) for size in args.sizes_mib]
    if args.ova_mib:
        cases.append(('OVA, SHA256 manifest', 'ova', args.ova_mib))
    rows = []
    peaks = []
    with workspace('bench-memory-') as space, simulator() as info:
        baseline = None
        curl = None
        for label, kind, size_mib in cases:
            if kind == 'iso':
                path = space.join('bench-%d.iso' % size_mib)
                make_file(path, size_mib * MIB)
            else:
                path = make_ova(space.join('bench-%d.ova' % size_mib), [size_mib * MIB])
            try:
                sync()
                module = run_module(info, space, src=path)
                if kind == 'iso' and size_mib == max(args.sizes_mib or [0]):
                    api = Api(info)
                    try:
                        sync()
                        curl = (size_mib, run_curl(info, api, space, path))
                    finally:
                        api.close()
            finally:
                os.unlink(path)
            if baseline is None:
                baseline = module.rss_mib
            else:
                peaks.append(module.rss_mib)
            rows.append([label, '%d' % size_mib, '%d' % module.result['bytes_sent'], '%.1f' % module.rss_mib,
                         '%+.1f' % (module.rss_mib - baseline), '%.2f' % (module.rss_mib / baseline),
                         '%.2f' % module.result['seconds'], 'OK' if module.rss_mib < RSS_LIMIT_MIB else 'OVER'])
            print('%s %d MiB: peak RSS %.1f MiB' % (label, size_mib, module.rss_mib), flush=True)
    print()
    print('library_item_upload peak RSS (the module process alone; limit %d MiB):' % RSS_LIMIT_MIB)
    table(['content', 'MiB', 'bytes sent', 'peak RSS MiB', 'vs 1 MiB', 'x 1 MiB', 'transfer s', 'limit'], rows)
    if curl:
        print('curl -T of the %d MiB file: peak RSS %.1f MiB' % (curl[0], curl[1].rss_mib))
    spread = max(peaks) - min(peaks) if peaks else 0.0
    print('goal 2, under %d MiB for every size and flat: largest %.1f MiB, spread across sizes %.1f MiB, '
          'growth over the 1 MiB baseline at most %+.1f MiB: %s' % (
              RSS_LIMIT_MIB, max(peaks or [0]), spread, max(peaks or [0]) - baseline,
              verdict(all(peak < RSS_LIMIT_MIB for peak in peaks))))
    return 0


if __name__ == '__main__':
    sys.exit(main())
