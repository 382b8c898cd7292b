"""The dashboard over plain HTTP against a real `ppms-central serve`: its totals against
`ppms-central report summary`, and every refusal (CSRF, role, lockout, logout) leaving
nothing changed."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.integration.dashboard.server import PASSWORDS, Dashboard

FROM, TO = (date.today() - timedelta(days=90)).isoformat(), date.today().isoformat()


def _totals(d: Dashboard, query: str) -> dict[str, str]:
    s, _ = d.session("viola")
    r = s.get(f"{d.base}/statistics.csv?{query}", timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows[-1]["key"] == "Total"
    return rows[-1]


@pytest.mark.parametrize("terminal", [None, "T02"])
def test_the_dashboard_totals_are_the_summary_to_the_minor_unit(dashboard: Dashboard, terminal: str | None) -> None:
    summary = dashboard.cli("report", "summary", "--from", FROM, "--to", TO,
                            *(["--terminal", terminal] if terminal else []))["totals"]
    assert summary["sales"]["count"] > 0 and summary["reversals"]["count"] > 0
    want = (str(summary["sales"]["count"]), summary["sales"]["tendered"], summary["sales"]["kwh"],
            summary["sales"]["vat"], str(summary["reversals"]["count"]), summary["net_takings"])
    for report, group in (("daily", ""), ("monthly", ""), ("yearly", ""), ("classified", "terminal"),
                          ("classified", "power_type"), ("classified", "payment"), ("classified", "operator")):
        got = _totals(dashboard, f"report={report}&from={FROM}&to={TO}&group_by={group}&terminal={terminal or ''}")
        assert (got["count"], got["tendered"], got["kwh"], got["vat"], got["reversals"], got["net_takings"]) == want, \
            (report, group)


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(dashboard: Dashboard) -> None:
    s, token = dashboard.session("adam")
    before = s.get(dashboard.base + "/admin", timeout=30).text.count("<tr>")
    kv = {"key": "dashboard.test_key", "value": "5"}
    for data in (kv, kv | {"csrf": "x" * 43}, kv | {"csrf": ""}):
        r = s.post(dashboard.base + "/admin/parameter", data=data, timeout=30)
        assert r.status_code == 403 and "CSRF_REFUSED" in r.text
    r = s.post(dashboard.base + "/acknowledge", data={"subject": "conflict:1", "note": "seen"}, timeout=30)
    assert r.status_code == 403 and "CSRF_REFUSED" in r.text
    page = s.get(dashboard.base + "/admin", timeout=30).text
    assert page.count("<tr>") == before and "dashboard.test_key" not in page
    assert "seen" not in s.get(dashboard.base + "/", timeout=30).text
    # another session's token is not this session's
    other, other_token = dashboard.session("audrey")
    assert other_token != token
    r = other.post(dashboard.base + "/acknowledge", data={"subject": "conflict:1", "note": "seen", "csrf": token},
                   timeout=30)
    assert r.status_code == 403 and "CSRF_REFUSED" in r.text
    # and the login form refuses a post without its own token
    r = other.post(dashboard.base + "/login", data={"username": "adam", "password": PASSWORDS["adam"]}, timeout=30)
    assert r.status_code == 403 and "CSRF_REFUSED" in r.text


def test_a_viewer_is_refused_administration_and_acknowledgement(dashboard: Dashboard) -> None:
    s, token = dashboard.session("viola")
    r = s.get(dashboard.base + "/admin", timeout=30)
    assert r.status_code == 403 and "ROLE_REFUSED" in r.text
    r = s.post(dashboard.base + "/admin/parameter", data={"key": "dashboard.test_key", "value": "7", "csrf": token},
               timeout=30)
    assert r.status_code == 403 and "ROLE_REFUSED" in r.text
    r = s.post(dashboard.base + "/acknowledge", data={"subject": "conflict:1", "note": "viewer note", "csrf": token},
               timeout=30)
    assert r.status_code == 403 and "ROLE_REFUSED" in r.text
    home = s.get(dashboard.base + "/", timeout=30).text
    assert "viewer note" not in home and "Acknowledge" not in home and "/admin" not in home
    admin, _ = dashboard.session("adam")
    assert "dashboard.test_key" not in admin.get(dashboard.base + "/admin", timeout=30).text


def _login(d: Dashboard, user: str, password: str) -> tuple[int, str]:
    import requests
    s = requests.Session()
    token = re.search(r'name="csrf" value="([^"]+)"', s.get(d.base + "/login", timeout=30).text)
    assert token is not None
    r = s.post(d.base + "/login", data={"csrf": token.group(1), "username": user, "password": password}, timeout=30)
    return r.status_code, r.text


def test_wrong_passwords_lock_the_name_out(dashboard: Dashboard) -> None:
    for _ in range(5):
        status, text = _login(dashboard, "lockme", "not the password")
        assert status == 401 and "LOGIN_REFUSED" in text
    status, text = _login(dashboard, "lockme", PASSWORDS["lockme"])
    assert status == 429 and "LOGIN_LOCKED" in text
    status, text = _login(dashboard, "nobody", PASSWORDS["lockme"])
    assert status == 401 and "LOGIN_REFUSED" in text
    assert _login(dashboard, "viola", PASSWORDS["viola"])[0] == 200     # another name is not locked
    pw = dashboard.folder / "new.pw"
    pw.write_text("a new password for lockme\n")
    dashboard.cli("user", "add", "lockme", "--role", "viewer", "--password-file", str(pw))   # an admin resets it
    assert _login(dashboard, "lockme", "a new password for lockme")[0] == 200


def test_logout_ends_the_session_for_good(dashboard: Dashboard) -> None:
    s, token = dashboard.session("viola")
    cookie = s.cookies.get("ppms_session")
    assert cookie and s.get(dashboard.base + "/search", timeout=30).status_code == 200
    r = s.post(dashboard.base + "/logout", data={"csrf": token}, timeout=30)
    assert r.status_code == 200 and r.url.startswith(dashboard.base + "/login")
    import requests
    again = requests.get(dashboard.base + "/search", cookies={"ppms_session": cookie}, timeout=30,
                         allow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/login")


def test_a_password_comes_from_a_file_or_stdin_never_the_command_line(dashboard: Dashboard) -> None:
    r = dashboard.run("user", "add", "eve", "--role", "viewer", "--password", "on the command line")
    assert r.returncode == 2 and "unrecognized arguments" in r.stderr
    r = dashboard.run("user", "add", "eve", "--role", "viewer", stdin="short\n")
    assert r.returncode == 2 and '"ADMIN_INVALID"' in r.stdout
    r = dashboard.run("user", "add", "eve", "--role", "boss", stdin="a long enough password\n")
    assert r.returncode == 2
    assert dashboard.cli("user", "add", "eve", "--role", "auditor", stdin="a long enough password\n") == \
        {"user": "eve", "role": "auditor"}
    assert _login(dashboard, "eve", "a long enough password")[0] == 200


def test_an_administrator_sends_a_tariff_sets_limits_and_a_bad_sheet_changes_nothing(dashboard: Dashboard) -> None:
    from tests.helpers.ppms import ROOT
    s, token = dashboard.session("adam")
    base = dashboard.base
    bad = s.post(base + "/admin/tariff", data={"csrf": token}, files={"file": ("t.toml", b"currency = 'KES'\n[[x")},
                 timeout=30)
    assert bad.status_code == 400 and "TARIFF_INVALID" in bad.text
    assert "None sent." in s.get(base + "/admin", timeout=30).text
    sheet = (ROOT / "config" / "tariffs" / "demo.toml").read_bytes()
    ok = s.post(base + "/admin/tariff", data={"csrf": token}, files={"file": ("demo.toml", sheet)}, timeout=30)
    assert ok.status_code == 200 and "Done: tariff" in ok.text and "RES from 2025-01-01" in ok.text
    r = s.post(base + "/admin/limits", data={"csrf": token, "terminal": "T03", "hours": "12", "amount": "1234.50"},
               timeout=30)
    assert r.status_code == 200 and "Done: limits" in r.text
    assert "1234.50" in s.get(base + "/", timeout=30).text
    r = s.post(base + "/admin/limits", data={"csrf": token, "terminal": "T03", "hours": "12", "amount": "12.345"},
               timeout=30)
    assert r.status_code == 400
    assert "1234.50" in s.get(base + "/", timeout=30).text


def test_the_dashboard_totals_are_a_synced_terminals_own_report(dashboard: Dashboard, tmp_path: Path) -> None:
    from tests.integration.sync.center import terminal, write_secret
    secret = write_secret(tmp_path / "T09.secret")
    dashboard.cli("terminal", "add", "T09", "--secret-file", str(secret))
    cli = terminal(tmp_path / "t09", "T09", dashboard.base, secret)
    cli.ok("demo", "--customers", "3", "--sales", "30", "--seed", "5")
    assert cli.ok("sync", "now")["backlog"] == 0
    lo, hi = "2020-01-01", "2029-12-30"
    own = cli.ok("report", "yearly", "--from", lo, "--to", hi)["totals"]
    got = _totals(dashboard, f"report=yearly&from={lo}&to={hi}&terminal=T09")
    assert own["sales"]["count"] > 0
    assert (got["count"], got["tendered"], got["kwh"], got["vat"], got["fixed"], got["reversals"]) == (
        str(own["sales"]["count"]), own["sales"]["tendered"], own["sales"]["kwh"], own["sales"]["vat"],
        own["sales"]["fixed"], str(own["reversals"]["count"]))
