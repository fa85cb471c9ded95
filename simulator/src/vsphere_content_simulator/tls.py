# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The throwaway CA and server certificate, made by trustme at every start."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

WILDCARD_HOSTS = ("", "0.0.0.0", "::")


@dataclass
class ServerTLS:
    """The server's SSL context and where the CA that signed its certificate was written."""

    context: ssl.SSLContext
    ca_path: str
    ca: trustme.CA | None = None

    def other_host_context(self) -> ssl.SSLContext:
        """A server context of the same CA for the other host (127.0.0.2 and 127.0.0.1)."""
        if self.ca is None:
            raise ValueError("this ServerTLS has no CA to issue the other host's certificate with")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.2", "127.0.0.1", "localhost").configure_cert(context)
        return context


def make_server_tls(directory: Path, host: str) -> ServerTLS:
    """A server context for 127.0.0.1, localhost (and --host), and the CA's PEM written in ``directory``."""
    ca = trustme.CA(organization_name="vCenter simulator throwaway CA")
    names = ["127.0.0.1", "localhost"]
    if host not in WILDCARD_HOSTS and host not in names:
        names.append(host)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    ca_path = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    return ServerTLS(context=context, ca_path=str(ca_path), ca=ca)
