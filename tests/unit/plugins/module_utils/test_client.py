# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import time

import pytest
import requests

from ansible_collections.vsphere.content_library.plugins.module_utils import _client
from ansible_collections.vsphere.content_library.plugins.module_utils._client import (
    CheckModeWriteError,
    RestClient,
    retry_policy,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import ApiError, TransportError
from ansible_collections.vsphere.content_library.plugins.module_utils._operations import OPERATIONS
from ansible_collections.vsphere.content_library.plugins.module_utils._transfer import Heartbeat

US_API = '/api/content/library/item/update-session'
US_REST = '/rest/com/vmware/content/library/item/update-session'


def make_client(flavor='auto', **kwargs):
    return RestClient('vc.example.com', 'admin@vsphere.local', 's3cret!', api_flavor=flavor, **kwargs)


def api_login(transport):
    transport.add('POST', '^/api/session$', 201, 'tok-api-123'.join('""'))
    transport.add('DELETE', '^/api/session$', 204)


def rest_login(transport):
    transport.add('POST', '^/rest/com/vmware/cis/session$', 200, {'value': 'tok-rest-456'})
    transport.add('DELETE', '^/rest/com/vmware/cis/session$', 200)


class TestFlavorDetection:
    def test_auto_prefers_api(self, transport):
        api_login(transport)
        client = make_client()
        client.login()
        assert client.flavor == 'api'
        assert transport.paths() == ['POST /api/session']
        assert transport.calls[0]['headers']['Authorization'].startswith('Basic ')
        assert client.http.headers['vmware-api-session-id'] == 'tok-api-123'

    def test_auto_falls_back_to_rest_when_api_is_missing(self, transport):
        transport.add('POST', '^/api/session$', 404, '<html>Not found</html>')
        rest_login(transport)
        client = make_client()
        client.login()
        assert client.flavor == 'rest'
        assert transport.paths() == ['POST /api/session', 'POST /rest/com/vmware/cis/session']
        assert client.http.headers['vmware-api-session-id'] == 'tok-rest-456'

    def test_auto_does_not_fall_back_on_wrong_password(self, transport):
        transport.add('POST', '^/api/session$', 401, {'error_type': 'UNAUTHENTICATED', 'messages': [
            {'id': 'x', 'default_message': 'Authentication required.', 'args': []}]})
        rest_login(transport)
        with pytest.raises(ApiError) as err:
            make_client().login()
        assert transport.paths() == ['POST /api/session']
        assert err.value.status == 401 and err.value.error_type == 'UNAUTHENTICATED'
        assert str(err.value).startswith('Could not log in to vc.example.com:443 as admin@vsphere.local: vCenter answered HTTP 401')
        assert 's3cret!' not in str(err.value)

    def test_forced_api_on_an_old_vcenter_says_what_to_do(self, transport):
        transport.add('POST', '^/api/session$', 404, '')
        with pytest.raises(ApiError) as err:
            make_client('api').login()
        assert 'use api_flavor: rest or auto' in str(err.value)

    def test_forced_rest_never_tries_api(self, transport):
        rest_login(transport)
        client = make_client('rest')
        client.login()
        assert transport.paths() == ['POST /rest/com/vmware/cis/session']

    def test_token_is_registered_as_a_secret(self, transport):
        api_login(transport)
        secrets = []
        make_client(register_secret=secrets.append).login()
        assert secrets == ['tok-api-123']


class TestErrorParsing:
    def test_modern_body(self):
        err = ApiError.from_response(400, '{"error_type": "NOT_ALLOWED_IN_CURRENT_STATE", "messages": ['
                                          '{"id": "a", "default_message": "Session S is DONE.", "args": []}]}',
                                     'PATCH', '/api/x', 'update update session S')
        assert (err.status, err.error_type, err.messages) == (400, 'NOT_ALLOWED_IN_CURRENT_STATE', ['Session S is DONE.'])
        assert str(err) == ('Could not update update session S: vCenter answered HTTP 400 NOT_ALLOWED_IN_CURRENT_STATE: '
                            'Session S is DONE. (PATCH /api/x)')

    def test_legacy_body_without_error_type(self):
        err = ApiError.from_response(404, '{"type": "com.vmware.vapi.std.errors.not_found", "value": {"messages": ['
                                          '{"id": "a", "default_message": "Not here.", "args": []}], "data": {}}}',
                                     'GET', '/rest/x')
        assert (err.error_type, err.messages) == ('NOT_FOUND', ['Not here.'])

    def test_legacy_body_with_error_type(self):
        err = ApiError.from_response(500, '{"type": "com.vmware.vapi.std.errors.resource_busy", "value": '
                                          '{"error_type": "RESOURCE_BUSY", "messages": []}}', 'POST', '/rest/x')
        assert err.error_type == 'RESOURCE_BUSY'
        assert err.server_message() == 'the server gave no message'

    def test_body_that_is_not_json(self):
        err = ApiError.from_response(502, '<html>\n<body>Bad   gateway</body></html>', 'GET', '/api/x')
        assert err.error_type == 'ERROR'
        assert err.messages == ['<html> <body>Bad gateway</body></html>']

    def test_empty_body_takes_the_type_from_the_status(self):
        err = ApiError.from_response(503, '', 'GET', '/api/x')
        assert err.error_type == 'SERVICE_UNAVAILABLE'
        assert err.messages == []


class TestCalls:
    def test_modern_create_sends_the_token_as_a_header(self, transport):
        api_login(transport)
        transport.add('POST', '^%s$' % US_API, 201, '"S1"')
        client = make_client()
        result = client.call('update_session.create', create_spec={'library_item_id': 'I1'}, client_token='T1')
        assert result == 'S1'
        call = transport.calls[-1]
        assert call['json'] == {'library_item_id': 'I1'}
        assert call['headers']['Client-Token'] == 'T1'
        assert call['headers']['vmware-api-session-id'] == 'tok-api-123'

    def test_legacy_create_wraps_the_spec(self, transport):
        rest_login(transport)
        transport.add('POST', '^%s$' % US_REST, 200, {'value': 'S1'})
        client = make_client('rest')
        assert client.call('update_session.create', create_spec={'library_item_id': 'I1'}, client_token='T1') == 'S1'
        assert transport.calls[-1]['json'] == {'create_spec': {'library_item_id': 'I1'}, 'client_token': 'T1'}
        assert 'Client-Token' not in transport.calls[-1]['headers']

    def test_legacy_results_come_back_in_the_modern_shape(self, transport):
        rest_login(transport)
        transport.add('GET', '^%s/id:S%%2F1$' % US_REST, 200, {'value': {
            'state': 'ERROR', 'error_message': {'id': 'm', 'default_message': 'boom', 'args': [],
                                                'params': [{'key': 'file', 'value': {'s': 'a.iso'}}]}}})
        session = make_client('rest').call('update_session.get', update_session_id='S/1')
        assert session == {'state': 'ERROR', 'error_message': {'id': 'm', 'default_message': 'boom', 'args': [],
                                                               'params': {'file': {'s': 'a.iso'}}}}

    @pytest.mark.parametrize('flavor, expected', [
        ('api', 'POST %s/S1?action=keep-alive' % US_API),
        ('rest', 'POST %s/id:S1?~action=keep-alive' % US_REST),
    ])
    def test_actions_use_the_flavors_query(self, transport, flavor, expected):
        api_login(transport)
        rest_login(transport)
        transport.add('POST', 'keep-alive', 204 if flavor == 'api' else 200)
        make_client(flavor).call('update_session.keep_alive', update_session_id='S1', client_progress=40)
        assert transport.paths()[-1] == expected
        assert transport.calls[-1]['json'] == {'client_progress': 40}

    def test_optional_body_is_left_out(self, transport):
        api_login(transport)
        transport.add('POST', 'keep-alive', 204)
        assert make_client('api').call('update_session.keep_alive', update_session_id='S1') is None
        assert transport.calls[-1]['json'] is None

    def test_list_filter_is_a_query_parameter(self, transport):
        api_login(transport)
        transport.add('GET', '^%s\\?library_item_id=I1$' % US_API, 200, ['S1', 'S2'])
        assert make_client('api').call('update_session.list', library_item_id='I1') == ['S1', 'S2']

    def test_error_names_the_operation_and_the_id(self, transport):
        api_login(transport)
        transport.add('GET', '^%s/S9$' % US_API, 404, {'error_type': 'NOT_FOUND', 'messages': [
            {'id': 'x', 'default_message': 'Update session S9 not found.', 'args': []}]})
        with pytest.raises(ApiError) as err:
            make_client('api').call('update_session.get', update_session_id='S9')
        assert str(err.value) == ('Could not get update session S9: vCenter answered HTTP 404 NOT_FOUND: '
                                  'Update session S9 not found. (GET %s/S9)' % US_API)

    def test_create_error_names_the_item_of_the_spec(self, transport):
        api_login(transport)
        transport.add('POST', '^%s$' % US_API, 400, {'error_type': 'INVALID_ELEMENT_TYPE', 'messages': []})
        with pytest.raises(ApiError) as err:
            make_client('api').call('update_session.create', create_spec={'library_item_id': 'I7'}, client_token='T')
        assert str(err.value).startswith('Could not create an update session for library item I7: vCenter answered HTTP 400')

    def test_check_mode_refuses_writes_before_sending(self, transport):
        api_login(transport)
        client = make_client('api', check_mode=True)
        client.login()
        with pytest.raises(CheckModeWriteError):
            client.call('update_session.fail', update_session_id='S1', client_error_message='x')
        assert transport.paths() == ['POST /api/session']

    def test_every_write_operation_is_marked(self):
        writes = sorted(name for name, op in OPERATIONS.items() if op.write)
        assert writes == ['file.add', 'file.remove', 'update_session.cancel', 'update_session.complete',
                          'update_session.create', 'update_session.delete', 'update_session.fail',
                          'update_session.keep_alive', 'update_session.update']

    def test_map_keeps_the_order(self, transport):
        client = make_client('api')
        assert client.map(lambda x: x * 2, range(20)) == [x * 2 for x in range(20)]


class TestLogout:
    def test_logout_ends_the_login(self, transport):
        api_login(transport)
        client = make_client()
        client.login()
        assert client.logout() is None
        assert transport.paths() == ['POST /api/session', 'DELETE /api/session']
        assert transport.calls[-1]['headers']['vmware-api-session-id'] == 'tok-api-123'
        assert 'vmware-api-session-id' not in client.http.headers

    def test_logout_without_login_sends_nothing(self, transport):
        assert make_client().logout() is None
        assert transport.calls == []

    def test_failed_logout_is_a_warning_not_an_error(self, transport):
        transport.add('POST', '^/api/session$', 201, '"tok"')
        transport.add('DELETE', '^/api/session$', 500, {'error_type': 'ERROR', 'messages': []})
        client = make_client()
        client.login()
        assert client.logout() == 'Logging out of vc.example.com:443 failed: HTTP 500'


class TestTransportErrors:
    @pytest.mark.parametrize('exc, kind, words', [
        (requests.exceptions.SSLError('certificate verify failed'), 'TLS_ERROR', 'Set ca_path'),
        (requests.exceptions.ConnectTimeout('slow'), 'TIMED_OUT', 'timed out after 60 seconds'),
        (requests.exceptions.ConnectionError('refused'), 'CONNECTION_ERROR', 'Cannot connect to vCenter at https://vc.example.com:443'),
        (requests.exceptions.ProxyError('proxy down'), 'PROXY_ERROR', 'through the proxy'),
    ])
    def test_each_failure_has_its_own_message(self, transport, monkeypatch, exc, kind, words):
        def boom(*args, **kwargs):
            raise exc
        monkeypatch.setattr(transport, 'send', boom)
        with pytest.raises(TransportError) as err:
            make_client().login()
        assert err.value.kind == kind
        assert words in str(err.value)
        assert 's3cret!' not in str(err.value)


class TestRetryPolicy:
    def test_only_gets_are_retried_on_busy_answers(self):
        policy = retry_policy(3)
        assert policy.is_retry('GET', 503)
        assert policy.is_retry('GET', 502)
        assert not policy.is_retry('GET', 500)
        assert not policy.is_retry('POST', 503)
        assert not policy.is_retry('PATCH', 503)
        assert not policy.is_retry('DELETE', 503)

    def test_the_adapter_uses_it(self, monkeypatch):
        seen = {}

        def adapter(**kwargs):
            seen.update(kwargs)
            return requests.adapters.HTTPAdapter(**kwargs)
        monkeypatch.setattr(_client, 'HTTPAdapter', adapter)
        make_client()
        assert seen['max_retries'].status_forcelist == (502, 503, 504)
        assert seen['pool_maxsize'] == _client.MAX_PARALLEL


class TestConnectionOptions:
    def test_ipv6_host_is_bracketed(self):
        assert RestClient('fd00::1', 'u', 'p').base_url == 'https://[fd00::1]:443'

    def test_proxy_and_ca_win_over_the_environment(self, transport, monkeypatch):
        monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/certs/ca-certificates.crt')
        monkeypatch.setenv('HTTPS_PROXY', 'http://env-proxy:1')
        seen = []
        real_send = transport.send

        def send(request, **kwargs):
            seen.append(kwargs)
            return real_send(request, **kwargs)
        monkeypatch.setattr(transport, 'send', send)
        api_login(transport)
        RestClient('vc', 'u', 'p', ca_path='/etc/ca.pem', proxy_host='proxy', proxy_port=8080).login()
        assert seen[0]['verify'] == '/etc/ca.pem'
        assert seen[0]['proxies']['https'] == 'http://proxy:8080'

    def test_no_validation(self):
        assert RestClient('vc', 'u', 'p', validate_certs=False, ca_path='/x').request_options['verify'] is False


class TestHeartbeat:
    def test_beats_until_the_block_ends_and_keeps_errors(self):
        beats = []

        def beat():
            beats.append(1)
            if len(beats) == 2:
                raise RuntimeError('keep-alive refused')
        with Heartbeat(0.01, beat) as heartbeat:
            deadline = time.monotonic() + 5
            while len(beats) < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
        count = len(beats)
        time.sleep(0.05)
        assert count >= 3 and len(beats) == count
        assert [str(e) for e in heartbeat.errors] == ['keep-alive refused']

    def test_no_interval_no_thread(self):
        with Heartbeat(0, lambda: None) as heartbeat:
            assert not heartbeat._thread.is_alive()
