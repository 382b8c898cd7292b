"""Cash acceptor: a ccTalk bill validator (codec, transport, session, simulator).

The lead's entry points::

    from hardware.cash import BillTable, BillValidator, CashSettings, open_link
    validator = BillValidator(open_link(settings), settings, BillTable({1: 5000, 2: 10000}))
    result = validator.accept_up_to(15000, on_event=show_on_screen)
    # result.total_minor is the tendered money; result.problem says why it stopped

Importing this package does not import pyserial; opening a port does.
"""
from hardware.cash.errors import (
    CashBillTableMismatch,
    CashChecksumError,
    CashCommandRefused,
    CashError,
    CashEventsLost,
    CashFraud,
    CashGarbledReply,
    CashJammed,
    CashNoAnswer,
    CashPortError,
    CashRouteFailed,
    CashSettingsError,
    CashStackerFault,
    CashUnknownBill,
)
from hardware.cash.models import (
    BillEscrowed,
    BillEvent,
    BillJammed,
    BillRejected,
    BillReturned,
    BillTable,
    CashSettings,
    CreditAccepted,
    DeviceFault,
    FraudAttempt,
    StatusReport,
    TenderResult,
    UnknownBillStacked,
)
from hardware.cash.validator import (
    BillValidator,
    DeviceIdentity,
    open_link,
    probe_bill_validator,
)

__all__ = [
    "BillEscrowed", "BillEvent", "BillJammed", "BillRejected", "BillReturned", "BillTable",
    "BillValidator", "CashBillTableMismatch", "CashChecksumError", "CashCommandRefused",
    "CashError", "CashEventsLost", "CashFraud", "CashGarbledReply", "CashJammed",
    "CashNoAnswer", "CashPortError", "CashRouteFailed", "CashSettings", "CashSettingsError",
    "CashStackerFault", "CashUnknownBill", "CreditAccepted", "DeviceFault", "DeviceIdentity",
    "FraudAttempt", "StatusReport", "TenderResult", "UnknownBillStacked", "open_link",
    "probe_bill_validator",
]
