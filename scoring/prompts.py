"""Our own judge prompt wording, written from the dimension definitions in docs/scoring.md.

What each prompt carries follows the reference evaluator (text only): diagnosis has the answer, the
synonyms (left out when there are none) and the response, with no question and no case context;
treatment has the question, answer, response, must-include and must-not lists; cross-modal has the
question, answer, response, key-finding claims and the lowercased relation type (left out when
empty); examination has the question, answer, response, key tests, red flags and must-not list.
A list line is left out when its list is empty. Every template is part of the judge configuration
hash, so changing a word changes the config and no cached judgement is reused across wordings.
"""

from __future__ import annotations

from mmrare.core.tracks import TRACK_BY_NAME, judged_as
from mmrare.graph.records import ItemRecord

STRICTNESS = (
    "Start from NO for every criterion and say YES only when the response meets it completely and explicitly; "
    "a partial, implied or generic answer earns NO."
)

DIAGNOSIS = """You are grading a model's answer to a rare-disease diagnosis question. The model was told to
give only the name of the most likely disease.
{strictness}

Reference diagnosis: {answer}
{aliases_line}
Model's answer: {prediction}

Answer the three questions below with YES or NO, one answer per line, in this order:
1. Does the model name the reference disease itself, or one of the accepted synonyms? A broader parent
   category, a sibling disease or a related but different disease is NO.
2. Whatever the answer to 1, does the model place the case in the right organ system and the right
   category of disease?
3. Is the model's answer one specific disease entity rather than a vague umbrella term (such as
   "infection" or "genetic disorder")?"""

TREATMENT = """You are grading a model's treatment plan for a rare-disease case against a reference plan.
{strictness}

Question: {question}
Reference plan: {answer}
Model's plan: {prediction}
{must_include_line}
{must_not_line}

Answer the six questions below with YES or NO, one answer per line, in this order:
1. Does the plan name the same specific treatments as the reference (a drug class or "chemotherapy"
   without the exact agent or regimen is NO)?
2. Are the specific drug names, with their dose and route, the ones the reference gives?
3. Is the plan free of every safety problem: contraindications, interactions, dangerous advice and
   anything on the safety list?
4. Does it give concrete follow-up times and name the parameters to monitor?
5. Does it show a correct understanding of the disease mechanism that justifies the treatment?
6. Could a clinician carry the plan out as written, without needing anything more?"""

CROSSMODAL = """You are grading a model's account of how the images and findings of one rare-disease case relate.
{strictness}

Question: {question}
Reference answer: {answer}
Model's answer: {prediction}
{key_findings_line}
{relation_line}

Answer the five questions below with YES or NO, one answer per line, in this order:
1. Does the answer identify every key finding listed, each one specifically?
2. Does it say explicitly how findings from different modalities bear on each other (listing each
   modality's findings side by side is NO)?
3. Does it name exactly the expected kind of relation (confirm, complement or contrast)?
4. Is its reasoning specific to this case, with no factual error?
5. Does it combine the modalities into a conclusion that none of them gives alone?"""

EXAMINATION = """You are grading a model's diagnostic work-up plan for a rare-disease case against a reference plan.

Question: {question}
Reference plan: {answer}
Model's plan: {prediction}
{key_tests_line}
{red_flags_line}
{must_not_line}

Score each of the eight dimensions 0, 1 or 2 and reply with the eight scores, one per line, in this
order. A 2 is rare and means the dimension is met in full; 1 is what a competent plan earns; 0 means
clearly inadequate.
1. Key test coverage: 2 if more than 95% of the key tests are named precisely and in a sensible order;
   1 if 60-95%, or most of them with loose names; 0 if under 60%.
2. Test specificity: the exact parameters of each test (region, contrast, sequences or views).
3. Ordering and conditional logic: first-line, second-line and confirmatory tests, with what to do
   next depending on a result.
4. Expected findings: what each major test is expected to show.
5. Quantitative criteria: thresholds, cut-offs or scoring systems.
6. Differential narrowing: each test tied to ruling specific diagnoses in or out, red flags included.
7. Patient-specific adaptation: tests adjusted to this patient's age, history and conditions.
8. Testing precision: no redundant or contraindicated tests, and a reason for each one."""

TEMPLATES = {"diagnosis": DIAGNOSIS, "treatment": TREATMENT, "crossmodal": CROSSMODAL, "examination": EXAMINATION}


def _list_line(label: str, values: list[str] | None) -> str:
    return f"{label}: {'; '.join(values)}" if values else ""


def render(track: str, item: ItemRecord, prediction: str) -> str:
    """The prompt for one prediction (empty list lines are dropped)."""
    relation = str(item.get("relationType") or "").lower().strip()
    style = judged_as(track)
    if style not in TEMPLATES:
        raise ValueError(
            f"no judge prompt for the track {track!r} (judged as {style!r}; there are {', '.join(TEMPLATES)})"
        )
    text = TEMPLATES[style].format(
        strictness=STRICTNESS,
        answer=item.get("answer", ""),
        question=item.get("question", ""),
        prediction=prediction,
        aliases_line=_list_line("Accepted synonyms and abbreviations", item.get("aliases")),
        must_include_line=_list_line("Treatments the plan must include", item.get("mustInclude")),
        must_not_line=_list_line(TRACK_BY_NAME[track].must_not_heading, item.get("mustNot")),
        key_findings_line=_list_line("Key findings", item.get("goldenMainline")),
        relation_line=f"Expected relation: {relation}" if relation and relation != "nan" else "",
        key_tests_line=_list_line("Key tests expected", item.get("keyTests")),
        red_flags_line=_list_line("Red flags to address", item.get("redFlags")),
    )
    # an empty optional line leaves a blank line; fold runs of blank lines into one
    lines = text.split("\n")
    return "\n".join(line for k, line in enumerate(lines) if line or (k > 0 and lines[k - 1]))
