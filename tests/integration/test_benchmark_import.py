"""MMRareBench release import on both stores: a seeded synthetic release, round trips, every bad-input kind."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mmrare.core.blobs import FolderBlobStore
from mmrare.core.tracks import TRACKS
from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore
from mmrare.graph.subsets import ItemFilter, select_items
from mmrare.importers.benchmark.export import export_items
from mmrare.importers.benchmark.generator import generate_release
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.predictions import ModelInfo, import_predictions
from mmrare.importers.problems import ImportRejected
from tests.conftest import with_orphanet
from tests.support.releases import edit, rows, snapshot

FIX = Path(__file__).parents[1] / "fixtures" / "orphanet"
csv.field_size_limit(sys.maxsize)


def test_import_counts_alignment_and_idempotence(store: GraphStore, release: Path, tmp_path: Path) -> None:
    with_orphanet(store)
    blobs = FolderBlobStore(tmp_path / "blobs")
    summary = import_release(release, store, blobs)
    expected_rows = {t.name: rows(release / t.file) for t in TRACKS}
    assert summary.items == {t: len(r) for t, r in expected_rows.items()}
    assert store.count_nodes("Item") == 40
    # every distinct image, computed straight from the base64 cells
    shas = {
        hashlib.sha256(base64.b64decode(b)).hexdigest()
        for r in expected_rows.values()
        for row in r
        for b in json.loads(row["image"])
    }
    assert store.count_nodes("Image") == summary.images == len(shas)
    assert all(blobs.has(s) for s in shas)
    # one case per diagnosis item; every other item joins one of them through a shared image
    assert store.count_nodes("Case") == len(expected_rows["diagnosis"]) == summary.cases
    assert store.count_rels("ABOUT") == 40
    diag = expected_rows["diagnosis"][0]
    [answer] = store.neighbours([NodeRef("Item", "diagnosis:0")], "ANSWER_IS")
    assert answer.node.key == int(diag["ORPHA_code"].split(":")[-1].split("_")[-1])
    assert answer.rel_props == {"method": "code", "confidence": 1.0}
    assert summary.aligned["code"] == len(expected_rows["diagnosis"])
    assert summary.aligned["case"] == 40 - len(expected_rows["diagnosis"])
    assert summary.unresolved == [] and summary.conflicts == []
    before = snapshot(store)
    import_release(release, store, blobs)
    assert snapshot(store) == before


def test_items_images_and_mentions(store: GraphStore, release: Path, tmp_path: Path) -> None:
    with_orphanet(store)
    import_release(release, store, FolderBlobStore(tmp_path))
    cross = rows(release / "crossmodal" / "crossmodal_comparison.tsv")[0]
    item = store.get(NodeRef("Item", "crossmodal:0")).props
    assert item["question"] == cross["question"] and item["relationType"] == cross["relation_type"]
    assert item["goldenMainline"] == [c["claim"] for c in json.loads(cross["golden_mainline"])]
    shows = sorted(store.neighbours([NodeRef("Item", "crossmodal:0")], "SHOWS"), key=lambda n: n.rel_props["order"])
    mapping = json.loads(cross["figure_mapping"])
    assert [n.rel_props["label"] for n in shows] == list(mapping)
    assert item["nImages"] == len(shows) == len(json.loads(cross["image"]))
    first = store.get(shows[0].node).props
    raw = base64.b64decode(json.loads(cross["image"])[0])
    assert (first["format"], first["byteSize"], first["sha256"]) == ("JPEG", len(raw), hashlib.sha256(raw).hexdigest())
    # the narrative is written from the disease's phenotypes: some become MENTIONS of Phenotype nodes
    mentions = store.neighbours([NodeRef("Item", "diagnosis:0")], "MENTIONS")
    assert any(m.node.label == "Phenotype" and m.rel_props["field"] == "context" for m in mentions)
    context = store.get(NodeRef("Item", "diagnosis:0")).props["context"]
    for m in mentions:
        if m.rel_props["field"] == "context":
            assert context[m.rel_props["start"] : m.rel_props["end"]] == m.rel_props["text"]


def test_export_round_trip_and_subset(store: GraphStore, release: Path, tmp_path: Path) -> None:
    with_orphanet(store)
    blobs = FolderBlobStore(tmp_path / "blobs")
    import_release(release, store, blobs)
    out = tmp_path / "export"
    written = export_items(store, store.select("Item"), blobs, out)
    assert written == {"diagnosis": 11, "treatment": 7, "crossmodal": 13, "examination": 9}
    again = with_orphanet(EmbeddedStore(None))
    import_release(out, again, blobs)
    assert snapshot(again) == snapshot(store)
    assert again.stats()["nodes"]["Case"] == store.stats()["nodes"]["Case"]
    # a subset: items whose answer descends from ORPHA:284993 (Marfan syndrome and related disorders)
    subset = select_items(store, ItemFilter(under=(284993,), tracks=("diagnosis", "treatment")))
    ids = [n.ref.key for n in subset]
    assert ids and all(i.startswith(("diagnosis:", "treatment:")) for i in ids)
    under = {n.node.key for n in store.neighbours([NodeRef("Item", i) for i in ids], "ANSWER_IS")}
    assert under <= {284993, 558, 284963, 284973, 115, 171719, 1885, 2462, 284979, 284984, 60030, 622925, 91387}
    part = tmp_path / "part"
    export_items(store, subset, blobs, part)
    third = with_orphanet(EmbeddedStore(None))
    import_release(part, third, blobs)
    got, want = snapshot(third), snapshot(store, ids)
    assert got["items"].keys() == want["items"].keys()
    assert got["rels"]["SHOWS"] == want["rels"]["SHOWS"] and got["images"] == want["images"]
    for key, props in want["items"].items():
        assert got["items"][key] == props


def test_same_seed_same_release(tmp_path: Path) -> None:
    graph = with_orphanet(EmbeddedStore(None))
    for name in ("a", "b"):
        generate_release(graph, tmp_path / name, items=12, seed=5, image_size=64)
    for track in TRACKS:
        assert (tmp_path / "a" / track.file).read_bytes() == (tmp_path / "b" / track.file).read_bytes()
    assert "SYNTHETIC" in (tmp_path / "a" / "README.md").read_text()


def test_every_bad_input_kind_is_named_and_nothing_written(store: GraphStore, release: Path, tmp_path: Path) -> None:
    with_orphanet(store)
    before = store.stats()

    def break_rows(r: list[dict[str, str]]) -> list[dict[str, str]]:
        r[0]["rubric_must_include"] = '["a named drug", 3]'  # the reference cannot join a number as text
        r[1]["index"] = r[2]["index"]
        r[3]["image"] = '["not*base64!"]'
        r[4]["image"] = json.dumps([base64.b64encode(b"%PDF-1.4 not an image").decode()])
        return r

    bad = edit(release, tmp_path, "treatment", break_rows)
    tsv = str(bad / "treatment" / "treatment_plan.tsv")
    with pytest.raises(ImportRejected) as rejected:
        import_release(bad, store, FolderBlobStore(tmp_path / "blobs"))
    named = [(p.file, p.record, p.field) for p in rejected.value.problems]
    assert named == [
        (tsv, "row 1 (index 0)", "rubric_must_include"),
        (tsv, "row 3 (index 2)", "index"),
        (tsv, "row 4 (index 3)", "image[0]"),
        (tsv, "row 5 (index 4)", "image[0]"),
    ]
    assert "entry 1 is a number, not text" in rejected.value.problems[0].message
    assert "duplicate index, first used in row 2" in rejected.value.problems[1].message
    assert "invalid base64" in rejected.value.problems[2].message
    assert "not an image" in rejected.value.problems[3].message
    assert store.stats() == before
    summary = import_release(bad, store, FolderBlobStore(tmp_path / "blobs"), skip_invalid=True)
    assert summary.items["treatment"] == 7 - 4 and len(summary.rejected) == 4
    kept = {n.ref.key for n in store.select("Item") if n.props["track"] == "treatment"}
    assert kept == {"treatment:2", "treatment:5", "treatment:6"}  # row 2 carries index 2 now


def test_fallback_cells_warn_extra_columns_stay_and_shifted_rows_fail(
    store: GraphStore, release: Path, tmp_path: Path
) -> None:
    with_orphanet(store)

    def odd_cells(r: list[dict[str, str]]) -> list[dict[str, str]]:
        r[0]["key_test_names"] = "brain MRI; ECG"  # text, not JSON
        r[1]["must_not"] = "NA"  # pandas' missing-value token
        r[2]["red_flags_to_rule_out"] = "1e5"  # a JSON scalar
        for k, row in enumerate(r):
            row["reviewer_note"] = f"note {k}"  # a column outside the format
        return r

    odd = edit(release, tmp_path / "odd", "examination", odd_cells)
    tsv = str(odd / "examination" / "examination_workup.tsv")
    summary = import_release(odd, store, FolderBlobStore(tmp_path / "blobs"))
    assert summary.warnings == [
        f"{tsv}: header: reviewer_note: column(s) outside the format, kept on each item",
        f"{tsv}: row 1 (index 0): key_test_names: read as the reference does, from text split on ';'",
        f"{tsv}: row 2 (index 1): must_not: read as the reference does, from a missing-value token",
        f"{tsv}: row 3 (index 2): red_flags_to_rule_out: read as the reference does, from a JSON scalar",
    ]
    items = store.get_many("Item", ["examination:0", "examination:1", "examination:2"])
    assert items["examination:0"]["keyTests"] == ["brain MRI", "ECG"]
    assert items["examination:1"]["mustNot"] == []
    assert items["examination:2"]["redFlags"] == ["100000.0"]
    assert json.loads(items["examination:1"]["extraColumns"]) == {"reviewer_note": "note 1"}

    # a stray tab shifts a row's cells: an error naming the row, never a silent column shift
    shifted = edit(release, tmp_path / "shifted", "treatment", lambda r: r)
    path = shifted / "treatment" / "treatment_plan.tsv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].replace("\t", "\t\t", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    before = store.stats()
    with pytest.raises(ImportRejected) as rejected:
        import_release(shifted, store, FolderBlobStore(tmp_path / "blobs"))
    (problem,) = rejected.value.problems
    assert (problem.record, problem.field) == ("row 2", "(row)")
    assert "fields where the header has" in problem.message
    assert store.stats() == before


def test_missing_column_and_bad_codes(store: GraphStore, release: Path, tmp_path: Path) -> None:
    with_orphanet(store)

    def drop_context(r: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in r:
            del row["context"]
        return r

    no_context = edit(release, tmp_path / "a", "examination", drop_context)
    with pytest.raises(ImportRejected, match=r"examination_workup.tsv: header: context: missing column"):
        import_release(no_context, store, FolderBlobStore(tmp_path / "blobs"))

    def codes(r: list[dict[str, str]]) -> list[dict[str, str]]:
        r[0]["ORPHA_code"] = "ORPHA:558; banana"
        r[1]["ORPHA_code"] = "ORPHA:99999999"
        r[2]["ORPHA_code"] = ""
        return r

    # the reference never reads ORPHA_code: what is not a code is a warning naming row and field, and the
    # cell's codes still count ('ORPHA:558; banana' is 558)
    odd = edit(release, tmp_path / "b", "diagnosis", codes)
    summary = import_release(odd, store, FolderBlobStore(tmp_path / "blobs"))
    assert any("row 1 (index 0): ORPHA_code: not ORPHA codes: 'banana'" in w for w in summary.warnings)
    [a] = store.neighbours([NodeRef("Item", "diagnosis:0")], "ANSWER_IS")
    assert (a.node.key, a.rel_props["method"]) == (558, "code")
    # an unknown code falls back to the answer's name; an empty one too
    assert summary.unknown_codes == [("diagnosis:1", 99999999)]
    for item_id in ("diagnosis:1", "diagnosis:2"):
        [a] = store.neighbours([NodeRef("Item", item_id)], "ANSWER_IS")
        assert a.rel_props["method"] == "name-exact"


def test_image_path_fallback(store: GraphStore, release: Path, tmp_path: Path) -> None:
    with_orphanet(store)
    copy = tmp_path / "paths"

    def to_files(r: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in r:
            for rel, b64 in zip(json.loads(row["image_path"]), json.loads(row["image"]), strict=True):
                target = copy / "diagnosis" / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(base64.b64decode(b64))
            row["image"] = ""
        return r

    shutil.copytree(release, copy)
    edited = edit(copy, tmp_path / "x", "diagnosis", to_files)
    shutil.copytree(copy / "diagnosis" / "images", edited / "diagnosis" / "images")
    summary = import_release(edited, store, FolderBlobStore(tmp_path / "blobs"))
    assert summary.items["diagnosis"] == 11 and summary.rejected == []
    missing = edit(release, tmp_path / "y", "diagnosis", lambda r: [{**r[0], "image": ""}, *r[1:]])
    with pytest.raises(ImportRejected, match=r"row 1 \(index 0\): image_path\[0\]: no file"):
        import_release(missing, store, FolderBlobStore(tmp_path / "blobs"))
    secret = tmp_path / "secret.png"
    secret.write_bytes(
        (edited / "diagnosis" / json.loads(rows(edited / TRACKS[0].file)[0]["image_path"])[0]).read_bytes()
    )
    for outside in (str(secret), "../../secret.png", "images/../../../secret.png"):
        escape = edit(release, tmp_path / f"z{len(outside)}", "diagnosis",
                      lambda r, p=outside: [{**r[0], "image": "", "image_path": json.dumps([p])}, *r[1:]])  # fmt: skip
        with pytest.raises(ImportRejected, match=r"image_path\[0\]: .* points outside the release folder"):
            import_release(escape, store, FolderBlobStore(tmp_path / "blobs"))


def test_a_release_without_diagnosis_rows_says_so(store: GraphStore, release: Path, tmp_path: Path) -> None:
    with_orphanet(store)
    headers_only = edit(release, tmp_path, "diagnosis", lambda r: [r[0]])
    path = headers_only / TRACKS[0].file
    path.write_text(path.read_text(encoding="utf-8").split("\n")[0] + "\n", encoding="utf-8")
    summary = import_release(headers_only, store, FolderBlobStore(tmp_path / "blobs"))
    assert f"{path}: file: (rows): a header and no rows" in summary.warnings
    assert any("no diagnosis rows: the other tracks' items" in w for w in summary.warnings)
    assert summary.aligned == {}


def test_modalities_and_planted_near_duplicates(store: GraphStore, release: Path, tmp_path: Path) -> None:
    from mmrare.importers.benchmark.images import hamming

    with_orphanet(store)
    import_release(release, store, FolderBlobStore(tmp_path))
    items = store.select("Item")
    assert all(i.props["modalities"] for i in items)  # the generator names a modality in every file name
    leaks = json.loads((release / "leak_manifest.json").read_text())
    dups = [leak["itemId"] for leak in leaks if leak["kind"] == "near-duplicate-image"]
    assert dups
    for item_id in dups:
        shows = sorted(store.neighbours([NodeRef("Item", item_id)], "SHOWS"), key=lambda n: n.rel_props["order"])
        first, copy = (store.get(shows[0].node).props, store.get(shows[-1].node).props)
        assert first["sha256"] != copy["sha256"]
        assert hamming(int(first["phash"], 16), int(copy["phash"], 16)) <= 8


def test_reimporting_a_changed_release_replaces_links(store: GraphStore, release: Path, tmp_path: Path) -> None:
    with_orphanet(store)
    blobs = FolderBlobStore(tmp_path / "blobs")
    import_release(release, store, blobs)
    clean = snapshot(store)
    cases = store.count_nodes("Case")
    other = tmp_path / "other"
    generate_release(with_orphanet(EmbeddedStore(None)), other, items=40, seed=12, image_size=96)
    import_release(other, store, blobs)  # same item ids, different content
    for item in store.select("Item"):
        assert len(store.neighbours([item.ref], "ABOUT")) == 1
    assert store.count_rels("ABOUT") == 40
    import_release(release, store, blobs)  # back to the first release
    assert snapshot(store)["items"] == clean["items"] and snapshot(store)["rels"] == clean["rels"]
    assert store.count_nodes("Case") == cases


VARIANTS = [  # an answer written the way papers write it, no ORPHA code, and the disease it names
    ("Marfan's syndrome type II", 284973),
    ("type 1 Marfan syndrome", 284963),
    ("Syndrome, Loeys Dietz", 60030),
    ("Dystrophy, muscular, Duchenne", 98896),
    ("Cystic fibrosis (CF)", 586),
    ("Huntingtons disease", 399),
]


def test_answer_variants_align_on_both_stores(store: GraphStore, release: Path, tmp_path: Path) -> None:
    with_orphanet(store)

    def as_variants(r: list[dict[str, str]]) -> list[dict[str, str]]:
        for row, (answer, _) in zip(r, VARIANTS, strict=False):
            row["answer"], row["answer_aliases"], row["ORPHA_code"] = answer, "[]", ""
        r[len(VARIANTS)]["answer"] = "Marfan syndrome type 3"  # no such subtype: never its siblings
        r[len(VARIANTS)]["answer_aliases"], r[len(VARIANTS)]["ORPHA_code"] = "[]", ""
        return r

    edited = edit(release, tmp_path, "diagnosis", as_variants)
    summary = import_release(edited, store, FolderBlobStore(tmp_path / "blobs"))
    indexes = [int(r["index"]) for r in rows(edited / "diagnosis" / "diagnosis_opened.tsv")]
    for index, (answer, code) in zip(indexes, VARIANTS, strict=False):
        links = store.neighbours([NodeRef("Item", f"diagnosis:{index}")], "ANSWER_IS")
        assert [n.node.key for n in links] == [code], answer
        assert links[0].rel_props["method"] in ("name-exact", "name-normalised", "name-fuzzy")
    missing = f"diagnosis:{indexes[len(VARIANTS)]}"
    assert store.neighbours([NodeRef("Item", missing)], "ANSWER_IS") == []
    assert (missing, "Marfan syndrome type 3") in summary.unresolved


def test_parquet_export_loads_with_datasets(store: GraphStore, release: Path, tmp_path: Path) -> None:
    import os

    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    from datasets import load_dataset

    from mmrare.importers.benchmark.export import export_parquet

    with_orphanet(store)
    blobs = FolderBlobStore(tmp_path / "blobs")
    import_release(release, store, blobs)
    written = export_parquet(store, store.select("Item"), blobs, tmp_path / "parquet")
    expected = {t.name: len(rows(release / t.file)) for t in TRACKS}
    assert written == expected
    loaded = {  # one dataset per track: their columns differ, as the release's files do
        name: load_dataset(
            "parquet", data_files=str(tmp_path / "parquet" / f"{name}.parquet"), split="train",
            cache_dir=str(tmp_path / "hf-cache"),
        )
        for name in written
    }  # fmt: skip
    assert {name: len(split) for name, split in loaded.items()} == expected
    diag = loaded["diagnosis"]
    first = rows(release / TRACKS[0].file)[0]
    row = next(r for r in diag if r["index"] == int(first["index"]))
    images = json.loads(first["image"])
    assert [hashlib.sha256(b).hexdigest() for b in row["image"]] == [
        hashlib.sha256(base64.b64decode(b)).hexdigest() for b in images
    ]  # the exact bytes, in figure order
    assert row["answer"] == first["answer"] and row["answer_aliases"] == json.loads(first["answer_aliases"])
    crossmodal = loaded["crossmodal"][0]
    assert isinstance(crossmodal["golden_mainline"], list) and crossmodal["relation_type"]


def test_item_subsets_come_in_natural_id_order(store: GraphStore, release: Path, tmp_path: Path) -> None:
    with_orphanet(store)
    import_release(release, store, FolderBlobStore(tmp_path / "blobs"))
    ids = [n.ref.key for n in select_items(store, ItemFilter(tracks=("crossmodal",)))]
    indexes = [int(i.split(":")[1]) for i in ids]
    assert indexes == sorted(indexes) and max(indexes) >= 10  # 2 before 10, not after it as text would put it


def test_an_item_page_is_the_same_from_one_query_as_from_the_primitives(
    store: GraphStore, release: Path, tmp_path: Path
) -> None:
    with_orphanet(store)
    import_release(release, store, FolderBlobStore(tmp_path / "blobs"))
    diseases = {n.ref.key: n.props for n in store.select("Disease")}
    answered = [n.node.key for n in store.neighbours([i.ref for i in store.select("Item")], "ANSWER_IS")]
    head = min(r.key for r in store.closure([NodeRef("Disease", answered[0])], "SUBCLASS_OF"))  # an ancestor
    prevalence = next(diseases[c]["prevalenceClass"] for c in answered if diseases[c].get("prevalenceClass"))
    filters = [
        ItemFilter(),
        ItemFilter(tracks=("diagnosis", "examination")),
        ItemFilter(under=(head,)),
        ItemFilter(under=(answered[0],), tracks=("treatment", "diagnosis")),  # the class itself counts
        ItemFilter(prevalence_classes=(prevalence,)),
        ItemFilter(aligned=True, min_images=2, max_images=6),
        ItemFilter(aligned=False),
        ItemFilter(modalities=("CT", "MRI")),
    ]
    for f in filters:
        everything = select_items(store, f)
        assert everything or f.aligned is False  # the filters select something (alignment is total here)
        for offset, limit in ((0, 100), (3, 7), (len(everything), 5)):
            page, total = store.item_page(f, offset, limit)
            assert total == len(everything), f
            assert [n.ref.key for n in page] == [n.ref.key for n in everything[offset : offset + limit]], f
            assert [n.props for n in page] == [n.props for n in everything[offset : offset + limit]]
        linked = store.item_page_linked(f, 3, 7)
        composed = GraphStore.item_page_linked(store, f, 3, 7)  # the protocol's composition of primitives
        assert linked == composed, f
        shown = {n.start.key for n in linked.links["SHOWS"]}
        assert shown == {n.ref.key for n in linked.items if n.props.get("nImages")}  # every image-bearing item
        assert {ref.label for ref in linked.linked} <= {"Image", "Case"}


def _release_and_a_class(store: GraphStore, release: Path, tmp_path: Path) -> tuple[list, list, int]:
    """The release on Orphanet: its items, their ANSWER_IS links, and a class above the first answer."""
    with_orphanet(store)
    import_release(release, store, FolderBlobStore(tmp_path / "blobs"))
    items = store.select("Item")
    aligned = store.neighbours([i.ref for i in items], "ANSWER_IS")
    return items, aligned, min(int(r.key) for r in store.closure([aligned[0].node], "SUBCLASS_OF"))


def test_a_kept_subset_count_outlives_runs_and_follows_content(
    store: GraphStore, release: Path, tmp_path: Path
) -> None:
    """The count of a subset under a class is kept per content generation: a run's upload leaves it
    kept, an answer's alignment moved away from the class changes it."""
    items, aligned, head = _release_and_a_class(store, release, tmp_path)
    under = ItemFilter(under=(head,))
    total = store.item_page(under, 0, 5)[1]
    assert total == len(select_items(store, under)) > 0
    kept_at = store._totals._kept[under][0]  # type: ignore[attr-defined]
    preds = tmp_path / "run.jsonl"
    preds.write_text("".join(json.dumps({"item": str(i.ref.key), "prediction": "x"}) + "\n" for i in items[:3]))
    import_predictions(preds, store, ModelInfo("counting"))
    assert store.item_page(under, 0, 5)[1] == total
    assert store._totals._kept[under][0] == kept_at < store.generation()  # type: ignore[attr-defined]
    moved = next(n for n in aligned if n.start.key in {i.ref.key for i in select_items(store, under)})
    with store.transaction() as tx:
        tx.delete_rels("ANSWER_IS", [moved.start])  # no longer answered by anything under the class
    assert store.item_page(under, 0, 5)[1] == total - 1 == len(select_items(store, under))


def test_a_later_page_without_classes_sees_what_another_process_wrote(
    store: GraphStore, release: Path, tmp_path: Path, reopen: Callable[[], GraphStore]
) -> None:
    """A subset without classes keeps its count per content generation too, and a later page of it
    (on Neo4j one statement: the page with the generation it was read at) sees content another
    process wrote since: the new total and the pages of the items left."""
    items, _, _ = _release_and_a_class(store, release, tmp_path)
    track = str(items[0].props["track"])
    f = ItemFilter(tracks=(track,))
    first, total = store.item_page(f, 0, 5)
    assert total == len(select_items(store, f)) > 6
    assert store.item_page(f, 5, 5)[1] == total  # a later page at the same generation, its count kept
    other = reopen()
    try:
        with other.transaction() as tx:  # another process (the CLI) takes the page's first item away
            tx.delete_nodes([first[0].ref])
    finally:
        other.close()
    later, total_after = store.item_page(f, 0, 5)
    expected = [str(n.ref.key) for n in select_items(store, f)]
    assert total_after == total - 1 == len(expected)
    assert [str(n.ref.key) for n in later] == expected[:5] and first[0].ref.key not in expected


@pytest.mark.parametrize("store", [pytest.param("neo4j", marks=pytest.mark.neo4j)], indirect=True)
def test_a_write_between_a_neo4j_page_and_its_count_reads_both_again(
    store: GraphStore,
    release: Path,
    tmp_path: Path,
    reopen: Callable[[], GraphStore],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On Neo4j a subset's first page at a generation is read with that generation, then its count
    alone, in a second transaction. When another process writes in between, the count's transaction
    sees the generation moved, and the page is read again together with its count: the page and the
    total a caller gets are always of one state of the graph."""
    items, _, _ = _release_and_a_class(store, release, tmp_path)
    f = ItemFilter(tracks=(str(items[0].props["track"]),))
    gone = select_items(store, f)[0].ref
    other = reopen()
    counts = store._count_at  # type: ignore[attr-defined]
    asked: list[int] = []

    def another_process_writes_first(session: object, subset: ItemFilter, generation: int) -> int | None:
        if not asked:
            with other.transaction() as tx:
                tx.delete_nodes([gone])  # the page's first item, taken away after the page was read
        asked.append(generation)
        return counts(session, subset, generation)

    monkeypatch.setattr(store, "_count_at", another_process_writes_first)
    page, total = store.item_page(f, 0, 5)
    expected = [str(n.ref.key) for n in select_items(store, f)]
    assert len(asked) == 1 and asked[0] < store.generation()  # the count was asked at the page's generation
    assert total == len(expected) and [str(n.ref.key) for n in page] == expected[:5]
    assert gone.key not in {n.ref.key for n in page}


def test_a_page_under_a_class_alone_is_the_page_the_full_filter_gives(
    store: GraphStore, release: Path, tmp_path: Path
) -> None:
    """A filter of classes alone is paged from the kept items under them (the embedded store slices
    them); the same subset asked with every track named goes through the page statement. Every page
    and the total agree, the last, short page included."""
    items, _, head = _release_and_a_class(store, release, tmp_path)
    alone = ItemFilter(under=(head,))
    named = ItemFilter(under=(head,), tracks=tuple(sorted({str(i.props["track"]) for i in items})))
    expected = [str(n.ref.key) for n in select_items(store, alone)]
    assert len(expected) > 7
    for offset in range(0, len(expected) + 3, 7):
        page, total = store.item_page(alone, offset, 7)
        other, other_total = store.item_page(named, offset, 7)
        assert [str(n.ref.key) for n in page] == [str(n.ref.key) for n in other] == expected[offset : offset + 7]
        assert [n.props for n in page] == [n.props for n in other]
        assert total == other_total == len(expected)


def test_encodings_nul_bytes_and_blobs_of_a_refused_import(store: GraphStore, release: Path, tmp_path: Path) -> None:
    with_orphanet(store)
    diagnosis = next(t for t in TRACKS if t.name == "diagnosis").file
    # a UTF-8 byte-order mark is read as one, not as part of the index column's name
    bom = tmp_path / "bom"
    shutil.copytree(release, bom)
    (bom / diagnosis).write_bytes(b"\xef\xbb\xbf" + (bom / diagnosis).read_bytes())
    assert import_release(bom, store, FolderBlobStore(tmp_path / "bom-blobs")).items["diagnosis"] > 0
    store.clear()
    with_orphanet(store)
    # a Latin-1 file names the file and the row it cannot read
    latin = edit(
        release, tmp_path / "latin", "diagnosis", lambda r: [{**r[0], "question": "Quelle maladie? é"}, *r[1:]]
    )
    path = latin / diagnosis
    path.write_bytes(path.read_bytes().decode("utf-8").encode("latin-1"))
    with pytest.raises(ImportRejected, match=rf"{path}: row 1: \(encoding\): not UTF-8 \(byte 0xe9"):
        import_release(latin, store, FolderBlobStore(tmp_path / "latin-blobs"))
    # a NUL byte in a question is refused, naming row and field
    nul = edit(
        release, tmp_path / "nul", "diagnosis", lambda r: [r[0], {**r[1], "question": "Which\x00 disease?"}, *r[2:]]
    )
    with pytest.raises(ImportRejected, match=r"row 2 \(index \d+\): question: holds a NUL character"):
        import_release(nul, store, FolderBlobStore(tmp_path / "nul-blobs"))
    # a refused import leaves no image behind in the blob store (the release's images were new there)
    blobs = tmp_path / "nul-blobs"
    assert not blobs.exists() or not [p for p in blobs.rglob("*") if p.is_file()]
    assert store.count_nodes("Item") == 0


def test_hf_export_loads_as_it_is(store: GraphStore, release: Path, tmp_path: Path) -> None:
    import os

    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    from datasets import Image, List, load_dataset
    from PIL import Image as PILImage

    from mmrare.importers.benchmark.export import export_hf

    with_orphanet(store)
    blobs = FolderBlobStore(tmp_path / "blobs")
    import_release(release, store, blobs)
    out = tmp_path / "hf"
    written = export_hf(store, store.select("Item"), blobs, out)
    expected = {t.name: len(rows(release / t.file)) for t in TRACKS}
    assert written == expected
    card = (out / "README.md").read_text()
    assert card.startswith("---\nlicense: cc-by-4.0\n") and "Orphanet" in card
    assert all(f"config_name: {name}\n" in card for name in expected)
    for name, n in expected.items():
        # the folder as it is, one config per track, named in the card
        split = load_dataset(str(out), name, split="test", cache_dir=str(tmp_path / "hf-cache"))
        assert len(split) == n
        assert split.features["images"] == List(Image())
    diagnosis = load_dataset(str(out), "diagnosis", split="test", cache_dir=str(tmp_path / "hf-cache"))
    first = rows(release / TRACKS[0].file)[0]
    row = next(r for r in diagnosis if r["index"] == first["index"])
    assert row["item_id"] == f"diagnosis:{first['index']}" and row["case_id"].startswith("case:")
    aligned = sorted(int(n.node.key) for n in store.neighbours([NodeRef("Item", row["item_id"])], "ANSWER_IS"))
    assert row["orpha_codes"] == aligned and aligned
    assert all(isinstance(image, PILImage.Image) for image in row["images"]) and row["images"]
    assert len(row["images"]) == len(json.loads(first["image"]))


class _FailingAt:
    """The real store, except that its `fail_at`-th transaction fails before it writes (a server that
    goes away mid-import); every other call is the store's own."""

    def __init__(self, store: GraphStore, fail_at: int, transaction_rows: int) -> None:
        self._store, self._fail_at, self.opened = store, fail_at, 0
        self.transaction_rows = transaction_rows

    def transaction(self):  # the store's own context manager
        self.opened += 1
        if self.opened == self._fail_at:
            raise ConnectionError("the store went away")
        return self._store.transaction()

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def test_an_import_in_several_transactions_writes_what_one_writes(
    store: GraphStore, release: Path, tmp_path: Path
) -> None:
    blobs = FolderBlobStore(tmp_path / "blobs")
    whole = with_orphanet(EmbeddedStore(None))
    import_release(release, whole, blobs)
    with_orphanet(store)
    chunked = _FailingAt(store, fail_at=0, transaction_rows=60)  # 40 items, about 550 rows: several chunks
    summary = import_release(release, chunked, blobs)  # type: ignore[arg-type]
    assert chunked.opened >= 5
    assert snapshot(store) == snapshot(whole)
    assert summary.items == {"diagnosis": 11, "treatment": 7, "crossmodal": 13, "examination": 9}
    # again, in chunks: nothing changes
    before = snapshot(store)
    import_release(release, _FailingAt(store, 0, 60), blobs)  # type: ignore[arg-type]
    assert snapshot(store) == before


def test_an_import_that_fails_in_a_later_transaction_leaves_no_new_node(
    store: GraphStore, release: Path, tmp_path: Path
) -> None:
    with_orphanet(store)
    before = store.stats()["nodes"]
    failing = _FailingAt(store, fail_at=3, transaction_rows=60)
    with pytest.raises(ConnectionError, match="went away"):
        import_release(release, failing, FolderBlobStore(tmp_path / "blobs"))  # type: ignore[arg-type]
    assert failing.opened == 4  # two chunks written, the third failed, one to take them back
    assert store.stats()["nodes"] == before
    assert store.count_nodes("Item") == store.count_nodes("Image") == store.count_nodes("Case") == 0


def test_a_re_import_that_fails_in_a_later_transaction_leaves_the_earlier_release_whole(
    store: GraphStore, release: Path, tmp_path: Path
) -> None:
    """The first chunks of a re-import reword items, move their answers and replace their links; a
    later chunk fails; every node, property and relationship is back as the earlier release had it."""
    blobs = FolderBlobStore(tmp_path / "blobs")
    with_orphanet(store)
    import_release(release, store, blobs)
    cases = {n.ref.key: n.props for n in store.select("Case")}
    before = (snapshot(store), store.stats(), cases, sorted(store.pairs("ABOUT")))

    def reword(r: list[dict[str, str]]) -> list[dict[str, str]]:
        codes = [row["ORPHA_code"] for row in r]
        for k, row in enumerate(r):
            row["question"] += " (reworded)"
            row["ORPHA_code"] = codes[(k + 1) % len(codes)]  # each answer moved to the next row's
        return r

    edited = edit(release, tmp_path, "diagnosis", reword)
    with pytest.raises(ConnectionError, match="went away"):
        import_release(edited, _FailingAt(store, fail_at=4, transaction_rows=60), blobs)  # type: ignore[arg-type]
    cases = {n.ref.key: n.props for n in store.select("Case")}
    assert (snapshot(store), store.stats(), cases, sorted(store.pairs("ABOUT"))) == before
    import_release(edited, _FailingAt(store, fail_at=0, transaction_rows=60), blobs)  # type: ignore[arg-type]
    assert snapshot(store) != before[0]  # the re-import does change what was taken back
