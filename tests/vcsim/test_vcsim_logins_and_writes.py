# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module logs out of vcsim and leaves no download session, and sends no write in check mode: seen through a recording proxy.

vcsim 0.24 has no list of API logins, but it answers ``POST /rest/com/vmware/cis/session?~action=get``
for a token: 200 while the login lives, 401 once it ended. The proxy records the tokens vcsim issued
to the module; the suite then asks vcsim itself whether each one is still alive, and whether each
download session the module opened is gone. The proxy passes vcsim's chunked bodies on chunked, so
downloads through it meet vcsim's framing (no Content-Length).
"""

from __future__ import annotations

import uuid
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


@pytest.fixture(scope='module')
def contents(admin: h.Admin, library: dict[str, Any]) -> dict[str, str]:
    """Items with content, made once: an ISO, and an OVF template (descriptor and disk pushed one by one)."""
    disk = b'\x00disk\x01' * 1024
    ovf = h.OVF_TEMPLATE.format(disk='tiny-disk1.vmdk', size=len(disk), name='tiny').encode()
    return {
        'iso': admin.upload_item(library['id'], 'rec-iso-%s' % uuid.uuid4().hex[:8], 'iso', [('tiny.iso', ISO * 40)]),
        'ovf': admin.upload_item(library['id'], 'rec-ovf-%s' % uuid.uuid4().hex[:8], 'ovf', [('tiny.ovf', ovf), ('tiny-disk1.vmdk', disk)]),
    }


class Cases:
    """(module, arguments) of each case, made when asked for (from fresh items); each is a task a user runs."""

    def __init__(self, admin: h.Admin, library: dict[str, Any], contents: dict[str, str], tmp_path: Path):
        self.admin = admin
        self.library = library
        self.contents = contents
        self.tmp_path = tmp_path

    def iso(self) -> str:
        iso = self.tmp_path / 'tiny.iso'
        iso.write_bytes(ISO)
        return str(iso)

    def session(self) -> str:
        return self.admin.create_session(self.admin.create_item(self.library['id']))

    def item(self) -> str:
        return self.admin.create_item(self.library['id'])

    def hollow_copy(self) -> str:
        """A copy made by vcsim's own copy action: it lists the source's files but holds none of their bytes."""
        return self.admin.value(
            'POST',
            h.REST + '/content/library/item/id:' + self.contents['ovf'],
            params={'~action': 'copy'},
            json={'destination_create_spec': {'library_id': self.admin.create_library()['id'], 'name': 'hollow'}},
        )

    def __getitem__(self, case: str) -> tuple[str, dict[str, Any]]:
        name = '%s-%s' % (case, uuid.uuid4().hex[:6])
        build: dict[str, Any] = {
            'info-all': lambda: ('update_session_info', {}),
            'info-one': lambda: ('update_session_info', {'id': self.session()}),
            'open': lambda: ('update_session', {'library_item_id': self.item()}),
            'complete': lambda: ('update_session', {'id': self.session(), 'state': 'completed'}),
            'fail': lambda: ('update_session_fail', {'id': self.session(), 'client_error_message': 'no'}),
            'fail-unknown': lambda: ('update_session_fail', {'id': 'a0b1c2d3-0000-4000-8000-000000000000', 'client_error_message': 'no'}),
            'file-push': lambda: ('update_session_file', {'id': self.session(), 'name': 'tiny.iso', 'src': self.iso()}),
            'file-info': lambda: ('update_session_file_info', {'id': self.session()}),
            'upload-iso': lambda: ('library_item_upload', {'library_item_id': self.item(), 'src': self.iso()}),
            'upload-by-names': lambda: ('library_item_upload', {'library_name': self.library['name'], 'item_name': 'by-names', 'src': self.iso()}),
            'item-info': lambda: ('library_item_info', {'library_item_id': self.contents['ovf'], 'files': True}),
            'item-create': lambda: ('library_item', {'library_name': self.library['name'], 'item_name': name, 'item_type': 'iso'}),
            'item-change': lambda: ('library_item', {'library_item_id': self.item(), 'item_name': name, 'item_description': 'new'}),
            'item-absent': lambda: ('library_item', {'library_item_id': self.item(), 'state': 'absent'}),
            'download-iso': lambda: ('library_item_download', {'library_item_id': self.contents['iso'], 'dest': str(self.tmp_path / 'iso')}),
            'download-ova': lambda: (
                'library_item_download',
                {'library_item_id': self.contents['ovf'], 'dest': str(self.tmp_path / 'tiny.ova'), 'format': 'ova'},
            ),
            'download-hollow': lambda: ('library_item_download', {'library_item_id': self.hollow_copy(), 'dest': str(self.tmp_path / 'hollow')}),
            'copy-auto': lambda: ('library_item_copy', {'library_item_id': self.contents['ovf'], 'target': {'library_id': self.admin.create_library()['id']}}),
            'copy-stream': lambda: (
                'library_item_copy',
                {'library_item_id': self.contents['ovf'], 'method': 'stream', 'target': {'library_id': self.admin.create_library()['id'], 'item_name': name}},
            ),
        }
        return build[case]()


CASES = (
    'info-all',
    'info-one',
    'open',
    'complete',
    'fail',
    'fail-unknown',
    'file-push',
    'file-info',
    'upload-iso',
    'upload-by-names',
    'item-info',
    'item-create',
    'item-absent',
    'download-iso',
    'download-ova',
    'download-hollow',
    'copy-auto',
    'copy-stream',
)


@pytest.mark.parametrize('case', CASES)
def test_every_login_is_ended(
    case: str, via_proxy: Any, recorder: h.Recorder, admin: h.Admin, library: dict[str, Any], contents: dict[str, str], tmp_path: Path, flavor: str
) -> None:
    module, args = Cases(admin, library, contents, tmp_path)[case]
    run = via_proxy(module, **args)
    assert not h.traceback_signs(run), run
    assert run.failed == (case in ('fail-unknown', 'download-hollow')), run
    issued = recorder.tokens_issued()
    assert len(issued) >= 1, recorder.summary()
    assert sorted(recorder.tokens_ended()) == sorted(issued), 'logins not ended:\n%s' % recorder.summary()
    alive = [token for token in issued if admin.token_alive(token)]
    assert alive == [], 'vcsim still knows %d login(s) of the task:\n%s' % (len(alive), recorder.summary())
    if flavor == 'auto':
        # auto asks /api first; vcsim answers 404, and the module logs in on /rest.
        first = recorder.exchanges[0]
        assert (first.method, first.path, first.status) == ('POST', '/api/session', 404), recorder.summary()
    # Every download session the task opened is gone: deleted by the module, or (vcsim removes a download
    # session when it is failed) by the fail that ended it.
    opened = recorder.download_sessions_created()
    assert len(opened) == (1 if case.startswith('download-') or case == 'copy-stream' else 0), recorder.summary()
    for session_id in opened:
        assert admin.request('GET', h.DS + '/id:' + session_id).status_code == 404, 'download session %s is left' % session_id
        if not run.failed:
            assert 'DELETE %s/id:%s' % (h.DS, session_id) in recorder.writes(), recorder.summary()


CHECK_MODE_CASES = (
    'open',
    'complete',
    'fail',
    'file-push',
    'upload-iso',
    'upload-by-names',
    'item-create',
    'item-change',
    'item-absent',
    'download-iso',
    'copy-auto',
)


@pytest.mark.parametrize('case', CHECK_MODE_CASES)
def test_check_mode_sends_no_write(
    case: str, via_proxy: Any, recorder: h.Recorder, admin: h.Admin, library: dict[str, Any], contents: dict[str, str], tmp_path: Path
) -> None:
    module, args = Cases(admin, library, contents, tmp_path)[case]
    run = via_proxy(module, check_mode=True, **args)
    h.assert_ok(run)
    assert run['changed'] is True
    assert recorder.writes() == [], recorder.summary()
