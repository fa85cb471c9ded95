# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every error the collection raises on purpose, one class per kind of failure.

This is a private module: it is not a public API and may change at any time.

``str(error)`` is the user's message; ``to_result()`` gives the extra keys of the
module's failure result, among them ``error_type``, which names the kind.
"""

from __future__ import annotations

import json
from typing import Any

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

    error_type = 'ERROR'

    def to_result(self) -> dict[str, Any]:
        """Extra keys for the module's failure result."""
        return {'error_type': self.error_type}


class ApiError(ContentLibraryError):
    """The server answered with an error status.

    ``error_type`` is the vAPI error type in the modern spelling (``NOT_FOUND``),
    whichever flavour answered; ``messages`` are the server's default messages;
    ``action`` says what the client was doing ("get update session 5a1c...").
    """

    def __init__(self, status: int, error_type: str, messages: list[str], method: str, path: str, action: str | None = None) -> None:
        super().__init__()
        self.status = status
        self.error_type = error_type
        self.messages = messages
        self.method = method
        self.path = path
        self.action = action

    def server_message(self) -> str:
        return ' '.join(self.messages) if self.messages else 'the server gave no message'

    def __str__(self) -> str:
        what = 'Could not %s' % self.action if self.action else 'Request failed'
        return '%s: vCenter answered HTTP %s %s: %s (%s %s)' % (what, self.status, self.error_type, self.server_message(), self.method, self.path)

    def to_result(self) -> dict[str, Any]:
        return {'status': self.status, 'error_type': self.error_type, 'error_messages': self.messages}

    @property
    def not_found(self) -> bool:
        return self.status == 404 or self.error_type == 'NOT_FOUND'

    @classmethod
    def from_response(cls, status: int, text: str, method: str, path: str, action: str | None = None) -> ApiError:
        """Parse either vAPI error body (modern or legacy) or a body that is not JSON."""
        error_type = None
        messages: list[str] = []
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
                    legacy_type = legacy_type[len(_LEGACY_PREFIX) :]
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
    """The request got no HTTP answer: connection refused, TLS failure, time-out, proxy failure.

    ``kind`` is the error type: ``TIMED_OUT``, ``CONNECTION_ERROR``, ``TLS_ERROR`` and so on.
    """

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.error_type = kind

    @property
    def kind(self) -> str:
        return self.error_type


class OutcomeUnknownError(TransportError):
    """A write was sent, but its answer never came: it may or may not have happened.

    Never sent again blindly: the caller reads the state back and decides.
    """

    def __init__(self, message: str, kind: str, method: str, path: str) -> None:
        super().__init__(message, kind)
        self.method = method
        self.path = path


class BadAnswerError(ContentLibraryError):
    """A 2xx answer that is not what the operation returns (HTML, empty, truncated, wrong shape)."""

    error_type = 'BAD_ANSWER'
    EXCERPT = 200

    def __init__(self, status: int, action: str, problem: str, text: str | None) -> None:
        super().__init__()
        self.status = status
        self.action = action
        self.problem = problem
        self.excerpt = (text or '')[: self.EXCERPT]

    def __str__(self) -> str:
        return 'Could not %s: vCenter answered HTTP %s, but %s; the answer began with: %r' % (self.action, self.status, self.problem, self.excerpt)

    def to_result(self) -> dict[str, Any]:
        return {'status': self.status, 'error_type': self.error_type}


class CheckModeWriteError(ContentLibraryError):
    """A module tried to send a write in check mode: a bug, stopped before anything was sent."""

    error_type = 'INTERNAL_ERROR'


class TaskInterrupted(ContentLibraryError):
    """The task was stopped by a signal (SIGTERM from AWX's cancel, or Ctrl-C)."""

    error_type = 'INTERRUPTED'

    def __init__(self, signal_name: str) -> None:
        super().__init__('The task was interrupted by %s.' % signal_name)
        self.signal_name = signal_name


class StateError(ContentLibraryError):
    """An action that the session's current state does not allow."""

    error_type = 'NOT_ALLOWED_IN_CURRENT_STATE'

    def __init__(self, message: str, state: str | None) -> None:
        super().__init__(message)
        self.state = state

    def to_result(self) -> dict[str, Any]:
        return {'error_type': self.error_type, 'session_state': self.state}


class UserInputError(ContentLibraryError):
    """The task's own parameters, or the local content they name, make no sense."""

    error_type = 'INVALID_ARGUMENT'


class NotFoundError(ContentLibraryError):
    """Something the task names does not exist on the vCenter Server."""

    error_type = 'NOT_FOUND'

    def __init__(self, message: str, server_messages: list[str] | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.server_messages = server_messages or []
        self.status = status

    def to_result(self) -> dict[str, Any]:
        result: dict[str, Any] = {'error_type': self.error_type}
        if self.server_messages:
            result['error_messages'] = self.server_messages
        if self.status is not None:
            result['status'] = self.status
        return result


class SessionEndedInError(ContentLibraryError):
    """A session was completed (so its state changed), but it ended in state ERROR.

    ``changed`` says whether the task reports the session's change: a one-task module that
    opened the session itself leaves the item as it was, so it does not.
    """

    error_type = 'SESSION_ERROR'

    def __init__(self, message: str, session: dict[str, Any], changed: bool = True) -> None:
        super().__init__(message)
        self.session = session
        self.changed = changed

    def to_result(self) -> dict[str, Any]:
        result = {'error_type': self.error_type, 'session_state': self.session.get('state'), 'update_session': self.session}
        if self.changed:
            result['changed'] = True
        return result


class WaitTimedOut(ContentLibraryError):
    """vCenter did not reach the state the task waits for within its time limit."""

    error_type = 'TIMED_OUT'


class TransferFailed(ContentLibraryError):
    """A file's transfer (an upload, a pull, a download or its preparation) ended in error."""

    error_type = 'TRANSFER_FAILED'

    def __init__(self, message: str, file_name: str | None = None) -> None:
        super().__init__(message)
        self.file_name = file_name

    def to_result(self) -> dict[str, Any]:
        result: dict[str, Any] = {'error_type': self.error_type}
        if self.file_name:
            result['file_name'] = self.file_name
        return result


class TransferAborted(ContentLibraryError):
    """Another transfer of the same task failed, so this one stopped early (never the task's reason)."""

    error_type = 'TRANSFER_FAILED'


class ContentMismatchError(ContentLibraryError):
    """A file's bytes are not what they were promised to be.

    Either the digests differ (``algorithm``, ``expected``, ``actual`` are hex digests: a
    manifest, or vCenter's checksum of an item file, against the bytes read), or the size
    does (``expected_size``, ``actual_size``: a local file changed after it was read, or a
    download brought another number of bytes than vCenter announced).
    """

    def __init__(
        self,
        message: str,
        file_name: str,
        algorithm: str | None = None,
        expected: str | None = None,
        actual: str | None = None,
        expected_size: int | None = None,
        actual_size: int | None = None,
    ) -> None:
        super().__init__(message)
        self.file_name = file_name
        self.algorithm = algorithm
        self.expected = expected
        self.actual = actual
        self.expected_size = expected_size
        self.actual_size = actual_size
        self.error_type = 'CHECKSUM_MISMATCH' if algorithm else 'SIZE_MISMATCH'

    def to_result(self) -> dict[str, Any]:
        result: dict[str, Any] = {'error_type': self.error_type, 'file_name': self.file_name}
        if self.algorithm:
            result.update({'checksum_algorithm': self.algorithm, 'expected_checksum': self.expected, 'actual_checksum': self.actual})
        else:
            result.update({'expected_size': self.expected_size, 'actual_size': self.actual_size})
        return result


class PreviewWarning(ContentLibraryError):
    """vCenter's preview of signed content raised a warning the task does not accept."""

    error_type = 'PREVIEW_WARNING'


class ValidationFailed(ContentLibraryError):
    """vCenter's validation of an update session's files found missing or invalid files."""

    error_type = 'VALIDATION_FAILED'


class LocalFileError(ContentLibraryError):
    """A file on the host that runs the module could not be written (a full disk, permissions)."""

    error_type = 'LOCAL_FILE_ERROR'


def with_period(text: str) -> str:
    """``text`` ending in a full stop (or another sentence end), for messages built from parts."""
    text = text.rstrip()
    return text if not text or text[-1] in '.!?' else text + '.'
