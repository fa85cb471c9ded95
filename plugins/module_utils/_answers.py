# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What each operation's answer must look like before the modules believe it.

This is a private module: it is not a public API and may change at any time.

A 2xx answer that is not the JSON an operation returns (an HTML page from a
proxy, an empty or truncated body, ``null``, a list where an object is due, an
object without the fields the reference says are always there, an enum value
outside the documented list) is refused here with the status, the operation
and the start of the body, so that no module iterates over a body of the
wrong type.
"""

from __future__ import annotations

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import BadAnswerError

SESSION_STATES = ('ACTIVE', 'DONE', 'ERROR', 'CANCELED')
TRANSFER_STATUSES = ('WAITING_FOR_TRANSFER', 'TRANSFERRING', 'READY', 'VALIDATING', 'ERROR')
SOURCE_TYPES = ('NONE', 'PUSH', 'PULL')
PREVIEW_STATES = ('UNAVAILABLE', 'NOT_APPLICABLE', 'PREPARING', 'AVAILABLE')
LIBRARY_TYPES = ('LOCAL', 'SUBSCRIBED')
# Tokens and ids are short printable strings; an HTML page is neither.
MAX_TOKEN_LENGTH = 4096


class _Wrong(Exception):
    """Raised inside a check; turned into BadAnswerError with the answer's details."""


def _object(value, what, required=()):
    if not isinstance(value, dict):
        raise _Wrong('%s is not a JSON object' % what)
    missing = [name for name in required if value.get(name) is None]
    if missing:
        raise _Wrong('%s has no %s' % (what, ', '.join(missing)))
    return value


def _list(value, what):
    if not isinstance(value, list):
        raise _Wrong('%s is not a JSON list' % what)
    return value


def _string(value, what):
    if not isinstance(value, str) or not value or len(value) > MAX_TOKEN_LENGTH or any(c.isspace() or c in '<>"' for c in value):
        raise _Wrong('%s is not an id' % what)
    return value


def _enum(value, allowed, what):
    if value is not None and value not in allowed:
        raise _Wrong('%s %r is not one of %s' % (what, value, ', '.join(allowed)))


def _number(value, what):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise _Wrong('%s is not an integer' % what)


def token(value):
    return _string(value, 'the session id')


def nothing(value):
    # Writes without a result: an empty body (or the legacy flavour's empty object).
    return value


def an_id(value):
    return _string(value, 'the id')


def ids(value):
    for index, entry in enumerate(_list(value, 'the list of ids')):
        _string(entry, 'entry %d of the list' % index)
    return value


def session(value):
    _object(value, 'the update session', ('library_item_id', 'state'))
    _enum(value['state'], SESSION_STATES, 'its state')
    _number(value.get('client_progress'), 'its client_progress')
    preview = value.get('preview_info')
    if preview is not None:
        _object(preview, 'its preview_info', ('state',))
        _enum(preview['state'], PREVIEW_STATES, 'its preview_info state')
        for warning in _list(preview.get('warnings') or [], 'its preview warnings'):
            _object(warning, 'a preview warning', ('type',))
    for entry in _list(value.get('warning_behavior') or [], 'its warning_behavior'):
        _object(entry, 'a warning_behavior entry', ('type',))
    return value


def file_info(value):
    _object(value, 'the file', ('name', 'status'))
    _enum(value['status'], TRANSFER_STATUSES, 'its status')
    _enum(value.get('source_type'), SOURCE_TYPES, 'its source_type')
    _number(value.get('size'), 'its size')
    return value


def added_file(value):
    """The answer to file.add: a PUSH file must say where to upload it."""
    file_info(value)
    if value.get('source_type') == 'PUSH' and value.get('status') == 'WAITING_FOR_TRANSFER':
        endpoint = _object(value.get('upload_endpoint'), 'its upload_endpoint', ('uri',))
        if not isinstance(endpoint['uri'], str) or not endpoint['uri'].startswith(('https://', 'http://')):
            raise _Wrong('its upload_endpoint uri is not an http(s) URL')
    return value


def file_infos(value):
    for entry in _list(value, 'the list of files'):
        file_info(entry)
    return value


def validation(value):
    _object(value, 'the validation result', ('has_errors',))
    if not isinstance(value['has_errors'], bool):
        raise _Wrong('its has_errors is not a boolean')
    _list(value.get('missing_files') or [], 'its missing_files')
    _list(value.get('invalid_files') or [], 'its invalid_files')
    return value


def library(value):
    _object(value, 'the library', ('type',))
    _enum(value['type'], LIBRARY_TYPES, 'its type')
    return value


def item(value):
    return _object(value, 'the library item', ('library_id',))


def item_files(value):
    for entry in _list(value, 'the list of files'):
        _object(entry, 'a file of the item', ('name',))
        _number(entry.get('size'), 'its size')
    return value


def check(shape, value, status, operation, text):
    """Return ``value`` when it has ``shape``; otherwise raise BadAnswerError."""
    try:
        return shape(value)
    except _Wrong as exc:
        raise BadAnswerError(status, operation, str(exc), text)
