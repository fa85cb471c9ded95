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
import random
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

try:
    from urllib.parse import quote, urlencode, urljoin, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, but sanity imports on it
    from urllib import quote, urlencode
    from urlparse import urljoin, urlsplit

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    import urllib3
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.vsphere.content_library.plugins.module_utils import _answers as answers
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    ApiError,
    BadAnswerError,
    ContentLibraryError,
    OutcomeUnknownError,
    TransportError,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._operations import (
    API,
    OPERATIONS,
    REST,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import check_id, resolve_endpoint

SESSION_HEADER = 'vmware-api-session-id'
AUTO = 'auto'
# Reads fan out over this many pooled connections (see RestClient.map).
MAX_PARALLEL = 8
# Answers that say "try again": only safe requests are sent again after them.
RETRY_STATUSES = (502, 503, 504)
# Exponential back-off with full jitter: base * 2**attempt seconds at most, capped.
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
# The ids a failure result reports, taken from the calls' parameters.
ID_PARAMS = ('update_session_id', 'library_item_id', 'library_id')
# Same-origin redirects followed at most this many times in a row.
MAX_REDIRECTS = 3


class CheckModeWriteError(ContentLibraryError):
    """A module tried to send a write in check mode: a bug, stopped before anything was sent."""


def backoff_delay(attempt, remaining):
    """Seconds to wait before retry number ``attempt`` (0-based), never past the deadline."""
    return max(0.0, min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt)) * random.uniform(0.5, 1.0) if remaining > 0 else 0.0)


def _not_sent(exc):
    """Whether a failed request certainly never reached the server (so any method may be sent again)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc
    seen = set()
    while reason is not None and id(reason) not in seen:
        seen.add(id(reason))
        if isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError)):
            return True
        nested = getattr(reason, 'reason', None)
        if nested is None and getattr(reason, 'args', None) and isinstance(reason.args[0], BaseException):
            nested = reason.args[0]
        reason = nested if isinstance(nested, BaseException) else None
    return False


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

    Safe requests (reads, and creates that carry a client token) are sent again
    on dropped connections, time-outs and 502/503/504, with exponential back-off
    and jitter, at most ``retries`` times and within one deadline of
    ``timeout * (retries + 1)`` seconds. Other writes are sent once: when their
    answer is lost, ``OutcomeUnknownError`` tells the caller to read the state back.
    The session token only ever goes to the origin the client logged in to.
    """

    def __init__(self, hostname, username, password, port=443, validate_certs=True, ca_path=None,
                 proxy_host=None, proxy_port=None, proxy_protocol='http', timeout=60, retries=3, api_flavor=AUTO,
                 check_mode=False, register_secret=None, warn=None):
        host = hostname.strip().strip('[]')
        self.host = host.lower()
        self.port = int(port)
        self.server = '%s:%s' % ('[%s]' % host if ':' in host else host, port)
        self.base_url = 'https://%s' % self.server
        self.username = username
        self._password = password
        self.timeout = timeout
        self.retries = retries
        self.requested_flavor = api_flavor
        self.flavor = None if api_flavor == AUTO else api_flavor
        self.check_mode = check_mode
        self._register_secret = register_secret
        self._warn = warn
        self._token = None
        self._login_lock = threading.Lock()
        # What this run created, so that a failing task can end or remove it (see _module.py),
        # and the ids it worked on, for its failure result.
        self.opened_sessions = []
        self.created_items = []
        self.ids = {}
        self.http = requests.Session()
        # Retries are ours (see _send): urllib3 must not repeat anything behind our back.
        self.http.mount('https://', HTTPAdapter(pool_connections=1, pool_maxsize=MAX_PARALLEL, max_retries=0))
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
            proxy = '%s://%s:%s' % (proxy_protocol or 'http', '[%s]' % proxy_host if ':' in proxy_host else proxy_host,
                                    proxy_port or 3128)
            self.request_options['proxies'] = {'https': proxy, 'http': proxy}
        # The session id travels in a header; keep no cookie that could outlive it.
        self.http.headers.update({'Accept': 'application/json', 'vmware-use-header-authn': 'true'})

    @classmethod
    def from_params(cls, params, **kwargs):
        host, port = resolve_endpoint(params)
        return cls(host, params['username'], params['password'], port=port,
                   validate_certs=params['validate_certs'], ca_path=params['ca_path'],
                   proxy_host=params['proxy_host'], proxy_port=params['proxy_port'],
                   proxy_protocol=params.get('proxy_protocol'),
                   timeout=params['timeout'], retries=params['retries'], api_flavor=params['api_flavor'], **kwargs)

    # -- transport -------------------------------------------------------

    def same_origin(self, url):
        """Whether ``url`` is on the scheme, host and port this client logged in to."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == 'https' else 80)
        except ValueError:
            return False
        return parts.scheme == 'https' and (parts.hostname or '').lower() == self.host and port == self.port

    def _send(self, method, path, query=None, body=None, headers=None, auth=None, action=None,
              safe=False, retry_on_status=None, read_timeout=None, timeout=None):
        """Send one request, with retries when that is safe; return the response.

        ``safe``: the request may be sent again after a failure that leaves its
        outcome unknown. ``retry_on_status``: sent again after 502/503/504 (the
        default is ``safe``). A request that certainly never left is always retried.
        """
        timeout = timeout or self.timeout
        retry_on_status = safe if retry_on_status is None else retry_on_status
        action = action or '%s %s' % (method, path)
        url = self.base_url + path
        if query:
            url += '?' + urlencode(query)
        data = None
        send_headers = dict(headers or {})
        if body is not None:
            data = json.dumps(body)
            send_headers['Content-Type'] = 'application/json'
        started = time.monotonic()
        deadline = started + timeout * (self.retries + 1)
        attempt = redirects = 0
        while True:
            remaining = deadline - time.monotonic()
            per_try = max(0.5, min(timeout, remaining))
            try:
                response = self.http.request(method, url, data=data, headers=send_headers, auth=auth, allow_redirects=False,
                                             timeout=(per_try, read_timeout or per_try), **self.request_options)
            except requests.exceptions.SSLError as exc:
                raise TransportError(
                    'TLS verification of %s failed (%s %s): %s. Set ca_path to the CA bundle that signed the '
                    "vCenter certificate, or validate_certs to false for a lab." % (self.base_url, method, path, _short_reason(exc)),
                    'TLS_ERROR')
            except requests.exceptions.RequestException as exc:
                not_sent = _not_sent(exc)
                if (safe or not_sent) and attempt < self.retries and deadline - time.monotonic() > 0:
                    self._pause(attempt, deadline)
                    attempt += 1
                    continue
                raise self._transport_error(exc, method, path, action, attempt + 1, started, timeout, not_sent or safe)
            if response.status_code in RETRY_STATUSES and retry_on_status and attempt < self.retries \
                    and deadline - time.monotonic() > 0:
                response.close()
                self._pause(attempt, deadline)
                attempt += 1
                continue
            if response.is_redirect:
                url = self._redirect_target(response, url, method, action)
                redirects += 1
                if redirects > MAX_REDIRECTS:
                    raise TransportError('Could not %s: vCenter redirected it more than %d times.' % (action, MAX_REDIRECTS),
                                         'TOO_MANY_REDIRECTS')
                continue
            return response

    @staticmethod
    def _pause(attempt, deadline):
        time.sleep(min(backoff_delay(attempt, deadline - time.monotonic()), max(0.0, deadline - time.monotonic())))

    def _redirect_target(self, response, url, method, action):
        """Where a redirect leads, if it stays on our origin; the token never leaves it."""
        target = urljoin(url, response.headers.get('Location', ''))
        response.close()
        if not self.same_origin(target):
            try:
                parts = urlsplit(target)
                elsewhere = '%s://%s' % (parts.scheme, parts.netloc.rsplit('@', 1)[-1])
            except ValueError:
                elsewhere = 'an unreadable address'
            raise TransportError('Could not %s: vCenter redirected it (HTTP %s) to %s, which is not %s where the module logged in; '
                                 'the redirect was not followed, so the session token stayed with %s.'
                                 % (action, response.status_code, elsewhere, self.base_url, self.base_url), 'REDIRECT_REFUSED')
        if response.status_code not in (307, 308) and method != 'GET':
            raise TransportError('Could not %s: vCenter answered HTTP %s (a redirect that would turn %s into GET); not followed.'
                                 % (action, response.status_code, method), 'REDIRECT_REFUSED')
        return target

    def _transport_error(self, exc, method, path, action, tries, started, timeout, outcome_known):
        elapsed = time.monotonic() - started
        tried = '' if tries == 1 else ' (%d tries in %.0f seconds)' % (tries, elapsed)
        reason = _short_reason(exc)
        if isinstance(exc, requests.exceptions.Timeout):
            message = ('Could not %s: the request timed out after %s seconds (vCenter at %s did not answer %s %s)%s.'
                       % (action, timeout, self.base_url, method, path, tried))
            kind = 'TIMED_OUT'
        elif isinstance(exc, requests.exceptions.ProxyError):
            message = 'Could not %s: cannot reach %s through the proxy (%s %s)%s: %s' % (action, self.base_url, method, path, tried, reason)
            kind = 'PROXY_ERROR'
        elif isinstance(exc, requests.exceptions.ConnectionError):
            message = 'Could not %s: cannot connect to vCenter at %s (%s %s)%s: %s' % (action, self.base_url, method, path, tried, reason)
            kind = 'CONNECTION_ERROR'
        else:
            message = 'Could not %s: %s %s%s failed%s: %s' % (action, method, self.base_url, path, tried, reason)
            kind = 'REQUEST_ERROR'
        if not outcome_known:
            return OutcomeUnknownError(message + ' The request may or may not have taken effect.', kind, method, path)
        return TransportError(message, kind)

    def _decode(self, response, returns, action):
        """The answer's JSON in the modern shape, checked against what the operation returns."""
        text = response.text if response.content else ''
        value = None
        if response.content:
            try:
                value = json.loads(response.content)
            except ValueError:
                raise BadAnswerError(response.status_code, action, 'the answer is not JSON', text)
        if self.flavor == REST:
            if isinstance(value, dict) and set(value) == {'value'}:
                value = value['value']
            value = _modernize(value)
        if returns is answers.nothing:
            return value
        if value is None:
            raise BadAnswerError(response.status_code, action, 'the answer is empty' if not text else 'the answer is null', text)
        return answers.check(returns, value, response.status_code, action, text)

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
            # A login is never sent twice after a lost answer (that would leave a session open),
            # so its answer is waited for as long as the whole task may take.
            response = self._send(route.method, route.path, auth=(self.username, self._password), action=action,
                                  retry_on_status=True, read_timeout=self.timeout * (self.retries + 1))
            if response.status_code == 404 and flavor == API:
                if len(flavors) > 1:
                    continue  # vCenter before 7.0 U2 has only the legacy flavour
                raise ApiError(404, 'NOT_FOUND', ['this vCenter has no /api endpoint (vSphere before 7.0 U2); '
                                                  'use api_flavor: rest or auto'], route.method, route.path, action)
            if response.status_code >= 400:
                raise ApiError.from_response(response.status_code, response.text, route.method, route.path, action)
            self.flavor = flavor
            self._set_token(self._decode(response, op.returns, action))
            return

    def _set_token(self, token):
        self._token = token
        if self._register_secret:
            self._register_secret(token)
        self.http.headers[SESSION_HEADER] = token
        self.http.cookies.clear()

    def login_again(self, expired_token):
        """After a 401 in mid-run (the API session expired): log in once more, unless another thread did.

        The old login is ended first, in case it still lives: no login is ever left behind.
        """
        with self._login_lock:
            if self._token == expired_token:
                self.logout()
                self.login()

    def logout(self):
        """End the vCenter login, if any. Never raises: returns a warning text or None."""
        if not self._token:
            return None
        route = OPERATIONS['session.delete'].routes[self.flavor]
        warning = None
        try:
            # Ending a login twice does no harm (the second answer is 401), so a lost answer is retried.
            response = self._send(route.method, route.path, action='log out', safe=True, timeout=min(self.timeout, 10))
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
        segments = {}
        for key, value in params.items():
            if value is not None and '{%s}' % key in route.path:
                # Every id is one quoted path segment: never '', '.', '..' or anything with a '/'.
                segments[key] = quote(check_id(str(value), key), safe='')
        path = route.path.format(**segments)
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
        action = op.describe(params)
        safe = op.is_safe(params)
        for key in ID_PARAMS:
            value = params.get(key) or (params.get('create_spec') or {}).get(key)
            if value:
                self.ids[key] = value
        token = self._token
        response = self._send(route.method, path, query=query, body=body, headers=headers, action=action, safe=safe)
        if response.status_code == 401:
            # The API session expired mid-run: log in again and repeat once (a 401 did nothing).
            self.login_again(token)
            response = self._send(route.method, path, query=query, body=body, headers=headers, action=action, safe=safe)
        if response.status_code >= 400:
            raise ApiError.from_response(response.status_code, response.text, route.method, path, action)
        result = self._decode(response, op.returns, action)
        if name == 'update_session.create':
            self.opened_sessions.append(result)
            self.ids['update_session_id'] = result
        elif name == 'item.create':
            self.created_items.append(result)
            self.ids['library_item_id'] = result
        return result

    def upload_url(self, uri):
        """The URL to PUT an upload to: vCenter's own, or the same path on our origin (with a warning)."""
        if self.same_origin(uri):
            return uri
        try:
            parts = urlsplit(uri)
            elsewhere = '%s://%s' % (parts.scheme, parts.netloc.rsplit('@', 1)[-1])
        except ValueError:
            raise BadAnswerError(200, 'upload a file', 'its upload endpoint is not a URL', uri)
        target = self.base_url + (parts.path or '/') + ('?' + parts.query if parts.query else '')
        if self._warn:
            self._warn('vCenter gave an upload endpoint on %s; the upload went to the same path on %s, where the module '
                       'logged in, so that the session token is not sent elsewhere.' % (elsewhere, self.base_url))
        return target

    @property
    def token(self):
        """The current API session id (for login_again after a 401); never shown anywhere."""
        return self._token

    def upload(self, uri, body, action):
        """PUT a streaming body to an upload endpoint that vCenter gave out; raise ApiError on a bad answer.

        A 401 is raised like any error: only the caller can open the body again to repeat the PUT.
        """
        if self.check_mode:
            raise CheckModeWriteError('Internal error: %s was about to be sent in check mode; nothing was sent.' % action)
        url = self.upload_url(uri)
        headers = {'Content-Type': 'application/octet-stream', 'Content-Length': str(len(body))}
        path = urlsplit(url).path
        try:
            response = self.http.put(url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False,
                                     **self.request_options)
        except requests.exceptions.RequestException as exc:
            if isinstance(exc, requests.exceptions.Timeout):
                raise TransportError('Could not %s: timed out after %s seconds: the upload to %s stalled.'
                                     % (action, self.timeout, path), 'TIMED_OUT')
            raise TransportError('Could not %s: the upload to %s failed: %s' % (action, path, _short_reason(exc)), 'UPLOAD_ERROR')
        if response.status_code >= 300:
            raise ApiError.from_response(response.status_code, response.text, 'PUT', path, action)
        return response.status_code

    def map(self, function, items):
        """``[function(item) for item in items]``, run concurrently over the connection pool."""
        items = list(items)
        if len(items) < 2:
            return [function(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(items))) as pool:
            return list(pool.map(function, items))
