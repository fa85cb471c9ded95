# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The command test_doc_examples.py runs under `vsphere-content-simulator run -- python driver.py PLAN`.

It gets the simulator from the variables `run` exports (SIM_INFO, VMWARE_*), prepares what the
page's examples expect of a vCenter (local libraries by name, on this simulator and on a second one
the test started for copies; the CA bundle the examples' ca_path names, with both simulators' CAs),
writes the examples' variables, and runs each step's playbook with ansible-playbook, each example
twice, in the page's order. It stops at the first failed run: later examples of a page build on
earlier ones. Each run's exit status, output and per-task outcomes (doc_examples/callback/recorder.py) go to
the plan's results file.
"""

from __future__ import annotations

import json
import os
import string
import subprocess
import sys
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ANSIBLE_PLAYBOOK = str(Path(sys.executable).parent / 'ansible-playbook')


def create_libraries(url, username, password, ca_cert, names):
    """Local libraries by name, as a vCenter administrator would have made them."""
    session = requests.Session()
    session.trust_env = False
    login = session.post(url + '/api/session', auth=(username, password), verify=ca_cert, timeout=30)
    login.raise_for_status()
    headers = {'vmware-api-session-id': login.json()}
    for name in names:
        made = session.post(url + '/api/content/local-library', json={'name': name}, headers=headers, verify=ca_cert, timeout=30)
        made.raise_for_status()
    session.delete(url + '/api/session', headers=headers, verify=ca_cert, timeout=30)


def run_playbook(playbook, vars_file, workdir, record):
    env = dict(
        os.environ,
        DOC_EXAMPLES_RECORD=record,
        ANSIBLE_CALLBACK_PLUGINS=str(HERE / 'callback'),
        ANSIBLE_CALLBACKS_ENABLED='recorder',
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_FORCE_COLOR='0',
        ANSIBLE_LOCALHOST_WARNING='false',
        ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
        ANSIBLE_RETRY_FILES_ENABLED='false',
        HOME=workdir,
        ANSIBLE_LOCAL_TEMP=os.path.join(workdir, '.ansible', 'tmp'),
        ANSIBLE_ASYNC_DIR=os.path.join(workdir, '.ansible_async'),
    )
    started = time.monotonic()
    done = subprocess.run(
        [ANSIBLE_PLAYBOOK, '-e', '@' + vars_file, playbook],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    records = []
    if os.path.exists(record):
        with open(record, encoding='utf-8') as recorded:
            records = json.load(recorded)
    return {
        'rc': done.returncode,
        'stdout': done.stdout[-12000:],
        'stderr': done.stderr[-4000:],
        'records': records,
        'seconds': round(time.monotonic() - started, 1),
    }


def main(plan_path):
    with open(plan_path, encoding='utf-8') as plan_file:
        plan = json.load(plan_file)
    with open(os.environ['SIM_INFO'], encoding='utf-8') as info_file:
        info = json.load(info_file)
    workdir = plan['workdir']
    create_libraries(info['url'], info['username'], info['password'], info['ca_cert'], plan['libraries'])
    other = plan.get('other')
    cas = [info['ca_cert']]
    if other:
        create_libraries(other['url'], other['username'], other['password'], other['ca_cert'], other['libraries'])
        cas.append(other['ca_cert'])
    # One PEM bundle with every simulator's CA: a private CA's bundle, as the examples' ca_path names it.
    Path(plan['ca_bundle']).parent.mkdir(parents=True, exist_ok=True)
    Path(plan['ca_bundle']).write_text(''.join(Path(ca).read_text() for ca in cas))
    values = dict((name, string.Template(value).substitute(os.environ)) for name, value in plan['vars'].items())
    vars_file = os.path.join(workdir, 'example-vars.json')
    with open(os.open(vars_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w', encoding='utf-8') as out:
        json.dump(values, out)
    results = []
    for step in plan['steps']:
        for number in range(1, step['runs'] + 1):
            record = os.path.join(workdir, 'record-%s-%d.json' % (step['slug'], number))
            result = run_playbook(step['playbook'], vars_file, workdir, record)
            results.append(dict(result, id=step['id'], run=number))
            if result['rc'] != 0:
                break
        if results and results[-1]['rc'] != 0:
            break
    with open(plan['results'], 'w', encoding='utf-8') as out:
        json.dump(results, out)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
