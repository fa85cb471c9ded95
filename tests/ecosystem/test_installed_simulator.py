# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The simulator as a user gets it: from the installed collection, in a fresh venv, outside the repository.

What a user does (docs/docsite/rst/guide_testing_without_vcenter.rst): install the collection's tarball
with ansible-galaxy, make a venv with ansible-core, molecule, the collection's Python requirements and
the simulator, all from the installed copy (`pip install <collection>/simulator`; ansible-core and molecule
at the repository's pins), then run playbooks through `vsphere-content-simulator run --` and the molecule
scenario from their own directory. Nothing here uses the repository's .venv or its editable simulator.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import BIN, REPO, clean_env

DEV_PINS = REPO / 'tests' / 'requirements-dev.txt'


def pin(name):
    """The repository's exact version of a tool, from tests/requirements-dev.txt."""
    match = re.search(r'^%s==(\S+)$' % re.escape(name), DEV_PINS.read_text(), re.M)
    assert match, name
    return '%s==%s' % (name, match.group(1))


@pytest.fixture(scope='session')
def installed(collections_path):
    return collections_path / 'ansible_collections' / 'vsphere' / 'content_library'


@pytest.fixture(scope='session')
def user_venv(installed, tmp_path_factory):
    """A fresh venv with what a user installs; pip reaches the configured package index only."""
    venv = tmp_path_factory.mktemp('user') / 'venv'
    subprocess.run([sys.executable, '-m', 'venv', str(venv)], check=True)
    result = subprocess.run(
        [
            str(venv / 'bin' / 'python'),
            '-m',
            'pip',
            'install',
            '--quiet',
            '--disable-pip-version-check',
            pin('ansible-core'),
            pin('molecule'),
            '-r',
            str(installed / 'requirements.txt'),
            '-r',
            str(installed / 'simulator' / 'requirements-pinned.txt'),
            str(installed / 'simulator'),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=clean_env(PATH='/usr/bin:/bin'),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return venv / 'bin'


def user_env(venv_bin, collections_path, tmp_path, **extra):
    """A user's shell in that venv: its bin first on PATH (and not the repository's .venv)."""
    env = clean_env(
        ANSIBLE_COLLECTIONS_PATH=str(collections_path),
        XDG_CACHE_HOME=str(tmp_path / 'cache'),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-tmp'),
        NO_COLOR='1',
        **extra,
    )
    path = [p for p in env['PATH'].split(':') if p and Path(p) != BIN]
    env['PATH'] = ':'.join([str(venv_bin)] + path)
    env.pop('VIRTUAL_ENV', None)
    return env


def run(command, cwd, env, timeout=600):
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=timeout)


def test_the_simulator_installs_from_the_installed_collection_and_leaves_it_intact(user_venv, installed, collections_path, tmp_path):
    env = user_env(user_venv, collections_path, tmp_path)
    where = run([str(user_venv / 'python'), '-c', 'import vsphere_content_simulator as m; print(m.__file__)'], tmp_path, env)
    assert where.stdout.startswith(str(user_venv.parent / 'lib')), where.stdout + where.stderr
    assert (user_venv / 'vsphere-content-simulator').is_file()
    # pip built it without writing into the installed collection.
    written = [
        str(p.relative_to(installed))
        for p in (installed / 'simulator').rglob('*')
        if p.name in ('build', 'dist', '__pycache__') or p.name.endswith('.egg-info')
    ]
    assert written == []
    verify = run(['ansible-galaxy', 'collection', 'verify', '--offline', 'vsphere.content_library'], tmp_path, env)
    assert verify.returncode == 0 and 'Successfully verified' in verify.stdout, verify.stdout + verify.stderr
    shipped = {str(p.relative_to(installed)) for p in installed.rglob('*') if p.is_file()}
    for name in (
        'simulator/pyproject.toml',
        'simulator/README.md',
        'simulator/requirements-pinned.txt',
        'simulator/src/vsphere_content_simulator/seed.py',
        'simulator/spec/content-8.0.2-subset.json',
        'simulator/tests/test_seed.py',
        'extensions/molecule/integration_simulator/molecule.yml',
        'extensions/molecule/utils/files/seed.yml',
    ):
        assert name in shipped, name
    assert not [name for name in shipped if name.startswith(('bench/', 'tools/'))]


def test_the_shipped_simulator_tests_run_from_the_installed_copy(user_venv, installed, collections_path, tmp_path):
    """The suite ships with the package: with the [test] extra it runs there (the bench smoke tests skip, saying so)."""
    env = user_env(user_venv, collections_path, tmp_path, PYTHONDONTWRITEBYTECODE='1')
    simulator = installed / 'simulator'
    result = run(
        [
            str(user_venv / 'python'),
            '-m',
            'pip',
            'install',
            '--quiet',
            '--disable-pip-version-check',
            '-r',
            str(simulator / 'requirements-test-pinned.txt'),
            '%s[test]' % simulator,
        ],
        tmp_path,
        env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    tests = simulator / 'tests'
    result = run(
        [
            str(user_venv / 'python'),
            '-m',
            'pytest',
            '-p',
            'no:cacheprovider',
            '-q',
            '-rs',
            str(tests / 'test_seed.py'),
            str(tests / 'test_bench.py'),
            str(tests / 'test_bench_download.py'),
        ],
        tmp_path,
        env,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    assert re.search(r'\d+ passed, 2 skipped', result.stdout), result.stdout[-2000:]
    assert result.stdout.count('bench/ is in the repository only') == 2
    assert not [p for p in simulator.rglob('*') if p.name in ('__pycache__', '.pytest_cache')]


@pytest.mark.parametrize('how', ['copied into the project', 'in place'])
def test_the_molecule_scenario_of_the_installed_copy(user_venv, installed, collections_path, tmp_path, how):
    project = tmp_path / 'my-playbooks'
    project.mkdir()
    extra = {}
    if how == 'copied into the project':
        # The template a user adapts: extensions/molecule of the installed copy becomes their molecule/.
        subprocess.run(['cp', '-r', str(installed / 'extensions' / 'molecule'), str(project / 'molecule')], check=True)
    else:
        extra['MOLECULE_GLOB'] = str(installed / 'extensions' / 'molecule' / '*' / 'molecule.yml')
    env = user_env(user_venv, collections_path, tmp_path, **extra)
    result = run(['molecule', 'test', '-s', 'integration_simulator'], project, env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert re.search(r'integration_simulator\s*: actions=7\s+successful=7\s.*failed=0', output), output[-3000:]
    # The collection came from the installed copy on ANSIBLE_COLLECTIONS_PATH: create linked no source tree.
    link = output.index('TASK [Link the collection under test]')
    assert output.index('skipping: [localhost]', link) < output.index('TASK [', link + 1)


VMWARE_ONLY = '''\
- name: A playbook written for vCenter, run against the simulator; the connection comes from VMWARE_*
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Upload an ISO into an item found (or created) by name
      vsphere.content_library.library_item_upload:
        library_name: local-lib
        item_name: from-ci
        src: "{{ playbook_dir }}/from-ci.iso"
      register: uploaded

    - name: Read it back with its files
      vsphere.content_library.library_item_info:
        library_name: local-lib
        item_name: from-ci
        files: true
      register: listed

    - name: Save what the modules said
      ansible.builtin.copy:
        content: "{{ {'changed': uploaded.changed, 'items': listed.library_items} | to_json }}"
        dest: "{{ playbook_dir }}/result.json"
        mode: "0600"
'''


def test_a_playbook_with_only_the_vmware_variables_through_run(user_venv, collections_path, tmp_path):
    (tmp_path / 'from-ci.iso').write_bytes(b'an iso from CI\n' * 4096)
    (tmp_path / 'site.yml').write_text(VMWARE_ONLY)
    env = user_env(user_venv, collections_path, tmp_path)
    result = run(['vsphere-content-simulator', 'run', '--log-level', 'warning', '--', 'ansible-playbook', 'site.yml'], tmp_path, env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    saved = json.loads((tmp_path / 'result.json').read_text())
    assert saved['changed'] is True
    [item] = saved['items']
    assert item['name'] == 'from-ci' and [(f['name'], f['size']) for f in item['files']] == [('from-ci.iso', 15 * 4096)]


SEED = '''\
libraries:
  - name: team-isos
    description: ISOs of the platform team
    id: 0b9d4a6e-3c2f-4e1a-9b8c-7d6e5f4a3b2c
  - name: vendor-mirror
    type: SUBSCRIBED
items:
  - name: photon-5
    library: team-isos
    type: iso
    description: Photon OS 5
    files:
      - {name: photon.iso, src: content/photon.iso}
  - name: scratch
    library: team-isos
    type: iso
    files:
      - {name: scratch.img, size: 3000000}
  - name: vendor-appliance
    library: vendor-mirror
    type: ovf
    id: 5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716
    files:
      - {name: appliance.ovf, src: content/appliance.ovf}
      - {name: appliance-disk1.vmdk, size: 200000}
'''

APPLIANCE_OVF = b'''<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <References>
    <File ovf:href="appliance-disk1.vmdk" ovf:id="file1"/>
  </References>
</Envelope>
'''

LIST_SEEDED = '''\
- name: What the seeded vCenter holds
  hosts: localhost
  gather_facts: false
  tasks:
    - name: List each library's items with their files
      vsphere.content_library.library_item_info:
        library_name: "{{ item }}"
        files: true
      loop: [team-isos, vendor-mirror]
      register: listed

    - name: Download the ISO
      vsphere.content_library.library_item_download:
        library_name: team-isos
        item_name: photon-5
        dest: "{{ playbook_dir }}/downloaded"

    - name: Export the OVF template as an OVA
      vsphere.content_library.library_item_download:
        library_name: vendor-mirror
        item_name: vendor-appliance
        format: ova
        dest: "{{ playbook_dir }}/appliance.ova"

    - name: Save what the modules said
      ansible.builtin.copy:
        content: "{{ listed.results | map(attribute='library_items') | list | to_json }}"
        dest: "{{ playbook_dir }}/result.json"
        mode: "0600"
'''


def test_a_seeded_world_is_listed_by_library_item_info(user_venv, collections_path, tmp_path):
    (tmp_path / 'content').mkdir()
    photon = b'photon iso bytes\n' * 10000
    (tmp_path / 'content' / 'photon.iso').write_bytes(photon)
    (tmp_path / 'content' / 'appliance.ovf').write_bytes(APPLIANCE_OVF)
    (tmp_path / 'seed.yml').write_text(SEED)
    (tmp_path / 'list.yml').write_text(LIST_SEEDED)
    env = user_env(user_venv, collections_path, tmp_path)
    result = run(['vsphere-content-simulator', 'run', '--seed', 'seed.yml', '--log-level', 'warning', '--', 'ansible-playbook', 'list.yml'], tmp_path, env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    team, vendor = json.loads((tmp_path / 'result.json').read_text())
    expected = [('photon-5', 'iso', 'Photon OS 5'), ('scratch', 'iso', '')]
    assert [(i['name'], i['type'], i['description']) for i in team] == expected
    assert {i['library_id'] for i in team} == {'0b9d4a6e-3c2f-4e1a-9b8c-7d6e5f4a3b2c'}
    assert [(f['name'], f['size']) for f in team[0]['files']] == [('photon.iso', len(photon))]
    assert [(f['name'], f['size']) for f in team[1]['files']] == [('scratch.img', 3000000)]
    [appliance] = vendor
    assert (appliance['id'], appliance['type']) == ('5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716', 'ovf')
    assert [f['name'] for f in appliance['files']] == ['appliance.ovf', 'appliance-disk1.vmdk']
    # The seeded files are real item files: downloaded byte for byte, the OVF one as an OVA.
    assert (tmp_path / 'downloaded' / 'photon.iso').read_bytes() == photon
    with tarfile.open(tmp_path / 'appliance.ova') as ova:
        # The descriptor first, its disk, and the manifest the module writes.
        assert ova.getnames() == ['appliance.ovf', 'appliance-disk1.vmdk', 'appliance.mf']
        assert ova.extractfile('appliance.ovf').read() == APPLIANCE_OVF


@pytest.mark.parametrize(
    'text, line, reason',
    [
        ('libraries:\n  - name: team-isos\n    type: PUBLISHED\n', 3, 'libraries[0].type: must be LOCAL or SUBSCRIBED, not PUBLISHED'),
        ('items:\n  - name: photon-5\n    library: team-isos\n', 3, 'items[0].library: no library named team-isos'),
        (
            'libraries:\n  - name: a\nitems:\n  - name: x\n    library: a\n    files:\n      - {name: x.iso, src: nowhere.iso}\n',
            7,
            'items[0].files[0].src: cannot read',
        ),
        ('libraries: [\n  {name: a}\n', 3, 'not valid YAML'),
    ],
    ids=['type', 'library', 'src', 'syntax'],
)
def test_bad_seed_files_are_refused_with_their_line(user_venv, collections_path, tmp_path, text, line, reason):
    (tmp_path / 'seed.yml').write_text(text)
    env = user_env(user_venv, collections_path, tmp_path)
    result = run(['vsphere-content-simulator', 'run', '--seed', 'seed.yml', '--', 'ansible-playbook', 'never.yml'], tmp_path, env, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith('vsphere-content-simulator run: seed.yml:%d: ' % line), result.stderr
    assert reason in result.stderr and result.stdout == ''
    result = run(['vsphere-content-simulator', '--seed', 'seed.yml'], tmp_path, env, timeout=60)
    assert result.returncode == 2 and result.stdout == ''
    assert result.stderr.startswith('vsphere-content-simulator: seed.yml:%d: ' % line) and reason in result.stderr


TWO_VCENTERS = '''\
- name: One playbook, two vCenters
  hosts: localhost
  gather_facts: false
  vars:
    second:
      hostname: "{{ lookup('ansible.builtin.env', 'SIM2_VMWARE_HOST') }}"
      port: "{{ lookup('ansible.builtin.env', 'SIM2_VMWARE_PORT') }}"
      username: "{{ lookup('ansible.builtin.env', 'SIM2_VMWARE_USER') }}"
      password: "{{ lookup('ansible.builtin.env', 'SIM2_VMWARE_PASSWORD') }}"
      ca_path: "{{ lookup('ansible.builtin.env', 'SIM2_VMWARE_CA_PATH') }}"
  tasks:
    - name: Upload to the first vCenter (VMWARE_*, as any playbook)
      vsphere.content_library.library_item_upload:
        library_name: local-lib
        item_name: everywhere
        src: "{{ playbook_dir }}/image.iso"
      register: first

    - name: Upload to the second one (its SIM2_VMWARE_* variables)
      vsphere.content_library.library_item_upload:
        hostname: "{{ second.hostname }}"
        port: "{{ second.port }}"
        username: "{{ second.username }}"
        password: "{{ second.password }}"
        ca_path: "{{ second.ca_path }}"
        library_name: local-lib
        item_name: everywhere
        src: "{{ playbook_dir }}/image.iso"
      register: second_upload

    - name: The first vCenter has one item of that name
      vsphere.content_library.library_item_info:
        library_name: local-lib
        item_name: everywhere
      register: on_first

    - name: Save what the modules said
      ansible.builtin.copy:
        content: "{{ {'first': first.library_item.id, 'second': second_upload.library_item.id,
                      'listed_on_first': on_first.library_items | map(attribute='id') | list,
                      'changed': [first.changed, second_upload.changed]} | to_json }}"
        dest: "{{ playbook_dir }}/result.json"
        mode: "0600"
'''


def test_two_vcenters_in_one_playbook(user_venv, collections_path, tmp_path):
    (tmp_path / 'image.iso').write_bytes(b'one image, two vCenters\n' * 1000)
    (tmp_path / 'two.yml').write_text(TWO_VCENTERS)
    env = user_env(user_venv, collections_path, tmp_path)
    result = run(['vsphere-content-simulator', 'run', '--instances', '2', '--log-level', 'warning', '--', 'ansible-playbook', 'two.yml'], tmp_path, env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    saved = json.loads((tmp_path / 'result.json').read_text())
    assert saved['changed'] == [True, True]
    assert saved['first'] != saved['second']
    assert saved['listed_on_first'] == [saved['first']]
