# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start the simulator as a subprocess and read its JSON line: for tests, scripts and ``vsphere-content-simulator run``.

The subprocess is ``python -m vsphere_content_simulator`` with the current interpreter (or
``python=``), so it runs the installed package, whatever the current directory.
"""

from __future__ import annotations

import contextlib
import json
import selectors
import signal
import subprocess
import sys
import time
from typing import Any, Iterator, Sequence

MODULE = "vsphere_content_simulator"


class SimulatorError(RuntimeError):
    """The simulator did not start."""


def simulator_command(python: str | None = None) -> list[str]:
    """The command line that starts the simulator with ``python`` (default: this interpreter)."""
    return [python or sys.executable, "-m", MODULE]


def start_simulator(
    args: Sequence[str] = (), *, timeout: float = 30.0, stderr: Any = None, python: str | None = None
) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """Run ``python -m vsphere_content_simulator --exit-with-parent ARGS`` and wait for its JSON line.

    Returns (process, info). ``python`` is the interpreter to run it with (default: this one;
    the package must be installed there). ``stderr`` is passed to Popen (default: inherited).
    The caller stops the process with stop_simulator().
    """
    return start_simulators([args], timeout=timeout, stderr=stderr, python=python)[0]


def start_simulators(
    arg_lists: Sequence[Sequence[str]], *, timeout: float = 30.0, stderr: Any = None, python: str | None = None
) -> list[tuple[subprocess.Popen[str], dict[str, Any]]]:
    """Start one simulator per list of ARGS, side by side, and wait for every JSON line (``timeout`` in all).

    Returns [(process, info), ...] in the order of ``arg_lists``; if one does not start, the others
    are stopped and SimulatorError says which one (numbered from 1) and why.
    """
    processes: list[subprocess.Popen[str]] = []
    try:
        for args in arg_lists:
            command = [*simulator_command(python), "--exit-with-parent", *args]
            # pylint: disable-next=consider-using-with
            processes.append(subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, text=True))
        deadline = time.monotonic() + timeout
        started = []
        for number, process in enumerate(processes, 1):
            which = "the simulator" if len(processes) == 1 else f"simulator {number}"
            line = _read_line(process, deadline, f"{which} printed nothing within {timeout} seconds")
            if not line:
                code = process.wait(timeout=5)
                raise SimulatorError(f"{which} exited with status {code} before it printed its JSON line")
            started.append((process, json.loads(line)))
        return started
    except BaseException:
        for process in processes:
            stop_simulator(process)
        raise


def _read_line(process: subprocess.Popen[str], deadline: float, late: str) -> str:
    stdout = process.stdout
    if stdout is None:
        raise ValueError("the simulator's stdout must be a pipe (stdout=subprocess.PIPE)")
    with selectors.DefaultSelector() as selector:
        selector.register(stdout, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SimulatorError(late)
            if selector.select(remaining):
                return stdout.readline()


def stop_simulator(process: subprocess.Popen[Any], timeout: float = 15.0) -> int:
    """SIGTERM, wait, and SIGKILL if it does not stop; returns the exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()
    return process.returncode


@contextlib.contextmanager
def running_simulator(args: Sequence[str] = (), **kwargs: Any) -> Iterator[dict[str, Any]]:
    """``with running_simulator(["--flavor", "rest"]) as info:`` yields the JSON line as a dict."""
    process, info = start_simulator(args, **kwargs)
    info = dict(info, pid=process.pid)
    try:
        yield info
    finally:
        stop_simulator(process)
