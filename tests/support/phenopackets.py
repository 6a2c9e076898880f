"""phenopacket-store's real excerpt (tests/fixtures/phenopackets, BSD-3, see ATTRIBUTION.md): the
packets, GPT-4o's English and German answers for them, and a graph that holds the packets."""

from __future__ import annotations

from mmrare.graph.store import GraphStore
from mmrare.importers.orphanet.detect import read_all
from mmrare.importers.orphanet.loader import load
from mmrare.importers.phenopackets import import_phenopackets
from tests.conftest import FIXTURES

HERE = FIXTURES / "phenopackets"
PACKETS = HERE / "store_excerpt"
RESULTS = HERE / "pheval_excerpt" / "gpt-4o"


def with_packets(store: GraphStore) -> GraphStore:
    """The store with the excerpt's Orphanet and Mondo facts and its nine packets (release 0.1.19)."""
    facts, files = read_all([HERE / "orphapackets_excerpt.jsonl.gz", HERE / "mondo_ordo_excerpt.robot.tsv"])
    load(facts, store, files)
    import_phenopackets([PACKETS], store, release="0.1.19")
    return store
