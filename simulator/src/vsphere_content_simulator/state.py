# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""All of the simulator's state, in one Store object.

Everything runs on one asyncio event loop, so the store needs no locks: a
handler's changes between two awaits are atomic for every other request.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vsphere_content_simulator.config import Config
from vsphere_content_simulator.errors import Message, not_found

# UpdateSessionModel.State
ACTIVE = "ACTIVE"
DONE = "DONE"
ERROR = "ERROR"
CANCELED = "CANCELED"

# TransferStatus
WAITING_FOR_TRANSFER = "WAITING_FOR_TRANSFER"
TRANSFERRING = "TRANSFERRING"
READY = "READY"
VALIDATING = "VALIDATING"
FILE_ERROR = "ERROR"

LOCAL = "LOCAL"
SUBSCRIBED = "SUBSCRIBED"

# The content every simulator starts with unless --no-default-seed: (name, type) of the libraries and
# (name, library, type) of the items, which have no files. The collection's own tests rely on them.
DEFAULT_LIBRARIES = (("local-lib", LOCAL), ("subscribed-lib", SUBSCRIBED))
DEFAULT_ITEMS = (("empty-iso", "local-lib", "iso"), ("empty-ovf", "local-lib", "ovf"), ("subscribed-item", "subscribed-lib", "ovf"))
DEFAULT_DESCRIPTIONS = {LOCAL: "Local library seeded by the simulator", SUBSCRIBED: "Subscribed library seeded by the simulator"}

# The request log is for tests; a cap keeps a long-running demo from growing without end.
LOG_LIMIT = 100_000


def iso_time(timestamp: float) -> str:
    """vAPI date-time: UTC with milliseconds, e.g. 2015-01-01T22:13:05.651Z."""
    moment = datetime.fromtimestamp(timestamp, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def new_id() -> str:
    return str(uuid.uuid4())


def discard(path: str | None) -> None:
    """Delete a stored file if it is there."""
    if path:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


@dataclass
class LoginSession:
    """An API login session (reference §1), known by its token."""

    token: str
    user: str
    created: float
    last_accessed: float


@dataclass
class Library:  # pylint: disable=too-many-instance-attributes
    """A content library; to_json is its LibraryModel."""

    id: str
    name: str
    type: str
    storage_uri: str
    description: str = ""
    created: float = field(default_factory=time.time)
    modified: float = field(default_factory=time.time)
    server_guid: str = field(default_factory=new_id)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "creation_time": iso_time(self.created),
            "last_modified_time": iso_time(self.modified),
            "version": "2",
            "server_guid": self.server_guid,
            "storage_backings": [{"type": "OTHER", "storage_uri": self.storage_uri}],
        }
        if self.type == SUBSCRIBED:
            body["last_sync_time"] = iso_time(self.modified)
            body["subscription_info"] = {
                "subscription_url": "https://publisher.example.invalid/cls/vcsp/lib/" + self.id + "/lib.json",
                "authentication_method": "NONE",
                "automatic_sync_enabled": True,
                "on_demand": False,
            }
        else:
            body["publish_info"] = {"published": False, "authentication_method": "NONE", "persist_json_enabled": False}
        return body


@dataclass
class ItemFile:
    """A file of a library item as item/file shows it; ``path`` is its content on disk."""

    name: str
    size: int
    version: int
    path: str | None
    checksum_info: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "size": self.size, "cached": True, "version": str(self.version)}
        if self.checksum_info:
            body["checksum_info"] = dict(self.checksum_info)
        return body


@dataclass
class Item:  # pylint: disable=too-many-instance-attributes
    """A library item; to_json is its ItemModel."""

    id: str
    library_id: str
    name: str
    type: str
    description: str = ""
    content_version: int = 1
    metadata_version: int = 1
    files: dict[str, ItemFile] = field(default_factory=dict)
    source_id: str | None = None
    created: float = field(default_factory=time.time)
    modified: float = field(default_factory=time.time)

    @property
    def is_ovf(self) -> bool:
        return self.type.lower() == "ovf"

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "library_id": self.library_id,
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "content_version": str(self.content_version),
            "metadata_version": str(self.metadata_version),
            # Not changed by the file content (ItemModel.version).
            "version": str(self.metadata_version),
            "size": sum(item_file.size for item_file in self.files.values()),
            "cached": True,
            "creation_time": iso_time(self.created),
            "last_modified_time": iso_time(self.modified),
        }
        if self.source_id:
            body["source_id"] = self.source_id
            body["last_sync_time"] = iso_time(self.modified)
        return body


@dataclass
class SessionFile:  # pylint: disable=too-many-instance-attributes
    """A file as an update session sees it: from the item's snapshot or added to the session."""

    name: str
    source_type: str
    status: str
    keep_in_storage: bool = True
    bytes_transferred: int = 0
    expected_size: int | None = None
    received_size: int | None = None
    checksum_info: dict[str, str] | None = None
    received_checksum: dict[str, str] | None = None
    # SHA1 of the bytes received: the item file's checksum_info after completion.
    sha1: str | None = None
    source_endpoint: dict[str, str] | None = None
    upload_uri: str | None = None
    error_message: Message | None = None
    path: str | None = None
    item_file: ItemFile | None = None
    certificate: dict[str, Any] | None = None
    task: asyncio.Task | None = None

    @property
    def added(self) -> bool:
        """False for files that only come from the item's snapshot."""
        return self.item_file is None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "source_type": self.source_type,
            "status": self.status,
            "bytes_transferred": self.bytes_transferred,
            "keep_in_storage": self.keep_in_storage,
        }
        if self.status == READY and self.received_size is not None:
            body["size"] = self.received_size
        if self.received_checksum:
            body["checksum_info"] = dict(self.received_checksum)
        if self.source_endpoint:
            body["source_endpoint"] = dict(self.source_endpoint)
        if self.upload_uri:
            body["upload_endpoint"] = {"uri": self.upload_uri}
        if self.error_message is not None:
            body["error_message"] = self.error_message
        return body


@dataclass
class UpdateSession:  # pylint: disable=too-many-instance-attributes
    """An update session (reference §2.1) with the files it sees, keyed by name."""

    id: str
    user: str
    item_id: str
    content_version: int
    data_dir: Path
    state: str = ACTIVE
    client_progress: int = 0
    warning_behavior: list[dict[str, Any]] = field(default_factory=list)
    error_message: Message | None = None
    client_token: str | None = None
    files: dict[str, SessionFile] = field(default_factory=dict)
    created: float = field(default_factory=time.time)
    last_activity: float = field(default_factory=time.time)
    ended: float | None = None
    # complete was called while PULL transfers were still running, those of these names.
    completing: bool = False
    awaited: set[str] = field(default_factory=set)

    def ignores(self, warning_type: str) -> bool:
        return any(entry["type"] == warning_type and entry["ignored"] for entry in self.warning_behavior)


FAULT_ACTIONS = (
    "status",
    "drop",
    "delay",
    "body",
    "redirect",
    "expire_session",
    "drop_upload",
    # downloads.py
    "drop_download",
    "corrupt_download",
    "ignore_range",
    "no_content_length",
    "prepare_error",
    "prepare_stall",
)
BAD_BODIES = ("html", "empty", "truncated", "null", "value_null", "list")


@dataclass
class Fault:  # pylint: disable=too-many-instance-attributes
    """An injected fault (README, "Faults"): which requests it hits and what it does to them.

    It matches by method, path regex and optionally operation name; lets the
    first ``skip`` matching requests through, then hits ``count`` of them (or
    every one with ``every``). ``when`` is ``before`` (instead of the operation)
    or ``after`` (the operation is performed, then its answer is lost or changed).
    """

    action: str
    method: str = "*"
    pattern: Any = None
    operation: str | None = None
    skip: int = 0
    count: int = 1
    every: bool = False
    when: str = "before"
    status: int | None = None
    seconds: float = 0.0
    body: str | None = None
    target: str | None = None
    after_bytes: int | None = None
    offset: int | None = None
    message: str | None = None
    seen: int = 0
    hits: int = 0
    id: str = field(default_factory=new_id)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "action": self.action,
            "method": self.method,
            "path": self.pattern.pattern,
            "operation": self.operation,
            "skip": self.skip,
            "count": self.count,
            "every": self.every,
            "when": self.when,
            "hits": self.hits,
        }
        if self.action == "drop":
            body["drop"] = True
        for name in ("status", "body", "target", "after_bytes", "offset", "message"):
            if getattr(self, name) is not None:
                body[name] = getattr(self, name)
        if self.action == "delay":
            body["seconds"] = self.seconds
        return body


class Store:  # pylint: disable=too-many-instance-attributes
    """The one place that holds users, login sessions, content, update sessions and test controls."""

    def __init__(self, config: Config, root: Path) -> None:
        self.config = config
        self.root = root
        self.users = {config.username: config.password, **config.extra_users}
        self.login_sessions: dict[str, LoginSession] = {}
        self.libraries: dict[str, Library] = {}
        self.items: dict[str, Item] = {}
        self.update_sessions: dict[str, UpdateSession] = {}
        # (kind, user, client_token) -> id of what that create made, for idempotent retries.
        self.client_tokens: dict[tuple[str, str, str], str] = {}
        self.log: deque[dict[str, Any]] = deque(maxlen=LOG_LIMIT)
        self.logins = 0
        self.logouts = 0
        self.faults: list[Fault] = []
        # The server's TLS (its CA issues the other host's certificate) and the other host, once started.
        self.tls: Any = None
        self.other_host: Any = None
        # Settings tests may change at run time through /_sim/settings.
        self.settings: dict[str, Any] = {
            "upload_rate_limit": config.upload_rate_limit,
            "upload_host": config.upload_host,
            "download_rate_limit": config.download_rate_limit,
            "download_host": config.download_host,
            "prepare_latency": config.prepare_latency,
            "copy_latency": config.copy_latency,
        }
        # Download sessions by id (downloads.DownloadSession).
        self.download_sessions: dict[str, Any] = {}
        self.tasks: set[asyncio.Task] = set()
        self.seeds: dict[str, dict[str, Any]] = {"libraries": {}, "items": {}}
        # A self-signed certificate standing in for a .cert file that holds none.
        self.fallback_signer_pem: bytes | None = None
        for sub in ("sessions", "items"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    # Lookups that answer not_found the way the API does.
    def update_session(self, session_id: str) -> UpdateSession:
        session = self.update_sessions.get(session_id)
        if session is None:
            raise not_found("Update session", session_id)
        return session

    def item(self, item_id: str) -> Item:
        item = self.items.get(item_id)
        if item is None:
            raise not_found("Library item", item_id)
        return item

    def library(self, library_id: str) -> Library:
        library = self.libraries.get(library_id)
        if library is None:
            raise not_found("Library", library_id)
        return library

    # Content.
    def add_library(self, name: str, library_type: str, description: str = "", library_id: str | None = None) -> Library:
        library_id = library_id or new_id()
        library = Library(id=library_id, name=name, type=library_type, description=description, storage_uri=(self.root / "items").as_uri())
        self.libraries[library_id] = library
        return library

    def add_item(self, library: Library, name: str, item_type: str, description: str = "", item_id: str | None = None) -> Item:
        item = Item(
            id=item_id or new_id(),
            library_id=library.id,
            name=name,
            type=item_type,
            description=description,
            source_id=new_id() if library.type == SUBSCRIBED else None,
        )
        self.items[item.id] = item
        (self.root / "items" / item.id).mkdir(exist_ok=True)
        return item

    def delete_item(self, item: Item) -> None:
        """Forget an item and its stored files; its update sessions fail when they complete."""
        for item_file in item.files.values():
            discard(item_file.path)
        self.items.pop(item.id, None)
        for key, value in list(self.client_tokens.items()):
            if key[0] == "item" and value == item.id:
                del self.client_tokens[key]

    def seed(self) -> None:
        """The default content (DEFAULT_LIBRARIES, DEFAULT_ITEMS), listed by name in the JSON line."""
        libraries = {}
        for name, library_type in DEFAULT_LIBRARIES:
            library = libraries[name] = self.add_library(name, library_type, DEFAULT_DESCRIPTIONS[library_type])
            self.seeds["libraries"][name] = {"id": library.id, "type": library.type}
        for name, library_name, item_type in DEFAULT_ITEMS:
            library = libraries[library_name]
            item = self.add_item(library, name, item_type)
            self.seeds["items"][name] = {"id": item.id, "library_id": library.id, "type": item_type}

    # Storage paths: on-disk names are ids, never client-supplied file names.
    def session_dir(self, session_id: str) -> Path:
        return self.root / "sessions" / session_id

    def item_dir(self, item_id: str) -> Path:
        return self.root / "items" / item_id

    def spawn(self, coro: Any) -> asyncio.Task:
        """Run a background job (a PULL transfer) that shutdown can cancel."""
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def open_login_sessions(self) -> int:
        return len(self.login_sessions)
