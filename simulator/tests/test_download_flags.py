# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The download flags: refused when wrong, listed by --help, shown and changeable in /_sim/settings."""

from __future__ import annotations

import subprocess

import pytest
import requests

from vsphere_content_simulator.launcher import running_simulator
from .conftest import console_script
from .vapi import Control

FLAGS = ("--download-session-timeout", "--prepare-latency", "--copy-latency", "--download-rate-limit", "--download-host", "--discard-content", "--keep-content")


@pytest.mark.parametrize(
    "flag,value",
    [
        ("--download-session-timeout", "0"),
        ("--download-session-timeout", "soon"),
        ("--prepare-latency", "-1"),
        ("--copy-latency", "nan"),
        ("--download-rate-limit", "-5"),
        ("--download-host", "elsewhere"),
    ],
)
def test_bad_values_are_refused(flag, value):
    result = subprocess.run([console_script(), flag, value], capture_output=True, text=True, timeout=30, check=False)
    assert (result.returncode, result.stdout) == (2, "")
    assert flag in result.stderr


def test_help_lists_the_download_flags():
    result = subprocess.run([console_script(), "--help"], capture_output=True, text=True, timeout=30, check=True)
    for flag in FLAGS:
        assert flag in result.stdout


def test_flags_become_the_settings():
    args = ["--log-level", "warning", "--prepare-latency", "1.5", "--copy-latency", "0", "--download-rate-limit", "1000", "--download-host", "other"]
    with running_simulator(args) as info:
        assert info["other_host"]["https_url"].startswith("https://127.0.0.")
        settings = Control(info).settings()
        assert (settings["prepare_latency"], settings["copy_latency"], settings["download_rate_limit"], settings["download_host"]) == (1.5, 0, 1000, "other")


@pytest.mark.parametrize(
    "body",
    [
        {"download_rate_limit": -1},
        {"download_rate_limit": 1.5},
        {"download_host": "elsewhere"},
        {"prepare_latency": -0.1},
        {"prepare_latency": "1"},
        {"copy_latency": 3601},
        {"copy_latency": True},
    ],
)
def test_bad_settings_are_refused(control, body):
    before = control.settings()
    response = requests.patch(control.base + "/settings", json=body, verify=control.verify, timeout=10)
    assert response.status_code == 400
    assert next(iter(body)) in response.json()["error"]
    assert control.settings() == before
