# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Update session states, the rules of which action each state allows, and reads.

This is a private module: it is not a public API and may change at any time.

The rules follow the API reference (update-session-api.md, section 3.10); every
module asks here instead of deciding on its own.
"""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.vsphere.content_library.plugins.module_utils._cleanup import CleanupStack, Undo
from ansible_collections.vsphere.content_library.plugins.module_utils._client import RestClient, call_or_read_back
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    ApiError,
    ContentLibraryError,
    NotFoundError,
    StateError,
    TransportError,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._model import (
    ACTIVE,
    CANCELED,
    DONE,
    ERROR,
    PREDICTED_ID,
    TERMINAL_STATES,
    message_text,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._poll import wait_for

Session = dict[str, Any]

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
_TRANSITIONS: dict[str, dict[str | None, tuple[str, ...]]] = {
    'completed': {ACTIVE: ('complete',), DONE: ()},
    'canceled': {ACTIVE: ('cancel',), CANCELED: ()},
    'failed': {ACTIVE: ('fail',), ERROR: ()},
    'absent': {None: (), DONE: ('delete',), ERROR: ('delete',), CANCELED: ('delete',)},
}
_VERBS = {'completed': 'complete', 'canceled': 'cancel', 'failed': 'fail', 'absent': 'delete'}
# With force, an ACTIVE session is canceled on its way to absent.
_FORCED: dict[str, dict[str | None, tuple[str, ...]]] = {'absent': {ACTIVE: ('cancel', 'delete')}}


def allows(action: str, state: str) -> bool:
    """Whether an update session in ``state`` accepts ``action``."""
    return state in _RULES[action][0]


def require(action: str, session: Session) -> None:
    """Raise StateError, naming the session and its state, unless its state allows ``action``."""
    states, words = _RULES[action]
    if session['state'] not in states:
        if states == (ACTIVE,):
            needs = 'only an ACTIVE update session allows that'
        else:
            needs = 'that needs a session in state %s; cancel, complete or fail it first' % ' or '.join(states)
        raise StateError('Cannot %s update session %s: it is %s, and %s.' % (words, session['id'], session['state'], needs), session['state'])


def plan(desired: str, session: Session | None, session_id: str, force: bool = False) -> tuple[str, ...]:
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
        raise StateError(
            'Cannot delete update session %s: it is ACTIVE. Cancel, complete or fail it first, or set force=true to cancel it and delete it.' % session_id,
            state,
        )
    # Every other desired state is reached from ACTIVE only.
    raise StateError('Cannot %s update session %s: it is %s, and only an ACTIVE update session allows that.' % (_VERBS[desired], session_id, state), state)


def predicted_session(library_item_id: str | None = None, **fields: Any) -> Session:
    """The session a check-mode run would have created: later check-mode tasks work on it."""
    session: Session = dict(
        id=PREDICTED_ID,
        library_item_id=library_item_id,
        state=ACTIVE,
        client_progress=0,
        warning_behavior=[],
        preview_info={'state': 'UNAVAILABLE'},
        predicted=True,
    )
    session.update(fields)
    return session


def is_predicted(client: RestClient, session_id: str | None) -> bool:
    """Whether ``session_id`` is the id a check-mode run predicted (only meaningful in check mode)."""
    return client.check_mode and session_id == PREDICTED_ID


def get_session(client: RestClient, session_id: str) -> Session | None:
    """The session's model with its ``id`` added, or None when vCenter does not know it."""
    if is_predicted(client, session_id):
        return predicted_session()
    try:
        session = client.call('update_session.get', update_session_id=session_id)
    except ApiError as exc:
        if exc.not_found:
            return None
        raise
    session = dict(session or {})
    session['id'] = session_id  # get omits it
    return session


def get_existing_session(client: RestClient, session_id: str) -> Session:
    """Like get_session, but a missing session is an error that names it."""
    session = get_session(client, session_id)
    if session is None:
        raise NotFoundError('Update session %s was not found: it never existed, expired or was deleted.' % session_id)
    return session


def list_files(client: RestClient, session_id: str) -> list[dict[str, Any]]:
    """The files of an update session (none for a session that check mode only predicted)."""
    if is_predicted(client, session_id):
        return []
    return client.call('file.list', update_session_id=session_id)


def open_session(
    client: RestClient, cleanup: CleanupStack, spec: dict[str, Any], client_token: str, delete_on_failure: bool = False, id_key: str = 'update_session_id'
) -> tuple[str, Undo]:
    """Open an update session and push on the run's clean-up stack how to end it if the task fails.

    Returns the session id and its undo step (release it once the session is ended the normal way).
    The undo fails the session with the task's reason (cancels it if fail is refused), and with
    ``delete_on_failure`` deletes it as well. A failure result names the session under ``id_key``.

    The create carries ``client_token``, so the client may send it again after a lost answer
    and vCenter answers with the same session. When every try is lost, the session may still
    exist: the item's ACTIVE session is looked up and put on the stack before the error goes on.
    """
    try:
        session_id = client.call('update_session.create', create_spec=spec, client_token=client_token)
    except TransportError:
        try:
            found = find_active_session(client, spec['library_item_id'])
        except (ApiError, TransportError):
            found = None
        if found is not None:
            _push_end(client, cleanup, found['id'], delete_on_failure, id_key)
        raise
    return session_id, _push_end(client, cleanup, session_id, delete_on_failure, id_key)


# What end_session says of a session vCenter no longer knows.
_GONE = 'Update session %s no longer exists.'


def _push_end(client: RestClient, cleanup: CleanupStack, session_id: str, delete: bool, id_key: str) -> Undo:
    cleanup.touch(id_key, session_id)

    def undo(reason: str) -> str:
        ended = end_session(client, session_id, reason)
        if not delete or ended == _GONE % session_id:
            return ended  # nothing left to delete (govmomi's vcsim drops a session when one of its files is removed)
        warning = delete_session(client, session_id)
        return ended.rstrip('.') + (', and it was deleted.' if warning is None else '. ' + warning)

    return cleanup.push('update session %s' % session_id, undo)


def end_session(client: RestClient, session_id: str, reason: str) -> str:
    """Fail an ACTIVE session with ``reason`` (cancel it if fail is refused); say what happened, in words.

    The fail is sent first, without reading the session: a read that fails (the very fault
    that ended the task, say) must not leave the session ACTIVE.
    """
    reason = ' '.join(reason.split())[:1000].rstrip('. ') or 'the task failed'
    first: ContentLibraryError
    try:
        client.call('update_session.fail', update_session_id=session_id, client_error_message=reason)
        return 'Update session %s was failed with this reason.' % session_id
    except ApiError as exc:
        if exc.status == 404:
            return _GONE % session_id
        first = exc
    except ContentLibraryError as exc:
        first = exc
    try:
        session = client.call('update_session.get', update_session_id=session_id)
        if session['state'] != ACTIVE:
            return 'Update session %s is %s.' % (session_id, session['state'])
        client.call('update_session.cancel', update_session_id=session_id)
        return 'Update session %s could not be failed (%s), so it was canceled.' % (session_id, first)
    except ContentLibraryError as exc:
        return 'Ending update session %s failed too: %s' % (session_id, exc)


def delete_session(client: RestClient, session_id: str) -> str | None:
    """Delete a session that has ended; returns a warning instead of raising (the content is in place)."""
    try:
        client.call('update_session.delete', update_session_id=session_id)
    except ContentLibraryError as exc:
        return 'Deleting update session %s failed: %s' % (session_id, exc)
    return None


def send_or_read_back(client: RestClient, operation: str, session_id: str, done: Callable[[Session | None], bool], **params: Any) -> Any:
    """Send a write on a session; when its answer is lost, read the session back instead of resending.

    ``done(session)`` says whether the session shows the write's effect (``session``
    is None when it no longer exists). Raises the lost answer's error when it does not.
    """
    return call_or_read_back(
        client, operation, lambda: get_session(client, session_id), done, 'update session %s' % session_id, update_session_id=session_id, **params
    )


def list_sessions(client: RestClient, library_item_id: str | None = None) -> list[Session]:
    """The caller's update sessions (full models, with ids), fetched concurrently."""
    try:
        ids = client.call('update_session.list', library_item_id=library_item_id) or []
    except ApiError as exc:
        if library_item_id and exc.status == 404:
            raise NotFoundError('Library item %s was not found.' % library_item_id, exc.messages, exc.status)
        raise
    sessions = client.map(lambda session_id: get_session(client, session_id), ids)
    # A session can expire between the list and the get: leave it out. A server that ignores the
    # filter (govmomi's vcsim lists every session) must not make another item's session ours.
    return [session for session in sessions if session is not None and (not library_item_id or session.get('library_item_id') == library_item_id)]


def find_active_session(client: RestClient, library_item_id: str) -> Session | None:
    """The caller's ACTIVE update session on an item (vCenter allows one at most), or None."""
    for session in list_sessions(client, library_item_id):
        if session['state'] == ACTIVE:
            return session
    return None


def wait_until_settled(client: RestClient, session_id: str, timeout: float) -> Session:
    """Poll until the session leaves ACTIVE, and return it; WaitTimedOut when it does not in ``timeout`` seconds.

    With PULL sources, complete may return before the content is in place (reference 3.8).
    """
    return wait_for(
        lambda: get_existing_session(client, session_id),
        lambda session: session['state'] != ACTIVE,
        timeout,
        lambda _session, waited: (
            'Update session %s was still ACTIVE %s seconds after it was completed; raise '
            'wait_timeout, or set wait=false and check it later.' % (session_id, waited)
        ),
    )


def session_error(session: Session) -> str:
    """Why a session ended in ERROR, in vCenter's words."""
    return message_text(session.get('error_message'))
