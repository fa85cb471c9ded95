# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What each operation's answer must look like before the modules believe it.

This is a private module: it is not a public API and may change at any time.

A 2xx answer that is not the JSON an operation returns (an HTML page from a
proxy, an empty or truncated body, ``null`` where an object is due, a list where
an object is due, an object without the fields the reference says are always
there, an enum value outside the documented list) is refused here with the
status, the operation and the start of the body, so that no module iterates
over a body of the wrong type. A list answered ``null`` is an empty list: that is
how Go servers (govmomi's vcsim) encode one.
"""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.vsphere.content_library.plugins.module_utils import _model as model
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import BadAnswerError

# Tokens and ids are short printable strings; an HTML page is neither.
MAX_TOKEN_LENGTH = 4096

Shape = Callable[[Any], Any]
_LIST_SHAPES: set[Shape] = set()


class _Wrong(Exception):
    """Raised inside a check; turned into BadAnswerError with the answer's details."""


def _list_shape(shape: Shape) -> Shape:
    """Mark ``shape`` as a list's: a ``null`` answer then means an empty list."""
    _LIST_SHAPES.add(shape)
    return shape


def is_list(shape: Shape) -> bool:
    return shape in _LIST_SHAPES


def _object(value: Any, what: str, required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Wrong('%s is not a JSON object' % what)
    missing = [name for name in required if value.get(name) is None]
    if missing:
        raise _Wrong('%s has no %s' % (what, ', '.join(missing)))
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise _Wrong('%s is not a JSON list' % what)
    return value


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_TOKEN_LENGTH or any(c.isspace() or c in '<>"' for c in value):
        raise _Wrong('%s is not an id' % what)
    return value


def _enum(value: Any, allowed: tuple[str, ...], what: str) -> None:
    if value is not None and value not in allowed:
        raise _Wrong('%s %r is not one of %s' % (what, value, ', '.join(allowed)))


def _number(value: Any, what: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise _Wrong('%s is not an integer' % what)


def _checksum(value: Any, what: str) -> None:
    if value is None:
        return
    _object(value, what)
    _enum(value.get('algorithm'), model.CHECKSUM_ALGORITHMS, '%s algorithm' % what)
    if value.get('checksum') is not None and not isinstance(value['checksum'], str):
        raise _Wrong('%s checksum is not a string' % what)


def token(value: Any) -> str:
    return _string(value, 'the session id')


def nothing(value: Any) -> Any:
    # Writes without a result: an empty body (or the legacy flavour's empty object).
    return value


def an_id(value: Any) -> str:
    return _string(value, 'the id')


@_list_shape
def ids(value: Any) -> list[str]:
    for index, entry in enumerate(_list(value, 'the list of ids')):
        _string(entry, 'entry %d of the list' % index)
    return value


def session(value: Any) -> dict[str, Any]:
    _object(value, 'the update session', ('library_item_id', 'state'))
    _enum(value['state'], model.UPDATE_SESSION_STATES, 'its state')
    _number(value.get('client_progress'), 'its client_progress')
    preview = value.get('preview_info')
    if preview is not None:
        _object(preview, 'its preview_info', ('state',))
        _enum(preview['state'], model.PREVIEW_STATES, 'its preview_info state')
        for warning in _list(preview.get('warnings') or [], 'its preview warnings'):
            _object(warning, 'a preview warning', ('type',))
    for entry in _list(value.get('warning_behavior') or [], 'its warning_behavior'):
        _object(entry, 'a warning_behavior entry', ('type',))
    return value


def file_info(value: Any) -> dict[str, Any]:
    _object(value, 'the file', ('name', 'status'))
    _enum(value['status'], model.TRANSFER_STATUSES, 'its status')
    _enum(value.get('source_type'), model.SOURCE_TYPES, 'its source_type')
    _number(value.get('size'), 'its size')
    _checksum(value.get('checksum_info'), 'its checksum_info')
    return value


def _endpoint(value: Any, what: str) -> None:
    endpoint = _object(value, what, ('uri',))
    if not isinstance(endpoint['uri'], str) or not endpoint['uri'].startswith(('https://', 'http://')):
        raise _Wrong('%s uri is not an http(s) URL' % what)


def added_file(value: Any) -> dict[str, Any]:
    """The answer to file.add: a PUSH file must say where to upload it."""
    file_info(value)
    if value.get('source_type') == model.PUSH and value.get('status') == model.WAITING_FOR_TRANSFER:
        _endpoint(value.get('upload_endpoint'), 'its upload_endpoint')
    return value


@_list_shape
def file_infos(value: Any) -> list[dict[str, Any]]:
    for entry in _list(value, 'the list of files'):
        file_info(entry)
    return value


def validation(value: Any) -> dict[str, Any]:
    _object(value, 'the validation result', ('has_errors',))
    if not isinstance(value['has_errors'], bool):
        raise _Wrong('its has_errors is not a boolean')
    _list(value.get('missing_files') or [], 'its missing_files')
    _list(value.get('invalid_files') or [], 'its invalid_files')
    return value


def library(value: Any) -> dict[str, Any]:
    _object(value, 'the library', ('type',))
    _enum(value['type'], model.LIBRARY_TYPES, 'its type')
    return value


def item(value: Any) -> dict[str, Any]:
    _object(value, 'the library item', ('library_id',))
    _number(value.get('size'), 'its size')
    return value


def item_file(value: Any) -> dict[str, Any]:
    _object(value, 'a file of the item', ('name',))
    _number(value.get('size'), 'its size')
    _checksum(value.get('checksum_info'), 'its checksum_info')
    return value


@_list_shape
def item_files(value: Any) -> list[dict[str, Any]]:
    for entry in _list(value, 'the list of files'):
        item_file(entry)
    return value


def download_session(value: Any) -> dict[str, Any]:
    _object(value, 'the download session', ('library_item_id', 'state'))
    _enum(value['state'], model.DOWNLOAD_SESSION_STATES, 'its state')
    _number(value.get('client_progress'), 'its client_progress')
    return value


def download_file(value: Any) -> dict[str, Any]:
    """A download session's File.Info; a download endpoint, when there is one, must be a URL."""
    _object(value, 'the file', ('name', 'status'))
    _enum(value['status'], model.PREPARE_STATUSES, 'its status')
    _number(value.get('size'), 'its size')
    _number(value.get('bytes_transferred'), 'its bytes_transferred')
    _checksum(value.get('checksum_info'), 'its checksum_info')
    if value.get('download_endpoint') is not None:
        _endpoint(value['download_endpoint'], 'its download_endpoint')
    return value


@_list_shape
def download_files(value: Any) -> list[dict[str, Any]]:
    for entry in _list(value, 'the list of files'):
        download_file(entry)
    return value


def check(shape: Shape, value: Any, status: int, operation: str, text: str) -> Any:
    """Return ``value`` when it has ``shape``; otherwise raise BadAnswerError."""
    try:
        return shape(value)
    except _Wrong as exc:
        raise BadAnswerError(status, operation, str(exc), text)
