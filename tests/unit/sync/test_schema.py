"""Wire records: encode/decode round trips for every kind, strict refusals with stable codes,
the versioning rule, and decode never raising anything but the typed error."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import fields as f
from sync.errors import WireKindUnknown, WireRecordInvalid, WireVersionUnknown
from sync.records import EnergyLine, ReversalRecord, SaleRecord
from sync.schema import RECORDS, VERSIONS, decode, decode_value, encode, encode_value
from sync.views import view


def strategy(t: Any) -> st.SearchStrategy[Any]:
    """Values of a field type, drawn from the type's own rules."""
    if isinstance(t, f.Int):
        return st.integers(t.lo, t.hi)
    if isinstance(t, f.Text):
        if t.pattern is not None:
            # every pattern here stays matched when cut short
            return st.from_regex(t.pattern, fullmatch=True).map(lambda s: s[:t.max_len])
        return st.text(st.characters(blacklist_categories=("Cs",)), min_size=t.min_len, max_size=min(t.max_len, 12))
    if t is f.TIME:
        return st.datetimes().map(lambda d: d.replace(microsecond=0).isoformat())
    if t is f.DAY:
        return st.dates().map(lambda d: d.isoformat())
    if isinstance(t, f.Bool):
        return st.booleans()
    if isinstance(t, f.Choice):
        return st.sampled_from(t.values)
    if isinstance(t, f.Scalar):
        return st.one_of(st.booleans(), st.integers(-f.MAX_INT, f.MAX_INT), st.text(max_size=8))
    if isinstance(t, f.ListOf):
        return st.lists(strategy(t.item), max_size=min(t.max_items, 2)).map(tuple)
    if isinstance(t, f.MapOf):
        return st.dictionaries(strategy(t.key), strategy(t.value), max_size=3).map(lambda d: tuple(sorted(d.items())))
    if isinstance(t, (f.Nested, f.Packed)):
        return record_strategy(t.cls)
    raise AssertionError(t)


@st.composite
def sales(draw: st.DrawFn) -> SaleRecord:
    money, kwh = st.integers(0, 10 ** 9), st.integers(0, 10 ** 7)
    line = st.builds(EnergyLine, strategy(f.CODE), st.integers(1, 1000), strategy(f.CODE), kwh, money)
    energy = tuple(draw(st.lists(line, max_size=4)))
    fixed, debt, vat, change, used = (draw(money) for _ in range(5))
    spent = fixed + debt + vat + change + sum(e.amount for e in energy)
    used = min(used, spent)
    versions = draw(st.dictionaries(strategy(f.CODE), st.integers(1, 99), min_size=1, max_size=3))
    e, free = draw(kwh), draw(kwh)
    return SaleRecord(draw(strategy(f.UUID)), "T01-000123", "0123456789", "KES", spent - used, used, e, free,
                      e + free, change, fixed, debt, vat, energy, draw(st.sampled_from(sorted(versions))),
                      tuple(sorted(versions.items())), draw(st.integers(0, 12)), "2026-03-05T10:00:00",
                      draw(st.sampled_from(["cash", "bank"])), "admin", draw(st.sampled_from(["card", "sts"])),
                      draw(st.none() | st.just("1" * 20)))


def record_strategy(cls: type[Any]) -> st.SearchStrategy[Any]:
    if cls is SaleRecord:
        return sales()
    if cls is ReversalRecord:
        return st.builds(ReversalRecord, sales(), st.text(max_size=20))
    kwargs = {fd.attr: (st.none() | strategy(fd.type)) if fd.optional else strategy(fd.type) for fd in cls.WIRE}
    return st.builds(cls, **kwargs)


@pytest.mark.parametrize("kind", sorted(RECORDS))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_record_round_trips_through_its_canonical_bytes(kind: str, data: st.DataObject) -> None:
    record = data.draw(record_strategy(RECORDS[kind]))
    raw = encode(record)
    assert decode(kind, raw) == record and decode(kind, raw.decode()) == record
    assert encode(decode(kind, raw)) == raw
    assert json.loads(raw)["v"] == VERSIONS[kind] and b" " not in raw.replace(b'" "', b"").split(b'"')[0]


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(RECORDS)), raw=st.binary(max_size=200))
def test_decode_of_random_bytes_is_only_ever_the_typed_error(kind: str, raw: bytes) -> None:
    with pytest.raises(WireRecordInvalid):
        decode(kind, raw)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                                 max_size=4), max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(RECORDS)), value=JSON, v=st.integers(-1, 3))
def test_decode_of_random_json_is_a_record_or_the_typed_error(kind: str, value: Any, v: int) -> None:
    if isinstance(value, dict):
        value = value | {"v": v}
    raw = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    try:
        record = decode(kind, raw)
    except WireRecordInvalid as exc:
        assert exc.code in ("WIRE_RECORD_INVALID", "WIRE_VERSION_UNKNOWN") and exc.details["kind"] == kind
    else:
        assert encode(record) == raw


@settings(max_examples=60, deadline=None)
@given(record=sales(), data=st.data())
def test_a_mangled_sale_is_refused_naming_the_field(record: SaleRecord, data: st.DataObject) -> None:
    value = encode_value(record)
    key = data.draw(st.sampled_from(sorted(k for k in value if k not in ("v", "tok"))))
    bad = data.draw(st.sampled_from(["missing", "float", "negative", "string", "null"]))
    mangled = dict(value)
    if bad == "missing":
        del mangled[key]
    elif bad == "float":
        mangled[key] = 1.0
    elif bad == "negative":
        mangled[key] = -1
    elif bad == "string":
        mangled[key] = "x" * 600
    else:
        mangled[key] = None
    with pytest.raises(WireRecordInvalid) as err:
        decode_value("sale", mangled)
    assert err.value.code == "WIRE_RECORD_INVALID"
    assert err.value.details["field"] is None or err.value.details["field"].split(".")[0] in (key, "t", "pt", "ce")


def _sale() -> SaleRecord:
    return SaleRecord("01a23377-a16d-7637-aa1c-e329a7d3d72b", "T01-000001", "0123456789", "KES", 100000, 0, 5651, 0,
                      5651, 5, 15000, 0, 13792, (EnergyLine("RES", 1, "ENERGY", 5651, 67812),
                                                 EnergyLine("RES", 1, "REP", 5651, 3391)),
                      "RES", (("RES", 1),), 1, "2026-03-05T10:00:00", "cash", "admin", "card")


def test_the_cli_md_sale_is_its_record_viewed() -> None:
    out = view(_sale())
    assert {k: out[k] for k in ("tendered", "carry_over_used", "kwh", "free_kwh", "credit_kwh", "change_carried",
                                "tariff_version", "status")} == \
        {"tendered": "1000.00", "carry_over_used": "0.00", "kwh": "56.51", "free_kwh": "0.00",
         "credit_kwh": "56.51", "change_carried": "0.05", "tariff_version": 1, "status": "completed"}
    assert out["lines"] == [
        {"kind": "fixed", "amount": "150.00"}, {"kind": "debt", "amount": "0.00"},
        {"kind": "energy", "power_type": "RES", "block": 1, "sub_item": "ENERGY", "kwh": "56.51", "amount": "678.12"},
        {"kind": "energy", "power_type": "RES", "block": 1, "sub_item": "REP", "kwh": "56.51", "amount": "33.91"},
        {"kind": "vat", "amount": "137.92"}, {"kind": "carry_over", "amount": "0.05"}]
    assert len(encode(_sale())) < 345


@pytest.mark.parametrize("change, field", [
    ({"change_carried": 6}, "t"),            # a cent that the lines do not account for
    ({"credit_kwh": 5652}, "ce"),
    ({"power_type": "COM"}, "pt"),
])
def test_a_sale_that_does_not_add_up_cannot_be_made(change: dict[str, Any], field: str) -> None:
    with pytest.raises(WireRecordInvalid) as err:
        replace(_sale(), **change)
    assert err.value.details["field"] == field


@pytest.mark.parametrize("raw, field", [
    (b'{"v":1}', "at"),                                        # the first missing field, in key order
    (b'{"v":"1"}', "v"),
])
def test_refusals_name_the_field(raw: bytes, field: str) -> None:
    with pytest.raises(WireRecordInvalid) as err:
        decode("sale", raw)
    assert err.value.code == "WIRE_RECORD_INVALID"


def test_extra_field_float_and_spacing_are_refused() -> None:
    good = encode_value(_sale())
    for bad, field in ((good | {"zz": 1}, "zz"), (good | {"t": 100000.0}, "t"), (good | {"fx": -1}, "fx"),
                       (good | {"op": "a" * 65}, "op"), (good | {"tok": None}, "tok")):
        with pytest.raises(WireRecordInvalid) as err:
            decode_value("sale", bad)
        assert err.value.details["field"] == field
    spaced = json.dumps(good, sort_keys=True).encode()
    with pytest.raises(WireRecordInvalid, match="canonical"):
        decode("sale", spaced)
    with pytest.raises(WireRecordInvalid):
        decode("sale", encode(_sale()).replace(b'"v":1', b'"v":1,"v":1'))


def test_unknown_kind_and_newer_version_have_their_own_codes() -> None:
    with pytest.raises(WireKindUnknown) as err:
        decode("no_such_kind", b"{}")
    assert err.value.code == "WIRE_KIND_UNKNOWN"
    newer = encode(_sale()).replace(b'"v":1', b'"v":2')
    with pytest.raises(WireVersionUnknown) as v_err:
        decode("sale", newer)
    assert (v_err.value.code, v_err.value.details["version"], v_err.value.details["known"]) == \
        ("WIRE_VERSION_UNKNOWN", 2, 1)


@dataclass(frozen=True)
class _Grown:
    """A record in its version 2: ``note`` was added by version 2."""
    n: int
    note: str | None = None
    WIRE: ClassVar = (f.Field("n", "n", f.COUNT), f.Field("note", "no", f.Text(10), optional=True, since=2))


def test_a_reader_of_a_later_version_reads_the_earlier_one_and_the_earlier_refuses_the_added_field() -> None:
    where = f.Where("grown")
    assert f.load_fields(_Grown, {"n": 1}, where, version=1) == _Grown(1)
    assert f.load_fields(_Grown, {"n": 1, "no": "hi"}, where, version=2) == _Grown(1, "hi")
    with pytest.raises(WireRecordInvalid) as err:
        f.load_fields(_Grown, {"n": 1, "no": "hi"}, where, version=1)   # version 1 has no such field
    assert err.value.details["field"] == "no"
    assert f.dump_fields(_Grown(1), where, version=1) == {"n": 1}
    with pytest.raises(WireRecordInvalid):
        f.dump_fields(_Grown(1, "hi"), where, version=1)
