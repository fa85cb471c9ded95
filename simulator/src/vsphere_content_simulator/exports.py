# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The environment variables that describe a running simulator, for ``run --`` and ``--env FILE``.

Two sets: ``SIM_*`` for scripts that know the simulator (its JSON file, URL, control URL, CA),
and the ``VMWARE_*`` variables that the vsphere.content_library modules read when a task does
not set the connection options, so that a playbook written for a real vCenter runs unchanged.
"""

from __future__ import annotations

import os
import shlex
from typing import Any, Mapping, Sequence
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


def instance_variables(instances: Sequence[tuple[Mapping[str, Any], str]]) -> dict[str, str]:
    """The variables ``run`` exports for its simulators, given as (info, info_path) in order.

    ``SIM_INSTANCES`` is their number; each one's variables are under the prefix ``SIM<n>_``
    (``SIM_URL`` becomes ``SIM2_URL``, ``VMWARE_HOST`` becomes ``SIM2_VMWARE_HOST``), and the
    unprefixed ones are the first simulator's, so that one simulator needs no prefix at all.
    """
    variables = {"SIM_INSTANCES": str(len(instances))}
    variables.update(exported_variables(*instances[0]))
    for number, (info, info_path) in enumerate(instances, 1):
        for name, value in exported_variables(info, info_path).items():
            variables[prefixed(number, name)] = value
    return variables


def prefixed(number: int, name: str) -> str:
    """The name of an instance's variable: SIM_URL -> SIM2_URL, VMWARE_HOST -> SIM2_VMWARE_HOST."""
    return f"SIM{number}_{name[len('SIM_') :]}" if name.startswith("SIM_") else f"SIM{number}_{name}"


def shell_exports(variables: Mapping[str, str]) -> str:
    """``export NAME=VALUE`` lines, values shell-quoted, for ``source FILE``."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in variables.items())


def write_private(path: str, text: str) -> None:
    """Write ``text`` to ``path``, readable and writable by its owner only (mode 0600), even if it existed."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        os.fchmod(stream.fileno(), 0o600)
        stream.write(text)
