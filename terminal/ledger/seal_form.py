"""The seal's compact form and migration 27, which converts a ledger's seal to it.

Up to migration 26 a seal row held its digest and mac as 64 hex characters each (about
150 bytes a row, 28 rows a sale); the compact form holds the first 16 bytes of each as a
BLOB (about 55 bytes a row). The triggers are the same in both forms: the SQL functions
they call (`Sealer.digest`, `Sealer.link`) write the form the ledger is in, so a table
another migration seals (`seal_schema.table_seal`) is sealed in the right form whichever
order the migrations land in.

Migration 27 rewrites every seal in seq order, in the migrations' one transaction:

- the digest becomes its first 16 bytes ("deleted" stays);
- the mac is recomputed in the compact form over the compact digest, chained on the
  compact mac before it, but only where the old mac follows from the one before it
  (verified with the key as `check` did): where it did not (a forged, edited or cut
  seal), the new mac is deliberately not the one that follows, so `check` reports the
  same SEAL_CHAIN_BROKEN seals after the migration as before it. A row that differed
  from its seal still differs (its digest is computed the same way), a row without a
  seal still has none;
- the head file: a head on the old chain gets the same point on the new chain, written
  into its other slot before the commit (of two slots at one point, the one on the chain
  counts, so a rollback leaves the old point good); a head off the chain or ahead of it
  is left as it was, so `check` still reports it.
"""
from __future__ import annotations

from typing import Any, Final

from terminal.ledger.seal import COMPACT, CUT, GENESIS, TOMBSTONE, Head, Sealer, link, link_hex, write_head
from terminal.ledger.seal_schema import seal_guards

COMPACT_FN, DIGEST_OF, CONVERT, COMPACTED = ("ppms_seal_compact", "ppms_seal_digest_of", "ppms_seal_convert",
                                             "ppms_seal_compacted")

M0027_SEAL_COMPACT: Final = [
    f"SELECT {COMPACT_FN}()",
    "DROP TABLE IF EXISTS temp.seal_compact",
    f"""CREATE TEMP TABLE seal_compact AS SELECT seq, tbl, row_key, {DIGEST_OF}(digest) AS digest,
        {CONVERT}(mac, tbl, row_key, digest) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING
        AND CURRENT ROW) AS mac FROM seal ORDER BY seq""",
    "DROP TRIGGER seal_no_delete",
    "DELETE FROM seal",
    "INSERT INTO seal (seq, tbl, row_key, digest, mac) SELECT seq, tbl, row_key, digest, mac "
    "FROM temp.seal_compact ORDER BY seq",
    "DROP TABLE temp.seal_compact",
    *seal_guards(("DELETE",)),
    f"SELECT {COMPACTED}()",
]


def compact_digest(old: Any) -> Any:
    """A first-form digest in the compact form; anything that is not one is kept as it is."""
    if isinstance(old, str) and old != TOMBSTONE and len(old) == 64:
        try:
            return bytes.fromhex(old)[:CUT]
        except ValueError:
            return old
    return old


class _Convert:
    """The window function that rewrites the chain: see the module's docstring."""

    def __init__(self, sealer: Sealer) -> None:
        self.key = sealer.key
        self.old_prev: str = GENESIS
        self.new_prev: bytes | None = None
        self.mac: bytes = b""

    def step(self, mac: Any, table: str, row_key: str, digest: Any) -> None:
        follows = link_hex(self.key, self.old_prev, table, row_key, digest) == mac
        due = link(self.key, self.new_prev, table, row_key, compact_digest(digest))
        self.mac = due if follows else bytes(b ^ 0xFF for b in due)
        self.old_prev, self.new_prev = str(mac), self.mac

    def value(self) -> bytes:
        return self.mac

    def inverse(self, *_: Any) -> None:  # pragma: no cover - the frame never shrinks
        raise NotImplementedError("the conversion runs over ROWS UNBOUNDED PRECEDING")

    finalize = value


class _Compaction:
    """The two calls migration 27 makes around the conversion, with the head between them."""

    def __init__(self, sealer: Sealer) -> None:
        self.sealer = sealer
        self.head_seq: int | None = None

    def begin(self) -> int:
        """Before: the head's point if it is on the (old) chain; from now on, seal compactly."""
        head = self.sealer.head()
        self.head_seq = head.seq if head is not None and head.seq and self.sealer.mac_at(head.seq) == head.mac \
            else None
        self.sealer.form = COMPACT
        return 1

    def end(self) -> int:
        """After: the same point on the new chain, beside the old one in the head file."""
        if self.head_seq is not None:
            mac = self.sealer.mac_at(self.head_seq)
            if mac is not None:
                write_head(self.sealer.head_path, self.sealer.key, Head(self.head_seq, mac))
        return 1


def register(sealer: Sealer) -> None:
    """Give the ledger's connections the functions migration 27 calls."""
    db, compaction = sealer.db, _Compaction(sealer)
    db.register_function(compaction.begin, COMPACT_FN, 0, deterministic=False)
    db.register_function(compaction.end, COMPACTED, 0, deterministic=False)
    db.register_function(compact_digest, DIGEST_OF, 1, deterministic=True)
    db.register_window_function(lambda: _Convert(sealer), CONVERT, 4)
