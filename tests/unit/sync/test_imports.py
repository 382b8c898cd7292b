"""sync/ is shared by the terminal and the center: it imports the standard library,
terminal.domain and itself, nothing else."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

SYNC = Path(__file__).resolve().parents[3] / "sync"


def test_sync_imports_only_the_standard_library_and_the_domain() -> None:
    found = set()
    for path in SYNC.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
    allowed = [m for m in found if m.split(".")[0] in sys.stdlib_module_names or m == "sync"
               or m.startswith(("sync.", "terminal.domain"))]
    assert found and sorted(found - set(allowed)) == []
