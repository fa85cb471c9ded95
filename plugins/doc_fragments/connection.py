# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # The connection options every module takes. Kept in step with
    # plugins/module_utils/_module.py (CONNECTION_ARGSPEC).
    DOCUMENTATION = r'''
options:
  hostname:
    description:
      - The vCenter Server to connect to, as a host name or an IP address.
      - If not set, the value of the E(VMWARE_HOST) environment variable is used.
    type: str
    required: true
  port:
    description:
      - The HTTPS port of the vCenter Server.
      - If not set, the value of the E(VMWARE_PORT) environment variable is used.
    type: int
    default: 443
  username:
    description:
      - The vCenter user to log in as, for example V(administrator@vsphere.local).
      - If not set, the value of the E(VMWARE_USER) environment variable is used.
      - Update sessions belong to the user who created them; listings only show this user's sessions.
    type: str
    required: true
    aliases: [user]
  password:
    description:
      - The password of O(username).
      - If not set, the value of the E(VMWARE_PASSWORD) environment variable is used.
      - It is never shown in any output, and neither is the API session id the module gets for it.
    type: str
    required: true
    aliases: [pass, pwd]
  validate_certs:
    description:
      - Whether to verify the vCenter Server's TLS certificate.
      - Set it to V(false) only in a lab with a self-signed certificate; prefer O(ca_path).
      - If not set, the value of the E(VMWARE_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file with the CA certificate(s) to trust for the vCenter Server, instead of the system's trust store.
      - Only used when O(validate_certs=true).
    type: path
  proxy_host:
    description:
      - The host name or address of an HTTP proxy that every request to the vCenter Server goes through.
      - If not set, the value of the E(VMWARE_PROXY_HOST) environment variable is used.
    type: str
  proxy_port:
    description:
      - The port of the proxy in O(proxy_host). The default is V(3128) when O(proxy_host) is set.
      - If not set, the value of the E(VMWARE_PROXY_PORT) environment variable is used.
    type: int
  timeout:
    description:
      - How many seconds to wait for each HTTP request to the vCenter Server.
    type: int
    default: 60
  api_flavor:
    description:
      - Which URL flavour of the vSphere Automation API to use.
      - V(api) is the modern C(/api/...) flavour of vSphere 7.0 Update 2 and later.
      - V(rest) is the legacy C(/rest/com/vmware/...) flavour of vSphere 6.5 to 8.
      - V(auto) logs in on C(/api) and falls back to C(/rest) when the server has no C(/api/session).
      - Results have the same (modern) shape whichever flavour answers.
    type: str
    choices: [auto, api, rest]
    default: auto
notes:
  - The module logs in to the vCenter Server once per task, reuses one HTTP connection pool for every call,
    and always logs out at the end, whether the task succeeds or fails.
  - Only idempotent reads are retried, up to 3 times with back-off, when vCenter answers 502, 503 or 504
    or the connection drops.
requirements:
  - requests (Python library, on the host that runs the module)
seealso:
  - name: vSphere Automation API reference for update sessions
    description: The API this module calls.
    link: https://developer.broadcom.com/xapis/vsphere-automation-api/latest/content/
'''
