# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The state rules of reference section 3.10, as one table."""

from __future__ import annotations

import pytest

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import NotFoundError, StateError
from ansible_collections.vsphere.content_library.plugins.module_utils._update_session import (
    allows,
    plan,
    require,
)


def session(state):
    return {'id': 'S1', 'state': state}


@pytest.mark.parametrize(
    'desired, state, actions',
    [
        ('completed', 'ACTIVE', ('complete',)),
        ('completed', 'DONE', ()),
        ('canceled', 'ACTIVE', ('cancel',)),
        ('canceled', 'CANCELED', ()),
        ('failed', 'ACTIVE', ('fail',)),
        ('failed', 'ERROR', ()),
        ('absent', None, ()),
        ('absent', 'DONE', ('delete',)),
        ('absent', 'ERROR', ('delete',)),
        ('absent', 'CANCELED', ('delete',)),
    ],
)
def test_reachable_states(desired, state, actions):
    assert plan(desired, session(state) if state else None, 'S1') == actions


@pytest.mark.parametrize(
    'desired, state, verb',
    [
        ('completed', 'ERROR', 'complete'),
        ('completed', 'CANCELED', 'complete'),
        ('canceled', 'DONE', 'cancel'),
        ('canceled', 'ERROR', 'cancel'),
        ('failed', 'DONE', 'fail'),
        ('failed', 'CANCELED', 'fail'),
    ],
)
def test_unreachable_states_name_the_session_and_its_state(desired, state, verb):
    with pytest.raises(StateError) as err:
        plan(desired, session(state), 'S1')
    assert str(err.value) == 'Cannot %s update session S1: it is %s, and only an ACTIVE update session allows that.' % (verb, state)
    assert err.value.state == state


def test_an_active_session_is_not_deleted_without_force():
    with pytest.raises(StateError) as err:
        plan('absent', session('ACTIVE'), 'S1')
    assert 'force=true' in str(err.value) and 'it is ACTIVE' in str(err.value)
    assert plan('absent', session('ACTIVE'), 'S1', force=True) == ('cancel', 'delete')


@pytest.mark.parametrize('desired', ['completed', 'canceled', 'failed'])
def test_unknown_sessions_are_not_found(desired):
    with pytest.raises(NotFoundError) as err:
        plan(desired, None, 'S404')
    assert str(err.value).startswith('Update session S404 was not found')


@pytest.mark.parametrize('action', ['update', 'keep_alive', 'cancel', 'complete', 'fail', 'validate', 'add_file', 'remove_file'])
def test_actions_that_need_an_active_session(action):
    assert allows(action, 'ACTIVE')
    for state in ('DONE', 'ERROR', 'CANCELED'):
        assert not allows(action, state)
        with pytest.raises(StateError):
            require(action, session(state))


def test_delete_needs_a_finished_session():
    assert not allows('delete', 'ACTIVE')
    for state in ('DONE', 'ERROR', 'CANCELED'):
        assert allows('delete', state)
    with pytest.raises(StateError) as err:
        require('delete', session('ACTIVE'))
    assert str(err.value) == (
        'Cannot delete update session S1: it is ACTIVE, and that needs a session in state DONE or ERROR or CANCELED; cancel, complete or fail it first.'
    )
