"""`mmrare mrarebench score` on a hand-made MRareBench T1 release and prediction file (synthetic
rows; the Orphanet names are the real ones of the bundled fixtures). Every number is worked by hand
in the comments, from the reference's rules (scoring/ranked_differential.py)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmrare.cli.main import main

FIX = Path(__file__).parents[2] / "fixtures" / "orphanet"
RELEASE = (
    "index\tquestion\tanswer\tanswer_aliases\n"
    '1\tq\tMarfan syndrome type 1\t["MFS1"]\n'
    "2\tq\tMarfan syndrome\tMFS\n"
    "3\tq\tLoeys-Dietz syndrome\t\n"
    '4\tq\tCystic fibrosis\t["CF"]\n'
    "5\tq\tHuntington disease\t\n"
)
PREDICTIONS = [
    # 1: the sibling subtype hits by strings (token-set F1 3/4); the ORPHAcode is found at rank 2
    ("1", "1. Marfan syndrome type 2\n2. Marfan syndrome type 1"),
    # 2: one inline line after a think block splits in three; "Neonatal Marfan syndrome" contains the
    # answer (string hit at 2) but is another disease; MFS2 (type 2) is a subtype of the answer (rank 3)
    (
        "2",
        "<think>1. tall\n2. lens</think>1. Loeys-Dietz syndrome 2. Neonatal Marfan syndrome 3. Marfan syndrome type 2",
    ),
    # 3: an empty cell is the text "nan": one candidate, no parse failure, no hit
    ("3", ""),
    # 4: a synonym of the answer at 1 is the answer's code; the string rule waits for rank 2
    ("4", "Mucoviscidosis; Cystic fibrosis"),
    # 5: nothing left after trimming bullets: a parse failure
    ("5", "-\n*"),
]


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("mrare")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MMRARE_GRAPH", f"embedded:{tmp / 'g.db'}")
        runner = CliRunner()
        assert runner.invoke(main, ["import", "orphanet", str(FIX)]).exit_code == 0
        (tmp / "diagnosis_opened.tsv").write_text(RELEASE)
        path = tmp / "Some.Model-7B_MRareBench_Diagnosis_FD.tsv"
        with open(path, "w", encoding="utf-8", newline="") as fh:  # quoted cells keep their new lines
            csv.writer(fh, delimiter="\t").writerows([("index", "prediction"), *PREDICTIONS])
        result = runner.invoke(
            main, ["mrarebench", "score", str(path), "--release", str(tmp / "diagnosis_opened.tsv"), "--format", "json"]
        )
        table = runner.invoke(main, ["mrarebench", "score", str(path), "--release", str(tmp / "diagnosis_opened.tsv")])
        wrong = tmp / "Model_MRareBench_Treatment.tsv"
        wrong.write_text("index\tprediction\n")
        refused = runner.invoke(
            main, ["mrarebench", "score", str(wrong), "--release", str(tmp / "diagnosis_opened.tsv")]
        )
    assert result.exit_code == 0, result.output
    return {"report": json.loads(result.output)[0], "table": table, "refused": refused}


def test_reference_keys_by_hand(scored: dict) -> None:
    report = scored["report"]
    assert (report["model"], report["dataset"]) == ("Some.Model-7B", "MRareBench_Diagnosis_FD")
    ref = report["reference"]
    # first-hit ranks 1, 2, none, 2, none; row 5 failed to parse
    assert ref["n_total"] == 5 and ref["n_hit"] == 3
    assert ref["hit_rate"] == pytest.approx(0.6) and ref["parse_fail_rate"] == pytest.approx(0.2)
    assert ref["MRR"] == pytest.approx((1 + 1 / 2 + 1 / 2) / 5)
    assert ref["MR"] == pytest.approx(5 / 3)
    assert [ref[f"recall@{k}"] for k in (1, 3, 5, 10)] == pytest.approx([0.2, 0.6, 0.6, 0.6])


def test_grounded_numbers_apart_by_hand(scored: dict) -> None:
    grounded = scored["report"]["grounded"]
    # the answer's code at ranks 2, none, none, 1, none; with subtypes and parents: 2, 3, none, 1, none
    assert [grounded[f"grounded_recall@{k}"] for k in (1, 3, 5, 10)] == pytest.approx([0.2, 0.4, 0.4, 0.4])
    assert grounded["grounded_MRR"] == pytest.approx((1 / 2 + 1) / 5)
    assert [grounded[f"related_recall@{k}"] for k in (1, 3, 5, 10)] == pytest.approx([0.2, 0.6, 0.6, 0.6])
    # 8 candidates, all but "nan" name one Orphanet disease
    assert grounded["aligned_candidate_rate"] == pytest.approx(7 / 8)


def test_rows_where_the_rules_disagree(scored: dict) -> None:
    found = {d["index"]: d for d in scored["report"]["disagreements"]}
    assert sorted(found) == ["1", "2", "4"]
    assert (found["1"]["reference_rank"], found["1"]["grounded_rank"]) == (1, 2)
    assert found["1"]["reference_candidate"] == "Marfan syndrome type 2"
    assert found["1"]["reference_candidate_relation"] == "other"  # a sibling, not the answer
    assert (found["2"]["reference_rank"], found["2"]["grounded_rank"]) == (2, None)
    assert found["2"]["reference_candidate"] == "Neonatal Marfan syndrome"
    assert (found["4"]["reference_rank"], found["4"]["grounded_rank"]) == (2, 1)
    table = scored["table"]
    assert table.exit_code == 0 and "the two rules disagree on 3 row(s)" in table.output
    assert "recall@1 0.2000" in table.output and "n_total 5" in table.output


def test_a_file_name_that_is_not_a_t1_condition_is_refused(scored: dict) -> None:
    refused = scored["refused"]
    assert refused.exit_code == 2
    assert "Model_MRareBench_Treatment.tsv" in refused.output and "MRareBench_Diagnosis_TO" in refused.output


ANSWERS = {  # index -> (answer, ORPHA_code, case); prevalence classes from the fixtures
    "1": ("Marfan syndrome", 558, "c1"),  # 1-5 / 10 000, under ORPHA:284993
    "2": ("Cystic fibrosis", 586, "c1"),  # 1-5 / 10 000
    "3": ("Huntington disease", 399, "c2"),  # 1-9 / 100 000
    "4": ("Duchenne muscular dystrophy", 98896, "c2"),  # 1-9 / 100 000
    "5": ("Loeys-Dietz syndrome", 60030, "c3"),  # Unknown, under ORPHA:284993
    "6": ("Congenital contractural arachnodactyly", 115, "c3"),  # Unknown, under ORPHA:284993
}
HITS_AT_1 = {  # per condition, whether item k's first candidate is its answer
    "MRareBench_Diagnosis": [1, 0, 1, 0, 0, 1],
    "MRareBench_Diagnosis_FD": [1, 1, 1, 1, 0, 1],
    "MRareBench_Diagnosis_TO": [0, 0, 1, 0, 0, 0],
}


@pytest.fixture(scope="module")
def conditions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("conditions")
    (tmp / "release.tsv").write_text(
        "index\tanswer\tanswer_aliases\tORPHA_code\tcase_id\n"
        + "".join(f"{i}\t{a}\t\t{c}\t{case}\n" for i, (a, c, case) in ANSWERS.items())
    )
    for dataset, hits in HITS_AT_1.items():
        pairs = zip(ANSWERS.items(), hits, strict=True)
        rows = [f"{i}\t1. {a if hit else 'Nothing matches'}\n" for (i, (a, _, _)), hit in pairs]
        (tmp / f"Model-B_{dataset}.tsv").write_text("index\tprediction\n" + "".join(rows))
    return tmp


def _compare(graph: Path, files: list[str], *options: str) -> list[dict]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MMRARE_GRAPH", f"embedded:{graph / 'g.db'}")
        runner = CliRunner()
        if not (graph / "g.db").exists():
            assert runner.invoke(main, ["import", "orphanet", str(FIX)]).exit_code == 0
        args = ["mrarebench", "compare", *files, "--release", str(graph / "release.tsv"), "--format", "json"]
        result = runner.invoke(main, [*args, *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _by(found: list[dict]) -> dict[tuple[str, str], dict]:
    return {(c["measures"].split(" (")[0], c["stratum"]): c["comparison"] for c in found}


def test_condition_differences_by_hand(conditions: Path) -> None:
    files = [str(conditions / f"Model-B_{d}.tsv") for d in HITS_AT_1]
    found = _by(_compare(conditions, files, "--metric", "hit@1", "--by", "prevalence"))
    leak, images = found[("textual leakage", "all items")], found[("value of the images", "all items")]
    # FD - baseline: per item 0, 1, 0, 1, 0, 0; baseline - TO: 1, 0, 0, 0, 0, 1
    assert (leak["n"], leak["mean_a"], leak["mean_b"]) == (6, pytest.approx(3 / 6), pytest.approx(5 / 6))
    assert leak["difference"] == pytest.approx(2 / 6)
    assert (images["mean_a"], images["mean_b"], images["difference"]) == pytest.approx((1 / 6, 3 / 6, 2 / 6))
    # three cases (c1, c2, c3) are fewer than five: no interval, rather than one that reads as certainty
    assert math.isnan(leak["ci_low"]) and math.isnan(leak["ci_high"])
    assert found[("textual leakage", "1-5 / 10 000")]["difference"] == pytest.approx(1 / 2)  # items 1, 2
    assert found[("value of the images", "1-9 / 100 000")]["difference"] == 0.0  # items 3, 4
    unknown = found[("textual leakage", "Unknown")]  # items 5, 6 of one case: no change, and no interval
    assert (unknown["n"], unknown["difference"]) == (2, 0.0) and math.isnan(unknown["ci_low"])


def test_condition_differences_under_a_class_and_only_for_pairs_present(conditions: Path) -> None:
    files = [str(conditions / f"Model-B_{d}.tsv") for d in ("MRareBench_Diagnosis", "MRareBench_Diagnosis_TO")]
    found = _by(_compare(conditions, files, "--metric", "hit@1", "--by", "none", "--under", "ORPHA:284993"))
    # no FD file: only the images comparison; under ORPHA:284993 are items 1, 5, 6: 1, 0, 1 -> 2/3
    assert list(found) == [("value of the images", "all items")]
    assert found[("value of the images", "all items")]["n"] == 3
    assert found[("value of the images", "all items")]["difference"] == pytest.approx(2 / 3)


JUDGE_REPLIES = {  # the judge's reply per confirmed diagnosis, in the odd shapes judges answer in
    "Marfan syndrome type 1": "YES\nNO\n3\nYES\nYES",  # 1, 0, 3, 1, 1: item score 4/5
    "Marfan syndrome": "1. yes\n2. yes\n3. 2\n4. no\n5. yes",  # 1, 1, 2, 0, 1: 11/15
    "Loeys-Dietz syndrome": "I cannot grade this.",  # nothing readable: zeros
    "Cystic fibrosis": "Yes\nNo\nType match: 1\nYes\nNo",  # 1, 0, 1, 1, 0: 7/15
    "Huntington disease": "NO\nNO\n0\nNO\nNO",  # zeros
}


def test_the_judge_s_five_dimensions_by_hand(tmp_path: Path) -> None:
    from tests.fakes.chat_server import running_chat_server

    (tmp_path / "diagnosis_opened.tsv").write_text(RELEASE)
    path = tmp_path / "Judged_MRareBench_Diagnosis.tsv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter="\t").writerows([("index", "prediction"), *PREDICTIONS])

    def reply(prompt: str) -> str:
        answer = prompt.split("Confirmed diagnosis: ", 1)[1].split("\n", 1)[0]
        return JUDGE_REPLIES[answer]

    with running_chat_server() as server, pytest.MonkeyPatch.context() as mp:
        server.responder = reply
        mp.setenv("MMRARE_GRAPH", "memory:")
        args = ["mrarebench", "score", str(path), "--release", str(tmp_path / "diagnosis_opened.tsv")]
        judge = ["--judge-base-url", server.url, "--judge-model", "judge-1", "--no-grounded", "--format", "json"]
        result = CliRunner().invoke(main, [*args, *judge])
        prompts = [r["messages"][-1]["content"] for r in server.requests]
    assert result.exit_code == 0, result.output
    ref = json.loads(result.output)[0]["reference"]
    assert ref["judge_avg_score"] == pytest.approx((4 / 5 + 11 / 15 + 0 + 7 / 15 + 0) / 5)  # 0.4
    dims = [ref[f"judge_dim_{d}"] for d in ("presence", "top1", "typematch", "specificity", "coherence")]
    assert dims == pytest.approx([3 / 5, 1 / 5, 6 / 5, 2 / 5, 2 / 5])
    assert ref["recall@1"] == pytest.approx(0.2)  # the deterministic keys are still there
    assert len(prompts) == 5  # one call per row, the unparseable row shown as an empty list
    assert any("Confirmed diagnosis: Huntington disease" in p and "(empty)" in p for p in prompts)
    assert any("Confirmed diagnosis: Loeys-Dietz syndrome" in p and "1. nan" in p for p in prompts)
