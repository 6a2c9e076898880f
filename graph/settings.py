"""Which store to open, from one setting: MMRARE_GRAPH.

embedded:<path>            the default, embedded:./.mmrare/graph.db
memory:                    an embedded graph that is never written to disk (tests, demos)
neo4j://host:port          (also bolt://, neo4j+s://) with MMRARE_NEO4J_USER / MMRARE_NEO4J_PASSWORD
"""

from __future__ import annotations

import os

from mmrare.graph.errors import StoreUnavailableError
from mmrare.graph.store import GraphStore

DEFAULT_GRAPH = "embedded:./.mmrare/graph.db"
NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def graph_setting() -> str:
    return os.environ.get("MMRARE_GRAPH", DEFAULT_GRAPH)


def open_store(setting: str | None = None) -> GraphStore:
    setting = setting or graph_setting()
    if setting.startswith("embedded:"):
        from mmrare.graph.embedded import EmbeddedStore

        return EmbeddedStore(setting.removeprefix("embedded:") or None)
    if setting == "memory:":
        from mmrare.graph.embedded import EmbeddedStore

        return EmbeddedStore(None)
    if setting.startswith(NEO4J_SCHEMES):
        from mmrare.graph.neo4j_store import Neo4jStore

        user = os.environ.get("MMRARE_NEO4J_USER")
        password = os.environ.get("MMRARE_NEO4J_PASSWORD", "")
        auth = (user, password) if user else None
        return Neo4jStore(setting, auth=auth, database=os.environ.get("MMRARE_NEO4J_DATABASE"))
    raise StoreUnavailableError(
        f"MMRARE_GRAPH={setting!r} is not understood; use embedded:<path>, memory: or neo4j://host:port"
    )
