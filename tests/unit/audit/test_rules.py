"""Each leakage rule on hand-made facts, with no store: a positive and a negative case per kind."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from mmrare.audit import hamming
from mmrare.audit.facts import AuditFacts
from mmrare.audit.model import AuditConfig
from mmrare.audit.rules import (
    answer_text,
    cross_track,
    direct_name,
    figure_label,
    near_duplicate_images,
    ontology,
    phenotype_set,
    rare_gene,
)
from mmrare.graph.model import Neighbour, NodeRef

CONFIG = AuditConfig()
DIAG = {"track": "diagnosis", "question": "What is it?", "context": "", "answer": "Marfan syndrome", "aliases": []}


def mention(item: str, label: str, key: object, text: str, field: str = "question") -> Neighbour:
    return Neighbour(
        NodeRef("Item", item), "MENTIONS", f"{field}:0", NodeRef(label, key), {"field": field, "text": text}
    )


def shows(item: str, sha: str, order: int = 0, label: str | None = None) -> Neighbour:
    return Neighbour(
        NodeRef("Item", item), "SHOWS", str(order), NodeRef("Image", sha), {"order": order, "label": label}
    )


def test_direct_name_by_mention_and_by_code() -> None:
    facts = AuditFacts(
        {"diagnosis:1": {**DIAG, "context": "Coded ORPHA:558 in the notes."}, "diagnosis:2": DIAG},
        mentions={
            "diagnosis:1": [mention("diagnosis:1", "Disease", 558, "Marfan syndrome")],
            "diagnosis:2": [mention("diagnosis:2", "Disease", 586, "cystic fibrosis")],
        },
        answers={"diagnosis:1": [558], "diagnosis:2": [558]},
    )
    found = direct_name(facts, CONFIG)
    assert [(f.item_id, f.path) for f in found] == [
        ("diagnosis:1", ("Item:diagnosis:1", "MENTIONS", "Disease:558")),
        ("diagnosis:1", ("Item:diagnosis:1", "TEXT", "ORPHA:558")),
    ]


def test_ontology_subtype_path_and_small_parent() -> None:
    facts = AuditFacts(
        {"diagnosis:1": DIAG, "diagnosis:2": DIAG, "diagnosis:3": DIAG},
        mentions={
            "diagnosis:1": [mention("diagnosis:1", "Disease", 284963, "Marfan syndrome type 1")],
            "diagnosis:2": [mention("diagnosis:2", "Disease", 284993, "Marfan-related disorders")],
            "diagnosis:3": [mention("diagnosis:3", "Disease", 98006, "a large group")],
        },
        answers={"diagnosis:1": [558], "diagnosis:2": [558], "diagnosis:3": [558]},
        subtype_paths={(284963, 558): ("Disease:284963", "SUBCLASS_OF", "Disease:558")},
        parents={558: {284993, 98006}},
        members={284993: 3, 98006: 40},
    )
    found = ontology(facts, CONFIG)
    assert [(f.item_id, f.severity, f.path[-1]) for f in found] == [
        ("diagnosis:1", "high", "Disease:558"),
        ("diagnosis:2", "medium", "Disease:558"),  # 3 members: within parent_max_members; 40 is not
    ]
    assert "with 3 member(s)" in found[1].explanation


def test_rare_gene_counts_the_gene_s_diseases() -> None:
    fbn1, common = NodeRef("Gene", "FBN1"), NodeRef("Gene", "TP53")
    facts = AuditFacts(
        {"diagnosis:1": DIAG},
        mentions={
            "diagnosis:1": [
                mention("diagnosis:1", "Gene", "FBN1", "FBN1"),
                mention("diagnosis:1", "Gene", "TP53", "TP53"),
            ]
        },
        answers={"diagnosis:1": [558]},
        gene_diseases={fbn1: {558, 284963}, common: {558, 1, 2, 3}},
    )
    [finding] = rare_gene(facts, CONFIG)
    assert (finding.severity, finding.path[2]) == ("medium", "Gene:FBN1")
    assert "associated with 2 disease(s)" in finding.explanation


def test_phenotype_set_by_specificity_not_count() -> None:
    p1, p2, p3 = (NodeRef("Phenotype", f"HP:000000{k}") for k in range(1, 4))
    annotations = {
        p1: {558: 1.0, 7: 1.0},  # no frequency given: weight 1
        p2: {558: 0.895, 7: 0.545},  # very frequent in 558, frequent in 7
        p3: {558: 0.17},  # occasional, and only in 558
    }

    def facts(*mentioned: NodeRef, table: dict = annotations) -> AuditFacts:
        return AuditFacts(
            {"diagnosis:1": DIAG},
            mentions={"diagnosis:1": [mention("diagnosis:1", "Phenotype", p.key, p.key) for p in mentioned]},
            answers={"diagnosis:1": [558]},
            phenotype_diseases=table,
            n_diseases=1000,
        )

    # three phenotypes only 558 has all of: log2(1000/2) + log2(1000/1.44) + log2(1000/0.17) = 30.93 bits
    [finding] = phenotype_set(facts(p1, p2, p3), CONFIG)
    assert "3 mentioned phenotype(s) carrying 30.9 bits" in finding.explanation
    assert "fit 1 Orphanet disease(s): the answer ORPHA:558 alone" in finding.explanation
    assert finding.path == ("Item:diagnosis:1", "MENTIONS", "Phenotype:HP:0000001", "Phenotype:HP:0000002",
                            "Phenotype:HP:0000003", "<-HAS_PHENOTYPE", "Disease:558")  # fmt: skip
    assert phenotype_set(facts(p1, p2), CONFIG) == []  # 558 and 7 both fit: not a lookup, however many
    # 9.97 bits single out one of 1,000 diseases; asking 21 more than that is more than 30.9
    assert phenotype_set(facts(p1, p2, p3), AuditConfig(phenotype_min_bits_margin=21)) == []
    assert len(phenotype_set(facts(p1, p2), AuditConfig(phenotype_max_candidates=2))) == 1  # two fit, two allowed
    # an Excluded annotation (weight 0) does not make 7 fit: one phenotype in 1 of 1,000 diseases, 9.97
    # bits, exactly what singling out one of 1,000 takes
    excluded = {p1: {558: 1.0, 7: 0.0}}
    [single] = phenotype_set(facts(p1, table=excluded), CONFIG)
    assert "carrying 10.0 bits (frequency-weighted; 10.0 single out one of 1,000 diseases)" in single.explanation
    assert phenotype_set(facts(p1, table=excluded), AuditConfig(phenotype_min_bits_margin=0.1)) == []


def test_answer_text_on_the_question_side_only() -> None:
    exam = {"track": "examination", "question": "Order a slit lamp examination?", "context": "skeletal survey done",
            "keyTests": ["slit lamp examination", "skeletal survey", "ECG"]}  # fmt: skip
    facts = AuditFacts({"examination:1": exam})
    found = answer_text(facts, CONFIG)
    # the context is not on the examination question side; "ECG" is too short to count
    assert [f.path[-1] for f in found] == ["slit lamp examination"]


def test_figure_label_and_file_name() -> None:
    item = {**DIAG, "imagePaths": ["img/marfan_syndrome_ct.jpg", "img/b.jpg"]}
    facts = AuditFacts(
        {"diagnosis:1": item},
        answers={"diagnosis:1": [558]},
        diseases={558: {"name": "Marfan syndrome", "synonyms": ["MFS"]}},
        shows={
            "diagnosis:1": [shows("diagnosis:1", "a" * 64, 0, "Figure 1"), shows("diagnosis:1", "b" * 64, 1, "MFS eye")]
        },
    )
    found = figure_label(facts, CONFIG)
    assert [(f.path[3], f.path[4]) for f in found] == [
        ("image file name", "img/marfan_syndrome_ct.jpg"),
        ("figure label", "MFS eye"),
    ]


def test_near_duplicates_need_both_hashes_to_agree() -> None:
    a, b, c, d = "a" * 64, "b" * 64, "c" * 64, "d" * 64
    facts = AuditFacts(
        {"diagnosis:1": DIAG, "treatment:1": {"track": "treatment"}, "examination:1": {"track": "examination"}},
        shows={
            "diagnosis:1": [shows("diagnosis:1", a)],
            "treatment:1": [shows("treatment:1", b), shows("treatment:1", c)],
            "examination:1": [shows("examination:1", d)],
        },
        images={
            a: {"phash": "ffff000000000000", "dhash": "00000000000000ff"},
            b: {"phash": "ffff00000000000f", "dhash": "00000000000000f7"},  # 4 bits, 1 bit: a copy of a
            c: {"phash": "0000ffffffffffff", "dhash": "0f0f0f0f0f0f0f0f"},  # far on both
            d: {"phash": "ffff0000000000f0", "dhash": "ffffffffffff0000"},  # 4 bits from a, 56 bits: a look-alike
        },
    )
    found = near_duplicate_images(facts, CONFIG)
    assert sorted((f.item_id, f.path[2]) for f in found) == [
        ("diagnosis:1", f"Image:{a}"),
        ("treatment:1", f"Image:{b}"),
    ]
    assert "perceptual hash distance 4, gradient hash distance 1" in found[0].explanation
    legacy = AuditFacts(
        facts.items, shows=facts.shows, images={k: {"phash": v["phash"]} for k, v in facts.images.items()}
    )
    assert near_duplicate_images(legacy, CONFIG) == []  # unconfirmed without the second hash


def _grid(cell) -> str:
    """A 16x16 grey copy as stored: cell(row, column) -> 0..255, hex of the bytes row by row."""
    return bytes(cell(r, c) for r in range(16) for c in range(16)).hex()


def test_the_pixel_check_decides_between_hash_matches() -> None:
    a, b, c, d = "a" * 64, "b" * 64, "c" * 64, "d" * 64
    same_hashes = {"phash": "ffff000000000000", "dhash": "00000000000000ff"}  # every pair 0 bits apart
    grids = {
        a: _grid(lambda r, c: 0 if r < 8 else 255),  # dark top half
        b: _grid(lambda r, c: 10 if r < 8 else 245),  # a with less contrast: correlation exactly 1
        c: _grid(lambda r, c: 0 if c < 8 else 255),  # dark left half: correlation 0 with a and b
        # dark top-left quarter: correlation 1/sqrt(3) = 0.577 with a and b (worked by hand), 1/sqrt(3) with c
        d: _grid(lambda r, c: 0 if r < 8 and c < 8 else 255),
    }
    facts = AuditFacts(
        {f"diagnosis:{k}": DIAG for k in range(1, 5)},
        shows={f"diagnosis:{k}": [shows(f"diagnosis:{k}", sha)] for k, sha in enumerate((a, b, c, d), 1)},
        images={sha: {**same_hashes, "pixels": grid} for sha, grid in grids.items()},
    )
    found = near_duplicate_images(facts, CONFIG)
    assert sorted((f.item_id, f.path[2], f.path[4]) for f in found) == [
        ("diagnosis:1", f"Image:{a}", f"Image:{b}"),
        ("diagnosis:2", f"Image:{b}", f"Image:{a}"),
    ]
    assert "perceptual hash distance 0, pixel correlation 1.000, gradient hash distance 0" in found[0].explanation
    # a looser setting lets the quarter through at 0.577, but never the half turned sideways at 0
    loose = near_duplicate_images(facts, replace(CONFIG, pixel_min_correlation=0.55))
    pairs = {frozenset((f.path[2], f.path[4])) for f in loose}
    assert frozenset((f"Image:{a}", f"Image:{d}")) in pairs and frozenset((f"Image:{c}", f"Image:{d}")) in pairs
    assert frozenset((f"Image:{a}", f"Image:{c}")) not in pairs
    assert "pixel correlation 0.577" in next(f.explanation for f in loose if f.path[2] == f"Image:{d}")


def test_a_trimmed_copy_matches_the_original_s_centre() -> None:
    a, b = "a" * 64, "b" * 64
    images = {
        # b's whole is 10 and 13 bits from a's whole (too far), but 2 and 3 bits from a's centre
        a: {"phash": "0000000000000000", "dhash": "0000000000000000",
            "phashInner": "0000000000000fff", "dhashInner": "000000000000ffff"},
        b: {"phash": "0000000000000ffc", "dhash": "000000000000fff8",
            "phashInner": "ffffffffffffffff", "dhashInner": "ffffffffffffffff"},
    }  # fmt: skip
    facts = AuditFacts(
        {"diagnosis:1": DIAG, "examination:1": {"track": "examination"}},
        shows={"diagnosis:1": [shows("diagnosis:1", a)], "examination:1": [shows("examination:1", b)]},
        images=images,
    )
    found = near_duplicate_images(facts, CONFIG)
    assert sorted(f.item_id for f in found) == ["diagnosis:1", "examination:1"]
    assert "perceptual hash distance 2, gradient hash distance 3, one a trimmed copy of the other" in (
        found[0].explanation
    )
    wholes_only = {k: {"phash": v["phash"], "dhash": v["dhash"]} for k, v in images.items()}
    assert near_duplicate_images(AuditFacts(facts.items, shows=facts.shows, images=wholes_only), CONFIG) == []


@pytest.mark.parametrize("search", ["index", "scan"])
def test_near_duplicates_are_every_pair_the_rule_names_with_varied_proportions(
    search: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """300 images in families of near copies (a few bits flipped), widths and heights varied so that
    proportions sit inside, on and outside the 5% a trimmed copy may change by; the pairs found are
    those the rule gives when every pair is checked by hand-written loops, whether the hashes are
    searched from the index or by comparing every pair."""
    chosen = (lambda d, others: hamming.Layout.best(d, others)) if search == "index" else (lambda *_: None)
    monkeypatch.setattr(hamming, "indexed", chosen)
    rng = random.Random(7)
    # 1052 x 1000 and 1000 x 1052 are within 5% of a square only as seen from themselves: 1/1.052 - 1 = -0.049
    sizes = [(100, 100), (105, 100), (100, 105), (96, 100), (120, 100), (100, 80), (64, 48), (1052, 1000), (1000, 1052)]
    images = {}
    for k in range(300):
        base = rng.getrandbits(64) if k % 6 == 0 else images[f"{k - k % 6:064x}"]["base"]
        flip = sum(1 << b for b in rng.sample(range(64), rng.choice((0, 3, 8, 11, 12, 13, 20))))
        near, gradient = f"{base ^ flip:016x}", f"{base ^ (flip >> 1):016x}"
        other, unlike = f"{rng.getrandbits(64):016x}", f"{rng.getrandbits(64):016x}"
        width, height = rng.choice(sizes)
        # members 2 and 4 of a family are trimmed copies: their centre is near the family's whole
        trimmed = k % 6 in (2, 4)
        images[f"{k:064x}"] = {
            "base": base,
            "phash": other if trimmed else near,
            "dhash": unlike if trimmed else gradient,
            "phashInner": near if trimmed else other,
            "dhashInner": gradient if trimmed else unlike,
            "width": width,
            "height": height,
        }
    shas = sorted(images)
    facts = AuditFacts(
        {f"diagnosis:{k}": DIAG for k in range(len(shas))},
        shows={f"diagnosis:{k}": [shows(f"diagnosis:{k}", sha)] for k, sha in enumerate(shas)},
        images=images,
    )

    def bits(x: str, y: str) -> int:
        return (int(x, 16) ^ int(y, 16)).bit_count()

    expected = set()
    for i, a in enumerate(shas):
        for b in shas[i + 1 :]:
            ia, ib = images[a], images[b]
            alike = abs((ib["width"] / ib["height"]) / (ia["width"] / ia["height"]) - 1) <= 0.05
            for mine, theirs in (("", ""), ("", "Inner"), ("Inner", "")):
                trimmed = bool(mine or theirs)
                close = bits(ia[f"phash{mine}"], ib[f"phash{theirs}"]) <= 12
                confirmed = bits(ia[f"dhash{mine}"], ib[f"dhash{theirs}"]) <= 10
                if close and confirmed and (alike or not trimmed):
                    expected |= {(a, b), (b, a)}
    found = {
        (f.path[2].removeprefix("Image:"), f.path[4].removeprefix("Image:"))
        for f in near_duplicate_images(facts, CONFIG)
    }
    assert len(expected) > 100 and found == expected
    assert any(abs(int(a, 16) - int(b, 16)) == 1 and int(b, 16) % 6 in (2, 4) for a, b in expected)  # trimmed, adjacent


def test_cross_track_mention_within_a_case() -> None:
    facts = AuditFacts(
        {"diagnosis:1": DIAG, "treatment:1": {"track": "treatment"}, "treatment:2": {"track": "treatment"}},
        mentions={"treatment:1": [mention("treatment:1", "Disease", 558, "Marfan syndrome")]},
        answers={"diagnosis:1": [558]},
        cases={"case:diagnosis:1": ["diagnosis:1", "treatment:1"], "case:treatment:2": ["treatment:2"]},
    )
    [finding] = cross_track(facts, CONFIG)
    assert finding.item_id == "diagnosis:1" and finding.path[4] == "Item:treatment:1"


def test_a_phrase_naming_two_phenotypes_counts_once_as_either() -> None:
    p1, p2, p3 = (NodeRef("Phenotype", f"HP:000000{k}") for k in range(1, 4))
    both = {"field": "context", "start": 10, "end": 24, "text": "hypothyroidism"}  # one phrase, two terms
    facts = AuditFacts(
        {"diagnosis:1": DIAG},
        mentions={
            "diagnosis:1": [
                Neighbour(NodeRef("Item", "diagnosis:1"), "MENTIONS", "context:0", p1, {"field": "context",
                          "start": 0, "end": 5, "text": "ataxia"}),
                Neighbour(NodeRef("Item", "diagnosis:1"), "MENTIONS", "context:10", p2, both),
                Neighbour(NodeRef("Item", "diagnosis:1"), "MENTIONS", "context:10", p3, both),
            ]
        },
        answers={"diagnosis:1": [558]},
        # as two phenotypes, p1 and p2 would fit 558 alone; the phrase may mean p3, which 7 carries
        phenotype_diseases={p1: {558: 1.0, 7: 1.0}, p2: {558: 1.0}, p3: {7: 1.0}},
        n_diseases=1000,
    )  # fmt: skip
    assert phenotype_set(facts, CONFIG) == []
