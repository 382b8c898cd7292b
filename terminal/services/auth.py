"""Operators, roles and authority: one permission per seed function.

Passwords are argon2id hashes. `security.lockout_attempts` (5) wrong passwords
in a row lock the operator until a supervisor unlocks. Every login, failure,
lock, unlock and permission change is written to the diary. The CLI and the
screens both go through `login` and `require`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from terminal.ledger import diary, transaction
from terminal.ledger.models import Operator, RolePermission
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


ALL = frozenset(Permission)
CASHIER = frozenset({Permission.SELLING, Permission.REGISTRATION, Permission.INSTALLATION,
                     Permission.METER_READING, Permission.SEARCH, Permission.REPORTS})
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


def seed_roles() -> None:
    for role, perms in DEFAULT_ROLES.items():
        rows = [{"role": role, "permission": p.value} for p in perms]
        RolePermission.insert_many(rows).on_conflict_ignore().execute()


def permissions_of(role: str) -> frozenset[str]:
    return frozenset(r.permission for r in RolePermission.select().where(RolePermission.role == role))


def login(ctx: Context, username: str, password: str, record: bool = True) -> Session:
    """Check an operator's password. Failures are committed (counter, lock, diary) before the
    error is raised, so a rolled-back transaction can never forget a wrong password.

    `record=False` (one `ppms` command) writes no diary entry for a successful check: the
    command's own changes carry the operator's name, and a refused or read-only command
    leaves the database as it was. A screen login records the login."""
    now = ctx.now_iso()
    refusal: Exception | None = None
    with transaction():
        plausible = shown_username(username) == username  # bounded, printable: could be an operator's
        op = Operator.get_or_none(Operator.username == username) if plausible else None
        if op is None or not op.active:
            shown = shown_username(username)
            diary.record(now, shown or "?", "login.failed", f"operator:{shown}", after={"reason": "unknown"})
            refusal = AuthFailed("unknown operator or wrong password")
        elif op.locked:
            diary.record(now, username, "login.refused", f"operator:{username}", after={"reason": "locked"})
            refusal = OperatorLocked(f"operator {username} is locked; a supervisor must unlock it")
        elif not _plausible_password(password) or not _verify(op.password_hash, password):
            attempts = op.failed_attempts + 1
            locked = attempts >= ctx.lockout_attempts
            Operator.update(failed_attempts=attempts, locked=int(locked)).where(Operator.id == op.id).execute()
            diary.record(now, username, "login.failed", f"operator:{username}",
                         after={"failed_attempts": attempts, "locked": locked})
            if locked:
                diary.record(now, username, "operator.locked", f"operator:{username}",
                             after={"failed_attempts": attempts})
            refusal = AuthFailed("unknown operator or wrong password")
        else:
            if op.failed_attempts:
                Operator.update(failed_attempts=0).where(Operator.id == op.id).execute()
            if record or op.failed_attempts:
                diary.record(now, username, "login", f"operator:{username}")
    if refusal is not None:
        raise refusal
    assert op is not None
    return Session(op.id, op.username, op.role, permissions_of(op.role))


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
    if role not in DEFAULT_ROLES and not permissions_of(role):
        raise InvalidArgument(f"unknown role {role!r}", key="role")
    if (not username or len(username) > MAX_USERNAME_CHARS or not username.isascii()
            or not username.replace("_", "").replace(".", "").isalnum()):
        raise InvalidArgument(f"a username is 1-{MAX_USERNAME_CHARS} letters, digits, '.' and '_'",
                              key="username")
    if len(full_name) > MAX_FULL_NAME_CHARS or not full_name.isprintable():
        raise InvalidArgument(f"a full name is at most {MAX_FULL_NAME_CHARS} printable characters",
                              key="full_name")
    hashed = hash_password(password)
    with transaction():
        if Operator.get_or_none(Operator.username == username) is not None:
            raise InvalidArgument(f"operator {username} already exists", key="username")
        oid = Operator.insert(username=username, full_name=full_name, role=role,
                              password_hash=hashed, created_at=ctx.now_iso()).execute()
        diary.record(ctx.now_iso(), session.username if session else "system", "operator.add",
                     f"operator:{username}", after={"role": role, "full_name": full_name})
    return int(oid)


def unlock(ctx: Context, session: Session, username: str) -> None:
    session.require(Permission.UNLOCK_OPERATORS)
    with transaction():
        op = Operator.get_or_none(Operator.username == username)
        if op is None:
            raise OperatorNotFound(f"no operator {username}")
        Operator.update(locked=0, failed_attempts=0).where(Operator.id == op.id).execute()
        diary.record(ctx.now_iso(), session.username, "operator.unlock", f"operator:{username}",
                     before={"locked": bool(op.locked), "failed_attempts": op.failed_attempts},
                     after={"locked": False, "failed_attempts": 0})


def recover(ctx: Context, username: str, new_password: str, by: str) -> None:
    """`ppms operator unlock-recovery`: root on the box unlocks an operator and sets its new
    password, the way back when no one who may unlock can log in. The CLI checks for root;
    the diary records who (`by`) and that the password changed (never the password)."""
    hashed = hash_password(new_password)
    with transaction():
        op = Operator.get_or_none(Operator.username == username)
        if op is None:
            raise OperatorNotFound(f"no operator {shown_username(username)}")
        Operator.update(locked=0, failed_attempts=0, password_hash=hashed).where(Operator.id == op.id).execute()
        diary.record(ctx.now_iso(), by, "operator.recovery", f"operator:{username}",
                     before={"locked": bool(op.locked), "failed_attempts": op.failed_attempts},
                     after={"locked": False, "failed_attempts": 0, "password_changed": True})


def _holders_of_operators(excluding_role: str) -> int:
    """Active operators outside `excluding_role` whose role may manage operators."""
    roles = {r.role for r in RolePermission.select().where(RolePermission.permission == Permission.OPERATORS.value)}
    roles.discard(excluding_role)
    if not roles:
        return 0
    return int(Operator.select().where(Operator.role.in_(sorted(roles)) & (Operator.active == 1)).count())


def set_permission(ctx: Context, session: Session, role: str, permission: str, granted: bool) -> None:
    session.require(Permission.OPERATORS)
    if permission not in {p.value for p in Permission}:
        raise InvalidArgument(f"unknown permission {permission!r}", key="permission")
    with transaction():
        before = permission in permissions_of(role)
        if (not granted and before and permission == Permission.OPERATORS.value
                and Operator.select().where((Operator.role == role) & (Operator.active == 1)).exists()
                and _holders_of_operators(role) == 0):
            raise LastOperatorsHolder(
                f"role {role} holds the last active operators who may manage operators; "
                "grant `operators` to another operator's role first", key="permission")
        if granted:
            RolePermission.insert(role=role, permission=permission).on_conflict_ignore().execute()
        else:
            RolePermission.delete().where((RolePermission.role == role)
                                          & (RolePermission.permission == permission)).execute()
        diary.record(ctx.now_iso(), session.username, "permission.grant" if granted else "permission.revoke",
                     f"role:{role}", before={permission: before}, after={permission: granted})
