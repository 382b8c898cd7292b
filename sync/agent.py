"""The terminal's sync agent: one pass up (the outbox) and down (the feed).

Up: the rows not yet sent, in seq order, in batches; a row is marked sent only when the
center's answer for it is ``created``, ``exists`` or ``conflict`` (a ``refused`` row, or a
row the whole request failed for, stays and is sent again: at least once on the wire,
exactly once in the center). Down: the feed from the stored cursor; each change is applied
through the terminal's services and its cursor stored in the same unit of work, so a change
is applied once, in order, whatever fails in between. The offline limits and the clock
drift (the center's clock minus this box's, from the answer's ``server_unix`` and the
request's midpoint) are stored at every pass.

No database transaction is ever open across a network call: a read snapshot gathers what
to send, it ends, the request runs, then a short unit of work records the answer. The kiosk
keeps selling meanwhile.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sync import schema
from sync.client import Answer, CenterClient
from sync.errors import SyncUnreachable, WireRecordInvalid
from terminal.domain.errors import PpmsError
from terminal.domain.money import currency, format_money, parse_money
from terminal.ledger import Fact, Ledger
from terminal.ledger import outbox as outbox_codec
from terminal.ledger import sync_state as keys
from terminal.ledger.errors import LedgerUnavailable

ApplyChange = Callable[[str, dict[str, Any]], None]
SENT = ("created", "exists", "conflict")


@dataclass
class PassResult:
    sent: int = 0
    created: int = 0
    exists: int = 0
    conflicts: int = 0
    refused: int = 0
    applied: int = 0
    feed_refused: int = 0
    backlog: int = 0
    cursor: int = 0
    clock_drift_s: float | None = None
    refusals: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"sent": self.sent, "created": self.created, "exists": self.exists, "conflicts": self.conflicts,
                "refused": self.refused, "applied": self.applied, "feed_refused": self.feed_refused,
                "backlog": self.backlog, "cursor": self.cursor, "clock_drift_s": self.clock_drift_s,
                "refusals": self.refusals[:20]}


def _payload(kind: str, stored: str, code: str | None) -> dict[str, Any]:
    """A batch item's payload from an outbox row. A row holding a record in its canonical
    encoding travels as it is (the center reads every field strictly and answers
    ``refused`` for one it cannot read, which then stays here): parsing it again field by
    field here was most of a catch-up's time. Anything else (a row of the older view form,
    text that is not canonical) is read into its record first, or refused here."""
    if schema.kind_known(kind):
        try:
            value = json.loads(stored)
        except ValueError:
            value = None
        if isinstance(value, dict) and schema.VERSION_KEY in value and json.dumps(
                value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == stored:
            return value
    return schema.encode_value(outbox_codec.decode(kind, stored, code))


class Agent:
    def __init__(self, ledger: Ledger, client: CenterClient, terminal_id: str, now: Callable[[], datetime],
                 apply: ApplyChange | None = None, batch_size: int = 500) -> None:
        self.ledger = ledger
        self.client = client
        self.terminal_id = terminal_id
        self.now = now
        self.apply = apply
        self.batch_size = max(1, min(batch_size, 1000))

    def _at(self) -> str:
        return self.now().isoformat(timespec="seconds")

    def once(self) -> PassResult:
        result = PassResult()
        self.up(result)
        self.down(result)
        with self.ledger.read() as r:
            result.backlog = r.sync.backlog()
            result.cursor = int(r.sync.values().get(keys.CURSOR, "0"))
        return result

    # --- up ---------------------------------------------------------------------------------
    def up(self, result: PassResult) -> None:
        after = 0
        while True:
            with self.ledger.read() as r:
                rows = r.sync.unsent(self.batch_size, after)
                backlog = r.sync.backlog()
                code = r.meta.get("currency")
                drift = r.sync.values().get(keys.DRIFT)
            if not rows:
                return
            after = rows[-1].seq
            items = []
            for row in rows:
                try:
                    payload = _payload(row.kind, row.payload, code)
                except WireRecordInvalid as exc:   # stays in the outbox, byte for byte
                    result.refused += 1
                    result.refusals.append({"seq": row.seq, "code": exc.code})
                    continue
                items.append({"seq": row.seq, "uuid": row.uuid, "kind": row.kind, "entity_uuid": row.entity_uuid,
                              "created_at": row.created_at, "payload": payload})
            if not items:
                continue
            body: dict[str, Any] = {"terminal_id": self.terminal_id, "items": items,
                                    "backlog": max(0, backlog - len(rows))}
            if drift is not None:
                body["clock_drift_s"] = float(drift)
            answer = self.client.request("POST", "/api/v1/batches", body)
            sent = self._answered(items, answer, result)
            with self.ledger.unit_of_work() as uow:
                uow.sync.mark_sent(sent, self._at())
                self._synced(uow, answer, result)

    def _answered(self, items: list[dict[str, Any]], answer: Answer, result: PassResult) -> list[int]:
        results = answer.body.get("results")
        if not isinstance(results, list) or len(results) != len(items):
            raise SyncUnreachable("the center's answer does not hold one result per item; nothing marked sent")
        sent: list[int] = []
        for item, res in zip(items, results, strict=True):
            status = res.get("status") if isinstance(res, dict) else None
            if not isinstance(res, dict) or res.get("seq") != item["seq"]:
                raise SyncUnreachable("the center's answer is not in the batch's order; nothing marked sent")
            if status in SENT:
                sent.append(item["seq"])
                result.sent += 1
                if status == "created":
                    result.created += 1
                elif status == "exists":
                    result.exists += 1
                else:
                    result.conflicts += 1
            else:
                result.refused += 1
                result.refusals.append({"seq": item["seq"], "code": res.get("code")})
        return sent

    def _synced(self, uow: Any, answer: Answer, result: PassResult) -> None:
        """A request reached the center: the last sync time and the clock drift."""
        uow.meta.put(keys.LAST_OK, self._at())
        server = answer.body.get("server_unix")
        if isinstance(server, (int, float)) and not isinstance(server, bool):
            drift = round(float(server) - (answer.sent_at + answer.received_at) / 2, 3)
            uow.meta.put(keys.DRIFT, repr(drift))
            result.clock_drift_s = drift

    # --- down -------------------------------------------------------------------------------
    def down(self, result: PassResult) -> None:
        while True:
            with self.ledger.read() as r:
                cursor = int(r.sync.values().get(keys.CURSOR, "0"))
                code = r.meta.get("currency")
            answer = self.client.request("GET", f"/api/v1/feed?cursor={cursor}&limit={self.batch_size}")
            changes = answer.body.get("changes")
            if not isinstance(changes, list):
                raise SyncUnreachable("the center's feed has no list of changes")
            with self.ledger.unit_of_work() as uow:
                self._synced(uow, answer, result)
                self._limits(uow, answer.body.get("offline_limits"), code)
            for change in changes:
                if not isinstance(change, dict) or not isinstance(change.get("cursor"), int) \
                        or change["cursor"] <= cursor:
                    raise SyncUnreachable("the center's feed is out of order; stopped before it")
                self._apply(change, result)
                cursor = change["cursor"]
            if len(changes) < self.batch_size:
                return

    def _apply(self, change: dict[str, Any], result: PassResult) -> None:
        kind, data = str(change.get("kind")), change.get("data")
        with self.ledger.unit_of_work() as uow:
            try:
                with self.ledger.unit_of_work():     # a savepoint: a refused change leaves nothing
                    if self.apply is None or not isinstance(data, dict):
                        raise WireRecordInvalid(f"no way to apply a {kind} change here", kind=kind, field=None,
                                                reason="not applied")
                    self.apply(kind, data)
                result.applied += 1
            except LedgerUnavailable:
                raise
            except PpmsError as exc:   # a change this terminal refuses must not stop the feed: recorded
                code = exc.code
                result.feed_refused += 1
                result.refusals.append({"cursor": change["cursor"], "kind": kind, "code": code})
                uow.record(Fact("sync.feed_refused", f"feed:{change['cursor']}", "system", self._at(),
                                after={"kind": kind, "code": code}))
            uow.meta.put(keys.CURSOR, str(change["cursor"]))

    def _limits(self, uow: Any, limits: Any, code: str | None) -> None:
        """The center's offline limits, and the text the kiosk's status bar shows of them
        (`sync.offline_limits`: "72 h, 50000.00 KES"), kept together."""
        if not isinstance(limits, dict):
            return
        hours, amount = limits.get("max_hours"), limits.get("max_amount")
        cur = currency(code or "KES")
        if isinstance(hours, int) and not isinstance(hours, bool) and hours >= 0:
            uow.meta.put(keys.MAX_HOURS, str(hours))
        if isinstance(amount, str):
            try:
                uow.meta.put(keys.MAX_AMOUNT, str(parse_money(amount, cur)))
            except PpmsError:    # a limit this terminal cannot read: keep the one it had
                pass
        known = uow.meta.get(keys.MAX_HOURS), uow.meta.get(keys.MAX_AMOUNT)
        if known[0] is not None and known[1] is not None:
            uow.meta.put(keys.LIMITS_SHOWN, f"{known[0]} h, {format_money(int(known[1]), cur)} {cur.code}")
