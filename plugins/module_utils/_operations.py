# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The vSphere Automation API operations this collection calls, in both URL flavours.

This is a private module: it is not a public API and may change at any time.

Every operation is declared once here, with its modern (``/api``) and its legacy
(``/rest/com/vmware``) route. Modules and the client name operations, never paths.
"""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.vsphere.content_library.plugins.module_utils import _answers as answers

API = 'api'
REST = 'rest'
FLAVORS = (API, REST)


class Route:  # pylint: disable=too-few-public-methods
    """How one flavour spells an operation.

    ``path`` is a template whose ``{name}`` fields are filled from the call's
    parameters (URL-encoded). ``query`` maps query keys to parameter names,
    ``fixed_query`` holds constant query items (such as the action), ``body``
    is either the name of the parameter sent as the whole JSON body or a dict
    that maps JSON keys to parameter names, and ``headers`` maps HTTP header
    names to parameter names. Parameters that are None are left out.
    """

    __slots__ = ('method', 'path', 'query', 'fixed_query', 'body', 'headers')

    def __init__(
        self,
        method: str,
        path: str,
        query: dict[str, str] | None = None,
        fixed_query: dict[str, str] | None = None,
        body: str | dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.query = query or {}
        self.fixed_query = fixed_query or {}
        self.body = body
        self.headers = headers or {}


class Operation:
    """One API operation: its name, whether it writes, and its two routes.

    ``returns`` checks the answer's shape (see _answers). ``safe_with`` names the
    parameter that makes a write safe to send again (a create's ``client_token``):
    reads are always safe; other writes are never repeated blindly.
    """

    __slots__ = ('name', 'write', 'label', 'routes', 'returns', 'safe_with')

    def __init__(
        self, name: str, write: bool, label: str, api: Route, rest: Route, returns: Callable[[Any], Any] = answers.nothing, safe_with: str | None = None
    ) -> None:
        self.name = name
        self.write = write
        # What the client was doing, for error messages: filled from the call's parameters.
        self.label = label
        self.routes = {API: api, REST: rest}
        self.returns = returns
        self.safe_with = safe_with

    def is_safe(self, params: dict[str, Any]) -> bool:
        """Whether sending this call twice does no harm (so it may be retried)."""
        if not self.write:
            return True
        return bool(self.safe_with and params.get(self.safe_with))

    def describe(self, params: dict[str, Any]) -> str:
        """What the call does, in words, for messages: the label filled from the parameters."""
        # Fields of a spec can name the subject too (create_spec's library_item_id).
        context: dict[str, Any] = {}
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
_LIB_API = '/api/content/library'
_LIB_REST = '/rest/com/vmware/content/library'
_DS_API = '/api/content/library/item/download-session'
_DS_REST = '/rest/com/vmware/content/library/item/download-session'
# Like the update session's files, the legacy download session's files live under "downloadsession/file".
_DSF_REST = '/rest/com/vmware/content/library/item/downloadsession/file'


def _action(name: str, flavor: str) -> dict[str, str]:
    return {'action' if flavor == API else '~action': name}


def _session_actions(kind: str, api_base: str, rest_base: str, progress: str) -> list[Operation]:
    """The actions of an update or a download session: keep-alive (with its progress field), cancel, fail."""
    key = '%s_session_id' % kind
    path = '/{%s}' % key

    def action(name: str, body: dict[str, str] | None = None) -> Operation:
        return Operation(
            '%s_session.%s' % (kind, name.replace('-', '_')),
            True,
            '%s %s session {%s}' % (name, kind, key),
            api=Route('POST', api_base + path, fixed_query=_action(name, API), body=body),
            rest=Route('POST', rest_base + '/id:' + path.lstrip('/'), fixed_query=_action(name, REST), body=body),
        )

    return [action('keep-alive', body={progress: progress}), action('cancel'), action('fail', body={'client_error_message': 'client_error_message'})]


def _legacy_file_action(base: str, key: str, action: str, body: dict[str, str] | None = None) -> Route:
    """The legacy file services spell get, add, prepare, remove and validate as POST ...?~action=."""
    return Route('POST', base + '/id:{%s}' % key, fixed_query=_action(action, REST), body=body)


_OPERATIONS = [
    Operation(
        'session.create',
        False,
        'log in',
        api=Route('POST', '/api/session'),
        rest=Route('POST', '/rest/com/vmware/cis/session'),
        returns=answers.token,
    ),
    Operation(
        'session.delete',
        False,
        'log out',
        api=Route('DELETE', '/api/session'),
        rest=Route('DELETE', '/rest/com/vmware/cis/session'),
    ),
    Operation(
        'update_session.list',
        False,
        'list update sessions',
        api=Route('GET', _US_API, query={'library_item_id': 'library_item_id'}),
        rest=Route('GET', _US_REST, query={'library_item_id': 'library_item_id'}),
        returns=answers.ids,
    ),
    Operation(
        'update_session.get',
        False,
        'get update session {update_session_id}',
        api=Route('GET', _US_API + '/{update_session_id}'),
        rest=Route('GET', _US_REST + '/id:{update_session_id}'),
        returns=answers.session,
    ),
    Operation(
        'update_session.create',
        True,
        'create an update session for library item {library_item_id}',
        # The Python bindings send the token as the Client-Token header; the
        # generated Swagger's query parameter is a generator artefact.
        api=Route('POST', _US_API, body='create_spec', headers={'Client-Token': 'client_token'}),
        rest=Route('POST', _US_REST, body={'create_spec': 'create_spec', 'client_token': 'client_token'}),
        returns=answers.an_id,
        safe_with='client_token',
    ),
    Operation(
        'update_session.update',
        True,
        'update update session {update_session_id}',
        api=Route('PATCH', _US_API + '/{update_session_id}', body='update_spec'),
        rest=Route('PATCH', _US_REST + '/id:{update_session_id}', body={'update_spec': 'update_spec'}),
    ),
    Operation(
        'update_session.delete',
        True,
        'delete update session {update_session_id}',
        api=Route('DELETE', _US_API + '/{update_session_id}'),
        rest=Route('DELETE', _US_REST + '/id:{update_session_id}'),
    ),
    *_session_actions('update', _US_API, _US_REST, 'client_progress'),
    Operation(
        'update_session.complete',
        True,
        'complete update session {update_session_id}',
        api=Route('POST', _US_API + '/{update_session_id}', fixed_query=_action('complete', API)),
        rest=Route('POST', _US_REST + '/id:{update_session_id}', fixed_query=_action('complete', REST)),
    ),
    Operation(
        'file.list',
        False,
        'list the files of update session {update_session_id}',
        api=Route('GET', _US_API + '/{update_session_id}/file'),
        rest=Route('GET', _USF_REST, query={'update_session_id': 'update_session_id'}),
        returns=answers.file_infos,
    ),
    Operation(
        'file.get',
        False,
        'get file {file_name} of update session {update_session_id}',
        api=Route('GET', _US_API + '/{update_session_id}/file/{file_name}'),
        rest=_legacy_file_action(_USF_REST, 'update_session_id', 'get', body={'file_name': 'file_name'}),
        returns=answers.file_info,
    ),
    Operation(
        'file.add',
        True,
        'add a file to update session {update_session_id}',
        api=Route('POST', _US_API + '/{update_session_id}/file', body='file_spec'),
        rest=_legacy_file_action(_USF_REST, 'update_session_id', 'add', body={'file_spec': 'file_spec'}),
        returns=answers.added_file,
    ),
    Operation(
        'file.remove',
        True,
        'remove file {file_name} from update session {update_session_id}',
        api=Route('DELETE', _US_API + '/{update_session_id}/file/{file_name}'),
        rest=_legacy_file_action(_USF_REST, 'update_session_id', 'remove', body={'file_name': 'file_name'}),
    ),
    Operation(
        'file.validate',
        False,
        'validate the files of update session {update_session_id}',
        api=Route('POST', _US_API + '/{update_session_id}/file', fixed_query=_action('validate', API)),
        rest=_legacy_file_action(_USF_REST, 'update_session_id', 'validate'),
        returns=answers.validation,
    ),
    Operation(
        'item.get',
        False,
        'get library item {library_item_id}',
        api=Route('GET', _ITEM_API + '/{library_item_id}'),
        rest=Route('GET', _ITEM_REST + '/id:{library_item_id}'),
        returns=answers.item,
    ),
    Operation(
        'item_file.list',
        False,
        'list the files of library item {library_item_id}',
        api=Route('GET', _ITEM_API + '/{library_item_id}/file'),
        rest=Route('GET', _ITEM_REST + '/file', query={'library_item_id': 'library_item_id'}),
        returns=answers.item_files,
    ),
    Operation(
        'item_file.get',
        False,
        'get file {name} of library item {library_item_id}',
        api=Route('GET', _ITEM_API + '/{library_item_id}/file', query={'name': 'name'}),
        rest=Route('POST', _ITEM_REST + '/file/id:{library_item_id}', fixed_query=_action('get', REST), body={'name': 'name'}),
        returns=answers.item_file,
    ),
    Operation(
        'item.list',
        False,
        'list the items of library {library_id}',
        api=Route('GET', _ITEM_API, query={'library_id': 'library_id'}),
        rest=Route('GET', _ITEM_REST, query={'library_id': 'library_id'}),
        returns=answers.ids,
    ),
    Operation(
        'item.update',
        True,
        'update library item {library_item_id}',
        api=Route('PATCH', _ITEM_API + '/{library_item_id}', body='update_spec'),
        rest=Route('PATCH', _ITEM_REST + '/id:{library_item_id}', body={'update_spec': 'update_spec'}),
    ),
    Operation(
        'item.copy',
        True,
        'copy library item {library_item_id} into library {library_id}',
        api=Route(
            'POST', _ITEM_API + '/{library_item_id}', fixed_query=_action('copy', API), body='destination_create_spec', headers={'Client-Token': 'client_token'}
        ),
        rest=Route(
            'POST',
            _ITEM_REST + '/id:{library_item_id}',
            fixed_query=_action('copy', REST),
            body={'destination_create_spec': 'destination_create_spec', 'client_token': 'client_token'},
        ),
        returns=answers.an_id,
        safe_with='client_token',
    ),
    Operation(
        'item.find',
        False,
        'find library item {name} in library {library_id}',
        api=Route('POST', _ITEM_API, fixed_query=_action('find', API), body='find_spec'),
        rest=Route('POST', _ITEM_REST, fixed_query=_action('find', REST), body={'spec': 'find_spec'}),
        returns=answers.ids,
    ),
    Operation(
        'item.create',
        True,
        'create library item {name} in library {library_id}',
        api=Route('POST', _ITEM_API, body='create_spec', headers={'Client-Token': 'client_token'}),
        rest=Route('POST', _ITEM_REST, body={'create_spec': 'create_spec', 'client_token': 'client_token'}),
        returns=answers.an_id,
        safe_with='client_token',
    ),
    Operation(
        'item.delete',
        True,
        'delete library item {library_item_id}',
        api=Route('DELETE', _ITEM_API + '/{library_item_id}'),
        rest=Route('DELETE', _ITEM_REST + '/id:{library_item_id}'),
    ),
    Operation(
        'library.get',
        False,
        'get library {library_id}',
        api=Route('GET', _LIB_API + '/{library_id}'),
        rest=Route('GET', _LIB_REST + '/id:{library_id}'),
        returns=answers.library,
    ),
    Operation(
        'library.list',
        False,
        'list libraries',
        api=Route('GET', _LIB_API),
        rest=Route('GET', _LIB_REST),
        returns=answers.ids,
    ),
    Operation(
        'library.find',
        False,
        'find library {name}',
        api=Route('POST', _LIB_API, fixed_query=_action('find', API), body='find_spec'),
        rest=Route('POST', _LIB_REST, fixed_query=_action('find', REST), body={'spec': 'find_spec'}),
        returns=answers.ids,
    ),
    Operation(
        'download_session.create',
        True,
        'create a download session for library item {library_item_id}',
        api=Route('POST', _DS_API, body='create_spec', headers={'Client-Token': 'client_token'}),
        rest=Route('POST', _DS_REST, body={'create_spec': 'create_spec', 'client_token': 'client_token'}),
        returns=answers.an_id,
        safe_with='client_token',
    ),
    Operation(
        'download_session.list',
        False,
        'list download sessions',
        api=Route('GET', _DS_API, query={'library_item_id': 'library_item_id'}),
        rest=Route('GET', _DS_REST, query={'library_item_id': 'library_item_id'}),
        returns=answers.ids,
    ),
    Operation(
        'download_session.get',
        False,
        'get download session {download_session_id}',
        api=Route('GET', _DS_API + '/{download_session_id}'),
        rest=Route('GET', _DS_REST + '/id:{download_session_id}'),
        returns=answers.download_session,
    ),
    Operation(
        'download_session.delete',
        True,
        'delete download session {download_session_id}',
        api=Route('DELETE', _DS_API + '/{download_session_id}'),
        rest=Route('DELETE', _DS_REST + '/id:{download_session_id}'),
    ),
    *_session_actions('download', _DS_API, _DS_REST, 'progress'),
    Operation(
        'download_file.list',
        False,
        'list the files of download session {download_session_id}',
        api=Route('GET', _DS_API + '/{download_session_id}/file'),
        rest=Route('GET', _DSF_REST, query={'download_session_id': 'download_session_id'}),
        returns=answers.download_files,
    ),
    Operation(
        'download_file.get',
        False,
        'get file {file_name} of download session {download_session_id}',
        api=Route('GET', _DS_API + '/{download_session_id}/file', query={'file_name': 'file_name'}),
        rest=_legacy_file_action(_DSF_REST, 'download_session_id', 'get', body={'file_name': 'file_name'}),
        returns=answers.download_file,
    ),
    Operation(
        # Prepare starts work on vCenter but changes no content: like a read, it is sent in check mode
        # by nobody (no session exists then), and sending it twice does no harm.
        'download_file.prepare',
        False,
        'prepare file {file_name} of download session {download_session_id}',
        api=Route(
            'POST',
            _DS_API + '/{download_session_id}/file',
            fixed_query=_action('prepare', API),
            body={'file_name': 'file_name', 'endpoint_type': 'endpoint_type'},
        ),
        rest=_legacy_file_action(_DSF_REST, 'download_session_id', 'prepare', body={'file_name': 'file_name', 'endpoint_type': 'endpoint_type'}),
        returns=answers.download_file,
    ),
]

OPERATIONS = dict((op.name, op) for op in _OPERATIONS)
