"""The error tree of `sync`.

Every refusal carries a stable UPPER_SNAKE ``code``; ``details`` name the kind, the
field (a dotted path such as ``lines.2.amount``, or ``None`` for the record as a whole)
and the reason.

::

    PpmsError                          (terminal.domain.errors)
    └── SyncError                      SYNC_ERROR             root of this package
        ├── WireRecordInvalid          WIRE_RECORD_INVALID    bad JSON, not canonical, missing, extra
        │   │                                             or mistyped field, value out of range
        │   │                                             details: kind, field, reason
        │   ├── WireKindUnknown        WIRE_KIND_UNKNOWN      no record type for this kind
        │   │                                             details: kind
        │   └── WireVersionUnknown     WIRE_VERSION_UNKNOWN   a version this reader does not know (newer)
        │                                                     details: kind, field "v", version, known
        ├── SyncNotConfigured          SYNC_NOT_CONFIGURED    no [sync] url, or no secret file      details: key
        ├── SyncSecretInvalid          SYNC_SECRET_INVALID    the secret file is not one hex line, not a
        │                                                     regular file, or readable by others   details: key
        ├── SyncUnreachable            SYNC_UNREACHABLE       no answer from the center (refused connection,
        │                                                     timeout, reset, a 5xx, an answer not JSON):
        │                                                     nothing marked sent; try again later
        └── SyncRefused                SYNC_REFUSED           the center refused the request (401/403/4xx)
                                                              details: status, center_code
"""
from __future__ import annotations

from terminal.domain.errors import PpmsError


class SyncError(PpmsError):
    code = "SYNC_ERROR"


class WireRecordInvalid(SyncError):
    code = "WIRE_RECORD_INVALID"


class WireKindUnknown(WireRecordInvalid):
    code = "WIRE_KIND_UNKNOWN"


class WireVersionUnknown(WireRecordInvalid):
    code = "WIRE_VERSION_UNKNOWN"


class SyncNotConfigured(SyncError):
    code = "SYNC_NOT_CONFIGURED"


class SyncSecretInvalid(SyncError):
    code = "SYNC_SECRET_INVALID"


class SyncUnreachable(SyncError):
    code = "SYNC_UNREACHABLE"


class SyncRefused(SyncError):
    code = "SYNC_REFUSED"
