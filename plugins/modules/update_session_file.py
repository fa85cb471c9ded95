#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: update_session_file
short_description: Add a file to, or remove one from, a Content Library item update session
version_added: 0.1.0
description:
  - Uploads a local file into a vSphere Content Library item update session (the API's C(PUSH) source type),
    has vCenter pull one from a URL (C(PULL)), or removes a file from the session.
  - The upload streams the file to vCenter without reading it into memory, keeps the session alive while it
    runs, and checks vCenter's answer. A failed upload fails the update session with the reason (see
    O(fail_session_on_error)), so that nothing is left half done.
  - Idempotent. If the session already holds a V(READY) file of that name with the same size and the same
    checksum (vCenter's, compared in its algorithm), nothing is sent. Without a checksum from vCenter nothing
    proves the content is the same, so the file is sent again.
  - The files become the library item's content when the session is completed with
    M(vsphere.content_library.update_session) and O(vsphere.content_library.update_session#module:state=completed).
  - Works against the modern C(/api) and the legacy C(/rest) flavour of the vSphere Automation API.
author:
  - vsphere.content_library maintainers (@vsphere-collections)
options:
  update_session_id:
    description:
      - The id of the update session. It must be V(ACTIVE) for anything to change.
    type: str
    required: true
    aliases: [id]
  name:
    description:
      - The name of the file in the library item, for example V(photon.ovf) or V(disk-0.vmdk).
      - If the item already has a file of that name, the session replaces its content.
    type: str
    required: true
  state:
    description:
      - V(present) makes sure the session holds the file with the given content.
      - V(absent) removes the file from the session (and so from the item once the session completes).
        Nothing is sent if the session does not hold a file of that name.
    type: str
    choices: [present, absent]
    default: present
  src:
    description:
      - The path of the file to upload, on the host that runs the module.
      - Mutually exclusive with O(source_url); one of them is required with O(state=present).
    type: path
  source_url:
    description:
      - A URL that vCenter downloads the file from itself, with the scheme C(http), C(https) or C(ds)
        (a datastore path such as C(ds:///vmfs/volumes/<uuid>/images/photon.iso)).
      - Mutually exclusive with O(src).
    type: str
  ssl_certificate_thumbprint:
    description:
      - With an C(https) O(source_url), the SHA-1 thumbprint of the server's certificate (C(AA:BB:...)) that
        vCenter must see; vCenter then trusts that certificate and no other.
      - If not set, the module reads the certificate the server presents now and pins its thumbprint, with a
        warning that it was trusted on first use.
    type: str
  checksum_algorithm:
    description:
      - With O(src), compute the file's checksum with this algorithm and have vCenter check the upload against it.
        A mismatch fails the upload.
      - Do not set it for C(.ova) files (vCenter's advice).
    type: str
    choices: [SHA1, MD5, SHA256, SHA512]
  checksum:
    description:
      - The checksum the file must have, in hex, instead of computing it locally.
      - Requires O(checksum_algorithm).
    type: str
  fail_session_on_error:
    description:
      - If V(true), an upload or a transfer that fails also fails the update session, with the reason as its
        C(client_error_message), so that the session does not stay open half-filled.
      - If V(false), the session is left V(ACTIVE), for example to retry the file.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for vCenter to finish a pull from O(source_url), or to check an upload, before the task fails.
    type: int
    default: 600
  keep_alive_interval:
    description:
      - While an upload runs, send a keep-alive to the update session every so many seconds, so that it does not
        expire (vCenter's default idle time-out is five minutes). V(0) sends none.
    type: int
    default: 60
extends_documentation_fragment:
  - vsphere.content_library.connection
  - vsphere.content_library.attributes
attributes:
  check_mode:
    support: full
    details:
      - In check mode the module reads the session and its files, computes local checksums when it needs them,
        and predicts C(changed); it sends no write and uploads nothing.
  diff_mode:
    support: full
    details: The diff shows the file's name, size, checksum and status before and after.
  idempotent:
    support: full
    details:
      - A pull from O(source_url) counts as done when the session holds a V(READY) file of that name pulled from the same URL.
seealso:
  - module: vsphere.content_library.update_session
  - module: vsphere.content_library.update_session_file_info
'''

EXAMPLES = r'''
- name: Set the connection once for every module of the collection
  module_defaults:
    group/vsphere.content_library.all:
      hostname: "{{ vcenter_hostname }}"
      username: "{{ vcenter_username }}"
      password: "{{ vcenter_password }}"
      ca_path: "{{ vcenter_ca_path }}"
  block:
    - name: Open an update session on an OVF template item
      vsphere.content_library.update_session:
        library_item_id: "{{ library_item_id }}"
      register: session

    - name: Upload the OVF descriptor, checked with SHA-256
      vsphere.content_library.update_session_file:
        id: "{{ session.update_session.id }}"
        name: photon.ovf
        src: "{{ ovf_path }}"
        checksum_algorithm: SHA256

    - name: Have vCenter pull the disk from a web server
      vsphere.content_library.update_session_file:
        id: "{{ session.update_session.id }}"
        name: photon-disk1.vmdk
        source_url: "{{ images_url }}/photon-disk1.vmdk"
        ssl_certificate_thumbprint: "{{ images_server_thumbprint }}"

    - name: Drop a file the item should no longer have
      vsphere.content_library.update_session_file:
        id: "{{ session.update_session.id }}"
        name: old-readme.txt
        state: absent
'''

# The failure keys below (msg, error_type, status, error_messages, the ids) are documented again in
# every module on purpose: Ansible has no documentation fragments for RETURN, and each module's
# manual must stand alone.
RETURN = r'''
file:
  description:
    - The file as the session holds it after the task (in check mode, as it would), in the modern C(/api) shape.
    - An empty dict with O(state=absent).
  returned: success
  type: dict
  contains:
    name:
      description: The file's name.
      type: str
      sample: photon.ovf
    source_type:
      description: How the content arrives, C(PUSH) (uploaded by the client), C(PULL) (fetched by vCenter) or C(NONE) (unchanged).
      type: str
      sample: PUSH
    status:
      description: The transfer status.
      type: str
      sample: READY
      choices: [WAITING_FOR_TRANSFER, TRANSFERRING, READY, VALIDATING, ERROR]
    bytes_transferred:
      description: How many bytes vCenter has received.
      type: int
      sample: 12288
    size:
      description: The file's size in bytes, once it is C(READY).
      type: int
      sample: 12288
    checksum_info:
      description: The checksum of what vCenter received.
      type: dict
      returned: when known
      sample: {"algorithm": "SHA256", "checksum": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
  sample:
    name: photon.ovf
    source_type: PUSH
    status: READY
    bytes_transferred: 12288
    size: 12288
    checksum_info: {"algorithm": "SHA256", "checksum": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
diff:
  description: The file's name, size, checksum and status before and after; only with C(--diff) and a change.
  returned: changed and in diff mode
  type: dict
  sample:
    before: {}
    after: {"name": "photon.ovf", "size": 12288, "status": "READY"}
predicted:
  description:
    - V(true) when the session is the one check mode predicted (O(update_session_id=predicted-by-check-mode), see
      M(vsphere.content_library.update_session)); RV(file) is then the file that would be uploaded.
  returned: in check mode, with the predicted session
  type: bool
  sample: true
msg:
  description: On failure, what went wrong, with the operation, the ids and vCenter's own error type and message.
  returned: failure
  type: str
  sample: "Could not get update session 0b5f...: vCenter answered HTTP 404 NOT_FOUND: Update session not found. (GET /api/...)"
error_type:
  description:
    - On failure, the kind of error - vCenter's error type in the modern spelling (such as C(NOT_FOUND) or
      C(NOT_ALLOWED_IN_CURRENT_STATE)), or one of the collection's own - C(INVALID_ARGUMENT) (refused input, nothing sent),
      C(TIMED_OUT), C(CONNECTION_ERROR), C(TLS_ERROR), C(PROXY_ERROR), C(REDIRECT_REFUSED), C(BAD_ANSWER), C(INTERRUPTED), C(TRANSFER_FAILED), C(SIZE_MISMATCH).
  returned: failure
  type: str
  sample: NOT_ALLOWED_IN_CURRENT_STATE
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
  sample: ["Update session 0b5f... is in state DONE."]
update_session_id:
  description: On failure, the update session the task worked on (a session it opened is left failed with the reason).
  returned: failure, when known
  type: str
  sample: 0b5fa8d9-2fd6-4b0b-9c6e-3d4a5f1c2e7b
session_state:
  description: On failure because of the session's state, that state.
  returned: failure, when the session's state did not allow the action
  type: str
  sample: DONE
file_name:
  description:
    - On a failed transfer, the file vCenter put in C(ERROR) (a pull that failed, say); on a size mismatch, the file.
  returned: failure, with error_type TRANSFER_FAILED or SIZE_MISMATCH
  type: str
  sample: photon-disk1.vmdk
expected_size:
  description: On a size mismatch, the size O(src) had when the module read it (and announced to vCenter).
  returned: failure, with error_type SIZE_MISMATCH
  type: int
  sample: 1048576
actual_size:
  description: On a size mismatch, the size O(src) had when it was uploaded (it changed in between).
  returned: failure, with error_type SIZE_MISMATCH
  type: int
  sample: 1048600
api_flavor:
  description: The URL flavour of the vSphere Automation API that answered.
  returned: always
  type: str
  sample: api
'''

import os
from typing import Any

from ansible_collections.vsphere.content_library.plugins.module_utils._content import Part
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import UserInputError
from ansible_collections.vsphere.content_library.plugins.module_utils._model import CHECKSUM_ALGORITHMS, PULL, READY
from ansible_collections.vsphere.content_library.plugins.module_utils._module import ContentLibraryModule, ModuleTask
from ansible_collections.vsphere.content_library.plugins.module_utils._transfer import file_checksum, pin_thumbprint
from ansible_collections.vsphere.content_library.plugins.module_utils._update_session import (
    end_session,
    get_existing_session,
    is_predicted,
    list_files,
    require,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._upload import Uploader, push_spec
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import (
    check_checksum,
    check_file_name,
    check_range,
    check_readable_path,
    check_source_url,
    check_thumbprint,
)

_DIFF_FIELDS = ('name', 'size', 'checksum_info', 'status', 'source_type')
FileInfo = dict[str, Any]


def diff_view(info: FileInfo | None) -> dict[str, Any]:
    return dict((field, info[field]) for field in _DIFF_FIELDS if info and field in info)


def check_input(params: dict[str, Any]) -> dict[str, Any]:
    """Check what the argument spec cannot; return the normalized thumbprint and checksum."""
    check_file_name(params['name'], 'name')
    if params['state'] == 'present' and not (params['src'] or params['source_url']):
        raise UserInputError('state=present needs src (a local file to upload) or source_url (a URL vCenter pulls from).')
    if params['state'] == 'absent' and (params['src'] or params['source_url']):
        raise UserInputError('src and source_url do not go with state=absent.')
    if params['source_url'] and params['checksum_algorithm']:
        raise UserInputError('checksum_algorithm only goes with src: vCenter checks what it pulls itself.')
    if params['src'] is not None:
        check_readable_path(params['src'], 'src', directory_ok=False)
    if params['source_url'] is not None:
        check_source_url(params['source_url'])
    inputs: dict[str, Any] = {'ssl_certificate_thumbprint': None, 'checksum': None}
    if params['ssl_certificate_thumbprint'] is not None:
        if not params['source_url'] or not params['source_url'].lower().startswith('https:'):
            raise UserInputError('ssl_certificate_thumbprint only goes with an https source_url.')
        inputs['ssl_certificate_thumbprint'] = check_thumbprint(params['ssl_certificate_thumbprint'])
    if params['checksum'] is not None:
        inputs['checksum'] = check_checksum(params['checksum'], params['checksum_algorithm'])
    for name in ('wait_timeout', 'keep_alive_interval'):
        check_range(params[name], name, 0)
    return inputs


class FileTask(ModuleTask):
    """One run of the module: read the session's files, decide, and transfer only what differs."""

    def __init__(self, module: ContentLibraryModule) -> None:
        super().__init__(module)
        self.session_id: str = module.params['update_session_id']
        self.name: str = module.params['name']
        self.local_checksums: dict[str, str] = {}

    def run(self) -> dict[str, Any]:
        session = get_existing_session(self.client, self.session_id)
        # The state comes first: a session that takes no content fails the task, whatever its files hold.
        require('remove_file' if self.params['state'] == 'absent' else 'add_file', session)
        before = self.find()
        if self.params['state'] == 'absent':
            changed, after = self.absent(before)
        elif self.params['src']:
            changed, after = self.push(before)
        else:
            changed, after = self.pull(before)
        result: dict[str, Any] = dict(changed=changed, file=after or {})
        if is_predicted(self.client, self.session_id):
            result['predicted'] = True
        if changed:
            result.update(self.module.diff(diff_view(before), diff_view(after)))
        return result

    def find(self) -> FileInfo | None:
        for info in list_files(self.client, self.session_id):
            if info.get('name') == self.name:
                return info
        return None

    # -- decisions -----------------------------------------------------------------

    def local_checksum(self, algorithm: str | None) -> str:
        algorithm = (algorithm or 'SHA1').upper()
        if self.inputs['checksum'] and algorithm == self.params['checksum_algorithm']:
            return self.inputs['checksum']
        if algorithm not in self.local_checksums:
            self.local_checksums[algorithm] = file_checksum(self.params['src'], algorithm)
        return self.local_checksums[algorithm]

    def same_content(self, info: FileInfo | None, size: int) -> bool:
        """Whether a READY file already has the content of src: same size and the same checksum.

        Without a checksum from vCenter nothing proves the content is the same, so the file is sent again.
        """
        if not info or info.get('status') != READY or info.get('size') != size:
            return False
        server = info.get('checksum_info') or {}
        if not server.get('checksum'):
            return False
        # Compare in vCenter's algorithm (SHA1 when it names none), whatever the task asks for.
        return server['checksum'].lower() == self.local_checksum(server.get('algorithm'))

    # -- state=present, src -----------------------------------------------------------

    def push(self, before: FileInfo | None) -> tuple[bool, FileInfo]:
        src = self.params['src']
        size = os.path.getsize(src)
        if before is not None and self.same_content(before, size):
            return False, before
        part = Part(self.name, size, src)
        spec = push_spec(part)
        if self.params['checksum_algorithm']:
            algorithm = self.params['checksum_algorithm']
            spec['checksum_info'] = {'algorithm': algorithm, 'checksum': self.local_checksum(algorithm)}
        if self.check_mode:
            return True, dict(spec, status=READY, bytes_transferred=size)
        self.on_failure_end_session()
        infos = self.uploader().push([part], spec_for=lambda _part: spec)
        return True, infos[0]

    # -- state=present, source_url ------------------------------------------------------

    def pull(self, before: FileInfo | None) -> tuple[bool, FileInfo]:
        url = self.params['source_url']
        if before and before.get('status') == READY and ((before.get('source_endpoint') or {}).get('uri')) == url:
            return False, before
        endpoint = {'uri': url}
        thumbprint = pin_thumbprint(url, self.inputs['ssl_certificate_thumbprint'], self.client.timeout, self.module.warn)
        if thumbprint:
            endpoint['ssl_certificate_thumbprint'] = thumbprint
        spec = {'name': self.name, 'source_type': PULL, 'source_endpoint': endpoint}
        if self.check_mode:
            return True, dict(spec, status=READY)
        self.on_failure_end_session()
        uploader = self.uploader()
        uploader.add(spec)
        return True, uploader.settle(self.name, 'pull from %s' % url)

    # -- state=absent ---------------------------------------------------------------------

    def absent(self, before: FileInfo | None) -> tuple[bool, None]:
        if before is None:
            return False, None
        if not self.check_mode:
            self.client.call('file.remove', update_session_id=self.session_id, file_name=self.name)
        return True, None

    # -- helpers ------------------------------------------------------------------------

    def uploader(self) -> Uploader:
        return Uploader(self.client, self.session_id, self.params['keep_alive_interval'], self.params['wait_timeout'], warn=self.module.warn)

    def on_failure_end_session(self) -> None:
        """From here on a failed transfer fails the session with the reason, unless told not to."""
        session_id = self.session_id
        if self.params['fail_session_on_error']:
            self.cleanup.push('update session %s' % session_id, lambda reason: end_session(self.client, session_id, reason))
        else:
            self.cleanup.push('update session %s' % session_id, lambda _reason: 'Update session %s was left ACTIVE (fail_session_on_error=false).' % session_id)


def main() -> None:
    module = ContentLibraryModule(
        argument_spec=dict(
            update_session_id=dict(type='str', required=True, aliases=['id']),
            name=dict(type='str', required=True),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            src=dict(type='path'),
            source_url=dict(type='str'),
            ssl_certificate_thumbprint=dict(type='str'),
            checksum_algorithm=dict(type='str', choices=list(CHECKSUM_ALGORITHMS)),
            checksum=dict(type='str'),
            fail_session_on_error=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=600),
            keep_alive_interval=dict(type='int', default=60),
        ),
        mutually_exclusive=[('src', 'source_url')],
        required_by={'checksum': 'checksum_algorithm'},
        check_input=check_input,
    )
    module.run(FileTask(module).run)


if __name__ == '__main__':
    main()
