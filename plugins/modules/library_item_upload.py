#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: library_item_upload
short_description: Put an ISO, an OVF template or an OVA into a Content Library item in one task
version_added: 0.1.0
description:
  - Finds the library item (or creates it), compares its files with the content asked for, and when they differ
    opens an update session, adds every file in the order vCenter requires (OVF manifest and certificate before
    the descriptor, disks after), streams each local file with one PUT, up to O(parallel) at once, keeps the
    session alive while bytes flow and reports C(client_progress), validates the files, waits for vCenter's
    preview of signed content, refuses preview warnings that O(ignore_warnings) does not accept, completes the
    session, waits until the content is in the item, and deletes the session.
  - Local content is never read whole into memory; an OVA's members are streamed straight from the archive,
    without extracting it. With a manifest, every file is checked against it while it streams.
  - If anything fails on the way (a file cannot be read, a manifest mismatch, a broken upload, a transfer or
    completion in error, a time-out, a refused warning, SIGTERM or SIGINT), the update session is failed with
    a C(client_error_message) that says what happened, then deleted; an item this task created is deleted again,
    and an existing item keeps its previous content. The C(msg) says what happened and what was cleaned up.
  - For the step-by-step flow (other orders, several tasks), see M(vsphere.content_library.update_session) and
    M(vsphere.content_library.update_session_file).
author:
  - vsphere.content_library maintainers (@vsphere-collections)
options:
  library_item_id:
    description:
      - The id of the library item to upload into.
      - Mutually exclusive with O(library_id), O(library_name) and O(item_name).
    type: str
  library_id:
    description:
      - The id of the local library that holds (or will hold) the item named O(item_name).
    type: str
  library_name:
    description:
      - The name of the local library that holds (or will hold) the item named O(item_name).
      - It must match exactly one local library (names are compared without regard to case).
    type: str
  item_name:
    description:
      - The name of the item in the library given by O(library_id) or O(library_name). It is found with the API's
        find operation, and created when it does not exist (unless O(create_item=false)).
    type: str
  item_type:
    description:
      - The type of an item this task creates, such as V(ovf), V(iso) or V(file).
      - The default is V(ovf) for an OVF template or an OVA, V(iso) for a file whose name ends in C(.iso),
        and V(file) otherwise.
    type: str
  item_description:
    description:
      - The description of an item this task creates.
    type: str
  create_item:
    description:
      - Whether to create the item named O(item_name) when the library has none of that name.
    type: bool
    default: true
  src:
    description:
      - A path on the host that runs the module. One of
      - a single file (an ISO or any file), uploaded under its base name unless O(name) is given;
      - a directory holding one OVF descriptor (C(.ovf)), or the descriptor's path; the descriptor, every file its
        C(References) section names, and its manifest (C(.mf)) and certificate (C(.cert)) when present are uploaded.
        A referenced file that is missing, or a second descriptor, fails the task before anything is sent;
      - an OVA (C(.ova)); its members are uploaded one by one, streamed from the archive.
      - Mutually exclusive with O(source_url).
    type: path
  source_url:
    description:
      - An C(http), C(https) or C(ds) URL that vCenter pulls the file from (the API's C(PULL) source type).
      - For an OVF descriptor (a URL ending in C(.ovf)), the files it references are pulled from URLs relative to it,
        as vCenter's validation names them.
    type: str
  ssl_certificate_thumbprint:
    description:
      - The SHA-1 thumbprint (colon-separated hex) of the certificate vCenter must accept from an C(https) O(source_url).
      - Without it, the module reads the server's certificate itself, pins it, and warns that it was trusted on first use.
    type: str
  name:
    description:
      - The file name in the item for a single-file O(src) or O(source_url). The default is the base name.
    type: str
  ignore_warnings:
    description:
      - The preview warnings of signed content this task accepts. Any other warning fails the update session before
        completion, with a C(msg) that names the warning type and vCenter's message.
    type: list
    elements: str
    choices: [SELF_SIGNED_CERTIFICATE, EXPIRED_CERTIFICATE, NOT_YET_VALID_CERTIFICATE, UNTRUSTED_CERTIFICATE]
    default: []
  parallel:
    description:
      - How many files are uploaded at the same time, from 1 to 8.
    type: int
    default: 2
  force:
    description:
      - Upload even when the item already holds the same files.
    type: bool
    default: false
  keep_alive_interval:
    description:
      - While files are transferred, send a keep-alive with the progress (percent of all bytes sent) every so many
        seconds, so that the session does not expire (vCenter's idle time-out is five minutes). V(0) sends none.
    type: int
    default: 30
  wait_timeout:
    description:
      - How many seconds to wait for each of these, before the task fails (and cleans up) - a transfer to become
        ready, vCenter's preview, and the completion.
    type: int
    default: 1800
extends_documentation_fragment:
  - vsphere.content_library.connection
  - vsphere.content_library.attributes
attributes:
  check_mode:
    support: full
    details:
      - In check mode the module finds the library and the item, reads local content and computes checksums where it
        needs them, and reports the files it would upload; it writes nothing.
  diff_mode:
    support: full
    details: The diff shows the item's files (name and size) before and after.
  idempotent:
    support: partial
    details:
      - Local content is compared with the item's files by name, size and the checksum vCenter reports (computed
        locally only when names and sizes already match); the OVF manifest and certificate, which vCenter does not
        keep, are left out. When they match, nothing is written.
      - Content pulled from O(source_url) cannot be read by the module, so it is pulled again on every run.
seealso:
  - module: vsphere.content_library.update_session
  - module: vsphere.content_library.update_session_file
  - module: vsphere.content_library.update_session_info
'''

EXAMPLES = r'''
- name: Upload into items found by name
  module_defaults:
    group/vsphere.content_library.all:
      hostname: "{{ vcenter_hostname }}"
      username: "{{ vcenter_username }}"
      password: "{{ vcenter_password }}"
      ca_path: "{{ vcenter_ca_path }}"
  block:
    - name: Put an ISO into a new item of a local library
      vsphere.content_library.library_item_upload:
        library_name: "{{ library_name }}"
        item_name: photon-iso
        src: "{{ iso_path }}"

    - name: Put a signed OVF template (descriptor, disks, manifest, certificate) into an item, accepting a self-signed certificate
      vsphere.content_library.library_item_upload:
        library_name: "{{ library_name }}"
        item_name: photon-ovf
        src: "{{ ovf_dir }}"
        ignore_warnings: [SELF_SIGNED_CERTIFICATE]
        parallel: 4

    - name: Put an OVA into an existing item, streaming its members
      vsphere.content_library.library_item_upload:
        library_item_id: "{{ library_item_id }}"
        src: "{{ ova_path }}"
        ignore_warnings: [SELF_SIGNED_CERTIFICATE]
      register: upload

    - name: Show the throughput
      ansible.builtin.debug:
        msg: "{{ upload.bytes_sent }} bytes in {{ upload.seconds }} s ({{ upload.throughput_mib_s }} MiB/s)"
'''

RETURN = r'''
library_item:
  description: The library item after the task (in check mode, as found or as it would be created).
  returned: success
  type: dict
  sample: {"id": "3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e", "name": "photon-ovf", "type": "ovf", "content_version": "2"}
files:
  description: The item's files after the task (in check mode, the files that would be uploaded).
  returned: success
  type: list
  elements: dict
  sample: [{"name": "photon.ovf", "size": 6240, "checksum_info": {"algorithm": "SHA1", "checksum": "9a3b..."}}]
update_session:
  description: The update session's final model (C(DONE) on success); empty when nothing was uploaded.
  returned: success, and on failure when a session was opened
  type: dict
  sample: {"id": "0b5fa8d9-2fd6-4b0b-9c6e-3d4a5f1c2e7b", "state": "DONE", "client_progress": 100}
bytes_sent:
  description: How many bytes the module uploaded (0 for a pull).
  returned: success
  type: int
  sample: 1073741824
seconds:
  description: How long the transfer took, from opening the session to its completion.
  returned: success
  type: float
  sample: 12.4
throughput_mib_s:
  description: O(src)'s bytes per second over RV(seconds), in MiB/s.
  returned: success
  type: float
  sample: 82.6
diff:
  description: The item's files (name and size) before and after; only with C(--diff) and a change.
  returned: changed and in diff mode
  type: dict
  sample: {"before": {"files": []}, "after": {"files": [{"name": "photon.iso", "size": 1048576}]}}
msg:
  description: On failure, what happened and what was cleaned up.
  returned: failure
  type: str
  sample: "photon-disk1.vmdk does not match the manifest: ... Update session 0b5f... was failed with this reason and deleted."
error_type:
  description: On failure, the kind of error (vCenter's error type, or one of the collection's own such as C(CHECKSUM_MISMATCH),
    C(PREVIEW_WARNING), C(TIMED_OUT), C(INVALID_ARGUMENT), C(INTERRUPTED)).
  returned: failure
  type: str
  sample: CHECKSUM_MISMATCH
status:
  description: On failure, the HTTP status vCenter answered, when it answered.
  returned: failure, when vCenter answered
  type: int
  sample: 400
error_messages:
  description: On failure, vCenter's own messages.
  returned: failure, when vCenter gave messages
  type: list
  elements: str
  sample: ["The library item 3c9e... was not found."]
file_name:
  description: On a checksum mismatch, the file that does not match the manifest.
  returned: failure, with error_type CHECKSUM_MISMATCH
  type: str
  sample: photon-disk1.vmdk
expected_checksum:
  description: On a checksum mismatch, the digest the manifest gives.
  returned: failure, with error_type CHECKSUM_MISMATCH
  type: str
  sample: 3f1c4e...
actual_checksum:
  description: On a checksum mismatch, the digest of the file as it was read.
  returned: failure, with error_type CHECKSUM_MISMATCH
  type: str
  sample: 2157982e...
update_session_id:
  description: On failure, the update session the task opened (failed with the reason, then deleted).
  returned: failure, when a session was opened
  type: str
  sample: 0b5fa8d9-2fd6-4b0b-9c6e-3d4a5f1c2e7b
library_item_id:
  description: On failure, the library item the task worked on.
  returned: failure, when known
  type: str
  sample: 3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e
api_flavor:
  description: The URL flavour of the vSphere Automation API that answered.
  returned: always
  type: str
  sample: api
'''

import os
import time
import uuid

try:
    from urllib.parse import urljoin, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, but sanity imports on it
    from urlparse import urljoin, urlsplit

from ansible_collections.vsphere.content_library.plugins.module_utils._content import read_content
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    ContentLibraryError,
    NotFoundError,
    UserInputError,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._library import (
    create_item,
    find_item,
    find_library,
    get_item,
    item_files,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._module import ContentLibraryModule, ModuleTask, end_session
from ansible_collections.vsphere.content_library.plugins.module_utils._transfer import server_thumbprint
from ansible_collections.vsphere.content_library.plugins.module_utils._update_session import (
    ACTIVE,
    DONE,
    WARNING_TYPES,
    create_session,
    get_existing_session,
    send_or_read_back,
    wait_until_settled,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._upload import Uploader
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import (
    check_file_name,
    check_id,
    check_range,
    check_readable_path,
    check_source_url,
    check_text,
    check_thumbprint,
)

MIB = 1024 * 1024
# Preview states that mean "still working on it".
_PREVIEW_PENDING = ('PREPARING',)


def check_input(params):
    for option in ('library_item_id', 'library_id'):
        if params[option] is not None:
            check_id(params[option], option)
    for option in ('library_name', 'item_name'):
        if params[option] is not None:
            check_text(params[option], option, max_length=80)
    if params['library_item_id'] is None:
        if params['item_name'] is None or (params['library_id'] is None and params['library_name'] is None):
            raise UserInputError('Name the item: library_item_id, or item_name with library_id or library_name.')
    if params['src'] is not None:
        check_readable_path(params['src'], 'src')
    if params['source_url'] is not None:
        check_source_url(params['source_url'])
    if params['ssl_certificate_thumbprint'] is not None:
        if not (params['source_url'] or '').lower().startswith('https:'):
            raise UserInputError('ssl_certificate_thumbprint only goes with an https source_url.')
        params['ssl_certificate_thumbprint'] = check_thumbprint(params['ssl_certificate_thumbprint'])
    if params['name'] is not None:
        check_file_name(params['name'], 'name')
    if params['item_type'] is not None:
        check_text(params['item_type'], 'item_type', max_length=80)
    check_range(params['parallel'], 'parallel', 1, 8)
    check_range(params['keep_alive_interval'], 'keep_alive_interval', 0)
    check_range(params['wait_timeout'], 'wait_timeout', 1)


def file_view(info):
    view = {'name': info.get('name'), 'size': info.get('size')}
    if info.get('checksum_info'):
        view['checksum_info'] = info['checksum_info']
    return view


class UploadFailed(ContentLibraryError):
    """The upload failed; the message says why and what was cleaned up."""

    def __init__(self, message, cause, session=None):
        super(UploadFailed, self).__init__(message)
        self.cause = cause
        self.session = session

    def to_result(self):
        result = dict(self.cause.to_result()) if isinstance(self.cause, ContentLibraryError) else {}
        if self.session:
            result['update_session'] = self.session
        return result


class UploadTask(ModuleTask):
    """One run of the module: find, compare, and upload only when the item differs."""

    def __init__(self, module):
        super(UploadTask, self).__init__(module)
        self.content = None
        self.created_item = None
        self.session_id = None
        self.uploader = None
        self.library = None

    def run(self):
        if self.params['src']:
            self.content = read_content(self.params['src'], self.params['name'])
        item = self.locate_item()
        # A new item (or one check mode only predicted) holds nothing yet.
        before = item_files(self.client, item['id']) if item.get('id') and not self.created_item else []
        if not self.params['force'] and self.content is not None and self.same_files(before):
            return dict(changed=False, library_item=self.item_view(item), files=[file_view(f) for f in before],
                        update_session={}, bytes_sent=0, seconds=0.0, throughput_mib_s=0.0)
        wanted = self.wanted_files()
        result = dict(changed=True)
        if self.check_mode:
            result.update(library_item=self.item_view(item), files=wanted, update_session={},
                          bytes_sent=0, seconds=0.0, throughput_mib_s=0.0)
        else:
            result.update(self.upload(item))
        result.update(self.module.diff({'files': [file_view(f) for f in before]},
                                       {'files': [dict(name=f['name'], size=f.get('size')) for f in result['files']]}))
        return result

    # -- where --------------------------------------------------------------------------------

    def locate_item(self):
        params = self.params
        if params['library_item_id']:
            item = get_item(self.client, params['library_item_id'])
            if item is None:
                raise NotFoundError('Library item %s was not found.' % params['library_item_id'])
            self.library = find_library(self.client, library_id=item['library_id'])
            return item
        self.library = find_library(self.client, params['library_id'], params['library_name'])
        item = find_item(self.client, self.library['id'], params['item_name'])
        if item is not None:
            return item
        if not params['create_item']:
            raise NotFoundError('Library %s has no item named %s, and create_item is false.'
                                % (self.library.get('name') or self.library['id'], params['item_name']))
        item_type = params['item_type'] or self.default_type()
        if self.check_mode:
            return {'id': None, 'name': params['item_name'], 'type': item_type, 'library_id': self.library['id']}
        item = create_item(self.client, self.library['id'], params['item_name'], item_type, params['item_description'],
                           str(uuid.uuid4()))
        self.created_item = item['id']
        return item

    def default_type(self):
        if self.content is not None and self.content.source_type in ('ovf', 'ova'):
            return 'ovf'
        name = self.params['name'] or os.path.basename(self.params['src'] or urlsplit(self.params['source_url'] or '').path)
        if name.lower().endswith('.ovf'):
            return 'ovf'
        return 'iso' if name.lower().endswith('.iso') else 'file'

    @staticmethod
    def item_view(item):
        return dict((key, item.get(key)) for key in ('id', 'name', 'type', 'content_version', 'library_id'))

    # -- what -----------------------------------------------------------------------------------

    def same_files(self, current):
        """Whether the item already holds exactly these files: names, sizes, then checksums."""
        kept = [part for part in self.content.parts if part.keep_in_storage]
        by_name = dict((info.get('name'), info) for info in current)
        if set(by_name) != set(part.name for part in kept):
            return False
        if any(by_name[part.name].get('size') != part.size for part in kept):
            return False
        for part in kept:
            server = by_name[part.name].get('checksum_info') or {}
            if not server.get('checksum'):
                return False  # nothing proves the content is the same
            if part.checksum(server.get('algorithm') or 'SHA1') != server['checksum'].lower():
                return False
        return True

    def wanted_files(self):
        if self.content is not None:
            return [{'name': part.name, 'size': part.size} for part in self.content.parts]
        url = self.params['source_url']
        return [{'name': self.params['name'] or os.path.basename(urlsplit(url).path), 'source_url': url}]

    # -- how -------------------------------------------------------------------------------------

    def upload(self, item):
        started = time.monotonic()
        behavior = [{'type': warning, 'ignored': True} for warning in self.params['ignore_warnings']]
        spec = {'library_item_id': item['id']}
        if behavior:
            spec['warning_behavior'] = behavior
        self.uploader = None
        try:
            self.session_id = create_session(self.client, spec, str(uuid.uuid4()))
            self.uploader = Uploader(self.client, self.session_id, self.params['keep_alive_interval'],
                                     self.params['wait_timeout'], warn=self.module.module.warn)
            if self.content is not None:
                self.uploader.push(self.content.parts, parallel=self.params['parallel'])
            else:
                self.pull()
            self.validate()
            self.check_preview()
            self.send_progress(100)
            # A lost answer is read back: a completion under way shows as a session that left ACTIVE.
            send_or_read_back(self.client, 'update_session.complete', self.session_id,
                              lambda now: bool(now) and now['state'] != ACTIVE)
            session = wait_until_settled(self.client, self.session_id, self.params['wait_timeout'])
            if session['state'] != DONE:
                message = (session.get('error_message') or {}).get('default_message') or 'vCenter gave no message'
                raise UploadFailed('Update session %s ended in state %s after completion: %s.' % (self.session_id, session['state'], message),
                                   None, session)
        except ContentLibraryError as exc:
            raise self.clean_up(exc)
        self.client.opened_sessions.remove(self.session_id)
        warning = self.delete_session()
        if warning:
            self.module.module.warn(warning)
        seconds = time.monotonic() - started
        sent = self.uploader.sent if self.uploader else 0
        return dict(library_item=self.item_view(get_item(self.client, item['id']) or item),
                    files=[file_view(f) for f in item_files(self.client, item['id'])],
                    update_session=session, bytes_sent=sent, seconds=round(seconds, 3),
                    throughput_mib_s=round(sent / MIB / seconds, 1) if seconds > 0 else 0.0)

    def pull(self):
        url = self.params['source_url']
        name = self.params['name'] or os.path.basename(urlsplit(url).path)
        check_file_name(name, 'the file name of source_url')
        thumbprint = self.params['ssl_certificate_thumbprint']
        if not thumbprint and url.lower().startswith('https:'):
            thumbprint = server_thumbprint(url, self.client.timeout)
            self.module.module.warn('The certificate of %s was trusted on first use: thumbprint %s. Set '
                                    'ssl_certificate_thumbprint to pin the one you expect.' % (urlsplit(url).netloc, thumbprint))
        names = [name]
        self.add_pull(name, url, thumbprint)
        if name.lower().endswith('.ovf'):
            # The descriptor's references come from URLs beside it; vCenter's validation names them.
            validation = self.client.call('file.validate', update_session_id=self.session_id)
            for missing in validation.get('missing_files') or []:
                check_file_name(missing, 'a file the OVF descriptor references')
                self.add_pull(missing, urljoin(url, missing), thumbprint)
                names.append(missing)
        for each in names:
            self.uploader.settle(each, 'pull')

    def add_pull(self, name, url, thumbprint):
        endpoint = {'uri': url}
        if thumbprint:
            endpoint['ssl_certificate_thumbprint'] = thumbprint
        self.uploader.add({'name': name, 'source_type': 'PULL', 'source_endpoint': endpoint})

    def validate(self):
        result = self.client.call('file.validate', update_session_id=self.session_id)
        if result.get('has_errors'):
            problems = ['missing: %s' % ', '.join(result['missing_files'])] if result.get('missing_files') else []
            for invalid in result.get('invalid_files') or []:
                problems.append('%s: %s' % (invalid.get('name'), (invalid.get('error_message') or {}).get('default_message')))
            raise UploadFailed('vCenter found problems with the files (%s).' % ('; '.join(problems) or 'no details'), None)

    def check_preview(self):
        """Wait for vCenter's preview of signed content, and refuse the warnings the task does not accept."""
        deadline = time.monotonic() + self.params['wait_timeout']
        while True:
            session = get_existing_session(self.client, self.session_id)
            preview = session.get('preview_info') or {}
            if session['state'] != ACTIVE or preview.get('state') not in _PREVIEW_PENDING:
                break
            if time.monotonic() >= deadline:
                raise UploadFailed('vCenter\'s preview of the content was still %s after %s seconds.'
                                   % (preview.get('state'), self.params['wait_timeout']), None)
            time.sleep(0.5)
        accepted = set(self.params['ignore_warnings'])
        refused = [w for w in preview.get('warnings') or [] if w.get('type') not in accepted]
        if refused:
            words = '; '.join('%s: %s' % (w.get('type'), ((w.get('message') or {}).get('default_message') or 'no message').rstrip('.'))
                              for w in refused)
            raise PreviewWarning('vCenter\'s preview of the signed content warns %s. Add the warning type to ignore_warnings '
                                 'to accept it.' % words)

    def send_progress(self, percent):
        self.client.call('update_session.keep_alive', update_session_id=self.session_id, client_progress=percent)

    # -- clean-up -----------------------------------------------------------------------------

    def delete_session(self):
        try:
            self.client.call('update_session.delete', update_session_id=self.session_id)
        except ContentLibraryError as exc:
            return 'Deleting update session %s failed: %s' % (self.session_id, exc)
        return None

    def clean_up(self, exc):
        """Fail the session with the reason and delete it; delete an item this task created."""
        reason = str(exc)
        done = []
        session = getattr(exc, 'session', None)
        if self.session_id:
            if self.session_id in self.client.opened_sessions:
                self.client.opened_sessions.remove(self.session_id)
            ended = end_session(self.client, self.session_id, reason)
            warning = self.delete_session()
            done.append(ended.rstrip('.') + (', and it was deleted.' if not warning else '. %s' % warning))
            self.client.ids['update_session_id'] = self.session_id
        if self.created_item:
            try:
                self.client.call('item.delete', library_item_id=self.created_item)
                done.append('Library item %s, which this task had created, was deleted.' % self.created_item)
            except ContentLibraryError as delete_error:
                done.append('Deleting library item %s, which this task had created, failed: %s' % (self.created_item, delete_error))
        elif self.session_id:
            done.append('The library item keeps its previous content.')
        reason = reason.rstrip()
        if reason and reason[-1] not in '.!?':
            reason += '.'
        return UploadFailed('%s %s' % (reason, ' '.join(done)), exc, session)


class PreviewWarning(ContentLibraryError):
    def to_result(self):
        return {'error_type': 'PREVIEW_WARNING'}


def main():
    module = ContentLibraryModule(
        argument_spec=dict(
            library_item_id=dict(type='str'),
            library_id=dict(type='str'),
            library_name=dict(type='str'),
            item_name=dict(type='str'),
            item_type=dict(type='str'),
            item_description=dict(type='str'),
            create_item=dict(type='bool', default=True),
            src=dict(type='path'),
            source_url=dict(type='str'),
            ssl_certificate_thumbprint=dict(type='str'),
            name=dict(type='str'),
            ignore_warnings=dict(type='list', elements='str', default=[], choices=list(WARNING_TYPES)),
            parallel=dict(type='int', default=2),
            force=dict(type='bool', default=False),
            keep_alive_interval=dict(type='int', default=30),
            wait_timeout=dict(type='int', default=1800),
        ),
        mutually_exclusive=[('src', 'source_url'), ('library_item_id', 'library_id'), ('library_item_id', 'library_name'),
                            ('library_item_id', 'item_name'), ('library_id', 'library_name')],
        required_one_of=[('src', 'source_url')],
        check_input=check_input,
    )
    module.run(UploadTask(module).run)


if __name__ == '__main__':
    main()
