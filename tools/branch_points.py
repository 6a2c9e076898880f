"""Count the branch points on benchmark or track names outside the benchmarks' own modules
(DESIGN.md section 12, issue 33): where generic code asks which benchmark or track it holds.

A branch point is, in the service's packages (not tests, not bench scripts):
- a comparison (==, !=, in, not in) with a benchmark's or a track's name as a literal;
- a comparison with a constant that holds one (TRACK, BENCHMARK, *_TRACK, *_BENCHMARK);
- a read of a Track attribute that tells benchmark shapes apart (FLAGS below);
- a choice of tracks by whose evaluator scores them (`tracks_scored_by`).

Left out are the modules that describe one benchmark: the specs (core/tracks.py), and the modules
named after a benchmark or its study, or generating its synthetic release.

    python tools/branch_points.py [ROOT]     # prints each branch point, then the count per file
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

PACKAGES = ("api", "audit", "cli", "client", "core", "graph", "importers", "scoring")
NAMES = frozenset(
    {
        "MMRareBench", "MRareBench", "phenopacket-store",
        "diagnosis", "treatment", "crossmodal", "examination", "differential", "evidence", "phenopacket",
    }
)  # fmt: skip
FLAGS = frozenset(
    {
        "names_disease", "ranked_list", "evidence_rubric", "diagnosis_prop", "needs_image_path",
        "has_conditions", "anchors_disease",
    }
)  # fmt: skip
BENCHMARK_MODULES = ("mrarebench", "phenopacket", "pheval", "ranked_ids", "generator")


def is_benchmark_module(relative: Path) -> bool:
    return relative.as_posix() == "core/tracks.py" or any(word in relative.stem for word in BENCHMARK_MODULES)


def _names_one(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value in NAMES
    if isinstance(node, ast.Name):
        return node.id in ("TRACK", "BENCHMARK") or node.id.endswith(("_TRACK", "_BENCHMARK"))
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_names_one(e) for e in node.elts)
    return False


def branch_points(source: str) -> list[tuple[int, str]]:
    """(line, what) of every branch point in one module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(_names_one(e) for e in (node.left, *node.comparators)):
            found.append((node.lineno, "compares with a benchmark or track name"))
        elif isinstance(node, ast.Attribute) and node.attr in FLAGS and isinstance(node.ctx, ast.Load):
            found.append((node.lineno, f"reads the shape flag {node.attr}"))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tracks_scored_by":
            found.append((node.lineno, "chooses tracks by their authors' evaluator"))
    return sorted(found)


def count(root: Path) -> dict[str, list[tuple[int, str]]]:
    """Per module (relative path) with any, its branch points."""
    out = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if is_benchmark_module(relative):
                continue
            points = branch_points(path.read_text(encoding="utf-8"))
            if points:
                out[relative.as_posix()] = points
    return out


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
    found = count(root)
    for module, points in found.items():
        for line, what in points:
            print(f"{module}:{line}: {what}")
    per_file = Counter({m: len(p) for m, p in found.items()})
    print(f"\n{sum(per_file.values())} branch points in {len(per_file)} files")
    for module, n in per_file.most_common():
        print(f"  {n:3d} {module}")


if __name__ == "__main__":
    main()
