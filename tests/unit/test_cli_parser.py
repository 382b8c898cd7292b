"""The command line builds only the areas of its command (terminal/cli_parser.py AREAS): the
table must say exactly which top-level commands each area adds or extends, so that a command
parsed alone is parsed as it is with every area there."""
from __future__ import annotations

import argparse
import importlib
from typing import Any

import pytest

from terminal.cli_parser import AREAS, build_parser, command_of


def shape(p: argparse.ArgumentParser) -> dict[Any, Any]:
    """Every option and sub-command of a parser, recursively, as comparable values."""
    out: dict[Any, Any] = {}
    for a in p._actions:
        if isinstance(a, argparse._SubParsersAction):
            for name, child in a.choices.items():
                out[name] = shape(child)
        else:
            out[tuple(a.option_strings) or a.dest] = repr((a.dest, a.default, a.choices, a.required, a.help))
    return out


def test_the_table_names_each_command_every_area_registers() -> None:
    p = argparse.ArgumentParser(prog="ppms")
    sub = p.add_subparsers(dest="command", required=True)
    before: dict[Any, str] = {}
    for name, declared in AREAS:
        importlib.import_module(f"terminal.cli_commands.{name}").register(sub)
        now = {k: repr(v) for k, v in shape(p).items() if k != ("-h", "--help")}
        touched = {k for k in now if before.get(k) != now[k]}
        assert touched == set(declared), (
            f"area {name} adds or extends {sorted(touched)}: write that in cli_parser.AREAS")
        before = now


@pytest.mark.parametrize("command", sorted({c for _, commands in AREAS for c in commands}))
def test_a_command_parsed_alone_is_parsed_as_with_every_area(command: str) -> None:
    assert shape(build_parser(command))[command] == shape(build_parser())[command]


def test_no_command_or_an_unknown_one_builds_every_area() -> None:
    every = set(shape(build_parser()))
    assert set(shape(build_parser(None))) == every == set(shape(build_parser("no-such-command")))
    assert {c for _, commands in AREAS for c in commands} | {("-h", "--help")} == every


def test_the_command_word_is_the_first_that_is_no_option() -> None:
    assert command_of(["sell", "--meter", "1"]) == "sell"
    assert command_of(["-h"]) is None and command_of([]) is None
    assert command_of(["-h", "report", "daily"]) == "report"
