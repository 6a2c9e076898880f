"""What several command groups share: track choices and ORPHA code options."""

from __future__ import annotations

import click

from core.orphanet import PREVALENCE_CLASSES, normalise_prevalence_class, parse_orpha_code
from core.tracks import TRACKS

TRACK_CHOICE = click.Choice([t.name for t in TRACKS])


def orpha_code(text: str, option: str) -> int:
    code = parse_orpha_code(text)
    if code is None:
        raise click.BadParameter(f"{text!r} is not an ORPHAcode (e.g. 558 or ORPHA:558)", param_hint=option)
    return code


def prevalence_class(text: str) -> str:
    """An Orphanet prevalence class however it is spaced ('1-9/100000'); anything else lists the valid ones."""
    found = normalise_prevalence_class(text)
    if found is None:
        raise click.BadParameter(
            f"{text!r} is not a prevalence class; use one of {', '.join(repr(c) for c in PREVALENCE_CLASSES)}",
            param_hint="--prevalence",
        )
    return found
