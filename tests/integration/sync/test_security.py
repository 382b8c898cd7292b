"""Signed requests (docs/sync.md, "Signing") against a real `ppms-central serve`: a wrong
secret, a tampered body, a replayed nonce, a stale timestamp, an unknown client and a
terminal posting as another are each refused (401, 403 for another's path), logged, and
store nothing; the genuine request beside them is stored."""
from __future__ import annotations

import http.client
import json
import time
from pathlib import Path
from typing import Any

import pytest

from sync.client import signed_headers
from tests.helpers.ppms import query
from tests.integration.sync.center import Center, terminal
from tests.integration.sync.helpers import center_items


def post(center: Center, body: bytes, headers: dict[str, str], path: str = "/api/v1/batches") -> tuple[int, Any]:
    con = http.client.HTTPConnection("127.0.0.1", center.port, timeout=30)
    try:
        con.request("POST", path, body=body, headers={**headers, "Content-Type": "application/json"})
        r = con.getresponse()
        return r.status, json.loads(r.read())
    finally:
        con.close()


@pytest.fixture
def batch(sqlite_center: Center, tmp_path: Path) -> tuple[bytes, bytes, bytes]:
    """(T01's secret, T02's secret, a genuine batch body of T01's first outbox rows)."""
    s1 = sqlite_center.add_terminal("T01")
    s2 = sqlite_center.add_terminal("T02")
    cli = terminal(tmp_path / "t01", "T01", f"http://127.0.0.1:{sqlite_center.port}", s1)
    cli.ok("demo", "--customers", "2", "--sales", "3", "--seed", "2")
    from sync import schema
    from terminal.ledger import outbox as codec
    items = [{"seq": seq, "uuid": uuid, "kind": kind, "entity_uuid": ent, "created_at": at,
              "payload": schema.encode_value(codec.decode(kind, payload, "KES"))}
             for seq, uuid, kind, ent, at, payload in
             query(cli.db, "SELECT seq, uuid, kind, entity_uuid, created_at, payload FROM outbox ORDER BY seq")]
    body = json.dumps({"terminal_id": "T01", "items": items}).encode()
    return bytes.fromhex(s1.read_text().strip()), bytes.fromhex(s2.read_text().strip()), body


def refused(center: Center, status: int, code: str, body: bytes, headers: dict[str, str]) -> None:
    got = post(center, body, headers)
    assert got == (status, {"error": {"code": code, "message": got[1]["error"]["message"]}}), got
    assert center_items(center.url) == []
    assert f"{code}" in center.log.read_text()


def test_each_forgery_is_refused_logged_and_stores_nothing(sqlite_center: Center,
                                                           batch: tuple[bytes, bytes, bytes]) -> None:
    mine, other, body = batch
    path = "/api/v1/batches"
    refused(sqlite_center, 401, "BAD_SIGNATURE", body, signed_headers("T01", other, "POST", path, body))
    tampered = body.replace(b'"seq": 1', b'"seq": 7', 1)
    assert tampered != body
    refused(sqlite_center, 401, "BAD_SIGNATURE", tampered, signed_headers("T01", mine, "POST", path, body))
    refused(sqlite_center, 401, "STALE_TIMESTAMP", body,
            signed_headers("T01", mine, "POST", path, body, now=time.time() - 301))
    refused(sqlite_center, 401, "UNKNOWN_CLIENT", body, signed_headers("T99", mine, "POST", path, body))
    as_other = body   # T02, signing with its own secret, posts T01's batch
    refused(sqlite_center, 403, "WRONG_CLIENT", as_other, signed_headers("T02", other, "POST", path, as_other))
    refused(sqlite_center, 401, "BAD_AUTH_HEADERS", body, {"X-PPMS-Client": "T01"})
    good = signed_headers("T01", mine, "POST", path, body)
    status, answer = post(sqlite_center, body, good)
    assert status == 200 and {r["status"] for r in answer["results"]} == {"created"}
    stored = center_items(sqlite_center.url)
    replay = post(sqlite_center, body, good)
    assert replay[0] == 401 and replay[1]["error"]["code"] == "REPLAYED_NONCE"
    assert center_items(sqlite_center.url) == stored
    assert "REPLAYED_NONCE" in sqlite_center.log.read_text()
    assert mine.hex() not in sqlite_center.log.read_text()
