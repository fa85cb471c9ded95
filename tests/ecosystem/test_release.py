# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The built tarball: what it holds, and that ansible-doc finds every module in the installed copy."""

from __future__ import annotations

import re
import subprocess
import tarfile

import pytest

from conftest import BIN, FQCN, MODULES, REPO, clean_env

FORBIDDEN = re.compile(
    r'(^|/)(\.ansible|\.tmp|\.venv[^/]*|\.cache|\.git|__pycache__|\.pytest_cache|build|dist)(/|$)'
    r'|^tests/(output|integration|ecosystem)(/|$)|^(tools|\.ci|bench)(/|$)|\.pyc$|\.egg-info(/|$)|^Makefile$'
)


def names(tarball):
    with tarfile.open(tarball) as tar:
        return [m.name for m in tar.getmembers()]


def test_tarball_holds_license_and_changelog_and_no_build_dirs(tarball):
    members = names(tarball)
    assert 'LICENSE' in members and 'CHANGELOG.rst' in members and 'README.md' in members
    assert [m for m in members if FORBIDDEN.search(m)] == []
    for module in MODULES:
        assert 'plugins/modules/%s.py' % module in members


def test_tarball_ships_the_simulator_and_the_molecule_scenario(tarball):
    """What users pip install (simulator/: the package, its spec and tests) and run (extensions/molecule/)."""
    members = names(tarball)
    for name in (
        'simulator/pyproject.toml',
        'simulator/README.md',
        'simulator/requirements-pinned.txt',
        'simulator/requirements-test-pinned.txt',
        'simulator/src/vsphere_content_simulator/__init__.py',
        'simulator/src/vsphere_content_simulator/py.typed',
        'simulator/spec/content-8.0.2-subset.json',
        'simulator/tests/conftest.py',
        'extensions/molecule/integration_simulator/molecule.yml',
        'extensions/molecule/utils/playbooks/create.yml',
        'extensions/molecule/utils/files/seed.yml',
    ):
        assert name in members, name
    tracked = subprocess.run(['git', '-C', str(REPO), 'ls-files', 'simulator', 'extensions'], capture_output=True, text=True, check=True).stdout.split()
    assert sorted(m for m in members if m.startswith(('simulator/', 'extensions/')) and m in tracked) == sorted(tracked)
    # The spec files are most of it; a sane size, far from a venv or a cache.
    assert tarball.stat().st_size < 1024 * 1024


def test_a_build_in_a_used_checkout_leaves_caches_out(tmp_path):
    """`ansible-galaxy collection build` where pip, pytest and Python left their files (galaxy.yml's build_ignore)."""
    tree = tmp_path / 'ansible_collections' / 'vsphere' / 'content_library'
    tracked = subprocess.run(['git', '-C', str(REPO), 'ls-files', '-z'], capture_output=True, check=True).stdout
    tree.mkdir(parents=True)
    subprocess.run(['tar', '-C', str(REPO), '--null', '-T', '-', '-cf', str(tmp_path / 'tree.tar')], input=tracked, check=True)
    subprocess.run(['tar', '-C', str(tree), '-xf', str(tmp_path / 'tree.tar')], check=True)
    litter = [
        'simulator/src/vsphere_content_simulator.egg-info/PKG-INFO',
        'simulator/build/lib/x.py',
        'simulator/dist/x.whl',
        'simulator/tests/__pycache__/conftest.cpython-311.pyc',
        'simulator/src/vsphere_content_simulator/__pycache__/cli.cpython-311.pyc',
        'simulator/.pytest_cache/README.md',
        'extensions/molecule/utils/__pycache__/x.pyc',
        '.venv/bin/python',
        'bench/x.py',
        'tools/x.sh',
    ]
    for name in litter:
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text('litter\n')
    result = subprocess.run(
        [str(BIN / 'ansible-galaxy'), 'collection', 'build', '--output-path', str(tmp_path)],
        cwd=tree,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    members = names(next(tmp_path.glob('vsphere-content_library-*.tar.gz')))
    assert 'simulator/src/vsphere_content_simulator/cli.py' in members
    assert set(litter) & set(members) == set()
    assert [m for m in members if FORBIDDEN.search(m)] == []


def test_license_is_the_gpl3_text(tarball):
    with tarfile.open(tarball) as tar:
        shipped = tar.extractfile('LICENSE').read()
    assert shipped == (REPO / 'LICENSE').read_bytes()
    assert shipped.lstrip().startswith(b'GNU GENERAL PUBLIC LICENSE\n') and b'Version 3, 29 June 2007' in shipped


def test_changelog_is_rendered(tarball):
    with tarfile.open(tarball) as tar:
        text = tar.extractfile('CHANGELOG.rst').read().decode()
    assert 'vsphere.content\\_library Release Notes' in text
    assert re.search(r'^v\d+\.\d+\.\d+$', text, re.M), text[:500]


def ansible_doc(collections_path, workdir, *args):
    env = clean_env(ANSIBLE_COLLECTIONS_PATH=str(collections_path))
    return subprocess.run([str(BIN / 'ansible-doc'), *args], cwd=workdir, env=env, capture_output=True, text=True, check=False)


def test_ansible_doc_lists_every_module(collections_path, workdir):
    result = ansible_doc(collections_path, workdir, '-l', FQCN)
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    assert listed == {'%s.%s' % (FQCN, m) for m in MODULES}, result.stdout
    assert 'WARNING' not in result.stderr, result.stderr


@pytest.mark.parametrize('module', MODULES)
def test_ansible_doc_renders_module_from_installed_copy(collections_path, workdir, module):
    result = ansible_doc(collections_path, workdir, '%s.%s' % (FQCN, module))
    # ansible-doc exits 0 for a module it cannot find: judge by what it prints.
    assert result.returncode == 0 and 'was not found' not in result.stderr, result.stderr
    assert '> MODULE %s.%s' % (FQCN, module) in result.stdout or '> %s.%s' % (FQCN, module).upper() in result.stdout.upper()
    installed = str(collections_path / 'ansible_collections' / 'vsphere' / 'content_library' / 'plugins' / 'modules' / module)
    assert installed in result.stdout
    for section in ('OPTIONS', 'EXAMPLES', 'RETURN VALUES'):
        assert section in result.stdout, section
