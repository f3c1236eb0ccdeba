"""What the benchmarks' synthetic corpora are made of: the bundled schema's labels, targets and
stances (``schemas/schema.yaml``) and a news-like vocabulary, with the one draw they share.

``bench_evaluate.py`` writes records, ``bench_import.py`` a Label Studio export; each keeps its own
generator, so that a seed gives the same files as before this module existed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

LABELS = ("PERSON", "STATE", "ORGANIZATION", "GROUP")
TARGETS = (
    "gaza_ceasefire",
    "humanitarian_access",
    "israel_military_operation",
    "hamas",
    "palestinian_state",
    "russia_mediation",
)
STANCES = ("favor", "against", "neutral", "none")
WORDS = (
    "the",
    "minister",
    "said",
    "talks",
    "would",
    "continue",
    "while",
    "aid",
    "convoys",
    "waited",
    "at",
    "the",
    "crossing",
    "for",
    "hours",
    "and",
    "officials",
    "in",
    "the",
    "region",
    "called",
    "for",
    "restraint",
    "as",
    "diplomats",
    "met",
    "behind",
    "closed",
    "doors",
    "to",
    "discuss",
    "a",
    "truce",
    "hostages",
    "civilians",
    "corridor",
    "resolution",
    "council",
    "vote",
    "statement",
)


def random_words(rng: random.Random, low: int, high: int, vocabulary: Sequence[str] = WORDS) -> str:
    """Between ``low`` and ``high`` words (inclusive) drawn from ``vocabulary``, joined by spaces.

    The draws, in order: the count (``rng.randint``), then one ``rng.choice`` per word.
    """
    return " ".join(rng.choice(vocabulary) for _ in range(rng.randint(low, high)))
