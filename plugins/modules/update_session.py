#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: update_session
short_description: Manage a Content Library item update session's warning behavior
version_added: 0.1.0
description:
  - Sets which preview warnings a vSphere Content Library item update session ignores when it completes
    (its C(warning_behavior), the one field vCenter lets a client change on an update session).
  - When a library item receives signed content (an OVF template with a certificate), vCenter previews the
    content and may raise warnings such as V(SELF_SIGNED_CERTIFICATE). A warning that is not ignored fails
    the session when it completes.
  - The module reads the session, compares the warning behavior by type (order does not matter) and sends
    a change only when something differs.
  - Works against the modern C(/api) and the legacy C(/rest) flavour of the vSphere Automation API.
author:
  - vsphere.content_library contributors
options:
  update_session_id:
    description:
      - The id of the update session.
      - The task fails if vCenter does not know it.
    type: str
    required: true
    aliases: [id]
  warning_behavior:
    description:
      - How the session treats each type of preview warning at completion.
      - Types that are not listed keep their current behavior, unless O(purge_warning_behavior=true).
      - If not set, the session's warning behavior is left alone and the module only returns the session,
        unless O(purge_warning_behavior=true), which then removes every entry.
      - vCenter changes the warning behavior only while the session is V(ACTIVE). The task fails on a session in
        another state if a change is needed, and succeeds unchanged if the session already behaves as asked.
    type: list
    elements: dict
    suboptions:
      type:
        description:
          - The type of preview warning.
        type: str
        required: true
        choices:
          - SELF_SIGNED_CERTIFICATE
          - EXPIRED_CERTIFICATE
          - NOT_YET_VALID_CERTIFICATE
          - UNTRUSTED_CERTIFICATE
      ignored:
        description:
          - Whether a warning of this type is ignored when the session completes.
          - V(false) makes such a warning fail the session at completion.
        type: bool
        default: true
  purge_warning_behavior:
    description:
      - If V(true), warning types that are not listed in O(warning_behavior) are removed from the session's
        warning behavior, so that the session's list is exactly O(warning_behavior).
      - If V(false), they are kept as they are.
    type: bool
    default: false
extends_documentation_fragment:
  - vsphere.content_library.connection
  - vsphere.content_library.attributes
attributes:
  check_mode:
    support: full
    details: In check mode the module reads the session and predicts C(changed) and the diff; it sends no change.
  diff_mode:
    support: full
  idempotent:
    support: full
seealso:
  - module: vsphere.content_library.update_session_info
  - module: vsphere.content_library.update_session_fail
'''

EXAMPLES = r'''
- name: Accept self-signed content in an update session
  vsphere.content_library.update_session:
    hostname: "{{ vcenter_hostname }}"
    username: "{{ vcenter_username }}"
    password: "{{ vcenter_password }}"
    ca_path: "{{ vcenter_ca_path }}"
    id: "{{ update_session_id }}"
    warning_behavior:
      - type: SELF_SIGNED_CERTIFICATE
        ignored: true

- name: Ignore exactly the untrusted-certificate warning, and no other
  vsphere.content_library.update_session:
    hostname: "{{ vcenter_hostname }}"
    username: "{{ vcenter_username }}"
    password: "{{ vcenter_password }}"
    ca_path: "{{ vcenter_ca_path }}"
    id: "{{ update_session_id }}"
    warning_behavior:
      - type: UNTRUSTED_CERTIFICATE
    purge_warning_behavior: true
  register: result

- name: Show the session's warning behavior after the task
  ansible.builtin.debug:
    var: result.update_session.warning_behavior
'''

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
    state: ACTIVE
    client_progress: 0
    expiration_time: "2026-11-23T12:05:00.000Z"
    warning_behavior:
      - type: SELF_SIGNED_CERTIFICATE
        ignored: true
    preview_info: {"state": "UNAVAILABLE"}
diff:
  description: The warning behavior before and after the task, sorted by type; only with C(--diff) and a change.
  returned: changed and in diff mode
  type: dict
  sample:
    before: {"warning_behavior": []}
    after: {"warning_behavior": [{"type": "SELF_SIGNED_CERTIFICATE", "ignored": true}]}
api_flavor:
  description: The URL flavour of the vSphere Automation API that answered.
  returned: always
  type: str
  sample: api
'''

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import UserInputError
from ansible_collections.vsphere.content_library.plugins.module_utils._module import ContentLibraryModule
from ansible_collections.vsphere.content_library.plugins.module_utils._update_session import (
    WARNING_TYPES,
    get_existing_session,
    require,
)


def behavior_map(entries):
    """``{type: ignored}`` from a list of WarningBehavior entries."""
    return dict((entry['type'], bool(entry['ignored'])) for entry in entries or [])


def behavior_list(mapping):
    """A WarningBehavior list in a stable order (the API's order of warning types)."""
    order = dict((name, index) for index, name in enumerate(WARNING_TYPES))
    return [{'type': name, 'ignored': mapping[name]} for name in sorted(mapping, key=lambda n: (order.get(n, len(order)), n))]


def check_no_duplicates(requested):
    seen = set()
    for entry in requested:
        if entry['type'] in seen:
            raise UserInputError('warning_behavior lists the type %s more than once.' % entry['type'])
        seen.add(entry['type'])


def wanted_behavior(current, requested, purge):
    """The session's warning behavior once the task is applied."""
    wanted = {} if purge else dict(current)
    wanted.update(behavior_map(requested))
    return wanted


def main():
    module = ContentLibraryModule(
        argument_spec=dict(
            update_session_id=dict(type='str', required=True, aliases=['id']),
            warning_behavior=dict(type='list', elements='dict', options=dict(
                type=dict(type='str', required=True, choices=list(WARNING_TYPES)),
                ignored=dict(type='bool', default=True),
            )),
            purge_warning_behavior=dict(type='bool', default=False),
        ),
    )
    params = module.params
    client = module.client
    try:
        check_no_duplicates(params['warning_behavior'] or [])
    except UserInputError as exc:
        module.fail_on_input(exc)

    def handler():
        session_id = params['update_session_id']
        session = get_existing_session(client, session_id)
        if params['warning_behavior'] is None and not params['purge_warning_behavior']:
            return dict(changed=False, update_session=session)
        current = behavior_map(session.get('warning_behavior'))
        wanted = wanted_behavior(current, params['warning_behavior'] or [], params['purge_warning_behavior'])
        if wanted == current:
            return dict(changed=False, update_session=session)
        require('update', session)
        after = dict(session, warning_behavior=behavior_list(wanted))
        if not module.check_mode:
            client.call('update_session.update', update_session_id=session_id,
                        update_spec={'warning_behavior': behavior_list(wanted)})
            after = get_existing_session(client, session_id)
        result = dict(changed=True, update_session=after)
        result.update(module.diff({'warning_behavior': behavior_list(current)},
                                  {'warning_behavior': behavior_list(behavior_map(after.get('warning_behavior')))}))
        return result

    module.run(handler)


if __name__ == '__main__':
    main()
