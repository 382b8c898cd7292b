"""Operators and the authority matrix: every function module (`auth.Permission`) against
every role, and what an operator holds of its own (`ppms operator list|matrix`,
`ppms operator grant-user|revoke-user|reset-user USER PERMISSION`).

An operator's permissions are its role's, plus what was granted to the operator, minus
what was revoked from the operator (`Authority.effective`, read at login). Role grants stay
`ppms operator grant|revoke ROLE PERMISSION` (`auth.set_permission`). Each change: diary
entry and outbox row (`authority`). Revoking `operators` from the last operator who could
manage operators is refused (LAST_OPERATORS_HOLDER), as for a role.
"""
from __future__ import annotations

from typing import Any

from sync.setup_records import AuthorityRecord
from terminal.ledger import Fact, Outgoing, Repositories
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import InvalidArgument, LastOperatorsHolder, OperatorNotFound

MODULES: tuple[str, ...] = tuple(p.value for p in Permission)


def _permission(text: str) -> str:
    if text not in MODULES:
        raise InvalidArgument(f"unknown permission {text!r} (`ppms operator matrix` lists them)", key="permission")
    return text


def _roles(r: Repositories) -> dict[str, set[str]]:
    roles: dict[str, set[str]] = {}
    for role, permission in r.authority.role_grants():
        roles.setdefault(role, set()).add(permission)
    for _, _, _, role, _, _ in r.authority.operators():
        roles.setdefault(role, set())
    return roles


def operators(ctx: Context, session: Session) -> dict[str, Any]:
    session.require(Permission.OPERATORS)
    with ctx.ledger.read() as r:
        roles = _roles(r)
        out = []
        for oid, username, full_name, role, active, locked in r.authority.operators():
            own = r.authority.of(oid)
            out.append({"username": username, "full_name": full_name, "role": role, "active": active,
                        "locked": locked, "granted": sorted(p for p, g in own.items() if g),
                        "revoked": sorted(p for p, g in own.items() if not g),
                        "permissions": sorted(r.authority.effective(oid, frozenset(roles.get(role, set()))))})
    return {"operators": out}


def matrix(ctx: Context, session: Session) -> dict[str, Any]:
    """Every function module against every role (True: granted), and each operator's own grants."""
    session.require(Permission.OPERATORS)
    with ctx.ledger.read() as r:
        roles = _roles(r)
        names = {oid: username for oid, username, *_ in r.authority.operators()}
        own = [{"operator": names.get(oid, str(oid)), "permission": p, "granted": g}
               for oid, p, g in r.authority.all()]
    role_names = sorted(roles)
    return {"roles": role_names, "modules": list(MODULES),
            "matrix": [{"module": m, **{role: m in roles[role] for role in role_names}} for m in MODULES],
            "operator_grants": own}


def set_for_operator(ctx: Context, session: Session, username: str, permission: str,
                     state: str) -> dict[str, Any]:
    """state "granted" or "revoked" (the operator's own, over its role), or "role" (the
    operator's own grant or revocation taken away)."""
    session.require(Permission.OPERATORS)
    permission = _permission(permission)
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        op = uow.operators.by_username(username)
        if op is None:
            raise OperatorNotFound(f"no operator {username}", username=username)
        role_perms = uow.operators.permissions_of(op.role)
        before = uow.authority.of(op.id).get(permission)
        if state == "role":
            uow.authority.clear(op.id, permission)
        else:
            uow.authority.put(op.id, permission, state == "granted")
        holds = permission in uow.authority.effective(op.id, role_perms)
        if permission == Permission.OPERATORS.value and not holds and not _others_manage(uow, op.id):
            raise LastOperatorsHolder(f"operator {username} is the last active operator who may manage "
                                      "operators; grant `operators` to another first", key="permission")
        uow.record(Fact(f"permission.operator.{state}", f"operator:{username}", session.username, at,
                        before={permission: before}, after={permission: None if state == "role" else holds},
                        outbox=Outgoing("authority", f"authority:{username}:{permission}:{at}",
                                        AuthorityRecord("operator", username, permission, state, at,
                                                        session.username))))
    return {"username": username, "role": op.role, "permission": permission, "state": state, "holds": holds}


def _others_manage(uow: Repositories, operator_id: int) -> bool:
    """Whether an active operator other than `operator_id` may manage operators."""
    for oid, _, _, role, active, _ in uow.authority.operators():
        if oid != operator_id and active and Permission.OPERATORS.value in uow.authority.effective(
                oid, uow.operators.permissions_of(role)):
            return True
    return False
