"""The rows of system setup and cashier shifts (migration 18, `migrations_setup.py`)."""
from __future__ import annotations

from dataclasses import dataclass

from terminal.ledger.journal import PAYMENT_ACCOUNTS
from terminal.ledger.rows import Repo

CASH_ACCOUNT = PAYMENT_ACCOUNTS["cash"]


@dataclass(frozen=True)
class ParameterChange:
    key: str
    value: str
    previous: str | None
    changed_at: str
    operator: str | None


@dataclass(frozen=True)
class DictionaryEntry:
    kind: str
    code: str
    name: str
    active: bool
    changed_at: str


@dataclass(frozen=True)
class ShiftRow:
    id: int
    uuid: str
    operator_id: int
    operator: str
    opened_at: str
    float: int
    posting_mark: int
    closed_at: str | None
    close_mark: int | None
    cash_in: int | None
    expected: int | None
    counted: int | None
    difference: int | None
    signed_at: str | None
    signed_by: str | None
    note: str | None


class Parameters(Repo):
    def change(self, key: str, value: str, previous: str | None, at: str, operator_id: int | None) -> None:
        self._run("INSERT INTO parameter_change (key, value, previous, changed_at, operator_id) "
                  "VALUES (?, ?, ?, ?, ?)", (key, value, previous, at, operator_id))

    def history(self, key: str | None = None) -> list[ParameterChange]:
        where, args = ("WHERE c.key = ?", (key,)) if key else ("", ())
        return [ParameterChange(*row) for row in self._rows(
            "SELECT c.key, c.value, c.previous, c.changed_at, o.username FROM parameter_change c "
            f"LEFT JOIN operator o ON o.id = c.operator_id {where} ORDER BY c.id", args)]

    def latest(self) -> dict[str, str]:
        """Each changed parameter's last value as its history holds it."""
        return {str(k): str(v) for k, v in self._rows(
            "SELECT key, value FROM parameter_change WHERE id IN (SELECT MAX(id) FROM parameter_change "
            "GROUP BY key)")}


class Dictionary(Repo):
    def get(self, kind: str, code: str) -> DictionaryEntry | None:
        row = self._one("SELECT kind, code, name, active, changed_at FROM dictionary_entry "
                        "WHERE kind = ? AND code = ?", (kind, code))
        return None if row is None else DictionaryEntry(row[0], row[1], row[2], bool(row[3]), row[4])

    def entries(self, kind: str | None = None, active_only: bool = True) -> list[DictionaryEntry]:
        clauses = [c for c, on in (("kind = ?", kind is not None), ("active = 1", active_only)) if on]
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return [DictionaryEntry(r[0], r[1], r[2], bool(r[3]), r[4]) for r in self._rows(
            f"SELECT kind, code, name, active, changed_at FROM dictionary_entry {where} ORDER BY kind, code",
            (kind,) if kind is not None else ())]

    def put(self, kind: str, code: str, name: str, active: bool, at: str) -> None:
        self._run("INSERT INTO dictionary_entry (kind, code, name, active, changed_at) VALUES (?, ?, ?, ?, ?) "
                  "ON CONFLICT(kind, code) DO UPDATE SET name = excluded.name, active = excluded.active, "
                  "changed_at = excluded.changed_at", (kind, code, name, int(active), at))


class Authority(Repo):
    """Permissions granted or revoked per operator, over the operator's role."""

    def of(self, operator_id: int) -> dict[str, bool]:
        return {str(p): bool(g) for p, g in self._rows(
            "SELECT permission, granted FROM operator_permission WHERE operator_id = ?", (operator_id,))}

    def effective(self, operator_id: int, role_permissions: frozenset[str]) -> frozenset[str]:
        """The role's permissions with the operator's own grants added and revocations taken away."""
        own = self.of(operator_id)
        return frozenset({p for p in role_permissions if own.get(p, True)} | {p for p, g in own.items() if g})

    def all(self) -> list[tuple[int, str, bool]]:
        return [(int(o), str(p), bool(g)) for o, p, g in self._rows(
            "SELECT operator_id, permission, granted FROM operator_permission ORDER BY operator_id, permission")]

    def put(self, operator_id: int, permission: str, granted: bool) -> None:
        self._run("INSERT INTO operator_permission (operator_id, permission, granted) VALUES (?, ?, ?) "
                  "ON CONFLICT(operator_id, permission) DO UPDATE SET granted = excluded.granted",
                  (operator_id, permission, int(granted)))

    def clear(self, operator_id: int, permission: str) -> None:
        self._run("DELETE FROM operator_permission WHERE operator_id = ? AND permission = ?",
                  (operator_id, permission))

    def operators(self) -> list[tuple[int, str, str, str, bool, bool]]:
        """(id, username, full name, role, active, locked) of every operator."""
        return [(int(i), str(u), str(f), str(r), bool(a), bool(lk)) for i, u, f, r, a, lk in self._rows(
            "SELECT id, username, full_name, role, active, locked FROM operator ORDER BY username")]

    def role_grants(self) -> list[tuple[str, str]]:
        return [(str(r), str(p)) for r, p in self._rows(
            "SELECT role, permission FROM role_permission ORDER BY role, permission")]


class DeviceSettings(Repo):
    def all(self) -> dict[str, tuple[str, str]]:
        """key -> (value, changed_at)."""
        return {str(k): (str(v), str(at)) for k, v, at in self._rows(
            "SELECT key, value, changed_at FROM device_setting ORDER BY key")}

    def put(self, key: str, value: str, at: str) -> None:
        self._run("INSERT INTO device_setting (key, value, changed_at) VALUES (?, ?, ?) "
                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at",
                  (key, value, at))

    def clear(self, key: str) -> None:
        self._run("DELETE FROM device_setting WHERE key = ?", (key,))


_SHIFT = ("SELECT s.id, s.uuid, s.operator_id, o.username, s.opened_at, s.float, s.posting_mark, c.closed_at, "
          "c.posting_mark, c.cash_in, c.expected, c.counted, c.difference, g.signed_at, so.username, g.note "
          "FROM shift s JOIN operator o ON o.id = s.operator_id LEFT JOIN shift_close c ON c.shift_id = s.id "
          "LEFT JOIN shift_signoff g ON g.shift_id = s.id LEFT JOIN operator so ON so.id = g.supervisor_id")


class Shifts(Repo):
    def open_of(self, operator_id: int) -> ShiftRow | None:
        rows = self._rows(f"{_SHIFT} WHERE s.operator_id = ? AND c.shift_id IS NULL ORDER BY s.id", (operator_id,))
        return ShiftRow(*rows[-1]) if rows else None

    def get(self, shift: int | str) -> ShiftRow | None:
        column = "s.id" if isinstance(shift, int) else "s.uuid"
        row = self._one(f"{_SHIFT} WHERE {column} = ?", (shift,))
        return None if row is None else ShiftRow(*row)

    def listed(self, operator_id: int | None = None, limit: int = 100) -> list[ShiftRow]:
        where, args = ("WHERE s.operator_id = ?", (operator_id,)) if operator_id is not None else ("", ())
        return [ShiftRow(*r) for r in self._rows(f"{_SHIFT} {where} ORDER BY s.id DESC LIMIT ?", (*args, limit))]

    def closed(self) -> list[ShiftRow]:
        return [ShiftRow(*r) for r in self._rows(f"{_SHIFT} WHERE c.shift_id IS NOT NULL ORDER BY s.id")]

    def posting_mark(self) -> int:
        row = self._one("SELECT COALESCE(MAX(id), 0) FROM posting")
        assert row is not None
        return int(row[0])

    def cash_in(self, operator_id: int, after: int, up_to: int) -> int:
        """What the operator's postings in (after, up_to] moved on the cash account: cash sales
        and fees in, cash reversals and refunds out."""
        row = self._one("SELECT COALESCE(SUM(l.debit - l.credit), 0) FROM posting p JOIN posting_line l "
                        "ON l.posting_id = p.id WHERE p.operator_id = ? AND p.id > ? AND p.id <= ? "
                        "AND l.account = ?", (operator_id, after, up_to, CASH_ACCOUNT))
        assert row is not None
        return int(row[0])

    def open(self, uuid: str, operator_id: int, at: str, float_: int, mark: int) -> int:
        cur = self._run("INSERT INTO shift (uuid, operator_id, opened_at, float, posting_mark) VALUES (?, ?, ?, ?, ?)",
                        (uuid, operator_id, at, float_, mark))
        return int(cur.lastrowid)

    def close(self, shift_id: int, at: str, mark: int, cash_in: int, expected: int, counted: int) -> None:
        self._run("INSERT INTO shift_close (shift_id, closed_at, posting_mark, cash_in, expected, counted, "
                  "difference) VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (shift_id, at, mark, cash_in, expected, counted, counted - expected))

    def sign(self, shift_id: int, at: str, supervisor_id: int, note: str) -> None:
        self._run("INSERT INTO shift_signoff (shift_id, signed_at, supervisor_id, note) VALUES (?, ?, ?, ?)",
                  (shift_id, at, supervisor_id, note))


class TariffBook(Repo):
    """Which power types and preferential sheets the ledger holds (for `ppms tariff export|list`)."""

    def power_types(self) -> list[tuple[str, str]]:
        return [(str(c), str(n)) for c, n in self._rows("SELECT code, name FROM power_type ORDER BY code")]

    def versions(self, power_type: str) -> list[tuple[int, str, str, str]]:
        """(version, effective_from, imported_at, data) of a power type, oldest first."""
        return [(int(v), str(e), str(i), str(d)) for v, e, i, d in self._rows(
            "SELECT version, effective_from, imported_at, data FROM tariff_version WHERE power_type = ? "
            "ORDER BY version", (power_type,))]

    def preferential_codes(self) -> list[str]:
        return [str(r[0]) for r in self._rows("SELECT DISTINCT code FROM preferential_version ORDER BY code")]
