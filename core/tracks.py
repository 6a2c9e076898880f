"""The benchmarks' release formats: MMRareBench's four TSV files, one per track, and MRareBench's two
(T1, the `differential` track; T2, the `evidence` track); see README.

Each track names its file, the columns it must have, and how its own columns map onto Item
properties. List cells are read exactly as the reference evaluator reads them (`read_list_cell`,
docs/scoring.md), and each list column says what its entries must be.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import entry_points
from typing import Any, cast

from mmrare.core.mrarebench import CONDITIONS, EVIDENCE_CONDITIONS
from mmrare.core.pandas_cells import PANDAS_MISSING
from mmrare.core.phenopackets import BENCHMARK as PHENOPACKET_BENCHMARK
from mmrare.core.phenopackets import LANGUAGES as PHENOPACKET_LANGUAGES
from mmrare.core.phenopackets import TRACK as PHENOPACKET_TRACK


class CellError(ValueError):
    """A cell that cannot be read; the message says what is wrong with it."""


@dataclass(frozen=True)
class ListColumn:
    """A release column holding a list, the Item property it becomes, and how its entries are read
    (`text_entries`, `alias_entries` or `claim_entries`, set per column below)."""

    column: str
    prop: str
    entries: Callable[[list[Any]], list[str]]


# The parts a track is composed of. Generic code asks a part to act (name the diseases an item is
# aligned by, label a result, score the reference's keys) instead of asking which benchmark it holds.


@dataclass(frozen=True)
class AnswerNamesDisease:
    """Anchor: the answer is a disease, aligned to Orphanet by its ORPHA_code or its names (the answer
    and its aliases), and audited for being named on the question side."""

    def disease_names(self, props: Mapping[str, Any]) -> list[str] | None:
        return self.answer_names(props)

    def answer_names(self, props: Mapping[str, Any]) -> list[str]:
        return [props.get("answer", ""), *props.get("aliases", [])]


@dataclass(frozen=True)
class GivenDiagnosis:
    """Anchor: the answer is not a disease, but the item gives the diagnosis it is about (an Item
    property), aligned like an answer but not audited for being named."""

    prop: str

    def disease_names(self, props: Mapping[str, Any]) -> list[str] | None:
        return [str(props.get(self.prop, ""))]

    def answer_names(self, props: Mapping[str, Any]) -> list[str]:
        return []


@dataclass(frozen=True)
class FromCase:
    """Anchor: the item names no disease; it takes the disease of the items of its case."""

    def disease_names(self, props: Mapping[str, Any]) -> list[str] | None:
        return None

    def answer_names(self, props: Mapping[str, Any]) -> list[str]:
        return []


Anchor = AnswerNamesDisease | GivenDiagnosis | FromCase


@dataclass(frozen=True)
class TsvRelease:
    """Reader: the release's TSV file, column by column (importers/benchmark), and written back to it
    by export."""


@dataclass(frozen=True)
class OwnReader:
    """Reader: the benchmark's own importer, `reader` ("module:function", called as
    function(paths, store, release, skip_invalid, progress) and returning what to report: (lines, problem
    lines)), run by `mmrare import benchmark --benchmark NAME` and by `command`; its items are not
    written back to a release file."""

    command: str
    reader: str

    def load(self) -> Callable[..., tuple[list[str], list[str]]]:
        module, _, function = self.reader.partition(":")
        return cast(Callable[..., tuple[list[str], list[str]]], getattr(import_module(module), function))


Release = TsvRelease | OwnReader


@dataclass(frozen=True)
class Contrast:
    """A comparison of two input conditions, item by item: `minuend - subtrahend`, and what the
    difference measures."""

    subtrahend: str
    minuend: str
    measures: str


@dataclass(frozen=True)
class RunConditions:
    """Runs are reported per model, each under the input condition it names, if any (a prompt
    language: a report lists the model under each as its own row); results are labelled by the track."""

    names: tuple[str, ...] = ()
    contrasts: tuple[Contrast, ...] = ()  # the comparisons between its conditions

    def result_label(self, track: str, dataset: str) -> str:
        return track

    def report_model(self, model: str, condition: str | None) -> str | None:
        return f"{model} [{condition}]" if condition else model


@dataclass(frozen=True)
class DatasetConditions:
    """Each input condition is its own dataset, scored by the authors' rules per condition and compared
    between conditions, never pooled per model (MRareBench)."""

    names: tuple[str, ...]
    contrasts: tuple[Contrast, ...] = ()  # the comparisons between its conditions

    def result_label(self, track: str, dataset: str) -> str:
        return dataset

    def report_model(self, model: str, condition: str | None) -> str | None:
        return None  # `report --reference` and the condition comparisons report these runs


Conditions = RunConditions | DatasetConditions


@dataclass(frozen=True)
class JudgedKeys:
    """What VLMEvalKit's evaluate() reports for a judged track (MMRareBench): the judge's mean as
    `<track>_judge_score`, taken with numpy (pairwise sums) or with sum()/len() in file order, and
    without a judge either `<track>_f1` (the best token F1 over answer and aliases, x100) or
    `substring_match`."""

    numpy_mean: bool = False
    token_f1: bool = False
    evaluator: str = "VLMEvalKit"
    # the judge prompt and reply rule its items are judged by (scoring/prompts.py): one of MMRareBench's
    # (diagnosis, treatment, crossmodal, examination); blank: the track's own name
    judged_as: str = ""


@dataclass(frozen=True)
class RankedKeys:
    """MRareBench T1's deterministic keys over ranked differentials (scoring/differential_eval.py)."""

    evaluator: str = "VLMEvalKit"


@dataclass(frozen=True)
class EvidenceKeys:
    """MRareBench T2's deterministic keys over evidence descriptions (scoring/evidence_verification.py)."""

    evaluator: str = "VLMEvalKit"


@dataclass(frozen=True)
class StudyTable:
    """No per-row keys: the study's own table over its judged result files (scoring/study_table.py)."""

    evaluator: str = "pheval.llm"


ReferenceRule = JudgedKeys | RankedKeys | EvidenceKeys | StudyTable


@dataclass(frozen=True)
class Track:
    name: str
    file: str  # relative to the release folder
    lists: tuple[ListColumn, ...] = ()
    texts: tuple[tuple[str, str], ...] = ()  # (column, Item property) for plain text columns
    question_side_context: bool = True  # examination questions are asked without the case context
    covered: tuple[str, ...] = ()  # Item list properties a good answer covers (the rubric-list judge)
    leak_terms: tuple[str, ...] = ()  # answer-side lists that must not show on the question side
    # read when present: the reference labels images from figure_mapping in any track that has one
    optional: tuple[str, ...] = ("figure_mapping",)
    # (column, Item property) of plain text columns read when present; a case key groups items into cases
    optional_texts: tuple[tuple[str, str], ...] = ()
    benchmark: str = "MMRareBench"
    datasets: tuple[str, ...] = ()  # the VLMEvalKit dataset names whose prediction files answer this track
    anchor: Anchor = FromCase()  # how an item anchors to Orphanet
    # the columns that may hold the question and the answer: the first the file has is read
    question_columns: tuple[str, ...] = ("question",)
    answer_columns: tuple[str, ...] = ("answer",)
    needs_image_path: bool = True  # else images come from the image column alone when the file has no paths
    release: Release = TsvRelease()  # how its release is read
    # what `report --reference` reproduces: VLMEvalKit's keys (the MMRareBench and MRareBench authors'),
    # or the pheval.llm study's table
    reference: ReferenceRule = JudgedKeys()
    # the metrics the track offers (names every surface takes; scoring/judge_choice.py, scoring/conditions.py)
    metrics: tuple[str, ...] = ("offline", "ontology", "rubric-lists", "openai")
    answered_under: Conditions = RunConditions()  # its input conditions, where runs answer it under several
    offline_judge: str = "rubric-lists"  # the offline judge that scores it (scoring/offline_judges.py)
    must_not_heading: str = "Safety violations to look for"  # a judge prompt's heading for `mustNot`

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns export writes (and the optional ones); a release has these or an alternative."""
        paths = ("image_path",) if self.needs_image_path else ()
        own = (*(c.column for c in self.lists), *(c for c, _ in self.texts))
        return ("index", "image", *paths, self.question_columns[0], self.answer_columns[0], "context", *own)

    def missing_columns(self, header: Sequence[str]) -> list[str]:
        """The required columns a file's header lacks, alternatives named together."""
        either = self.question_columns + self.answer_columns
        missing = [c for c in self.columns if c not in header and c not in either]
        for choices in (self.question_columns, self.answer_columns):
            if not any(c in header for c in choices):
                missing.append(" or ".join(choices))
        return missing

    def chosen_columns(self, header: Sequence[str]) -> tuple[str, str]:
        """The (question, answer) columns a file's rows are read from."""
        question = next(c for c in self.question_columns if c in header)
        return question, next(c for c in self.answer_columns if c in header)

    @property
    def conditions(self) -> tuple[str, ...]:
        """The names of its input conditions (none where runs answer under one)."""
        return self.answered_under.names

    @property
    def known_columns(self) -> tuple[str, ...]:
        return (*self.columns, "image_path", *self.optional, *(c for c, _ in self.optional_texts))

    @property
    def question_side_fields(self) -> tuple[str, ...]:
        """The Item text a model is shown (besides figure labels): the context only where it is asked."""
        return ("question", "context") if self.question_side_context else ("question",)

    def question_side_texts(self, props: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(field, text) of every text a model may be shown: the question side's own fields, and every
        column outside the format (`extra:<column>`): nothing says a harness keeps those away."""
        texts = [(f, str(props.get(f) or "")) for f in self.question_side_fields]
        extra = json.loads(props.get("extraColumns") or "{}")
        texts += [(f"extra:{column}", str(value)) for column, value in extra.items() if str(value).strip()]
        return texts

    @property
    def text_props(self) -> tuple[str, ...]:
        """The Item properties its own plain text columns become."""
        return tuple(prop for _, prop in (*self.texts, *self.optional_texts))

    @property
    def rubric_props(self) -> tuple[str, ...]:
        """The Item list properties that make up the answer key beyond the answer and its aliases."""
        return tuple(c.prop for c in self.lists if c.prop != "aliases")


@dataclass(frozen=True)
class ListCell:
    """A list cell as the reference reads it, and the fallback it needed (None for a JSON list)."""

    values: list[Any]
    fallback: str | None = None


def read_list_cell(text: str | None) -> ListCell:
    """A JSON list is taken as it is; another JSON value becomes [str(value)]; text that is not JSON
    is split on ';' (parts stripped, empties dropped); a missing-value cell gives []."""
    if text is None or text in PANDAS_MISSING:
        return ListCell([], "a missing-value token" if text else None)
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return ListCell([part.strip() for part in text.split(";") if part.strip()], "text split on ';'")
    if isinstance(value, list):
        return ListCell(value)
    return ListCell([str(value)], "a JSON scalar")


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def text_entries(values: list[Any]) -> list[str]:
    """Entries the reference joins as text (rubric lists, image paths): every one must be a string."""
    for k, entry in enumerate(values):
        if not isinstance(entry, str):
            raise CellError(f"entry {k} is {_json_type(entry)}, not text (the reference joins these entries as text)")
    return values


def alias_entries(values: list[Any]) -> list[str]:
    """Answer aliases as the reference uses them: str() of each entry, blank ones dropped."""
    return [str(a) for a in values if str(a).strip()]


def claim_entries(values: list[Any]) -> list[str]:
    """Cross-modal key findings: when the first entry is an object, every entry's 'claim' (or the
    object's text); otherwise the entries themselves. Both must end as text."""
    if values and isinstance(values[0], dict):
        for k, entry in enumerate(values):
            if not isinstance(entry, dict):
                raise CellError(f"entry {k} is {_json_type(entry)}, but the first entry is an object with a claim")
        values = [entry.get("claim", str(entry)) for entry in values]
    return text_entries(values)


TRACKS: tuple[Track, ...] = (
    Track(
        "diagnosis",
        "diagnosis/diagnosis_opened.tsv",
        lists=(ListColumn("answer_aliases", "aliases", alias_entries),),
        texts=(("category", "releaseCategory"), ("ORPHA_code", "releaseOrpha")),
        datasets=("MMRarebench_Diagnosis",),
        anchor=AnswerNamesDisease(),
        metrics=("offline", "ontology", "openai", "token_f1", "exact"),
        reference=JudgedKeys(numpy_mean=True, token_f1=True),
        offline_judge="ontology",
    ),
    Track(
        "treatment",
        "treatment/treatment_plan.tsv",
        lists=(
            ListColumn("rubric_must_include", "mustInclude", text_entries),
            ListColumn("rubric_must_not", "mustNot", text_entries),
        ),
        covered=("mustInclude",),
        leak_terms=("mustInclude",),
        datasets=("MMRarebench_Treatment",),
    ),
    Track(
        "crossmodal",
        "crossmodal/crossmodal_comparison.tsv",
        lists=(ListColumn("golden_mainline", "goldenMainline", claim_entries),),
        texts=(("relation_type", "relationType"),),
        covered=("goldenMainline",),
        leak_terms=("goldenMainline",),
        datasets=("MMRarebench_Crossmodal",),
    ),
    Track(
        "examination",
        "examination/examination_workup.tsv",
        lists=(
            ListColumn("key_test_names", "keyTests", text_entries),
            ListColumn("red_flags_to_rule_out", "redFlags", text_entries),
            ListColumn("must_not", "mustNot", text_entries),
        ),
        question_side_context=False,
        covered=("keyTests",),  # red flags are differentials to rule out, not tests the answer must order
        leak_terms=("keyTests",),
        datasets=("MMRarebench_Examination",),
        must_not_heading="Tests that should not be ordered",
    ),
)
# MRareBench T1: the same diagnosis file layout, answered by a ranked differential under three input
# conditions (core/mrarebench.py), scored without a judge (scoring/ranked_differential.py)
DIFFERENTIAL = Track(
    "differential",
    "diagnosis/diagnosis_opened.tsv",
    lists=(ListColumn("answer_aliases", "aliases", alias_entries),),
    texts=(("ORPHA_code", "releaseOrpha"),),
    optional_texts=(("category", "releaseCategory"), ("case_id", "sourceCase"), ("pmcid", "pmcid")),
    benchmark="MRareBench",
    datasets=tuple(CONDITIONS),
    anchor=AnswerNamesDisease(),
    reference=RankedKeys(),
    metrics=("rr", "hit@1", "hit@3", "hit@5", "hit@10"),
    answered_under=DatasetConditions(
        tuple(CONDITIONS),
        (
            Contrast("MRareBench_Diagnosis", "MRareBench_Diagnosis_FD", "textual leakage (FD - baseline)"),
            Contrast("MRareBench_Diagnosis_TO", "MRareBench_Diagnosis", "value of the images (baseline - TO)"),
        ),
    ),
)
# MRareBench T2: the diagnosis is given, the model describes the visual evidence for it, scored against
# the row's evidence points (scoring/evidence_verification.py) under three input conditions
EVIDENCE = Track(
    "evidence",
    "evidence_verification/evidence_verification_opened_FULL609.tsv",
    texts=(("acceptable_evidence_points", "evidencePoints"), ("final_diagnosis", "finalDiagnosis")),
    optional_texts=(
        ("orpha_code", "releaseOrpha"),
        ("decisive_image_ids", "decisiveImages"),
        ("supporting_image_ids", "supportingImages"),
        ("task_type", "taskType"),
        ("image_slot_map", "imageSlotMap"),
        ("case_id", "sourceCase"),
        ("pmcid", "pmcid"),
    ),
    leak_terms=("requiredFindings",),  # the required points' own words (set by the reader)
    question_columns=("question_open", "question"),
    answer_columns=("gold_rationale", "gold_answer_open"),
    needs_image_path=False,
    benchmark="MRareBench",
    datasets=tuple(EVIDENCE_CONDITIONS),
    anchor=GivenDiagnosis("finalDiagnosis"),
    reference=EvidenceKeys(),
    metrics=("det_required_recall@0.5", "det_hierarchical_required_recall", "det_mean_sent_groundedness"),
    answered_under=DatasetConditions(
        tuple(EVIDENCE_CONDITIONS),
        (
            Contrast("MRareBench_EvidenceVerif_NoDx", "MRareBench_EvidenceVerif", "the diagnosis's gain (gold - NoDx)"),
            Contrast("MRareBench_EvidenceVerif_TO", "MRareBench_EvidenceVerif", "value of the images (gold - TO)"),
        ),
    ),
)
# phenopacket-store: one GA4GH phenopacket per item, read by importers/phenopackets.py (not a TSV file);
# answered by ranked disease ids, judged by the study's own files (scoring/study_table.py)
PHENOPACKET = Track(
    PHENOPACKET_TRACK,
    "phenopackets/*.json",
    question_side_context=False,
    benchmark=PHENOPACKET_BENCHMARK,
    anchor=AnswerNamesDisease(),
    needs_image_path=False,
    release=OwnReader("mmrare import phenopackets", "mmrare.importers.phenopackets:read_release"),
    reference=StudyTable(),
    metrics=(
        "hit@1",
        "hit@3",
        "hit@10",
        "rr",
        "grounded_hit@1",
        "grounded_hit@3",
        "grounded_hit@10",
        "grounded_rr",
        "lenient_hit@1",
    ),
    # English minus each other prompt language, per case
    answered_under=RunConditions(
        tuple(f"{PHENOPACKET_BENCHMARK}:{lang}" for lang in PHENOPACKET_LANGUAGES),
        tuple(
            Contrast(
                f"{PHENOPACKET_BENCHMARK}:{lang}", f"{PHENOPACKET_BENCHMARK}:en", f"English - {name} (en - {lang})"
            )
            for lang, name in PHENOPACKET_LANGUAGES.items()
            if lang != "en"
        ),
    ),
)


@dataclass(frozen=True)
class Board:
    """One ranked board of a benchmark's leaderboard: a report metric (its name as every surface shows
    it: scoring.judge_choice.METRICS), what the board is called, and its short label (a heatmap's
    heading, a metric select)."""

    metric: str
    title: str
    label: str


@dataclass(frozen=True)
class Benchmark:
    """A hosted benchmark: its tracks, and the boards its leaderboard ranks models by (none where its
    runs are compared per input condition only, as MRareBench's are)."""

    name: str
    tracks: tuple[Track, ...]
    boards: tuple[Board, ...] = ()


BENCHMARK_ENTRY_POINTS = "mmrare.benchmarks"  # the entry-point group an installed package registers a benchmark in

# The built-in benchmarks; TRACKS stays MMRareBench's, the first and default benchmark.
BUILT_IN: tuple[Benchmark, ...] = (
    Benchmark(
        "MMRareBench",
        TRACKS,
        (
            Board("offline", "Judge score (offline judges: ours, not the reference's)", "Judge score"),
            Board("token_f1", "Token F1 (diagnosis)", "Token F1"),
        ),
    ),
    Benchmark("MRareBench", (DIFFERENTIAL, EVIDENCE)),
    Benchmark(
        PHENOPACKET_BENCHMARK,
        (PHENOPACKET,),
        (
            Board("hit@1", "Top-1 by the study's judgement (is_correct)", "Top-1 (study's rule)"),
            Board("grounded_hit@1", "Top-1 grounded to Orphanet (strict, ours)", "Top-1 grounded (strict)"),
            Board("lenient_hit@1", "Top-1 grounded to Orphanet (lenient, ours)", "Top-1 grounded (lenient)"),
        ),
    ),
)


class RegistryError(ValueError):
    """A benchmark that cannot be hosted beside the others; the message names where it came from."""


def registered(built_in: Sequence[Benchmark], installed: Sequence[tuple[str, object]]) -> dict[str, Benchmark]:
    """The benchmarks by name: the built-in ones, then each installed one ((where it came from, the
    object it gave)). Benchmark, track and dataset names must be unique across all of them (an item
    id is `track:index`; a prediction file's dataset names its track)."""
    out: dict[str, Benchmark] = {}
    tracks: dict[str, str] = {}
    datasets: dict[str, str] = {}
    for origin, spec in [("built in", b) for b in built_in] + list(installed):
        if not isinstance(spec, Benchmark):
            raise RegistryError(f"{origin}: gives {type(spec).__name__}, not a mmrare.core.tracks.Benchmark")
        if not spec.tracks:
            raise RegistryError(f"{origin}: benchmark {spec.name!r} has no tracks")
        if spec.name.lower() in (n.lower() for n in out):
            raise RegistryError(f"{origin}: a benchmark named {spec.name!r} is already hosted")
        for track in spec.tracks:
            if track.name in tracks or ":" in track.name:
                why = "has a ':'" if ":" in track.name else f"is already a track of {tracks.get(track.name)}"
                raise RegistryError(f"{origin}: the track name {track.name!r} {why}")
            tracks[track.name] = spec.name
            for dataset in track.datasets:
                if dataset in datasets:
                    raise RegistryError(f"{origin}: the dataset {dataset!r} already answers {datasets[dataset]}")
                datasets[dataset] = track.name
        out[spec.name] = spec
    return out


def installed_benchmarks() -> list[tuple[str, object]]:
    """(entry point, object) of every benchmark an installed package registers under
    `mmrare.benchmarks` (`name = "module:attribute"`, the attribute a Benchmark), sorted by name."""
    out = []
    for point in sorted(entry_points(group=BENCHMARK_ENTRY_POINTS), key=lambda e: e.name):
        origin = f"entry point {point.name} = {point.value!r} ({BENCHMARK_ENTRY_POINTS})"
        try:
            out.append((origin, point.load()))
        except Exception as exc:  # a plugin's import error, named with where it came from
            raise RegistryError(f"{origin}: cannot be loaded: {type(exc).__name__}: {exc}") from exc
    return out


BENCHMARKS: dict[str, Benchmark] = registered(BUILT_IN, installed_benchmarks())
ALL_TRACKS: tuple[Track, ...] = tuple(t for b in BENCHMARKS.values() for t in b.tracks)
TRACK_BY_NAME = {t.name: t for t in ALL_TRACKS}
DATASET_TRACKS = {dataset: t.name for t in ALL_TRACKS for dataset in t.datasets}


def benchmark_tracks(benchmark: str) -> tuple[Track, ...]:
    """A benchmark's tracks; the error names the benchmarks there are."""
    for name, spec in BENCHMARKS.items():
        if name.lower() == benchmark.lower():
            return spec.tracks
    raise ValueError(f"no benchmark {benchmark!r} (there are: {', '.join(BENCHMARKS)})")


RELATION_TYPES = ("confirm", "complement", "contrast")


def _json(text: str, problem: str) -> Any:
    """Parsed JSON, or a CellError that starts with what the cell should have been."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CellError(f"{problem}: {exc.msg}") from exc


def parse_mapping_cell(text: str | None) -> dict[str, str]:
    """figure_mapping: a JSON object from figure label to image path."""
    if text is None or not text.strip():
        return {}
    value = _json(text, "not a JSON object")
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise CellError("must be a JSON object of figure label to image path")
    return value


def parse_image_cell(text: str | None) -> list[str]:
    """The image column: a JSON list of base64 strings (a lone base64 string is accepted too)."""
    if text is None or not text.strip():
        return []
    stripped = text.strip()
    if stripped.startswith("["):
        value = _json(stripped, "not a JSON list of base64 images")
        if not all(isinstance(v, str) for v in value):
            raise CellError("every entry of the image list must be a base64 string")
        return value
    return [stripped]


def list_cell(values: list[Any]) -> str:
    """The release's way of writing a list cell (JSON), for export."""
    return json.dumps(values, ensure_ascii=False)


def judged_as(track: str) -> str | None:
    """The judge prompt and reply rule a track's items are judged by, None where no judge of ours
    scores them (a ranked list, evidence points, a study's own judgement)."""
    spec = TRACK_BY_NAME.get(track)
    return (spec.reference.judged_as or track) if spec and isinstance(spec.reference, JudgedKeys) else None


def tracks_judged_offline_by(judge: str) -> tuple[str, ...]:
    """The judged tracks whose offline judge (Track.offline_judge) is `judge`."""
    return tuple(t.name for t in ALL_TRACKS if judged_as(t.name) and t.offline_judge == judge)


def names_disease(item: Mapping[str, Any]) -> bool:
    """Whether an item's answer is a disease (a diagnosis or a differential), from its properties."""
    track = TRACK_BY_NAME.get(str(item.get("track")))
    return track is not None and isinstance(track.anchor, AnswerNamesDisease)


def select_tracks(tracks: tuple[str, ...] | list[str], benchmark: str | None) -> tuple[str, ...]:
    """The tracks a request means: those named, within the benchmark when one is named (all of its
    tracks when none is named); unknown names and a track outside the benchmark are errors."""
    unknown = [t for t in tracks if t not in TRACK_BY_NAME]
    if unknown:
        raise ValueError(f"no track {unknown[0]!r} (there are: {', '.join(TRACK_BY_NAME)})")
    if benchmark is None:
        return tuple(tracks)
    within = tuple(t.name for t in benchmark_tracks(benchmark))
    outside = [t for t in tracks if t not in within]
    if outside:
        raise ValueError(f"track {outside[0]!r} is not in {benchmark} (its tracks: {', '.join(within)})")
    return tuple(tracks) or within
