from __future__ import annotations

import pytest

from mmrare.core.orphanet import normalise_prevalence_class, parse_orpha_code
from mmrare.importers.orphanet.facts import PrevalenceFact
from mmrare.importers.orphanet.loader import headline_prevalence


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (558, 558),
        ("558", 558),
        ("ORPHA:558", 558),
        ("orpha:558", 558),
        ("Orphanet_558", 558),
        ("http://www.orpha.net/ORDO/Orphanet_558", 558),
        (" ORPHA:586 ", 586),
        ("ORPHA:", None),
        ("558a", None),
        (0, None),
        (-3, None),
        (True, None),
        (None, None),
        ("OMIM:154700", None),
    ],
)
def test_parse_orpha_code(raw: object, code: int | None) -> None:
    assert parse_orpha_code(raw) == code


def test_prevalence_class_spacing_is_normalised() -> None:
    assert normalise_prevalence_class("1-9/100000") == "1-9 / 100 000"
    assert normalise_prevalence_class("<1 / 1 000 000") == "<1 / 1 000 000"
    assert normalise_prevalence_class("") is None
    assert normalise_prevalence_class("about ten") is None


def rec(type_: str | None, cls: str | None, geo: str = "Europe", validation: str | None = None) -> PrevalenceFact:
    return PrevalenceFact(type_, "Value and class", cls, None, geo, validation, "ORPHANET")


def test_headline_prefers_point_prevalence_then_worldwide_then_validated_then_order() -> None:
    birth = rec("Prevalence at birth", "1-5 / 10 000", "Worldwide", "Validated")
    point_eu = rec("Point prevalence", "1-9 / 100 000")
    point_world = rec("Point prevalence", "1-9 / 1 000 000", "Worldwide")
    point_world_validated = rec("Point prevalence", "<1 / 1 000 000", "Worldwide", "Validated")
    assert headline_prevalence([birth, point_eu]) == "1-9 / 100 000"  # type beats geography
    assert headline_prevalence([birth, point_eu, point_world]) == "1-9 / 1 000 000"  # worldwide beats Europe
    assert headline_prevalence([point_world, point_world_validated]) == "<1 / 1 000 000"  # validated wins
    # an exact tie: the first in source order
    assert headline_prevalence([point_eu, rec("Point prevalence", "6-9 / 10 000")]) == "1-9 / 100 000"


def test_headline_without_numeric_class() -> None:
    cases = rec("Cases/families", None, "Worldwide")
    assert headline_prevalence([cases, rec("Point prevalence", "Unknown")]) == "Unknown"
    assert headline_prevalence([cases, rec("Point prevalence", "Not yet documented")]) == "Not yet documented"
    assert headline_prevalence([cases]) is None
    assert headline_prevalence([]) is None
    # a real class beats Unknown whatever the type
    assert (
        headline_prevalence([rec("Point prevalence", "Unknown", "Worldwide"), rec("Annual incidence", "1-9 / 100 000")])
        == "1-9 / 100 000"
    )
