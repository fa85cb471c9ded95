# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""API login sessions (reference §1): login, info, logout, 401s, --max-sessions and --session-ttl."""

from __future__ import annotations

import base64
import time

import pytest
import requests

from vsphere_content_simulator.launcher import running_simulator

from .conftest import FLAVORS, OTHER_USER, make_client
from .vapi import Client

LOGIN = {"api": ("POST", "/api/session"), "rest": ("POST", "/rest/com/vmware/cis/session")}


@pytest.fixture(scope="module", name="limited")
def fixture_limited():
    with running_simulator(["--log-level", "warning", "--max-sessions", "2", "--session-ttl", "1.5"]) as info:
        yield info


def test_login_info_logout(sim, flavor, validator):
    client = Client(sim, flavor, validator)
    reply = client.login()
    assert reply.status == (201 if flavor == "api" else 200)
    token = reply.value
    assert isinstance(token, str) and len(token) >= 16
    info = client.session_info().value
    assert info["user"] == sim["username"]
    assert info["created_time"] <= info["last_accessed_time"]
    reply = client.logout()
    assert reply.status == (204 if flavor == "api" else 200)
    assert reply.body is None
    client.token = token
    reply = client.list_libraries()
    assert (reply.status, reply.error_type) == (401, "unauthenticated")


def test_login_sets_a_cookie_unless_header_authn(sim, flavor, validator):
    client = Client(sim, flavor, validator)
    reply = client.login(header_authn=False)
    cookie = client.http.cookies.get("vmware-api-session-id")
    assert cookie == reply.value
    # The cookie alone authenticates.
    client.token = None
    assert client.list_libraries().ok
    client.token = cookie
    client.logout()
    fresh = Client(sim, flavor, validator)
    fresh.login(header_authn=True)
    assert fresh.http.cookies.get("vmware-api-session-id") is None
    fresh.logout()


@pytest.mark.parametrize(
    "username, password",
    [
        ("administrator@vsphere.local", "wrong password"),
        ("nobody@vsphere.local", "whatever"),
        ("", ""),
    ],
)
def test_bad_credentials(sim, flavor, validator, username, password):
    client = Client(sim, flavor, validator)
    reply = client.login(username or "x", password)
    assert (reply.status, reply.error_type) == (401, "unauthenticated")
    assert sim["password"] not in str(reply.body)
    assert client.token is None


@pytest.mark.parametrize("authorization", [None, "Bearer abc", "Basic !!!notbase64", "Basic " + base64.b64encode(b"nocolon").decode()])
def test_malformed_login(sim, flavor, authorization):
    client = Client(sim, flavor)
    method, path = LOGIN[flavor]
    headers = {"Authorization": authorization} if authorization else {}
    reply = client.raw(method, path, headers=headers, auth=False)
    assert (reply.status, reply.error_type) == (401, "unauthenticated")


@pytest.mark.parametrize("token", [None, "0123456789abcdef0123456789abcdef"])
def test_missing_or_unknown_token(sim, flavor, validator, token):
    client = Client(sim, flavor, validator)
    client.token = token
    for reply in (client.list_libraries(), client.list_sessions(), client.session_info(), client.logout()):
        assert (reply.status, reply.error_type) == (401, "unauthenticated")


def test_extra_user_logs_in(sim, flavor, validator):
    other = make_client(sim, flavor, validator, OTHER_USER)
    assert other.session_info().value["user"] == OTHER_USER[0]
    other.logout()


@pytest.mark.parametrize("flavor", FLAVORS)
def test_max_sessions(limited, flavor):
    first, second, third = Client(limited, flavor), Client(limited, flavor), Client(limited, flavor)
    assert first.login().ok and second.login().ok
    reply = third.login()
    assert (reply.status, reply.error_type) == (503, "service_unavailable")
    assert "2" in reply.text
    assert first.logout().ok
    assert third.login().ok
    second.logout()
    third.logout()


def test_idle_login_sessions_expire(limited, flavor):
    client = Client(limited, flavor)
    assert client.login().ok
    # Activity keeps the session alive past the 1.5-second TTL...
    for attempt in range(4):
        time.sleep(0.5)
        assert client.session_info().ok, attempt
    # ...and idleness ends it.
    time.sleep(1.8)
    reply = client.session_info()
    assert (reply.status, reply.error_type) == (401, "unauthenticated")
    stats = requests.get(limited["control_url"] + "/stats", verify=limited["ca_cert"], timeout=10).json()
    assert stats["open_login_sessions"] == 0
