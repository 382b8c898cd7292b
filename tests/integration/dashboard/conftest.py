from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.dashboard.server import Dashboard


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    d = Dashboard(tmp_path_factory.mktemp("dashboard"))
    yield d
    d.stop()
