# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures for the ecosystem tests: the collection as users get it (the built tarball,
installed into an empty collections path) and a bundled simulator per test.

Run with the development venv: .venv/bin/python -m pytest tests/ecosystem (make ecosystem).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from vsphere_content_simulator.launcher import running_simulator

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

FQCN = 'vsphere.content_library'
MODULES = sorted(p.stem for p in (REPO / 'plugins' / 'modules').glob('*.py') if not p.name.startswith('_'))


def clean_env(**extra):
    """The environment of a user's shell: the venv's tools on PATH, no colour, and none of
    this machine's CA bundle variables (clients that must trust the simulator are told so)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_PATHS') and not k.startswith(('VMWARE_', 'SIM_'))
    }
    env['PATH'] = '%s:%s' % (BIN, env.get('PATH', '/usr/bin:/bin'))
    env['ANSIBLE_NOCOLOR'] = '1'
    env.update(extra)
    return env


@pytest.fixture(scope='session')
def tarball(tmp_path_factory):
    """The collection tarball, built by tools/build.sh as `make release` does."""
    out = tmp_path_factory.mktemp('dist')
    result = subprocess.run([str(REPO / 'tools' / 'build.sh'), str(out)], env=clean_env(VENV=str(BIN.parent)), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope='session')
def collections_path(tarball, tmp_path_factory):
    """An empty collections path with only the built tarball installed into it."""
    path = tmp_path_factory.mktemp('collections')
    subprocess.run(
        [str(BIN / 'ansible-galaxy'), 'collection', 'install', '--force', str(tarball), '-p', str(path)],
        env=clean_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    assert (path / 'ansible_collections' / 'vsphere' / 'content_library' / 'MANIFEST.json').is_file()
    return path


@pytest.fixture
def workdir(tmp_path):
    """An empty directory to run commands in, away from the source tree."""
    path = tmp_path / 'work'
    path.mkdir()
    return path


@pytest.fixture
def simulator():
    """A fresh simulator (both URL flavours) for one test: its JSON line plus 'pid'."""
    with running_simulator(['--log-level', 'warning']) as info:
        yield info


class SimControl:
    """The simulator's /_sim test-control API (plain JSON, no login)."""

    def __init__(self, info):
        self.info = info
        self.verify = info['ca_cert']

    def log(self):
        response = requests.get(self.info['control_url'] + '/log', verify=self.verify, timeout=10)
        response.raise_for_status()
        return response.json()['entries']

    def writes(self):
        return [e for e in self.log() if e['write']]

    def reset_log(self):
        requests.delete(self.info['control_url'] + '/log', verify=self.verify, timeout=10).raise_for_status()


@pytest.fixture
def sim_control(simulator):
    return SimControl(simulator)


@pytest.fixture
def sim_info_file(simulator, tmp_path):
    path = tmp_path / 'sim.json'
    path.write_text(json.dumps(simulator))
    path.chmod(0o600)
    return path
