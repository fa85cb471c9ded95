# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""bench_download.py, run as a developer would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# simulator/tests -> the repository root. The collection's tarball ships simulator/ but not bench/:
# from an installed copy these tests skip, saying so.
BENCH_DOWNLOAD = Path(__file__).resolve().parents[2] / "bench" / "bench_download.py"
pytestmark = pytest.mark.skipif(not BENCH_DOWNLOAD.is_file(), reason=f"no {BENCH_DOWNLOAD}: bench/ is in the repository only")


def test_bench_download_smoke():
    """A small run, to keep the script working; the real figures come from a 1 GiB run by hand."""
    result = subprocess.run([sys.executable, str(BENCH_DOWNLOAD), "--size", "8M", "--runs", "1"], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "put 8388608 bytes into the simulator" in result.stdout
    assert "run 1: simulator" in result.stdout and "bare TLS server" in result.stdout
    assert "simulator/bare ratio: median" in result.stdout and "peak RSS (VmHWM)" in result.stdout
