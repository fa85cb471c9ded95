# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""library_item against vcsim: create, the re-run, a new description, a rename by id, absent and its re-run.

Check mode (no write is sent) is seen through the recording proxy in test_vcsim_logins_and_writes.py.
"""

from __future__ import annotations

import uuid
from typing import Any

import vcsim_helpers as h

ITEM = 'library_item'


def new_name(prefix: str) -> str:
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def test_create_rerun_describe_rename_and_delete(run: Any, admin: h.Admin, library: dict[str, Any]) -> None:
    name = new_name('item')
    by_names = dict(library_name=library['name'], item_name=name)
    made = h.assert_ok(run(ITEM, diff=True, item_type='iso', item_description='first', **by_names))
    assert made['changed'] is True
    item = made['library_item']
    assert (item['name'], item['type'], item['description'], item['library_id']) == (name, 'iso', 'first', library['id'])
    assert made['diff'] == {'before': {}, 'after': {'name': name, 'type': 'iso', 'description': 'first', 'library_id': library['id']}}
    assert admin.find_items(library['id'], name) == [item['id']]

    again = h.assert_ok(run(ITEM, item_type='iso', item_description='first', **by_names))
    assert again['changed'] is False
    assert again['library_item'] == item

    described = h.assert_ok(run(ITEM, item_description='second', **by_names))
    assert described['changed'] is True
    assert described['library_item']['description'] == 'second'
    assert admin.item(item['id'])['description'] == 'second'

    renamed = h.assert_ok(run(ITEM, library_item_id=item['id'], item_name=name + '-renamed'))
    assert renamed['changed'] is True
    assert renamed['library_item']['name'] == name + '-renamed'
    assert admin.item(item['id'])['name'] == name + '-renamed'
    assert admin.find_items(library['id'], name) == []

    gone = h.assert_ok(run(ITEM, state='absent', library_name=library['name'], item_name=name + '-renamed'))
    assert gone['changed'] is True and gone['library_item'] == {}
    assert admin.item(item['id']) is None
    still_gone = h.assert_ok(run(ITEM, state='absent', library_name=library['name'], item_name=name + '-renamed'))
    assert still_gone['changed'] is False and still_gone['library_item'] == {}
    # By id too: an item vCenter does not know is already absent.
    assert h.assert_ok(run(ITEM, state='absent', library_item_id=item['id']))['changed'] is False


def test_an_empty_description_that_vcsim_ignores_fails(run: Any, admin: h.Admin, library: dict[str, Any]) -> None:
    # vcsim's PATCH merges only non-empty fields: it answers 200 to {"description": ""} and keeps the old one.
    # The module reads the item back and fails, instead of reporting "ok" for an item that still has it.
    item_id = admin.create_item(library['id'])
    admin.value('PATCH', h.REST + '/content/library/item/id:' + item_id, json={'update_spec': {'description': 'kept'}})
    failed = h.assert_clean_failure(run(ITEM, library_item_id=item_id, item_description=''), 'still has', "'kept' instead of ''")
    assert failed['error_type'] == 'BAD_ANSWER'
    assert admin.item(item_id)['description'] == 'kept'


def test_an_active_update_session_refuses_the_delete_unless_forced(run: Any, admin: h.Admin, library: dict[str, Any]) -> None:
    item_id = admin.create_item(library['id'])
    session_id = admin.create_session(item_id)
    refused = h.assert_clean_failure(run(ITEM, state='absent', library_item_id=item_id), session_id, 'force')
    assert refused['error_type'] == 'NOT_ALLOWED_IN_CURRENT_STATE' and refused['session_state'] == 'ACTIVE'
    assert admin.item(item_id) is not None
    forced = h.assert_ok(run(ITEM, state='absent', library_item_id=item_id, force=True))
    assert forced['changed'] is True
    assert admin.item(item_id) is None
    assert admin.session(session_id)['state'] == 'CANCELED'
