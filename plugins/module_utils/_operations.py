# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The vSphere Automation API operations this collection calls, in both URL flavours.

This is a private module: it is not a public API and may change at any time.

Every operation is declared once here, with its modern (``/api``) and its legacy
(``/rest/com/vmware``) route. Modules and the client name operations, never paths.
"""

from __future__ import annotations

API = 'api'
REST = 'rest'
FLAVORS = (API, REST)


class Route:
    """How one flavour spells an operation.

    ``path`` is a template whose ``{name}`` fields are filled from the call's
    parameters (URL-encoded). ``query`` maps query keys to parameter names,
    ``fixed_query`` holds constant query items (such as the action), ``body``
    is either the name of the parameter sent as the whole JSON body or a dict
    that maps JSON keys to parameter names, and ``headers`` maps HTTP header
    names to parameter names. Parameters that are None are left out.
    """

    __slots__ = ('method', 'path', 'query', 'fixed_query', 'body', 'headers')

    def __init__(self, method, path, query=None, fixed_query=None, body=None, headers=None):
        self.method = method
        self.path = path
        self.query = query or {}
        self.fixed_query = fixed_query or {}
        self.body = body
        self.headers = headers or {}


class Operation:
    """One API operation: its name, whether it writes, and its two routes."""

    __slots__ = ('name', 'write', 'label', 'routes')

    def __init__(self, name, write, label, api, rest):
        self.name = name
        self.write = write
        # What the client was doing, for error messages: filled from the call's parameters.
        self.label = label
        self.routes = {API: api, REST: rest}

    def describe(self, params):
        # Fields of a spec can name the subject too (create_spec's library_item_id).
        context = {}
        for value in params.values():
            if isinstance(value, dict):
                context.update(value)
        context.update(params)
        try:
            return self.label.format(**context)
        except (KeyError, IndexError):
            return self.label.split(' {', 1)[0]


_US_API = '/api/content/library/item/update-session'
_US_REST = '/rest/com/vmware/content/library/item/update-session'
# The legacy file service is spelled without the hyphen, with file as its own segment.
_USF_REST = '/rest/com/vmware/content/library/item/updatesession/file'
_ITEM_API = '/api/content/library/item'
_ITEM_REST = '/rest/com/vmware/content/library/item'


def _action(name, flavor):
    return {'action' if flavor == API else '~action': name}


def _session_action(action, write=True, body=None):
    """An update session action such as cancel or keep-alive (POST with ?action=)."""
    return Operation(
        'update_session.' + action.replace('-', '_'), write, action + ' update session {update_session_id}',
        api=Route('POST', _US_API + '/{update_session_id}', fixed_query=_action(action, API), body=body),
        rest=Route('POST', _US_REST + '/id:{update_session_id}', fixed_query=_action(action, REST), body=body),
    )


def _legacy_file_action(action, body=None):
    """The legacy file service spells get, add, remove and validate as POST ...?~action=."""
    return Route('POST', _USF_REST + '/id:{update_session_id}', fixed_query=_action(action, REST), body=body)


_OPERATIONS = [
    Operation(
        'session.create', False, 'log in',
        api=Route('POST', '/api/session'),
        rest=Route('POST', '/rest/com/vmware/cis/session'),
    ),
    Operation(
        'session.delete', False, 'log out',
        api=Route('DELETE', '/api/session'),
        rest=Route('DELETE', '/rest/com/vmware/cis/session'),
    ),
    Operation(
        'update_session.list', False, 'list update sessions',
        api=Route('GET', _US_API, query={'library_item_id': 'library_item_id'}),
        rest=Route('GET', _US_REST, query={'library_item_id': 'library_item_id'}),
    ),
    Operation(
        'update_session.get', False, 'get update session {update_session_id}',
        api=Route('GET', _US_API + '/{update_session_id}'),
        rest=Route('GET', _US_REST + '/id:{update_session_id}'),
    ),
    Operation(
        'update_session.create', True, 'create an update session for library item {library_item_id}',
        # The Python bindings send the token as the Client-Token header; the
        # generated Swagger's query parameter is a generator artefact.
        api=Route('POST', _US_API, body='create_spec', headers={'Client-Token': 'client_token'}),
        rest=Route('POST', _US_REST, body={'create_spec': 'create_spec', 'client_token': 'client_token'}),
    ),
    Operation(
        'update_session.update', True, 'update update session {update_session_id}',
        api=Route('PATCH', _US_API + '/{update_session_id}', body='update_spec'),
        rest=Route('PATCH', _US_REST + '/id:{update_session_id}', body={'update_spec': 'update_spec'}),
    ),
    Operation(
        'update_session.delete', True, 'delete update session {update_session_id}',
        api=Route('DELETE', _US_API + '/{update_session_id}'),
        rest=Route('DELETE', _US_REST + '/id:{update_session_id}'),
    ),
    _session_action('keep-alive', body={'client_progress': 'client_progress'}),
    _session_action('cancel'),
    _session_action('complete'),
    _session_action('fail', body={'client_error_message': 'client_error_message'}),
    Operation(
        'file.list', False, 'list the files of update session {update_session_id}',
        api=Route('GET', _US_API + '/{update_session_id}/file'),
        rest=Route('GET', _USF_REST, query={'update_session_id': 'update_session_id'}),
    ),
    Operation(
        'file.get', False, 'get file {file_name} of update session {update_session_id}',
        api=Route('GET', _US_API + '/{update_session_id}/file/{file_name}'),
        rest=_legacy_file_action('get', body={'file_name': 'file_name'}),
    ),
    Operation(
        'file.add', True, 'add a file to update session {update_session_id}',
        api=Route('POST', _US_API + '/{update_session_id}/file', body='file_spec'),
        rest=_legacy_file_action('add', body={'file_spec': 'file_spec'}),
    ),
    Operation(
        'file.remove', True, 'remove file {file_name} from update session {update_session_id}',
        api=Route('DELETE', _US_API + '/{update_session_id}/file/{file_name}'),
        rest=_legacy_file_action('remove', body={'file_name': 'file_name'}),
    ),
    Operation(
        'file.validate', False, 'validate the files of update session {update_session_id}',
        api=Route('POST', _US_API + '/{update_session_id}/file', fixed_query=_action('validate', API)),
        rest=_legacy_file_action('validate'),
    ),
    Operation(
        'item.get', False, 'get library item {library_item_id}',
        api=Route('GET', _ITEM_API + '/{library_item_id}'),
        rest=Route('GET', _ITEM_REST + '/id:{library_item_id}'),
    ),
    Operation(
        'item_file.list', False, 'list the files of library item {library_item_id}',
        api=Route('GET', _ITEM_API + '/{library_item_id}/file'),
        rest=Route('GET', _ITEM_REST + '/file', query={'library_item_id': 'library_item_id'}),
    ),
]

OPERATIONS = dict((op.name, op) for op in _OPERATIONS)
