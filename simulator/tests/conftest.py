# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: simulators started as subprocesses over real HTTPS, and clients for both flavours."""

from __future__ import annotations

import os
import shutil
import sysconfig
import uuid
from typing import Any, Iterator

import pytest

from vsphere_content_simulator.launcher import running_simulator

from .spec import SpecValidator
from .vapi import Client, Control

OTHER_USER = ("other@vsphere.local", "other-secret")
FLAVORS = ("api", "rest")
COMMAND = "vsphere-content-simulator"


def console_script() -> str:
    """The installed ``vsphere-content-simulator`` command: beside this interpreter (a venv's bin), else on PATH."""
    path = os.path.join(sysconfig.get_path("scripts"), COMMAND)
    if os.access(path, os.X_OK):
        return path
    found = shutil.which(COMMAND)
    assert found, f"{COMMAND} is not installed: python -m pip install ./simulator"
    return found


@pytest.fixture(scope="session", name="validator")
def fixture_validator() -> SpecValidator:
    return SpecValidator.load()


@pytest.fixture(scope="session", name="sim")
def fixture_sim() -> Iterator[dict[str, Any]]:
    """The shared simulator, both flavours, with a second user."""
    with running_simulator(["--log-level", "warning", "--extra-user", ":".join(OTHER_USER)]) as info:
        yield info


def make_client(info: dict[str, Any], flavor: str, validator: SpecValidator | None, user: tuple[str, str] | None = None) -> Client:
    client = Client(info, flavor, validator)
    reply = client.login(*(user or (None, None)))
    assert reply.ok, reply.body
    return client


@pytest.fixture(params=FLAVORS, name="flavor")
def fixture_flavor(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(name="client")
def fixture_client(sim: dict[str, Any], flavor: str, validator: SpecValidator) -> Iterator[Client]:
    """A logged-in client of the shared simulator in the test's flavour; logged out afterwards."""
    client = make_client(sim, flavor, validator)
    yield client
    if client.token:
        client.logout()


@pytest.fixture(name="control")
def fixture_control(sim: dict[str, Any]) -> Control:
    return Control(sim)


@pytest.fixture(name="item")
def fixture_item(client: Client, sim: dict[str, Any]) -> str:
    """A fresh ISO item in local-lib, so that tests do not contend for the seeded ones."""
    return new_item(client, sim, "iso")


@pytest.fixture(name="ovf_item")
def fixture_ovf_item(client: Client, sim: dict[str, Any]) -> str:
    return new_item(client, sim, "ovf")


def new_item(client: Client, info: dict[str, Any], item_type: str) -> str:
    reply = client.create_item({"library_id": info["libraries"]["local-lib"]["id"], "name": f"test-{item_type}-{uuid.uuid4().hex[:8]}", "type": item_type})
    assert reply.ok, reply.body
    return reply.value


def new_session(client: Client, item_id: str, **kwargs: Any) -> str:
    reply = client.create_session(item_id, **kwargs)
    assert reply.ok, reply.body
    return reply.value
