"""What the kiosk's office screens ask beyond the office services they call (registration,
search, account statement, readings, shifts, the daily report): the operator's chosen
screen language and the power types a registration may choose.

The language is a ledger parameter per operator (`ui.language.<username>`, as report
layouts are kept), changed in one unit of work with its diary entry `operator.language`;
the kiosk applies it at login and stores it when the operator switches language on screen.
"""
from __future__ import annotations

from typing import Any

from terminal.ledger import Fact
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import InvalidArgument

#: the languages the screens are written in (terminal/ui/locale/<lang>.po)
LANGUAGES = ("en", "zh")
_LANGUAGE = "ui.language"


def language_key(username: str) -> str:
    return f"{_LANGUAGE}.{username}"


def language(ctx: Context, session: Session) -> str | None:
    """The language the operator chose last (None: never chosen)."""
    with ctx.ledger.read() as r:
        stored = r.meta.get(language_key(session.username))
    return stored if stored in LANGUAGES else None


def set_language(ctx: Context, session: Session, lang: str) -> dict[str, Any]:
    """Store the operator's screen language (INVALID_ARGUMENT for one the screens lack)."""
    if lang not in LANGUAGES:
        raise InvalidArgument(f"the screens are in {', '.join(LANGUAGES)}, not {lang!r}", key="language")
    key = language_key(session.username)
    with ctx.ledger.unit_of_work() as uow:
        before = uow.meta.get(key)
        if before != lang:
            uow.meta.put(key, lang)
            uow.record(Fact("operator.language", f"operator:{session.username}", session.username, ctx.now_iso(),
                            before=None if before is None else {"language": before}, after={"language": lang}))
    return {"operator": session.username, "language": lang}


def power_types(ctx: Context, session: Session) -> list[dict[str, str]]:
    """The power types of the tariff book, for the registration screen's choice."""
    session.require(Permission.REGISTRATION)
    with ctx.ledger.read() as r:
        return [{"code": code, "name": name} for code, name in r.tariff_book.power_types()]
