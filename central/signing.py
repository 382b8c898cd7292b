"""Checking a signed request (docs/sync.md, "Signing"): client, timestamp, nonce, HMAC.

The nonce is stored only once every other check has passed, in its own short transaction;
a refused request stores nothing. Each refusal is logged (client, path, code), never
with the secret or the signature.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Mapping
from typing import Any

import peewee

from central import db as central_db
from central.errors import (
    BadAuthHeaders,
    BadSignature,
    Refused,
    ReplayedNonce,
    StaleTimestamp,
    UnknownClient,
    WrongClient,
)
from central.models import Gateway, Nonce, Terminal

log = logging.getLogger("ppms.central.security")

MAX_SKEW_S = 300
NONCE_TTL_S = 600
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
CLIENT = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def message(method: str, path_with_query: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return b"\n".join([method.upper().encode(), path_with_query.encode(), timestamp.encode(), nonce.encode()]) \
        + b"\n" + body


def secret_of(client: str, kind: str) -> str | None:
    row: Any = (Terminal.get_or_none(Terminal.id == client) if kind == "terminal"
                else Gateway.get_or_none(Gateway.name == client))
    return None if row is None else str(row.secret)


def verify(headers: Mapping[str, str], method: str, path_with_query: str, body: bytes, kinds: tuple[str, ...],
           owner: str | None = None, now: float | None = None) -> tuple[str, str]:
    """The (client, kind) a request is signed by, or a Refused error (logged). `owner`: the
    client the request speaks for (a batch's terminal_id): another one is WrongClient (403)."""
    client = headers.get("x-ppms-client", "")
    try:
        return _verify(client, headers, method, path_with_query, body, kinds, owner,
                       time.time() if now is None else now)
    except (Refused, WrongClient) as exc:
        log.warning("refused %s %s from client %r: %s", method, path_with_query[:200], client[:64], exc.code)
        raise


def _verify(client: str, headers: Mapping[str, str], method: str, path: str, body: bytes, kinds: tuple[str, ...],
            owner: str | None, now: float) -> tuple[str, str]:
    stamp = headers.get("x-ppms-timestamp", "")
    nonce = headers.get("x-ppms-nonce", "")
    signature = headers.get("x-ppms-signature", "")
    if not CLIENT.fullmatch(client):
        raise BadAuthHeaders("X-PPMS-Client is missing or not a client name")
    if not re.fullmatch(r"\d{1,12}", stamp):
        raise BadAuthHeaders("X-PPMS-Timestamp must be Unix seconds")
    if not NONCE.fullmatch(nonce):
        raise BadAuthHeaders("X-PPMS-Nonce must be 16-64 characters A-Z a-z 0-9 _ -")
    if not re.fullmatch(r"[0-9a-f]{64}", signature):
        raise BadAuthHeaders("X-PPMS-Signature must be 64 lowercase hex digits")
    found = [(kind, s) for kind in kinds if (s := secret_of(client, kind)) is not None]
    if not found:
        raise UnknownClient(f"no client {client!r} is registered here")
    kind, secret = found[0]
    expected = hmac.new(bytes.fromhex(secret), message(method, path, stamp, nonce, body), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise BadSignature("the request's signature does not match")
    if abs(now - int(stamp)) > MAX_SKEW_S:
        raise StaleTimestamp(f"the request's time is more than {MAX_SKEW_S} s from the center's clock")
    if owner is not None and owner != client:
        raise WrongClient(f"client {client} cannot speak for {owner[:32]!r}")
    _use_nonce(client, nonce, int(now))
    return client, kind


def _use_nonce(client: str, nonce: str, now: int) -> None:
    db = Nonce._meta.database
    try:
        with central_db.write(db):
            Nonce.delete().where(Nonce.seen_at < now - NONCE_TTL_S).execute()
            added = list(Nonce.insert(client=client, nonce=nonce, seen_at=now).on_conflict_ignore()
                         .returning(Nonce.nonce).execute())
            if not added:
                raise ReplayedNonce("this nonce was already used by this client")
    except peewee.IntegrityError:
        raise ReplayedNonce("this nonce was already used by this client") from None

