"""sync/ is shared by the terminal and the center: its wire part (schema, records, views,
errors, client) imports the standard library, terminal.domain and itself, nothing else.
The terminal's agent (agent.py, runner.py) may also import the ledger (the outbox and the
sync state) and APScheduler, and the wire part never imports the agent. central/ shares
sync's wire part, terminal.domain and the report definitions (terminal.reports: the
dashboard's statistics are the terminal's own reports over the center's rows) with the
terminal, nothing else of it."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SYNC = ROOT / "sync"
AGENT = {"agent.py", "runner.py"}
AGENT_MODULES = {f"sync.{name[:-3]}" for name in AGENT}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def wire_part(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names or (name == "sync" or name.startswith(
        ("sync.", "terminal.domain"))) and name not in AGENT_MODULES


def test_sync_imports_only_the_standard_library_and_the_domain() -> None:
    found = set().union(*(imports(p) for p in SYNC.glob("*.py") if p.name not in AGENT))
    assert found and sorted(n for n in found if not wire_part(n)) == []


def test_the_agent_adds_only_the_ledger_and_apscheduler() -> None:
    found = set().union(*(imports(SYNC / name) for name in AGENT))
    extra = sorted(n for n in found if not wire_part(n) and n not in AGENT_MODULES
                   and not n.startswith(("terminal.ledger", "apscheduler")))
    assert "terminal.ledger" in found and extra == []


def test_central_shares_only_the_wire_part_the_domain_and_the_reports() -> None:
    found = set().union(*(imports(p) for p in (ROOT / "central").glob("*.py")))
    ours = sorted(n for n in found if n.startswith(("terminal", "sync", "hardware")) and not wire_part(n)
                  and not (n == "terminal.reports" or n.startswith("terminal.reports.")))
    assert found & {"sync", "sync.schema"} and ours == []
