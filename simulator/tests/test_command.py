# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``vsphere-content-simulator run -- CMD`` and ``--env FILE``, run as a user's CI and shell would."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys

import pytest
import requests

from vsphere_content_simulator.launcher import running_simulator, start_simulator, stop_simulator

from .conftest import console_script

SIM_VARS = ("SIM_INFO", "SIM_URL", "SIM_CONTROL_URL", "SIM_CA_CERT")
VMWARE_VARS = ("VMWARE_HOST", "VMWARE_PORT", "VMWARE_USER", "VMWARE_PASSWORD", "VMWARE_CA_PATH", "VMWARE_VALIDATE_CERTS")
# A password that needs quoting in a shell.
AWKWARD_PASSWORD = "it's a $ecret \"quoted\" `tick` \\ ;&"

# Run as CMD: reports what it got, logs in with the VMWARE_* variables alone, exits 7.
PROBE = """
import json, os, sys
import requests
names = sys.argv[1].split(",")
env = {name: os.environ.get(name) for name in names}
info = json.load(open(os.environ["SIM_INFO"]))
mode = os.stat(os.environ["SIM_INFO"]).st_mode & 0o777
login = None
if os.environ.get("VMWARE_CA_PATH"):
    host = os.environ["VMWARE_HOST"]
    url = "https://%s:%s/api/session" % ("[%s]" % host if ":" in host else host, os.environ["VMWARE_PORT"])
    reply = requests.post(url, auth=(os.environ["VMWARE_USER"], os.environ["VMWARE_PASSWORD"]),
                          verify=os.environ["VMWARE_CA_PATH"], timeout=30)
    login = reply.status_code
print(json.dumps({"env": env, "info": info, "info_mode": mode, "login": login}))
sys.exit(7)
"""


def run(args, timeout=90, **kwargs):
    return subprocess.run([console_script(), "run", *args], capture_output=True, text=True, timeout=timeout, check=False, **kwargs)


def stopped(info):
    try:
        requests.get(info["control_url"] + "/stats", verify=info["ca_cert"] or False, timeout=5)
    except (requests.ConnectionError, OSError):
        return True
    return False


def test_run_exports_the_variables_and_returns_the_status():
    names = [*SIM_VARS, *VMWARE_VARS, "KEEP_ME", "REQUESTS_CA_BUNDLE"]
    env = dict(os.environ, KEEP_ME="untouched", REQUESTS_CA_BUNDLE="/nonexistent/bundle.pem")
    result = run(["--flavor", "rest", "--log-level", "warning", "--password", AWKWARD_PASSWORD, "--", sys.executable, "-c", PROBE, ",".join(names)], env=env)
    assert result.returncode == 7, result.stderr
    report = json.loads(result.stdout)
    info, got = report["info"], report["env"]
    assert info["flavor"] == "rest" and info["password"] == AWKWARD_PASSWORD
    assert got["SIM_URL"] == info["url"] and got["SIM_CONTROL_URL"] == info["control_url"]
    assert got["SIM_CA_CERT"] == info["ca_cert"] and info["ca_cert"].endswith(".pem")
    assert report["info_mode"] == 0o600
    assert got["VMWARE_HOST"] == "127.0.0.1" and info["url"] == f"https://127.0.0.1:{got['VMWARE_PORT']}"
    assert (got["VMWARE_USER"], got["VMWARE_PASSWORD"]) == (info["username"], AWKWARD_PASSWORD)
    assert got["VMWARE_CA_PATH"] == info["ca_cert"] and got["VMWARE_VALIDATE_CERTS"] == "true"
    # The rest of the environment is the caller's, unchanged (the CA_PATH wins over the bundle in the modules).
    assert got["KEEP_ME"] == "untouched" and got["REQUESTS_CA_BUNDLE"] == "/nonexistent/bundle.pem"
    # A plain client logged in with those variables alone, verifying the certificate with VMWARE_CA_PATH
    # (the flavour is rest, so /api/session is 404: the TLS handshake and the host name check passed).
    assert report["login"] == 404
    # Afterwards the info file is gone and the simulator is stopped.
    assert not os.path.exists(got["SIM_INFO"])
    assert stopped(info)


def test_run_variables_log_a_plain_client_in():
    result = run(["--flavor", "api", "--log-level", "warning", "--", sys.executable, "-c", PROBE, "VMWARE_HOST"])
    assert result.returncode == 7, result.stderr
    assert json.loads(result.stdout)["login"] == 201


def test_run_over_ipv6():
    result = run(["--host", "::1", "--log-level", "warning", "--", sys.executable, "-c", PROBE, "VMWARE_HOST,SIM_URL"])
    assert result.returncode == 7, result.stderr
    report = json.loads(result.stdout)
    assert report["env"]["VMWARE_HOST"] == "::1" and report["env"]["SIM_URL"].startswith("https://[::1]:")
    assert report["login"] == 201


def test_run_without_tls_exports_no_ca():
    names = "SIM_CA_CERT,VMWARE_CA_PATH,VMWARE_VALIDATE_CERTS,SIM_URL"
    env = {name: value for name, value in os.environ.items() if name != "VMWARE_CA_PATH"}
    result = run(["--no-tls", "--log-level", "warning", "--", sys.executable, "-c", PROBE, names], env=env)
    assert result.returncode == 7, result.stderr
    got = json.loads(result.stdout)["env"]
    assert got["SIM_URL"].startswith("http://") and got["SIM_CA_CERT"] == ""
    assert got["VMWARE_CA_PATH"] is None and got["VMWARE_VALIDATE_CERTS"] == "true"


@pytest.mark.parametrize("argv", [[], ["--flavor", "api"], ["--"]], ids=["nothing", "no-separator", "no-command"])
def test_run_usage_errors(argv):
    result = run(argv, timeout=30)
    assert result.returncode == 2
    assert "usage: vsphere-content-simulator run" in result.stderr


def test_run_help():
    result = run(["--help"], timeout=30)
    assert result.returncode == 0
    assert "usage: vsphere-content-simulator run" in result.stdout and "VMWARE_CA_PATH" in result.stdout
    for text in ("--instances N", "--seed FILE", "--env FILE", "SIM_INSTANCES", "SIM<n>_", "SIM2_VMWARE_HOST"):
        assert text in result.stdout


def test_run_reports_a_missing_command():
    result = run(["--log-level", "warning", "--", "/nonexistent/command"])
    assert result.returncode == 127
    assert "/nonexistent/command" in result.stderr


def test_run_reports_a_simulator_that_cannot_start():
    result = run(["--port", "-5", "--", "true"])
    assert result.returncode == 125


def test_run_reports_a_command_killed_by_a_signal():
    result = run(["--log-level", "warning", "--", sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGUSR1)"])
    assert result.returncode == 128 + signal.SIGUSR1


TERM_HANDLER = """
import json, os, signal, sys, time
def on_term(signum, frame):
    print("got SIGTERM", flush=True)
    sys.exit(3)
signal.signal(signal.SIGTERM, on_term)
print(json.dumps({"control_url": os.environ["SIM_CONTROL_URL"], "ca_cert": os.environ["SIM_CA_CERT"]}), flush=True)
time.sleep(60)
sys.exit(0)
"""


def test_run_passes_sigterm_on_and_stops_the_simulator():
    with subprocess.Popen(
        [console_script(), "run", "--log-level", "warning", "--", sys.executable, "-c", TERM_HANDLER], stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert not stopped(info)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 3
        assert process.stdout.read() == "got SIGTERM\n"
    assert stopped(info)


# -- --env FILE ----------------------------------------------------------------------------------------


def sourced(path):
    """The variables a shell has after ``source FILE``."""
    result = subprocess.run(
        ["bash", "-c", 'set -e; source "$1"; env -0', "bash", str(path)], capture_output=True, check=True, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    )
    pairs = (entry.split("=", 1) for entry in result.stdout.decode().split("\0") if entry)
    return {name: value for name, value in pairs if name.startswith(("SIM", "VMWARE_"))}


def test_env_file_is_written_before_the_json_line(tmp_path):
    env_file = tmp_path / "sim.env"
    env_file.write_text("stale, and world-readable\n")
    env_file.chmod(0o644)
    process, info = start_simulator(["--log-level", "warning", "--password", AWKWARD_PASSWORD, "--env", str(env_file)])
    try:
        # start_simulator returned on the JSON line: the file is complete by then.
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        assert all(line.startswith("export ") for line in env_file.read_text().splitlines())
        got = sourced(env_file)
        assert set(got) == {*SIM_VARS, *VMWARE_VARS}
        assert (got["SIM_URL"], got["SIM_CONTROL_URL"], got["SIM_CA_CERT"]) == (info["url"], info["control_url"], info["ca_cert"])
        assert stat.S_IMODE(os.stat(got["SIM_INFO"]).st_mode) == 0o600
        with open(got["SIM_INFO"], encoding="utf-8") as handle:
            assert json.load(handle) == info
        assert got["VMWARE_HOST"] == "127.0.0.1" and info["url"] == f"https://127.0.0.1:{got['VMWARE_PORT']}"
        assert (got["VMWARE_USER"], got["VMWARE_PASSWORD"]) == (info["username"], AWKWARD_PASSWORD)
        assert got["VMWARE_CA_PATH"] == info["ca_cert"] and got["VMWARE_VALIDATE_CERTS"] == "true"
        # A plain client with nothing but those values logs in, verifying the certificate with VMWARE_CA_PATH.
        url = f"https://{got['VMWARE_HOST']}:{got['VMWARE_PORT']}"
        reply = requests.post(url + "/api/session", auth=(got["VMWARE_USER"], got["VMWARE_PASSWORD"]), verify=got["VMWARE_CA_PATH"], timeout=30)
        assert reply.status_code == 201, reply.text
        token = reply.json()
        assert requests.delete(url + "/api/session", headers={"vmware-api-session-id": token}, verify=got["VMWARE_CA_PATH"], timeout=30).status_code == 204
    finally:
        assert stop_simulator(process) == 0
    # SIM_INFO lived in the simulator's temporary directory, removed at exit.
    assert not os.path.exists(got["SIM_INFO"])


def test_env_file_without_tls(tmp_path):
    env_file = tmp_path / "sim.env"
    with running_simulator(["--no-tls", "--log-level", "warning", "--env", str(env_file)]) as info:
        got = sourced(env_file)
    assert got["SIM_URL"] == info["url"] and got["SIM_CA_CERT"] == ""
    assert "VMWARE_CA_PATH" not in got and got["VMWARE_VALIDATE_CERTS"] == "true"


def test_env_file_that_cannot_be_written(tmp_path):
    result = subprocess.run(
        [console_script(), "--log-level", "warning", "--env", str(tmp_path / "missing" / "sim.env")], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "--env" in result.stderr
