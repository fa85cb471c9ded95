# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vendored Swagger subsets (simulator/spec) are the project's shared ones, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from .spec import SPEC_DIR, SPEC_FILES

# simulator/spec -> <repository>/../shared/spec
SHARED_SPEC_DIR = SPEC_DIR.parents[1].parent / "shared" / "spec"


def vendored_names(directory: Path) -> set[str]:
    return {path.name for path in directory.glob("*.json")} | {"SOURCES.md"}


def test_the_suite_has_its_spec_files():
    """Every file the validator loads is vendored, so no run depends on ../shared."""
    for name in SPEC_FILES:
        assert (SPEC_DIR / name).is_file(), name
    assert (SPEC_DIR / "SOURCES.md").is_file() and (SPEC_DIR / "PROVENANCE.md").is_file()


@pytest.mark.skipif(not SHARED_SPEC_DIR.is_dir(), reason=f"{SHARED_SPEC_DIR} does not exist (a plain clone): nothing to compare the vendored spec with")
def test_vendored_spec_is_identical_to_shared():
    assert vendored_names(SPEC_DIR) == vendored_names(SHARED_SPEC_DIR)
    for name in sorted(vendored_names(SHARED_SPEC_DIR)):
        assert (SPEC_DIR / name).read_bytes() == (SHARED_SPEC_DIR / name).read_bytes(), (
            f"simulator/spec/{name} differs from {SHARED_SPEC_DIR / name}: copy it again"
        )
