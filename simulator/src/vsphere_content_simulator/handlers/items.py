# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""content.library.item update and copy (download reference §6), and the ItemModel checks that create shares.

The error lists are those of the vSphere bindings (Item.create, Item.update, Item.copy): a name that is
empty or longer than 80 characters, or a description longer than 2000, is invalid_argument; a name that
another item of the library has (ignoring case) is already_exists for create and update.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import time
from typing import Any

from vsphere_content_simulator.context import Context
from vsphere_content_simulator.errors import VapiError, error, invalid_argument
from vsphere_content_simulator.handlers.common import create_once
from vsphere_content_simulator.schema import Str, Struct, opt
from vsphere_content_simulator.state import SUBSCRIBED, Item, ItemFile, Store, discard, new_id

LOG = logging.getLogger("simulator.items")

NAME_MAX = 80
DESCRIPTION_MAX = 2000
# The fields of an ItemModel that update reads; version guards against concurrent changes.
ITEM_UPDATE_MODEL = Struct(name=opt(Str()), description=opt(Str()), type=opt(Str()), version=opt(Str()))


def check_fields(spec: dict[str, Any], where: str) -> None:
    """invalid_argument for an empty or too long name, or a too long description."""
    name = spec.get("name")
    if name is not None and not name.strip():
        raise invalid_argument("{field} must not be empty.", field=where + ".name")
    if name is not None and len(name) > NAME_MAX:
        raise invalid_argument("{field} must be at most {limit} characters, not {length}.", field=where + ".name", limit=NAME_MAX, length=len(name))
    description = spec.get("description")
    if description is not None and len(description) > DESCRIPTION_MAX:
        raise invalid_argument(
            "{field} must be at most {limit} characters, not {length}.", field=where + ".description", limit=DESCRIPTION_MAX, length=len(description)
        )


def name_taken(store: Store, library_id: str, name: str, other_than: str | None = None) -> bool:
    """Whether another item of the library has this name, ignoring case."""
    folded = name.casefold()
    return any(item.library_id == library_id and item.id != other_than and item.name.casefold() == folded for item in store.items.values())


def duplicate_name(library_id: str, name: str) -> VapiError:
    return error(
        "already_exists",
        "com.vmware.vdcs.cls-main.duplicate_item_name",
        "The library {library} already has an item named {name}.",
        library=library_id,
        name=name,
    )


def _not_in_subscribed(store: Store, item: Item, what: str) -> None:
    library = store.libraries.get(item.library_id)
    if library is not None and library.type == SUBSCRIBED:
        raise error(
            "invalid_element_type",
            "com.vmware.vdcs.cls-main.update_subscribed_item",
            "Library item {item} belongs to the subscribed library {library}: it cannot be {what}.",
            item=item.id,
            library=library.id,
            what=what,
        )


async def update(ctx: Context, params: dict[str, Any]) -> Any:
    """An incremental update of name, description and type; metadata_version (and version) go up when one changes."""
    store = ctx.store
    item = store.item(params["library_item_id"])
    spec = params["update_spec"]
    _not_in_subscribed(store, item, "updated")
    check_fields(spec, "update_spec")
    if spec.get("version") is not None and spec["version"] != str(item.metadata_version):
        raise invalid_argument(
            "{field} {version} is not the current version {current} of library item {item}.",
            field="update_spec.version",
            version=spec["version"],
            current=item.metadata_version,
            item=item.id,
        )
    if spec.get("name") is not None and name_taken(store, item.library_id, spec["name"], item.id):
        raise duplicate_name(item.library_id, spec["name"])
    changed = False
    for name in ("name", "description", "type"):
        if spec.get(name) is not None and spec[name] != getattr(item, name):
            setattr(item, name, spec[name])
            changed = True
    if changed:
        item.metadata_version += 1
        item.modified = time.time()
    return None


async def copy(ctx: Context, params: dict[str, Any]) -> Any:
    """A new item at once (the source's type, the given name); its files after --copy-latency."""
    return create_once(
        ctx, "item_copy", params, ctx.store.items, lambda token: _copy(ctx.store, params["source_library_item_id"], params["destination_create_spec"])
    )


def _copy(store: Store, source_id: str, spec: dict[str, Any]) -> str:
    source = store.item(source_id)
    if spec.get("library_id") is None:
        raise invalid_argument("{field} is required.", field="destination_create_spec.library_id")
    library = store.library(spec["library_id"])
    if spec.get("name") is None:
        raise invalid_argument("{field} is required.", field="destination_create_spec.name")
    check_fields(spec, "destination_create_spec")
    if library.type == SUBSCRIBED:
        raise error(
            "invalid_element_type",
            "com.vmware.vdcs.cls-main.copy_to_subscribed_library",
            "A library item cannot be copied into the subscribed library {library}.",
            library=library.id,
        )
    item = store.add_item(library, spec["name"], source.type, spec.get("description", source.description))
    store.spawn(_copy_files(store, item, list(source.files.values()), float(store.settings["copy_latency"])))
    return item.id


async def _copy_files(store: Store, item: Item, files: list[ItemFile], latency: float) -> None:
    """Give the new item the source's files as they were at the copy, or roll the copy back if one is gone."""
    await asyncio.sleep(latency)
    if store.items.get(item.id) is not item:
        return
    item_dir = store.item_dir(item.id)
    item_dir.mkdir(parents=True, exist_ok=True)
    copied: dict[str, ItemFile] = {}
    loop = asyncio.get_running_loop()
    try:
        for source_file in files:
            path = None
            if source_file.path is not None:
                path = str(item_dir / new_id())
                await loop.run_in_executor(None, _clone, source_file.path, path)
            copied[source_file.name] = ItemFile(
                name=source_file.name,
                size=source_file.size,
                version=1,
                path=path,
                checksum_info=dict(source_file.checksum_info) if source_file.checksum_info else None,
            )
    except OSError as exc:
        # As vCenter does on a failed copy: the content copied so far and the new item go.
        LOG.warning("the copy into library item %s failed (%s): it is rolled back", item.id, exc)
        for copied_file in copied.values():
            discard(copied_file.path)
        if store.items.get(item.id) is item:
            store.delete_item(item)
        return
    if store.items.get(item.id) is not item:
        for copied_file in copied.values():
            discard(copied_file.path)
        return
    item.files = copied
    item.content_version += 1
    item.modified = time.time()


def _clone(source: str, target: str) -> None:
    """Stored files are never changed in place (a new version is a new file), so a hard link is a true copy."""
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:
        shutil.copyfile(source, target)
