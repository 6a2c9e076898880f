"""The phenopacket-store releases in the graph, and their items: what the study-result importer and
the phenotype baseline both ask of the graph."""

from __future__ import annotations

from mmrare.core.phenopackets import BENCHMARK, TRACK
from mmrare.graph.store import GraphStore, Where


def release_items(store: GraphStore, release: str | None) -> tuple[str, list[str]]:
    """(release, the ids of its items, sorted) of one imported phenopacket-store release: the one
    named, or the only one."""
    release = release_named(store, release)
    facts = store.properties("Item", ["track", "release"])
    return release, sorted(str(k) for k, p in facts.items() if p.get("track") == TRACK and p.get("release") == release)


def release_named(store: GraphStore, release: str | None) -> str:
    """The imported phenopacket-store release named, or the only one (an error names the others)."""
    releases = sorted(
        n.props["version"] for n in store.select("BenchmarkRelease", [Where("benchmark", "eq", BENCHMARK)])
    )
    if not releases:
        raise ValueError("no phenopacket-store release in the graph: run `mmrare import phenopackets` first")
    if release is None:
        if len(releases) > 1:
            raise ValueError(f"several phenopacket-store releases ({', '.join(releases)}): name one (--release)")
        release = releases[0]
    elif release not in releases:
        raise ValueError(f"no phenopacket-store release {release!r} (there are: {', '.join(releases)})")
    return release
