# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Typed errors raised by the REST client and the state rules.

This is a private module: it is not a public API and may change at any time.
"""

from __future__ import annotations

import json

_LEGACY_PREFIX = 'com.vmware.vapi.std.errors.'

# Used when a body carries no error type at all (a proxy's HTML page, say).
_STATUS_TYPES = {
    400: 'INVALID_REQUEST',
    401: 'UNAUTHENTICATED',
    403: 'UNAUTHORIZED',
    404: 'NOT_FOUND',
    409: 'CONCURRENT_CHANGE',
    500: 'ERROR',
    503: 'SERVICE_UNAVAILABLE',
    504: 'TIMED_OUT',
}


class ContentLibraryError(Exception):
    """Base of every error this collection raises on purpose; ``str()`` is the user's message."""

    def to_result(self):
        """Extra keys for the module's failure result."""
        return {}


class ApiError(ContentLibraryError):
    """The server answered with an error status.

    ``error_type`` is the vAPI error type in the modern spelling (``NOT_FOUND``),
    whichever flavour answered; ``messages`` are the server's default messages;
    ``action`` says what the client was doing ("get update session 5a1c...").
    """

    def __init__(self, status, error_type, messages, method, path, action=None):
        super(ApiError, self).__init__()
        self.status = status
        self.error_type = error_type
        self.messages = messages
        self.method = method
        self.path = path
        self.action = action

    def server_message(self):
        return ' '.join(self.messages) if self.messages else 'the server gave no message'

    def __str__(self):
        what = 'Could not %s' % self.action if self.action else 'Request failed'
        return '%s: vCenter answered HTTP %s %s: %s (%s %s)' % (
            what, self.status, self.error_type, self.server_message(), self.method, self.path)

    def to_result(self):
        return {'status': self.status, 'error_type': self.error_type, 'error_messages': self.messages}

    @classmethod
    def from_response(cls, status, text, method, path, action=None):
        """Parse either vAPI error body (modern or legacy) or a body that is not JSON."""
        error_type = None
        messages = []
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        if isinstance(body, dict):
            detail = body
            if isinstance(body.get('type'), str) and isinstance(body.get('value'), dict):
                # Legacy: {"type": "com.vmware.vapi.std.errors.not_found", "value": {...}}
                detail = body['value']
                legacy_type = body['type']
                if legacy_type.startswith(_LEGACY_PREFIX):
                    legacy_type = legacy_type[len(_LEGACY_PREFIX):]
                error_type = detail.get('error_type') or legacy_type
            else:
                error_type = body.get('error_type')
            for message in detail.get('messages') or []:
                if isinstance(message, dict):
                    text_ = message.get('default_message') or message.get('localized') or message.get('id')
                    if text_:
                        messages.append(str(text_))
        elif text and text.strip():
            # Not JSON (a proxy's or load balancer's page): keep a short single-line excerpt.
            excerpt = ' '.join(text.split())
            messages.append(excerpt[:300] + ('...' if len(excerpt) > 300 else ''))
        if not error_type:
            error_type = _STATUS_TYPES.get(status, 'ERROR')
        return cls(status, str(error_type).upper(), messages, method, path, action)


class TransportError(ContentLibraryError):
    """The request got no HTTP answer: connection refused, TLS failure, time-out, proxy failure."""

    def __init__(self, message, kind):
        super(TransportError, self).__init__(message)
        self.kind = kind

    def to_result(self):
        return {'error_type': self.kind}


class OutcomeUnknownError(TransportError):
    """A write was sent, but its answer never came: it may or may not have happened.

    Never sent again blindly: the caller reads the state back and decides.
    """

    def __init__(self, message, kind, method, path):
        super(OutcomeUnknownError, self).__init__(message, kind)
        self.method = method
        self.path = path


class BadAnswerError(ContentLibraryError):
    """A 2xx answer that is not what the operation returns (HTML, empty, truncated, wrong shape)."""

    EXCERPT = 200

    def __init__(self, status, action, problem, text):
        super(BadAnswerError, self).__init__()
        self.status = status
        self.action = action
        self.problem = problem
        self.excerpt = (text or '')[:self.EXCERPT]

    def __str__(self):
        return 'Could not %s: vCenter answered HTTP %s, but %s; the answer began with: %r' % (
            self.action, self.status, self.problem, self.excerpt)

    def to_result(self):
        return {'status': self.status, 'error_type': 'BAD_ANSWER'}


class TaskInterrupted(ContentLibraryError):
    """The task was stopped by a signal (SIGTERM from AWX's cancel, or Ctrl-C)."""

    def __init__(self, signal_name):
        super(TaskInterrupted, self).__init__('The task was interrupted by %s.' % signal_name)
        self.signal_name = signal_name

    def to_result(self):
        return {'error_type': 'INTERRUPTED'}


class StateError(ContentLibraryError):
    """An action that the update session's current state does not allow."""

    def __init__(self, message, state):
        super(StateError, self).__init__(message)
        self.state = state

    def to_result(self):
        return {'error_type': 'NOT_ALLOWED_IN_CURRENT_STATE', 'session_state': self.state}


class UserInputError(ContentLibraryError):
    """The task's own parameters make no sense (together)."""

    def to_result(self):
        return {'error_type': 'INVALID_ARGUMENT'}


class NotFoundError(ContentLibraryError):
    """Something the task names does not exist on the vCenter Server."""

    def __init__(self, message, server_messages=None):
        super(NotFoundError, self).__init__(message)
        self.server_messages = server_messages or []

    def to_result(self):
        result = {'error_type': 'NOT_FOUND'}
        if self.server_messages:
            result['error_messages'] = self.server_messages
        return result


class SessionEndedInError(ContentLibraryError):
    """An action was sent (so something changed), but the session ended in state ERROR."""

    def __init__(self, message, session):
        super(SessionEndedInError, self).__init__(message)
        self.session = session

    def to_result(self):
        return {'changed': True, 'session_state': self.session.get('state'), 'update_session': self.session}
