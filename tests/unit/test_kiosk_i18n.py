"""The kiosk's languages: every text a screen shows has its Chinese translation, the
catalogue format is gettext's, and money, dates and tokens are written for reading."""
from __future__ import annotations

import re
from pathlib import Path

from terminal.ui import i18n

UI = Path(__file__).resolve().parents[2] / "terminal" / "ui"
SHOWN = re.compile(r'(?:app\.tr\(app\.lang, |app\.t\(|self\.t\()"([^"]+)"')


def shown_texts() -> set[str]:
    texts: set[str] = set()
    for path in UI.rglob("*"):
        if path.suffix in (".py", ".kv"):
            texts |= set(SHOWN.findall(path.read_text(encoding="utf-8")))
    from terminal.ui import errors
    for title, advice in [*errors.BY_CODE.values(), *(w for _, w in errors.BY_CLASS + errors.UNCERTAIN), errors.REFUSED,
                          errors.INTERNAL]:
        texts |= {title, advice}
    return texts


def test_every_shown_text_has_a_chinese_translation() -> None:
    texts = shown_texts()
    assert len(texts) > 60
    missing = sorted(t for t in texts if t not in i18n.catalogue("zh"))
    assert missing == []


def test_po_files_parse_as_gettext() -> None:
    po = 'msgid ""\nmsgstr ""\n"Language: zh\\n"\n\nmsgid "Sell"\nmsgstr ""\n"售"\n"电"\n\nmsgid "Back"\nmsgstr ""\n'
    assert i18n.parse_po(po) == {"Sell": "售电"}
    assert i18n.tr("zh", "no such text") == "no such text"


def test_money_dates_and_tokens_for_reading() -> None:
    assert i18n.money("en", "1234567.50", "KES") == "KES 1,234,567.50"
    assert i18n.money("zh", "-50.00", "KES") == "-50.00 KES"
    assert i18n.when("zh", "2026-03-05T10:00:00") == "2026年03月05日 10:00"
    assert i18n.when("en", None) == "unknown"
    assert i18n.token_groups("12345678901234567890") == "1234 5678 9012 3456 7890"
