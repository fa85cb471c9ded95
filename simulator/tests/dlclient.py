# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test client's download half: download sessions, their files, the byte endpoint, item update and copy.

Written from download-session-api.md §1 and the Swagger paths of
content-download-8.0.2-subset.json, not from the simulator's route table; every
request body and response is validated against the spec, as in vapi.py.
"""

from __future__ import annotations

import time
from typing import Any, Iterator

import pytest
import requests

from .conftest import new_item, new_session
from .vapi import Client, Reply

DS = "/content/library/item/download-session"
API_DS = "/api" + DS
REST_DS = "/rest/com/vmware" + DS
API_DS_FILE = API_DS + "/{download_session_id}/file"
REST_DS_FILE = "/rest/com/vmware/content/library/item/downloadsession/file"
SID = "download_session_id"


class DownloadClient(Client):
    """Client plus a method per download-session, file, item update and copy operation."""

    # Download sessions (download reference §1).
    def create_download(self, item_id: str | None, *, client_token: str | None = None, token_in: str = "header", spec: dict[str, Any] | None = None) -> Reply:
        spec = {"library_item_id": item_id} if spec is None else spec
        if self.flavor == "api":
            headers = {"Client-Token": client_token} if client_token and token_in == "header" else {}
            query = {"client_token": client_token} if client_token and token_in == "query" else {}
            return self.call("POST", API_DS, body=spec, headers=headers, query=query)
        body: dict[str, Any] = {"create_spec": spec}
        if client_token:
            body["client_token"] = client_token
        return self.call("POST", REST_DS, body=body)

    def get_download(self, sid: str) -> Reply:
        return self.call("GET", self._p(API_DS + "/{download_session_id}", REST_DS + "/id:{download_session_id}"), path_params={SID: sid})

    def list_downloads(self, item_id: str | None = None) -> Reply:
        return self.call("GET", self._p(API_DS, REST_DS), query={"library_item_id": item_id} if item_id else {})

    def delete_download(self, sid: str) -> Reply:
        return self.call("DELETE", self._p(API_DS + "/{download_session_id}", REST_DS + "/id:{download_session_id}"), path_params={SID: sid})

    def download_action(self, sid: str, action: str, body: Any = None, check_request: bool = True) -> Reply:
        path = self._p(f"{API_DS}/{{download_session_id}}?action={action}", f"{REST_DS}/id:{{download_session_id}}?~action={action}")
        return self.call("POST", path, path_params={SID: sid}, body=body, check_request=check_request)

    def keep_download_alive(self, sid: str, progress: int | None = None) -> Reply:
        return self.download_action(sid, "keep-alive", None if progress is None else {"progress": progress})

    def cancel_download(self, sid: str) -> Reply:
        return self.download_action(sid, "cancel")

    def fail_download(self, sid: str, message: str) -> Reply:
        return self.download_action(sid, "fail", {"client_error_message": message})

    # Download session files.
    def list_download_files(self, sid: str) -> Reply:
        if self.flavor == "api":
            return self.call("GET", API_DS_FILE, path_params={SID: sid})
        return self.call("GET", REST_DS_FILE, query={SID: sid})

    def get_download_file(self, sid: str, name: str) -> Reply:
        if self.flavor == "api":
            return self.call("GET", API_DS_FILE + "?file_name", path_params={SID: sid}, query={"file_name": name})
        return self.call("POST", REST_DS_FILE + "/id:{download_session_id}?~action=get", path_params={SID: sid}, body={"file_name": name})

    def prepare(self, sid: str, name: str, endpoint_type: str | None = None, check_request: bool = True) -> Reply:
        body = {"file_name": name}
        if endpoint_type is not None:
            body["endpoint_type"] = endpoint_type
        path = self._p(API_DS_FILE + "?action=prepare", REST_DS_FILE + "/id:{download_session_id}?~action=prepare")
        return self.call("POST", path, path_params={SID: sid}, body=body, check_request=check_request)

    def wait_for_file(self, sid: str, name: str, statuses: tuple[str, ...] = ("PREPARED", "ERROR"), limit: float = 10.0) -> dict[str, Any]:
        """Poll file get until the file's status is one of ``statuses``; its File.Info."""
        deadline = time.monotonic() + limit
        while True:
            info = self.get_download_file(sid, name).value
            if info["status"] in statuses or time.monotonic() > deadline:
                assert info["status"] in statuses, info
                return info
            time.sleep(0.05)

    def fetch(self, uri: str, *, with_session: bool = True, headers: dict[str, str] | None = None, stream: bool = False) -> requests.Response:
        """GET a download endpoint, with the login header unless told otherwise."""
        headers = dict(headers or {})
        if with_session and self.token:
            headers["vmware-api-session-id"] = self.token
        return self.http.get(uri, headers=headers, timeout=60, verify=self.verify, stream=stream)

    # Items: update and copy (download reference §6).
    def update_item(self, item_id: str, spec: dict[str, Any], check_request: bool = True) -> Reply:
        body = spec if self.flavor == "api" else {"update_spec": spec}
        return self.call(
            "PATCH",
            self._p("/api/content/library/item/{library_item_id}", "/rest/com/vmware/content/library/item/id:{library_item_id}"),
            path_params={"library_item_id": item_id},
            body=body,
            check_request=check_request,
        )

    def copy_item(self, source: str, spec: dict[str, Any], client_token: str | None = None, token_in: str = "header", check_request: bool = True) -> Reply:
        if self.flavor == "api":
            headers = {"Client-Token": client_token} if client_token and token_in == "header" else {}
            query = {"client_token": client_token} if client_token and token_in == "query" else {}
            return self.call(
                "POST",
                "/api/content/library/item/{source_library_item_id}?action=copy",
                path_params={"source_library_item_id": source},
                body=spec,
                headers=headers,
                query=query,
                check_request=check_request,
            )
        body: dict[str, Any] = {"destination_create_spec": spec}
        if client_token:
            body["client_token"] = client_token
        return self.call(
            "POST",
            "/rest/com/vmware/content/library/item/id:{source_library_item_id}?~action=copy",
            path_params={"source_library_item_id": source},
            body=body,
            check_request=check_request,
        )


def make_download_client(info: dict[str, Any], flavor: str, validator: Any, user: tuple[str, str] | None = None) -> DownloadClient:
    client = DownloadClient(info, flavor, validator)
    reply = client.login(*(user or (None, None)))
    assert reply.ok, reply.body
    return client


@pytest.fixture(name="dl")
def fixture_dl(sim: dict[str, Any], flavor: str, validator: Any) -> Iterator[DownloadClient]:
    """A logged-in DownloadClient of the shared simulator in the test's flavour."""
    client = make_download_client(sim, flavor, validator)
    yield client
    if client.token:
        client.logout()


def item_with_files(client: Client, info: dict[str, Any], files: dict[str, bytes], item_type: str = "iso") -> str:
    """A new item of local-lib holding ``files``, put in through an update session."""
    item_id = new_item(client, info, item_type)
    sid = new_session(client, item_id)
    for name, data in files.items():
        added = client.add_file(sid, {"name": name, "source_type": "PUSH", "size": len(data)})
        assert added.ok, added.body
        uploaded = client.upload(added.value["upload_endpoint"]["uri"], data)
        assert uploaded.status == 200, uploaded.body
    completed = client.complete(sid)
    assert completed.ok, completed.body
    return item_id


def new_download(client: DownloadClient, item_id: str, **kwargs: Any) -> str:
    reply = client.create_download(item_id, **kwargs)
    assert reply.ok, reply.body
    return reply.value


def prepared_uri(client: DownloadClient, sid: str, name: str) -> str:
    """Prepare a file and wait until it is PREPARED; its download URI."""
    assert client.prepare(sid, name).ok
    info = client.wait_for_file(sid, name)
    assert info["status"] == "PREPARED", info
    return info["download_endpoint"]["uri"]
