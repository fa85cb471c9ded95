# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""library_item_download against vcsim: an ISO and an OVF template into a directory, the OVF template as an OVA.

vcsim prepares every file at once, serves bodies bigger than 2 KiB chunked (no Content-Length) and
reports no size or checksum for item files: the bytes are checked here against what was uploaded,
and the re-run downloads again, because nothing proves the local files are the item's.
That every login ends and every download session is deleted is seen through the recording proxy
in test_vcsim_logins_and_writes.py.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import uuid
from pathlib import Path
from typing import Any

import pytest

import vcsim_helpers as h

DOWNLOAD = 'library_item_download'
ISO = b'CD001 an ISO to download\n' * 400
DISK = os.urandom(64 * 1024)


@pytest.fixture(scope='module')
def content(admin: h.Admin, library: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An ISO item and an OVF item (its descriptor and its disk pushed one by one), with the bytes uploaded."""
    ovf = h.make_ovf_dir(tmp_path_factory.mktemp('ovf'), 'tiny', DISK)
    files = {'tiny.ovf': (ovf / 'tiny.ovf').read_bytes(), 'tiny-disk1.vmdk': DISK}
    suffix = uuid.uuid4().hex[:8]
    return {
        'iso': admin.upload_item(library['id'], 'dl-iso-' + suffix, 'iso', [('tiny.iso', ISO)]),
        'iso_name': 'dl-iso-' + suffix,
        'ovf': admin.upload_item(library['id'], 'dl-ovf-' + suffix, 'ovf', list(files.items())),
        'files': files,
    }


def test_an_iso_item_into_a_directory_and_the_rerun(run: Any, admin: h.Admin, library: dict[str, Any], content: dict[str, Any], tmp_path: Path) -> None:
    dest = tmp_path / 'iso'
    first = h.assert_ok(run(DOWNLOAD, library_name=library['name'], item_name=content['iso_name'], dest=str(dest)))
    assert first['changed'] is True
    assert first['library_item']['id'] == content['iso']
    # No checksum_info: vcsim reports none for item files.
    assert first['files'] == [{'name': 'tiny.iso', 'size': len(ISO), 'path': str(dest / 'tiny.iso'), 'changed': True}]
    assert first['bytes_received'] == len(ISO)
    assert first['state'] == 'directory'
    assert os.listdir(dest) == ['tiny.iso'], 'a temporary file was left behind'
    assert (dest / 'tiny.iso').read_bytes() == ISO
    assert admin.download_sessions_of(content['iso']) == []
    # The re-run: the local file has the item's name and size, but vcsim gives no checksum, so nothing
    # proves it is the same content; the module fetches it again and says so (changed), never "ok".
    again = h.assert_ok(run(DOWNLOAD, library_name=library['name'], item_name=content['iso_name'], dest=str(dest)))
    assert again['changed'] is True
    assert again['bytes_received'] == len(ISO)
    assert again['files'] == first['files']
    assert (dest / 'tiny.iso').read_bytes() == ISO
    assert os.listdir(dest) == ['tiny.iso']


def test_an_ovf_item_into_a_directory(run: Any, admin: h.Admin, content: dict[str, Any], tmp_path: Path) -> None:
    dest = tmp_path / 'ovf'
    result = h.assert_ok(run(DOWNLOAD, library_item_id=content['ovf'], dest=str(dest), parallel=2))
    assert result['changed'] is True
    expected = content['files']
    assert sorted((f['name'], f['size'], f['changed']) for f in result['files']) == sorted((name, len(data), True) for name, data in expected.items())
    assert result['bytes_received'] == sum(len(data) for data in expected.values())
    assert sorted(os.listdir(dest)) == sorted(expected)
    for name, data in expected.items():
        assert (dest / name).read_bytes() == data, name
    assert admin.download_sessions_of(content['ovf']) == []


def test_an_ovf_item_as_an_ova(run: Any, admin: h.Admin, content: dict[str, Any], tmp_path: Path) -> None:
    dest = tmp_path / 'tiny.ova'
    first = h.assert_ok(run(DOWNLOAD, library_item_id=content['ovf'], dest=str(dest), format='ova'))
    assert first['changed'] is True
    assert first['state'] == 'file'
    # The descriptor is read whole (its References order the members) and came with a Content-Length;
    # vcsim sent the 64 KiB disk chunked, without one, so it went through a temporary file first.
    assert [(f['name'], f['ova_member']) for f in first['files']] == [('tiny.ovf', 'streamed'), ('tiny-disk1.vmdk', 'spooled')]
    members = ova_members(dest)
    assert list(members) == ['tiny.ovf', 'tiny-disk1.vmdk', 'tiny.mf']
    for name, data in content['files'].items():
        assert members[name] == data, name
    assert members['tiny.mf'].decode() == ''.join(
        'SHA256(%s)= %s\n' % (name, hashlib.sha256(content['files'][name]).hexdigest()) for name in ('tiny.ovf', 'tiny-disk1.vmdk')
    )
    assert sorted(os.listdir(tmp_path)) == ['tiny.ova'], 'a temporary or spooled file was left behind'
    assert admin.download_sessions_of(content['ovf']) == []
    # The re-run: the OVA's members have the item's names and sizes, but no checksum from vcsim proves
    # their content, so the OVA is written again.
    again = h.assert_ok(run(DOWNLOAD, library_item_id=content['ovf'], dest=str(dest), format='ova'))
    assert again['changed'] is True
    assert again['bytes_received'] == first['bytes_received']
    assert ova_members(dest) == members


def test_check_mode_fetches_nothing(run: Any, admin: h.Admin, content: dict[str, Any], tmp_path: Path) -> None:
    before = admin.download_session_ids()
    result = h.assert_ok(run(DOWNLOAD, check_mode=True, library_item_id=content['iso'], dest=str(tmp_path / 'never')))
    assert result['changed'] is True
    assert result['files'] == [{'name': 'tiny.iso', 'size': len(ISO), 'path': str(tmp_path / 'never' / 'tiny.iso'), 'changed': True}]
    assert result['bytes_received'] == 0
    assert not (tmp_path / 'never').exists()
    assert admin.download_session_ids() == before


def test_an_item_without_files(run: Any, admin: h.Admin, library: dict[str, Any], tmp_path: Path) -> None:
    item_id = admin.create_item(library['id'])
    failed = h.assert_clean_failure(run(DOWNLOAD, library_item_id=item_id, dest=str(tmp_path / 'out')), item_id, 'holds no files')
    assert failed['error_type'] == 'NOT_FOUND'
    assert not (tmp_path / 'out').exists()


def ova_members(path: Path) -> dict[str, bytes]:
    """Each member of an OVA, in the archive's order."""
    members = {}
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            handle = archive.extractfile(member)
            assert handle is not None, member.name
            members[member.name] = handle.read()
    return members
