# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for vCenter: one polling loop with back-off, a deadline and a keep-alive hook.

This is a private module: it is not a public API and may change at any time.

Every wait of the collection goes through ``wait_for``: a file becoming READY or
PREPARED, a session leaving ACTIVE after completion, a preview being prepared, a
copied item's files matching its source.
"""

from __future__ import annotations

import time
from typing import Callable, TypeVar

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import WaitTimedOut

T = TypeVar('T')

# The first pause between two reads, how much it grows each time, and its cap (seconds).
FIRST_INTERVAL = 0.25
GROWTH = 1.5
MAX_INTERVAL = 5.0


def wait_for(
    read: Callable[[], T],
    done: Callable[[T], bool],
    timeout: float,
    describe: Callable[[T, float], str],
    check: Callable[[T], None] | None = None,
    keep_alive: Callable[[], None] | None = None,
    keep_alive_interval: float = 0,
    interval: float = FIRST_INTERVAL,
    max_interval: float = MAX_INTERVAL,
) -> T:
    """Call ``read()`` until ``done(value)``, and return that value.

    - ``check(value)`` runs on every value first and raises when the value is a failure
      (a file in ERROR, say): waiting stops at once.
    - The pause between reads starts at ``interval`` seconds and grows by half each time,
      up to ``max_interval``; the last pause ends at the deadline, so one more read is made there.
    - After ``timeout`` seconds, ``WaitTimedOut`` is raised with ``describe(last value, timeout)``.
    - ``keep_alive()`` is called every ``keep_alive_interval`` seconds (0: never) while waiting, so
      that a session does not expire while vCenter works on it.
    """
    started = time.monotonic()
    deadline = started + timeout
    next_beat = started + keep_alive_interval if keep_alive and keep_alive_interval > 0 else None
    pause = interval
    while True:
        value = read()
        if check is not None:
            check(value)
        if done(value):
            return value
        now = time.monotonic()
        if now >= deadline:
            raise WaitTimedOut(describe(value, timeout))
        if next_beat is not None and now >= next_beat and keep_alive is not None:
            keep_alive()
            next_beat = now + keep_alive_interval
        time.sleep(max(0.0, min(pause, deadline - now)))
        pause = min(max_interval, pause * GROWTH)
