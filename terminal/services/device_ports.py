"""The seed's "Port Set": which devices the terminal is configured with, and whether each
answers (`ppms ports list`), and exercising one (`ppms ports test NAME`).

Probing changes no data, so it needs no database and no operator: a technician checks the
wiring before `ppms init`. The devices come from `bootstrap.build_device_ports(settings)`.
"""
from __future__ import annotations

from typing import Any

from terminal.services.errors import InvalidArgument
from terminal.services.ports import DevicePort


def list_ports(ports: list[DevicePort]) -> dict[str, Any]:
    out = [{"name": p.name, "settings": p.describe(), **p.probe()} for p in ports]
    return {"ports": out, "answering": sum(bool(p["answers"]) for p in out)}


def test_port(ports: list[DevicePort], name: str, arg: str | None = None) -> dict[str, Any]:
    """Exercise one device: the printer prints a test page, the meter bus reads the address of
    the meter on the line (or the meter `arg`), the note acceptor is polled, the card reader
    looks for its card. Raises the device's error when it fails."""
    by_name = {p.name: p for p in ports}
    port = by_name.get(name)
    if port is None:
        raise InvalidArgument(f"no port {name!r}; the ports are {sorted(by_name)}", key="name")
    return {"name": name, "ok": True, **port.test(arg)}
