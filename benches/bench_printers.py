"""Receipt printing figures: layout, ESC/POS rendering, PNG preview, and a full print to
the fake network printer on 127.0.0.1 (status queries included)."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any


def _per_call_ms(fn: Callable[[], object], n: int) -> float:
    fn()  # warm up (imports, font and profile caches)
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return round((time.perf_counter() - start) * 1000 / n, 3)


def run() -> dict[str, Any]:
    from hardware.printers import build_layout
    from hardware.printers.connections import (
        PrinterSettings,
        open_printer,
        print_receipt,
    )
    from hardware.printers.escpos_render import render_escpos
    from hardware.printers.fake_network_printer import FakeNetworkPrinter
    from hardware.printers.preview import render_preview
    from hardware.printers.sample import SAMPLE_FORMAT, sample_sale

    data = sample_sale()
    out: dict[str, Any] = {}
    for paper in (80, 58):
        fmt = replace(SAMPLE_FORMAT, paper_width_mm=paper)
        layout = build_layout(data, fmt)
        out[f"layout_ms_{paper}mm"] = _per_call_ms(partial(build_layout, data, fmt), 200)
        out[f"escpos_ms_{paper}mm"] = _per_call_ms(partial(render_escpos, layout), 50)
        out[f"escpos_bytes_{paper}mm"] = len(render_escpos(layout))
        out[f"preview_ms_{paper}mm"] = _per_call_ms(partial(render_preview, layout), 10)
    layout = build_layout(data, SAMPLE_FORMAT)
    with FakeNetworkPrinter() as fake:
        settings = PrinterSettings("network", host=fake.host, port=fake.port, timeout_s=2)

        def once() -> None:
            with open_printer(settings) as conn:
                print_receipt(conn, layout)

        # includes the fake printer's 50 ms quiet period before it answers each of 4 queries
        out["network_print_ms_80mm"] = _per_call_ms(once, 5)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
