# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the peak RSS of library_item_upload, library_item_download and library_item_copy for growing sizes.

    .venv/bin/python bench/bench_module_memory.py [--sizes-mib 256,1024,2048] [--ova-mib 1024] [--parts upload,download,copy]

The modules stream, so their peak RSS stays under 100 MiB whatever they move, and does not grow with
the size. Each part runs its module as its own Python process (as the AnsiballZ wrapper does) and
takes that process's peak RSS from /usr/bin/time, first for 1 MiB (the baseline: the start-up
footprint of Python, Ansible's module_utils and requests), then for each of --sizes-mib:

- upload (issue 8, goal 2): library_item_upload of an ISO of each size, and of an OVA of --ova-mib
  (written with tarfile: bench.ovf first, a SHA256 manifest, then the disk; the module streams the
  members out of the archive and checks them against the manifest); the content is written to disk
  first and deleted afterwards. curl -T's peak RSS on the largest ISO is printed beside it, for scale.
- download: library_item_download (``format: files``) of an ISO item of each size into a directory,
  and ``format: ova`` of an OVF template item with one disk of --ova-mib (the export writes one OVA
  file, SHA256 manifest included). The items are put into the simulator with plain requests
  (generated content) and deleted afterwards, and so is what the module wrote.
- copy: library_item_copy (``method: stream``) of an ISO item of each size from this simulator into
  a second one (``--discard-content``: it checks and stores nothing but sizes and checksums); the
  module runs under a wrapper that reads its own /proc/self/io at exit, so its ``write_bytes`` (what
  it made the kernel write to storage, its stdout file included: goal under 1 MiB) is printed too.

Prints a table per part; reports, does not assert.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from _bench_common import (
    COPY,
    DOWNLOAD,
    MIB,
    RSS_LIMIT_MIB,
    Api,
    connection_args,
    iso_item,
    make_file,
    make_ova,
    need,
    ovf_item,
    remove,
    run_curl,
    run_module,
    simulator,
    sync,
    table,
    unique_name,
    verdict,
    workspace,
)

PARTS = ('upload', 'download', 'copy')


def sizes(text):
    return [int(value) for value in text.split(',') if value.strip()]


def parts(text):
    chosen = [value.strip() for value in text.split(',') if value.strip()]
    unknown = [value for value in chosen if value not in PARTS]
    if unknown:
        raise argparse.ArgumentTypeError('unknown part %s (choose from %s)' % (', '.join(unknown), ', '.join(PARTS)))
    return chosen


class Part(object):
    """The rows of one module's table: each case's peak RSS against the first (1 MiB) case's."""

    def __init__(self, name, moved):
        self.name = name
        self.moved = moved  # the result's field with the bytes moved
        self.rows = []
        self.baseline = None
        self.peaks = []

    def add(self, label, size_mib, module, *extra):
        if self.baseline is None:
            self.baseline = module.rss_mib
        else:
            self.peaks.append(module.rss_mib)
        self.rows.append(
            [
                label,
                '%d' % size_mib,
                '%d' % module.result[self.moved],
                '%.1f' % module.rss_mib,
                '%+.1f' % (module.rss_mib - self.baseline),
                '%.2f' % (module.rss_mib / self.baseline),
                '%.2f' % module.result['seconds'],
                'OK' if module.rss_mib < RSS_LIMIT_MIB else 'OVER',
            ]
            + list(extra)
        )
        print('%s: %s %d MiB: peak RSS %.1f MiB' % (self.name, label, size_mib, module.rss_mib), flush=True)

    def report(self, extra_headers=()):
        print()
        print('%s peak RSS (the module process alone; limit %d MiB):' % (self.name, RSS_LIMIT_MIB))
        table(['content', 'MiB', self.moved.replace('_', ' '), 'peak RSS MiB', 'vs 1 MiB', 'x 1 MiB', 'transfer s', 'limit'] + list(extra_headers), self.rows)
        largest = max(self.peaks or [0])
        spread = largest - min(self.peaks) if self.peaks else 0.0
        print(
            'goal, under %d MiB for every size and flat: largest %.1f MiB, spread across sizes %.1f MiB, '
            'growth over the 1 MiB baseline at most %+.1f MiB: %s'
            % (RSS_LIMIT_MIB, largest, spread, largest - self.baseline, verdict(all(peak < RSS_LIMIT_MIB for peak in self.peaks)))
        )


def upload(args, info, space):
    part = Part('library_item_upload', 'bytes_sent')
    cases = [('ISO (baseline)', 'iso', 1)] + [('ISO', 'iso', size) for size in args.sizes_mib]
    if args.ova_mib:
        cases.append(('OVA, SHA256 manifest', 'ova', args.ova_mib))
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
        part.add(label, size_mib, module)
    part.report()
    if curl:
        print('curl -T of the %d MiB file: peak RSS %.1f MiB' % (curl[0], curl[1].rss_mib))


def download(args, info, space):
    part = Part('library_item_download', 'bytes_received')
    cases = [('ISO (baseline)', 'files', 1)] + [('ISO', 'files', size) for size in args.sizes_mib]
    if args.ova_mib:
        cases.append(('OVF template as one OVA', 'ova', args.ova_mib))
    api = Api(info)
    try:
        for label, kind, size_mib in cases:
            if kind == 'files':
                item, dest = api.put_item(iso_item(size_mib * MIB)), space.join('downloaded')
            else:
                item, dest = api.put_item(ovf_item([size_mib * MIB]), item_type='ovf'), space.join('downloaded.ova')
            try:
                sync()
                module = run_module(info, space, module=DOWNLOAD, library_item_id=item, dest=dest, format=kind)
            finally:
                api.delete_item(item)
                remove(dest)
            part.add(label, size_mib, module)
    finally:
        api.close()
    part.report()


def copy(args, source, space, target):
    part = Part('library_item_copy', 'bytes_copied')
    api = Api(source)
    written = []
    try:
        for label, size_mib in [('ISO (baseline)', 1)] + [('ISO', size) for size in args.sizes_mib]:
            item = api.put_item(iso_item(size_mib * MIB))
            try:
                sync()
                module = run_module(
                    source,
                    space,
                    module=COPY,
                    io_counters=True,
                    library_item_id=item,
                    method='stream',
                    target=dict(connection_args(target), library_name='local-lib', item_name=unique_name('copy')),
                )
            finally:
                api.delete_item(item)
            written.append(module.io['write_bytes'])
            part.add(label, size_mib, module, '%d' % module.io['write_bytes'])
    finally:
        api.close()
    part.report(['write_bytes'])
    print(
        'goal, the module writes under 1 MiB to disk (/proc/self/io at its exit, its stdout file included): at most %d bytes: %s'
        % (max(written), verdict(max(written) < MIB))
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes-mib', type=sizes, default=[256, 1024, 2048], help='content sizes in MiB (default 256,1024,2048)')
    parser.add_argument(
        '--ova-mib',
        type=int,
        default=1024,
        help='the disk size in MiB of the OVA uploaded and of the OVF template exported as an OVA; 0 for none (default 1024)',
    )
    parser.add_argument('--parts', type=parts, default=list(PARTS), help='which modules, of %s (default all)' % ','.join(PARTS))
    args = parser.parse_args()
    need('curl', 'sync', '/usr/bin/time')
    with contextlib.ExitStack() as stack:
        space = stack.enter_context(workspace('bench-memory-'))
        info = stack.enter_context(simulator('--prepare-latency', '0'))
        if 'upload' in args.parts:
            upload(args, info, space)
        if 'download' in args.parts:
            download(args, info, space)
        if 'copy' in args.parts:
            copy(args, info, space, stack.enter_context(simulator('--discard-content')))
    return 0


if __name__ == '__main__':
    sys.exit(main())
