"""What the sync agent keeps in the ledger: the outbox rows not yet sent, the feed's cursor,
the last successful sync, the clock drift it measured and the center's offline limits.

The state lives in `meta` (sealed like every table) under the ``sync.`` keys; a row is
marked sent (`outbox.sent_at`) only once the center answered for it. Each write is its own
short unit of work, opened after the network call it follows has returned.
"""
from __future__ import annotations

from dataclasses import dataclass

from terminal.ledger.rows import Repo

CURSOR = "sync.cursor"
LAST_OK = "sync.last_ok_at"            # the terminal's time of the last sync that reached the center
LEGACY_LAST_OK = "sync.last_ok"        # the same, as a terminal before the kiosk's status bar kept it
LIMITS_SHOWN = "sync.offline_limits"   # the offline limits as the kiosk's status bar shows them
DRIFT = "sync.clock_drift_s"           # center's clock minus this box's, seconds
MAX_HOURS = "sync.offline_max_hours"
MAX_AMOUNT = "sync.offline_max_amount"  # minor units of the ledger's currency
KEYS = (CURSOR, LAST_OK, LEGACY_LAST_OK, LIMITS_SHOWN, DRIFT, MAX_HOURS, MAX_AMOUNT)


@dataclass(frozen=True)
class OutboxRow:
    seq: int
    uuid: str
    kind: str
    entity_uuid: str
    payload: str
    created_at: str


class SyncState(Repo):
    def unsent(self, limit: int, after: int = 0) -> list[OutboxRow]:
        """The rows not yet sent with seq > `after`, in seq order."""
        return [OutboxRow(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5])) for r in self._rows(
            "SELECT seq, uuid, kind, entity_uuid, payload, created_at FROM outbox "
            "WHERE sent_at IS NULL AND seq > ? ORDER BY seq LIMIT ?", (after, limit))]

    def backlog(self) -> int:
        row = self._one("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
        return 0 if row is None else int(row[0])

    def mark_sent(self, seqs: list[int], at: str) -> int:
        """Mark rows sent (the center answered for each); a row already marked keeps its time."""
        done = 0
        for i in range(0, len(seqs), 500):
            chunk = seqs[i:i + 500]
            cur = self._run(f"UPDATE outbox SET sent_at = ? WHERE sent_at IS NULL AND seq IN "
                            f"({', '.join('?' * len(chunk))})", (at, *chunk))
            done += cur.rowcount
        return done

    def values(self) -> dict[str, str]:
        got = {str(k): str(v) for k, v in self._rows(
            f"SELECT key, value FROM meta WHERE key IN ({', '.join('?' * len(KEYS))})", KEYS)}
        legacy = got.pop(LEGACY_LAST_OK, None)
        if legacy is not None and LAST_OK not in got:   # a ledger synced before the key was renamed
            got[LAST_OK] = legacy
        return got

    def unsent_tendered(self) -> int:
        """Money tendered by the completed sales the center has not acknowledged yet (the
        money sold since the last sync), from the unsent outbox rows (index outbox_unsent)."""
        row = self._one("SELECT COALESCE(SUM(s.tendered), 0) FROM outbox o JOIN sale s ON s.uuid = o.entity_uuid "
                        "WHERE o.sent_at IS NULL AND o.kind = 'sale'")
        return 0 if row is None else int(row[0])
