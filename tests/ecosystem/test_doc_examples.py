# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every YAML example of README.md and of the guide (docs/docsite/rst/*.rst) runs against the simulator.

Each ```yaml block of the README and each ``.. code-block:: yaml`` of the guide is an example. Each one
has a plan below (a new example without one fails ``test_every_example_has_a_plan``): either a stated
reason why it is not a playbook, or how it runs:

* ``replace``: the placeholders of a real site it names (vCenter host names, ``/etc/pki/vcenter-ca.pem``,
  ``/srv/...``), each of which must occur in it, and which become the simulator, a CA bundle that holds the
  simulators' CAs, and local files the test makes (an ISO; signed OVF templates, written by the docs' own
  ``docs/tasks/signed_ovf.yml``, and OVAs of them). Nothing of the example's own text changes otherwise.
* ``vars``: the variables it uses (``vcenter_username``...), from the simulator's credentials.
* ``libraries``: the local libraries it expects on the vCenter; ``setup``: content it expects (uploaded
  once before it, not part of the example).
* ``drop``: tasks of another collection that is not installed, with the reason.
* ``reads_only``: it changes nothing (else its first run must change something).
* ``rerun_changes``: the tasks that report a change on the second run, with the reason; every other task
  must report none.

Each guide page (and the README) runs in its own ``vsphere-content-simulator run -- python
doc_examples/driver.py PLAN``, its examples in the page's order, each example twice, with the collection
installed from the built tarball; a page with a copy between two vCenters gets a second simulator, on
127.0.0.2 and the same port as the first (two vCenters on the same port, different hosts). A block that is
a task list is wrapped in a play (``hosts: localhost``) and takes its connection from the ``VMWARE_*``
variables ``run`` exports, as the README says such tasks can.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import re
import socket
import subprocess
import tarfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from vsphere_content_simulator.launcher import running_simulator

HERE = Path(__file__).resolve().parent


def _ecosystem_conftest():
    """This directory's conftest.py, by its path: run beside tests/reliability, ``conftest`` is the other one."""
    spec = importlib.util.spec_from_file_location('ecosystem_conftest_for_doc_examples', HERE / 'conftest.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_CONFTEST = _ecosystem_conftest()
BIN, REPO, clean_env = _CONFTEST.BIN, _CONFTEST.REPO, _CONFTEST.clean_env
DRIVER = HERE / 'doc_examples' / 'driver.py'
GUIDE = REPO / 'docs' / 'docsite' / 'rst'
SOURCES = [REPO / 'README.md'] + sorted(GUIDE.glob('*.rst'))
FQCN = 'vsphere.content_library.'


# -- the examples ---------------------------------------------------------------------------------------------


def markdown_blocks(text):
    return list(re.findall(r'^```yaml\n(.*?)^```', text, re.S | re.M))


def rst_blocks(text):
    """The bodies of ``.. code-block:: yaml``: the indented lines after the directive (and its options)."""
    lines = text.splitlines()
    blocks = []
    for number, line in enumerate(lines):
        match = re.match(r'^(\s*)\.\. code-block::\s*yaml\s*$', line)
        if not match:
            continue
        indent = len(match.group(1))
        body = []
        for following in lines[number + 1 :]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            body.append(following)
        body_text = textwrap.dedent('\n'.join(body)).strip('\n')
        # Directive options (:caption: ...) come first, before the blank line.
        body_text = re.sub(r'\A(:\w[\w-]*:.*\n)+\s*\n', '', body_text)
        blocks.append(body_text + '\n')
    return blocks


def example_key(text):
    """What names an example: its first ``name:`` (a play's or a task's), else its first line."""
    match = re.search(r'^\s*-?\s*name:\s*(.+?)\s*$', text, re.M)
    return match.group(1) if match else text.strip().splitlines()[0]


def find_examples():
    examples = []
    for source in SOURCES:
        text = source.read_text()
        blocks = markdown_blocks(text) if source.suffix == '.md' else rst_blocks(text)
        for number, block in enumerate(blocks, 1):
            examples.append({'file': source.name, 'number': number, 'text': block, 'key': (source.name, example_key(block))})
    return examples


EXAMPLES = find_examples()


# -- the plans ------------------------------------------------------------------------------------------------

# A real site's names, and what stands for them here ({srv}: the test's local files, read-only; {page}: the
# page's own directory; {pki}: where the page's CA bundle goes).
SITE = {
    'vcenter.example.com': '127.0.0.1',
    'vcenter-a.example.com': '127.0.0.1',
    'vcenter-b.example.com': '127.0.0.2',
    '/etc/pki/vcenter-ca.pem': '{page}/pki/vcenter-ca.pem',
    '/srv/isos': '{srv}/isos',
    '/srv/templates': '{srv}/templates',
    '/srv/export': '{page}/export',
    'files/photon.iso': '{srv}/isos/photon-5.0-x86_64.iso',
}
CONNECTION = ('vcenter.example.com', '/etc/pki/vcenter-ca.pem')
VCENTER_VARS = {'vcenter_username': '${VMWARE_USER}', 'vcenter_password': '${VMWARE_PASSWORD}'}

REQUIREMENTS = (
    'a requirements.yml for `ansible-galaxy collection install -r`, not a playbook: test_requirements_examples installs the built tarball with it instead'
)

SEED_FILE = 'a seed file for the simulator, not a playbook: test_seed_example starts the simulator with it instead'
CI_RECIPE = (
    'a CI recipe (GitHub Actions, GitLab CI), not a playbook: it needs a CI service; its commands - install the '
    'tarball, pip install the simulator from the installed copy, run a playbook through vsphere-content-simulator '
    'run - are what test_simulator_product.py runs'
)

NEW_SESSION_EACH_RUN = (
    'a step-by-step flow opens a new update session on every run (the previous run completed '
    'and deleted its own), so the session tasks change again; the item task does not'
)

UPLOAD_SETUP = '''\
- name: Content the example expects in the library "images" (made by the test)
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The ISO item photon-5
      vsphere.content_library.library_item_upload:
        library_name: images
        item_name: photon-5
        src: "{srv}/isos/photon-5.0-x86_64.iso"

    - name: The OVF template item photon-5-ovf
      vsphere.content_library.library_item_upload:
        library_name: images
        item_name: photon-5-ovf
        src: "{srv}/templates/photon-5"
        ignore_warnings: [SELF_SIGNED_CERTIFICATE]
'''

PLANS = {
    ('README.md', '/srv/ansible/vsphere-content_library-0.1.0.tar.gz'): {'skip': REQUIREMENTS},
    ('README.md', 'Content into a library, and back out'): {
        'replace': CONNECTION + ('/srv/isos', '/srv/export'),
        'vars': VCENTER_VARS,
        'libraries': ['images'],
    },
    ('README.md', 'Remove the item and its content'): {},
    ('guide_getting_started.rst', '/srv/ansible/vsphere-content_library-0.1.0.tar.gz'): {'skip': REQUIREMENTS},
    ('guide_getting_started.rst', 'Work on update sessions'): {'replace': CONNECTION, 'vars': VCENTER_VARS, 'reads_only': True},
    ('guide_uploading.rst', 'Put content into a content library'): {
        'replace': CONNECTION + ('/srv/isos', '/srv/templates'),
        'vars': VCENTER_VARS,
        'libraries': ['images'],
    },
    ('guide_uploading.rst', 'Remove the items and their content'): {},
    ('guide_uploading.rst', 'Make sure the item exists, to know its id'): {
        'replace': ('/srv/templates',),
        'rerun_changes': {
            'Upload in the background': (
                'ansible-core reports every async launch (poll: 0) as changed, whatever the module does; the '
                "upload's own result, which async_status reads in 'Wait until it is done', reports no change"
            )
        },
    },
    ('guide_downloading.rst', 'Get content out of a content library'): {
        'replace': CONNECTION + ('/srv/export',),
        'vars': VCENTER_VARS,
        'libraries': ['images'],
        'setup': UPLOAD_SETUP,
    },
    ('guide_copying.rst', 'Copy a template from one vCenter to another'): {
        'replace': ('vcenter-a.example.com', 'vcenter-b.example.com', '/etc/pki/vcenter-ca.pem'),
        'vars': {
            'source_username': '${VMWARE_USER}',
            'source_password': '${VMWARE_PASSWORD}',
            'target_username': '{other_username}',
            'target_password': '{other_password}',
        },
        'libraries': ['images'],
        'other_libraries': ['templates'],
        'setup': UPLOAD_SETUP,
    },
    ('guide_copying.rst', 'Remove the copy from vcenter-b'): {
        'replace': ('vcenter-b.example.com', '/etc/pki/vcenter-ca.pem'),
        'vars': {'target_username': '{other_username}', 'target_password': '{other_password}'},
    },
    ('guide_update_sessions.rst', 'Make sure the item exists'): {
        'replace': ('/srv/templates',),
        'libraries': ['images'],
        'rerun_changes': dict.fromkeys(
            (
                'Open (or reuse) a session, accepting a self-signed signature',
                'Upload the manifest and the certificate, then the descriptor, then the disk',
                'Complete it, and wait until vCenter has the content',
                'Delete the finished session',
            ),
            NEW_SESSION_EACH_RUN,
        ),
    },
    ('migrating_from_vmware_vmware.rst', 'Upload an OVF template from the Ansible host'): {
        'replace': ('vcenter.example.com', '/srv/templates'),
        'vars': VCENTER_VARS,
        'libraries': ['images'],
        'drop': {
            'vmware.vmware.import_content_library_ovf': (
                "the 'before' half of a before/after comparison: vmware.vmware is another collection (with pyVmomi "
                'and the vSphere Automation SDK), not installed here and not what this test checks'
            )
        },
    },
    ('migrating_from_vmware_vmware.rst', 'Remove the template\'s item'): {'replace': ('vcenter.example.com',), 'vars': VCENTER_VARS},
    # No connection options: vsphere-content-simulator run sets the VMWARE_* variables, as the page says.
    ('guide_testing_without_vcenter.rst', 'Keep the Photon ISO in the library'): {'replace': ('files/photon.iso',), 'libraries': ['images']},
    ('guide_testing_without_vcenter.rst', 'images'): {'skip': SEED_FILE},
    # The second site's variables (SIM2_*) come from run --instances 2.
    ('guide_testing_without_vcenter.rst', 'Copy the ISO to the second site'): {'replace': ('files/photon.iso',), 'instances': 2},
    ('guide_testing_without_vcenter.rst', 'Install ansible-core, the collection and the simulator'): {'skip': CI_RECIPE},
    ('guide_testing_without_vcenter.rst', 'playbooks:'): {'skip': CI_RECIPE},
}


def plan_of(example):
    return PLANS.get(example['key'])


def example_id(example):
    return '%s#%d' % (example['file'], example['number'])


def test_every_example_has_a_plan():
    found = [example['key'] for example in EXAMPLES]
    assert len(found) == len(set(found)), 'two examples start with the same name: %s' % found
    missing = [key for key in found if key not in PLANS]
    stale = [key for key in PLANS if key not in found]
    assert not missing, 'examples without a plan in %s: %s' % (Path(__file__).name, missing)
    assert not stale, 'plans for examples the docs no longer have: %s' % stale


def test_examples_were_found():
    """A change of markup that hides the examples from this test fails it, rather than passing emptily."""
    per_file = {}
    for example in EXAMPLES:
        per_file[example['file']] = per_file.get(example['file'], 0) + 1
    for source in SOURCES:
        text = source.read_text()
        declared = text.count('```yaml') if source.suffix == '.md' else len(re.findall(r'code-block::\s*yaml', text))
        assert per_file.get(source.name, 0) == declared, (source.name, per_file)
    assert sum(per_file.values()) >= 14, per_file


# -- local files -----------------------------------------------------------------------------------------------

TEMPLATES = ('photon-5', 'photon', 'big')
SIGNED_OVF_PLAYBOOK = '''\
- name: Signed OVF templates, written by the docs' own docs/tasks/signed_ovf.yml
  hosts: localhost
  gather_facts: false
  tasks:
    - name: One template each
      ansible.builtin.include_tasks: {tasks}
      vars:
        ovf_dir: "{srv}/templates/{{{{ name }}}}"
        signer_dir: "{srv}/signers/{{{{ name }}}}"
        ovf_name: "{{{{ name }}}}"
      loop: {names}
      loop_control:
        loop_var: name
'''


def write_ova(directory, ova):
    """An OVA of an OVF template directory: the descriptor first, then the manifest, certificate and disks."""
    names = sorted(p.name for p in directory.iterdir())
    order = sorted(names, key=lambda n: (not n.endswith('.ovf'), not n.endswith('.mf'), not n.endswith('.cert'), n))
    with tarfile.open(ova, 'w', format=tarfile.USTAR_FORMAT) as archive:
        for name in order:
            archive.add(directory / name, arcname=name, recursive=False)


@pytest.fixture(scope='module')
def srv(tmp_path_factory):
    """The local files the examples name under /srv: an ISO, three signed OVF templates, and OVAs of two."""
    root = tmp_path_factory.mktemp('srv')
    (root / 'isos').mkdir()
    (root / 'isos' / 'photon-5.0-x86_64.iso').write_bytes(hashlib.sha256(b'photon').digest() * 8192)  # 256 KiB
    playbook = root / 'signed-ovf.yml'
    playbook.write_text(SIGNED_OVF_PLAYBOOK.format(tasks=REPO / 'docs' / 'tasks' / 'signed_ovf.yml', srv=root, names=json.dumps(list(TEMPLATES))))
    done = subprocess.run(
        [str(BIN / 'ansible-playbook'), str(playbook)],
        cwd=root,
        capture_output=True,
        text=True,
        env=clean_env(HOME=str(root), ANSIBLE_LOCALHOST_WARNING='false'),
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    write_ova(root / 'templates' / 'photon-5', root / 'templates' / 'photon-5.ova')
    write_ova(root / 'templates' / 'big', root / 'templates' / 'big.ova')
    return root


def ovf_files(path):
    """{name: bytes} of an OVF template directory or OVA."""
    if path.is_dir():
        return dict((p.name, p.read_bytes()) for p in path.iterdir() if p.is_file())
    with tarfile.open(path) as archive:
        return dict((m.name, archive.extractfile(m).read()) for m in archive.getmembers() if m.isfile())


def assert_signed_ovf(path):
    """A signed OVF template: a descriptor, the disks it references, a manifest with their digests, and a certificate
    file with the manifest's signature and the PEM certificate that verifies it."""
    files = ovf_files(path)
    descriptors = [name for name in files if name.endswith('.ovf')]
    assert len(descriptors) == 1, (path, sorted(files))
    base = descriptors[0][:-4]
    hrefs = re.findall(r'ovf:href="([^"]+)"', files[descriptors[0]].decode())
    assert hrefs and all(href in files for href in hrefs), (path, hrefs, sorted(files))
    assert any(href.endswith('.vmdk') for href in hrefs), (path, hrefs)
    manifest = files.get(base + '.mf', b'').decode()
    digests = dict(re.findall(r'^SHA256\((.+)\)= ([0-9a-f]{64})$', manifest, re.M))
    assert set(digests) == set([descriptors[0]] + hrefs), (path, manifest)
    for name, digest in digests.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, (path, name)
    certificate = files.get(base + '.cert', b'').decode()
    signature = re.search(r'^SHA256\(%s\)= ([0-9a-f]+)$' % re.escape(base + '.mf'), certificate, re.M)
    assert signature, (path, certificate)
    pem = re.search(r'-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----', certificate, re.S)
    assert pem, path
    # The signature line is the manifest signed with the certificate's key, as the guide says; self-signed.
    signer = x509.load_pem_x509_certificate(pem.group(0).encode())
    signer.public_key().verify(bytes.fromhex(signature.group(1)), manifest.encode(), padding.PKCS1v15(), hashes.SHA256())
    assert signer.issuer == signer.subject, path


def test_signed_ovf_examples_carry_manifest_disks_and_certificate(srv):
    """Every OVF template or OVA an example uploads, as the test provides it, is signed and complete."""
    checked = set()
    for example in EXAMPLES:
        for name in re.findall(r'/srv/templates/([\w.-]+)', example['text']):
            path = srv / 'templates' / name
            assert path.exists(), (example_id(example), path)
            assert_signed_ovf(path)
            checked.add(name)
    assert checked == {'photon-5', 'photon-5.ova', 'big.ova', 'photon'}, checked


# -- running the pages ------------------------------------------------------------------------------------------


def playbook_text(example, plan, values):
    """The example as a playbook: placeholders replaced, foreign tasks dropped, a task list wrapped in a play."""
    text = example['text']
    for placeholder in plan.get('replace', ()):
        assert placeholder in text, '%s does not name %s' % (example_id(example), placeholder)
        text = text.replace(placeholder, SITE[placeholder].format(**values))
    left = re.findall(r'/srv/\S*|/etc/pki\S*|[\w-]+\.example\.com', text)
    assert not left, '%s names %s: give it a replacement' % (example_id(example), left)
    for name in plan.get('vars', {}):
        assert re.search(r'\{\{\s*%s\s*\}\}' % name, text), '%s does not use %s' % (example_id(example), name)
    data = yaml.safe_load(text)
    assert isinstance(data, list) and data, example_id(example)
    plays = (
        data
        if all('hosts' in entry for entry in data)
        else [{'name': 'The example %s, as a play' % example_id(example), 'hosts': 'localhost', 'gather_facts': False, 'tasks': data}]
    )
    for module, _reason in plan.get('drop', {}).items():
        for play in plays:
            kept = [task for task in play['tasks'] if module not in task]
            assert len(kept) < len(play['tasks']), '%s has no %s task to drop' % (example_id(example), module)
            play['tasks'] = kept
    return yaml.safe_dump(plays, sort_keys=False, width=200)


def task_names(playbook):
    return [task['name'] for play in yaml.safe_load(playbook) for task in play['tasks']]


def free_port_on_both():
    """A port free on 127.0.0.1 and 127.0.0.2 (checked, then released; a race with another process is unlikely)."""
    for _attempt in range(20):
        with socket.socket() as first:
            first.bind(('127.0.0.2', 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(('127.0.0.1', port))
                except OSError:
                    continue
        return port
    raise AssertionError('no port free on both 127.0.0.1 and 127.0.0.2')


def run_page(name, examples, srv, collections_path, tmp_path_factory):
    """One page's examples, in order, each twice, against a simulator of their own (and a second one for copies)."""
    page = tmp_path_factory.mktemp('page-' + re.sub(r'\W', '-', name))
    (page / 'export').mkdir()
    plans = [plan_of(example) for example in examples]
    needs_other = any(plan.get('other_libraries') for plan in plans)
    simulator_flags = ['--log-level', 'warning']
    instances = max(plan.get('instances', 1) for plan in plans)
    assert not (needs_other and instances > 1), '%s: a second simulator on 127.0.0.2 and run --instances do not mix' % name
    if instances > 1:
        simulator_flags += ['--instances', str(instances)]
    started = time.monotonic()
    second = (
        running_simulator(['--log-level', 'warning', '--host', '127.0.0.2', '--port', str(free_port_on_both())]) if needs_other else contextlib.nullcontext()
    )
    with second as other:
        values = {'srv': srv, 'page': page, 'pki': page / 'pki'}
        plan = {
            'workdir': str(page),
            'ca_bundle': str(page / 'pki' / 'vcenter-ca.pem'),
            'libraries': [],
            'vars': {},
            'steps': [],
            'results': str(page / 'results.json'),
        }
        if needs_other:
            simulator_flags += ['--port', str(int(other['url'].rsplit(':', 1)[1]))]
            values.update(other_username=other['username'], other_password=other['password'])
            plan['other'] = dict(other, libraries=[])
        expected = {}
        for example, example_plan in zip(examples, plans):
            ident = example_id(example)
            slug = re.sub(r'\W', '-', ident)
            plan['libraries'] += [lib for lib in example_plan.get('libraries', []) if lib not in plan['libraries']]
            if example_plan.get('other_libraries'):
                plan['other']['libraries'] += example_plan['other_libraries']
            for var, value in example_plan.get('vars', {}).items():
                plan['vars'][var] = value.format(**values) if value.startswith('{') else value
            if example_plan.get('setup'):
                setup = page / ('setup-%s.yml' % slug)
                setup.write_text(example_plan['setup'].format(**values))
                plan['steps'].append({'id': 'setup of ' + ident, 'slug': 'setup-' + slug, 'playbook': str(setup), 'runs': 1})
            text = playbook_text(example, example_plan, values)
            path = page / ('example-%s.yml' % slug)
            path.write_text(text)
            expected[ident] = task_names(text)
            plan['steps'].append({'id': ident, 'slug': slug, 'playbook': str(path), 'runs': 2})
        plan_path = page / 'plan.json'
        plan_path.write_text(json.dumps(plan))
        plan_path.chmod(0o600)
        env = clean_env(ANSIBLE_COLLECTIONS_PATH=str(collections_path))
        done = subprocess.run(
            [str(BIN / 'vsphere-content-simulator'), 'run', *simulator_flags, '--', str(BIN / 'python'), str(DRIVER), str(plan_path)],
            cwd=page,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    results = json.loads((page / 'results.json').read_text()) if (page / 'results.json').exists() else []
    return {
        'rc': done.returncode,
        'output': done.stdout[-3000:] + done.stderr[-3000:],
        'results': results,
        'expected': expected,
        'seconds': round(time.monotonic() - started, 1),
    }


@pytest.fixture(scope='module')
def pages(request, srv, collections_path, tmp_path_factory):
    """Every page's examples, run; pages side by side (two at a time: the machine has two cores).

    Only the pages of the examples this session runs (``-k`` picks some).
    """
    wanted = set(item.callspec.params['example']['file'] for item in request.session.items if getattr(item, 'originalname', None) == 'test_example_runs_twice')
    grouped = {}
    for example in EXAMPLES:
        if 'skip' not in plan_of(example) and example['file'] in wanted:
            grouped.setdefault(example['file'], []).append(example)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = dict((name, pool.submit(run_page, name, examples, srv, collections_path, tmp_path_factory)) for name, examples in grouped.items())
        done = dict((name, future.result()) for name, future in futures.items())
    for name, page in done.items():
        runs = ', '.join('%s/%d %.1fs' % (r['id'], r['run'], r['seconds']) for r in page['results'])
        print('%s: %.1fs (%s)' % (name, page['seconds'], runs))
    return done


def describe(result):
    return 'rc=%s\n%s\n%s' % (result['rc'], result['stdout'][-6000:], result['stderr'][-2000:])


@pytest.mark.parametrize('example', EXAMPLES, ids=example_id)
def test_example_runs_twice(example, pages):
    plan = plan_of(example)
    if 'skip' in plan:
        pytest.skip(plan['skip'])
    page = pages[example['file']]
    ident = example_id(example)
    assert page['results'], 'the page did not run: %s' % page['output']
    setups = [r for r in page['results'] if r['id'] == 'setup of ' + ident]
    for setup in setups:
        assert setup['rc'] == 0, 'the setup of %s failed: %s' % (ident, describe(setup))
    runs = [r for r in page['results'] if r['id'] == ident]
    assert runs, 'not run: an earlier example of the page failed (%s)' % [(r['id'], r['run']) for r in page['results'] if r['rc'] != 0]
    names = page['expected'][ident]
    for result in runs:
        assert result['rc'] == 0, 'run %d: %s' % (result['run'], describe(result))
        outcomes = [(r['task'], r['outcome']) for r in result['records']]
        assert [task for task, _outcome in outcomes] == names, outcomes
        assert all(outcome == 'ok' for _task, outcome in outcomes), outcomes
    assert len(runs) == 2, [r['run'] for r in runs]
    first = [r['task'] for r in runs[0]['records'] if r['changed']]
    assert bool(first) != bool(plan.get('reads_only')), 'the first run changed %s' % first
    second = [r['task'] for r in runs[1]['records'] if r['changed']]
    expected = sorted(plan.get('rerun_changes', {}))
    assert sorted(second) == expected, 'the second run changed %s; expected %s\n%s' % (second, expected, runs[1]['stdout'])
    assert page['rc'] == 0, page['output']
    warnings = [
        line for result in runs for line in (result['stdout'] + result['stderr']).splitlines() if '[WARNING]' in line or '[DEPRECATION WARNING]' in line
    ]
    assert not warnings, warnings


@pytest.mark.parametrize('example', [e for e in EXAMPLES if plan_of(e) and plan_of(e).get('skip') == REQUIREMENTS], ids=example_id)
def test_requirements_examples(example, tarball, tmp_path):
    """A requirements.yml example installs the built tarball, its path put where the example's is."""
    data = yaml.safe_load(example['text'])
    assert [entry['type'] for entry in data['collections']] == ['file'], data
    text = example['text'].replace(data['collections'][0]['name'], str(tarball))
    (tmp_path / 'requirements.yml').write_text(text)
    done = subprocess.run(
        [str(BIN / 'ansible-galaxy'), 'collection', 'install', '-r', 'requirements.yml', '-p', str(tmp_path / 'collections')],
        cwd=tmp_path,
        env=clean_env(HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / 'collections' / 'ansible_collections' / 'vsphere' / 'content_library' / 'MANIFEST.json').is_file()


SEED_DESCRIPTOR = '''<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <References><File ovf:href="appliance-disk1.vmdk" ovf:id="file1" ovf:size="200000"/></References>
</Envelope>
'''


def test_seed_example(tmp_path):
    """The page's seed file starts a simulator that holds its libraries and items (with the files it names beside it)."""
    (example,) = [e for e in EXAMPLES if plan_of(e) and plan_of(e).get('skip') == SEED_FILE]
    seed = tmp_path / 'tests' / 'vcenter.yml'
    (seed.parent / 'ovf').mkdir(parents=True)
    seed.write_text(example['text'])
    (seed.parent / 'notes.txt').write_text('notes of the team\n')
    (seed.parent / 'ovf' / 'appliance.ovf').write_text(SEED_DESCRIPTOR)
    with running_simulator(['--log-level', 'warning', '--seed', str(seed)]) as info:
        assert {'images', 'vendor-mirror'} <= set(info['libraries'])
        assert info['libraries']['vendor-mirror']['type'] == 'SUBSCRIBED'
        assert info['libraries']['vendor-mirror']['id'] == '2f0c6b4e-5f3a-4c1e-9d6a-0b7e8c9d1a2f'
        assert {'photon-iso', 'appliance'} <= set(info['items'])
