#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: library_item_download
short_description: Download a Content Library item's files into a directory, or an OVF template as one OVA
version_added: 0.1.0
description:
  - Finds a library item (by id, or by library and name), compares its files with what O(dest) holds, and when
    they differ opens a download session, fetches each file that differs, and deletes the session.
  - Each file is prepared by vCenter just before it is fetched, read with one streamed GET (up to O(parallel) at
    once), hashed on the way and checked against the size and checksum vCenter reports, written to a temporary
    file in the destination's own directory, synced, and renamed into place once every file of the task is in.
    Nothing is read whole into memory. A stream that breaks is resumed within the connection's O(retries).
  - With O(format=ova), the OVF template is written as one OVA file, a USTAR archive with the descriptor first,
    the files in the order of its C(References), and a SHA256 manifest of what was received. It is written as a
    stream, and no member is extracted or kept on disk first, except a member vCenter sends without a
    C(Content-Length), which goes through a temporary file (the result says so).
  - The session is kept alive, with its C(progress), while files are prepared and fetched.
  - If anything fails (a broken stream that cannot be resumed, a checksum or size mismatch, a file vCenter cannot
    prepare, a time-out, a full disk, SIGTERM or SIGINT), the files already on the host are left as they were, no
    temporary file is left behind, and the download session is failed with the reason and deleted. The C(msg)
    says what happened and what was cleaned up.
  - A file name from vCenter that is not a plain file name (with a C(/), C(..), a NUL character) is refused before
    anything is written.
author:
  - vsphere.content_library maintainers (@vsphere-collections)
options:
  library_item_id:
    description:
      - The id of the library item to download.
      - Mutually exclusive with O(library_id), O(library_name) and O(item_name).
    type: str
  library_id:
    description:
      - The id of the library (local or subscribed) that holds the item named O(item_name).
    type: str
  library_name:
    description:
      - The name of the library (local or subscribed) that holds the item named O(item_name). It must match one
        library (names are compared without regard to case; a local library wins over a subscribed one).
    type: str
  item_name:
    description:
      - The name of the item in the library given by O(library_id) or O(library_name), found with the API's find operation.
    type: str
  dest:
    description:
      - With O(format=files), the directory the item's files are written into, each under its own name. It is
        created when missing (but not in check mode). Nothing else is written there.
      - With O(format=ova), the path of the OVA file. Its directory must exist.
    type: path
    required: true
  format:
    description:
      - V(files) writes each file of the item (for an OVF template, the descriptor and the files it references).
      - V(ova) writes an OVF template as one OVA file.
    type: str
    choices: [files, ova]
    default: files
  files:
    description:
      - With O(format=files), only these files of the item. The default is every file.
    type: list
    elements: str
  parallel:
    description:
      - With O(format=files), how many files are fetched at the same time, from 1 to 8. An OVA is written one member at a time.
    type: int
    default: 2
  force:
    description:
      - Download even when the local files already match the item's.
    type: bool
    default: false
  backup:
    description:
      - Keep a copy, with a timestamp in its name, of each file this task replaces.
    type: bool
    default: false
  keep_alive_interval:
    description:
      - While files are prepared and fetched, send a keep-alive with the progress (percent of all bytes received) every
        so many seconds, so that the download session does not expire (vCenter's idle time-out is five minutes).
        V(0) sends none.
    type: int
    default: 30
  wait_timeout:
    description:
      - How many seconds to wait for vCenter to prepare each file before the task fails (and cleans up).
    type: int
    default: 600
extends_documentation_fragment:
  - vsphere.content_library.connection
  - vsphere.content_library.attributes
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    details:
      - In check mode the module finds the item, compares the local files (computing checksums where sizes match) and
        reports the files it would write; it opens no session and creates no directory.
  diff_mode:
    support: full
    details: The diff shows the local files (name, size, checksum) before and after.
  idempotent:
    support: full
    details:
      - The local files (or the OVA's members) are compared with the item's by name, size and the checksum vCenter
        reports, computed locally only when names and sizes match. When they match, nothing is fetched. Without a
        checksum from vCenter nothing proves the content is the same, so the file is fetched again.
seealso:
  - module: vsphere.content_library.library_item_info
  - module: vsphere.content_library.library_item_upload
  - module: vsphere.content_library.library_item_copy
'''

EXAMPLES = r'''
- name: Download items found by name
  module_defaults:
    group/vsphere.content_library.all:
      hostname: "{{ vcenter_hostname }}"
      username: "{{ vcenter_username }}"
      password: "{{ vcenter_password }}"
      ca_path: "{{ vcenter_ca_path }}"
  block:
    - name: An ISO item's file into a directory
      vsphere.content_library.library_item_download:
        library_name: "{{ library_name }}"
        item_name: photon-iso
        dest: "{{ backup_dir }}/photon-iso"
        mode: "0640"

    - name: An OVF template as one OVA, for an artifact store
      vsphere.content_library.library_item_download:
        library_name: "{{ library_name }}"
        item_name: photon-ovf
        format: ova
        dest: "{{ backup_dir }}/photon.ova"
        backup: true
      register: exported

    - name: Show what was written
      ansible.builtin.debug:
        msg: "{{ exported.files | map(attribute='name') | list }}: {{ exported.bytes_received }} bytes"

    - name: Only the descriptor of an OVF template, by item id
      vsphere.content_library.library_item_download:
        library_item_id: "{{ library_item_id }}"
        files: [photon.ovf]
        dest: "{{ backup_dir }}/descriptor"
'''

# The failure keys below (msg, error_type, status, error_messages, the ids) are documented again in
# every module on purpose: Ansible has no documentation fragments for RETURN, and each module's
# manual must stand alone.
RETURN = r'''
library_item:
  description: The library item that was downloaded (id, name, type, library, content version).
  returned: success
  type: dict
  sample: {"id": "3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e", "name": "photon-ovf", "type": "ovf",
           "library_id": "eb56d877-6764-4fd6-8bcb-bb3801c4b8f0", "content_version": "2"}
files:
  description:
    - The item's files the task is about, as vCenter reports them, with where each one is on the host and whether
      this task wrote it.
    - With O(format=ova), C(ova_member) says how the member was written - V(streamed), or V(spooled) through a
      temporary file because vCenter gave no C(Content-Length) (the OVA's header needs the size first).
    - C(backup_file) is the copy of a replaced file, with O(backup=true); C(resumed) lists how a broken stream was
      resumed (V(range), or V(restart) when the server ignored C(Range)).
  returned: success
  type: list
  elements: dict
  sample:
    - {"name": "photon.ovf", "size": 6240, "checksum_info": {"algorithm": "SHA1", "checksum": "9a3b0c1d..."},
       "path": "/srv/export/photon.ovf", "changed": true}
dest:
  description: The absolute path of the directory (O(format=files)) or of the OVA (O(format=ova)).
  returned: success
  type: str
  sample: /srv/export/photon-ovf
format:
  description: The format written.
  returned: success
  type: str
  sample: files
state:
  description:
    - What RV(dest) is on the host now, V(directory) (O(format=files)) or V(file) (O(format=ova)). Ansible adds this key
      and the next ones (RV(mode), RV(owner), RV(group), RV(uid), RV(gid), RV(size), RV(secontext)) to the result of
      every module that returns a C(dest) that exists, as it does for C(ansible.builtin.copy).
  returned: success, when dest exists
  type: str
  sample: directory
mode:
  description: The permissions of RV(dest), in octal.
  returned: success, when dest exists
  type: str
  sample: "0755"
owner:
  description: The name of the user that owns RV(dest).
  returned: success, when dest exists
  type: str
  sample: root
group:
  description: The name of the group that owns RV(dest).
  returned: success, when dest exists
  type: str
  sample: root
uid:
  description: The user id of the owner of RV(dest).
  returned: success, when dest exists
  type: int
  sample: 0
gid:
  description: The group id of the group of RV(dest).
  returned: success, when dest exists
  type: int
  sample: 0
size:
  description: The size of RV(dest) in bytes, as C(stat) gives it (for a directory, the directory entry's own size).
  returned: success, when dest exists
  type: int
  sample: 4096
secontext:
  description: The SELinux context of RV(dest).
  returned: success, when dest exists, on a host with SELinux enabled
  type: str
  sample: unconfined_u:object_r:user_home_t:s0
backup_file:
  description: With O(format=ova) and O(backup=true), the copy of the OVA this task replaced.
  returned: when an OVA was replaced with O(backup=true)
  type: str
  sample: /srv/export/photon.ova.12345.2026-12-04@10:00:00~
bytes_received:
  description: How many bytes the task fetched from vCenter (0 when nothing was fetched).
  returned: success
  type: int
  sample: 1073741824
seconds:
  description: How long the transfer took, from opening the session to the last file in place.
  returned: success
  type: float
  sample: 12.4
throughput_mib_s:
  description: RV(bytes_received) per second over RV(seconds), in MiB/s.
  returned: success
  type: float
  sample: 82.6
diff:
  description: The local files (name, size, checksum) before and after; only with C(--diff) and a change.
  returned: changed and in diff mode
  type: dict
  sample: {"before": {"files": []}, "after": {"files": [{"name": "photon.iso", "size": 1048576}]}}
msg:
  description: On failure, what happened and what was cleaned up.
  returned: failure
  type: str
  sample: "disk1.vmdk does not match the checksum vCenter reports: ... Download session 5a1c... was failed with this reason, and it was deleted."
error_type:
  description:
    - On failure, the kind of error - vCenter's error type (such as C(NOT_FOUND)), or one of the collection's own,
      such as C(CHECKSUM_MISMATCH), C(SIZE_MISMATCH), C(TRANSFER_FAILED), C(LOCAL_FILE_ERROR), C(TIMED_OUT),
      C(BAD_ANSWER), C(INVALID_ARGUMENT), C(INTERRUPTED).
  returned: failure
  type: str
  sample: CHECKSUM_MISMATCH
status:
  description: On failure, the HTTP status vCenter answered, when it answered.
  returned: failure, when vCenter answered
  type: int
  sample: 404
error_messages:
  description: On failure, vCenter's own messages.
  returned: failure, when vCenter gave messages
  type: list
  elements: str
  sample: ["The library item 3c9e... was not found."]
file_name:
  description: On a checksum or size mismatch or a failed transfer, the file concerned.
  returned: failure, with error_type CHECKSUM_MISMATCH, SIZE_MISMATCH or TRANSFER_FAILED
  type: str
  sample: disk1.vmdk
checksum_algorithm:
  description: On a checksum mismatch, the algorithm of the digests.
  returned: failure, with error_type CHECKSUM_MISMATCH
  type: str
  sample: SHA1
expected_checksum:
  description: On a checksum mismatch, the digest vCenter reports.
  returned: failure, with error_type CHECKSUM_MISMATCH
  type: str
  sample: 3f1c4e...
actual_checksum:
  description: On a checksum mismatch, the digest of the bytes received.
  returned: failure, with error_type CHECKSUM_MISMATCH
  type: str
  sample: 2157982e...
expected_size:
  description: On a size mismatch, the size announced.
  returned: failure, with error_type SIZE_MISMATCH
  type: int
  sample: 1048576
actual_size:
  description: On a size mismatch, the bytes received.
  returned: failure, with error_type SIZE_MISMATCH
  type: int
  sample: 524288
download_session_id:
  description: On failure, the download session the task opened (failed with the reason, then deleted).
  returned: failure, when a session was opened
  type: str
  sample: 5a1c0d9e-7f3b-4c2a-9e8d-1b2c3d4e5f60
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
from ansible_collections.vsphere.content_library.plugins.module_utils._export import ExportTask
from ansible_collections.vsphere.content_library.plugins.module_utils._library import ITEM_MUTUALLY_EXCLUSIVE, ITEM_REQUIRED_ONE_OF, item_options
from ansible_collections.vsphere.content_library.plugins.module_utils._module import ContentLibraryModule
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import (
    check_file_arguments,
    check_file_name,
    check_range,
)


def check_input(params: dict[str, Any]) -> dict[str, Any]:
    """Check what the argument spec cannot, before anything is sent."""
    if not params['dest'] or not params['dest'].strip():
        raise UserInputError('dest must not be empty.')
    for name in params['files'] or []:
        check_file_name(name, 'files')
    if params['files'] and params['format'] == 'ova':
        raise UserInputError('files does not go with format=ova: an OVA holds the whole OVF template.')
    check_range(params['parallel'], 'parallel', 1, 8)
    check_range(params['keep_alive_interval'], 'keep_alive_interval', 0)
    check_range(params['wait_timeout'], 'wait_timeout', 1)
    check_file_arguments(params)
    return {}


def main() -> None:
    module = ContentLibraryModule(
        argument_spec=dict(
            item_options(),
            dest=dict(type='path', required=True),
            format=dict(type='str', default='files', choices=['files', 'ova']),
            files=dict(type='list', elements='str'),
            parallel=dict(type='int', default=2),
            force=dict(type='bool', default=False),
            backup=dict(type='bool', default=False),
            keep_alive_interval=dict(type='int', default=30),
            wait_timeout=dict(type='int', default=600),
        ),
        mutually_exclusive=ITEM_MUTUALLY_EXCLUSIVE,
        required_one_of=ITEM_REQUIRED_ONE_OF,
        add_file_common_args=True,
        check_input=check_input,
    )
    module.run(ExportTask(module).run)


if __name__ == '__main__':
    main()
