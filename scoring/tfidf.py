"""Sentence similarity for MRareBench T2's deterministic metrics: the reference evaluator's offline
backend, TF-IDF cosine, computed as scikit-learn's `TfidfVectorizer(stop_words="english",
ngram_range=(1, 2))` fitted afresh on each call's texts computes it (docs/mrarebench.md):

- a text is lowercased and cut into tokens of two or more word characters;
- tokens on scikit-learn's English stop-word list are dropped, then the remaining tokens and each
  pair of neighbours (joined by a space) are the terms;
- a term's weight in a text is its count times ln((1 + n) / (1 + df)) + 1, n the number of texts
  fitted and df how many contain it; each text's weights are scaled to unit length;
- the similarity of two texts is the dot product of their weights (0 for a text with no term).

Where scikit-learn would stop with "empty vocabulary" (every text only stop words), and so the
reference evaluation with it, every similarity here is 0.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

# scikit-learn's ENGLISH_STOP_WORDS (318 words)
_STOP_WORDS_TEXT = (
    "a about above across after afterwards again against all almost alone along already also although "
    "always am among amongst amoungst amount an and another any anyhow anyone anything anyway "
    "anywhere are around as at back be became because become becomes becoming been before beforehand "
    "behind being below beside besides between beyond bill both bottom but by call can cannot cant co "
    "con could couldnt cry de describe detail do done down due during each eg eight either eleven "
    "else elsewhere empty enough etc even ever every everyone everything everywhere except few "
    "fifteen fifty fill find fire first five for former formerly forty found four from front full "
    "further get give go had has hasnt have he hence her here hereafter hereby herein hereupon hers "
    "herself him himself his how however hundred i ie if in inc indeed interest into is it its itself "
    "keep last latter latterly least less ltd made many may me meanwhile might mill mine more "
    "moreover most mostly move much must my myself name namely neither never nevertheless next nine "
    "no nobody none noone nor not nothing now nowhere of off often on once one only onto or other "
    "others otherwise our ours ourselves out over own part per perhaps please put rather re same see "
    "seem seemed seeming seems serious several she should show side since sincere six sixty so some "
    "somehow someone something sometime sometimes somewhere still such system take ten than that the "
    "their them themselves then thence there thereafter thereby therefore therein thereupon these "
    "they thick thin third this those though three through throughout thru thus to together too top "
    "toward towards twelve twenty two un under until up upon us very via was we well were what "
    "whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever "
    "whether which while whither who whoever whole whom whose why will with within without would yet "
    "you your yours yourself yourselves"
)
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_TOKEN = re.compile(r"\b\w\w+\b")
BACKEND = "tfidf"


def terms(text: str) -> list[str]:
    """The unigrams and bigrams of a text, stop words dropped first."""
    tokens = [t for t in _TOKEN.findall(text.lower()) if t not in STOP_WORDS]
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def _unit_weights(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    weights = {t: c * idf[t] for t, c in counts.items()}
    length = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / length for t, w in weights.items()} if length else {}


def empty_vocabulary(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether scikit-learn would stop on this call with "empty vocabulary": both sides given, some
    text not blank, and no text with a term (only stop words and one-letter tokens)."""
    texts = [str(t) for t in [*a, *b]]
    return bool(a) and bool(b) and any(t.strip() for t in texts) and not any(terms(t) for t in texts)


def similarity(a: Sequence[str], b: Sequence[str]) -> list[list[float]]:
    """The cosine of every text of `a` with every text of `b` (rows: a), fitted on a and b together."""
    if not a or not b:
        return [[] for _ in a]
    counts = [Counter(terms(str(text))) for text in [*a, *b]]
    df: Counter[str] = Counter(t for c in counts for t in c)
    n = len(counts)
    idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}
    vectors = [_unit_weights(c, idf) for c in counts]
    left, right = vectors[: len(a)], vectors[len(a) :]
    return [[sum(w * v.get(t, 0.0) for t, w in u.items()) for v in right] for u in left]
