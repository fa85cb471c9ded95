# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 9 (and 15), the fault suite: every module against the simulator's injected faults, in both flavours.

Each case runs one module as a real process against a simulator of its own (so that cases run
concurrently, one simulator each, and each case's request log is its own), with faults injected
through ``POST /_sim/faults``, then measures:

* the outcome: a clean end (no traceback, a ``msg`` when it failed) that is the expected one
  (a 503 burst shorter than ``retries`` is retried and succeeds; a 500 on a write fails the task);
* the logins left open (``/_sim/stats``): 0;
* the ACTIVE update sessions left by a failed task that opened them (or that promised to end one,
  ``fail_session_on_error``): 0; a task that succeeds opens at most the one session it is asked for;
* the duplicated writes (``relia_helpers.duplicated_writes``): 0;
* the download sessions left (``/_sim/stats``): 0; for library_item_download, no temporary file in the destination;
* the wall time against ``timeout x (retries + 1)`` plus the back-off and the process start-up.

Every figure is asserted; a session fixture prints them as a table at the end and writes them, as
Markdown, to ``tests/output/reliability-figures.md`` (the README's "Reliability" section).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

import relia_download as d
import relia_helpers as h

TIMEOUT = 2  # the modules' timeout option in every case
RETRIES = 2  # and their retries option
DELAY = 3  # a slow answer: longer than TIMEOUT
# Process start-up (Python, Ansible's module code), login, logout and the clean-up requests, with up to
# six module processes and six simulators sharing two cores.
STARTUP = 6.0
# From SIGTERM to the module's exit: the PUT in flight stops at its next chunk, which may wait up to timeout
# for the server to take it, then the session is failed (and deleted) and the module logs out.
SIGNAL_GRACE = 3.0
SIMS_PER_FLAVOR = 3
MIB = 1024 * 1024
SMALL = 64 * 1024  # the file of most upload cases
RATE = MIB  # bytes per second of each upload connection in the slow-upload cases
# The timeout of the slow-upload cases: on loopback the whole file fits in the socket buffers, so the
# PUT's answer comes size / RATE seconds after the last byte was handed over; that must stay below it.
UPLOAD_TIMEOUT = 5
OUTPUT = h.TESTS_DIR / 'output' / 'reliability-figures.md'


@dataclass
class Case:
    """One module run under one set of faults; the ``{item}``, ``{session}``, ``{src}`` and ``{name}``
    placeholders of ``args`` are filled by the setup (``setup``: none, item, session, canceled)."""

    kind: str
    module: str
    fault: str  # the fault in words, for the table
    faults: list[dict[str, Any]]
    expect: str  # 'ok' or 'failed'
    args: dict[str, Any]
    setup: str = 'session'
    words: tuple[str, ...] = ()  # what the msg of a failure must say
    checks: tuple[str, ...] = ()  # names in CHECKS
    size: int = SMALL
    rate: int = 0  # upload_rate_limit during the run
    signal: str | None = None  # sent once the upload (or the download) runs
    download_rate: int = 0  # download_rate_limit during the run
    settle: float = 0.0  # seconds for answers the module gave up on to come in
    opens: int = 0  # update sessions a successful run leaves ACTIVE
    ends_given: bool = False  # a failure must end the given session (fail_session_on_error)
    logins: int | None = None  # the exact number of logins, when it matters
    extra_time: float = 0.0  # time the case needs beyond the formula (a slow upload)
    timeout: int = TIMEOUT

    @property
    def slug(self) -> str:
        return (
            self.fault.lower()
            .replace(' ', '-')
            .replace('/', '-')
            .replace('(', '')
            .replace(')', '')
            .replace(',', '')
            .replace('>', 'gt')
            .replace('<', 'lt')
            .replace(':', '')
        )


def op(operation: str, **fault: Any) -> dict[str, Any]:
    return dict(fault, operation=operation)


INFO, FINFO, US, FAIL, FILE, LIU = (
    'update_session_info',
    'update_session_file_info',
    'update_session',
    'update_session_fail',
    'update_session_file',
    'library_item_upload',
)
LID, LII, LI = 'library_item_download', 'library_item_info', 'library_item'
MODULES = (INFO, FINFO, US, FAIL, FILE, LIU, LID, LII, LI)

# The module arguments of each scenario (placeholders filled per case).
A_INFO = {'id': '{session}'}
A_INFO_LIST = {'library_item_id': '{item}'}
A_FINFO = {'id': '{session}'}
A_CREATE = {'library_item_id': '{item}'}
A_KEEP = {'id': '{session}', 'keep_alive': True}
A_ABSENT = {'id': '{session}', 'state': 'absent'}
A_COMPLETE = {'id': '{session}', 'state': 'completed', 'wait_timeout': 20}
A_FAIL = {'id': '{session}', 'client_error_message': 'relia: the client gave up'}
A_FILE = {'id': '{session}', 'name': 'disk.iso', 'src': '{src}', 'wait_timeout': 20}
A_LIU = {'library_item_id': '{item}', 'src': '{src}', 'wait_timeout': 20}
A_LIU_NAME = {'library_name': 'local-lib', 'item_name': '{name}', 'src': '{src}', 'wait_timeout': 20}
# The library item modules (setup 'content': an item holding disk.iso, and a destination holding an older disk.iso).
A_LID = {'library_item_id': '{item}', 'dest': '{dest}', 'wait_timeout': 20}
A_LII = {'library_name': 'local-lib', 'files': True}
A_LII_ID = {'library_item_id': '{item}', 'files': True}
A_LI = {'library_name': 'local-lib', 'item_name': '{name}', 'item_type': 'iso', 'item_description': 'relia'}
A_LI_DESCRIBE = {'library_item_id': '{item}', 'item_description': 'relia: described'}
A_LI_ABSENT = {'library_item_id': '{item}', 'state': 'absent'}


def _cases() -> list[Case]:  # pylint: disable=too-many-statements
    c: list[Case] = []

    def add(*args: Any, **kwargs: Any) -> None:
        c.append(Case(*args, **kwargs))

    # -- no fault: the baseline of each module --------------------------------------------------------------
    k = 'no fault'
    add(k, INFO, 'none', [], 'ok', A_INFO)
    add(k, FINFO, 'none', [], 'ok', A_FINFO)
    add(k, US, 'none (create)', [], 'ok', A_CREATE, setup='item', opens=1)
    add(k, FAIL, 'none', [], 'ok', A_FAIL, checks=('given_error',))
    add(k, FILE, 'none', [], 'ok', A_FILE, checks=('file_ready',))
    add(k, LIU, 'none', [], 'ok', A_LIU, setup='item', checks=('item_has_file',))

    # -- 503 burst shorter than retries: retried, succeeds ------------------------------------------------------
    k = '503 burst (= retries)'
    burst = {'status': 503, 'count': RETRIES}
    add(k, INFO, '503 x2 on get', [op('update_session.get', **burst)], 'ok', A_INFO)
    add(k, FINFO, '503 x2 on file list', [op('file.list', **burst)], 'ok', A_FINFO)
    add(k, US, '503 x2 on create', [op('update_session.create', **burst)], 'ok', A_CREATE, setup='item', opens=1)
    add(k, FAIL, '503 x2 on get', [op('update_session.get', **burst)], 'ok', A_FAIL, checks=('given_error',))
    add(k, FILE, '503 x2 on file list', [op('file.list', **burst)], 'ok', A_FILE, checks=('file_ready',))
    add(k, LIU, '503 x2 on item file list', [op('item_file.list', **burst)], 'ok', A_LIU, setup='item', checks=('item_has_file',))
    add(k, FILE, '503 x2 on login', [op('session.create', **burst)], 'ok', A_FILE, checks=('file_ready',), logins=1)

    # -- 503 past retries: fails, within the time bound -----------------------------------------------------------
    k = '503 past retries'
    always = {'status': 503, 'every': True}
    add(k, INFO, '503 always on get', [op('update_session.get', **always)], 'failed', A_INFO, words=('503',))
    add(k, US, '503 always on create', [op('update_session.create', **always)], 'failed', A_CREATE, setup='item', words=('503',))
    add(k, LIU, '503 always on session get', [op('update_session.get', **always)], 'failed', A_LIU, setup='item', words=('503',), checks=('item_unchanged',))

    # -- 502 and 504 -------------------------------------------------------------------------------------------------
    k = '502/504'
    add(k, INFO, '502 x2 on list', [op('update_session.list', status=502, count=2)], 'ok', A_INFO_LIST, setup='item')
    add(k, FINFO, '504 x2 on file list', [op('file.list', status=504, count=2)], 'ok', A_FINFO)
    add(k, US, '504 after create (done)', [op('update_session.create', status=504, when='after')], 'ok', A_CREATE, setup='item', opens=1)
    add(k, FAIL, '502 on fail (a write)', [op('update_session.fail', status=502)], 'failed', A_FAIL, words=('502',))
    add(k, FILE, '504 x2 on file get', [op('file.get', status=504, count=2)], 'ok', A_FILE, checks=('file_ready',))
    add(k, LIU, '502 x2 on library find', [op('library.find', status=502, count=2)], 'ok', A_LIU_NAME, setup='none', checks=('one_item', 'item_has_file'))
    add(k, LIU, '504 x2 on session get', [op('update_session.get', status=504, count=2)], 'ok', A_LIU, setup='item', checks=('item_has_file',))

    # -- 500 on a write: sent once, the task fails, nothing left ACTIVE -------------------------------------------
    k = '500 on a write'
    add(
        k,
        US,
        '500 on keep-alive after create',
        [op('update_session.keep_alive', status=500)],
        'failed',
        dict(A_CREATE, client_progress=50),
        setup='item',
        words=('500',),
    )
    add(k, US, '500 on complete', [op('update_session.complete', status=500)], 'failed', A_COMPLETE, words=('500',), checks=('given_active',))
    add(k, FAIL, '500 on fail', [op('update_session.fail', status=500)], 'failed', A_FAIL, words=('500',))
    add(k, FILE, '500 on file add', [op('file.add', status=500)], 'failed', A_FILE, words=('500',), ends_given=True)
    add(k, LIU, '500 on complete', [op('update_session.complete', status=500)], 'failed', A_LIU, setup='item', words=('500',), checks=('item_unchanged',))
    add(k, LIU, '500 on file add (new item)', [op('file.add', status=500)], 'failed', A_LIU_NAME, setup='none', words=('500',), checks=('item_gone',))

    # -- dropped connections -----------------------------------------------------------------------------------------
    k = 'dropped connection'
    add(k, INFO, 'drop on get', [op('update_session.get', drop=True)], 'ok', A_INFO)
    add(k, FINFO, 'drop on file list', [op('file.list', drop=True)], 'ok', A_FINFO)
    add(k, US, 'drop before create', [op('update_session.create', drop=True)], 'ok', A_CREATE, setup='item', opens=1)
    add(k, US, 'drop after complete', [op('update_session.complete', drop=True, when='after')], 'ok', A_COMPLETE, checks=('given_done',))
    add(k, FAIL, 'drop after fail', [op('update_session.fail', drop=True, when='after')], 'ok', A_FAIL, checks=('given_error',))
    add(
        k,
        US,
        'drop after keep-alive (progress)',
        [op('update_session.keep_alive', drop=True, when='after')],
        'ok',
        dict(A_CREATE, client_progress=50),
        setup='item',
        opens=1,
    )
    add(k, US, 'drop after delete', [op('update_session.delete', drop=True, when='after')], 'ok', A_ABSENT, setup='canceled', checks=('given_gone',))
    add(k, FAIL, 'drop before fail', [op('update_session.fail', drop=True)], 'failed', A_FAIL, words=('did not happen',), checks=('given_active',))
    add(k, FILE, 'drop after file add', [op('file.add', drop=True, when='after')], 'failed', A_FILE, ends_given=True)
    add(k, LIU, 'drop on item get', [op('item.get', drop=True)], 'ok', A_LIU, setup='item', checks=('item_has_file',))
    add(k, LIU, 'drop after complete', [op('update_session.complete', drop=True, when='after')], 'ok', A_LIU, setup='item', checks=('item_has_file',))

    # -- slow answers, past the timeout ---------------------------------------------------------------------------------
    k = 'slow answer (> timeout)'
    slow = {'action': 'delay', 'seconds': DELAY}
    add(k, INFO, 'every get slow', [op('update_session.get', every=True, **slow)], 'failed', A_INFO, words=('timed out',), settle=DELAY)
    add(k, INFO, 'slow login', [op('session.create', **slow)], 'ok', A_INFO, logins=1)
    add(k, FINFO, 'one file list slow', [op('file.list', **slow)], 'ok', A_FINFO, settle=DELAY)
    add(k, US, 'complete answer late', [op('update_session.complete', when='after', **slow)], 'ok', A_COMPLETE, settle=DELAY, checks=('given_done',))
    add(k, FAIL, 'fail answer late', [op('update_session.fail', when='after', **slow)], 'ok', A_FAIL, settle=DELAY, checks=('given_error',))
    add(k, FILE, 'one file get slow', [op('file.get', **slow)], 'ok', A_FILE, settle=DELAY, checks=('file_ready',))
    add(k, FILE, 'upload answer late', [op('file.upload', when='after', **slow)], 'failed', A_FILE, settle=DELAY, words=('timed out',), ends_given=True)
    add(k, LIU, 'one item file list slow', [op('item_file.list', **slow)], 'ok', A_LIU, setup='item', settle=DELAY, checks=('item_has_file',))

    # -- lost create answers: the create happens, its answer is dropped or late ------------------------------------
    k = 'lost create answer'
    add(k, US, 'create answer dropped', [op('update_session.create', drop=True, when='after')], 'ok', A_CREATE, setup='item', opens=1)
    add(k, US, 'create answer late', [op('update_session.create', when='after', **slow)], 'ok', A_CREATE, setup='item', opens=1, settle=DELAY)
    add(k, US, 'every create answer dropped', [op('update_session.create', drop=True, when='after', every=True)], 'failed', A_CREATE, setup='item')
    add(
        k, LIU, 'item create answer dropped', [op('item.create', drop=True, when='after')], 'ok', A_LIU_NAME, setup='none', checks=('one_item', 'item_has_file')
    )
    add(k, LIU, 'session create answer dropped', [op('update_session.create', drop=True, when='after')], 'ok', A_LIU, setup='item', checks=('item_has_file',))
    add(
        k,
        LIU,
        'every session create answer dropped',
        [op('update_session.create', drop=True, when='after', every=True)],
        'failed',
        A_LIU,
        setup='item',
        checks=('item_unchanged',),
    )

    # -- 401 in mid-run: one more login, the request repeated once -----------------------------------------------------
    k = '401 mid-run'
    expire = {'action': 'expire_session'}
    add(k, INFO, 'token expires at get', [op('update_session.get', **expire)], 'ok', A_INFO, logins=2)
    add(k, FINFO, 'token expires at file list', [op('file.list', **expire)], 'ok', A_FINFO, logins=2)
    add(k, US, 'token expires at keep-alive', [op('update_session.keep_alive', **expire)], 'ok', A_KEEP, logins=2)
    add(k, FAIL, 'token expires at fail', [op('update_session.fail', **expire)], 'ok', A_FAIL, logins=2, checks=('given_error',))
    add(k, FILE, 'token expires at file add', [op('file.add', **expire)], 'ok', A_FILE, logins=2, checks=('file_ready',))
    add(k, FILE, 'token expires at the upload PUT', [op('file.upload', **expire)], 'ok', A_FILE, logins=2, checks=('file_ready',))
    add(k, LIU, 'token expires at session create', [op('update_session.create', **expire)], 'ok', A_LIU, setup='item', logins=2, checks=('item_has_file',))
    add(k, LIU, 'token expires at the upload PUT', [op('file.upload', **expire)], 'ok', A_LIU, setup='item', logins=2, checks=('item_has_file',))

    # -- refused login: fails at once, nothing sent ----------------------------------------------------------------------
    k = 'refused login'
    refused = [op('session.create', status=401, every=True)]
    for module, args, setup in (
        (INFO, A_INFO, 'session'),
        (FINFO, A_FINFO, 'session'),
        (US, A_CREATE, 'item'),
        (FAIL, A_FAIL, 'session'),
        (FILE, A_FILE, 'session'),
        (LIU, A_LIU, 'item'),
    ):
        add(k, module, '401 on every login', refused, 'failed', args, setup=setup, words=('log in', '401'), checks=('no_writes',), logins=0)

    # -- a keep-alive that fails while an upload runs: a warning, the upload goes on -----------------------------------
    k = 'keep-alive failure in upload'
    add(
        k,
        FILE,
        '500 on every keep-alive',
        [op('update_session.keep_alive', status=500, every=True)],
        'ok',
        dict(A_FILE, keep_alive_interval=1),
        size=3 * MIB,
        rate=RATE,
        extra_time=3,
        timeout=UPLOAD_TIMEOUT,
        checks=('file_ready', 'warned_keep_alive'),
    )
    add(
        k,
        LIU,
        '500 on the first keep-alive',
        [op('update_session.keep_alive', status=500)],
        'ok',
        dict(A_LIU, keep_alive_interval=1),
        setup='item',
        size=3 * MIB,
        rate=RATE,
        extra_time=3,
        timeout=UPLOAD_TIMEOUT,
        checks=('item_has_file', 'warned_keep_alive'),
    )

    # -- an upload cut off half-way ----------------------------------------------------------------------------------------
    k = 'failure mid-upload'
    cut = [op('file.upload', action='drop_upload', after_bytes=256 * 1024)]
    add(k, FILE, 'upload cut at 256 KiB', cut, 'failed', A_FILE, size=MIB, ends_given=True)
    add(k, LIU, 'upload cut at 256 KiB', cut, 'failed', A_LIU, setup='item', size=MIB, checks=('item_unchanged',))
    add(k, LIU, 'upload cut at 256 KiB (new item)', cut, 'failed', A_LIU_NAME, setup='none', size=MIB, checks=('item_gone',))

    # -- SIGTERM while an upload runs ----------------------------------------------------------------------------------------
    k = 'SIGTERM in upload'
    add(
        k,
        FILE,
        'SIGTERM during the PUT',
        [],
        'failed',
        A_FILE,
        size=8 * MIB,
        rate=RATE,
        signal='SIGTERM',
        timeout=UPLOAD_TIMEOUT,
        words=('SIGTERM',),
        ends_given=True,
    )
    add(
        k,
        LIU,
        'SIGTERM during the PUT',
        [],
        'failed',
        A_LIU,
        setup='item',
        size=8 * MIB,
        rate=RATE,
        signal='SIGTERM',
        timeout=UPLOAD_TIMEOUT,
        words=('SIGTERM',),
        checks=('item_unchanged',),
    )
    _item_cases(add)
    return c


def _item_cases(add: Callable[..., None]) -> None:
    """Issue 15: library_item_download, library_item_info and library_item under the same faults."""
    got, kept = ('downloaded',), ('dest_untouched',)
    k = 'no fault'
    add(k, LID, 'none', [], 'ok', A_LID, setup='content', checks=got)
    add(k, LII, 'none', [], 'ok', A_LII_ID, setup='content', checks=('listed',))
    add(k, LI, 'none (create)', [], 'ok', A_LI, setup='none', checks=('one_item',))

    k = '503 burst (= retries)'
    burst = {'status': 503, 'count': RETRIES}
    add(k, LID, '503 x2 on prepare', [op('download_file.prepare', **burst)], 'ok', A_LID, setup='content', checks=got)
    add(k, LID, '503 x2 on the download GET', [op('file.download', **burst)], 'ok', A_LID, setup='content', checks=got)
    add(k, LII, '503 x2 on item get', [op('item.get', **burst)], 'ok', A_LII_ID, setup='content', checks=('listed',))
    add(k, LI, '503 x2 on item find', [op('item.find', **burst)], 'ok', A_LI, setup='none', checks=('one_item',))

    k = '502/504'
    add(k, LID, '504 x2 on session create', [op('download_session.create', status=504, count=2)], 'ok', A_LID, setup='content', checks=got)
    add(k, LII, '502 x2 on item list', [op('item.list', status=502, count=2)], 'ok', A_LII, setup='content', checks=('listed',))
    add(k, LI, '504 after item create (done)', [op('item.create', status=504, when='after')], 'ok', A_LI, setup='none', checks=('one_item',))

    k = '500 on a write'
    add(k, LID, '500 on session create', [op('download_session.create', status=500)], 'failed', A_LID, setup='content', words=('500',), checks=kept)
    add(k, LI, '500 on item update', [op('item.update', status=500)], 'failed', A_LI_DESCRIBE, setup='item', words=('500',), checks=('item_exists',))
    add(k, LI, '500 on item delete', [op('item.delete', status=500)], 'failed', A_LI_ABSENT, setup='item', words=('500',), checks=('item_exists',))

    k = 'dropped connection'
    add(k, LID, 'drop on the download GET', [op('file.download', drop=True)], 'ok', A_LID, setup='content', checks=got)
    add(k, LID, 'drop after prepare', [op('download_file.prepare', drop=True, when='after')], 'ok', A_LID, setup='content', checks=got)
    add(k, LII, 'drop on item file list', [op('item_file.list', drop=True)], 'ok', A_LII_ID, setup='content', checks=('listed',))
    # A delete whose answer is lost: the item is read back, and it is gone: the task succeeds, changed.
    add(k, LI, 'drop after item delete', [op('item.delete', drop=True, when='after')], 'ok', A_LI_ABSENT, setup='item', checks=('item_deleted',))

    k = 'slow answer (> timeout)'
    slow = {'action': 'delay', 'seconds': DELAY}
    add(k, LID, 'download GET slow', [op('file.download', **slow)], 'ok', A_LID, setup='content', settle=DELAY, checks=got)
    add(k, LID, 'one file get slow', [op('download_file.get', **slow)], 'ok', A_LID, setup='content', settle=DELAY, checks=got)
    add(k, LII, 'every item get slow', [op('item.get', every=True, **slow)], 'failed', A_LII_ID, setup='content', words=('timed out',), settle=DELAY)
    add(k, LI, 'slow library find', [op('library.find', **slow)], 'ok', A_LI, setup='none', settle=DELAY, checks=('one_item',))

    k = 'lost create answer'
    add(k, LID, 'session create answer dropped', [op('download_session.create', drop=True, when='after')], 'ok', A_LID, setup='content', checks=got)
    add(
        k,
        LID,
        'every session create answer dropped',
        [op('download_session.create', drop=True, when='after', every=True)],
        'failed',
        A_LID,
        setup='content',
        checks=kept,
    )
    add(k, LI, 'item create answer dropped', [op('item.create', drop=True, when='after')], 'ok', A_LI, setup='none', checks=('one_item',))

    k = '401 mid-run'
    expire = {'action': 'expire_session'}
    add(k, LID, 'token expires at prepare', [op('download_file.prepare', **expire)], 'ok', A_LID, setup='content', logins=2, checks=got)
    add(k, LID, 'token expires at the download GET', [op('file.download', **expire)], 'ok', A_LID, setup='content', logins=2, checks=got)
    add(k, LII, 'token expires at item file list', [op('item_file.list', **expire)], 'ok', A_LII_ID, setup='content', logins=2, checks=('listed',))
    add(k, LI, 'token expires at item create', [op('item.create', **expire)], 'ok', A_LI, setup='none', logins=2, checks=('one_item',))

    k = 'refused login'
    refused = [op('session.create', status=401, every=True)]
    for module, args, setup in ((LID, A_LID, 'content'), (LII, A_LII_ID, 'content'), (LI, A_LI, 'none')):
        add(
            k,
            module,
            '401 on every login',
            refused,
            'failed',
            args,
            setup=setup,
            words=('log in', '401'),
            checks=('no_writes',) + (kept if module == LID else ()),
            logins=0,
        )

    k = 'failure mid-download'
    cut = {'action': 'drop_download', 'after_bytes': 256 * 1024}
    add(
        k,
        LID,
        'download cut at 256 KiB, again and again',
        [op('file.download', every=True, **cut)],
        'failed',
        A_LID,
        setup='content',
        size=MIB,
        words=('broke after',),
        checks=kept,
    )
    add(k, LID, 'download cut at 256 KiB once (resumed)', [op('file.download', **cut)], 'ok', A_LID, setup='content', size=MIB, checks=got + ('resumed',))
    add(
        k,
        LID,
        'corrupt download',
        [op('file.download', action='corrupt_download')],
        'failed',
        A_LID,
        setup='content',
        words=('does not match the checksum vCenter reports',),
        checks=kept,
    )
    add(
        k,
        LID,
        'prepare ends in ERROR',
        [op('download_file.prepare', action='prepare_error')],
        'failed',
        A_LID,
        setup='content',
        words=('could not prepare file disk.iso',),
        checks=kept,
    )
    add(
        k,
        LID,
        'prepare never ends',
        [op('download_file.prepare', action='prepare_stall')],
        'failed',
        dict(A_LID, wait_timeout=2),
        setup='content',
        words=('wait_timeout',),
        checks=kept,
    )

    k = 'SIGTERM in download'
    add(
        k,
        LID,
        'SIGTERM during the GET',
        [],
        'failed',
        A_LID,
        setup='content',
        size=8 * MIB,
        download_rate=RATE,
        signal='SIGTERM',
        timeout=UPLOAD_TIMEOUT,
        words=('SIGTERM',),
        checks=kept,
    )


CASES = _cases()
ALL = dict(('%s-%s-%s' % (flavor, case.module, case.slug), (flavor, case)) for flavor in (h.API, h.REST) for case in CASES)
assert len(ALL) == 2 * len(CASES), 'two cases share an id'


# -- the checks a case may name ----------------------------------------------------------------------------------


def _given_state(state: str) -> Callable[..., list[str]]:
    def check(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
        now = sim.get_session(ctx['session'])['state']
        return [] if now == state else ['the given session is %s, not %s' % (now, state)]

    return check


def _file_ready(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    info = sim.get_file(ctx['session'], 'disk.iso')
    ok = info.get('status') == 'READY' and info.get('size') == ctx['size']
    return [] if ok else ['the session file is not READY with %d bytes: %s' % (ctx['size'], info)]


def _item_id(sim: h.Sim, ctx: dict[str, Any]) -> str | None:
    if ctx.get('item'):
        return ctx['item']
    found = sim.find_items(ctx['name'])
    return found[0] if found else None


def _item_has_file(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    item_id = _item_id(sim, ctx)
    files = sim.item_files(item_id) if item_id else None
    if not files or [(f.get('name'), f.get('size')) for f in files] != [('disk.iso', ctx['size'])]:
        return ['the library item does not hold disk.iso (%d bytes): %s' % (ctx['size'], files)]
    return []


def _item_unchanged(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    files = sim.item_files(ctx['item'])
    return [] if files == [] else ['the library item was changed (it had no files): %s' % files]


def _item_gone(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    found = sim.find_items(ctx['name'])
    return [] if not found else ['the item the failed task created is still there: %s' % found]


def _given_gone(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    left = sim.user_sessions().get(ctx['session'])
    return [] if left is None else ['the given session is still there: %s' % left.get('state')]


def _truthful_about_the_item(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    """A failed library_item_upload that says the item keeps its previous content (none, here) must be right."""
    if not (run.failed and ctx.get('item') and 'keeps its previous content' in run.msg):
        return []
    files = sim.item_files(ctx['item'])
    return [] if not files else ['the msg says the item keeps its previous content, but it now holds %s' % [f.get('name') for f in files]]


def _one_item(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    found = sim.find_items(ctx['name'])
    return [] if len(found) == 1 else ['%d items named %s (expected 1)' % (len(found), ctx['name'])]


def _no_writes(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    writes = [(e['method'], e['operation']) for e in entries if e['write']]
    return [] if not writes else ['writes were sent: %s' % writes]


def _warned_keep_alive(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    warnings = (run.result or {}).get('warnings') or []
    failed = [e for e in entries if e['operation'] == 'update_session.keep_alive' and e['fault']]
    problems = [] if failed else ['no keep-alive was hit by the fault (the upload was too quick?)']
    if 'keep-alive' not in json.dumps(warnings):  # plain strings, or Ansible 2.19's warning objects
        problems.append('no warning about the failed keep-alive: %s' % warnings)
    return problems


def _downloaded(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    names = d.listing(ctx['dest'])
    if names != ['disk.iso'] or (Path(ctx['dest']) / 'disk.iso').read_bytes() != ctx['content']:
        return ['the destination does not hold the item\'s disk.iso (alone): %s' % names]
    return []


def _dest_untouched(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    names = d.listing(ctx['dest'])
    if names != ['disk.iso'] or (Path(ctx['dest']) / 'disk.iso').read_bytes() != ctx['old']:
        return ['the destination is not as it was (its old disk.iso alone): %s' % names]
    return []


def _no_temporaries(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    hidden = [name for name in d.listing(ctx['dest']) if name.startswith('.')]
    return ['temporary files left in the destination: %s' % hidden] if hidden else []


def _resumed(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    files = (run.result or {}).get('files') or [{}]
    return [] if files[0].get('resumed') else ['the result does not say the download was resumed: %s' % files]


def _listed(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    found = [i for i in (run.result or {}).get('library_items') or [] if i.get('id') == ctx['item']]
    if not found or [(f.get('name'), f.get('size')) for f in found[0].get('files') or []] != [('disk.iso', ctx['size'])]:
        return ['the item and its disk.iso are not in the result: %s' % found]
    return []


def _item_exists(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    return [] if sim.item_files(ctx['item']) is not None else ['the item is gone']


def _item_deleted(sim: h.Sim, ctx: dict[str, Any], run: h.ModuleRun, entries: list[dict[str, Any]]) -> list[str]:
    return [] if sim.item_files(ctx['item']) is None else ['the item is still there']


CHECKS: dict[str, Callable[..., list[str]]] = {
    'given_gone': _given_gone,
    'truthful_about_the_item': _truthful_about_the_item,
    'given_error': _given_state('ERROR'),
    'given_done': _given_state('DONE'),
    'given_active': _given_state('ACTIVE'),
    'file_ready': _file_ready,
    'item_has_file': _item_has_file,
    'item_unchanged': _item_unchanged,
    'item_gone': _item_gone,
    'one_item': _one_item,
    'no_writes': _no_writes,
    'warned_keep_alive': _warned_keep_alive,
    'downloaded': _downloaded,
    'dest_untouched': _dest_untouched,
    'no_temporaries': _no_temporaries,
    'resumed': _resumed,
    'listed': _listed,
    'item_exists': _item_exists,
    'item_deleted': _item_deleted,
}


# -- running one case ----------------------------------------------------------------------------------------------


def _fill(value: Any, ctx: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith('{') and value.endswith('}'):
        return ctx[value[1:-1]]
    return value


def _prepare(sim: h.Sim, case: Case, workdir: Path) -> dict[str, Any]:
    ctx: dict[str, Any] = {'size': case.size, 'name': 'relia-fault-%s' % uuid.uuid4().hex[:10]}
    if case.setup in ('item', 'session', 'canceled'):
        ctx['item'] = sim.create_item()
    if case.setup in ('session', 'canceled'):
        ctx['session'] = sim.create_session(ctx['item'])
    if case.setup == 'canceled':
        sim.session_action(ctx['session'], 'cancel')
    if case.setup == 'content':
        ctx['content'] = os.urandom(case.size)
        ctx['item'] = d.content_item(sim, {'disk.iso': ctx['content']})
        ctx['old'] = b'the old local disk.iso\n'
        ctx['dest'] = str(workdir / 'out')
        Path(ctx['dest']).mkdir()
        (Path(ctx['dest']) / 'disk.iso').write_bytes(ctx['old'])
    src = workdir / 'disk.iso'
    with open(src, 'wb') as handle:
        block = (uuid.uuid4().bytes * 4096)[:65536]
        for offset in range(0, case.size, len(block)):
            handle.write(block[: min(len(block), case.size - offset)])
    ctx['src'] = str(src)
    return ctx


def bound_of(case: Case) -> float:
    """The wall time a case may take: timeout x (retries + 1), the back-off, the start-up, a slow upload."""
    return case.timeout * (RETRIES + 1) + h.backoff_allowance(RETRIES) + STARTUP + case.extra_time


def run_case(sim: h.Sim, case: Case, workdir: Path) -> dict[str, Any]:
    sim.reset()
    sim.settings(upload_rate_limit=0, download_rate_limit=0)
    ctx = _prepare(sim, case, workdir)
    args = sim.conn(timeout=case.timeout, retries=RETRIES, **dict((key, _fill(value, ctx)) for key, value in case.args.items()))
    known = sim.user_sessions()  # also makes sure the admin's own login exists before the counts
    sim.reset()
    before = sim.stats()
    open_before = before['open_login_sessions']
    for fault in case.faults:
        sim.fault(**fault)
    if case.rate:
        sim.settings(upload_rate_limit=case.rate)
    if case.download_rate:
        sim.settings(download_rate_limit=case.download_rate)
    measure: dict[str, Any] = {'signal_at': None}
    if case.signal:
        seen: dict[str, float] = {}
        started = time.monotonic()

        # file.add is logged once answered; half a second later the PUT is streaming. A prepare is answered at
        # once, and the file is PREPARED (and its GET streaming) a second later.
        first, lag = ('download_file.prepare', 1.0) if case.module == LID else ('file.add', 0.5)

        def uploading() -> bool:
            if 'add' not in seen and any(e['operation'] == first and e['status'] < 300 for e in sim.log()):
                seen['add'] = time.monotonic()
            if 'add' in seen and time.monotonic() - seen['add'] >= lag:
                measure['signal_at'] = time.monotonic() - started
                return True
            return False

        run = h.signal_module(case.module, args, workdir, h.SIGNALS[case.signal], when=uploading, deadline=30)
    else:
        run = h.run_module(case.module, args, timeout=60)
    if case.settle:
        time.sleep(case.settle)
    sim.clear_faults()
    sim.settings(upload_rate_limit=0, download_rate_limit=0)
    stats = sim.stats()
    entries = sim.log()
    after = sim.user_sessions()
    new_active = [sid for sid, session in after.items() if sid not in known and session['state'] == 'ACTIVE']
    failed = run.failed
    active_left = len(new_active) if failed else max(0, len(new_active) - case.opens)
    if case.ends_given and failed and sim.get_session(ctx['session'])['state'] == 'ACTIVE':
        active_left += 1
    measure.update(
        case=case,
        ctx=ctx,
        run=run,
        entries=entries,
        stats=stats,
        seconds=run.seconds,
        logins=stats['logins'],
        logins_open=stats['open_login_sessions'] - open_before,
        new_active=new_active,
        active_left=active_left,
        dups=h.duplicated_writes(entries),
        downloads_left=stats['download_sessions'] - before['download_sessions'],
        faulted=sum(1 for e in entries if e['fault']),
        requests=len(entries),
    )
    measure['bound'] = (measure['signal_at'] or 0) + case.timeout + SIGNAL_GRACE if case.signal else bound_of(case)
    measure['problems'] = problems_of(sim, case, ctx, measure)
    return measure


def problems_of(sim: h.Sim, case: Case, ctx: dict[str, Any], m: dict[str, Any]) -> list[str]:
    run: h.ModuleRun = m['run']
    problems = ['not a clean end: %s' % sign for sign in h.traceback_signs(run)]
    outcome = 'failed' if run.failed else 'ok'
    if outcome != case.expect:
        problems.append('expected %s, got %s: %s' % (case.expect, outcome, run.msg or run.result))
    if run.failed and not run.msg:
        problems.append('failed without a msg')
    if run.failed:
        problems += ['the msg does not say %r: %s' % (word, run.msg) for word in case.words if word not in run.msg]
    if m['logins_open']:
        problems.append('%d login(s) left open' % m['logins_open'])
    if case.logins is not None and m['logins'] != case.logins:
        problems.append('%d login(s), expected %d' % (m['logins'], case.logins))
    if m['active_left']:
        problems.append('%d update session(s) left ACTIVE: %s' % (m['active_left'], m['new_active'] or [ctx.get('session')]))
    if not run.failed and case.opens and len(m['new_active']) != case.opens:
        problems.append('%d new ACTIVE session(s), expected %d' % (len(m['new_active']), case.opens))
    if m['downloads_left']:
        problems.append('%d download session(s) left' % m['downloads_left'])
    if m['dups']:
        problems.append('duplicated writes: %s' % ['%s %s?%s (%s)' % (e['method'], e['path'], e['query'], e['status']) for e in m['dups']])
    if case.signal and m['signal_at'] is None:
        problems.append('the upload never started, so no %s was sent' % case.signal)
    if m['seconds'] > m['bound']:
        problems.append('took %.1f s, more than the bound of %.1f s' % (m['seconds'], m['bound']))
    automatic = {LIU: ('truthful_about_the_item',), LID: ('no_temporaries',)}.get(case.module, ())
    for name in case.checks + automatic:
        problems += CHECKS[name](sim, ctx, run, m['entries'])
    return problems


def estimate(case: Case) -> float:
    """Seconds a case takes, roughly: the longest go first."""
    if case.rate or case.download_rate:
        return case.size / (case.rate or case.download_rate) + 3
    if any(fault.get('every') and fault.get('action') == 'delay' for fault in case.faults):
        return 8
    return 2 + case.settle


# -- the fixtures -----------------------------------------------------------------------------------------------


@pytest.fixture(scope='session')
def figures() -> Iterator[dict[str, Any]]:
    """Collects one row per case; at the end prints the tables and writes them as Markdown."""
    collected: dict[str, Any] = {'rows': [], 'runtime': None}
    yield collected
    if collected['rows']:
        text = render(collected)
        print('\n' + text)
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(text)
        print('(written to %s)' % OUTPUT)


@pytest.fixture(scope='module')
def fault_runs(request: pytest.FixtureRequest, figures: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Runs the selected cases, each flavour's on a pool of simulators of its own, concurrently."""
    # Only this file's items: the tests of other files have a case_id parameter too.
    selected = set(
        item.callspec.params['case_id']
        for item in request.session.items
        if getattr(item, 'module', None) is request.module and getattr(item, 'callspec', None) and 'case_id' in item.callspec.params
    ) or set(ALL)
    started = time.monotonic()
    base = tmp_path_factory.mktemp('faults')  # one call here: mktemp is not thread-safe
    results: dict[str, dict[str, Any]] = {}
    lock = threading.Lock()
    with contextlib.ExitStack() as stack:
        threads = []
        for flavor in (h.API, h.REST):
            queue = sorted((case_id for case_id in selected if ALL[case_id][0] == flavor), key=lambda case_id: -estimate(ALL[case_id][1]))
            if not queue:
                continue
            for sim in h.start_simulators(stack, flavor, min(SIMS_PER_FLAVOR, len(queue))):

                def worker(sim: h.Sim = sim, queue: list[str] = queue) -> None:
                    while True:
                        with lock:
                            if not queue:
                                return
                            case_id = queue.pop(0)
                        try:
                            workdir = Path(tempfile.mkdtemp(prefix=case_id[:40] + '-', dir=base))
                            measure = run_case(sim, ALL[case_id][1], workdir)
                        except Exception as exc:  # pylint: disable=broad-except
                            measure = {'error': '%s: %s' % (exc.__class__.__name__, exc)}
                        with lock:
                            results[case_id] = measure

                threads.append(threading.Thread(target=worker, daemon=True))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    figures['runtime'] = time.monotonic() - started
    figures['workers'] = len(threads)
    return results


# -- the figures ---------------------------------------------------------------------------------------------------


def row_of(case_id: str, measure: dict[str, Any]) -> dict[str, Any]:
    flavor, case = ALL[case_id]
    if 'error' in measure:
        return {'id': case_id, 'flavor': flavor, 'case': case, 'error': measure['error'], 'problems': [measure['error']]}
    run = measure['run']
    return {
        'id': case_id,
        'flavor': flavor,
        'case': case,
        'outcome': 'failed' if run.failed else 'ok',
        'clean': not h.traceback_signs(run) and (not run.failed or bool(run.msg)),
        'logins': measure['logins'],
        'logins_open': measure['logins_open'],
        'active_left': measure['active_left'],
        'dups': len(measure['dups']),
        'faulted': measure['faulted'],
        'requests': measure['requests'],
        'seconds': measure['seconds'],
        'bound': measure['bound'],
        'problems': measure['problems'],
    }


def render(collected: dict[str, Any]) -> str:
    rows = sorted(collected['rows'], key=lambda r: (KINDS.index(r['case'].kind), MODULES.index(r['case'].module), r['case'].fault, r['flavor']))
    good = [r for r in rows if 'error' not in r]
    lines = [
        '# Reliability figures (fault suite)',
        '',
        'Generated by `tests/reliability/test_faults.py` against the bundled simulator, both URL flavours '
        '(`/api` and `/rest`), every module run as a real process with `timeout: %d` (%d for the rate-limited '
        'uploads), `retries: %d`. '
        'Wall-time bound: timeout x (retries + 1) + back-off (%.1f s) + start-up and clean-up (%.0f s), '
        'plus the upload time for the rate-limited uploads; after a SIGTERM, timeout + %.0f s to exit.'
        % (TIMEOUT, UPLOAD_TIMEOUT, RETRIES, h.backoff_allowance(RETRIES), STARTUP, SIGNAL_GRACE),
        '',
    ]
    if collected.get('runtime') is not None:
        lines += [
            '%d runs in %.0f s on %d simulators at once; %d failed an assertion.'
            % (len(rows), collected['runtime'], collected.get('workers', 0), sum(1 for r in rows if r['problems'])),
            '',
        ]
    summary = []
    for kind in KINDS:
        group = [r for r in good if r['case'].kind == kind]
        if not group:
            continue
        summary.append(
            [
                kind,
                len(group),
                sum(1 for r in group if r['clean']),
                sum(1 for r in group if r['outcome'] == r['case'].expect),
                sum(r['logins_open'] for r in group),
                sum(r['active_left'] for r in group),
                sum(r['dups'] for r in group),
                '%.1f / %.1f' % max((r['seconds'], r['bound']) for r in group),
                sum(1 for r in group if not r['problems']),
            ]
        )
    lines += [
        '## By fault',
        '',
        h.markdown_table(
            [
                'Fault',
                'Runs',
                'Clean ends',
                'Expected outcome',
                'Logins left open',
                'ACTIVE sessions left',
                'Duplicated writes',
                'Slowest run / its bound (s)',
                'Passed',
            ],
            summary,
        ),
    ]
    detail = []
    for r in rows:
        case = r['case']
        if 'error' in r:
            detail.append([case.kind, case.module, case.fault, r['flavor'], case.expect, 'ERROR', '', '', '', '', '', '', r['error']])
            continue
        detail.append(
            [
                case.kind,
                case.module,
                case.fault,
                r['flavor'],
                case.expect,
                r['outcome'],
                'yes' if r['clean'] else 'NO',
                '%d/%d' % (r['logins'], r['logins_open']),
                r['active_left'],
                r['dups'],
                '%d/%d' % (r['faulted'], r['requests']),
                '%.1f / %.1f' % (r['seconds'], r['bound']),
                'pass' if not r['problems'] else 'FAIL: ' + '; '.join(r['problems'])[:300],
            ]
        )
    lines += [
        '## Every run',
        '',
        h.markdown_table(
            [
                'Fault',
                'Module',
                'Injected',
                'Flavour',
                'Expected',
                'Outcome',
                'Clean',
                'Logins made/open',
                'ACTIVE left',
                'Dup writes',
                'Faulted/requests',
                'Wall / bound (s)',
                'Verdict',
            ],
            detail,
        ),
    ]
    return '\n'.join(lines)


KINDS = list(dict.fromkeys(case.kind for case in CASES))


# -- the tests -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize('case_id', list(ALL))
def test_fault(fault_runs: dict[str, dict[str, Any]], figures: dict[str, Any], case_id: str) -> None:
    measure = fault_runs[case_id]
    figures['rows'].append(row_of(case_id, measure))
    assert 'error' not in measure, measure.get('error')
    assert not measure['problems'], '%s\n%s\n%r' % (case_id, '\n'.join(measure['problems']), measure['run'])


def test_duplicated_writes_are_counted() -> None:
    """The measure itself: a repeated write counts, the allowed repeats do not."""

    def entry(operation: str, status: int = 200, body: str | None = 'b1', path: str = '/api/x', write: bool = True, query: str = '') -> dict[str, Any]:
        return {'operation': operation, 'path': path, 'query': query, 'body_sha1': body, 'status': status, 'write': write}

    assert h.duplicated_writes([entry('update_session.fail', 0), entry('update_session.fail')]) != []
    assert h.duplicated_writes([entry('file.upload', 500, None), entry('file.upload', 200, None)]) != []
    assert h.duplicated_writes([entry('update_session.keep_alive', body='p50'), entry('update_session.keep_alive', body='p50')])
    # allowed: a create with its client token, the one repeat after a 401, progress-less keep-alives, reads
    assert h.duplicated_writes([entry('update_session.create', 0), entry('update_session.create')]) == []
    assert h.duplicated_writes([entry('file.add', 401), entry('file.add')]) == []
    assert h.duplicated_writes([entry('file.add', 401), entry('file.add', 401), entry('file.add')]) != []
    assert h.duplicated_writes([entry('update_session.keep_alive', body=None)] * 3) == []
    assert h.duplicated_writes([entry('file.list', write=False)] * 2) == []
    assert h.duplicated_writes([entry('file.add', body='a'), entry('file.add', body='b')]) == []


def test_the_case_list_covers_the_issue() -> None:
    """Each fault kind of issue 9 on each module it touches, in both flavours."""
    wanted = {
        '503 burst (= retries)': MODULES,
        '502/504': MODULES,
        '500 on a write': (US, FAIL, FILE, LIU),
        'dropped connection': MODULES,
        'slow answer (> timeout)': MODULES,
        'lost create answer': (US, LIU),
        '401 mid-run': MODULES,
        'refused login': MODULES,
        'keep-alive failure in upload': (FILE, LIU),
        'failure mid-upload': (FILE, LIU),
        'SIGTERM in upload': (FILE, LIU),
        'failure mid-download': (LID,),
        'SIGTERM in download': (LID,),
    }
    wanted['500 on a write'] += (LID, LI)
    wanted['lost create answer'] += (LID, LI)
    have = set((flavor, case.kind, case.module) for flavor, case in ALL.values())
    missing = [
        (flavor, kind, module) for kind, modules in wanted.items() for module in modules for flavor in (h.API, h.REST) if (flavor, kind, module) not in have
    ]
    assert not missing, missing
    assert signal.SIGTERM  # the signal cases need it (POSIX)
