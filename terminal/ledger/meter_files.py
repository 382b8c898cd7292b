"""The customer's and the meter's files as the office shows them, and installation.

A meter is registered (`Meters.register`, installed at once or left `registered`); its
append-only `installation` row (date, installer, seal numbers, initial reading in 0.01 kWh)
is written with it, or later with `mark_installed` in the same unit of work.
"""
from __future__ import annotations

from dataclasses import dataclass

from terminal.ledger.rows import Repo


@dataclass(frozen=True)
class MeterFile:
    """One meter's file with its customer's (the columns of migration 15 included)."""
    meter_id: int
    meter_uuid: str
    number: str
    carrier: str
    status: str
    registered_on: str
    installed_at: str | None
    meter_type: str | None
    maker: str | None
    model: str | None
    capacity_a: int | None
    sts: str | None
    customer_id: int
    customer_uuid: str
    account_no: str
    name: str
    address: str
    phone: str | None
    category: str | None
    area: str | None
    building: str | None
    id_number: str | None
    registered_at: str
    closed_at: str | None


@dataclass(frozen=True)
class Installation:
    uuid: str
    installed_on: str
    installer: str | None
    seals: str | None
    initial_kwh: int | None
    recorded_at: str
    operator: str | None


_FILE = ("SELECT m.id, m.uuid, m.number, m.carrier, m.status, m.registered_on, m.installed_at, m.meter_type, "
         "m.maker, m.model, m.capacity_a, m.sts, c.id, c.uuid, c.account_no, c.name, c.address, c.phone, "
         "c.category, c.area, c.building, c.id_number, c.registered_at, c.closed_at "
         "FROM meter m JOIN customer c ON c.id = m.customer_id ")


class MeterFiles(Repo):
    def of_number(self, number: str) -> MeterFile | None:
        row = self._one(_FILE + "WHERE m.number = ?", (number,))
        return None if row is None else MeterFile(*row)

    def of_account(self, account_no: str) -> list[MeterFile]:
        """Every meter of the customer with this account number, in registration order."""
        return [MeterFile(*r) for r in self._rows(_FILE + "WHERE c.account_no = ? ORDER BY m.id", (account_no,))]

    def listing(self, status: str | None, area: str | None, limit: int, offset: int) -> tuple[int, list[MeterFile]]:
        """(how many match, one page of them in meter number order)."""
        where, params = [], []
        if status:
            where.append("m.status = ?")
            params.append(status)
        if area:
            where.append("c.area = ?")
            params.append(area)
        cond = ("WHERE " + " AND ".join(where) + " ") if where else ""
        total = self._one("SELECT COUNT(*) FROM meter m JOIN customer c ON c.id = m.customer_id " + cond,
                          tuple(params))
        rows = self._rows(_FILE + cond + "ORDER BY m.number LIMIT ? OFFSET ?", (*params, limit, offset))
        return int(total[0]) if total else 0, [MeterFile(*r) for r in rows]

    def add_installation(self, uuid: str, meter_id: int, installed_on: str, installer: str | None,
                         seals: str | None, initial_kwh: int | None, recorded_at: str, operator_id: int) -> None:
        """The installation row (of a meter registered installed, or with `mark_installed`)."""
        self._run("INSERT INTO installation (uuid, meter_id, installed_on, installer, seals, initial_kwh, "
                  "recorded_at, operator_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  (uuid, meter_id, installed_on, installer, seals, initial_kwh, recorded_at, operator_id))

    def mark_installed(self, meter_id: int, at: str) -> None:
        """A `registered` meter becomes installed."""
        done = self._run("UPDATE meter SET status = 'installed', installed_at = ? WHERE id = ? "
                         "AND status = 'registered'", (at, meter_id))
        assert done.rowcount == 1, "install only a registered meter"

    def installations(self, meter_id: int) -> list[Installation]:
        return [Installation(*r) for r in self._rows(
            "SELECT i.uuid, i.installed_on, i.installer, i.seals, i.initial_kwh, i.recorded_at, o.username "
            "FROM installation i LEFT JOIN operator o ON o.id = i.operator_id WHERE i.meter_id = ? ORDER BY i.id",
            (meter_id,))]

    def installation_mismatches(self) -> list[tuple[str, str, int]]:
        """(meter number, status, installation rows) of every meter whose status and installation
        file disagree: a `registered` meter with an installation, or a meter installed twice.
        (Meters installed before the installation file existed have none: not a finding.)"""
        return [(str(n), str(s), int(k)) for n, s, k in self._rows(
            "SELECT m.number, m.status, COUNT(*) AS k FROM installation i JOIN meter m ON m.id = i.meter_id "
            "GROUP BY m.id HAVING m.status = 'registered' OR k > 1 ORDER BY m.number")]
