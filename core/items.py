"""Item ids: `<track>:<index>`, the track name and the row's integer index in its release file."""

from __future__ import annotations


def item_id(track: str, index: int) -> str:
    return f"{track}:{index}"


def parse_item_id(text: str) -> tuple[str, int]:
    """'crossmodal:11' -> ('crossmodal', 11); a ValueError names what is wrong."""
    track, sep, index = text.strip().partition(":")
    if not sep or not track or not index.strip().lstrip("-").isdigit():
        raise ValueError(f"{text!r} is not an item id (<track>:<index>, e.g. diagnosis:12)")
    return track, int(index)


def track_of(text: str) -> str:
    return parse_item_id(text)[0]


def natural_key(text: str) -> tuple[str, int]:
    """Sort key that puts crossmodal:11 before crossmodal:100."""
    return parse_item_id(text)
