# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""library_item_info, library_item and library_item_copy's decisions against a stubbed transport."""

from __future__ import annotations

import pytest

from ansible_collections.vsphere.content_library.plugins.module_utils._copy import same_files
from ansible_collections.vsphere.content_library.plugins.modules import library_item, library_item_copy, library_item_info
from ansible_collections.vsphere.content_library.tests.unit.plugins.modules.test_modules import (  # pylint: disable=unused-import
    run_module,
    vc,
    writes,
)

LIB = '/api/content/library'
ITEM = '/api/content/library/item'
US = '/api/content/library/item/update-session'
LOCAL = {'name': 'images', 'type': 'LOCAL'}
SUBSCRIBED = {'name': 'mirror', 'type': 'SUBSCRIBED'}
CHECKSUM = {'algorithm': 'SHA1', 'checksum': 'a' * 40}


def item_model(name='photon', **fields):
    model = {
        'library_id': 'L1',
        'name': name,
        'type': 'iso',
        'description': 'Photon OS',
        'content_version': '2',
        'size': 10,
        'cached': True,
        'creation_time': '2026-11-23T12:05:00.000Z',
        'last_modified_time': '2026-11-23T12:05:00.000Z',
    }
    model.update(fields)
    return model


def a_library(vc, model=None):
    vc.add('POST', '^%s\\?action=find$' % LIB, 200, ['L1'])
    vc.add('GET', '^%s/L1$' % LIB, 200, model or LOCAL)


class TestInfo:
    def test_every_item_of_a_library_sorted_by_name_with_files(self, vc, capsys):
        a_library(vc, SUBSCRIBED)
        vc.add('GET', '^%s\\?library_id=L1$' % ITEM, 200, ['I2', 'I1', 'I3'])
        vc.add('GET', '^%s/I1$' % ITEM, 200, item_model('zeta'))
        vc.add('GET', '^%s/I2$' % ITEM, 200, item_model('Alpha'))
        vc.add('GET', '^%s/I3$' % ITEM, 404, {'error_type': 'NOT_FOUND', 'messages': []})  # deleted meanwhile
        vc.add('GET', '^%s/I[12]/file$' % ITEM, 200, [{'name': 'photon.iso', 'size': 10, 'cached': True, 'checksum_info': CHECKSUM}])
        code, result = run_module(library_item_info, capsys, library_name='mirror', files=True)
        assert code == 0 and result['changed'] is False
        assert [item['name'] for item in result['library_items']] == ['Alpha', 'zeta']
        assert result['library_items'][0]['id'] == 'I2'
        assert result['library_items'][0]['files'] == [{'name': 'photon.iso', 'size': 10, 'cached': True, 'checksum_info': CHECKSUM}]

    def test_an_unknown_item_is_an_empty_list(self, vc, capsys):
        vc.add('GET', '^%s/I9$' % ITEM, 404, {'error_type': 'NOT_FOUND', 'messages': []})
        code, result = run_module(library_item_info, capsys, library_item_id='I9')
        assert code == 0 and result['library_items'] == []

    def test_one_item_by_name(self, vc, capsys):
        a_library(vc)
        vc.add('POST', '^%s\\?action=find$' % ITEM, 200, ['I1'])
        vc.add('GET', '^%s/I1$' % ITEM, 200, item_model())
        code, result = run_module(library_item_info, capsys, library_name='images', item_name='photon')
        assert code == 0 and [item['id'] for item in result['library_items']] == ['I1']
        assert 'files' not in result['library_items'][0]


class TestItem:
    def test_creates_a_missing_item_and_the_rerun_changes_nothing(self, vc, capsys):
        a_library(vc)
        vc.add('POST', '^%s\\?action=find$' % ITEM, 200, [], times=1)
        vc.add('POST', '^%s$' % ITEM, 201, '"I1"')
        vc.add('GET', '^%s/I1$' % ITEM, 200, item_model())
        code, result = run_module(library_item, capsys, diff=True, library_name='images', item_name='photon', item_type='iso', item_description='Photon OS')
        assert code == 0 and result['changed'] is True
        assert result['library_item']['id'] == 'I1'
        assert result['diff'] == {'before': {}, 'after': {'name': 'photon', 'type': 'iso', 'description': 'Photon OS', 'library_id': 'L1'}}
        create = [c for c in vc.calls if c['method'] == 'POST' and c['path'] == ITEM and not c['query']][0]
        assert create['json'] == {'library_id': 'L1', 'name': 'photon', 'type': 'iso', 'description': 'Photon OS'}
        vc.add('POST', '^%s\\?action=find$' % ITEM, 200, ['I1'])
        vc.calls.clear()
        code, result = run_module(library_item, capsys, library_name='images', item_name='photon', item_type='iso', item_description='Photon OS')
        assert code == 0 and result['changed'] is False
        assert writes(vc) == ['POST %s?action=find' % LIB, 'POST %s?action=find' % ITEM]

    def test_check_mode_predicts_a_rename_and_sends_nothing(self, vc, capsys):
        vc.add('GET', '^%s/I1$' % ITEM, 200, item_model())
        vc.add('GET', '^%s/L1$' % LIB, 200, LOCAL)
        vc.add('GET', '^%s\\?library_item_id=I1$' % US, 200, [])
        code, result = run_module(library_item, capsys, check_mode=True, library_item_id='I1', item_name='photon-5')
        assert code == 0 and result['changed'] is True, result.get('msg')
        assert result['library_item']['name'] == 'photon-5'
        assert not any(c['method'] == 'PATCH' for c in vc.calls)

    def test_an_active_update_session_refuses_the_delete_unless_forced(self, vc, capsys):
        a_library(vc)
        vc.add('POST', '^%s\\?action=find$' % ITEM, 200, ['I1'])
        vc.add('GET', '^%s/I1$' % ITEM, 200, item_model())
        vc.add('GET', '^%s\\?library_item_id=I1$' % US, 200, ['S1'])
        vc.add('GET', '^%s/S1$' % US, 200, {'library_item_id': 'I1', 'state': 'ACTIVE'})
        code, result = run_module(library_item, capsys, library_name='images', item_name='photon', state='absent')
        assert code == 1 and result['error_type'] == 'NOT_ALLOWED_IN_CURRENT_STATE'
        assert 'update session S1 is ACTIVE on it' in result['msg']
        assert not any(c['method'] == 'DELETE' and c['path'].startswith(ITEM) for c in vc.calls)
        vc.add('POST', '^%s/S1\\?action=cancel$' % US, 204)
        vc.add('DELETE', '^%s/I1$' % ITEM, 204)
        code, result = run_module(library_item, capsys, library_name='images', item_name='photon', state='absent', force=True)
        assert code == 0 and result['changed'] is True and result['library_item'] == {}
        assert vc.paths()[-3:-1] == ['POST %s/S1?action=cancel' % US, 'DELETE %s/I1' % ITEM]

    def test_an_update_that_vcenter_does_not_apply_fails(self, vc, capsys):
        # govmomi's vcsim answers 200 to an empty description and keeps the old one.
        vc.add('GET', '^%s/I1$' % ITEM, 200, item_model())
        vc.add('GET', '^%s/L1$' % LIB, 200, LOCAL)
        vc.add('GET', '^%s\\?library_item_id=I1$' % US, 200, [])
        vc.add('PATCH', '^%s/I1$' % ITEM, 204)
        code, result = run_module(library_item, capsys, library_item_id='I1', item_description='')
        assert code == 1 and result['error_type'] == 'BAD_ANSWER', result
        assert result['msg'].startswith(
            "Could not update library item I1: vCenter answered HTTP 200, but the item read back afterwards still has the description 'Photon OS' instead of ''"
        ), result['msg']
        assert [c['json'] for c in vc.calls if c['method'] == 'PATCH'] == [{'description': ''}]

    def test_an_empty_description_is_one_that_vcenter_leaves_out(self, vc, capsys):
        vc.add('GET', '^%s/I1$' % ITEM, 200, item_model(), times=1)
        vc.add('GET', '^%s/L1$' % LIB, 200, LOCAL)
        vc.add('GET', '^%s\\?library_item_id=I1$' % US, 200, [])
        vc.add('PATCH', '^%s/I1$' % ITEM, 204)
        after = item_model()
        del after['description']
        vc.add('GET', '^%s/I1$' % ITEM, 200, after)
        code, result = run_module(library_item, capsys, library_item_id='I1', item_description='')
        assert code == 0 and result['changed'] is True, result
        assert 'description' not in result['library_item']

    def test_an_absent_item_is_already_absent(self, vc, capsys):
        a_library(vc)
        vc.add('POST', '^%s\\?action=find$' % ITEM, 200, [])
        code, result = run_module(library_item, capsys, library_name='images', item_name='photon', state='absent')
        assert code == 0 and result['changed'] is False

    def test_a_subscribed_library_takes_no_item(self, vc, capsys):
        a_library(vc, SUBSCRIBED)
        code, result = run_module(library_item, capsys, library_name='images', item_name='photon')
        assert code == 1 and 'is a subscribed library' in result['msg']

    def test_the_type_of_an_item_does_not_change(self, vc, capsys):
        vc.add('GET', '^%s/I1$' % ITEM, 200, item_model())
        vc.add('GET', '^%s/L1$' % LIB, 200, LOCAL)
        code, result = run_module(library_item, capsys, library_item_id='I1', item_type='ovf')
        assert code == 1 and 'its type cannot be changed to ovf' in result['msg']


def files(*entries):
    return [{'name': name, 'size': size, 'checksum_info': {'algorithm': 'SHA1', 'checksum': digest}} for name, size, digest in entries]


class TestCopyDecisions:
    @pytest.mark.parametrize(
        'target, words',
        [
            (files(('a.ovf', 1, 'x' * 40), ('b.vmdk', 2, 'y' * 40)), None),
            (files(('a.ovf', 1, 'x' * 40)), 'missing: b.vmdk'),
            (files(('a.ovf', 1, 'x' * 40), ('b.vmdk', 2, 'y' * 40), ('c', 1, 'z' * 40)), 'not in the source: c'),
            (files(('a.ovf', 1, 'x' * 40), ('b.vmdk', 3, 'y' * 40)), 'b.vmdk has 3 bytes instead of 2'),
            (files(('a.ovf', 1, 'x' * 40), ('b.vmdk', 2, 'z' * 40)), 'b.vmdk has the SHA1 checksum'),
            (
                [{'name': 'a.ovf', 'size': 1}, {'name': 'b.vmdk', 'size': 2, 'checksum_info': {'algorithm': 'SHA1', 'checksum': 'y' * 40}}],
                'no checksum proves that a.ovf is the same',
            ),
        ],
    )
    def test_same_files_says_what_differs(self, target, words):
        source = files(('a.ovf', 1, 'x' * 40), ('b.vmdk', 2, 'y' * 40))
        difference = same_files(source, target)
        assert (difference is None) if words is None else (words in difference)

    def test_a_copy_just_made_is_checked_with_the_checksums_both_sides_report(self):
        # Before copying, a file without a checksum proves nothing (copy it); after, the bytes were hashed on the way.
        source = files(('a.ovf', 1, 'x' * 40))
        unsummed = [{'name': 'a.ovf', 'size': 1}]
        assert 'no checksum proves' in same_files(source, unsummed)
        assert same_files(source, unsummed, proof=False) is None
        assert 'has 2 bytes' in same_files(source, [{'name': 'a.ovf', 'size': 2}], proof=False)

    def test_the_target_needs_a_library(self, vc, capsys):
        code, result = run_module(library_item_copy, capsys, library_item_id='I1', target={'item_name': 'x'})
        assert code == 1 and result['msg'] == 'target needs library_id or library_name: the local library the item goes into.'
        assert vc.calls == []

    def test_the_targets_connection_options_are_checked_before_anything(self, vc, capsys):
        code, result = run_module(library_item_copy, capsys, library_item_id='I1', target={'library_name': 'images', 'hostname': 'bad host', 'port': 70000})
        assert code == 1 and result['msg'].startswith('target.hostname'), result['msg']
        assert vc.calls == []

    def test_a_subscribed_target_library_is_refused_before_any_session(self, vc, capsys):
        vc.add('GET', '^%s/I1$' % ITEM, 200, item_model())
        vc.add('GET', '^%s/L1$' % LIB, 200, LOCAL)
        vc.add('GET', '^%s/I1/file$' % ITEM, 200, files(('photon.iso', 10, 'a' * 40)))
        vc.add('POST', '^%s\\?action=find$' % LIB, 200, ['L2'])
        vc.add('GET', '^%s/L2$' % LIB, 200, SUBSCRIBED)
        code, result = run_module(library_item_copy, capsys, library_item_id='I1', target={'library_name': 'mirror'})
        assert code == 1 and 'is a subscribed library' in result['msg']
        assert not any('session' in p and 'api/session' not in p for p in vc.paths())

    def test_a_failure_on_one_vcenter_names_the_source_item_and_library(self, vc, capsys):
        """On one vCenter with one login, the calls on the target item and library must not replace the source's ids."""
        vc.add('GET', '^%s/I1$' % ITEM, 200, item_model())
        vc.add('GET', '^%s/L1$' % LIB, 200, LOCAL)
        vc.add('GET', '^%s/I1/file$' % ITEM, 200, files(('photon.iso', 10, 'a' * 40)))
        vc.add('GET', '^%s/L2$' % LIB, 200, dict(LOCAL, name='other'))
        vc.add('POST', '^%s\\?action=find$' % ITEM, 200, [])
        vc.add('POST', '^%s(\\?.*)?$' % ITEM, 201, '"I2"')
        vc.add('GET', '^%s/I2$' % ITEM, 200, item_model(library_id='L2'))
        vc.add('POST', '^%s/download-session' % ITEM, 500, {'error_type': 'ERROR', 'messages': []})
        vc.add('DELETE', '^%s/I2$' % ITEM, 204)
        code, result = run_module(library_item_copy, capsys, library_item_id='I1', method='stream', target={'library_id': 'L2', 'item_name': 'copy'})
        assert code == 1 and 'Library item I2, which this task had created, was deleted.' in result['msg'], result
        assert (result['library_item_id'], result['library_id']) == ('I1', 'L1'), result
        assert result['target_library_item_id'] == 'I2', result

    def server_copy(self, vc, name):
        """Source I1 in L1, target library L2 (no item yet); vCenter's copy makes I2 named ``name``."""
        vc.add('GET', '^%s/I1$' % ITEM, 200, item_model())
        vc.add('GET', '^%s/L1$' % LIB, 200, LOCAL)
        vc.add('GET', '^%s/I[12]/file$' % ITEM, 200, files(('photon.iso', 10, 'a' * 40)))
        vc.add('GET', '^%s/L2$' % LIB, 200, dict(LOCAL, name='other'))
        vc.add('POST', '^%s\\?action=find$' % ITEM, 200, [])
        vc.add('POST', '^%s/I1\\?action=copy$' % ITEM, 201, '"I2"')
        vc.add('GET', '^%s/I2$' % ITEM, 200, item_model(name, library_id='L2'))
        vc.add('DELETE', '^%s/I2$' % ITEM, 204)

    def test_the_servers_copy_makes_the_item_asked_for(self, vc, capsys):
        self.server_copy(vc, 'photon-copy')
        code, result = run_module(library_item_copy, capsys, library_item_id='I1', target={'library_id': 'L2', 'item_name': 'photon-copy'})
        assert code == 0 and result['changed'] is True and result['method'] == 'copy', result
        assert result['target_item']['name'] == 'photon-copy'
        copy = [c for c in vc.calls if 'action=copy' in c['query']][0]
        assert copy['json']['library_id'] == 'L2' and copy['json']['name'] == 'photon-copy'
        assert not any(p.startswith('DELETE %s' % ITEM) for p in vc.paths())

    def test_a_copy_with_another_name_than_asked_is_deleted_and_fails(self, vc, capsys):
        # govmomi's vcsim gives the copy the source's name, whatever destination_create_spec says.
        self.server_copy(vc, 'photon')
        code, result = run_module(library_item_copy, capsys, library_item_id='I1', target={'library_id': 'L2', 'item_name': 'photon-copy'})
        assert code == 1 and result['error_type'] == 'BAD_ANSWER', result
        assert result['msg'].startswith(
            "Could not copy library item I1 into library L2: vCenter answered HTTP 200, but the item it made, I2, is named 'photon', "
            "not 'photon-copy' as asked (method=stream creates the target item itself)"
        ), result['msg']
        assert result['msg'].endswith('Library item I2, which the copy had created, was deleted.'), result['msg']
        assert result['target_library_item_id'] == 'I2'
        assert 'DELETE %s/I2' % ITEM in vc.paths()

    def test_equal_files_on_the_target_mean_no_change(self, vc, capsys):
        vc.add('GET', '^%s/I1$' % ITEM, 200, item_model())
        vc.add('GET', '^%s/L1$' % LIB, 200, LOCAL)
        vc.add('GET', '^%s/I[12]/file$' % ITEM, 200, files(('photon.iso', 10, 'a' * 40)))
        vc.add('POST', '^%s\\?action=find$' % LIB, 200, ['L2'])
        vc.add('GET', '^%s/L2$' % LIB, 200, LOCAL)
        vc.add('POST', '^%s\\?action=find$' % ITEM, 200, ['I2'])
        vc.add('GET', '^%s/I2$' % ITEM, 200, item_model(library_id='L2'))
        code, result = run_module(library_item_copy, capsys, library_item_id='I1', target={'library_name': 'other'})
        assert code == 0 and result['changed'] is False, result
        assert result['bytes_copied'] == 0 and result['target_item']['id'] == 'I2'
        assert writes(vc) == ['POST %s?action=find' % LIB, 'POST %s?action=find' % ITEM]
