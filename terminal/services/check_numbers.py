"""`ppms check`'s numbering: receipt numbers and the outbox sequence are gapless, except for
the ranges a restore of an older copy skipped (`number_skip`, written by `ppms restore`):
a skipped number counts as issued, and no row may carry one."""
from __future__ import annotations

from collections.abc import Iterator

from terminal.ledger import Repositories


def _count(ranges: list[tuple[int, int]]) -> int:
    return sum(last - first + 1 for first, last in ranges)


def numbering_findings(r: Repositories, sales: int) -> Iterator[tuple[str, str]]:
    """(code, message) for each break in the numbering; `sales`: the sales the ledger holds."""
    receipts = r.counters.current_value("receipt")
    skipped = _count(r.counters.skipped("receipt"))
    if sales + skipped != receipts:
        yield "RECEIPT_GAP", (f"{sales} sales but {receipts} receipt numbers issued"
                              + (f" ({skipped} skipped at a restore)" if skipped else ""))
    n_out, max_seq = r.outbox.extent()
    issued = r.counters.current_value("outbox")
    skipped = _count(r.counters.skipped("outbox"))
    if n_out + skipped != issued or max_seq > issued or (skipped and r.counters.skipped_seqs_in_outbox()):
        yield "OUTBOX_GAP", (f"outbox holds {n_out} rows up to sequence {max_seq}"
                             + (f" ({skipped} skipped at a restore)" if skipped else ""))
