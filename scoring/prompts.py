"""Our own judge prompt wording, written from the dimension definitions in DESIGN.md section 7.

Every template is part of the judge configuration hash, so changing a word changes the config and
no cached judgement is reused across wordings.
"""

from __future__ import annotations

STRICTNESS = (
    "Be strict. Answer NO unless the criterion is fully and unambiguously met; partial or vague answers earn NO."
)

DIAGNOSIS = """You grade a model's diagnosis for a rare-disease case against the reference diagnosis.
{strictness}

Reference diagnosis: {answer}
Accepted synonyms: {aliases}
Case summary: {context}
Model's answer: {prediction}

Answer each question with YES or NO, one per line, in this order:
1. Is the model's answer the reference diagnosis itself or an accepted synonym of it? (A broader
   parent category, a sibling disease or a merely related disease is NO.)
2. Does the model's answer place the problem in the correct organ system and disease category?
3. Does the model name one specific disease entity rather than a vague or umbrella term?"""

TREATMENT = """You grade a model's treatment plan for a rare-disease case against a reference plan.
{strictness}

Case summary: {context}
Reference plan: {answer}
Must include: {must_include}
Must not include: {must_not}
Model's plan: {prediction}

Answer each question with YES or NO, one per line, in this order:
1. Does the plan contain the same specific treatments as the reference?
2. Are the drug names, and any dosage and route, correct?
3. Is the plan free of safety violations (nothing from the must-not list, no harmful advice)?
4. Does it give concrete follow-up timelines and the parameters to monitor?
5. Is its reasoning about the disease mechanism correct?
6. Could a clinician put it into practice as written?"""

CROSSMODAL = """You grade a model's reading of how several images of one rare-disease case relate.
{strictness}

Case summary: {context}
Reference reasoning: {answer}
Key findings: {key_findings}
Expected relation between the images: {relation}
Model's answer: {prediction}

Answer each question with YES or NO, one per line, in this order:
1. Does the answer mention every key finding?
2. Does it state explicitly how the findings in the different images relate?
3. Is the relation it states exactly the expected one (confirm, complement or contrast)?
4. Is the reasoning specific to this case and free of factual errors?
5. Does it bring the images together into one coherent conclusion?"""

EXAMINATION = """You grade a model's examination plan for a rare-disease work-up against a reference plan.
(You are not shown the case narrative.)

Question: {question}
Reference plan: {answer}
Key tests: {key_tests}
Red flags to rule out: {red_flags}
Must not: {must_not}
Model's plan: {prediction}

Give eight scores, each 0, 1 or 2, one per line, in this order:
1. Key test coverage: 2 if over 95% of the key tests are present, 1 if 60-95%, 0 if under 60%.
2. Specificity of the tests named.
3. Ordering and conditional logic (what to do next depending on results).
4. Expected findings stated for the tests.
5. Quantitative criteria (thresholds, cut-offs).
6. Narrowing of the differential, including the red flags.
7. Adaptation to this patient.
8. Precision: no unnecessary or contraindicated tests.
Give 2 only when a dimension is completely met."""

TEMPLATES = {"diagnosis": DIAGNOSIS, "treatment": TREATMENT, "crossmodal": CROSSMODAL, "examination": EXAMINATION}


def render(track: str, item: dict, prediction: str) -> str:
    """The prompt for one prediction; the examination prompt leaves out the case context."""

    def joined(values: list[str] | None) -> str:
        return "; ".join(values or []) or "(none)"

    return TEMPLATES[track].format(
        strictness=STRICTNESS,
        answer=item.get("answer", ""),
        aliases=joined(item.get("aliases")),
        context=item.get("context", ""),
        question=item.get("question", ""),
        prediction=prediction,
        must_include=joined(item.get("mustInclude")),
        must_not=joined(item.get("mustNot")),
        key_findings=joined(item.get("goldenMainline")),
        relation=item.get("relationType", ""),
        key_tests=joined(item.get("keyTests")),
        red_flags=joined(item.get("redFlags")),
    )
