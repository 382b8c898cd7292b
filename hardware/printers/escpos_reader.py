"""A strict reader for the ESC/POS subset this package emits (pure: bytes in, items out).

It plays the printer's part in tests: what text rows, with which style, and which
raster images a byte stream prints, so tests can check that the bytes say what the
layout and the preview say. Any command outside the subset raises ``ValueError``.

Subset: LF, ESC @, ESC t n, ESC ! n, ESC E n, ESC a n, ESC d n, GS V m [n],
GS v 0 m xL xH yL yH d..., and DLE EOT n (status queries, skipped).
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A
_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


@dataclass(frozen=True)
class PrintedRow:
    text: str
    align: str
    bold: bool
    double_width: bool
    double_height: bool


@dataclass(frozen=True)
class PrintedImage:
    width: int  # dots
    height: int
    raster: bytes  # GS v 0 raster: rows of ceil(width / 8) bytes, MSB left, 1 = black

    def dark(self, x: int, y: int) -> bool:
        row = (self.width + 7) // 8
        return bool(self.raster[y * row + x // 8] & (0x80 >> (x % 8)))


@dataclass(frozen=True)
class PrintedFeed:
    lines: int


@dataclass(frozen=True)
class PrintedCut:
    partial: bool


PrintedItem = PrintedRow | PrintedImage | PrintedFeed | PrintedCut


class _State:
    def __init__(self, code_pages: dict[int, str]) -> None:
        self.code_pages = code_pages
        self.reset()

    def reset(self) -> None:
        self.codec = "cp437"
        self.mode = 0  # ESC ! bits
        self.bold = False
        self.align = "left"


def read_escpos(data: bytes, code_pages: dict[int, str] | None = None) -> list[PrintedItem]:
    """Decode ``data``; ``code_pages`` maps ESC t slots to Python codecs (default: slot 0
    is PC437 and the profile slots python-escpos uses for PC437/PC850)."""
    st = _State(code_pages or {0: "cp437", 2: "cp850", 52: "cp437"})
    items: list[PrintedItem] = []
    text = bytearray()
    i, n = 0, len(data)

    def need(k: int) -> bytes:
        if i + k > n:
            raise ValueError(f"truncated command at byte {i}")
        return data[i : i + k]

    while i < n:
        b = data[i]
        if b == LF:
            items.append(PrintedRow(codecs.decode(bytes(text), st.codec), st.align,
                                    st.bold, bool(st.mode & 0x20), bool(st.mode & 0x10)))
            text.clear()
            i += 1
        elif b == ESC:
            cmd = need(2)[1]
            if cmd == 0x40:  # ESC @
                st.reset()
                i += 2
                continue
            arg = need(3)[2]
            if cmd == 0x74:  # ESC t n
                if arg not in st.code_pages:
                    raise ValueError(f"code page slot {arg} not known to the reader")
                st.codec = st.code_pages[arg]
            elif cmd == 0x21:  # ESC ! n
                st.mode = arg
                st.bold = bool(arg & 0x08)
            elif cmd == 0x45:  # ESC E n
                st.bold = bool(arg & 1)
            elif cmd == 0x61:  # ESC a n
                st.align = _ALIGN[arg]
            elif cmd == 0x64:  # ESC d n: print and feed n lines
                if text:
                    raise ValueError("ESC d with unprinted text is not used here")
                items.append(PrintedFeed(arg))
            else:
                raise ValueError(f"ESC 0x{cmd:02x} at byte {i} is outside the subset")
            i += 3
        elif b == GS:
            cmd = need(2)[1]
            if cmd == 0x56:  # GS V m [n]
                m = need(3)[2]
                if m in (0, 1, 48, 49):
                    items.append(PrintedCut(partial=m in (1, 49)))
                    i += 3
                elif m in (65, 66):
                    need(4)
                    items.append(PrintedCut(partial=m == 66))
                    i += 4
                else:
                    raise ValueError(f"GS V {m} is outside the subset")
            elif cmd == 0x76:  # GS v 0 m xL xH yL yH
                head = need(8)
                if head[2] != 0x30:
                    raise ValueError("only GS v 0 raster images are read")
                wb = head[4] | head[5] << 8
                h = head[6] | head[7] << 8
                i += 8
                raster = need(wb * h)
                items.append(PrintedImage(wb * 8, h, bytes(raster)))
                i += wb * h
            else:
                raise ValueError(f"GS 0x{cmd:02x} at byte {i} is outside the subset")
        elif b == DLE:
            if need(3)[1] != 0x04:
                raise ValueError(f"DLE 0x{data[i + 1]:02x} is outside the subset")
            i += 3
        elif b < 0x20:
            raise ValueError(f"control byte 0x{b:02x} at {i} is outside the subset")
        else:
            text.append(b)
            i += 1
    if text:
        raise ValueError("text left unprinted at the end (no line feed)")
    return items


def printed_text(items: list[PrintedItem]) -> list[str]:
    """The text rows only, as printed (alignment not applied)."""
    return [it.text for it in items if isinstance(it, PrintedRow)]


__all__ = [
    "PrintedCut",
    "PrintedFeed",
    "PrintedImage",
    "PrintedItem",
    "PrintedRow",
    "printed_text",
    "read_escpos",
]
