# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module logs out of vcsim, and sends no write in check mode: seen through a recording proxy.

vcsim 0.24 has no list of API logins, but it answers ``POST /rest/com/vmware/cis/session?~action=get``
for a token: 200 while the login lives, 401 once it ended. The proxy records the tokens vcsim issued
to the module; the suite then asks vcsim itself whether each one is still alive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

import vcsim_helpers as h

ISO = b'tiny iso\n' * 64


@pytest.fixture(scope='module')
def recorder(vcsim: h.Vcsim) -> Iterator[h.Recorder]:
    with h.Recorder(vcsim) as proxy:
        yield proxy


@pytest.fixture
def via_proxy(tree: Path, recorder: h.Recorder, flavor: str) -> Callable[..., h.ModuleRun]:
    recorder.reset()

    def run(module: str, check_mode: bool = False, **args: Any) -> h.ModuleRun:
        return h.run_module(tree, module, dict(recorder.conn(flavor), **args), check_mode=check_mode)

    return run


# (module, arguments) made from a fresh item of the suite's library; each is a task a user runs.
def cases(admin: h.Admin, library: dict[str, Any], tmp_path: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    iso = tmp_path / 'tiny.iso'
    iso.write_bytes(ISO)

    def session() -> str:
        return admin.create_session(admin.create_item(library['id']))

    return {
        'info-all': ('update_session_info', {}),
        'info-one': ('update_session_info', {'id': session()}),
        'open': ('update_session', {'library_item_id': admin.create_item(library['id'])}),
        'complete': ('update_session', {'id': session(), 'state': 'completed'}),
        'fail': ('update_session_fail', {'id': session(), 'client_error_message': 'no'}),
        'fail-unknown': ('update_session_fail', {'id': 'a0b1c2d3-0000-4000-8000-000000000000', 'client_error_message': 'no'}),
        'file-push': ('update_session_file', {'id': session(), 'name': 'tiny.iso', 'src': str(iso)}),
        'file-info': ('update_session_file_info', {'id': session()}),
        'upload-iso': ('library_item_upload', {'library_item_id': admin.create_item(library['id']), 'src': str(iso)}),
        'upload-by-names': ('library_item_upload', {'library_name': library['name'], 'item_name': 'by-names', 'src': str(iso)}),
    }


CASES = ('info-all', 'info-one', 'open', 'complete', 'fail', 'fail-unknown', 'file-push', 'file-info', 'upload-iso', 'upload-by-names')


@pytest.mark.parametrize('case', CASES)
def test_every_login_is_ended(case: str, via_proxy: Any, recorder: h.Recorder, admin: h.Admin, library: dict[str, Any], tmp_path: Path, flavor: str) -> None:
    module, args = cases(admin, library, tmp_path)[case]
    run = via_proxy(module, **args)
    assert not h.traceback_signs(run), run
    issued = recorder.tokens_issued()
    assert len(issued) >= 1, recorder.summary()
    assert sorted(recorder.tokens_ended()) == sorted(issued), 'logins not ended:\n%s' % recorder.summary()
    alive = [token for token in issued if admin.token_alive(token)]
    assert alive == [], 'vcsim still knows %d login(s) of the task:\n%s' % (len(alive), recorder.summary())
    if flavor == 'auto':
        # auto asks /api first; vcsim answers 404, and the module logs in on /rest.
        first = recorder.exchanges[0]
        assert (first.method, first.path, first.status) == ('POST', '/api/session', 404), recorder.summary()


CHECK_MODE_CASES = ('open', 'complete', 'fail', 'file-push', 'upload-iso', 'upload-by-names')


@pytest.mark.parametrize('case', CHECK_MODE_CASES)
def test_check_mode_sends_no_write(case: str, via_proxy: Any, recorder: h.Recorder, admin: h.Admin, library: dict[str, Any], tmp_path: Path) -> None:
    module, args = cases(admin, library, tmp_path)[case]
    run = via_proxy(module, check_mode=True, **args)
    h.assert_ok(run)
    assert run['changed'] is True
    assert recorder.writes() == [], recorder.summary()
