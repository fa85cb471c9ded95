# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""update_session's life cycle and the file modules' decisions, with the transport stubbed."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from ansible_collections.vsphere.content_library.plugins.module_utils import _poll
from ansible_collections.vsphere.content_library.plugins.modules import (
    update_session,
    update_session_file,
    update_session_file_info,
)
from ansible_collections.vsphere.content_library.tests.unit.plugins.modules.test_modules import (
    TOKEN,
    run_module,
    session,
    writes,
)

US = '/api/content/library/item/update-session'
# What vCenter answers to a PUSH add.
WAITING = {
    'name': 'disk.iso',
    'status': 'WAITING_FOR_TRANSFER',
    'source_type': 'PUSH',
    'bytes_transferred': 0,
    'upload_endpoint': {'uri': 'https://vc.example.com/up/S1/disk.iso'},
}


@pytest.fixture
def vc(transport):
    transport.add('POST', '^/api/session$', 201, '"%s"' % TOKEN)
    transport.add('DELETE', '^/api/session$', 204)
    return transport


class TestPresent:
    def test_reuses_the_active_session_of_the_item(self, vc, capsys):
        vc.add('GET', '^%s\\?library_item_id=I1$' % US, 200, ['S0', 'S1'])
        vc.add('GET', '^%s/S0$' % US, 200, session(state='DONE'))
        vc.add('GET', '^%s/S1$' % US, 200, session())
        code, result = run_module(update_session, capsys, library_item_id='I1')
        assert code == 0 and result['changed'] is False
        assert result['update_session']['id'] == 'S1'
        assert writes(vc) == []

    def test_opens_a_session_with_a_token_and_the_warning_behavior(self, vc, capsys):
        vc.add('GET', '^%s\\?library_item_id=I1$' % US, 200, ['S0'])
        vc.add('GET', '^%s/S0$' % US, 200, session(state='CANCELED'))
        vc.add('POST', '^%s$' % US, 201, '"S2"')
        vc.add('GET', '^%s/S2$' % US, 200, session(warning_behavior=[{'type': 'SELF_SIGNED_CERTIFICATE', 'ignored': True}]))
        code, result = run_module(update_session, capsys, diff=True, library_item_id='I1', warning_behavior=[{'type': 'SELF_SIGNED_CERTIFICATE'}])
        assert code == 0 and result['changed'] is True
        create = [c for c in vc.calls if c['method'] == 'POST' and c['path'] == US][0]
        assert create['json'] == {'library_item_id': 'I1', 'warning_behavior': [{'type': 'SELF_SIGNED_CERTIFICATE', 'ignored': True}]}
        uuid.UUID(create['headers']['Client-Token'])
        assert result['update_session']['id'] == 'S2'
        assert result['diff']['before'] == {}
        assert result['diff']['after']['state'] == 'ACTIVE'

    def test_given_token_is_sent(self, vc, capsys):
        vc.add('GET', '^%s\\?library_item_id=I1$' % US, 200, [])
        vc.add('POST', '^%s$' % US, 201, '"S2"')
        vc.add('GET', '^%s/S2$' % US, 200, session())
        token = '6f1c2a3e-9d3b-4c1e-8f00-123456789abc'
        run_module(update_session, capsys, library_item_id='I1', client_token=token)
        assert [c['headers']['Client-Token'] for c in vc.calls if c['method'] == 'POST' and c['path'] == US] == [token]

    def test_check_mode_predicts_a_session_with_a_predicted_id(self, vc, capsys):
        vc.add('GET', '^%s\\?library_item_id=I1$' % US, 200, [])
        code, result = run_module(update_session, capsys, check_mode=True, library_item_id='I1')
        assert code == 0 and result['changed'] is True
        expected = {
            'id': 'predicted-by-check-mode',
            'library_item_id': 'I1',
            'state': 'ACTIVE',
            'client_progress': 0,
            'warning_behavior': [],
            'preview_info': {'state': 'UNAVAILABLE'},
            'predicted': True,
        }
        assert result['update_session'] == expected

    def test_a_later_check_mode_task_works_on_the_predicted_session(self, vc, capsys):
        code, result = run_module(
            update_session_file, capsys, check_mode=True, id='predicted-by-check-mode', name='a.iso', source_url='http://images.example.com/a.iso'
        )
        assert code == 0 and result['changed'] is True and result['predicted'] is True
        assert [c for c in vc.calls if '/session' not in c['path']] == []

    def test_the_predicted_id_is_refused_outside_check_mode(self, vc, capsys):
        code, result = run_module(update_session, capsys, id='predicted-by-check-mode', state='completed')
        assert code == 1 and 'check mode predicted' in result['msg']
        assert vc.calls == []
        assert writes(vc) == []

    def test_progress_is_sent_only_when_it_goes_up(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session(client_progress=40))
        code, result = run_module(update_session, capsys, id='S1', client_progress=40)
        assert code == 0 and result['changed'] is False
        assert writes(vc) == []

    def test_progress_and_keep_alive_make_one_call(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session(client_progress=40), times=1)
        vc.add('POST', 'keep-alive', 204)
        vc.add('GET', '^%s/S1$' % US, 200, session(client_progress=70))
        code, result = run_module(update_session, capsys, id='S1', client_progress=70, keep_alive=True)
        assert code == 0 and result['changed'] is True
        assert [c['json'] for c in vc.calls if 'keep-alive' in c['query']] == [{'client_progress': 70}]

    def test_keep_alive_on_a_finished_session_fails(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session(state='DONE'))
        code, result = run_module(update_session, capsys, id='S1', keep_alive=True)
        assert code == 1 and result['msg'].startswith('Cannot keep alive update session S1: it is DONE')

    @pytest.mark.parametrize(
        'args, words',
        [
            ({'library_item_id': 'I1', 'state': 'completed'}, 'state is completed but all of the following are missing: update_session_id'),
            ({'id': 'S1', 'state': 'completed', 'keep_alive': True}, 'keep_alive only go(es) with state=present'),
            ({'id': 'S1', 'client_progress': 101}, 'client_progress must be between 0 and 100'),
            ({'library_item_id': 'I1', 'client_token': 'not-a-uuid'}, 'client_token must be a UUID'),
            ({'id': 'S1', 'client_token': str(uuid.uuid4())}, 'parameters are mutually exclusive: client_token|update_session_id'),
            ({}, 'one of the following is required: update_session_id, library_item_id'),
        ],
    )
    def test_bad_input_is_refused_before_any_call(self, vc, capsys, args, words):
        code, result = run_module(update_session, capsys, **args)
        assert code == 1 and words in result['msg']
        assert vc.calls == []


class TestEndStates:
    def test_complete_waits_and_reports_an_error_with_the_sessions_message(self, vc, capsys, monkeypatch):
        monkeypatch.setattr(_poll.time, 'sleep', lambda seconds: None)
        vc.add('GET', '^%s/S1$' % US, 200, session(), times=2)
        vc.add('POST', '^%s/S1\\?action=complete$' % US, 204)
        vc.add(
            'GET',
            '^%s/S1$' % US,
            200,
            session(state='ERROR', error_message={'id': 'x', 'default_message': 'Warning SELF_SIGNED_CERTIFICATE was not ignored.', 'args': []}),
        )
        code, result = run_module(update_session, capsys, id='S1', state='completed')
        assert code == 1
        assert result['msg'] == ('Update session S1 was completed but ended in state ERROR: Warning SELF_SIGNED_CERTIFICATE was not ignored.')
        assert result['changed'] is True and result['update_session']['state'] == 'ERROR'
        assert vc.paths().count('GET %s/S1' % US) == 3

    def test_complete_times_out(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session())
        vc.add('POST', '^%s/S1\\?action=complete$' % US, 204)
        code, result = run_module(update_session, capsys, id='S1', state='completed', wait_timeout=0)
        assert code == 1 and 'was still ACTIVE 0 seconds after it was completed' in result['msg']

    def test_force_cancels_then_deletes(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session())
        vc.add('POST', '^%s/S1\\?action=cancel$' % US, 204)
        vc.add('DELETE', '^%s/S1$' % US, 204)
        code, result = run_module(update_session, capsys, id='S1', state='absent', force=True)
        assert code == 0 and result['changed'] is True and result['update_session'] == {}
        assert writes(vc) == ['POST %s/S1?action=cancel' % US, 'DELETE %s/S1' % US]

    def test_absent_unknown_session_is_unchanged(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 404, {'error_type': 'NOT_FOUND', 'messages': []})
        code, result = run_module(update_session, capsys, id='S1', state='absent')
        assert code == 0 and result['changed'] is False


class TestFiles:
    @pytest.fixture
    def src(self, tmp_path):
        path = tmp_path / 'disk.iso'
        path.write_bytes(b'x' * 3000)
        return str(path)

    def test_same_size_and_checksum_is_unchanged(self, vc, capsys, src):
        digest = hashlib.sha1(b'x' * 3000).hexdigest()
        vc.add('GET', '^%s/S1$' % US, 200, session())
        vc.add(
            'GET',
            '^%s/S1/file$' % US,
            200,
            [
                {
                    'name': 'disk.iso',
                    'status': 'READY',
                    'size': 3000,
                    'source_type': 'NONE',
                    'bytes_transferred': 3000,
                    'checksum_info': {'checksum': digest.upper()},
                }
            ],
        )
        code, result = run_module(update_session_file, capsys, id='S1', name='disk.iso', src=src)
        assert code == 0 and result['changed'] is False
        assert writes(vc) == []

    def test_other_checksum_uploads_with_the_asked_checksum(self, vc, capsys, src):
        vc.add('GET', '^%s/S1$' % US, 200, session())
        held = {
            'name': 'disk.iso',
            'status': 'READY',
            'size': 3000,
            'source_type': 'NONE',
            'bytes_transferred': 3000,
            'checksum_info': {'algorithm': 'MD5', 'checksum': '00'},
        }
        vc.add('GET', '^%s/S1/file$' % US, 200, [held])
        vc.add('POST', '^%s/S1/file$' % US, 201, WAITING)
        vc.add('PUT', '^/up/S1/disk.iso$', 200)
        vc.add('GET', '^%s/S1/file/disk.iso$' % US, 200, dict(held, source_type='PUSH', checksum_info=None))
        code, result = run_module(update_session_file, capsys, id='S1', name='disk.iso', src=src, checksum_algorithm='SHA256')
        assert code == 0 and result['changed'] is True
        add = [c for c in vc.calls if c['method'] == 'POST' and c['path'].endswith('/file')][0]
        assert add['json'] == {
            'name': 'disk.iso',
            'source_type': 'PUSH',
            'size': 3000,
            'checksum_info': {'algorithm': 'SHA256', 'checksum': hashlib.sha256(b'x' * 3000).hexdigest()},
        }
        put = [c for c in vc.calls if c['method'] == 'PUT'][0]
        assert put['headers']['Content-Length'] == '3000'
        assert put['uploaded'] == b'x' * 3000
        assert put['headers']['vmware-api-session-id'] == TOKEN

    def test_a_refused_upload_fails_the_session(self, vc, capsys, src):
        vc.add('GET', '^%s/S1$' % US, 200, session())
        vc.add('GET', '^%s/S1/file$' % US, 200, [])
        vc.add('POST', '^%s/S1/file$' % US, 201, WAITING)
        vc.add(
            'PUT', '^/up/S1/disk.iso$', 400, {'error_type': 'INVALID_ARGUMENT', 'messages': [{'id': 'x', 'default_message': 'Checksum mismatch.', 'args': []}]}
        )
        vc.add('POST', '^%s/S1\\?action=fail$' % US, 204)
        code, result = run_module(update_session_file, capsys, id='S1', name='disk.iso', src=src)
        assert code == 1
        assert result['msg'] == (
            'Could not upload file disk.iso to update session S1: vCenter answered HTTP 400 INVALID_ARGUMENT: '
            'Checksum mismatch. (PUT /up/S1/disk.iso). Update session S1 was failed with this reason.'
        )
        fail = [c for c in vc.calls if 'action=fail' in c['query']][0]
        assert fail['json']['client_error_message'].startswith('Could not upload file disk.iso')

    def test_check_mode_uploads_nothing(self, vc, capsys, src):
        vc.add('GET', '^%s/S1$' % US, 200, session())
        vc.add('GET', '^%s/S1/file$' % US, 200, [])
        code, result = run_module(update_session_file, capsys, check_mode=True, id='S1', name='disk.iso', src=src)
        assert code == 0 and result['changed'] is True
        assert writes(vc) == []

    def test_missing_src_is_refused_before_any_call(self, vc, capsys, tmp_path):
        code, result = run_module(update_session_file, capsys, id='S1', name='a', src=str(tmp_path / 'nope'))
        assert code == 1 and result['msg'] == 'src %s does not exist on the host that runs the module.' % (tmp_path / 'nope')
        assert vc.calls == []

    def test_info_validate_needs_an_active_session(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session(state='DONE'))
        vc.add('GET', '^%s/S1/file$' % US, 200, [])
        code, result = run_module(update_session_file_info, capsys, id='S1', validate=True)
        assert code == 1 and result['msg'].startswith('Cannot validate the files of update session S1: it is DONE')


def test_an_unexpected_error_still_logs_out(vc, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError('state')

    monkeypatch.setattr(update_session, 'get_existing_session', broken)
    code, result = run_module(update_session, capsys, id='S1', keep_alive=True)
    assert code == 1 and result['msg'] == "Unexpected error: KeyError: 'state'"
    assert vc.paths()[-1] == 'DELETE /api/session'
