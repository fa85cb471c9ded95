#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: library_item
short_description: Create, describe, rename or delete a Content Library item
version_added: 0.1.0
description:
  - Makes sure a library item exists with the given description (O(state=present)), creating it in a local library
    when the library has no item of that name, or that it does not exist (O(state=absent)).
  - Given O(library_item_id), O(state=present) renames the item to O(item_name) when that differs.
  - A changed item is read back; when it does not show the change vCenter accepted, the task fails.
  - An item on which the calling user has an V(ACTIVE) update session is not changed or deleted, and the task fails
    naming the session, unless O(force=true) (with O(state=absent), the session is then canceled before the item is deleted).
  - The item's content is put in with M(vsphere.content_library.library_item_upload) and read with
    M(vsphere.content_library.library_item_download).
  - Works against the modern C(/api) and the legacy C(/rest) flavour of the vSphere Automation API.
author:
  - vsphere.content_library maintainers (@vsphere-collections)
options:
  library_item_id:
    description:
      - The id of the item. With O(state=present) the item must exist.
      - Mutually exclusive with O(library_id) and O(library_name).
    type: str
  library_id:
    description:
      - The id of the local library that holds (or will hold) the item named O(item_name).
    type: str
  library_name:
    description:
      - The name of the local library that holds (or will hold) the item named O(item_name). It must match exactly one
        local library (names are compared without regard to case).
    type: str
  item_name:
    description:
      - The item's name in the library given by O(library_id) or O(library_name).
      - With O(library_item_id), the name the item must have (it is renamed when it differs).
    type: str
  item_type:
    description:
      - The type of an item this task creates, such as V(ovf), V(iso) or V(file).
      - An existing item's type cannot change; a different value fails the task.
    type: str
  item_description:
    description:
      - The item's description. Not set, an existing item keeps its description.
      - The alias O(description) is the name vmware.vmware's C(import_content_library_iso) and C(import_content_library_ovf)
        give the description of the item they create.
    type: str
    aliases: [description]
  state:
    description:
      - V(present) makes sure the item exists, with the given name and description.
      - V(absent) deletes the item, with its content. An item that does not exist is already absent.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - Change or delete the item even when the calling user has an V(ACTIVE) update session on it; with
        O(state=absent), such a session is canceled first.
    type: bool
    default: false
extends_documentation_fragment:
  - vsphere.content_library.connection
  - vsphere.content_library.attributes
attributes:
  check_mode:
    support: full
    details: In check mode the module finds the library and the item and predicts C(changed) and the item after the task; it sends no write.
  diff_mode:
    support: full
    details: The diff shows the item's name, type, description and library before and after.
  idempotent:
    support: full
seealso:
  - module: vsphere.content_library.library_item_info
  - module: vsphere.content_library.library_item_upload
'''

EXAMPLES = r'''
- name: Manage library items
  module_defaults:
    group/vsphere.content_library.all:
      hostname: "{{ vcenter_hostname }}"
      username: "{{ vcenter_username }}"
      password: "{{ vcenter_password }}"
      ca_path: "{{ vcenter_ca_path }}"
  block:
    - name: An empty ISO item with a description
      vsphere.content_library.library_item:
        library_name: "{{ library_name }}"
        item_name: photon-5-iso
        item_type: iso
        item_description: Photon OS 5, x86_64
      register: made

    - name: Rename it
      vsphere.content_library.library_item:
        library_item_id: "{{ made.library_item.id }}"
        item_name: photon-5.0-iso

    - name: Delete it, whatever is going on with it
      vsphere.content_library.library_item:
        library_name: "{{ library_name }}"
        item_name: photon-5.0-iso
        state: absent
        force: true
'''

# The failure keys below (msg, error_type, status, error_messages, the ids) are documented again in
# every module on purpose: Ansible has no documentation fragments for RETURN, and each module's
# manual must stand alone.
RETURN = r'''
library_item:
  description:
    - The item after the task (in check mode, as it would be); an empty dict with O(state=absent).
    - See M(vsphere.content_library.library_item_info) for its fields.
  returned: success
  type: dict
  sample: {"id": "3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e", "name": "photon-5-iso", "type": "iso",
           "description": "Photon OS 5, x86_64", "library_id": "eb56d877-6764-4fd6-8bcb-bb3801c4b8f0", "content_version": "1"}
diff:
  description: The item's name, type, description and library before and after; only with C(--diff) and a change.
  returned: changed and in diff mode
  type: dict
  sample: {"before": {}, "after": {"name": "photon-5-iso", "type": "iso", "library_id": "eb56d877-6764-4fd6-8bcb-bb3801c4b8f0"}}
msg:
  description: On failure, what went wrong, with the operation, the ids and vCenter's own error type and message.
  returned: failure
  type: str
  sample: "Cannot delete library item photon-5-iso (3c9e...): update session 0b5f... is ACTIVE on it. ..."
error_type:
  description:
    - On failure, the kind of error - vCenter's error type in the modern spelling (such as C(NOT_FOUND) or
      C(ALREADY_EXISTS)), or one of the collection's own - C(NOT_ALLOWED_IN_CURRENT_STATE) (an ACTIVE update session),
      C(INVALID_ARGUMENT) (refused input, nothing sent), C(TIMED_OUT), C(CONNECTION_ERROR), C(TLS_ERROR),
      C(PROXY_ERROR), C(REDIRECT_REFUSED), C(BAD_ANSWER), C(INTERRUPTED).
  returned: failure
  type: str
  sample: NOT_ALLOWED_IN_CURRENT_STATE
status:
  description: On failure, the HTTP status vCenter answered, when it answered.
  returned: failure, when vCenter answered
  type: int
  sample: 400
error_messages:
  description: On failure, vCenter's own messages.
  returned: failure, when vCenter gave messages
  type: list
  elements: str
  sample: ["An item named photon-5-iso already exists in the library."]
session_state:
  description: On failure because of an ACTIVE update session on the item, that state.
  returned: failure, when an update session refused the change
  type: str
  sample: ACTIVE
update_session_id:
  description: On failure, the update session the task looked at last.
  returned: failure, when known
  type: str
  sample: 0b5fa8d9-2fd6-4b0b-9c6e-3d4a5f1c2e7b
library_item_id:
  description: On failure, the library item the task worked on.
  returned: failure, when known
  type: str
  sample: 3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e
library_id:
  description: On failure, the library the task worked on.
  returned: failure, when known
  type: str
  sample: eb56d877-6764-4fd6-8bcb-bb3801c4b8f0
api_flavor:
  description: The URL flavour of the vSphere Automation API that answered.
  returned: always
  type: str
  sample: api
'''

from typing import Any

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import UserInputError
from ansible_collections.vsphere.content_library.plugins.module_utils._items import ItemTask
from ansible_collections.vsphere.content_library.plugins.module_utils._library import ITEM_MUTUALLY_EXCLUSIVE_RENAMING, ITEM_REQUIRED_ONE_OF, item_options
from ansible_collections.vsphere.content_library.plugins.module_utils._module import ContentLibraryModule
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import check_text


def check_input(params: dict[str, Any]) -> dict[str, Any]:
    if params['item_type'] is not None:
        check_text(params['item_type'], 'item_type', max_length=80)
    if params['item_description'] is not None and len(params['item_description']) > 2000:
        raise UserInputError('item_description is %d characters long; vCenter allows at most 2000.' % len(params['item_description']))
    return {}


def main() -> None:
    module = ContentLibraryModule(
        argument_spec=dict(
            item_options(),
            item_type=dict(type='str'),
            item_description=dict(type='str', aliases=['description']),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            force=dict(type='bool', default=False),
        ),
        mutually_exclusive=ITEM_MUTUALLY_EXCLUSIVE_RENAMING,
        required_one_of=ITEM_REQUIRED_ONE_OF,
        check_input=check_input,
    )
    module.run(ItemTask(module).run)


if __name__ == '__main__':
    main()
