"""One installed namespace: every import of the project's folders goes through `mmrare.`. From the
repository root a folder is also importable by its bare name (`api`), and that would be a second copy
of the module: a patch or a registration on one copy is unseen by the other."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FOLDERS = ("api", "audit", "cli", "client", "core", "cypher", "graph", "importers", "scoring")
SOURCES = (*FOLDERS, "mmrare", "tests", "bench", "tools", "examples")
# a dotted module path in a string: monkeypatch targets, uvicorn app strings, `python -m` arguments
STRING_PATH = re.compile(rf"^({'|'.join(FOLDERS)})\.[a-z_]+(\.[A-Za-z_]+)*(:\w+)?$")
FILE_SUFFIXES = ("db", "json", "jsonl", "gz", "tsv", "csv", "py", "cypher", "version", "xml")  # graph.db is a file


def _module_path(text: str) -> bool:
    return bool(STRING_PATH.match(text)) and text.split(":")[0].rsplit(".", 1)[-1] not in FILE_SUFFIXES


def bare_uses(source: str) -> list[tuple[int, str]]:
    """(line, what) of each import or module-path string naming a folder without `mmrare.`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] in FOLDERS]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in FOLDERS:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _module_path(node.value):
            found.append((node.lineno, node.value))
    return found


def test_the_checker_finds_bare_imports_and_module_strings() -> None:
    source = "\n".join(
        [
            "import graph.embedded",
            "from core.tracks import TRACKS",
            'target = "api.app.MAX_UPLOAD"',
            'app = "api.app:app_from_env"',
            "from mmrare.core.tracks import TRACKS",
            'name = "graph.db"',  # a file name, not a module
        ]
    )
    assert [line for line, _ in bare_uses(source)] == [1, 2, 3, 4]


def test_every_import_goes_through_the_namespace() -> None:
    bare = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for folder in SOURCES
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, what in bare_uses(path.read_text(encoding="utf-8"))
    ]
    assert bare == []
