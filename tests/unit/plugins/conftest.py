# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A stub of the HTTP transport for unit tests: scripted answers, recorded requests.

End-to-end behaviour is tested against the simulator (tests/integration); here
only the client's and the modules' own decisions are under test.
"""

from __future__ import annotations

import io
import json
import re

import pytest
import requests
import urllib3
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from ansible_collections.vsphere.content_library.plugins.module_utils import _client


class FakeTransport(BaseAdapter):
    """Answers requests from a list of (method, path regex, status, body) rules, in order.

    A rule with ``times`` answers that many matching requests, then steps aside.
    ``body`` is JSON-encoded unless it is a ``str`` (sent as is), None (empty), or ``bytes``:
    file content, streamed from ``response.raw`` with a Content-Length (unless ``headers``
    say otherwise), which a ``Breaking`` body cuts after some bytes.
    Every request is recorded in ``calls`` as a dict.
    """

    def __init__(self):
        super(FakeTransport, self).__init__()
        self.rules = []
        self.calls = []

    def add(self, method, path, status=200, body=None, times=None, headers=None, sent=None):
        """``sent``: the rule only answers requests whose JSON body holds these keys and values."""
        self.rules.append({'method': method, 'path': re.compile(path), 'status': status, 'body': body, 'times': times, 'headers': headers, 'sent': sent})
        return self

    def send(self, request, **kwargs):
        url = requests.utils.urlparse(request.url)
        body = request.body
        uploaded = None
        if hasattr(body, 'read'):
            # A streamed upload: drain it the way a connection would.
            uploaded = b''.join(iter(lambda: body.read(65536), b''))
            body = None
        if isinstance(body, bytes):
            body = body.decode('utf-8')
        call = {
            'method': request.method,
            'path': url.path,
            'query': url.query,
            'headers': dict(request.headers),
            'json': json.loads(body) if body else None,
            'uploaded': uploaded,
        }
        self.calls.append(call)
        for rule in self.rules:
            sent = rule['sent'] or {}
            if any((call['json'] or {}).get(key) != value for key, value in sent.items()):
                continue
            if rule['method'] == request.method and rule['path'].search(url.path + ('?' + url.query if url.query else '')):
                if rule['times'] is not None:
                    if rule['times'] == 0:
                        continue
                    rule['times'] -= 1
                return self._response(request, rule['status'], rule['body'], rule['headers'])
        return self._response(
            request,
            404,
            {
                'error_type': 'NOT_FOUND',
                'messages': [{'id': 'fake.unmatched', 'default_message': 'no fake rule for %s %s' % (request.method, url.path), 'args': []}],
            },
        )

    @staticmethod
    def _response(request, status, body, headers=None):
        response = requests.Response()
        response.status_code = status
        response.request = request
        response.url = request.url
        # Duck-typed: pytest imports this file as "conftest", and tests import Breaking under the collection's name.
        breaking = hasattr(body, 'after') and hasattr(body, 'raw')
        if isinstance(body, bytes) or breaking:
            data = body.data if breaking else body
            response.raw = body.raw() if breaking else io.BytesIO(data)
            response.headers = CaseInsensitiveDict({'Content-Type': 'application/octet-stream', 'Content-Length': str(len(data))})
            response.headers.update(headers or {})
            for name in [key for key, value in response.headers.items() if value is None]:
                del response.headers[name]
            return response
        if body is None:
            response._content = b''
        elif isinstance(body, str):
            response._content = body.encode('utf-8')
        else:
            response._content = json.dumps(body).encode('utf-8')
        response.headers = CaseInsensitiveDict({'Content-Type': 'application/json'})
        return response

    def close(self):
        pass

    def paths(self):
        return ['%s %s%s' % (c['method'], c['path'], '?' + c['query'] if c['query'] else '') for c in self.calls]


class Breaking:
    """File content whose stream breaks (as a dropped connection would) after ``after`` bytes."""

    def __init__(self, data, after):
        self.data = data
        self.after = after

    def raw(self):
        return _BreakingRaw(self.data, self.after)


class _BreakingRaw:
    def __init__(self, data, after):
        self._stream = io.BytesIO(data[:after])

    def read(self, amt=None):
        chunk = self._stream.read(amt)
        if not chunk:
            raise urllib3.exceptions.ProtocolError('Connection broken: connection reset by peer')
        return chunk

    def close(self):
        pass


@pytest.fixture
def transport(monkeypatch):
    """A FakeTransport that every RestClient made during the test uses instead of the network."""
    fake = FakeTransport()
    monkeypatch.setattr(_client, 'HTTPAdapter', lambda **kwargs: fake)
    return fake
