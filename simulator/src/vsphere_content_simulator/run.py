# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command against a simulator started for it.

    python tests/simulator/with_simulator.py [SIMULATOR ARGS...] -- CMD [ARGS...]

starts the simulator, writes its JSON line to a private temporary file, runs
CMD with SIM_INFO (that file), SIM_URL, SIM_CONTROL_URL and SIM_CA_CERT in its
environment, stops the simulator and exits with CMD's exit status.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable-next=wrong-import-position
from simulator.launcher import SimulatorError, start_simulator, stop_simulator  # noqa: E402

USAGE = "usage: python tests/simulator/with_simulator.py [SIMULATOR ARGS...] -- CMD [ARGS...]"


def _terminated(signum: int, frame: object) -> None:
    """A SIGTERM before CMD runs: unwind, so that the simulator is stopped too."""
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _terminated)
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        print(USAGE, file=sys.stderr)
        return 2
    split = argv.index("--")
    simulator_args, command = argv[:split], argv[split + 1:]
    try:
        process, info = start_simulator(simulator_args)
    except SimulatorError as exc:
        print(f"with_simulator: {exc}", file=sys.stderr)
        return 125
    handle, info_path = tempfile.mkstemp(prefix="sim-info-", suffix=".json")
    try:
        # The file holds the password: mkstemp makes it readable by its owner only.
        with os.fdopen(handle, "w") as info_file:
            json.dump(info, info_file)
        env = dict(os.environ, SIM_INFO=info_path, SIM_URL=info["url"], SIM_CONTROL_URL=info["control_url"],
                   SIM_CA_CERT=info["ca_cert"] or "")
        return _run(command, env)
    finally:
        stop_simulator(process)
        os.unlink(info_path)


def _run(command: list[str], env: dict[str, str]) -> int:
    try:
        child = subprocess.Popen(command, env=env)  # pylint: disable=consider-using-with
    except OSError as exc:
        print(f"with_simulator: cannot run {command[0]}: {exc}", file=sys.stderr)
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
