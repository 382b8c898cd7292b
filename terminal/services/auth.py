"""Operators, roles and authority: one permission per seed function.

Passwords are argon2id hashes. `security.lockout_attempts` (5) wrong passwords
in a row lock the operator until a supervisor unlocks. Every login, failure,
lock, unlock and permission change is written to the diary. The CLI and the
screens both go through `login` and `require`.
"""
from __future__ import annotations

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
    return _hasher.hash(password)


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
        op = Operator.get_or_none(Operator.username == username)
        if op is None or not op.active:
            diary.record(now, username or "?", "login.failed", f"operator:{username}", after={"reason": "unknown"})
            refusal = AuthFailed("unknown operator or wrong password")
        elif op.locked:
            diary.record(now, username, "login.refused", f"operator:{username}", after={"reason": "locked"})
            refusal = OperatorLocked(f"operator {username} is locked; a supervisor must unlock it")
        elif not _verify(op.password_hash, password):
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
    if not username or not username.replace("_", "").replace(".", "").isalnum():
        raise InvalidArgument("a username is letters, digits, '.' and '_'", key="username")
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


def set_permission(ctx: Context, session: Session, role: str, permission: str, granted: bool) -> None:
    session.require(Permission.OPERATORS)
    if permission not in {p.value for p in Permission}:
        raise InvalidArgument(f"unknown permission {permission!r}", key="permission")
    with transaction():
        before = permission in permissions_of(role)
        if granted:
            RolePermission.insert(role=role, permission=permission).on_conflict_ignore().execute()
        else:
            RolePermission.delete().where((RolePermission.role == role)
                                          & (RolePermission.permission == permission)).execute()
        diary.record(ctx.now_iso(), session.username, "permission.grant" if granted else "permission.revoke",
                     f"role:{role}", before={permission: before}, after={permission: granted})
