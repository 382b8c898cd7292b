"""Operators and the permissions of their roles."""
from __future__ import annotations

from dataclasses import dataclass

from peewee import SqliteDatabase

from terminal.ledger.models import Models
from terminal.ledger.rows import Repo


@dataclass(frozen=True)
class OperatorRow:
    id: int
    username: str
    role: str
    password_hash: str
    failed_attempts: int
    locked: bool
    active: bool


class Operators(Repo):
    def __init__(self, db: SqliteDatabase, models: Models) -> None:
        super().__init__(db)
        self._m = models

    def any(self) -> bool:
        return bool(self._m.Operator.select().exists())

    def by_username(self, username: str) -> OperatorRow | None:
        op = self._m.Operator.get_or_none(self._m.Operator.username == username)
        return None if op is None else OperatorRow(op.id, op.username, op.role, op.password_hash,
                                                   op.failed_attempts, bool(op.locked), bool(op.active))

    def name(self, operator_id: int) -> str:
        row = self._one("SELECT username FROM operator WHERE id = ?", (operator_id,))
        return "?" if row is None else str(row[0])

    def add(self, username: str, full_name: str, role: str, password_hash: str, at: str) -> int:
        return int(self._m.Operator.insert(username=username, full_name=full_name, role=role,
                                           password_hash=password_hash, created_at=at).execute())

    def set_failures(self, operator_id: int, failed_attempts: int, locked: bool) -> None:
        op = self._m.Operator
        op.update(failed_attempts=failed_attempts, locked=int(locked)).where(op.id == operator_id).execute()

    def set_password(self, operator_id: int, password_hash: str) -> None:
        op = self._m.Operator
        op.update(password_hash=password_hash).where(op.id == operator_id).execute()

    def set_account(self, operator_id: int, full_name: str, role: str, password_hash: str, active: bool) -> None:
        """An account as the center manages it (the feed's `operator` change)."""
        op = self._m.Operator
        op.update(full_name=full_name, role=role, password_hash=password_hash, active=int(active)) \
            .where(op.id == operator_id).execute()

    def full_name(self, operator_id: int) -> str:
        return str(self._m.Operator.get_by_id(operator_id).full_name)

    def active_in(self, roles: frozenset[str]) -> int:
        """How many active operators have one of `roles`."""
        if not roles:
            return 0
        op = self._m.Operator
        return int(op.select().where(op.role.in_(sorted(roles)) & (op.active == 1)).count())

    def roles_with(self, permission: str) -> frozenset[str]:
        rp = self._m.RolePermission
        return frozenset(r.role for r in rp.select(rp.role).where(rp.permission == permission))

    def permissions_of(self, role: str) -> frozenset[str]:
        rp = self._m.RolePermission
        return frozenset(r.permission for r in rp.select().where(rp.role == role))

    def grant(self, role: str, permissions: list[str]) -> None:
        self._m.RolePermission.insert_many([{"role": role, "permission": p} for p in permissions]) \
            .on_conflict_ignore().execute()

    def revoke(self, role: str, permission: str) -> None:
        rp = self._m.RolePermission
        rp.delete().where((rp.role == role) & (rp.permission == permission)).execute()
