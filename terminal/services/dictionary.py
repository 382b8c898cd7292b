"""The system dictionary: the lists the utility keeps instead of free text (areas, buildings,
customer categories, payment methods, amendment reasons, meter makers and models);
`ppms setup dictionary list|add|remove`.

The office functions take a coded field through `coded(r, key, kind, value)`: registration
(area, building, category, maker, model), the basic-file amendment (area, building,
category), the amendments' fee payment (payment method) and reasons (reissue card, replace
and cancel meter). What a clerk types is matched to an active entry by its code, or by its
code or name in any case, and the entry's code is what is stored; anything else is refused
with DICTIONARY_VALUE_UNKNOWN (details: key, kind, value, allowed) before anything is
written. A kind with no active entry is a list the utility does not keep: its field stays
free text, so a terminal whose dictionary is empty keeps accepting what it accepted before,
and the first entry added to a kind makes that list binding (`ppms setup dictionary list`
says which lists are kept; with the category list kept, a category needs no preferential
sheet: `registration.customer_category`). A removed entry stays in the ledger (inactive) so the records
naming it still show its name; adding it again brings it back. Each change: diary entry and
outbox row (`dictionary`).
"""
from __future__ import annotations

import re
from typing import Any

from sync.setup_records import DictionaryRecord
from terminal.ledger import Fact, Outgoing, Repositories
from terminal.ledger.setup_rows import DictionaryEntry
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import (
    DictionaryEntryInvalid,
    DictionaryEntryNotFound,
    DictionaryKindUnknown,
    DictionaryValueUnknown,
)

KINDS: tuple[str, ...] = ("area", "building", "category", "payment_method", "amendment_reason", "maker", "model")
_ALIASES = {"areas": "area", "buildings": "building", "categories": "category",
            "payment_methods": "payment_method", "amendment_reasons": "amendment_reason",
            "payment-method": "payment_method", "amendment-reason": "amendment_reason",
            "payment-methods": "payment_method", "amendment-reasons": "amendment_reason",
            "makers": "maker", "models": "model"}
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}", re.ASCII)
MAX_NAME = 200


def kind_of(text: str) -> str:
    """The dictionary kind a person typed (singular or plural, '-' or '_')."""
    kind = _ALIASES.get(text, text)
    if kind not in KINDS:
        raise DictionaryKindUnknown(f"no dictionary {text!r}; the dictionaries are {', '.join(KINDS)}", kind=text)
    return kind


def in_dictionary(ctx: Context, kind: str, code: str) -> bool:
    """Whether `code` names an active entry of dictionary `kind` (True for a kind not kept at
    all): what a screen asks before it offers a value, `coded` is what the services enforce."""
    with ctx.ledger.read() as r:
        try:
            coded(r, kind_of(kind), kind_of(kind), code)
        except DictionaryValueUnknown:
            return False
    return True


def coded(r: Repositories, key: str, kind: str, value: str | None) -> str | None:
    """The code of the entry a clerk named in field `key` (None stays None); the value itself
    when the utility keeps no `kind` list; DICTIONARY_VALUE_UNKNOWN otherwise."""
    if value is None:
        return None
    kept = r.dictionary.entries(kind)
    if not kept:
        return value
    typed = value.strip()
    found = _matches(kept, typed)
    if len(found) == 1:
        return found[0]
    allowed = [e.code for e in kept]
    raise DictionaryValueUnknown(
        f"{key.replace('_', ' ')} {typed!r} is not in the {kind.replace('_', ' ')} list; one of "
        f"{', '.join(allowed[:20])}{' ...' if len(allowed) > 20 else ''} (`ppms setup dictionary list {kind}`)",
        key=key, kind=kind, value=typed, allowed=allowed)


def _matches(kept: list[DictionaryEntry], typed: str) -> list[str]:
    exact = [e.code for e in kept if e.code == typed]
    return exact or [e.code for e in kept if typed.casefold() in (e.code.casefold(), e.name.casefold())]


def searched(r: Repositories, kind: str, value: str | None) -> str | None:
    """A search filter's value as the files store it: the code of the one entry it names (by
    code or name, any case), else the value as typed (a search is never refused for it)."""
    if value is None:
        return None
    found = _matches(r.dictionary.entries(kind), value.strip())
    return found[0] if len(found) == 1 else value


def _view(e: DictionaryEntry) -> dict[str, Any]:
    return {"kind": e.kind, "code": e.code, "name": e.name, "active": e.active, "changed_at": e.changed_at}


def listed(ctx: Context, session: Session, kind: str | None = None, removed: bool = False) -> dict[str, Any]:
    """The lists (setup, or search: a clerk refused a value reads what the list allows)."""
    if Permission.SETUP.value not in session.permissions:
        session.require(Permission.SEARCH)
    wanted = kind_of(kind) if kind else None
    with ctx.ledger.read() as r:
        entries = r.dictionary.entries(wanted, active_only=not removed)
        kept = sorted({e.kind for e in r.dictionary.entries()})
    return {"kind": wanted, "kinds": list(KINDS), "kept": kept, "entries": [_view(e) for e in entries]}


def add(ctx: Context, session: Session, kind: str, code: str, name: str) -> dict[str, Any]:
    """Add an entry, rename one, or bring a removed one back."""
    session.require(Permission.SETUP)
    kind = kind_of(kind)
    if not CODE.fullmatch(code):
        raise DictionaryEntryInvalid("a dictionary code is 1-32 letters, digits, '_' or '-', "
                                     "starting with a letter or digit", key="code")
    name = name.strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise DictionaryEntryInvalid(f"a dictionary name is 1-{MAX_NAME} printable characters", key="name")
    return _put(ctx, session, kind, code, name, True)


def remove(ctx: Context, session: Session, kind: str, code: str) -> dict[str, Any]:
    session.require(Permission.SETUP)
    kind = kind_of(kind)
    with ctx.ledger.read() as r:
        found = r.dictionary.get(kind, code)
    if found is None or not found.active:
        raise DictionaryEntryNotFound(f"{code!r} is not in the {kind} dictionary", kind=kind, code=code)
    return _put(ctx, session, kind, code, found.name, False)


def _put(ctx: Context, session: Session, kind: str, code: str, name: str, active: bool) -> dict[str, Any]:
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        before = uow.dictionary.get(kind, code)
        if before is not None and (before.name, before.active) == (name, active):
            return _view(before) | {"changed": False}
        uow.dictionary.put(kind, code, name, active, at)
        uow.record(Fact("dictionary.add" if active else "dictionary.remove", f"dictionary:{kind}:{code}",
                        session.username, at,
                        before=None if before is None else {"name": before.name, "active": before.active},
                        after={"name": name, "active": active},
                        outbox=Outgoing("dictionary", f"dictionary:{kind}:{code}:{at}",
                                        DictionaryRecord(kind, code, name, active, at, session.username))))
        after = uow.dictionary.get(kind, code)
    assert after is not None
    return _view(after) | {"changed": True}
