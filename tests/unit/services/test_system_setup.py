"""System setup: parameters with history, the system dictionary, the authority matrix per
operator, the port set. Real ledger, real services."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sync.schema import decode
from terminal.config import load_settings
from terminal.ledger.meta import MAX_TENDER_DEFAULT
from terminal.services import auth, authority, dictionary, parameters, port_set, selling
from terminal.services.errors import (
    AmountAboveMaximum,
    DeviceSettingInvalid,
    DeviceSettingUnknown,
    DictionaryEntryInvalid,
    DictionaryEntryNotFound,
    DictionaryKindUnknown,
    DictionaryValueUnknown,
    InvalidArgument,
    LastOperatorsHolder,
    OperatorNotFound,
    ParameterInvalid,
    ParameterReadOnly,
    ParameterUnknown,
    PermissionDenied,
)
from tests.helpers.ppms import dump_tables, sealed


def outbox(world, kind: str) -> list:
    con = sqlite3.connect(world.app.db.database)
    try:
        return [decode(kind, p) for (p,) in con.execute("SELECT payload FROM outbox WHERE kind = ? ORDER BY seq",
                                                        (kind,))]
    finally:
        con.close()


def diary(world, action: str) -> list[tuple[str, str]]:
    con = sqlite3.connect(world.app.db.database)
    try:
        return con.execute("SELECT entity, operator FROM diary WHERE action = ? ORDER BY id", (action,)).fetchall()
    finally:
        con.close()


def cashier(world, name: str = "cash1"):
    auth.add_operator(world.ctx, world.admin, name, "Cashier", "cashier", "secret1")
    return auth.login(world.ctx, name, "secret1")


def unchanged(world, action, error):
    """`action` is refused with `error` and no table changes."""
    before = dump_tables(Path(world.app.db.database))
    with pytest.raises(error):
        action()
    assert dump_tables(Path(world.app.db.database)) == before


# -- parameters ------------------------------------------------------------------------------

def test_a_parameter_starts_at_its_default_and_keeps_every_change(world):
    world.tariff()
    assert parameters.param(world.ctx, "fee.reissue_card") == 0
    parameters.set_param(world.ctx, world.admin, "fee.reissue_card", "250.00")
    world.at("2026-03-06T09:00:00")
    out = parameters.set_param(world.ctx, world.admin, "fee.reissue_card", "300.50")
    assert out["value"] == "300.50" and out["changed"] is True
    assert parameters.money_param(world.ctx, "fee.reissue_card") == 30050
    hist = parameters.history(world.ctx, world.admin, "fee.reissue_card")["changes"]
    assert [(c["value"], c["previous"], c["at"]) for c in hist] == [
        ("250.00", None, "2026-03-05T10:00:00"), ("300.50", "250.00", "2026-03-06T09:00:00")]
    assert [r.value for r in outbox(world, "parameter")] == ["25000", "30050"]
    assert len(diary(world, "parameter.set")) == 2
    assert world.verify()["ok"]


def test_the_utility_name_parameter_is_the_terminals_from_the_next_start(world, tmp_path):
    from terminal import bootstrap
    env = {"PPMS_FAKE_NOW": "2026-03-05T10:00:00"}
    parameters.set_param(world.ctx, world.admin, "utility.name", "Lakeside Power")
    again = bootstrap.build(config=tmp_path / "terminal.toml", env=env)
    try:
        assert again.ctx.utility == "Lakeside Power"
    finally:
        again.close()


def test_the_same_value_again_changes_nothing(world):
    parameters.set_param(world.ctx, world.admin, "account.check_tolerance_kwh", "2.5")
    assert parameters.param(world.ctx, "account.check_tolerance_kwh") == 250
    again = parameters.set_param(world.ctx, world.admin, "account.check_tolerance_kwh", "2.50")
    assert again["changed"] is False
    assert len(parameters.history(world.ctx, world.admin)["changes"]) == 1


def test_max_tender_set_here_is_what_selling_refuses_above(world):
    world.tariff()
    world.register()
    assert parameters.param(world.ctx, "sale.max_tender") == MAX_TENDER_DEFAULT
    parameters.set_param(world.ctx, world.admin, "sale.max_tender", "500.00")
    with pytest.raises(AmountAboveMaximum):
        selling.quote(world.ctx, world.admin, "0123456789", amount="500.01")
    assert selling.quote(world.ctx, world.admin, "0123456789", amount="500.00")["tendered"] == "500.00"


@pytest.mark.parametrize(("key", "value", "error"), [
    ("fee.nothing", "1.00", ParameterUnknown),
    ("fee.reissue_card", "-1.00", ParameterInvalid),
    ("fee.reissue_card", "1.001", ParameterInvalid),
    ("fee.reissue_card", "ten", ParameterInvalid),
    ("sale.max_tender", "0", ParameterInvalid),
    ("account.check_tolerance_kwh", "1.234", ParameterInvalid),
    ("utility.name", "bad\nname", ParameterInvalid),
    ("terminal.id", "T02", ParameterReadOnly),
    ("currency", "USD", ParameterReadOnly),
])
def test_a_bad_parameter_value_is_refused_and_nothing_changes(world, key, value, error):
    world.tariff()
    unchanged(world, lambda: parameters.set_param(world.ctx, world.admin, key, value), error)


def test_show_lists_every_known_parameter_with_read_only_ones(world):
    world.tariff()
    rows = {p["key"]: p for p in parameters.show(world.ctx, world.admin)["parameters"]}
    assert set(rows) == set(parameters.BY_KEY)
    assert rows["terminal.id"]["value"] == "T01" and rows["terminal.id"]["read_only"]
    assert rows["currency"]["value"] == "KES"
    assert rows["sale.max_tender"]["value"] == "10000000.00" and not rows["sale.max_tender"]["set"]


def test_check_finds_a_parameter_changed_behind_its_history(world):
    parameters.set_param(world.ctx, world.admin, "fee.cancel_meter", "10.00")
    with world.ctx.ledger.unit_of_work() as uow:   # a value written without its history entry
        uow.meta.put("fee.cancel_meter", "99900")
    problems = world.verify()["problems"]
    assert [p["code"] for p in problems] == ["PARAMETER_HISTORY_MISMATCH"]


# -- dictionary ------------------------------------------------------------------------------

def test_dictionary_add_list_remove_and_back(world):
    assert dictionary.in_dictionary(world.ctx, "area", "ANY")   # a list not kept accepts anything
    dictionary.add(world.ctx, world.admin, "areas", "NORTH", "North district")
    dictionary.add(world.ctx, world.admin, "area", "SOUTH", "South district")
    assert dictionary.in_dictionary(world.ctx, "area", "NORTH")
    assert not dictionary.in_dictionary(world.ctx, "area", "ANY")
    assert dictionary.in_dictionary(world.ctx, "building", "B1")   # another kind, still not kept
    dictionary.remove(world.ctx, world.admin, "area", "NORTH")
    assert not dictionary.in_dictionary(world.ctx, "area", "NORTH")
    listed = dictionary.listed(world.ctx, world.admin, "area")["entries"]
    assert [e["code"] for e in listed] == ["SOUTH"]
    everything = dictionary.listed(world.ctx, world.admin, "area", removed=True)["entries"]
    assert [(e["code"], e["active"]) for e in everything] == [("NORTH", False), ("SOUTH", True)]
    dictionary.add(world.ctx, world.admin, "area", "NORTH", "North district")
    assert dictionary.in_dictionary(world.ctx, "area", "NORTH")
    assert [(r.code, r.active) for r in outbox(world, "dictionary")] == [
        ("NORTH", True), ("SOUTH", True), ("NORTH", False), ("NORTH", True)]
    assert len(diary(world, "dictionary.remove")) == 1
    with world.ctx.ledger.read() as r:
        with pytest.raises(DictionaryValueUnknown) as refused:
            dictionary.coded(r, "area", "area", "EAST")
        assert refused.value.details == {"key": "area", "kind": "area", "value": "EAST",
                                         "allowed": ["NORTH", "SOUTH"]}
        assert dictionary.coded(r, "area", "area", "SOUTH") == "SOUTH"
        assert dictionary.coded(r, "area", "area", " south district ") == "SOUTH"   # its name, any case
        assert dictionary.coded(r, "building", "building", "B1") == "B1"   # a list not kept: free text
    assert world.verify()["ok"]


@pytest.mark.parametrize(("args", "error"), [
    (("planets", "X", "Mars"), DictionaryKindUnknown),
    (("area", "has space", "X"), DictionaryEntryInvalid),
    (("area", "", "X"), DictionaryEntryInvalid),
    (("area", "OK", "  "), DictionaryEntryInvalid),
    (("area", "OK", "x" * 201), DictionaryEntryInvalid),
])
def test_a_bad_dictionary_entry_is_refused(world, args, error):
    unchanged(world, lambda: dictionary.add(world.ctx, world.admin, *args), error)


def test_removing_what_is_not_there_is_refused(world):
    unchanged(world, lambda: dictionary.remove(world.ctx, world.admin, "category", "NOPE"), DictionaryEntryNotFound)


def test_a_dictionary_entry_is_never_deleted(world):
    dictionary.add(world.ctx, world.admin, "category", "DOM", "Domestic")
    con = sealed(Path(world.app.db.database))
    with pytest.raises(sqlite3.IntegrityError, match="LEDGER_APPEND_ONLY"):
        con.execute("DELETE FROM dictionary_entry")
    con.close()


# -- authority -------------------------------------------------------------------------------

def test_a_permission_granted_to_one_operator_and_revoked_from_another(world):
    c1 = cashier(world, "cash1")
    cashier(world, "cash2")
    with pytest.raises(PermissionDenied):
        c1.require(auth.Permission.ACCOUNTS)
    authority.set_for_operator(world.ctx, world.admin, "cash1", "accounts", "granted")
    authority.set_for_operator(world.ctx, world.admin, "cash2", "selling", "revoked")
    c1 = auth.login(world.ctx, "cash1", "secret1")
    c2 = auth.login(world.ctx, "cash2", "secret1")
    c1.require(auth.Permission.ACCOUNTS)
    with pytest.raises(PermissionDenied):
        c2.require(auth.Permission.SELLING)
    c1.require(auth.Permission.SELLING)
    ops = {o["username"]: o for o in authority.operators(world.ctx, world.admin)["operators"]}
    assert ops["cash1"]["granted"] == ["accounts"] and "accounts" in ops["cash1"]["permissions"]
    assert ops["cash2"]["revoked"] == ["selling"] and "selling" not in ops["cash2"]["permissions"]
    authority.set_for_operator(world.ctx, world.admin, "cash2", "selling", "role")
    auth.login(world.ctx, "cash2", "secret1").require(auth.Permission.SELLING)
    assert [(r.name, r.permission, r.state) for r in outbox(world, "authority")] == [
        ("cash1", "accounts", "granted"), ("cash2", "selling", "revoked"), ("cash2", "selling", "role")]
    assert world.verify()["ok"]


def test_the_matrix_has_every_module_against_every_role(world):
    m = authority.matrix(world.ctx, world.admin)
    assert m["modules"] == [p.value for p in auth.Permission]
    assert set(m["roles"]) >= {"admin", "supervisor", "cashier", "auditor", "reader"}
    rows = {row["module"]: row for row in m["matrix"]}
    assert all(rows[p.value]["admin"] for p in auth.Permission)
    assert rows["selling"]["cashier"] and not rows["setup"]["cashier"]
    assert rows["shifts"]["cashier"] and rows["shift_signoff"]["supervisor"] and not rows["shift_signoff"]["cashier"]


def test_a_new_ledgers_roles_are_the_codes_defaults(world):
    """What `ppms init` grants each role (the defaults, then every migration's grants) is
    auth.DEFAULT_ROLES exactly: a new ledger and the code say the same."""
    m = authority.matrix(world.ctx, world.admin)
    granted = {role: {row["module"] for row in m["matrix"] if row[role]} for role in m["roles"]}
    assert granted == {role: {p.value for p in perms} for role, perms in auth.DEFAULT_ROLES.items()}
    cashier_may = granted["cashier"]
    assert {"selling", "registration", "installation", "meter_reading", "search", "reports", "shifts"} == cashier_may
    assert "shift_signoff" in granted["supervisor"] and "approve_transfer" in granted["supervisor"]
    assert not {"setup", "operators"} & granted["supervisor"]


def test_role_grants_also_reach_the_outbox(world):
    auth.set_permission(world.ctx, world.admin, "auditor", "reports", False)
    assert [(r.subject, r.name, r.permission, r.state) for r in outbox(world, "authority")] == [
        ("role", "auditor", "reports", "revoked")]


def test_the_last_operator_who_manages_operators_keeps_it(world):
    unchanged(world, lambda: authority.set_for_operator(world.ctx, world.admin, "admin", "operators", "revoked"),
              LastOperatorsHolder)


@pytest.mark.parametrize(("user", "permission", "error"), [
    ("nobody", "selling", OperatorNotFound), ("admin", "flying", InvalidArgument)])
def test_an_unknown_operator_or_permission_is_refused(world, user, permission, error):
    unchanged(world, lambda: authority.set_for_operator(world.ctx, world.admin, user, permission, "granted"), error)


# -- port set --------------------------------------------------------------------------------

def test_a_stored_device_setting_is_used_at_the_next_start_and_reset_gives_the_file_back(world, tmp_path):
    from terminal import bootstrap
    file_settings = load_settings(tmp_path / "terminal.toml", {})
    out = port_set.set_setting(world.ctx, world.admin, file_settings, "meter_bus.baudrate", "9600")
    assert out["in_use"] == "9600" and out["changed"]
    port_set.set_setting(world.ctx, world.admin, file_settings, "printer.paper_width_mm", "58")
    env = {"PPMS_FAKE_NOW": "2026-03-05T10:00:00"}
    again = bootstrap.build(config=tmp_path / "terminal.toml", env=env)
    try:
        assert again.settings.meter_bus.baudrate == 9600 and again.settings.printer.paper_width_mm == 58
    finally:
        again.close()
    shown = {s["key"]: s for s in port_set.show(world.ctx, world.admin, file_settings)["settings"]}
    assert shown["meter_bus.baudrate"] == {"key": "meter_bus.baudrate", "file": "2400", "stored": "9600",
                                           "in_use": "9600", "changed_at": "2026-03-05T10:00:00"}
    port_set.set_setting(world.ctx, world.admin, file_settings, "meter_bus.baudrate", None)
    again = bootstrap.build(config=tmp_path / "terminal.toml", env=env)
    try:
        assert again.settings.meter_bus.baudrate == 2400
    finally:
        again.close()
    assert [(r.key, r.value) for r in outbox(world, "device_setting")] == [
        ("meter_bus.baudrate", "9600"), ("printer.paper_width_mm", "58"), ("meter_bus.baudrate", "")]
    assert world.verify()["ok"]


@pytest.mark.parametrize(("key", "value", "error"), [
    ("database.path", "/tmp/x.db", DeviceSettingUnknown),
    ("card_reader.secret_file", "/tmp/s", DeviceSettingUnknown),
    ("printer.type", "laser", DeviceSettingInvalid),
    ("printer.port", "70000", DeviceSettingInvalid),
    ("meter_bus.baudrate", "fast", DeviceSettingInvalid),
])
def test_a_bad_device_setting_is_refused(world, tmp_path, key, value, error):
    settings = load_settings(tmp_path / "terminal.toml", {})
    unchanged(world, lambda: port_set.set_setting(world.ctx, world.admin, settings, key, value), error)


# -- permissions -----------------------------------------------------------------------------

def test_every_setup_function_is_refused_to_a_cashier(world, tmp_path):
    world.tariff()
    c = cashier(world)
    settings = load_settings(tmp_path / "terminal.toml", {})
    calls = [
        lambda: parameters.show(world.ctx, c), lambda: parameters.set_param(world.ctx, c, "fee.reissue_card", "1"),
        lambda: parameters.history(world.ctx, c),
        lambda: dictionary.add(world.ctx, c, "area", "N", "North"),
        lambda: dictionary.remove(world.ctx, c, "area", "N"),
        lambda: authority.operators(world.ctx, c), lambda: authority.matrix(world.ctx, c),
        lambda: authority.set_for_operator(world.ctx, c, "cash1", "accounts", "granted"),
        lambda: port_set.show(world.ctx, c, settings),
        lambda: port_set.set_setting(world.ctx, c, settings, "meter_bus.baudrate", "9600"),
    ]
    for call in calls:
        unchanged(world, call, PermissionDenied)
    # the lists themselves a clerk reads (they say what registration accepts), with `search`
    dictionary.add(world.ctx, world.admin, "area", "N", "North")
    assert [e["code"] for e in dictionary.listed(world.ctx, c, "area")["entries"]] == ["N"]
    auth.set_permission(world.ctx, world.admin, "cashier", "search", False)
    c2 = cashier(world, "cash2")
    unchanged(world, lambda: dictionary.listed(world.ctx, c2, "area"), PermissionDenied)
