"""A T2 row's evidence points and image ids, read as the reference reads them."""

from __future__ import annotations

from mmrare.core.mrarebench import EvidencePoint, evidence_layer, evidence_points, image_numbers


def test_points_skip_non_objects_and_blank_text_and_credit_is_case_blind() -> None:
    points = evidence_points(
        [
            {
                "point": " ectopia lentis ",
                "image": "Image 1",
                "credit": " Required ",
                "category": "Macroscopic pattern",
            },
            {"point": "aortic root dilatation", "credit": "optional", "category": "cross-image integration"},
            "a bare string",
            {"point": "", "credit": "required"},
            {"point": None, "credit": "required"},
            {"point": 7, "image": None, "credit": None, "category": "histology"},
        ]
    )
    assert points == (
        EvidencePoint("[Image 1] ectopia lentis", True, "macro_pattern", "ectopia lentis"),
        EvidencePoint("aortic root dilatation", False, "cross_image_integration", "aortic root dilatation"),
        EvidencePoint("7", False, "other", "7"),
    )


def test_layers_from_the_reference_spellings() -> None:
    assert evidence_layer("abstract_modality") == "modality"
    assert evidence_layer("Region or field") == "macro_pattern"
    assert evidence_layer("__Microstructural-Pattern__") == "micro_pattern"
    assert evidence_layer("Diagnostic attribution") == "diagnostic_attribution"
    assert evidence_layer(None) == "other" and evidence_layer("texture") == "other"


def test_image_numbers_from_any_spelling() -> None:
    assert image_numbers("[1, 3]") == {1, 3}
    assert image_numbers("1;3") == {1, 3}
    assert image_numbers("Image 1, Image 12") == {1, 12}
    assert image_numbers("nan") == frozenset() and image_numbers(" [] ") == frozenset() and image_numbers(None) == set()


def test_cells_read_as_the_reference_reads_them() -> None:
    from mmrare.core.pandas_cells import reference_text

    # pandas' missing-value tokens become NaN, which str() makes "nan"; white space is text to pandas
    assert reference_text(None) == reference_text("") == reference_text("NA") == reference_text(float("nan")) == "nan"
    assert reference_text("   ") == "   " and reference_text(7) == "7"
