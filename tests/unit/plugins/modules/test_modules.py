# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The modules' decisions, with the transport stubbed: what is sent, what is reported."""

from __future__ import annotations

import contextlib
import json

import pytest

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19 has no such helper: patch what AnsibleModule reads
    from unittest import mock

    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args):
        with mock.patch('ansible.module_utils.basic._ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))):
            yield


from ansible_collections.vsphere.content_library.plugins.modules import (
    update_session,
    update_session_fail,
    update_session_info,
)

US = '/api/content/library/item/update-session'
PASSWORD = 'Pa55-w0rd!'
TOKEN = 'token-0123456789'
CONNECTION = {'hostname': 'vc.example.com', 'username': 'admin@vsphere.local', 'password': PASSWORD, 'api_flavor': 'api'}


def run_module(module, capsys, check_mode=False, diff=False, **args):
    """Run a module's main() and return (exit code, result as the controller sees it)."""
    params = dict(CONNECTION, **args)
    if check_mode:
        params['_ansible_check_mode'] = True
    if diff:
        params['_ansible_diff'] = True
    with patch_module_args(params):
        with pytest.raises(SystemExit) as exit_:
            module.main()
    out = capsys.readouterr().out
    assert PASSWORD not in out and TOKEN not in out
    return exit_.value.code, json.loads(out)


def session(state='ACTIVE', **fields):
    model = {'library_item_id': 'I1', 'library_item_content_version': '1', 'state': state, 'client_progress': 0, 'expiration_time': '2026-11-23T12:05:00.000Z'}
    model.update(fields)
    return model


@pytest.fixture
def vc(transport):
    transport.add('POST', '^/api/session$', 201, '"%s"' % TOKEN)
    transport.add('DELETE', '^/api/session$', 204)
    return transport


def writes(transport):
    return [p for p in transport.paths() if not p.startswith('GET ') and not p.endswith('/api/session')]


class TestInfo:
    def test_one_session_gets_its_id(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session())
        code, result = run_module(update_session_info, capsys, id='S1')
        assert code == 0 and result['changed'] is False
        assert result['update_sessions'] == [dict(session(), id='S1')]
        assert vc.paths()[-1] == 'DELETE /api/session'

    def test_unknown_session_is_an_empty_list(self, vc, capsys):
        vc.add('GET', '^%s/S404$' % US, 404, {'error_type': 'NOT_FOUND', 'messages': []})
        code, result = run_module(update_session_info, capsys, update_session_id='S404')
        assert code == 0 and result['update_sessions'] == []

    def test_list_of_an_item(self, vc, capsys):
        vc.add('GET', '^%s\\?library_item_id=I1$' % US, 200, ['S1', 'S2', 'S3'])
        for sid in ('S1', 'S2'):
            vc.add('GET', '^%s/%s$' % (US, sid), 200, session())
        # S3 expired between the list and the get.
        vc.add('GET', '^%s/S3$' % US, 404, {'error_type': 'NOT_FOUND', 'messages': []})
        code, result = run_module(update_session_info, capsys, library_item_id='I1')
        assert code == 0
        assert [s['id'] for s in result['update_sessions']] == ['S1', 'S2']

    def test_unknown_item_fails_naming_it(self, vc, capsys):
        vc.add(
            'GET',
            '^%s\\?library_item_id=NOPE$' % US,
            404,
            {'error_type': 'NOT_FOUND', 'messages': [{'id': 'x', 'default_message': 'Item NOPE does not exist.', 'args': []}]},
        )
        code, result = run_module(update_session_info, capsys, library_item_id='NOPE')
        assert code == 1
        assert result['msg'] == 'Library item NOPE was not found.'
        assert result['error_messages'] == ['Item NOPE does not exist.']
        assert result['error_type'] == 'NOT_FOUND'
        assert vc.paths()[-1] == 'DELETE /api/session'

    def test_id_and_item_are_exclusive(self, vc, capsys):
        code, result = run_module(update_session_info, capsys, id='S1', library_item_id='I1')
        assert code == 1 and 'mutually exclusive' in result['msg']
        assert vc.calls == []


class TestUpdateSession:
    def test_change_sends_the_merged_list(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session(warning_behavior=[{'type': 'UNTRUSTED_CERTIFICATE', 'ignored': False}]), times=1)
        vc.add('PATCH', '^%s/S1$' % US, 204)
        vc.add(
            'GET',
            '^%s/S1$' % US,
            200,
            session(warning_behavior=[{'type': 'SELF_SIGNED_CERTIFICATE', 'ignored': True}, {'type': 'UNTRUSTED_CERTIFICATE', 'ignored': False}]),
        )
        code, result = run_module(update_session, capsys, diff=True, id='S1', warning_behavior=[{'type': 'SELF_SIGNED_CERTIFICATE'}])
        assert code == 0 and result['changed'] is True
        patch = [c for c in vc.calls if c['method'] == 'PATCH'][0]
        assert patch['json'] == {
            'warning_behavior': [{'type': 'SELF_SIGNED_CERTIFICATE', 'ignored': True}, {'type': 'UNTRUSTED_CERTIFICATE', 'ignored': False}]
        }
        common = {'library_item_id': 'I1', 'state': 'ACTIVE', 'client_progress': 0}
        assert result['diff'] == {
            'before': dict(common, warning_behavior=[{'type': 'UNTRUSTED_CERTIFICATE', 'ignored': False}]),
            'after': dict(common, warning_behavior=[{'type': 'SELF_SIGNED_CERTIFICATE', 'ignored': True}, {'type': 'UNTRUSTED_CERTIFICATE', 'ignored': False}]),
        }
        assert result['update_session']['id'] == 'S1'

    def test_same_behavior_in_another_order_is_unchanged(self, vc, capsys):
        vc.add(
            'GET',
            '^%s/S1$' % US,
            200,
            session(state='DONE', warning_behavior=[{'type': 'UNTRUSTED_CERTIFICATE', 'ignored': True}, {'type': 'SELF_SIGNED_CERTIFICATE', 'ignored': False}]),
        )
        code, result = run_module(
            update_session,
            capsys,
            id='S1',
            purge_warning_behavior=True,
            warning_behavior=[{'type': 'SELF_SIGNED_CERTIFICATE', 'ignored': False}, {'type': 'UNTRUSTED_CERTIFICATE'}],
        )
        assert code == 0 and result['changed'] is False
        assert writes(vc) == []
        assert 'diff' not in result

    def test_purge_removes_unnamed_types(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session(warning_behavior=[{'type': 'UNTRUSTED_CERTIFICATE', 'ignored': True}]))
        code, result = run_module(
            update_session, capsys, check_mode=True, id='S1', purge_warning_behavior=True, warning_behavior=[{'type': 'EXPIRED_CERTIFICATE', 'ignored': False}]
        )
        assert code == 0 and result['changed'] is True
        assert result['update_session']['warning_behavior'] == [{'type': 'EXPIRED_CERTIFICATE', 'ignored': False}]
        assert writes(vc) == []

    def test_check_mode_predicts_and_sends_nothing(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session())
        code, result = run_module(update_session, capsys, check_mode=True, diff=True, id='S1', warning_behavior=[{'type': 'SELF_SIGNED_CERTIFICATE'}])
        assert code == 0 and result['changed'] is True
        assert result['diff']['before']['warning_behavior'] == []
        assert result['diff']['after']['warning_behavior'] == [{'type': 'SELF_SIGNED_CERTIFICATE', 'ignored': True}]
        assert writes(vc) == []

    def test_change_on_a_finished_session_fails_naming_it(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session(state='CANCELED'))
        code, result = run_module(update_session, capsys, id='S1', warning_behavior=[{'type': 'SELF_SIGNED_CERTIFICATE'}])
        assert code == 1
        assert result['msg'] == ('Cannot change the warning behavior of update session S1: it is CANCELED, and only an ACTIVE update session allows that.')
        assert result['session_state'] == 'CANCELED'
        assert writes(vc) == []

    def test_duplicate_types_are_refused_before_any_call(self, vc, capsys):
        code, result = run_module(
            update_session, capsys, id='S1', warning_behavior=[{'type': 'SELF_SIGNED_CERTIFICATE'}, {'type': 'SELF_SIGNED_CERTIFICATE', 'ignored': False}]
        )
        assert code == 1 and result['msg'] == 'warning_behavior lists the type SELF_SIGNED_CERTIFICATE more than once.'
        assert result['error_type'] == 'INVALID_ARGUMENT'
        assert vc.calls == []

    def test_unknown_session_fails_naming_it(self, vc, capsys):
        vc.add('GET', '^%s/S9$' % US, 404, {'error_type': 'NOT_FOUND', 'messages': []})
        code, result = run_module(update_session, capsys, id='S9', warning_behavior=[{'type': 'SELF_SIGNED_CERTIFICATE'}])
        assert code == 1 and result['msg'].startswith('Update session S9 was not found')

    def test_api_error_on_patch_is_reported_with_its_type(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session())
        vc.add(
            'PATCH',
            '^%s/S1$' % US,
            400,
            {'error_type': 'NOT_ALLOWED_IN_CURRENT_STATE', 'messages': [{'id': 'x', 'default_message': 'The session expired.', 'args': []}]},
        )
        code, result = run_module(update_session, capsys, id='S1', warning_behavior=[{'type': 'SELF_SIGNED_CERTIFICATE'}])
        assert code == 1
        assert result['msg'] == (
            'Could not update update session S1: vCenter answered HTTP 400 NOT_ALLOWED_IN_CURRENT_STATE: The session expired. (PATCH %s/S1)' % US
        )
        assert result['error_type'] == 'NOT_ALLOWED_IN_CURRENT_STATE' and result['status'] == 400
        assert vc.paths()[-1] == 'DELETE /api/session'


class TestFail:
    def test_active_session_is_failed(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session(), times=1)
        vc.add('POST', '^%s/S1\\?action=fail$' % US, 204)
        vc.add('GET', '^%s/S1$' % US, 200, session(state='ERROR', error_message={'id': 'e', 'default_message': 'disk unreadable', 'args': []}))
        code, result = run_module(update_session_fail, capsys, diff=True, id='S1', client_error_message='disk unreadable')
        assert code == 0 and result['changed'] is True
        assert [c['json'] for c in vc.calls if c['method'] == 'POST' and 'fail' in c['query']] == [{'client_error_message': 'disk unreadable'}]
        assert result['update_session']['state'] == 'ERROR'
        assert result['diff'] == {'before': {'state': 'ACTIVE'}, 'after': {'state': 'ERROR', 'error_message': 'disk unreadable'}}

    def test_session_in_error_is_unchanged(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session(state='ERROR'))
        code, result = run_module(update_session_fail, capsys, id='S1', client_error_message='x')
        assert code == 0 and result['changed'] is False
        assert writes(vc) == []

    @pytest.mark.parametrize('state', ['DONE', 'CANCELED'])
    def test_finished_session_cannot_be_failed(self, vc, capsys, state):
        vc.add('GET', '^%s/S1$' % US, 200, session(state=state))
        code, result = run_module(update_session_fail, capsys, id='S1', client_error_message='x')
        assert code == 1
        assert result['msg'] == ('Cannot fail update session S1: it is %s, and only an ACTIVE update session allows that.' % state)
        assert writes(vc) == []

    def test_check_mode_sends_nothing(self, vc, capsys):
        vc.add('GET', '^%s/S1$' % US, 200, session())
        code, result = run_module(update_session_fail, capsys, check_mode=True, id='S1', client_error_message='why')
        assert code == 0 and result['changed'] is True
        assert result['update_session']['state'] == 'ERROR'
        assert result['update_session']['error_message']['default_message'] == 'why'
        assert writes(vc) == []

    def test_blank_message_is_refused_before_any_call(self, vc, capsys):
        code, result = run_module(update_session_fail, capsys, id='S1', client_error_message='  ')
        assert code == 1 and result['msg'].startswith('client_error_message must not be empty')
        assert vc.calls == []
