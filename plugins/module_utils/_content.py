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

import collections
import hashlib
import os
import re
import tarfile
from xml.parsers import expat

from ansible_collections.vsphere.content_library.plugins.module_utils._errors import ContentLibraryError, UserInputError
from ansible_collections.vsphere.content_library.plugins.module_utils._transfer import CHECKSUM_ALGORITHMS, CHUNK_SIZE
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import check_file_name

# What a part is, by its file name. vCenter treats .mf and .cert as OVF metadata: it wants them
# before the descriptor and does not keep them in storage once the session completes.
KIND_MANIFEST = 'manifest'
KIND_CERTIFICATE = 'certificate'
KIND_DESCRIPTOR = 'descriptor'
KIND_FILE = 'file'

OVF_NAMESPACES = ('http://schemas.dmtf.org/ovf/envelope/1', 'http://schemas.dmtf.org/ovf/envelope/2')

# The digests ovftool writes into a manifest, with the length of their hex form.
MANIFEST_ALGORITHMS = {'SHA1': 40, 'SHA256': 64, 'SHA512': 128}

# Longer names are refused by common file systems (and by vCenter's storage behind the library).
MAX_FILE_NAME_LENGTH = 255
# A manifest lists a few lines per file; a bigger one is not a manifest.
_MAX_MANIFEST_BYTES = 4 * 1024 * 1024

_MANIFEST_LINE = re.compile(r'^(?P<algorithm>[A-Za-z0-9-]+)\s*\((?P<name>.+)\)\s*=\s*(?P<checksum>[0-9A-Fa-f]+)$')
# "http:", "file:", and also a Windows drive ("C:").
_URL_SCHEME = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:')
# POSIX ("ustar\0") and GNU ("ustar  \0") tar headers both carry "ustar" at offset 257.
_TAR_MAGIC_OFFSET = 257
_TAR_MAGIC = b'ustar'

Checksum = collections.namedtuple('Checksum', ['algorithm', 'checksum'])
Checksum.__doc__ = """A digest in the words of the API's ``checksum_info``: ``SHA256`` and lowercase hex."""


class ContentMismatchError(ContentLibraryError):
    """A file's bytes are not what the manifest (or the first look at the file) promised.

    Found while the file is read, so possibly after part of it was sent. Either the
    digests differ (``algorithm``, ``expected``, ``actual`` are hex digests) or the file
    changed size after ``src`` was read (``expected_size``, ``actual_size``).
    """

    def __init__(self, message, file_name, algorithm=None, expected=None, actual=None, expected_size=None, actual_size=None):
        super(ContentMismatchError, self).__init__(message)
        self.file_name = file_name
        self.algorithm = algorithm
        self.expected = expected
        self.actual = actual
        self.expected_size = expected_size
        self.actual_size = actual_size

    def to_result(self):
        result = {'error_type': 'CHECKSUM_MISMATCH' if self.algorithm else 'SIZE_MISMATCH', 'file_name': self.file_name}
        if self.algorithm:
            result.update({'checksum_algorithm': self.algorithm, 'expected_checksum': self.expected, 'actual_checksum': self.actual})
        else:
            result.update({'expected_size': self.expected_size, 'actual_size': self.actual_size})
        return result


def _check_href(href, where):
    """An OVF ``href`` or OVA member name: a session file name, and no URL either."""
    check_file_name(href, where)
    if _URL_SCHEME.match(href):
        raise UserInputError('%s must be a file name beside the descriptor, not a URL or drive: %r.' % (where, href))


def _kind_of(name):
    lowered = name.lower()
    if lowered.endswith('.mf'):
        return KIND_MANIFEST
    if lowered.endswith('.cert'):
        return KIND_CERTIFICATE
    if lowered.endswith('.ovf'):
        return KIND_DESCRIPTOR
    return KIND_FILE


def _normalize_algorithm(algorithm, allowed):
    upper = str(algorithm).upper().replace('-', '')
    if upper not in allowed:
        raise ValueError('Unsupported checksum algorithm %r; use one of %s.' % (algorithm, ', '.join(allowed)))
    return upper


class Part(object):
    """One file to send to the update session.

    ``name`` is the file name in the session, ``size`` its length in bytes, ``kind`` one of
    the ``KIND_*`` values, ``expected`` the manifest's ``Checksum`` for it (or None) and
    ``path`` the local file that holds it (for an OVA member: the ``.ova``, from ``offset``).
    """

    def __init__(self, name, size, path, offset=0, expected=None, file_size=None):
        self.name = name
        self.size = size
        self.path = path
        self.offset = offset
        self.expected = expected
        self.kind = _kind_of(name)
        # The size of ``path`` when src was read: a later change is caught when a stream opens.
        self._file_size = size if file_size is None else file_size

    @property
    def keep_in_storage(self):
        """False for the manifest and the certificate: vCenter drops them when the session completes,
        so an idempotence check must not expect them in the library item."""
        return self.kind not in (KIND_MANIFEST, KIND_CERTIFICATE)

    def __repr__(self):
        return 'Part(%r, size=%r, kind=%r, expected=%r)' % (self.name, self.size, self.kind, self.expected)

    def open(self):
        """A fresh binary stream of this part only (a context manager); every call is independent."""
        return _PartStream(self, self._file_size)

    def upload_body(self, also=()):
        """A ``VerifyingStream`` on a fresh stream: the request body of this part's upload.

        ``also`` adds digests to compute in the same pass, such as the ``SHA1`` vCenter reports.
        """
        return VerifyingStream(self.open(), self.name, self.size, self.expected, also)

    def checksum(self, algorithm):
        """This part's hex digest in ``algorithm``, by reading it (and checking it against the manifest)."""
        with self.upload_body(also=(algorithm,)) as body:
            while body.read():
                pass
            return body.digests[_normalize_algorithm(algorithm, CHECKSUM_ALGORITHMS)]


class _PartStream(object):
    """Reads ``part.size`` bytes of ``part.path`` from ``part.offset``, then reports the end.

    A ``read()`` without a size returns one chunk, not the rest: nothing reads a whole
    disk into memory by accident. Readers loop until ``b''``, as for any stream.
    """

    def __init__(self, part, file_size):
        self._part = part
        self._remaining = part.size
        # Each stream has its own handle, so parts (or one part twice) can be read in parallel.
        self._handle = open(part.path, 'rb')  # pylint: disable=consider-using-with
        try:
            now = os.fstat(self._handle.fileno()).st_size
            if now != file_size:
                raise ContentMismatchError(
                    '%s changed after it was read: it now has %d bytes instead of %d.' % (part.path, now, file_size),
                    part.name, expected_size=file_size, actual_size=now)
            self._handle.seek(part.offset)
        except BaseException:
            self._handle.close()
            raise

    def readable(self):
        return True

    def read(self, size=-1):
        if self._remaining <= 0:
            return b''
        want = min(CHUNK_SIZE if size is None or size < 0 else size, self._remaining)
        chunk = self._handle.read(want)
        if want and not chunk:
            done = self._part.size - self._remaining
            raise ContentMismatchError(
                '%s ended after %d of the %d bytes of %s: it changed after it was read.' % (self._part.path, done, self._part.size, self._part.name),
                self._part.name, expected_size=self._part.size, actual_size=done)
        self._remaining -= len(chunk)
        return chunk

    def close(self):
        self._handle.close()

    @property
    def closed(self):
        return self._handle.closed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class VerifyingStream(object):
    """A part's stream as a request body, hashed as it is read and checked against the manifest.

    ``requests`` sizes it by ``len()`` (the Content-Length) and streams it by ``read()``; like
    ``_transfer.UploadBody`` it answers small reads (http.client asks for 8 KiB) with a whole
    chunk, so the per-call cost stays low. ``sent`` counts the bytes handed out, for progress.

    The check runs when the last byte is read, before that last chunk is returned: on a
    mismatch the request body stays short, so vCenter never gets the complete wrong file.
    ``verify()`` runs the same check, and returns the digests, once everything was read.
    """

    def __init__(self, stream, name, size, expected=None, also=()):
        self._stream = stream
        self.name = name
        self.size = size
        self.expected = expected
        self.sent = 0
        self._digests = {}
        if expected:
            self._digests[expected.algorithm] = hashlib.new(expected.algorithm.lower())
        for algorithm in also or ():
            algorithm = _normalize_algorithm(algorithm, CHECKSUM_ALGORITHMS)
            if algorithm not in self._digests:
                self._digests[algorithm] = hashlib.new(algorithm.lower())
        self._updates = [digest.update for digest in self._digests.values()]
        self._verified = None

    def __len__(self):
        return self.size

    def read(self, size=-1):
        chunk = self._stream.read(CHUNK_SIZE if size is None or size < 0 else max(size, CHUNK_SIZE))
        if chunk:
            for update in self._updates:
                update(chunk)
            self.sent += len(chunk)
            if self.sent >= self.size:
                self.verify()
        elif self._verified is None:
            self.verify()
        return chunk

    def verify(self):
        """Check the digest against the manifest; return ``{algorithm: hex digest}`` of every digest computed."""
        if self._verified is not None:
            return dict(self._verified)
        if self.sent != self.size:
            raise ValueError('%s: verify() after %d of %d bytes; read the stream to its end first.' % (self.name, self.sent, self.size))
        actual = dict((algorithm, digest.hexdigest()) for algorithm, digest in self._digests.items())
        if self.expected and actual[self.expected.algorithm] != self.expected.checksum:
            raise ContentMismatchError(
                '%s does not match the manifest: its %s digest is %s, the manifest says %s.' % (
                    self.name, self.expected.algorithm, actual[self.expected.algorithm], self.expected.checksum),
                self.name, self.expected.algorithm, self.expected.checksum, actual[self.expected.algorithm])
        self._verified = actual
        return dict(actual)

    @property
    def digests(self):
        """``{algorithm: hex digest}`` once the stream was read to its end and verified, else None."""
        return None if self._verified is None else dict(self._verified)

    def close(self):
        self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Manifest(object):
    """A parsed OVF manifest: ``entries`` maps a file name to its ``Checksum``, in the manifest's order."""

    def __init__(self, file_name, entries, lines):
        self.file_name = file_name
        self.entries = entries
        self._lines = lines

    def expected(self, name):
        """The ``Checksum`` the manifest gives for ``name``, or None (a manifest need not list every file)."""
        return self.entries.get(name)

    def line_of(self, name):
        return self._lines.get(name)


def parse_manifest(text, file_name):
    """Parse manifest lines such as ``SHA256(disk1.vmdk)= 3f1c...``; ``file_name`` is for messages.

    Refuses, with the line number, a malformed line, an algorithm other than SHA1, SHA256 or
    SHA512 (what ovftool writes), a digest of the wrong length and a file listed twice.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode('utf-8')
        except UnicodeDecodeError as exc:
            raise UserInputError('The manifest %s is not UTF-8 text: %s.' % (file_name, exc))
    entries = collections.OrderedDict()
    lines = {}
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
            raise UserInputError('The manifest %s uses the unknown algorithm %s on line %d; use one of %s.' % (
                file_name, match.group('algorithm'), number, ', '.join(MANIFEST_ALGORITHMS)))
        if len(checksum) != MANIFEST_ALGORITHMS[algorithm]:
            raise UserInputError('The manifest %s gives a %s digest of %d hex digits on line %d; %s has %d.' % (
                file_name, algorithm, len(checksum), number, algorithm, MANIFEST_ALGORITHMS[algorithm]))
        if name in entries:
            raise UserInputError('The manifest %s lists %s twice (line %d and line %d).' % (file_name, name, lines[name], number))
        entries[name] = Checksum(algorithm, checksum)
        lines[name] = number
    return Manifest(file_name, entries, lines)


class _Reference(object):
    """One File element of a descriptor's References section."""

    def __init__(self, href, size, chunked):
        self.href = href
        self.size = size
        self.chunked = chunked


def _refuse_dtd(*_args):
    raise _DtdRefused()


class _DtdRefused(Exception):
    pass


def _parse_descriptor(stream, where):
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
    stack = []
    references = []
    namespace = []

    def start(tag, attributes):
        stack.append(tag)
        if len(stack) == 1:
            uri, _sep, local = tag.rpartition(' ')
            if local != 'Envelope' or uri not in OVF_NAMESPACES:
                raise UserInputError('%s is not an OVF descriptor: its root element is %s, not an OVF Envelope (%s).' % (
                    where, tag.replace(' ', ':'), ' or '.join(OVF_NAMESPACES)))
            namespace.append(uri)
            return
        if len(stack) == 3 and stack[1] == namespace[0] + ' References' and tag == namespace[0] + ' File':
            # ovf:href is what the standard says; an unqualified href is read too.
            href = attributes.get(namespace[0] + ' href', attributes.get('href'))
            size = attributes.get(namespace[0] + ' size', attributes.get('size'))
            chunked = (namespace[0] + ' chunkSize') in attributes or 'chunkSize' in attributes
            if href is None:
                raise UserInputError('%s has a File in its References without an ovf:href.' % where)
            if size is not None:
                try:
                    size = int(size)
                except ValueError:
                    raise UserInputError('%s gives %s the ovf:size %r, which is not a number.' % (where, href, size))
            references.append(_Reference(href, size, chunked))

    def end(_tag):
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


class Content(object):
    """What ``src`` holds: ``parts`` in upload order, the parsed ``manifest`` (or None) and
    ``source_type``: ``file``, ``ovf`` (a descriptor and its files) or ``ova``."""

    def __init__(self, parts, manifest, source_type):
        self.parts = parts
        self.manifest = manifest
        self.source_type = source_type


def read_content(src, name=None):
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


def parts_from_src(src, name=None):
    """The parts of ``src`` in upload order: ``read_content(src, name).parts``."""
    return read_content(src, name).parts


def _refuse_name(name, src, what):
    if name is not None:
        raise UserInputError('name applies to a single file, but src %s is %s: its file names come from the OVF descriptor.' % (src, what))


def _looks_like_ova(path):
    with open(path, 'rb') as handle:
        header = handle.read(512)
    if len(header) < 512 or header[_TAR_MAGIC_OFFSET:_TAR_MAGIC_OFFSET + len(_TAR_MAGIC)] != _TAR_MAGIC:
        return False
    try:
        with tarfile.open(path, 'r:') as archive:
            first = archive.next()
    except (tarfile.TarError, OSError):
        return False
    return first is not None and first.name.lower().endswith('.ovf')


def _pick(names, descriptor, extension, where):
    """The manifest or certificate beside ``descriptor``: ``<base name><extension>``, else the only one."""
    candidates = [name for name in names if name.lower().endswith(extension)]
    own = os.path.splitext(descriptor)[0] + extension
    for candidate in candidates:
        if candidate.lower() == own.lower():
            return candidate
    if len(candidates) > 1:
        raise UserInputError('%s holds several %s files (%s) and none is named %s; keep only the one for %s.' % (
            where, extension, ', '.join(sorted(candidates)), own, descriptor))
    return candidates[0] if candidates else None


def _read_ovf_directory(directory, descriptor):
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


def _read_ova(path):
    where = 'The OVA %s' % path
    file_size = os.path.getsize(path)
    files = collections.OrderedDict()
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
    descriptors = [name for name in files if _kind_of(name) == KIND_DESCRIPTOR]
    if len(descriptors) != 1:
        raise UserInputError('%s must hold exactly one .ovf descriptor; it holds %s.' % (where, ', '.join(descriptors) if descriptors else 'none'))
    return _assemble(files, descriptors[0], where, 'in %s' % path, 'ova')


def _read_manifest(part):
    with part.open() as stream:
        data = b''.join(iter(lambda: stream.read(CHUNK_SIZE), b''))
    return parse_manifest(data, part.name)


def _assemble(files, descriptor, where, location, source_type):
    """Choose and check the parts of an OVF package, ``files`` being every file by name."""
    manifest_name = _pick(files, descriptor, '.mf', where)
    certificate_name = _pick(files, descriptor, '.cert', where)
    manifest = None
    if manifest_name:
        if files[manifest_name].size > _MAX_MANIFEST_BYTES:
            raise UserInputError('The manifest %s %s has %d bytes; a manifest is a short text file.' % (manifest_name, location, files[manifest_name].size))
        manifest = _read_manifest(files[manifest_name])
        if manifest_name in manifest.entries:
            raise UserInputError('The manifest %s %s lists itself (line %d).' % (manifest_name, location, manifest.line_of(manifest_name)))

    descriptor_part = files[descriptor]
    descriptor_part.expected = manifest.expected(descriptor) if manifest else None
    # Reading the descriptor through a VerifyingStream checks its digest before anything is sent.
    with descriptor_part.upload_body() as body:
        references = _parse_descriptor(body, 'The OVF descriptor %s %s' % (descriptor, location))

    referenced = []
    for reference in references:
        _check_href(reference.href, 'The OVF descriptor %s %s has an ovf:href that' % (descriptor, location))
        if reference.chunked:
            raise UserInputError('The OVF descriptor %s %s splits %s into chunks (ovf:chunkSize), which is not supported.' % (
                descriptor, location, reference.href))
        if _kind_of(reference.href) != KIND_FILE:
            # The session would take it for the package's own manifest, certificate or descriptor.
            raise UserInputError('The OVF descriptor %s %s references %s, whose name is that of an OVF metadata file or descriptor.' % (
                descriptor, location, reference.href))
        if reference.href in referenced:
            raise UserInputError('The OVF descriptor %s %s references %s twice.' % (descriptor, location, reference.href))
        part = files.get(reference.href)
        if part is None:
            raise UserInputError('The OVF descriptor %s %s references %s, which is missing %s.' % (descriptor, location, reference.href, location))
        if reference.size is not None and reference.size != part.size:
            raise UserInputError('The OVF descriptor %s %s gives %s an ovf:size of %d bytes, but the file has %d.' % (
                descriptor, location, reference.href, reference.size, part.size))
        referenced.append(reference.href)

    # The upload order (see read_content()): metadata files, the descriptor, then References order.
    chosen = [name for name in (manifest_name, certificate_name, descriptor) if name] + referenced
    if manifest:
        for listed in manifest.entries:
            if listed not in chosen:
                # vCenter checks every manifest entry when the session completes: fail now, not then.
                raise UserInputError('The manifest %s %s lists %s (line %d), which is not part of the OVF package %s.' % (
                    manifest_name, location, listed, manifest.line_of(listed), location))
    parts = []
    for name in chosen:
        part = files[name]
        if manifest and part is not descriptor_part:
            part.expected = manifest.expected(name)
        parts.append(part)
    return Content(parts, manifest, source_type)
