"""Problems found in input files: each names the file, the record and the field, and nothing is lost.

Importers collect every problem of a file instead of stopping at the first, so a user fixes them
all in one round. By default any problem means nothing is written (`ImportRejected`); with
`skip_invalid` the rest is imported and each rejected record is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    file: str
    record: str  # e.g. "line 12", "row 7", "ORPHA:558"
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.record}: {self.field}: {self.message}"


class ImportRejected(ValueError):
    """The input had problems; nothing was written."""

    def __init__(self, problems: list[Problem], shown: int = 20) -> None:
        self.problems = problems
        lines = [str(p) for p in problems[:shown]]
        if len(problems) > shown:
            lines.append(f"... and {len(problems) - shown} more")
        super().__init__(
            f"{len(problems)} problem(s); nothing was written (use --skip-invalid to import the rest):\n  "
            + "\n  ".join(lines)
        )


@dataclass
class ProblemLog:
    """The problems of one import run, in the order found."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # read, but worth a look; never rejects

    def add(self, file: str, record: str, field_name: str, message: str) -> None:
        self.problems.append(Problem(file, record, field_name, message))

    def warn(self, file: str, record: str, field_name: str, message: str) -> None:
        self.warnings.append(Problem(file, record, field_name, message))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise ImportRejected(self.problems)
