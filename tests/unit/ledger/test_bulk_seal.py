"""The bulk writer's seal arithmetic is the seal's own: the same digest, the same chained mac."""
from __future__ import annotations

from terminal.ledger.bulk import Chain, row_digest
from terminal.ledger.seal import GENESIS, digest, link

ROWS = [
    (1, "01a234fc-296f-7d8c-a904-6f7ba6b971f3", "T01-000500", 86, None, "2025-06-04T12:46:51", 25000, 0),
    (7, "Wanjiru Kamau \u2014 \u738b\u82b3", 'a "quoted" \\ name', '{"RES":1}', -3, None),
    (2, b"\x00\xffbytes", "x"),
    (),
]


def test_row_digest_is_the_seal_digest() -> None:
    for row in ROWS:
        assert row_digest(row) == digest(*row)


def test_the_chain_links_as_the_seal_links() -> None:
    key = bytes(range(32))
    chain = Chain(key)
    prev: str | None = None
    for table, row_key in (("sale", "1"), ("sale_line", "1/6"), ("sale_usage", "12/RES"), ("meta", 'a "b" \u738b'),
                           ("diary", "1220")):
        d = digest(table, row_key)
        want = link(key, prev, table, row_key, d)
        assert chain.link(prev, table, row_key, d) == want
        prev = want
    assert chain.link(GENESIS, "sale", "2", "0" * 64) == link(key, None, "sale", "2", "0" * 64)
