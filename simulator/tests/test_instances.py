# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``run --instances N`` and one ``--seed`` per instance: several vCenters side by side, each under its prefix."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
import requests

from vsphere_content_simulator.launcher import SimulatorError, start_simulators

from .test_command import run, sourced, stopped

VARIABLES = ("INFO", "URL", "CONTROL_URL", "CA_CERT", "VMWARE_HOST", "VMWARE_PORT", "VMWARE_USER", "VMWARE_PASSWORD", "VMWARE_CA_PATH", "VMWARE_VALIDATE_CERTS")

# Run as CMD: every SIM*/VMWARE_* variable, each simulator's JSON line, and a login to each with its own
# SIM<n>_VMWARE_* variables (its CA verified), plus one with the other simulator's CA, which must fail.
PROBE = """
import json, os, sys
import requests
env = {name: value for name, value in os.environ.items() if name.startswith(("SIM", "VMWARE_"))}
count = int(os.environ["SIM_INSTANCES"])
infos, logins = [], []
for n in range(1, count + 1):
    infos.append(json.load(open(os.environ["SIM%d_INFO" % n])))
    url = "https://%s:%s/api/session" % (os.environ["SIM%d_VMWARE_HOST" % n], os.environ["SIM%d_VMWARE_PORT" % n])
    auth = (os.environ["SIM%d_VMWARE_USER" % n], os.environ["SIM%d_VMWARE_PASSWORD" % n])
    logins.append(requests.post(url, auth=auth, verify=os.environ["SIM%d_VMWARE_CA_PATH" % n], timeout=30).status_code)
crossed = None
if count > 1:
    url = "https://%s:%s/api/session" % (os.environ["SIM2_VMWARE_HOST"], os.environ["SIM2_VMWARE_PORT"])
    try:
        requests.post(url, verify=os.environ["SIM1_VMWARE_CA_PATH"], timeout=30)
        crossed = "trusted"
    except requests.exceptions.SSLError:
        crossed = "refused"
print(json.dumps({"env": env, "infos": infos, "logins": logins, "crossed": crossed}))
"""


def probe(*args, env=None):
    result = run([*args, "--log-level", "warning", "--", sys.executable, "-c", PROBE], env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_two_instances_each_with_its_own_port_ca_password_and_ids():
    # A variable of a third simulator, left by an outer run, must not reach CMD.
    report = probe("--instances", "2", env=dict(os.environ, SIM3_URL="https://stale.invalid"))
    env, (first, second) = report["env"], report["infos"]
    assert env["SIM_INSTANCES"] == "2" and "SIM3_URL" not in env
    for number, info in ((1, first), (2, second)):
        assert env[f"SIM{number}_URL"] == info["url"] and env[f"SIM{number}_CONTROL_URL"] == info["control_url"]
        assert env[f"SIM{number}_CA_CERT"] == env[f"SIM{number}_VMWARE_CA_PATH"] == info["ca_cert"]
        assert info["url"] == f"https://{env[f'SIM{number}_VMWARE_HOST']}:{env[f'SIM{number}_VMWARE_PORT']}"
        assert (env[f"SIM{number}_VMWARE_USER"], env[f"SIM{number}_VMWARE_PASSWORD"]) == (info["username"], info["password"])
        assert env[f"SIM{number}_VMWARE_VALIDATE_CERTS"] == "true"
    # The unprefixed variables are the first simulator's.
    for name in VARIABLES:
        unprefixed = name if name.startswith("VMWARE_") else "SIM_" + name
        assert env[unprefixed] == env["SIM1_" + name], name
    assert first["url"] != second["url"] and first["ca_cert"] != second["ca_cert"]
    assert first["password"] != second["password"]
    assert first["items"]["empty-iso"]["id"] != second["items"]["empty-iso"]["id"]
    # Each one logs in with its own variables, and trusts only its own CA.
    assert report["logins"] == [201, 201]
    assert report["crossed"] == "refused"
    assert stopped(first) and stopped(second)


def test_one_seed_per_instance(tmp_path):
    (tmp_path / "a.yml").write_text("libraries:\n  - name: site-a\n")
    (tmp_path / "b.yml").write_text("libraries:\n  - name: site-b\nitems:\n  - {name: only-in-b, library: site-b}\n")
    report = probe("--seed", str(tmp_path / "a.yml"), "--seed", str(tmp_path / "b.yml"), "--no-default-seed")
    first, second = report["infos"]
    assert report["env"]["SIM_INSTANCES"] == "2" and report["logins"] == [201, 201]
    assert (list(first["libraries"]), first["items"]) == (["site-a"], {})
    assert (list(second["libraries"]), list(second["items"])) == (["site-b"], ["only-in-b"])


def test_one_seed_for_every_instance(tmp_path):
    (tmp_path / "a.yml").write_text("libraries:\n  - name: shared\n")
    report = probe("--instances", "3", "--seed", str(tmp_path / "a.yml"))
    assert report["env"]["SIM_INSTANCES"] == "3" and report["logins"] == [201, 201, 201]
    ids = {info["libraries"]["shared"]["id"] for info in report["infos"]}
    assert len(ids) == 3
    assert len({report["env"][f"SIM{n}_VMWARE_PORT"] for n in (1, 2, 3)}) == 3


def test_one_instance_also_has_the_prefixed_variables():
    report = probe()
    env = report["env"]
    assert env["SIM_INSTANCES"] == "1" and env["SIM1_VMWARE_PORT"] == env["VMWARE_PORT"]
    assert not any(name.startswith("SIM2_") for name in env)


def test_env_file_with_several_instances(tmp_path):
    env_file = tmp_path / "sims.env"
    result = run(
        [
            "--instances",
            "2",
            "--log-level",
            "warning",
            "--env",
            str(env_file),
            "--",
            sys.executable,
            "-c",
            "import json, os; print(json.dumps(dict(os.environ)))",
        ]
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    got = sourced(env_file)
    expected = {
        "SIM_INSTANCES",
        "SIM_INFO",
        "SIM_URL",
        "SIM_CONTROL_URL",
        "SIM_CA_CERT",
        "VMWARE_HOST",
        "VMWARE_PORT",
        "VMWARE_USER",
        "VMWARE_PASSWORD",
        "VMWARE_CA_PATH",
        "VMWARE_VALIDATE_CERTS",
    }
    expected |= {f"SIM{n}_{name}" for n in (1, 2) for name in VARIABLES}
    assert set(got) == expected
    # The file says what CMD got.
    assert all(seen[name] == value for name, value in got.items())
    assert not (tmp_path / "sims.env.partial").exists() and os.listdir(tmp_path) == ["sims.env"]


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--instances", "3", "--seed", "a.yml", "--seed", "b.yml"],
            "--seed is given 2 times for 3 instances: give it once (for every instance) or once per instance",
        ),
        (["--instances", "2", "--port", "8443"], "--port 8443 with 2 instances: they need a port each; leave --port out"),
        (["--instances", "0"], "--instances must be at least 1"),
        (["--instances", "two"], "argument --instances: invalid int value: 'two'"),
    ],
    ids=["seed-count", "port", "zero", "not-a-number"],
)
def test_usage_errors(tmp_path, args, message):
    marker = tmp_path / "ran"
    result = run([*args, "--", "touch", str(marker)], timeout=30)
    assert result.returncode == 2
    assert message in result.stderr and "usage: vsphere-content-simulator run" in result.stderr
    assert not marker.exists()


def test_a_bad_seed_stops_run_before_anything_starts(tmp_path):
    (tmp_path / "good.yml").write_text("libraries:\n  - name: fine\n")
    (tmp_path / "bad.yml").write_text("libraries:\n  - name: fine\n    type: PUBLIC\n")
    marker = tmp_path / "ran"
    result = run(["--seed", str(tmp_path / "good.yml"), "--seed", str(tmp_path / "bad.yml"), "--", "touch", str(marker)], timeout=30)
    assert result.returncode == 2
    assert result.stderr == (f"vsphere-content-simulator run: {tmp_path}/bad.yml:3: libraries[0].type: must be LOCAL or SUBSCRIBED, not PUBLIC\n")
    assert not marker.exists()


def test_when_one_instance_does_not_start_the_others_are_stopped(tmp_path):
    """start_simulators leaves nothing running: the first one's port no longer answers."""
    env_file = tmp_path / "first.env"
    with pytest.raises(SimulatorError, match="simulator 2 exited with status 2 before it printed its JSON line"):
        start_simulators([["--log-level", "warning", "--env", str(env_file)], ["--flavor", "soap"]], stderr=subprocess.DEVNULL)
    url = sourced(env_file)["SIM_URL"]
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/_sim/stats", verify=False, timeout=5)
