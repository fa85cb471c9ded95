# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Upload benchmark: a PUT of N bytes over HTTPS to the simulator's upload endpoint with curl.

    .venv/bin/python bench/bench_upload.py [--size 1G] [--runs 3] [--checksum SHA1] [--no-baseline]

Starts a simulator, opens an update session on the seeded ``empty-iso`` item,
adds a PUSH file and uploads a generated (sparse) file to it with curl. Prints
the throughput, the simulator's peak RSS (VmHWM) and, unless --no-baseline,
the throughput of the same curl upload to a bare asyncio TLS sink that only
discards bytes, as a measure of what Python's TLS allows on this machine.
It reports the figures; it does not judge them.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from vsphere_content_simulator.launcher import start_simulator, stop_simulator
from vsphere_content_simulator.tls import make_server_tls

UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
HASHES = {"SHA1": "sha1", "MD5": "md5", "SHA256": "sha256", "SHA512": "sha512"}


def parse_size(text: str) -> int:
    text = text.strip().upper().removesuffix("IB").removesuffix("B")
    unit = text[-1:] if text[-1:] in UNITS else ""
    return int(float(text[: len(text) - len(unit)]) * UNITS[unit])


class Api:
    """Just enough of the /api flavour, with the standard library, to get an upload endpoint."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.url = info["url"]
        self.context = ssl.create_default_context(cafile=info["ca_cert"]) if info["ca_cert"] else None
        self.token = ""
        basic = base64.b64encode(f"{info['username']}:{info['password']}".encode()).decode()
        self.token = self.call("POST", "/api/session", headers={"Authorization": "Basic " + basic})

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        headers = dict(headers or {}, **({"vmware-api-session-id": self.token} if self.token else {}))
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, context=self.context, timeout=60) as response:
            payload = response.read()
        return json.loads(payload) if payload else None


def make_payload(directory: Path, size: int) -> Path:
    """A sparse file, read once so that it sits in the page cache: curl's side stays cheap from the first run on."""
    path = directory / "payload.bin"
    with open(path, "wb") as handle:
        handle.truncate(size)
    with open(path, "rb") as handle:
        while handle.read(4 * 1024 * 1024):
            pass
    return path


def file_checksum(path: Path, algorithm: str) -> str:
    digest = hashlib.new(HASHES[algorithm])
    with open(path, "rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def curl_upload(uri: str, payload: Path, ca_cert: str | None, header_file: Path | None) -> tuple[int, float]:
    """PUT the payload with curl; returns (HTTP status, seconds)."""
    command = ["curl", "-sS", "-T", str(payload), "-o", os.devnull, "-w", "%{http_code} %{time_total}", "-H", "Content-Type: application/octet-stream"]
    if ca_cert:
        command += ["--cacert", ca_cert]
    if header_file is not None:
        # From a file, so that the session token is not on the command line.
        command += ["-H", f"@{header_file}"]
    result = subprocess.run(command + [uri], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"curl failed ({result.returncode}): {result.stderr.strip()}")
    status, seconds = result.stdout.split()
    return int(status), float(seconds)


def settle() -> None:
    """Flush the page cache that earlier work left dirty, so that its writeback does not compete with a measurement."""
    os.sync()
    time.sleep(1)


def peak_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc status")


class Sink(asyncio.Protocol):
    """A bare HTTPS PUT receiver: parses the headers, discards the body, answers 200."""

    def __init__(self) -> None:
        self.transport: Any = None
        self.head = b""
        self.remaining = -1

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.remaining < 0:
            self.head += data
            if b"\r\n\r\n" not in self.head:
                return
            head, rest = self.head.split(b"\r\n\r\n", 1)
            fields = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
            fields = {key.strip().lower(): value.strip() for key, value in fields.items()}
            self.remaining = int(fields.get(b"content-length", b"0"))
            if fields.get(b"expect", b"").lower() == b"100-continue":
                self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            data = rest
        self.remaining -= len(data)
        if self.remaining <= 0:
            self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            self.transport.close()


def baseline(payload: Path, directory: Path) -> float:
    """Seconds for the same curl upload to the bare sink, served from a thread of this process."""
    tls = make_server_tls(directory, "127.0.0.1")
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(Sink, "127.0.0.1", 0, ssl=tls.context))
    port = server.sockets[0].getsockname()[1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        status, seconds = curl_upload(f"https://127.0.0.1:{port}/sink", payload, tls.ca_path, None)
        if status != 200:
            raise RuntimeError(f"the baseline sink answered {status}")
        return seconds
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        server.close()
        loop.close()


class Upload:
    """One PUSH file of an update session on a running simulator, uploaded again at every run()."""

    def __init__(self, info: dict[str, Any], size: int, checksum_info: dict[str, str] | None, directory: Path) -> None:
        self.info = info
        self.api = Api(info)
        self.session = self.api.call("POST", "/api/content/library/item/update-session", {"library_item_id": info["items"]["empty-iso"]["id"]})
        self.spec: dict[str, Any] = {"name": "payload.iso", "source_type": "PUSH", "size": size}
        if checksum_info:
            self.spec["checksum_info"] = checksum_info
        self.header_file = directory / "headers"
        self.header_file.write_text(f"vmware-api-session-id: {self.api.token}\n", encoding="ascii")

    def run(self, payload: Path) -> float:
        """Seconds curl took; RuntimeError if the file did not end READY with the right size."""
        files = f"/api/content/library/item/update-session/{self.session}/file"
        # Adding the file again resets it, so every run is a complete upload.
        added = self.api.call("POST", files, self.spec)
        settle()
        status, seconds = curl_upload(added["upload_endpoint"]["uri"], payload, self.info["ca_cert"], self.header_file)
        state = self.api.call("GET", files + "/payload.iso")
        if status != 200 or state["status"] != "READY" or state.get("size") != self.spec["size"]:
            raise RuntimeError(f"the upload failed: HTTP {status}, file {state}")
        return seconds


def measure(args: argparse.Namespace, payload: Path, directory: Path) -> tuple[list[tuple[float, float | None]], int, int]:
    """Upload to a fresh simulator ``args.runs`` times, each followed by the same upload to the bare sink.

    Alternating the two keeps them under the same machine load, which on a
    shared machine matters more than anything measured. Returns (simulator MB/s,
    baseline MB/s or None) per run, and the simulator's RSS after start-up and at peak (KiB).
    """
    checksum_info = {"algorithm": args.checksum, "checksum": file_checksum(payload, args.checksum)} if args.checksum else None
    process, info = start_simulator(["--log-level", "warning", "--discard-content"])
    rates: list[tuple[float, float | None]] = []
    try:
        upload = Upload(info, args.size, checksum_info, directory)
        rss_start = peak_rss_kib(process.pid)
        for run in range(1, args.runs + 1):
            seconds = upload.run(payload)
            rate = args.size / seconds / 1e6
            line = f"run {run}: simulator {args.size} bytes in {seconds:.2f} s = {rate:.0f} MB/s{', ' + args.checksum + ' verified' if args.checksum else ''}"
            base_rate = None
            if not args.no_baseline:
                settle()
                base_seconds = baseline(payload, directory)
                base_rate = args.size / base_seconds / 1e6
                line += f"; bare TLS sink {base_seconds:.2f} s = {base_rate:.0f} MB/s; ratio {rate / base_rate:.2f}"
            rates.append((rate, base_rate))
            print(line, flush=True)
        return rates, rss_start, peak_rss_kib(process.pid)
    finally:
        stop_simulator(process)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--size", type=parse_size, default=1024**3, help="bytes to upload, e.g. 2G, 512M (default 1G)")
    parser.add_argument("--checksum", choices=sorted(HASHES), help="also announce a checksum, so the simulator verifies it")
    parser.add_argument("--runs", type=int, default=3, help="uploads to make; medians are reported (default 3)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare TLS sink comparison")
    args = parser.parse_args(argv)
    if shutil.which("curl") is None:
        print("bench_upload: curl is required", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as scratch:
        directory = Path(scratch)
        payload = make_payload(directory, args.size)
        try:
            rates, rss_start, rss_peak = measure(args, payload, directory)
        except RuntimeError as exc:
            print(f"bench_upload: {exc}", file=sys.stderr)
            return 1
        rate = statistics.median(r for r, dummy in rates)
        print(
            f"simulator: median {rate:.0f} MB/s over {len(rates)} run(s); peak RSS (VmHWM) {rss_peak / 1024:.1f} MiB "
            f"(after start-up: {rss_start / 1024:.1f} MiB)"
        )
        if not args.no_baseline:
            base_rate = statistics.median(b for dummy, b in rates if b)
            ratio = statistics.median(r / b for r, b in rates if b)
            print(
                f"bare asyncio TLS sink: median {base_rate:.0f} MB/s; simulator/sink ratio: median {ratio:.2f} "
                f"(per run: {', '.join(f'{r / b:.2f}' for r, b in rates if b)})"
            )
            print(f"goal (ratio >= 0.80, peak RSS < 100 MiB): {'met' if ratio >= 0.8 and rss_peak < 100 * 1024 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
