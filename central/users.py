"""Dashboard users, their sessions and the forms' CSRF tokens (docs/dashboard.md).

    roles        viewer (inquiry, statistics, status) < auditor (acknowledges conflicts and
                 gaps) < administrator (tariffs, parameters, offline limits, users)
    passwords    argon2id (19 MiB, 2 passes, 1 lane: OWASP's setting), 10 characters or more
    lockout      LOCK_AFTER wrong passwords for one user name within LOCK_WINDOW_S refuse
                 every login of that name (LOGIN_LOCKED, even with the right password) until
                 the oldest of them is LOCK_WINDOW_S old
    sessions     a random token in the cookie; the table keeps its SHA-256, the user, the
                 session's CSRF token and when it expires (SESSION_S after login); logout
                 ends it for good
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import Final

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from central import db as central_db
from central.clock import now_text
from central.errors import AdminInvalid, CsrfRefused, LoginLocked, LoginRefused, LoginRequired, RoleRefused
from central.models import DashboardUser, LoginFailure, WebSession

ROLES: Final = ("viewer", "auditor", "administrator")
MIN_PASSWORD: Final = 10
MAX_PASSWORD: Final = 1024
LOCK_AFTER: Final = 5
LOCK_WINDOW_S: Final = 900
SESSION_S: Final = 8 * 3600
# argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): a login costs a
# few tens of milliseconds, a guess on a stolen table as much
_HASHER: Final = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
# verified when the user name is unknown, so a wrong name costs the time a wrong password does
_DUMMY: Final = _HASHER.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    csrf: str

    def require(self, role: str) -> None:
        if ROLES.index(self.role) < ROLES.index(role):
            raise RoleRefused(f"this page is for the {role} role; {self.username} is a {self.role}", role=role)


def add_user(username: str, role: str, password: str) -> dict[str, str]:
    if not re.fullmatch(r"[a-z][a-z0-9_.-]{1,31}", username):
        raise AdminInvalid("a user name is 2-32 small letters, digits, _ . -, starting with a letter", key="USERNAME")
    if role not in ROLES:
        raise AdminInvalid(f"--role is one of {', '.join(ROLES)}", key="--role")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AdminInvalid(f"the password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters", key="password")
    hashed = _HASHER.hash(password)
    with central_db.write(DashboardUser._meta.database):
        DashboardUser.insert(username=username, password_hash=hashed, role=role, created_at=now_text()).on_conflict(
            conflict_target=[DashboardUser.username],
            update={DashboardUser.password_hash: hashed, DashboardUser.role: role}).execute()
        LoginFailure.delete().where(LoginFailure.username == username).execute()
    return {"user": username, "role": role}


def log_in(username: str, password: str, now: float | None = None) -> str:
    """A new session's token for the right password; LOGIN_REFUSED or LOGIN_LOCKED otherwise."""
    at = int(time.time() if now is None else now)
    name = username.strip()[:64]
    recent = LoginFailure.select().where((LoginFailure.username == name)
                                         & (LoginFailure.at_unix > at - LOCK_WINDOW_S)).count()
    if recent >= LOCK_AFTER:
        raise LoginLocked(f"{LOCK_AFTER} wrong passwords for {name!r}: logins of that name wait up to "
                          f"{LOCK_WINDOW_S // 60} minutes")
    user = DashboardUser.get_or_none(DashboardUser.username == name)
    try:
        ok = _HASHER.verify(user.password_hash if user else _DUMMY, password[:MAX_PASSWORD]) and user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    db = WebSession._meta.database
    if not ok:
        with central_db.write(db):
            LoginFailure.insert(username=name, at_unix=at).execute()
        raise LoginRefused("wrong user name or password")
    token = secrets.token_urlsafe(32)
    with central_db.write(db):
        LoginFailure.delete().where(LoginFailure.username == name).execute()
        WebSession.insert(token_hash=_digest(token), username=name, csrf=secrets.token_urlsafe(32),
                          created_at=now_text(), expires_unix=at + SESSION_S).execute()
    return token


def session(token: str | None, now: float | None = None) -> Login:
    at = int(time.time() if now is None else now)
    row = None if not token else WebSession.get_or_none(WebSession.token_hash == _digest(token))
    if row is None or row.ended or row.expires_unix <= at:
        raise LoginRequired("log in first")
    user = DashboardUser.get_or_none(DashboardUser.username == row.username)
    if user is None:
        raise LoginRequired("log in first")
    return Login(user.username, user.role, row.csrf)


def check_csrf(login: Login, given: str | None) -> None:
    if not given or not hmac.compare_digest(login.csrf.encode(), given.encode()):
        raise CsrfRefused("the form carries no valid CSRF token: reload the page and try again")


def log_out(token: str | None) -> None:
    if token:
        with central_db.write(WebSession._meta.database):
            WebSession.update(ended=1).where(WebSession.token_hash == _digest(token)).execute()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
