# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Expiry of idle ACTIVE update sessions and deletion of terminal ones (reference §3.6)."""

from __future__ import annotations

import time

import pytest

from vsphere_content_simulator.launcher import running_simulator

from .conftest import make_client, new_item, new_session
from .test_update_sessions import parse_time

TIMEOUT = 1.5


@pytest.fixture(scope="module", name="quick")
def fixture_quick():
    args = ["--log-level", "warning", "--update-session-timeout", str(TIMEOUT), "--terminal-session-retention", "1"]
    with running_simulator(args) as info:
        yield info


@pytest.fixture(name="quick_client")
def fixture_quick_client(quick, flavor, validator):
    client = make_client(quick, flavor, validator)
    yield client
    client.logout()


def wait_for_state(client, sid, state, limit=5.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        model = client.get_session(sid).value
        if model["state"] == state:
            return model
        time.sleep(0.1)
    raise AssertionError(f"update session {sid} did not reach {state}")


def test_idle_session_expires_and_is_deleted(quick, quick_client):
    item = new_item(quick_client, quick, "iso")
    sid = new_session(quick_client, item)
    created = time.time()
    model = quick_client.get_session(sid).value
    assert abs(parse_time(model["expiration_time"]) - (created + TIMEOUT)) < 0.5
    # Polling with get is not activity: the session expires all the same.
    model = wait_for_state(quick_client, sid, "ERROR")
    assert time.time() - created >= TIMEOUT
    assert "expired" in model["error_message"]["default_message"] and sid in model["error_message"]["default_message"]
    # The item is free again.
    other = new_session(quick_client, item)
    assert quick_client.cancel(other).ok
    deadline = time.monotonic() + 5
    while quick_client.get_session(sid).status != 404 and time.monotonic() < deadline:
        time.sleep(0.1)
    reply = quick_client.get_session(sid)
    assert (reply.status, reply.error_type) == (404, "not_found")
    assert sid not in quick_client.list_sessions().value


@pytest.mark.parametrize("flavor", ["api"])
def test_activity_keeps_a_session_alive(quick, quick_client):
    item = new_item(quick_client, quick, "iso")
    sid = new_session(quick_client, item)
    for progress in (10, 20, 30, 40):
        time.sleep(TIMEOUT / 3)
        assert quick_client.keep_alive(sid, progress).ok
    model = quick_client.get_session(sid).value
    assert (model["state"], model["client_progress"]) == ("ACTIVE", 40)
    assert quick_client.complete(sid).ok
