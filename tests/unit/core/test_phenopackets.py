"""The phenopacket case's vignette, labels and indexes (core/phenopackets.py)."""

from __future__ import annotations

from mmrare.core.phenopackets import (
    Feature,
    PacketCase,
    Variant,
    item_index,
    prompt_label,
    split_prompt_label,
    spoken_age,
    vignette,
)


def case(**changes: object) -> PacketCase:
    base = dict(
        packet_id="PMID_1_P1",
        cohort="TBX5",
        sex="FEMALE",
        age="P6Y",
        onset="Congenital onset",
        features=(
            Feature("HP:0001631", "Atrial septal defect", False, ""),
            Feature("HP:0009777", "Absent thumb", False, "P0D"),
            Feature("HP:0001636", "Tetralogy of Fallot", True, ""),
        ),
        disease_id="OMIM:142900",
        disease_label="Holt-Oram syndrome",
        publications=("PMID:1",),
        variants=(Variant("TBX5", "NM_000192.3:c.835C>T", "CAUSATIVE"),),
        source="x.json",
    )
    base.update(changes)
    return PacketCase(**base)  # type: ignore[arg-type]


def test_vignette_gives_age_sex_onset_and_features_in_our_words() -> None:
    text = vignette(case())
    assert text.startswith("A 6-year-old female is seen for a suspected rare disease.")
    assert "Onset: congenital onset." in text
    assert "Findings: Atrial septal defect; Absent thumb (from birth)." in text
    assert "Looked for and absent: Tetralogy of Fallot." in text
    assert text.endswith("Which rare disease best explains this presentation?")


def test_vignette_never_names_the_gene_variant_or_diagnosis() -> None:
    # a feature label that happens to carry the gene and the diagnosis's name is withheld
    sneaky = Feature("HP:0000001", "TBX5-related Holt-Oram syndrome heart", False, "")
    text = vignette(case(features=(sneaky,)))
    for secret in ("TBX5", "Holt-Oram syndrome", "OMIM:142900", "c.835C>T", "142900"):
        assert secret not in text
    assert "[withheld]-related [withheld] heart" in text


def test_unknown_age_and_sex_read_naturally() -> None:
    text = vignette(case(age="", sex="UNKNOWN_SEX", onset=""))
    assert text.startswith("A person is seen")
    assert "Onset" not in text


def test_feature_onsets_as_ages() -> None:
    later = Feature("HP:0001250", "Seizure", False, "P1Y3M")
    assert "Seizure (from 1 year 3 months of age)" in vignette(case(features=(later,)))


def test_spoken_ages() -> None:
    assert spoken_age("P1Y3M") == "1-year-3-month-old"
    assert spoken_age("P0D") == "newborn"
    assert spoken_age("Infantile onset") == "Infantile onset"
    assert spoken_age("P1.5Y") == ""  # not a duration we read: left out, never guessed


def test_prompt_labels_round_trip_the_studys_names() -> None:
    # a no-break space (as in a real 0.1.19 id) and dashes become underscores
    assert prompt_label("PMID_37761890_1\u00a0", "en") == "PMID_37761890_1__en-prompt.txt"
    assert prompt_label("PMID_10580070_A_III-11", "de") == "PMID_10580070_A_III_11_de-prompt.txt"
    assert split_prompt_label("PMID_37761890_1__en-prompt.txt") == ("PMID_37761890_1_", "en")
    assert split_prompt_label("results.tsv") is None


def test_item_index_is_stable_and_release_specific() -> None:
    a = item_index("0.1.19", "PMID_1_P1")
    assert a == item_index("0.1.19", "PMID_1_P1")
    assert a != item_index("b694d17e", "PMID_1_P1")
    assert 0 <= a < 2**48
