"""Sync benchmarks (docs/scaling.md): ingest into PostgreSQL through the real API
(`ppms-central serve`, 2 workers) in signed batches of 500 sales, next to a bare psycopg2
`executemany` of the same rows into a table like `item`, in the same run, and their ratio;
a terminal catching up after a week offline (5,000 sales) with one `ppms sync now`.

Targets (issue 14): at least 5,000 sales/s through the API and at least 0.25 of the bare
insert; the catch-up in under 10 s. Both depend on the machine: the figures are printed, not
asserted (tests assert behaviour, benches measure).
"""
from __future__ import annotations

import http.client
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SALES = int(os.environ.get("PPMS_BENCH_SYNC_SALES", "10000"))
BATCH = 500
WEEK = int(os.environ.get("PPMS_BENCH_SYNC_WEEK", "5000"))


def _sale_item(cli: Any) -> dict[str, Any]:
    from sync import schema
    from terminal.ledger import outbox as codec
    from tests.helpers.ppms import query
    kind, payload, ent, at = query(cli.db, "SELECT kind, payload, entity_uuid, created_at FROM outbox "
                                           "WHERE kind = 'sale' LIMIT 1")[0]
    return {"kind": kind, "entity_uuid": ent, "created_at": at,
            "payload": schema.encode_value(codec.decode(kind, payload, "KES"))}


def _post(port: int, secret: bytes, body: dict[str, Any]) -> dict[str, Any]:
    from sync.client import signed_headers
    data = json.dumps(body, separators=(",", ":")).encode()
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        con.request("POST", "/api/v1/batches", body=data, headers={
            **signed_headers("T01", secret, "POST", "/api/v1/batches", data), "Content-Type": "application/json"})
        r = con.getresponse()
        answer: dict[str, Any] = json.loads(r.read())
        assert r.status == 200, answer
        return answer
    finally:
        con.close()


def _bare(url: str, rows: list[tuple[Any, ...]]) -> float:
    import psycopg2
    con = psycopg2.connect(url)
    try:
        with con.cursor() as cur:
            cur.execute("CREATE TABLE bare (LIKE item INCLUDING ALL)")
            con.commit()
            start = time.perf_counter()
            for i in range(0, len(rows), BATCH):
                cur.executemany("INSERT INTO bare (terminal, seq, uuid, kind, entity_uuid, created_at, payload, "
                                "received_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows[i:i + BATCH])
                con.commit()
            return time.perf_counter() - start
    finally:
        con.close()


def run() -> dict[str, Any]:
    from tests.integration.sync.center import Center, Postgres, terminal
    out: dict[str, Any] = {}
    pg = Postgres()
    folder = Path(tempfile.mkdtemp(prefix="ppms-bench-sync-"))
    try:
        center = Center(folder, pg.new_database())
        secret_file = center.add_terminal("T01")
        secret = bytes.fromhex(secret_file.read_text().strip())
        center.start()
        cli = terminal(folder / "t01", "T01", f"http://127.0.0.1:{center.port}", secret_file)
        cli.ok("demo", "--customers", "2", "--sales", "1", "--seed", "1")
        template = _sale_item(cli)
        items = [{**template, "seq": 1000 + i, "uuid": str(uuid.uuid4())} for i in range(SALES)]
        start = time.perf_counter()
        for i in range(0, SALES, BATCH):
            answer = _post(center.port, secret, {"terminal_id": "T01", "items": items[i:i + BATCH]})
            assert {r["status"] for r in answer["results"]} == {"created"}
        api_s = time.perf_counter() - start
        rows = [("T02", it["seq"], str(uuid.uuid4()), it["kind"], it["entity_uuid"], it["created_at"],
                 json.dumps(it["payload"], separators=(",", ":"), sort_keys=True), it["created_at"]) for it in items]
        bare_s = _bare(center.url, rows)
        out["ingest_postgresql"] = {"sales": SALES, "batch": BATCH, "api_sales_per_s": round(SALES / api_s),
                                    "bare_executemany_per_s": round(SALES / bare_s),
                                    "ratio": round(bare_s / api_s, 3), "target": ">= 5000/s and ratio >= 0.25"}
        week = terminal(folder / "t02", "T02", f"http://127.0.0.1:{center.port}", center.add_terminal("T02"))
        week.ok("demo", "--customers", "20", "--sales", str(WEEK), "--seed", "7", timeout=1800)
        start = time.perf_counter()
        result = week.ok("sync", "now", timeout=600)
        out["catch_up"] = {"sales": WEEK, "rows_sent": result["sent"], "seconds": round(time.perf_counter() - start, 2),
                           "target": "< 10 s"}
        center.stop()
    finally:
        pg.close()
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
