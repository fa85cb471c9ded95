# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The REST client shared by every module of the collection.

This is a private module: it is not a public API and may change at any time.

One ``requests.Session`` per vCenter and module run, one login (always logged out
again), either URL flavour, answers checked and returned in the modern shape. The
client sends requests; what a task opened and how to undo it is the run's business
(``_cleanup``), not the client's.
"""

from __future__ import annotations

import json
import random
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, Iterator, TypeVar
from urllib.parse import quote, urlencode, urljoin, urlsplit

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
    CheckModeWriteError,
    ContentLibraryError,
    OutcomeUnknownError,
    TransportError,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._operations import (
    API,
    OPERATIONS,
    REST,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import check_id

T = TypeVar('T')
R = TypeVar('R')

SESSION_HEADER = 'vmware-api-session-id'
AUTO = 'auto'
# Reads fan out over this many pooled connections (see RestClient.map).
MAX_PARALLEL = 8
# Answers that say "try again": only safe requests are sent again after them.
RETRY_STATUSES = (502, 503, 504)
# Exponential back-off with full jitter: base * 2**attempt seconds at most, capped.
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
# Same-origin redirects followed at most this many times in a row.
MAX_REDIRECTS = 3


def backoff_delay(attempt: int) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based): ``BACKOFF_BASE * 2**attempt``,
    capped at ``BACKOFF_CAP``, times a random factor between 0.5 and 1. The caller cuts it at its deadline."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (2**attempt)) * random.uniform(0.5, 1.0)


def _reasons(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions nested in it (requests wraps urllib3, which wraps socket errors)."""
    reason: BaseException | None = exc
    seen = set()
    while reason is not None and id(reason) not in seen:
        seen.add(id(reason))
        yield reason
        nested = getattr(reason, 'reason', None)
        if nested is None and reason.args and isinstance(reason.args[0], BaseException):
            nested = reason.args[0]
        reason = nested if isinstance(nested, BaseException) else None


def _not_sent(exc: BaseException) -> bool:
    """Whether a failed request certainly never reached the server (so any method may be sent again)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    return any(isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError)) for reason in _reasons(exc))


def short_reason(exc: BaseException) -> str:
    """The innermost reason of a requests/urllib3 exception, without the pool's boilerplate."""
    innermost = list(_reasons(exc))[-1]
    return str(innermost) or innermost.__class__.__name__


def _modernize(value: Any) -> Any:
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


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, without any user information, for messages."""
    try:
        parts = urlsplit(url)
        return '%s://%s' % (parts.scheme, parts.netloc.rsplit('@', 1)[-1])
    except ValueError:
        return 'an unreadable address'


class RestClient:
    """A vSphere Automation API client for one vCenter and one module run.

    ``flavor`` is ``api``, ``rest`` or ``auto``; after ``login()`` it is the one
    that answered. ``check_mode`` makes every write operation raise before it
    is sent, as a second line of defence behind the modules' own checks.

    Safe requests (reads, and creates that carry a client token) are sent again
    on dropped connections, time-outs and 502/503/504, with exponential back-off
    and jitter, at most ``retries`` times and within one deadline of
    ``timeout * (retries + 1)`` seconds. Other writes are sent once: when their
    answer is lost, ``OutcomeUnknownError`` tells the caller to read the state back.
    The session token only ever goes to the origin the client logged in to.

    ``on_call(name, params)`` is called before each operation is sent (the run keeps
    the ids the task touched); ``register_secret`` learns the session token, so that
    Ansible hides it; ``warn`` shows a warning to the user.
    """

    def __init__(
        self,
        hostname: str,
        username: str,
        password: str,
        port: int = 443,
        validate_certs: bool = True,
        ca_path: str | None = None,
        proxy_host: str | None = None,
        proxy_port: int | None = None,
        proxy_protocol: str | None = 'http',
        timeout: int = 60,
        retries: int = 3,
        api_flavor: str = AUTO,
        check_mode: bool = False,
        register_secret: Callable[[str], None] | None = None,
        warn: Callable[[str], None] | None = None,
        on_call: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
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
        self._on_call = on_call
        self._token: str | None = None
        self._login_lock = threading.Lock()
        self.http = requests.Session()
        # Retries are ours (see _send): urllib3 must not repeat anything behind our back.
        self.http.mount('https://', HTTPAdapter(pool_connections=1, pool_maxsize=MAX_PARALLEL, max_retries=0))
        # Given with every request: requests lets REQUESTS_CA_BUNDLE and *_PROXY variables
        # override a Session's own verify and proxies, and the task's options must win.
        self.request_options: dict[str, Any] = {'verify': True}
        if not validate_certs:
            self.request_options['verify'] = False
            # The user chose not to verify; one warning per request would drown the output.
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        elif ca_path:
            self.request_options['verify'] = ca_path
        if proxy_host:
            proxy = '%s://%s:%s' % (proxy_protocol or 'http', '[%s]' % proxy_host if ':' in proxy_host else proxy_host, proxy_port or 3128)
            self.request_options['proxies'] = {'https': proxy, 'http': proxy}
        # The session id travels in a header; keep no cookie that could outlive it.
        self.http.headers.update({'Accept': 'application/json', 'vmware-use-header-authn': 'true'})

    # -- transport -------------------------------------------------------

    def same_origin(self, url: str) -> bool:
        """Whether ``url`` is on the scheme, host and port this client logged in to."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == 'https' else 80)
        except ValueError:
            return False
        return parts.scheme == 'https' and (parts.hostname or '').lower() == self.host and port == self.port

    def _send(
        self,
        method: str,
        path: str,
        query: dict[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        action: str | None = None,
        safe: bool = False,
        retry_on_status: bool | None = None,
        read_timeout: float | None = None,
        timeout: float | None = None,
    ) -> requests.Response:
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
                response = self.http.request(
                    method,
                    url,
                    data=data,
                    headers=send_headers,
                    auth=auth,
                    allow_redirects=False,
                    timeout=(per_try, read_timeout or per_try),
                    **self.request_options,
                )
            except requests.exceptions.SSLError as exc:
                raise TransportError(
                    'TLS verification of %s failed (%s %s): %s. Set ca_path to the CA bundle that signed the '
                    "vCenter certificate, or validate_certs to false for a lab." % (self.base_url, method, path, short_reason(exc)),
                    'TLS_ERROR',
                )
            except requests.exceptions.RequestException as exc:
                not_sent = _not_sent(exc)
                if (safe or not_sent) and attempt < self.retries and deadline - time.monotonic() > 0:
                    self._pause(attempt, deadline)
                    attempt += 1
                    continue
                raise self._transport_error(exc, method, path, action, attempt + 1, started, timeout, not_sent or safe)
            if response.status_code in RETRY_STATUSES and retry_on_status and attempt < self.retries and deadline - time.monotonic() > 0:
                response.close()
                self._pause(attempt, deadline)
                attempt += 1
                continue
            if response.is_redirect:
                url = self._redirect_target(response, url, method, action)
                redirects += 1
                if redirects > MAX_REDIRECTS:
                    raise TransportError('Could not %s: vCenter redirected it more than %d times.' % (action, MAX_REDIRECTS), 'TOO_MANY_REDIRECTS')
                continue
            return response

    @staticmethod
    def _pause(attempt: int, deadline: float) -> None:
        time.sleep(max(0.0, min(backoff_delay(attempt), deadline - time.monotonic())))

    def _redirect_target(self, response: requests.Response, url: str, method: str, action: str) -> str:
        """Where a redirect leads, if it stays on our origin; the token never leaves it."""
        target = urljoin(url, response.headers.get('Location', ''))
        response.close()
        if not self.same_origin(target):
            raise TransportError(
                'Could not %s: vCenter redirected it (HTTP %s) to %s, which is not %s where the module logged in; '
                'the redirect was not followed, so the session token stayed with %s.'
                % (action, response.status_code, origin_of(target), self.base_url, self.base_url),
                'REDIRECT_REFUSED',
            )
        if response.status_code not in (307, 308) and method != 'GET':
            raise TransportError(
                'Could not %s: vCenter answered HTTP %s (a redirect that would turn %s into GET); not followed.' % (action, response.status_code, method),
                'REDIRECT_REFUSED',
            )
        return target

    def _transport_error(
        self, exc: BaseException, method: str, path: str, action: str, tries: int, started: float, timeout: float, outcome_known: bool
    ) -> TransportError:
        elapsed = time.monotonic() - started
        tried = '' if tries == 1 else ' (%d tries in %.0f seconds)' % (tries, elapsed)
        reason = short_reason(exc)
        if isinstance(exc, requests.exceptions.Timeout):
            message = 'Could not %s: the request timed out after %s seconds (vCenter at %s did not answer %s %s)%s.' % (
                action,
                timeout,
                self.base_url,
                method,
                path,
                tried,
            )
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

    def _decode(self, response: requests.Response, returns: Callable[[Any], Any], action: str) -> Any:
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
            if answers.is_list(returns) and text:
                # Go's encoding of an empty list (govmomi's vcsim): an empty list, as govmomi's own client reads it.
                return []
            raise BadAnswerError(response.status_code, action, 'the answer is empty' if not text else 'the answer is null', text)
        return answers.check(returns, value, response.status_code, action, text)

    # -- login -----------------------------------------------------------

    def login(self) -> None:
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
            response = self._send(
                route.method,
                route.path,
                auth=(self.username, self._password),
                action=action,
                retry_on_status=True,
                read_timeout=self.timeout * (self.retries + 1),
            )
            if response.status_code == 404 and flavor == API:
                if len(flavors) > 1:
                    continue  # vCenter before 7.0 U2 has only the legacy flavour
                raise ApiError(
                    404,
                    'NOT_FOUND',
                    ['this vCenter has no /api endpoint (vSphere before 7.0 U2); use api_flavor: rest or auto'],
                    route.method,
                    route.path,
                    action,
                )
            if response.status_code >= 400:
                raise ApiError.from_response(response.status_code, response.text, route.method, route.path, action)
            self.flavor = flavor
            self._set_token(self._decode(response, op.returns, action))
            return

    def _set_token(self, token: str) -> None:
        self._token = token
        if self._register_secret:
            self._register_secret(token)
        self.http.headers[SESSION_HEADER] = token
        self.http.cookies.clear()

    def login_again(self, expired_token: str | None) -> None:
        """After a 401 in mid-run (the API session expired): log in once more, unless another thread did.

        The old login is ended first, in case it still lives: no login is ever left behind.
        """
        with self._login_lock:
            if self._token == expired_token:
                self.logout()
                self.login()

    def relogin_on_401(self, send: Callable[[], T]) -> T:
        """``send()``; when it raises ApiError 401 (a transfer's API session expired), log in again and ``send()`` once more."""
        token = self._token
        try:
            return send()
        except ApiError as exc:
            if exc.status != 401:
                raise
        self.login_again(token)
        return send()

    def logout(self) -> str | None:
        """End the vCenter login, if any. Never raises: returns a warning text or None."""
        if not self._token or self.flavor is None:
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

    def close(self) -> None:
        self.http.close()

    @property
    def token(self) -> str | None:
        """The current API session id (for login_again after a 401); never shown anywhere."""
        return self._token

    def refuse_in_check_mode(self, action: str) -> None:
        if self.check_mode:
            raise CheckModeWriteError('Internal error: %s was about to be sent in check mode; nothing was sent.' % action)

    # -- operations ------------------------------------------------------

    def call(self, name: str, **params: Any) -> Any:
        """Run one operation of the table and return its result in the modern shape."""
        op = OPERATIONS[name]
        if op.write:
            self.refuse_in_check_mode(op.describe(params))
        if not self._token:
            self.login()
        route = op.routes[self.flavor or self.requested_flavor]
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
        if self._on_call:
            self._on_call(name, params)
        token = self._token
        response = self._send(route.method, path, query=query, body=body, headers=headers, action=action, safe=safe)
        if response.status_code == 401:
            # The API session expired mid-run: log in again and repeat once (a 401 did nothing).
            self.login_again(token)
            response = self._send(route.method, path, query=query, body=body, headers=headers, action=action, safe=safe)
        if response.status_code >= 400:
            raise ApiError.from_response(response.status_code, response.text, route.method, path, action)
        return self._decode(response, op.returns, action)

    # -- file transfers ----------------------------------------------------

    def transfer_url(self, uri: str, what: str) -> str:
        """The URL to move a file's bytes to or from: vCenter's own, or the same path on our origin.

        vCenter names the upload or download endpoint; the session token only ever goes to the
        origin the client logged in to, so an endpoint elsewhere is reached at the same path
        here, with a warning.
        """
        if self.same_origin(uri):
            return uri
        try:
            parts = urlsplit(uri)
        except ValueError:
            raise BadAnswerError(200, what, 'its endpoint is not a URL', uri)
        if parts.scheme not in ('http', 'https') or not parts.netloc:
            raise BadAnswerError(200, what, 'its endpoint is not an http(s) URL', uri)
        target = self.base_url + (parts.path or '/') + ('?' + parts.query if parts.query else '')
        if self._warn:
            self._warn(
                'vCenter gave an endpoint on %s to %s; the module went to the same path on %s, where it '
                'logged in, so that the session token is not sent elsewhere.' % (origin_of(uri), what, self.base_url)
            )
        return target

    def upload(self, uri: str, body: Any, action: str) -> int:
        """PUT a streaming body (``read()`` and ``len()``) to an upload endpoint; raise ApiError on a bad answer.

        A 401 is raised like any error: only the caller can open the body again to repeat the PUT.
        """
        self.refuse_in_check_mode(action)
        url = self.transfer_url(uri, action)
        headers = {'Content-Type': 'application/octet-stream', 'Content-Length': str(len(body))}
        path = urlsplit(url).path
        try:
            response = self.http.put(url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False, **self.request_options)
        except requests.exceptions.RequestException as exc:
            raise self._stream_error(exc, action, 'upload to', path)
        if response.status_code >= 300:
            raise ApiError.from_response(response.status_code, response.text, 'PUT', path, action)
        return response.status_code

    def download(self, uri: str, action: str, offset: int = 0) -> requests.Response:
        """GET a download endpoint as a stream, from byte ``offset``; the caller reads and closes it.

        The answer is 200 (the whole file) or, when ``offset`` is asked for and the server can, 206
        (the rest). Anything else raises ApiError, a 401 included: the caller logs in again and resumes.
        """
        url = self.transfer_url(uri, action)
        path = urlsplit(url).path
        headers = {'Accept': '*/*', 'Accept-Encoding': 'identity'}
        if offset:
            headers['Range'] = 'bytes=%d-' % offset
        try:
            response = self.http.get(url, headers=headers, stream=True, timeout=self.timeout, allow_redirects=False, **self.request_options)
        except requests.exceptions.RequestException as exc:
            raise self._stream_error(exc, action, 'download from', path)
        if response.status_code not in (200, 206):
            try:
                raise ApiError.from_response(response.status_code, response.text, 'GET', path, action)
            finally:
                response.close()
        return response

    def _stream_error(self, exc: BaseException, action: str, direction: str, path: str) -> TransportError:
        if isinstance(exc, requests.exceptions.Timeout):
            return TransportError(
                'Could not %s: timed out after %s seconds: the %s %s stalled.' % (action, self.timeout, direction.split()[0], path), 'TIMED_OUT'
            )
        return TransportError('Could not %s: the %s %s failed: %s' % (action, direction, path, short_reason(exc)), 'TRANSFER_ERROR')

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[function(item) for item in items]``, run concurrently over the connection pool."""
        items = list(items)
        if len(items) < 2:
            return [function(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(items))) as pool:
            return list(pool.map(function, items))


def call_or_read_back(client: RestClient, operation: str, read: Callable[[], Any], done: Callable[[Any], bool], what: str, **params: Any) -> Any:
    """Send a write; when its answer is lost, read the object back instead of sending it again.

    ``read()`` gives the object now (None when it no longer exists) and ``done(now)`` says whether it
    shows the write's effect. When it does not, the lost answer's error is raised, saying so; ``what``
    names the object ("update session 5a1c...").
    """
    try:
        return client.call(operation, **params)
    except OutcomeUnknownError as exc:
        if done(read()):
            return None
        raise OutcomeUnknownError('%s Read back: %s does not show it, so it did not happen; run the task again.' % (exc, what), exc.kind, exc.method, exc.path)
