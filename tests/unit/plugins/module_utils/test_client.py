# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import time

import pytest
import requests
import urllib3

from ansible_collections.vsphere.content_library.plugins.module_utils import _client
from ansible_collections.vsphere.content_library.plugins.module_utils._client import (
    CheckModeWriteError,
    RestClient,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    ApiError,
    BadAnswerError,
    OutcomeUnknownError,
    TransportError,
    UserInputError,
)
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
        transport.add(
            'POST',
            '^/api/session$',
            401,
            {'error_type': 'UNAUTHENTICATED', 'messages': [{'id': 'x', 'default_message': 'Authentication required.', 'args': []}]},
        )
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
        err = ApiError.from_response(
            400,
            '{"error_type": "NOT_ALLOWED_IN_CURRENT_STATE", "messages": [{"id": "a", "default_message": "Session S is DONE.", "args": []}]}',
            'PATCH',
            '/api/x',
            'update update session S',
        )
        assert (err.status, err.error_type, err.messages) == (400, 'NOT_ALLOWED_IN_CURRENT_STATE', ['Session S is DONE.'])
        assert str(err) == ('Could not update update session S: vCenter answered HTTP 400 NOT_ALLOWED_IN_CURRENT_STATE: Session S is DONE. (PATCH /api/x)')

    def test_legacy_body_without_error_type(self):
        err = ApiError.from_response(
            404,
            '{"type": "com.vmware.vapi.std.errors.not_found", "value": {"messages": [{"id": "a", "default_message": "Not here.", "args": []}], "data": {}}}',
            'GET',
            '/rest/x',
        )
        assert (err.error_type, err.messages) == ('NOT_FOUND', ['Not here.'])

    def test_legacy_body_with_error_type(self):
        err = ApiError.from_response(
            500, '{"type": "com.vmware.vapi.std.errors.resource_busy", "value": {"error_type": "RESOURCE_BUSY", "messages": []}}', 'POST', '/rest/x'
        )
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
        transport.add(
            'GET',
            '^%s/id:S%%3A1$' % US_REST,
            200,
            {
                'value': {
                    'state': 'ERROR',
                    'library_item_id': 'I1',
                    'error_message': {'id': 'm', 'default_message': 'boom', 'args': [], 'params': [{'key': 'file', 'value': {'s': 'a.iso'}}]},
                }
            },
        )
        session = make_client('rest').call('update_session.get', update_session_id='S:1')
        assert session == {
            'state': 'ERROR',
            'library_item_id': 'I1',
            'error_message': {'id': 'm', 'default_message': 'boom', 'args': [], 'params': {'file': {'s': 'a.iso'}}},
        }

    @pytest.mark.parametrize('bad_id', ['', '.', '..', 'a/b', 'a?b', 'a#b', 'a b', 'x' * 300])
    def test_an_id_that_is_not_one_path_segment_is_never_sent(self, transport, bad_id):
        api_login(transport)
        client = make_client('api')
        client.login()
        with pytest.raises(UserInputError):
            client.call('update_session.get', update_session_id=bad_id)
        assert transport.paths() == ['POST /api/session']

    @pytest.mark.parametrize(
        'flavor, expected',
        [
            ('api', 'POST %s/S1?action=keep-alive' % US_API),
            ('rest', 'POST %s/id:S1?~action=keep-alive' % US_REST),
        ],
    )
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
        transport.add(
            'GET',
            '^%s/S9$' % US_API,
            404,
            {'error_type': 'NOT_FOUND', 'messages': [{'id': 'x', 'default_message': 'Update session S9 not found.', 'args': []}]},
        )
        with pytest.raises(ApiError) as err:
            make_client('api').call('update_session.get', update_session_id='S9')
        assert str(err.value) == ('Could not get update session S9: vCenter answered HTTP 404 NOT_FOUND: Update session S9 not found. (GET %s/S9)' % US_API)

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
        assert writes == [
            'download_session.cancel',
            'download_session.create',
            'download_session.delete',
            'download_session.fail',
            'download_session.keep_alive',
            'file.add',
            'file.remove',
            'item.copy',
            'item.create',
            'item.delete',
            'item.update',
            'update_session.cancel',
            'update_session.complete',
            'update_session.create',
            'update_session.delete',
            'update_session.fail',
            'update_session.keep_alive',
            'update_session.update',
        ]

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
    @pytest.mark.parametrize(
        'exc, kind, words',
        [
            (requests.exceptions.SSLError('certificate verify failed'), 'TLS_ERROR', 'Set ca_path'),
            (
                requests.exceptions.ConnectTimeout('slow'),
                'TIMED_OUT',
                'Could not log in to vc.example.com:443 as admin@vsphere.local: the request timed out after 60 seconds',
            ),
            (requests.exceptions.ConnectionError('refused'), 'CONNECTION_ERROR', 'cannot connect to vCenter at https://vc.example.com:443'),
            (requests.exceptions.ProxyError('proxy down'), 'PROXY_ERROR', 'through the proxy'),
        ],
    )
    def test_each_failure_has_its_own_message(self, transport, monkeypatch, exc, kind, words):
        def boom(*args, **kwargs):
            raise exc

        monkeypatch.setattr(transport, 'send', boom)
        monkeypatch.setattr(_client.time, 'sleep', lambda seconds: None)
        with pytest.raises(TransportError) as err:
            make_client(retries=0).login()
        assert err.value.kind == kind
        assert words in str(err.value)
        assert 's3cret!' not in str(err.value)


def scripted(transport, monkeypatch, answers):
    """Make the transport raise or answer from ``answers`` in turn (an exception, or a (status, body) pair)."""
    real_send = transport.send
    script = list(answers)

    def send(request, **kwargs):
        if request.url.endswith('/api/session'):
            return real_send(request, **kwargs)
        transport.calls.append(
            {
                'method': request.method,
                'path': requests.utils.urlparse(request.url).path,
                'query': '',
                'headers': dict(request.headers),
                'json': None,
                'uploaded': None,
            }
        )
        step = script.pop(0)
        if isinstance(step, BaseException):
            raise step
        return transport._response(request, *step)

    monkeypatch.setattr(transport, 'send', send)
    monkeypatch.setattr(_client.time, 'sleep', lambda seconds: None)


SESSION = {'library_item_id': 'I1', 'state': 'ACTIVE', 'client_progress': 0}


class TestRetries:
    def test_a_get_is_retried_on_busy_answers_and_dropped_connections(self, transport, monkeypatch):
        api_login(transport)
        scripted(transport, monkeypatch, [(503, None), requests.exceptions.ConnectionError('reset'), (502, None), (200, SESSION)])
        assert make_client('api').call('update_session.get', update_session_id='S1') == SESSION
        assert transport.paths().count('GET %s/S1' % US_API) == 4

    def test_retries_stop_at_the_option(self, transport, monkeypatch):
        api_login(transport)
        scripted(transport, monkeypatch, [(503, None)] * 3)
        with pytest.raises(ApiError) as err:
            make_client('api', retries=2).call('update_session.get', update_session_id='S1')
        assert err.value.status == 503
        assert transport.paths().count('GET %s/S1' % US_API) == 3

    def test_a_write_is_sent_once_on_a_busy_answer(self, transport, monkeypatch):
        api_login(transport)
        scripted(transport, monkeypatch, [(503, None), (204, None)])
        with pytest.raises(ApiError):
            make_client('api').call('update_session.update', update_session_id='S1', update_spec={})
        assert transport.paths().count('PATCH %s/S1' % US_API) == 1

    def test_a_write_whose_answer_is_lost_is_not_repeated(self, transport, monkeypatch):
        api_login(transport)
        scripted(transport, monkeypatch, [requests.exceptions.ReadTimeout('slow'), (204, None)])
        with pytest.raises(OutcomeUnknownError) as err:
            make_client('api', timeout=5).call('update_session.complete', update_session_id='S1')
        assert 'Could not complete update session S1: the request timed out after 5 seconds' in str(err.value)
        assert 'may or may not have taken effect' in str(err.value)
        assert transport.paths().count('POST %s/S1' % US_API) == 1

    def test_a_write_that_never_left_is_sent_again(self, transport, monkeypatch):
        api_login(transport)
        refused = requests.exceptions.ConnectionError(urllib3.exceptions.NewConnectionError(None, 'refused'))
        scripted(transport, monkeypatch, [refused, (204, None)])
        make_client('api').call('update_session.complete', update_session_id='S1')
        assert transport.paths().count('POST %s/S1' % US_API) == 2

    def test_a_create_with_a_client_token_is_retried(self, transport, monkeypatch):
        api_login(transport)
        scripted(transport, monkeypatch, [requests.exceptions.ReadTimeout('slow'), (201, '"S1"')])
        client = make_client('api')
        assert client.call('update_session.create', create_spec={'library_item_id': 'I1'}, client_token='T1') == 'S1'
        assert [c['headers'].get('Client-Token') for c in transport.calls if c['method'] == 'POST' and 'update' in c['path']] == ['T1', 'T1']

    def test_a_401_logs_in_again_and_repeats_once(self, transport, monkeypatch):
        api_login(transport)
        scripted(transport, monkeypatch, [(401, None), (204, None)])
        client = make_client('api')
        client.login()
        client.call('update_session.cancel', update_session_id='S1')
        assert transport.paths().count('POST /api/session') == 2
        assert transport.paths().count('DELETE /api/session') == 1  # the expired login, ended in case it still lives
        assert transport.paths().count('POST %s/S1' % US_API) == 2

    def test_the_adapter_repeats_nothing_itself(self, monkeypatch):
        seen = {}

        def adapter(**kwargs):
            seen.update(kwargs)
            return requests.adapters.HTTPAdapter(**kwargs)

        monkeypatch.setattr(_client, 'HTTPAdapter', adapter)
        make_client()
        assert seen['max_retries'] == 0
        assert seen['pool_maxsize'] == _client.MAX_PARALLEL

    def test_backoff_grows_and_stays_in_the_deadline(self):
        assert 0.25 <= _client.backoff_delay(0) <= 0.5
        assert 2.0 <= _client.backoff_delay(3) <= 4.0
        assert _client.backoff_delay(10) <= _client.BACKOFF_CAP


class TestOrigin:
    def test_a_redirect_to_another_host_is_not_followed(self, transport, monkeypatch):
        api_login(transport)
        real = transport._response

        def redirect(request, status, body, headers=None):
            response = real(request, status, body, headers)
            response.headers['Location'] = 'https://evil.example.com/api/x'
            return response

        monkeypatch.setattr(transport, '_response', redirect)
        transport.add('GET', 'update-session', 307)
        client = make_client('api')
        with pytest.raises(TransportError) as err:
            client.call('update_session.list')
        assert err.value.kind == 'REDIRECT_REFUSED'
        assert 'https://evil.example.com' in str(err.value)
        assert not any('evil' in c['path'] for c in transport.calls)

    @pytest.mark.parametrize(
        'url, same',
        [
            ('https://vc.example.com/x', True),
            ('https://VC.example.com:443/x', True),
            ('http://vc.example.com/x', False),
            ('https://vc.example.com:8443/x', False),
            ('https://other/x', False),
        ],
    )
    def test_same_origin(self, url, same):
        assert make_client().same_origin(url) is same

    def test_an_upload_endpoint_elsewhere_goes_to_our_host(self):
        warnings = []
        client = make_client(warn=warnings.append)
        assert (
            client.transfer_url('https://esx.example.com:9443/cls/data/abc/disk.vmdk?x=1', 'upload a file')
            == 'https://vc.example.com:443/cls/data/abc/disk.vmdk?x=1'
        )
        assert 'esx.example.com:9443' in warnings[0]
        assert client.transfer_url('https://vc.example.com/cls/data/abc', 'upload a file') == 'https://vc.example.com/cls/data/abc'
        assert len(warnings) == 1


class TestAnswers:
    @pytest.mark.parametrize(
        'body, words',
        [
            ('<html><body>Login</body></html>', 'not JSON'),
            ('', 'empty'),
            ('{"state": "ACT', 'not JSON'),
            ('null', 'null'),
            ('[]', 'not a JSON object'),
            ('{"library_item_id": "I1"}', 'has no state'),
            ('{"library_item_id": "I1", "state": "BOGUS"}', "'BOGUS' is not one of"),
        ],
    )
    def test_a_session_get_that_is_not_a_session(self, transport, body, words):
        api_login(transport)
        transport.add('GET', 'update-session/S1', 200, body)
        with pytest.raises(BadAnswerError) as err:
            make_client('api').call('update_session.get', update_session_id='S1')
        assert words in str(err.value)
        assert 'Could not get update session S1: vCenter answered HTTP 200' in str(err.value)
        assert repr(body[:200]) in str(err.value)

    def test_legacy_value_null(self, transport):
        rest_login(transport)
        transport.add('GET', 'update-session/id:S1', 200, {'value': None})
        with pytest.raises(BadAnswerError):
            make_client('rest').call('update_session.get', update_session_id='S1')

    @pytest.mark.parametrize('flavor, body', [('api', 'null'), ('rest', {'value': None})])
    def test_a_list_answered_null_is_empty(self, transport, flavor, body):
        # Go's encoding of an empty list (govmomi's vcsim answers {"value": null}); govmomi's client reads it as empty.
        (api_login if flavor == 'api' else rest_login)(transport)
        transport.add('GET', 'update-session', 200, body)
        transport.add('GET', 'download-session', 200, body)
        client = make_client(flavor)
        assert client.call('update_session.list') == []
        assert client.call('download_session.list') == []

    @pytest.mark.parametrize(
        'operation, params',
        [
            ('update_session.get', {'update_session_id': 'S1'}),
            ('download_session.get', {'download_session_id': 'S1'}),
            ('download_file.get', {'download_session_id': 'S1', 'file_name': 'disk.vmdk'}),
            ('item.get', {'library_item_id': 'I1'}),
        ],
    )
    def test_an_object_answered_null_is_refused(self, transport, operation, params):
        rest_login(transport)
        transport.add('GET', '.', 200, {'value': None})
        transport.add('POST', '~action=get', 200, {'value': None})
        with pytest.raises(BadAnswerError) as err:
            make_client('rest').call(operation, **params)
        assert 'the answer is null' in str(err.value)

    def test_an_empty_body_is_refused_for_a_list(self, transport):
        api_login(transport)
        transport.add('GET', 'update-session', 200, '')
        with pytest.raises(BadAnswerError) as err:
            make_client('api').call('update_session.list')
        assert 'the answer is empty' in str(err.value)

    def test_an_html_list_is_not_iterated(self, transport):
        api_login(transport)
        transport.add('GET', 'update-session', 200, '<html>' + 'x' * 500 + '</html>')
        with pytest.raises(BadAnswerError) as err:
            make_client('api').call('update_session.list')
        assert len(transport.calls) == 2
        assert len(err.value.excerpt) == 200

    def test_an_html_login_page_is_no_token(self, transport):
        transport.add('POST', '^/api/session$', 200, '<html>Welcome</html>')
        with pytest.raises(BadAnswerError) as err:
            make_client('api').login()
        assert 'log in' in str(err.value)


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
