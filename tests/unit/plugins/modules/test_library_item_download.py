# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""library_item_download's decisions against a stubbed transport: what is fetched, what lands on disk, the clean-up."""

from __future__ import annotations

import hashlib
import os
import subprocess
import tarfile

import pytest

from ansible_collections.vsphere.content_library.plugins.modules import library_item_download
from ansible_collections.vsphere.content_library.tests.unit.plugins.conftest import Breaking
from ansible_collections.vsphere.content_library.tests.unit.plugins.modules.test_modules import (  # pylint: disable=unused-import
    run_module,
    vc,
    writes,
)

LIB = '/api/content/library'
ITEM = '/api/content/library/item'
DS = '/api/content/library/item/download-session'
OVF = (
    '<?xml version="1.0"?><Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" '
    'xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"><References>'
    '<File ovf:href="disk2.vmdk" ovf:id="f2"/><File ovf:href="disk1.vmdk" ovf:id="f1"/>'
    '</References></Envelope>'
).encode()
CONTENT = {'photon.ovf': OVF, 'disk1.vmdk': b'first disk ' * 5000, 'disk2.vmdk': b'second disk ' * 7000}


def sha1(data):
    return hashlib.sha1(data).hexdigest()


def item_file(name, data, checksum=True):
    info = {'name': name, 'size': len(data), 'cached': True, 'version': '1'}
    if checksum:
        info['checksum_info'] = {'algorithm': 'SHA1', 'checksum': sha1(data)}
    return info


def an_item(vc, files, item_type='ovf'):
    vc.add('POST', '^%s\\?action=find$' % LIB, 200, ['L1'])
    vc.add('GET', '^%s/L1$' % LIB, 200, {'name': 'images', 'type': 'LOCAL'})
    vc.add('POST', '^%s\\?action=find$' % ITEM, 200, ['I1'])
    vc.add('GET', '^%s/I1$' % ITEM, 200, {'library_id': 'L1', 'name': 'photon', 'type': item_type, 'content_version': '4'})
    vc.add('GET', '^%s/I1/file$' % ITEM, 200, files)


def a_session(vc, content, served=None):
    """A download session that prepares at once and serves ``served`` (default: ``content``)."""
    served = served or content
    vc.add('GET', '^%s\\?library_item_id=I1$' % DS, 200, [])
    vc.add('POST', '^%s$' % DS, 201, '"D1"')
    for name in content:
        vc.add(
            'POST',
            '^%s/D1/file\\?action=prepare$' % DS,
            200,
            {'name': name, 'status': 'PREPARED', 'bytes_transferred': 0, 'download_endpoint': {'uri': 'https://vc.example.com:443/cls/data/D1/%s' % name}},
            sent={'file_name': name},
        )
        vc.add(
            'GET',
            '^%s/D1/file\\?file_name=%s$' % (DS, name.replace('.', '\\.')),
            200,
            {
                'name': name,
                'status': 'PREPARED',
                'bytes_transferred': len(content[name]),
                'size': len(content[name]),
                'checksum_info': {'algorithm': 'SHA1', 'checksum': sha1(content[name])},
            },
        )
        vc.add('GET', '^/cls/data/D1/%s$' % name.replace('.', '\\.'), 200, served[name])
    vc.add('POST', '^%s/D1\\?action=(keep-alive|fail)$' % DS, 204)
    vc.add('DELETE', '^%s/D1$' % DS, 204)


def args(dest, **extra):
    return dict(library_name='images', item_name='photon', dest=str(dest), **extra)


class TestFiles:
    def test_every_file_lands_under_its_name_and_nothing_else(self, vc, capsys, tmp_path):
        an_item(vc, [item_file(name, data) for name, data in CONTENT.items()])
        a_session(vc, CONTENT)
        code, result = run_module(library_item_download, capsys, **args(tmp_path / 'out'))
        assert code == 0 and result["changed"] is True, result["msg"] if code else result
        assert sorted(os.listdir(tmp_path / 'out')) == sorted(CONTENT)
        for name, data in CONTENT.items():
            assert (tmp_path / 'out' / name).read_bytes() == data
        assert result['bytes_received'] == sum(len(data) for data in CONTENT.values())
        assert [f['changed'] for f in result['files']] == [True, True, True]
        assert 'DELETE %s/D1' % DS in vc.paths()
        assert not any('action=fail' in p for p in vc.paths())

    def test_the_rerun_opens_no_session(self, vc, capsys, tmp_path):
        out = tmp_path / 'out'
        out.mkdir()
        for name, data in CONTENT.items():
            (out / name).write_bytes(data)
        an_item(vc, [item_file(name, data) for name, data in CONTENT.items()])
        code, result = run_module(library_item_download, capsys, **args(out))
        assert code == 0 and result['changed'] is False, result
        assert not any(DS in p for p in vc.paths())

    def test_only_the_file_that_differs_is_fetched(self, vc, capsys, tmp_path):
        out = tmp_path / 'out'
        out.mkdir()
        for name, data in CONTENT.items():
            (out / name).write_bytes(data if name != 'disk1.vmdk' else b'x' * len(data))
        an_item(vc, [item_file(name, data) for name, data in CONTENT.items()])
        a_session(vc, CONTENT)
        code, result = run_module(library_item_download, capsys, diff=True, **args(out))
        assert code == 0 and result['changed'] is True
        assert [p for p in vc.paths() if p.startswith('GET /cls/data')] == ['GET /cls/data/D1/disk1.vmdk']
        assert (out / 'disk1.vmdk').read_bytes() == CONTENT['disk1.vmdk']
        before = dict((f['name'], f) for f in result['diff']['before']['files'])
        assert before['disk1.vmdk']['checksum_info']['checksum'] == sha1(b'x' * len(CONTENT['disk1.vmdk']))

    def test_check_mode_opens_no_session_and_makes_no_directory(self, vc, capsys, tmp_path):
        an_item(vc, [item_file(name, data) for name, data in CONTENT.items()])
        code, result = run_module(library_item_download, capsys, check_mode=True, **args(tmp_path / 'out'))
        assert code == 0 and result['changed'] is True
        assert not (tmp_path / 'out').exists()
        assert not any(DS in p for p in vc.paths())
        assert sorted(f['name'] for f in result['files']) == sorted(CONTENT)

    def test_a_checksum_mismatch_leaves_the_old_files_and_no_temporary_file(self, vc, capsys, tmp_path):
        out = tmp_path / 'out'
        out.mkdir()
        (out / 'disk1.vmdk').write_bytes(b'old content')
        an_item(vc, [item_file(name, data) for name, data in CONTENT.items()])
        corrupt = dict(CONTENT, **{'disk1.vmdk': b'F' + CONTENT['disk1.vmdk'][1:]})
        a_session(vc, CONTENT, served=corrupt)
        code, result = run_module(library_item_download, capsys, parallel=1, **args(out))
        assert code == 1 and result['error_type'] == 'CHECKSUM_MISMATCH', result
        assert result['file_name'] == 'disk1.vmdk'
        assert sorted(os.listdir(out)) == ['disk1.vmdk']  # no new file under a final name, no temporary file
        assert (out / 'disk1.vmdk').read_bytes() == b'old content'
        assert 'Download session D1 was failed with this reason, and it was deleted.' in result['msg']
        assert 'temporary files were removed' in result['msg']
        assert result['download_session_id'] == 'D1'
        assert 'DELETE %s/D1' % DS in vc.paths() and 'POST %s/D1?action=fail' % DS in vc.paths()

    @pytest.mark.parametrize('name', ['../evil', '/etc/passwd', 'a/b', '..', 'nul\x00byte'])
    def test_a_file_name_that_is_not_a_base_name_is_refused_before_anything(self, vc, capsys, tmp_path, name):
        an_item(vc, [item_file(name, b'x')])
        code, result = run_module(library_item_download, capsys, **args(tmp_path / 'out'))
        assert code == 1 and result['error_type'] == 'BAD_ANSWER', result
        assert 'nothing was written' in result['msg']
        if '\x00' not in name:
            # The name once, and the rule whole (the ".." of "not . or .." was once cut off as if it were a period).
            assert (
                'vCenter answered HTTP 200, but the file name %r must be a plain file name, without / or \\ and not . or ..; nothing was written' % name
            ) in result['msg'], result['msg']
        assert not (tmp_path / 'out').exists()
        assert not any(DS in p for p in vc.paths())

    def test_a_broken_stream_is_resumed_with_range(self, vc, capsys, tmp_path):
        data = CONTENT['disk1.vmdk']
        an_item(vc, [item_file('disk1.vmdk', data)])
        vc.add('GET', '^/cls/data/D1/disk1\\.vmdk$', 200, Breaking(data, 10000), times=1)
        vc.add('GET', '^/cls/data/D1/disk1\\.vmdk$', 206, data[10000:], headers={'Content-Range': 'bytes 10000-%d/%d' % (len(data) - 1, len(data))}, times=1)
        a_session(vc, {'disk1.vmdk': data})
        code, result = run_module(library_item_download, capsys, **args(tmp_path / 'out'))
        assert code == 0, result.get("msg")
        assert (tmp_path / 'out' / 'disk1.vmdk').read_bytes() == data
        assert result['files'][0]['resumed'] == ['range']
        ranges = [c['headers'].get('Range') for c in vc.calls if c['path'].startswith('/cls/data')]
        assert ranges == [None, 'bytes=10000-']

    def test_a_server_that_ignores_range_is_read_again_from_the_start(self, vc, capsys, tmp_path):
        data = CONTENT['disk2.vmdk']
        an_item(vc, [item_file('disk2.vmdk', data)])
        vc.add('GET', '^/cls/data/D1/disk2\\.vmdk$', 200, Breaking(data, 20000), times=1)
        a_session(vc, {'disk2.vmdk': data})
        code, result = run_module(library_item_download, capsys, **args(tmp_path / 'out'))
        assert code == 0, result.get("msg")
        assert (tmp_path / 'out' / 'disk2.vmdk').read_bytes() == data
        assert result['files'][0]['resumed'] == ['restart']

    def test_a_stream_that_keeps_breaking_fails_after_the_retries(self, vc, capsys, tmp_path):
        data = CONTENT['disk2.vmdk']
        an_item(vc, [item_file('disk2.vmdk', data)])
        vc.add('GET', '^/cls/data/D1/disk2\\.vmdk$', 200, Breaking(data, 100))
        a_session(vc, {'disk2.vmdk': data})
        code, result = run_module(library_item_download, capsys, retries=1, **args(tmp_path / 'out'))
        assert code == 1 and result.get("error_type") == "TRANSFER_FAILED", result.get("msg")
        assert 'The download of file disk2.vmdk broke after 100 bytes' in result['msg']
        assert os.listdir(tmp_path / 'out') == []

    @pytest.mark.parametrize('status, tries, ok', [(503, 2, True), (502, 1, True), (504, 4, False), (404, 1, False)])
    def test_the_first_get_is_sent_again_after_502_503_504_within_the_retries(self, vc, capsys, tmp_path, monkeypatch, status, tries, ok):
        from ansible_collections.vsphere.content_library.plugins.module_utils import _download

        monkeypatch.setattr(_download, 'backoff_delay', lambda attempt: 0)
        data = CONTENT['disk1.vmdk']
        an_item(vc, [item_file('disk1.vmdk', data)])
        vc.add('GET', '^/cls/data/D1/disk1\\.vmdk$', status, {'error_type': 'ERROR', 'messages': []}, times=tries)
        a_session(vc, {'disk1.vmdk': data})
        code, result = run_module(library_item_download, capsys, retries=3, **args(tmp_path / 'out'))
        gets = [p for p in vc.paths() if p.startswith('GET /cls/data')]
        if ok:
            assert code == 0, result.get('msg')
            assert (tmp_path / 'out' / 'disk1.vmdk').read_bytes() == data
            assert len(gets) == tries + 1
        else:
            assert code == 1 and result['status'] == status, result
            assert len(gets) == (4 if status == 504 else 1)  # the first GET and 3 retries; a 404 is not retried
            assert os.listdir(tmp_path / 'out') == []
            assert 'and it was deleted' in result['msg']

    def test_a_session_that_the_fail_removed_is_said_to_be_gone(self, vc, capsys, tmp_path):
        # govmomi's vcsim deletes a download session when it is failed: the delete that follows answers 404.
        data = CONTENT['disk1.vmdk']
        an_item(vc, [item_file('disk1.vmdk', data)])
        vc.add('GET', '^/cls/data/D1/disk1\\.vmdk$', 500, {'error_type': 'ERROR', 'messages': []})
        vc.add('DELETE', '^%s/D1$' % DS, 404, {'error_type': 'NOT_FOUND', 'messages': []})
        a_session(vc, {'disk1.vmdk': data})
        code, result = run_module(library_item_download, capsys, **args(tmp_path / 'out'))
        assert code == 1 and result['status'] == 500, result
        assert result['msg'].endswith('Download session D1 was failed with this reason, and it no longer exists.'), result['msg']
        assert 'deleting it failed' not in result['msg']
        assert os.listdir(tmp_path / 'out') == []

    def test_a_prepare_that_ends_in_error_fails_with_vcenters_message(self, vc, capsys, tmp_path):
        an_item(vc, [item_file('disk1.vmdk', b'abc')])
        vc.add('GET', '^%s\\?library_item_id=I1$' % DS, 200, [])
        vc.add('POST', '^%s$' % DS, 201, '"D1"')
        vc.add('POST', '^%s/D1/file\\?action=prepare$' % DS, 200, {'name': 'disk1.vmdk', 'status': 'PREPARING', 'bytes_transferred': 0})
        vc.add(
            'GET',
            '^%s/D1/file\\?file_name=disk1\\.vmdk$' % DS,
            200,
            {
                'name': 'disk1.vmdk',
                'status': 'ERROR',
                'bytes_transferred': 0,
                'error_message': {'id': 'x', 'default_message': 'The datastore is not accessible.', 'args': []},
            },
        )
        vc.add('POST', '^%s/D1\\?action=(keep-alive|fail)$' % DS, 204)
        vc.add('DELETE', '^%s/D1$' % DS, 204)
        code, result = run_module(library_item_download, capsys, **args(tmp_path / 'out'))
        assert code == 1 and result['error_type'] == 'TRANSFER_FAILED'
        assert result['msg'].startswith('vCenter could not prepare file disk1.vmdk for download: The datastore is not accessible.')
        assert 'and it was deleted' in result['msg']

    def test_a_directory_where_a_file_goes_is_refused_before_any_session(self, vc, capsys, tmp_path):
        out = tmp_path / 'out'
        (out / 'disk1.vmdk' / 'inside').mkdir(parents=True)
        an_item(vc, [item_file(name, data) for name, data in CONTENT.items()])
        code, result = run_module(library_item_download, capsys, **args(out))
        assert code == 1 and result['error_type'] == 'LOCAL_FILE_ERROR', result
        assert result['msg'] == '%s exists and is not a regular file, so the download cannot replace it; nothing was fetched.' % (out / 'disk1.vmdk')
        assert os.listdir(out) == ['disk1.vmdk'] and os.listdir(out / 'disk1.vmdk') == ['inside']
        assert not any(DS in p for p in vc.paths())

    def test_a_dest_that_is_a_file_is_refused_even_in_check_mode(self, vc, capsys, tmp_path):
        (tmp_path / 'out').write_bytes(b'a file')
        an_item(vc, [item_file('disk1.vmdk', b'abc')])
        code, result = run_module(library_item_download, capsys, check_mode=True, **args(tmp_path / 'out'))
        assert code == 1 and result['msg'].startswith('dest %s exists and is not a directory' % (tmp_path / 'out')), result
        assert not any(DS in p for p in vc.paths())

    def test_a_rename_that_fails_is_a_local_file_error_and_leaves_no_temporary_file(self, vc, capsys, tmp_path, monkeypatch):
        from ansible.module_utils.basic import AnsibleModule

        def refuse(self, src, dest, *rest, **kwargs):
            raise Exception('Could not replace %r with %r.' % (dest, src))  # what ansible-core 2.17+ raises

        monkeypatch.setattr(AnsibleModule, 'atomic_move', refuse)
        out = tmp_path / 'out'
        out.mkdir()
        (out / 'disk1.vmdk').write_bytes(b'old content')
        an_item(vc, [item_file('disk1.vmdk', CONTENT['disk1.vmdk'])])
        a_session(vc, {'disk1.vmdk': CONTENT['disk1.vmdk']})
        code, result = run_module(library_item_download, capsys, **args(out))
        assert code == 1 and result['error_type'] == 'LOCAL_FILE_ERROR', result
        assert result['msg'].startswith('Could not put %s in place: Could not replace' % (out / 'disk1.vmdk'))
        assert 'exception' not in result and 'Unexpected' not in result['msg']
        assert os.listdir(out) == ['disk1.vmdk'] and (out / 'disk1.vmdk').read_bytes() == b'old content'


class TestOva:
    def test_descriptor_first_then_references_then_a_sha256_manifest(self, vc, capsys, tmp_path):
        an_item(vc, [item_file(name, data) for name, data in CONTENT.items()])
        a_session(vc, CONTENT)
        ova = tmp_path / 'photon.ova'
        code, result = run_module(library_item_download, capsys, **args(ova, format='ova', mode='0640'))
        assert code == 0 and result["changed"] is True, result["msg"] if code else result
        with tarfile.open(ova) as archive:
            assert archive.getnames() == ['photon.ovf', 'disk2.vmdk', 'disk1.vmdk', 'photon.mf']
            for name, data in CONTENT.items():
                assert archive.extractfile(name).read() == data
            manifest = archive.extractfile('photon.mf').read().decode()
        assert manifest.splitlines() == [
            'SHA256(%s)= %s' % (name, hashlib.sha256(CONTENT[name]).hexdigest()) for name in ('photon.ovf', 'disk2.vmdk', 'disk1.vmdk')
        ]
        listing = subprocess.run(['tar', '-tf', str(ova)], capture_output=True, text=True, check=True).stdout.split()
        assert listing == ['photon.ovf', 'disk2.vmdk', 'disk1.vmdk', 'photon.mf']
        assert oct(os.stat(ova).st_mode & 0o777) == '0o640'
        assert os.listdir(tmp_path) == ['photon.ova']
        assert set(f['ova_member'] for f in result['files']) == {'streamed'}

    def test_the_rerun_reads_the_members_and_opens_no_session(self, vc, capsys, tmp_path):
        an_item(vc, [item_file(name, data) for name, data in CONTENT.items()])
        a_session(vc, CONTENT)
        ova = tmp_path / 'photon.ova'
        assert run_module(library_item_download, capsys, **args(ova, format='ova'))[0] == 0
        vc.calls.clear()
        code, result = run_module(library_item_download, capsys, **args(ova, format='ova'))
        assert code == 0 and result['changed'] is False, result
        assert not any(DS in p for p in vc.paths())

    def test_a_member_without_content_length_is_spooled_and_said_so(self, vc, capsys, tmp_path):
        an_item(vc, [item_file(name, data) for name, data in CONTENT.items()])
        vc.add('GET', '^/cls/data/D1/disk1\\.vmdk$', 200, CONTENT['disk1.vmdk'], headers={'Content-Length': None})
        a_session(vc, CONTENT)
        ova = tmp_path / 'photon.ova'
        code, result = run_module(library_item_download, capsys, **args(ova, format='ova'))
        assert code == 0, result.get("msg")
        members = dict((f['name'], f['ova_member']) for f in result['files'])
        assert members == {'photon.ovf': 'streamed', 'disk2.vmdk': 'streamed', 'disk1.vmdk': 'spooled'}
        with tarfile.open(ova) as archive:
            assert archive.extractfile('disk1.vmdk').read() == CONTENT['disk1.vmdk']
        assert os.listdir(tmp_path) == ['photon.ova']

    def test_an_ova_path_that_is_a_directory_is_refused_before_any_session(self, vc, capsys, tmp_path):
        (tmp_path / 'photon.ova').mkdir()
        an_item(vc, [item_file(name, data) for name, data in CONTENT.items()])
        code, result = run_module(library_item_download, capsys, **args(tmp_path / 'photon.ova', format='ova'))
        assert code == 1 and result['error_type'] == 'LOCAL_FILE_ERROR', result
        assert 'photon.ova exists and is not a regular file' in result['msg']
        assert os.listdir(tmp_path) == ['photon.ova']
        assert not any(DS in p for p in vc.paths())

    def test_an_iso_item_is_no_ovf_template(self, vc, capsys, tmp_path):
        an_item(vc, [item_file('photon.iso', b'iso')], item_type='iso')
        code, result = run_module(library_item_download, capsys, **args(tmp_path / 'x.ova', format='ova'))
        assert code == 1 and 'format=ova needs an OVF template' in result['msg']
        assert not any(DS in p for p in vc.paths())

    @pytest.mark.parametrize(
        'option, value, words',
        [
            ('mode', 'u=rwx,bogus', 'mode \'u=rwx,bogus\' is neither octal'),
            ('mode', '0999', 'is neither octal'),
            ('mode', '077777', 'holds more than permission bits'),
            ('owner', 'relia-no-such-user', 'owner \'relia-no-such-user\' names no user'),
            ('group', 'relia-no-such-group', 'group \'relia-no-such-group\' names no group'),
        ],
    )
    def test_file_arguments_are_checked_before_anything_is_sent(self, vc, capsys, tmp_path, option, value, words):
        code, result = run_module(library_item_download, capsys, **args(tmp_path / 'x.ova', format='ova', **{option: value}))
        assert code == 1 and words in result['msg'], result
        assert result['error_type'] == 'INVALID_ARGUMENT'
        assert vc.calls == []

    @pytest.mark.parametrize(
        'option, value', [('mode', '0640'), ('mode', 'u=rw,g=r,o='), ('mode', 0o640), ('owner', 'root'), ('owner', '0'), ('group', 'root')]
    )
    def test_good_file_arguments_pass(self, vc, capsys, tmp_path, option, value):
        an_item(vc, [item_file(name, data) for name, data in CONTENT.items()])
        arguments = args(tmp_path / 'x.ova', format='ova', **{option: value})
        code, result = run_module(library_item_download, capsys, check_mode=True, **arguments)
        assert code == 0 and result['changed'] is True, result

    def test_files_do_not_go_with_an_ova(self, vc, capsys, tmp_path):
        code, result = run_module(library_item_download, capsys, **args(tmp_path / 'x.ova', format='ova', files=['a']))
        assert code == 1 and result['msg'] == 'files does not go with format=ova: an OVA holds the whole OVF template.'
        assert vc.calls == []
