"""What the built-in extractors know about one schema (toolkit/extractors/schema_data.py): the
phrase alternations, stance labels by polarity, keywords derived from the targets, and the checks
of a schema's ``extractor_data``."""

from __future__ import annotations

import random
import re

import pytest

from extractor_records import BUNDLED, FLAT, TRICKY, run, ski_schema, soup
from toolkit.errors import ExtractorError
from toolkit.extractors.rules import RulesExtractor
from toolkit.extractors.schema_data import (
    PhraseSets,
    StanceMap,
    alternation,
    bounded_alternation,
    derive_stems,
    words,
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rules": {"gazetteer": {"GROUP": ["Hamas"]}}}, "'GROUP' is not an actor type of the schema"),
        ({"rules": {"targets": {"gaza_ceasefire": {"keywords": ["truce"]}}}}, "'gaza_ceasefire' is not a target"),
        ({"rules": {"stance_cues": {"favor": ["backs"]}}}, "stance 'favor' is not one the rules extractor gives"),
        ({"rules": {"targets": {"doping_ban": {"default": "against"}}}}, "stance 'against'"),
        ({"rules": {"keywords": []}}, "unknown key 'rules.keywords'"),
        (
            {"rules": {"targets": {"doping_ban": {"keyword": ["ban"]}}}},
            "unknown key 'rules.targets.doping_ban.keyword'",
        ),
    ],
)
def test_bad_extractor_data_is_reported(data, message):
    with pytest.raises(ExtractorError, match=message):
        RulesExtractor(ski_schema(extractor_data=data))


def test_stance_polarities_map_onto_the_schema_labels():
    assert StanceMap.for_schema(ski_schema()) == StanceMap("support", "oppose", "mixed", "no_position")
    assert StanceMap.for_schema(BUNDLED) == StanceMap("favor", "against", "neutral", "none")
    three = ski_schema(
        stance_labels={"pro": "For the target.", "con": "Against the target.", "silent": "No position."},
        no_stance="silent",
    )
    stances = StanceMap.for_schema(three)
    assert stances == StanceMap("pro", "con", "silent", "silent")  # no neutral label: neutral is no position
    assert stances.polarity("silent") == "none" and stances.polarity("con") == "against"
    record = run(RulesExtractor(three), "Anna Keller called on both sides to respect the doping ban.")
    assert [(c["target"], c["stance"]) for c in record["claims"]] == [("doping_ban", "silent")]
    assert record["doc_stances"] == {"doping_ban": "silent", "venue_relocation": "silent"}


def test_derived_keywords_skip_stop_words_cues_and_shared_words():
    stems = derive_stems(
        {
            "teacher_pay": "Pay rises for the district's teachers.",
            "school_closures": "Closing or merging schools in the district.",
            "board_elections": "The support for the election of board members.",
        },
        stop_words={"the", "for", "or", "in", "of"},
        cue_words={"support"},
    )
    assert stems["teacher_pay"] == {"teacher", "pay", "rise"}  # "district" is shared, so it tells nothing
    assert stems["school_closures"] == {"school", "closur", "close", "merg"}
    assert stems["board_elections"] == {"board", "elect", "member"}  # "support" is a stance cue


def test_prefix_tree_alternations_match_like_flat_lists():
    rng = random.Random(1)
    for _ in range(300):
        phrases = rng.sample(TRICKY, rng.randint(1, len(TRICKY)))
        text = soup(rng, [*TRICKY, "x", "said"])
        flat = FLAT["ignorecase"](phrases)
        for flags in (0, re.IGNORECASE):
            want = [m.span() for m in re.finditer(rf"(?<![\w-])(?:{flat})(?!\w)", text, flags)]
            tree = alternation(phrases, ignorecase=bool(flags))
            assert [m.span() for m in re.finditer(rf"(?<![\w-])(?:{tree})(?!\w)", text, flags)] == want
        want = [m.span() for m in re.finditer(rf"(?<![\w-])(?:{flat})(?![\w-])", text, re.IGNORECASE)]
        assert [m.span() for m in words(phrases).finditer(text)] == want  # lower-cased ASCII or not
        want = [m.span() for m in re.finditer(rf"(?<![\w-])(?:{flat})(?!\w)", text)]
        assert [m.span() for m in re.finditer(rf"{bounded_alternation(phrases)}(?!\w)", text)] == want


def test_bounded_scans_and_shared_keyword_starts_match_like_the_plain_patterns():
    rng = random.Random(3)
    ascii_words = [w for w in TRICKY if w.isascii()]
    for _ in range(300):
        phrases = rng.sample(TRICKY, rng.randint(1, len(TRICKY)))
        found = words(phrases).ascii
        assert found is not None
        for text in (
            soup(rng, [*TRICKY, "x", "said"]),
            soup(rng, [*ascii_words, "x", "said"]).replace("’", "'").lower(),
        ):
            assert [m.span() for m in found.finditer(text)] == [m.span() for m in found.pattern.finditer(text)]
            pos = rng.randint(0, len(text))
            got, want = found.search(text, pos), found.pattern.search(text, pos)
            assert (got and got.span()) == (want and want.span())
        # one scan for a set of phrases, then the matches of any subset of them at its positions
        text = soup(rng, [*ascii_words, "x", "said"]).replace("’", "'")  # ASCII
        union, subset = words(ascii_words), words(rng.sample(ascii_words, rng.randint(1, len(ascii_words))))
        starts = union.starts(text)
        assert starts is not None
        lowered = text.lower()
        assert starts.positions == [p for p in range(len(text) + 1) if union.ascii.pattern.match(lowered, p)]
        assert [m.span() for m in subset.finditer_at(starts)] == [m.span() for m in subset.finditer(text)]
        # one scan for several sets: each set's positions are those where one of its phrases matches
        other = rng.sample(TRICKY, rng.randint(1, len(TRICKY)))
        sets = PhraseSets({"a": (subset.phrases, r"(?![\w-])"), "b": (other, r"(?![\w-])")})
        for lowered in (text.lower(), soup(rng, [*TRICKY, "x"]).lower()):
            found = sets.positions(lowered)
            for name, group in (("a", subset), ("b", words(other))):
                assert group.ascii is not None
                assert found[name] == [p for p in range(len(lowered) + 1) if group.ascii.pattern.match(lowered, p)]
    assert words(["x"]).starts("não") is None  # not ASCII: each set searches the text itself
