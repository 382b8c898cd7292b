"""Bar charts as inline SVG, drawn on the server (no script, no external resource): one bar per
row of a report `Table`, its labels as text so a reader's search finds them."""
from __future__ import annotations

from html import escape

from terminal.reports.model import Chart, Table

_W, _H, _LEFT, _BOTTOM, _TOP = 480, 240, 78, 30, 12


def bars(t: Table, chart: Chart, key_label: str = "") -> str:
    values = [int(r.get(chart.column) or 0) for r in t.rows]
    keys = [str(r.get("key", "")) for r in t.rows]
    if not values:
        return ""
    top = max([0, *values]) or 1
    plot_w, plot_h = _W - _LEFT - 8, _H - _BOTTOM - _TOP
    slot = plot_w / len(values)
    every = max(len(values) // 8, 1)
    out = [f"<figcaption>{escape(chart.title)}</figcaption>",
           f'<svg class="chart" viewBox="0 0 {_W} {_H}" role="img" aria-label="{escape(chart.title)}" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{escape(chart.title)}</title>']
    for frac in (0.0, 0.5, 1.0):
        y = _TOP + plot_h * (1 - frac)
        out.append(f'<line x1="{_LEFT}" x2="{_W - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                   f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                   f'{escape(_short(t.shown(chart.column, int(top * frac)).split(".")[0]))}</text>')
    for i, (k, v) in enumerate(zip(keys, values, strict=True)):
        h = plot_h * max(v, 0) / top
        x = _LEFT + i * slot + slot * 0.15
        out.append(f'<rect x="{x:.1f}" y="{_TOP + plot_h - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}">'
                   f'<title>{escape(k)}: {escape(t.shown(chart.column, v))}</title></rect>')
        if i % every == 0:
            label = k[8:] if len(k) == 10 and k[4] == "-" else k[:12]
            out.append(f'<text x="{x + slot * 0.35:.1f}" y="{_H - 10}" text-anchor="middle">{escape(label)}</text>')
    if key_label:
        out.append(f'<text x="{_W - 8}" y="{_H - 1}" text-anchor="end" class="axis">{escape(key_label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _short(figure: str) -> str:
    """An axis figure in few characters: 300880 as 301k, 2500000 as 2.5M."""
    n = int(figure) if figure.lstrip("-").isdigit() else None
    if n is None or abs(n) < 10_000:
        return figure
    return f"{n / 1_000_000:.1f}M" if abs(n) >= 1_000_000 else f"{round(n / 1000)}k"
