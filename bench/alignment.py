"""Alignment calibration: name variants generated from real Orphanet names, the way papers and
models write them, aligned with the matcher; accuracy per variant kind and a reliability table
(confidence band -> accuracy), against the previous approach (literal normalisation, difflib ratio
at 0.90, ties kept) run in the same process.

    python -m bench.alignment [--per-kind 200] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from difflib import SequenceMatcher

from bench.common import orphanet_store
from mmrare.core.matching import Alignment, NameIndex, align_by_name, normalise_name
from mmrare.graph.embedded import EmbeddedStore

ROMANS = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X", 11: "XI"}
ARABIC = {v: k for k, v in ROMANS.items()}
BRITISH = (("hem", "haem"), ("anemia", "anaemia"), ("edema", "oedema"), ("tumor", "tumour"),
           ("esophag", "oesophag"), ("emia", "aemia"), ("pediatric", "paediatric"), ("fetal", "foetal"))  # fmt: skip
GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "kappa": "κ"}


def hyphens(name: str, rng: random.Random) -> str | None:
    return name.replace("-", " ").lower() if "-" in name else None


def possessive(name: str, rng: random.Random) -> str | None:
    if "'s " in name:
        return name.replace("'s ", " ", 1)
    m = re.match(r"^([A-Z][a-z]{3,}) (disease|syndrome)\b", name)
    return f"{m.group(1)}'s {name[len(m.group(1)) + 1 :]}" if m else None


def british(name: str, rng: random.Random) -> str | None:
    for us, uk in BRITISH:
        if re.search(rf"\b\w*{us}", name, re.IGNORECASE) and uk not in name.lower():
            return re.sub(us, uk, name, count=1, flags=re.IGNORECASE)
    return None


def type_moved(name: str, rng: random.Random) -> str | None:
    m = re.match(r"^(.+?),? type ([0-9A-Z]+)$", name)
    return f"type {m.group(2)} {m.group(1)}" if m else None


def arabic_to_roman(name: str, rng: random.Random) -> str | None:
    m = re.search(r"\b(type|group|class) (\d{1,2})\b", name)
    if not m or int(m.group(2)) not in ROMANS:
        return None
    return name[: m.start(2)] + ROMANS[int(m.group(2))] + name[m.end(2) :]


def roman_to_arabic(name: str, rng: random.Random) -> str | None:
    m = re.search(r"\b(type|group|class) ([IVX]{1,4})\b", name)
    if not m or m.group(2) not in ARABIC:
        return None
    return name[: m.start(2)] + str(ARABIC[m.group(2)]) + name[m.end(2) :]


def comma_inverted(name: str, rng: random.Random) -> str | None:
    words = name.split()
    if len(words) < 2 or "," in name or not words[-1].isalpha():
        return None
    return f"{words[-1].capitalize()}, {' '.join(words[:-1])}"


def typo(name: str, rng: random.Random) -> str | None:
    words = name.split()
    long = [k for k, w in enumerate(words) if len(w) >= 7 and w.isalpha()]
    if not long:
        return None
    k = rng.choice(long)
    w = words[k]
    i = rng.randrange(1, len(w) - 1)
    edit = rng.choice(("drop", "swap", "double"))
    words[k] = w[:i] + w[i + 1 :] if edit == "drop" else w[:i] + w[i + 1] + w[i] + w[i + 2 :] if edit == "swap" else (
        w[:i] + w[i] + w[i:]
    )
    return " ".join(words)


def greek(name: str, rng: random.Random) -> str | None:
    for word, letter in GREEK.items():
        if re.search(rf"\b{word}\b", name, re.IGNORECASE):
            return re.sub(rf"\b{word}\b", letter, name, count=1, flags=re.IGNORECASE)
    return None


def abbreviation(name: str, rng: random.Random, acronym: str | None = None) -> str | None:
    return f"{name} ({acronym})" if acronym else None


KINDS: dict[str, Callable[..., str | None]] = {
    "hyphens as spaces, lower case": hyphens,
    "possessive added / dropped": possessive,
    "British spelling": british,
    '"type" qualifier moved': type_moved,
    "Arabic written Roman": arabic_to_roman,
    "Roman written Arabic": roman_to_arabic,
    "comma-inverted": comma_inverted,
    "one-letter typo": typo,
    "Greek letter": greek,
    "parenthesised abbreviation": abbreviation,
}


class PreviousMatcher:
    """The approach before this change: literal normalisation, then difflib at 0.90, ties kept."""

    def __init__(self, index: NameIndex) -> None:
        self.names = index.names
        self.by_word: dict[str, set[str]] = defaultdict(set)
        for name in self.names:
            for word in name.split():
                if len(word) >= 4:
                    self.by_word[word].add(name)

    def align(self, text: str) -> Alignment:
        norm = normalise_name(text)
        if norm in self.names:
            return Alignment(tuple(sorted(self.names[norm])), "name-exact", 1.0)
        best, best_names = 0.0, []
        for name in sorted(set().union(*(self.by_word.get(w, set()) for w in norm.split() if len(w) >= 4))):
            ratio = SequenceMatcher(None, norm, name).ratio()
            if ratio > best:
                best, best_names = ratio, [name]
            elif ratio == best:
                best_names.append(name)
        if best < 0.9:
            return Alignment((), "unresolved", best)
        return Alignment(tuple(sorted(set().union(*(self.names[n] for n in best_names)))), "name-fuzzy", best)


def variants(store: EmbeddedStore, per_kind: int, seed: int) -> list[tuple[str, str, int]]:
    rng = random.Random(seed)
    owners: dict[str, set[int]] = defaultdict(set)
    diseases = [(int(n.ref.key), n.props) for n in store.select("Disease") if n.props.get("name")]
    for code, props in diseases:
        for name in [props["name"], *props.get("synonyms", [])]:
            owners[normalise_name(name)].add(code)
    out = []
    for kind, make in KINDS.items():
        pool = diseases[:]
        rng.shuffle(pool)
        made = 0
        for code, props in pool:
            name = props["name"]
            if len(owners[normalise_name(name)]) > 1:
                continue  # a name Orphanet gives two diseases has no single right answer
            if make is abbreviation:
                acronyms = [s for s in props.get("synonyms", []) if s.isupper() and 2 <= len(s) <= 8]
                text = abbreviation(name, rng, acronyms[0] if acronyms else None)
            else:
                text = make(name, rng)
            if text and text != name:
                out.append((kind, text, code))
                made += 1
                if made == per_kind:
                    break
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--baseline-every", type=int, default=3, help="the previous approach takes ~0.1 s a name: every k-th variant"
    )
    args = parser.parse_args()
    store, orphanet = orphanet_store()
    index = NameIndex.from_store(store)
    cases = variants(store, args.per_kind, args.seed)
    print(f"{len(cases)} variants (seed {args.seed}) of {orphanet.name} names ({len(index.names):,} names indexed)")
    previous = PreviousMatcher(index)
    results: dict[str, list[tuple[str, Alignment, int]]] = {}
    timings = {}
    sample = cases[:: args.baseline_every]
    for label, align, chosen in (
        ("ours", lambda t: align_by_name([t], index), cases),
        ("ours, on the previous approach's sample", lambda t: align_by_name([t], index), sample),
        ("previous", previous.align, sample),
    ):
        start = time.perf_counter()
        results[label] = [(kind, align(text), code) for kind, text, code in chosen]
        timings[label] = time.perf_counter() - start

    same_sample = timings["ours, on the previous approach's sample"]
    print(f"time ratio previous/ours on the same sample: {timings['previous'] / same_sample:.0f}x")
    for label, rows in results.items():
        each = 1000 * timings[label] / len(rows)
        print(f"\n{label}: {timings[label]:.2f} s for {len(rows)} names ({each:.2f} ms each)")
        print(f"{'variant kind':<32} {'right':>9} {'wrong':>6} {'ambiguous':>10} {'unresolved':>11}")
        by_kind: dict[str, Counter] = defaultdict(Counter)
        for kind, found, code in rows:
            by_kind[kind][_outcome(found, code)] += 1
        total = Counter()
        for kind, counts in by_kind.items():
            total.update(counts)
            n = sum(counts.values())
            print(f"{kind:<32} {counts['right']:>4}/{n:<4} {counts['wrong']:>6} {counts['ambiguous']:>10} "
                  f"{counts['unresolved']:>11}")
        n = sum(total.values())
        print(f"{'all':<32} {total['right']:>4}/{n:<4} {total['wrong']:>6} {total['ambiguous']:>10} "
              f"{total['unresolved']:>11}  ({100 * total['right'] / n:.1f}% right)")
        print("reliability (linked only): confidence band -> accuracy")
        bands = ((0.99, 1.01), (0.95, 0.99), (0.9, 0.95), (0.8, 0.9), (0.0, 0.8))
        for low, high in bands:
            linked = [(f, c) for _, f, c in rows if f.codes and low <= f.confidence < high]
            right = sum(_outcome(f, c) == "right" for f, c in linked)
            acc = f"{100 * right / len(linked):.2f}%" if linked else "-"
            band = f"[{low:.2f}, {min(high, 1.0):.2f}{']' if high > 1 else ')'}"
            print(f"  {band}  {len(linked):>5} links  {acc:>8} right, {len(linked) - right} wrong")
        high = [(f, c) for _, f, c in rows if f.codes and f.confidence >= 0.9]
        wrong = sum(_outcome(f, c) != "right" for f, c in high)
        several = sum(len(f.codes) > 1 for _, f, _ in rows)
        print(f"  links at confidence >= 0.9: {len(high)}, wrong {wrong} ({1000 * wrong / max(1, len(high)):.2f} per "
              f"1,000); items linked to several diseases at once: {several}")


def _outcome(found: Alignment, code: int) -> str:
    if found.method == "ambiguous":
        return "ambiguous"
    if not found.codes:
        return "unresolved"
    return "right" if found.codes == (code,) else "wrong"


if __name__ == "__main__":
    main()
