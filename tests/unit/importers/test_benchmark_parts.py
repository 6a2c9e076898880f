"""Cells, codes, name alignment, entity matching and case grouping, on hand-made inputs."""

from __future__ import annotations

import pytest

from graph.model import NodeRef
from importers.benchmark.alignment import NameIndex, align_by_name, normalise_name, parse_codes
from importers.benchmark.entities import EntityMatcher
from importers.benchmark.release import (
    CellError,
    ListCell,
    alias_entries,
    claim_entries,
    parse_image_cell,
    parse_mapping_cell,
    read_list_cell,
    text_entries,
)


@pytest.mark.parametrize(
    ("cell", "values", "fallback"),
    [
        ('["a", " b ", ""]', ["a", " b ", ""], None),  # a JSON list is taken as it is
        ('[1, null, {"claim": "x"}]', [1, None, {"claim": "x"}], None),
        ("brain MRI; echocardiography ;", ["brain MRI", "echocardiography"], "text split on ';'"),
        ("['a', 'b']", ["['a', 'b']"], "text split on ';'"),  # a Python-style list is not JSON: one part
        ("['a'; 'b']", ["['a'", "'b']"], "text split on ';'"),
        ('["unclosed"', ['["unclosed"'], "text split on ';'"),
        (";;", [], "text split on ';'"),
        ('"just text"', ["just text"], "a JSON scalar"),
        ("1e5", ["100000.0"], "a JSON scalar"),  # str() of the parsed float
        ("true", ["True"], "a JSON scalar"),
        (" null", ["None"], "a JSON scalar"),  # not pandas' missing token: it is the bare word only
        ('{"a": 1}', ["{'a': 1}"], "a JSON scalar"),
        ("NA", [], "a missing-value token"),
        ("null", [], "a missing-value token"),
        ("None", [], "a missing-value token"),
        ("#N/A", [], "a missing-value token"),
        ("<NA>", [], "a missing-value token"),
        ("", [], None),
        (None, [], None),
    ],
)
def test_list_cells_read_as_the_reference_reads_them(cell: str | None, values: list, fallback: str | None) -> None:
    assert read_list_cell(cell) == ListCell(values, fallback)


def test_list_entries_per_column_kind() -> None:
    assert alias_entries(["Marfan", 5, "  ", None]) == ["Marfan", "5", "None"]  # str() of each, blanks dropped
    assert text_entries(["a", ""]) == ["a", ""]
    with pytest.raises(CellError, match="entry 1 is a number, not text"):
        text_entries(["a", 2])
    with pytest.raises(CellError, match="entry 0 is null"):
        text_entries([None])
    claims = claim_entries([{"claim": "Figure 1 shows a cyst"}, {"text": "x"}])
    assert claims == ["Figure 1 shows a cyst", "{'text': 'x'}"]  # an object without a claim: its text
    assert claim_entries(["plain", "text"]) == ["plain", "text"]
    with pytest.raises(CellError, match="the first entry is an object"):
        claim_entries([{"claim": "a"}, "b"])
    with pytest.raises(CellError, match="entry 1 is an object, not text"):
        claim_entries(["a", {"claim": "b"}])  # the first entry decides: objects after text are joined as text
    with pytest.raises(CellError, match="entry 0 is a number"):
        claim_entries([{"claim": 3}])


def test_mapping_and_image_cells() -> None:
    assert parse_mapping_cell('{"Figure 1A": "img/a.jpg"}') == {"Figure 1A": "img/a.jpg"}
    with pytest.raises(CellError, match="figure label to image path"):
        parse_mapping_cell('["img/a.jpg"]')
    assert parse_image_cell('["QUJD", "REVG"]') == ["QUJD", "REVG"]
    assert parse_image_cell("QUJD") == ["QUJD"]
    with pytest.raises(CellError, match="base64 string"):
        parse_image_cell("[1, 2]")


@pytest.mark.parametrize(
    ("text", "codes", "bad"),
    [
        ("ORPHA:558", [558], []),
        ("558", [558], []),
        ("Orphanet_558", [558], []),
        ("ORPHA:558; 586", [558, 586], []),
        ("558,586|ORPHA:558", [558, 586], []),
        ("", [], []),
        ("ORPHA:558; unknown", [558], ["unknown"]),
    ],
)
def test_orpha_code_cells(text: str, codes: list[int], bad: list[str]) -> None:
    assert parse_codes(text) == (codes, bad)


def index() -> NameIndex:
    idx = NameIndex()
    idx.add("Marfan syndrome", 558)
    idx.add("MFS", 558)
    idx.add("Loeys-Dietz syndrome", 60030)
    idx.add("Cystic fibrosis", 586)
    return idx


def test_name_alignment_exact_then_fuzzy() -> None:
    assert normalise_name("  Loeys–Dietz, Syndrome!") == "loeys–dietz syndrome"
    exact = align_by_name(["marfan syndrome."], index())
    assert (exact.codes, exact.method, exact.confidence) == ((558,), "name-exact", 1.0)
    via_alias = align_by_name(["Unknown disorder", "MFS"], index())
    assert (via_alias.codes, via_alias.method, via_alias.matched) == ((558,), "name-exact", "MFS")
    fuzzy = align_by_name(["Loeys Dietz syndromes"], index())
    # normalised "loeys dietz syndromes" vs "loeys dietz syndrome": ratio 2*20/41
    assert fuzzy.codes == (60030,) and fuzzy.method == "name-fuzzy" and fuzzy.confidence == round(40 / 41, 4)
    assert align_by_name(["Cystic kidney"], index()).method == "unresolved"


def test_entity_matcher_longest_match_cases_and_boundaries() -> None:
    m = EntityMatcher.from_pairs(
        [
            ("Marfan syndrome", NodeRef("Disease", 558), False),
            ("MFS", NodeRef("Disease", 558), False),
            ("Marfan", NodeRef("Disease", 1), False),
            ("Arachnodactyly", NodeRef("Phenotype", "HP:0001166"), False),
            ("FBN1", NodeRef("Gene", "FBN1"), True),
            ("MET", NodeRef("Gene", "MET"), True),
        ]
    )
    text = "Known marfan syndrome (MFS) with arachnodactyly; FBN1 variant. We met the mfs team in MARFANS to plan."
    found = [(x.ref.uid, x.start, x.text) for x in m.find(text)]
    assert found == [
        ("Disease:558", 6, "marfan syndrome"),
        ("Disease:558", 23, "MFS"),
        ("Phenotype:HP:0001166", 33, "arachnodactyly"),
        ("Gene:FBN1", 49, "FBN1"),
    ]
