#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: update_session_file_info
short_description: Read the files of a Content Library item update session, and validate them
version_added: 0.1.0
description:
  - Returns the files of a vSphere Content Library item update session, as the session sees them (the item's
    files plus the session's changes), with their transfer status, size and checksum.
  - With O(validate=true), also asks vCenter to check that every file the item needs was received
    (the API's C(validate) action), which is a read and changes nothing.
  - Works against the modern C(/api) and the legacy C(/rest) flavour of the vSphere Automation API.
author:
  - vsphere.content_library maintainers (@vsphere-collections)
options:
  update_session_id:
    description:
      - The id of the update session. The task fails if vCenter does not know it.
    type: str
    required: true
    aliases: [id]
  name:
    description:
      - Return only the file of this name; an empty list when the session holds no such file.
    type: str
  validate:
    description:
      - Also validate the session's files and return RV(validation). vCenter validates only V(ACTIVE) sessions;
        on a session in another state the task fails, naming the session and its state.
    type: bool
    default: false
extends_documentation_fragment:
  - vsphere.content_library.connection
  - vsphere.content_library.attributes
  - vsphere.content_library.attributes.INFO_MODULE
seealso:
  - module: vsphere.content_library.update_session_file
  - module: vsphere.content_library.update_session
'''

EXAMPLES = r'''
- name: Check that the session has every file before completing it
  vsphere.content_library.update_session_file_info:
    hostname: "{{ vcenter_hostname }}"
    username: "{{ vcenter_username }}"
    password: "{{ vcenter_password }}"
    ca_path: "{{ vcenter_ca_path }}"
    id: "{{ update_session_id }}"
    validate: true
  register: files

- name: Stop if a file is missing or invalid
  ansible.builtin.assert:
    that:
      - not files.validation.has_errors
    fail_msg: "Missing: {{ files.validation.missing_files }}; invalid: {{ files.validation.invalid_files }}"

- name: Read one file's transfer status
  vsphere.content_library.update_session_file_info:
    hostname: "{{ vcenter_hostname }}"
    username: "{{ vcenter_username }}"
    password: "{{ vcenter_password }}"
    ca_path: "{{ vcenter_ca_path }}"
    id: "{{ update_session_id }}"
    name: photon.ovf
  register: ovf
'''

# The failure keys below (msg, error_type, status, error_messages, the ids) are documented again in
# every module on purpose: Ansible has no documentation fragments for RETURN, and each module's
# manual must stand alone.
RETURN = r'''
files:
  description:
    - The session's files (or the one named), in the modern C(/api) shape whichever flavour answered.
    - See M(vsphere.content_library.update_session_file) for the fields.
  returned: success
  type: list
  elements: dict
  sample:
    - name: photon.ovf
      source_type: PUSH
      status: READY
      bytes_transferred: 12288
      size: 12288
      checksum_info: {"algorithm": "SHA256", "checksum": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
      keep_in_storage: true
validation:
  description: What vCenter's validation found.
  returned: when O(validate=true)
  type: dict
  contains:
    has_errors:
      description: Whether any file is missing or invalid.
      type: bool
      sample: false
    missing_files:
      description: Files the item needs that the session has not received.
      type: list
      elements: str
      sample: ["photon-disk1.vmdk"]
    invalid_files:
      description: Files vCenter found invalid, each with C(name) and C(error_message).
      type: list
      elements: dict
      sample: []
  sample: {"has_errors": false, "missing_files": [], "invalid_files": []}
msg:
  description: On failure, what went wrong, with the operation, the ids and vCenter's own error type and message.
  returned: failure
  type: str
  sample: "Could not get update session 0b5f...: vCenter answered HTTP 404 NOT_FOUND: Update session not found. (GET /api/...)"
error_type:
  description:
    - On failure, the kind of error - vCenter's error type in the modern spelling (such as C(NOT_FOUND) or
      C(NOT_ALLOWED_IN_CURRENT_STATE)), or one of the collection's own - C(INVALID_ARGUMENT) (refused input, nothing sent),
      C(TIMED_OUT), C(CONNECTION_ERROR), C(TLS_ERROR), C(PROXY_ERROR), C(REDIRECT_REFUSED), C(BAD_ANSWER), C(INTERRUPTED).
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
  sample: ["Update session 0b5f... is in state DONE."]
update_session_id:
  description: On failure, the update session the task worked on (a session it opened is left failed with the reason).
  returned: failure, when known
  type: str
  sample: 0b5fa8d9-2fd6-4b0b-9c6e-3d4a5f1c2e7b
session_state:
  description: On failure because of the session's state, that state.
  returned: failure, when the session's state did not allow the action
  type: str
  sample: DONE
api_flavor:
  description: The URL flavour of the vSphere Automation API that answered.
  returned: always
  type: str
  sample: api
'''

from typing import Any

from ansible_collections.vsphere.content_library.plugins.module_utils._module import ContentLibraryModule
from ansible_collections.vsphere.content_library.plugins.module_utils._update_session import (
    get_existing_session,
    list_files,
    require,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import check_file_name


def check_input(params: dict[str, Any]) -> dict[str, Any]:
    if params['name'] is not None:
        check_file_name(params['name'], 'name')
    return {}


def main() -> None:
    module = ContentLibraryModule(
        argument_spec=dict(
            update_session_id=dict(type='str', required=True, aliases=['id']),
            name=dict(type='str'),
            validate=dict(type='bool', default=False),
        ),
        check_input=check_input,
    )
    params = module.params
    client = module.client

    def handler() -> dict[str, Any]:
        session_id = params['update_session_id']
        session = get_existing_session(client, session_id)
        files = list_files(client, session_id)
        if params['name'] is not None:
            files = [info for info in files if info.get('name') == params['name']]
        result: dict[str, Any] = dict(changed=False, files=files)
        if params['validate']:
            require('validate', session)
            if session.get('predicted'):
                result['validation'] = {'has_errors': False, 'missing_files': [], 'invalid_files': []}
            else:
                result['validation'] = client.call('file.validate', update_session_id=session_id)
        return result

    module.run(handler)


if __name__ == '__main__':
    main()
