# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""docs/ee/execution-environment.yml: `ansible-builder create` makes a context that installs the
built collection, and the context's own introspection (what its builder stage runs) finds the
collection's Python dependency, requests, through meta/execution-environment.yml."""

from __future__ import annotations

import shutil
import subprocess

import yaml

from conftest import BIN, REPO, clean_env


def test_ansible_builder_context_installs_the_collection_and_names_requests(tarball, collections_path, tmp_path):
    shutil.copy(REPO / 'docs' / 'ee' / 'execution-environment.yml', tmp_path)
    shutil.copy(tarball, tmp_path)
    result = subprocess.run(
        [str(BIN / 'ansible-builder'), 'create', '-f', 'execution-environment.yml', '-c', 'context'],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    context = tmp_path / 'context'
    containerfile = (context / 'Dockerfile').read_text()
    assert 'ansible-galaxy collection install' in containerfile and 'introspect' in containerfile
    galaxy = yaml.safe_load((context / '_build' / 'requirements.yml').read_text())
    names = [c['name'] for c in galaxy['collections']]
    assert names == ['/build/collections/%s' % tarball.name], 'docs/ee/execution-environment.yml names %s' % names
    assert (context / '_build' / 'collections' / tarball.name).is_file()

    pip, bindep = tmp_path / 'pip.txt', tmp_path / 'bindep.txt'
    result = subprocess.run(
        [
            str(BIN / 'python'),
            str(context / '_build' / 'scripts' / 'introspect.py'),
            'introspect',
            '--write-pip',
            str(pip),
            '--write-bindep',
            str(bindep),
            str(collections_path),
        ],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    requirements = pip.read_text()
    assert 'requests>=2.25.0,<3  # from collection vsphere.content_library' in requirements, requirements
