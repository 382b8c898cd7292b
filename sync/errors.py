"""The error tree of `sync`.

Every refusal carries a stable UPPER_SNAKE ``code``; ``details`` name the kind, the
field (a dotted path such as ``lines.2.amount``, or ``None`` for the record as a whole)
and the reason.

::

    PpmsError                          (terminal.domain.errors)
    └── SyncError                      SYNC_ERROR             root of this package
        └── WireRecordInvalid          WIRE_RECORD_INVALID    bad JSON, not canonical, missing, extra
            │                                                 or mistyped field, value out of range
            │                                                 details: kind, field, reason
            ├── WireKindUnknown        WIRE_KIND_UNKNOWN      no record type for this kind
            │                                                 details: kind
            └── WireVersionUnknown     WIRE_VERSION_UNKNOWN   a version this reader does not know (newer)
                                                              details: kind, field "v", version, known
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
