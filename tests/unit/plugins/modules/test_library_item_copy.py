# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""library_item_copy between two vCenters against a stubbed transport: what only a stub can produce.

The simulator cannot raise a preview warning for a copied item (a copied template carries no
certificate), nor report other files after a completed session: those paths are tested here.
Both clients share the stub; the ids tell the sides apart (source: L1, I1, download session D1;
target: L2, I2, update session S1).
"""

from __future__ import annotations

import hashlib

from ansible_collections.vsphere.content_library.plugins.modules import library_item_copy
from ansible_collections.vsphere.content_library.tests.unit.plugins.modules.test_modules import (  # pylint: disable=unused-import
    run_module,
    vc,
    writes,
)

LIB = '/api/content/library'
ITEM = '/api/content/library/item'
US = '/api/content/library/item/update-session'
DS = '/api/content/library/item/download-session'
DATA = b'photon iso ' * 3000
TARGET = {'hostname': 'vc2.example.com', 'library_name': 'mirror'}


def info(name, data):
    return {'name': name, 'size': len(data), 'cached': True, 'checksum_info': {'algorithm': 'SHA1', 'checksum': hashlib.sha1(data).hexdigest()}}


def source(vc):
    """The source item I1 (photon.iso) and a download session D1 that serves it."""
    vc.add('GET', '^%s/I1$' % ITEM, 200, {'library_id': 'L1', 'name': 'photon', 'type': 'iso', 'content_version': '2'})
    vc.add('GET', '^%s/L1$' % LIB, 200, {'name': 'images', 'type': 'LOCAL'})
    vc.add('GET', '^%s/I1/file$' % ITEM, 200, [info('photon.iso', DATA)])
    vc.add('GET', '^%s\\?library_item_id=I1$' % DS, 200, [])
    vc.add('POST', '^%s$' % DS, 201, '"D1"')
    vc.add(
        'POST',
        '^%s/D1/file\\?action=prepare$' % DS,
        200,
        {'name': 'photon.iso', 'status': 'PREPARED', 'download_endpoint': {'uri': 'https://vc.example.com/cls/data/D1/photon.iso'}},
    )
    vc.add('GET', '^/cls/data/D1/photon\\.iso$', 200, DATA)
    vc.add('POST', '^%s/D1\\?action=(keep-alive|fail)$' % DS, 204)
    vc.add('DELETE', '^%s/D1$' % DS, 204)


def target(vc, files_before=None, files_after=None, preview=None):
    """The target library L2, its item I2 (existing when ``files_before`` is given) and an update session S1."""
    vc.add('POST', '^%s\\?action=find$' % LIB, 200, ['L2'])
    vc.add('GET', '^%s/L2$' % LIB, 200, {'name': 'mirror', 'type': 'LOCAL'})
    if files_before is None:
        vc.add('POST', '^%s\\?action=find$' % ITEM, 200, [])
        vc.add('POST', '^%s$' % ITEM, 201, '"I2"')
    else:
        vc.add('POST', '^%s\\?action=find$' % ITEM, 200, ['I2'])
        vc.add('GET', '^%s/I2/file$' % ITEM, 200, files_before, times=1)
    vc.add('GET', '^%s/I2$' % ITEM, 200, {'library_id': 'L2', 'name': 'photon', 'type': 'iso', 'content_version': '1'})
    vc.add('GET', '^%s/I2/file$' % ITEM, 200, files_after if files_after is not None else [info('photon.iso', DATA)])
    vc.add('POST', '^%s$' % US, 201, '"S1"')
    added = {
        'name': 'photon.iso',
        'status': 'WAITING_FOR_TRANSFER',
        'source_type': 'PUSH',
        'upload_endpoint': {'uri': 'https://vc2.example.com/cls-data/S1/photon.iso'},
    }
    vc.add('POST', '^%s/S1/file$' % US, 201, added)
    vc.add('DELETE', '^%s/S1/file/old\\.iso$' % US, 204)
    vc.add('PUT', '^/cls-data/S1/photon\\.iso$', 200)
    vc.add('POST', '^%s/S1/file\\?action=validate$' % US, 200, {'has_errors': False, 'missing_files': [], 'invalid_files': []})
    active = {'library_item_id': 'I2', 'state': 'ACTIVE', 'preview_info': preview or {'state': 'NOT_APPLICABLE'}}
    vc.add('GET', '^%s/S1$' % US, 200, active, times=1)
    vc.add('POST', '^%s/S1\\?action=(keep-alive|complete|fail)$' % US, 204)
    vc.add('GET', '^%s/S1$' % US, 200, {'library_item_id': 'I2', 'state': 'DONE'})
    vc.add('DELETE', '^%s/S1$' % US, 204)
    vc.add('DELETE', '^%s/I2$' % ITEM, 204)


def warned(warning_type):
    return {'state': 'AVAILABLE', 'warnings': [{'type': warning_type, 'ignored': False, 'message': {'id': 'x', 'default_message': 'Not trusted.', 'args': []}}]}


class TestPreviewWarnings:
    def test_a_refused_warning_ends_both_sessions_and_deletes_the_new_target_item(self, vc, capsys):
        source(vc)
        target(vc, preview=warned('UNTRUSTED_CERTIFICATE'))
        code, result = run_module(library_item_copy, capsys, library_item_id='I1', target=TARGET, ignore_warnings=['SELF_SIGNED_CERTIFICATE'])
        assert code == 1 and result['error_type'] == 'PREVIEW_WARNING', result['msg']
        assert result['msg'] == (
            "vCenter's preview of the signed content warns UNTRUSTED_CERTIFICATE: Not trusted. Add the warning type to "
            "ignore_warnings to accept it. Update session S1 was failed with this reason, and it was deleted. Download session D1 "
            "was failed with this reason, and it was deleted. Library item I2, which this task had created, was deleted."
        )
        assert result['target_update_session_id'] == 'S1' and result['target_library_item_id'] == 'I2'
        assert result['download_session_id'] == 'D1' and result['library_item_id'] == 'I1'
        paths = vc.paths()
        assert not any('action=complete' in path for path in paths)
        assert {'library_item_id': 'I2', 'warning_behavior': [{'type': 'SELF_SIGNED_CERTIFICATE', 'ignored': True}]} in [
            c['json'] for c in vc.calls if c['method'] == 'POST' and c['path'] == US
        ]
        assert [p for p in writes(vc) if p.startswith('DELETE')] == ['DELETE %s/S1' % US, 'DELETE %s/D1' % DS, 'DELETE %s/I2' % ITEM]
        assert paths.count('DELETE /api/session') == 2

    def test_an_accepted_warning_completes_the_copy(self, vc, capsys):
        source(vc)
        target(vc, preview=warned('UNTRUSTED_CERTIFICATE'))
        code, result = run_module(library_item_copy, capsys, library_item_id='I1', target=TARGET, ignore_warnings=['UNTRUSTED_CERTIFICATE'])
        assert code == 0 and result['changed'] is True, result.get('msg')
        assert result['bytes_copied'] == len(DATA) and result['method'] == 'stream'
        assert 'POST %s/S1?action=complete' % US in vc.paths()


class TestTargetFiles:
    def test_the_files_the_source_lacks_leave_the_existing_target_item_in_the_same_session(self, vc, capsys):
        source(vc)
        target(vc, files_before=[info('old.iso', b'old')])
        code, result = run_module(library_item_copy, capsys, library_item_id='I1', target=TARGET)
        assert code == 0 and result['changed'] is True, result.get('msg')
        assert [entry['name'] for entry in result['files']] == ['photon.iso']
        paths = vc.paths()
        removed = paths.index('DELETE %s/S1/file/old.iso' % US)
        assert paths.index('POST %s' % US) < removed < paths.index('POST %s/S1?action=complete' % US)
        assert not any(path.startswith('DELETE %s/I2' % ITEM) for path in paths)

    def test_a_target_that_differs_after_the_copy_names_the_file_and_both_checksums(self, vc, capsys):
        source(vc)
        target(vc, files_after=[info('photon.iso', DATA[:-1] + b'!')])
        code, result = run_module(library_item_copy, capsys, library_item_id='I1', target=TARGET)
        assert code == 1 and result['error_type'] == 'CHECKSUM_MISMATCH', result
        assert result['file_name'] == 'photon.iso' and result['checksum_algorithm'] == 'SHA1'
        assert result['expected_checksum'] == hashlib.sha1(DATA).hexdigest()
        assert result['actual_checksum'] == hashlib.sha1(DATA[:-1] + b'!').hexdigest()
        assert 'Library item I2, which this task had created, was deleted.' in result['msg']

    def test_a_file_missing_after_the_copy_is_named(self, vc, capsys):
        source(vc)
        target(vc, files_after=[])
        code, result = run_module(library_item_copy, capsys, library_item_id='I1', target=TARGET)
        assert code == 1 and result['error_type'] == 'SIZE_MISMATCH', result
        assert result['msg'].startswith('The target item does not hold what the source does: missing: photon.iso.')
        assert result['file_name'] == 'photon.iso'
        assert result['expected_size'] == len(DATA) and result['actual_size'] is None

    def test_an_update_session_that_vcenter_dropped_is_not_deleted_again(self, vc, capsys):
        # govmomi's vcsim drops the whole update session when one of its files is removed: the next add
        # and the fail answer 404, and the clean-up says the session is gone instead of deleting it.
        vc.add('POST', '^%s/S1/file$' % US, 404, {'error_type': 'NOT_FOUND', 'messages': []})
        vc.add('POST', '^%s/S1\\?action=fail$' % US, 404, {'error_type': 'NOT_FOUND', 'messages': []})
        source(vc)
        target(vc, files_before=[info('old.iso', b'old')])
        code, result = run_module(library_item_copy, capsys, library_item_id='I1', target=TARGET)
        assert code == 1 and result['error_type'] == 'NOT_FOUND', result
        assert 'Update session S1 no longer exists.' in result['msg']
        assert 'Deleting update session' not in result['msg']
        assert 'DELETE %s/S1' % US not in vc.paths()
        assert result['msg'].endswith('The target library item keeps its previous content.')
