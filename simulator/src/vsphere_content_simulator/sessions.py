# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What update sessions and download sessions share: their lifetime (activity, expiry, retention)."""

from __future__ import annotations

import time
from typing import Callable, Mapping, Protocol, TypeVar

from vsphere_content_simulator.errors import Message, error
from vsphere_content_simulator.state import ACTIVE, ERROR


class Session(Protocol):
    id: str
    state: str
    last_activity: float
    ended: float | None


S = TypeVar("S", bound=Session)


def touch(session: Session) -> None:
    """Record activity: an ACTIVE session expires after a quiet timeout of its kind."""
    session.last_activity = time.time()


def expiration_time(session: Session, timeout: float, retention: float) -> float:
    """When an ACTIVE session expires (``timeout`` after its last activity), or when a terminal one is deleted."""
    if session.state == ACTIVE:
        return session.last_activity + timeout
    return (session.ended or session.last_activity) + retention


def require_active(session: Session, kind: str, operation: str) -> None:
    """Refuse ``operation`` on a ``kind`` ("update" or "download") session that is not ACTIVE."""
    if session.state != ACTIVE:
        raise error(
            "not_allowed_in_current_state",
            f"com.vmware.vdcs.cls-main.{kind}_session_not_active",
            "The operation {operation} is not allowed on %s session {id} in state {state}: it must be ACTIVE." % kind,
            operation=operation,
            id=session.id,
            state=session.state,
        )


def sweep(
    sessions: Mapping[str, S],
    kind: str,
    timeout: float,
    retention: float,
    end: Callable[[S, str, Message], None],
    delete: Callable[[S], None],
) -> None:
    """End idle ACTIVE sessions in ERROR (the expiry message of their ``kind``) and delete terminal ones past the retention."""
    now = time.time()
    for session in list(sessions.values()):
        if now <= expiration_time(session, timeout, retention):
            continue
        if session.state == ACTIVE:
            message = Message(
                f"com.vmware.vdcs.cls-main.{kind}_session_expired",
                "The %s session {id} expired after {timeout} seconds without activity." % kind,
                id=session.id,
                timeout=seconds(timeout),
            )
            end(session, ERROR, message)
        else:
            delete(session)


def seconds(value: float) -> int | float:
    """A duration as a message shows it: 30, not 30.0."""
    return int(value) if float(value).is_integer() else value
