"""Languages of the screens: gettext catalogues (`locale/<lang>.po`), the CJK font, and the
locale's way of writing money and dates.

The catalogues are plain gettext `.po` files (msgid = the English text), read here without
a compile step; a text missing from a catalogue shows in English. Kivy's default font has
no Chinese glyphs, so the first CJK font found (Debian's fonts-wqy-microhei, installed by
the Makefile, or fonts-noto-cjk) becomes the default font of every label.
"""
from __future__ import annotations

import ast
import logging
from datetime import datetime
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("en", "zh")
CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc")


def parse_po(text: str) -> dict[str, str]:
    """msgid -> msgstr of a .po file (single and continued lines; empty msgstr left out)."""
    out: dict[str, str] = {}
    key: str | None = None
    current: list[str] = []
    field = ""

    def flush() -> None:
        if field == "msgstr" and key and "".join(current):
            out[key] = "".join(current)

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("msgid "):
            flush()
            field, current = "msgid", [ast.literal_eval(line[6:])]
        elif line.startswith("msgstr "):
            key = "".join(current)
            field, current = "msgstr", [ast.literal_eval(line[7:])]
        elif line.startswith('"') and field:
            current.append(ast.literal_eval(line))
    flush()
    return out


@cache
def catalogue(lang: str) -> dict[str, str]:
    path = LOCALE_DIR / f"{lang}.po"
    return parse_po(path.read_text(encoding="utf-8")) if path.exists() else {}


def tr(lang: str, text: str) -> str:
    """The text in the language (English when the catalogue has none)."""
    return catalogue(lang).get(text, text)


def cjk_font() -> str | None:
    return next((f for f in CJK_FONTS if Path(f).exists()), None)


def group_thousands(amount: str) -> str:
    """'1234567.50' -> '1,234,567.50' (the service's text, grouped for reading)."""
    sign = "-" if amount.startswith("-") else ""
    whole, _, frac = amount.lstrip("-").partition(".")
    grouped = f"{int(whole):,}" if whole.isdigit() else whole
    return sign + grouped + (f".{frac}" if frac else "")


def money(lang: str, amount: str | None, currency: str = "") -> str:
    if amount is None:
        return "—"
    shown = group_thousands(amount)
    return f"{currency} {shown}".strip() if lang == "en" else f"{shown} {currency}".strip()


def when(lang: str, iso: str | None) -> str:
    if not iso:
        return tr(lang, "unknown")
    try:
        at = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return at.strftime("%Y年%m月%d日 %H:%M") if lang == "zh" else at.strftime("%d %b %Y %H:%M")


def day(lang: str, iso_day: str) -> str:
    """A calendar day (YYYY-MM-DD) the locale's way: '05 Mar 2026', '2026年03月05日'."""
    try:
        d = datetime.fromisoformat(iso_day)
    except ValueError:
        return iso_day
    return d.strftime("%Y年%m月%d日") if lang == "zh" else d.strftime("%d %b %Y")


def token_groups(digits: str) -> str:
    """An STS token's 20 digits in groups of four, as the customer keys them in."""
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))
