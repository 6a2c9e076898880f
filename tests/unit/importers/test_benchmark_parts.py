"""Cells, codes, name alignment, entity matching and case grouping, on hand-made inputs."""

from __future__ import annotations

import pytest

from mmrare.core.matching import NameIndex, align_by_name, normalise_name
from mmrare.core.orphanet import parse_codes
from mmrare.core.tracks import (
    CellError,
    ListCell,
    alias_entries,
    claim_entries,
    parse_image_cell,
    parse_mapping_cell,
    read_list_cell,
    text_entries,
)
from mmrare.graph.model import NodeRef
from mmrare.importers.benchmark.entities import EntityMatcher


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


# Real Orphanet names and synonyms (the fixture release), with two numbered sibling subtypes.
ORPHANET_NAMES = [
    (558, "Marfan syndrome"), (558, "MFS"), (284963, "Marfan syndrome type 1"), (284963, "MFS1"),
    (284973, "Marfan syndrome type 2"), (284973, "MFS2"), (284979, "Neonatal Marfan syndrome"),
    (60030, "Loeys-Dietz syndrome"), (586, "Cystic fibrosis"), (586, "CF"), (399, "Huntington disease"),
    (98896, "Duchenne muscular dystrophy"), (98896, "Severe dystrophinopathy, Duchenne type"),
    (1885, "Isolated ectopia lentis"), (1885, "Familial ectopia lentis"), (61, "Alpha-mannosidosis"),
]  # fmt: skip


def index() -> NameIndex:
    idx = NameIndex()
    for code, name in ORPHANET_NAMES:
        idx.add(name, code)
    return idx


def test_name_alignment_exact_then_fuzzy() -> None:
    assert normalise_name("  Loeys–Dietz, Syndrome!") == "loeys–dietz syndrome"
    exact = align_by_name(["marfan syndrome."], index())
    assert (exact.codes, exact.method, exact.confidence) == ((558,), "name-exact", 1.0)
    via_alias = align_by_name(["Unknown disorder", "MFS"], index())
    assert (via_alias.codes, via_alias.method, via_alias.matched) == ((558,), "name-exact", "MFS")
    fuzzy = align_by_name(["Loeys Dietz syndromes"], index())
    # canonical "dietz loeys syndromes" vs "dietz loeys syndrome": ratio 2*20/41 = 0.9756, far ahead
    # of any other disease, so the confidence is the ratio capped at 0.95
    assert fuzzy.codes == (60030,) and fuzzy.method == "name-fuzzy" and fuzzy.confidence == 0.95
    assert align_by_name(["Cystic kidney"], index()).method == "unresolved"


@pytest.mark.parametrize(
    ("text", "code", "method"),
    [
        ("marfan-syndrome", 558, "name-exact"),  # hyphen as space, case
        ("Marfan's syndrome", 558, "name-normalised"),  # possessive added
        ("Huntington's disease", 399, "name-normalised"),
        ("Marfan syndrome type II", 284973, "name-normalised"),  # Arabic written Roman
        ("Marfan syndrome type I", 284963, "name-normalised"),
        ("Marfan syndrome, type 2", 284973, "name-exact"),
        ("type 2 Marfan syndrome", 284973, "name-normalised"),  # the type qualifier moved
        ("Syndrome, Marfan", 558, "name-normalised"),  # comma-inverted
        ("Dystrophy, muscular, Duchenne", 98896, "name-normalised"),
        ("Marfan syndrome (MFS)", 558, "name-normalised"),  # parenthesised abbreviation
        ("Cystic fibrosis (CF)", 586, "name-normalised"),
        ("α-mannosidosis", 61, "name-normalised"),  # a Greek letter for its name
        ("Marfan syndrom", 558, "name-fuzzy"),  # a one-letter typo
    ],
)
def test_variant_kinds_align_to_the_right_disease(text: str, code: int, method: str) -> None:
    found = align_by_name([text], index())
    assert (found.codes, found.method) == ((code,), method)


def test_numbers_and_subtype_letters_are_never_fuzzed_away() -> None:
    idx = index()
    idx.add("Alexander disease type I", 157)
    idx.add("Alexander disease type II", 158)
    idx.add("Haemophilia A", 98878)
    idx.add("Hemophilia B", 98879)
    # one character from a sibling, and still not linked to it
    assert align_by_name(["Marfan syndrome type 3"], idx).method == "unresolved"
    assert align_by_name(["Alexander disease type 3"], idx).method == "unresolved"
    assert align_by_name(["Alexander disease type 2"], idx).codes == (158,)
    assert align_by_name(["Hemophilia A"], idx).codes == (98878,)  # British spelling, subtype letter kept
    assert align_by_name(["Haemophilia C"], idx).method == "unresolved"
    assert align_by_name(["MFS3"], idx).method == "unresolved"


def test_ties_are_reported_as_ambiguous_and_not_linked() -> None:
    idx = index()
    idx.add("Ectopia lentis", 1885)
    idx.add("Ectopia lentis", 3463)  # one name on two diseases
    shared = align_by_name(["Ectopia lentis"], idx)
    assert (shared.codes, shared.method, shared.candidates) == ((), "ambiguous", (1885, 3463))
    # another alias that names one of them settles it
    settled = align_by_name(["Ectopia lentis", "Familial ectopia lentis"], idx)
    assert (settled.codes, settled.method) == ((1885,), "name-exact")
    idx.add("Spondylo dysplasia alpha", 1)
    idx.add("Spondylo dysplasia aleph", 2)
    tie = align_by_name(["Spondylo dysplasia alphe"], idx)  # as close to both
    assert tie.method == "ambiguous" and tie.candidates == (1, 2) and tie.codes == ()


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


def test_entity_links_use_the_alignment_normalisation() -> None:
    m = EntityMatcher.from_pairs(
        [
            ("Loeys-Dietz syndrome", NodeRef("Disease", 60030), False),
            ("Marfan syndrome type 2", NodeRef("Disease", 284973), False),
            ("Haemophilia A", NodeRef("Disease", 98878), False),
            ("Alpha-mannosidosis", NodeRef("Disease", 61), False),
            ("Factor X deficiency", NodeRef("Disease", 328), False),
            ("X-linked hypophosphatemia", NodeRef("Disease", 89936), False),
        ]
    )
    text = (
        "Loeys Dietz syndrome? Marfan's syndrome type II, hemophilia A or α-mannosidosis; not hemophilia B. "
        "Factor X deficiency, or X linked hypophosphataemia."
    )
    found = [(x.ref.uid, x.text) for x in m.find(text)]
    assert found == [
        ("Disease:60030", "Loeys Dietz syndrome"),  # hyphen written as a space
        ("Disease:284973", "Marfan's syndrome type II"),  # possessive, Roman numeral
        ("Disease:98878", "hemophilia A"),  # American spelling, subtype letter kept
        ("Disease:61", "α-mannosidosis"),  # Greek letter
        ("Disease:328", "Factor X deficiency"),  # X after "factor" is the numeral 10, as in the name
        ("Disease:89936", "X linked hypophosphataemia"),  # a phrase opening with X: the letter, not 10
    ]
