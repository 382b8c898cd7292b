"""Session fixtures of the hardware tests (each starts the system service it needs)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hardware.pcsc_rig import run_pcscd


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    yield from run_pcscd(tmp_path_factory.mktemp("pcscd") / "pcscd.log")
