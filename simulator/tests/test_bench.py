# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The repository's bench/bench_upload.py, in a small run, to keep it working with the installed package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# simulator/tests -> the repository root. The collection's tarball ships simulator/ but not bench/:
# from an installed copy these tests skip, saying so.
BENCH_UPLOAD = Path(__file__).resolve().parents[2] / "bench" / "bench_upload.py"
pytestmark = pytest.mark.skipif(not BENCH_UPLOAD.is_file(), reason=f"no {BENCH_UPLOAD}: bench/ is in the repository only")


def test_bench_upload_smoke():
    """A small run; the real figures come from a 1 GiB run by hand."""
    result = subprocess.run(
        [sys.executable, str(BENCH_UPLOAD), "--size", "8M", "--runs", "1", "--checksum", "SHA256"], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "simulator 8388608 bytes in" in result.stdout and "SHA256 verified" in result.stdout
    assert "bare TLS sink" in result.stdout and "simulator/sink ratio: median" in result.stdout
    assert "peak RSS (VmHWM)" in result.stdout
