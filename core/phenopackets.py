"""phenopacket-store as a benchmark: one GA4GH phenopacket (a published individual) is one case and one
item of the `phenopacket` track ("which disease?"); the gold is the packet's OMIM diagnosis.

This module holds the domain: the case as read from a packet (`PacketCase`), the vignette a model is
shown (rendered here in our own words: age, sex, onset, observed and excluded features; never a gene,
a variant or the diagnosis), stable item indexes, and the prompt labels of the pheval.llm study
(Chimirri et al., eBioMedicine 2025), whose answers are imported as runs, one per model and language.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

BENCHMARK = "phenopacket-store"
TRACK = "phenopacket"
QUESTION = "Which rare disease best explains this presentation?"

# the study's ten prompt languages
LANGUAGES = {
    "en": "English",
    "cs": "Czech",
    "de": "German",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "ja": "Japanese",
    "nl": "Dutch",
    "tr": "Turkish",
    "zh": "Chinese",
}


@dataclass(frozen=True)
class Feature:
    hpo_id: str
    label: str
    excluded: bool
    onset: str  # an ISO 8601 age (P3Y), an HPO onset label, or ""


@dataclass(frozen=True)
class Variant:
    gene: str
    description: str  # an HGVS expression, else the variant's label
    status: str  # the interpretation status (CAUSATIVE, ...)


@dataclass(frozen=True)
class PacketCase:
    """What the service keeps of one phenopacket."""

    packet_id: str
    cohort: str  # the store's folder (a gene or syndrome), "" for a loose file
    sex: str  # FEMALE, MALE, OTHER_SEX or UNKNOWN_SEX
    age: str  # age at last encounter: ISO 8601 duration or an HPO age class label; "" unknown
    onset: str  # the disease's onset, same forms
    features: tuple[Feature, ...]
    disease_id: str  # the gold, OMIM:nnnnnn as a rule
    disease_label: str
    publications: tuple[str, ...]  # PMID:nnnn, sorted
    variants: tuple[Variant, ...]
    source: str  # file (and member) it was read from

    @property
    def observed(self) -> tuple[Feature, ...]:
        return tuple(f for f in self.features if not f.excluded)

    @property
    def excluded(self) -> tuple[Feature, ...]:
        return tuple(f for f in self.features if f.excluded)

    @property
    def genes(self) -> tuple[str, ...]:
        return tuple(sorted({v.gene for v in self.variants if v.gene}))

    @property
    def cluster(self) -> str:
        """Cases of one publication (a family, a cohort) are not independent: intervals resample them
        together; a packet citing none is its own cluster."""
        return self.publications[0] if self.publications else f"packet:{self.packet_id}"


def item_index(release: str, packet_id: str) -> int:
    """A stable integer index for a packet of a release (item ids are `<track>:<integer>`): the first
    48 bits of sha256(release, id), so re-imports agree and releases of the benchmark coexist."""
    digest = hashlib.sha256(f"{release}\x00{packet_id}".encode()).hexdigest()
    return int(digest[:12], 16)


def prompt_label(packet_id: str, language: str) -> str:
    """The study's prompt file name for a packet: every non-alphanumeric character of the id becomes
    '_', then `_<lang>-prompt.txt`."""
    return prompt_stem(packet_id) + f"_{language}-prompt.txt"


def prompt_stem(packet_id: str) -> str:
    """A packet id as the study names its prompts: every non-alphanumeric character becomes '_'."""
    return re.sub(r"[^A-Za-z0-9]", "_", packet_id)


def case_stem(case: str) -> str:
    """The stem a user's `case` cell names: a prompt label's, or a packet id's."""
    parts = split_prompt_label(case)
    return parts[0] if parts else prompt_stem(case)


_LABEL = re.compile(r"^(?P<stem>.+)_(?P<lang>[a-z]{2})-prompt\.txt$")


def split_prompt_label(label: str) -> tuple[str, str] | None:
    """(stem, language) of a prompt label, or None when it is not one."""
    m = _LABEL.match(label.strip())
    return (m["stem"], m["lang"]) if m else None


_DURATION = re.compile(r"^P(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?$")


def spoken_age(age: str) -> str:
    """'P6Y' -> '6-year-old', 'P1Y3M' -> '1-year-3-month-old', 'P0D' -> 'newborn'; an HPO age class is
    given as it is ('Infantile onset'); an unreadable duration gives ''."""
    if not age:
        return ""
    m = _DURATION.match(age)
    if not m:
        return "" if age.startswith("P") else age
    parts = [(m[k], unit) for k, unit in (("y", "year"), ("m", "month"), ("w", "week"), ("d", "day"))]
    words = [f"{int(n)}-{unit}" for n, unit in parts if n and int(n)]
    return "-".join(words) + "-old" if words else "newborn"


_SEX_WORDS = {"FEMALE": "female", "MALE": "male", "OTHER_SEX": "person of another sex"}


def _duration_words(age: str) -> str:
    """'P1Y3M' -> '1 year 3 months'; 'P0D' -> ''; not a duration -> ''."""
    m = _DURATION.match(age)
    if not m:
        return ""
    units = (("y", "year"), ("m", "month"), ("w", "week"), ("d", "day"))
    return " ".join(f"{int(m[k])} {unit}{'s' if int(m[k]) != 1 else ''}" for k, unit in units if m[k] and int(m[k]))


def _onset_phrase(onset: str) -> str:
    """When something began, as a phrase that follows 'from' or 'began': 'birth', '2 years of age', or
    the HPO onset class in lower case ('congenital onset')."""
    if not onset:
        return ""
    if onset.startswith("P"):
        if not _DURATION.match(onset):
            return ""
        words = _duration_words(onset)
        return f"{words} of age" if words else "birth"
    return onset[0].lower() + onset[1:]


def vignette(case: PacketCase) -> str:
    """The question a model is shown, in our own words, built only from age, sex, onset and the HPO
    labels of the observed and explicitly excluded features; anything naming a gene, a variant or
    the diagnosis is withheld (`withheld_terms`)."""
    age = spoken_age(case.age) if case.age.startswith("P") else ""
    who = " ".join(w for w in (age, _SEX_WORDS.get(case.sex, "")) if w) or "person"
    article = "An" if who[0].lower() in "aeiou8" else "A"
    lines = [f"{article} {who} is seen for a suspected rare disease."]
    if case.age and not case.age.startswith("P"):
        lines.append(f"Age at the last visit: {case.age[0].lower() + case.age[1:]}.")
    if _onset_phrase(case.onset):
        lines.append(f"Onset: {_onset_phrase(case.onset)}.")
    observed = [_feature_text(f) for f in case.observed]
    lines.append("Findings: " + ("; ".join(observed) if observed else "none recorded") + ".")
    if case.excluded:
        lines.append("Looked for and absent: " + "; ".join(f.label for f in case.excluded) + ".")
    lines.append(QUESTION)
    return withhold(" ".join(lines), withheld_terms(case))


def _feature_text(f: Feature) -> str:
    onset = _onset_phrase(f.onset)
    return f"{f.label} (from {onset})" if onset else f.label


def withheld_terms(case: PacketCase) -> tuple[str, ...]:
    """The words that must never reach the question: gene symbols, variant descriptions, the
    diagnosis's label and id."""
    terms = {*case.genes, *(v.description for v in case.variants), case.disease_label, case.disease_id}
    return tuple(sorted((t for t in terms if t and t.strip()), key=len, reverse=True))


def withhold(text: str, terms: tuple[str, ...]) -> str:
    """The text with every whole-word occurrence of a term replaced by '[withheld]'."""
    low = text.lower()
    for term in terms:
        if term.lower() not in low:
            continue  # the common case: no regex to build
        text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", "[withheld]", text, flags=re.IGNORECASE)
    return text
