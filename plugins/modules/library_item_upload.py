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
      - The alias O(description) is the name vmware.vmware's C(import_content_library_iso) and C(import_content_library_ovf)
        give this option.
    type: str
    aliases: [description]
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
      - The alias O(path) is accepted for a local path only; a URL goes in O(source_url).
    type: path
    aliases: [path]
  source_url:
    description:
      - An C(http), C(https) or C(ds) URL that vCenter pulls the file from (the API's C(PULL) source type).
      - For an OVF descriptor (a URL ending in C(.ovf)), the files it references are pulled from URLs relative to it,
        as vCenter's validation names them.
      - The alias O(url) is accepted for a URL only; a local path goes in O(src).
    type: str
    aliases: [url]
  ssl_certificate_thumbprint:
    description:
      - The SHA-1 thumbprint (colon-separated hex) of the certificate vCenter must accept from an C(https) O(source_url).
      - Without it, the module reads the server's certificate itself, pins it, and warns that it was trusted on first use.
      - Only with an C(https) O(source_url); with any other source the task fails before anything is sent.
    type: str
    aliases: [ssl_thumbprint]
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

# The failure keys below (msg, error_type, status, error_messages, the ids) are documented again in
# every module on purpose: Ansible has no documentation fragments for RETURN, and each module's
# manual must stand alone.
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
  description:
    - The update session's final model (C(DONE) on success); empty when nothing was uploaded.
    - On failure, only when the session ended in state C(ERROR) after completion (RV(error_type=SESSION_ERROR)); the
      other failures give its id as RV(update_session_id).
  returned: success, and on failure with error_type SESSION_ERROR
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
    C(SIZE_MISMATCH), C(TRANSFER_FAILED), C(PREVIEW_WARNING), C(SESSION_ERROR), C(TIMED_OUT), C(INVALID_ARGUMENT), C(INTERRUPTED)).
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
  description:
    - On a checksum mismatch, the file that does not match the manifest; on a size mismatch, the file that changed after
      the module read it; on a failed transfer, the file whose transfer vCenter put in C(ERROR).
  returned: failure, with error_type CHECKSUM_MISMATCH, SIZE_MISMATCH or TRANSFER_FAILED
  type: str
  sample: photon-disk1.vmdk
checksum_algorithm:
  description: On a checksum mismatch, the algorithm of the digests (the manifest's).
  returned: failure, with error_type CHECKSUM_MISMATCH
  type: str
  sample: SHA256
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
expected_size:
  description: On a size mismatch, the size the file had when the module read it (and announced to vCenter).
  returned: failure, with error_type SIZE_MISMATCH
  type: int
  sample: 1048576
actual_size:
  description: On a size mismatch, the size the file had (or the bytes it still held) when it was uploaded.
  returned: failure, with error_type SIZE_MISMATCH
  type: int
  sample: 1048600
session_state:
  description: On failure because the update session ended in C(ERROR) after completion, that state.
  returned: failure, with error_type SESSION_ERROR
  type: str
  sample: ERROR
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
library_id:
  description: On failure, the library the task looked in.
  returned: failure, when known
  type: str
  sample: eb56d877-6764-4fd6-8bcb-bb3801c4b8f0
api_flavor:
  description: The URL flavour of the vSphere Automation API that answered.
  returned: always
  type: str
  sample: api
'''

from typing import Any

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import UserInputError
from ansible_collections.vsphere.content_library.plugins.module_utils._import import ImportTask
from ansible_collections.vsphere.content_library.plugins.module_utils._model import WARNING_TYPES
from ansible_collections.vsphere.content_library.plugins.module_utils._library import ITEM_MUTUALLY_EXCLUSIVE, ITEM_REQUIRED_ONE_OF, item_options
from ansible_collections.vsphere.content_library.plugins.module_utils._module import ContentLibraryModule
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import (
    check_file_name,
    check_range,
    check_readable_path,
    check_source_url,
    check_text,
    check_thumbprint,
)


def check_input(params: dict[str, Any]) -> dict[str, Any]:
    """Check the options the argument spec cannot; return the normalized thumbprint."""
    if params['src'] is not None:
        check_readable_path(params['src'], 'src')
    if params['source_url'] is not None:
        check_source_url(params['source_url'])
    thumbprint = None
    if params['ssl_certificate_thumbprint'] is not None:
        if not params['source_url'].lower().startswith('https:'):
            raise UserInputError('ssl_certificate_thumbprint only goes with an https source_url.')
        thumbprint = check_thumbprint(params['ssl_certificate_thumbprint'])
    if params['name'] is not None:
        check_file_name(params['name'], 'name')
    if params['item_type'] is not None:
        check_text(params['item_type'], 'item_type', max_length=80)
    check_range(params['parallel'], 'parallel', 1, 8)
    check_range(params['keep_alive_interval'], 'keep_alive_interval', 0)
    check_range(params['wait_timeout'], 'wait_timeout', 1)
    return {'ssl_certificate_thumbprint': thumbprint}


def main() -> None:
    module = ContentLibraryModule(
        argument_spec=dict(
            item_options(),
            item_type=dict(type='str'),
            item_description=dict(type='str', aliases=['description']),
            create_item=dict(type='bool', default=True),
            src=dict(type='path', aliases=['path']),
            source_url=dict(type='str', aliases=['url']),
            ssl_certificate_thumbprint=dict(type='str', aliases=['ssl_thumbprint']),
            name=dict(type='str'),
            ignore_warnings=dict(type='list', elements='str', default=[], choices=list(WARNING_TYPES)),
            parallel=dict(type='int', default=2),
            force=dict(type='bool', default=False),
            keep_alive_interval=dict(type='int', default=30),
            wait_timeout=dict(type='int', default=1800),
        ),
        mutually_exclusive=ITEM_MUTUALLY_EXCLUSIVE + [('src', 'source_url')],
        required_one_of=ITEM_REQUIRED_ONE_OF + [('src', 'source_url')],
        required_by={'ssl_certificate_thumbprint': 'source_url'},
        check_input=check_input,
    )
    module.run(ImportTask(module).run)


if __name__ == '__main__':
    main()
