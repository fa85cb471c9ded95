# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: library_item_download writing an item's file into a directory, against curl -o of the same endpoint.

    .venv/bin/python bench/bench_module_download.py [--size-mib 1024] [--runs 3] [--probe-pause 10]
    .venv/bin/python bench/bench_module_download.py --ova [--disks 4] [--disk-mib 256] [--runs 3]

Starts the simulator (HTTPS, ``--prepare-latency 0``) and puts an ISO item of --size-mib MiB into it
(generated, PUT with plain requests). Then, alternating (module first in odd rounds, curl first in
even ones; each run's output removed, with a ``sync``, as soon as the run is measured, so that
both runs of a round start from the same page cache):

- the module as its own Python process (``python -m ...library_item_download args.json``, as the
  AnsiballZ wrapper runs it), ``format: files`` into a new directory: it streams, hashes (SHA1, the
  checksum the simulator reports), writes, fsyncs and renames the file into place;
- ``curl -o FILE`` of the same file's download endpoint, in a download session this script opened
  and prepared with plain requests (the login token from a header file), then ``sync FILE`` (an
  fsync of that file, timed on its own): curl does not fsync what it writes and the module does, so
  curl alone and curl followed by ``sync FILE`` are the two baselines.

Prints per run and as medians: the module's transfer time (its ``seconds``: opening the download
session to the file in place), its process wall time, curl's and curl + sync's, the ratios (goal:
module throughput >= 0.9 x curl's); the CPU seconds (user+sys) per GiB of the module, of curl, of
``sync FILE`` and of the simulator; the CPU seconds hashlib.sha1 takes over the same number of bytes
in this process (1 MiB updates, measured every round) and the goal module <= 1.3 x (curl + that
hashing); the module's fixed cost (a 1 MiB item; its first run, which compiles the collection's
bytecode, is not counted); and, once at the end, what writing the same bytes into a new file costs
this process in 16 KiB writes (curl's size) and in 1 MiB writes (the module's chunks), with the
fsync after it, right after as many bytes of page cache were freed and --probe-pause seconds later.
That probe is there because the page cache's write path is not the same on every machine: on a
virtual machine whose balloon device reports free memory to the host, memory freed a few seconds
earlier is given back and faulted in again on first touch, and large writes (which fill large
folios) pay for it several times over, small ones hardly.

With ``--ova``: an OVF template item of --disks disks of --disk-mib MiB, downloaded by the module as
``format: ova`` (one OVA file: a tar stream, SHA1 checked and SHA256 computed for its manifest, one
member at a time, one fsync) and as ``format: files`` with ``parallel: 1`` (the same one-at-a-time
fetch) and with the module's default ``parallel`` (2), rotating the order every round; prints the
times and the ratios ova / files. It reports; it does not assert.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from _bench_common import (
    DOWNLOAD,
    GIB,
    MIB,
    Api,
    alternate,
    cpu_seconds_of,
    curl_command,
    check_curl,
    child_env,
    hash_cpu_seconds,
    iso_item,
    median,
    moved,
    need,
    ovf_item,
    remove,
    run_measured,
    run_module,
    second_run,
    simulator,
    sync,
    table,
    verdict,
    workspace,
    write_cpu_seconds,
)

GOAL_RATIO = 0.9
GOAL_CPU = 1.3
# The module's default for format: files.
DEFAULT_PARALLEL = 2
# The same bytes written by this process in pieces of these sizes (cost of the page cache's write path on the machine).
WRITE_PIECES = {16 * 1024: "curl's", MIB: "the module's chunks"}


def download(info, space, item, dest, **options):
    """One run of the module into ``dest`` (removed first, with a sync); the Measured process, ``sim_cpu`` added."""
    remove(dest)
    sync()
    before = cpu_seconds_of(info['pid'])
    measured = run_module(info, space, module=DOWNLOAD, library_item_id=item, dest=dest, **options)
    measured.sim_cpu = cpu_seconds_of(info['pid']) - before
    return measured


def curl_then_sync(info, api, space, session, uri, headers, path, size):
    """``curl -o path`` of the prepared endpoint, then ``sync path``: (curl, sync), each Measured; curl has ``sim_cpu``."""
    remove(path)
    sync()
    api.keep_alive(session)
    before = cpu_seconds_of(info['pid'])
    curl = run_measured(curl_command(info, headers) + ['-o', path, uri], child_env(), space.path)
    curl.sim_cpu = cpu_seconds_of(info['pid']) - before
    check_curl(curl)
    if os.path.getsize(path) != size:
        raise SystemExit('curl wrote %d bytes, not %d' % (os.path.getsize(path), size))
    flushed = run_measured(['sync', path], child_env(), space.path)
    return curl, flushed


def removed_after(measured, path):
    """``measured``, once ``path`` (what that run wrote) is removed and flushed."""
    remove(path)
    sync()
    return measured


def fixed_cost(info, api, space):
    """The module downloading a 1 MiB item, twice: the second run (the first compiles the bytecode)."""
    small = api.put_item(iso_item(MIB))
    dest = space.join('small')
    startup = second_run(lambda: download(info, space, small, dest))
    remove(dest)
    api.delete_item(small)
    return startup


def against_curl(args, info, api, space):
    size = args.size_mib * MIB
    startup = fixed_cost(info, api, space)
    item = api.put_item(iso_item(size))
    session, uri = api.prepare_download(item, 'bench.iso')
    headers = api.headers_file(space)
    dest, path = space.join('module-dest'), space.join('curl.iso')
    runs = []
    for number in range(1, args.runs + 1):
        # Each output is removed as soon as its run is measured, so that both runs of a round start with the
        # same page cache behind them: left in place, the first run's 1 GiB made the second one pay for new pages.
        module_first, module, (curl, flushed) = alternate(
            number,
            lambda: removed_after(moved(download(info, space, item, dest), 'bytes_received', size), dest),
            lambda: removed_after(curl_then_sync(info, api, space, session, uri, headers, path, size), path),
        )
        runs.append(dict(module=module, curl=curl, sync=flushed, sha1=hash_cpu_seconds(size, 'sha1')))
        print(
            'run %d (%s first): module %.2f s transfer (%.0f MiB/s), %.2f s process; curl %.2f s (%.0f MiB/s), + sync %.2f s; '
            'ratio %.2f (curl), %.2f (curl + sync)'
            % (
                number,
                'module' if module_first else 'curl',
                module.result['seconds'],
                module.result['throughput_mib_s'],
                module.wall,
                curl.wall,
                size / MIB / curl.wall,
                flushed.wall,
                curl.wall / module.result['seconds'],
                (curl.wall + flushed.wall) / module.result['seconds'],
            ),
            flush=True,
        )
    report_against_curl(args, size, startup, runs, write_probe(space, size, args.probe_pause))


def write_probe(space, size, pause):
    """What writing ``size`` bytes into a new file costs this process, in each of WRITE_PIECES: right after as many
    bytes of page cache were freed, and ``pause`` seconds later; {(seconds, piece): (CPU seconds, fsync seconds)}."""
    probes = {}
    for wait in dict.fromkeys((0, pause)):
        for piece in WRITE_PIECES:
            write_cpu_seconds(space.join('freed'), size, MIB)  # page cache, freed again
            sync()
            time.sleep(wait)
            probes[wait, piece] = write_cpu_seconds(space.join('write-probe'), size, piece)
            sync()
    return probes


def report_against_curl(args, size, startup, runs, probes):
    gib = size / float(GIB)
    transfer = median(r['module'].result['seconds'] for r in runs)
    process = median(r['module'].wall for r in runs)
    curl = median(r['curl'].wall for r in runs)
    synced = median(r['curl'].wall + r['sync'].wall for r in runs)
    print()
    print('item: one %d MiB file, over HTTPS from the simulator on 127.0.0.1 into a file; %d run(s) each, alternating; medians:' % (args.size_mib, len(runs)))
    table(
        ['what', 'seconds', 'MiB/s', 'x curl', 'x curl + sync'],
        [
            ['curl -o FILE (baseline 1)', '%.2f' % curl, '%.0f' % (size / MIB / curl), '1.00', '%.2f' % (synced / curl)],
            ['curl -o FILE, then sync FILE (baseline 2)', '%.2f' % synced, '%.0f' % (size / MIB / synced), '%.2f' % (curl / synced), '1.00'],
            ['module: transfer (its seconds)', '%.2f' % transfer, '%.0f' % (size / MIB / transfer), '%.2f' % (curl / transfer), '%.2f' % (synced / transfer)],
            ['module: whole process', '%.2f' % process, '%.0f' % (size / MIB / process), '%.2f' % (curl / process), '%.2f' % (synced / process)],
        ],
    )
    pairs = median(r['curl'].wall / r['module'].result['seconds'] for r in runs)
    pairs_synced = median((r['curl'].wall + r['sync'].wall) / r['module'].result['seconds'] for r in runs)
    print(
        'module transfer / curl: ratio of medians %.2f (median of the per-round ratios %.2f); / curl + sync: %.2f (%.2f)'
        % (curl / transfer, pairs, synced / transfer, pairs_synced)
    )
    print(
        'goal, module throughput >= %.1f x curl: %.2f x curl: %s; %.2f x curl + sync: %s'
        % (GOAL_RATIO, curl / transfer, verdict(curl / transfer >= GOAL_RATIO), synced / transfer, verdict(synced / transfer >= GOAL_RATIO))
    )
    print()
    module_cpu = median(r['module'].cpu for r in runs)
    curl_cpu = median(r['curl'].cpu for r in runs)
    sync_cpu = median(r['sync'].cpu for r in runs)
    sha1 = median(r['sha1'] for r in runs)
    print('CPU seconds (user+sys) per GiB received, medians (2 cores; the simulator is on the same machine):')
    table(
        ['process', 'user', 'sys', 'CPU s/GiB', 'simulator CPU s/GiB', 'peak RSS MiB'],
        [
            [
                'curl -o FILE',
                '%.2f' % median(r['curl'].user for r in runs),
                '%.2f' % median(r['curl'].sys for r in runs),
                '%.2f' % (curl_cpu / gib),
                '%.2f' % (median(r['curl'].sim_cpu for r in runs) / gib),
                '%.1f' % median(r['curl'].rss_mib for r in runs),
            ],
            [
                'sync FILE',
                '%.2f' % median(r['sync'].user for r in runs),
                '%.2f' % median(r['sync'].sys for r in runs),
                '%.2f' % (sync_cpu / gib),
                '',
                '%.1f' % median(r['sync'].rss_mib for r in runs),
            ],
            [
                'module',
                '%.2f' % median(r['module'].user for r in runs),
                '%.2f' % median(r['module'].sys for r in runs),
                '%.2f' % (module_cpu / gib),
                '%.2f' % (median(r['module'].sim_cpu for r in runs) / gib),
                '%.1f' % median(r['module'].rss_mib for r in runs),
            ],
        ],
    )
    print('hashing the same bytes: hashlib.sha1 in this process (1 MiB updates, time.process_time): %.2f s/GiB' % (sha1 / gib))
    print(
        'writing the same bytes into a new file from this process, once (os.write of the pattern; CPU user+sys, then the '
        'wall time of the fsync of the whole file):'
    )
    for (wait, piece), (cpu, fsync) in sorted(probes.items(), key=lambda probe: (probe[0][1], probe[0][0])):
        print(
            '  in %s writes (%s), %s: %.2f CPU s/GiB; fsync %.2f s'
            % (
                '%d KiB' % (piece // 1024) if piece < MIB else '%d MiB' % (piece // MIB),
                WRITE_PIECES[piece],
                'right after %d MiB of page cache were freed' % args.size_mib if not wait else '%d s after that' % wait,
                cpu / gib,
                fsync,
            )
        )
    print('module with a 1 MiB item (its fixed cost: Python, imports, login, item, session, logout): %.2f s process, %.2f CPU s' % (startup.wall, startup.cpu))
    budget = curl_cpu + sha1
    print(
        'goal, module CPU <= %.1f x (curl + sha1): %.2f s/GiB against %.1f x %.2f = %.2f: %.2f x: %s'
        % (GOAL_CPU, module_cpu / gib, GOAL_CPU, budget / gib, GOAL_CPU * budget / gib, module_cpu / budget, verdict(module_cpu <= GOAL_CPU * budget))
    )
    print(
        '  without its fixed cost: %.2f x; against curl + sync + sha1 (%.2f s/GiB; the module fsyncs too): %.2f x, %.2f x without the fixed cost'
        % ((module_cpu - startup.cpu) / budget, (budget + sync_cpu) / gib, module_cpu / (budget + sync_cpu), (module_cpu - startup.cpu) / (budget + sync_cpu))
    )


# -- --ova: format ova against format files ----------------------------------------------------------


def ova_against_files(args, info, api, space):
    total = args.disks * args.disk_mib * MIB
    item = api.put_item(ovf_item([args.disk_mib * MIB] * args.disks), item_type='ovf')
    variants = [
        ('ova', dict(format='ova', dest=space.join('bench.ova'))),
        ('files, parallel 1', dict(format='files', parallel=1, dest=space.join('files'))),
        ('files, parallel %d' % DEFAULT_PARALLEL, dict(format='files', parallel=DEFAULT_PARALLEL, dest=space.join('files'))),
    ]
    times = dict((name, []) for name, _options in variants)
    hashing = []
    for number in range(1, args.runs + 1):
        shift = (number - 1) % len(variants)
        for name, options in variants[shift:] + variants[:shift]:
            measured = download(info, space, item, **options)
            remove(options['dest'])
            if measured.result['bytes_received'] < total:
                raise SystemExit('%s received %s bytes, fewer than %s' % (name, measured.result['bytes_received'], total))
            times[name].append(measured)
            print(
                'run %d: %s: %.2f s transfer (%.0f MiB/s), %.2f s process, %.2f CPU s'
                % (number, name, measured.result['seconds'], measured.result['throughput_mib_s'], measured.wall, measured.cpu),
                flush=True,
            )
        hashing.append((hash_cpu_seconds(total, 'sha1'), hash_cpu_seconds(total, 'sha256')))
    gib = total / float(GIB)
    print()
    print('OVF template of %d disks x %d MiB; %d run(s) of each, order rotated every round; medians:' % (args.disks, args.disk_mib, args.runs))
    ova = median(m.result['seconds'] for m in times['ova'])
    rows = []
    for name, _options in variants:
        runs = times[name]
        seconds = median(m.result['seconds'] for m in runs)
        rows.append(
            [
                name,
                '%.2f' % seconds,
                '%.0f' % (total / MIB / seconds),
                '%.2f' % median(m.wall for m in runs),
                '%.2f' % (median(m.cpu for m in runs) / gib),
                '%.1f' % median(m.rss_mib for m in runs),
                '%.2f' % (ova / seconds),
            ]
        )
    table(['format', 'transfer s', 'MiB/s', 'process s', 'CPU s/GiB', 'peak RSS MiB', 'ova time / this'], rows)
    print(
        'hashing the same bytes in this process (hashlib, 1 MiB updates): SHA1 %.2f s/GiB (both formats check it), '
        'SHA256 %.2f s/GiB (the OVA\'s manifest only)' % (median(h[0] for h in hashing) / gib, median(h[1] for h in hashing) / gib)
    )
    for name, _options in variants[1:]:
        print('ova / %s: %.2f x the time (ratio of medians)' % (name, ova / median(m.result['seconds'] for m in times[name])))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size-mib', type=int, default=1024, help='the item\'s file size in MiB (default 1024)')
    parser.add_argument('--runs', type=int, default=3, help='runs of each, alternating (default 3)')
    parser.add_argument('--ova', action='store_true', help='format: ova of an OVF template against format: files of the same item')
    parser.add_argument('--disks', type=int, default=4, help='with --ova: the disks of the OVF template (default 4)')
    parser.add_argument('--disk-mib', type=int, default=256, help='with --ova: the size of each disk in MiB (default 256)')
    parser.add_argument(
        '--probe-pause', type=float, default=10.0, help='seconds between freeing page cache and the second write probe; 0 for one probe only (default 10)'
    )
    args = parser.parse_args()
    need('curl', 'sync', '/usr/bin/time')
    with workspace('bench-download-') as space, simulator('--prepare-latency', '0') as info:
        api = Api(info)
        try:
            if args.ova:
                ova_against_files(args, info, api, space)
            else:
                against_curl(args, info, api, space)
        finally:
            api.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
