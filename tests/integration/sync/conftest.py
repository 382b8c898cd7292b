from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.sync.center import Center, Postgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    assert shutil.which("runuser") and Path("/usr/lib/postgresql").exists(), \
        "PostgreSQL is not installed: `make system-deps` installs it (APT_PACKAGES)"
    pg = Postgres()
    yield pg
    pg.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def center(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Center]:
    folder = tmp_path / "center"
    folder.mkdir()
    url = (f"sqlite:///{folder / 'center.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres").new_database())
    c = Center(folder, url)
    c.start()
    yield c
    c.stop()


@pytest.fixture
def sqlite_center(tmp_path: Path) -> Iterator[Center]:
    folder = tmp_path / "center"
    folder.mkdir()
    c = Center(folder, f"sqlite:///{folder / 'center.db'}")
    c.start()
    yield c
    c.stop()
