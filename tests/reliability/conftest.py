# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the reliability suites (issue 9).

The collection is made importable without building it: a session-wide temporary
``ansible_collections/vsphere/content_library`` symlinked to this repository, on
``sys.path`` and on the ``PYTHONPATH``/``ANSIBLE_COLLECTIONS_PATH`` of every process
the tests start. Simulators run one per flavour and test module.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from vsphere_content_simulator.launcher import running_simulator

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# pylint: disable=wrong-import-position
import relia_helpers as h  # noqa: E402

# The machine sets these; they would override every verify= we pass (and the simulator's own clients).
for _name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
    os.environ.pop(_name, None)

# Make the tree at import time, so that test modules can import the collection at their top.
h.collection_tree()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Accept ``-n0`` when pytest-xdist is not installed (the documented command line passes it)."""
    try:
        import xdist  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        # -n is xdist's; pytest reserves lower-case short options, hence the private spelling.
        parser.getgroup('reliability')._addoption('-n', '--numprocesses', dest='relia_numprocesses', default='0', help='ignored: pytest-xdist is not installed')


@pytest.fixture(scope='session', autouse=True)
def collection_root() -> Iterator[Path]:
    """The temporary collection tree (its only content is the symlink); removed at the end."""
    tree = h.collection_tree()
    yield tree
    shutil.rmtree(tree, ignore_errors=True)


def _simulator(flavor: str, *extra: str) -> Iterator[h.Sim]:
    with running_simulator(['--flavor', flavor, '--log-level', 'error', *h.worker_user_flags(), *extra]) as info:
        sim = h.Sim(info, flavor)
        yield sim
        sim.admin_logout()


@pytest.fixture(scope='module')
def sim_api() -> Iterator[h.Sim]:
    yield from _simulator(h.API)


@pytest.fixture(scope='module')
def sim_rest() -> Iterator[h.Sim]:
    yield from _simulator(h.REST)


@pytest.fixture(params=[h.API, h.REST])
def sim(request: pytest.FixtureRequest) -> h.Sim:
    """The test's flavour's simulator, its log and faults reset before the test."""
    simulator = request.getfixturevalue('sim_' + request.param)
    simulator.reset()
    return simulator


@pytest.fixture(scope='session')
def tls(tmp_path_factory: pytest.TempPathFactory) -> h.TLSMaterial:
    """A throwaway CA and server certificate for the tests' own HTTPS servers."""
    return h.TLSMaterial(tmp_path_factory.mktemp('relia-tls'))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def pytest_report_header(config: Any) -> str:  # pylint: disable=unused-argument
    return 'reliability: collection tree %s -> %s' % (h.collection_tree(), h.REPO_ROOT)
