# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Download benchmark: curl fetches a prepared file from the simulator's download endpoint over HTTPS.

    python tests/simulator/bench_download.py [--size 1G] [--runs 5] [--chunk 1M]

Starts a simulator, puts a file of --size bytes into a new item (an update session, the upload
made by curl), opens a download session, prepares the file, and times ``curl -o /dev/null`` on
its endpoint. Each simulator run is followed by the same curl on a bare asyncio TLS server (a
child process, same kind of certificate) that sends the simulator's stored copy of the file,
so both read the same page-cache pages. It prints the rates per run, the CPU seconds of the
server and of curl, their medians, and the ratio simulator / bare. It reports; it does not judge.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# bench_upload.py lives beside this file (python puts a script's directory on sys.path).
from bench_upload import Api, curl_upload, make_payload, parse_size, peak_rss_kib, settle  # pylint: disable=import-error
from vsphere_content_simulator.launcher import start_simulator, stop_simulator
from vsphere_content_simulator.tls import make_server_tls

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/<pid>/stat, fields 14 and 15)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def curl_env() -> dict[str, str]:
    """curl's environment without the machine's CA bundle variables: --cacert names the CA."""
    return {key: value for key, value in os.environ.items() if key not in ("CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")}


def curl_download(uri: str, ca_cert: str, header_file: Path | None) -> tuple[int, float, int, float]:
    """GET into /dev/null; returns (HTTP status, seconds, bytes, curl's CPU seconds)."""
    command = ["curl", "-sS", "-o", os.devnull, "-w", "%{http_code} %{time_total} %{size_download}", "--cacert", ca_cert]
    if header_file is not None:
        # From a file, so that the login token is not on the command line.
        command += ["-H", f"@{header_file}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command + [uri], capture_output=True, text=True, check=False, env=curl_env())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"curl failed ({result.returncode}): {result.stderr.strip()}")
    status, seconds, size = result.stdout.split()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return int(status), float(seconds), int(size), cpu


# The bare server, run as a child process: `bench_download.py --bare FILE DIR CHUNK` prints {"port", "ca_cert"}.
class BareSender(asyncio.Protocol):
    """Reads a request head, answers 200 with Content-Length and the file, in CHUNK-sized writes, then closes."""

    def __init__(self, path: str, chunk: int) -> None:
        self.path = path
        self.chunk = chunk
        self.transport: Any = None
        self.head = b""
        self.can_write = asyncio.Event()
        self.can_write.set()
        self.task: asyncio.Task | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.head += data
        if self.task is None and b"\r\n\r\n" in self.head:
            self.task = asyncio.get_running_loop().create_task(self.send())

    def pause_writing(self) -> None:
        self.can_write.clear()

    def resume_writing(self) -> None:
        self.can_write.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.can_write.set()

    async def send(self) -> None:
        fd = os.open(self.path, os.O_RDONLY)
        try:
            size = os.fstat(fd).st_size
            self.transport.write(f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n".encode())
            position = 0
            while position < size and not self.transport.is_closing():
                data = os.pread(fd, min(self.chunk, size - position), position)
                self.transport.write(data)
                position += len(data)
                await self.can_write.wait()
        finally:
            os.close(fd)
        self.transport.close()


def bare_main(path: str, directory: str, chunk: int) -> int:
    tls = make_server_tls(Path(directory), "127.0.0.1")

    async def run() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: BareSender(path, chunk), "127.0.0.1", 0, ssl=tls.context)
        sys.stdout.write(json.dumps({"port": server.sockets[0].getsockname()[1], "ca_cert": tls.ca_path}) + "\n")
        sys.stdout.flush()
        await asyncio.Event().wait()

    asyncio.run(run())
    return 0


class Bare:
    """The bare TLS server as a child process, with its URL and CA."""

    def __init__(self, path: Path, directory: Path, chunk: int) -> None:
        bare_dir = directory / "bare"
        bare_dir.mkdir(exist_ok=True)
        # pylint: disable-next=consider-using-with
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--bare", str(path), str(bare_dir), str(chunk)], stdout=subprocess.PIPE, text=True
        )
        info = json.loads(self.process.stdout.readline())
        self.uri = f"https://127.0.0.1:{info['port']}/file"
        self.ca_cert = info["ca_cert"]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class Download:
    """A file put into a new item of a running simulator, and its prepared download endpoint."""

    def __init__(self, info: dict[str, Any], payload: Path, size: int, directory: Path) -> None:
        self.info = info
        self.api = Api(info)
        self.header_file = directory / "headers"
        self.header_file.write_text(f"vmware-api-session-id: {self.api.token}\n", encoding="ascii")
        library = info["libraries"]["local-lib"]["id"]
        item = self.api.call("POST", "/api/content/library/item", {"library_id": library, "name": f"bench-{os.getpid()}-{time.time():.0f}", "type": "iso"})
        session = self.api.call("POST", "/api/content/library/item/update-session", {"library_item_id": item})
        added = self.api.call("POST", f"/api/content/library/item/update-session/{session}/file", {"name": "payload.iso", "source_type": "PUSH", "size": size})
        status, seconds = curl_upload(added["upload_endpoint"]["uri"], payload, info["ca_cert"], self.header_file)
        if status != 200:
            raise RuntimeError(f"the upload failed: HTTP {status}")
        print(f"put {size} bytes into the simulator in {seconds:.1f} s", flush=True)
        self.api.call("POST", f"/api/content/library/item/update-session/{session}?action=complete")
        self.api.call("DELETE", f"/api/content/library/item/update-session/{session}")
        self.stored = next((Path(info["ca_cert"]).parent / "storage" / "items" / item).iterdir())
        self.session = self.api.call("POST", "/api/content/library/item/download-session", {"library_item_id": item})
        files = f"/api/content/library/item/download-session/{self.session}/file"
        prepared = self.api.call("POST", files + "?action=prepare", {"file_name": "payload.iso"})
        while prepared["status"] != "PREPARED":
            if prepared["status"] == "ERROR":
                raise RuntimeError(f"prepare failed: {prepared}")
            time.sleep(0.05)
            prepared = self.api.call("GET", files + "?file_name=payload.iso")
        self.uri = prepared["download_endpoint"]["uri"]

    def keep_alive(self) -> None:
        self.api.call("POST", f"/api/content/library/item/download-session/{self.session}?action=keep-alive")


def warm(path: Path) -> None:
    """Read a file once so that it sits in the page cache."""
    with open(path, "rb") as handle:
        while handle.read(4 * 1024 * 1024):
            pass


def one_run(uri: str, ca_cert: str, header_file: Path | None, pid: int, size: int) -> tuple[float, float, float]:
    """(MB/s, server CPU seconds, curl CPU seconds) of one curl download."""
    server_before = cpu_seconds(pid)
    status, seconds, received, curl_cpu = curl_download(uri, ca_cert, header_file)
    server_cpu = cpu_seconds(pid) - server_before
    if status != 200 or received != size:
        raise RuntimeError(f"the download failed: HTTP {status}, {received} of {size} bytes")
    return size / seconds / 1e6, server_cpu, curl_cpu


Run = tuple[float, float, float]


def measure(args: argparse.Namespace, directory: Path) -> tuple[list[tuple[Run, Run]], int, int]:
    """Alternate simulator and bare downloads ``args.runs`` times; the runs and the simulator's peak RSS (KiB)
    before the downloads (the upload that put the file in) and after them."""
    payload = make_payload(directory, args.size)
    process, info = start_simulator(["--log-level", "warning", "--prepare-latency", "0"])
    bare = None
    try:
        download = Download(info, payload, args.size, directory)
        payload.unlink()
        warm(download.stored)
        bare = Bare(download.stored, directory, args.chunk)
        settle()
        rss_before = peak_rss_kib(process.pid)
        runs = []
        for run in range(1, args.runs + 1):
            download.keep_alive()
            sim = one_run(download.uri, info["ca_cert"], download.header_file, process.pid, args.size)
            base = one_run(bare.uri, bare.ca_cert, None, bare.process.pid, args.size)
            runs.append((sim, base))
            print(
                f"run {run}: simulator {sim[0]:.0f} MB/s (server CPU {sim[1]:.2f} s, curl CPU {sim[2]:.2f} s); "
                f"bare TLS server {base[0]:.0f} MB/s (server CPU {base[1]:.2f} s, curl CPU {base[2]:.2f} s); "
                f"ratio {sim[0] / base[0]:.2f}",
                flush=True,
            )
        return runs, rss_before, peak_rss_kib(process.pid)
    finally:
        if bare is not None:
            bare.stop()
        stop_simulator(process)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--bare"]:
        return bare_main(argv[1], argv[2], int(argv[3]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--size", type=parse_size, default=1024**3, help="bytes to download, e.g. 2G, 256M (default 1G)")
    parser.add_argument("--runs", type=int, default=5, help="downloads from each server, alternating; medians are reported (default 5)")
    parser.add_argument("--chunk", type=parse_size, default=1024**2, help="the bare server's write size (default 1M, the simulator's)")
    args = parser.parse_args(argv)
    if shutil.which("curl") is None:
        print("bench_download: curl is required", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-download-") as scratch:
        try:
            runs, rss_before, rss_peak = measure(args, Path(scratch))
        except RuntimeError as exc:
            print(f"bench_download: {exc}", file=sys.stderr)
            return 1
    sim_rate = statistics.median(sim[0] for sim, dummy in runs)
    base_rate = statistics.median(base[0] for dummy, base in runs)
    ratio = statistics.median(sim[0] / base[0] for sim, base in runs)
    print(
        f"simulator: median {sim_rate:.0f} MB/s, server CPU {statistics.median(s[1] for s, d in runs):.2f} s, "
        f"curl CPU {statistics.median(s[2] for s, d in runs):.2f} s per run; peak RSS (VmHWM) {rss_peak / 1024:.1f} MiB "
        f"({rss_before / 1024:.1f} MiB before the downloads)"
    )
    print(
        f"bare TLS server: median {base_rate:.0f} MB/s, server CPU {statistics.median(b[1] for d, b in runs):.2f} s, "
        f"curl CPU {statistics.median(b[2] for d, b in runs):.2f} s per run"
    )
    print(f"simulator/bare ratio: median {ratio:.2f} (per run: {', '.join(f'{s[0] / b[0]:.2f}' for s, b in runs)})")
    print(f"goal (ratio >= 0.80): {'met' if ratio >= 0.8 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
