"""phenopacket-store on both stores: real packets and GPT-4o's real answers (tests/fixtures/phenopackets,
BSD-3, see ATTRIBUTION.md), hand-written bad packets, and the study's table worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmrare.core.phenopackets import TRACK, item_index
from mmrare.graph.model import Direction, NodeRef
from mmrare.graph.store import GraphStore, Where
from mmrare.importers.orphanet.detect import read_all
from mmrare.importers.orphanet.loader import load
from mmrare.importers.phenopackets import import_phenopackets
from mmrare.importers.pheval_results import import_study_results
from mmrare.importers.problems import ImportRejected
from mmrare.scoring.report import collect_rows
from mmrare.scoring.study_table import study_rows
from tests.support.phenopackets import HERE, PACKETS, RESULTS, with_packets


def item_of(store: GraphStore, packet_id: str) -> dict:
    return store.get_many("Item", [f"{TRACK}:{item_index('0.1.19', packet_id)}"])[
        f"{TRACK}:{item_index('0.1.19', packet_id)}"
    ]


def test_import_builds_items_cases_publications_and_alignments(store: GraphStore) -> None:
    facts, files = read_all([HERE / "orphapackets_excerpt.jsonl.gz"])
    load(facts, store, files)
    summary = import_phenopackets([PACKETS], store, release="0.1.19")
    assert summary.packets == 9 and summary.items_new == 9
    # five publications: the TBX5 family study's four cases share one
    assert summary.publications == 5
    assert store.count_nodes("Publication") == 5
    # every diagnosis maps: eight exactly (392 x4, 88950, 300751 x2, 457284), RRM1's 620647 only broader
    assert dict(summary.alignment) == {"aligned (E)": 8, "aligned (BTNT)": 1}
    item = item_of(store, "PMID_10077612_Family_A_III_10")
    assert (item["answerId"], item["cluster"], item["cohort"], item["nObserved"], item["nExcluded"]) == (
        "OMIM:142900",
        "PMID:10077612",
        "TBX5",
        4,
        9,
    )
    ref = NodeRef("Item", item["itemId"])
    (answer,) = store.neighbours([ref], "ANSWER_IS")
    assert answer.node == NodeRef("Disease", 392) and answer.rel_props["method"] == "OMIM cross-reference (E)"
    (case,) = store.neighbours([ref], "ABOUT")
    case_props = store.get(case.node).props
    assert (case_props["sex"], case_props["age"], case_props["genes"]) == ("FEMALE", "P58Y", ["TBX5"])
    features = store.neighbours([case.node], "HAS_FEATURE")
    assert len(features) == 13 and sum(f.rel_props["excluded"] for f in features) == 9
    # the audit reads the question's phenotypes: the four observed features, where the vignette names them
    mentions = store.neighbours([ref], "MENTIONS")
    assert sorted(m.rel_props["text"] for m in mentions) == [
        "Abnormal carpal morphology",
        "Atrial septal defect",
        "Cardiac conduction abnormality",
        "Hypoplasia of the radius",
    ]
    for m in mentions:
        assert item["question"][m.rel_props["start"] : m.rel_props["end"]] == m.rel_props["text"]
    # a family's cases cite one publication node
    cites = store.neighbours([NodeRef("Publication", "PMID:10077612")], "CITES", Direction.IN)
    assert len(cites) == 4
    # the id as written, no-break space included (the study names the case by it)
    assert item_of(store, "PMID_37761890_1\u00a0")["answerId"] == "OMIM:616362"


def test_the_question_never_names_gene_variant_or_diagnosis(store: GraphStore) -> None:
    with_packets(store)
    items = store.select("Item", [Where("track", "eq", TRACK)])
    assert len(items) == 9
    for node in items:
        (case,) = store.neighbours([node.ref], "ABOUT")
        facts = store.get(case.node).props
        question = node.props["question"].lower()
        secrets = [*facts["genes"], *(v.split(" ", 1)[-1] for v in facts["variants"])]
        secrets += [node.props["answer"], node.props["answerId"], node.props["answerId"].split(":")[1]]
        for secret in secrets:
            assert secret.lower() not in question, (node.props["packetId"], secret)


def test_reimport_changes_nothing(store: GraphStore) -> None:
    with_packets(store)
    before = store.stats()
    release = store.get(NodeRef("BenchmarkRelease", "phenopacket-store:0.1.19")).props
    again = import_phenopackets([PACKETS], store, release="0.1.19")
    assert again.items_new == 0 and again.phenotypes_new == 0
    assert store.stats() == before
    assert store.get(NodeRef("BenchmarkRelease", "phenopacket-store:0.1.19")).props == release


def _write(folder: Path, name: str, packet: dict | str) -> Path:
    path = folder / name
    path.write_text(packet if isinstance(packet, str) else json.dumps(packet), encoding="utf-8")
    return path


def good_packet(packet_id: str) -> dict:
    return {
        "id": packet_id,
        "subject": {"id": "p1", "sex": "MALE"},
        "phenotypicFeatures": [{"type": {"id": "HP:0001631", "label": "Atrial septal defect"}}],
        "interpretations": [
            {"id": "i1", "progressStatus": "SOLVED", "diagnosis": {"disease": {"id": "OMIM:142900", "label": "x"}}}
        ],
        "metaData": {"created": "2024-01-01T00:00:00Z", "phenopacketSchemaVersion": "2.0"},
    }


def test_bad_packets_are_named_by_file_and_field_and_write_nothing(store: GraphStore, tmp_path: Path) -> None:
    facts, files = read_all([HERE / "orphapackets_excerpt.jsonl.gz"])
    load(facts, store, files)
    before = store.stats()
    wrong_type = {**good_packet("w1"), "phenotypicFeatures": "Atrial septal defect"}
    unknown_field = {**good_packet("u1"), "subject": {"id": "p", "sexx": "MALE"}}
    no_id = {k: v for k, v in good_packet("x").items() if k != "id"}
    no_diagnosis = {k: v for k, v in good_packet("d1").items() if k != "interpretations"}
    hpo = {**good_packet("h1"), "phenotypicFeatures": [{"type": {"id": "MONDO:1", "label": "x"}}]}
    for name, packet in [
        ("good.json", good_packet("g1")),
        ("wrong_type.json", wrong_type),
        ("unknown_field.json", unknown_field),
        ("no_id.json", no_id),
        ("no_diagnosis.json", no_diagnosis),
        ("hpo.json", hpo),
        ("broken.json", "{not json"),
    ]:
        _write(tmp_path, name, packet)
    with pytest.raises(ImportRejected) as caught:
        import_phenopackets([tmp_path], store, release="t1")
    text = str(caught.value)
    assert "6 problem(s)" in text
    assert "wrong_type.json: w1: phenotypicFeatures:" in text
    assert "unknown_field.json: u1: subject.sexx:" in text
    assert "no_id.json: packet: id: missing" in text
    assert "no_diagnosis.json: d1: interpretations: no diagnosis" in text
    assert "hpo.json: h1: phenotypicFeatures[0].type.id: 'MONDO:1' is not an HPO id" in text
    assert "broken.json: line 1: json:" in text
    assert store.stats() == before  # nothing written
    summary = import_phenopackets([tmp_path], store, release="t1", skip_invalid=True)
    assert summary.packets == 1 and len(summary.rejected) == 6
    assert store.count_nodes("Item") == 1


def test_a_release_is_needed_and_read_from_the_zip_name(store: GraphStore, tmp_path: Path) -> None:
    _write(tmp_path, "g.json", good_packet("g1"))
    with pytest.raises(ValueError, match="--release"):
        import_phenopackets([tmp_path / "g.json"], store)


def test_jsonl_gz_packets_are_read(store: GraphStore, tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "phenopacket-store_t2.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(good_packet("a")) + "\n\n" + json.dumps(good_packet("b")) + "\n")
    summary = import_phenopackets([path], store)
    assert (summary.release, summary.packets) == ("t2", 2)


def test_the_studys_table_by_hand(store: GraphStore) -> None:
    """en, from the excerpt's 43 rows (8 cases): A_III_10 correct at 1; B_II_11 and B_III_11 at 2;
    B_III_18 at 3; F4_2 at 6; A_III_11 and 37761890_1 all Mondo, none correct (nf); A_III_13's first
    candidate stayed free text (grounding_failed). de (9 cases): A_III_10 at 1, B_III_11 at 2, B_II_11
    and B_III_18 at 3; F4_2, 37761890_1, Proband_1a nf; A_III_11 and A_III_13 grounding_failed."""
    with_packets(store)
    summaries = import_study_results([RESULTS], store)
    assert sorted((s.dataset, s.predictions) for s in summaries) == [
        ("phenopacket-store:de", 9),
        ("phenopacket-store:en", 8),
    ]
    rows = {r.condition: r for r in study_rows(store, [s.run_id for s in summaries])}
    en, de = rows["en"].values, rows["de"].values
    assert [en[f"n{j}"] for j in range(1, 11)] == [1, 2, 1, 0, 0, 1, 0, 0, 0, 0]
    assert (en["nf"], en["grounding_failed"], en["num_cases"], en["study_cases"]) == (2, 1, 8, 9)
    assert en["top1"] == pytest.approx(1 / 8) and en["top3"] == pytest.approx(4 / 8)
    assert en["top10"] == pytest.approx(5 / 8)
    assert en["mrr"] == pytest.approx((1 + 1 / 2 + 1 / 2 + 1 / 3 + 1 / 6) / 8)
    assert en["top1_of_study"] == pytest.approx(1 / 9)
    assert [de[f"n{j}"] for j in range(1, 4)] == [1, 1, 2]
    assert (de["nf"], de["grounding_failed"], de["num_cases"]) == (3, 2, 9)
    assert de["mrr"] == pytest.approx((1 + 1 / 2 + 1 / 3 + 1 / 3) / 9)
    # the table kept on each run at import is the one its predictions give
    recounted = {r.condition: r.values for r in study_rows(store, [s.run_id for s in summaries], recompute=True)}
    assert recounted == {"en": en, "de": de}
    # a second import of the same files is the same runs
    again = import_study_results([RESULTS], store)
    assert not any(s.created for s in again)


def test_grounded_scoring_by_hand(store: GraphStore) -> None:
    """en, ours: of the excerpt's Mondo ids, the graph (the gold diseases and their ancestors) maps
    MONDO:0007732 to Holt-Oram syndrome (392, the TBX5 cases' gold: ranks 1, 2, 3, 2) and MONDO:0008264
    to ADTKD (34149), the disorder above the UMOD case's gold subtype 88950 (rank 6: lenient only, and
    the one case the study's rule and the strict rule disagree on: the study credits the broader id)."""
    with_packets(store)
    summaries = import_study_results([RESULTS], store)
    en = next(r for r in study_rows(store, [s.run_id for s in summaries]) if r.condition == "en").grounded
    assert en["cases"] == 8
    assert (en["strict_top1"], en["strict_top3"], en["strict_top10"]) == (1 / 8, 4 / 8, 4 / 8)
    assert (en["lenient_top1"], en["lenient_top3"], en["lenient_top10"]) == (1 / 8, 4 / 8, 5 / 8)
    disagreements = {k: v for k, v in en.items() if k.startswith("disagree: ") and v}
    assert disagreements == {"disagree: the study credits a broader id; Orphanet counts a group, not the disorder": 1}
    english = next(s.run_id for s in summaries if s.dataset == "phenopacket-store:en")
    from mmrare.scoring.study_table import disagreements

    assert disagreements(store, english) == {
        "the study credits a broader id; Orphanet counts a group, not the disorder": ["PMID_14569098_F4_individual_2"]
    }
    rows = collect_rows(store, [s.run_id for s in summaries])
    umod = next(r for r in rows if r.model == "gpt-4o [en]" and r.codes == (88950,))
    assert (umod.metrics["groundedHit10"], umod.metrics["lenientHit10"], umod.metrics["hit10"]) == (0.0, 1.0, 1.0)


def test_report_rows_cluster_by_publication_and_name_the_condition(store: GraphStore) -> None:
    with_packets(store)
    summaries = import_study_results([RESULTS], store)
    rows = collect_rows(store, [s.run_id for s in summaries])
    assert {r.model for r in rows} == {"gpt-4o [en]", "gpt-4o [de]"}
    family = [r for r in rows if r.model == "gpt-4o [en]" and r.case_id == "PMID:10077612"]
    assert len(family) == 4
    hit1 = {r.item_id: r.metrics["hit1"] for r in rows if r.model == "gpt-4o [en]"}
    assert sum(hit1.values()) == 1.0 and len(hit1) == 8
    a_iii_10 = next(r for r in rows if r.model == "gpt-4o [en]" and r.metrics["rr"] == 1.0)
    assert a_iii_10.codes == (392,) and a_iii_10.observed == 4 and a_iii_10.cohort == "TBX5"


def results_file(model_folder: Path, rows: str) -> None:
    """An English results file of the study's layout under `model_folder`, with the study's header."""
    folder = model_folder / "en"
    folder.mkdir(parents=True)
    header = "label\tterm\tscore\trank\tcorrect_term\tis_correct\treciprocal_rank\n"
    (folder / "full_df_results.tsv").write_text(header + rows, encoding="utf-8")


def test_a_label_of_no_case_counts_in_the_table_and_is_reported(store: GraphStore, tmp_path: Path) -> None:
    with_packets(store)
    results_file(
        tmp_path / "mymodel",
        "PMID_10077612_Family_A_III_10_en-prompt.txt\tMONDO:0007732\t1.0\t1.0\tOMIM:142900\tTrue\t1.0\n"
        "PMID_999_nobody_en-prompt.txt\tMONDO:1\t1.0\t1.0\tOMIM:1\tTrue\t1.0\n",
    )
    (summary,) = import_study_results([tmp_path / "mymodel"], store)
    assert summary.predictions == 1
    assert any("PMID_999_nobody_en-prompt.txt" in w and "matches no packet" in w for w in summary.warnings)
    (row,) = study_rows(store, [summary.run_id])
    assert (row.values["n1"], row.values["num_cases"], row.unmatched) == (2, 2, 1)


def test_bad_result_rows_are_named_and_write_nothing(store: GraphStore, tmp_path: Path) -> None:
    with_packets(store)
    results_file(
        tmp_path / "m",
        "PMID_10077612_Family_A_III_10_en-prompt.txt\tMONDO:1\t1.0\tfirst\tOMIM:1\tTrue\t1.0\n"
        "PMID_10077612_Family_A_III_10_en-prompt.txt\tMONDO:2\t0.5\t2.0\tOMIM:1\tmaybe\t0\n"
        "results.txt\tMONDO:3\t0.5\t2.0\tOMIM:1\tFalse\t0\n",
    )
    runs_before = store.count_nodes("Run")
    with pytest.raises(ImportRejected) as caught:
        import_study_results([tmp_path / "m"], store)
    text = str(caught.value)
    assert "row 2: rank/score:" in text and "row 3: is_correct: 'maybe'" in text and "row 4: label:" in text
    assert store.count_nodes("Run") == runs_before


@pytest.mark.shared
def test_the_full_study_table_is_the_authors(shared_data: Path) -> None:
    """Every n1..n10, nf, grounding_failed and num_cases of the ten languages, as the authors' rule
    counts them from the published files (their compute_mrr_and_ranks, run with pandas apart)."""
    from mmrare.graph.embedded import EmbeddedStore

    # in memory, no Orphanet: the study's table depends on neither the file nor the ontology
    store = EmbeddedStore(None)
    import_phenopackets([shared_data / "phenopackets" / "phenopacket-store_0.1.19.zip"], store)
    runs = import_study_results([shared_data / "phenopackets" / "pheval.llm" / "gpt-4o"], store)
    table = {r.condition: r.values for r in study_rows(store, [s.run_id for s in runs])}
    expected = {  # n1..n10, nf, grounding_failed, num_cases
        "en": ([978, 199, 151, 99, 69, 18, 9, 5, 2, 2], 2683, 701, 4916),
        "cs": ([880, 211, 149, 82, 66, 4, 3, 1, 0, 0], 2811, 684, 4891),
        "de": ([938, 197, 155, 94, 55, 0, 0, 0, 0, 0], 2909, 468, 4816),
        "es": ([941, 235, 179, 100, 90, 9, 6, 0, 0, 0], 2865, 492, 4917),
        "fr": ([918, 256, 164, 88, 80, 10, 3, 5, 0, 0], 2986, 402, 4912),
        "it": ([851, 246, 217, 108, 74, 1, 1, 0, 0, 0], 2955, 461, 4914),
        "ja": ([790, 266, 189, 72, 35, 0, 0, 0, 0, 0], 2672, 646, 4670),
        "nl": ([1006, 197, 154, 101, 45, 0, 0, 0, 0, 0], 3012, 379, 4894),
        "tr": ([978, 229, 166, 108, 59, 4, 0, 0, 0, 0], 2877, 388, 4809),
        "zh": ([909, 268, 161, 43, 19, 1, 0, 0, 0, 0], 3188, 322, 4911),
    }
    for lang, (ns, nf, failed, cases) in expected.items():
        row = table[lang]
        assert ([row[f"n{j}"] for j in range(1, 11)], row["nf"], row["grounding_failed"], row["num_cases"]) == (
            ns,
            nf,
            failed,
            cases,
        ), lang
    # the abstract: English, 19.9% first and 27.0% in the top three
    assert round(100 * table["en"]["top1"], 1) == 19.9 and round(100 * table["en"]["top3"], 1) == 27.0
    assert table["en"]["study_cases"] == 4917


def test_a_users_ranked_id_list_is_scored_by_the_grounded_rule(store: GraphStore, tmp_path: Path) -> None:
    """Three cases, by hand: A_III_10 has Holt-Oram (392) second (MONDO:0007732; the first id maps to a
    code the graph lacks); the UMOD case has ADTKD (34149, the disorder above its gold subtype 88950)
    first and OMIM:162000 (exactly 88950) second; A_III-11 has OMIM:115200 (exactly 300751, its gold)
    first. Strict top-1 1/3, top-3 3/3; lenient top-1 2/3 (ADTKD counts leniently)."""
    from mmrare.importers.ranked_ids import import_ranked_ids, is_ranked_ids

    with_packets(store)
    path = tmp_path / "mine.tsv"
    path.write_text(
        "case\trank\tid\n"
        "PMID_10077612_Family_A_III_10\t1\tMONDO:0010121\n"
        "PMID_10077612_Family_A_III_10\t2\tMONDO:0007732\n"
        "PMID_14569098_F4_individual_2_en-prompt.txt\t2\tOMIM:162000\n"
        "PMID_14569098_F4_individual_2_en-prompt.txt\t1\tORPHA:34149\n"
        "PMID_10580070_A_III-11\t1\tOMIM:115200\n",
        encoding="utf-8",
    )
    assert is_ranked_ids(path)
    summary = import_ranked_ids(path, store, "my-model")
    assert summary.predictions == 3
    rows = {r.item_id: r.metrics for r in collect_rows(store, [summary.run_id])}
    by_hand = {
        item_of(store, "PMID_10077612_Family_A_III_10")["itemId"]: (0.0, 1.0, 0.0),
        item_of(store, "PMID_14569098_F4_individual_2")["itemId"]: (0.0, 1.0, 1.0),
        item_of(store, "PMID_10580070_A_III-11")["itemId"]: (1.0, 1.0, 1.0),
    }
    assert {i: (m["groundedHit1"], m["groundedHit3"], m["lenientHit1"]) for i, m in rows.items()} == by_hand
    assert "hit1" not in next(iter(rows.values()))  # no study judged these ids


def test_a_bad_ranked_id_list_names_rows_and_writes_nothing(store: GraphStore, tmp_path: Path) -> None:
    from mmrare.importers.ranked_ids import import_ranked_ids

    with_packets(store)
    path = tmp_path / "bad.csv"
    path.write_text(
        "case,rank,id\nPMID_10580070_A_III-11,first,OMIM:115200\nPMID_10580070_A_III-11,2,Marfan syndrome\n"
        "nobody,1,OMIM:1\nPMID_10580070_A_III-11,3,OMIM:115200\nPMID_10580070_A_III-11,3,ORPHA:1\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as caught:
        import_ranked_ids(path, store, "my-model")
    text = str(caught.value)
    assert "row 2: rank: 'first' is not a rank" in text and "row 3: id: 'Marfan syndrome'" in text
    assert "row 6: rank: PMID_10580070_A_III-11 has two candidates at rank 3" in text
    assert "nobody: case: no packet of release 0.1.19" in text
    assert store.count_nodes("Run") == 0


def test_release_diff_by_hand(store: GraphStore, tmp_path: Path) -> None:
    """Release b: the excerpt with the RRM1 case removed, a new case added, one TBX5 case's first
    feature excluded instead of observed, and the UMOD case's diagnosis changed: 1 added, 1 removed, 2
    changed (1 diagnosis), 6 unchanged."""
    import shutil

    from mmrare.scoring.release_diff import release_diff

    with_packets(store)
    b = tmp_path / "b"
    shutil.copytree(PACKETS, b)
    (b / "RRM1" / "PMID_35617047_Proband1a.json").unlink()
    new = json.loads((b / "TBX5" / "PMID_10077612_FamilyAIII-10.json").read_text(encoding="utf-8"))
    new["id"] = "PMID_10077612_Family_A_III_99"
    _write(b / "TBX5", "new.json", new)
    tbx5 = b / "TBX5" / "PMID_10077612_FamilyBIII-11.json"
    packet = json.loads(tbx5.read_text(encoding="utf-8"))
    first = packet["phenotypicFeatures"][0]["type"]["id"]
    packet["phenotypicFeatures"][0]["excluded"] = True
    tbx5.write_text(json.dumps(packet), encoding="utf-8")
    umod = b / "UMOD" / "PMID_14569098_F4individual2.json"
    packet = json.loads(umod.read_text(encoding="utf-8"))
    packet["interpretations"][0]["diagnosis"]["disease"]["id"] = "OMIM:609886"
    umod.write_text(json.dumps(packet), encoding="utf-8")
    import_phenopackets([b], store, release="b")
    found = release_diff(store, "0.1.19", "b")
    assert (found.added, found.removed) == (["PMID_10077612_Family_A_III_99"], ["PMID_35617047_Proband_1a"])
    assert found.unchanged == 6
    changes = {c.packet_id: c for c in found.changed}
    assert set(changes) == {"PMID_10077612_Family_B_III_11", "PMID_14569098_F4_individual_2"}
    assert changes["PMID_10077612_Family_B_III_11"].features_added == (f"not {first}",)
    assert changes["PMID_10077612_Family_B_III_11"].features_removed == (first,)
    assert changes["PMID_14569098_F4_individual_2"].diagnosis == ("OMIM:162000", "OMIM:609886")
    with pytest.raises(ValueError, match="no phenopacket-store release 'c'"):
        release_diff(store, "0.1.19", "c")


def test_a_free_text_top_ten_is_aligned_by_name_and_scored(store: GraphStore, tmp_path: Path) -> None:
    """A_III_10 answers "1. Thrombocytopenia-absent radius syndrome 2. Holt-Oram syndrome": the first
    name is not in the graph (it stays text), the second aligns to 392, the gold: strict rank 2. The
    UMOD case answers one line, "Autosomal dominant tubulointerstitial kidney disease" (34149, the
    disorder above its gold subtype): lenient rank 1 only."""
    from mmrare.importers.ranked_ids import import_free_text_lists, is_free_text_lists

    with_packets(store)
    path = tmp_path / "replies.csv"
    path.write_text(
        "case,prediction\n"
        'PMID_10077612_Family_A_III_10,"1. Thrombocytopenia-absent radius syndrome\n2. Holt-Oram syndrome"\n'
        "PMID_14569098_F4_individual_2,Autosomal dominant tubulointerstitial kidney disease\n",
        encoding="utf-8",
    )
    assert is_free_text_lists(path)
    summary = import_free_text_lists(path, store, "my-llm")
    rows = {r.item_id: r.metrics for r in collect_rows(store, [summary.run_id])}
    tbx5 = rows[item_of(store, "PMID_10077612_Family_A_III_10")["itemId"]]
    umod = rows[item_of(store, "PMID_14569098_F4_individual_2")["itemId"]]
    assert (tbx5["groundedHit1"], tbx5["groundedHit3"]) == (0.0, 1.0)
    assert (umod["groundedHit10"], umod["lenientHit1"]) == (0.0, 1.0)
    stored = store.get_many(
        "Prediction", [f"{summary.run_id}|{item_of(store, 'PMID_10077612_Family_A_III_10')['itemId']}"]
    )
    assert [p["candidates"] for p in stored.values()] == [["Thrombocytopenia-absent radius syndrome", "ORPHA:392"]]


def test_a_write_that_fails_midway_takes_back_what_it_wrote(store: GraphStore, monkeypatch) -> None:
    """Packets are written a chunk a transaction (Neo4j bounds a transaction's memory); when a later
    chunk fails, the items, cases, publications and phenotypes the import created go again."""
    import mmrare.importers.phenopackets as module

    facts, files = read_all([HERE / "orphapackets_excerpt.jsonl.gz"])
    load(facts, store, files)
    before = store.stats()
    monkeypatch.setattr(module, "CHUNK", 4)  # nine packets: three chunks
    real = store.transaction
    calls = {"n": 0}

    def failing_third():
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the server went away")
        return real()

    monkeypatch.setattr(store, "transaction", failing_third)
    with pytest.raises(RuntimeError, match="went away"):
        import_phenopackets([PACKETS], store, release="0.1.19")
    monkeypatch.setattr(store, "transaction", real)
    assert store.stats() == before
    assert store.get(NodeRef("BenchmarkRelease", "phenopacket-store:0.1.19")) is None
