# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""`ansible-playbook --check --diff` on every playbook in docs/ runs to its end and writes
nothing: the simulator's request log (/_sim/log) has no entry with write: true."""

from __future__ import annotations

import subprocess

import pytest

from conftest import BIN, REPO, clean_env

PLAYBOOKS = sorted(p.relative_to(REPO).as_posix() for p in (REPO / 'docs').glob('*.yml'))


@pytest.mark.parametrize('playbook', PLAYBOOKS)
def test_check_mode_writes_nothing(playbook, simulator, sim_control, sim_info_file, collections_path, workdir):
    sim_control.reset_log()
    env = clean_env(ANSIBLE_COLLECTIONS_PATH=str(collections_path), SIM_INFO=str(sim_info_file))
    result = subprocess.run(
        [str(BIN / 'ansible-playbook'), '--check', '--diff', str(REPO / playbook)], cwd=workdir, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr
    assert 'PLAY RECAP' in result.stdout and 'failed=0' in result.stdout
    writes = ['%(method)s %(path)s %(operation)s -> %(status)s' % e for e in sim_control.writes()]
    assert writes == [], writes
    assert simulator['password'] not in result.stdout + result.stderr
