# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""library_item_upload's decisions against a stubbed transport: where, whether, and the clean-up."""

from __future__ import annotations

import hashlib

from ansible_collections.vsphere.content_library.plugins.modules import library_item_upload
from ansible_collections.vsphere.content_library.tests.unit.plugins.modules.test_modules import (  # pylint: disable=unused-import
    run_module,
    vc,
    writes,
)

LIB = '/api/content/library'
ITEM = '/api/content/library/item'
US = '/api/content/library/item/update-session'
LOCAL = {'name': 'local-lib', 'type': 'LOCAL'}


def iso(tmp_path, content=b'iso content\n' * 1000):
    path = tmp_path / 'photon.iso'
    path.write_bytes(content)
    return str(path), content


def existing_item(vc, files):
    vc.add('POST', '^%s\\?action=find$' % LIB, 200, ['L1'])
    vc.add('GET', '^%s/L1$' % LIB, 200, LOCAL)
    vc.add('POST', '^%s\\?action=find$' % ITEM, 200, ['I1'])
    vc.add('GET', '^%s/I1$' % ITEM, 200, {'library_id': 'L1', 'name': 'photon', 'type': 'iso', 'content_version': '3'})
    vc.add('GET', '^%s/I1/file$' % ITEM, 200, files)


class TestIdempotence:
    def test_same_name_size_and_checksum_writes_nothing(self, vc, capsys, tmp_path):
        src, content = iso(tmp_path)
        existing_item(vc, [{'name': 'photon.iso', 'size': len(content), 'checksum_info': {'algorithm': 'SHA1', 'checksum': hashlib.sha1(content).hexdigest()}}])
        code, result = run_module(library_item_upload, capsys, library_name='local-lib', item_name='photon', src=src)
        assert code == 0 and result['changed'] is False
        assert result['library_item']['id'] == 'I1'
        assert writes(vc) == ['POST %s?action=find' % LIB, 'POST %s?action=find' % ITEM]  # finds are reads

    def test_same_size_without_a_checksum_is_uploaded_again(self, vc, capsys, tmp_path):
        src, content = iso(tmp_path)
        existing_item(vc, [{'name': 'photon.iso', 'size': len(content)}])
        code, result = run_module(library_item_upload, capsys, check_mode=True, library_name='local-lib', item_name='photon', src=src)
        assert code == 0 and result['changed'] is True
        assert result['files'] == [{'name': 'photon.iso', 'size': len(content)}]

    def test_same_size_other_checksum_is_uploaded_again(self, vc, capsys, tmp_path):
        src, content = iso(tmp_path)
        existing_item(vc, [{'name': 'photon.iso', 'size': len(content), 'checksum_info': {'algorithm': 'SHA1', 'checksum': '0' * 40}}])
        code, result = run_module(library_item_upload, capsys, check_mode=True, diff=True, library_name='local-lib', item_name='photon', src=src)
        assert code == 0 and result['changed'] is True
        assert result['diff']['before'] == {
            'files': [{'name': 'photon.iso', 'size': len(content), 'checksum_info': {'algorithm': 'SHA1', 'checksum': '0' * 40}}]
        }

    def test_a_checksum_is_only_computed_when_names_and_sizes_match(self, vc, capsys, tmp_path, monkeypatch):
        src, content = iso(tmp_path)
        existing_item(vc, [{'name': 'photon.iso', 'size': len(content) + 1, 'checksum_info': {'algorithm': 'SHA1', 'checksum': '0' * 40}}])
        read = []
        monkeypatch.setattr(
            'ansible_collections.vsphere.content_library.plugins.module_utils._content.Part.checksum', lambda self, algorithm: read.append(self.name)
        )
        code, result = run_module(library_item_upload, capsys, check_mode=True, library_name='local-lib', item_name='photon', src=src)
        assert code == 0 and result['changed'] is True and read == []


class TestWhere:
    def test_a_subscribed_library_is_refused_before_anything_is_written(self, vc, capsys, tmp_path):
        src, dummy = iso(tmp_path)
        vc.add('POST', '^%s\\?action=find$' % LIB, 200, ['L2'])
        vc.add('GET', '^%s/L2$' % LIB, 200, {'name': 'mirror', 'type': 'SUBSCRIBED'})
        code, result = run_module(library_item_upload, capsys, library_name='mirror', item_name='photon', src=src)
        assert code == 1 and 'is a subscribed library' in result['msg']
        assert writes(vc) == ['POST %s?action=find' % LIB]

    def test_two_local_libraries_of_that_name_are_ambiguous(self, vc, capsys, tmp_path):
        src, dummy = iso(tmp_path)
        vc.add('POST', '^%s\\?action=find$' % LIB, 200, ['L1', 'L3'])
        vc.add('GET', '^%s/L[13]$' % LIB, 200, LOCAL)
        code, result = run_module(library_item_upload, capsys, library_name='local-lib', item_name='photon', src=src)
        assert code == 1 and result['msg'] == '2 local libraries are named local-lib (L1, L3): give library_id instead.'

    def test_check_mode_predicts_a_new_item_without_creating_it(self, vc, capsys, tmp_path):
        src, content = iso(tmp_path)
        vc.add('POST', '^%s\\?action=find$' % LIB, 200, ['L1'])
        vc.add('GET', '^%s/L1$' % LIB, 200, LOCAL)
        vc.add('POST', '^%s\\?action=find$' % ITEM, 200, [])
        code, result = run_module(library_item_upload, capsys, check_mode=True, library_name='local-lib', item_name='new', src=src)
        assert code == 0 and result['changed'] is True
        assert result['library_item'] == {'id': None, 'name': 'new', 'type': 'iso', 'content_version': None, 'library_id': 'L1'}
        assert not any(path.startswith(('PATCH', 'DELETE')) or path == 'POST %s' % ITEM for path in writes(vc))


class TestCleanUp:
    def test_a_refused_warning_fails_and_deletes_the_session_and_the_created_item(self, vc, capsys, tmp_path):
        src, content = iso(tmp_path)
        vc.add('POST', '^%s\\?action=find$' % LIB, 200, ['L1'])
        vc.add('GET', '^%s/L1$' % LIB, 200, LOCAL)
        vc.add('POST', '^%s\\?action=find$' % ITEM, 200, [])
        vc.add('POST', '^%s$' % ITEM, 201, '"I9"')
        vc.add('GET', '^%s/I9$' % ITEM, 200, {'library_id': 'L1', 'name': 'new', 'type': 'iso'})
        vc.add('POST', '^%s$' % US, 201, '"S1"')
        added = {
            'name': 'photon.iso',
            'status': 'WAITING_FOR_TRANSFER',
            'source_type': 'PUSH',
            'upload_endpoint': {'uri': 'https://vc.example.com:443/cls/S1/photon.iso'},
        }
        vc.add('POST', '^%s/S1/file$' % US, 201, added)
        vc.add('PUT', '^/cls/S1/photon.iso$', 200)
        vc.add('GET', '^%s/S1/file/photon.iso$' % US, 200, {'name': 'photon.iso', 'status': 'READY', 'size': len(content)})
        vc.add('POST', '^%s/S1/file\\?action=validate$' % US, 200, {'has_errors': False, 'missing_files': [], 'invalid_files': []})
        vc.add(
            'GET',
            '^%s/S1$' % US,
            200,
            {
                'library_item_id': 'I9',
                'state': 'ACTIVE',
                'preview_info': {
                    'state': 'AVAILABLE',
                    'warnings': [{'type': 'UNTRUSTED_CERTIFICATE', 'ignored': False, 'message': {'id': 'x', 'default_message': 'Not trusted.', 'args': []}}],
                },
            },
        )
        vc.add('POST', '^%s/S1\\?action=fail$' % US, 204)
        vc.add('DELETE', '^%s/S1$' % US, 204)
        vc.add('DELETE', '^%s/I9$' % ITEM, 204)
        code, result = run_module(library_item_upload, capsys, library_name='local-lib', item_name='new', src=src, ignore_warnings=['SELF_SIGNED_CERTIFICATE'])
        assert code == 1
        assert result['error_type'] == 'PREVIEW_WARNING', result['msg']
        assert result['msg'] == (
            "vCenter's preview of the signed content warns UNTRUSTED_CERTIFICATE: Not trusted. Add the warning type "
            "to ignore_warnings to accept it. Update session S1 was failed with this reason, and it was deleted. "
            "Library item I9, which this task had created, was deleted."
        )
        assert result['update_session_id'] == 'S1'
        fail = [c for c in vc.calls if c['path'] == '%s/S1' % US and 'action=fail' in c['query']][0]
        assert fail['json']['client_error_message'].startswith("vCenter's preview of the signed content warns UNTRUSTED_CERTIFICATE")
        assert [p for p in writes(vc) if p.startswith('DELETE')] == ['DELETE %s/S1' % US, 'DELETE %s/I9' % ITEM]
        assert vc.calls[0]['json'] is None and any(
            c['json'] == {'library_item_id': 'I9', 'warning_behavior': [{'type': 'SELF_SIGNED_CERTIFICATE', 'ignored': True}]} for c in vc.calls
        )


class TestNewItem:
    def test_a_new_item_is_a_change_even_when_its_files_are_not_kept(self, vc, capsys, tmp_path):
        # vCenter keeps no .cert in storage, so nothing would be "missing" from the new item: creating it is the change.
        cert = tmp_path / 'signer.cert'
        cert.write_bytes(b'-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
        vc.add('POST', '^%s\\?action=find$' % LIB, 200, ['L1'])
        vc.add('GET', '^%s/L1$' % LIB, 200, LOCAL)
        vc.add('POST', '^%s\\?action=find$' % ITEM, 200, [])
        code, result = run_module(library_item_upload, capsys, check_mode=True, library_name='local-lib', item_name='signer', src=str(cert))
        assert code == 0 and result['changed'] is True
        assert result['files'] == [{'name': 'signer.cert', 'size': cert.stat().st_size}]
