"""What several command groups share: track choices and ORPHA code options."""

from __future__ import annotations

import click

from core.orphanet import parse_orpha_code
from core.tracks import TRACKS

TRACK_CHOICE = click.Choice([t.name for t in TRACKS])


def orpha_code(text: str, option: str) -> int:
    code = parse_orpha_code(text)
    if code is None:
        raise click.BadParameter(f"{text!r} is not an ORPHAcode (e.g. 558 or ORPHA:558)", param_hint=option)
    return code
