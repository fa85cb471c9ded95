# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The clean-up stack of a run and the one polling loop every wait uses."""

from __future__ import annotations

import pytest

from ansible_collections.vsphere.content_library.plugins.module_utils import _poll
from ansible_collections.vsphere.content_library.plugins.module_utils._cleanup import CleanupStack
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import TransferFailed, WaitTimedOut


class TestCleanupStack:
    def test_unwinds_newest_first_with_the_reason(self):
        stack = CleanupStack()
        done = []
        stack.push('item I1', lambda reason: done.append(('item', reason)) or 'Item I1 was deleted.')
        stack.push('session S1', lambda reason: done.append(('session', reason)) or 'Session S1 was failed.')
        assert stack.pending == ['item I1', 'session S1']
        assert stack.unwind('the disk broke') == ['Session S1 was failed.', 'Item I1 was deleted.']
        assert done == [('session', 'the disk broke'), ('item', 'the disk broke')]
        assert stack.pending == [] and stack.unwind('again') == []

    def test_a_released_step_is_not_undone(self):
        stack = CleanupStack()
        step = stack.push('session S1', lambda reason: 'failed')
        stack.push('temporary file', lambda reason: 'removed')
        stack.release(step)
        stack.release(step)  # twice is harmless
        stack.release(None)
        assert stack.unwind('x') == ['removed']

    def test_a_step_that_raises_does_not_stop_the_others(self):
        stack = CleanupStack()
        stack.push('item I1', lambda reason: 'Item I1 was deleted.')

        def broken(reason):
            raise RuntimeError('connection reset')

        stack.push('session S1', broken)
        stack.push('quiet', lambda reason: None)
        assert stack.unwind('x') == ['Undoing session S1 failed: connection reset', 'Item I1 was deleted.']

    def test_ids_keep_the_newest_of_each_kind(self):
        stack = CleanupStack()
        stack.touch('update_session_id', 'S1')
        stack.touch('update_session_id', 'S2')
        stack.touch('library_item_id', None)
        assert stack.ids == {'update_session_id': 'S2'}

    def test_a_pinned_id_is_not_replaced_by_later_touches(self):
        stack = CleanupStack()
        stack.touch('library_item_id', 'I0')
        stack.pin('library_item_id', 'I1')
        stack.touch('library_item_id', 'I2')
        stack.pin('library_id', None)
        stack.touch('library_id', 'L2')
        assert stack.ids == {'library_item_id': 'I1', 'library_id': 'L2'}


class Clock:
    """A fake monotonic clock that sleeping moves forward."""

    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(_poll.time, 'monotonic', fake.monotonic)
    monkeypatch.setattr(_poll.time, 'sleep', fake.sleep)
    return fake


class TestWaitFor:
    def test_returns_the_first_value_that_is_done_backing_off_meanwhile(self, clock):
        values = iter(['PREPARING', 'PREPARING', 'PREPARING', 'PREPARED'])
        got = _poll.wait_for(lambda: next(values), lambda value: value == 'PREPARED', 60, lambda v, t: 'late')
        assert got == 'PREPARED'
        assert clock.sleeps == [0.25, 0.375, 0.5625]

    def test_the_pause_is_capped(self, clock):
        _poll.wait_for(lambda: clock.now, lambda now: now > 160, 600, lambda v, t: 'late')
        assert max(clock.sleeps) == _poll.MAX_INTERVAL

    def test_times_out_at_the_deadline_after_a_last_read(self, clock):
        reads = []
        with pytest.raises(WaitTimedOut) as caught:
            _poll.wait_for(
                lambda: reads.append(clock.now) or 'PREPARING', lambda value: False, 10, lambda value, waited: 'still %s after %s seconds' % (value, waited)
            )
        assert str(caught.value) == 'still PREPARING after 10 seconds'
        assert caught.value.to_result() == {'error_type': 'TIMED_OUT'}
        assert reads[-1] == 110.0  # the last pause ends at the deadline, and one more read is made there
        assert sum(clock.sleeps) == 10

    def test_check_stops_at_once_on_a_failure(self, clock):
        def check(value):
            if value == 'ERROR':
                raise TransferFailed('the prepare of disk.vmdk failed', 'disk.vmdk')

        values = iter(['PREPARING', 'ERROR', 'PREPARED'])
        with pytest.raises(TransferFailed):
            _poll.wait_for(lambda: next(values), lambda value: value == 'PREPARED', 60, lambda v, t: 'late', check=check)
        assert len(clock.sleeps) == 1

    def test_keeps_the_session_alive_while_it_waits(self, clock):
        beats = []
        _poll.wait_for(lambda: clock.now, lambda now: now >= 160, 600, lambda v, t: 'late', keep_alive=lambda: beats.append(clock.now), keep_alive_interval=20)
        assert len(beats) >= 2
        assert all(later - earlier >= 20 for earlier, later in zip(beats, beats[1:]))

    def test_no_keep_alive_without_an_interval(self, clock):
        beats = []
        _poll.wait_for(lambda: clock.now, lambda now: now >= 130, 600, lambda v, t: 'late', keep_alive=lambda: beats.append(1), keep_alive_interval=0)
        assert beats == []
