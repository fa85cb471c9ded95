# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The "other host": a second origin the simulator starts on request, for redirect and upload-host tests.

It listens on 127.0.0.2 (another host, not just another port) when the
system allows it, else on 127.0.0.1, with HTTPS (a certificate of the same CA)
on one port and plain HTTP on another. It logs every request with its headers,
so that a test can check that no session token or Authorization reached it,
and answers every request with a harmless 200 ``{"other_host": true}``.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from aiohttp import web

LOG = logging.getLogger("simulator.other_host")
ADDRESSES = ("127.0.0.2", "127.0.0.1")


def _listen() -> socket.socket:
    for address in ADDRESSES:
        try:
            return socket.create_server((address, 0), backlog=128)
        except OSError:
            continue
    raise OSError("cannot listen on any loopback address")


class OtherHost:
    """Two listeners (https, http) sharing one request log."""

    def __init__(self) -> None:
        self.log: list[dict[str, Any]] = []
        self.runner: web.AppRunner | None = None
        self.https_url = ""
        self.http_url = ""

    async def handle(self, request: web.Request) -> web.Response:
        received = 0
        while chunk := await request.content.readany():
            received += len(chunk)
        self.log.append(
            {
                "scheme": request.scheme,
                "method": request.method,
                "path": request.path,
                "query": request.query_string,
                "headers": dict(request.headers),
                "body_bytes": received,
            }
        )
        LOG.info("other host got %s %s", request.method, request.path)
        return web.json_response({"other_host": True})

    async def start(self, ssl_context: Any) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self.runner.setup()
        secure, plain = _listen(), _listen()
        await web.SockSite(self.runner, secure, ssl_context=ssl_context).start()
        await web.SockSite(self.runner, plain).start()
        host, port = secure.getsockname()[:2]
        self.https_url = f"https://{host}:{port}"
        host, port = plain.getsockname()[:2]
        self.http_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    def to_json(self) -> dict[str, Any]:
        return {"https_url": self.https_url, "http_url": self.http_url}
