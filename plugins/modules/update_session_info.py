#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: update_session_info
short_description: Read Content Library item update sessions
version_added: 0.1.0
description:
  - Returns one vSphere Content Library item update session, the update sessions of one library item,
    or all the update sessions of the calling user, with every field of each session.
  - Update sessions are how content gets into a library item; see M(vsphere.content_library.update_session)
    to change one and M(vsphere.content_library.update_session_fail) to fail one.
  - Works against the modern C(/api) and the legacy C(/rest) flavour of the vSphere Automation API.
author:
  - vsphere.content_library maintainers (@vsphere-collections)
options:
  update_session_id:
    description:
      - The id of one update session to return.
      - If vCenter does not know it (it never existed, expired or was deleted), O(update_session_id)
        returns an empty list instead of failing.
      - Mutually exclusive with O(library_item_id).
    type: str
    aliases: [id]
  library_item_id:
    description:
      - Return the calling user's update sessions on this library item.
      - The task fails if the library item does not exist.
      - Mutually exclusive with O(update_session_id).
      - If neither option is set, every update session of the calling user is returned.
    type: str
extends_documentation_fragment:
  - vsphere.content_library.connection
  - vsphere.content_library.attributes
  - vsphere.content_library.attributes.INFO_MODULE
notes:
  - vCenter lists only the update sessions created by the user the module logs in as.
  - The details of many sessions are fetched concurrently, over up to 8 connections.
seealso:
  - module: vsphere.content_library.update_session
  - module: vsphere.content_library.update_session_fail
'''

EXAMPLES = r'''
- name: Set the connection once for every module of the collection
  module_defaults:
    group/vsphere.content_library.all:
      hostname: "{{ vcenter_hostname }}"
      username: "{{ vcenter_username }}"
      password: "{{ vcenter_password }}"
      ca_path: "{{ vcenter_ca_path }}"
  block:
    - name: List all my update sessions
      vsphere.content_library.update_session_info:
      register: all_sessions

    - name: List the update sessions of one library item
      vsphere.content_library.update_session_info:
        library_item_id: "{{ library_item_id }}"
      register: item_sessions

    - name: Get one update session
      vsphere.content_library.update_session_info:
        id: "{{ item_sessions.update_sessions[0].id }}"
      register: one_session
      when: item_sessions.update_sessions | length > 0

    - name: Show the active sessions
      ansible.builtin.debug:
        msg: "{{ all_sessions.update_sessions | selectattr('state', 'eq', 'ACTIVE') | map(attribute='id') | list }}"
'''

# The failure keys below (msg, error_type, status, error_messages, the ids) are documented again in
# every module on purpose: Ansible has no documentation fragments for RETURN, and each module's
# manual must stand alone.
RETURN = r'''
update_sessions:
  description:
    - The update sessions asked for, each with every field vCenter returns, in the modern C(/api) shape
      whichever flavour answered, and its C(id).
    - Empty when O(update_session_id) names a session vCenter does not know.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The update session's id.
      type: str
      sample: 0b5fa8d9-2fd6-4b0b-9c6e-3d4a5f1c2e7b
    library_item_id:
      description: The library item the session updates.
      type: str
      sample: 3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e
    library_item_content_version:
      description: The item's content version when the session was created.
      type: str
      sample: "1"
    state:
      description: The session's state.
      type: str
      sample: ACTIVE
      choices: [ACTIVE, DONE, ERROR, CANCELED]
    client_progress:
      description: The progress the client reported, from 0 to 100.
      type: int
      sample: 0
    expiration_time:
      description: The session does not expire before this time (ISO 8601, UTC).
      type: str
      sample: "2026-11-23T12:05:00.000Z"
    error_message:
      description: Why the session is in state C(ERROR).
      type: dict
      returned: when the session is in state C(ERROR)
      sample: {"id": "com.vmware.content.updatesession.client_error", "default_message": "upload failed", "args": []}
    warning_behavior:
      description: Which preview warnings the session ignores at completion.
      type: list
      elements: dict
      returned: when set
      sample: [{"type": "SELF_SIGNED_CERTIFICATE", "ignored": true}]
    preview_info:
      description: The preview of signed content (certificate and warnings); only for ACTIVE sessions.
      type: dict
      returned: when vCenter has one
      sample: {"state": "UNAVAILABLE"}
  sample:
    - id: 0b5fa8d9-2fd6-4b0b-9c6e-3d4a5f1c2e7b
      library_item_id: 3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e
      library_item_content_version: "1"
      state: ACTIVE
      client_progress: 0
      expiration_time: "2026-11-23T12:05:00.000Z"
      warning_behavior: []
      preview_info: {"state": "UNAVAILABLE"}
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
library_item_id:
  description: On failure, the library item the task worked on.
  returned: failure, when known
  type: str
  sample: 3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e
api_flavor:
  description: The URL flavour of the vSphere Automation API that answered.
  returned: always
  type: str
  sample: api
'''

from typing import Any

from ansible_collections.vsphere.content_library.plugins.module_utils._module import ContentLibraryModule
from ansible_collections.vsphere.content_library.plugins.module_utils._update_session import (
    get_session,
    list_sessions,
)


def main() -> None:
    module = ContentLibraryModule(
        argument_spec=dict(
            update_session_id=dict(type='str', aliases=['id']),
            library_item_id=dict(type='str'),
        ),
        mutually_exclusive=[('update_session_id', 'library_item_id')],
    )
    params = module.params

    def handler() -> dict[str, Any]:
        if params['update_session_id']:
            session = get_session(module.client, params['update_session_id'])
            sessions = [session] if session else []
        else:
            sessions = list_sessions(module.client, params['library_item_id'])
        return dict(changed=False, update_sessions=sessions)

    module.run(handler)


if __name__ == '__main__':
    main()
