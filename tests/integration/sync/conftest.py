from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.sync.center import Center, Postgres, running_center


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    assert shutil.which("runuser") and Path("/usr/lib/postgresql").exists(), \
        "PostgreSQL is not installed: `make system-deps` installs it (APT_PACKAGES)"
    pg = Postgres()
    yield pg
    pg.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def center(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Center]:
    url = None if request.param == "sqlite" else request.getfixturevalue("postgres").new_database()
    with running_center(tmp_path / "center", url) as c:
        yield c


@pytest.fixture
def sqlite_center(tmp_path: Path) -> Iterator[Center]:
    with running_center(tmp_path / "center") as c:
        yield c
