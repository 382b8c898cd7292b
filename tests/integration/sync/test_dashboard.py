"""The dashboard: server-rendered, for a dashboard login only; it lists each terminal with
its sequence gaps and the conflicts stored apart."""
from __future__ import annotations

import base64
import urllib.error
import urllib.request

import pytest

from tests.integration.sync.center import Center


def get(center: Center, auth: str | None) -> tuple[int, str]:
    req = urllib.request.Request(f"http://127.0.0.1:{center.port}/")
    if auth is not None:
        req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_only_a_dashboard_login_sees_the_terminals(sqlite_center: Center) -> None:
    sqlite_center.add_terminal("T07")
    assert sqlite_center.run("admin", "add", "--username", "ops", stdin="short\n").returncode == 2
    sqlite_center.cli("admin", "add", "--username", "ops", stdin="a long password\n")
    assert get(sqlite_center, None)[0] == 401
    assert get(sqlite_center, "ops:wrong password")[0] == 401
    assert get(sqlite_center, "nobody:a long password")[0] == 401
    status, page = get(sqlite_center, "ops:a long password")
    assert status == 200 and "<td>T07</td>" in page and "Conflicts" in page
    for header in ("Bearer x", "Basic !!!", "Basic " + base64.b64encode(b"\xff:x").decode()):
        req = urllib.request.Request(f"http://127.0.0.1:{sqlite_center.port}/", headers={"Authorization": header})
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(req, timeout=30)
        assert exc.value.code == 401
