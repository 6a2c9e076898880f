"""Disease-name normalisation that knows the domain, shared by alignment, the ontology judge and
entity links.

Two names that a clinician reads as the same disease get the same canonical tokens: case, accents,
hyphens and punctuation, possessives ("Down's"), British spellings ("haemophilia"), Greek letters
("α" and "alpha"), Roman numerals ("type II" is "type 2"), word order ("Dystrophy, myotonic") and a
parenthesised abbreviation ("Marfan syndrome (MFS)"). Tokens that tell one disease from its
neighbour, the *discriminators*, are kept apart so fuzzy matching can never blur them: numbers,
single letters used as subtype markers, chromosome bands and gene-like symbols.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta", "η": "eta",
    "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
    "ο": "omicron", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon",
    "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
}  # fmt: skip
# British to American spelling, as whole-word stems (prefix rewrites) and whole words.
BRITISH_PREFIXES = (
    ("haem", "hem"), ("anaem", "anem"), ("paed", "ped"), ("oesophag", "esophag"), ("oedem", "edem"),
    ("oestr", "estr"), ("foet", "fet"), ("coeliac", "celiac"), ("aetiolog", "etiolog"), ("leukaem", "leukem"),
    ("ischaem", "ischem"), ("orthopaed", "orthoped"), ("dyslipidaem", "dyslipidem"), ("glycaem", "glycem"),
    ("lipaem", "lipem"), ("uraem", "urem"), ("septicaem", "septicem"), ("caes", "ces"), ("diarrhoe", "diarrhe"),
    ("gynaecolog", "gynecolog"), ("oesinophil", "eosinophil"), ("hypokalaem", "hypokalem"),
    ("hyperkalaem", "hyperkalem"), ("hypocalcaem", "hypocalcem"), ("hypercalcaem", "hypercalcem"),
    ("hyponatraem", "hyponatrem"), ("hypernatraem", "hypernatrem"), ("hypophosphataem", "hypophosphatem"),
    ("hyperammonaem", "hyperammonem"), ("acidaem", "acidem"),
)  # fmt: skip
BRITISH_WORDS = {
    "tumour": "tumor", "tumours": "tumors", "behaviour": "behavior", "behavioural": "behavioral",
    "colour": "color", "fibre": "fiber", "fibres": "fibers", "centre": "center", "oedema": "edema",
    "anaemia": "anemia", "sulphite": "sulfite", "sulphate": "sulfate", "sulphur": "sulfur",
    "aluminium": "aluminum", "grey": "gray", "haemorrhage": "hemorrhage", "localised": "localized",
    "generalised": "generalized", "aesthetic": "esthetic",
}  # fmt: skip
# Endings that are British wherever they appear: -aemia is -emia (hyperglycinaemia, acidaemia).
BRITISH_INFIXES = (("aemia", "emia"), ("aemic", "emic"), ("oedema", "edema"))
ROMAN = re.compile(r"^(x{0,3})(ix|iv|v?i{0,3})$")
ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
BAND = re.compile(r"^(\d{1,2}|x|y)[pq]\d+(\.\d+)*$")  # chromosome bands: 22q11.2, 5p15, xq28
STOP_WORDS = frozenset({"the", "an", "of"})  # not "a": "Haemophilia A" names a subtype
NUMERAL_MARKERS = frozenset(
    {"type", "types", "subtype", "group", "class", "grade", "stage", "factor", "form", "variant", "mps", "gsd"}
    | {"complementation", "degree", "level", "phase", "part"}
)
TOKEN = re.compile(r"\b(?:\d{1,2}|x|y)[pq]\d+(?:\.\d+)*|\d+(?:\.\d+)+|[^\W_]+", re.UNICODE)
PARENTHESISED = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]")


MEMO_LONGEST = 100  # names and words; an answer or a case's text is longer, and is seldom folded twice


def fold(text: str) -> str:
    """Lowercase, accents dropped, Greek letters spelled out, possessives dropped."""
    # every name index folds Orphanet's names and their words again: short texts are memoised (their
    # memory is bounded by the size as well as the count), longer ones folded each time
    return _fold_short(text) if len(text) <= MEMO_LONGEST else _fold(text)


def _fold(text: str) -> str:
    text = "".join(GREEK.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"(\w)['’`]s\b|(\w)s['’`](?=\s|$)", lambda m: m.group(1) or m.group(2) + "s", text)


_fold_short = lru_cache(maxsize=1 << 16)(_fold)


def roman_to_int(word: str) -> int | None:
    if not word or not ROMAN.match(word):
        return None
    total, previous = 0, 0
    for ch in reversed(word):
        value = ROMAN_VALUES[ch]
        total += -value if value < previous else value
        previous = max(previous, value)
    return total or None


@lru_cache(maxsize=1 << 16)
def canonical_word(word: str, after: str | None = None, last: bool = False) -> str:
    """One folded word in its canonical spelling: American, Roman numerals as Arabic. A lone I, V or
    X is a numeral only after a marker word ("type I", "factor X") or, for I and V, at the end of a
    name: in "Fragile X syndrome" and "Trisomy X" the X is a chromosome."""
    if word in BRITISH_WORDS:
        return BRITISH_WORDS[word]
    for british, american in BRITISH_PREFIXES:
        if word.startswith(british):
            word = american + word[len(british) :]
            break
    for british, american in BRITISH_INFIXES:
        word = word.replace(british, american)
    number = roman_to_int(word)
    if number is not None and (len(word) > 1 or after in NUMERAL_MARKERS or (last and word != "x")):
        return str(number)
    if word.isdigit():
        return str(int(word))
    return word


def canonical_tokens(name: str) -> list[str]:
    """The canonical words of a name, in order (stop words dropped)."""
    words = TOKEN.findall(fold(name))
    out = []
    for k, word in enumerate(words):
        canonical = canonical_word(word, words[k - 1] if k else None, k == len(words) - 1)
        if canonical not in STOP_WORDS:
            out.append(canonical)
    return out


def is_discriminator(token: str) -> bool:
    """Tokens that name a different disease when they differ: numbers, subtype letters, chromosome
    bands and gene-like symbols (letters and digits mixed, such as fbn1 or col1a1)."""
    if token.isdigit() or len(token) == 1 or BAND.match(token):
        return True
    return any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


def discriminators(tokens: list[str]) -> Counter[str]:
    return Counter(t for t in tokens if is_discriminator(t))


def sorted_key(tokens: list[str]) -> str:
    """Word order does not tell diseases apart ("Dystrophy, myotonic"): the sorted token bag."""
    return " ".join(sorted(tokens))


def without_parentheses(name: str) -> tuple[str, list[str]]:
    """'Marfan syndrome (MFS)' -> ('Marfan syndrome', ['MFS'])."""
    inner = [m.group(1).strip() for m in PARENTHESISED.finditer(name) if m.group(1).strip()]
    return PARENTHESISED.sub("", name).strip(), inner
