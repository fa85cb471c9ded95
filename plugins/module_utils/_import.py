# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The import engine: content into a library item through one update session, from start to end.

This is a private module: it is not a public API and may change at any time.

``ContentImport`` is the session's side (open it, move files in, validate, wait for the
preview and refuse the warnings the task does not accept, complete, wait until DONE,
delete), shared by library_item_upload and library_item_copy. ``ImportTask`` is
library_item_upload's flow: find or create the item, compare, and import only what differs.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

from ansible_collections.vsphere.content_library.plugins.module_utils._cleanup import CleanupStack, Undo
from ansible_collections.vsphere.content_library.plugins.module_utils._client import RestClient
from ansible_collections.vsphere.content_library.plugins.module_utils._content import Content, read_content
from ansible_collections.vsphere.content_library.plugins.module_utils._errors import (
    BadAnswerError,
    NotFoundError,
    PreviewWarning,
    SessionEndedInError,
    StateError,
    ValidationFailed,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._library import (
    Item,
    create_item,
    file_view,
    get_item,
    holds_same_file,
    item_files,
    item_view,
    locate_item,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._model import (
    ACTIVE,
    DONE,
    ITEM_TYPE_FILE,
    ITEM_TYPE_ISO,
    ITEM_TYPE_OVF,
    PREVIEW_PREPARING,
    PULL,
    message_text,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._module import ModuleTask
from ansible_collections.vsphere.content_library.plugins.module_utils._poll import wait_for
from ansible_collections.vsphere.content_library.plugins.module_utils._transfer import pin_thumbprint, throughput
from ansible_collections.vsphere.content_library.plugins.module_utils._update_session import (
    delete_session,
    get_existing_session,
    open_session,
    send_or_read_back,
    session_error,
    wait_until_settled,
)
from ansible_collections.vsphere.content_library.plugins.module_utils._upload import Uploader
from ansible_collections.vsphere.content_library.plugins.module_utils._validate import check_file_name


class ContentImport:
    """One update session that changes an item's content, on the run's clean-up stack from its opening.

    If the task fails before ``finish()`` returns, the stack fails the session with the
    reason and deletes it.
    """

    def __init__(
        self,
        client: RestClient,
        cleanup: CleanupStack,
        item_id: str,
        ignore_warnings: list[str],
        keep_alive_interval: float,
        wait_timeout: float,
        warn: Callable[[str], None],
        id_key: str = 'update_session_id',
    ) -> None:
        self.client = client
        self.cleanup = cleanup
        self.item_id = item_id
        self.accepted = list(ignore_warnings)
        self.keep_alive_interval = keep_alive_interval
        self.wait_timeout = wait_timeout
        self.warn = warn
        self.id_key = id_key
        self.session_id: str | None = None
        self.uploader: Uploader | None = None
        self._undo: Undo | None = None

    def open(self) -> Uploader:
        """Open the session, with a warning behavior that ignores the accepted warnings; return its uploader."""
        spec: dict[str, Any] = {'library_item_id': self.item_id}
        if self.accepted:
            spec['warning_behavior'] = [{'type': warning, 'ignored': True} for warning in self.accepted]
        self.session_id, self._undo = open_session(self.client, self.cleanup, spec, str(uuid.uuid4()), delete_on_failure=True, id_key=self.id_key)
        self.uploader = Uploader(self.client, self.session_id, self.keep_alive_interval, self.wait_timeout, warn=self.warn)
        return self.uploader

    @property
    def sent(self) -> int:
        return self.uploader.sent if self.uploader else 0

    @property
    def id(self) -> str:
        if self.session_id is None:
            raise StateError('Internal error: the update session of library item %s is not open.' % self.item_id, None)
        return self.session_id

    def finish(self) -> dict[str, Any]:
        """Validate, check the preview, complete, wait until DONE, delete the session; return its last model."""
        session_id = self.id
        self.validate()
        self.check_preview()
        self.client.call('update_session.keep_alive', update_session_id=session_id, client_progress=100)
        # A lost answer is read back: a completion under way shows as a session that left ACTIVE.
        send_or_read_back(self.client, 'update_session.complete', session_id, lambda now: now is not None and now['state'] != ACTIVE)
        session = wait_until_settled(self.client, session_id, self.wait_timeout)
        if session['state'] != DONE:
            raise SessionEndedInError(
                'Update session %s ended in state %s after completion: %s.' % (session_id, session['state'], session_error(session).rstrip('.')),
                session,
                changed=False,
            )
        self.cleanup.release(self._undo)
        warning = delete_session(self.client, session_id)
        if warning:
            self.warn(warning)
        return session

    def validate(self) -> None:
        try:
            result = self.client.call('file.validate', update_session_id=self.id)
        except BadAnswerError as exc:
            if exc.excerpt.strip():
                raise
            # govmomi's vcsim answers validate with 200 and no body: completing is the check that decides.
            self.warn('vCenter answered the validation of update session %s with an empty body; the files were not validated before completion.' % self.id)
            return
        if result.get('has_errors'):
            problems = ['missing: %s' % ', '.join(result['missing_files'])] if result.get('missing_files') else []
            for invalid in result.get('invalid_files') or []:
                problems.append('%s: %s' % (invalid.get('name'), message_text(invalid.get('error_message'), 'no reason given')))
            raise ValidationFailed('vCenter found problems with the files (%s).' % ('; '.join(problems) or 'no details'))

    def check_preview(self) -> None:
        """Wait for vCenter's preview of signed content, and refuse the warnings the task does not accept."""
        session_id = self.id
        session = wait_for(
            lambda: get_existing_session(self.client, session_id),
            lambda now: now['state'] != ACTIVE or (now.get('preview_info') or {}).get('state') != PREVIEW_PREPARING,
            self.wait_timeout,
            lambda now, waited: "vCenter's preview of the content was still %s after %s seconds." % ((now.get('preview_info') or {}).get('state'), waited),
        )
        refused = [warning for warning in (session.get('preview_info') or {}).get('warnings') or [] if warning.get('type') not in self.accepted]
        if refused:
            words = '; '.join('%s: %s' % (warning.get('type'), message_text(warning.get('message'), 'no message').rstrip('.')) for warning in refused)
            raise PreviewWarning("vCenter's preview of the signed content warns %s. Add the warning type to ignore_warnings to accept it." % words)


class ImportTask(ModuleTask):
    """library_item_upload: find or create the item, compare, and import only when the item differs."""

    def __init__(self, module: Any) -> None:
        super().__init__(module)
        self.content: Content | None = None
        self.created = False

    def run(self) -> dict[str, Any]:
        if self.params['src']:
            self.content = read_content(self.params['src'], self.params['name'])
        item = self.find_or_create_item()
        # A new item (or one check mode only predicted) holds nothing yet.
        before = item_files(self.client, item['id']) if item.get('id') and not self.created else []
        # An item this task created is a change in itself, whatever its files.
        if not self.params['force'] and not self.created and self.content is not None and self.same_files(self.content, before):
            return dict(
                changed=False,
                library_item=item_view(item),
                files=[file_view(f) for f in before],
                update_session={},
                bytes_sent=0,
                seconds=0.0,
                throughput_mib_s=0.0,
            )
        result: dict[str, Any] = dict(changed=True)
        if self.check_mode:
            result.update(library_item=item_view(item), files=self.wanted_files(), update_session={}, bytes_sent=0, seconds=0.0, throughput_mib_s=0.0)
        else:
            result.update(self.upload(item))
        result.update(
            self.module.diff({'files': [file_view(f) for f in before]}, {'files': [dict(name=f['name'], size=f.get('size')) for f in result['files']]})
        )
        return result

    # -- where ----------------------------------------------------------------------------

    def find_or_create_item(self) -> Item:
        params = self.params
        item, library = locate_item(self.client, params, local_only=True)
        if item is not None:
            return item
        if not params['create_item']:
            raise NotFoundError('Library %s has no item named %s, and create_item is false.' % (library.get('name') or library['id'], params['item_name']))
        item_type = params['item_type'] or self.default_type()
        self.created = True
        if self.check_mode:
            return {'id': None, 'name': params['item_name'], 'type': item_type, 'library_id': library['id']}
        item, _undo = create_item(self.client, self.cleanup, library['id'], params['item_name'], item_type, params['item_description'], str(uuid.uuid4()))
        return item

    def default_type(self) -> str:
        if self.content is not None and self.content.source_type in ('ovf', 'ova'):
            return ITEM_TYPE_OVF
        name = self.file_name()
        if name.lower().endswith('.ovf'):
            return ITEM_TYPE_OVF
        return ITEM_TYPE_ISO if name.lower().endswith('.iso') else ITEM_TYPE_FILE

    def file_name(self) -> str:
        """The name of a single file: ``name``, else the base name of ``src`` or of ``source_url``'s path."""
        return self.params['name'] or os.path.basename(self.params['src'] or urlsplit(self.params['source_url'] or '').path)

    # -- what ------------------------------------------------------------------------------

    @staticmethod
    def same_files(content: Content, current: list[dict[str, Any]]) -> bool:
        """Whether the item already holds exactly these files: names, sizes, then checksums."""
        kept = [part for part in content.parts if part.keep_in_storage]
        by_name = dict((info.get('name'), info) for info in current)
        if set(by_name) != set(part.name for part in kept):
            return False
        if any(by_name[part.name].get('size') != part.size for part in kept):
            return False  # every size before any digest: a digest reads the whole file
        return all(holds_same_file(by_name[part.name], part.size, part.checksum) for part in kept)

    def wanted_files(self) -> list[dict[str, Any]]:
        if self.content is not None:
            return [{'name': part.name, 'size': part.size} for part in self.content.parts]
        return [{'name': self.file_name(), 'source_url': self.params['source_url']}]

    # -- how -------------------------------------------------------------------------------

    def upload(self, item: Item) -> dict[str, Any]:
        started = time.monotonic()
        kept = None
        if not self.created:
            # Said last when the task fails: the session's end is what keeps the item as it was.
            kept = self.cleanup.push('library item %s' % item['id'], lambda _reason: 'The library item keeps its previous content.')
        session = ContentImport(
            self.client,
            self.cleanup,
            item['id'],
            self.params['ignore_warnings'],
            self.params['keep_alive_interval'],
            self.params['wait_timeout'],
            self.module.warn,
        )
        uploader = session.open()
        if self.content is not None:
            uploader.push(self.content.parts, parallel=self.params['parallel'])
        else:
            self.pull(uploader, session)
        model = session.finish()
        self.cleanup.release(kept)
        seconds = time.monotonic() - started
        sent = session.sent
        return dict(
            library_item=item_view(get_item(self.client, item['id']) or item),
            files=[file_view(f) for f in item_files(self.client, item['id'])],
            update_session=model,
            bytes_sent=sent,
            seconds=round(seconds, 3),
            throughput_mib_s=throughput(sent, seconds),
        )

    def pull(self, uploader: Uploader, session: ContentImport) -> None:
        url = self.params['source_url']
        name = self.file_name()
        check_file_name(name, 'the file name of source_url')
        thumbprint = pin_thumbprint(url, self.inputs.get('ssl_certificate_thumbprint'), self.client.timeout, self.module.warn)
        names = [name]
        self.add_pull(uploader, name, url, thumbprint)
        if name.lower().endswith('.ovf'):
            # The descriptor's references come from URLs beside it; vCenter's validation names them.
            validation = self.client.call('file.validate', update_session_id=session.id)
            for missing in validation.get('missing_files') or []:
                check_file_name(missing, 'a file the OVF descriptor references')
                self.add_pull(uploader, missing, urljoin(url, missing), thumbprint)
                names.append(missing)
        for each in names:
            uploader.settle(each, 'pull')

    @staticmethod
    def add_pull(uploader: Uploader, name: str, url: str, thumbprint: str | None) -> None:
        endpoint = {'uri': url}
        if thumbprint:
            endpoint['ssl_certificate_thumbprint'] = thumbprint
        uploader.add({'name': name, 'source_type': PULL, 'source_endpoint': endpoint})
