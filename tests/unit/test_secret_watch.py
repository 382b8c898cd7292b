"""The suite's secret watch finds a secret in a command's output or in a diary row, in each
form it could take, and stays quiet when the secret is nowhere."""
from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from tests.helpers.secret_watch import SecretWatch


def test_a_password_or_a_key_file_in_an_output_is_found(tmp_path: Path) -> None:
    key = tmp_path / "vend.key"                       # no ledger here: the suite's watch finds nothing
    key.write_text("00112233445566778899aabbccddeeff\n")
    watch = SecretWatch()
    watch.saw(["sell"], {"PPMS_PASSWORD": "Correct-Horse-9", "PPMS_STS_KEY_FILE": str(key)}, None, "{}", "")
    assert watch.findings(tmp_path) == []
    watch.saw(["check"], {}, None, "", "DEBUG login admin with Correct-Horse-9")
    watch.saw(["sts"], {}, None, "", "key 00112233445566778899AABBCCDDEEFF")
    found = watch.findings(tmp_path)
    assert len(found) == 2 and found[0].startswith("PPMS_PASSWORD") and "PPMS_STS_KEY_FILE" in found[1]


def test_a_secret_in_a_diary_row_and_a_seal_key_are_found() -> None:
    with tempfile.TemporaryDirectory() as folder:      # not under the session's folder the suite's watch reads
        _diary_and_seal_key(Path(folder))


def _diary_and_seal_key(tmp_path: Path) -> None:
    db = tmp_path / "ppms.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE diary (at, operator, action, entity, before, after)")
    con.execute("INSERT INTO diary VALUES ('t', 'admin', 'x', 'y', NULL, 'pw=Tr0ub4dor-3 seal=feedfacecafe')")
    con.commit()
    con.close()
    (tmp_path / "ppms.db.key").write_text("feedfacecafe\n")
    watch = SecretWatch()
    watch.saw(["operator", "passwd"], {}, "Tr0ub4dor-3\n", "", "")
    assert sorted(f.split(" ")[0] for f in watch.findings(tmp_path)) == ["seal", "stdin"]
