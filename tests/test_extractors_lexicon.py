"""The compiled lexicons of the rules extractor (toolkit/extractors/lexicon.py): its faster
patterns find what the plain patterns they stand for find, on random text made of the phrases."""

from __future__ import annotations

import random
import re

import pytest

from extractor_records import BUNDLED, FLAT, soup
from toolkit.extractors.rules import RulesExtractor


@pytest.fixture(scope="module")
def rules():
    return RulesExtractor(BUNDLED)


def test_rules_shortcuts_find_what_their_patterns_find(rules):
    from toolkit.extractors import rules as module

    lex, rng = rules.lex, random.Random(2)
    vocab = (
        list(lex.entries)[:150]
        + list(lex.title_words)
        + list(lex.particles)
        + list(lex.stop_words)[:80]
        + [
            "Ministry",
            "Ministry of Foreign Affairs",
            "Foreign Ministry",
            "Federation",
            "Committee of",
            "Ski Association",
            "also",
            "has",
            "on Monday",
            "said",
            "Lavrov",
            "who",
            "the minister",
            ",",
            ".",
        ]
    )
    for _ in range(300):
        t = soup(rng, vocab, n=rng.randint(1, 80))
        assert [m.span() for m in lex.ministries.finditer(t)] == [m.span() for m in lex.ministry_rx.finditer(t)]
        assert [m.span() for m in lex.org_names.finditer(t)] == [m.span() for m in lex.org_head_rx.finditer(t)]
        assert lex.strip_fillers(t) == lex.fill_tail.sub("", t)
        for rx, run in (
            (lex.name_before_rx, module._NAME_RUN),
            (lex.pron_tail, module._WORD_RUN),
            (lex.desc_tail, module._DESCRIPTION_RUN),
            (module._WHO, module._WHO_RUN),
            (module._UNNAMED, module._UNNAMED_RUN),
        ):
            found, want = module._search_end(rx, t, run), rx.search(t)
            assert (found and found.span()) == (want and want.span())
        keys = {w for w in rng.sample(vocab, 6) if w.strip() and not any(c.isspace() for c in w)}
        if keys:
            want = [m.span() for m in re.finditer(rf"(?<![\w-])(?:{FLAT['ignorecase'](keys)})(?!\w)", t)]
            assert module._mentions(t, keys) == want


def test_title_apposition_cue_name_and_locative_shortcuts_find_what_their_patterns_find(rules):
    from toolkit.extractors.lexicon import general_data
    from toolkit.extractors.schema_data import finditer_at

    lex, rng = rules.lex, random.Random(4)
    data, _ = general_data()
    vocab = (
        [f(t) for t in data["titles"] for f in (str, str.lower, str.upper)]
        + data["role_nouns"][:12]
        + data["reporting_cues"][:30]
        + data["location_preps"]
        + list(lex.particles)
        + ["al-Sabah", "abu-Zeid", "bin", "Ali", "Lavrov", "Jean-Pierre", "xal-Sabah", "-Q", "the", "The", "of"]
        + [*lex.gaz_other, "DPA", "Russia", "Al-Qaeda", "Reuters"]
        + [", the minister", ", a spokesman", ",", ".", "\n", "Riyadh", "İn", "ın"]
    )
    for _ in range(300):
        t = soup(rng, vocab, n=rng.randint(1, 60))
        plain = t.encode("ascii", "replace").decode()  # one scan of an ASCII document finds titles and cues
        found = lex.phrase_sets.positions(plain.lower())
        for name, pattern in (("titles", lex.title_rx), ("cues", lex.cue_rx)):
            got = finditer_at(pattern, plain, found[name])
            assert [m.span() for m in got] == [m.span() for m in pattern.finditer(plain)]
        if not found["gazetteer"]:  # no name without a capital can start: the capitalised names are all
            assert [m.span() for m in lex.gaz_capitalised.finditer(plain)] == [
                m.span() for m in lex.gaz_rx.finditer(plain)
            ]
        assert {m.start() for m in lex.gaz_rx.finditer(plain) if not m.group()[0].isupper()} <= set(found["gazetteer"])
        assert [(m.span(), m.span("name")) for m in lex.appositions.finditer(t)] == [
            (m.span(), m.span("name")) for m in lex.appos_rx.finditer(t)
        ]
        assert [m.span() for m in lex.cues_found.finditer(t)] == [m.span() for m in lex.cue_rx.finditer(t)]
        for pos in (0, rng.randint(0, len(t))):
            found, want = lex.names_before.search(t, pos), lex.name_before_rx.search(t, pos)
            assert (found and (found.span(), found.span("name"))) == (want and (want.span(), want.span("name")))
        for cut in range(max(0, len(t) - 40), len(t) + 1):
            before = t[cut:]
            assert bool(lex.locative_reversed.match(before[::-1])) == bool(lex.locative.search(before))
