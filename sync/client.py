"""The terminal's HTTP client to the center: signed requests (docs/sync.md, "Signing") over
HTTPS with a configurable CA file (or plain HTTP on a test bench), standard library only.

Faults by type: no answer, a reset, a timeout, a 5xx or an answer that is not JSON ->
SyncUnreachable (the caller keeps everything as it was and tries again); a 4xx ->
SyncRefused with the center's error code. The secret is never logged nor put in an error.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sync.errors import SyncNotConfigured, SyncRefused, SyncSecretInvalid, SyncUnreachable

MAX_SECRET_BYTES = 4096


def read_secret(path: str) -> bytes:
    """The terminal's secret: one hex line in a regular file only its owner can read (chmod 600)."""
    if not path:
        raise SyncNotConfigured("no sync.secret_file is set", key="sync.secret_file")
    p = Path(path)
    if not p.is_file():
        raise SyncSecretInvalid(f"the sync secret {path} is not a regular file", key="sync.secret_file")
    if p.stat().st_mode & 0o077:
        raise SyncSecretInvalid(f"the sync secret {path} is readable by others: chmod 600 it",
                                key="sync.secret_file")
    text = p.read_bytes()[:MAX_SECRET_BYTES].decode("ascii", "replace").strip().lower()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < 32:
        raise SyncSecretInvalid(f"the sync secret {path} must be one line of hex, at least 64 digits",
                                key="sync.secret_file")
    return secret


def signature(secret: bytes, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    text = "\n".join([method.upper(), path, timestamp, nonce]).encode() + b"\n" + body
    return hmac.new(secret, text, hashlib.sha256).hexdigest()


def signed_headers(client: str, secret: bytes, method: str, path: str, body: bytes,
                   now: float | None = None) -> dict[str, str]:
    stamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_urlsafe(24)
    return {"X-PPMS-Client": client, "X-PPMS-Timestamp": stamp, "X-PPMS-Nonce": nonce,
            "X-PPMS-Signature": signature(secret, method, path, stamp, nonce, body)}


@dataclass
class Answer:
    body: Any
    sent_at: float       # wall clock when the request left
    received_at: float   # and when its answer came back


class CenterClient:
    def __init__(self, url: str, client: str, secret: bytes, ca_file: str = "", timeout_s: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SyncNotConfigured(f"sync.url must be http(s)://HOST[:PORT], not {url!r}", key="sync.url")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self._client = client
        self._secret = secret
        self._timeout = timeout_s
        self._tls = ssl.create_default_context(cafile=ca_file or None) if self._https else None

    def request(self, method: str, path: str, body: Any = None) -> Answer:
        data = b"" if body is None else json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        full = self._prefix + path
        headers = signed_headers(self._client, self._secret, method, full, data)
        if body is not None:
            headers["Content-Type"] = "application/json"
        con: http.client.HTTPConnection
        if self._tls is not None:
            con = http.client.HTTPSConnection(self._host, self._port, timeout=self._timeout, context=self._tls)
        else:
            con = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        sent = time.time()
        try:
            con.request(method, full, body=data if body is not None else None, headers=headers)
            response = con.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            raise SyncUnreachable(f"the center at {self._host}:{self._port} did not answer "
                                  f"({type(exc).__name__}); nothing was marked sent") from None
        finally:
            con.close()
        received = time.time()
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            answer = None
        if status >= 500 or (status == 200 and not isinstance(answer, dict)):
            raise SyncUnreachable(f"the center answered {status} without a usable body; try again later")
        if status != 200:
            err = answer.get("error", {}) if isinstance(answer, dict) else {}
            code = err.get("code") if isinstance(err, dict) else None
            raise SyncRefused(f"the center refused {method} {path}: {code or status}", status=status,
                              center_code=str(code or ""))
        return Answer(answer, sent, received)
