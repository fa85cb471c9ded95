# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Update session states, the rules of which action each state allows, and reads.

This is a private module: it is not a public API and may change at any time.

The rules follow the API reference (update-session-api.md, section 3.10); every
module asks here instead of deciding on its own.
"""

from __future__ import annotations

import time

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    ApiError,
    NotFoundError,
    OutcomeUnknownError,
    StateError,
    TransportError,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import PREDICTED_ID

ACTIVE = 'ACTIVE'
DONE = 'DONE'
ERROR = 'ERROR'
CANCELED = 'CANCELED'
STATES = (ACTIVE, DONE, ERROR, CANCELED)
TERMINAL_STATES = (DONE, ERROR, CANCELED)

WARNING_TYPES = (
    'SELF_SIGNED_CERTIFICATE',
    'EXPIRED_CERTIFICATE',
    'NOT_YET_VALID_CERTIFICATE',
    'UNTRUSTED_CERTIFICATE',
)

# action: (states that allow it, what the action does, in words). From reference 3.10;
# the file rules are ours: vCenter documents none, but only an ACTIVE session takes content.
_RULES = {
    'update': ((ACTIVE,), 'change the warning behavior of'),
    'keep_alive': ((ACTIVE,), 'keep alive'),
    'cancel': ((ACTIVE,), 'cancel'),
    'complete': ((ACTIVE,), 'complete'),
    'fail': ((ACTIVE,), 'fail'),
    'validate': ((ACTIVE,), 'validate the files of'),
    'add_file': ((ACTIVE,), 'add a file to'),
    'remove_file': ((ACTIVE,), 'remove a file from'),
    'delete': (TERMINAL_STATES, 'delete'),
}

# Desired end state -> {current state: the actions that reach it}. A current state
# that is missing cannot reach the desired one; ``None`` stands for "no such session".
_TRANSITIONS = {
    'completed': {ACTIVE: ('complete',), DONE: ()},
    'canceled': {ACTIVE: ('cancel',), CANCELED: ()},
    'failed': {ACTIVE: ('fail',), ERROR: ()},
    'absent': {None: (), DONE: ('delete',), ERROR: ('delete',), CANCELED: ('delete',)},
}
_VERBS = {'completed': 'complete', 'canceled': 'cancel', 'failed': 'fail', 'absent': 'delete'}
# With force, an ACTIVE session is canceled on its way to absent.
_FORCED = {'absent': {ACTIVE: ('cancel', 'delete')}}


def allows(action, state):
    """Whether an update session in ``state`` accepts ``action``."""
    return state in _RULES[action][0]


def require(action, session):
    """Raise StateError, naming the session and its state, unless its state allows ``action``."""
    states, words = _RULES[action]
    if session['state'] not in states:
        if states == (ACTIVE,):
            needs = 'only an ACTIVE update session allows that'
        else:
            needs = 'that needs a session in state %s; cancel, complete or fail it first' % ' or '.join(states)
        raise StateError('Cannot %s update session %s: it is %s, and %s.' % (words, session['id'], session['state'], needs),
                         session['state'])


def plan(desired, session, session_id, force=False):
    """The actions that take a session (None: unknown) to ``desired``; () when it is there already.

    Raises StateError, naming the session and its state, when the state cannot be reached.
    """
    state = session['state'] if session else None
    if session and session.get('predicted') and desired == 'absent':
        # Check mode cannot follow a predicted session through the tasks that end it: predict its deletion.
        return ('delete',)
    transitions = dict(_TRANSITIONS[desired])
    if force:
        transitions.update(_FORCED.get(desired, {}))
    if state in transitions:
        return transitions[state]
    if state is None:
        raise NotFoundError('Update session %s was not found: it never existed, expired or was deleted.' % session_id)
    if desired == 'absent':
        # Only ACTIVE gets here: vCenter refuses to delete a session that is still open.
        raise StateError('Cannot delete update session %s: it is ACTIVE. Cancel, complete or fail it first, '
                         'or set force=true to cancel it and delete it.' % session_id, state)
    # Every other desired state is reached from ACTIVE only.
    raise StateError('Cannot %s update session %s: it is %s, and only an ACTIVE update session allows that.'
                     % (_VERBS[desired], session_id, state), state)


def predicted_session(library_item_id=None, **fields):
    """The session a check-mode run would have created: later check-mode tasks work on it."""
    session = dict(id=PREDICTED_ID, library_item_id=library_item_id, state=ACTIVE, client_progress=0,
                   warning_behavior=[], preview_info={'state': 'UNAVAILABLE'}, predicted=True)
    session.update(fields)
    return session


def is_predicted(client, session_id):
    """Whether ``session_id`` is the id a check-mode run predicted (only meaningful in check mode)."""
    return client.check_mode and session_id == PREDICTED_ID


def get_session(client, session_id):
    """The session's model with its ``id`` added, or None when vCenter does not know it."""
    if is_predicted(client, session_id):
        return predicted_session()
    try:
        session = client.call('update_session.get', update_session_id=session_id)
    except ApiError as exc:
        if exc.status == 404 or exc.error_type == 'NOT_FOUND':
            return None
        raise
    session = dict(session or {})
    session['id'] = session_id  # get omits it
    return session


def get_existing_session(client, session_id):
    """Like get_session, but a missing session is an error that names it."""
    session = get_session(client, session_id)
    if session is None:
        raise NotFoundError('Update session %s was not found: it never existed, expired or was deleted.' % session_id)
    return session


def list_files(client, session_id):
    """The files of an update session (none for a session that check mode only predicted)."""
    if is_predicted(client, session_id):
        return []
    return client.call('file.list', update_session_id=session_id)


def create_session(client, spec, client_token):
    """Open an update session and return its id.

    The create carries ``client_token``, so the client may send it again after a
    lost answer and vCenter answers with the same session. When every try is
    lost, the session may still exist: the item's ACTIVE session is looked up so
    that the task can end it (the run's clean-up fails every session it opened).
    """
    try:
        return client.call('update_session.create', create_spec=spec, client_token=client_token)
    except TransportError:
        try:
            session = find_active_session(client, spec['library_item_id'])
        except (ApiError, TransportError):
            session = None
        if session is not None:
            client.opened_sessions.append(session['id'])
            client.ids['update_session_id'] = session['id']
        raise


def send_or_read_back(client, operation, session_id, done, **params):
    """Send a write on a session; when its answer is lost, read the session back instead of resending.

    ``done(session)`` says whether the session shows the write's effect (``session``
    is None when it no longer exists). Raises the lost answer's error when it does not.
    """
    try:
        return client.call(operation, update_session_id=session_id, **params)
    except OutcomeUnknownError as exc:
        if done(get_session(client, session_id)):
            return None
        raise OutcomeUnknownError('%s Read back: update session %s does not show it, so it did not happen; '
                                  'run the task again.' % (exc, session_id), exc.kind, exc.method, exc.path)


def list_sessions(client, library_item_id=None):
    """The caller's update sessions (full models, with ids), fetched concurrently."""
    try:
        ids = client.call('update_session.list', library_item_id=library_item_id) or []
    except ApiError as exc:
        if library_item_id and exc.status == 404:
            raise NotFoundError('Library item %s was not found.' % library_item_id, exc.messages)
        raise
    sessions = client.map(lambda session_id: get_session(client, session_id), ids)
    # A session can expire between the list and the get: leave it out.
    return [session for session in sessions if session is not None]


def find_active_session(client, library_item_id):
    """The caller's ACTIVE update session on an item (vCenter allows one at most), or None."""
    for session in list_sessions(client, library_item_id):
        if session['state'] == ACTIVE:
            return session
    return None


def wait_until_settled(client, session_id, timeout, interval=1.0):
    """Poll until the session leaves ACTIVE, and return it; raise StateError on time-out.

    With PULL sources, complete may return before the content is in place (reference 3.8).
    """
    deadline = time.monotonic() + timeout
    while True:
        session = get_existing_session(client, session_id)
        if session['state'] != ACTIVE:
            return session
        if time.monotonic() >= deadline:
            raise StateError('Update session %s was still ACTIVE %s seconds after it was completed; '
                             'raise wait_timeout, or set wait=false and check it later.' % (session_id, timeout), ACTIVE)
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
