# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``--seed FILE`` and ``--no-default-seed``: the user's libraries, items and files, as the API shows them."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time

import pytest

from vsphere_content_simulator.launcher import running_simulator, start_simulator, stop_simulator
from vsphere_content_simulator.seed import SeedError, load

from .conftest import console_script, make_client, new_session
from .dlclient import make_download_client, new_download, prepared_uri
from .test_files import push

LIBRARY_ID = "2f0c6b4e-5f3a-4c1e-9d6a-0b7e8c9d1a2f"
ITEM_ID = "7a1d3c5e-0b2f-4e6a-8c9d-1e2f3a4b5c6d"
NOTES = b"Photon OS 5.0 GA\nchecksums in SHA1SUMS\n"
DISK = b"disk image bytes " * 5000
OVF = b"""<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <References>
    <File ovf:href="photon-disk1.vmdk" ovf:id="file1"/>
  </References>
</Envelope>
"""
SEED = f"""\
# The world of a user's playbooks: their names, two of their ids.
libraries:
  - name: images
    type: LOCAL
    id: {LIBRARY_ID}
    description: ISO images of the team
  - {{name: mirror, type: SUBSCRIBED}}
  - name: templates
items:
  - name: photon-iso
    library: images
    type: iso
    description: Photon OS 5
    id: {ITEM_ID}
    files:
      - {{name: photon.iso, size: 1048577}}
      - {{name: notes.txt, src: ./content/notes.txt}}
  - name: photon-ovf
    library: templates
    type: ovf
    files:
      - {{name: photon.ovf, src: content/photon.ovf}}
      - {{name: photon-disk1.vmdk, src: content/disk.vmdk}}
  - name: mirrored
    library: mirror
    type: ovf
  - name: empty
    library: local-lib
"""


def write_content(directory):
    content = directory / "content"
    content.mkdir()
    (content / "notes.txt").write_bytes(NOTES)
    (content / "photon.ovf").write_bytes(OVF)
    (content / "disk.vmdk").write_bytes(DISK)


def sha1(data):
    return hashlib.sha1(data).hexdigest()


@pytest.fixture(scope="module", name="seeded")
def fixture_seeded(tmp_path_factory):
    """A simulator started with SEED (and the default content)."""
    directory = tmp_path_factory.mktemp("seed")
    write_content(directory)
    (directory / "world.yml").write_text(SEED)
    with running_simulator(["--log-level", "warning", "--seed", str(directory / "world.yml")]) as info:
        yield info


@pytest.fixture(name="seeded_client")
def fixture_seeded_client(seeded, flavor, validator):
    client = make_download_client(seeded, flavor, validator)
    yield client
    client.logout()


def test_the_json_line_lists_the_seeded_content_with_the_given_ids(seeded):
    libraries, items = seeded["libraries"], seeded["items"]
    assert list(libraries) == ["local-lib", "subscribed-lib", "images", "mirror", "templates"]
    assert libraries["images"] == {"id": LIBRARY_ID, "type": "LOCAL"}
    assert libraries["mirror"]["type"] == "SUBSCRIBED" and libraries["templates"]["type"] == "LOCAL"
    assert list(items) == ["empty-iso", "empty-ovf", "subscribed-item", "photon-iso", "photon-ovf", "mirrored", "empty"]
    assert items["photon-iso"] == {"id": ITEM_ID, "library_id": LIBRARY_ID, "type": "iso"}
    assert items["mirrored"]["library_id"] == libraries["mirror"]["id"]
    assert items["empty"] == {"id": items["empty"]["id"], "library_id": libraries["local-lib"]["id"], "type": ""}


def test_libraries_and_items_are_served(seeded_client, seeded):
    client = seeded_client
    libraries = {model["name"]: model for model in (client.get_library(i).value for i in client.list_libraries().value)}
    assert libraries["images"]["description"] == "ISO images of the team"
    assert (libraries["images"]["type"], libraries["mirror"]["type"]) == ("LOCAL", "SUBSCRIBED")
    listed = client.list_items(LIBRARY_ID).value
    assert listed == [ITEM_ID]
    item = client.get_item(ITEM_ID).value
    expected = ("photon-iso", "iso", "Photon OS 5", LIBRARY_ID)
    assert (item["name"], item["type"], item["description"], item["library_id"]) == expected
    # As after one upload: created at content version 1, completed at 2.
    assert (item["size"], item["content_version"]) == (1048577 + len(NOTES), "2")
    found = client.find_items({"name": "PHOTON-OVF"}).value
    assert found == [seeded["items"]["photon-ovf"]["id"]]
    assert client.find_libraries({"name": "mirror"}).value == [seeded["libraries"]["mirror"]["id"]]


def test_item_files_are_sized_and_hashed_like_uploaded_ones(seeded_client):
    files = {entry["name"]: entry for entry in seeded_client.list_item_files(ITEM_ID).value}
    assert list(files) == ["photon.iso", "notes.txt"]
    assert files["notes.txt"] == {
        "name": "notes.txt",
        "size": len(NOTES),
        "cached": True,
        "version": "1",
        "checksum_info": {"algorithm": "SHA1", "checksum": sha1(NOTES)},
    }
    assert files["photon.iso"]["size"] == 1048577 and files["photon.iso"]["checksum_info"]["algorithm"] == "SHA1"


def test_item_files_are_downloadable(seeded_client):
    client = seeded_client
    checksums = {entry["name"]: entry["checksum_info"]["checksum"] for entry in client.list_item_files(ITEM_ID).value}
    sid = new_download(client, ITEM_ID)
    for name in ("notes.txt", "photon.iso"):
        reply = client.fetch(prepared_uri(client, sid, name))
        assert reply.status_code == 200
        assert sha1(reply.content) == checksums[name]
        if name == "notes.txt":
            assert reply.content == NOTES
        else:
            assert len(reply.content) == 1048577 and len(set(reply.content)) > 200
    assert client.delete_download(sid).ok


def test_an_ovf_item_holds_what_an_upload_of_the_same_package_leaves(seeded_client, seeded):
    client = seeded_client
    seeded_files = client.list_item_files(seeded["items"]["photon-ovf"]["id"]).value
    # The same package uploaded into a new OVF item of the same library.
    created = client.create_item({"library_id": seeded["libraries"]["templates"]["id"], "name": f"uploaded-{client.flavor}", "type": "ovf"})
    assert created.ok, created.body
    sid = new_session(client, created.value)
    push(client, sid, "photon.ovf", OVF)
    push(client, sid, "photon-disk1.vmdk", DISK)
    assert client.complete(sid).ok
    deadline = time.monotonic() + 10
    while client.get_session(sid).value["state"] == "ACTIVE" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.get_session(sid).value["state"] == "DONE"
    assert client.list_item_files(created.value).value == seeded_files
    assert [entry["name"] for entry in seeded_files] == ["photon.ovf", "photon-disk1.vmdk"]
    # An update session on the seeded item sees its files, and the package is complete.
    sid = new_session(client, seeded["items"]["photon-ovf"]["id"])
    assert sorted(entry["name"] for entry in client.list_files(sid).value) == ["photon-disk1.vmdk", "photon.ovf"]
    validation = client.validate(sid).value
    assert (validation["missing_files"], validation["invalid_files"]) == ([], [])
    assert client.cancel(sid).ok


def test_items_of_a_seeded_subscribed_library_cannot_be_updated(seeded_client, seeded):
    reply = seeded_client.create_session(seeded["items"]["mirrored"]["id"])
    assert (reply.status, reply.error_type) == (400, "invalid_element_type")


def test_the_same_seed_in_json_gives_the_same_content(tmp_path, seeded):
    write_content(tmp_path)
    seed = {
        "libraries": [{"name": "images", "id": LIBRARY_ID}],
        "items": [
            {
                "name": "photon-iso",
                "library": "images",
                "type": "iso",
                "id": ITEM_ID,
                "files": [{"name": "photon.iso", "size": 1048577}, {"name": "notes.txt", "src": str(tmp_path / "content" / "notes.txt")}],
            }
        ],
    }
    (tmp_path / "world.json").write_text(json.dumps(seed, indent=2))
    with running_simulator(["--log-level", "warning", "--seed", str(tmp_path / "world.json")]) as info:
        client = make_client(info, "api", None)
        again = client.list_item_files(ITEM_ID).value
        client.logout()
    first = make_client(seeded, "api", None)
    # Generated bytes depend only on the file's name and size: the same at every start.
    assert again == first.list_item_files(ITEM_ID).value
    first.logout()


def test_no_default_seed(tmp_path):
    (tmp_path / "world.yml").write_text("libraries:\n  - name: only\nitems:\n  - {name: one, library: only}\n")
    with running_simulator(["--log-level", "warning", "--no-default-seed", "--seed", str(tmp_path / "world.yml")]) as info:
        assert list(info["libraries"]) == ["only"] and list(info["items"]) == ["one"]
        client = make_client(info, "rest", None)
        assert client.list_libraries().value == [info["libraries"]["only"]["id"]]
        client.logout()
    with running_simulator(["--log-level", "warning", "--no-default-seed"]) as info:
        assert (info["libraries"], info["items"]) == ({}, {})


def test_default_names_are_free_without_the_default_seed(tmp_path):
    (tmp_path / "world.yml").write_text("libraries:\n  - name: local-lib\n    type: SUBSCRIBED\n")
    process, info = start_simulator(["--log-level", "warning", "--no-default-seed", "--seed", str(tmp_path / "world.yml")])
    try:
        assert info["libraries"]["local-lib"]["type"] == "SUBSCRIBED"
    finally:
        stop_simulator(process)


# -- Bad seed files: refused before the simulator listens, with the line and the reason, exit 2 --------

BAD_YAML = [
    ("libraries:\n  - name: a\n    type: PUBLISHED\n", 3, "libraries[0].type: must be LOCAL or SUBSCRIBED, not PUBLISHED"),
    ("libraries:\n  - name: a\n    colour: red\n", 3, "libraries[0]: unknown key colour (the keys are name, type, id, description)"),
    ("items:\n  - library: local-lib\n    type: iso\n", 2, "items[0]: name is missing"),
    ("libraries:\n  - name: ''\n", 2, "libraries[0].name: must not be empty"),
    ("libraries:\n  - name: 2024\n", 2, "libraries[0].name: must be text, not a number (quote it)"),
    ("items:\n  - name: x\n    library: imags\n", 3, "items[0].library: no library named imags (libraries: local-lib, subscribed-lib)"),
    ("libraries:\n  - name: a\n  - name: A\n", 3, "libraries[1].name: A is already the name of libraries[0] (line 2)"),
    ("libraries:\n  - name: local-lib\n", 2, "libraries[0].name: local-lib is already the name of a default library (--no-default-seed leaves them out)"),
    (
        "libraries:\n  - {name: a}\n  - {name: b}\nitems:\n  - {name: x, library: a}\n  - {name: x, library: b}\n",
        6,
        "items[1].name: x is already the name of items[0] (line 5); item names are unique",
    ),
    ("libraries:\n  - name: a\n    id: 2F0C6B4E-5F3A-4C1E-9D6A-0B7E8C9D1A2F\n", 3, "libraries[0].id: must be a UUID in lowercase"),
    ("libraries:\n  - name: a\n    id: not-an-id\n", 3, "not not-an-id"),
    (
        f"libraries:\n  - name: a\n    id: {LIBRARY_ID}\nitems:\n  - name: x\n    library: a\n    id: {LIBRARY_ID}\n",
        7,
        f"items[0].id: {LIBRARY_ID} is already the id of libraries[0] (line 2)",
    ),
    (
        "items:\n  - name: x\n    library: local-lib\n    files:\n      - {name: a.iso, size: -1}\n",
        5,
        "items[0].files[0].size: must be a whole number of bytes, 0 or more, not -1",
    ),
    ("items:\n  - name: x\n    library: local-lib\n    files:\n      - {name: a.iso, size: 1.5}\n", 5, "not 1.5"),
    (
        "items:\n  - name: x\n    library: local-lib\n    files:\n      - {name: a.iso}\n",
        5,
        "items[0].files[0]: give either src (a local file) or size (generated bytes)",
    ),
    ("items:\n  - name: x\n    library: local-lib\n    files:\n      - {name: a.iso, size: 1, src: a.iso}\n", 5, "give either src (a local file) or size"),
    (
        "items:\n  - name: x\n    library: local-lib\n    files:\n\n      - name: a.iso\n        src: missing.iso\n",
        7,
        "items[0].files[0].src: cannot read {dir}/missing.iso: No such file or directory",
    ),
    ("items:\n  - name: x\n    library: local-lib\n    files:\n      - {name: a.iso, src: .}\n", 5, "Is a directory"),
    ("items:\n  - name: x\n    library: local-lib\n    files:\n      - {name: ../a.iso, size: 1}\n", 5, "items[0].files[0].name: ../a.iso is not a file name"),
    (
        "items:\n  - name: x\n    library: local-lib\n    files:\n      - {name: a, size: 1}\n      - {name: a, size: 2}\n",
        6,
        "items[0].files[1].name: the item already has a file named a",
    ),
    (
        "items:\n  - name: x\n    library: local-lib\n    type: ovf\n    files:\n      - {name: x.ovf, size: 10}\n",
        6,
        "items[0]: x.ovf: an OVF descriptor needs src",
    ),
    (
        "items:\n  - name: x\n    library: local-lib\n    type: OVF\n    files:\n      - {name: x.mf, size: 10}\n",
        6,
        "items[0]: x.mf: an ovf item keeps no .mf or .cert file",
    ),
    (
        "items:\n  - name: x\n    library: local-lib\n    type: ovf\n    files:\n      - {name: x.ovf, src: x.ovf}\n",
        6,
        "items[0]: x.ovf references disk-a.vmdk, which the item's files do not include",
    ),
    (
        "items:\n  - name: x\n    library: local-lib\n    description: " + "d" * 2001 + "\n",
        4,
        "items[0].description: must be at most 2000 characters, not 2001",
    ),
    ("libraries: images\n", 1, "libraries: must be a list, not text"),
    ("colour: red\n", 1, "unknown key colour (the keys are libraries, items)"),
    ("libraries:\n  - name: a\n  name: b\n", 3, "not valid YAML: "),
    ("libraries:\n  - name: a\n    name: b\n", 3, "the key name appears twice (first on line 2)"),
    ("libraries: [\n  {name: a}\n", 3, "not valid YAML: "),
    ("", 1, "the seed file is empty"),
    ("---\nlibraries: []\n---\nitems: []\n", 3, "not valid YAML: but found another document (expected a single document"),
]

BAD_JSON = [
    ('{"libraries": [\n  {"name": "a",\n   "type": "LOCAL",}\n]}\n', 3, "not valid JSON: Expecting property name enclosed in double quotes (column 20)"),
    ('{"libraries": [\n  {"name": "a",\n   "type": "local"}\n]}\n', 3, "libraries[0].type: must be LOCAL or SUBSCRIBED, not local"),
    (
        '{"items": [\n  {"name": "x",\n   "library": "local-lib",\n   "files": [{"name": "a", "size": -4}]}\n]}\n',
        4,
        "items[0].files[0].size: must be a whole number of bytes, 0 or more, not -4",
    ),
    ('{"items": [\n  {"name": "x"}\n]}\n', 2, "items[0]: library is missing"),
    ('{"libraries": [{"name": "a"}],\n "libraries": []}\n', 2, "the key libraries appears twice (first on line 1)"),
    ('[]\n', 1, "must be a mapping with the keys libraries, items, not a list"),
]


def refused(seed_path, *extra):
    """Start a simulator with the seed file: it must exit 2 without printing its JSON line; its stderr."""
    result = subprocess.run(
        [console_script(), "--log-level", "warning", *extra, "--seed", str(seed_path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2, result.stderr
    # Nothing listened: no JSON line.
    assert result.stdout == ""
    return result.stderr


def write_bad_seed(directory, text, line, reason):
    seed_path = directory / ("world.json" if (text, line, reason) in BAD_JSON else "world.yml")
    seed_path.write_text(text)
    (directory / "x.ovf").write_bytes(b'<Envelope><References><File href="disk-a.vmdk"/></References></Envelope>')
    return seed_path


@pytest.mark.parametrize(
    "text, line, reason", BAD_YAML + BAD_JSON, ids=[f"yaml-{n}" for n in range(len(BAD_YAML))] + [f"json-{n}" for n in range(len(BAD_JSON))]
)
def test_a_bad_seed_file_is_refused_with_its_line(tmp_path, text, line, reason):
    """The check itself, in process (what the command prints after "vsphere-content-simulator: ")."""
    seed_path = write_bad_seed(tmp_path, text, line, reason)
    with pytest.raises(SeedError) as refusal:
        load(str(seed_path))
    assert str(refusal.value).startswith(f"{seed_path}:{line}: ")
    assert reason.format(dir=tmp_path) in str(refusal.value)


@pytest.mark.parametrize(
    "case",
    [BAD_YAML[0], BAD_YAML[8], BAD_YAML[16], BAD_YAML[26], BAD_JSON[0], BAD_JSON[2]],
    ids=["type", "duplicate", "src", "yaml-syntax", "json-syntax", "json-size"],
)
def test_the_command_refuses_a_bad_seed_file_before_it_listens(tmp_path, case):
    text, line, reason = case
    seed_path = write_bad_seed(tmp_path, text, line, reason)
    stderr = refused(seed_path)
    assert stderr.startswith(f"vsphere-content-simulator: {seed_path}:{line}: "), stderr
    assert reason.format(dir=tmp_path) in stderr
    assert len(stderr.splitlines()) == 1, stderr


def test_items_need_the_default_libraries_to_use_them(tmp_path):
    seed_path = tmp_path / "world.yml"
    seed_path.write_text("items:\n  - name: x\n    library: local-lib\n")
    stderr = refused(seed_path, "--no-default-seed")
    assert f"{seed_path}:3: items[0].library: no library named local-lib (libraries: none)" in stderr


@pytest.mark.parametrize("name, text", [("deep.json", "[" * 100000 + "]" * 100000), ("deep.yml", "[" * 100000 + "]" * 100000)])
def test_a_seed_file_nested_too_deeply(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    with pytest.raises(SeedError, match="values are nested too deeply"):
        load(str(tmp_path / name))


def test_a_seed_file_that_cannot_be_read(tmp_path):
    stderr = refused(tmp_path / "missing.yml")
    assert stderr.strip() == f"vsphere-content-simulator: {tmp_path}/missing.yml: cannot read the seed file: No such file or directory"


def test_one_seed_file_per_simulator(tmp_path):
    result = subprocess.run([console_script(), "--seed", "a.yml", "--seed", "b.yml"], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert "one seed file per simulator (run --instances N takes one per instance)" in result.stderr
