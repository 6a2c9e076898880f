"""A tiny progress interface, so importers, scoring and the audit report long work without knowing
about terminals: `progress(stage, done, total)`, where done and total may be rows, bytes or requests."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None: ...


def no_progress(stage: str, done: int, total: int) -> None:
    """The default: report nothing."""
