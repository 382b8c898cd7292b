"""Where a sale's time goes: SQL statements per sale (each statement, counted) and a cProfile
of N sales with a carrier that takes no time, on a demo database built by the core bench.

    python -m benches.profile_sale DB [N]      (works on a copy of DB: the sales are not kept)

Prints JSON: statements per sale by kind (SELECT/INSERT/UPDATE/BEGIN/COMMIT), the statements
of one sale in order, the bytes of used pages a sale adds, and the top functions by
cumulative time.
"""
from __future__ import annotations

import cProfile
import io
import json
import pstats
import random
import re
import shutil
import sqlite3
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from benches.bench_core import AMOUNTS, NOW, PASSWORD, InstantCards, used_bytes


def profile(source: Path, n: int = 500) -> dict[str, Any]:
    import os
    os.environ.update(PPMS_OPERATOR="admin", PPMS_PASSWORD=PASSWORD, PPMS_FAKE_NOW=NOW)
    from terminal import bootstrap
    from terminal.domain.errors import PpmsError
    from terminal.services import auth, selling

    folder = Path(tempfile.mkdtemp(prefix="ppms-profile-"))
    db = folder / "bench.db"
    for suffix in ("", ".key", ".head"):   # the ledger with its seal key and head
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{db}{suffix}")
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        meters = con.execute(
            "SELECT m.number, (SELECT power_type FROM meter_share s WHERE s.meter_id = m.id "
            "ORDER BY percent DESC LIMIT 1) FROM meter m WHERE m.status = 'installed'").fetchall()
        con.close()
        rng = random.Random(11)
        app = bootstrap.build(db_path=db, env={"PPMS_FAKE_NOW": NOW})
        session = auth.login(app.ctx, "admin", PASSWORD)
        app.ctx.carriers = bootstrap.CarrierRouter({"card": InstantCards()})
        raw = app.ledger.db.connection()
        statements: list[str] = []
        raw.set_trace_callback(statements.append)

        def sell() -> None:
            number, power_type = rng.choice(meters)
            try:
                selling.sell(app.ctx, session, number, AMOUNTS.get(power_type, "1000.00"))
            except PpmsError:
                pass

        sell()   # warm caches (tariffs, prepared statements)
        statements.clear()
        sell()
        one = list(statements)
        statements.clear()
        before = used_bytes(raw)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(n):
            sell()
        prof.disable()
        raw.set_trace_callback(None)
        grown = used_bytes(raw) - before
        kinds = Counter(re.match(r"\s*(\w+)", s).group(1).upper() for s in statements)  # type: ignore[union-attr]
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
        app.close()
        return {"sales": n, "statements_per_sale": round(len(statements) / n, 1),
                "by_kind_per_sale": {k: round(v / n, 2) for k, v in kinds.most_common()},
                "one_sale": one, "bytes_per_sale": round(grown / n), "profile": out.getvalue().splitlines()[:60]}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(profile(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 500), indent=1))
