"""The bulk writer's seal arithmetic is the seal's own, in both of the seal's forms: the same
digest, the same chained mac (the compact form of migration 27, and the first form a ledger
not yet migrated still writes)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from terminal.ledger.bulk import Chain, row_digest
from terminal.ledger.seal import GENESIS, digest, digest_hex, link, link_hex

ROWS = [
    (1, "01a234fc-296f-7d8c-a904-6f7ba6b971f3", "T01-000500", 86, None, "2025-06-04T12:46:51", 25000, 0),
    (7, "Wanjiru Kamau \u2014 \u738b\u82b3", 'a "quoted" \\ name', '{"RES":1}', -3, None),
    (2, b"\x00\xffbytes", "x"),
    (),
]
FORMS = [pytest.param(True, digest, link, id="compact"), pytest.param(False, digest_hex, link_hex, id="first")]


@pytest.mark.parametrize(("compact", "seal_digest", "seal_link"), FORMS)
def test_row_digest_is_the_seal_digest(compact: bool, seal_digest: Callable[..., Any],
                                       seal_link: Callable[..., Any]) -> None:
    for row in ROWS:
        assert row_digest(row, compact) == seal_digest(*row)


@pytest.mark.parametrize(("compact", "seal_digest", "seal_link"), FORMS)
def test_the_chain_links_as_the_seal_links(compact: bool, seal_digest: Callable[..., Any],
                                           seal_link: Callable[..., Any]) -> None:
    key = bytes(range(32))
    chain = Chain(key, compact)
    prev: Any = None
    for table, row_key in (("sale", "1"), ("sale_line", "1/6"), ("sale_usage", "12/RES"), ("meta", 'a "b" \u738b'),
                           ("diary", "1220")):
        d = seal_digest(table, row_key)
        want = seal_link(key, prev, table, row_key, d)
        assert chain.link(prev, table, row_key, d) == want
        prev = want
    d = seal_digest("x")
    assert chain.link(GENESIS, "sale", "2", d) == seal_link(key, None, "sale", "2", d)
