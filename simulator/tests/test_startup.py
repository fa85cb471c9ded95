# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start-up, the JSON line, TLS, seeds, signals, and no secret in the logs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests

from vsphere_content_simulator.launcher import simulator_command, start_simulator, stop_simulator

from .conftest import console_script
from .vapi import Client

KEYS = {"url", "username", "password", "ca_cert", "flavor", "control_url", "libraries", "items"}


def test_json_line_and_seeds(sim):
    assert set(sim) - {"pid"} == KEYS
    assert sim["url"].startswith("https://127.0.0.1:")
    assert sim["control_url"] == sim["url"] + "/_sim"
    assert sim["username"] == "administrator@vsphere.local"
    assert len(sim["password"]) >= 16
    assert sim["flavor"] == "both"
    assert {name: lib["type"] for name, lib in sim["libraries"].items()} == {"local-lib": "LOCAL", "subscribed-lib": "SUBSCRIBED"}
    local, subscribed = sim["libraries"]["local-lib"]["id"], sim["libraries"]["subscribed-lib"]["id"]
    assert {name: (item["library_id"], item["type"]) for name, item in sim["items"].items()} == {
        "empty-iso": (local, "iso"),
        "empty-ovf": (local, "ovf"),
        "subscribed-item": (subscribed, "ovf"),
    }
    for entry in list(sim["libraries"].values()) + list(sim["items"].values()):
        assert uuid.UUID(entry["id"])
    with open(sim["ca_cert"], encoding="ascii") as handle:
        assert handle.read().startswith("-----BEGIN CERTIFICATE-----")


def test_seeded_content_is_served(client, sim):
    assert {lib["id"] for lib in sim["libraries"].values()} <= set(client.list_libraries().value)
    for name, seeded in sim["items"].items():
        item = client.get_item(seeded["id"]).value
        assert (item["name"], item["library_id"], item["type"]) == (name, seeded["library_id"], seeded["type"])
    assert isinstance(client.list_item_files(sim["items"]["empty-iso"]["id"]).value, list)


def test_certificate_covers_localhost(sim):
    url = sim["url"].replace("127.0.0.1", "localhost")
    assert requests.get(url + "/_sim/stats", verify=sim["ca_cert"], timeout=10).status_code == 200


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_exits_zero_on_signals_and_cleans_up(signum):
    process, info = start_simulator(["--log-level", "warning"])
    try:
        ca_dir = os.path.dirname(info["ca_cert"])
        assert os.path.isdir(ca_dir)
        process.send_signal(signum)
        assert process.wait(timeout=15) == 0
        # Exactly one line on stdout, ever.
        assert process.stdout is not None
        assert process.stdout.read() == ""
        assert not os.path.exists(ca_dir)
    finally:
        stop_simulator(process)


def test_no_tls_and_given_credentials():
    process, info = start_simulator(["--no-tls", "--username", "alice", "--password", "s3cret", "--log-level", "warning"])
    try:
        assert info["url"].startswith("http://") and info["ca_cert"] is None
        assert (info["username"], info["password"]) == ("alice", "s3cret")
        client = Client(info, "api")
        assert client.login().ok
        assert client.session_info().value["user"] == "alice"
        # A fresh simulator's seeded items are empty.
        for name in ("empty-iso", "empty-ovf", "subscribed-item"):
            assert client.list_item_files(info["items"][name]["id"]).value == []
    finally:
        assert stop_simulator(process) == 0


def test_random_passwords_differ(sim):
    process, info = start_simulator(["--log-level", "warning"])
    try:
        assert info["password"] != sim["password"]
    finally:
        stop_simulator(process)


def test_no_secret_in_the_logs(tmp_path):
    log_path = tmp_path / "stderr"
    with open(log_path, "w", encoding="utf-8") as stderr:
        process, info = start_simulator(["--log-level", "debug"], stderr=stderr)
        try:
            tokens = []
            for flavor in ("api", "rest"):
                client = Client(info, flavor)
                assert client.login().ok
                tokens.append(client.token)
                client.list_libraries()
                client.logout()
                Client(info, flavor).login(password=info["password"] + "-wrong")
        finally:
            assert stop_simulator(process) == 0
    logged = log_path.read_text(encoding="utf-8")
    assert "GET /api/content/library -> 200" in logged
    for secret in [info["password"], *tokens]:
        assert secret not in logged


ORPHANING_PARENT = """
import time
from vsphere_content_simulator.launcher import start_simulator
process, info = start_simulator(["--log-level", "error"])
print(process.pid, flush=True)
time.sleep(60)
"""


def alive(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return "zombie" not in status.read()
    except FileNotFoundError:
        return False


def test_simulator_stops_when_its_launcher_is_killed():
    with subprocess.Popen([sys.executable, "-c", ORPHANING_PARENT], stdout=subprocess.PIPE, text=True) as parent:
        assert parent.stdout is not None
        simulator_pid = int(parent.stdout.readline())
        assert alive(simulator_pid)
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while alive(simulator_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(simulator_pid)


def test_port_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([console_script(), "--port", str(port)], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode != 0
    assert result.stdout == ""
    assert str(port) in result.stderr


def test_bad_arguments():
    result = subprocess.run([console_script(), "--flavor", "soap"], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert "soap" in result.stderr


@pytest.mark.parametrize("how", ["console script", "python -m"])
def test_help_lists_every_flag(how):
    command = [console_script()] if how == "console script" else simulator_command()
    result = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=30, check=True)
    assert result.stdout.startswith("usage: vsphere-content-simulator ")
    for flag in (
        "--host",
        "--port",
        "--no-tls",
        "--flavor",
        "--session-ttl",
        "--max-sessions",
        "--update-session-timeout",
        "--terminal-session-retention",
        "--latency-ms",
        "--username",
        "--password",
        "--extra-user",
        "--log-level",
        "--exit-with-parent",
        "--env",
        "--seed",
        "--no-default-seed",
        "--keep-content",
        "--other-host",
        "--upload-host",
        "--upload-rate-limit",
    ):
        assert flag in result.stdout
    assert "vsphere-content-simulator run [OPTIONS...] -- CMD" in " ".join(result.stdout.split())
