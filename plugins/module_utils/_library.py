# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Finding libraries and library items by name, and creating or deleting items.

This is a private module: it is not a public API and may change at any time.
"""

from __future__ import annotations

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    ApiError,
    NotFoundError,
    UserInputError,
)

LOCAL = 'LOCAL'


def get_library(client, library_id):
    try:
        library = client.call('library.get', library_id=library_id)
    except ApiError as exc:
        if exc.status == 404:
            raise NotFoundError('Library %s was not found.' % library_id, exc.messages)
        raise
    return dict(library, id=library_id)


def find_library(client, library_id=None, library_name=None):
    """The library to upload into, by id or by name; only a local library takes content.

    A name must match exactly one local library (vCenter compares names case-insensitively).
    """
    if library_id:
        library = get_library(client, library_id)
    else:
        found = [get_library(client, found_id) for found_id in client.call('library.find', find_spec={'name': library_name})]
        local = [each for each in found if each.get('type') == LOCAL]
        if len(local) > 1:
            raise UserInputError('%d local libraries are named %s (%s): give library_id instead.'
                                 % (len(local), library_name, ', '.join(each['id'] for each in local)))
        if not found:
            raise NotFoundError('No local library is named %s.' % library_name)
        library = (local or found)[0]
    if library.get('type') != LOCAL:
        raise UserInputError('Library %s (%s) is a %s library: its content comes from its publisher, so nothing '
                             'can be uploaded into it.' % (library.get('name') or library['id'], library['id'],
                                                           str(library.get('type')).lower()))
    return library


def get_item(client, item_id):
    """The item's model with its id, or None when vCenter does not know it."""
    try:
        item = client.call('item.get', library_item_id=item_id)
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise
    return dict(item, id=item_id)


def find_item(client, library_id, name):
    """The item of that name in the library, or None. Names are unique in a library, case-insensitively."""
    ids = client.call('item.find', find_spec={'name': name, 'library_id': library_id})
    for item_id in ids:
        item = get_item(client, item_id)
        if item is not None and item.get('library_id') == library_id:
            return item
    return None


def create_item(client, library_id, name, item_type, description, client_token):
    spec = {'library_id': library_id, 'name': name, 'type': item_type}
    if description:
        spec['description'] = description
    item_id = client.call('item.create', create_spec=spec, client_token=client_token)
    return get_item(client, item_id) or dict(spec, id=item_id)


def item_files(client, item_id):
    """The files the item holds now (name, size, checksum_info)."""
    return client.call('item_file.list', library_item_id=item_id)
