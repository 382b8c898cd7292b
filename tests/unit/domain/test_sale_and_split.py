"""The sale state machine and mixed-use split text."""
from __future__ import annotations

import itertools

import pytest

from terminal.domain.errors import IllegalSaleTransition, ShareSplitInvalid
from terminal.domain.sale import (
    FINAL_STATUSES,
    SaleStatus,
    can_transition,
    check_transition,
)
from terminal.domain.split import format_split, parse_split

S = SaleStatus
ALLOWED = {
    (S.QUOTED, S.PENDING), (S.PENDING, S.CARRIER_WRITTEN), (S.PENDING, S.VOIDED),
    (S.CARRIER_WRITTEN, S.COMPLETED), (S.COMPLETED, S.PRINTED), (S.COMPLETED, S.REVERSED),
    (S.PRINTED, S.REVERSED),
}


def test_values_are_lowercase_words() -> None:
    assert [s.value for s in S] == ["quoted", "pending", "carrier_written", "completed",
                                    "printed", "voided", "reversed"]
    assert S("pending") is S.PENDING and f"{S.PENDING}" == "pending"


@pytest.mark.parametrize(("old", "new"), list(itertools.product(S, S)))
def test_every_pair(old: SaleStatus, new: SaleStatus) -> None:
    if (old, new) in ALLOWED:
        check_transition(old, new)
        assert can_transition(old, new)
    else:
        with pytest.raises(IllegalSaleTransition) as info:
            check_transition(old, new)
        assert info.value.code == "ILLEGAL_SALE_TRANSITION"
        assert info.value.details == {"old": old.value, "new": new.value}


def test_named_rules() -> None:
    with pytest.raises(IllegalSaleTransition):
        check_transition(S.PENDING, S.COMPLETED)      # the carrier must be written first
    with pytest.raises(IllegalSaleTransition):
        check_transition(S.CARRIER_WRITTEN, S.VOIDED)  # it reached the customer
    check_transition(S("printed"), S("reversed"))
    assert FINAL_STATUSES == {S.VOIDED, S.REVERSED}


def test_parse_split() -> None:
    assert parse_split("RES:70,COM:30") == (("RES", 70), ("COM", 30))
    assert parse_split(" RES: 70 , COM :30") == (("RES", 70), ("COM", 30))
    assert parse_split("RES") == (("RES", 100),)
    assert parse_split("RES:100") == (("RES", 100),)
    assert format_split((("RES", 70), ("COM", 30))) == "RES:70,COM:30"
    for bad in ("RES:70,COM:20", "RES:70,RES:30", "RES:0,COM:100", "RES:70,", "RES=70", "", "RES:100.0", "R E S:100"):
        with pytest.raises(ShareSplitInvalid):
            parse_split(bad)
