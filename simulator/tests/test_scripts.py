# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""with_simulator.py and bench_upload.py, run as the Makefile and a developer would."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import requests

from simulator.launcher import SIMULATOR_DIR

WITH_SIMULATOR = os.path.join(SIMULATOR_DIR, "with_simulator.py")
PROBE = """
import json, os, sys
info = json.load(open(os.environ["SIM_INFO"]))
assert info["url"] == os.environ["SIM_URL"] and info["control_url"] == os.environ["SIM_CONTROL_URL"]
assert info["ca_cert"] == os.environ["SIM_CA_CERT"] and os.path.isfile(info["ca_cert"])
print(json.dumps({"info_path": os.environ["SIM_INFO"], "info": info}))
sys.exit(7)
"""


def test_with_simulator_runs_the_command_and_returns_its_status():
    result = subprocess.run([sys.executable, WITH_SIMULATOR, "--flavor", "rest", "--log-level", "warning", "--",
                             sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 7, result.stderr
    report = json.loads(result.stdout)
    assert report["info"]["flavor"] == "rest"
    # Afterwards the info file is gone and the simulator is stopped.
    assert not os.path.exists(report["info_path"])
    try:
        requests.get(report["info"]["control_url"] + "/stats", verify=report["info"]["ca_cert"], timeout=5)
        stopped = False
    except (requests.ConnectionError, OSError):
        stopped = True
    assert stopped


def test_with_simulator_usage_errors():
    for argv in ([], ["--flavor", "api"], ["--"]):
        result = subprocess.run([sys.executable, WITH_SIMULATOR, *argv], capture_output=True, text=True, timeout=30, check=False)
        assert result.returncode == 2
        assert "usage" in result.stderr


def test_with_simulator_reports_a_missing_command():
    result = subprocess.run([sys.executable, WITH_SIMULATOR, "--log-level", "warning", "--", "/nonexistent/command"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 127
    assert "/nonexistent/command" in result.stderr


def test_with_simulator_reports_a_simulator_that_cannot_start():
    result = subprocess.run([sys.executable, WITH_SIMULATOR, "--port", "-5", "--", "true"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 125


def test_bench_upload_smoke():
    """A small run, to keep the script working; the real figures come from a 1 GiB run by hand."""
    result = subprocess.run([sys.executable, os.path.join(SIMULATOR_DIR, "bench_upload.py"), "--size", "8M", "--runs", "1",
                             "--checksum", "SHA256"], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "simulator 8388608 bytes in" in result.stdout and "SHA256 verified" in result.stdout
    assert "bare TLS sink" in result.stdout and "simulator/sink ratio: median" in result.stdout
    assert "peak RSS (VmHWM)" in result.stdout
