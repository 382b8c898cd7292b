"""Operators, roles and authority: one permission per seed function.

Passwords are argon2id hashes. `security.lockout_attempts` (5) wrong passwords
in a row lock the operator until a supervisor unlocks. Every login, failure,
lock, unlock and permission change is written to the diary. The CLI and the
screens both go through `login` and `require`. A login reads in a read-only view
and opens a unit of work only when it must write: a failed attempt, a lock, a
failed-attempts counter to reset, or a screen login to record.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sync.setup_records import AuthorityRecord
from terminal.ledger import Fact, Outgoing, UnitOfWork
from terminal.ledger.operators import OperatorRow
from terminal.services.context import Context
from terminal.services.errors import (
    AuthFailed,
    InvalidArgument,
    LastOperatorsHolder,
    OperatorLocked,
    OperatorNotFound,
    PermissionDenied,
    WeakPassword,
)


class Permission(str, Enum):
    """The seed's functions, each a permission."""
    REGISTRATION = "registration"
    INSTALLATION = "installation"
    SELLING = "selling"
    ERROR_TOLERANCE_SELLING = "error_tolerance_selling"
    RESET_SELLING = "reset_selling"
    AMEND_BASIC_FILE = "amend_basic_file"
    AMEND_POWER_TYPE = "amend_power_type"
    AMEND_CAPACITY = "amend_capacity"
    AMEND_REISSUE_CARD = "amend_reissue_card"
    AMEND_REPLACE_METER = "amend_replace_meter"
    AMEND_CANCEL_METER = "amend_cancel_meter"
    METER_READING = "meter_reading"
    ACCOUNTS = "accounts"
    SEARCH = "search"
    REPORTS = "reports"
    SETUP = "setup"
    CARD_MAINTENANCE = "card_maintenance"
    ENGINEERING_TOKENS = "engineering_tokens"
    OPERATORS = "operators"
    UNLOCK_OPERATORS = "unlock_operators"
    CARD_SUPERVISION = "card_supervision"   # format a card, lift a blacklist (supervisor, admin)
    APPROVE_TRANSFER = "approve_transfer"   # approve or reject another operator's account transfer
    SHIFTS = "shifts"                       # open and close one's own cashier shift (migration 18)
    SHIFT_SIGNOFF = "shift_signoff"         # sign off a closed shift (supervisor, admin)


ALL = frozenset(Permission)
CASHIER = frozenset({Permission.SELLING, Permission.REGISTRATION, Permission.INSTALLATION,
                     Permission.METER_READING, Permission.SEARCH, Permission.REPORTS,
                     Permission.SHIFTS})   # a cashier opens and closes its own shift (migration 18 granted it)
DEFAULT_ROLES: dict[str, frozenset[Permission]] = {
    "admin": ALL,
    "supervisor": ALL - {Permission.OPERATORS, Permission.SETUP},  # CARD_SUPERVISION included
    "cashier": CASHIER,
    "auditor": frozenset({Permission.SEARCH, Permission.REPORTS, Permission.ACCOUNTS}),
    "reader": frozenset({Permission.METER_READING, Permission.SEARCH}),
}

MAX_USERNAME_CHARS = 64
MAX_PASSWORD_CHARS = 1024
MAX_FULL_NAME_CHARS = 200

# OWASP's argon2id floor (19 MiB, t=2): strong, and bearable on a Raspberry Pi.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


@dataclass(frozen=True)
class Session:
    operator_id: int
    username: str
    role: str
    permissions: frozenset[str]

    def require(self, permission: Permission) -> None:
        if permission.value not in self.permissions:
            raise PermissionDenied(
                f"operator {self.username} ({self.role}) may not do {permission.value.replace('_', ' ')}",
                permission=permission.value)


def hash_password(password: str) -> str:
    if len(password) < 6:
        raise WeakPassword("a password needs at least 6 characters")
    if not _plausible_password(password):
        raise InvalidArgument(f"a password is UTF-8 text of at most {MAX_PASSWORD_CHARS} characters",
                              key="password")
    return _hasher.hash(password)


def shown_username(username: str) -> str:
    """A refused username as the diary keeps it: bounded, whatever was typed. A name that
    could be an operator's stays as it is; anything else is cut, with a hash to tell apart."""
    if username and len(username) <= MAX_USERNAME_CHARS and username.isprintable():
        return username
    digest = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    head = "".join(ch if ch.isprintable() else "?" for ch in username[:24])
    return f"{head}...[{len(username)} chars, sha256 {digest}]"


def seed_roles(uow: UnitOfWork) -> None:
    for role, perms in DEFAULT_ROLES.items():
        uow.operators.grant(role, [p.value for p in perms])


def login(ctx: Context, username: str, password: str, record: bool = True) -> Session:
    """Check an operator's password. Failures are committed (counter, lock, diary) before the
    error is raised, so a rolled-back transaction can never forget a wrong password.

    `record=False` (one `ppms` command) writes no diary entry for a successful check: the
    command's own changes carry the operator's name, and a refused or read-only command
    leaves the database as it was (and takes no write lock). A screen login records the login.
    A username that could not be an operator's (unbounded, unprintable) is not looked up, and
    the diary keeps it bounded (`shown_username`)."""
    plausible = shown_username(username) == username
    with ctx.ledger.read() as r:
        op = r.operators.by_username(username) if plausible else None
        permissions = (r.authority.effective(op.id, r.operators.permissions_of(op.role))  # role + operator's own
                       if op is not None else frozenset())
    ok = (op is not None and op.active and not op.locked and _plausible_password(password)
          and _verify(op.password_hash, password))
    if ok and op is not None and not op.failed_attempts and not record:
        return Session(op.id, op.username, op.role, permissions)
    now = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        # again, in the write: another login may have counted
        op = uow.operators.by_username(username) if plausible else None
        refusal = _attempt(ctx, uow, op, shown_username(username), now, ok, record)
    if refusal is not None:
        raise refusal
    assert op is not None
    return Session(op.id, op.username, op.role, permissions)


def _attempt(ctx: Context, uow: UnitOfWork, op: OperatorRow | None, username: str, now: str, ok: bool,
             record: bool) -> Exception | None:
    """Write what a login attempt leaves behind; the refusal to raise after the commit, or None.
    `username` is the name as the diary keeps it (bounded)."""
    def diary(action: str, after: dict[str, object] | None = None) -> None:
        uow.record(Fact(action, f"operator:{username}", username or "?", now, after=after))
    if op is None or not op.active:
        diary("login.failed", {"reason": "unknown"})
        return AuthFailed("unknown operator or wrong password")
    if op.locked:
        diary("login.refused", {"reason": "locked"})
        return OperatorLocked(f"operator {username} is locked; a supervisor must unlock it")
    if not ok:
        attempts = op.failed_attempts + 1
        locked = attempts >= ctx.lockout_attempts
        uow.operators.set_failures(op.id, attempts, locked)
        diary("login.failed", {"failed_attempts": attempts, "locked": locked})
        if locked:
            diary("operator.locked", {"failed_attempts": attempts})
        return AuthFailed("unknown operator or wrong password")
    if op.failed_attempts:
        uow.operators.set_failures(op.id, 0, False)
    if record or op.failed_attempts:
        diary("login")
    return None


def _plausible_password(password: str) -> bool:
    """Bounded UTF-8 text: anything else is a wrong password without hashing it."""
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return len(password) <= MAX_PASSWORD_CHARS


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def add_operator(ctx: Context, session: Session | None, username: str, full_name: str,
                 role: str, password: str) -> int:
    """Create an operator. `session` None only for `ppms init`'s admin."""
    if session is not None:
        session.require(Permission.OPERATORS)
    with ctx.ledger.read() as r:
        known_role = role in DEFAULT_ROLES or bool(r.operators.permissions_of(role))
    if not known_role:
        raise InvalidArgument(f"unknown role {role!r}", key="role")
    if (not username or len(username) > MAX_USERNAME_CHARS or not username.isascii()
            or not username.replace("_", "").replace(".", "").isalnum()):
        raise InvalidArgument(f"a username is 1-{MAX_USERNAME_CHARS} letters, digits, '.' and '_'",
                              key="username")
    if len(full_name) > MAX_FULL_NAME_CHARS or not full_name.isprintable():
        raise InvalidArgument(f"a full name is at most {MAX_FULL_NAME_CHARS} printable characters",
                              key="full_name")
    hashed = hash_password(password)
    with ctx.ledger.unit_of_work() as uow:
        if uow.operators.by_username(username) is not None:
            raise InvalidArgument(f"operator {username} already exists", key="username")
        oid = uow.operators.add(username, full_name, role, hashed, ctx.now_iso())
        uow.record(Fact("operator.add", f"operator:{username}", session.username if session else "system",
                        ctx.now_iso(), after={"role": role, "full_name": full_name}))
    return oid


def unlock(ctx: Context, session: Session, username: str) -> None:
    session.require(Permission.UNLOCK_OPERATORS)
    with ctx.ledger.unit_of_work() as uow:
        op = uow.operators.by_username(username)
        if op is None:
            raise OperatorNotFound(f"no operator {username}")
        uow.operators.set_failures(op.id, 0, False)
        uow.record(Fact("operator.unlock", f"operator:{username}", session.username, ctx.now_iso(),
                        before={"locked": op.locked, "failed_attempts": op.failed_attempts},
                        after={"locked": False, "failed_attempts": 0}))


def recover(ctx: Context, username: str, new_password: str, by: str) -> None:
    """`ppms operator unlock-recovery`: root on the box unlocks an operator and sets its new
    password, the way back when no one who may unlock can log in. The CLI checks for root;
    the diary records who (`by`) and that the password changed (never the password)."""
    hashed = hash_password(new_password)
    with ctx.ledger.unit_of_work() as uow:
        op = uow.operators.by_username(username)
        if op is None:
            raise OperatorNotFound(f"no operator {shown_username(username)}")
        uow.operators.set_failures(op.id, 0, False)
        uow.operators.set_password(op.id, hashed)
        uow.record(Fact("operator.recovery", f"operator:{username}", by, ctx.now_iso(),
                        before={"locked": op.locked, "failed_attempts": op.failed_attempts},
                        after={"locked": False, "failed_attempts": 0, "password_changed": True}))


def _last_operators_holder(uow: UnitOfWork, role: str) -> bool:
    """Whether `role`'s active operators are the only active ones who may manage operators."""
    others = uow.operators.roles_with(Permission.OPERATORS.value) - {role}
    return uow.operators.active_in(frozenset({role})) > 0 and uow.operators.active_in(others) == 0


def set_permission(ctx: Context, session: Session, role: str, permission: str, granted: bool) -> None:
    session.require(Permission.OPERATORS)
    if permission not in {p.value for p in Permission}:
        raise InvalidArgument(f"unknown permission {permission!r}", key="permission")
    with ctx.ledger.unit_of_work() as uow:
        before = permission in uow.operators.permissions_of(role)
        if (not granted and before and permission == Permission.OPERATORS.value
                and _last_operators_holder(uow, role)):
            raise LastOperatorsHolder(
                f"role {role} holds the last active operators who may manage operators; "
                "grant `operators` to another operator's role first", key="permission")
        if granted:
            uow.operators.grant(role, [permission])
        else:
            uow.operators.revoke(role, permission)
        at = ctx.now_iso()
        uow.record(Fact("permission.grant" if granted else "permission.revoke", f"role:{role}", session.username,
                        at, before={permission: before}, after={permission: granted},
                        outbox=Outgoing("authority", f"authority:role:{role}:{permission}:{at}", AuthorityRecord(
                            "role", role, permission, "granted" if granted else "revoked", at, session.username))))
