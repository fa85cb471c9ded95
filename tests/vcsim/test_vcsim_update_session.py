# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""update_session against vcsim: open, reuse, warning behavior, complete, cancel, delete, check mode."""

from __future__ import annotations

from typing import Any

import vcsim_helpers as h

US = 'update_session'


def test_open_on_an_item_when_vcsim_has_no_session(run: Any, admin: h.Admin, item: str) -> None:
    # The module first looks for the item's ACTIVE session: vcsim's empty list is {"value": null}.
    admin.delete_all_sessions()
    result = h.assert_ok(run(US, library_item_id=item))
    assert result['changed'] is True
    session = result['update_session']
    assert session['library_item_id'] == item
    assert session['state'] == 'ACTIVE'
    assert [s['id'] for s in admin.sessions_of(item)] == [session['id']]


def test_open_on_an_item_while_other_items_have_sessions(run: Any, admin: h.Admin, library: dict[str, Any], item: str) -> None:
    # vcsim lists every session whatever library_item_id the list asks for: another item's
    # ACTIVE session must not be taken for this item's.
    other_item = admin.create_item(library['id'])
    other = admin.create_session(other_item)
    result = h.assert_ok(run(US, library_item_id=item))
    session = result['update_session']
    assert result['changed'] is True, 'reused session %s of item %s for item %s' % (session.get('id'), session.get('library_item_id'), item)
    assert session['id'] != other
    assert session['library_item_id'] == item
    assert [s['id'] for s in admin.sessions_of(item)] == [session['id']]


def test_open_again_reuses_the_active_session(run: Any, admin: h.Admin, item: str) -> None:
    session_id = admin.create_session(item)
    result = h.assert_ok(run(US, library_item_id=item))
    assert result['changed'] is False
    assert result['update_session']['id'] == session_id
    assert result['update_session']['state'] == 'ACTIVE'
    again = h.assert_ok(run(US, library_item_id=item))
    assert again['changed'] is False
    assert again['update_session']['id'] == session_id
    assert len(admin.sessions_of(item)) == 1


def test_present_by_id(run: Any, admin: h.Admin, item: str) -> None:
    session_id = admin.create_session(item)
    result = h.assert_ok(run(US, id=session_id))
    assert result['changed'] is False
    assert result['update_session']['id'] == session_id
    assert result['update_session']['library_item_id'] == item


def test_check_mode_opens_nothing(run: Any, admin: h.Admin, item: str) -> None:
    before = set(admin.session_ids())
    result = h.assert_ok(run(US, check_mode=True, library_item_id=item))
    assert result['changed'] is True
    assert result['update_session']['state'] == 'ACTIVE'
    assert result['update_session']['library_item_id'] == item
    assert set(admin.session_ids()) == before


def test_warning_behavior_is_not_kept_by_vcsim(run: Any, admin: h.Admin, item: str) -> None:
    # vcsim 0.24 answers PATCH .../update-session/id:S with 200 and an empty body, and changes
    # nothing (it has no PATCH handler and no warning_behavior field). The module sends the change,
    # reads the session back and returns what vcsim holds: so every run is a change on vcsim.
    session_id = admin.create_session(item)
    wanted = [{'type': 'SELF_SIGNED_CERTIFICATE', 'ignored': True}]
    result = h.assert_ok(run(US, id=session_id, warning_behavior=wanted))
    assert result['changed'] is True
    assert 'warning_behavior' not in result['update_session'], 'vcsim keeps warning_behavior now: update this test'
    again = h.assert_ok(run(US, id=session_id, warning_behavior=wanted))
    assert again['changed'] is True
    # In check mode the module predicts the change and sends nothing.
    predicted = h.assert_ok(run(US, check_mode=True, id=session_id, warning_behavior=wanted))
    assert predicted['changed'] is True
    assert predicted['update_session']['warning_behavior'] == wanted


def test_keep_alive_and_client_progress(run: Any, admin: h.Admin, item: str) -> None:
    # vcsim extends the session by an hour on keep-alive and ignores client_progress.
    session_id = admin.create_session(item)
    expires = admin.session(session_id)['expiration_time']
    result = h.assert_ok(run(US, id=session_id, keep_alive=True, client_progress=40))
    assert result['changed'] is True
    assert result['update_session']['state'] == 'ACTIVE'
    assert h.parse_time(result['update_session']['expiration_time']) > h.parse_time(expires)
    assert 'client_progress' not in result['update_session'], 'vcsim keeps client_progress now: update this test'


def test_complete_then_delete(run: Any, admin: h.Admin, item: str) -> None:
    session_id = admin.create_session(item)
    done = h.assert_ok(run(US, id=session_id, state='completed'))
    assert done['changed'] is True
    assert done['update_session']['state'] == 'DONE'
    assert admin.session(session_id)['state'] == 'DONE'
    again = h.assert_ok(run(US, id=session_id, state='completed'))
    assert again['changed'] is False
    assert again['update_session']['state'] == 'DONE'

    gone = h.assert_ok(run(US, id=session_id, state='absent'))
    assert gone['changed'] is True
    assert gone['update_session'] == {}
    assert admin.session(session_id) is None
    # vcsim answers 404 "404 page not found" (plain text): already absent.
    assert h.assert_ok(run(US, id=session_id, state='absent'))['changed'] is False


def test_cancel_then_complete_is_refused(run: Any, admin: h.Admin, item: str) -> None:
    session_id = admin.create_session(item)
    canceled = h.assert_ok(run(US, id=session_id, state='canceled'))
    assert canceled['changed'] is True
    assert canceled['update_session']['state'] == 'CANCELED'
    assert h.assert_ok(run(US, id=session_id, state='canceled'))['changed'] is False
    refused = h.assert_clean_failure(run(US, id=session_id, state='completed'), session_id, 'CANCELED')
    assert refused['session_state'] == 'CANCELED'
    assert admin.session(session_id)['state'] == 'CANCELED'


def test_absent_refuses_an_active_session_unless_forced(run: Any, admin: h.Admin, item: str) -> None:
    session_id = admin.create_session(item)
    refused = h.assert_clean_failure(run(US, id=session_id, state='absent'), session_id, 'ACTIVE', 'force')
    assert refused['error_type'] == 'NOT_ALLOWED_IN_CURRENT_STATE'
    assert admin.session(session_id)['state'] == 'ACTIVE'
    forced = h.assert_ok(run(US, id=session_id, state='absent', force=True))
    assert forced['changed'] is True
    assert admin.session(session_id) is None


def test_unknown_session(run: Any) -> None:
    missing = '0b5fa8d9-2fd6-4b0b-9c6e-3d4a5f1c2e7b'
    failed = h.assert_clean_failure(run(US, id=missing, state='completed'), missing, 'not found')
    assert failed['error_type'] == 'NOT_FOUND'
