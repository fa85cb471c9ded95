# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading src into parts: files, OVF directories, OVAs, manifests and the verifying stream."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import threading
import tracemalloc

import pytest

from ansible_collections.vsphere.content_library.plugins.module_utils import _content
from ansible_collections.vsphere.content_library.plugins.module_utils._content import (
    KIND_CERTIFICATE,
    KIND_DESCRIPTOR,
    KIND_FILE,
    KIND_MANIFEST,
    Checksum,
    VerifyingStream,
    check_file_name,
    parse_manifest,
    read_content,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import ContentMismatchError, UserInputError
from ansible_collections.vsphere.content_library.plugins.module_utils._transfer import CHUNK_SIZE

OVF1 = 'http://schemas.dmtf.org/ovf/envelope/1'


def parts_from_src(src, name=None):
    """The parts of ``src`` in upload order."""
    return read_content(src, name).parts


OVF2 = 'http://schemas.dmtf.org/ovf/envelope/2'
DISKS = {'disk1.vmdk': b'first disk ' * 1000, 'disk2.vmdk': b'second disk ' * 3000}


def descriptor(hrefs, namespace=OVF1, sizes=None):
    files = ''.join(
        '<File ovf:href="%s" ovf:id="file%d"%s/>' % (href, i, ' ovf:size="%d"' % sizes[href] if sizes and href in sizes else '') for i, href in enumerate(hrefs)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Envelope xmlns="%s" xmlns:ovf="%s">'
        '<References>%s</References><DiskSection><Info>Disks</Info></DiskSection></Envelope>' % (namespace, namespace, files)
    ).encode()


def sha(data, algorithm='sha256'):
    return hashlib.new(algorithm, data).hexdigest()


def manifest_for(files, algorithm='SHA256', separator='= '):
    return ''.join('%s(%s)%s%s\n' % (algorithm, name, separator, sha(data, algorithm.lower())) for name, data in files.items()).encode()


def write(directory, files):
    directory.mkdir(exist_ok=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return directory


def ovf_files(hrefs=None, algorithm='SHA256', with_manifest=True, with_cert=True, **kwargs):
    hrefs = list(DISKS) if hrefs is None else hrefs
    files = {'vm.ovf': descriptor(hrefs, **kwargs)}
    files.update(DISKS)
    if with_manifest:
        files['vm.mf'] = manifest_for(dict((name, files[name]) for name in ['vm.ovf'] + list(DISKS)), algorithm)
    if with_cert:
        files['vm.cert'] = b'-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
    return files


def make_ova(path, files, members=None):
    """An OVA of ``files`` in the order of ``members`` (default: the dict's order)."""
    with tarfile.open(str(path), 'w', format=tarfile.USTAR_FORMAT) as archive:
        for name in members or files:
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            archive.addfile(info, io.BytesIO(files[name]))
    return path


def read_all(part):
    with part.open() as stream:
        return b''.join(iter(lambda: stream.read(65536), b''))


def drain(body):
    while body.read(8192):
        pass


# --- check_file_name ---------------------------------------------------------------------------


@pytest.mark.parametrize('name', ['disk1.vmdk', 'photon 5.iso', 'ünïcode.ovf', 'a' * 255, '..hidden'])
def test_good_file_names(name):
    check_file_name(name, 'name')


@pytest.mark.parametrize('name', ['', None, '.', '..', 'a/b', '/etc/passwd', 'a\\b', 'a\nb', 'a\x00b', 'a\x7fb', 'a\x85b', 'a' * 256])
def test_bad_file_names_name_the_option(name):
    with pytest.raises(UserInputError, match='^my_option '):
        check_file_name(name, 'my_option')


# --- a plain file ------------------------------------------------------------------------------


def test_plain_file_is_one_part(tmp_path):
    iso = tmp_path / 'photon.iso'
    iso.write_bytes(b'x' * 5000)
    content = read_content(str(iso))
    assert content.source_type == 'file' and content.manifest is None
    [part] = content.parts
    assert (part.name, part.size, part.kind, part.expected, part.keep_in_storage) == ('photon.iso', 5000, KIND_FILE, None, True)
    assert read_all(part) == b'x' * 5000


def test_plain_file_takes_name(tmp_path):
    iso = tmp_path / 'photon.iso'
    iso.write_bytes(b'x')
    assert [part.name for part in parts_from_src(str(iso), name='photon-5.0.iso')] == ['photon-5.0.iso']
    with pytest.raises(UserInputError, match='^name '):
        parts_from_src(str(iso), name='../x.iso')


def test_plain_tar_stays_a_file(tmp_path):
    tar = make_ova(tmp_path / 'backup.tar', {'readme.txt': b'hello'})
    assert [(part.name, part.kind) for part in parts_from_src(str(tar))] == [('backup.tar', KIND_FILE)]


def test_missing_src(tmp_path):
    with pytest.raises(UserInputError, match='does not exist'):
        parts_from_src(str(tmp_path / 'nothing.iso'))


# --- an OVF directory --------------------------------------------------------------------------


def test_ovf_directory_order_kinds_and_expected(tmp_path):
    files = ovf_files()
    files['notes.txt'] = b'not referenced'
    src = write(tmp_path / 'vm', files)
    content = read_content(str(src))
    assert content.source_type == 'ovf'
    assert [(part.name, part.kind, part.keep_in_storage) for part in content.parts] == [
        ('vm.mf', KIND_MANIFEST, False),
        ('vm.cert', KIND_CERTIFICATE, False),
        ('vm.ovf', KIND_DESCRIPTOR, True),
        ('disk1.vmdk', KIND_FILE, True),
        ('disk2.vmdk', KIND_FILE, True),
    ]
    by_name = dict((part.name, part) for part in content.parts)
    assert by_name['disk2.vmdk'].expected == Checksum('SHA256', sha(DISKS['disk2.vmdk']))
    assert by_name['vm.mf'].expected is None and by_name['vm.cert'].expected is None
    assert list(content.manifest.entries) == ['vm.ovf', 'disk1.vmdk', 'disk2.vmdk']
    for part in content.parts:
        assert part.size == len(files[part.name])
        assert read_all(part) == files[part.name]


def test_references_order_is_kept(tmp_path):
    src = write(tmp_path / 'vm', ovf_files(hrefs=['disk2.vmdk', 'disk1.vmdk'], with_manifest=False, with_cert=False))
    assert [part.name for part in parts_from_src(str(src))] == ['vm.ovf', 'disk2.vmdk', 'disk1.vmdk']


def test_ovf_version_2_sha1_manifest_and_sizes(tmp_path):
    files = ovf_files(algorithm='SHA1', with_cert=False, namespace=OVF2, sizes=dict((name, len(data)) for name, data in DISKS.items()))
    src = write(tmp_path / 'vm', files)
    parts = parts_from_src(str(src))
    assert [part.name for part in parts] == ['vm.mf', 'vm.ovf', 'disk1.vmdk', 'disk2.vmdk']
    assert parts[2].expected == Checksum('SHA1', sha(DISKS['disk1.vmdk'], 'sha1'))


def test_descriptor_path_as_src(tmp_path):
    files = ovf_files()
    files['other.ovf'] = descriptor([])
    src = write(tmp_path / 'vm', files)
    assert [part.name for part in parts_from_src(str(src / 'vm.ovf'))][2:] == ['vm.ovf', 'disk1.vmdk', 'disk2.vmdk']
    with pytest.raises(UserInputError, match='name applies to a single file'):
        parts_from_src(str(src / 'vm.ovf'), name='x.ovf')


def test_single_manifest_with_other_name_is_used(tmp_path):
    files = ovf_files()
    files['package.mf'] = files.pop('vm.mf')
    src = write(tmp_path / 'vm', files)
    assert parts_from_src(str(src))[0].name == 'package.mf'


def test_several_manifests_none_matching(tmp_path):
    files = ovf_files()
    files['a.mf'] = files.pop('vm.mf')
    files['b.mf'] = files['a.mf']
    src = write(tmp_path / 'vm', files)
    with pytest.raises(UserInputError, match='several .mf files'):
        parts_from_src(str(src))


def test_missing_referenced_file(tmp_path):
    files = ovf_files(with_manifest=False)
    del files['disk2.vmdk']
    src = write(tmp_path / 'vm', files)
    with pytest.raises(UserInputError, match='vm.ovf .*references disk2.vmdk, which is missing'):
        parts_from_src(str(src))


def test_second_descriptor(tmp_path):
    files = ovf_files()
    files['copy.ovf'] = files['vm.ovf']
    with pytest.raises(UserInputError, match=r'more than one .ovf descriptor \(copy.ovf, vm.ovf\)'):
        parts_from_src(str(write(tmp_path / 'vm', files)))


def test_directory_without_descriptor(tmp_path):
    with pytest.raises(UserInputError, match='holds no .ovf descriptor'):
        parts_from_src(str(write(tmp_path / 'vm', DISKS)))


def test_directory_refuses_name(tmp_path):
    with pytest.raises(UserInputError, match='name applies to a single file'):
        parts_from_src(str(write(tmp_path / 'vm', ovf_files())), name='x')


# As written in the XML: '&#9;' is a tab, a control character once parsed.
@pytest.mark.parametrize('href', ['../x', '/etc/passwd', 'http://x/y', 'file:disk1.vmdk', 'a/b', 'a\\b', '.', '..', '', 'C:disk.vmdk', 'disk&#9;.vmdk'])
def test_bad_href(tmp_path, href):
    files = ovf_files(with_manifest=False)
    files['vm.ovf'] = descriptor(['disk1.vmdk', href])
    src = write(tmp_path / 'vm', files)
    with pytest.raises(UserInputError, match='vm.ovf .*ovf:href'):
        parts_from_src(str(src))


@pytest.mark.parametrize(
    'body, message',
    [
        ('<Envelope xmlns="%s"><References>' % OVF1, 'not well-formed XML'),
        ('not xml at all', 'not well-formed XML'),
        ('<Envelope xmlns="urn:other"/>', 'not an OVF descriptor'),
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            '<Envelope xmlns="%s" xmlns:ovf="%s"><References><File ovf:href="&lol3;"/></References></Envelope>' % (OVF1, OVF1),
            'DOCTYPE or entity',
        ),
        ('<!DOCTYPE Envelope SYSTEM "file:///etc/passwd"><Envelope xmlns="%s"/>' % OVF1, 'DOCTYPE or entity'),
        ('<Envelope xmlns="%s" xmlns:ovf="%s"><References><File ovf:href="&ext;"/></References></Envelope>' % (OVF1, OVF1), 'not well-formed'),
        ('<Envelope xmlns="%s" xmlns:ovf="%s"><References><File ovf:id="x"/></References></Envelope>' % (OVF1, OVF1), 'without an ovf:href'),
        ('<Envelope xmlns="%s" xmlns:ovf="%s"><References><File ovf:href="disk1.vmdk" ovf:size="big"/></References></Envelope>' % (OVF1, OVF1), 'not a number'),
        (
            '<Envelope xmlns="%s" xmlns:ovf="%s"><References><File ovf:href="disk1.vmdk" ovf:size="1"/></References></Envelope>' % (OVF1, OVF1),
            'ovf:size of 1 bytes',
        ),
        (
            '<Envelope xmlns="%s" xmlns:ovf="%s"><References><File ovf:href="disk1.vmdk" ovf:chunkSize="10"/></References></Envelope>' % (OVF1, OVF1),
            'ovf:chunkSize',
        ),
        (
            '<Envelope xmlns="%s" xmlns:ovf="%s"><References><File ovf:href="disk1.vmdk"/><File ovf:href="disk1.vmdk"/></References></Envelope>' % (OVF1, OVF1),
            'twice',
        ),
        ('<Envelope xmlns="%s" xmlns:ovf="%s"><References><File ovf:href="vm.mf"/></References></Envelope>' % (OVF1, OVF1), 'OVF metadata'),
    ],
)
def test_bad_descriptor(tmp_path, body, message):
    files = ovf_files(with_manifest=False)
    files['vm.ovf'] = body.encode()
    files['vm.mf'] = b''
    with pytest.raises(UserInputError, match=message):
        parts_from_src(str(write(tmp_path / 'vm', files)))


def test_descriptor_elsewhere_than_references_is_ignored(tmp_path):
    body = '<Envelope xmlns="%s" xmlns:ovf="%s"><References><File ovf:href="disk1.vmdk"/></References><Other><File ovf:href="../nope"/></Other></Envelope>' % (
        OVF1,
        OVF1,
    )
    src = write(tmp_path / 'vm', {'vm.ovf': body.encode(), 'disk1.vmdk': b'1'})
    assert [part.name for part in parts_from_src(str(src))] == ['vm.ovf', 'disk1.vmdk']


def test_descriptor_mismatch_found_before_sending(tmp_path):
    files = ovf_files()
    files['vm.ovf'] = files['vm.ovf'].replace(b'Disks', b'Disks!')
    with pytest.raises(ContentMismatchError) as caught:
        parts_from_src(str(write(tmp_path / 'vm', files)))
    assert caught.value.to_result()['file_name'] == 'vm.ovf'


def test_manifest_entry_for_file_not_in_package(tmp_path):
    files = ovf_files()
    files['vm.mf'] += b'SHA256(notes.txt)= ' + sha(b'notes').encode() + b'\n'
    files['notes.txt'] = b'notes'
    with pytest.raises(UserInputError, match=r'lists notes.txt \(line 4\), which is not part of the OVF package'):
        parts_from_src(str(write(tmp_path / 'vm', files)))


def test_manifest_may_leave_files_out(tmp_path):
    files = ovf_files()
    files['vm.mf'] = manifest_for({'disk2.vmdk': DISKS['disk2.vmdk']})
    parts = parts_from_src(str(write(tmp_path / 'vm', files)))
    assert [part.expected is not None for part in parts] == [False, False, False, False, True]


# --- manifest parsing --------------------------------------------------------------------------


def test_parse_manifest_spacing_and_case():
    digest = sha(b'a')
    manifest = parse_manifest(
        'SHA256(disk1.vmdk)= %s\r\n\nsha1(my disk (2).vmdk) =%s\n  SHA512(x.iso)=%s  \n' % (digest.upper(), sha(b'b', 'sha1'), sha(b'c', 'sha512')), 'vm.mf'
    )
    assert manifest.entries == {
        'disk1.vmdk': Checksum('SHA256', digest),
        'my disk (2).vmdk': Checksum('SHA1', sha(b'b', 'sha1')),
        'x.iso': Checksum('SHA512', sha(b'c', 'sha512')),
    }
    assert manifest.expected('nope') is None and manifest.line_of('x.iso') == 4


@pytest.mark.parametrize(
    'text, message',
    [
        ('SHA256(a)= %s\nnonsense\n' % sha(b''), 'malformed line 2'),
        ('MD5(a)= %s\n' % sha(b'', 'md5'), 'unknown algorithm MD5 on line 1'),
        ('SHA256(a)= abc\n', '3 hex digits on line 1'),
        ('SHA256(a)= %s\nSHA256(a)= %s\n' % (sha(b''), sha(b'')), r'lists a twice \(line 1 and line 2\)'),
        ('SHA256()= %s\n' % sha(b''), 'malformed line 1'),
        (b'SHA256(\xff)= 00\n', 'not UTF-8'),
    ],
)
def test_parse_manifest_errors(text, message):
    with pytest.raises(UserInputError, match=message):
        parse_manifest(text, 'vm.mf')


def test_bad_manifest_in_directory(tmp_path):
    files = ovf_files()
    files['vm.mf'] = b'SHA256 disk1.vmdk abc\n'
    with pytest.raises(UserInputError, match='vm.mf has a malformed line 1'):
        parts_from_src(str(write(tmp_path / 'vm', files)))


# --- OVA ---------------------------------------------------------------------------------------


def test_ova_members_byte_exact(tmp_path):
    files = ovf_files()
    ova = make_ova(tmp_path / 'vm.ova', files, ['vm.ovf', 'vm.mf', 'vm.cert', 'disk1.vmdk', 'disk2.vmdk'])
    content = read_content(str(ova))
    assert content.source_type == 'ova'
    assert [part.name for part in content.parts] == ['vm.mf', 'vm.cert', 'vm.ovf', 'disk1.vmdk', 'disk2.vmdk']
    for part in content.parts:
        assert part.path == str(ova) and part.size == len(files[part.name])
        assert read_all(part) == files[part.name]
    # One read without a size stops at the member's end too.
    with content.parts[3].open() as stream:
        assert stream.read() == files['disk1.vmdk'] and stream.read() == b''


def test_ova_detected_by_magic(tmp_path):
    ova = make_ova(tmp_path / 'download.bin', ovf_files(), ['vm.ovf', 'vm.mf', 'vm.cert', 'disk1.vmdk', 'disk2.vmdk'])
    assert read_content(str(ova)).source_type == 'ova'


def test_ova_parallel_opens_are_independent(tmp_path):
    big = {'vm.ovf': descriptor(['disk1.vmdk', 'disk2.vmdk']), 'disk1.vmdk': os.urandom(3 * CHUNK_SIZE + 7), 'disk2.vmdk': os.urandom(2 * CHUNK_SIZE + 1)}
    parts = parts_from_src(str(make_ova(tmp_path / 'vm.ova', big)))
    disk1, disk2 = parts[1], parts[2]
    # Interleaved reads of two members, and of one member twice.
    streams = [disk1.open(), disk2.open(), disk1.open()]
    got = [b'', b'', b'']
    while True:
        chunks = [stream.read(100000) for stream in streams]
        if not any(chunks):
            break
        got = [done + chunk for done, chunk in zip(got, chunks)]
    for stream in streams:
        stream.close()
    assert got == [big['disk1.vmdk'], big['disk2.vmdk'], big['disk1.vmdk']]
    # And in threads, as parallel uploads would.
    results = {}

    def upload(part):
        with part.upload_body(also=('SHA256',)) as body:
            drain(body)
            results[part.name] = body.verify()['SHA256']

    threads = [threading.Thread(target=upload, args=(part,)) for part in (disk1, disk2, disk1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {'disk1.vmdk': sha(big['disk1.vmdk']), 'disk2.vmdk': sha(big['disk2.vmdk'])}


def test_ova_unreferenced_member_left_out(tmp_path):
    files = ovf_files(with_manifest=False, with_cert=False)
    files['extra.txt'] = b'extra'
    assert [part.name for part in parts_from_src(str(make_ova(tmp_path / 'vm.ova', files)))] == ['vm.ovf', 'disk1.vmdk', 'disk2.vmdk']


def add_special(path, files, special):
    with tarfile.open(str(path), 'w', format=tarfile.GNU_FORMAT) as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        archive.addfile(special)
    return path


def special(name, kind, linkname=''):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


@pytest.mark.parametrize(
    'member, message',
    [
        (special('disk3.vmdk', tarfile.SYMTYPE, '/etc/passwd'), 'disk3.vmdk as a link'),
        (special('disk3.vmdk', tarfile.LNKTYPE, 'disk1.vmdk'), 'disk3.vmdk as a link'),
        (special('disk3.vmdk', tarfile.CHRTYPE), 'device or special file'),
        (special('disk3.vmdk', tarfile.FIFOTYPE), 'device or special file'),
        (special('sub', tarfile.DIRTYPE), 'directory sub'),
        (special('../evil.vmdk', tarfile.REGTYPE), 'member whose name .* must be a plain file name'),
        (special('sub/disk.vmdk', tarfile.REGTYPE), 'member whose name .* must be a plain file name'),
        (special('disk1.vmdk', tarfile.REGTYPE), 'two members named disk1.vmdk'),
    ],
)
def test_ova_bad_members(tmp_path, member, message):
    files = ovf_files(with_manifest=False, with_cert=False)
    with pytest.raises(UserInputError, match=message):
        parts_from_src(str(add_special(tmp_path / 'vm.ova', files, member)))


def test_ova_sparse_member(tmp_path, monkeypatch):
    ova = make_ova(tmp_path / 'vm.ova', ovf_files(with_manifest=False, with_cert=False))
    real_issparse = tarfile.TarInfo.issparse
    monkeypatch.setattr(tarfile.TarInfo, 'issparse', lambda self: self.name == 'disk2.vmdk' or real_issparse(self))
    with pytest.raises(UserInputError, match='disk2.vmdk as a sparse file'):
        parts_from_src(str(ova))


@pytest.mark.parametrize('descriptors, message', [([], 'holds none'), (['a.ovf', 'b.ovf'], 'holds a.ovf, b.ovf')])
def test_ova_needs_one_descriptor(tmp_path, descriptors, message):
    files = dict(DISKS)
    for name in descriptors:
        files[name] = descriptor([])
    with pytest.raises(UserInputError, match='exactly one .ovf descriptor; it ' + message):
        parts_from_src(str(make_ova(tmp_path / 'vm.ova', files)))


def test_ova_checked_against_references(tmp_path):
    files = ovf_files(with_manifest=False)
    del files['disk1.vmdk']
    with pytest.raises(UserInputError, match='references disk1.vmdk, which is missing in .*vm.ova'):
        parts_from_src(str(make_ova(tmp_path / 'vm.ova', files)))


def test_ova_not_a_tar(tmp_path):
    ova = tmp_path / 'vm.ova'
    ova.write_bytes(b'\x1f\x8b' + b'\x00' * 2000)
    with pytest.raises(UserInputError, match='not an uncompressed tar archive'):
        parts_from_src(str(ova))


def test_ova_truncated(tmp_path):
    ova = make_ova(tmp_path / 'vm.ova', ovf_files(with_manifest=False, with_cert=False))
    data = ova.read_bytes()
    ova.write_bytes(data[: 1536 + 512])
    with pytest.raises(UserInputError):
        parts_from_src(str(ova))


def test_ova_streaming_reads_stay_small(tmp_path, monkeypatch):
    size = 64 * 1024 * 1024
    ova = tmp_path / 'vm.ova'
    desc = descriptor(['disk1.vmdk'])
    with tarfile.open(str(ova), 'w') as archive:
        info = tarfile.TarInfo('vm.ovf')
        info.size = len(desc)
        archive.addfile(info, io.BytesIO(desc))
        zeros = tmp_path / 'zeros'
        with open(str(zeros), 'wb') as handle:
            handle.truncate(size)
        with open(str(zeros), 'rb') as handle:
            archive.addfile(archive.gettarinfo(str(zeros), 'disk1.vmdk'), handle)
    disk = parts_from_src(str(ova))[1]

    reads = []
    real_open = open

    class Recording(object):
        def __init__(self, handle):
            self._handle = handle

        def read(self, size=-1):
            chunk = self._handle.read(size)
            reads.append(len(chunk))
            return chunk

        def __getattr__(self, name):
            return getattr(self._handle, name)

    monkeypatch.setattr(_content, 'open', lambda *args: Recording(real_open(*args)), raising=False)
    tracemalloc.start()
    try:
        with disk.upload_body(also=('SHA1',)) as body:
            assert len(body) == size
            drain(body)
            digests = body.verify()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert body.sent == size and sum(reads) == size
    assert max(reads) <= 4 * 1024 * 1024
    assert peak < 8 * 1024 * 1024
    assert digests == {'SHA1': sha(b'\x00' * size, 'sha1')}


# --- the verifying stream ----------------------------------------------------------------------


def test_verifying_stream_match_large_reads_and_sent(tmp_path):
    data = os.urandom(2 * CHUNK_SIZE + 10)
    src = write(tmp_path / 'vm', {'vm.ovf': descriptor(['disk1.vmdk']), 'disk1.vmdk': data, 'vm.mf': manifest_for({'disk1.vmdk': data})})
    disk = parts_from_src(str(src))[2]
    with disk.upload_body(also=('sha1', 'SHA256')) as body:
        assert len(body) == len(data) and body.digests is None
        sizes = []
        sent = []
        for chunk in iter(lambda: body.read(8192), b''):
            sizes.append(len(chunk))
            sent.append(body.sent)
        assert sizes == [CHUNK_SIZE, CHUNK_SIZE, 10]
        assert sent == [CHUNK_SIZE, 2 * CHUNK_SIZE, len(data)]
        assert body.verify() == body.digests == {'SHA256': sha(data), 'SHA1': sha(data, 'sha1')}


def test_verifying_stream_mismatch_before_last_chunk():
    data = b'a' * (CHUNK_SIZE + 5)
    expected = Checksum('SHA256', sha(b'something else'))
    body = VerifyingStream(io.BytesIO(data), 'disk1.vmdk', len(data), expected)
    assert len(body.read(8192)) == CHUNK_SIZE
    with pytest.raises(ContentMismatchError) as caught:
        body.read(8192)
    error = caught.value
    assert 'disk1.vmdk' in str(error) and sha(data) in str(error) and expected.checksum in str(error)
    assert error.to_result() == {
        'error_type': 'CHECKSUM_MISMATCH',
        'file_name': 'disk1.vmdk',
        'checksum_algorithm': 'SHA256',
        'expected_checksum': expected.checksum,
        'actual_checksum': sha(data),
    }
    # The last chunk was never handed out, and the stream keeps refusing.
    assert body.sent == len(data)
    with pytest.raises(ContentMismatchError):
        body.read(8192)
    with pytest.raises(ContentMismatchError):
        body.verify()


def test_verifying_stream_empty_and_early_verify():
    body = VerifyingStream(io.BytesIO(b''), 'empty.txt', 0, Checksum('SHA1', sha(b'', 'sha1')))
    assert body.read() == b'' and body.digests == {'SHA1': sha(b'', 'sha1')}
    body = VerifyingStream(io.BytesIO(b'abc'), 'abc.txt', 3)
    with pytest.raises(ValueError, match='read the stream to its end'):
        body.verify()
    with pytest.raises(ValueError, match='Unsupported checksum algorithm'):
        VerifyingStream(io.BytesIO(b''), 'x', 0, also=('CRC32',))


def test_verifying_stream_during_upload_of_bad_disk(tmp_path):
    files = ovf_files()
    src = write(tmp_path / 'vm', files)
    disk2 = parts_from_src(str(src))[4]
    (src / 'disk2.vmdk').write_bytes(DISKS['disk2.vmdk'].replace(b'second', b'SECOND'))
    with pytest.raises(ContentMismatchError, match='disk2.vmdk does not match the manifest'):
        with disk2.upload_body() as body:
            drain(body)


def test_file_changed_size_after_reading(tmp_path):
    src = write(tmp_path / 'vm', ovf_files(with_manifest=False))
    disk1 = parts_from_src(str(src))[2]
    (src / 'disk1.vmdk').write_bytes(b'short')
    with pytest.raises(ContentMismatchError, match='changed after it was read') as caught:
        disk1.open()
    assert caught.value.to_result() == {'error_type': 'SIZE_MISMATCH', 'file_name': 'disk1.vmdk', 'expected_size': len(DISKS['disk1.vmdk']), 'actual_size': 5}


def test_part_checksum(tmp_path):
    src = write(tmp_path / 'vm', ovf_files())
    parts = parts_from_src(str(src))
    assert parts[3].checksum('SHA1') == sha(DISKS['disk1.vmdk'], 'sha1')
    assert parts[0].checksum('sha256') == sha((src / 'vm.mf').read_bytes())
