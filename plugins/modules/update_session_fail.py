#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: update_session_fail
short_description: Fail a Content Library item update session with the client's reason
version_added: 0.1.0
description:
  - Ends an V(ACTIVE) vSphere Content Library item update session in state V(ERROR), with a message that
    says why the client gave up (the API's C(fail) action). vCenter keeps the message as the session's
    C(error_message), untranslated, and discards the content the session received.
  - Use it when the work a session was opened for went wrong on the client's side (a source file could not
    be read, a checksum did not match), so that the reason is recorded on vCenter instead of a bare cancel.
  - A session that is already in state V(ERROR) is left alone (C(changed=false)). A session that is V(DONE)
    or V(CANCELED) cannot be failed any more, and the task fails, naming the session and its state.
  - Works against the modern C(/api) and the legacy C(/rest) flavour of the vSphere Automation API.
author:
  - vsphere.content_library maintainers (@vsphere-collections)
options:
  update_session_id:
    description:
      - The id of the update session to fail.
      - The task fails if vCenter does not know it.
    type: str
    required: true
    aliases: [id]
  client_error_message:
    description:
      - Why the client fails the session. vCenter stores it as the session's C(error_message).
      - Must not be empty.
    type: str
    required: true
extends_documentation_fragment:
  - vsphere.content_library.connection
  - vsphere.content_library.attributes
attributes:
  check_mode:
    support: full
    details: In check mode the module reads the session and predicts C(changed); it sends nothing.
  diff_mode:
    support: full
    details: The diff shows the session's C(state) and C(error_message) before and after.
  idempotent:
    support: full
    details: A session already in state V(ERROR) is reported unchanged, whatever message it failed with.
seealso:
  - module: vsphere.content_library.update_session_info
  - module: vsphere.content_library.update_session
'''

EXAMPLES = r'''
- name: Give up an update session whose source could not be read
  vsphere.content_library.update_session_fail:
    hostname: "{{ vcenter_hostname }}"
    username: "{{ vcenter_username }}"
    password: "{{ vcenter_password }}"
    ca_path: "{{ vcenter_ca_path }}"
    id: "{{ update_session_id }}"
    client_error_message: "The source image could not be downloaded"
  register: failed_session

- name: Show the message vCenter recorded
  ansible.builtin.debug:
    msg: "{{ failed_session.update_session.error_message.default_message }}"
'''

# The failure keys below (msg, error_type, status, error_messages, the ids) are documented again in
# every module on purpose: Ansible has no documentation fragments for RETURN, and each module's
# manual must stand alone.
RETURN = r'''
update_session:
  description:
    - The update session after the task (in check mode, as it would be), in the modern C(/api) shape
      whichever flavour answered, with its C(id).
    - See M(vsphere.content_library.update_session_info) for every field.
  returned: success
  type: dict
  sample:
    id: 0b5fa8d9-2fd6-4b0b-9c6e-3d4a5f1c2e7b
    library_item_id: 3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e
    library_item_content_version: "1"
    state: ERROR
    client_progress: 0
    expiration_time: "2026-11-23T12:05:00.000Z"
    error_message:
      id: com.vmware.content.updatesession.client_error
      default_message: The source image could not be downloaded
      args: []
diff:
  description: The session's C(state) and C(error_message) before and after; only with C(--diff) and a change.
  returned: changed and in diff mode
  type: dict
  sample:
    before: {"state": "ACTIVE"}
    after: {"state": "ERROR", "error_message": "The source image could not be downloaded"}
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

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import NotFoundError, UserInputError
from ansible_collections.vsphere.content_library.plugins.module_utils._model import ERROR
from ansible_collections.vsphere.content_library.plugins.module_utils._module import ContentLibraryModule
from ansible_collections.vsphere.content_library.plugins.module_utils._update_session import (
    get_existing_session,
    get_session,
    plan,
    send_or_read_back,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import check_text


def check_input(params: dict[str, Any]) -> dict[str, Any]:
    if not params['client_error_message'].strip():
        raise UserInputError('client_error_message must not be empty: it is the reason vCenter records for the failure.')
    check_text(params['client_error_message'], 'client_error_message', max_length=1000)
    return {}


def main() -> None:
    module = ContentLibraryModule(
        argument_spec=dict(
            update_session_id=dict(type='str', required=True, aliases=['id']),
            client_error_message=dict(type='str', required=True),
        ),
        check_input=check_input,
    )
    params = module.params
    client = module.client

    def handler() -> dict[str, Any]:
        message = params['client_error_message']
        session_id = params['update_session_id']
        session = get_session(client, session_id)
        if not plan('failed', session, session_id):
            return dict(changed=False, update_session=session)
        if session is None:  # plan() said so already; this keeps the type checker informed
            raise NotFoundError('Update session %s was not found.' % session_id)
        if module.check_mode:
            # The prediction carries the message; vCenter adds its own message id when it stores it.
            after = dict(session, state=ERROR, error_message={'default_message': message, 'args': []})
            after.pop('preview_info', None)
        else:
            send_or_read_back(client, 'update_session.fail', session_id, lambda now: now is not None and now['state'] == ERROR, client_error_message=message)
            after = get_existing_session(client, session_id)
        result: dict[str, Any] = dict(changed=True, update_session=after)
        result.update(
            module.diff({'state': session['state']}, {'state': after['state'], 'error_message': (after.get('error_message') or {}).get('default_message')})
        )
        return result

    module.run(handler)


if __name__ == '__main__':
    main()
