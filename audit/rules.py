"""One pure rule per leakage kind: facts in, findings out (kinds and severities in audit/model.py)."""

from __future__ import annotations

import math
import re
from collections import defaultdict

import numpy as np

from mmrare.audit.facts import AuditFacts, disease_ref, item_ref
from mmrare.audit.hamming import near_pairs
from mmrare.audit.model import AuditConfig, Finding
from mmrare.core.matching import normalise_name
from mmrare.core.tracks import TRACK_BY_NAME, names_disease
from mmrare.graph.model import Neighbour, NodeRef
from mmrare.graph.records import ItemRecord, listed

norm = normalise_name  # lowercase, punctuation as spaces: how answer terms and question text are compared


def contains(haystack: str, needle: str) -> bool:
    """Whole-word containment of a normalised phrase."""
    return bool(needle) and f" {needle} " in f" {haystack} "


def distinctive(phrase: str, config: AuditConfig) -> bool:
    """A rubric phrase worth looking for: several words, or one long word ("physiotherapy")."""
    words = phrase.split()
    return len(words) >= config.min_answer_text_tokens or (
        len(words) == 1 and len(words[0]) >= config.min_answer_word_length
    )


def answer_terms(props: ItemRecord, answer: list[int], diseases: dict, config: AuditConfig) -> list[str]:
    """Normalised answer-side phrases: the disease's names (given its codes) and the track's rubric terms."""
    names = TRACK_BY_NAME[props["track"]].anchor.answer_names(props)
    for code in answer:
        names += [diseases.get(code, {}).get("name", ""), *diseases.get(code, {}).get("synonyms", [])]
    terms = [t for prop in TRACK_BY_NAME[props["track"]].leak_terms for t in listed(props, prop)]
    rubric = [n for n in (norm(t) for t in terms) if distinctive(n, config)]
    return [n for n in dict.fromkeys([*(norm(x) for x in names), *rubric]) if n]


def direct_name(facts: AuditFacts, config: AuditConfig) -> list[Finding]:
    """Kind 1: the question side names the answer disease or writes its code (diagnosis)."""
    out = []
    for item_id, props in sorted(facts.items.items()):
        if not names_disease(props):
            continue
        answer = facts.answers.get(item_id, [])
        for m in facts.mentions.get(item_id, []):
            named = m.node.label == "Disease" and int(m.node.key) in answer
            if named and not m.rel_props["field"].startswith("figure"):
                out.append(
                    Finding(
                        item_id,
                        "direct-name",
                        "high",
                        f"the {m.rel_props['field']} names the answer disease ({m.rel_props['text']!r})",
                        (item_ref(item_id).uid, "MENTIONS", m.node.uid),
                    )
                )
        text = "\n".join(t for _, t in TRACK_BY_NAME[props["track"]].question_side_texts(props))
        for code in answer:
            if re.search(rf"(?:ORPHA\s*:?\s*|Orphanet_){code}\b", text, re.IGNORECASE):
                out.append(
                    Finding(
                        item_id,
                        "direct-name",
                        "high",
                        f"the question side writes the code ORPHA:{code}",
                        (item_ref(item_id).uid, "TEXT", f"ORPHA:{code}"),
                    )
                )
    return out


def figure_label(facts: AuditFacts, config: AuditConfig) -> list[Finding]:
    """Kind 7: a figure label or image file name holds the answer's names or terms (inherited
    diseases count for the other tracks)."""
    out = []
    for item_id, props in sorted(facts.items.items()):
        terms = answer_terms(props, facts.answers.get(item_id, []), facts.diseases, config)
        paths = props.get("imagePaths", [])
        for rel in facts.shows.get(item_id, []):
            label = rel.rel_props.get("label") or ""
            order = rel.rel_props.get("order", 0)
            file_name = paths[order] if order < len(paths) else ""
            for where, text in (("figure label", label), ("image file name", file_name)):
                hit = next((t for t in terms if contains(norm(text), t)), None)
                if hit:
                    out.append(
                        Finding(
                            item_id,
                            "figure-label",
                            "high",
                            f"the {where} {text!r} contains {hit!r}",
                            (item_ref(item_id).uid, "SHOWS", rel.node.uid, where, text),
                        )
                    )
    return out


def answer_text(facts: AuditFacts, config: AuditConfig) -> list[Finding]:
    """Kind 5: a distinctive rubric phrase of the answer side is written on the question side."""
    out = []
    for item_id, props in sorted(facts.items.items()):
        if names_disease(props):
            continue
        side = norm("\n".join(t for _, t in TRACK_BY_NAME[props["track"]].question_side_texts(props)))
        out += [
            Finding(
                item_id,
                "answer-text",
                "high",
                f"the question side contains the answer text {t!r}",
                (item_ref(item_id).uid, "TEXT", t),
            )
            for t in answer_terms(props, [], {}, config)
            if contains(side, t)
        ]
    return out


def ontology(facts: AuditFacts, config: AuditConfig) -> list[Finding]:
    """Kind 2: a mentioned disease is a subtype of the answer, or a small parent group of it."""
    out = []
    for item_id, answer in sorted(facts.diagnosis_answers().items()):
        for m in facts.mentions.get(item_id, []):
            if m.node.label != "Disease" or int(m.node.key) in answer:
                continue
            mentioned = int(m.node.key)
            for code in answer:
                path = facts.subtype_paths.get((mentioned, code))
                if path is not None:
                    out.append(
                        Finding(
                            item_id,
                            "ontology",
                            "high",
                            f"the {m.rel_props['field']} names {m.rel_props['text']!r}, a subtype of "
                            f"the answer ORPHA:{code}",
                            (item_ref(item_id).uid, "MENTIONS", *path),
                        )
                    )
                elif mentioned in facts.parents.get(code, set()):
                    size = facts.members.get(mentioned, 0)
                    if size <= config.parent_max_members:
                        out.append(
                            Finding(
                                item_id,
                                "ontology",
                                "medium",
                                f"the {m.rel_props['field']} names {m.rel_props['text']!r}, a parent group "
                                f"of the answer ORPHA:{code} with {size} member(s)",
                                (
                                    item_ref(item_id).uid,
                                    "MENTIONS",
                                    disease_ref(mentioned).uid,
                                    "<-SUBCLASS_OF",
                                    disease_ref(code).uid,
                                ),
                            )
                        )
    return out


def rare_gene(facts: AuditFacts, config: AuditConfig) -> list[Finding]:
    """Kind 3: a mentioned gene belongs to few diseases, the answer among them."""
    out = []
    for item_id, answer in sorted(facts.diagnosis_answers().items()):
        for m in facts.mentions.get(item_id, []):
            diseases = facts.gene_diseases.get(m.node, set())
            if m.node.label != "Gene" or not diseases or len(diseases) > config.gene_max_diseases:
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
                            (item_ref(item_id).uid, "MENTIONS", m.node.uid, "<-ASSOCIATED_GENE", disease_ref(code).uid),
                        )
                    )
    return out


def phenotype_bits(annotations: dict[int, float], n_diseases: int) -> float:
    """Information content of one phenotype, frequency-weighted: -log2 of the share of diseases it
    is expected in (an annotation counts by its frequency class)."""
    expected = sum(annotations.values())
    return -math.log2(min(1.0, max(expected, MIN_EXPECTED) / max(n_diseases, 1)))


MIN_EXPECTED = 0.01  # an annotation of weight 0 only (Excluded) must not make a phenotype infinitely rare


def _mentioned_phenotypes(facts: AuditFacts, item_id: str) -> list[tuple[list[NodeRef], dict[int, float]]]:
    """Each phenotype the item mentions, with its annotations. A phrase that names several terms
    (a synonym shared by two) is one phenotype that may be either: its diseases are the union."""
    spans: dict[tuple, set[NodeRef]] = defaultdict(set)
    for m in facts.mentions.get(item_id, []):
        if m.node.label == "Phenotype":
            spans[tuple(m.rel_props.get(k) for k in ("field", "start", "end", "text"))].add(m.node)
    out: dict[frozenset[NodeRef], dict[int, float]] = {}
    for refs in spans.values():
        table: dict[int, float] = {}
        for p in refs:
            for code, weight in facts.phenotype_diseases.get(p, {}).items():
                table[code] = max(table.get(code, 0.0), weight)
        if table:  # a phenotype no disease has says nothing
            out[frozenset(refs)] = table
    return [(sorted(refs), table) for refs, table in sorted(out.items(), key=lambda kv: sorted(kv[0]))]


def phenotype_set(facts: AuditFacts, config: AuditConfig) -> list[Finding]:
    """Kind 4: the mentioned phenotypes are specific enough to look the answer up: at most
    `phenotype_max_candidates` diseases carry every one of them (the answer among them), and together
    they hold at least log2(diseases) + `phenotype_min_bits_margin` bits: more than it takes to
    single out one disease by chance."""
    out = []
    for item_id, answer in sorted(facts.diagnosis_answers().items()):
        phenotypes = _mentioned_phenotypes(facts, item_id)
        if not phenotypes:
            continue
        known = [refs[0] for refs, _ in phenotypes]
        fitting = set.intersection(*({c for c, w in table.items() if w > 0} for _, table in phenotypes))
        bits = sum(phenotype_bits(table, facts.n_diseases) for _, table in phenotypes)
        needed = math.log2(max(facts.n_diseases, 1)) + config.phenotype_min_bits_margin
        if len(fitting) > config.phenotype_max_candidates or bits < needed:
            continue
        for code in answer:
            if code in fitting:
                others = len(fitting) - 1
                out.append(
                    Finding(
                        item_id,
                        "phenotype-set",
                        "medium",
                        f"{len(known)} mentioned phenotype(s) carrying {bits:.1f} bits (frequency-weighted; "
                        f"{needed:.1f} single out one of {facts.n_diseases:,} diseases) fit {len(fitting)} "
                        "Orphanet disease(s): "
                        f"the answer ORPHA:{code}" + (f" and {others} other(s)" if others else " alone"),
                        (
                            item_ref(item_id).uid,
                            "MENTIONS",
                            *[p.uid for p in known[:5]],
                            "<-HAS_PHENOTYPE",
                            disease_ref(code).uid,
                        ),
                    )
                )
    return out


def _hash_array(images: dict, shas: list[str], prop: str, fallback: str) -> np.ndarray:
    return np.array([int(images[s].get(prop) or images[s][fallback], 16) for s in shas], dtype=np.uint64)


def _grid_array(images: dict, shas: list[str], prop: str, cells: int) -> np.ndarray:
    """Each image's stored grey copy of `cells` pixels, centred and scaled to unit length (a dot product
    is then the Pearson correlation); a row of NaN where it has none (imported before the copies existed)."""
    texts = [images[s].get(prop) or "" for s in shas]
    out = np.full((len(shas), max(cells, 1)), np.nan)
    for row, text in enumerate(texts):
        if cells and len(text) == 2 * cells:
            grey = np.frombuffer(bytes.fromhex(text), dtype=np.uint8).astype(float)
            grey -= grey.mean()
            length = np.linalg.norm(grey)
            out[row] = grey / length if length else grey
    return out


def _aspect(image: dict) -> float:
    width, height = image.get("width") or 1, image.get("height") or 1
    return width / height


def near_duplicate_images(facts: AuditFacts, config: AuditConfig) -> list[Finding]:
    """Kind 6, images: two different images within `phash_max_distance` bits of DCT hash, whole or
    one's centre against the other's whole (then their proportions may differ by at most
    `trimmed_max_aspect_change`), confirmed pixel by pixel: their 16x16 grey copies of the same
    pairing correlate at least `pixel_min_correlation`; shown by different items. Images imported
    before the grids existed are confirmed by the gradient hash within `dhash_max_distance` instead."""
    shown_by: dict[str, set[str]] = defaultdict(set)
    for rels in facts.shows.values():
        for s in rels:
            shown_by[str(s.node.key)].add(str(s.start.key))
    shas = sorted(k for k, v in facts.images.items() if v.get("phash") and v.get("dhash") and k in shown_by)
    if len(shas) < 2:
        return []
    # images imported before the centre hashes existed compare by their whole only
    p = {side: _hash_array(facts.images, shas, f"phash{side}", "phash") for side in ("", "Inner")}
    d = {side: _hash_array(facts.images, shas, f"dhash{side}", "dhash") for side in ("", "Inner")}
    cells = max((len(facts.images[s].get("pixels") or "") // 2 for s in shas), default=0)
    g = {side: _grid_array(facts.images, shas, f"pixels{side}", cells) for side in ("", "Inner")}
    gridded = ~np.isnan(g[""][:, 0])
    aspect = np.array([_aspect(facts.images[s]) for s in shas])
    pairs: dict[tuple[int, int], tuple[float, int, int, bool]] = {}  # (i, j) -> (-correlation, phash, dhash, trimmed)

    def consider(i: int, j: int, mine: str, theirs: str, distance: int) -> None:
        """Image i's `mine` view is within the DCT distance of image j's `theirs` (i before j)."""
        gradient = (int(d[theirs][j]) ^ int(d[mine][i])).bit_count()
        correlation = float(g[mine][i] @ g[theirs][j])
        if gridded[i] and gridded[j]:
            confirmed = correlation >= config.pixel_min_correlation  # False when a centre is missing
        else:
            confirmed = gradient <= config.dhash_max_distance
        found = (0.0 if np.isnan(correlation) else -correlation, distance, gradient, bool(mine or theirs))
        if confirmed and ((i, j) not in pairs or found < pairs[(i, j)]):
            pairs[(i, j)] = found

    # whole with whole
    for i, j, distance in zip(*(a.tolist() for a in near_pairs(p[""], None, config.phash_max_distance)), strict=True):
        consider(i, j, "", "", distance)
    # one's centre with the other's whole (either way round): a trimmed copy keeps the picture's
    # proportions, checked from the earlier image
    for whole, centre, distance in zip(
        *(a.tolist() for a in near_pairs(p[""], p["Inner"], config.phash_max_distance)), strict=True
    ):
        if whole == centre:
            continue
        i, j, own, other = (whole, centre, "", "Inner") if whole < centre else (centre, whole, "Inner", "")
        if abs(aspect[j] / aspect[i] - 1) <= config.trimmed_max_aspect_change:
            consider(i, j, own, other, distance)
    out = []
    for (i, j), (negative_correlation, distance, gradient, trimmed) in sorted(pairs.items()):
        a, b = shas[i], shas[j]
        how = ", one a trimmed copy of the other" if trimmed else ""
        pixels = f"pixel correlation {-negative_correlation:.3f}, " if negative_correlation else ""
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
                        f"image {first[:12]} is a near-duplicate (perceptual hash distance {distance}, "
                        f"{pixels}gradient hash distance {gradient}{how}) of image {second[:12]} shown by "
                        f"{', '.join(others) or 'this item too'}",
                        (
                            item_ref(item_id).uid,
                            "SHOWS",
                            f"Image:{first}",
                            "NEAR_DUPLICATE",
                            f"Image:{second}",
                            *[item_ref(o).uid for o in others[:3]],
                        ),
                    )
                )
    return out


def cross_track(facts: AuditFacts, config: AuditConfig) -> list[Finding]:
    """Kind 6, cases: another track's question in the same case names this diagnosis item's answer."""
    out = []
    for case_id, ids in sorted(facts.cases.items()):
        for item_id in sorted(ids):
            if not names_disease(facts.items[item_id]):
                continue
            for other in sorted(ids):
                if names_disease(facts.items[other]):
                    continue
                for m in facts.mentions.get(other, []):
                    if m.node.label == "Disease" and int(m.node.key) in facts.answers.get(item_id, []):
                        out.append(_case_finding(item_id, case_id, other, m))
    return out


def _case_finding(item_id: str, case_id: str, other: str, m: Neighbour) -> Finding:
    return Finding(
        item_id,
        "image-or-case",
        "high",
        f"{other} (same case) names the answer in its {m.rel_props['field']}: {m.rel_props['text']!r}",
        (item_ref(item_id).uid, "ABOUT", f"Case:{case_id}", "<-ABOUT", item_ref(other).uid, "MENTIONS", m.node.uid),
    )


RULES = (direct_name, answer_text, figure_label, ontology, rare_gene, phenotype_set, near_duplicate_images, cross_track)
