# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection used as people use it outside playbooks written for it: the README's ad-hoc
command, and a job run the way an AWX job template runs it (ansible-runner, no connection
options in the tasks, only the env vars of AWX's VMware vCenter credential)."""

from __future__ import annotations

import re
import shlex
import subprocess
from urllib.parse import urlsplit

import ansible_runner
import pytest

from conftest import BIN, REPO, clean_env


def readme_adhoc_command():
    """The README's ad-hoc command, continuation lines joined."""
    text = (REPO / 'README.md').read_text()
    for block in re.findall(r'```sh\n(.*?)```', text, re.S):
        if 'ansible localhost -m ' in block:
            return block.replace('\\\n', ' ').strip()
    raise AssertionError('README.md has no ```sh block with `ansible localhost -m`')


def test_readme_adhoc_command(simulator, collections_path, workdir):
    command = readme_adhoc_command()
    # Only the README's placeholders are replaced: host, user, password, item id.
    url = urlsplit(simulator['url'])
    replacements = {
        'vcenter.example.com': url.hostname,
        'administrator@vsphere.local': simulator['username'],
        'VMWARE_PASSWORD=...': 'VMWARE_PASSWORD=' + shlex.quote(simulator['password']),
        '<item id>': simulator['items']['empty-iso']['id'],
    }
    for placeholder, value in replacements.items():
        assert placeholder in command, (placeholder, command)
        command = command.replace(placeholder, value)
    # The simulator's port and CA are what a user's vCenter would not need.
    env = clean_env(ANSIBLE_COLLECTIONS_PATH=str(collections_path), VMWARE_PORT=str(url.port), REQUESTS_CA_BUNDLE=simulator['ca_cert'])
    result = subprocess.run(['bash', '-c', command], cwd=workdir, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'localhost | SUCCESS' in result.stdout, result.stdout
    assert '"update_sessions": []' in result.stdout, result.stdout
    assert simulator['password'] not in result.stdout + result.stderr
    # With no inventory, ansible says that only the implicit localhost is there; nothing else.
    warnings = [line for line in result.stderr.splitlines() if '[WARNING]' in line and 'implicit localhost' not in line]
    assert warnings == [], result.stderr


AWX_PLAYBOOK = '''\
- name: An AWX job template's playbook
  hosts: localhost
  gather_facts: false
  tasks:
    - name: List my update sessions
      vsphere.content_library.update_session_info:
      register: listed

    - name: Open an update session on the item
      vsphere.content_library.update_session:
        library_item_id: "{{ item_id }}"
      register: opened

    - name: Delete it
      vsphere.content_library.update_session:
        id: "{{ opened.update_session.id }}"
        state: absent
        force: true
      register: deleted

    - name: Check what happened
      ansible.builtin.assert:
        that:
          - listed.update_sessions == []
          - opened is changed
          - deleted is changed
'''


def awx_credential_env(simulator, form):
    """The env vars AWX's VMware vCenter credential injects, with the host given three ways."""
    url = urlsplit(simulator['url'])
    env = {'VMWARE_USER': simulator['username'], 'VMWARE_PASSWORD': simulator['password']}
    if form == 'host:port':
        env.update(VMWARE_HOST='%s:%s' % (url.hostname, url.port), VMWARE_CA_PATH=simulator['ca_cert'])
    elif form == 'https://host:port':
        env.update(VMWARE_HOST='https://%s:%s/' % (url.hostname, url.port), VMWARE_CA_PATH=simulator['ca_cert'])
    else:
        env.update(VMWARE_HOST=url.hostname, VMWARE_PORT=str(url.port), VMWARE_VALIDATE_CERTS='False')
    return env


@pytest.mark.parametrize('form', ['host:port', 'https://host:port', 'VMWARE_PORT'])
def test_awx_job_with_vmware_credential(simulator, collections_path, tmp_path, monkeypatch, form):
    # AWX's job environment has none of this machine's CA bundle variables.
    for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
        monkeypatch.delenv(name, raising=False)
    private = tmp_path / 'job'
    (private / 'project').mkdir(parents=True)
    (private / 'project' / 'site.yml').write_text(AWX_PLAYBOOK)
    envvars = dict(awx_credential_env(simulator, form), ANSIBLE_COLLECTIONS_PATH=str(collections_path), PATH='%s:/usr/bin:/bin' % BIN, ANSIBLE_NOCOLOR='1')
    result = ansible_runner.run(
        private_data_dir=str(private), playbook='site.yml', envvars=envvars, extravars={'item_id': simulator['items']['empty-iso']['id']}, quiet=True
    )
    stdout = result.stdout.read()
    assert result.status == 'successful' and result.rc == 0, stdout
    events = list(result.events)
    ok = [e['event_data']['task'] for e in events if e['event'] == 'runner_on_ok']
    assert ok == ['List my update sessions', 'Open an update session on the item', 'Delete it', 'Check what happened']
    assert not [e for e in events if e['event'] in ('runner_on_failed', 'runner_on_unreachable')]
    stats = [e for e in events if e['event'] == 'playbook_on_stats'][-1]['event_data']
    assert stats['changed'] == {'localhost': 2} and not stats['failures']
    assert simulator['password'] not in stdout
