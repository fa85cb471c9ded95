# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""update_session_fail against vcsim."""

from __future__ import annotations

from typing import Any

import vcsim_helpers as h

FAIL = 'update_session_fail'
REASON = 'the source image could not be read'


def test_fail_an_active_session(run: Any, admin: h.Admin, item: str) -> None:
    session_id = admin.create_session(item)
    result = h.assert_ok(run(FAIL, id=session_id, client_error_message=REASON, diff=True))
    assert result['changed'] is True
    assert result['update_session']['id'] == session_id
    assert result['update_session']['state'] == 'ERROR'
    assert result['diff']['before'] == {'state': 'ACTIVE'}
    assert result['diff']['after']['state'] == 'ERROR'
    assert admin.session(session_id)['state'] == 'ERROR'
    # vcsim 0.24 drops client_error_message: the failed session has no error_message (vCenter keeps it).
    assert 'error_message' not in admin.session(session_id), 'vcsim keeps the message now: update this test'
    again = h.assert_ok(run(FAIL, id=session_id, client_error_message='another reason'))
    assert again['changed'] is False
    assert again['update_session']['state'] == 'ERROR'


def test_check_mode_fails_nothing(run: Any, admin: h.Admin, item: str) -> None:
    session_id = admin.create_session(item)
    result = h.assert_ok(run(FAIL, check_mode=True, id=session_id, client_error_message=REASON))
    assert result['changed'] is True
    assert result['update_session']['state'] == 'ERROR'
    assert admin.session(session_id)['state'] == 'ACTIVE'


def test_a_completed_session_cannot_be_failed(run: Any, admin: h.Admin, item: str) -> None:
    session_id = admin.create_session(item)
    admin.session_action(session_id, 'complete')
    refused = h.assert_clean_failure(run(FAIL, id=session_id, client_error_message=REASON), session_id, 'DONE')
    assert refused['session_state'] == 'DONE'
    assert refused['error_type'] == 'NOT_ALLOWED_IN_CURRENT_STATE'
    assert admin.session(session_id)['state'] == 'DONE'


def test_unknown_session(run: Any) -> None:
    missing = '5c0ffee0-2fd6-4b0b-9c6e-3d4a5f1c2e7b'
    failed = h.assert_clean_failure(run(FAIL, id=missing, client_error_message=REASON), missing, 'not found')
    assert failed['error_type'] == 'NOT_FOUND'
