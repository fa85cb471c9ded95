# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: library_item_copy streaming an item from one simulator into another, against curl piped into curl -T -.

    .venv/bin/python bench/bench_module_copy.py [--size-mib 1024] [--runs 3]

Starts two simulators, each over HTTPS with its own CA: the source (``--prepare-latency 0``), into
which this script puts an ISO item of --size-mib MiB (generated, PUT with plain requests), and the
target (``--discard-content``: it counts and hashes what it receives, SHA1 and size checked, but
stores nothing, so that no disk takes part on either side). Then, alternating (module first in odd
rounds, curl first in even ones):

- the module as its own Python process (``method: stream``, into a new item of the target's
  local-lib): the source's GET body piped into the target's PUT, hashed on the way, nothing on disk.
  It runs under a few lines of Python that read the process's own ``/proc/self/io`` when it exits
  (``_bench_common._SELF_IO``, an atexit handler, so no write of the process's end is missed):
  ``write_bytes`` is what the module made the kernel write to storage (its stdout file, with the
  JSON result, included);
- ``curl URI | curl -T - URI``: the first curl GETs the file's download endpoint on the source (a
  download session this script opened and prepared with plain requests), the second PUTs its stdin
  to the upload endpoint of an update session on the target (opened with plain requests, the file
  added with its size), with ``Content-Length`` and without chunked encoding or ``Expect``, as the
  module sends it; the file is checked READY, then the session is canceled.

Prints per run and as medians: the module's transfer time (its ``seconds``: from creating the target
item to the target session DONE), its process wall time, the pipeline's wall time and the ratios
(goal: module throughput >= 0.9 x the pipeline's); the CPU seconds (user+sys) per GiB of the module,
of each curl and of each simulator, and what hashlib.sha1 takes over as many bytes in this process;
the module's write_bytes (goal: under 1 MiB) and peak RSS (goal: under 100 MiB; bench_module_memory.py
takes it at 256 MiB, 1 GiB and 2 GiB); the module's fixed cost (a 1 MiB item; its first run, which
compiles the collection's bytecode, is not counted). It reports; it does not assert.
"""

from __future__ import annotations

import argparse
import sys

from _bench_common import (
    COPY,
    GIB,
    MIB,
    RSS_LIMIT_MIB,
    Api,
    alternate,
    check_curl,
    child_env,
    connection_args,
    cpu_seconds_of,
    curl_command,
    hash_cpu_seconds,
    iso_item,
    median,
    moved,
    need,
    run_module,
    run_pipeline,
    second_run,
    simulator,
    sync,
    table,
    unique_name,
    verdict,
    workspace,
)

GOAL_RATIO = 0.9
WRITE_LIMIT = MIB


def simulator_cpu(*infos):
    return [cpu_seconds_of(info['pid']) for info in infos]


def copy(source, target, space, item):
    """One streamed copy by the module into a new target item; the Measured process, with ``sim_cpu`` (source, target) and ``io``."""
    sync()
    before = simulator_cpu(source, target)
    measured = run_module(
        source,
        space,
        module=COPY,
        io_counters=True,
        library_item_id=item,
        method='stream',
        target=dict(connection_args(target), library_name='local-lib', item_name=unique_name('copy')),
    )
    measured.sim_cpu = [after - earlier for after, earlier in zip(simulator_cpu(source, target), before)]
    return measured


class Pipe(object):
    """curl from the source's prepared download endpoint into curl -T - to new upload endpoints on the target."""

    def __init__(self, source, target, space, item, size):
        self.source, self.target, self.space, self.size = source, target, space, size
        self.source_api, self.target_api = Api(source), Api(target)
        self.session, self.uri = self.source_api.prepare_download(item, 'bench.iso')
        self.source_headers = self.source_api.headers_file(space)
        # As the module sends it: a Content-Length, no chunked encoding (curl's default for -T -), no Expect: 100-continue.
        self.target_headers = self.target_api.headers_file(
            space, 'Content-Type: application/octet-stream', 'Content-Length: %d' % size, 'Transfer-Encoding:', 'Expect:'
        )

    def run(self):
        """One run: (curl GET, curl PUT), each Measured with the pipeline's wall time; the GET has ``sim_cpu``."""
        session_id = self.target_api.new_session()
        upload = self.target_api.add_file(session_id, 'bench.iso', self.size)
        self.source_api.keep_alive(self.session)
        sync()
        before = simulator_cpu(self.source, self.target)
        get, put = run_pipeline(
            [
                curl_command(self.source, self.source_headers) + [self.uri],
                curl_command(self.target, self.target_headers) + ['--upload-file', '-', '-o', '/dev/null', upload],
            ],
            child_env(),
            self.space.path,
        )
        get.sim_cpu = [after - earlier for after, earlier in zip(simulator_cpu(self.source, self.target), before)]
        check_curl(get, put)
        status = self.target_api.file_status(session_id, 'bench.iso')
        if status != 'READY':
            raise SystemExit('the piped upload ended %s, not READY' % status)
        self.target_api.cancel(session_id)
        return get, put

    def close(self):
        self.source_api.close()
        self.target_api.close()


def fixed_cost(source, target, space):
    """The module copying a 1 MiB item, twice: the second run (the first compiles the bytecode)."""
    api = Api(source)
    try:
        small = api.put_item(iso_item(MIB))
        startup = second_run(lambda: copy(source, target, space, small))
        api.delete_item(small)
    finally:
        api.close()
    return startup


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size-mib', type=int, default=1024, help='the item\'s file size in MiB (default 1024)')
    parser.add_argument('--runs', type=int, default=3, help='runs of each, alternating (default 3)')
    args = parser.parse_args()
    need('curl', 'sync', '/usr/bin/time')
    size = args.size_mib * MIB
    runs = []
    with workspace('bench-copy-') as space, simulator('--prepare-latency', '0') as source, simulator('--discard-content') as target:
        startup = fixed_cost(source, target, space)
        api = Api(source)
        item = api.put_item(iso_item(size))
        api.close()
        pipe = Pipe(source, target, space, item, size)
        try:
            for number in range(1, args.runs + 1):
                module_first, module, (get, put) = alternate(number, lambda: moved(copy(source, target, space, item), 'bytes_copied', size), pipe.run)
                runs.append(dict(module=module, get=get, put=put, sha1=hash_cpu_seconds(size, 'sha1')))
                curl = get.wall
                print(
                    'run %d (%s first): module %.2f s transfer (%.0f MiB/s), %.2f s process, wrote %d bytes; curl | curl -T - %.2f s '
                    '(%.0f MiB/s); ratio %.2f (transfer) %.2f (process)'
                    % (
                        number,
                        'module' if module_first else 'curl',
                        module.result['seconds'],
                        module.result['throughput_mib_s'],
                        module.wall,
                        module.io['write_bytes'],
                        curl,
                        size / MIB / curl,
                        curl / module.result['seconds'],
                        curl / module.wall,
                    ),
                    flush=True,
                )
        finally:
            pipe.close()
    report(args, size, startup, runs)
    return 0


def report(args, size, startup, runs):
    gib = size / float(GIB)
    transfer = median(r['module'].result['seconds'] for r in runs)
    process = median(r['module'].wall for r in runs)
    curl = median(r['get'].wall for r in runs)
    print()
    print('item: one %d MiB file, from one simulator to the other over HTTPS on 127.0.0.1; %d run(s) each, alternating; medians:' % (args.size_mib, len(runs)))
    table(
        ['what', 'seconds', 'MiB/s', 'x curl | curl'],
        [
            ['curl | curl -T - (baseline)', '%.2f' % curl, '%.0f' % (size / MIB / curl), '1.00'],
            ['module: transfer (its seconds)', '%.2f' % transfer, '%.0f' % (size / MIB / transfer), '%.2f' % (curl / transfer)],
            ['module: whole process', '%.2f' % process, '%.0f' % (size / MIB / process), '%.2f' % (curl / process)],
        ],
    )
    pairs = median(r['get'].wall / r['module'].result['seconds'] for r in runs)
    print('module transfer / curl | curl: ratio of medians %.2f, median of the per-round ratios %.2f' % (curl / transfer, pairs))
    print(
        'goal, module throughput >= %.1f x curl | curl: %.2f (transfer), %.2f (whole process): %s'
        % (GOAL_RATIO, curl / transfer, curl / process, verdict(curl / transfer >= GOAL_RATIO))
    )
    print()

    def row(name, key, sim=None):
        return [
            name,
            '%.2f' % median(r[key].user for r in runs),
            '%.2f' % median(r[key].sys for r in runs),
            '%.2f' % (median(r[key].cpu for r in runs) / gib),
            '%.1f' % median(r[key].rss_mib for r in runs),
        ] + (['%.2f' % (median(r[sim].sim_cpu[side] for r in runs) / gib) for side in (0, 1)] if sim else ['', ''])

    print('CPU seconds (user+sys) per GiB copied, medians (2 cores; both simulators are on the same machine):')
    table(
        ['process', 'user', 'sys', 'CPU s/GiB', 'peak RSS MiB', 'source sim CPU s/GiB', 'target sim CPU s/GiB'],
        [
            row('curl (GET from the source)', 'get', 'get'),
            row('curl -T - (PUT to the target)', 'put'),
            ['both curls', '', '', '%.2f' % (median(r['get'].cpu + r['put'].cpu for r in runs) / gib), '', '', ''],
            row('module', 'module', 'module'),
        ],
    )
    module_cpu = median(r['module'].cpu for r in runs)
    curls = median(r['get'].cpu + r['put'].cpu for r in runs)
    sha1 = median(r['sha1'] for r in runs)
    print('hashing the same bytes: hashlib.sha1 in this process (1 MiB updates, time.process_time): %.2f s/GiB' % (sha1 / gib))
    print('module / (both curls + sha1): %.2f x (%.2f x without its fixed cost)' % (module_cpu / (curls + sha1), (module_cpu - startup.cpu) / (curls + sha1)))
    print(
        'module with a 1 MiB item (its fixed cost: Python, imports, two logins, item, two sessions, logouts): %.2f s process, '
        '%.2f CPU s' % (startup.wall, startup.cpu)
    )
    print()
    written = [r['module'].io['write_bytes'] for r in runs]
    peak = max(r['module'].rss_mib for r in runs)
    print(
        'module process, read from its own /proc/self/io at exit: write_bytes %s (cancelled_write_bytes %s), its stdout file included'
        % (', '.join('%d' % value for value in written), ', '.join('%d' % r['module'].io['cancelled_write_bytes'] for r in runs))
    )
    print(
        'goal, the module writes under 1 MiB to disk for a %d MiB copy: at most %d bytes: %s'
        % (args.size_mib, max(written), verdict(max(written) < WRITE_LIMIT))
    )
    print(
        'goal, module peak RSS under %d MiB: %.1f MiB at most (%.1f MiB with the 1 MiB item): %s'
        % (RSS_LIMIT_MIB, peak, startup.rss_mib, verdict(peak < RSS_LIMIT_MIB))
    )


if __name__ == '__main__':
    sys.exit(main())
