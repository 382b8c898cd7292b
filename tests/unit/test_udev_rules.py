"""config/udev/70-ppms.rules, read as udev reads it (udev(7): comma-separated `KEY{attr}OP"value"`
pairs, a key only with the operators it takes, `|` between alternatives, `*?[]` globs, ATTRS
and its kin matched on the device or one of its parents, all on the same one), then applied
to the devices we support as the kernel shows them (`udevadm info -a`): each serial adapter,
printer and card reader gets its group, mode and /dev/ppms name; a device we do not support
gets nothing. This systemd (252) has no `udevadm verify` (253 and later)."""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.helpers.ppms import ROOT
from tests.integration.deploy_rig import directives

RULES = ROOT / "config" / "udev" / "70-ppms.rules"
PAIR = re.compile(r'\s*(?P<key>[A-Z_]+)(?:\{(?P<attr>[^}]+)\})?\s*(?P<op>==|!=|\+=|-=|:=|=)\s*"(?P<value>[^"]*)"\s*')
MATCH_ONLY = {"ACTION", "DEVPATH", "KERNEL", "KERNELS", "SUBSYSTEM", "SUBSYSTEMS", "DRIVER", "DRIVERS", "ATTRS",
              "TAGS", "TEST", "PROGRAM", "RESULT"}
ASSIGN_ONLY = {"GROUP", "OWNER", "MODE", "SYMLINK", "TAG", "RUN", "LABEL", "GOTO", "IMPORT", "OPTIONS", "NAME"}
BOTH = {"ATTR", "ENV", "SYSCTL"}
WITH_ATTR = {"ATTR", "ATTRS", "ENV", "SYSCTL", "TEST", "IMPORT", "RUN"}
PARENT_KEYS = {"KERNELS", "SUBSYSTEMS", "DRIVERS", "ATTRS"}
SUBSTITUTION = re.compile(r"%[knpbMmcPNrS%]|%s\{[^}]+\}|%E\{[^}]+\}|\$(kernel|number|devpath|id|driver|attr\{[^}]+\}"
                          r"|env\{[^}]+\}|major|minor|result|parent|name|links|root|sys|devnode|\$)")


@dataclass(frozen=True)
class Pair:
    key: str
    attr: str | None
    op: str
    value: str


def parse(text: str) -> list[list[Pair]]:
    rules = []
    for n, line in enumerate(text.replace("\\\n", "").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pairs, pos = [], 0
        while pos < len(line):
            m = PAIR.match(line, pos)
            assert m, f"line {n}: cannot read {line[pos:]!r}"
            pos = m.end()
            if pos < len(line):
                assert line[pos] == ",", f"line {n}: a comma after {m[0]!r}"
                pos += 1
            p = Pair(m["key"], m["attr"], m["op"], m["value"])
            assert p.key in MATCH_ONLY | ASSIGN_ONLY | BOTH, f"line {n}: unknown key {p.key}"
            assert (p.attr is not None) == (p.key in WITH_ATTR - {"IMPORT", "RUN"}) or p.key in ("IMPORT", "RUN"), \
                f"line {n}: {p.key} {'needs' if p.attr is None else 'takes no'} {{attribute}}"
            if p.key in MATCH_ONLY:
                assert p.op in ("==", "!="), f"line {n}: {p.key} only matches (== or !=)"
            if p.key in ASSIGN_ONLY:
                assert p.op in ("=", "+=", "-=", ":="), f"line {n}: {p.key} is only assigned"
            if p.key == "MODE":
                assert re.fullmatch(r"0[0-7]{3}", p.value), f"line {n}: MODE {p.value}"
            if p.key == "SYMLINK":
                assert not p.value.startswith("/") and " " not in SUBSTITUTION.sub("x", p.value), f"line {n}"
                assert "%" not in SUBSTITUTION.sub("", p.value), f"line {n}: unknown substitution in {p.value}"
            pairs.append(p)
        assert any(p.op in ("==", "!=") for p in pairs), f"line {n}: a rule that matches every device"
        rules.append(pairs)
    return rules


@dataclass
class Device:
    """One device as `udevadm info -a` shows it: itself first, then its parents."""
    chain: list[dict[str, Any]]
    env: dict[str, str] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=lambda: {"GROUP": None, "MODE": None, "SYMLINK": [],
                                                             "TAG": [], "ENV": {}})


def _glob(value: str, pattern: str) -> bool:
    return any(fnmatch.fnmatchcase(value, alt) for alt in pattern.split("|"))


def _on(node: dict[str, Any], p: Pair) -> bool:
    name = {"KERNEL": "kernel", "KERNELS": "kernel", "SUBSYSTEM": "subsystem", "SUBSYSTEMS": "subsystem",
            "DRIVER": "driver", "DRIVERS": "driver"}.get(p.key)
    value = node.get("attrs", {}).get(p.attr) if p.key in ("ATTR", "ATTRS") else node.get(name or "")
    return value is not None and _glob(str(value), p.value)


def _subst(value: str, dev: Device, parent: dict[str, Any]) -> str:
    kernel = dev.chain[0]["kernel"]
    value = value.replace("%k", kernel).replace("%n", re.sub(r"^\D*", "", kernel))
    return re.sub(r"%s\{([^}]+)\}", lambda m: str(parent.get("attrs", {}).get(m[1], "")), value)


def apply(rules: list[list[Pair]], dev: Device) -> dict[str, Any]:
    for pairs in rules:
        here = [p for p in pairs if p.op in ("==", "!=") and p.key not in PARENT_KEYS]
        up = [p for p in pairs if p.op in ("==", "!=") and p.key in PARENT_KEYS]
        if not all((dev.env.get(p.attr or "", "") == p.value if p.key == "ENV" else _on(dev.chain[0], p))
                   == (p.op == "==") for p in here):
            continue
        parent = next((node for node in dev.chain if all(_on(node, p) == (p.op == "==") for p in up)), None)
        if parent is None:
            continue
        for p in pairs:
            if p.op in ("==", "!="):
                continue
            value = _subst(p.value, dev, parent)
            if p.key in ("SYMLINK", "TAG"):
                dev.result[p.key].append(value)
            elif p.key == "ENV":
                dev.result["ENV"][p.attr] = value
            else:
                dev.result[p.key] = value
    return dev.result


def usb_serial(kernel: str, vendor: str, product: str, serial: str = "A9XYZ") -> Device:
    return Device([{"kernel": kernel, "subsystem": "tty", "driver": None},
                   {"kernel": "1-1.3:1.0", "subsystem": "usb", "driver": "ftdi_sio"},
                   {"kernel": "1-1.3", "subsystem": "usb", "driver": "usb",
                    "attrs": {"idVendor": vendor, "idProduct": product, "serial": serial}}])


def usb_device(vendor: str, product: str) -> Device:
    return Device([{"kernel": "1-1.4", "subsystem": "usb", "driver": "usb",
                    "attrs": {"idVendor": vendor, "idProduct": product}}], env={"DEVTYPE": "usb_device"})


@pytest.fixture(scope="module")
def rules() -> list[list[Pair]]:
    return parse(RULES.read_text())


@pytest.mark.parametrize("kernel, vendor, product, link", [
    ("ttyUSB1", "0403", "6001", "ppms/serial-A9XYZ"),            # FTDI FT232R (RS-485 sticks)
    ("ttyUSB1", "0403", "6015", "ppms/serial-A9XYZ"),            # FTDI FT-X
    ("ttyUSB2", "1a86", "7523", "ppms/serial-ch34x-2"),          # WCH CH340
    ("ttyUSB3", "10c4", "ea60", "ppms/serial-cp210x-3"),         # Silicon Labs CP2102
    ("ttyUSB4", "067b", "2303", "ppms/serial-pl2303-4"),         # Prolific PL2303
])
def test_each_serial_adapter_gets_the_dialout_group_and_its_name(rules: list[list[Pair]], kernel: str,
                                                                  vendor: str, product: str, link: str) -> None:
    got = apply(rules, usb_serial(kernel, vendor, product))
    assert (got["GROUP"], got["MODE"], got["SYMLINK"]) == ("dialout", "0660", [link])


def test_the_first_usb_serial_adapter_is_the_meter_bus(rules: list[list[Pair]]) -> None:
    got = apply(rules, usb_serial("ttyUSB0", "1a86", "7523"))
    assert got["SYMLINK"] == ["ppms/serial-ch34x-0", "ppms/meter-bus"]


@pytest.mark.parametrize("vendor, product", [("04b8", "0202"), ("0416", "5011"), ("0fe6", "811e"),
                                             ("1fc9", "2016"), ("0519", "0003"), ("28e9", "0289")])
def test_each_usb_receipt_printer_gets_the_lp_group(rules: list[list[Pair]], vendor: str, product: str) -> None:
    got = apply(rules, usb_device(vendor, product))
    assert (got["GROUP"], got["MODE"], got["SYMLINK"]) == ("lp", "0660", ["ppms/printer-usb"])


def test_the_usblp_printer_device_gets_the_lp_group(rules: list[list[Pair]]) -> None:
    got = apply(rules, Device([{"kernel": "lp0", "subsystem": "usbmisc"}]))
    assert (got["GROUP"], got["MODE"], got["SYMLINK"]) == ("lp", "0660", ["ppms/printer"])


@pytest.mark.parametrize("product", ["9000", "90cc", "b100"])     # ACR38U, ACR38U-CCID, ACR39U
def test_an_acs_card_reader_wakes_pcscd_and_stays_pcscds(rules: list[list[Pair]], product: str) -> None:
    got = apply(rules, usb_device("072f", product))
    assert got["TAG"] == ["systemd"] and got["ENV"] == {"SYSTEMD_WANTS": "pcscd.socket", "PPMS_DEVICE": "card_reader"}
    assert got["GROUP"] is None and got["MODE"] is None             # libccid's rules give pcscd the device


def test_the_touch_screen_gets_its_name(rules: list[list[Pair]]) -> None:
    dev = Device([{"kernel": "event3", "subsystem": "input"}], env={"ID_INPUT_TOUCHSCREEN": "1"})
    assert apply(rules, dev)["SYMLINK"] == ["ppms/touchscreen"]


@pytest.mark.parametrize("dev", [
    usb_device("046d", "c31c"),                                                  # a USB keyboard
    usb_serial("ttyACM0", "2341", "0043"),                                       # an Arduino
    Device([{"kernel": "ttyS0", "subsystem": "tty"}]),                            # the board's own UART
    Device([{"kernel": "event0", "subsystem": "input"}], env={"ID_INPUT_KEY": "1"}),
], ids=["keyboard", "arduino", "uart", "power-button"])
def test_a_device_we_do_not_support_gets_nothing(rules: list[list[Pair]], dev: Device) -> None:
    assert apply(rules, dev) == {"GROUP": None, "MODE": None, "SYMLINK": [], "TAG": [], "ENV": {}}


def test_every_group_the_rules_give_is_one_the_kiosk_runs_with(rules: list[list[Pair]]) -> None:
    groups = {p.value for pairs in rules for p in pairs if p.key == "GROUP"}
    assert groups and groups <= set(directives("ppms-kiosk.service")["SupplementaryGroups"][0].split())


@pytest.mark.parametrize("bad, why", [
    ('SUBSYSTEM=="tty", GROUP=="dialout"', "only assigned"),
    ('SUBSYSTEM="tty", GROUP="dialout"', "only matches"),
    ('SUBSYSTEM=="tty" GROUP="dialout"', "a comma"),
    ('SUBSYSTEM=="tty", ATTRS{idVendor=="0403", GROUP="dialout"', "cannot read"),
    ('SUBSYTEM=="tty", GROUP="dialout"', "unknown key"),
    ('SUBSYSTEM=="tty", MODE="660"', "MODE"),
    ('SUBSYSTEM=="tty", SYMLINK+="ppms/%q"', "unknown substitution"),
    ('GROUP="dialout"', "matches every device"),
])
def test_the_reader_refuses_what_udev_would(bad: str, why: str) -> None:
    """The parser above can fail: each of these is a mistake udev logs and skips."""
    with pytest.raises(AssertionError, match=why):
        parse(bad)
