# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command against a simulator started for it.

    vsphere-content-simulator run [SIMULATOR OPTIONS...] -- CMD [ARGS...]

starts the simulator, writes its JSON line to a private temporary file, runs CMD with
SIM_INFO (that file), SIM_URL, SIM_CONTROL_URL, SIM_CA_CERT and the VMWARE_* connection
variables of the collection's modules added to its environment, stops the simulator and
exits with CMD's exit status.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile

from vsphere_content_simulator.exports import exported_variables
from vsphere_content_simulator.launcher import SimulatorError, start_simulator, stop_simulator

USAGE = "usage: vsphere-content-simulator run [SIMULATOR OPTIONS...] -- CMD [ARGS...]"
HELP = f"""{USAGE}

Starts a simulator with SIMULATOR OPTIONS (those of vsphere-content-simulator --help), runs
CMD with these variables added to its environment, stops the simulator and exits with CMD's
exit status:

  SIM_INFO, SIM_URL, SIM_CONTROL_URL, SIM_CA_CERT
      the simulator's JSON line (in a file readable by its owner only), url, control_url, ca_cert
  VMWARE_HOST, VMWARE_PORT, VMWARE_USER, VMWARE_PASSWORD, VMWARE_CA_PATH, VMWARE_VALIDATE_CERTS
      the connection of the vsphere.content_library modules (no VMWARE_CA_PATH with --no-tls)

Exit status: CMD's; 2 on a usage error, 125 if the simulator does not start, 127 if CMD cannot
be run, 128+N if CMD is killed by signal N. A SIGTERM is passed on to CMD.
"""


def _terminated(signum: int, frame: object) -> None:
    """A SIGTERM before CMD runs: unwind, so that the simulator is stopped too."""
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _terminated)
    if argv[:1] in (["-h"], ["--help"]):
        print(HELP, end="")
        return 0
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        print(USAGE, file=sys.stderr)
        return 2
    split = argv.index("--")
    simulator_args, command = argv[:split], argv[split + 1:]
    try:
        process, info = start_simulator(simulator_args)
    except SimulatorError as exc:
        print(f"vsphere-content-simulator run: {exc}", file=sys.stderr)
        return 125
    handle, info_path = tempfile.mkstemp(prefix="sim-info-", suffix=".json")
    try:
        # The file holds the password: mkstemp makes it readable by its owner only.
        with os.fdopen(handle, "w") as info_file:
            json.dump(info, info_file)
        env = dict(os.environ, **exported_variables(info, info_path))
        return _run(command, env)
    finally:
        stop_simulator(process)
        os.unlink(info_path)


def _run(command: list[str], env: dict[str, str]) -> int:
    try:
        child = subprocess.Popen(command, env=env)  # pylint: disable=consider-using-with
    except OSError as exc:
        print(f"vsphere-content-simulator run: cannot run {command[0]}: {exc}", file=sys.stderr)
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
