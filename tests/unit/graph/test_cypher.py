from __future__ import annotations

from importlib import resources

import pytest

from mmrare.graph.cypher import statement
from mmrare.graph.model import Direction


def test_placeholders_filled_from_the_model() -> None:
    text = statement("upsert_nodes", label="Disease")
    assert "MERGE (n:Disease {orphaCode: row.key})" in text
    paths = statement("shortest_paths", rel_types=("MENTIONS", "SUBCLASS_OF"), hops=3, direction=Direction.OUT)
    assert "(a)-[:MENTIONS|SUBCLASS_OF*1..3]->(b)" in paths


def test_unknown_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown node label"):
        statement("upsert_nodes", label="Disease) DETACH DELETE (x")
    with pytest.raises(ValueError, match="unknown relationship type"):
        statement("count_type", rel_type="KNOWS")
    with pytest.raises(ValueError, match="still has placeholder __TYPE__"):
        statement("count_type")
    with pytest.raises(KeyError, match="no statement"):
        statement("no_such_statement")


def test_every_statement_file_is_used_by_the_neo4j_store() -> None:
    # the store runs them by name; graph/cypher.py sets the shared item filter into the item statements
    source = "".join(resources.files("graph").joinpath(f).read_text() for f in ("neo4j_store.py", "cypher.py"))
    names = sorted(
        p.name.removesuffix(".cypher") for p in resources.files("mmrare.cypher").iterdir() if p.name.endswith(".cypher")
    )
    unused = [n for n in names if f'"{n}"' not in source]
    assert names and unused == []
