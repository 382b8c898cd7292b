"""Self-service note intakes (append-only): the intake, each note as it happens, and its
one settlement (sold, held as carry-over, or nothing taken).

A note is taken once: `note_intake` is unique per (intake, event number), and an intake
is settled once (its settlement's primary key), so a settlement that loses a race rolls
back the sale or hold it was part of.

One process at a time works the acceptor's intakes: `owner` is an exclusive flock on
`<database>.cash-intake.lock` beside the ledger file (the kernel drops it when the process
dies), so recovery never settles an intake a live process is still taking notes for.
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from terminal.ledger.rows import Repo


@dataclass(frozen=True)
class OpenIntake:
    """An intake with no settlement yet, and where its notes stand."""
    id: int
    uuid: str
    meter_id: int
    customer_id: int
    credited: int                # the money of its credited notes
    last_number: int | None      # its last recorded note event (number, counter, stage)
    last_counter: int | None
    last_stage: str | None


class CashIntakes(Repo):
    def start(self, uuid: str, meter_id: int, customer_id: int, operator_id: int | None, amount_due: int,
              at: str) -> int:
        cur = self._run(
            "INSERT INTO cash_intake (uuid, meter_id, customer_id, operator_id, amount_due, started_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", (uuid, meter_id, customer_id, operator_id, amount_due, at))
        return int(cur.lastrowid)

    def record_note(self, intake_id: int, number: int, counter: int, stage: str, bill_type: int, value: int,
                    at: str) -> bool:
        """One note event; False when that event was recorded already (the same note again)."""
        cur = self._run(
            "INSERT OR IGNORE INTO note_intake (intake_id, number, counter, stage, bill_type, value, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", (intake_id, number, counter, stage, bill_type, value, at))
        return bool(cur.rowcount)

    def credited(self, intake_id: int) -> int:
        row = self._one("SELECT COALESCE(SUM(value), 0) FROM note_intake WHERE intake_id = ? "
                        "AND stage = 'credited'", (intake_id,))
        assert row is not None
        return int(row[0])

    def settle(self, intake_id: int, outcome: str, amount: int, at: str, sale_id: int | None = None,
               detail: str | None = None) -> None:
        """The intake's one settlement, in the caller's unit of work (a second one raises)."""
        self._run(
            "INSERT INTO cash_intake_settlement (intake_id, outcome, sale_id, amount, at, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)", (intake_id, outcome, sale_id, amount, at, detail))

    def is_settled(self, intake_id: int) -> bool:
        return self._one("SELECT 1 FROM cash_intake_settlement WHERE intake_id = ?", (intake_id,)) is not None

    def open_intakes(self, meter_id: int | None = None) -> list[OpenIntake]:
        """Intakes not settled, oldest first (a crash between the acceptor and the ledger)."""
        where = "" if meter_id is None else " AND i.meter_id = ?"
        params: tuple[int, ...] = () if meter_id is None else (meter_id,)
        rows = self._rows(
            "SELECT i.id, i.uuid, i.meter_id, i.customer_id, "
            "COALESCE((SELECT SUM(value) FROM note_intake n WHERE n.intake_id = i.id AND n.stage = 'credited'), 0), "
            "l.number, l.counter, l.stage FROM cash_intake i "
            "LEFT JOIN note_intake l ON l.id = (SELECT MAX(id) FROM note_intake n WHERE n.intake_id = i.id) "
            "WHERE NOT EXISTS (SELECT 1 FROM cash_intake_settlement s WHERE s.intake_id = i.id)" + where +
            " ORDER BY i.id", params)
        return [OpenIntake(*r) for r in rows]

    def mismatched(self) -> list[tuple[str, int, str | None, int, int | None]]:
        """(intake uuid, credited, outcome, settled amount, sale tendered) of every intake whose
        notes taken differ from what its settlement (or its sale) says, or that has notes and
        no settlement: notes taken = notes sold + notes held."""
        rows = self._rows(
            "SELECT i.uuid, COALESCE(n.credited, 0), s.outcome, s.amount, sale.tendered FROM cash_intake i "
            "LEFT JOIN (SELECT intake_id, SUM(value) AS credited FROM note_intake WHERE stage = 'credited' "
            "GROUP BY intake_id) n ON n.intake_id = i.id "
            "LEFT JOIN cash_intake_settlement s ON s.intake_id = i.id "
            "LEFT JOIN sale ON sale.id = s.sale_id "
            "WHERE (s.intake_id IS NULL AND COALESCE(n.credited, 0) > 0) "
            "OR (s.intake_id IS NOT NULL AND s.amount != COALESCE(n.credited, 0)) "
            "OR (s.outcome = 'sold' AND (sale.tendered IS NULL OR sale.tendered != s.amount)) "
            "ORDER BY i.id")
        return [(str(u), int(c), o, int(a or 0), t) for u, c, o, a, t in rows]


@contextmanager
def owner(db_path: Path) -> Iterator[bool]:
    """Whether this process may work the acceptor's intakes: an exclusive lock beside the
    ledger file, held for the block (a killed process drops it). False while a live intake
    in another process holds it."""
    path = os.path.abspath(f"{db_path}.cash-intake.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
