"""The wire records of the office's registration part: a meter's installation and account
transfers (the request, then its decision). docs/sync-wire.md describes them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sync.fields import CURRENCY, METER, MONEY, REASON, TIME, UUID, Choice, Field, Int, Nested
from sync.records import OPERATOR, InstallationFile

TRANSFER_WHAT = ("carry_over", "arrears")
DECISIONS = ("approved", "rejected")


@dataclass(frozen=True)
class InstallationRecord:
    """kind ``installation``: a registered meter installed (`ppms meter install`)."""
    meter_id: str
    meter: str
    installation: InstallationFile
    operator: str
    KIND: ClassVar = "installation"
    WIRE: ClassVar = (Field("meter_id", "mid", UUID), Field("meter", "m", METER),
                      Field("installation", "ins", Nested(InstallationFile)), Field("operator", "op", OPERATOR))


@dataclass(frozen=True)
class TransferRecord:
    """kind ``account_transfer``: a transfer of carry-over or arrears asked for; it moves nothing
    until approved."""
    transfer_id: str
    what: str
    from_meter: str
    to_meter: str
    currency: str
    amount: int
    reason: str
    requested_at: str
    requested_by: str
    KIND: ClassVar = "account_transfer"
    WIRE: ClassVar = (Field("transfer_id", "id", UUID), Field("what", "w", Choice(TRANSFER_WHAT)),
                      Field("from_meter", "fm", METER), Field("to_meter", "tm", METER),
                      Field("currency", "cur", CURRENCY), Field("amount", "a", Int(1)),
                      Field("reason", "why", REASON), Field("requested_at", "at", TIME),
                      Field("requested_by", "op", OPERATOR))


@dataclass(frozen=True)
class TransferDecisionRecord:
    """kind ``account_transfer_decision``: a transfer approved (the money moved then) or rejected,
    by another operator than the one who asked."""
    transfer_id: str
    decision: str
    what: str
    from_meter: str
    to_meter: str
    currency: str
    amount: int
    decided_at: str
    decided_by: str
    note: str | None = None
    KIND: ClassVar = "account_transfer_decision"
    WIRE: ClassVar = (Field("transfer_id", "id", UUID), Field("decision", "d", Choice(DECISIONS)),
                      Field("what", "w", Choice(TRANSFER_WHAT)), Field("from_meter", "fm", METER),
                      Field("to_meter", "tm", METER), Field("currency", "cur", CURRENCY),
                      Field("amount", "a", MONEY), Field("decided_at", "at", TIME),
                      Field("decided_by", "op", OPERATOR), Field("note", "why", REASON, optional=True))
