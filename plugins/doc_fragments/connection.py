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
      - The vCenter Server to connect to, as a host name, an IPv4 address or an IPv6 address.
      - It may carry the port, as V(vcenter.example.com:8443), V([fd00::5]:8443) or V(https://vcenter.example.com:8443/),
        which is how AWX's VMware credential (it has no port field) is often filled in.
        A port given both here and in O(port) must be the same.
      - If not set, the value of the E(VMWARE_HOST) environment variable is used.
    type: str
    required: true
  port:
    description:
      - The HTTPS port of the vCenter Server, from 1 to 65535.
      - If not set, the value of the E(VMWARE_PORT) environment variable is used, then the port in O(hostname), then V(443).
    type: int
  username:
    description:
      - The vCenter user to log in as, for example V(administrator@vsphere.local).
      - If not set, the value of the E(VMWARE_USER) environment variable is used.
      - Update sessions belong to the user who created them; listings only show this user's sessions.
    type: str
    required: true
    aliases: [user, admin]
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
      - A PEM file (or a directory prepared with C(openssl rehash)) with the CA certificate(s) to trust for the
        vCenter Server, instead of the system's trust store. It must exist and be readable.
      - Only used when O(validate_certs=true).
      - If not set, the value of the E(VMWARE_CA_PATH) environment variable is used. Without either, the
        E(REQUESTS_CA_BUNDLE) environment variable, when set, names the bundle, as for any C(requests) client.
    type: path
  proxy_host:
    description:
      - The host name or address of an HTTP proxy that every request to the vCenter Server goes through.
      - If not set, the value of the E(VMWARE_PROXY_HOST) environment variable is used.
    type: str
  proxy_port:
    description:
      - The port of the proxy in O(proxy_host), from 1 to 65535. The default is V(3128) when O(proxy_host) is set.
      - If not set, the value of the E(VMWARE_PROXY_PORT) environment variable is used.
    type: int
  proxy_protocol:
    description:
      - The protocol spoken to the proxy in O(proxy_host) (the scheme of the proxy's URL).
      - Accepted under this name, and its alias, as in vmware.vmware, so that its C(module_defaults) work here.
    type: str
    choices: [http, https]
    default: http
    aliases: [protocol]
  timeout:
    description:
      - How many seconds to wait for each HTTP request to the vCenter Server; more than 0.
      - A task that gets no answer ends within about O(timeout) times (O(retries) + 1) seconds, and says what it
        was doing when it timed out.
    type: int
    default: 60
  retries:
    description:
      - How many times a safe request is sent again after a dropped connection, a time-out, or an answer of
        502, 503 or 504, with exponential back-off and jitter; from 0 to 10.
      - Safe requests are reads, and creates that carry a client token (vCenter then answers with the same
        object). Other writes are sent once; when their answer is lost, the module reads the state back.
    type: int
    default: 3
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
    and always logs out at the end, whether the task succeeds, fails, or is stopped by SIGTERM or SIGINT
    (as AWX does when a job is canceled). If the API session expires mid-task, it logs in once more.
  - Every option is checked before the first request; a bad value fails the task with a message that names it.
  - The API session token is only sent to the scheme, host and port the module logged in to; redirects elsewhere
    are not followed.
  - A task that opened an update session and then fails leaves that session failed, with the reason, and
    returns its id.
requirements:
  - requests (Python library, on the host that runs the module)
seealso:
  - name: vSphere Automation API reference for update sessions
    description: The API this module calls.
    link: https://developer.broadcom.com/xapis/vsphere-automation-api/latest/content/
'''
