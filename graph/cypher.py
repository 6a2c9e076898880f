"""Loads the named statements of `cypher/` and fills their identifier placeholders.

Cypher cannot take labels, relationship types or hop bounds as parameters, so statements carry
placeholders (`__LABEL__`, `__KEY__`, `__TYPE__`, `__TYPES__`, `__HOPS__`, `__LEFT__`, `__RIGHT__`).
Only names from graph/model.py and validated integers are ever substituted; values always travel
as query parameters.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from mmrare.graph.model import Direction, node_spec, rel_spec

ARROWS = {Direction.OUT: ("-", "->"), Direction.IN: ("<-", "-"), Direction.BOTH: ("-", "-")}
_LEFTOVER = re.compile(r"__[A-Z]+__")


@cache
def load(name: str) -> str:
    """The text of cypher/<name>.cypher."""
    try:
        return resources.files("mmrare.cypher").joinpath(f"{name}.cypher").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyError(f"no statement cypher/{name}.cypher") from None


@cache
def statement(
    name: str,
    label: str | None = None,
    rel_type: str | None = None,
    rel_types: tuple[str, ...] = (),
    hops: int | None = None,
    direction: Direction | None = None,
) -> str:
    # statements made of others: a page with its generation (item_page_at_generation)
    text = load(name).replace("__GENERATION__", load("generation_of")).replace("__PAGE__", load("item_page"))
    text = text.replace("__FILTER__", load("item_filter"))  # the item statements' shared filter
    text = text.replace("__ENTRY__", load("page_entry").strip())  # what a page gives of each item
    if label is not None:
        spec = node_spec(label)
        text = text.replace("__LABEL__", spec.label).replace("__KEY__", spec.key)
    if rel_type is not None:
        text = text.replace("__TYPE__", rel_spec(rel_type).type)
    if rel_types:
        text = text.replace("__TYPES__", "|".join(rel_spec(t).type for t in rel_types))
    if hops is not None:
        text = text.replace("__HOPS__", str(int(hops)))
    if direction is not None:
        left, right = ARROWS[Direction(direction)]
        text = text.replace("__LEFT__", left).replace("__RIGHT__", right)
    leftover = _LEFTOVER.search(text)
    if leftover:
        raise ValueError(f"cypher/{name}.cypher still has placeholder {leftover.group()}")
    return text
