# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every module of the collection shares: connection options, login, logout, errors.

This is a private module: it is not a public API and may change at any time.
"""

from __future__ import annotations

import signal
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.vsphere.content_library.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    RestClient,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    ApiError,
    ContentLibraryError,
    TaskInterrupted,
    UserInputError,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import PREDICTED_ID, check_connection

# Kept in step with plugins/doc_fragments/connection.py. Names, aliases and environment
# variables are those of vmware.vmware and community.vmware, so their module_defaults
# and AWX's VMware credential work here unchanged.
CONNECTION_ARGSPEC = dict(
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
_SIGNALS = ('SIGTERM', 'SIGINT', 'SIGHUP')


def connection_argspec(**module_options):
    """The connection options merged with a module's own options."""
    spec = dict((name, dict(option)) for name, option in CONNECTION_ARGSPEC.items())
    spec.update(module_options)
    return spec


class ContentLibraryModule(object):
    """An AnsibleModule with a logged-in REST client and one way to end.

    ``run(handler)`` logs in, calls ``handler()`` for the result, always logs
    out, and turns the collection's errors into ``fail_json`` with a clear
    ``msg``: never a traceback, never a secret. When the task fails (or is
    stopped by SIGTERM or SIGINT) after it opened an update session, that
    session is failed with the reason and its id is in the result.
    """

    def __init__(self, argument_spec, check_input=None, **kwargs):
        """``check_input(params)`` may raise UserInputError: the task then fails before anything is sent."""
        kwargs.setdefault('supports_check_mode', True)
        self.module = AnsibleModule(argument_spec=connection_argspec(**argument_spec), **kwargs)
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        self.params = self.module.params
        try:
            check_connection(self.params)
            if check_input:
                check_input(self.params)
            if self.params.get('update_session_id') == PREDICTED_ID and not self.module.check_mode:
                raise UserInputError('update_session_id %s is the id that check mode predicted for a session it did not create; '
                                     'outside check mode, give the id of a real update session.' % PREDICTED_ID)
        except UserInputError as exc:
            self.module.fail_json(msg=str(exc), **exc.to_result())
        self.check_mode = self.module.check_mode
        self.client = RestClient.from_params(self.params, check_mode=self.check_mode,
                                             register_secret=self.module.no_log_values.add, warn=self.module.warn)
        self._interrupted = None

    def diff(self, before, after):
        """Ansible's before/after diff, only when the user asked for --diff."""
        if not self.module._diff:
            return {}
        return {'diff': {'before': before, 'after': after}}

    def _on_signal(self, signum, frame):
        name = signal.Signals(signum).name
        if self._interrupted:
            return  # already ending: let the clean-up finish
        self._interrupted = name
        raise TaskInterrupted(name)

    def _catch_signals(self):
        for name in _SIGNALS:
            try:
                signal.signal(getattr(signal, name), self._on_signal)
            except (AttributeError, ValueError, OSError):
                pass  # not in the main thread, or not on this platform

    def run(self, handler):
        """Log in, compute the result with ``handler()``, always log out, then exit or fail."""
        result = failure = None
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
                self._clean_up(failure)
        except TaskInterrupted as exc:
            # The signal came during the clean-up itself: report it, and still log out.
            failure = failure or {}
            failure.update(exc.to_result(), msg='%s %s' % (failure.get('msg', ''), exc).strip())
        finally:
            self._interrupted = self._interrupted or 'exit'
            warning = self.client.logout()
            self.client.close()
            if warning:
                self.module.warn(warning)
        if self.client.flavor:
            (failure or result).setdefault('api_flavor', self.client.flavor)
        if failure:
            # Every failure names what it touched.
            for key, value in self.client.ids.items():
                failure.setdefault(key, value)
            self.module.fail_json(**failure)
        self.module.exit_json(**result)

    def _clean_up(self, failure):
        """Leave no update session that this task opened ACTIVE: fail it with the reason."""
        for session_id in list(self.client.opened_sessions):
            failure['msg'] = '%s %s' % (failure['msg'].rstrip(), end_session(self.client, session_id, failure['msg']))
            failure.setdefault('update_session_id', session_id)


class ModuleTask(object):
    """Base of a module's run: the module, its client, its parameters and whether it only predicts."""

    def __init__(self, module):
        self.module = module
        self.client = module.client
        self.params = module.params
        self.check_mode = module.check_mode


def end_session(client, session_id, reason):
    """Fail an ACTIVE session with ``reason`` (cancel it if fail is refused); say what happened, in words.

    The fail is sent first, without reading the session: a read that fails (the very fault
    that ended the task, say) must not leave the session ACTIVE.
    """
    reason = ' '.join(reason.split())[:1000].rstrip('. ') or 'the task failed'
    try:
        client.call('update_session.fail', update_session_id=session_id, client_error_message=reason)
        return 'Update session %s was failed with this reason.' % session_id
    except ApiError as exc:
        if exc.status == 404:
            return 'Update session %s no longer exists.' % session_id
        first = exc
    except ContentLibraryError as exc:
        first = exc
    try:
        session = client.call('update_session.get', update_session_id=session_id)
        if session['state'] != 'ACTIVE':
            return 'Update session %s is %s.' % (session_id, session['state'])
        client.call('update_session.cancel', update_session_id=session_id)
        return 'Update session %s could not be failed (%s), so it was canceled.' % (session_id, first)
    except ContentLibraryError as exc:
        return 'Ending update session %s failed too: %s' % (session_id, exc)
