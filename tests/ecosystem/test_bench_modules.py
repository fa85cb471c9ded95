# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The repository's bench/bench_module_*.py scripts, each in a small run, to keep them working.

They run the collection's modules from this checkout against the simulator, in the development
venv (make ecosystem). The real figures come from full runs by hand (bench/README.md); these
small runs only keep the scripts working.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def run_bench(script: str, *args: str) -> str:
    result = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_bench_module_download_smoke():
    out = run_bench("bench_module_download.py", "--size-mib", "8", "--runs", "1", "--probe-pause", "0")
    assert "run 1 (module first): module" in out and "+ sync" in out
    assert "goal, module throughput >= 0.9 x curl:" in out and "goal, module CPU <= 1.3 x (curl + sha1):" in out
    assert "hashlib.sha1 in this process" in out and "in 16 KiB writes (curl's)" in out
    assert "module with a 1 MiB item (its fixed cost" in out


def test_bench_module_download_ova_smoke():
    out = run_bench("bench_module_download.py", "--ova", "--disks", "2", "--disk-mib", "2", "--runs", "1")
    assert "run 1: ova:" in out and "run 1: files, parallel 1:" in out and "run 1: files, parallel 2:" in out
    assert "ova / files, parallel 1:" in out and "SHA256" in out


def test_bench_module_copy_smoke():
    out = run_bench("bench_module_copy.py", "--size-mib", "8", "--runs", "1")
    assert "run 1 (module first): module" in out and "curl | curl -T -" in out
    assert "goal, module throughput >= 0.9 x curl | curl:" in out
    assert "write_bytes" in out and "goal, the module writes under 1 MiB to disk for a 8 MiB copy" in out
    assert "goal, module peak RSS under 100 MiB" in out


def test_bench_module_memory_smoke():
    out = run_bench("bench_module_memory.py", "--sizes-mib", "2", "--ova-mib", "2")
    for module in ("library_item_upload", "library_item_download", "library_item_copy"):
        assert "%s peak RSS (the module process alone; limit 100 MiB):" % module in out
    assert out.count("goal, under 100 MiB for every size and flat:") == 3
    assert "OVF template as one OVA" in out and "goal, the module writes under 1 MiB to disk" in out


@pytest.mark.parametrize("mode", ["upload", "download", "copy"])
def test_bench_module_parallel_smoke(mode):
    out = run_bench("bench_module_parallel.py", "--mode", mode, "--disk-mib", "1", "--rate-mib", "8", "--runs", "1")
    assert "run 1: parallel 4:" in out and "run 1: parallel 1:" in out
    assert "%s: 4 disks x 1 MiB" % mode in out and "speed-up parallel 4 / parallel 1:" in out
