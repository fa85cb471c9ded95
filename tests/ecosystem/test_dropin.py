# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A module_defaults block written for vmware.vmware works here unchanged: its option names,
aliases (`admin`, `pwd`, `protocol`) and its way of trusting a private CA (REQUESTS_CA_BUNDLE)."""

from __future__ import annotations

import json
import subprocess
from urllib.parse import urlsplit

from conftest import BIN, clean_env

PLAYBOOK = '''\
- name: Tasks that a vmware.vmware user already has
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/vsphere.content_library.all:
      hostname: "{hostname}"
      port: {port}
      admin: "{username}"
      pwd: "{password}"
      validate_certs: true
      protocol: https
  tasks:
    - name: List my update sessions
      vsphere.content_library.update_session_info:
      register: listed

    - name: Upload into an item found by name
      vsphere.content_library.library_item_upload:
        library_name: local-lib
        item_name: dropin
        src: "{src}"
      register: uploaded

    - name: Show the results
      ansible.builtin.debug:
        msg: "{{{{ {{'sessions': listed.update_sessions | length, 'files': uploaded.files | map(attribute='name') | list}} | to_json }}}}"
'''


def test_vmware_vmware_module_defaults_work(simulator, collections_path, workdir):
    url = urlsplit(simulator['url'])
    src = workdir / 'dropin.iso'
    src.write_bytes(b'drop-in\n' * 1000)
    playbook = workdir / 'dropin.yml'
    playbook.write_text(PLAYBOOK.format(hostname=url.hostname, port=url.port, username=simulator['username'], password=simulator['password'], src=src))
    env = clean_env(ANSIBLE_COLLECTIONS_PATH=str(collections_path), REQUESTS_CA_BUNDLE=simulator['ca_cert'])
    result = subprocess.run([str(BIN / 'ansible-playbook'), str(playbook)], cwd=workdir, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    shown = [line for line in result.stdout.splitlines() if '"msg":' in line][0]
    assert json.loads(json.loads(shown.split('"msg":', 1)[1].strip())) == {'sessions': 0, 'files': ['dropin.iso']}
    assert simulator['password'] not in result.stdout + result.stderr
