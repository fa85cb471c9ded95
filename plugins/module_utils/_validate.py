# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of the task's input, run before the first request is sent.

This is a private module: it is not a public API and may change at any time.

Every check raises UserInputError with one message that names the option and
says what is wrong; a refused task sends nothing at all.
"""

from __future__ import annotations

import grp
import ipaddress
import os
import pwd
import re
import stat
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import UserInputError
from ansible_collections.vsphere.content_library.plugins.module_utils._model import DEFAULT_ALGORITHM, DIGEST_LENGTHS

# vCenter ids are UUIDs or vmodl ids such as "datastore-12"; 256 leaves room for both.
MAX_ID_LENGTH = 256
MAX_NAME_LENGTH = 255
MAX_HOSTNAME_LENGTH = 253
MAX_URL_LENGTH = 8192
_ID_FORBIDDEN = re.compile(r'[/?#%\\\s\x00-\x1f\x7f]')
_CONTROL = re.compile(r'[\x00-\x1f\x7f]')
_LABEL = re.compile(r'^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$')
_THUMBPRINT = re.compile(r'^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){19}$')
_HEX = re.compile(r'^[0-9A-Fa-f]+$')
# Item and library names: vCenter allows at most 80 characters (download-session-api.md 3).
MAX_ITEM_NAME_LENGTH = 80
NAME_OPTIONS = ('library_name', 'item_name')


def _show(value: Any, limit: int = 60) -> str:
    """A value as it may appear in a message: repr'd and cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + '...'


def check_id(value: Any, option: str) -> str:
    """An API id: non-empty, one path segment, no whitespace or control characters, sane length."""
    if not isinstance(value, str) or not value.strip():
        raise UserInputError('%s must not be empty: it names the object to work on (is a variable unset?).' % option)
    if len(value) > MAX_ID_LENGTH:
        raise UserInputError('%s is %d characters long; an id of the vSphere API has at most %d.' % (option, len(value), MAX_ID_LENGTH))
    if value in ('.', '..'):
        raise UserInputError('%s %r is not an id.' % (option, value))
    bad = _ID_FORBIDDEN.search(value)
    if bad:
        raise UserInputError(
            '%s %s holds %r, which no id of the vSphere API holds (no /, ?, #, %%, \\, whitespace or control characters).' % (option, _show(value), bad.group())
        )
    return value


def check_file_name(value: Any, option: str = 'name') -> str:
    """A file name in an update session: one plain name, no directories."""
    if not isinstance(value, str) or not value.strip():
        raise UserInputError('%s must not be empty.' % option)
    if len(value) > MAX_NAME_LENGTH:
        raise UserInputError('%s is %d characters long; at most %d are allowed.' % (option, len(value), MAX_NAME_LENGTH))
    if value in ('.', '..') or '/' in value or '\\' in value:
        raise UserInputError('%s %s must be a plain file name, without / or \\ and not . or ..' % (option, _show(value)))
    if any(unicodedata.category(char) == 'Cc' for char in value):
        raise UserInputError('%s %s must not contain control characters.' % (option, _show(value)))
    return value


def check_range(value: int | None, option: str, low: int, high: int | None = None) -> int | None:
    if value is None:
        return value
    if value < low or (high is not None and value > high):
        what = 'between %s and %s' % (low, high) if high is not None else 'at least %s' % low
        raise UserInputError('%s must be %s, not %s.' % (option, what, value))
    return value


def check_host(host: str, option: str) -> str:
    """A host name, an IPv4 or an IPv6 address (without brackets); returns it."""
    if not host:
        raise UserInputError('%s names no host.' % option)
    if len(host) > MAX_HOSTNAME_LENGTH:
        raise UserInputError('%s is %d characters long; a host name has at most %d.' % (option, len(host), MAX_HOSTNAME_LENGTH))
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    name = host[:-1] if host.endswith('.') else host
    if not all(_LABEL.match(label) for label in name.split('.')) or name.replace('.', '').isdigit():
        raise UserInputError('%s %s is not a host name, an IPv4 address or an IPv6 address.' % (option, _show(host)))
    return host


def _port_from_text(text: str, option: str) -> int:
    if not text.isdigit():
        raise UserInputError('%s gives the port %s, which is not a number.' % (option, _show(text)))
    port = int(text)
    check_range(port, '%s\'s port' % option, 1, 65535)
    return port


def parse_hostname(value: Any, option: str = 'hostname') -> tuple[str, int | None]:
    """Split ``hostname`` into (host, port or None).

    Accepts ``host``, ``host:port``, ``v6addr``, ``[v6addr]``, ``[v6addr]:port`` and
    ``https://host[:port][/]``: AWX's VMware credential has no port field, so its
    host is often written with one.
    """
    if not isinstance(value, str) or not value.strip():
        raise UserInputError('%s must not be empty.' % option)
    text = value.strip()
    if len(text) > MAX_HOSTNAME_LENGTH + 16:
        raise UserInputError('%s is %d characters long; a host name has at most %d.' % (option, len(text), MAX_HOSTNAME_LENGTH))
    if '://' in text:
        scheme, rest = text.split('://', 1)
        if scheme.lower() != 'https':
            raise UserInputError('%s %s: only https:// is possible; vCenter serves its API over HTTPS.' % (option, _show(value)))
        if rest.endswith('/'):
            rest = rest[:-1]
        if not rest or '/' in rest or '?' in rest or '#' in rest or '@' in rest:
            raise UserInputError('%s %s must be a host, optionally with a port, and no path.' % (option, _show(value)))
        text = rest
    port = None
    if text.startswith('['):
        end = text.find(']')
        if end < 0:
            raise UserInputError('%s %s opens [ without closing it.' % (option, _show(value)))
        host, rest = text[1:end], text[end + 1 :]
        if rest:
            if not rest.startswith(':'):
                raise UserInputError('%s %s has something after ] that is not :port.' % (option, _show(value)))
            port = _port_from_text(rest[1:], option)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise UserInputError('%s %s: [%s] is not an IPv6 address.' % (option, _show(value), host))
        return host, port
    if text.count(':') == 1:
        host, port_text = text.split(':')
        port = _port_from_text(port_text, option)
        text = host
    elif text.count(':') > 1:
        try:
            ipaddress.IPv6Address(text)
        except ValueError:
            raise UserInputError('%s %s is not a host name or an address (write an IPv6 address with a port as [addr]:port).' % (option, _show(value)))
        return text, None
    return check_host(text, option), port


def resolve_endpoint(params: dict[str, Any], prefix: str = '') -> tuple[str, int]:
    """(host, port) from ``hostname`` and ``port``; a port given twice must agree.

    ``prefix`` names where the options are in messages (``target.`` for a copy's target).
    """
    host, port_in_host = parse_hostname(params['hostname'], prefix + 'hostname')
    port = params.get('port')
    check_range(port, prefix + 'port', 1, 65535)
    if port_in_host is not None and port is not None and port != port_in_host:
        raise UserInputError(
            '%shostname %s names port %s, but %sport is %s: give the port once.' % (prefix, _show(params['hostname']), port_in_host, prefix, port)
        )
    return host, port_in_host or port or 443


def check_readable_path(value: str, option: str, directory_ok: bool = True) -> str:
    if not os.path.exists(value):
        raise UserInputError('%s %s does not exist on the host that runs the module.' % (option, value))
    mode = os.stat(value).st_mode
    if not (stat.S_ISREG(mode) or (directory_ok and stat.S_ISDIR(mode))):
        kinds = 'a regular file or a directory' if directory_ok else 'a regular file'
        raise UserInputError('%s %s is not %s.' % (option, value, kinds))
    if not os.access(value, os.R_OK):
        raise UserInputError('%s %s cannot be read by the user that runs the module.' % (option, value))
    return value


def check_source_url(value: Any, option: str = 'source_url') -> str:
    """An http, https or ds URL that vCenter can pull from."""
    if not isinstance(value, str) or not value.strip():
        raise UserInputError('%s must not be empty.' % option)
    if len(value) > MAX_URL_LENGTH or _CONTROL.search(value) or ' ' in value:
        raise UserInputError('%s %s is not a well-formed URL (too long, or it holds spaces or control characters).' % (option, _show(value)))
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise UserInputError('%s %s is not a well-formed URL: %s.' % (option, _show(value), exc))
    scheme = parts.scheme.lower()
    if scheme not in ('http', 'https', 'ds'):
        raise UserInputError('%s must use http, https or ds, not %s.' % (option, _show(scheme or value)))
    if scheme == 'ds':
        # ds:///vmfs/volumes/<datastore>/<path>: the host part is empty, the path is the file.
        if not parts.path.strip('/'):
            raise UserInputError('%s %s names no datastore file (ds:///vmfs/volumes/<datastore>/<path>).' % (option, _show(value)))
        return value
    netloc_host = parts.netloc.rsplit('@', 1)[-1]
    if netloc_host.count(':') > 1 and not netloc_host.startswith('['):
        raise UserInputError('%s %s: write an IPv6 host in brackets, as https://[addr]:port/path.' % (option, _show(value)))
    check_host(parts.hostname or '', option)
    if port is not None:
        check_range(port, '%s\'s port' % option, 1, 65535)
    if parts.username or parts.password:
        raise UserInputError('%s must not carry a user name or password; vCenter would store it with the file.' % option)
    if not parts.path.strip('/'):
        raise UserInputError('%s %s names no file.' % (option, _show(value)))
    return value


def check_thumbprint(value: Any, option: str = 'ssl_certificate_thumbprint') -> str:
    """A SHA-1 certificate fingerprint; returned in the upper case vCenter shows."""
    if not _THUMBPRINT.match(value or ''):
        raise UserInputError(
            '%s must be the SHA-1 fingerprint of a certificate in colon-separated hex (20 pairs, such as 1A:2B:...:9F), not %s.' % (option, _show(value))
        )
    return value.upper()


def check_checksum(value: Any, algorithm: str | None, option: str = 'checksum') -> str:
    """A hex digest of the length ``algorithm`` gives; returned in lower case."""
    algorithm = (algorithm or DEFAULT_ALGORITHM).upper()
    length = DIGEST_LENGTHS.get(algorithm)
    if not isinstance(value, str) or not _HEX.match(value) or (length and len(value) != length):
        raise UserInputError('%s must be the %s digest in hex (%s hex digits), not %s.' % (option, algorithm, length, _show(value)))
    return value.lower()


def check_text(value: Any, option: str, max_length: int = 1000) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UserInputError('%s must not be empty.' % option)
    if len(value) > max_length:
        raise UserInputError('%s is %d characters long; at most %d are allowed.' % (option, len(value), max_length))
    return value


def check_name(value: Any, option: str) -> str:
    """A library or item name: not empty, at most 80 characters, no control characters."""
    check_text(value, option, max_length=MAX_ITEM_NAME_LENGTH)
    if _CONTROL.search(value):
        raise UserInputError('%s %s must not contain control characters.' % (option, _show(value)))
    return value


def check_connection(params: dict[str, Any], prefix: str = '') -> tuple[str, int]:
    """The connection options; returns (host, port). Every refusal happens here, before any client exists.

    ``prefix`` names where the options are in messages (``target.`` for a copy's target).
    """
    host, port = resolve_endpoint(params, prefix)
    check_range(params['timeout'], prefix + 'timeout', 1, 3600)
    check_range(params['retries'], prefix + 'retries', 0, 10)
    if params['proxy_host']:
        check_host(params['proxy_host'], prefix + 'proxy_host')
    check_range(params['proxy_port'], prefix + 'proxy_port', 1, 65535)
    if params['proxy_port'] is not None and not params['proxy_host']:
        raise UserInputError('%sproxy_port needs %sproxy_host.' % (prefix, prefix))
    if params['ca_path'] and params['validate_certs']:
        check_readable_path(params['ca_path'], prefix + 'ca_path')
    if not params['username'] or not params['username'].strip():
        raise UserInputError('%susername must not be empty.' % prefix)
    if not params['password']:
        raise UserInputError('%spassword must not be empty.' % prefix)
    return host, port


def check_ids(params: dict[str, Any], prefix: str = '') -> None:
    """Every option named ``*_id`` is an id of the API, and every ``library_name`` or ``item_name`` a name:
    the one place where modules' ids and names are checked."""
    for option, value in params.items():
        if value is None:
            continue
        if option.endswith('_id'):
            check_id(value, prefix + option)
        elif option in NAME_OPTIONS:
            check_name(value, prefix + option)


def check_file_arguments(params: dict[str, Any]) -> None:
    """``mode``, ``owner`` and ``group`` of a module that writes files, checked as Ansible will apply them.

    Ansible's file arguments are only applied once the files are written; a typo there would be found
    after the whole transfer, with the files already replaced.
    """
    mode = params.get('mode')
    if mode is not None and not isinstance(mode, int):
        try:
            mode = int(str(mode), 8)
        except ValueError:
            try:
                # Ansible's own parser of symbolic modes ("u=rw,g=r"), on any stat: only the syntax matters here.
                AnsibleModule._symbolic_mode_to_octal(os.stat(os.sep), str(mode))  # pylint: disable=protected-access
                mode = None
            except Exception:  # pylint: disable=broad-except
                raise UserInputError('mode %s is neither octal (such as "0640") nor symbolic (such as "u=rw,g=r").' % _show(params['mode']))
    if mode is not None and mode != stat.S_IMODE(mode):
        raise UserInputError('mode %s holds more than permission bits.' % _show(params['mode']))
    for option, lookup, what in (('owner', pwd.getpwnam, 'user'), ('group', grp.getgrnam, 'group')):
        value = params.get(option)
        if value is not None and not str(value).isdigit():
            try:
                lookup(str(value))
            except KeyError:
                raise UserInputError('%s %s names no %s on the host that runs the module.' % (option, _show(value), what))
