"""The money reports against an independent sum over the journal, on demo data.

The demo ledger (a year of sales, arrears, a few reversals made on the last day) is
built once; every report is read through `ppms report ... --json` and each figure is
compared, to the minor unit, with a sum written here straight over the journal's lines
(money accounts, VAT_PAYABLE, FIXED_CHARGE_REVENUE, REVENUE:<sub-item>), not over the
sale columns the reports read.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.ppms import Ppms, query

MONEY = "('CASH', 'BANK_CLEARING', 'MOBILE_MONEY', 'CASH_ACCEPTOR')"
PAYMENT = {"CASH": "cash", "BANK_CLEARING": "bank", "MOBILE_MONEY": "mobile", "CASH_ACCEPTOR": "acceptor"}
PRIMARY = ("(SELECT ms.power_type FROM meter_share ms WHERE ms.meter_id = s.meter_id AND ms.percent = "
           "(SELECT MAX(percent) FROM meter_share WHERE meter_id = s.meter_id) ORDER BY ms.ordinal LIMIT 1)")
KEYS = {"day": "substr(p.posted_at, 1, 10)", "month": "substr(p.posted_at, 1, 7)",
        "year": "substr(p.posted_at, 1, 4)", "area": "c.area", "category": "c.category", "power_type": PRIMARY,
        "operator": "o.username"}
REVERSED_AT = "2026-03-05T11:00:00"
# four meters' latest sales (only a meter's latest sale can be reset for selling)
LAST_SALES = ("SELECT receipt_no FROM sale s WHERE id = (SELECT MAX(id) FROM sale WHERE meter_id = s.meter_id) "
              "ORDER BY id LIMIT 4")


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Ppms:
    home = tmp_path_factory.mktemp("reports")
    cli = Ppms(home / "ppms.db", extra_env={"PPMS_PRINTER_TYPE": "file",
                                             "PPMS_PRINTER_PATH": str(home / "receipts.bin")})
    cli.init()
    cli.ok("demo", "--customers", "80", "--sales", "900", "--seed", "7")
    for (receipt,) in query(cli.db, LAST_SALES):
        cli.ok("sale", "reverse", receipt, "--reason", "wrong meter", now=REVERSED_AT)
    cli.now = REVERSED_AT
    cli.ok("operator", "add", "--username", "clerk", "--role", "cashier", "--password-stdin", stdin="clerk-pass-1\n")
    return cli


def journal(cli: Ppms, group: str, lo: str, hi: str) -> dict[str, dict[str, int]]:
    """Per key: sales count, tendered, vat, fixed, energy, reversals count and tendered, net takings."""
    key = KEYS[group]
    base = ("FROM posting p JOIN posting_line l ON l.posting_id = p.id LEFT JOIN sale s ON s.id = p.sale_id "
            "LEFT JOIN customer c ON c.id = p.customer_id LEFT JOIN operator o ON o.id = p.operator_id "
            "WHERE p.posted_at >= ? AND p.posted_at < ?")
    out: dict[str, dict[str, int]] = {}
    for k, kind, count, money_in, money_out, vat, fixed, energy, net in query(cli.db, (
            f"SELECT COALESCE({key}, '-'), p.kind, COUNT(DISTINCT p.id), "
            f"SUM(CASE WHEN l.account IN {MONEY} THEN l.debit ELSE 0 END), "
            f"SUM(CASE WHEN l.account IN {MONEY} THEN l.credit ELSE 0 END), "
            "SUM(CASE WHEN l.account = 'VAT_PAYABLE' THEN l.credit - l.debit ELSE 0 END), "
            "SUM(CASE WHEN l.account = 'FIXED_CHARGE_REVENUE' THEN l.credit - l.debit ELSE 0 END), "
            "SUM(CASE WHEN l.account LIKE 'REVENUE:%' THEN l.credit - l.debit ELSE 0 END), "
            f"SUM(CASE WHEN l.account IN {MONEY} THEN l.debit - l.credit ELSE 0 END) "
            f"{base} GROUP BY 1, 2"), lo, hi):
        row = out.setdefault(k, dict.fromkeys(("count", "tendered", "vat", "fixed", "energy", "reversals",
                                               "reversed", "net"), 0))
        row["net"] += net
        if kind == "sale":
            row.update(count=count, tendered=money_in, vat=vat, fixed=fixed, energy=energy)
        elif kind == "reversal":
            row.update(reversals=count, reversed=money_out)
    return out


def reported(row: dict[str, Any]) -> dict[str, int]:
    s, r = row["sales"], row["reversals"]
    return {"count": s["count"], "tendered": cents(s["tendered"]), "vat": cents(s["vat"]),
            "fixed": cents(s["fixed"]), "energy": sum(cents(v) for v in s["energy_by_sub_item"].values()),
            "reversals": r["count"], "reversed": cents(r["tendered"]), "net": cents(row["net_takings"])}


def report(cli: Ppms, name: str, lo: str, to: str, *extra: str) -> dict[str, Any]:
    data: dict[str, Any] = cli.ok("report", name, "--from", lo, "--to", to, *extra)
    return data


def next_day(day: str) -> str:
    from datetime import date, timedelta
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(("name", "unit", "lo", "to"), [
    ("daily", "day", "2026-02-01", "2026-02-28"),
    ("daily", "day", "2026-03-01", "2026-03-05"),       # the reversals' day
    ("monthly", "month", "2025-03-01", "2026-03-31"),
    ("monthly", "month", "2025-11-01", "2026-01-31"),
    ("yearly", "year", "2025-01-01", "2026-12-31"),
])
def test_period_reports_equal_the_journal(demo: Ppms, name: str, unit: str, lo: str, to: str) -> None:
    data = report(demo, name, lo, to)
    want = journal(demo, unit, lo, next_day(to))
    assert data["report"] == name and data["currency"] == "KES" and data["group_by"] is None
    rows = {row["key"]: reported(row) for row in data["rows"]}
    assert {k: v for k, v in rows.items() if any(v.values())} == want
    assert reported(data["totals"]) == {f: sum(r[f] for r in want.values()) for f in reported(data["totals"])}
    assert data["totals"]["sales"]["count"] > 0


def test_reversals_fall_on_the_day_they_were_made(demo: Ppms) -> None:
    data = report(demo, "daily", "2026-03-05", "2026-03-05")
    assert [row["reversals"]["count"] for row in data["rows"]] == [3 + 4]   # the demo's last hour, then here
    sold = query(demo.db, "SELECT SUM(s.tendered) FROM sale s JOIN posting p ON p.sale_id = s.id "
                          "WHERE p.kind = 'reversal'")[0][0]
    assert cents(data["totals"]["reversals"]["tendered"]) == sold


@pytest.mark.parametrize("group", ["area", "category", "power_type", "operator"])
@pytest.mark.parametrize(("lo", "to"), [("2026-01-01", "2026-01-31"), ("2025-03-01", "2026-03-31")])
def test_classified_equals_the_journal_and_the_monthly_totals(demo: Ppms, group: str, lo: str, to: str) -> None:
    data = report(demo, "classified", lo, to, "--group-by", group)
    assert data["group_by"] == group
    rows = {row["key"]: reported(row) for row in data["rows"]}
    assert rows == journal(demo, group, lo, next_day(to))
    assert data["totals"] == report(demo, "monthly", lo, to)["totals"]


@pytest.mark.parametrize("group", ["tariff_version", "payment", "terminal"])
def test_every_classification_adds_up_to_the_monthly_totals(demo: Ppms, group: str) -> None:
    data = report(demo, "classified", "2025-06-01", "2026-03-31", "--group-by", group)
    assert data["totals"] == report(demo, "monthly", "2025-06-01", "2026-03-31")["totals"]
    assert sum(cents(r["net_takings"]) for r in data["rows"]) == cents(data["totals"]["net_takings"])


def test_classified_by_payment_matches_the_money_accounts(demo: Ppms) -> None:
    data = report(demo, "classified", "2025-03-01", "2026-03-31", "--group-by", "payment")
    by_account = {PAYMENT[a]: d for a, d in query(
        demo.db, f"SELECT l.account, SUM(l.debit) FROM posting p JOIN posting_line l ON l.posting_id = p.id "
                 f"WHERE p.kind = 'sale' AND l.account IN {MONEY} GROUP BY 1")}
    assert {r["key"]: cents(r["sales"]["tendered"]) for r in data["rows"] if r["key"] != "-"} == by_account


def test_classified_by_sub_item_is_the_energy_revenue(demo: Ppms) -> None:
    data = report(demo, "classified", "2025-03-01", "2026-03-31", "--group-by", "sub_item")
    revenue = dict(query(demo.db, "SELECT substr(account, 9), SUM(credit) - SUM(debit) FROM posting_line "
                                  "WHERE account LIKE 'REVENUE:%' GROUP BY 1"))
    assert {r["key"]: cents(r["net_takings"]) for r in data["rows"]} == revenue


def test_monthly_change_against_the_month_before(demo: Ppms) -> None:
    rows = report(demo, "monthly", "2025-12-01", "2026-02-28")["rows"]
    before = journal(demo, "month", "2025-11-01", "2025-12-01")["2025-11"]["net"]
    assert cents(rows[0]["previous_net_takings"]) == before
    for prev, row in zip(rows, rows[1:]):
        assert row["previous_net_takings"] == prev["net_takings"]
        want = (Decimal(row["net_takings"]) - Decimal(prev["net_takings"])) * 100 / Decimal(prev["net_takings"])
        assert Decimal(row["change"].rstrip("%")) == want.quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")


def test_daily_report_of_one_day_keeps_its_json(demo: Ppms) -> None:
    data = demo.ok("report", "daily", "--date", "2026-02-10")
    assert set(data) == {"report", "date", "currency", "sales", "reversals", "net", "cash_held", "arrears_added",
                         "voided", "pending", "net_takings", "shifts"}
    assert data["shifts"] == []   # no shift was opened that day
    ranged = report(demo, "daily", "2026-02-10", "2026-02-10")
    assert ranged["totals"]["sales"] == data["sales"] and ranged["totals"]["net_takings"] == data["net_takings"]


def test_columns_choose_and_order_the_csv_and_text(demo: Ppms) -> None:
    res = demo.run("report", "monthly", "--from", "2026-01-01", "--to", "2026-02-28", "--columns",
                   "net_takings,key,vat", "--format", "csv", as_json=False)
    assert res.code == 0, res
    lines = res.stdout.strip().splitlines()
    assert lines[0] == "net_takings,key,vat" and lines[1].split(",")[1] == "2026-01"
    assert lines[-1].split(",")[1] == "Total"
    monthly = report(demo, "monthly", "2026-01-01", "2026-02-28")
    assert lines[-1].split(",")[0] == monthly["totals"]["net_takings"]
    text = demo.run("report", "monthly", "--from", "2026-01-01", "--to", "2026-02-28", "--columns", "key,vat",
                    as_json=False).stdout
    assert "VAT" in text and "Net takings" not in text and monthly["totals"]["sales"]["vat"] in text


def test_unknown_column_and_bad_period_are_refused(demo: Ppms) -> None:
    assert demo.refused("report", "monthly", "--from", "2026-01-01", "--to", "2026-01-31",
                        "--columns", "key,profit") == "REPORT_COLUMN_UNKNOWN"
    assert demo.refused("report", "monthly", "--from", "2026-02-01", "--to", "2026-01-31") == "REPORT_PERIOD_INVALID"
    assert demo.refused("report", "yearly", "--from", "2026-13-01") == "REPORT_PERIOD_INVALID"
    assert demo.refused("report", "monthly", "--format", "pdf") == "INVALID_ARGUMENT"   # no --out


def test_layouts_are_saved_per_operator(demo: Ppms) -> None:
    saved = demo.ok("report", "classified", "--from", "2026-01-01", "--to", "2026-01-31", "--group-by", "area",
                    "--columns", "key,count,net_takings", "--save-layout", "brief")
    assert saved["layout_saved"]["columns"] == ["key", "count", "net_takings"]
    csv = demo.run("report", "classified", "--from", "2026-02-01", "--to", "2026-02-28", "--group-by", "area",
                   "--layout", "brief", "--format", "csv", as_json=False).stdout
    assert csv.splitlines()[0] == "key,count,net_takings"
    assert demo.refused("report", "classified", "--layout", "brief", operator="clerk",
                        password="clerk-pass-1") == "REPORT_LAYOUT_NOT_FOUND"
    assert query(demo.db, "SELECT COUNT(*) FROM diary WHERE action = 'report.layout'")[0][0] == 1


def test_narrow_layout_prints_on_the_receipt_printer(demo: Ppms) -> None:
    printer = Path(demo.extra_env["PPMS_PRINTER_PATH"])
    printed = demo.ok("report", "yearly", "--from", "2025-01-01", "--to", "2026-12-31", "--columns",
                      "key,count,net_takings", "--print")
    assert "printed" in printed
    raw = printer.read_bytes().decode("cp437", errors="replace")
    totals = printed["totals"]["net_takings"]
    assert "REPORT" in raw and "2025" in raw and totals in raw


def test_check_passes_after_the_reports(demo: Ppms) -> None:
    assert demo.ok("check")["ok"] is True


def _pdf(demo: Ppms, tmp_path: Path, name: str, *args: str) -> Path:
    out = tmp_path / f"{name}.pdf"
    made = demo.ok("report", name, *args, "--format", "pdf", "--out", str(out))
    assert made["out"] == str(out) and made["bytes"] == out.stat().st_size
    return out


def _text(pdf: Path, page: int | None = None) -> str:
    import subprocess
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_pdf_has_header_period_pages_and_totals_on_the_last_page(demo: Ppms, tmp_path: Path) -> None:
    pdf = _pdf(demo, tmp_path, "daily", "--from", "2025-12-01", "--to", "2026-01-31")
    data = report(demo, "daily", "2025-12-01", "2026-01-31")
    whole = _text(pdf)
    pages = whole.count("\f")
    assert pages >= 2
    first, last = _text(pdf, 1), _text(pdf, pages)
    for page in (first, last):
        assert "PPMS Demo Power" in page and "Daily report" in page
        assert "Period 2025-12-01 to 2026-01-31 (KES)" in page
    assert f"Page 1 of {pages}" in first and f"Page {pages} of {pages}" in last
    assert "Sales per day" in first
    total_line = next(line for line in last.splitlines() if line.strip().startswith("Total"))
    assert data["totals"]["net_takings"] in total_line and data["totals"]["sales"]["tendered"] in total_line
    assert "Total" not in first.split("Sales per day")[1]
    for row in data["rows"]:     # every day's net takings is text in the PDF
        assert row["net_takings"] in whole


def test_pdf_renders_chinese_and_its_chart(demo: Ppms, tmp_path: Path) -> None:
    import subprocess

    from PIL import Image
    pdf = _pdf(demo, tmp_path, "monthly", "--from", "2025-03-01", "--to", "2026-02-28", "--language", "zh")
    text = _text(pdf)
    assert "月报表" in text and "合计" in text and "净收入" in text and "第 1 页" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts.replace(" ", "") or "Noto" in fonts   # the CJK font, embedded
    subprocess.run(["pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    blue = sum(n for n, (r, g, b) in colours if b > 140 and r < 90)       # the chart's bars
    dark = sum(n for n, (r, g, b) in colours if r + g + b < 300)         # text and rules
    assert blue > 500 and dark > 500
    assert image.size[0] > image.size[1]          # many columns: A4 landscape


def test_pdf_is_the_same_for_the_same_report(demo: Ppms, tmp_path: Path) -> None:
    a = _pdf(demo, tmp_path, "yearly", "--from", "2025-01-01", "--to", "2026-12-31").read_bytes()
    b = _pdf(demo, tmp_path, "yearly", "--from", "2025-01-01", "--to", "2026-12-31").read_bytes()
    assert a == b and a.startswith(b"%PDF-")


def test_a_period_from_mid_month_counts_from_its_first_day(demo: Ppms) -> None:
    data = report(demo, "monthly", "2026-01-15", "2026-02-10")
    want = journal(demo, "month", "2026-01-15", "2026-02-11")
    assert {row["key"]: reported(row) for row in data["rows"]} == want
    assert cents(data["rows"][0]["previous_net_takings"]) == journal(demo, "month", "2025-12-01",
                                                                     "2026-01-01")["2025-12"]["net"]
