"""The golden ESC/POS receipts: known receipts and the exact bytes they print.

The vectors file tests/vectors/receipt_escpos.jsonl is regenerated ONLY deliberately,
after a reviewed change of the layout, the sample or python-escpos:

    PYTHONPATH=. python -m tests.unit.printers.golden --write

and the diff of the file is part of that change's review.
"""
from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from hardware.printers.escpos_render import render_escpos
from hardware.printers.layout import build_layout
from hardware.printers.model import ReceiptData, ReceiptKind, ReceiptLine
from hardware.printers.sample import SAMPLE_FORMAT, sample_sale

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "receipt_escpos.jsonl"


def reversal() -> ReceiptData:
    return ReceiptData(
        kind=ReceiptKind.REVERSAL,
        receipt_no="T01-000124",
        issued_at=datetime(2026, 3, 5, 11, 30, 0),
        terminal="T01",
        operator="supervisor",
        customer="Otieno Ochieng",
        meter="0123456789",
        extra=(("Original receipt", "T01-000123"), ("Reason", "Card not written")),
        lines=(ReceiptLine("Refund of sale T01-000123", "", "-1000.00"),),
        tendered="KES -1000.00",
        energy="-56.51 kWh",
        verify_payload="PPMS1|T01-000124|REV|T01-000123",
    )


CASES: dict[str, tuple[ReceiptData, Any]] = {
    "sale_80_en": (sample_sale(), SAMPLE_FORMAT),
    "sale_58_fr_copy": (sample_sale(copy=True),
                        replace(SAMPLE_FORMAT, paper_width_mm=58, language="fr")),
    "reversal_80_sw": (reversal(), replace(SAMPLE_FORMAT, language="sw")),
}


def render_case(name: str) -> bytes:
    data, fmt = CASES[name]
    return render_escpos(build_layout(data, fmt))


def load_vectors() -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in VECTORS.read_text().splitlines() if line.strip()]
    return {row["name"]: row for row in rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write", action="store_true", help="overwrite the golden vectors")
    args = ap.parse_args()
    lines = []
    for name in CASES:
        data = render_case(name)
        lines.append(json.dumps({"name": name, "length": len(data),
                                 "sha256": hashlib.sha256(data).hexdigest(),
                                 "hex": data.hex()}))
    if args.write:
        VECTORS.write_text("\n".join(lines) + "\n")
        print(f"wrote {VECTORS}")
    else:
        print("\n".join(line[:120] for line in lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
