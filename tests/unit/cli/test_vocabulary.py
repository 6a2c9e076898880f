"""One vocabulary for --format across the CLI: every command that prints results names its formats
from the same list, in the same order, with `table` for people as the default."""

from __future__ import annotations

import click
import pytest

from mmrare.cli.common import FORMATS, format_option
from mmrare.cli.main import main

EXPORTS = {"export benchmark"}  # --format there is a file format (tsv, parquet, hf), not a printout


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            out += commands(command, path + " ")
        else:
            out.append((path, command))
    return out


def test_every_format_option_speaks_the_same_vocabulary() -> None:
    seen = 0
    for path, command in commands(main):
        option = next((p for p in command.params if "--format" in getattr(p, "opts", ())), None)
        if option is None or path in EXPORTS:
            continue
        seen += 1
        choices = list(option.type.choices)
        assert choices == [f for f in FORMATS if f in choices], (path, choices)  # the one list, its order
        assert option.default == "table", path
    assert seen >= 8  # report, compare, coverage, graph stats, audit, reference tables, ...


def test_a_format_outside_the_vocabulary_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="'text' is not one of table, json, csv"):
        format_option("text", "json")
