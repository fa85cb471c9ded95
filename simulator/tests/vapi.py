# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small test client for both URL flavours, written from the reference and the spec paths.

It does not share code with the simulator's route table on purpose: it is an
independent reading of reference §1-§4. Every URL is built from the Swagger
path it names, and, when the client is given the validator (the fixtures' clients
are), every request body and response is validated against the vendored spec.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from .spec import SpecValidator

US = "/content/library/item/update-session"
REST_US = "/rest/com/vmware" + US
REST_FILE = "/rest/com/vmware/content/library/item/updatesession/file"


@dataclass
class Reply:
    """A response, with the result and the error read the same way in both flavours."""

    status: int
    body: Any
    flavor: str | None
    headers: Any = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def value(self) -> Any:
        """The result in the modern shape: unwrapped from ``{"value": ...}`` on /rest."""
        if self.flavor == "rest" and self.ok and isinstance(self.body, dict):
            return self.body["value"]
        return self.body

    @property
    def error_type(self) -> str | None:
        if self.ok or not isinstance(self.body, dict):
            return None
        if "type" in self.body:
            return self.body["type"].rsplit(".", 1)[-1]
        return self.body.get("error_type", "").lower() or None

    @property
    def messages(self) -> list[dict[str, Any]]:
        value = self.body.get("value", self.body) if isinstance(self.body, dict) else {}
        return value.get("messages", []) if isinstance(value, dict) else []

    @property
    def text(self) -> str:
        return " ".join(message["default_message"] for message in self.messages)


class Client:  # pylint: disable=too-many-public-methods
    """One user's API client in one flavour; a method per operation of reference §1-§4."""

    def __init__(self, info: dict[str, Any], flavor: str, validator: SpecValidator | None = None) -> None:
        self.info = info
        self.flavor = flavor
        self.validator = validator
        self.http = requests.Session()
        # Passed on every request: requests lets REQUESTS_CA_BUNDLE override Session.verify.
        self.verify = info["ca_cert"] or False
        self.token: str | None = None

    # Plumbing.
    def url(self, path: str) -> str:
        return self.info["url"] + path

    def raw(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> Reply:
        """A request with no spec check, for malformed or unknown calls."""
        headers = dict(kwargs.pop("headers", {}) or {})
        if auth and self.token:
            headers.setdefault("vmware-api-session-id", self.token)
        response = self.http.request(method, self.url(path), headers=headers, timeout=30, verify=self.verify, **kwargs)
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.text
        flavor = "rest" if path.startswith("/rest/") else "api" if path.startswith("/api/") else None
        return Reply(response.status_code, body, flavor, response.headers)

    # pylint: disable-next=too-many-arguments,too-many-locals
    def call(
        self,
        method: str,
        spec_path: str,
        *,
        path_params: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
        check_request: bool = True,
    ) -> Reply:
        """Call the operation the spec lists as ``method spec_path``; check both ends against the spec.

        ``check_request=False`` is for bodies that are wrong on purpose; the response is still checked.
        """
        path, spec_query = spec_path.split("?", 1) if "?" in spec_path else (spec_path, "")
        for name, value in (path_params or {}).items():
            path = path.replace("{" + name + "}", quote(value, safe=""))
        query = dict(query or {})
        if "=" in spec_query:
            key, value = spec_query.split("=", 1)
            query[key] = value
        if self.validator is not None and check_request:
            self.validator.check_request(spec_path, method, body)
        kwargs: dict[str, Any] = {"params": query, "headers": headers or {}}
        if body is not None:
            kwargs["json"] = body
        reply = self.raw(method, path, auth=auth, **kwargs)
        if self.validator is not None:
            self.validator.check_response(spec_path, method, reply.status, reply.body, self.flavor)
        return reply

    def _p(self, api: str, rest: str) -> str:
        return api if self.flavor == "api" else rest

    # Login sessions (reference §1).
    def login(self, username: str | None = None, password: str | None = None, header_authn: bool = True) -> Reply:
        username = username or self.info["username"]
        password = self.info["password"] if password is None else password
        basic = base64.b64encode(f"{username}:{password}".encode()).decode()
        headers = {"Authorization": "Basic " + basic}
        if header_authn:
            headers["vmware-use-header-authn"] = "true"
        reply = self.call("POST", self._p("/api/session", "/rest/com/vmware/cis/session"), headers=headers, auth=False)
        if reply.ok:
            self.token = reply.value
        return reply

    def session_info(self) -> Reply:
        if self.flavor == "api":
            return self.call("GET", "/api/session")
        return self.call("POST", "/rest/com/vmware/cis/session?~action=get")

    def logout(self) -> Reply:
        reply = self.call("DELETE", self._p("/api/session", "/rest/com/vmware/cis/session"))
        if reply.ok:
            self.token = None
        return reply

    # Update sessions (reference §3).
    def create_session(
        self,
        item_id: str | None,
        *,
        client_token: str | None = None,
        token_in: str = "header",
        warning_behavior: list[dict[str, Any]] | None = None,
        spec: dict[str, Any] | None = None,
    ) -> Reply:
        if spec is None:
            spec = {"library_item_id": item_id}
            if warning_behavior is not None:
                spec["warning_behavior"] = warning_behavior
        if self.flavor == "api":
            headers = {"Client-Token": client_token} if client_token and token_in == "header" else {}
            query = {"client_token": client_token} if client_token and token_in == "query" else {}
            return self.call("POST", "/api" + US, body=spec, headers=headers, query=query)
        body: dict[str, Any] = {"create_spec": spec}
        if client_token:
            body["client_token"] = client_token
        return self.call("POST", REST_US, body=body)

    def get_session(self, sid: str) -> Reply:
        return self.call("GET", self._p("/api" + US + "/{update_session_id}", REST_US + "/id:{update_session_id}"), path_params={"update_session_id": sid})

    def list_sessions(self, item_id: str | None = None) -> Reply:
        query = {"library_item_id": item_id} if item_id else {}
        return self.call("GET", self._p("/api" + US, REST_US), query=query)

    def update_session(self, sid: str, spec: dict[str, Any]) -> Reply:
        body = spec if self.flavor == "api" else {"update_spec": spec}
        return self.call(
            "PATCH", self._p("/api" + US + "/{update_session_id}", REST_US + "/id:{update_session_id}"), path_params={"update_session_id": sid}, body=body
        )

    def delete_session(self, sid: str) -> Reply:
        return self.call("DELETE", self._p("/api" + US + "/{update_session_id}", REST_US + "/id:{update_session_id}"), path_params={"update_session_id": sid})

    def action(self, sid: str, action: str, body: Any = None, check_request: bool = True) -> Reply:
        path = self._p(f"/api{US}/{{update_session_id}}?action={action}", f"{REST_US}/id:{{update_session_id}}?~action={action}")
        return self.call("POST", path, path_params={"update_session_id": sid}, body=body, check_request=check_request)

    def keep_alive(self, sid: str, progress: int | None = None) -> Reply:
        return self.action(sid, "keep-alive", None if progress is None else {"client_progress": progress})

    def cancel(self, sid: str) -> Reply:
        return self.action(sid, "cancel")

    def complete(self, sid: str) -> Reply:
        return self.action(sid, "complete")

    def fail(self, sid: str, message: str) -> Reply:
        return self.action(sid, "fail", {"client_error_message": message})

    # Update session files (reference §4).
    def add_file(self, sid: str, spec: dict[str, Any]) -> Reply:
        if self.flavor == "api":
            return self.call("POST", "/api" + US + "/{update_session_id}/file", path_params={"update_session_id": sid}, body=spec)
        return self.call("POST", REST_FILE + "/id:{update_session_id}?~action=add", path_params={"update_session_id": sid}, body={"file_spec": spec})

    def get_file(self, sid: str, name: str) -> Reply:
        if self.flavor == "api":
            return self.call("GET", "/api" + US + "/{update_session_id}/file/{file_name}", path_params={"update_session_id": sid, "file_name": name})
        return self.call("POST", REST_FILE + "/id:{update_session_id}?~action=get", path_params={"update_session_id": sid}, body={"file_name": name})

    def list_files(self, sid: str) -> Reply:
        if self.flavor == "api":
            return self.call("GET", "/api" + US + "/{update_session_id}/file", path_params={"update_session_id": sid})
        return self.call("GET", REST_FILE, query={"update_session_id": sid})

    def remove_file(self, sid: str, name: str) -> Reply:
        if self.flavor == "api":
            return self.call("DELETE", "/api" + US + "/{update_session_id}/file/{file_name}", path_params={"update_session_id": sid, "file_name": name})
        return self.call("POST", REST_FILE + "/id:{update_session_id}?~action=remove", path_params={"update_session_id": sid}, body={"file_name": name})

    def validate(self, sid: str) -> Reply:
        if self.flavor == "api":
            return self.call("POST", "/api" + US + "/{update_session_id}/file?action=validate", path_params={"update_session_id": sid})
        return self.call("POST", REST_FILE + "/id:{update_session_id}?~action=validate", path_params={"update_session_id": sid})

    def upload(self, uri: str, data: Any, *, with_session: bool = True, headers: dict[str, str] | None = None) -> Reply:
        """PUT to an upload endpoint, with or without the session header."""
        headers = dict(headers or {})
        headers.setdefault("Content-Type", "application/octet-stream")
        if with_session and self.token:
            headers["vmware-api-session-id"] = self.token
        response = self.http.put(uri, data=data, headers=headers, timeout=60, verify=self.verify)
        body = response.json() if response.content else None
        if self.validator is not None and not response.ok:
            self.validator.check_error(response.status_code, body, None)
        return Reply(response.status_code, body, None, response.headers)

    # Libraries, items, item files.
    def list_libraries(self) -> Reply:
        return self.call("GET", self._p("/api/content/library", "/rest/com/vmware/content/library"))

    def get_library(self, library_id: str) -> Reply:
        return self.call(
            "GET", self._p("/api/content/library/{library_id}", "/rest/com/vmware/content/library/id:{library_id}"), path_params={"library_id": library_id}
        )

    def find_libraries(self, spec: dict[str, Any], check_request: bool = True) -> Reply:
        if self.flavor == "api":
            return self.call("POST", "/api/content/library?action=find", body=spec, check_request=check_request)
        return self.call("POST", "/rest/com/vmware/content/library?~action=find", body={"spec": spec}, check_request=check_request)

    def find_items(self, spec: dict[str, Any], check_request: bool = True) -> Reply:
        if self.flavor == "api":
            return self.call("POST", "/api/content/library/item?action=find", body=spec, check_request=check_request)
        return self.call("POST", "/rest/com/vmware/content/library/item?~action=find", body={"spec": spec}, check_request=check_request)

    def delete_item(self, item_id: str) -> Reply:
        return self.call(
            "DELETE",
            self._p("/api/content/library/item/{library_item_id}", "/rest/com/vmware/content/library/item/id:{library_item_id}"),
            path_params={"library_item_id": item_id},
        )

    def create_library(self, spec: dict[str, Any], client_token: str | None = None) -> Reply:
        if self.flavor == "api":
            headers = {"Client-Token": client_token} if client_token else {}
            return self.call("POST", "/api/content/local-library", body=spec, headers=headers)
        body: dict[str, Any] = {"create_spec": spec}
        if client_token:
            body["client_token"] = client_token
        return self.call("POST", "/rest/com/vmware/content/local-library", body=body)

    def create_item(self, spec: dict[str, Any], client_token: str | None = None) -> Reply:
        if self.flavor == "api":
            headers = {"Client-Token": client_token} if client_token else {}
            return self.call("POST", "/api/content/library/item", body=spec, headers=headers)
        body: dict[str, Any] = {"create_spec": spec}
        if client_token:
            body["client_token"] = client_token
        return self.call("POST", "/rest/com/vmware/content/library/item", body=body)

    def get_item(self, item_id: str) -> Reply:
        return self.call(
            "GET",
            self._p("/api/content/library/item/{library_item_id}", "/rest/com/vmware/content/library/item/id:{library_item_id}"),
            path_params={"library_item_id": item_id},
        )

    def list_items(self, library_id: str) -> Reply:
        return self.call("GET", self._p("/api/content/library/item?library_id", "/rest/com/vmware/content/library/item"), query={"library_id": library_id})

    def list_item_files(self, item_id: str) -> Reply:
        if self.flavor == "api":
            return self.call("GET", "/api/content/library/item/{library_item_id}/file", path_params={"library_item_id": item_id})
        return self.call("GET", "/rest/com/vmware/content/library/item/file", query={"library_item_id": item_id})

    def get_item_file(self, item_id: str, name: str) -> Reply:
        if self.flavor == "api":
            return self.call("GET", "/api/content/library/item/{library_item_id}/file?name", path_params={"library_item_id": item_id}, query={"name": name})
        return self.call(
            "POST", "/rest/com/vmware/content/library/item/file/id:{library_item_id}?~action=get", path_params={"library_item_id": item_id}, body={"name": name}
        )


class Control:
    """The /_sim test-control API."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.base = info["control_url"]
        self.http = requests.Session()
        self.verify = info["ca_cert"] or False

    def log(self) -> list[dict[str, Any]]:
        response = self.http.get(self.base + "/log", timeout=10, verify=self.verify)
        assert response.status_code == 200
        return response.json()["entries"]

    def clear_log(self) -> None:
        assert self.http.delete(self.base + "/log", timeout=10, verify=self.verify).status_code == 204

    def stats(self) -> dict[str, Any]:
        return self.http.get(self.base + "/stats", timeout=10, verify=self.verify).json()

    def fault(self, **spec: Any) -> requests.Response:
        return self.http.post(self.base + "/faults", data=json.dumps(spec), timeout=10, verify=self.verify)

    def clear_faults(self) -> None:
        assert self.http.delete(self.base + "/faults", timeout=10, verify=self.verify).status_code == 204

    def settings(self, **changes: Any) -> dict[str, Any]:
        if changes:
            response = self.http.patch(self.base + "/settings", data=json.dumps(changes), timeout=10, verify=self.verify)
        else:
            response = self.http.get(self.base + "/settings", timeout=10, verify=self.verify)
        assert response.status_code == 200, response.text
        return response.json()

    def start_other_host(self) -> dict[str, Any]:
        response = self.http.post(self.base + "/other-host", timeout=10, verify=self.verify)
        assert response.status_code == 200, response.text
        return response.json()

    def other_host_log(self) -> list[dict[str, Any]]:
        return self.http.get(self.base + "/other-host/log", timeout=10, verify=self.verify).json()["entries"]

    def clear_other_host_log(self) -> None:
        assert self.http.delete(self.base + "/other-host/log", timeout=10, verify=self.verify).status_code == 204
