"""The system dictionary: the lists the utility keeps instead of free text (areas, buildings,
customer categories, payment methods, amendment reasons); `ppms setup dictionary list|add|remove`.

Other functions check a value against it with `in_dictionary(ctx, kind, code)` (or
`require_entry`, which refuses with DICTIONARY_ENTRY_NOT_FOUND). A kind with no entry at all
is a list the utility does not keep: `in_dictionary` answers True for any code of it, so a
terminal without a dictionary keeps accepting what it accepted before. A removed entry stays
in the ledger (inactive) so the records naming it still show its name; adding it again
brings it back. Each change: diary entry and outbox row (`dictionary`).
"""
from __future__ import annotations

import re
from typing import Any

from sync.setup_records import DictionaryRecord
from terminal.ledger import Fact, Outgoing, Repositories
from terminal.ledger.setup_rows import DictionaryEntry
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import DictionaryEntryInvalid, DictionaryEntryNotFound, DictionaryKindUnknown

KINDS: tuple[str, ...] = ("area", "building", "category", "payment_method", "amendment_reason")
_ALIASES = {"areas": "area", "buildings": "building", "categories": "category",
            "payment_methods": "payment_method", "amendment_reasons": "amendment_reason",
            "payment-method": "payment_method", "amendment-reason": "amendment_reason",
            "payment-methods": "payment_method", "amendment-reasons": "amendment_reason"}
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}", re.ASCII)
MAX_NAME = 200


def kind_of(text: str) -> str:
    """The dictionary kind a person typed (singular or plural, '-' or '_')."""
    kind = _ALIASES.get(text, text)
    if kind not in KINDS:
        raise DictionaryKindUnknown(f"no dictionary {text!r}; the dictionaries are {', '.join(KINDS)}", kind=text)
    return kind


def entry_in(r: Repositories, kind: str, code: str) -> bool:
    kind = kind_of(kind)
    found = r.dictionary.get(kind, code)
    if found is not None:
        return found.active
    return not r.dictionary.entries(kind)


def in_dictionary(ctx: Context, kind: str, code: str) -> bool:
    """Whether `code` is an active entry of dictionary `kind` (True for a kind not kept at all)."""
    with ctx.ledger.read() as r:
        return entry_in(r, kind, code)


def require_entry(r: Repositories, kind: str, code: str) -> None:
    """DICTIONARY_ENTRY_NOT_FOUND unless `in_dictionary` (for a service inside its own read/unit of work)."""
    if not entry_in(r, kind, code):
        raise DictionaryEntryNotFound(f"{code!r} is not in the {kind_of(kind)} dictionary "
                                      "(`ppms setup dictionary list`)", kind=kind_of(kind), code=code)


def _view(e: DictionaryEntry) -> dict[str, Any]:
    return {"kind": e.kind, "code": e.code, "name": e.name, "active": e.active, "changed_at": e.changed_at}


def listed(ctx: Context, session: Session, kind: str | None = None, removed: bool = False) -> dict[str, Any]:
    session.require(Permission.SETUP)
    wanted = kind_of(kind) if kind else None
    with ctx.ledger.read() as r:
        entries = r.dictionary.entries(wanted, active_only=not removed)
    return {"kind": wanted, "kinds": list(KINDS), "entries": [_view(e) for e in entries]}


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
