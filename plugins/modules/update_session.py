#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: update_session
short_description: Manage the life cycle of a Content Library item update session
version_added: 0.1.0
description:
  - Opens, configures, keeps alive, completes, cancels and deletes vSphere Content Library item update sessions,
    the API's way of changing the content of a library item. Every step is idempotent and supports check mode.
  - O(state=present) makes sure the session exists and is configured. With O(library_item_id) and no
    O(update_session_id), the caller's V(ACTIVE) session on that item is reused, or a new one is opened.
  - The session's C(warning_behavior) says which preview warnings it ignores when it completes. When a library
    item receives signed content (an OVF template with a certificate), vCenter previews the content and may raise
    warnings such as V(SELF_SIGNED_CERTIFICATE); a warning that is not ignored fails the session when it completes.
    The module compares the warning behavior by type (order does not matter) and sends a change only when
    something differs.
  - O(state=completed), O(state=canceled) and O(state=absent) move an existing session to the end of its life.
    A transition vCenter does not allow (such as completing a canceled session) fails with a message that names
    the session and its state.
  - Works against the modern C(/api) and the legacy C(/rest) flavour of the vSphere Automation API.
  - Add files with M(vsphere.content_library.update_session_file) between opening and completing a session.
author:
  - vsphere.content_library maintainers (@vsphere-collections)
options:
  update_session_id:
    description:
      - The id of the update session.
      - Required with O(state=completed), O(state=canceled) and O(state=absent).
      - With O(state=present), the task fails if vCenter does not know it.
    type: str
    aliases: [id]
  library_item_id:
    description:
      - The library item whose content the session changes.
      - With O(state=present) and no O(update_session_id), the caller's V(ACTIVE) session on this item is used,
        or a new session is opened for it. vCenter allows one update session per item at a time; the item must
        belong to a local (not a subscribed) library.
      - With O(update_session_id), the task fails if the session belongs to another item.
    type: str
  state:
    description:
      - V(present) makes sure the session exists (opening one if needed, see O(library_item_id)) with the asked
        O(warning_behavior) and O(client_progress). It never changes the session's state.
      - V(completed) completes an V(ACTIVE) session, so that its files become the item's content. A V(DONE)
        session is left as it is; an V(ERROR) or V(CANCELED) session cannot be completed and the task fails.
        By default the module then waits for the session to settle (O(wait)) and fails, with the session's
        C(error_message), if it ends in state V(ERROR), for example because of a preview warning that is not ignored.
      - V(canceled) cancels an V(ACTIVE) session and discards what it received. A V(CANCELED) session is left as it
        is; a V(DONE) or V(ERROR) session cannot be canceled and the task fails.
      - V(absent) deletes a V(DONE), V(ERROR) or V(CANCELED) session. A session vCenter does not know is already
        absent. vCenter does not delete an V(ACTIVE) session, so the task fails unless O(force=true).
    type: str
    choices: [present, completed, canceled, absent]
    default: present
  client_token:
    description:
      - A UUID that makes the creation of a session idempotent on the vCenter side, so that a retried request
        cannot open two sessions.
      - Only used when the module opens a session. If not set, the module makes a fresh UUID for each creation.
    type: str
  warning_behavior:
    description:
      - How the session treats each type of preview warning at completion.
      - Types that are not listed keep their current behavior, unless O(purge_warning_behavior=true).
      - When the module opens a session, the session is created with this warning behavior.
      - If not set, the session's warning behavior is left alone, unless O(purge_warning_behavior=true),
        which then removes every entry.
      - vCenter changes the warning behavior only while the session is V(ACTIVE). The task fails on a session in
        another state if a change is needed, and succeeds unchanged if the session already behaves as asked.
      - Only with O(state=present).
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
      - Only with O(state=present).
    type: bool
    default: false
  client_progress:
    description:
      - How far the client's work for this session is, from V(0) to V(100). vCenter shows it to other clients.
      - Sent with a keep-alive, and only when it is higher than the session's current progress (vCenter refuses
        progress that goes down); a lower or equal value changes nothing.
      - Only with O(state=present), on an V(ACTIVE) session.
    type: int
  keep_alive:
    description:
      - If V(true), extends the life of the session (vCenter expires an update session after a few minutes
        without activity, five by default). This is always reported as a change.
      - Only with O(state=present), on an V(ACTIVE) session.
    type: bool
    default: false
  wait:
    description:
      - With O(state=completed), whether to wait until the session leaves V(ACTIVE) after the complete request.
        Content that vCenter pulls from a URL may still be arriving when the request returns.
      - With V(false), the module returns at once, and the returned session may still be V(ACTIVE).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait with O(wait=true) before the task fails.
    type: int
    default: 600
  force:
    description:
      - With O(state=absent), cancel an V(ACTIVE) session before deleting it, instead of failing.
    type: bool
    default: false
extends_documentation_fragment:
  - vsphere.content_library.connection
  - vsphere.content_library.attributes
attributes:
  check_mode:
    support: full
    details:
      - In check mode the module reads the session and predicts C(changed), the diff and the session after the task;
        it sends no write.
      - When it would open a session, the returned session's C(id) is V(predicted-by-check-mode), as only vCenter can
        make a real one, and it carries C(predicted=true). Later tasks of the same check-mode run accept that id
        (M(vsphere.content_library.update_session_file), M(vsphere.content_library.update_session_file_info) and this
        module report what they would do to the predicted session); outside check mode the id is refused.
      - Whether a completed session would end in V(ERROR) is only known once it is completed.
  diff_mode:
    support: full
    details: The diff shows the session's item, state, progress and warning behavior before and after.
  idempotent:
    support: partial
    details:
      - Every option is idempotent except O(keep_alive=true), which extends the session's life on every run
        and says so with C(changed=true).
seealso:
  - module: vsphere.content_library.update_session_info
  - module: vsphere.content_library.update_session_fail
  - module: vsphere.content_library.update_session_file
  - module: vsphere.content_library.update_session_file_info
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
    - name: Open (or reuse) an update session on a library item, ignoring self-signed certificates
      vsphere.content_library.update_session:
        library_item_id: "{{ library_item_id }}"
        warning_behavior:
          - type: SELF_SIGNED_CERTIFICATE
            ignored: true
      register: session

    - name: Report progress and keep the session alive during long work
      vsphere.content_library.update_session:
        id: "{{ session.update_session.id }}"
        client_progress: 50
        keep_alive: true

    - name: Ignore exactly the untrusted-certificate warning, and no other
      vsphere.content_library.update_session:
        id: "{{ session.update_session.id }}"
        warning_behavior:
          - type: UNTRUSTED_CERTIFICATE
        purge_warning_behavior: true

    - name: Complete the session and wait until its content is in the item
      vsphere.content_library.update_session:
        id: "{{ session.update_session.id }}"
        state: completed
        wait_timeout: 900

    - name: Delete the finished session
      vsphere.content_library.update_session:
        id: "{{ session.update_session.id }}"
        state: absent

    - name: Throw away a session whatever its state
      vsphere.content_library.update_session:
        id: "{{ abandoned_session_id }}"
        state: absent
        force: true
'''

# The failure keys below (msg, error_type, status, error_messages, the ids) are documented again in
# every module on purpose: Ansible has no documentation fragments for RETURN, and each module's
# manual must stand alone.
RETURN = r'''
update_session:
  description:
    - The update session after the task (in check mode, as it would be), in the modern C(/api) shape
      whichever flavour answered, with its C(id).
    - An empty dict with O(state=absent).
    - See M(vsphere.content_library.update_session_info) for every field.
  returned: success, and on failure when the session ended in state V(ERROR) after completion
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
  contains:
    predicted:
      description:
        - V(true) when the session is only predicted by check mode; its C(id) is then V(predicted-by-check-mode).
      returned: in check mode, when a session would be opened
      type: bool
      sample: true
diff:
  description: The session's item, state, progress and warning behavior before and after; only with C(--diff) and a change.
  returned: changed and in diff mode
  type: dict
  sample:
    before: {"library_item_id": "3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e", "state": "ACTIVE", "client_progress": 0, "warning_behavior": []}
    after:
      library_item_id: 3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e
      state: ACTIVE
      client_progress: 0
      warning_behavior: [{"type": "SELF_SIGNED_CERTIFICATE", "ignored": true}]
msg:
  description: On failure, what went wrong, with the operation, the ids and vCenter's own error type and message.
  returned: failure
  type: str
  sample: "Could not get update session 0b5f...: vCenter answered HTTP 404 NOT_FOUND: Update session not found. (GET /api/...)"
error_type:
  description:
    - On failure, the kind of error - vCenter's error type in the modern spelling (such as C(NOT_FOUND) or
      C(NOT_ALLOWED_IN_CURRENT_STATE)), or one of the collection's own - C(INVALID_ARGUMENT) (refused input, nothing sent),
      C(TIMED_OUT), C(CONNECTION_ERROR), C(TLS_ERROR), C(PROXY_ERROR), C(REDIRECT_REFUSED), C(BAD_ANSWER), C(INTERRUPTED),
      C(SESSION_ERROR) (completed, but the session ended in state C(ERROR)).
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
session_state:
  description: On failure because of the session's state, that state (also C(ERROR) when the session ended in it after completion).
  returned: failure, when the session's state did not allow the action, or with error_type SESSION_ERROR
  type: str
  sample: DONE
api_flavor:
  description: The URL flavour of the vSphere Automation API that answered.
  returned: always
  type: str
  sample: api
'''

import uuid
from typing import Any

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    SessionEndedInError,
    UserInputError,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._model import CANCELED, DONE, ERROR, WARNING_TYPES
from ansible_collections.vsphere.content_library.plugins.module_utils._module import ContentLibraryModule, ModuleTask
from ansible_collections.vsphere.content_library.plugins.module_utils._update_session import (
    Session,
    find_active_session,
    get_existing_session,
    get_session,
    open_session,
    plan,
    predicted_session,
    require,
    send_or_read_back,
    session_error,
    wait_until_settled,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import check_range

# What the diff shows of a session.
_DIFF_FIELDS = ('library_item_id', 'state', 'client_progress', 'warning_behavior')
# Where each action leaves the session (for check mode's prediction).
_ACTION_STATES = {'complete': DONE, 'cancel': CANCELED, 'fail': ERROR}


def behavior_map(entries: list[dict[str, Any]] | None) -> dict[str, bool]:
    """``{type: ignored}`` from a list of WarningBehavior entries."""
    return dict((entry['type'], bool(entry['ignored'])) for entry in entries or [])


def behavior_list(mapping: dict[str, bool]) -> list[dict[str, Any]]:
    """A WarningBehavior list in a stable order (the API's order of warning types)."""
    order = dict((name, index) for index, name in enumerate(WARNING_TYPES))
    return [{'type': name, 'ignored': mapping[name]} for name in sorted(mapping, key=lambda n: (order.get(n, len(order)), n))]


def wanted_behavior(current: dict[str, bool], requested: list[dict[str, Any]], purge: bool) -> dict[str, bool]:
    """The session's warning behavior once the task is applied."""
    wanted = {} if purge else dict(current)
    wanted.update(behavior_map(requested))
    return wanted


def diff_view(session: Session | None) -> dict[str, Any]:
    """The part of a session the diff shows; {} for no session."""
    if not session:
        return {}
    view = dict((field, session[field]) for field in _DIFF_FIELDS if field in session)
    view['warning_behavior'] = behavior_list(behavior_map(session.get('warning_behavior')))
    return view


def check_input(params: dict[str, Any]) -> dict[str, Any]:
    """Refuse what the argument spec cannot express, before anything is sent."""
    seen = set()
    for entry in params['warning_behavior'] or []:
        if entry['type'] in seen:
            raise UserInputError('warning_behavior lists the type %s more than once.' % entry['type'])
        seen.add(entry['type'])
    if params['state'] != 'present':
        given = (
            [name for name in ('warning_behavior', 'client_progress', 'client_token') if params[name] is not None]
            + (['keep_alive'] if params['keep_alive'] else [])
            + (['purge_warning_behavior'] if params['purge_warning_behavior'] else [])
        )
        if given:
            raise UserInputError('%s only go(es) with state=present, not with state=%s.' % (', '.join(given), params['state']))
    check_range(params['client_progress'], 'client_progress', 0, 100)
    if params['client_token'] is not None:
        try:
            uuid.UUID(params['client_token'])
        except ValueError:
            raise UserInputError('client_token must be a UUID, such as %s; %r is not.' % (uuid.uuid4(), params['client_token']))
    check_range(params['wait_timeout'], 'wait_timeout', 0)
    return {}


class UpdateSessionTask(ModuleTask):
    """One run of the module: read, decide, and write only what differs."""

    def __init__(self, module: ContentLibraryModule) -> None:
        super().__init__(module)
        self.changed = False

    def run(self) -> dict[str, Any]:
        state = self.params['state']
        before: Session | None
        after: Session | None
        if state == 'present':
            before, after = self.present()
        else:
            before, after = self.reach(state)
        result: dict[str, Any] = dict(changed=self.changed, update_session=after or {})
        if self.changed:
            result.update(self.module.diff(diff_view(before), diff_view(after)))
        return result

    # -- state=present ---------------------------------------------------------

    def present(self) -> tuple[Session | None, Session]:
        session_id = self.params['update_session_id']
        item_id = self.params['library_item_id']
        session: Session | None
        if session_id:
            session = get_existing_session(self.client, session_id)
            if item_id and not session.get('predicted') and session.get('library_item_id') != item_id:
                raise UserInputError('Update session %s belongs to library item %s, not to %s.' % (session_id, session.get('library_item_id'), item_id))
        else:
            session = find_active_session(self.client, item_id)
            if session is None:
                return None, self.create(item_id)
        return session, self.update(session)

    def create(self, item_id: str) -> Session:
        """Open a session on the item, with the task's warning behavior and progress."""
        self.changed = True
        spec: dict[str, Any] = {'library_item_id': item_id}
        if self.params['warning_behavior'] is not None:
            spec['warning_behavior'] = behavior_list(wanted_behavior({}, self.params['warning_behavior'], True))
        if self.check_mode:
            # The id is vCenter's to give: later check-mode tasks recognise this predicted one.
            return predicted_session(item_id, warning_behavior=spec.get('warning_behavior', []), client_progress=self.params['client_progress'] or 0)
        # A token makes a retried create return the same session instead of a second one.
        token = self.params['client_token'] or str(uuid.uuid4())
        # If the task fails from here on, the session is failed with the reason (and left for the user to see).
        session_id, _undo = open_session(self.client, self.cleanup, spec, token)
        session = get_existing_session(self.client, session_id)
        if self.params['client_progress']:
            progress = self.params['client_progress']
            send_or_read_back(
                self.client,
                'update_session.keep_alive',
                session_id,
                lambda now: now is not None and (now.get('client_progress') or 0) >= progress,
                client_progress=progress,
            )
            session = get_existing_session(self.client, session_id)
        return session

    def update(self, session: Session) -> Session:
        """PATCH the warning behavior and send a keep-alive, each only when needed."""
        after = dict(session)
        current = behavior_map(session.get('warning_behavior'))
        if self.params['warning_behavior'] is not None or self.params['purge_warning_behavior']:
            wanted = wanted_behavior(current, self.params['warning_behavior'] or [], self.params['purge_warning_behavior'])
            if wanted != current:
                require('update', session)
                after['warning_behavior'] = behavior_list(wanted)
                self.send(
                    'update_session.update',
                    session,
                    lambda now: now is not None and behavior_map(now.get('warning_behavior')) == wanted,
                    update_spec={'warning_behavior': after['warning_behavior']},
                )
        progress = self.params['client_progress']
        raise_progress = progress is not None and progress > (session.get('client_progress') or 0)
        if raise_progress or self.params['keep_alive']:
            require('keep_alive', session)
            if raise_progress:
                after['client_progress'] = progress
            self.send(
                'update_session.keep_alive',
                session,
                lambda now: now is not None and (not raise_progress or (now.get('client_progress') or 0) >= progress),
                client_progress=progress if raise_progress else None,
            )
        if self.changed and not self.check_mode:
            after = get_existing_session(self.client, session['id'])
        return after

    # -- state=completed, canceled, absent ---------------------------------------

    def reach(self, desired: str) -> tuple[Session | None, Session | None]:
        session_id = self.params['update_session_id']
        session = get_session(self.client, session_id)
        actions = plan(desired, session, session_id, force=self.params['force'])
        if session is None:
            return None, None  # absent already: plan() raised for every other state
        after: Session | None = session
        for action in actions:
            if action == 'delete':
                self.send('update_session.delete', session, lambda now: now is None)
                after = None
            else:
                reached = _ACTION_STATES[action]
                self.send('update_session.' + action, session, lambda now, reached=reached: now is not None and now['state'] == reached)
                after = dict(after or {}, state=_ACTION_STATES[action])
                after.pop('preview_info', None)
        if actions and desired != 'absent' and not self.check_mode:
            if desired == 'completed' and self.params['wait']:
                after = wait_until_settled(self.client, session_id, self.params['wait_timeout'])
                if after['state'] == ERROR:
                    raise SessionEndedInError('Update session %s was completed but ended in state ERROR: %s' % (session_id, session_error(after)), after)
            else:
                after = get_existing_session(self.client, session_id)
        return session, after

    def send(self, operation: str, session: Session, done: Any, **params: Any) -> None:
        """Send one write (never in check mode) and remember that something changed.

        ``done(session)`` tells, when the write's answer is lost, whether it happened.
        """
        self.changed = True
        if not self.check_mode:
            send_or_read_back(self.client, operation, session['id'], done, **params)


def main() -> None:
    module = ContentLibraryModule(
        argument_spec=dict(
            update_session_id=dict(type='str', aliases=['id']),
            library_item_id=dict(type='str'),
            state=dict(type='str', default='present', choices=['present', 'completed', 'canceled', 'absent']),
            client_token=dict(type='str', no_log=False),
            warning_behavior=dict(
                type='list',
                elements='dict',
                options=dict(
                    type=dict(type='str', required=True, choices=list(WARNING_TYPES)),
                    ignored=dict(type='bool', default=True),
                ),
            ),
            purge_warning_behavior=dict(type='bool', default=False),
            client_progress=dict(type='int'),
            keep_alive=dict(type='bool', default=False),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=600),
            force=dict(type='bool', default=False),
        ),
        required_one_of=[('update_session_id', 'library_item_id')],
        mutually_exclusive=[('client_token', 'update_session_id')],
        required_if=[
            ('state', 'completed', ('update_session_id',)),
            ('state', 'canceled', ('update_session_id',)),
            ('state', 'absent', ('update_session_id',)),
        ],
        check_input=check_input,
    )
    module.run(UpdateSessionTask(module).run)


if __name__ == '__main__':
    main()
