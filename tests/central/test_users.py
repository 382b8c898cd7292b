"""Dashboard users, sessions and CSRF over a real SQLite center database (in-process)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.responses import Response

from central import db as central_db
from central import users, web
from central.errors import AdminInvalid, CsrfRefused, LoginLocked, LoginRefused, LoginRequired, RoleRefused
from central.models import TABLES, DashboardUser, LoginFailure, WebSession, proxy

T0 = 1_800_000_000.0


@pytest.fixture
def center(tmp_path: Path) -> Iterator[None]:
    db = central_db.connect(f"sqlite:///{tmp_path / 'center.db'}")
    proxy.initialize(db)
    with db.connection_context():
        db.create_tables(TABLES)
        users.add_user("ann", "auditor", "a long password")
        yield


def test_the_password_is_stored_as_argon2id_only(center: None) -> None:
    row = DashboardUser.get(DashboardUser.username == "ann")
    assert row.password_hash.startswith("$argon2id$") and "a long password" not in row.password_hash
    for name, role, pw in (("Ann", "viewer", "a long password"), ("bob", "root", "a long password"),
                           ("bob", "viewer", "short")):
        with pytest.raises(AdminInvalid):
            users.add_user(name, role, pw)
    assert DashboardUser.select().count() == 1


def test_a_session_holds_until_it_expires_or_ends(center: None) -> None:
    token = users.log_in("ann", "a long password", now=T0)
    login = users.session(token, now=T0 + 60)
    assert (login.username, login.role) == ("ann", "auditor")
    assert WebSession.select().where(WebSession.token_hash == token).count() == 0     # only its digest is kept
    with pytest.raises(LoginRequired):
        users.session(token, now=T0 + users.SESSION_S)
    with pytest.raises(LoginRequired):
        users.session("forged", now=T0)
    users.log_out(token)
    with pytest.raises(LoginRequired):
        users.session(token, now=T0 + 60)


def test_roles_are_ordered_and_csrf_is_the_sessions(center: None) -> None:
    login = users.session(users.log_in("ann", "a long password", now=T0), now=T0)
    login.require("viewer")
    login.require("auditor")
    with pytest.raises(RoleRefused):
        login.require("administrator")
    users.check_csrf(login, login.csrf)
    for given in (None, "", login.csrf[:-1], login.csrf + "x"):
        with pytest.raises(CsrfRefused):
            users.check_csrf(login, given)


def test_the_lockout_lasts_its_window_and_a_right_password_clears_the_count(center: None) -> None:
    for i in range(users.LOCK_AFTER - 1):
        with pytest.raises(LoginRefused):
            users.log_in("ann", "wrong", now=T0 + i)
    users.log_in("ann", "a long password", now=T0 + 10)       # one short of the lock: it clears the count
    assert LoginFailure.select().count() == 0
    for i in range(users.LOCK_AFTER):
        with pytest.raises(LoginRefused):
            users.log_in("ann", "wrong", now=T0 + 20 + i)
    with pytest.raises(LoginLocked):
        users.log_in("ann", "a long password", now=T0 + 30)
    with pytest.raises(LoginLocked):
        users.log_in("ann", "a long password", now=T0 + 19 + users.LOCK_WINDOW_S)
    users.log_in("ann", "a long password", now=T0 + 21 + users.LOCK_WINDOW_S)   # the oldest is out of it


def test_cookies_are_secure_unless_the_dev_flag_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PPMS_CENTRAL_INSECURE_COOKIES", raising=False)
    resp = Response()
    web._cookie(resp, web.COOKIE, "t", 60)
    header = resp.headers["set-cookie"].lower()
    assert "secure" in header and "httponly" in header and "samesite=strict" in header
    monkeypatch.setenv("PPMS_CENTRAL_INSECURE_COOKIES", "1")
    resp = Response()
    web._cookie(resp, web.COOKIE, "t", 60)
    assert "secure" not in resp.headers["set-cookie"].lower()


def test_acknowledgements_are_append_only(center: None) -> None:
    import peewee

    from central.models import ConflictNote
    central_db.append_only(proxy.obj)
    ConflictNote.insert(terminal="T01", subject="gap:T01:5-5", note="seen", username="ann", at="2026-01-01").execute()
    for change in (ConflictNote.update(note="rewritten"), ConflictNote.delete()):
        with pytest.raises(peewee.IntegrityError, match="append-only"):
            change.execute()
    assert [(n.note,) for n in ConflictNote.select()] == [("seen",)]


@pytest.mark.parametrize("target, where", [("/search?kind=sales", "/search?kind=sales"), ("//evil.example", "/"),
                                           ("/\\evil.example", "/"), ("https://evil.example", "/"), (None, "/"),
                                           ("/a\nb", "/")])
def test_after_login_the_browser_stays_on_this_site(target: str | None, where: str) -> None:
    assert web._next(target) == where
