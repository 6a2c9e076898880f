"""The contract every registered track keeps (DESIGN.md section 12): a track whose release is a TSV file
goes through read, graph, export and read again unchanged; a track read by its own importer is named,
not written, by export; GraphQL's `benchmarks` lists every track with the metrics its spec offers.
A benchmark registered without a sample release here fails the first test: its contract is unchecked.

Samples are seeded SYNTHETIC releases from the project's generators and the real Orphanet fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmrare.core.blobs import FolderBlobStore
from mmrare.core.mrarebench import CONDITIONS, EVIDENCE_CONDITIONS
from mmrare.core.tracks import ALL_TRACKS, BENCHMARKS, OwnReader, Track, TsvRelease
from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.model import Node, NodeRef
from mmrare.importers.benchmark.export import export_items, not_exported
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.mrarebench_generator import generate_evidence, generate_mrarebench
from mmrare.scoring.conditions import contrast_metrics
from tests.conftest import with_orphanet
from tests.support.releases import snapshot

TSV_TRACKS = [t for t in ALL_TRACKS if isinstance(t.release, TsvRelease)]
OWN_IMPORTER = [t for t in ALL_TRACKS if isinstance(t.release, OwnReader)]


@pytest.fixture(scope="module")
def samples(release: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A sample release per benchmark whose tracks are TSV files."""
    mrarebench = tmp_path_factory.mktemp("mrarebench")
    store = with_orphanet(EmbeddedStore(None))
    generate_mrarebench(store, mrarebench, 12, ("Gen-A",), 3, tuple(CONDITIONS))
    generate_evidence(store, mrarebench, 8, ("Gen-A",), 3, tuple(EVIDENCE_CONDITIONS))
    return {"MMRareBench": release, "MRareBench": mrarebench}


@pytest.mark.parametrize("track", TSV_TRACKS, ids=lambda t: t.name)
def test_a_tsv_track_survives_read_graph_export_read(track: Track, samples: dict[str, Path], tmp_path: Path) -> None:
    assert track.benchmark in samples, f"{track.benchmark} has no sample release in this contract test"
    blobs = FolderBlobStore(tmp_path / "blobs")
    store = with_orphanet(EmbeddedStore(None))
    import_release(samples[track.benchmark], store, blobs, benchmark=track.benchmark)
    items = [n for n in store.select("Item") if n.props["track"] == track.name]
    assert items, f"the sample release of {track.benchmark} has no {track.name} items"
    written = export_items(store, items, blobs, tmp_path / "out")
    assert written == {track.name: len(items)}
    again = with_orphanet(EmbeddedStore(None))
    import_release(tmp_path / "out", again, blobs, benchmark=track.benchmark)
    ids = [n.ref.key for n in items]
    got, want = snapshot(again), snapshot(store, ids)
    assert got["items"] == want["items"]
    assert got["rels"]["SHOWS"] == want["rels"]["SHOWS"] and got["images"] == want["images"]
    assert got["rels"]["MENTIONS"] == want["rels"]["MENTIONS"]
    # an item that names its own disease is aligned again the same way; one that takes its case's
    # disease has lost the case's other tracks in a one-track export, and is not aligned at all
    own = {NodeRef("Item", k).uid for k, p in want["items"].items() if track.anchor.disease_names(p) is not None}
    assert set(got["rels"]["ANSWER_IS"]) == {r for r in want["rels"]["ANSWER_IS"] if r[0] in own}
    assert bool(got["rels"]["ANSWER_IS"]) == bool(own)  # the samples align every track that names a disease


@pytest.mark.parametrize("track", OWN_IMPORTER, ids=lambda t: t.name)
def test_a_track_read_by_its_own_importer_is_named_not_written_by_export(track: Track, tmp_path: Path) -> None:
    assert isinstance(track.release, OwnReader)
    store = EmbeddedStore(None)
    item = Node(NodeRef("Item", f"{track.name}:1"), {"itemId": f"{track.name}:1", "track": track.name, "index": 1})
    assert export_items(store, [item], FolderBlobStore(tmp_path / "blobs"), tmp_path / "out") == {}
    assert not_exported([item]) == {track.name: (1, track.release.command)}
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match=f"`{track.release.command}` reads it"):
        import_release(tmp_path, store, FolderBlobStore(tmp_path / "blobs"), benchmark=track.benchmark)


def test_graphql_lists_every_registered_track_with_its_metrics(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from mmrare.api.app import create_app
    from mmrare.api.auth import KeyStore
    from mmrare.api.service import GraphService

    service = GraphService(EmbeddedStore(None), FolderBlobStore(tmp_path / "blobs"))
    client = TestClient(create_app(service, KeyStore(tmp_path / "keys.json"), tmp_path / "thumbs"))
    query = "{ benchmarks { name tracks { name metrics conditions contrastMetrics } } }"
    listed = client.post("/graphql", json={"query": query}).json()["data"]["benchmarks"]
    assert [b["name"] for b in listed] == list(BENCHMARKS)
    tracks = {t["name"]: t for b in listed for t in b["tracks"]}
    assert list(tracks) == [t.name for t in ALL_TRACKS]
    for spec in ALL_TRACKS:
        assert tracks[spec.name]["metrics"] == list(spec.metrics)
        assert tracks[spec.name]["conditions"] == list(spec.conditions)
        assert tracks[spec.name]["contrastMetrics"] == (contrast_metrics(spec) if spec.conditions else [])
    # hand-checked: T1 compares by rank metrics, T2 by its evidence metrics, MMRareBench has no conditions
    assert tracks["differential"]["contrastMetrics"] == ["rr", "hit@1", "hit@3", "hit@5", "hit@10"]
    assert tracks["phenopacket"]["contrastMetrics"] == ["hit@1", "hit@3", "hit@10", "rr"]
    assert tracks["diagnosis"]["contrastMetrics"] == []
