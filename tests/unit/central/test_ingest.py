"""The center's ingest on a real SQLite file: keyed by terminal, uuid and seq; a retry is
``exists``, the same key with other content a ``conflict`` stored apart (once), never
merged; a record the wire schema refuses is ``refused`` and stores nothing; gaps reported."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from central import db as central_db
from central import ingest, reports
from central.errors import BadRequest, WrongClient
from central.models import TABLES, Conflict, Item, Sale, Terminal, proxy

DEBT = {"v": 1, "id": "00000000-0000-4000-8000-0000000000d1", "m": "0123456789", "cur": "KES", "a": 5000,
        "ar": 5000, "why": "old bill", "at": "2026-03-05T10:00:00"}


@pytest.fixture
def center(tmp_path: Path) -> Iterator[None]:
    db = central_db.connect(f"sqlite:///{tmp_path / 'c.db'}")
    proxy.initialize(db)
    db.create_tables(TABLES)
    Terminal.create(id="T01", secret="00" * 32, created_at="2026-03-05T10:00:00")
    yield
    db.close()


def item(seq: int, n: int = 1, **payload: Any) -> dict[str, Any]:
    return {"seq": seq, "uuid": f"00000000-0000-4000-8000-{n:012d}", "kind": "debt",
            "entity_uuid": DEBT["id"], "created_at": "2026-03-05T10:00:00", "payload": {**DEBT, **payload}}


def post(*items: dict[str, Any]) -> list[str]:
    return [r["status"] for r in ingest.ingest("T01", {"terminal_id": "T01", "items": list(items)})]


def test_a_retry_exists_and_other_content_is_a_conflict_stored_apart(center: None) -> None:
    assert post(item(1, 1), item(2, 2)) == ["created", "created"]
    assert post(item(1, 1), item(2, 2)) == ["exists", "exists"]
    assert post(item(1, 1, a=6000, ar=6000)) == ["conflict"]          # same uuid, other content
    assert post(item(2, 9)) == ["conflict"]                            # same seq, another uuid
    assert post(item(2, 9)) == ["conflict"]                            # stored once, not twice
    assert [(c.seq, c.reason) for c in Conflict.select().order_by(Conflict.id)] == [(1, "uuid"), (2, "seq")]
    stored = {i.seq: json.loads(i.payload)["a"] for i in Item.select()}
    assert stored == {1: 5000, 2: 5000}                                # never merged
    assert reports.conflicts_of("T01") == 2


def test_a_duplicate_inside_one_batch_is_stored_once(center: None) -> None:
    assert post(item(1, 1), item(1, 1)) == ["created", "exists"]
    assert Item.select().count() == 1


def test_a_refused_record_stores_nothing_and_the_rest_goes_on(center: None) -> None:
    newer = item(1, 1, v=2)
    got = ingest.ingest("T01", {"terminal_id": "T01", "items": [newer, item(2, 2)]})
    assert [r["status"] for r in got] == ["refused", "created"] and got[0]["code"] == "WIRE_VERSION_UNKNOWN"
    assert [i.seq for i in Item.select()] == [2]
    assert reports.gaps("T01") == [[1, 1]]


def test_a_batch_for_another_terminal_or_malformed_is_refused(center: None) -> None:
    with pytest.raises(WrongClient):
        ingest.ingest("T01", {"terminal_id": "T02", "items": []})
    for body in ({"items": []}, {"terminal_id": "T01", "items": [{"seq": 0}]},
                 {"terminal_id": "T01", "items": [item(1) | {"uuid": "X"}]},
                 {"terminal_id": "T01", "items": [item(1)] * 1001}):
        with pytest.raises(BadRequest):
            ingest.ingest("T01", body)
    assert Item.select().count() == 0 and Sale.select().count() == 0


def test_gaps_name_each_missing_range(center: None) -> None:
    assert post(item(1, 1), item(4, 4), item(5, 5), item(9, 9)) == ["created"] * 4
    assert reports.gaps("T01") == [[2, 3], [6, 8]]
