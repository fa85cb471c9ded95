# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The library items themselves: reading them (library_item_info), and making or removing one (library_item).

This is a private module: it is not a public API and may change at any time.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from ansible_collections.vsphere.content_library.plugins.module_utils._client import call_or_read_back
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    BadAnswerError,
    NotFoundError,
    StateError,
    UserInputError,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._library import (
    Item,
    create_item,
    file_view,
    find_item,
    find_library,
    get_existing_item,
    get_item,
    item_files,
    item_view,
    list_items,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._model import ACTIVE
from ansible_collections.vsphere.content_library.plugins.module_utils._module import ModuleTask
from ansible_collections.vsphere.content_library.plugins.module_utils._update_session import list_sessions, send_or_read_back

# What the diff of library_item shows of an item.
_DIFF_FIELDS = ('name', 'type', 'description', 'library_id')


def _not_shown(item: Item, update: dict[str, Any]) -> list[str]:
    """The fields of ``update`` that ``item`` does not show (an absent description is an empty one)."""
    return [key for key, value in update.items() if (item.get(key) or '') != value]


class ItemInfoTask(ModuleTask):
    """library_item_info: the items of a library, or one item, with their files when asked."""

    def run(self) -> dict[str, Any]:
        params = self.params
        if params['library_item_id']:
            found = get_item(self.client, params['library_item_id'])
            items = [found] if found is not None else []
        else:
            library = find_library(self.client, params['library_id'], params['library_name'], local_only=False)
            if params['item_name']:
                one = find_item(self.client, library['id'], params['item_name'])
                items = [one] if one is not None else []
            else:
                items = list_items(self.client, library['id'])
        views = [item_view(item) for item in sorted(items, key=lambda each: (str(each.get('name')).lower(), each['id']))]
        if params['files']:
            files = self.client.map(lambda view: item_files(self.client, view['id']), views)
            for view, infos in zip(views, files):
                view['files'] = [dict(file_view(info), cached=info.get('cached')) for info in infos]
        return dict(changed=False, library_items=views)


class ItemTask(ModuleTask):
    """library_item: an item present (created, described, renamed) or absent, idempotently."""

    def run(self) -> dict[str, Any]:
        item, library_id = self.locate()
        if self.params['state'] == 'absent':
            before, after = self.absent(item)
        else:
            before, after = self.present(item, library_id)
        changed = before != after
        result: dict[str, Any] = dict(changed=changed, library_item=item_view(after) if after else {})
        if changed:
            result.update(self.module.diff(self.diff_view(before), self.diff_view(after)))
        return result

    @staticmethod
    def diff_view(item: Item | None) -> dict[str, Any]:
        return dict((field, item.get(field)) for field in _DIFF_FIELDS if item.get(field) is not None) if item else {}

    def locate(self) -> tuple[Item | None, str]:
        """The item (None when the library has none of that name) and its library, which must be local."""
        params = self.params
        if params['library_item_id']:
            item = get_item(self.client, params['library_item_id'])
            if item is None:
                if params['state'] == 'absent':
                    return None, ''
                raise NotFoundError('Library item %s was not found.' % params['library_item_id'])
            find_library(self.client, library_id=item['library_id'])
            return item, item['library_id']
        library = find_library(self.client, params['library_id'], params['library_name'])
        return find_item(self.client, library['id'], params['item_name']), library['id']

    def present(self, item: Item | None, library_id: str) -> tuple[Item | None, Item]:
        params = self.params
        if item is None:
            spec = {'library_id': library_id, 'name': params['item_name'], 'type': params['item_type'], 'description': params['item_description']}
            if self.check_mode:
                return None, dict((key, value) for key, value in spec.items() if value is not None)
            created, undo = create_item(
                self.client, self.cleanup, library_id, params['item_name'], params['item_type'], params['item_description'], str(uuid.uuid4())
            )
            self.cleanup.release(undo)  # made as asked: nothing to undo if something later fails
            return None, created
        if params['item_type'] is not None and params['item_type'] != item.get('type'):
            raise UserInputError(
                'Library item %s is of type %s; its type cannot be changed to %s (make a new item instead).'
                % (item['id'], item.get('type'), params['item_type'])
            )
        update: dict[str, Any] = {}
        if params['item_description'] is not None and params['item_description'] != (item.get('description') or ''):
            update['description'] = params['item_description']
        if params['library_item_id'] and params['item_name'] is not None and params['item_name'] != item.get('name'):
            update['name'] = params['item_name']
        if not update:
            return item, item
        self.refuse_active_sessions(item, 'change')
        after = dict(item, **update)
        if not self.check_mode:
            item_id = item['id']
            call_or_read_back(
                self.client,
                'item.update',
                lambda: get_item(self.client, item_id),
                lambda now: now is not None and not _not_shown(now, update),
                'library item %s' % item_id,
                library_item_id=item_id,
                update_spec=update,
            )
            after = get_existing_item(self.client, item_id)
            ignored = _not_shown(after, update)
            if ignored:
                # govmomi's vcsim answers 200 to an empty description and keeps the old one: the task must not say ok.
                raise BadAnswerError(
                    200,
                    'update library item %s' % item_id,
                    'the item read back afterwards still has %s' % ', '.join('the %s %r instead of %r' % (key, after.get(key), update[key]) for key in ignored),
                    json.dumps(dict((key, after.get(key)) for key in ignored)),
                )
        return item, after

    def absent(self, item: Item | None) -> tuple[Item | None, Item | None]:
        if item is None:
            return None, None
        active = self.refuse_active_sessions(item, 'delete')
        if not self.check_mode:
            for session in active:
                # force: the session would keep the item busy; its content goes with the item anyway.
                send_or_read_back(self.client, 'update_session.cancel', session['id'], lambda now: now is None or now['state'] != ACTIVE)
            item_id = item['id']
            call_or_read_back(
                self.client,
                'item.delete',
                lambda: get_item(self.client, item_id),
                lambda now: now is None,
                'library item %s' % item_id,
                library_item_id=item_id,
            )
        return item, None

    def refuse_active_sessions(self, item: Item, what: str) -> list[dict[str, Any]]:
        """The item's ACTIVE update sessions; without force, any of them refuses the change."""
        active = [session for session in list_sessions(self.client, item['id']) if session['state'] == ACTIVE]
        if active and not self.params['force']:
            raise StateError(
                'Cannot %s library item %s (%s): update session %s is ACTIVE on it. Complete, cancel or fail it '
                'first, or set force=true.' % (what, item.get('name'), item['id'], ', '.join(s['id'] for s in active)),
                ACTIVE,
            )
        return active
