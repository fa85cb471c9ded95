# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The clean-up stack of a module run: whatever a task opens, it says here how to undo.

This is a private module: it is not a public API and may change at any time.

One stack per run, owned by the run (``_module.ContentLibraryModule``), not by the
REST client. Code that opens something (an update session, a download session, a
library item, a temporary file) pushes an undo step right after; code that closes
it the normal way releases the step. When the task fails, or is stopped by a
signal, the run unwinds the stack in reverse order with the reason: each step says
in one sentence what it did, and the sentences end the task's ``msg``.

The stack also keeps the ids the task touched, for the failure result.
"""

from __future__ import annotations

from typing import Any, Callable


class Undo:
    """One step of the stack: ``action(reason)`` undoes something and says what it did."""

    __slots__ = ('what', 'action')

    def __init__(self, what: str, action: Callable[[str], str | None]) -> None:
        self.what = what
        self.action = action

    def __repr__(self) -> str:
        return 'Undo(%r)' % self.what


class CleanupStack:
    """Undo steps in the order things were opened, and the ids the task touched."""

    def __init__(self) -> None:
        self._steps: list[Undo] = []
        self.ids: dict[str, str] = {}
        self._pinned: set[str] = set()

    def push(self, what: str, action: Callable[[str], str | None]) -> Undo:
        """Register how to undo ``what`` if the task fails; returns the step, for ``release``."""
        step = Undo(what, action)
        self._steps.append(step)
        return step

    def release(self, step: Undo | None) -> None:
        """``step``'s object was closed the normal way: there is nothing left to undo."""
        if step is not None and step in self._steps:
            self._steps.remove(step)

    @property
    def pending(self) -> list[str]:
        """What would be undone, oldest first (for tests and messages)."""
        return [step.what for step in self._steps]

    def unwind(self, reason: str) -> list[str]:
        """Undo every step, newest first, and return the sentences that say what happened.

        A step that raises does not stop the others: its failure becomes its sentence.
        """
        said = []
        while self._steps:
            step = self._steps.pop()
            try:
                sentence = step.action(reason)
            except Exception as exc:  # pylint: disable=broad-except
                # Clean-up goes on whatever happens; the user learns what could not be undone.
                sentence = 'Undoing %s failed: %s' % (step.what, exc)
            if sentence:
                said.append(sentence)
        return said

    def touch(self, key: str, value: Any) -> None:
        """Remember an id the task worked on (the newest one of each kind wins, unless that kind is pinned)."""
        if value and key not in self._pinned:
            self.ids[key] = str(value)

    def pin(self, key: str, value: Any) -> None:
        """Report ``value`` under ``key`` whatever the task touches later.

        For an id whose meaning a module documents although other calls of the same client touch
        the same kind (library_item_copy's source item, when the target is the same vCenter).
        """
        if value:
            self.ids[key] = str(value)
            self._pinned.add(key)
