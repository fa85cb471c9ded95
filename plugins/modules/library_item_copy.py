#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: library_item_copy
short_description: Copy a Content Library item into a library on another vCenter (or the same one), streamed and verified
version_added: 0.1.0
description:
  - Copies the content of a library item on the vCenter this task connects to (the source) into an item of a local
    library on the vCenter given by O(target) (by default the same vCenter), in one task and without writing anything
    to disk.
  - The target item is found by name (O(target.item_name), by default the source item's name) or created with the
    source item's type and description (unless O(target.create_item=false)). A subscribed target library is refused
    before anything is opened on either side.
  - When the target item's files already equal the source's by name, size and checksum, nothing is opened and the
    task reports no change (O(force=true) copies anyway).
  - On one vCenter, with O(method=auto) and no target item yet, the API's server-side C(copy) makes the new item, and
    the task waits until its files match the source's. A new item that does not have the name asked for is deleted,
    and the task fails.
  - Otherwise the content is streamed. A download session is opened on the source and an update session on the target.
    For each file, the OVF descriptor first, the file is prepared on the source and added on the target with its size
    and the source's checksum. The source's download is then the body of the target's upload, hashed on the way,
    through a bounded buffer, up to O(parallel) files at once. Both sessions are kept alive while bytes flow. The
    target session is then validated and its preview warnings pass through O(ignore_warnings), as with
    M(vsphere.content_library.library_item_upload). It is completed and waited for until it is C(DONE), and both
    sessions are deleted. The files of an existing target item that the source does not have are removed in the
    same update session, so they leave the item only when it completes.
  - After the copy, the target item's files must equal the source's, or the task fails, naming the file that differs.
  - If anything fails (either side drops, a checksum differs, a time-out, a refused warning, SIGTERM or SIGINT), the
    target update session is failed with the reason and deleted. A target item this task created is deleted, and an
    existing one keeps its previous content. The source download session is failed and deleted, and both logins are
    logged out. Each vCenter's session token only goes to that vCenter.
  - The two vCenters may speak different URL flavours of the vSphere Automation API.
author:
  - vsphere.content_library maintainers (@vsphere-collections)
options:
  library_item_id:
    description:
      - The id of the source item.
      - Mutually exclusive with O(library_id), O(library_name) and O(item_name).
    type: str
  library_id:
    description:
      - The id of the source library (local or subscribed) that holds the item named O(item_name).
    type: str
  library_name:
    description:
      - The name of the source library that holds the item named O(item_name).
    type: str
  item_name:
    description:
      - The name of the source item in the library given by O(library_id) or O(library_name).
    type: str
  target:
    description:
      - Where the item goes - the target vCenter's connection options (each defaults to the task's own) and the
        target library and item.
    type: dict
    required: true
    suboptions:
      hostname:
        description: The target vCenter, as O(hostname). The default is the source vCenter.
        type: str
      port:
        description: The target vCenter's HTTPS port, as O(port).
        type: int
      username:
        description: The user to log in to the target vCenter as.
        type: str
        aliases: [user]
      password:
        description: The password of O(target.username).
        type: str
        aliases: [pass]
      validate_certs:
        description: Whether to verify the target vCenter's TLS certificate.
        type: bool
      ca_path:
        description: A PEM file with the CA certificate(s) to trust for the target vCenter, as O(ca_path).
        type: path
      proxy_host:
        description: An HTTP proxy for the requests to the target vCenter.
        type: str
      proxy_port:
        description: The port of O(target.proxy_host).
        type: int
      proxy_protocol:
        description: The protocol spoken to O(target.proxy_host).
        type: str
        choices: [http, https]
      timeout:
        description: How many seconds to wait for each HTTP request to the target vCenter.
        type: int
      retries:
        description: How many times a safe request to the target vCenter is sent again, as O(retries).
        type: int
      api_flavor:
        description: Which URL flavour the target vCenter speaks, as O(api_flavor).
        type: str
        choices: [auto, api, rest]
      library_id:
        description: The id of the local target library.
        type: str
      library_name:
        description: The name of the local target library; it must match exactly one local library.
        type: str
      item_name:
        description: The name of the target item. The default is the source item's name.
        type: str
      create_item:
        description: Whether to create the target item when the target library has none of that name.
        type: bool
        default: true
  method:
    description:
      - V(auto) uses the API's server-side C(copy) when the target is the source vCenter and the target item does not
        exist yet, and streams otherwise.
      - V(stream) always streams, even on one vCenter.
    type: str
    choices: [auto, stream]
    default: auto
  ignore_warnings:
    description:
      - The preview warnings of signed content the target may raise that this task accepts. Any other warning fails
        the copy before completion. A template copied from a library arrives without its certificate, so usually none is raised.
    type: list
    elements: str
    choices: [SELF_SIGNED_CERTIFICATE, EXPIRED_CERTIFICATE, NOT_YET_VALID_CERTIFICATE, UNTRUSTED_CERTIFICATE]
    default: []
  parallel:
    description:
      - How many files are copied at the same time, from 1 to 8.
    type: int
    default: 2
  force:
    description:
      - Copy even when the target item already holds the same files.
    type: bool
    default: false
  keep_alive_interval:
    description:
      - While files are copied, send keep-alives with the progress to both sessions every so many seconds. V(0) sends none.
    type: int
    default: 30
  wait_timeout:
    description:
      - How many seconds to wait for each of these, before the task fails (and cleans up) - a file to be prepared on
        the source, the target's preview and completion, and a server-side copy to hold the source's files.
    type: int
    default: 1800
extends_documentation_fragment:
  - vsphere.content_library.connection
  - vsphere.content_library.attributes
attributes:
  check_mode:
    support: full
    details:
      - In check mode the module finds the source item, the target library and item, and compares their files; it
        opens no session and writes nothing on either side.
  diff_mode:
    support: full
    details: The diff shows the target item's files (name, size, checksum) before and after.
  idempotent:
    support: full
    details: The target item's files are compared with the source's by name, size and the checksums both vCenters report.
seealso:
  - module: vsphere.content_library.library_item_download
  - module: vsphere.content_library.library_item_upload
  - module: vsphere.content_library.library_item_info
'''

EXAMPLES = r'''
- name: Copy a template from one vCenter to another
  vsphere.content_library.library_item_copy:
    hostname: "{{ source_vcenter }}"
    username: "{{ source_username }}"
    password: "{{ source_password }}"
    ca_path: "{{ source_ca_path }}"
    library_name: "{{ library_name }}"
    item_name: photon-ovf
    target:
      hostname: "{{ target_vcenter }}"
      username: "{{ target_username }}"
      password: "{{ target_password }}"
      ca_path: "{{ target_ca_path }}"
      library_name: "{{ target_library_name }}"
    parallel: 4
  register: copied

- name: Show what it moved
  ansible.builtin.debug:
    msg: "{{ copied.method }}: {{ copied.bytes_copied }} bytes at {{ copied.throughput_mib_s }} MiB/s"

- name: Copy an item into another library of the same vCenter, under another name
  vsphere.content_library.library_item_copy:
    hostname: "{{ source_vcenter }}"
    username: "{{ source_username }}"
    password: "{{ source_password }}"
    ca_path: "{{ source_ca_path }}"
    library_item_id: "{{ copied.source_item.id }}"
    target:
      library_name: "{{ library_name }}"
      item_name: photon-ovf-copy
'''

# The failure keys below (msg, error_type, status, error_messages, the ids) are documented again in
# every module on purpose: Ansible has no documentation fragments for RETURN, and each module's
# manual must stand alone.
RETURN = r'''
source_item:
  description: The source item (id, name, type, library, content version).
  returned: success
  type: dict
  sample: {"id": "3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e", "name": "photon-ovf", "type": "ovf",
           "library_id": "eb56d877-6764-4fd6-8bcb-bb3801c4b8f0", "content_version": "2"}
target_item:
  description: The target item after the task (in check mode, as found or as it would be created).
  returned: success
  type: dict
  sample: {"id": "7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "name": "photon-ovf", "type": "ovf",
           "library_id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "content_version": "1"}
files:
  description: The target item's files after the task (in check mode, the source's files that would be copied).
  returned: success
  type: list
  elements: dict
  sample: [{"name": "photon.ovf", "size": 6240, "checksum_info": {"algorithm": "SHA1", "checksum": "9a3b0c1d..."}}]
method:
  description: How the content was (or would be) copied - V(copy), the API's server-side copy, or V(stream).
  returned: success
  type: str
  sample: stream
bytes_copied:
  description: Every byte streamed from the source to the target (for a server-side copy, the size of the files copied); 0 when nothing was copied.
  returned: success
  type: int
  sample: 1073741824
seconds:
  description: How long the copy took.
  returned: success
  type: float
  sample: 12.4
throughput_mib_s:
  description: RV(bytes_copied) per second over RV(seconds), in MiB/s.
  returned: success
  type: float
  sample: 82.6
diff:
  description: The target item's files (name, size, checksum) before and after; only with C(--diff) and a change.
  returned: changed and in diff mode
  type: dict
  sample: {"before": {"files": []}, "after": {"files": [{"name": "photon.iso", "size": 1048576}]}}
msg:
  description: On failure, what happened and what was cleaned up on each side.
  returned: failure
  type: str
  sample: "disk1.vmdk does not match the source's checksum: ... Update session 0b5f... was failed with this reason, and it was deleted. ..."
error_type:
  description:
    - On failure, the kind of error - vCenter's error type (such as C(NOT_FOUND)), or one of the collection's own, such
      as C(CHECKSUM_MISMATCH), C(SIZE_MISMATCH), C(TRANSFER_FAILED), C(PREVIEW_WARNING), C(SESSION_ERROR), C(TIMED_OUT),
      C(BAD_ANSWER), C(INVALID_ARGUMENT), C(INTERRUPTED).
  returned: failure
  type: str
  sample: PREVIEW_WARNING
status:
  description: On failure, the HTTP status a vCenter answered, when it answered.
  returned: failure, when a vCenter answered
  type: int
  sample: 404
error_messages:
  description: On failure, the vCenter's own messages.
  returned: failure, when a vCenter gave messages
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
  description: On a checksum mismatch, the source's digest.
  returned: failure, with error_type CHECKSUM_MISMATCH
  type: str
  sample: 3f1c4e...
actual_checksum:
  description: On a checksum mismatch, the digest of the bytes that passed.
  returned: failure, with error_type CHECKSUM_MISMATCH
  type: str
  sample: 2157982e...
expected_size:
  description: On a size mismatch, the size announced.
  returned: failure, with error_type SIZE_MISMATCH
  type: int
  sample: 1048576
actual_size:
  description: On a size mismatch, the bytes that passed.
  returned: failure, with error_type SIZE_MISMATCH
  type: int
  sample: 524288
library_item_id:
  description: On failure, the source item.
  returned: failure, when known
  type: str
  sample: 3c9e58a1-5a2c-4f55-8e4b-0d5b2b6c1f1e
library_id:
  description: On failure, the source library.
  returned: failure, when known
  type: str
  sample: eb56d877-6764-4fd6-8bcb-bb3801c4b8f0
download_session_id:
  description: On failure, the source's download session (failed with the reason, then deleted).
  returned: failure, when one was opened
  type: str
  sample: 5a1c0d9e-7f3b-4c2a-9e8d-1b2c3d4e5f60
target_library_item_id:
  description: On failure, the target item.
  returned: failure, when known
  type: str
  sample: 7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f
target_library_id:
  description: On failure, the target library.
  returned: failure, when known
  type: str
  sample: 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
target_update_session_id:
  description: On failure, the target's update session (failed with the reason, then deleted).
  returned: failure, when one was opened
  type: str
  sample: 0b5fa8d9-2fd6-4b0b-9c6e-3d4a5f1c2e7b
update_session_id:
  description:
    - On failure, the target's update session again (the same as RV(target_update_session_id)), under the name every
      module that opens an update session reports it by.
  returned: failure, when one was opened
  type: str
  sample: 0b5fa8d9-2fd6-4b0b-9c6e-3d4a5f1c2e7b
update_session:
  description: On failure because the target's update session ended in state C(ERROR) after completion, its last model.
  returned: failure, with error_type SESSION_ERROR
  type: dict
  sample: {"library_item_id": "7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "state": "ERROR", "client_progress": 100,
           "error_message": {"id": "com.vmware.vdcs.cls-main.session_expired", "default_message": "The update session expired.", "args": []}}
session_state:
  description: On failure because the target's update session ended in C(ERROR) after completion, that state.
  returned: failure, with error_type SESSION_ERROR
  type: str
  sample: ERROR
api_flavor:
  description: The URL flavour of the vSphere Automation API that the source vCenter answered in.
  returned: always
  type: str
  sample: api
'''

from typing import Any

from ansible_collections.vsphere.content_library.plugins.module_utils._copy import CopyTask
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import UserInputError
from ansible_collections.vsphere.content_library.plugins.module_utils._model import WARNING_TYPES
from ansible_collections.vsphere.content_library.plugins.module_utils._library import ITEM_MUTUALLY_EXCLUSIVE, ITEM_REQUIRED_ONE_OF, item_options
from ansible_collections.vsphere.content_library.plugins.module_utils._module import CONNECTION_ARGSPEC, ContentLibraryModule
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import (
    check_connection,
    check_ids,
    check_range,
    resolve_endpoint,
)

# The target's connection options: the same names as the task's own, each defaulting to the task's value.
TARGET_CONNECTION = tuple(CONNECTION_ARGSPEC)


def check_input(params: dict[str, Any]) -> dict[str, Any]:
    """Check the source's names and the whole target, before anything is sent to either vCenter."""
    given = params['target']
    target = dict(given)
    for option in TARGET_CONNECTION:
        if target.get(option) is None:
            target[option] = params[option]
    check_ids(given, prefix='target.')
    if given['library_id'] and given['library_name']:
        raise UserInputError('target.library_id and target.library_name are mutually exclusive.')
    if not (given['library_id'] or given['library_name']):
        raise UserInputError('target needs library_id or library_name: the local library the item goes into.')
    endpoint = check_connection(target, prefix='target.')
    check_range(params['parallel'], 'parallel', 1, 8)
    check_range(params['keep_alive_interval'], 'keep_alive_interval', 0)
    check_range(params['wait_timeout'], 'wait_timeout', 1)
    source = resolve_endpoint(params)
    same = (source[0].lower(), source[1]) == (endpoint[0].lower(), endpoint[1])
    return {'target': target, 'target_endpoint': endpoint, 'same_vcenter': same}


def main() -> None:
    target_options: dict[str, Any] = dict(
        hostname=dict(type='str'),
        port=dict(type='int'),
        username=dict(type='str', aliases=['user']),
        password=dict(type='str', no_log=True, aliases=['pass']),
        validate_certs=dict(type='bool'),
        ca_path=dict(type='path'),
        proxy_host=dict(type='str'),
        proxy_port=dict(type='int'),
        proxy_protocol=dict(type='str', choices=['http', 'https']),
        timeout=dict(type='int'),
        retries=dict(type='int'),
        api_flavor=dict(type='str', choices=['auto', 'api', 'rest']),
        library_id=dict(type='str'),
        library_name=dict(type='str'),
        item_name=dict(type='str'),
        create_item=dict(type='bool', default=True),
    )
    module = ContentLibraryModule(
        argument_spec=dict(
            item_options(),
            target=dict(type='dict', required=True, options=target_options),
            method=dict(type='str', default='auto', choices=['auto', 'stream']),
            ignore_warnings=dict(type='list', elements='str', default=[], choices=list(WARNING_TYPES)),
            parallel=dict(type='int', default=2),
            force=dict(type='bool', default=False),
            keep_alive_interval=dict(type='int', default=30),
            wait_timeout=dict(type='int', default=1800),
        ),
        mutually_exclusive=ITEM_MUTUALLY_EXCLUSIVE,
        required_one_of=ITEM_REQUIRED_ONE_OF,
        check_input=check_input,
    )
    module.run(CopyTask(module).run)


if __name__ == '__main__':
    main()
