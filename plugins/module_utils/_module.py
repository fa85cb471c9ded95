# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The run of a module: connection options, input checks, login, the clean-up stack, logout, the result.

This is a private module: it is not a public API and may change at any time.
"""

from __future__ import annotations

import signal
import traceback
from typing import Any, Callable

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.vsphere.content_library.plugins.module_utils._cleanup import CleanupStack
from ansible_collections.vsphere.content_library.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    RestClient,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    ContentLibraryError,
    TaskInterrupted,
    UserInputError,
    with_period,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._model import PREDICTED_ID
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import check_connection, check_ids

# Kept in step with plugins/doc_fragments/connection.py. Names, aliases and environment
# variables are those of vmware.vmware and community.vmware, so their module_defaults
# and AWX's VMware credential work here unchanged.
CONNECTION_ARGSPEC: dict[str, dict[str, Any]] = dict(
    hostname=dict(type='str', required=True, fallback=(env_fallback, ['VMWARE_HOST'])),
    port=dict(type='int', fallback=(env_fallback, ['VMWARE_PORT'])),
    username=dict(type='str', required=True, aliases=['user', 'admin'], fallback=(env_fallback, ['VMWARE_USER'])),
    password=dict(type='str', required=True, no_log=True, aliases=['pass', 'pwd'], fallback=(env_fallback, ['VMWARE_PASSWORD'])),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['VMWARE_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(env_fallback, ['VMWARE_CA_PATH'])),
    proxy_host=dict(type='str', fallback=(env_fallback, ['VMWARE_PROXY_HOST'])),
    proxy_port=dict(type='int', fallback=(env_fallback, ['VMWARE_PROXY_PORT'])),
    proxy_protocol=dict(type='str', default='http', choices=['http', 'https'], aliases=['protocol']),
    timeout=dict(type='int', default=60),
    retries=dict(type='int', default=3),
    api_flavor=dict(type='str', default='auto', choices=['auto', 'api', 'rest']),
)
# The ids a failure result reports, taken from the parameters of the calls a task made.
ID_PARAMS = ('update_session_id', 'download_session_id', 'library_item_id', 'library_id')
_SIGNALS = ('SIGTERM', 'SIGINT', 'SIGHUP')


def connection_argspec(**module_options: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The connection options merged with a module's own options."""
    spec = dict((name, dict(option)) for name, option in CONNECTION_ARGSPEC.items())
    spec.update(module_options)
    return spec


class ContentLibraryModule:
    """An AnsibleModule with checked input, a REST client per vCenter and one clean-up stack.

    ``check_input(params)`` may raise UserInputError (the task then fails before anything is
    sent); it returns the normalized values the task works with (``inputs``), and leaves
    ``params`` as Ansible gave them. Every ``*_id`` option is checked here, for every module.

    ``run(handler)`` logs in, calls ``handler()`` for the result, always logs every client out,
    and turns the collection's errors into ``fail_json`` with a clear ``msg``: never a
    traceback, never a secret. When the task fails (or is stopped by SIGTERM, SIGINT or
    SIGHUP), the clean-up stack is unwound with the reason, and what it did ends the ``msg``.
    """

    def __init__(self, argument_spec: dict[str, Any], check_input: Callable[[dict[str, Any]], dict[str, Any]] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault('supports_check_mode', True)
        self.module = AnsibleModule(argument_spec=connection_argspec(**argument_spec), **kwargs)
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        self.params: dict[str, Any] = self.module.params
        self.check_mode: bool = self.module.check_mode
        self.cleanup = CleanupStack()
        self.inputs: dict[str, Any] = {}
        self._clients: list[RestClient] = []
        self._interrupted: str | None = None
        try:
            endpoint = check_connection(self.params)
            check_ids(self.params)
            if self.params.get('update_session_id') == PREDICTED_ID and not self.check_mode:
                raise UserInputError(
                    'update_session_id %s is the id that check mode predicted for a session it did not create; '
                    'outside check mode, give the id of a real update session.' % PREDICTED_ID
                )
            if check_input:
                self.inputs = check_input(self.params) or {}
        except UserInputError as exc:
            self.module.fail_json(msg=str(exc), **exc.to_result())
        self.client = self.connect(self.params, endpoint)

    def connect(self, params: dict[str, Any], endpoint: tuple[str, int], prefix: str = '') -> RestClient:
        """A client for the vCenter that ``params`` name (checked already), logged out when the run ends.

        The ids its calls touch are reported on failure under ``prefix`` + their name.
        """
        host, port = endpoint

        def touched(_name: str, call_params: dict[str, Any]) -> None:
            for key in ID_PARAMS:
                spec = call_params.get('create_spec') or call_params.get('destination_create_spec') or {}
                self.cleanup.touch(prefix + key, call_params.get(key) or spec.get(key))

        client = RestClient(
            host,
            params['username'],
            params['password'],
            port=port,
            validate_certs=params['validate_certs'],
            ca_path=params['ca_path'],
            proxy_host=params['proxy_host'],
            proxy_port=params['proxy_port'],
            proxy_protocol=params.get('proxy_protocol'),
            timeout=params['timeout'],
            retries=params['retries'],
            api_flavor=params['api_flavor'],
            check_mode=self.check_mode,
            register_secret=self.module.no_log_values.add,
            warn=self.warn,
            on_call=touched,
        )
        self._clients.append(client)
        return client

    def warn(self, text: str) -> None:
        self.module.warn(text)

    def diff(self, before: Any, after: Any) -> dict[str, Any]:
        """Ansible's before/after diff, only when the user asked for --diff."""
        if not self.module._diff:  # pylint: disable=protected-access
            return {}
        return {'diff': {'before': before, 'after': after}}

    def _on_signal(self, signum: int, _frame: Any) -> None:
        name = signal.Signals(signum).name
        if self._interrupted:
            return  # already ending: let the clean-up finish
        self._interrupted = name
        raise TaskInterrupted(name)

    def _catch_signals(self) -> None:
        for name in _SIGNALS:
            try:
                signal.signal(getattr(signal, name), self._on_signal)
            except (AttributeError, ValueError, OSError):
                pass  # not in the main thread, or not on this platform

    def run(self, handler: Callable[[], dict[str, Any]]) -> None:
        """Log in, compute the result with ``handler()``, always log out, then exit or fail."""
        result: dict[str, Any] = {}
        failure: dict[str, Any] | None = None
        self._catch_signals()
        try:
            try:
                self.client.login()
                result = handler()
            except ContentLibraryError as exc:
                failure = dict(exc.to_result(), msg=str(exc))
            except Exception as exc:  # pylint: disable=broad-except
                # A bug of ours: still clean up and say what happened; the traceback shows with -vvv.
                failure = dict(msg='Unexpected error: %s: %s' % (exc.__class__.__name__, exc), exception=traceback.format_exc())
            if failure:
                said = self.cleanup.unwind(failure['msg'])
                if said:
                    failure['msg'] = '%s %s' % (with_period(failure['msg']), ' '.join(said))
        except TaskInterrupted as exc:
            # The signal came during the clean-up itself: report it, and still log out.
            failure = failure or {}
            failure.update(exc.to_result(), msg=('%s %s' % (failure.get('msg', ''), exc)).strip())
        finally:
            self._interrupted = self._interrupted or 'exit'
            for client in reversed(self._clients):
                warning = client.logout()
                client.close()
                if warning:
                    self.module.warn(warning)
        if self.client.flavor:
            (failure or result).setdefault('api_flavor', self.client.flavor)
        if failure is not None:
            # Every failure names what it touched.
            for key, value in self.cleanup.ids.items():
                failure.setdefault(key, value)
            self.module.fail_json(**failure)
        self.module.exit_json(**result)


class ModuleTask:
    """Base of a module's run: the run, its client, its parameters and inputs, and whether it only predicts."""

    def __init__(self, module: ContentLibraryModule) -> None:
        self.module = module
        self.client = module.client
        self.params = module.params
        self.inputs = module.inputs
        self.cleanup = module.cleanup
        self.check_mode = module.check_mode
