"""terminal/domain imports only the standard library and itself; modules stay small."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[3] / "terminal" / "domain"


def test_domain_imports_only_the_standard_library() -> None:
    files = sorted(DOMAIN.glob("*.py"))
    assert len(files) >= 8
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.name}: use absolute imports"
                names = [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                assert (name.startswith("terminal.domain") or top in sys.stdlib_module_names
                        or top == "__future__"), f"{path.name} imports {name}"


def test_domain_modules_stay_under_400_lines() -> None:
    for path in DOMAIN.glob("*.py"):
        assert len(path.read_text().splitlines()) < 400, path.name
