"""Meters, customers and tariffs: a meter's state at the time of a sale, registration's rows.

Everything a sale reads is derived from append-only rows (sales that count, postings),
so a reversal restores usage, fixed-charge months and balances by itself. The selling
path is hot (a sale within a few bare commits), so these are plain SQL on indexed
columns, a handful per sale.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import SqliteDatabase

from terminal.ledger.canonical import dumps
from terminal.ledger.models import Models
from terminal.ledger.rows import Repo


@dataclass(frozen=True)
class MeterRow:
    id: int
    uuid: str
    number: str
    carrier: str
    status: str
    registered_on: str
    sts: str | None
    customer_id: int
    customer_uuid: str
    account_no: str
    customer_name: str
    category: str | None


_METER = ("SELECT m.id, m.uuid, m.number, m.carrier, m.status, m.registered_on, m.sts, c.id, c.uuid, "
          "c.account_no, c.name, c.category FROM meter m JOIN customer c ON c.id = m.customer_id ")


class Meters(Repo):
    """Registered meters and their power-type shares."""

    def __init__(self, db: SqliteDatabase, models: Models) -> None:
        super().__init__(db)
        self._m = models

    def by_number(self, number: str) -> MeterRow | None:
        r = self._one(_METER + "WHERE m.number = ?", (number,))
        return None if r is None else MeterRow(*r)

    def by_id(self, meter_id: int) -> MeterRow:
        r = self._one(_METER + "WHERE m.id = ?", (meter_id,))
        assert r is not None
        return MeterRow(*r)

    def shares(self, meter_id: int) -> list[tuple[str, int]]:
        """[(power type, percent)] in registration order."""
        return [(pt, pct) for pt, pct in self._rows(
            "SELECT power_type, percent FROM meter_share WHERE meter_id = ? ORDER BY ordinal", (meter_id,))]

    def numbers_among(self, candidates: list[str]) -> list[str]:
        """Which of these meter numbers are registered."""
        marks = ",".join("?" * len(candidates))
        return [str(r[0]) for r in self._rows(f"SELECT number FROM meter WHERE number IN ({marks})",
                                               tuple(candidates))]

    def installed_numbers(self, area: str | None = None) -> list[str]:
        """Installed meters (of one customer area when given), in meter number order."""
        sql = ("SELECT m.number FROM meter m JOIN customer c ON c.id = m.customer_id "
               "WHERE m.status = 'installed'" + (" AND c.area = ?" if area else "") + " ORDER BY m.number")
        return [str(r[0]) for r in self._rows(sql, (area,) if area else ())]

    def register(self, uuid: str, number: str, customer_id: int, carrier: str, at: str,
                 sts: dict[str, Any] | None, split: list[tuple[str, int]], *, installed: bool = True,
                 meter_type: str | None = None, maker: str | None = None, model: str | None = None,
                 capacity_a: int | None = None) -> int:
        """A meter (installed now, or only `registered` until `install`), its file and its split
        across power types."""
        mid = int(self._m.Meter.insert(uuid=uuid, number=number, customer=customer_id, carrier=carrier,
                                       status="installed" if installed else "registered",
                                       registered_on=at[:10], installed_at=at if installed else None,
                                       sts=dumps(sts) if sts else None, meter_type=meter_type, maker=maker,
                                       model=model, capacity_a=capacity_a).execute())
        self._m.MeterShare.insert_many([{"meter": mid, "ordinal": i, "power_type": c, "percent": p}
                                        for i, (c, p) in enumerate(split, 1)]).execute()
        return mid

    def set_sts(self, meter_id: int, sts: dict[str, Any]) -> None:
        self._m.Meter.update(sts=dumps(sts)).where(self._m.Meter.id == meter_id).execute()


class Customers(Repo):
    """Customers and their balances (the carry-over and arrears sub-ledgers)."""

    def __init__(self, db: SqliteDatabase, models: Models) -> None:
        super().__init__(db)
        self._m = models

    def any(self) -> bool:
        return bool(self._m.Customer.select().exists())

    def insert(self, uuid: str, account_no: str, name: str, address: str, phone: str | None,
               category: str | None, area: str | None, at: str, *, building: str | None = None,
               id_number: str | None = None) -> int:
        return int(self._m.Customer.insert(uuid=uuid, account_no=account_no, name=name, address=address,
                                           phone=phone, category=category, area=area, registered_at=at,
                                           building=building, id_number=id_number).execute())

    def id_by_uuid(self, uuid: str) -> int | None:
        r = self._one("SELECT id FROM customer WHERE uuid = ?", (uuid,))
        return None if r is None else int(r[0])

    def balances(self, customer_id: int) -> tuple[int, int]:
        """(carry-over, arrears) of a customer: the carry-over liability's credit balance and
        the arrears account's debit balance."""
        got = dict(self._rows("SELECT account, SUM(debit - credit) FROM posting_line WHERE customer_id = ? "
                              "AND account IN ('CARRY_OVER', 'ARREARS') GROUP BY account", (customer_id,)))
        return -int(got.get("CARRY_OVER", 0)), int(got.get("ARREARS", 0))


@dataclass(frozen=True)
class TariffRow:
    id: int
    version: int
    effective_from: str
    data: str


@dataclass(frozen=True)
class PreferentialRow:
    id: int
    version: int
    valid_from: str
    data: str


class Tariffs(Repo):
    """Power types, tariff versions and preferential sheets (append-only versions)."""

    def __init__(self, db: SqliteDatabase, models: Models) -> None:
        super().__init__(db)
        self._m = models

    def in_force(self, power_type: str, on_date: str) -> tuple[int, int, str] | None:
        """(row id, version, data) of the tariff version in force on a date."""
        r = self._one("SELECT id, version, data FROM tariff_version WHERE power_type = ? AND effective_from <= ? "
                      "ORDER BY effective_from DESC LIMIT 1", (power_type, on_date))
        return None if r is None else (int(r[0]), int(r[1]), str(r[2]))

    def preferential_in_force(self, code: str, at: str) -> tuple[int, int, str] | None:
        r = self._one("SELECT id, version, data FROM preferential_version WHERE code = ? AND valid_from <= ? "
                      "ORDER BY version DESC LIMIT 1", (code, at))
        return None if r is None else (int(r[0]), int(r[1]), str(r[2]))

    def latest_preferential(self, code: str) -> PreferentialRow | None:
        """A preferential sheet's latest version, whenever it is valid from (the clock may be behind it)."""
        r = self._one("SELECT id, version, valid_from, data FROM preferential_version WHERE code = ? "
                      "ORDER BY version DESC LIMIT 1", (code,))
        return None if r is None else PreferentialRow(*r)

    def data(self, power_type: str, version: int) -> str:
        row = self._one("SELECT data FROM tariff_version WHERE power_type = ? AND version = ?",
                        (power_type, version))
        assert row is not None, "a sale always names a stored tariff version"
        return str(row[0])

    def power_type_exists(self, code: str) -> bool:
        return self._one("SELECT 1 FROM power_type WHERE code = ?", (code,)) is not None

    def put_power_type(self, code: str, name: str) -> None:
        self._run("INSERT INTO power_type (code, name) VALUES (?, ?) ON CONFLICT(code) "
                  "DO UPDATE SET name = excluded.name WHERE name <> excluded.name", (code, name))

    def effective_on(self, power_type: str, effective_from: str) -> TariffRow | None:
        r = self._one("SELECT id, version, effective_from, data FROM tariff_version WHERE power_type = ? "
                      "AND effective_from = ?", (power_type, effective_from))
        return None if r is None else TariffRow(*r)

    def latest(self, power_type: str) -> TariffRow | None:
        r = self._one("SELECT id, version, effective_from, data FROM tariff_version WHERE power_type = ? "
                      "ORDER BY version DESC LIMIT 1", (power_type,))
        return None if r is None else TariffRow(*r)

    def add_version(self, power_type: str, version: int, effective_from: str, currency: str, data: str,
                    at: str, operator_id: int) -> None:
        self._m.TariffVersion.insert(power_type=power_type, version=version, effective_from=effective_from,
                                     currency=currency, data=data, imported_at=at,
                                     imported_by=operator_id).execute()

    def add_preferential(self, code: str, version: int, valid_from: str, data: str) -> None:
        self._m.PreferentialVersion.insert(code=code, version=version, valid_from=valid_from, data=data).execute()

