"""The JSON views of the registration part's records (`sync.views.view` hands them here)."""
from __future__ import annotations

from typing import Any

from sync.office_records import InstallationRecord, TransferDecisionRecord, TransferRecord
from sync.records import CustomerMore, InstallationFile, MeterMore
from terminal.domain.money import currency, format_kwh, format_money, parse_kwh

OFFICE_RECORDS = (InstallationRecord, TransferRecord, TransferDecisionRecord)


def installation_view(ins: InstallationFile | None) -> dict[str, Any] | None:
    if ins is None:
        return None
    return {"installation_id": ins.installation_id, "installed_on": ins.installed_on, "installer": ins.installer,
            "seals": list(ins.seals), "initial_reading_kwh": None if ins.initial_kwh is None else
            format_kwh(ins.initial_kwh), "recorded_at": ins.recorded_at}


def installation_from_view(d: dict[str, Any] | None) -> InstallationFile | None:
    if d is None:
        return None
    kwh = d["initial_reading_kwh"]
    return InstallationFile(d["installation_id"], d["installed_on"], d["recorded_at"], d["installer"],
                            tuple(d["seals"]), None if kwh is None else parse_kwh(kwh))


def customer_more_view(more: CustomerMore | None) -> dict[str, Any]:
    m = more or CustomerMore()
    return {"building": m.building, "id_number": m.id_number}


def meter_more_view(more: MeterMore | None) -> dict[str, Any]:
    m = more or MeterMore()
    return {"meter_type": m.meter_type, "maker": m.maker, "model": m.model, "capacity_a": m.capacity_a}


def customer_more_of(d: dict[str, Any]) -> CustomerMore | None:
    """From a view's customer (an older terminal's has none of these keys)."""
    more = CustomerMore(d.get("building"), d.get("id_number"))
    return None if more == CustomerMore() else more


def meter_more_of(d: dict[str, Any]) -> MeterMore | None:
    more = MeterMore(d.get("meter_type"), d.get("maker"), d.get("model"), d.get("capacity_a"))
    return None if more == MeterMore() else more


def office_view(record: Any) -> dict[str, Any]:
    if isinstance(record, InstallationRecord):
        return {"meter": record.meter, "meter_id": record.meter_id, "status": "installed",
                "installation": installation_view(record.installation), "operator": record.operator}
    cur = currency(record.currency)
    if isinstance(record, TransferRecord):
        return {"transfer_id": record.transfer_id, "status": "awaiting_approval", "what": record.what,
                "from_meter": record.from_meter, "to_meter": record.to_meter,
                "amount": format_money(record.amount, cur), "reason": record.reason,
                "requested_at": record.requested_at, "requested_by": record.requested_by}
    assert isinstance(record, TransferDecisionRecord)
    return {"transfer_id": record.transfer_id, "status": record.decision, "what": record.what,
            "from_meter": record.from_meter, "to_meter": record.to_meter, "amount": format_money(record.amount, cur),
            "decided_at": record.decided_at, "decided_by": record.decided_by, "note": record.note}
