"""MRareBench T1's rare-candidate judge: replies read and rows summed by the reference's rules, worked
by hand; and the judge asked over HTTP (the OpenAI protocol, a local fake server) once per distinct
candidate."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmrare.cli.main import main
from mmrare.scoring.rare_candidate_judge import RareLabel, rare_candidate_metrics, read_rare_reply


@pytest.mark.parametrize(
    ("reply", "label", "rare", "specific", "failed"),
    [
        ('{"label": "Rare", "is_rare_disease": "yes", "is_specific_disease": true}', "rare", True, True, False),
        # prose around the object; "non-rare" loses its hyphen; a nonrare disease is never rare,
        # whatever the flag says; specific defaults to "rare or nonrare"
        ('Here you are: {"label": "non-rare", "is_rare_disease": true} Hope it helps', "nonrare", False, True, False),
        ('{"label": "generic", "is_rare_disease": 1, "is_specific_disease": true}', "generic", False, False, False),
        ('{"label": "rare", "is_rare_disease": 0}', "rare", False, True, False),  # the flag wins for "rare"
        ('{"label": "rare", "is_rare_disease": "maybe"}', "rare", True, True, False),  # unreadable: the label
        ('{"label": "orphan disease"}', "unknown", False, False, False),  # not a label: unknown
        ('{"is_rare_disease": true}', "unknown", False, False, False),  # no label: unknown, so not rare
        ("I am not sure.", "unknown", False, False, True),  # no object: a parse failure
        ('["rare"]', "unknown", False, False, True),  # JSON, but not an object
    ],
)
def test_replies_are_read_as_the_reference_reads_them(
    reply: str, label: str, rare: bool, specific: bool, failed: bool
) -> None:
    found = read_rare_reply(reply, "Some disease")
    assert (found.label, found.is_rare, found.is_specific, found.parse_failed) == (label, rare, specific, failed)


def test_an_empty_code_is_no_code_and_the_candidate_comes_from_the_reply() -> None:
    found = read_rare_reply('{"candidate": " Fabry disease ", "label": "rare", "orpha_code_if_known": "null"}', "x")
    assert (found.candidate, found.orpha_code) == ("Fabry disease", None)
    assert read_rare_reply('{"label": "rare", "orpha_code_if_known": "ORPHA:324"}', "x").orpha_code == "ORPHA:324"


def _label(name: str, label: str, rare: bool) -> RareLabel:
    return RareLabel(name, label, rare, label in ("rare", "nonrare"), None, False)


def test_rows_are_summed_over_their_first_ten_candidates_by_hand() -> None:
    labels = {
        "fabry disease": _label("Fabry disease", "rare", True),
        "gaucher disease": _label("Gaucher disease", "rare", True),
        "pneumonia": _label("Pneumonia", "nonrare", False),
        "tumour": _label("Tumour", "generic", False),
    }
    lists = [
        ["Fabry disease", "Gaucher disease", "Pneumonia"],  # 2 rare: count 2, ratio 2/10
        ["Tumour", "Fabry disease!"],  # the same Fabry after normalisation: 1 rare, 1 generic
        [],  # a parse failure: nothing counted, ratio 0
        ["Mystery"],  # never judged: unknown and a parse failure
    ]
    values = rare_candidate_metrics(lists, labels)
    assert values["rare_candidate_count@10_mean"] == (2 + 1 + 0 + 0) / 4
    assert values["rare_candidate_ratio@10"] == pytest.approx((0.2 + 0.1 + 0 + 0) / 4)  # over ten, not the list
    assert values["rare_candidate_unknown_count@10_mean"] == 1 / 4
    assert values["rare_candidate_generic_count@10_mean"] == 1 / 4
    assert values["rare_candidate_judge_parse_fail_rate"] == 1 / 6  # 6 candidates used, Mystery failed
    assert values["rare_candidate_unique_total"] == 5  # fabry, gaucher, pneumonia, tumour, mystery


RELEASE = "index\tquestion\tanswer\tanswer_aliases\n1\tq\tFabry disease\t\n2\tq\tCystic fibrosis\t\n"
REPLIES = {
    "Fabry disease": '{"label": "rare", "is_rare_disease": true, "is_specific_disease": true}',
    "CYSTIC FIBROSIS": '```json\n{"label": "rare", "is_rare_disease": "true"}\n```',
    "Pneumonia": '{"label": "nonrare", "is_rare_disease": false, "is_specific_disease": true}',
}


def test_the_cli_asks_once_per_distinct_candidate(tmp_path: Path) -> None:
    from tests.fakes.chat_server import completion, running_chat_server

    (tmp_path / "diagnosis_opened.tsv").write_text(RELEASE)
    path = tmp_path / "Rare_MRareBench_Diagnosis.tsv"
    rows = [
        ("index", "prediction"),
        ("1", "1. Fabry disease\n2. Pneumonia\n3. Infection"),
        ("2", "CYSTIC FIBROSIS; fabry disease"),
    ]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter="\t").writerows(rows)

    with running_chat_server() as server, pytest.MonkeyPatch.context() as mp:
        # the judge refuses "Infection" (a 400 is not retried), so it stays unjudged
        server.script = {"Entry: Infection\n": [(400, {"error": "refused"})]}
        for name, reply in REPLIES.items():
            server.script[f"Entry: {name}\n"] = [(200, completion(reply))]
        mp.setenv("MMRARE_GRAPH", "memory:")
        args = ["mrarebench", "score", str(path), "--release", str(tmp_path / "diagnosis_opened.tsv")]
        judge = ["--judge-base-url", server.url, "--rare-judge-model", "rare-1", "--no-grounded", "--format", "json"]
        result = CliRunner().invoke(main, [*args, *judge])
        asked = [r["messages"][-1]["content"].split("Entry: ", 1)[1].split("\n", 1)[0] for r in server.requests]
    assert result.exit_code == 0, result.output
    ref = json.loads(result.output)[0]["reference"]
    # four distinct candidates (Fabry twice, spelled differently by case only), each asked for once
    assert sorted(set(asked)) == ["CYSTIC FIBROSIS", "Fabry disease", "Infection", "Pneumonia"]
    assert asked.count("Fabry disease") == 1 and ref["rare_candidate_unique_total"] == 4
    # row 1: Fabry rare, Pneumonia not, Infection unknown (failed): 1 rare; row 2: both rare
    assert ref["rare_candidate_count@10_mean"] == 1.5 and ref["rare_candidate_ratio@10"] == pytest.approx(0.15)
    assert ref["rare_candidate_unknown_count@10_mean"] == 0.5
    assert ref["rare_candidate_judge_parse_fail_rate"] == 1 / 5  # 5 candidates used, Infection failed
    assert "judge_avg_score" not in ref  # the five-dimension judge was not asked for
