# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command line, server start-up and shutdown of ``vsphere-content-simulator``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any, Sequence

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from vsphere_content_simulator import control, lifecycle, seed
from vsphere_content_simulator.config import DEFAULT_USERNAME, Config
from vsphere_content_simulator.dispatch import Dispatcher
from vsphere_content_simulator.exports import exported_variables, shell_exports, write_private
from vsphere_content_simulator.flavors import MAX_JSON_BODY
from vsphere_content_simulator.state import Store
from vsphere_content_simulator.tls import WILDCARD_HOSTS, make_server_tls

PROG = "vsphere-content-simulator"
LOG = logging.getLogger("simulator")
# Bigger socket reads mean fewer trips through the event loop on large uploads.
READ_BUFSIZE = 4 * 1024 * 1024
SWEEP_INTERVAL = 1.0


def _user(value: str) -> tuple[str, str]:
    name, sep, password = value.partition(":")
    if not sep or not name:
        raise argparse.ArgumentTypeError("expected NAME:PASSWORD")
    return name, password


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value}") from None
    if math.isnan(number) or number <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return number


def _non_negative(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value}") from None
    if math.isnan(number) or number < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return number


def parse_args(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Local vCenter REST simulator for Content Library item update and download sessions. "
        "Prints one JSON line on stdout once it accepts connections; logs go to stderr.",
        epilog=f"{PROG} run [OPTIONS...] -- CMD [ARGS...] runs CMD against a simulator started for it (see {PROG} run --help).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default 0)")
    parser.add_argument("--no-tls", action="store_true", help="serve plain HTTP instead of HTTPS")
    parser.add_argument("--flavor", choices=("api", "rest", "both"), default="both", help="URL flavours to serve; rest behaves like vCenter 6.7 (default both)")
    parser.add_argument("--username", default=DEFAULT_USERNAME, help=f"login user (default {DEFAULT_USERNAME})")
    parser.add_argument("--password", default=None, help="login password (default: random, printed in the JSON line)")
    parser.add_argument("--extra-user", action="append", type=_user, default=[], metavar="NAME:PASSWORD", help="another user that can log in (repeatable)")
    parser.add_argument("--session-ttl", type=_positive, default=1800.0, help="seconds before an idle login session expires (default 1800)")
    parser.add_argument("--max-sessions", type=int, default=100, help="open login sessions allowed before logins get 503 (default 100)")
    parser.add_argument(
        "--update-session-timeout", type=_positive, default=300.0, help="seconds without activity before an ACTIVE update session expires (default 300)"
    )
    parser.add_argument(
        "--terminal-session-retention", type=_positive, default=600.0, help="seconds a DONE, ERROR or CANCELED update session is kept (default 600)"
    )
    parser.add_argument("--latency-ms", type=int, default=0, help="milliseconds added to every API call (default 0)")
    parser.add_argument(
        "--upload-rate-limit",
        type=int,
        default=0,
        metavar="BYTES_PER_SECOND",
        help="cap every upload connection at this many bytes per second; 0 is unlimited (default 0)",
    )
    parser.add_argument(
        "--discard-content",
        action="store_true",
        help="store only the bytes of .ovf, .mf and .cert files, of the others only the size and checksums "
        "(for upload benchmarks); such files cannot be downloaded. By default every file is stored",
    )
    parser.add_argument("--keep-content", action="store_true", help="accepted for compatibility: storing every file is now the default")
    parser.add_argument(
        "--download-session-timeout", type=_positive, default=300.0, help="seconds without activity before an ACTIVE download session expires (default 300)"
    )
    parser.add_argument("--prepare-latency", type=_non_negative, default=0.2, help="seconds a download file prepare takes; 0 prepares at once (default 0.2)")
    parser.add_argument("--copy-latency", type=_non_negative, default=0.2, help="seconds before the files of an item copy appear (default 0.2)")
    parser.add_argument(
        "--download-rate-limit",
        type=int,
        default=0,
        metavar="BYTES_PER_SECOND",
        help="cap every download connection at this many bytes per second; 0 is unlimited (default 0)",
    )
    parser.add_argument(
        "--download-host", choices=("main", "other"), default="main", help="host named by download_endpoint.uri; other implies --other-host (default main)"
    )
    parser.add_argument("--other-host", action="store_true", help="start the other host (127.0.0.2, https and http) at once; /_sim/other-host starts it later")
    parser.add_argument(
        "--upload-host", choices=("main", "other"), default="main", help="host named by upload_endpoint.uri; other implies --other-host (default main)"
    )
    parser.add_argument(
        "--log-level", choices=("debug", "info", "warning", "error"), default="info", help="stderr log level; debug logs every request (default info)"
    )
    parser.add_argument("--exit-with-parent", action="store_true", help="stop when the process that started it exits (the launcher module and run set this)")
    parser.add_argument(
        "--env",
        metavar="FILE",
        default=None,
        help="before printing the JSON line, write FILE (mode 0600) with export lines of the SIM_* and "
        "VMWARE_* variables that describe this simulator, for `source FILE`",
    )
    parser.add_argument(
        "--seed",
        metavar="FILE",
        action="append",
        default=[],
        help="also create the libraries, items and item files that FILE describes (YAML, or JSON when "
        "its name ends in .json); a mistake in it stops the start with its line and exit status 2",
    )
    parser.add_argument(
        "--no-default-seed", action="store_true", help="do not create the default content (local-lib, subscribed-lib, empty-iso, empty-ovf, subscribed-item)"
    )
    args = parser.parse_args(argv)
    if len(args.seed) > 1:
        parser.error("--seed: one seed file per simulator (run --instances N takes one per instance)")
    if args.max_sessions < 1 or args.latency_ms < 0 or args.upload_rate_limit < 0 or not 0 <= args.port <= 65535:
        parser.error("--max-sessions must be at least 1, --latency-ms and --upload-rate-limit not negative, --port within 0-65535")
    if args.download_rate_limit < 0:
        parser.error("--download-rate-limit must not be negative")
    return Config(
        seed=_load_seed(args.seed[0], not args.no_default_seed) if args.seed else None,
        default_seed=not args.no_default_seed,
        host=args.host,
        port=args.port,
        tls=not args.no_tls,
        flavor=args.flavor,
        username=args.username,
        password=args.password if args.password is not None else secrets.token_urlsafe(18),
        extra_users=dict(args.extra_user),
        session_ttl=args.session_ttl,
        max_sessions=args.max_sessions,
        update_session_timeout=args.update_session_timeout,
        terminal_session_retention=args.terminal_session_retention,
        latency_ms=args.latency_ms,
        upload_rate_limit=args.upload_rate_limit,
        discard_content=args.discard_content,
        other_host=args.other_host or args.upload_host == "other" or args.download_host == "other",
        upload_host=args.upload_host,
        log_level=args.log_level,
        exit_with_parent=args.exit_with_parent,
        env_file=args.env,
        download_session_timeout=args.download_session_timeout,
        prepare_latency=args.prepare_latency,
        copy_latency=args.copy_latency,
        download_rate_limit=args.download_rate_limit,
        download_host=args.download_host,
    )


def _load_seed(path: str, default_seed: bool) -> seed.Seed:
    """The checked seed file, or exit 2 with its line and the reason before anything starts."""
    try:
        return seed.load(path, default_seed=default_seed)
    except seed.SeedError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def build_app(store: Store) -> web.Application:
    app = web.Application(client_max_size=MAX_JSON_BODY)
    control.register(app, store)
    app.router.add_route("*", "/{tail:.*}", Dispatcher(store).handle)
    return app


def _listen(host: str, port: int) -> socket.socket:
    family = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
    return socket.create_server((host, port), family=family, backlog=128)


def _url_host(host: str) -> str:
    if host in WILDCARD_HOSTS:
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def startup_info(config: Config, store: Store, port: int, ca_path: str | None) -> dict[str, Any]:
    url = f"{'https' if config.tls else 'http'}://{_url_host(config.host)}:{port}"
    return {
        "url": url,
        "username": config.username,
        "password": config.password,
        "ca_cert": ca_path,
        "flavor": config.flavor,
        "control_url": url + control.PREFIX,
        "libraries": store.seeds["libraries"],
        "items": store.seeds["items"],
    }


async def _housekeeping(store: Store, stop: asyncio.Event, parent: int) -> None:
    """Expire sessions even when no request comes; with --exit-with-parent, stop once orphaned."""
    while True:
        await asyncio.sleep(SWEEP_INTERVAL)
        lifecycle.sweep(store)
        # A test runner killed outright must not leave simulators behind.
        if store.config.exit_with_parent and os.getppid() != parent:
            LOG.warning("the parent process %s is gone: stopping", parent)
            stop.set()


async def serve(config: Config) -> int:
    parent = os.getppid()
    root = Path(tempfile.mkdtemp(prefix="vcenter-sim-"))
    runner = None
    sweeper = None
    store = None
    try:
        tls = make_server_tls(root, config.host) if config.tls else None
        store = Store(config, root / "storage")
        store.tls = tls
        if config.default_seed:
            store.seed()
        if config.seed is not None:
            try:
                seed.populate(store, config.seed)
            except seed.SeedError as exc:
                print(f"{PROG}: {exc}", file=sys.stderr)
                return 2
        runner = web.AppRunner(build_app(store), access_log=None, shutdown_timeout=2.0, read_bufsize=READ_BUFSIZE)
        await runner.setup()
        try:
            sock = _listen(config.host, config.port)
        except OSError as exc:
            LOG.error("cannot listen on %s port %s: %s", config.host, config.port, exc)
            return 1
        await web.SockSite(runner, sock, ssl_context=tls.context if tls else None).start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        sweeper = asyncio.create_task(_housekeeping(store, stop, parent))
        info = startup_info(config, store, sock.getsockname()[1], tls.ca_path if tls else None)
        if config.other_host:
            info["other_host"] = (await control.ensure_other_host(store)).to_json()
        if config.env_file is not None:
            try:
                write_env_file(config.env_file, info, root)
            except OSError as exc:
                LOG.error("cannot write --env %s: %s", config.env_file, exc)
                return 1
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        LOG.info("listening on %s (flavor %s)", info["url"], config.flavor)
        await stop.wait()
        LOG.info("stopping")
    finally:
        if sweeper is not None:
            sweeper.cancel()
        if store is not None:
            for task in list(store.tasks):
                task.cancel()
        if store is not None and store.other_host is not None:
            await store.other_host.stop()
        if runner is not None:
            await runner.cleanup()
        shutil.rmtree(root, ignore_errors=True)
    return 0


def write_env_file(path: str, info: dict[str, Any], root: Path) -> None:
    """``--env FILE``: the JSON line in the temporary directory (SIM_INFO), and FILE with the exports."""
    info_path = root / "info.json"
    write_private(str(info_path), json.dumps(info) + "\n")
    write_private(path, shell_exports(exported_variables(info, str(info_path))))


class MalformedHttpFilter(logging.Filter):  # pylint: disable=too-few-public-methods
    """One warning line, not a traceback, for HTTP that aiohttp cannot parse (it answers 400 itself)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            detail = " ".join(str(error.message).split())
            record.msg = f"{record.getMessage()}: malformed HTTP: {detail}"
            record.args = ()
            record.exc_info = None
            record.levelno = logging.WARNING
            record.levelname = "WARNING"
        return True


def main(argv: Sequence[str] | None = None) -> int:
    """``vsphere-content-simulator [OPTIONS]``, or ``vsphere-content-simulator run [OPTIONS] -- CMD``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["run"]:
        from vsphere_content_simulator import run  # pylint: disable=import-outside-toplevel

        return run.main(args[1:])
    config = parse_args(args)
    logging.basicConfig(stream=sys.stderr, level=config.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("aiohttp.server").addFilter(MalformedHttpFilter())
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(serve(config))
    return 0
