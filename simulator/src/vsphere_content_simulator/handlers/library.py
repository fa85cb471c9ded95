# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Enough of content.library, local_library, library.item and item.file for tests to make their own items."""

from __future__ import annotations

from typing import Any

from vsphere_content_simulator.context import Context
from vsphere_content_simulator.errors import error, invalid_argument, not_found
from vsphere_content_simulator.handlers.common import create_once
from vsphere_content_simulator.handlers.items import check_fields, duplicate_name, name_taken
from vsphere_content_simulator.state import LOCAL, SUBSCRIBED, Store


def _required(spec: dict[str, Any], name: str) -> Any:
    value = spec.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise invalid_argument("{field} is required.", field="create_spec." + name)
    return value


async def library_list(ctx: Context, params: dict[str, Any]) -> Any:  # pylint: disable=unused-argument
    return list(ctx.store.libraries)


def _find_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A FindSpec with at least one property, else invalid_argument (as the spec documents)."""
    if not spec:
        raise invalid_argument("{field} must set at least one property.", field="spec")
    return spec


async def library_find(ctx: Context, params: dict[str, Any]) -> Any:
    """Library.find: name case-insensitive, type exact."""
    spec = _find_spec(params["spec"])
    name = spec.get("name")
    return [
        library.id
        for library in ctx.store.libraries.values()
        if (name is None or library.name.lower() == name.lower()) and spec.get("type") in (None, library.type)
    ]


async def library_get(ctx: Context, params: dict[str, Any]) -> Any:
    return ctx.store.library(params["library_id"]).to_json()


async def library_create(ctx: Context, params: dict[str, Any]) -> Any:
    """content.local_library.create: the new library is always LOCAL."""
    spec = params["create_spec"]
    return create_once(
        ctx, "library", params, ctx.store.libraries, lambda token: ctx.store.add_library(_required(spec, "name"), LOCAL, spec.get("description", "")).id
    )


async def item_create(ctx: Context, params: dict[str, Any]) -> Any:
    return create_once(ctx, "item", params, ctx.store.items, lambda token: _new_item(ctx.store, params["create_spec"]))


def _new_item(store: Store, spec: dict[str, Any]) -> str:
    library = store.library(_required(spec, "library_id"))
    name = _required(spec, "name")
    if library.type == SUBSCRIBED:
        raise error(
            "invalid_element_type",
            "com.vmware.vdcs.cls-main.item_in_subscribed_library",
            "Items cannot be created in the subscribed library {library}.",
            library=library.id,
        )
    check_fields(spec, "create_spec")
    if name_taken(store, library.id, name):
        raise duplicate_name(library.id, name)
    return store.add_item(library, name, spec.get("type", ""), spec.get("description", "")).id


async def item_get(ctx: Context, params: dict[str, Any]) -> Any:
    return ctx.store.item(params["library_item_id"]).to_json()


async def item_find(ctx: Context, params: dict[str, Any]) -> Any:
    """Item.find: name and type case-insensitive; library_id, source_id and cached exact."""
    spec = _find_spec(params["spec"])
    wanted = {key: spec[key].lower() for key in ("name", "type") if key in spec}
    found = []
    for item in ctx.store.items.values():
        if any(getattr(item, key).lower() != value for key, value in wanted.items()):
            continue
        if spec.get("library_id") not in (None, item.library_id) or spec.get("source_id") not in (None, item.source_id):
            continue
        if spec.get("cached") is False:
            # Every item the simulator holds is cached.
            continue
        found.append(item.id)
    return found


async def item_delete(ctx: Context, params: dict[str, Any]) -> Any:
    """Item.delete: not for items of a subscribed library; the item's files go with it."""
    store = ctx.store
    item = store.item(params["library_item_id"])
    library = store.libraries.get(item.library_id)
    if library is not None and library.type == SUBSCRIBED:
        raise error(
            "invalid_element_type",
            "com.vmware.vdcs.cls-main.delete_subscribed_item",
            "Library item {item} belongs to the subscribed library {library}: it cannot be deleted.",
            item=item.id,
            library=library.id,
        )
    store.delete_item(item)
    return None


async def item_list(ctx: Context, params: dict[str, Any]) -> Any:
    library = ctx.store.library(params["library_id"])
    return [item.id for item in ctx.store.items.values() if item.library_id == library.id]


async def item_file_list(ctx: Context, params: dict[str, Any]) -> Any:
    return [item_file.to_json() for item_file in ctx.store.item(params["library_item_id"]).files.values()]


async def item_file_get(ctx: Context, params: dict[str, Any]) -> Any:
    item = ctx.store.item(params["library_item_id"])
    item_file = item.files.get(params["name"])
    if item_file is None:
        raise not_found("File", f"{params['name']} of library item {item.id}")
    return item_file.to_json()
