"""Operators, lockout and permissions, checked in the service layer."""
from __future__ import annotations

import sqlite3

import pytest

from terminal.services import auth, selling, setup
from terminal.services.errors import AuthFailed, OperatorLocked, PermissionDenied, WeakPassword


def diary_actions(world) -> list[str]:
    db = sqlite3.connect(world.app.db.database)
    return [r[0] for r in db.execute("SELECT action FROM diary ORDER BY id")]


def test_password_is_argon2id_and_never_stored_plain(world):
    db = sqlite3.connect(world.app.db.database)
    (h,) = db.execute("SELECT password_hash FROM operator WHERE username = 'admin'").fetchone()
    assert h.startswith("$argon2id$") and "secret1" not in h


def test_five_wrong_passwords_lock_until_a_supervisor_unlocks(world):
    auth.add_operator(world.ctx, world.admin, "sup", "Supervisor", "supervisor", "secret3")
    auth.add_operator(world.ctx, world.admin, "c1", "Cashier", "cashier", "secret2")
    for _ in range(4):
        with pytest.raises(AuthFailed):
            auth.login(world.ctx, "c1", "wrong!")
    assert auth.login(world.ctx, "c1", "secret2").role == "cashier"   # success resets the count
    for _ in range(5):
        with pytest.raises(AuthFailed):
            auth.login(world.ctx, "c1", "wrong!")
    with pytest.raises(OperatorLocked):
        auth.login(world.ctx, "c1", "secret2")
    sup = auth.login(world.ctx, "sup", "secret3")
    auth.unlock(world.ctx, sup, "c1")
    assert auth.login(world.ctx, "c1", "secret2").username == "c1"
    actions = diary_actions(world)
    assert actions.count("login.failed") == 9 and "operator.locked" in actions and "operator.unlock" in actions


def test_unknown_operator_fails_like_a_wrong_password(world):
    with pytest.raises(AuthFailed) as exc:
        auth.login(world.ctx, "nobody", "x")
    assert exc.value.code == "AUTH_FAILED"


def test_cashier_cannot_reverse_or_import(world):
    world.tariff()
    world.register()
    auth.add_operator(world.ctx, world.admin, "c1", "Cashier", "cashier", "secret2")
    c1 = auth.login(world.ctx, "c1", "secret2")
    sale = selling.sell(world.ctx, c1, "0123456789", "500.00")
    with pytest.raises(PermissionDenied) as exc:
        selling.reverse(world.ctx, c1, sale["sale_id"], "oops")
    assert exc.value.details["permission"] == "reset_selling"
    with pytest.raises(PermissionDenied):
        setup.import_tariff(world.ctx, c1, "")


def test_permission_change_applies_and_is_diarised(world):
    auth.add_operator(world.ctx, world.admin, "c1", "Cashier", "cashier", "secret2")
    auth.set_permission(world.ctx, world.admin, "cashier", "reset_selling", True)
    assert "reset_selling" in auth.login(world.ctx, "c1", "secret2").permissions
    auth.set_permission(world.ctx, world.admin, "cashier", "reset_selling", False)
    assert "reset_selling" not in auth.login(world.ctx, "c1", "secret2").permissions
    assert {"permission.grant", "permission.revoke"} <= set(diary_actions(world))


def test_weak_password_refused(world):
    with pytest.raises(WeakPassword):
        auth.add_operator(world.ctx, world.admin, "c2", "C", "cashier", "123")


def test_every_seed_function_is_a_permission():
    seed = {"registration", "installation", "selling", "error_tolerance_selling", "reset_selling",
            "amend_basic_file", "amend_power_type", "amend_capacity", "amend_reissue_card",
            "amend_replace_meter", "amend_cancel_meter", "meter_reading", "accounts", "search", "reports",
            "setup", "card_maintenance"}
    assert seed <= {p.value for p in auth.Permission}
