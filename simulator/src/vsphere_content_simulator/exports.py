# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The environment variables that describe a running simulator, for ``run --`` and ``--env FILE``.

Two sets: ``SIM_*`` for scripts that know the simulator (its JSON file, URL, control URL, CA),
and the ``VMWARE_*`` variables that the vsphere.content_library modules read when a task does
not set the connection options, so that a playbook written for a real vCenter runs unchanged.
"""
from __future__ import annotations

import os
import shlex
from typing import Any, Mapping
from urllib.parse import urlsplit


def exported_variables(info: Mapping[str, Any], info_path: str) -> dict[str, str]:
    """The variables for a simulator whose JSON line is ``info``, written to the file ``info_path``.

    With ``--no-tls`` there is no CA: ``SIM_CA_CERT`` is empty and ``VMWARE_CA_PATH`` is left out
    (the collection's modules speak HTTPS only, so they cannot use such a simulator anyway).
    """
    url = urlsplit(info["url"])
    variables = {
        "SIM_INFO": info_path,
        "SIM_URL": info["url"],
        "SIM_CONTROL_URL": info["control_url"],
        "SIM_CA_CERT": info["ca_cert"] or "",
        # The host name without brackets (an IPv6 address is bare, as the modules' hostname option takes it).
        "VMWARE_HOST": url.hostname or "",
        "VMWARE_PORT": str(url.port),
        "VMWARE_USER": info["username"],
        "VMWARE_PASSWORD": info["password"],
        "VMWARE_VALIDATE_CERTS": "true",
    }
    if info["ca_cert"]:
        variables["VMWARE_CA_PATH"] = info["ca_cert"]
    return variables


def shell_exports(variables: Mapping[str, str]) -> str:
    """``export NAME=VALUE`` lines, values shell-quoted, for ``source FILE``."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in variables.items())


def write_private(path: str, text: str) -> None:
    """Write ``text`` to ``path``, readable and writable by its owner only (mode 0600), even if it existed."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        os.fchmod(stream.fileno(), 0o600)
        stream.write(text)
