"""OMIM diagnoses to Orphanet through the packets' cross-references (core/omim_alignment.py)."""

from __future__ import annotations

from mmrare.core.omim_alignment import align_omim, omim_index

DISEASES = [
    (392, {"omimRelations": ["142900:E"]}),
    (88950, {"omimRelations": ["162000:E"]}),
    (34149, {"omimRelations": ["162000:BTNT", "162001:BTNT"]}),
    (254886, {"omimRelations": ["620647:BTNT"]}),
    (191, {"omimRelations": ["133540:BTNT"]}),
    (90321, {"omimRelations": ["133540:NTBT"]}),
    (1000, {"omimRelations": ["555000:E"]}),
    (1001, {"omimRelations": ["555000:E"]}),
    (2000, {"omim": ["777000"]}),  # a source without relations
    (3000, {"omimRelations": ["888000:W"]}),
]


def test_a_unique_exact_mapping_aligns_even_beside_broader_ones() -> None:
    a = align_omim(omim_index(DISEASES), "OMIM:162000")
    assert (a.outcome, a.codes, a.relation, a.confidence) == ("aligned", (88950,), "E", 1.0)


def test_the_only_mapping_of_another_relation_aligns_with_that_relation() -> None:
    a = align_omim(omim_index(DISEASES), "OMIM:620647")
    assert (a.codes, a.relation, a.method) == ((254886,), "BTNT", "OMIM cross-reference (BTNT)")
    assert a.confidence == 0.8


def test_several_candidates_are_reported_not_guessed() -> None:
    index = omim_index(DISEASES)
    assert align_omim(index, "OMIM:133540").outcome == "several ORPHAcodes"
    assert align_omim(index, "OMIM:133540").codes == (191, 90321)
    assert align_omim(index, "OMIM:555000").outcome == "several ORPHAcodes"  # two exact ones


def test_none_wrong_and_foreign_ids() -> None:
    index = omim_index(DISEASES)
    assert align_omim(index, "OMIM:999999").outcome == "no ORPHAcode"
    assert align_omim(index, "OMIM:888000").outcome == "no ORPHAcode"  # W: marked wrong by Orphanet
    assert align_omim(index, "MONDO:0007732").outcome == "not an OMIM id"


def test_a_cross_reference_without_relation_is_unqualified() -> None:
    a = align_omim(omim_index(DISEASES), "OMIM:777000")
    assert (a.codes, a.relation, a.confidence) == ((2000,), "unqualified", 0.5)
