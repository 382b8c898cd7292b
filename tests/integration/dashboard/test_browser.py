"""The dashboard driven in headless chromium (Playwright) against a real `ppms-central serve`."""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from central import db as central_db
from central.models import ConflictNote, proxy
from tests.integration.dashboard.browser import chromium, log_in
from tests.integration.dashboard.server import PASSWORDS, Dashboard


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True)
    p = context.new_page()
    p.set_default_timeout(30_000)
    yield p
    context.close()


def notes(d: Dashboard) -> list[tuple[str, str, str]]:
    db = central_db.connect(d.url)
    proxy.initialize(db)
    with db.connection_context():
        return [(n.subject, n.note, n.username) for n in ConflictNote.select().order_by(ConflictNote.id)]


def test_an_auditor_finds_a_meter_downloads_a_monthly_pdf_and_acknowledges_a_conflict(
        dashboard: Dashboard, page: Any) -> None:
    log_in(page, dashboard.base, "audrey", PASSWORDS["audrey"])
    assert page.inner_text("header").count("audrey · auditor") == 1
    cookie = next(c for c in page.context.cookies() if c["name"] == "ppms_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    page.click("nav >> text=Inquiry")
    page.select_option("select[name=kind]", "sales")
    page.fill("input[name=meter]", "02000000007")
    page.click("form.filters button")
    assert "found" in page.inner_text("main")
    page.click("td >> a[href='/meters/02000000007'] >> nth=0")
    main = page.inner_text("main")
    assert page.url.endswith("/meters/02000000007") and "Meter 02000000007" in main
    assert "ACC-02000000007" in main and "T02-" in main
    assert "Readings (0)" not in main and "total kwh" in main and "WIRE_RECORD" not in main

    page.click("nav >> text=Statistics")
    first = (date.today() - timedelta(days=90)).isoformat()
    page.select_option("select[name=report]", "monthly")
    page.fill("input[name=from]", first)
    page.click("form.filters button")
    net = page.inner_text("tfoot td[data-total=net_takings]")
    assert page.inner_text("h1").startswith("Monthly report") and page.locator("svg.chart").count() == 3
    with page.expect_download() as got:
        page.click("a:text('PDF')")
    path = got.value.path()
    data = open(path, "rb").read()
    assert data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout
    assert "Monthly report" in text and net in text

    page.click("nav >> text=Terminals")
    form = page.locator("form[action='/acknowledge']").first
    subject = form.locator("input[name=subject]").input_value()
    assert subject.startswith("conflict:")
    form.locator("input[name=note]").fill("checked with T02's receipt roll")
    form.locator("button").click()
    assert "checked with T02's receipt roll" in page.inner_text("#conflicts ~ .cards")
    assert (subject, "checked with T02's receipt roll", "audrey") in notes(dashboard)


def test_a_wrong_password_is_refused(dashboard: Dashboard, page: Any) -> None:
    log_in(page, dashboard.base, "audrey", "not the password at all")
    assert "LOGIN_REFUSED" in page.inner_text("main")
    assert not [c for c in page.context.cookies() if c["name"] == "ppms_session"]
    page.goto(dashboard.base + "/search")
    assert "/login" in page.url


def test_a_form_whose_csrf_token_is_gone_is_refused(dashboard: Dashboard, page: Any) -> None:
    before = notes(dashboard)
    log_in(page, dashboard.base, "audrey", PASSWORDS["audrey"])
    form = page.locator("form[action='/acknowledge']").first
    form.locator("input[name=csrf]").evaluate("e => e.remove()")
    form.locator("input[name=note]").fill("should not be kept")
    form.locator("button").click()
    assert "CSRF_REFUSED" in page.inner_text("main")
    assert notes(dashboard) == before


def test_a_viewer_is_refused_the_administration_pages(dashboard: Dashboard, page: Any) -> None:
    log_in(page, dashboard.base, "viola", PASSWORDS["viola"])
    assert "Administration" not in page.inner_text("nav") and "Acknowledge" not in page.inner_text("main")
    response = page.goto(dashboard.base + "/admin")
    assert response.status == 403 and "ROLE_REFUSED" in page.inner_text("main")
    log_in(page, dashboard.base, "adam", PASSWORDS["adam"])
    page.goto(dashboard.base + "/admin")
    assert "Tariff sheet" in page.inner_text("main")
