# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The REST client shared by every module of the collection.

This is a private module: it is not a public API and may change at any time.

One ``requests.Session`` per module run, one vCenter login per run (always
logged out again), either URL flavour, and results in the modern shape.
"""

from __future__ import annotations

import json
import traceback
from concurrent.futures import ThreadPoolExecutor

try:
    from urllib.parse import quote, urlencode
except ImportError:  # pragma: no cover - Python 2 is not supported, but sanity imports on it
    from urllib import quote, urlencode

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    import urllib3
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry
    HAS_REQUESTS = True
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    ApiError,
    ContentLibraryError,
    TransportError,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._operations import (
    API,
    OPERATIONS,
    REST,
)

SESSION_HEADER = 'vmware-api-session-id'
AUTO = 'auto'
# Reads fan out over this many pooled connections (see RestClient.map).
MAX_PARALLEL = 8
# Only idempotent reads are retried, and only on answers that say "try again".
RETRY_STATUSES = (502, 503, 504)


class CheckModeWriteError(ContentLibraryError):
    """A module tried to send a write in check mode: a bug, stopped before anything was sent."""


def retry_policy(retries):
    """Retry what is safe to repeat: failed connections, and GETs answered 502, 503 or 504.

    A POST, PATCH or DELETE that reached vCenter is never sent twice.
    """
    return Retry(total=retries, connect=retries, read=retries, status=retries, other=0,
                 backoff_factor=0.5, status_forcelist=RETRY_STATUSES,
                 allowed_methods=frozenset(['GET']), raise_on_status=False)


def _modernize(value):
    """Turn legacy JSON into the modern shape.

    The legacy flavour encodes every map as a list of ``{"key": k, "value": v}``;
    in our models that is LocalizableMessage ``params``.
    """
    if isinstance(value, list):
        return [_modernize(v) for v in value]
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key == 'params' and isinstance(item, list) and all(isinstance(p, dict) and 'key' in p for p in item):
                result[key] = dict((p['key'], _modernize(p.get('value'))) for p in item)
            else:
                result[key] = _modernize(item)
        return result
    return value


def _short_reason(exc):
    """The innermost reason of a requests/urllib3 exception, without the pool's boilerplate."""
    reason = exc
    seen = set()
    while id(reason) not in seen:
        seen.add(id(reason))
        nested = getattr(reason, 'reason', None)
        if nested is None and reason.args and isinstance(reason.args[0], BaseException):
            nested = reason.args[0]
        if nested is None or not isinstance(nested, BaseException):
            break
        reason = nested
    return str(reason) or reason.__class__.__name__


class RestClient(object):
    """A vSphere Automation API client for one module run.

    ``flavor`` is ``api``, ``rest`` or ``auto``; after ``login()`` it is the one
    that answered. ``check_mode`` makes every write operation raise before it
    is sent, as a second line of defence behind the modules' own checks.
    """

    def __init__(self, hostname, username, password, port=443, validate_certs=True, ca_path=None,
                 proxy_host=None, proxy_port=None, timeout=60, api_flavor=AUTO, check_mode=False,
                 register_secret=None, retries=3):
        host = hostname.strip()
        if ':' in host and not host.startswith('['):
            host = '[%s]' % host  # a bare IPv6 address
        self.server = '%s:%s' % (host, port)
        self.base_url = 'https://%s' % self.server
        self.username = username
        self._password = password
        self.timeout = timeout
        self.requested_flavor = api_flavor
        self.flavor = None if api_flavor == AUTO else api_flavor
        self.check_mode = check_mode
        self._register_secret = register_secret
        self._token = None
        self.http = requests.Session()
        self.http.mount('https://', HTTPAdapter(pool_connections=1, pool_maxsize=MAX_PARALLEL, max_retries=retry_policy(retries)))
        # Given with every request: requests lets REQUESTS_CA_BUNDLE and *_PROXY variables
        # override a Session's own verify and proxies, and the task's options must win.
        self.request_options = {'verify': True}
        if not validate_certs:
            self.request_options['verify'] = False
            # The user chose not to verify; one warning per request would drown the output.
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        elif ca_path:
            self.request_options['verify'] = ca_path
        if proxy_host:
            proxy = 'http://%s:%s' % (proxy_host, proxy_port or 3128)
            self.request_options['proxies'] = {'https': proxy, 'http': proxy}
        # The session id travels in a header; keep no cookie that could outlive it.
        self.http.headers.update({'Accept': 'application/json', 'vmware-use-header-authn': 'true'})

    @classmethod
    def from_params(cls, params, **kwargs):
        return cls(params['hostname'], params['username'], params['password'], port=params['port'],
                   validate_certs=params['validate_certs'], ca_path=params['ca_path'],
                   proxy_host=params['proxy_host'], proxy_port=params['proxy_port'],
                   timeout=params['timeout'], api_flavor=params['api_flavor'], **kwargs)

    # -- transport -------------------------------------------------------

    def _send(self, method, path, query=None, body=None, headers=None, auth=None):
        url = self.base_url + path
        if query:
            url += '?' + urlencode(query)
        data = None
        send_headers = dict(headers or {})
        if body is not None:
            data = json.dumps(body)
            send_headers['Content-Type'] = 'application/json'
        try:
            return self.http.request(method, url, data=data, headers=send_headers, auth=auth, timeout=self.timeout,
                                     **self.request_options)
        except requests.exceptions.SSLError as exc:
            raise TransportError(
                'TLS verification of %s failed (%s %s): %s. Set ca_path to the CA bundle that signed the '
                "vCenter certificate, or validate_certs to false for a lab." % (self.base_url, method, path, _short_reason(exc)),
                'TLS_ERROR')
        except requests.exceptions.ProxyError as exc:
            raise TransportError('Cannot reach %s through the proxy (%s %s): %s' % (self.base_url, method, path, _short_reason(exc)),
                                 'PROXY_ERROR')
        except requests.exceptions.Timeout as exc:
            raise TransportError('%s %s%s timed out after %s seconds: %s' % (method, self.base_url, path, self.timeout, _short_reason(exc)),
                                 'TIMED_OUT')
        except requests.exceptions.ConnectionError as exc:
            raise TransportError('Cannot connect to vCenter at %s (%s %s): %s' % (self.base_url, method, path, _short_reason(exc)),
                                 'CONNECTION_ERROR')
        except requests.exceptions.RequestException as exc:
            raise TransportError('%s %s%s failed: %s' % (method, self.base_url, path, _short_reason(exc)), 'REQUEST_ERROR')

    def _decode(self, response):
        if not response.content:
            return None
        try:
            body = response.json()
        except ValueError:
            return response.text
        if self.flavor == REST:
            if isinstance(body, dict) and set(body) == {'value'}:
                body = body['value']
            body = _modernize(body)
        return body

    # -- login -----------------------------------------------------------

    def login(self):
        """Log in with Basic auth and keep the session id; in auto mode, find the flavour."""
        if self._token:
            return
        flavors = [API, REST] if self.requested_flavor == AUTO else [self.requested_flavor]
        op = OPERATIONS['session.create']
        action = 'log in to %s as %s' % (self.server, self.username)
        for flavor in flavors:
            route = op.routes[flavor]
            response = self._send(route.method, route.path, auth=(self.username, self._password))
            if response.status_code == 404 and flavor == API:
                if len(flavors) > 1:
                    continue  # vCenter before 7.0 U2 has only the legacy flavour
                raise ApiError(404, 'NOT_FOUND', ['this vCenter has no /api endpoint (vSphere before 7.0 U2); '
                                                  'use api_flavor: rest or auto'], route.method, route.path, action)
            if response.status_code >= 400:
                raise ApiError.from_response(response.status_code, response.text, route.method, route.path, action)
            self.flavor = flavor
            token = self._decode(response)
            if not isinstance(token, str) or not token:
                raise ApiError(response.status_code, 'ERROR', ['the login answer holds no session id'],
                               route.method, route.path, action)
            self._token = token
            if self._register_secret:
                self._register_secret(token)
            self.http.headers[SESSION_HEADER] = token
            self.http.cookies.clear()
            return

    def logout(self):
        """End the vCenter login, if any. Never raises: returns a warning text or None."""
        if not self._token:
            return None
        route = OPERATIONS['session.delete'].routes[self.flavor]
        warning = None
        try:
            response = self._send(route.method, route.path)
            if response.status_code >= 400 and response.status_code != 401:
                warning = 'Logging out of %s failed: HTTP %s' % (self.server, response.status_code)
        except ContentLibraryError as exc:
            warning = 'Logging out of %s failed: %s' % (self.server, exc)
        finally:
            self._token = None
            self.http.headers.pop(SESSION_HEADER, None)
        return warning

    def close(self):
        self.http.close()

    # -- operations ------------------------------------------------------

    def call(self, name, **params):
        """Run one operation of the table and return its result in the modern shape."""
        op = OPERATIONS[name]
        if op.write and self.check_mode:
            raise CheckModeWriteError('Internal error: %s was about to be sent in check mode; nothing was sent.' % op.describe(params))
        if not self._token:
            self.login()
        route = op.routes[self.flavor]
        path = route.path.format(**dict((k, quote(str(v), safe='')) for k, v in params.items() if v is not None))
        query = dict(route.fixed_query)
        for key, param in route.query.items():
            if params.get(param) is not None:
                query[key] = params[param]
        headers = dict((header, str(params[param])) for header, param in route.headers.items() if params.get(param) is not None)
        body = None
        if isinstance(route.body, dict):
            body = dict((key, params[param]) for key, param in route.body.items() if params.get(param) is not None) or None
        elif route.body:
            body = params.get(route.body)
        response = self._send(route.method, path, query=query, body=body, headers=headers)
        if response.status_code >= 400:
            raise ApiError.from_response(response.status_code, response.text, route.method, path, op.describe(params))
        return self._decode(response)

    def upload(self, uri, body, action):
        """PUT a streaming body to an upload endpoint that vCenter gave out; raise ApiError on a bad answer."""
        if self.check_mode:
            raise CheckModeWriteError('Internal error: %s was about to be sent in check mode; nothing was sent.' % action)
        headers = {'Content-Type': 'application/octet-stream', 'Content-Length': str(len(body))}
        path = requests.utils.urlparse(uri).path
        try:
            response = self.http.put(uri, data=body, headers=headers, timeout=self.timeout, **self.request_options)
        except requests.exceptions.RequestException as exc:
            raise TransportError('Could not %s: the upload to %s failed: %s' % (action, uri, _short_reason(exc)), 'UPLOAD_ERROR')
        if response.status_code >= 400:
            raise ApiError.from_response(response.status_code, response.text, 'PUT', path, action)
        return response.status_code

    def map(self, function, items):
        """``[function(item) for item in items]``, run concurrently over the connection pool."""
        items = list(items)
        if len(items) < 2:
            return [function(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(items))) as pool:
            return list(pool.map(function, items))
