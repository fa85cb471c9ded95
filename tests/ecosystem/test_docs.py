# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The docs site (make docs, tools/docs.sh) builds without warnings, has a page for every module
and every guide page; every module's EXAMPLES block is YAML: a list of named tasks using FQCNs."""

from __future__ import annotations

import ast
import subprocess

import pytest
import yaml

from conftest import BIN, FQCN, MODULES, REPO, clean_env


@pytest.fixture(scope='module')
def site():
    result = subprocess.run([str(REPO / 'tools' / 'docs.sh')], env=clean_env(VENV=str(BIN.parent)), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return REPO / 'docs' / 'build' / 'html'


@pytest.mark.parametrize('module', MODULES)
def test_every_module_has_a_page(site, module):
    page = site / 'collections' / 'vsphere' / 'content_library' / ('%s_module.html' % module)
    assert page.is_file(), sorted(p.name for p in page.parent.glob('*'))
    assert '%s.%s' % (FQCN, module) in page.read_text()


def test_every_guide_page_is_in_the_site(site):
    extra = yaml.safe_load((REPO / 'docs' / 'docsite' / 'extra-docs.yml').read_text())
    pages = [page for section in extra['sections'] for page in section['toctree']]
    assert pages
    for page in pages:
        assert (site / 'collections' / 'vsphere' / 'content_library' / 'docsite' / ('%s.html' % page)).is_file(), page


def examples(module):
    tree = ast.parse((REPO / 'plugins' / 'modules' / ('%s.py' % module)).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ['EXAMPLES']:
            return ast.literal_eval(node.value)
    raise AssertionError('%s has no EXAMPLES' % module)


@pytest.mark.parametrize('module', MODULES)
def test_examples_parse_as_yaml(module):
    check_tasks(yaml.safe_load(examples(module)))


def check_tasks(tasks):
    assert isinstance(tasks, list) and tasks
    for task in tasks:
        assert isinstance(task, dict) and task.get('name'), task
        if 'block' in task:
            check_tasks(task['block'])
        else:
            assert any(key.startswith((FQCN + '.', 'ansible.builtin.')) for key in task), task
