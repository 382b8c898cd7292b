"""schemathesis against the center's OpenAPI schema, on a real `ppms-central serve`: every
operation, with generated bodies and query strings, each request signed with a registered
terminal's (or gateway's) secret so the cases reach the handlers; no answer is a server
error and every answer fits the schema. `make test` runs a short bounded form (marked
slow); PPMS_SOAK=long runs many more examples."""
from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from sync.client import signed_headers
from tests.integration.sync.center import Center

LONG = os.environ.get("PPMS_SOAK") == "long"
pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Center, bytes, bytes]]:
    folder: Path = tmp_path_factory.mktemp("center")
    c = Center(folder, f"sqlite:///{folder / 'center.db'}")
    terminal_secret = bytes.fromhex(c.add_terminal("T01").read_text().strip())
    gw = folder / "gw.secret"
    gw.write_text((b"\x07" * 32).hex() + "\n")
    gw.chmod(0o600)
    c.cli("gateway", "add", "BANK", "--secret-file", str(gw))
    c.start()
    yield c, terminal_secret, b"\x07" * 32
    c.stop()


@pytest.fixture(scope="module")
def api_schema(live: tuple[Center, bytes, bytes]) -> schemathesis.BaseSchema:
    center = live[0]
    with urllib.request.urlopen(f"http://127.0.0.1:{center.port}/openapi.json", timeout=10) as r:
        raw = json.loads(r.read())
    return schemathesis.openapi.from_dict(raw)


def send_signed(case: schemathesis.Case, live: tuple[Center, bytes, bytes]) -> None:
    center, terminal_secret, gateway_secret = live
    base = f"http://127.0.0.1:{center.port}"
    kw = case.as_transport_kwargs(base_url=base)
    body = b""
    if "json" in kw:
        body = json.dumps(kw.pop("json")).encode()
    elif kw.get("data") is not None:
        body = kw.pop("data") if isinstance(kw["data"], bytes) else str(kw.pop("data")).encode()
    prepared = requests.Request(kw.pop("method"), kw.pop("url"), params=kw.pop("params", None)).prepare()
    path = prepared.path_url
    client, secret = ("BANK", gateway_secret) if "payments" in path else ("T01", terminal_secret)
    headers = {"Content-Type": "application/json", **signed_headers(client, secret, case.method, path, body)}
    response = requests.request(case.method, base + path, data=body, headers=headers, timeout=30)
    assert response.status_code < 500, (path, body[:300], response.text[:500])
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance,
                                             content_type_conformance, response_schema_conformance])


def test_no_server_error_and_answers_fit_the_schema(api_schema: schemathesis.BaseSchema,
                                                    live: tuple[Center, bytes, bytes]) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/batches", "/api/v1/feed", "/api/v1/payments",
                                              "/api/v1/reports/summary"}
    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=300 if LONG else 25, deadline=None, derandomize=not LONG,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            send_signed(case, live)
        check()
