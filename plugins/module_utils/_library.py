# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Libraries and library items: finding them by id or by name, creating, changing and deleting items.

This is a private module: it is not a public API and may change at any time.
"""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.vsphere.content_library.plugins.module_utils._cleanup import CleanupStack, Undo
from ansible_collections.vsphere.content_library.plugins.module_utils._client import RestClient
from ansible_collections.vsphere.content_library.plugins.module_utils._content import Checksum, normalize_algorithm
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    ApiError,
    BadAnswerError,
    ContentLibraryError,
    NotFoundError,
    UserInputError,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._model import DEFAULT_ALGORITHM, LOCAL
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import check_file_name

Item = dict[str, Any]
Library = dict[str, Any]
# What a module returns of an item.
ITEM_FIELDS = ('id', 'name', 'type', 'description', 'library_id', 'content_version', 'size', 'cached', 'creation_time', 'last_modified_time')
_ALWAYS = ('id', 'name', 'type', 'library_id', 'content_version')


def item_options() -> dict[str, dict[str, Any]]:
    """The options that name one library item: its id, or a library (id or name) and the item's name."""
    return dict(library_item_id=dict(type='str'), library_id=dict(type='str'), library_name=dict(type='str'), item_name=dict(type='str'))


# How those options go together, in the argument spec's words.
ITEM_MUTUALLY_EXCLUSIVE = [
    ('library_item_id', 'library_id'),
    ('library_item_id', 'library_name'),
    ('library_item_id', 'item_name'),
    ('library_id', 'library_name'),
]
ITEM_REQUIRED_ONE_OF = [('library_item_id', 'item_name'), ('library_item_id', 'library_id', 'library_name')]
# Where an item given by its id may be renamed to item_name (library_item), the two go together.
ITEM_MUTUALLY_EXCLUSIVE_RENAMING = [pair for pair in ITEM_MUTUALLY_EXCLUSIVE if pair != ('library_item_id', 'item_name')]


def get_library(client: RestClient, library_id: str) -> Library:
    try:
        library = client.call('library.get', library_id=library_id)
    except ApiError as exc:
        if exc.status == 404:
            raise NotFoundError('Library %s was not found.' % library_id, exc.messages, exc.status)
        raise
    return dict(library, id=library_id)


def find_library(client: RestClient, library_id: str | None = None, library_name: str | None = None, local_only: bool = True) -> Library:
    """A library by id or by name; with ``local_only``, a subscribed library is refused.

    A name must match exactly one library of the kind wanted (vCenter compares names
    case-insensitively); a local library wins over a subscribed one of the same name.
    """
    if library_id:
        library = get_library(client, library_id)
    else:
        found = [get_library(client, found_id) for found_id in client.call('library.find', find_spec={'name': library_name})]
        local = [each for each in found if each.get('type') == LOCAL]
        if len(local) > 1 or (not local and len(found) > 1):
            several = local or found
            raise UserInputError(
                '%d %slibraries are named %s (%s): give library_id instead.'
                % (len(several), 'local ' if local else '', library_name, ', '.join(each['id'] for each in several))
            )
        if not found:
            raise NotFoundError('No %slibrary is named %s.' % ('local ' if local_only else '', library_name))
        library = (local or found)[0]
    if local_only and library.get('type') != LOCAL:
        raise UserInputError(
            'Library %s (%s) is a %s library: its content comes from its publisher, so nothing '
            'can be put into it.' % (library.get('name') or library['id'], library['id'], str(library.get('type')).lower())
        )
    return library


def get_item(client: RestClient, item_id: str) -> Item | None:
    """The item's model with its id, or None when vCenter does not know it."""
    try:
        item = client.call('item.get', library_item_id=item_id)
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise
    return dict(item, id=item_id)


def get_existing_item(client: RestClient, item_id: str) -> Item:
    item = get_item(client, item_id)
    if item is None:
        raise NotFoundError('Library item %s was not found.' % item_id)
    return item


def find_item(client: RestClient, library_id: str, name: str) -> Item | None:
    """The item of that name in the library, or None. Names are unique in a library, case-insensitively."""
    ids = client.call('item.find', find_spec={'name': name, 'library_id': library_id})
    for item_id in ids:
        item = get_item(client, item_id)
        if item is not None and item.get('library_id') == library_id:
            return item
    return None


def locate_item(client: RestClient, params: dict[str, Any], local_only: bool = False, item_name_option: str = 'item_name') -> tuple[Item | None, Library]:
    """The item a task names, by ``library_item_id`` or by library and name, with its library.

    The item is None when the library has no item of that name (the caller decides whether
    to create it); an unknown ``library_item_id`` fails.
    """
    if params.get('library_item_id'):
        item = get_existing_item(client, params['library_item_id'])
        return item, find_library(client, library_id=item['library_id'], local_only=local_only)
    library = find_library(client, params.get('library_id'), params.get('library_name'), local_only=local_only)
    return find_item(client, library['id'], params[item_name_option]), library


def create_item(
    client: RestClient,
    cleanup: CleanupStack,
    library_id: str,
    name: str,
    item_type: str | None,
    description: str | None,
    client_token: str,
    id_key: str = 'library_item_id',
) -> tuple[Item, Undo]:
    """Create an item, and push on the clean-up stack its deletion if the task fails (named ``id_key`` in a failure)."""
    spec = {'library_id': library_id, 'name': name}
    if item_type:
        spec['type'] = item_type
    if description:
        spec['description'] = description
    item_id = client.call('item.create', create_spec=spec, client_token=client_token)
    cleanup.touch(id_key, item_id)

    def undo(_reason: str) -> str:
        return delete_item(client, item_id, 'which this task had created')

    step = cleanup.push('library item %s' % item_id, undo)
    return get_item(client, item_id) or dict(spec, id=item_id), step


def delete_item(client: RestClient, item_id: str, which: str) -> str:
    """Delete an item; say in a sentence what happened (never raises)."""
    try:
        client.call('item.delete', library_item_id=item_id)
    except ApiError as exc:
        if exc.status == 404:
            return 'Library item %s, %s, no longer exists.' % (item_id, which)
        return 'Deleting library item %s, %s, failed: %s' % (item_id, which, exc)
    except ContentLibraryError as exc:
        return 'Deleting library item %s, %s, failed: %s' % (item_id, which, exc)
    return 'Library item %s, %s, was deleted.' % (item_id, which)


def item_files(client: RestClient, item_id: str) -> list[dict[str, Any]]:
    """The files the item holds now (name, size, checksum_info, cached)."""
    return client.call('item_file.list', library_item_id=item_id)


def list_items(client: RestClient, library_id: str) -> list[Item]:
    """Every item of a library (full models), read concurrently; one deleted meanwhile is left out."""
    ids = client.call('item.list', library_id=library_id)
    return [item for item in client.map(lambda item_id: get_item(client, item_id), ids) if item is not None]


def checked_name(name: Any) -> str:
    """A file name that came from vCenter: only a plain base name may decide where bytes land on the host."""
    if isinstance(name, str) and '\0' in name:
        raise BadAnswerError(200, 'list the files of the library item', 'a file name holds a NUL character; nothing was written', repr(name))
    try:
        return check_file_name(name, 'the file name')
    except UserInputError as exc:
        # Only the sentence's own period goes: "... and not . or .." names the refused names.
        text = str(exc)
        text = text[:-1] if text.endswith('.') and not text.endswith(' ..') else text
        raise BadAnswerError(200, 'list the files of the library item', '%s; nothing was written' % text, repr(name))


def server_checksum(info: dict[str, Any]) -> Checksum | None:
    """The checksum vCenter reports for a file, as a Checksum (None when it reports none)."""
    checksum = info.get('checksum_info') or {}
    if not checksum.get('checksum'):
        return None
    return Checksum(normalize_algorithm(checksum.get('algorithm') or DEFAULT_ALGORITHM), str(checksum['checksum']).lower())


def holds_same_file(info: dict[str, Any], size: int, checksum: Callable[[str], str]) -> bool:
    """Whether vCenter's file ``info`` holds the bytes of a file of ``size`` whose digest ``checksum(algorithm)`` gives.

    The sizes are compared first, and the digest is computed only when they match; a file for
    which vCenter reports no checksum is never taken as the same: nothing proves it.
    """
    if size != info.get('size'):
        return False
    expected = server_checksum(info)
    return expected is not None and checksum(expected.algorithm) == expected.checksum


def item_view(item: Item) -> dict[str, Any]:
    """What a module returns of an item: its id, name, type and the other fields the API gave."""
    return dict((key, item.get(key)) for key in ITEM_FIELDS if key in item or key in _ALWAYS)


def file_view(info: dict[str, Any]) -> dict[str, Any]:
    """A file of an item as modules return it: name, size and (when known) checksum_info."""
    view = {'name': info.get('name'), 'size': info.get('size')}
    if info.get('checksum_info'):
        view['checksum_info'] = info['checksum_info']
    return view
