# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""library_item_upload against vcsim: an ISO into a new item found by names, an OVF directory, force, failures."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import vcsim_helpers as h

UPLOAD = 'library_item_upload'
ISO = b'CD001 not really an ISO image\n' * 300


def new_name(prefix: str) -> str:
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def iso_file(tmp_path: Path, content: bytes = ISO) -> str:
    path = tmp_path / 'tiny.iso'
    path.write_bytes(content)
    return str(path)


def test_iso_into_a_new_item_found_by_names(run: Any, admin: h.Admin, library: dict[str, Any], tmp_path: Path) -> None:
    name = new_name('iso')
    result = h.assert_ok(run(UPLOAD, library_name=library['name'], item_name=name, src=iso_file(tmp_path)))
    assert result['changed'] is True
    item = result['library_item']
    assert item['name'] == name
    assert item['type'] == 'iso'
    assert item['library_id'] == library['id']
    assert [(f['name'], f['size']) for f in result['files']] == [('tiny.iso', len(ISO))]
    assert result['update_session']['state'] == 'DONE'
    assert result['bytes_sent'] == len(ISO)
    # What vcsim holds: the item, its file, and no update session left behind.
    assert admin.find_items(library['id'], name) == [item['id']]
    assert [(f['name'], f['size']) for f in admin.item_files(item['id'])] == [('tiny.iso', len(ISO))]
    assert admin.sessions_of(item['id']) == []


def test_iso_again_is_uploaded_again_without_checksums(run: Any, admin: h.Admin, library: dict[str, Any], tmp_path: Path) -> None:
    # vcsim lists item files without checksum_info, so nothing proves the content is the same:
    # the module uploads again (changed) instead of claiming it is unchanged.
    name = new_name('iso')
    src = iso_file(tmp_path)
    first = h.assert_ok(run(UPLOAD, library_name=library['name'], item_name=name, src=src))
    assert 'checksum_info' not in admin.item_files(first['library_item']['id'])[0], 'vcsim reports checksums now'
    again = h.assert_ok(run(UPLOAD, library_name=library['name'], item_name=name, src=src))
    assert again['changed'] is True
    assert again['library_item']['id'] == first['library_item']['id']
    assert again['bytes_sent'] == len(ISO)
    assert admin.find_items(library['id'], name) == [first['library_item']['id']]
    # vcsim 0.24 appends an entry to the item's file list on every upload of the same name; the module
    # returns the files vcsim lists.
    assert [(f['name'], f['size']) for f in again['files']] == [('tiny.iso', len(ISO))] * 2, 'vcsim no longer lists a re-uploaded file twice: update this test'


def test_ovf_directory(run: Any, admin: h.Admin, library: dict[str, Any], tmp_path: Path) -> None:
    src = h.make_ovf_dir(tmp_path / 'ovf', 'tiny')
    name = new_name('ovf')
    result = h.assert_ok(run(UPLOAD, library_name=library['name'], item_name=name, src=str(src)))
    assert result['changed'] is True
    assert result['library_item']['type'] == 'ovf'
    expected = sorted((p.name, p.stat().st_size) for p in src.iterdir())
    assert sorted((f['name'], f['size']) for f in result['files']) == expected
    assert sorted((f['name'], f['size']) for f in admin.item_files(result['library_item']['id'])) == expected
    assert result['update_session']['state'] == 'DONE'


def test_force_uploads_again(run: Any, admin: h.Admin, library: dict[str, Any], tmp_path: Path) -> None:
    src = h.make_ovf_dir(tmp_path / 'ovf', 'forced')
    item_id = admin.create_item(library['id'], item_type='ovf')
    first = h.assert_ok(run(UPLOAD, library_item_id=item_id, src=str(src)))
    assert first['changed'] is True
    forced = h.assert_ok(run(UPLOAD, library_item_id=item_id, src=str(src), force=True))
    assert forced['changed'] is True
    assert forced['bytes_sent'] == sum(p.stat().st_size for p in src.iterdir())
    assert forced['update_session']['state'] == 'DONE'


def test_check_mode_creates_and_uploads_nothing(run: Any, admin: h.Admin, library: dict[str, Any], tmp_path: Path) -> None:
    name = new_name('iso')
    result = h.assert_ok(run(UPLOAD, check_mode=True, library_name=library['name'], item_name=name, src=iso_file(tmp_path)))
    assert result['changed'] is True
    assert result['files'] == [{'name': 'tiny.iso', 'size': len(ISO)}]
    assert admin.find_items(library['id'], name) == []


def test_unknown_library_name(run: Any, tmp_path: Path) -> None:
    # vcsim answers a find without a match as {"value": null}.
    missing = new_name('no-such-library')
    failed = h.assert_clean_failure(run(UPLOAD, library_name=missing, item_name='x', src=iso_file(tmp_path)), missing)
    assert failed['error_type'] == 'NOT_FOUND'


def test_unknown_item_without_create(run: Any, admin: h.Admin, library: dict[str, Any], tmp_path: Path) -> None:
    missing = new_name('no-such-item')
    failed = h.assert_clean_failure(
        run(UPLOAD, library_name=library['name'], item_name=missing, create_item=False, src=iso_file(tmp_path)), missing, 'create_item'
    )
    assert failed['error_type'] == 'NOT_FOUND'
    assert admin.find_items(library['id'], missing) == []
