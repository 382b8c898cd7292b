"""The center's signature check against the terminal's signer (two implementations of one
contract), and the agent's backoff bounds."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from central import db as central_db
from central import signing
from central.errors import BadSignature, ReplayedNonce, StaleTimestamp, UnknownClient
from central.models import TABLES, Nonce, Terminal, proxy
from sync.client import signed_headers
from sync.runner import backoff_s

SECRET = bytes(range(32))


@pytest.fixture
def center(tmp_path: Path) -> Iterator[None]:
    db = central_db.connect(f"sqlite:///{tmp_path / 'c.db'}")
    proxy.initialize(db)
    db.create_tables(TABLES)
    Terminal.create(id="T01", secret=SECRET.hex(), created_at="2026-03-05T10:00:00")
    yield
    db.close()


def lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def test_the_terminals_signature_holds_once(center: None) -> None:
    h = lower(signed_headers("T01", SECRET, "GET", "/api/v1/feed?cursor=3", b"", now=1_800_000_000))
    assert signing.verify(h, "GET", "/api/v1/feed?cursor=3", b"", ("terminal",), now=1_800_000_100) == (
        "T01", "terminal")
    with pytest.raises(ReplayedNonce):
        signing.verify(h, "GET", "/api/v1/feed?cursor=3", b"", ("terminal",), now=1_800_000_100)


def test_path_query_body_and_time_are_all_covered(center: None) -> None:
    h = lower(signed_headers("T01", SECRET, "POST", "/api/v1/batches", b"{}", now=1_800_000_000))
    for method, path, body in (("POST", "/api/v1/batches?x=1", b"{}"), ("POST", "/api/v1/batches", b"{ }"),
                               ("PUT", "/api/v1/batches", b"{}")):
        with pytest.raises(BadSignature):
            signing.verify(h, method, path, body, ("terminal",), now=1_800_000_000)
    with pytest.raises(StaleTimestamp):
        signing.verify(h, "POST", "/api/v1/batches", b"{}", ("terminal",), now=1_800_000_301)
    with pytest.raises(UnknownClient):
        signing.verify(h | {"x-ppms-client": "T09"}, "POST", "/api/v1/batches", b"{}", ("terminal",),
                       now=1_800_000_000)
    assert Nonce.select().count() == 0          # nothing refused stored its nonce


def test_backoff_grows_to_its_ceiling_with_jitter() -> None:
    assert backoff_s(1, 10, 900, lambda: 1.0) == 20 and backoff_s(1, 10, 900, lambda: 0.0) == 10
    assert backoff_s(3, 10, 900, lambda: 1.0) == 80
    assert backoff_s(50, 10, 900, lambda: 1.0) == 900 and backoff_s(50, 10, 900, lambda: 0.0) == 450
