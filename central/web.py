"""The dashboard's pages (server-rendered Jinja2, docs/dashboard.md), mounted by `app.create_app`.

    GET  /login  POST /login  POST /logout          anyone / a session
    GET  /                                          terminal status, conflicts, gaps (viewer)
    POST /acknowledge                               a note on a conflict or a gap (auditor)
    GET  /search  GET /meters/{number}              inquiry (viewer)
    GET  /statistics[.csv|.pdf]                     the consolidated reports (viewer)
    GET  /admin  POST /admin/{tariff,parameter,blacklist,limits}   administration (administrator)

Every POST carries the session's CSRF token (``csrf`` form field; the login form a
pre-session token in its own cookie): without it CSRF_REFUSED (403) and nothing changes.
Cookies are HttpOnly, SameSite=Strict and Secure (unless the server runs with
``--insecure-cookies``, for plain-http tests). A refusal is a page with its stable code.
"""
from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
import peewee
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from central import admin, charts, inquiry, statistics, status, users
from central.errors import BadRequest, CentralError, CsrfRefused, LoginRequired
from central.models import Terminal
from terminal.domain.errors import PpmsError
from terminal.reports import pdf, render
from terminal.reports.model import Chart

COOKIE = "ppms_session"
LOGIN_COOKIE = "ppms_login_csrf"
HERE = Path(__file__).parent
HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                      "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                          undefined=jinja2.StrictUndefined)


def secure_cookies() -> bool:
    return os.environ.get("PPMS_CENTRAL_INSECURE_COOKIES") != "1"


def page(name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    html = _ENV.get_template(name).render(**values)
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)


def _cookie(resp: Response, name: str, value: str, max_age: int) -> None:
    resp.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", secure=secure_cookies(),
                    path="/")


def refusal(request: Request, exc: PpmsError) -> Response:
    """A refused page: to the login form (a GET without a session), or the code and message."""
    if isinstance(exc, LoginRequired) and request.method == "GET":
        return RedirectResponse("/login?" + urlencode({"next": request.url.path}), status_code=303)
    code = exc.status if isinstance(exc, CentralError) else 400
    return page("error.html", code, code=exc.code, message=exc.message, login=None)


def mount(app: FastAPI, db: peewee.Database) -> None:
    def login_of(request: Request) -> users.Login:
        return users.session(request.cookies.get(COOKIE))

    async def form_of(request: Request, login: users.Login | None) -> dict[str, Any]:
        form = await request.form()
        values = {k: v for k, v in form.multi_items()}
        token = values.get("csrf")
        if login is None:
            expected = request.cookies.get(LOGIN_COOKIE) or ""
            if not (isinstance(token, str) and expected and hmac.compare_digest(token, expected)):
                raise CsrfRefused("the form carries no valid CSRF token: reload the page and try again")
        else:
            users.check_csrf(login, token if isinstance(token, str) else None)
        return values

    def viewing(role: str, render_page: Callable[[Request, users.Login], Response]) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            with db.connection_context():
                login = login_of(request)
                login.require(role)
                return render_page(request, login)
        return handler

    @app.get("/login", include_in_schema=False)
    def login_form(request: Request) -> Response:
        token = secrets.token_urlsafe(32)
        resp = page("login.html", csrf=token, next=_next(request.query_params.get("next")), login=None, error=None)
        _cookie(resp, LOGIN_COOKIE, token, 3600)
        return resp

    @app.post("/login", include_in_schema=False)
    async def login_post(request: Request) -> Response:
        values = await form_of(request, None)
        with db.connection_context():
            token = users.log_in(str(values.get("username", "")), str(values.get("password", "")))
        resp = RedirectResponse(_next(str(values.get("next", "/"))), status_code=303)
        _cookie(resp, COOKIE, token, users.SESSION_S)
        resp.delete_cookie(LOGIN_COOKIE, path="/")
        return resp

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        with db.connection_context():
            login = login_of(request)
        await form_of(request, login)
        with db.connection_context():
            users.log_out(request.cookies.get(COOKIE))
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE, path="/")
        return resp

    def home(request: Request, login: users.Login) -> Response:
        waiting = inquiry.waiting_payments()
        return page("status.html", login=login, terminals=status.terminals(), conflicts=status.conflicts(),
                    notes=status.notes(), waiting=waiting, active="status")

    def search(request: Request, login: users.Login) -> Response:
        q = dict(request.query_params)
        kind = q.pop("kind", "sales")
        page_no = _int(q.pop("page", "1"))
        result = inquiry.search(kind, q, page_no) if request.query_params else None
        return page("search.html", login=login, kinds=inquiry.KINDS, kind=kind, q=q, result=result,
                    supported=sorted(inquiry.SUPPORTED.get(kind, ())), terminals=_terminal_ids(), active="search",
                    more=_more(request, page_no))

    def meter(request: Request, login: users.Login) -> Response:
        return page("meter.html", login=login, m=inquiry.meter_page(request.path_params["number"]), active="search")

    def stats(request: Request, login: users.Login) -> Response:
        args = _report_args(request)
        t = statistics.table(statistics.report(**args))
        extra = []
        if args["kind"] != "classified":
            for group in ("terminal", "power_type"):
                tt = statistics.table(statistics.report("classified", args["day_from"], args["day_to"],
                                                        args["terminal"], group))
                extra.append(charts.bars(tt, tt.charts[0]) if group == "power_type" else
                             charts.bars(tt, Chart("Revenue per terminal", "net_takings")))
        svgs = [charts.bars(t, c) for c in t.charts] + extra
        query = urlencode({k: v for k, v in request.query_params.items() if v})
        return page("statistics.html", login=login, t=t, svgs=svgs, args=args, query=query,
                    reports=statistics.REPORTS, groups=statistics.GROUPS, terminals=_terminal_ids(),
                    active="statistics")

    def stats_csv(request: Request, login: users.Login) -> Response:
        t = statistics.table(statistics.report(**_report_args(request)))
        return Response(render.as_csv(t), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{_file(t)}.csv"'})

    def stats_pdf(request: Request, login: users.Login) -> Response:
        t = statistics.table(statistics.report(**_report_args(request)))
        font = pdf.find_font()
        if font is None:
            raise CentralError("no CJK font installed for the PDF (fonts-wqy-microhei)")
        body = pdf.as_pdf(t, utility="PPMS center", font=font, made_at=datetime.now().replace(microsecond=0))
        return Response(body, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{_file(t)}.pdf"'})

    def admin_page(request: Request, login: users.Login) -> Response:
        return page("admin.html", login=login, versions=admin.tariff_versions(), parameters=admin.recent("parameter"),
                    blacklist=admin.recent("blacklist"), terminals=status.terminals(),
                    done=request.query_params.get("done"), active="admin")

    for path, role, fn in (("/", "viewer", home), ("/search", "viewer", search), ("/meters/{number}", "viewer", meter),
                           ("/statistics", "viewer", stats), ("/statistics.csv", "viewer", stats_csv),
                           ("/statistics.pdf", "viewer", stats_pdf), ("/admin", "administrator", admin_page)):
        app.add_api_route(path, viewing(role, fn), methods=["GET"], include_in_schema=False)

    def acting(role: str, act: Callable[[dict[str, Any], users.Login], str]) -> Callable[..., Any]:
        async def handler(request: Request) -> Response:
            with db.connection_context():
                login = login_of(request)
                login.require(role)
            values = await form_of(request, login)
            if "file" in values and hasattr(values["file"], "read"):
                values["file"] = (await values["file"].read(admin.MAX_TARIFF + 1)).decode("utf-8", "replace")
            with db.connection_context():
                return RedirectResponse(act(values, login), status_code=303)
        return handler

    def ack(v: dict[str, Any], login: users.Login) -> str:
        status.acknowledge(str(v.get("subject", "")), str(v.get("note", "")), login.username)
        return "/#conflicts"

    def tariff(v: dict[str, Any], login: users.Login) -> str:
        return "/admin?done=tariff+" + str(admin.tariff_import(str(v.get("file", "")))["cursor"])

    def parameter(v: dict[str, Any], login: users.Login) -> str:
        return "/admin?done=parameter+" + str(admin.parameter_set(str(v.get("key", "")),
                                                                   str(v.get("value", "")))["cursor"])

    def black(v: dict[str, Any], login: users.Login) -> str:
        return "/admin?done=blacklist+" + str(admin.blacklist(str(v.get("meter", "")), str(v.get("reason", "")))
                                              ["cursor"])

    def limits(v: dict[str, Any], login: users.Login) -> str:
        admin.offline_limits(str(v.get("terminal", "")), _int(str(v.get("hours", ""))), str(v.get("amount", "")))
        return "/admin?done=limits"

    for path, role, act in (("/acknowledge", "auditor", ack), ("/admin/tariff", "administrator", tariff),
                            ("/admin/parameter", "administrator", parameter),
                            ("/admin/blacklist", "administrator", black), ("/admin/limits", "administrator", limits)):
        app.add_api_route(path, acting(role, act), methods=["POST"], include_in_schema=False)

    @app.get("/static/dash.css", include_in_schema=False)
    def css() -> Response:
        return Response((HERE / "static" / "dash.css").read_bytes(), media_type="text/css",
                        headers={"Cache-Control": "max-age=3600"})


def _report_args(request: Request) -> dict[str, Any]:
    q = request.query_params
    today = date.today()
    return {"kind": q.get("report") or "daily", "day_from": q.get("from") or today.replace(day=1).isoformat(),
            "day_to": q.get("to") or today.isoformat(), "terminal": q.get("terminal") or None,
            "group_by": q.get("group_by") or None}


def _file(t: Any) -> str:
    return f"{t.report}-{t.period[0]}-{t.period[1]}"


def _terminal_ids() -> list[str]:
    return [t.id for t in Terminal.select(Terminal.id).order_by(Terminal.id)]


def _int(text: str) -> int:
    if not text.strip().isdigit() or len(text) > 9:
        raise BadRequest("a whole number is expected", field=None)
    return int(text)


def _next(target: str | None) -> str:
    """Where to go after login: a path on this site only (never another host)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target \
            and target.isprintable():
        return target
    return "/"


def _more(request: Request, page_no: int) -> str:
    q = dict(request.query_params)
    q["page"] = str(page_no + 1)
    return "/search?" + urlencode(q)
