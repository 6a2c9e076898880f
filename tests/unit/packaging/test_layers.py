"""The layering docs/design.md states, enforced: each package imports only the packages below it.
Every import is read, function-level ones too (a lazy import is still a dependency)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# package -> the other packages it may import (docs/design.md, "Layers")
MAY_IMPORT: dict[str, frozenset[str]] = {
    "graph": frozenset(),  # storage knows no domain
    "core": frozenset({"graph"}),  # the domain, and Orphanet-aware queries over the store protocol
    "scoring": frozenset({"core", "graph"}),  # never importers: scoring reads the graph, not files
    "audit": frozenset({"core", "graph"}),
    "importers": frozenset({"core", "graph", "scoring"}),  # an import judges with scoring's pure rules
    "client": frozenset(),  # a caller of the HTTP API, installable without the service
    "api": frozenset({"core", "graph", "scoring", "audit", "importers"}),
    "cli": frozenset({"core", "graph", "scoring", "audit", "importers", "api", "client"}),
}


def imported_packages(source: str) -> list[tuple[int, str]]:
    """(line, package) of every `mmrare.<package>` a module imports, at any depth of the module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found += [(node.lineno, n.split(".")[1]) for n in names if n.startswith("mmrare.") and n.count(".") >= 1]
    return found


def violations(package: str) -> list[str]:
    allowed = MAY_IMPORT[package] | {package}
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, imported in imported_packages(path.read_text(encoding="utf-8")):
            if imported in MAY_IMPORT and imported not in allowed:
                out.append(f"{path.relative_to(ROOT)}:{line} imports mmrare.{imported}")
    return out


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    assert violations(package) == []


def test_the_reader_sees_function_level_imports() -> None:
    source = "import json\n\ndef f():\n    from mmrare.cli.main import main\n    import mmrare.api.app\n"
    assert imported_packages(source) == [(4, "cli"), (5, "api")]
