"""The versioned wire records the outbox holds and the center reads.

One record type per outbox kind (`RECORDS`), each a frozen dataclass of `sync.records`
with integer money (minor units), integer energy (0.01 kWh), ISO times and UUID ids.

    data = encode(record)            # canonical bytes: JSON, short keys, sorted, no spaces
    record = decode("sale", data)    # strict: WireRecordInvalid and its kin, never anything else

The encoding is canonical: one record has exactly one encoding, and `decode` refuses
any other spelling of it, so two rows hold the same record exactly when their bytes
are equal (what the center's ``exists``/``conflict`` answer compares).

Versioning: every record carries ``"v"``, the version of its kind. A later version may
only add optional fields (`Field.since`); it never renames, removes or changes the
meaning or unit of a field (that is a new kind). A reader of version N decodes every
version up to N (fields added later than the data's version are absent, hence None)
and refuses N+1 with WIRE_VERSION_UNKNOWN: the center is upgraded before the
terminals, and a row it refuses stays in the terminal's outbox, byte for byte, until
it can read it.
"""
from __future__ import annotations

import json
from typing import Any

from sync.account_records import CheckResultRecord, MeterReadingRecord
from sync.amendment_records import AmendmentRecord
from sync.device_records import (
    CardRecord,
    ReadingRecord,
    StsKeyChangeRecord,
    StsTokenRecord,
)
from sync.errors import WireKindUnknown, WireRecordInvalid, WireVersionUnknown
from sync.fields import Where, dump_fields, load_fields
from sync.office_records import InstallationRecord, TransferDecisionRecord, TransferRecord
from sync.payment_records import PaymentAppliedRecord
from sync.records import (
    CashHeldRecord,
    DebtRecord,
    RegistrationRecord,
    ReversalRecord,
    SaleRecord,
    SaleRewriteRecord,
)
from sync.setup_records import (
    AuthorityRecord,
    DeviceSettingRecord,
    DictionaryRecord,
    ParameterRecord,
    ShiftRecord,
)
from sync.tariff_records import (
    TariffRecord,
)

__all__ = ["MAX_RECORD_BYTES", "RECORDS", "VERSIONS", "VERSION_KEY", "WireRecord", "decode", "decode_value",
           "encode", "encode_value", "kind_known"]

WireRecord = (SaleRecord | ReversalRecord | RegistrationRecord | DebtRecord | CashHeldRecord | CardRecord
              | ReadingRecord | SaleRewriteRecord | StsTokenRecord | StsKeyChangeRecord | TariffRecord
              | InstallationRecord | TransferRecord | TransferDecisionRecord
              | ParameterRecord | DictionaryRecord | AuthorityRecord | DeviceSettingRecord | ShiftRecord
              | AmendmentRecord | MeterReadingRecord | CheckResultRecord | PaymentAppliedRecord)

#: outbox kind -> record type
RECORDS: dict[str, type[Any]] = {cls.KIND: cls for cls in (
    SaleRecord, ReversalRecord, RegistrationRecord, DebtRecord, CashHeldRecord, CardRecord, ReadingRecord,
    SaleRewriteRecord, StsTokenRecord, StsKeyChangeRecord, TariffRecord)}
RECORDS.update({cls.KIND: cls for cls in (InstallationRecord, TransferRecord, TransferDecisionRecord)})
RECORDS.update({cls.KIND: cls for cls in (
    ParameterRecord, DictionaryRecord, AuthorityRecord, DeviceSettingRecord, ShiftRecord)})
RECORDS.update({AmendmentRecord.KIND: AmendmentRecord})
RECORDS.update({cls.KIND: cls for cls in (MeterReadingRecord, CheckResultRecord)})
RECORDS.update({PaymentAppliedRecord.KIND: PaymentAppliedRecord})
#: outbox kind -> the version this code writes (and the newest it reads)
VERSIONS: dict[str, int] = dict.fromkeys(RECORDS, 1)
VERSIONS["registration"] = 2     # the office's files and the installation (issue 11)
#: the largest encoded record a reader accepts (a tariff sheet is the largest, a few KB)
MAX_RECORD_BYTES = 256 * 1024
VERSION_KEY = "v"


def _record_type(kind: object) -> type[Any]:
    cls = RECORDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise WireKindUnknown(f"no wire record for outbox kind {kind!r}", kind=str(kind), field=None,
                              reason="unknown kind")
    return cls


def kind_known(kind: str) -> bool:
    return kind in RECORDS


def encode_value(record: WireRecord) -> dict[str, Any]:
    """The record as a JSON object (what a batch item's payload holds)."""
    cls = _record_type(getattr(record, "KIND", None))
    if type(record) is not cls:
        raise WireRecordInvalid(f"{type(record).__name__} is not a wire record", kind=cls.KIND, field=None,
                                reason="not a record")
    version = VERSIONS[cls.KIND]
    return {VERSION_KEY: version, **dump_fields(record, Where(cls.KIND), version)}


def _canonical(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def encode(record: WireRecord) -> bytes:
    """The canonical bytes of a record: UTF-8 JSON, keys sorted, no whitespace."""
    return _canonical(encode_value(record))


def decode_value(kind: str, value: Any) -> Any:
    """The record of kind ``kind`` from a JSON object (already parsed)."""
    cls = _record_type(kind)
    where = Where(kind)
    if not isinstance(value, dict):
        raise where.fail(f"must be a JSON object, not {type(value).__name__}")
    version = value.get(VERSION_KEY)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise where.at(VERSION_KEY).fail("must be the record's version, an integer from 1")
    if version > VERSIONS[kind]:
        raise WireVersionUnknown(f"{kind} record version {version} is newer than this reader's "
                                 f"{VERSIONS[kind]}", kind=kind, field=VERSION_KEY, reason="unknown version",
                                 version=version, known=VERSIONS[kind])
    return load_fields(cls, value, where, version, skip=frozenset({VERSION_KEY}))


def _no_duplicates(items: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(items)
    if len(out) != len(items):
        raise ValueError("a key appears twice")
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode(kind: str, data: bytes | str) -> Any:
    """The record of kind ``kind`` from its canonical encoding; anything else is refused
    with a WireRecordInvalid (or WireKindUnknown / WireVersionUnknown)."""
    _record_type(kind)
    where = Where(kind)
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if not isinstance(raw, bytes):
        raise where.fail("must be bytes or text")
    if len(raw) > MAX_RECORD_BYTES:
        raise where.fail(f"is longer than {MAX_RECORD_BYTES} bytes")
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise where.fail("is not UTF-8 JSON") from None
    record = decode_value(kind, value)
    version = value[VERSION_KEY]
    if _canonical({VERSION_KEY: version, **dump_fields(record, where, version)}) != raw:
        raise where.fail("is not in the canonical encoding (sorted keys, no whitespace, no escapes needed)")
    return record
