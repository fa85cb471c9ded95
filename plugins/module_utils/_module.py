# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every module of the collection shares: connection options, login, logout, errors.

This is a private module: it is not a public API and may change at any time.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.vsphere.content_library.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    RestClient,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import ContentLibraryError, UserInputError

# Kept in step with plugins/doc_fragments/connection.py.
CONNECTION_ARGSPEC = dict(
    hostname=dict(type='str', required=True, fallback=(env_fallback, ['VMWARE_HOST'])),
    port=dict(type='int', default=443, fallback=(env_fallback, ['VMWARE_PORT'])),
    username=dict(type='str', required=True, aliases=['user'], fallback=(env_fallback, ['VMWARE_USER'])),
    password=dict(type='str', required=True, no_log=True, aliases=['pass', 'pwd'], fallback=(env_fallback, ['VMWARE_PASSWORD'])),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['VMWARE_VALIDATE_CERTS'])),
    ca_path=dict(type='path'),
    proxy_host=dict(type='str', fallback=(env_fallback, ['VMWARE_PROXY_HOST'])),
    proxy_port=dict(type='int', fallback=(env_fallback, ['VMWARE_PROXY_PORT'])),
    timeout=dict(type='int', default=60),
    api_flavor=dict(type='str', default='auto', choices=['auto', 'api', 'rest']),
)


def connection_argspec(**module_options):
    """The connection options merged with a module's own options."""
    spec = dict((name, dict(option)) for name, option in CONNECTION_ARGSPEC.items())
    spec.update(module_options)
    return spec


class ContentLibraryModule(object):
    """An AnsibleModule with a logged-in REST client and one way to end.

    ``run(handler)`` logs in, calls ``handler()`` for the result, always logs
    out, and turns the collection's errors into ``fail_json`` with a clear
    ``msg``: never a traceback, never a secret.
    """

    def __init__(self, argument_spec, check_input=None, **kwargs):
        """``check_input(params)`` may raise UserInputError: the task then fails before anything is sent."""
        kwargs.setdefault('supports_check_mode', True)
        self.module = AnsibleModule(argument_spec=connection_argspec(**argument_spec), **kwargs)
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        self.params = self.module.params
        if check_input:
            try:
                check_input(self.params)
            except UserInputError as exc:
                self.module.fail_json(msg=str(exc), **exc.to_result())
        self.check_mode = self.module.check_mode
        self.client = RestClient.from_params(self.params, check_mode=self.check_mode,
                                             register_secret=self.module.no_log_values.add)

    def diff(self, before, after):
        """Ansible's before/after diff, only when the user asked for --diff."""
        if not self.module._diff:
            return {}
        return {'diff': {'before': before, 'after': after}}

    def run(self, handler):
        """Log in, compute the result with ``handler()``, always log out, then exit or fail."""
        result = failure = None
        try:
            self.client.login()
            result = handler()
        except ContentLibraryError as exc:
            failure = dict(exc.to_result(), msg=str(exc))
        except Exception as exc:  # pylint: disable=broad-except
            # A bug of ours: still log out and say what happened; the traceback shows with -vvv.
            failure = dict(msg='Unexpected error: %s: %s' % (exc.__class__.__name__, exc), exception=traceback.format_exc())
        finally:
            warning = self.client.logout()
            self.client.close()
            if warning:
                self.module.warn(warning)
        if self.client.flavor:
            (failure or result).setdefault('api_flavor', self.client.flavor)
        if failure:
            self.module.fail_json(**failure)
        self.module.exit_json(**result)
