# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""library_item_copy against vcsim: streamed to and from our own simulator, and on vcsim alone.

Between two vCenters, each side has its own credentials and CA: vcsim with the suite's CA, our
simulator (vsphere-content-simulator, both flavours) with its own. vcsim reports no checksums, so
a copy just made is checked by names and sizes (its bytes were hashed on the way against the
source's checksum when the source has one), and a re-run copies again: nothing proves the target
holds the source's content. On vcsim alone, ``method: auto`` is vcsim's ``copy``, which keeps the
source's name and copies no bytes.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

import vcsim_helpers as h

COPY = 'library_item_copy'
DOWNLOAD = 'library_item_download'
DISK = os.urandom(48 * 1024)


@pytest.fixture(scope='module')
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """An OVF template, descriptor first: {file name: bytes}."""
    directory = h.make_ovf_dir(tmp_path_factory.mktemp('copy-ovf'), 'tiny', DISK)
    return {'tiny.ovf': (directory / 'tiny.ovf').read_bytes(), 'tiny-disk1.vmdk': DISK}


@pytest.fixture(scope='module')
def source(admin: h.Admin, library: dict[str, Any], template: dict[str, bytes]) -> dict[str, str]:
    """The template as an item of the suite's library on vcsim (its files pushed one by one)."""
    name = 'cp-src-%s' % uuid.uuid4().hex[:8]
    return {'id': admin.upload_item(library['id'], name, 'ovf', list(template.items())), 'name': name}


@pytest.fixture(scope='module')
def sim(template: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Iterator[h.Simulator]:
    """Our simulator, with the template as the item sim-ovf of its local-lib."""
    from vsphere_content_simulator.launcher import running_simulator  # pylint: disable=import-outside-toplevel

    directory = tmp_path_factory.mktemp('sim-seed')
    lines = ['items:', '  - name: sim-ovf', '    library: local-lib', '    type: ovf', '    files:']
    for name, data in template.items():
        (directory / name).write_bytes(data)
        lines.append('      - {name: %s, src: %s}' % (name, directory / name))
    (directory / 'seed.yml').write_text('\n'.join(lines) + '\n')
    with running_simulator(['--log-level', 'error', '--prepare-latency', '0', '--seed', str(directory / 'seed.yml')]) as info:
        yield h.Simulator(info)


def sizes(files: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return sorted((f['name'], f['size']) for f in files)


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def test_from_vcsim_into_our_simulator(run: Any, sim: h.Simulator, source: dict[str, str], template: dict[str, bytes], flavor: str) -> None:
    name = 'from-vcsim-%s-%s' % (flavor, uuid.uuid4().hex[:6])
    target = dict(sim.conn(), library_name='local-lib', item_name=name)
    first = h.assert_ok(run(COPY, library_item_id=source['id'], target=target))
    assert first['changed'] is True and first['method'] == 'stream'
    assert first['bytes_copied'] == sum(len(data) for data in template.values())
    assert (first['target_item']['name'], first['target_item']['library_id']) == (name, sim.libraries['local-lib']['id'])
    # Our simulator hashes what arrived: the same bytes as the template vcsim holds.
    assert sorted((f['name'], f['size'], f['checksum_info']['checksum']) for f in first['files']) == sorted(
        (file_name, len(data), sha1(data)) for file_name, data in template.items()
    )
    # vcsim sent the disk without a Content-Length: the size the target was told is the one vcsim's list gives.
    assert any('tiny-disk1.vmdk without a Content-Length' in text for text in h.warnings_of(first)), h.warnings_of(first)
    assert sim.find_items(sim.libraries['local-lib']['id'], name) == [first['target_item']['id']]
    assert sim.stats()['open_login_sessions'] == 0
    # The re-run: our simulator gives checksums, vcsim none, so nothing proves the target holds the source's
    # content: the module copies again, into the same item, and says so.
    again = h.assert_ok(run(COPY, library_item_id=source['id'], target=target))
    assert again['changed'] is True and again['method'] == 'stream'
    assert again['target_item']['id'] == first['target_item']['id']
    assert sizes(again['files']) == sizes(first['files'])
    assert sim.stats()['open_login_sessions'] == 0


def test_from_our_simulator_into_vcsim(
    tree: Path, vcsim: h.Vcsim, admin: h.Admin, sim: h.Simulator, library: dict[str, Any], template: dict[str, bytes], flavor: str
) -> None:
    name = 'from-sim-%s-%s' % (flavor, uuid.uuid4().hex[:6])
    args = dict(sim.conn('auto'), library_name='local-lib', item_name='sim-ovf', target=dict(vcsim.conn(flavor), library_id=library['id'], item_name=name))
    first = h.assert_ok(h.run_module(tree, COPY, args))
    # The source answered in /api, vcsim (the target) in /rest.
    assert first['api_flavor'] == 'api'
    assert first['changed'] is True and first['method'] == 'stream'
    target_id = first['target_item']['id']
    assert (first['target_item']['name'], first['target_item']['library_id']) == (name, library['id'])
    # vcsim lists names and sizes only: the copy is checked by those (the bytes were hashed on the way
    # against the source's SHA1), and the files vcsim serves are the template's.
    assert [f.get('checksum_info') for f in first['files']] == [None, None]
    assert sizes(first['files']) == sorted((file_name, len(data)) for file_name, data in template.items())
    for file_name, data in template.items():
        assert admin.download(target_id, file_name) == data, file_name
    assert admin.sessions_of(target_id) == []
    assert sim.stats()['open_login_sessions'] == 0
    # The re-run: vcsim's files have no checksum, so it copies again; vcsim 0.24 then lists each file twice.
    again = h.assert_ok(h.run_module(tree, COPY, args))
    assert again['changed'] is True and again['target_item']['id'] == target_id
    assert sizes(again['files']) == sorted(sizes(first['files']) * 2), 'vcsim no longer lists a re-uploaded file twice: update this test'


def test_the_target_is_verified_with_its_own_ca(run: Any, admin: h.Admin, sim: h.Simulator, source: dict[str, str]) -> None:
    # Without target.ca_path the target takes the task's own CA (vcsim's), which did not sign our simulator's certificate.
    target = dict(sim.conn(), library_name='local-lib', item_name='never')
    del target['ca_path']
    failed = h.assert_clean_failure(run(COPY, library_item_id=source['id'], target=target), 'TLS verification', 'ca_path')
    assert failed['error_type'] == 'TLS_ERROR'
    assert admin.download_sessions_of(source['id']) == []
    assert sim.stats()['open_login_sessions'] == 0


def test_on_vcsim_the_servers_copy_holds_no_bytes(run: Any, admin: h.Admin, source: dict[str, str], template: dict[str, bytes], tmp_path: Path) -> None:
    other = admin.create_library()
    first = h.assert_ok(run(COPY, library_item_id=source['id'], target={'library_id': other['id']}))
    # What the module reports: vcsim's copy made the item (under the source's name, which is the one asked
    # for here) and lists the source's files by name and size, so the module's wait for them ends at once.
    assert first['changed'] is True and first['method'] == 'copy'
    copy_id = first['target_item']['id']
    assert (first['target_item']['name'], first['target_item']['library_id']) == (source['name'], other['id'])
    assert sizes(first['files']) == sorted((file_name, len(data)) for file_name, data in template.items())
    # bytes_copied is the size of the files the server copied: untrue on vcsim, which copies no bytes.
    assert first['bytes_copied'] == sum(len(data) for data in template.values())
    # The copy is hollow: vcsim's list names files it has not got, and a download of it fails.
    failed = h.assert_clean_failure(run(DOWNLOAD, library_item_id=copy_id, dest=str(tmp_path / 'out')), 'no such file or directory')
    assert failed['status'] == 500
    # vcsim removes a download session when it is failed: the module says it is gone.
    assert failed['msg'].endswith('was failed with this reason, and it no longer exists.'), failed['msg']
    assert admin.download_sessions_of(copy_id) == []
    # The re-run finds the copy; nothing proves its files are the source's (no checksums), so it streams
    # them into it, and the copy now serves the template's bytes.
    again = h.assert_ok(run(COPY, library_item_id=source['id'], target={'library_id': other['id']}))
    assert again['changed'] is True and again['method'] == 'stream'
    assert again['target_item']['id'] == copy_id
    for file_name, data in template.items():
        assert admin.download(copy_id, file_name) == data, file_name


def test_on_vcsim_the_servers_copy_under_another_name_is_refused(run: Any, admin: h.Admin, source: dict[str, str]) -> None:
    # vcsim's copy keeps the source's name whatever destination_create_spec asks: the module checks the
    # new item's name, fails, and deletes the item vcsim made.
    other = admin.create_library()
    failed = h.assert_clean_failure(
        run(COPY, library_item_id=source['id'], target={'library_id': other['id'], 'item_name': 'copy-renamed'}),
        "is named '%s', not 'copy-renamed'" % source['name'],
        'method=stream',
        'which the copy had created, was deleted',
    )
    assert failed['error_type'] == 'BAD_ANSWER'
    assert admin.item(failed['target_library_item_id']) is None
    assert admin.item_ids(other['id']) == []


def test_on_vcsim_streamed(run: Any, admin: h.Admin, source: dict[str, str], template: dict[str, bytes]) -> None:
    other = admin.create_library()
    target = {'library_id': other['id'], 'item_name': 'streamed'}
    first = h.assert_ok(run(COPY, library_item_id=source['id'], method='stream', target=target))
    assert first['changed'] is True and first['method'] == 'stream'
    copy_id = first['target_item']['id']
    assert first['target_item']['name'] == 'streamed'
    assert sizes(first['files']) == sorted((file_name, len(data)) for file_name, data in template.items())
    for file_name, data in template.items():
        assert admin.download(copy_id, file_name) == data, file_name
    assert admin.sessions_of(copy_id) == []
    assert admin.download_sessions_of(source['id']) == []
    again = h.assert_ok(run(COPY, library_item_id=source['id'], method='stream', target=target))
    assert again['changed'] is True and again['target_item']['id'] == copy_id


def test_streaming_into_an_item_with_a_file_the_source_lacks_fails_on_vcsim(run: Any, admin: h.Admin, source: dict[str, str]) -> None:
    # The module removes, in the target's update session, the files the source lacks; vcsim's file
    # remove deletes the whole update session instead, so the next add answers 404. The task fails
    # cleanly and the target item keeps its content.
    other = admin.create_library()
    holder = admin.upload_item(other['id'], 'holder', 'ovf', [('old.txt', b'old content')])
    failed = h.assert_clean_failure(
        run(COPY, library_item_id=source['id'], method='stream', target={'library_id': other['id'], 'item_name': 'holder'}),
        'no longer exists',
        'keeps its previous content',
    )
    assert failed['error_type'] == 'NOT_FOUND' and failed['status'] == 404
    assert sizes(admin.item_files(holder)) == [('old.txt', len(b'old content'))]
    assert admin.download_sessions_of(source['id']) == []
