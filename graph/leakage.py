"""The ontology-aware leakage audit (DESIGN.md section 9).

Question side: question and context (examination: question only), figure labels, image file
names. Answer side: the aligned disease (diagnosis), must-include treatments (treatment), key
findings and relation (cross-modal), key tests (examination). Seven kinds:

  1 direct-name       the answer disease is mentioned (name or synonym) or its ORPHAcode written
  2 ontology          a mentioned disease is a subtype of the answer, or a parent group of it with
                      at most `parent_max_members` members
  3 rare-gene         a mentioned gene is associated with at most `gene_max_diseases` diseases,
                      the answer among them
  4 phenotype-set     at least `phenotype_min_mentions` mentioned phenotypes, and the answer is the
                      only disease ranked first by how many of them it has
  5 answer-text       a must-include treatment, key finding or key test (of two or more words, or one
                      word of eight or more letters) is written on the question side
  6 image-or-case     a near-duplicate image (perceptual hash within `phash_max_distance`, other
                      bytes) shown by another item; or another track's question in the same case
                      mentions this item's answer disease
  7 figure-label      a figure label or image file name contains the answer's name or terms

Severity: high (kinds 1, 5, 7; kind 2 subtypes; kind 3 with one disease; kind 6 cross-track),
medium (kind 2 parents; kind 3 with several diseases; kind 4; kind 6 images). An item is leak-free
when it has no finding. Every finding carries its path: node uids and relationship types, or the
field and text where it is text. All graph walks go through the store protocol, so Neo4j answers
them in Cypher and the embedded store in networkx, with the same findings.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import numpy as np

from graph.model import Direction, NodeRef
from graph.store import GraphStore, RelRow, Where

KINDS = ("direct-name", "ontology", "rare-gene", "phenotype-set", "answer-text", "image-or-case", "figure-label")
_PUNCT = str.maketrans({c: " " for c in string.punctuation})


@dataclass(frozen=True)
class AuditConfig:
    max_subtype_depth: int = 3
    parent_max_members: int = 3
    gene_max_diseases: int = 3
    phenotype_min_mentions: int = 6
    phash_max_distance: int = 6
    min_answer_text_tokens: int = 2
    min_answer_word_length: int = 8

    @property
    def hash(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Finding:
    item_id: str
    kind: str
    severity: str
    explanation: str
    path: tuple[str, ...]

    def finding_id(self, config: AuditConfig) -> str:
        text = json.dumps([config.hash, self.item_id, self.kind, list(self.path)])
        return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass
class AuditResult:
    config: AuditConfig
    findings: list[Finding] = field(default_factory=list)
    audited: list[str] = field(default_factory=list)  # item ids

    @property
    def leaky(self) -> set[str]:
        return {f.item_id for f in self.findings}

    def summary(self) -> dict[str, dict[str, int]]:
        """Per track: items audited, items flagged, leak-free, and flagged items per kind."""
        out: dict[str, dict[str, int]] = {}
        for item_id in self.audited:
            track = item_id.split(":")[0]
            row = out.setdefault(track, {"items": 0, "flagged": 0, "leak-free": 0, **{k: 0 for k in KINDS}})
            row["items"] += 1
        for item_id in self.leaky:
            out[item_id.split(":")[0]]["flagged"] += 1
        for row in out.values():
            row["leak-free"] = row["items"] - row["flagged"]
        for item_id, kind in {(f.item_id, f.kind) for f in self.findings}:
            out[item_id.split(":")[0]][kind] += 1
        return out


def _norm(text: str) -> str:
    return " ".join(text.lower().translate(_PUNCT).split())


def _contains(haystack: str, needle: str) -> bool:
    """Whole-word containment of a normalised phrase."""
    return bool(needle) and f" {needle} " in f" {haystack} "


def _item(ref_key: str) -> NodeRef:
    return NodeRef("Item", ref_key)


def _dis(code: int) -> NodeRef:
    return NodeRef("Disease", code)


class LeakageAudit:
    def __init__(self, store: GraphStore, config: AuditConfig = AuditConfig()) -> None:
        self.store, self.config = store, config

    # -- gathering ------------------------------------------------------------------------------
    def run(self, tracks: Iterable[str] = ()) -> AuditResult:
        where = [Where("track", "in", list(tracks))] if tracks else []
        items = {str(n.ref.key): n.props for n in self.store.select("Item", where)}
        result = AuditResult(self.config, audited=sorted(items))
        if not items:
            return result
        refs = [_item(i) for i in items]
        mentions: dict[str, list] = defaultdict(list)
        for m in self.store.neighbours(refs, "MENTIONS"):
            field_name = m.rel_props.get("field", "")
            track = items[str(m.start.key)]["track"]
            if field_name == "context" and track == "examination":
                continue  # the examination question is asked without the context
            mentions[str(m.start.key)].append(m)
        answers: dict[str, list[int]] = defaultdict(list)
        for a in self.store.neighbours(refs, "ANSWER_IS"):
            answers[str(a.start.key)].append(int(a.node.key))
        codes = sorted({c for cs in answers.values() for c in cs})
        diseases = self.store.get_many("Disease", codes)
        shows: dict[str, list] = defaultdict(list)
        for s in self.store.neighbours(refs, "SHOWS"):
            shows[str(s.start.key)].append(s)
        findings: list[Finding] = []
        for item_id, props in sorted(items.items()):
            if props["track"] == "diagnosis":
                findings += self._direct(item_id, props, mentions[item_id], answers[item_id], diseases)
            else:
                findings += self._answer_text(item_id, props)
            # figure labels and file names are checked against the answer disease, inherited ones included
            findings += self._figures(item_id, props, shows[item_id], answers[item_id], diseases)
        diagnosis = {i: answers[i] for i, p in items.items() if p["track"] == "diagnosis" and answers[i]}
        findings += self._ontology(diagnosis, mentions)
        findings += self._genes(diagnosis, mentions)
        findings += self._phenotypes(diagnosis, mentions)
        findings += self._images(shows)
        findings += self._cross_track(items, mentions, answers)
        unique = {(f.item_id, f.kind, f.path): f for f in findings}
        result.findings = sorted(unique.values(), key=lambda f: (f.item_id, KINDS.index(f.kind), f.path))
        return result

    # -- kinds 1 and 7 --------------------------------------------------------------------------
    def _direct(self, item_id: str, props: dict, mentions: list, answer: list[int], diseases: dict) -> list[Finding]:
        out = []
        for m in mentions:
            if (
                m.node.label == "Disease"
                and int(m.node.key) in answer
                and not m.rel_props["field"].startswith("figure")
            ):
                out.append(
                    Finding(
                        item_id,
                        "direct-name",
                        "high",
                        f"the {m.rel_props['field']} names the answer disease ({m.rel_props['text']!r})",
                        (_item(item_id).uid, "MENTIONS", m.node.uid),
                    )
                )
        text = f"{props.get('question', '')}\n{props.get('context', '')}"
        for code in answer:
            if re.search(rf"(?:ORPHA\s*:?\s*|Orphanet_){code}\b", text, re.IGNORECASE):
                out.append(
                    Finding(
                        item_id,
                        "direct-name",
                        "high",
                        f"the question side writes the code ORPHA:{code}",
                        (_item(item_id).uid, "TEXT", f"ORPHA:{code}"),
                    )
                )
        return out

    def _answer_terms(self, props: dict, answer: list[int], diseases: dict) -> list[str]:
        """Normalised answer-side phrases: the disease's names (given its codes) and the track's rubric terms."""
        names = [props.get("answer", ""), *props.get("aliases", [])] if props["track"] == "diagnosis" else []
        for code in answer:
            names += [diseases.get(code, {}).get("name", ""), *diseases.get(code, {}).get("synonyms", [])]
        terms = {
            "diagnosis": [],
            "treatment": props.get("mustInclude", []),
            "crossmodal": props.get("goldenMainline", []),
            "examination": props.get("keyTests", []),
        }[props["track"]]
        rubric = [n for n in (_norm(t) for t in terms) if self._distinctive(n)]
        return [n for n in dict.fromkeys([*(_norm(x) for x in names), *rubric]) if n]

    def _distinctive(self, phrase: str) -> bool:
        """A rubric phrase worth looking for: several words, or one long word ("physiotherapy")."""
        words = phrase.split()
        return len(words) >= self.config.min_answer_text_tokens or (
            len(words) == 1 and len(words[0]) >= self.config.min_answer_word_length
        )

    def _figures(self, item_id: str, props: dict, shows: list, answer: list[int], diseases: dict) -> list[Finding]:
        terms = self._answer_terms(props, answer, diseases)
        out = []
        for rel in shows:
            label = rel.rel_props.get("label") or ""
            order = rel.rel_props.get("order", 0)
            paths = props.get("imagePaths", [])
            file_name = paths[order] if order < len(paths) else ""
            for where, text in (("figure label", label), ("image file name", file_name)):
                hit = next((t for t in terms if _contains(_norm(text), t)), None)
                if hit:
                    out.append(
                        Finding(
                            item_id,
                            "figure-label",
                            "high",
                            f"the {where} {text!r} contains {hit!r}",
                            (_item(item_id).uid, "SHOWS", rel.node.uid, where, text),
                        )
                    )
        return out

    # -- kind 5 ---------------------------------------------------------------------------------
    def _answer_text(self, item_id: str, props: dict) -> list[Finding]:
        side = _norm(
            props.get("question", "") + ("" if props["track"] == "examination" else "\n" + props.get("context", ""))
        )
        return [
            Finding(
                item_id,
                "answer-text",
                "high",
                f"the question side contains the answer text {t!r}",
                (_item(item_id).uid, "TEXT", t),
            )
            for t in self._answer_terms(props, [], {})
            if _contains(side, t)
        ]

    # -- kind 2 ---------------------------------------------------------------------------------
    def _ontology(self, diagnosis: dict[str, list[int]], mentions: dict[str, list]) -> list[Finding]:
        answers = sorted({c for cs in diagnosis.values() for c in cs})
        below = self.store.closure_each([_dis(c) for c in answers], "SUBCLASS_OF", Direction.IN)
        parents = defaultdict(set)
        for n in self.store.neighbours([_dis(c) for c in answers], "SUBCLASS_OF"):
            parents[int(n.start.key)].add(int(n.node.key))
        members = defaultdict(int)
        for n in self.store.neighbours([_dis(p) for ps in parents.values() for p in ps], "SUBCLASS_OF", Direction.IN):
            members[int(n.start.key)] += 1
        out = []
        for item_id, answer in sorted(diagnosis.items()):
            for m in mentions[item_id]:
                if m.node.label != "Disease" or int(m.node.key) in answer:
                    continue
                mentioned = int(m.node.key)
                for code in answer:
                    if _dis(mentioned) in below.get(_dis(code), frozenset()):
                        [path] = self.store.shortest_paths(
                            [_dis(mentioned)],
                            [_dis(code)],
                            ["SUBCLASS_OF"],
                            self.config.max_subtype_depth,
                            Direction.OUT,
                        ) or [None]
                        if path is None:
                            continue
                        out.append(
                            Finding(
                                item_id,
                                "ontology",
                                "high",
                                f"the {m.rel_props['field']} names {m.rel_props['text']!r}, a subtype of "
                                f"the answer ORPHA:{code}",
                                (_item(item_id).uid, "MENTIONS", *path.describe()),
                            )
                        )
                    elif mentioned in parents[code] and members[mentioned] <= self.config.parent_max_members:
                        out.append(
                            Finding(
                                item_id,
                                "ontology",
                                "medium",
                                f"the {m.rel_props['field']} names {m.rel_props['text']!r}, a parent group "
                                f"of the answer ORPHA:{code} with {members[mentioned]} member(s)",
                                (_item(item_id).uid, "MENTIONS", _dis(mentioned).uid, "<-SUBCLASS_OF", _dis(code).uid),
                            )
                        )
        return out

    # -- kind 3 ---------------------------------------------------------------------------------
    def _genes(self, diagnosis: dict[str, list[int]], mentions: dict[str, list]) -> list[Finding]:
        genes = sorted({m.node for i in diagnosis for m in mentions[i] if m.node.label == "Gene"})
        carriers = defaultdict(set)
        for n in self.store.neighbours(genes, "ASSOCIATED_GENE", Direction.IN):
            carriers[n.start].add(int(n.node.key))
        out = []
        for item_id, answer in sorted(diagnosis.items()):
            for m in mentions[item_id]:
                diseases = carriers.get(m.node, set())
                if m.node.label != "Gene" or not diseases or len(diseases) > self.config.gene_max_diseases:
                    continue
                for code in answer:
                    if code in diseases:
                        out.append(
                            Finding(
                                item_id,
                                "rare-gene",
                                "high" if len(diseases) == 1 else "medium",
                                f"the {m.rel_props['field']} names gene {m.node.key}, associated with "
                                f"{len(diseases)} disease(s) including the answer ORPHA:{code}",
                                (_item(item_id).uid, "MENTIONS", m.node.uid, "<-ASSOCIATED_GENE", _dis(code).uid),
                            )
                        )
        return out

    # -- kind 4 ---------------------------------------------------------------------------------
    def _phenotypes(self, diagnosis: dict[str, list[int]], mentions: dict[str, list]) -> list[Finding]:
        per_item = {i: sorted({m.node for m in mentions[i] if m.node.label == "Phenotype"}) for i in diagnosis}
        candidates = {i: p for i, p in per_item.items() if len(p) >= self.config.phenotype_min_mentions}
        holders = defaultdict(set)
        for n in self.store.neighbours(
            sorted({p for ps in candidates.values() for p in ps}), "HAS_PHENOTYPE", Direction.IN
        ):
            holders[n.start].add(int(n.node.key))
        out = []
        for item_id, phenotypes in sorted(candidates.items()):
            counts: dict[int, int] = defaultdict(int)
            for p in phenotypes:
                for code in holders.get(p, ()):
                    counts[code] += 1
            if not counts:
                continue
            best = max(counts.values())
            leaders = [c for c, n in counts.items() if n == best]
            for code in diagnosis[item_id]:
                if leaders == [code]:
                    shared = [p.uid for p in phenotypes if code in holders.get(p, ())]
                    out.append(
                        Finding(
                            item_id,
                            "phenotype-set",
                            "medium",
                            f"{len(phenotypes)} mentioned phenotypes single out the answer ORPHA:{code} "
                            f"({best} shared; the next disease shares "
                            f"{max([n for c, n in counts.items() if c != code], default=0)})",
                            (_item(item_id).uid, "MENTIONS", *shared[:5], "<-HAS_PHENOTYPE", _dis(code).uid),
                        )
                    )
        return out

    # -- kind 6 ---------------------------------------------------------------------------------
    def _images(self, shows: dict[str, list]) -> list[Finding]:
        shown_by: dict[str, set[str]] = defaultdict(set)
        for rels in shows.values():
            for s in rels:
                shown_by[str(s.node.key)].add(str(s.start.key))
        images = self.store.get_many("Image", sorted(shown_by))
        shas = sorted(k for k, v in images.items() if v.get("phash"))
        if len(shas) < 2:
            return []
        hashes = np.array([int(images[s]["phash"], 16) for s in shas], dtype=np.uint64)
        out = []
        for i in range(len(shas)):
            distance = np.bitwise_count(hashes[i + 1 :] ^ hashes[i])
            for j in np.nonzero(distance <= self.config.phash_max_distance)[0]:
                a, b = shas[i], shas[i + 1 + int(j)]
                for first, second in ((a, b), (b, a)):
                    for item_id in sorted(shown_by[first]):
                        others = sorted(shown_by[second] - {item_id})
                        if not others and item_id not in shown_by[second]:
                            continue
                        out.append(
                            Finding(
                                item_id,
                                "image-or-case",
                                "medium",
                                f"image {first[:12]} is a near-duplicate (hash distance "
                                f"{int(distance[j])}) of image {second[:12]} shown by "
                                f"{', '.join(others) or 'this item too'}",
                                (
                                    _item(item_id).uid,
                                    "SHOWS",
                                    f"Image:{first}",
                                    "NEAR_DUPLICATE",
                                    f"Image:{second}",
                                    *[_item(o).uid for o in others[:3]],
                                ),
                            )
                        )
        return out

    def _cross_track(
        self, items: dict[str, dict], mentions: dict[str, list], answers: dict[str, list[int]]
    ) -> list[Finding]:
        about = self.store.neighbours([_item(i) for i in items], "ABOUT")
        members: dict[str, list[str]] = defaultdict(list)
        for a in about:
            members[str(a.node.key)].append(str(a.start.key))
        out = []
        for case_id, ids in sorted(members.items()):
            for item_id in sorted(ids):
                if items[item_id]["track"] != "diagnosis":
                    continue
                for other in sorted(ids):
                    if items[other]["track"] == "diagnosis":
                        continue
                    for m in mentions[other]:
                        if m.node.label == "Disease" and int(m.node.key) in answers[item_id]:
                            out.append(
                                Finding(
                                    item_id,
                                    "image-or-case",
                                    "high",
                                    f"{other} (same case) names the answer in its {m.rel_props['field']}: "
                                    f"{m.rel_props['text']!r}",
                                    (
                                        _item(item_id).uid,
                                        "ABOUT",
                                        f"Case:{case_id}",
                                        "<-ABOUT",
                                        _item(other).uid,
                                        "MENTIONS",
                                        m.node.uid,
                                    ),
                                )
                            )
        return out


def store_audit(store: GraphStore, result: AuditResult) -> None:
    """Replace the findings of this audit configuration and set Item.leakFree on every audited item."""
    old = store.select(
        "LeakageFinding", [Where("auditConfig", "eq", result.config.hash), Where("itemId", "in", result.audited)]
    )
    rows = [
        {
            "findingId": f.finding_id(result.config),
            "kind": f.kind,
            "severity": f.severity,
            "explanation": f.explanation,
            "path": list(f.path),
            "itemId": f.item_id,
            "auditConfig": result.config.hash,
        }
        for f in result.findings
    ]
    leaky = result.leaky
    with store.transaction() as tx:
        tx.delete_nodes([n.ref for n in old])
        tx.upsert_nodes("LeakageFinding", rows)
        tx.upsert_rels(
            "HAS_FINDING", [RelRow(_item(r["itemId"]), NodeRef("LeakageFinding", r["findingId"])) for r in rows]
        )
        tx.upsert_nodes(
            "Item",
            [{"itemId": i, "leakFree": i not in leaky, "auditConfig": result.config.hash} for i in result.audited],
        )
