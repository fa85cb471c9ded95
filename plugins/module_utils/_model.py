# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The vocabulary of the Content Library API, written once: states, statuses, types, digests.

This is a private module: it is not a public API and may change at any time.

The names are the API's own (update-session-api.md and download-session-api.md,
section 2 of each). Every other file imports them from here.
"""

from __future__ import annotations

# UpdateSessionModel.State (update-session-api.md 2.1).
ACTIVE = 'ACTIVE'
DONE = 'DONE'
ERROR = 'ERROR'
CANCELED = 'CANCELED'
UPDATE_SESSION_STATES = (ACTIVE, DONE, ERROR, CANCELED)
TERMINAL_STATES = (DONE, ERROR, CANCELED)

# DownloadSessionModel.State: a download session is never "done" (download-session-api.md 2.1).
DOWNLOAD_SESSION_STATES = (ACTIVE, CANCELED, ERROR)

# TransferStatus of an update session's file.
WAITING_FOR_TRANSFER = 'WAITING_FOR_TRANSFER'
TRANSFERRING = 'TRANSFERRING'
READY = 'READY'
VALIDATING = 'VALIDATING'
TRANSFER_STATUSES = (WAITING_FOR_TRANSFER, TRANSFERRING, READY, VALIDATING, ERROR)

# PrepareStatus of a download session's file.
UNPREPARED = 'UNPREPARED'
PREPARE_REQUESTED = 'PREPARE_REQUESTED'
PREPARING = 'PREPARING'
PREPARED = 'PREPARED'
PREPARE_STATUSES = (UNPREPARED, PREPARE_REQUESTED, PREPARING, PREPARED, ERROR)

# Where an update session's file comes from.
PUSH = 'PUSH'
PULL = 'PULL'
SOURCE_TYPES = ('NONE', PUSH, PULL)

# How a download session hands out a file.
HTTPS = 'HTTPS'
ENDPOINT_TYPES = (HTTPS, 'DIRECT')

# PreviewInfo.State of signed content; PREPARING means "still working on it".
PREVIEW_PREPARING = 'PREPARING'
PREVIEW_STATES = ('UNAVAILABLE', 'NOT_APPLICABLE', PREVIEW_PREPARING, 'AVAILABLE')

# WarningType of a preview, in the API's order.
WARNING_TYPES = (
    'SELF_SIGNED_CERTIFICATE',
    'EXPIRED_CERTIFICATE',
    'NOT_YET_VALID_CERTIFICATE',
    'UNTRUSTED_CERTIFICATE',
)

# LibraryModel.LibraryType: only a local library takes content from a client.
LOCAL = 'LOCAL'
SUBSCRIBED = 'SUBSCRIBED'
LIBRARY_TYPES = (LOCAL, SUBSCRIBED)

# Item types the modules choose by themselves; vCenter accepts any string.
ITEM_TYPE_OVF = 'ovf'
ITEM_TYPE_ISO = 'iso'
ITEM_TYPE_FILE = 'file'

# ChecksumAlgorithm, with the length of each digest in hex; SHA1 is the API's default.
DIGEST_LENGTHS = {'SHA1': 40, 'MD5': 32, 'SHA256': 64, 'SHA512': 128}
CHECKSUM_ALGORITHMS = ('SHA1', 'MD5', 'SHA256', 'SHA512')
DEFAULT_ALGORITHM = 'SHA1'
# The digests ovftool writes into an OVF manifest (no MD5 there).
MANIFEST_ALGORITHMS = ('SHA1', 'SHA256', 'SHA512')

# The id a check-mode run gives the update session it would have opened. Later tasks of the
# same check-mode run recognise it; outside check mode it is refused as input.
PREDICTED_ID = 'predicted-by-check-mode'

# Names of an item's files that vCenter treats as OVF metadata: it wants them before the
# descriptor and does not keep them in storage once the session completes.
MANIFEST_SUFFIX = '.mf'
CERTIFICATE_SUFFIX = '.cert'
DESCRIPTOR_SUFFIX = '.ovf'


def message_text(message: dict | None, default: str = 'vCenter gave no message') -> str:
    """The text of a LocalizableMessage (``error_message`` and the like), or ``default``."""
    if isinstance(message, dict):
        return str(message.get('default_message') or message.get('localized') or message.get('id') or default)
    return default
