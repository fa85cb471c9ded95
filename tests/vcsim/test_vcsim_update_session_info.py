# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""update_session_info against vcsim: all sessions, the sessions of one item, one session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import trustme

import vcsim_helpers as h

INFO = 'update_session_info'


def test_all_sessions_when_there_are_none(run: Any, admin: h.Admin) -> None:
    # vcsim answers an empty list as {"value": null} (Go's nil slice): that is an empty list.
    admin.delete_all_sessions()
    result = h.assert_ok(run(INFO))
    assert result['changed'] is False
    assert result['update_sessions'] == []


def test_all_sessions_include_a_new_one(run: Any, admin: h.Admin, item: str) -> None:
    session_id = admin.create_session(item)
    result = h.assert_ok(run(INFO))
    found = [s for s in result['update_sessions'] if s['id'] == session_id]
    assert len(found) == 1, result
    assert found[0]['library_item_id'] == item
    assert found[0]['state'] == 'ACTIVE'
    assert found[0]['expiration_time']


def test_sessions_of_one_item(run: Any, admin: h.Admin, library: dict[str, Any], item: str) -> None:
    # Another item has a session too: vcsim ignores the library_item_id filter of the list.
    other = admin.create_session(admin.create_item(library['id']))
    mine = admin.create_session(item)
    result = h.assert_ok(run(INFO, library_item_id=item))
    got = [(s['id'], s['library_item_id']) for s in result['update_sessions']]
    assert [session_id for session_id, _item in got] == [mine], 'asked for item %s, got (session, item) %s; %s belongs to another item' % (item, got, other)
    assert result['update_sessions'][0]['library_item_id'] == item


def test_one_session(run: Any, admin: h.Admin, item: str) -> None:
    session_id = admin.create_session(item)
    result = h.assert_ok(run(INFO, id=session_id))
    assert result['changed'] is False
    assert len(result['update_sessions']) == 1
    session = result['update_sessions'][0]
    assert session['id'] == session_id
    assert session['library_item_id'] == item
    assert session['state'] == 'ACTIVE'
    assert session['library_item_content_version'] == '1'


def test_one_session_that_vcsim_does_not_know(run: Any) -> None:
    # vcsim answers 404 with a plain-text "404 page not found": the session is not there, no failure.
    result = h.assert_ok(run(INFO, id='0b5fa8d9-2fd6-4b0b-9c6e-3d4a5f1c2e7b'))
    assert result['update_sessions'] == []


def test_a_finished_session_keeps_its_state(run: Any, admin: h.Admin, item: str) -> None:
    session_id = admin.create_session(item)
    admin.session_action(session_id, 'complete')
    result = h.assert_ok(run(INFO, id=session_id))
    assert result['update_sessions'][0]['state'] == 'DONE'


def test_the_certificate_is_verified(run: Any, tmp_path: Path) -> None:
    # vcsim serves a certificate from the suite's CA: with another CA, the module refuses the connection.
    other = tmp_path / 'other-ca.pem'
    trustme.CA().cert_pem.write_to_path(str(other))
    failed = h.assert_clean_failure(run(INFO, ca_path=str(other)), 'TLS', 'ca_path')
    assert failed['error_type'] == 'TLS_ERROR'
