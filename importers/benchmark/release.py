"""The MMRareBench release format (DESIGN.md section 6): four TSV files, one per track.

Each track names its file, the columns it must have, and how its own columns map onto Item
properties. Cells holding lists are JSON, or else text split on ';'.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

COMMON_COLUMNS = ("index", "image", "image_path", "question", "answer", "context")


@dataclass(frozen=True)
class ListColumn:
    """A release column holding a list, and the Item property it becomes."""

    column: str
    prop: str


@dataclass(frozen=True)
class Track:
    name: str
    file: str  # relative to the release folder
    lists: tuple[ListColumn, ...] = ()
    texts: tuple[tuple[str, str], ...] = ()  # (column, Item property) for plain text columns
    question_side_context: bool = True  # examination questions are asked without the case context

    @property
    def columns(self) -> tuple[str, ...]:
        extra = [c.column for c in self.lists] + [c for c, _ in self.texts]
        if self.name == "crossmodal":
            extra.append("figure_mapping")
        return (*COMMON_COLUMNS, *extra)


TRACKS: tuple[Track, ...] = (
    Track(
        "diagnosis",
        "diagnosis/diagnosis_opened.tsv",
        lists=(ListColumn("answer_aliases", "aliases"),),
        texts=(("category", "releaseCategory"), ("ORPHA_code", "releaseOrpha")),
    ),
    Track(
        "treatment",
        "treatment/treatment_plan.tsv",
        lists=(ListColumn("rubric_must_include", "mustInclude"), ListColumn("rubric_must_not", "mustNot")),
    ),
    Track(
        "crossmodal",
        "crossmodal/crossmodal_comparison.tsv",
        lists=(ListColumn("golden_mainline", "goldenMainline"),),
        texts=(("relation_type", "relationType"),),
    ),
    Track(
        "examination",
        "examination/examination_workup.tsv",
        lists=(
            ListColumn("key_test_names", "keyTests"),
            ListColumn("red_flags_to_rule_out", "redFlags"),
            ListColumn("must_not", "mustNot"),
        ),
        question_side_context=False,
    ),
)
TRACK_BY_NAME = {t.name: t for t in TRACKS}
RELATION_TYPES = ("confirm", "complement", "contrast")


class CellError(ValueError):
    """A cell that cannot be read; the message says what is wrong with it."""


def _json(text: str, problem: str) -> Any:
    """Parsed JSON, or a CellError that starts with what the cell should have been."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CellError(f"{problem}: {exc.msg}") from exc


def parse_list_cell(text: str | None) -> list[str]:
    """A JSON list, or else text split on ';'. Entries that are objects give their 'claim'."""
    if text is None or not text.strip():
        return []
    stripped = text.strip()
    if stripped.startswith("["):
        value = _json(stripped, "looks like a JSON list but is not valid JSON")
        out = []
        for entry in value:
            if isinstance(entry, dict):
                if not isinstance(entry.get("claim"), str):
                    raise CellError("a list entry is an object without a text 'claim'")
                out.append(entry["claim"].strip())
            elif isinstance(entry, str | int | float) and not isinstance(entry, bool):
                out.append(str(entry).strip())
            else:
                raise CellError(f"a list entry is {type(entry).__name__}, not text")
        return [e for e in out if e]
    return [part.strip() for part in stripped.split(";") if part.strip()]


def parse_mapping_cell(text: str | None) -> dict[str, str]:
    """figure_mapping: a JSON object from figure label to image path."""
    if text is None or not text.strip():
        return {}
    value = _json(text, "not a JSON object")
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise CellError("must be a JSON object of figure label to image path")
    return value


def parse_image_cell(text: str | None) -> list[str]:
    """The image column: a JSON list of base64 strings (a lone base64 string is accepted too)."""
    if text is None or not text.strip():
        return []
    stripped = text.strip()
    if stripped.startswith("["):
        value = _json(stripped, "not a JSON list of base64 images")
        if not all(isinstance(v, str) for v in value):
            raise CellError("every entry of the image list must be a base64 string")
        return value
    return [stripped]


def list_cell(values: list[Any]) -> str:
    """The release's way of writing a list cell (JSON), for export."""
    return json.dumps(values, ensure_ascii=False)
