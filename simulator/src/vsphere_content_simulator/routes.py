# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every operation the simulator serves, declared once for both URL flavours.

Paths use the Swagger files' notation: ``{name}`` is a path parameter,
``?action=NAME`` / ``?~action=NAME`` a required action, and ``?name`` a query
parameter whose presence selects the operation. Each flavour's Route says where
the operation's parameters come from (flavors.collect_params); ``params``
validates them, under the same names in both flavours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from vsphere_content_simulator.downloads import DOWNLOAD_PREFIX
from vsphere_content_simulator.flavors import FIELDS
from vsphere_content_simulator.handlers import auth, downloads, files, items, library, update_sessions
from vsphere_content_simulator.schema import (
    FILE_ADD_SPEC,
    ITEM_FIND_SPEC,
    ITEM_MODEL,
    LIBRARY_FIND_SPEC,
    LIBRARY_MODEL,
    UPDATE_SESSION_MODEL,
    Enum,
    Int,
    Str,
    Struct,
    opt,
    req,
)

API_CS = "/api/content/library/item/update-session"
REST_CS = "/rest/com/vmware/content/library/item/update-session"
API_FILE = API_CS + "/{update_session_id}/file"
REST_FILE = "/rest/com/vmware/content/library/item/updatesession/file"


@dataclass(frozen=True)
class Route:
    """How one flavour spells an operation: method, path, and where its parameters are."""

    method: str
    path: str
    # None: no body; FIELDS: the body's fields are parameters; a name: the whole body is that parameter.
    body: str | None = None
    query: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    # Query parameters that are integers (the query string only has text).
    ints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operation:  # pylint: disable=too-many-instance-attributes
    """One API operation: its log name, handler, parameter types and routes in each flavour."""

    name: str
    handler: Callable[..., Awaitable[Any]]
    params: Struct
    api: Route | None = None
    rest: Route | None = None
    # For the flavour-less upload endpoint.
    raw: Route | None = None
    # Other /rest spellings: the vSphere 6.x action forms (see legacy_action).
    compat: tuple[Route, ...] = ()
    write: bool = False
    # "session": a login session is required; "basic": the login itself; "handler": the handler decides.
    auth: str = "session"
    # /api answers 201 rather than 200.
    created: bool = False

    def route(self, flavor: str | None) -> Route | None:
        return {"api": self.api, "rest": self.rest}.get(flavor or "", self.raw)


def legacy_action(base: str, action: str, *query: str, ints: tuple[str, ...] = ()) -> tuple[Route, ...]:
    """The vSphere 6.x form of a /rest operation: ``POST <service>?~action=NAME``, every parameter in the
    JSON body or, for the scalar ones, in the query string (reference §3, §7)."""
    return (Route("POST", f"{base}?~action={action}", body=FIELDS, query=query, ints=ints),)


SID = {"update_session_id": req(Str())}
NO_PARAMS = Struct()

OPERATIONS: tuple[Operation, ...] = (
    # API login sessions (reference §1).
    Operation(
        "session.create",
        auth.login,
        NO_PARAMS,
        auth="basic",
        created=True,
        api=Route("POST", "/api/session"),
        rest=Route("POST", "/rest/com/vmware/cis/session"),
    ),
    Operation("session.get", auth.info, NO_PARAMS, api=Route("GET", "/api/session"), rest=Route("POST", "/rest/com/vmware/cis/session?~action=get")),
    Operation("session.delete", auth.logout, NO_PARAMS, api=Route("DELETE", "/api/session"), rest=Route("DELETE", "/rest/com/vmware/cis/session")),
    # Update sessions (reference §3).
    Operation(
        "update_session.create",
        update_sessions.create,
        write=True,
        created=True,
        params=Struct(create_spec=req(UPDATE_SESSION_MODEL), client_token=opt(Str())),
        api=Route("POST", API_CS, body="create_spec", query=("client_token",), headers=(("Client-Token", "client_token"),)),
        rest=Route("POST", REST_CS, body=FIELDS),
        compat=legacy_action(REST_CS, "create", "client_token"),
    ),
    Operation(
        "update_session.list",
        update_sessions.list_,
        Struct(library_item_id=opt(Str())),
        api=Route("GET", API_CS, query=("library_item_id",)),
        rest=Route("GET", REST_CS, query=("library_item_id",)),
        compat=legacy_action(REST_CS, "list", "library_item_id"),
    ),
    Operation(
        "update_session.get",
        update_sessions.get,
        Struct(**SID),
        api=Route("GET", API_CS + "/{update_session_id}"),
        rest=Route("GET", REST_CS + "/id:{update_session_id}"),
        compat=legacy_action(REST_CS, "get", "update_session_id"),
    ),
    Operation(
        "update_session.update",
        update_sessions.update,
        write=True,
        params=Struct(**SID, update_spec=req(UPDATE_SESSION_MODEL)),
        api=Route("PATCH", API_CS + "/{update_session_id}", body="update_spec"),
        rest=Route("PATCH", REST_CS + "/id:{update_session_id}", body=FIELDS),
        compat=legacy_action(REST_CS, "update", "update_session_id"),
    ),
    Operation(
        "update_session.delete",
        update_sessions.delete,
        Struct(**SID),
        write=True,
        api=Route("DELETE", API_CS + "/{update_session_id}"),
        rest=Route("DELETE", REST_CS + "/id:{update_session_id}"),
        compat=legacy_action(REST_CS, "delete", "update_session_id"),
    ),
    Operation(
        "update_session.keep_alive",
        update_sessions.keep_alive,
        write=True,
        params=Struct(**SID, client_progress=opt(Int(minimum=0, maximum=100))),
        api=Route("POST", API_CS + "/{update_session_id}?action=keep-alive", body=FIELDS),
        rest=Route("POST", REST_CS + "/id:{update_session_id}?~action=keep-alive", body=FIELDS),
        compat=legacy_action(REST_CS, "keep-alive", "update_session_id", "client_progress", ints=("client_progress",)),
    ),
    Operation(
        "update_session.cancel",
        update_sessions.cancel,
        Struct(**SID),
        write=True,
        api=Route("POST", API_CS + "/{update_session_id}?action=cancel"),
        rest=Route("POST", REST_CS + "/id:{update_session_id}?~action=cancel"),
        compat=legacy_action(REST_CS, "cancel", "update_session_id"),
    ),
    Operation(
        "update_session.complete",
        update_sessions.complete,
        Struct(**SID),
        write=True,
        api=Route("POST", API_CS + "/{update_session_id}?action=complete"),
        rest=Route("POST", REST_CS + "/id:{update_session_id}?~action=complete"),
        compat=legacy_action(REST_CS, "complete", "update_session_id"),
    ),
    Operation(
        "update_session.fail",
        update_sessions.fail,
        write=True,
        params=Struct(**SID, client_error_message=req(Str())),
        api=Route("POST", API_CS + "/{update_session_id}?action=fail", body=FIELDS),
        rest=Route("POST", REST_CS + "/id:{update_session_id}?~action=fail", body=FIELDS),
        compat=legacy_action(REST_CS, "fail", "update_session_id", "client_error_message"),
    ),
    # Update session files (reference §4).
    Operation(
        "file.add",
        files.add,
        write=True,
        created=True,
        params=Struct(**SID, file_spec=req(FILE_ADD_SPEC)),
        api=Route("POST", API_FILE, body="file_spec"),
        rest=Route("POST", REST_FILE + "/id:{update_session_id}?~action=add", body=FIELDS),
        compat=legacy_action(REST_FILE, "add", "update_session_id"),
    ),
    Operation(
        "file.get",
        files.get,
        Struct(**SID, file_name=req(Str())),
        api=Route("GET", API_FILE + "/{file_name}"),
        rest=Route("POST", REST_FILE + "/id:{update_session_id}?~action=get", body=FIELDS),
        compat=legacy_action(REST_FILE, "get", "update_session_id", "file_name"),
    ),
    Operation(
        "file.list",
        files.list_,
        Struct(**SID),
        api=Route("GET", API_FILE),
        rest=Route("GET", REST_FILE, query=("update_session_id",)),
        compat=legacy_action(REST_FILE, "list", "update_session_id"),
    ),
    Operation(
        "file.remove",
        files.remove,
        Struct(**SID, file_name=req(Str())),
        write=True,
        api=Route("DELETE", API_FILE + "/{file_name}"),
        rest=Route("POST", REST_FILE + "/id:{update_session_id}?~action=remove", body=FIELDS),
        compat=legacy_action(REST_FILE, "remove", "update_session_id", "file_name"),
    ),
    Operation(
        "file.validate",
        files.validate,
        Struct(**SID),
        api=Route("POST", API_FILE + "?action=validate"),
        rest=Route("POST", REST_FILE + "/id:{update_session_id}?~action=validate"),
        compat=legacy_action(REST_FILE, "validate", "update_session_id"),
    ),
    Operation(
        "file.upload",
        files.upload,
        Struct(**SID, file_name=req(Str())),
        write=True,
        auth="handler",
        raw=Route("PUT", files.UPLOAD_PREFIX + "/{update_session_id}/{file_name}"),
    ),
    # Libraries, items and item files, for tests that make their own items.
    Operation("library.list", library.library_list, NO_PARAMS, api=Route("GET", "/api/content/library"), rest=Route("GET", "/rest/com/vmware/content/library")),
    Operation(
        "library.get",
        library.library_get,
        Struct(library_id=req(Str())),
        api=Route("GET", "/api/content/library/{library_id}"),
        rest=Route("GET", "/rest/com/vmware/content/library/id:{library_id}"),
    ),
    Operation(
        "library.find",
        library.library_find,
        Struct(spec=req(LIBRARY_FIND_SPEC)),
        api=Route("POST", "/api/content/library?action=find", body="spec"),
        rest=Route("POST", "/rest/com/vmware/content/library?~action=find", body=FIELDS),
    ),
    Operation(
        "library.create",
        library.library_create,
        write=True,
        created=True,
        params=Struct(create_spec=req(LIBRARY_MODEL), client_token=opt(Str())),
        api=Route("POST", "/api/content/local-library", body="create_spec", query=("client_token",), headers=(("Client-Token", "client_token"),)),
        rest=Route("POST", "/rest/com/vmware/content/local-library", body=FIELDS),
    ),
    Operation(
        "item.create",
        library.item_create,
        write=True,
        created=True,
        params=Struct(create_spec=req(ITEM_MODEL), client_token=opt(Str())),
        api=Route("POST", "/api/content/library/item", body="create_spec", query=("client_token",), headers=(("Client-Token", "client_token"),)),
        rest=Route("POST", "/rest/com/vmware/content/library/item", body=FIELDS),
    ),
    Operation(
        "item.get",
        library.item_get,
        Struct(library_item_id=req(Str())),
        api=Route("GET", "/api/content/library/item/{library_item_id}"),
        rest=Route("GET", "/rest/com/vmware/content/library/item/id:{library_item_id}"),
    ),
    Operation(
        "item.find",
        library.item_find,
        Struct(spec=req(ITEM_FIND_SPEC)),
        api=Route("POST", "/api/content/library/item?action=find", body="spec"),
        rest=Route("POST", "/rest/com/vmware/content/library/item?~action=find", body=FIELDS),
    ),
    Operation(
        "item.delete",
        library.item_delete,
        Struct(library_item_id=req(Str())),
        write=True,
        api=Route("DELETE", "/api/content/library/item/{library_item_id}"),
        rest=Route("DELETE", "/rest/com/vmware/content/library/item/id:{library_item_id}"),
    ),
    Operation(
        "item.list",
        library.item_list,
        Struct(library_id=req(Str())),
        api=Route("GET", "/api/content/library/item", query=("library_id",)),
        rest=Route("GET", "/rest/com/vmware/content/library/item", query=("library_id",)),
    ),
    Operation(
        "item_file.list",
        library.item_file_list,
        Struct(library_item_id=req(Str())),
        api=Route("GET", "/api/content/library/item/{library_item_id}/file"),
        rest=Route("GET", "/rest/com/vmware/content/library/item/file", query=("library_item_id",)),
    ),
    Operation(
        "item_file.get",
        library.item_file_get,
        Struct(library_item_id=req(Str()), name=req(Str())),
        api=Route("GET", "/api/content/library/item/{library_item_id}/file?name", query=("name",)),
        rest=Route("POST", "/rest/com/vmware/content/library/item/file/id:{library_item_id}?~action=get", body=FIELDS),
    ),
)

# Download sessions, their files and the download endpoint (download reference §1); item update and copy (§6).
API_DS = "/api/content/library/item/download-session"
REST_DS = "/rest/com/vmware/content/library/item/download-session"
API_DS_FILE = API_DS + "/{download_session_id}/file"
REST_DS_FILE = "/rest/com/vmware/content/library/item/downloadsession/file"
DSID = {"download_session_id": req(Str())}

OPERATIONS += (
    Operation(
        "download_session.create",
        downloads.create,
        write=True,
        created=True,
        params=Struct(create_spec=req(Struct(library_item_id=opt(Str()))), client_token=opt(Str())),
        api=Route("POST", API_DS, body="create_spec", query=("client_token",), headers=(("Client-Token", "client_token"),)),
        rest=Route("POST", REST_DS, body=FIELDS),
        compat=legacy_action(REST_DS, "create", "client_token"),
    ),
    Operation(
        "download_session.list",
        downloads.list_,
        Struct(library_item_id=opt(Str())),
        api=Route("GET", API_DS, query=("library_item_id",)),
        rest=Route("GET", REST_DS, query=("library_item_id",)),
        compat=legacy_action(REST_DS, "list", "library_item_id"),
    ),
    Operation(
        "download_session.get",
        downloads.get,
        Struct(**DSID),
        api=Route("GET", API_DS + "/{download_session_id}"),
        rest=Route("GET", REST_DS + "/id:{download_session_id}"),
        compat=legacy_action(REST_DS, "get", "download_session_id"),
    ),
    Operation(
        "download_session.keep_alive",
        downloads.keep_alive,
        write=True,
        params=Struct(**DSID, progress=opt(Int(minimum=0, maximum=100))),
        api=Route("POST", API_DS + "/{download_session_id}?action=keep-alive", body=FIELDS),
        rest=Route("POST", REST_DS + "/id:{download_session_id}?~action=keep-alive", body=FIELDS),
        compat=legacy_action(REST_DS, "keep-alive", "download_session_id", "progress", ints=("progress",)),
    ),
    Operation(
        "download_session.cancel",
        downloads.cancel,
        Struct(**DSID),
        write=True,
        api=Route("POST", API_DS + "/{download_session_id}?action=cancel"),
        rest=Route("POST", REST_DS + "/id:{download_session_id}?~action=cancel"),
        compat=legacy_action(REST_DS, "cancel", "download_session_id"),
    ),
    Operation(
        "download_session.fail",
        downloads.fail,
        write=True,
        params=Struct(**DSID, client_error_message=req(Str())),
        api=Route("POST", API_DS + "/{download_session_id}?action=fail", body=FIELDS),
        rest=Route("POST", REST_DS + "/id:{download_session_id}?~action=fail", body=FIELDS),
        compat=legacy_action(REST_DS, "fail", "download_session_id", "client_error_message"),
    ),
    Operation(
        "download_session.delete",
        downloads.delete,
        Struct(**DSID),
        write=True,
        api=Route("DELETE", API_DS + "/{download_session_id}"),
        rest=Route("DELETE", REST_DS + "/id:{download_session_id}"),
        compat=legacy_action(REST_DS, "delete", "download_session_id"),
    ),
    Operation(
        "download_file.list",
        downloads.file_list,
        Struct(**DSID),
        api=Route("GET", API_DS_FILE),
        rest=Route("GET", REST_DS_FILE, query=("download_session_id",)),
        compat=legacy_action(REST_DS_FILE, "list", "download_session_id"),
    ),
    Operation(
        "download_file.get",
        downloads.file_get,
        Struct(**DSID, file_name=req(Str())),
        api=Route("GET", API_DS_FILE + "?file_name", query=("file_name",)),
        rest=Route("POST", REST_DS_FILE + "/id:{download_session_id}?~action=get", body=FIELDS),
        compat=legacy_action(REST_DS_FILE, "get", "download_session_id", "file_name"),
    ),
    Operation(
        "download_file.prepare",
        downloads.file_prepare,
        write=True,
        params=Struct(**DSID, file_name=req(Str()), endpoint_type=opt(Enum("HTTPS", "DIRECT"))),
        api=Route("POST", API_DS_FILE + "?action=prepare", body=FIELDS),
        rest=Route("POST", REST_DS_FILE + "/id:{download_session_id}?~action=prepare", body=FIELDS),
        compat=legacy_action(REST_DS_FILE, "prepare", "download_session_id", "file_name", "endpoint_type"),
    ),
    Operation(
        "file.download", downloads.download, Struct(**DSID, file_name=req(Str())), raw=Route("GET", DOWNLOAD_PREFIX + "/{download_session_id}/{file_name}")
    ),
    Operation(
        "item.update",
        items.update,
        write=True,
        params=Struct(library_item_id=req(Str()), update_spec=req(items.ITEM_UPDATE_MODEL)),
        api=Route("PATCH", "/api/content/library/item/{library_item_id}", body="update_spec"),
        rest=Route("PATCH", "/rest/com/vmware/content/library/item/id:{library_item_id}", body=FIELDS),
    ),
    Operation(
        "item.copy",
        items.copy,
        write=True,
        params=Struct(source_library_item_id=req(Str()), destination_create_spec=req(ITEM_MODEL), client_token=opt(Str())),
        api=Route(
            "POST",
            "/api/content/library/item/{source_library_item_id}?action=copy",
            body="destination_create_spec",
            query=("client_token",),
            headers=(("Client-Token", "client_token"),),
        ),
        rest=Route("POST", "/rest/com/vmware/content/library/item/id:{source_library_item_id}?~action=copy", body=FIELDS),
    ),
)
