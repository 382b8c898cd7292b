"""The center's HTTP API (FastAPI, plain ``def`` handlers over the synchronous peewee
database: the framework runs them in its thread pool; the only ``async`` function reads
the raw body, which the signature covers, and touches no database).

    POST /api/v1/batches          a terminal's outbox rows (ingest.py)
    GET  /api/v1/feed             the change feed (feed.py)
    POST /api/v1/payments         a gateway's payment (payments.py)
    GET  /api/v1/reports/summary  the consolidated figures (reports.py)
    GET  /api/v1/health           unsigned: the server is up
    GET  /, /login, ...           the dashboard (server-rendered HTML: central/web.py)

`create_app(url)` is the factory gunicorn's workers call (``central.app:create_app()``
reads PPMS_CENTRAL_DB).
"""
from __future__ import annotations

import json
import logging
import time
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from central import db as central_db
from central import feed, ingest, payments, reports, signing, web
from central.clock import now_text
from central.errors import BadRequest, CentralError
from central.models import Setting, proxy
from terminal.domain.errors import PpmsError

log = logging.getLogger("ppms.central")
MAX_BODY = 8 * 1024 * 1024
SIGNED = {"X-PPMS-Client": "terminal id or gateway name", "X-PPMS-Timestamp": "Unix seconds",
          "X-PPMS-Nonce": "16-64 characters [A-Za-z0-9_-]", "X-PPMS-Signature": "hex HMAC-SHA256"}
ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}


def _signed(body: dict[str, Any] | None = None, query: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    extra: dict[str, Any] = {"parameters": [{"name": h, "in": "header", "required": True, "description": d,
                                             "schema": {"type": "string"}} for h, d in SIGNED.items()]}
    for name, spec in (query or {}).items():
        extra["parameters"].append({"name": name, "in": "query", "required": spec.pop("required", False),
                                    "schema": spec})
    if body is not None:
        extra["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return extra


TEXT = {"type": "string", "minLength": 1, "maxLength": 64}
BATCH = {"type": "object", "required": ["terminal_id", "items"], "properties": {
    "terminal_id": {"type": "string"}, "backlog": {"type": "integer"}, "clock_drift_s": {"type": "number"},
    "items": {"type": "array", "maxItems": ingest.MAX_ITEMS, "items": {
        "type": "object", "required": ["seq", "uuid", "kind", "entity_uuid", "created_at", "payload"],
        "properties": {"seq": {"type": "integer", "minimum": 1, "maximum": 2 ** 62 - 1},
                       "uuid": {"type": "string", "pattern": f"^{ingest.UUID.pattern}$"},
                       "kind": TEXT, "entity_uuid": TEXT,
                       "created_at": {"type": "string", "pattern": f"^{ingest.TIME.pattern}$"},
                       "payload": {"type": "object"}}}}}}
DAY = {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])$"}
FEED_QUERY = {"cursor": {"type": "integer", "minimum": 0, "maximum": 2 ** 62},
              "limit": {"type": "integer", "minimum": 1, "maximum": feed.MAX_LIMIT}}
PAYMENT = {"type": "object", "required": ["reference", "meter", "amount", "paid_at"], "properties": {
    "reference": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
    "meter": {"type": "string", "pattern": "^[0-9A-Za-z][0-9A-Za-z-]{0,19}$"},
    "amount": {"type": "string", "pattern": "^[0-9]{1,12}(\\.[0-9]{1,2})?$"},
    "paid_at": {"type": "string", "pattern": f"^{ingest.TIME.pattern}$"}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/json": {"schema": ERROR}}}
    for code, text in ((400, "bad request"), (401, "signature refused"), (403, "another client's path"),
                       (404, "not found"), (409, "conflict"))}


async def raw_body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise BadRequest(f"the body is larger than {MAX_BODY} bytes", field=None)
    return body


def _path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("the body is not UTF-8 JSON", field=None) from None


def create_app(url: str | None = None) -> FastAPI:
    db = central_db.connect(central_db.database_url(url))
    proxy.initialize(db)
    app = FastAPI(title="PPMS center", version="1", description="Terminal sync, master data feed, bank payments")

    @app.exception_handler(PpmsError)
    def refused(request: Request, exc: PpmsError) -> Response:
        if not request.url.path.startswith("/api/"):
            return web.refusal(request, exc)
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}},
                            status_code=exc.status if isinstance(exc, CentralError) else 400)

    def auth(request: Request, body: bytes, kinds: tuple[str, ...], owner: str | None = None) -> tuple[str, str]:
        with db.connection_context():
            return signing.verify(request.headers, request.method, _path(request), body, kinds, owner)

    @app.post("/api/v1/batches", openapi_extra=_signed(BATCH), responses=RESPONSES)
    def post_batch(request: Request, body: bytes = Depends(raw_body)) -> dict[str, Any]:
        try:
            data = _json(body)
        except BadRequest:
            data = None      # refused below, once the signature is known to hold
        owner = data.get("terminal_id") if isinstance(data, dict) else None
        client, _ = auth(request, body, ("terminal",), owner if isinstance(owner, str) else None)
        with db.connection_context():
            results = ingest.ingest(client, _json(body) if data is None else data)
        return {"results": results, "server_time": now_text(), "server_unix": time.time()}

    @app.get("/api/v1/feed", openapi_extra=_signed(query=dict(FEED_QUERY)), responses=RESPONSES)
    def get_feed(request: Request, body: bytes = Depends(raw_body)) -> dict[str, Any]:
        client, _ = auth(request, body, ("terminal",))
        with db.connection_context():
            page = feed.page(client, request.query_params.get("cursor"), request.query_params.get("limit"))
        return page | {"server_unix": time.time()}

    @app.get("/api/v1/reports/summary", responses=RESPONSES, openapi_extra=_signed(query={
        "from": {**DAY, "required": True}, "to": {**DAY, "required": True}, "terminal": dict(TEXT)}))
    def get_summary(request: Request, body: bytes = Depends(raw_body)) -> dict[str, Any]:
        auth(request, body, ("terminal",))
        q = request.query_params
        with db.connection_context():
            return reports.summary(q.get("from"), q.get("to"), q.get("terminal"))

    @app.post("/api/v1/payments", openapi_extra=_signed(PAYMENT), responses=RESPONSES)
    def post_payment(request: Request, body: bytes = Depends(raw_body)) -> dict[str, Any]:
        client, _ = auth(request, body, ("gateway",))
        with db.connection_context():
            return payments.receive(client, _json(body))

    @app.get("/api/v1/health")
    def health() -> dict[str, Any]:
        with db.connection_context():
            Setting.select().count()
        return {"status": "ok", "server_time": now_text()}

    web.mount(app, db)
    return app
