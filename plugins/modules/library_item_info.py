#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: library_item_info
short_description: Read Content Library items, and their files
version_added: 0.1.0
description:
  - Returns the items of a library (local or subscribed), found by O(library_id) or O(library_name), or one item,
    by O(library_item_id) or by library and O(item_name), with every field vCenter gives.
  - With O(files=true), each item also lists its files with their size, checksum and whether they are cached.
  - Items are found by name with the API's find operation; the details of many items are read concurrently,
    over up to 8 connections.
  - Works against the modern C(/api) and the legacy C(/rest) flavour of the vSphere Automation API.
author:
  - vsphere.content_library maintainers (@vsphere-collections)
options:
  library_item_id:
    description:
      - The id of one item to return. An item vCenter does not know gives an empty list.
      - Mutually exclusive with O(library_id), O(library_name) and O(item_name).
    type: str
  library_id:
    description:
      - The id of the library whose items are returned (all of them, or the one named O(item_name)).
    type: str
  library_name:
    description:
      - The name of the library whose items are returned. It must match one library (names are compared without
        regard to case; a local library wins over a subscribed one of the same name).
    type: str
  item_name:
    description:
      - Return only the item of this name in the library; an empty list when there is none.
    type: str
  files:
    description:
      - Also return each item's files (name, size, checksum and whether vCenter holds its content).
    type: bool
    default: false
extends_documentation_fragment:
  - vsphere.content_library.connection
  - vsphere.content_library.attributes
  - vsphere.content_library.attributes.INFO_MODULE
seealso:
  - module: vsphere.content_library.library_item
  - module: vsphere.content_library.library_item_download
'''

EXAMPLES = r'''
- name: Read library items
  module_defaults:
    group/vsphere.content_library.all:
      hostname: "{{ vcenter_hostname }}"
      username: "{{ vcenter_username }}"
      password: "{{ vcenter_password }}"
      ca_path: "{{ vcenter_ca_path }}"
  block:
    - name: Every item of a library
      vsphere.content_library.library_item_info:
        library_name: "{{ library_name }}"
      register: listing

    - name: Show their names and sizes
      ansible.builtin.debug:
        msg: "{{ listing.library_items | items2dict(key_name='name', value_name='size') }}"

    - name: One item found by name, with its files and their checksums
      vsphere.content_library.library_item_info:
        library_name: "{{ library_name }}"
        item_name: photon-iso
        files: true
      register: photon
'''

# The failure keys below (msg, error_type, status, error_messages, the ids) are documented again in
# every module on purpose: Ansible has no documentation fragments for RETURN, and each module's
# manual must stand alone.
RETURN = r'''
library_items:
  description:
    - The items asked for, sorted by name, in the modern C(/api) shape whichever flavour answered.
    - Empty when O(library_item_id) or O(item_name) names no item.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The item's id.
      type: str
      sample: 3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e
    name:
      description: The item's name, unique in its library.
      type: str
      sample: photon-iso
    type:
      description: The item's type, such as C(ovf), C(iso) or C(file).
      type: str
      sample: iso
    description:
      description: The item's description.
      type: str
      sample: Photon OS 5
    library_id:
      description: The library that holds the item.
      type: str
      sample: eb56d877-6764-4fd6-8bcb-bb3801c4b8f0
    size:
      description: The storage the item's files take, in bytes.
      type: int
      sample: 1048576
    content_version:
      description: The version of the item's content; it changes each time its content does.
      type: str
      sample: "2"
    cached:
      description: Whether vCenter holds the item's content (a subscribed library's item may not).
      type: bool
      sample: true
    creation_time:
      description: When the item was created (ISO 8601, UTC).
      type: str
      sample: "2026-11-23T12:05:00.000Z"
    last_modified_time:
      description: When the item last changed (ISO 8601, UTC).
      type: str
      sample: "2026-11-23T12:05:00.000Z"
    files:
      description: With O(files=true), the item's files.
      type: list
      elements: dict
      returned: when O(files=true)
      sample: [{"name": "photon.iso", "size": 1048576, "cached": true,
                "checksum_info": {"algorithm": "SHA1", "checksum": "9a3b0c1d2e3f405162738495a6b7c8d9e0f1a2b3"}}]
  sample:
    - {"id": "3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e", "name": "photon-iso", "type": "iso", "description": "Photon OS 5",
       "library_id": "eb56d877-6764-4fd6-8bcb-bb3801c4b8f0", "size": 1048576, "content_version": "2", "cached": true,
       "creation_time": "2026-11-23T12:05:00.000Z", "last_modified_time": "2026-11-23T12:05:00.000Z"}
msg:
  description: On failure, what went wrong, with the operation, the ids and vCenter's own error type and message.
  returned: failure
  type: str
  sample: "No library is named images."
error_type:
  description:
    - On failure, the kind of error - vCenter's error type in the modern spelling (such as C(NOT_FOUND)), or one of
      the collection's own - C(INVALID_ARGUMENT) (refused input, nothing sent), C(TIMED_OUT), C(CONNECTION_ERROR),
      C(TLS_ERROR), C(PROXY_ERROR), C(REDIRECT_REFUSED), C(BAD_ANSWER), C(INTERRUPTED).
  returned: failure
  type: str
  sample: NOT_FOUND
status:
  description: On failure, the HTTP status vCenter answered, when it answered.
  returned: failure, when vCenter answered
  type: int
  sample: 404
error_messages:
  description: On failure, vCenter's own messages.
  returned: failure, when vCenter gave messages
  type: list
  elements: str
  sample: ["The library eb56... was not found."]
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

from ansible_collections.vsphere.content_library.plugins.module_utils._items import ItemInfoTask
from ansible_collections.vsphere.content_library.plugins.module_utils._library import ITEM_MUTUALLY_EXCLUSIVE, ITEM_REQUIRED_ONE_OF, item_options
from ansible_collections.vsphere.content_library.plugins.module_utils._module import ContentLibraryModule


def main() -> None:
    module = ContentLibraryModule(
        argument_spec=dict(item_options(), files=dict(type='bool', default=False)),
        mutually_exclusive=ITEM_MUTUALLY_EXCLUSIVE,
        # An item by id, or a library (all its items, or the one named item_name).
        required_one_of=ITEM_REQUIRED_ONE_OF[1:],
    )
    module.run(ItemInfoTask(module).run)


if __name__ == '__main__':
    main()
