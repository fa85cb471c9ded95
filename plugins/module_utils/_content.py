# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a local ``src`` holds: the files to send to an update session, checked against the OVF manifest.

``src`` is an ISO or any other single file, an OVF template (a directory, or its ``.ovf``
descriptor), or an OVA. ``read_content()`` turns it into ordered ``Part`` objects; each one
opens an independent bounded stream, so parts can be uploaded in parallel threads. An OVA is
never extracted: its tar index gives each member's offset and size, and a part reads that
window of the ``.ova`` file itself.

Everything in ``src`` is untrusted input: descriptor ``href`` values and OVA member names
become file names in the session, so they are checked like any ``name``; the descriptor is
parsed without DTDs or entities. Bad content found here raises ``UserInputError`` before
anything is sent. A digest that does not match the manifest is only known while a file is
read: ``VerifyingStream`` then raises ``ContentMismatchError``.

This is a private module: it is not a public API and may change at any time.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tarfile
import time
from typing import Any, Iterable, NamedTuple
from xml.parsers import expat

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import ContentMismatchError, UserInputError
from ansible_collections.vsphere.content_library.plugins.module_utils._model import (
    CERTIFICATE_SUFFIX,
    CHECKSUM_ALGORITHMS,
    DESCRIPTOR_SUFFIX,
    DIGEST_LENGTHS,
    MANIFEST_ALGORITHMS,
    MANIFEST_SUFFIX,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._transfer import CHUNK_SIZE, write_all
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import check_file_name

# What a part is, by its file name. vCenter treats .mf and .cert as OVF metadata: it wants them
# before the descriptor and does not keep them in storage once the session completes.
KIND_MANIFEST = 'manifest'
KIND_CERTIFICATE = 'certificate'
KIND_DESCRIPTOR = 'descriptor'
KIND_FILE = 'file'

OVF_NAMESPACES = ('http://schemas.dmtf.org/ovf/envelope/1', 'http://schemas.dmtf.org/ovf/envelope/2')


# A manifest lists a few lines per file; a bigger one is not a manifest.
_MAX_MANIFEST_BYTES = 4 * 1024 * 1024

_MANIFEST_LINE = re.compile(r'^(?P<algorithm>[A-Za-z0-9-]+)\s*\((?P<name>.+)\)\s*=\s*(?P<checksum>[0-9A-Fa-f]+)$')
# "http:", "file:", and also a Windows drive ("C:").
_URL_SCHEME = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:')
# POSIX ("ustar\0") and GNU ("ustar  \0") tar headers both carry "ustar" at offset 257.
_TAR_MAGIC_OFFSET = 257
_TAR_MAGIC = b'ustar'


class Checksum(NamedTuple):
    """A digest in the words of the API's ``checksum_info``: ``SHA256`` and lowercase hex."""

    algorithm: str
    checksum: str


def _check_href(href: str, where: str) -> None:
    """An OVF ``href`` or OVA member name: a session file name, and no URL either."""
    check_file_name(href, where)
    if _URL_SCHEME.match(href):
        raise UserInputError('%s must be a file name beside the descriptor, not a URL or drive: %r.' % (where, href))


def _kind_of(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith(MANIFEST_SUFFIX):
        return KIND_MANIFEST
    if lowered.endswith(CERTIFICATE_SUFFIX):
        return KIND_CERTIFICATE
    if lowered.endswith(DESCRIPTOR_SUFFIX):
        return KIND_DESCRIPTOR
    return KIND_FILE


def normalize_algorithm(algorithm: str, allowed: Iterable[str] = CHECKSUM_ALGORITHMS) -> str:
    upper = str(algorithm).upper().replace('-', '')
    if upper not in allowed:
        raise ValueError('Unsupported checksum algorithm %r; use one of %s.' % (algorithm, ', '.join(allowed)))
    return upper


class Part:
    """One file to send to the update session.

    ``name`` is the file name in the session, ``size`` its length in bytes, ``kind`` one of
    the ``KIND_*`` values, ``expected`` the manifest's ``Checksum`` for it (or None) and
    ``path`` the local file that holds it (for an OVA member: the ``.ova``, from ``offset``).
    """

    def __init__(self, name: str, size: int, path: str, offset: int = 0, expected: Checksum | None = None, file_size: int | None = None) -> None:
        self.name = name
        self.size = size
        self.path = path
        self.offset = offset
        self.expected = expected
        self.kind = _kind_of(name)
        # The size of ``path`` when src was read: a later change is caught when a stream opens.
        self._file_size = size if file_size is None else file_size

    @property
    def keep_in_storage(self) -> bool:
        """False for the manifest and the certificate: vCenter drops them when the session completes,
        so an idempotence check must not expect them in the library item."""
        return self.kind not in (KIND_MANIFEST, KIND_CERTIFICATE)

    def __repr__(self) -> str:
        return 'Part(%r, size=%r, kind=%r, expected=%r)' % (self.name, self.size, self.kind, self.expected)

    def open(self) -> _PartStream:
        """A fresh binary stream of this part only (a context manager); every call is independent."""
        return _PartStream(self, self._file_size)

    def upload_body(self, also: Iterable[str] = ()) -> VerifyingStream:
        """A ``VerifyingStream`` on a fresh stream: the request body of this part's upload.

        ``also`` adds digests to compute in the same pass, such as the ``SHA1`` vCenter reports.
        """
        return VerifyingStream(self.open(), self.name, self.size, self.expected, also)

    def checksum(self, algorithm: str) -> str:
        """This part's hex digest in ``algorithm``, by reading it (and checking it against the manifest)."""
        with self.upload_body(also=(algorithm,)) as body:
            while body.read():
                pass
            return body.digests[normalize_algorithm(algorithm, CHECKSUM_ALGORITHMS)]


class _PartStream:
    """Reads ``part.size`` bytes of ``part.path`` from ``part.offset``, then reports the end.

    A ``read()`` without a size returns one chunk, not the rest: nothing reads a whole
    disk into memory by accident. Readers loop until ``b''``, as for any stream.
    """

    def __init__(self, part: Part, file_size: int) -> None:
        self._part = part
        self._remaining = part.size
        # Each stream has its own handle, so parts (or one part twice) can be read in parallel.
        self._handle = open(part.path, 'rb')  # pylint: disable=consider-using-with
        try:
            now = os.fstat(self._handle.fileno()).st_size
            if now != file_size:
                raise ContentMismatchError(
                    '%s changed after it was read: it now has %d bytes instead of %d.' % (part.path, now, file_size),
                    part.name,
                    expected_size=file_size,
                    actual_size=now,
                )
            self._handle.seek(part.offset)
        except BaseException:
            self._handle.close()
            raise

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._remaining <= 0:
            return b''
        want = min(CHUNK_SIZE if size is None or size < 0 else size, self._remaining)
        chunk = self._handle.read(want)
        if want and not chunk:
            done = self._part.size - self._remaining
            raise ContentMismatchError(
                '%s ended after %d of the %d bytes of %s: it changed after it was read.' % (self._part.path, done, self._part.size, self._part.name),
                self._part.name,
                expected_size=self._part.size,
                actual_size=done,
            )
        self._remaining -= len(chunk)
        return chunk

    def close(self) -> None:
        self._handle.close()

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class VerifyingStream:
    """A stream of ``size`` bytes, hashed as it is read and checked against an ``expected`` digest.

    As a request body, ``requests`` sizes it by ``len()`` (the Content-Length) and streams it by
    ``read()``; it answers small reads (http.client asks for 8 KiB) with a whole chunk, so the
    per-call cost stays low. ``sent`` counts the bytes handed out, for progress. The same
    stream verifies what a download writes to disk and what a copy passes on.

    The check runs when the last byte is read, before that last chunk is returned: on a
    mismatch an upload's body stays short, so vCenter never gets the complete wrong file.
    ``verify()`` runs the same check, and returns the digests, once everything was read.
    ``against`` names where ``expected`` comes from, for the message (the manifest, vCenter).
    """

    def __init__(
        self, stream: Any, name: str, size: int | None, expected: Checksum | None = None, also: Iterable[str] = (), against: str = 'the manifest'
    ) -> None:
        self._stream = stream
        self.name = name
        self.size = size
        self.expected = expected
        self.against = against
        self.sent = 0
        self._digests: dict[str, Any] = {}
        if expected:
            self._digests[expected.algorithm] = hashlib.new(expected.algorithm.lower())
        for algorithm in also or ():
            algorithm = normalize_algorithm(algorithm, CHECKSUM_ALGORITHMS)
            if algorithm not in self._digests:
                self._digests[algorithm] = hashlib.new(algorithm.lower())
        self._updates = [digest.update for digest in self._digests.values()]
        self._verified: dict[str, str] | None = None

    def __len__(self) -> int:
        if self.size is None:
            raise TypeError('%s: a stream of unknown length has no len()' % self.name)
        return self.size

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(CHUNK_SIZE if size is None or size < 0 else max(size, CHUNK_SIZE))
        if chunk:
            for update in self._updates:
                update(chunk)
            self.sent += len(chunk)
            if self.size is None:
                return chunk
            if self.sent > self.size:
                raise ContentMismatchError(
                    '%s has more than the %d bytes %s announced.' % (self.name, self.size, self.against),
                    self.name,
                    expected_size=self.size,
                    actual_size=self.sent,
                )
            if self.sent == self.size:
                self.verify()
        elif self._verified is None:
            if self.size is not None and self.sent != self.size:
                raise ContentMismatchError(
                    '%s ended after %d of the %d bytes %s announced.' % (self.name, self.sent, self.size, self.against),
                    self.name,
                    expected_size=self.size,
                    actual_size=self.sent,
                )
            self.verify()
        return chunk

    def verify(self) -> dict[str, str]:
        """Check the digest against ``expected``; return ``{algorithm: hex digest}`` of every digest computed."""
        if self._verified is not None:
            return dict(self._verified)
        if self.size is not None and self.sent != self.size:
            raise ValueError('%s: verify() after %d of %d bytes; read the stream to its end first.' % (self.name, self.sent, self.size))
        actual = dict((algorithm, digest.hexdigest()) for algorithm, digest in self._digests.items())
        if self.expected and actual[self.expected.algorithm] != self.expected.checksum:
            raise ContentMismatchError(
                '%s does not match %s: its %s digest is %s, not %s.'
                % (self.name, self.against, self.expected.algorithm, actual[self.expected.algorithm], self.expected.checksum),
                self.name,
                self.expected.algorithm,
                self.expected.checksum,
                actual[self.expected.algorithm],
            )
        self._verified = actual
        return dict(actual)

    @property
    def digests(self) -> dict[str, str] | None:
        """``{algorithm: hex digest}`` once the stream was read to its end and verified, else None."""
        return None if self._verified is None else dict(self._verified)

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Manifest:
    """A parsed OVF manifest: ``entries`` maps a file name to its ``Checksum``, in the manifest's order."""

    def __init__(self, file_name: str, entries: dict[str, Checksum], lines: dict[str, int]) -> None:
        self.file_name = file_name
        self.entries = entries
        self._lines = lines

    def expected(self, name: str) -> Checksum | None:
        """The ``Checksum`` the manifest gives for ``name``, or None (a manifest need not list every file)."""
        return self.entries.get(name)

    def line_of(self, name: str) -> int | None:
        return self._lines.get(name)


def parse_manifest(text: str | bytes, file_name: str) -> Manifest:
    """Parse manifest lines such as ``SHA256(disk1.vmdk)= 3f1c...``; ``file_name`` is for messages.

    Refuses, with the line number, a malformed line, an algorithm other than SHA1, SHA256 or
    SHA512 (what ovftool writes), a digest of the wrong length and a file listed twice.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode('utf-8')
        except UnicodeDecodeError as exc:
            raise UserInputError('The manifest %s is not UTF-8 text: %s.' % (file_name, exc))
    entries: dict[str, Checksum] = {}
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        match = _MANIFEST_LINE.match(line)
        if not match:
            raise UserInputError('The manifest %s has a malformed line %d: %.80r; expected ALGORITHM(file name)= hex digest.' % (file_name, number, line))
        algorithm = match.group('algorithm').upper()
        name = match.group('name').strip()
        checksum = match.group('checksum').lower()
        if algorithm not in MANIFEST_ALGORITHMS:
            raise UserInputError(
                'The manifest %s uses the unknown algorithm %s on line %d; use one of %s.'
                % (file_name, match.group('algorithm'), number, ', '.join(MANIFEST_ALGORITHMS))
            )
        if len(checksum) != DIGEST_LENGTHS[algorithm]:
            raise UserInputError(
                'The manifest %s gives a %s digest of %d hex digits on line %d; %s has %d.'
                % (file_name, algorithm, len(checksum), number, algorithm, DIGEST_LENGTHS[algorithm])
            )
        if name in entries:
            raise UserInputError('The manifest %s lists %s twice (line %d and line %d).' % (file_name, name, lines[name], number))
        entries[name] = Checksum(algorithm, checksum)
        lines[name] = number
    return Manifest(file_name, entries, lines)


class Reference:
    """One File element of a descriptor's References section."""

    def __init__(self, href: str, size: int | None, chunked: bool) -> None:
        self.href = href
        self.size = size
        self.chunked = chunked


def _refuse_dtd(*_args: Any) -> Any:
    raise _DtdRefused()


class _DtdRefused(Exception):
    pass


def parse_descriptor(stream: Any, where: str) -> list[Reference]:
    """The References of an OVF descriptor, read from ``stream`` without DTDs or entities.

    A DOCTYPE is refused outright (an OVF descriptor never needs one, and entities are how
    "billion laughs" and external-entity attacks work). Streaming keeps memory flat.
    """
    # With a separator, expat reports "namespace local" names (and "local" for unqualified ones).
    parser = expat.ParserCreate(namespace_separator=' ')
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    stack: list[str] = []
    references: list[Reference] = []
    namespace = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        stack.append(tag)
        if len(stack) == 1:
            uri, _sep, local = tag.rpartition(' ')
            if local != 'Envelope' or uri not in OVF_NAMESPACES:
                raise UserInputError(
                    '%s is not an OVF descriptor: its root element is %s, not an OVF Envelope (%s).'
                    % (where, tag.replace(' ', ':'), ' or '.join(OVF_NAMESPACES))
                )
            namespace.append(uri)
            return
        if len(stack) == 3 and stack[1] == namespace[0] + ' References' and tag == namespace[0] + ' File':
            # ovf:href is what the standard says; an unqualified href is read too.
            href = attributes.get(namespace[0] + ' href', attributes.get('href'))
            size_text = attributes.get(namespace[0] + ' size', attributes.get('size'))
            chunked = (namespace[0] + ' chunkSize') in attributes or 'chunkSize' in attributes
            if href is None:
                raise UserInputError('%s has a File in its References without an ovf:href.' % where)
            size = None
            if size_text is not None:
                try:
                    size = int(size_text)
                except ValueError:
                    raise UserInputError('%s gives %s the ovf:size %r, which is not a number.' % (where, href, size_text))
            references.append(Reference(href, size, chunked))

    def end(_tag: str) -> None:
        stack.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        for chunk in iter(stream.read, b''):
            parser.Parse(chunk, False)
        parser.Parse(b'', True)
    except _DtdRefused:
        raise UserInputError('%s has a DOCTYPE or entity declaration; OVF descriptors are read without DTDs or entities.' % where)
    except expat.ExpatError as exc:
        raise UserInputError('%s is not well-formed XML: %s.' % (where, expat.ErrorString(exc.code) if exc.code else exc))
    return references


class Content:
    """What ``src`` holds: ``parts`` in upload order, the parsed ``manifest`` (or None) and
    ``source_type``: ``file``, ``ovf`` (a descriptor and its files) or ``ova``."""

    def __init__(self, parts: list[Part], manifest: Manifest | None, source_type: str) -> None:
        self.parts = parts
        self.manifest = manifest
        self.source_type = source_type


def read_content(src: str, name: str | None = None) -> Content:
    """Read ``src`` into a ``Content``; raise ``UserInputError`` for anything that cannot be uploaded.

    - A regular file: one part, named ``name`` or the file's base name.
    - A directory holding exactly one ``.ovf`` descriptor, or the path of the descriptor itself:
      the descriptor, every file its References names, and the manifest (``<descriptor base
      name>.mf``, else the only ``.mf``) and certificate (likewise ``.cert``) when present.
      Other files in the directory are left out.
    - An OVA: a ``.ova`` file, or a tar archive whose first member is an ``.ovf`` (the OVF
      standard puts the descriptor first; a plain ``.tar`` stays a single file). Its members,
      chosen like the files of a directory, are read in place.

    Parts come in the order vCenter needs: manifest, certificate, descriptor, then the
    referenced files in References order (an update session refuses OVF metadata files
    after the descriptor).
    """
    if not os.path.exists(src):
        raise UserInputError('src %s does not exist.' % src)
    if os.path.isdir(src):
        _refuse_name(name, src, 'an OVF template directory')
        return _read_ovf_directory(src, None)
    if not os.path.isfile(src):
        raise UserInputError('src %s is neither a regular file nor a directory.' % src)
    if src.lower().endswith('.ovf'):
        _refuse_name(name, src, 'an OVF descriptor')
        return _read_ovf_directory(os.path.dirname(src) or '.', os.path.basename(src))
    if src.lower().endswith('.ova') or _looks_like_ova(src):
        _refuse_name(name, src, 'an OVA')
        return _read_ova(src)
    if name is None:
        name = os.path.basename(src)
        check_file_name(name, 'The base name of src')
    else:
        check_file_name(name, 'name')
    part = Part(name, os.path.getsize(src), src)
    return Content([part], None, 'file')


def _refuse_name(name: str | None, src: str, what: str) -> None:
    if name is not None:
        raise UserInputError('name applies to a single file, but src %s is %s: its file names come from the OVF descriptor.' % (src, what))


def _looks_like_ova(path: str) -> bool:
    with open(path, 'rb') as handle:
        header = handle.read(512)
    if len(header) < 512 or header[_TAR_MAGIC_OFFSET : _TAR_MAGIC_OFFSET + len(_TAR_MAGIC)] != _TAR_MAGIC:
        return False
    try:
        with tarfile.open(path, 'r:') as archive:
            first = archive.next()
    except (tarfile.TarError, OSError):
        return False
    return first is not None and first.name.lower().endswith('.ovf')


def _pick(names: Iterable[str], descriptor: str, extension: str, where: str) -> str | None:
    """The manifest or certificate beside ``descriptor``: ``<base name><extension>``, else the only one."""
    candidates = [name for name in names if name.lower().endswith(extension)]
    own = os.path.splitext(descriptor)[0] + extension
    for candidate in candidates:
        if candidate.lower() == own.lower():
            return candidate
    if len(candidates) > 1:
        raise UserInputError(
            '%s holds several %s files (%s) and none is named %s; keep only the one for %s.'
            % (where, extension, ', '.join(sorted(candidates)), own, descriptor)
        )
    return candidates[0] if candidates else None


def _read_ovf_directory(directory: str, descriptor: str | None) -> Content:
    where = 'The OVF template directory %s' % directory
    names = sorted(entry for entry in os.listdir(directory) if os.path.isfile(os.path.join(directory, entry)))
    if descriptor is None:
        descriptors = [entry for entry in names if _kind_of(entry) == KIND_DESCRIPTOR]
        if not descriptors:
            raise UserInputError('%s holds no .ovf descriptor.' % where)
        if len(descriptors) > 1:
            raise UserInputError('%s holds more than one .ovf descriptor (%s); give the one to upload as src.' % (where, ', '.join(descriptors)))
        descriptor = descriptors[0]
    check_file_name(descriptor, 'The OVF descriptor name')
    files = dict((entry, Part(entry, os.path.getsize(os.path.join(directory, entry)), os.path.join(directory, entry))) for entry in names)
    return _assemble(files, descriptor, where, 'in %s' % directory, 'ovf')


def ova_parts(path: str) -> dict[str, Part]:
    """Every member of an OVA (or any tar archive of plain files) as a ``Part`` read in place, by name.

    Only the archive's index is read. A directory, link, special or sparse file, a name that
    is not a plain file name, a name twice or a member past the end of the file is refused
    with UserInputError.
    """
    where = 'The OVA %s' % path
    file_size = os.path.getsize(path)
    files: dict[str, Part] = {}
    try:
        with tarfile.open(path, 'r:') as archive:
            # Only the index is read: headers, with tarfile seeking over the data.
            members = archive.getmembers()
    except (tarfile.TarError, OSError) as exc:
        raise UserInputError('%s is not an uncompressed tar archive: %s.' % (where, exc))
    for member in members:
        if member.isdir():
            raise UserInputError('%s holds the directory %s; an OVA holds files only.' % (where, member.name))
        _check_href(member.name, '%s has a member whose name' % where)
        if not member.isreg() or member.issparse():
            what = 'link' if member.issym() or member.islnk() else 'sparse file' if member.issparse() else 'device or special file'
            raise UserInputError('%s holds %s as a %s; an OVA holds regular files only.' % (where, member.name, what))
        if member.name in files:
            raise UserInputError('%s holds two members named %s.' % (where, member.name))
        if member.offset_data + member.size > file_size:
            raise UserInputError('%s is truncated: its member %s ends past the end of the file.' % (where, member.name))
        files[member.name] = Part(member.name, member.size, path, member.offset_data, file_size=file_size)
    return files


def _read_ova(path: str) -> Content:
    where = 'The OVA %s' % path
    files = ova_parts(path)
    descriptors = [name for name in files if _kind_of(name) == KIND_DESCRIPTOR]
    if len(descriptors) != 1:
        raise UserInputError('%s must hold exactly one .ovf descriptor; it holds %s.' % (where, ', '.join(descriptors) if descriptors else 'none'))
    return _assemble(files, descriptors[0], where, 'in %s' % path, 'ova')


def _read_manifest(part: Part) -> Manifest:
    with part.open() as stream:
        data = b''.join(iter(lambda: stream.read(CHUNK_SIZE), b''))
    return parse_manifest(data, part.name)


def _assemble(files: dict[str, Part], descriptor: str, where: str, location: str, source_type: str) -> Content:
    """Choose and check the parts of an OVF package, ``files`` being every file by name."""
    manifest_name = _pick(files, descriptor, '.mf', where)
    certificate_name = _pick(files, descriptor, '.cert', where)
    manifest = None
    if manifest_name:
        if files[manifest_name].size > _MAX_MANIFEST_BYTES:
            raise UserInputError('The manifest %s %s has %d bytes; a manifest is a short text file.' % (manifest_name, location, files[manifest_name].size))
        manifest = _read_manifest(files[manifest_name])
        if manifest_name in manifest.entries:
            raise UserInputError('The manifest %s %s lists itself (line %s).' % (manifest_name, location, manifest.line_of(manifest_name)))

    descriptor_part = files[descriptor]
    descriptor_part.expected = manifest.expected(descriptor) if manifest else None
    # Reading the descriptor through a VerifyingStream checks its digest before anything is sent.
    with descriptor_part.upload_body() as body:
        references = parse_descriptor(body, 'The OVF descriptor %s %s' % (descriptor, location))

    referenced = []
    for reference in references:
        _check_href(reference.href, 'The OVF descriptor %s %s has an ovf:href that' % (descriptor, location))
        if reference.chunked:
            raise UserInputError(
                'The OVF descriptor %s %s splits %s into chunks (ovf:chunkSize), which is not supported.' % (descriptor, location, reference.href)
            )
        if _kind_of(reference.href) != KIND_FILE:
            # The session would take it for the package's own manifest, certificate or descriptor.
            raise UserInputError(
                'The OVF descriptor %s %s references %s, whose name is that of an OVF metadata file or descriptor.' % (descriptor, location, reference.href)
            )
        if reference.href in referenced:
            raise UserInputError('The OVF descriptor %s %s references %s twice.' % (descriptor, location, reference.href))
        part = files.get(reference.href)
        if part is None:
            raise UserInputError('The OVF descriptor %s %s references %s, which is missing %s.' % (descriptor, location, reference.href, location))
        if reference.size is not None and reference.size != part.size:
            raise UserInputError(
                'The OVF descriptor %s %s gives %s an ovf:size of %d bytes, but the file has %d.'
                % (descriptor, location, reference.href, reference.size, part.size)
            )
        referenced.append(reference.href)

    # The upload order (see read_content()): metadata files, the descriptor, then References order.
    chosen = [name for name in (manifest_name, certificate_name, descriptor) if name] + referenced
    if manifest:
        for listed in manifest.entries:
            if listed not in chosen:
                # vCenter checks every manifest entry when the session completes: fail now, not then.
                raise UserInputError(
                    'The manifest %s %s lists %s (line %s), which is not part of the OVF package %s.'
                    % (manifest_name, location, listed, manifest.line_of(listed), location)
                )
    parts = []
    for name in chosen:
        part = files[name]
        if manifest and part is not descriptor_part:
            part.expected = manifest.expected(name)
        parts.append(part)
    return Content(parts, manifest, source_type)


# -- writing an OVA ------------------------------------------------------------------------------

# A tar archive is made of 512-byte blocks; USTAR keeps a member's name in 100 bytes when it has no directory.
TAR_BLOCK = 512
USTAR_NAME_BYTES = 100


def check_member_name(name: str) -> str:
    """A name an OVA member can have: a plain file name of at most 100 bytes (USTAR without directories)."""
    _check_href(name, 'The OVA member name')
    if len(name.encode('utf-8')) > USTAR_NAME_BYTES:
        raise UserInputError('The file name %s is longer than the %d bytes a member of an OVA (a USTAR archive) can have.' % (name, USTAR_NAME_BYTES))
    return name


def manifest_text(digests: Iterable[tuple[str, Checksum]]) -> bytes:
    """An OVF manifest: one ``SHA256(name)= hex`` line per file, in the order given."""
    return ''.join('%s(%s)= %s\n' % (checksum.algorithm, name, checksum.checksum) for name, checksum in digests).encode('utf-8')


class OvaWriter:
    """Writes an OVA, a USTAR archive, one member at a time, as a stream, to an open raw (unbuffered) binary file.

    ``handle`` needs only ``write`` as a raw file has it (``_transfer.WriteBehind`` is one).

    The OVF standard puts the descriptor first, then the files in the order of its
    References; a manifest may come last. A tar header gives the member's size before its
    data, so ``add`` takes the size first and fails (ContentMismatchError) when the stream
    brings another number of bytes. Nothing is staged: the bytes go straight to ``handle``.
    """

    def __init__(self, handle: Any, mtime: float | None = None) -> None:
        self.handle = handle
        self.mtime = int(mtime if mtime is not None else time.time())
        self.members: list[tuple[str, int]] = []

    def _header(self, name: str, size: int) -> bytes:
        info = tarfile.TarInfo(check_member_name(name))
        info.size = size
        info.mode = 0o644
        info.mtime = self.mtime
        info.type = tarfile.REGTYPE
        return info.tobuf(format=tarfile.USTAR_FORMAT)

    def add(self, name: str, size: int, stream: Any) -> int:
        """Write a member of ``size`` bytes read from ``stream`` (until ``b''``); return the bytes written."""
        write_all(self.handle, self._header(name, size))
        written = 0
        for chunk in iter(lambda: stream.read(CHUNK_SIZE), b''):
            written += len(chunk)
            if written > size:
                raise ContentMismatchError(
                    '%s has more than the %d bytes its OVA member was given.' % (name, size), name, expected_size=size, actual_size=written
                )
            write_all(self.handle, chunk)
        if written != size:
            raise ContentMismatchError(
                '%s ended after %d of the %d bytes its OVA member was given.' % (name, written, size), name, expected_size=size, actual_size=written
            )
        self._pad(size)
        self.members.append((name, size))
        return written

    def add_bytes(self, name: str, data: bytes) -> int:
        return self.add(name, len(data), io.BytesIO(data))

    def _pad(self, size: int) -> None:
        remainder = size % TAR_BLOCK
        if remainder:
            write_all(self.handle, b'\0' * (TAR_BLOCK - remainder))

    def close(self) -> None:
        """End the archive: two zero blocks, as tar readers expect."""
        write_all(self.handle, b'\0' * (2 * TAR_BLOCK))
