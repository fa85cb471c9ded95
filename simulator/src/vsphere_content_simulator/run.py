# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command against simulators started for it.

    vsphere-content-simulator run [--instances N] [--seed FILE]... [SIMULATOR OPTIONS...] -- CMD [ARGS...]

starts the simulators, writes each JSON line to a private temporary file, runs CMD with the
SIM_* and VMWARE_* variables of exports.instance_variables() added to its environment, stops the
simulators and exits with CMD's exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from typing import NoReturn

from vsphere_content_simulator import seed
from vsphere_content_simulator.exports import instance_variables, shell_exports, write_private
from vsphere_content_simulator.launcher import SimulatorError, start_simulators, stop_simulator

PROG = "vsphere-content-simulator run"
USAGE = f"usage: {PROG} [--instances N] [--seed FILE]... [SIMULATOR OPTIONS...] -- CMD [ARGS...]"
HELP = f"""{USAGE}

Starts simulators with SIMULATOR OPTIONS (those of vsphere-content-simulator --help), runs CMD
with these variables added to its environment, stops the simulators and exits with CMD's exit
status:

  SIM_INFO, SIM_URL, SIM_CONTROL_URL, SIM_CA_CERT
      the simulator's JSON line (in a file readable by its owner only), url, control_url, ca_cert
  VMWARE_HOST, VMWARE_PORT, VMWARE_USER, VMWARE_PASSWORD, VMWARE_CA_PATH, VMWARE_VALIDATE_CERTS
      the connection of the vsphere.content_library modules (no VMWARE_CA_PATH with --no-tls)
  SIM_INSTANCES
      the number of simulators; each one's variables are also exported with the prefix SIM<n>_
      (SIM2_URL, SIM2_VMWARE_HOST, ...); the unprefixed ones are simulator 1's

  --instances N   start N simulators side by side, each with its own port, CA, password and ids
                  (default: 1, or the number of --seed options)
  --seed FILE     the seed file of a simulator: give it once (every simulator gets it) or once per
                  simulator, in order; --seed a.yml --seed b.yml alone starts two simulators
  --env FILE      write FILE (mode 0600) with the export lines of all these variables before CMD runs

Exit status: CMD's; 2 on a usage error or a bad seed file, 125 if a simulator does not start, 127
if CMD cannot be run, 128+N if CMD is killed by signal N. A SIGTERM is passed on to CMD.
"""
# A simulator with seeded files stores and hashes them before it prints its JSON line.
START_TIMEOUT = 300.0
INSTANCE_VARIABLE = re.compile(r"SIM\d+_")


class UsageError(Exception):
    """A mistake in run's own options."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _options() -> _Parser:
    """run's own options; every other one is passed to each simulator as given."""
    parser = _Parser(prog=PROG, add_help=False, allow_abbrev=False)
    parser.add_argument("--instances", type=int, default=None)
    parser.add_argument("--seed", action="append", default=[])
    parser.add_argument("--no-default-seed", action="store_true")
    parser.add_argument("--env", default=None)
    parser.add_argument("--port", default=None)
    return parser


def _terminated(signum: int, frame: object) -> None:
    """A SIGTERM before CMD runs: unwind, so that the simulators are stopped too."""
    raise SystemExit(128 + signum)


def simulator_arg_lists(argv: list[str]) -> tuple[list[list[str]], str | None]:
    """The arguments of each simulator, and the --env FILE; UsageError or seed.SeedError if they are wrong."""
    options, passed = _options().parse_known_args(argv)
    seeds = options.seed
    count = options.instances if options.instances is not None else max(1, len(seeds))
    if count < 1:
        raise UsageError("--instances must be at least 1")
    if len(seeds) not in (0, 1, count):
        raise UsageError(f"--seed is given {len(seeds)} times for {count} instances: give it once (for every instance) or once per instance")
    if options.port not in (None, "0") and count > 1:
        raise UsageError(f"--port {options.port} with {count} instances: they need a port each; leave --port out")
    for path in dict.fromkeys(seeds):
        seed.load(path, default_seed=not options.no_default_seed)
    arg_lists = []
    for number in range(count):
        args = list(passed)
        if options.port is not None:
            args += ["--port", options.port]
        if options.no_default_seed:
            args.append("--no-default-seed")
        if seeds:
            args += ["--seed", seeds[number if len(seeds) > 1 else 0]]
        arg_lists.append(args)
    return arg_lists, options.env


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _terminated)
    if argv[:1] in (["-h"], ["--help"]):
        print(HELP, end="")
        return 0
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        print(USAGE, file=sys.stderr)
        return 2
    split = argv.index("--")
    command = argv[split + 1 :]
    try:
        arg_lists, env_file = simulator_arg_lists(argv[:split])
    except UsageError as exc:
        print(f"{PROG}: {exc}\n{USAGE}", file=sys.stderr)
        return 2
    except seed.SeedError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    try:
        started = start_simulators(arg_lists, timeout=START_TIMEOUT)
    except SimulatorError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 125
    info_paths: list[str] = []
    try:
        for number, (_process, info) in enumerate(started, 1):
            # The file holds the password: mkstemp makes it readable by its owner only.
            handle, info_path = tempfile.mkstemp(prefix=f"sim{number}-info-", suffix=".json")
            info_paths.append(info_path)
            with os.fdopen(handle, "w") as info_file:
                json.dump(info, info_file)
        variables = instance_variables([(info, path) for (_process, info), path in zip(started, info_paths)])
        if env_file is not None:
            try:
                _write_env_file(env_file, variables)
            except OSError as exc:
                print(f"{PROG}: cannot write --env {env_file}: {exc.strerror}", file=sys.stderr)
                return 125
        # Variables of other instances left in the caller's environment (a run inside a run) would mislead.
        env = {name: value for name, value in os.environ.items() if not INSTANCE_VARIABLE.match(name) and name != "SIM_INSTANCES"}
        return _run(command, dict(env, **variables))
    finally:
        for process, _info in started:
            stop_simulator(process)
        for info_path in info_paths:
            os.unlink(info_path)


def _write_env_file(path: str, variables: dict[str, str]) -> None:
    """Complete or absent: written beside FILE, then renamed, so that a script waiting for it reads it whole."""
    partial = f"{path}.{os.getpid()}.partial"
    try:
        write_private(partial, shell_exports(variables))
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def _run(command: list[str], env: dict[str, str]) -> int:
    try:
        child = subprocess.Popen(command, env=env)  # pylint: disable=consider-using-with
    except OSError as exc:
        print(f"{PROG}: cannot run {command[0]}: {exc}", file=sys.stderr)
        return 127
    # Pass a SIGTERM on to the command; Ctrl-C already reaches it through the terminal.
    previous_term = signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signum))
    previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        code = child.wait()
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)
    return 128 - code if code < 0 else code
