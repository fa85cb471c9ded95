# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the vcsim suite: one vcsim for the whole run, over TLS with a certificate from our own CA.

vcsim (govmomi 0.24.2, Debian's golang-github-vmware-govmomi-dev) serves the content library API only in
the legacy flavour (/rest/com/vmware/...): every module runs with ``api_flavor: rest`` and with
``api_flavor: auto`` (which must fall back to /rest, because /api answers 404 there).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# pylint: disable=wrong-import-position
import vcsim_helpers as h  # noqa: E402

# The machine sets these; they would override every verify= we pass.
for _name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
    os.environ.pop(_name, None)

FLAVORS = ('rest', 'auto')


@pytest.fixture(scope='session')
def tree() -> Iterator[Path]:
    """A temporary ``ansible_collections/vsphere/content_library`` symlinked to this repository."""
    base = h.make_collection_tree(Path(tempfile.mkdtemp(prefix='vcsim-collections-')))
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope='session')
def vcsim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[h.Vcsim]:
    binary, _said = h.build_vcsim()
    workdir = tmp_path_factory.mktemp('vcsim')
    server = h.Vcsim(binary, h.TLSMaterial(workdir), workdir).start()
    yield server
    server.stop()


@pytest.fixture(scope='session')
def admin(vcsim: h.Vcsim) -> Iterator[h.Admin]:
    client = h.Admin(vcsim)
    yield client
    client.logout()


@pytest.fixture(scope='session')
def library(admin: h.Admin) -> dict[str, Any]:
    """The suite's local library, on vcsim's first datastore."""
    return admin.create_library('vcsim-suite-%s' % uuid.uuid4().hex[:6])


@pytest.fixture
def item(admin: h.Admin, library: dict[str, Any]) -> str:
    """A fresh, empty ISO item of the suite's library."""
    return admin.create_item(library['id'])


@pytest.fixture(params=FLAVORS)
def flavor(request: pytest.FixtureRequest) -> str:
    return request.param


class Runner:
    """Runs modules against vcsim in one flavour: ``run('update_session', library_item_id=...)``."""

    def __init__(self, tree: Path, vcsim: h.Vcsim, flavor: str):
        self.tree = tree
        self.vcsim = vcsim
        self.flavor = flavor

    def __call__(self, module: str, check_mode: bool = False, diff: bool = False, **args: Any) -> h.ModuleRun:
        run = h.run_module(self.tree, module, dict(self.vcsim.conn(self.flavor), **args), check_mode=check_mode, diff=diff)
        if not run.failed:
            # Whatever the flavour asked for, vcsim only answers the legacy one.
            assert run.get('api_flavor') == 'rest', run
        return run


@pytest.fixture
def run(tree: Path, vcsim: h.Vcsim, flavor: str) -> Runner:
    return Runner(tree, vcsim, flavor)


def pytest_report_header(config: Any) -> str:  # pylint: disable=unused-argument
    return 'vcsim: govmomi %s (tools/vcsim.sh)' % _package_version()


def _package_version() -> str:
    stamp = h.REPO_ROOT / '.cache' / 'vcsim' / 'version'
    return stamp.read_text().strip() if stamp.exists() else 'not built yet'
