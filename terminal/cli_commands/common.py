"""Shared helpers of the `ppms` sub-command modules."""
from __future__ import annotations

from typing import Any

from terminal import bootstrap
from terminal.config import Settings, load_settings


def app_of(g: dict[str, Any], **kw: Any) -> bootstrap.App:
    return bootstrap.build(config=g["config"], db_path=g["db"], **kw)


def app_of_settings(g: dict[str, Any]) -> Settings:
    """The settings alone, without opening the database."""
    return load_settings(g["config"])


def session_of(g: dict[str, Any]) -> tuple[bootstrap.App, Any]:
    """Build the terminal and log the operator in (PPMS_OPERATOR / PPMS_PASSWORD or a prompt)."""
    app = app_of(g)
    return app, g["login"](app)
