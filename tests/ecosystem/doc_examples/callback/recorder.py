# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A callback of test_doc_examples.py: each task's outcome, as JSON, into the file $DOC_EXAMPLES_RECORD."""

from __future__ import annotations

DOCUMENTATION = '''
name: recorder
type: aggregate
short_description: Record each task's outcome for tests/ecosystem/test_doc_examples.py
description:
  - Writes one JSON list, an entry per task result (name, action, ok/failed/skipped, changed), to the file
    named by the environment variable C(DOC_EXAMPLES_RECORD) at the end of the run.
'''

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'recorder'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = []

    def _record(self, result, outcome):
        task = result._task  # pylint: disable=protected-access
        answer = result._result  # pylint: disable=protected-access
        self.records.append(
            {
                'task': task.get_name(),
                'action': task.action,
                'outcome': outcome,
                'changed': bool(answer.get('changed')),
                'ignored': bool(task.ignore_errors),
                'msg': str(answer.get('msg', ''))[:3000],
            }
        )

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        with open(os.environ['DOC_EXAMPLES_RECORD'], 'w', encoding='utf-8') as record:
            json.dump(self.records, record)
