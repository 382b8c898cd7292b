"""Shared helpers of the `ppms` sub-command modules."""
from __future__ import annotations

from typing import Any

from terminal import bootstrap


def app_of(g: dict[str, Any], **kw: Any) -> bootstrap.App:
    return bootstrap.build(config=g["config"], db_path=g["db"], **kw)


def session_of(g: dict[str, Any]) -> tuple[bootstrap.App, Any]:
    """Build the terminal and log the operator in (PPMS_OPERATOR / PPMS_PASSWORD or a prompt)."""
    app = app_of(g)
    return app, g["login"](app)
