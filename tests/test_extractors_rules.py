"""The rules extractor (toolkit/extractors/rules.py) on synthetic sentences written for these tests:
actors, claims with their speaker, target and stance, document stances, another schema's labels,
and its records pinned before its speed-ups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor_records import (
    ARTICLE,
    BUNDLED,
    SKI_SCHEMA,
    SKI_TEXT,
    actor,
    check_record,
    claim,
    run,
    ski_schema,
    speaker_text,
    texts,
)
from toolkit.extractors import get_extractor
from toolkit.extractors.rules import RulesExtractor
from toolkit.tasks import Document


@pytest.fixture(scope="module")
def rules():
    return RulesExtractor(BUNDLED)


@pytest.fixture(scope="module")
def ski_rules():
    return RulesExtractor(ski_schema())


# ---------------------------------------------------------------------------- actors


def test_actor_spans_exclude_titles_possessives_and_articles(rules):
    text = (
        "Norway’s Foreign Minister Lars Olsen met UN Secretary-General Ivan Dorn. "
        "The Kremlin's spokesman Pavel Sokolov said Hamas's leaders were invited. "
        "The Organization of Islamic Cooperation (OIC) and the Estonian Foreign Ministry welcomed the talks. "
        "Mr Olsen later spoke to TASS."
    )
    record = run(rules, text)
    got = {(a["text"], a["label"]) for a in record["actors"]}
    expected = {
        ("Norway", "STATE"),
        ("Lars Olsen", "PERSON"),
        ("UN", "ORGANIZATION"),
        ("Ivan Dorn", "PERSON"),
        ("Kremlin", "STATE"),
        ("Pavel Sokolov", "PERSON"),
        ("Hamas", "GROUP"),
        ("Organization of Islamic Cooperation", "ORGANIZATION"),
        ("OIC", "ORGANIZATION"),
        ("Estonian Foreign Ministry", "STATE"),
        ("Olsen", "PERSON"),
        ("TASS", "ORGANIZATION"),
    }
    assert got == expected
    assert not any("Minister" in a["text"] or "’s" in a["text"] or "'s" in a["text"] for a in record["actors"])


def test_nobility_rank_kept_apposition_and_verb_subject(rules):
    text = (
        "Saudi Foreign Minister Prince Khalid bin Omar arrived. Karin Holm, the foreign minister of Sweden, "
        "spoke first. Erdem Yilmaz insisted on dialogue."
    )
    record = run(rules, text)
    assert actor(record, "Prince Khalid bin Omar")["label"] == "PERSON"
    assert actor(record, "Karin Holm")["label"] == "PERSON"
    assert actor(record, "Erdem Yilmaz")["label"] == "PERSON"
    assert actor(record, "Sweden")["label"] == "STATE"


def test_capital_is_a_state_only_when_it_acts(rules):
    record = run(
        rules, "In Oslo, the envoys met. Oslo’s position is firm, and Ankara said it agreed. Talks were held in Egypt."
    )
    assert [a["text"] for a in record["actors"]] == ["Oslo", "Ankara"]
    assert record["actors"][0]["start"] == record["text"].index("Oslo’s")


def test_surname_mentions_before_and_after_the_full_name(rules):
    record = run(rules, "Salonen urges truce.\n\nFinnish Foreign Minister Mikko Salonen arrived. Later, Salonen left.")
    assert [a["text"] for a in record["actors"]] == ["Salonen", "Mikko Salonen", "Salonen"]


# ---------------------------------------------------------------------------- claims


def test_reported_speech_after_that(rules):
    text = "Belarusian Foreign Minister Anton Petrovich said that Minsk supports an immediate ceasefire in Gaza."
    record = run(rules, text)
    c = claim(record, "Minsk supports an immediate ceasefire in Gaza")
    assert speaker_text(record, c) == "Anton Petrovich"
    assert (c["target"], c["stance"]) == ("gaza_ceasefire", "favor")
    assert record["doc_stances"]["gaza_ceasefire"] == "favor"
    assert record["doc_stances"]["hamas"] == "none"


def test_quote_then_speaker_and_pronoun_subject(rules):
    text = (
        "Estonian envoy Peeter Kask arrived on Monday. "
        "“We need a humanitarian pause now, not later,” Kask said. "
        "He stressed the need to open humanitarian corridors. “Talks must go on,” said Anna Berg."
    )
    record = run(rules, text)
    quoted = claim(record, "We need a humanitarian pause now, not later")
    assert speaker_text(record, quoted) == "Kask"
    assert (quoted["target"], quoted["stance"]) == ("gaza_ceasefire", "favor")
    stressed = claim(record, "the need to open humanitarian corridors")
    assert speaker_text(record, stressed) == "Kask"  # the most recent PERSON before "He"
    assert (stressed["target"], stressed["stance"]) == ("humanitarian_access", "favor")
    assert speaker_text(record, claim(record, "Talks must go on")) == "Anna Berg"


def test_description_subject_resolves_by_nationality(rules):
    text = (
        "Kazakh Foreign Minister Murat Nurlanov met the Secretary-General of the League of Arab States, "
        "Hassan Kamal. The Kazakh official emphasized that dialogue must continue. "
        "The minister added that aid deliveries must increase."
    )
    record = run(rules, text)
    assert speaker_text(record, claim(record, "dialogue must continue")) == "Murat Nurlanov"  # not the later Kamal
    assert speaker_text(record, claim(record, "aid deliveries must increase")) == "Hassan Kamal"  # most recent
    assert actor(record, "League of Arab States")["label"] == "ORGANIZATION"


def test_one_claim_per_cue_and_nested_attribution(rules):
    text = (
        "The Estonian Foreign Ministry said that Minister Peeter Kask affirmed Tallinn’s support for a "
        "humanitarian pause. Kask expressed strong criticism of Israel’s bombardment of Gaza, stating that it "
        "violates international law."
    )
    record = run(rules, text)
    assert texts(record, "claims") == [
        "Tallinn’s support for a humanitarian pause",
        "strong criticism of Israel’s bombardment of Gaza",
        "it violates international law",
    ]
    assert {speaker_text(record, c) for c in record["claims"]} == {"Peeter Kask", "Kask"}
    assert [(c["target"], c["stance"]) for c in record["claims"][1:]] == [("israel_military_operation", "against")] * 2


def test_unnamed_speakers_and_narration_are_not_claims(rules):
    record = run(rules, "Analysts said the talks failed. The remarks reflect a belief that peace is near.")
    assert record["claims"] == []
    assert set(record["doc_stances"].values()) == {"none"}


@pytest.mark.parametrize(
    ("text", "target", "stance"),
    [
        ("Lars Olsen urged Israel to halt its military operation in Gaza.", "israel_military_operation", "against"),
        ("Lars Olsen called for a ceasefire in Gaza.", "gaza_ceasefire", "favor"),
        ("Lars Olsen condemned the attack by Hamas on Israel.", "hamas", "against"),
        ("Lars Olsen demanded the release of all hostages.", "hamas", "against"),
        ("Lars Olsen noted that the two-state solution has no alternative.", "palestinian_state", "favor"),
        ("Lars Olsen called on all parties to respect the truce.", "gaza_ceasefire", "neutral"),
        ("Lars Olsen said that Russia stands ready to assist in mediation efforts.", "russia_mediation", "favor"),
        ("Lars Olsen said the delegation will arrive on Tuesday.", "other", "none"),
        ("According to TASS, Russia supports a truce.", "gaza_ceasefire", "none"),  # an outlet only reports
    ],
)
def test_claim_target_and_stance(rules, text, target, stance):
    record = run(rules, text)
    assert [(c["target"], c["stance"]) for c in record["claims"]] == [(target, stance)]


def test_document_stance_follows_the_principal_speaker(rules):
    record = run(rules, ARTICLE)
    check_record(record, ARTICLE, rules.schema)
    # Salonen (the first speaker) favours a ceasefire, Cohen rejects one: the principal speaker decides.
    assert {c["stance"] for c in record["claims"] if c["target"] == "gaza_ceasefire"} == {"favor", "against"}
    assert record["doc_stances"] == {
        "gaza_ceasefire": "favor",
        "humanitarian_access": "none",
        "israel_military_operation": "against",
        "hamas": "none",
        "palestinian_state": "favor",
        "russia_mediation": "none",
    }
    assert "Analysts" not in texts(record, "actors")


def test_records_are_valid_for_a_batch(rules):
    docs = [Document("a", ARTICLE), Document("b", "No one said anything here."), Document("c", "“Stop,” he said.")]
    records = rules.extract(docs)
    assert [r["doc_id"] for r in records] == ["a", "b", "c"]
    for doc, record in zip(docs, records, strict=True):
        check_record(record, doc.text, rules.schema)
    assert records[2]["claims"] == []  # a pronoun with no PERSON before it has no speaker


# ---------------------------------------------------------------------------- any schema


def test_rules_with_another_schema_use_its_labels(ski_rules):
    record = run(ski_rules, SKI_TEXT)
    check_record(record, SKI_TEXT, ski_rules.schema)
    got = {(a["text"], a["label"]) for a in record["actors"]}
    assert got == {
        ("International Ski Federation", "SPORTS_BODY"),
        ("Anna Keller", "INDIVIDUAL"),
        ("Norway", "NATION"),
        ("Northern Ski Association", "SPORTS_BODY"),
        ("Tomas Berg", "INDIVIDUAL"),
        ("Berg", "INDIVIDUAL"),
        ("World Anti-Doping Agency", "SPORTS_BODY"),
    }
    expected = [  # (claim, speaker, target, stance): targets found from the schema's own definitions
        ("the lifetime doping ban must stay in force", "Anna Keller", "doping_ban", "support"),
        ("the plan to relocate the championship to another city", "Norway", "venue_relocation", "oppose"),
        ("the ban", "Northern Ski Association", "doping_ban", "support"),
        ("Moving the championship now would be a disaster", "Tomas Berg", "venue_relocation", "oppose"),
        ("both sides to respect the ban", "Berg", "doping_ban", "mixed"),
        ("the season starts on Monday", "World Anti-Doping Agency", "unrelated", "no_position"),
    ]
    assert [(c["text"], speaker_text(record, c), c["target"], c["stance"]) for c in record["claims"]] == expected
    assert record["doc_stances"] == {"doping_ban": "support", "venue_relocation": "oppose"}


@pytest.mark.parametrize(
    ("dropped", "mention", "its_claim"),
    [
        ("SPORTS_BODY", "International Ski Federation", "the season starts on Monday"),
        ("NATION", "Norway", "the plan to relocate the championship to another city"),
    ],
)
def test_a_kind_no_actor_type_covers_is_dropped(dropped, mention, its_claim):
    types = {k: v for k, v in SKI_SCHEMA["actor_types"].items() if k != dropped}
    extractor = RulesExtractor(ski_schema(actor_types=types))
    record = run(extractor, SKI_TEXT)
    check_record(record, SKI_TEXT, extractor.schema)
    assert mention not in texts(record, "actors")
    assert {a["label"] for a in record["actors"]} <= set(types)
    assert ("Anna Keller", "INDIVIDUAL") in {(a["text"], a["label"]) for a in record["actors"]}
    # a claim whose speaker was dropped has no speaker to link to, so it is not emitted
    assert its_claim not in texts(record, "claims")
    assert "the lifetime doping ban must stay in force" in texts(record, "claims")


def test_schema_extractor_data_adds_names_keywords_and_cues():
    data = {
        "rules": {
            "gazetteer": {"TEAM": ["Snowhawks"], "NATION": ["Lapland"]},
            "not_names": ["Coach"],
            "stance_cues": {"oppose": ["witch hunt"]},
            "targets": {"doping_ban": {"keywords": ["suspension"], "stance_keywords": {"support": ["clean sport"]}}},
            "outlet_evaluative": {"venue_relocation": {"oppose": ["chaotic move"]}},
        }
    }
    extractor = RulesExtractor(ski_schema(extractor_data=data))
    text = (
        "The Snowhawks said the suspension was a witch hunt. Lapland said the suspension protects clean sport. "
        "Fans fear a chaotic move."
    )
    record = run(extractor, text)
    check_record(record, text, extractor.schema)
    assert {(a["text"], a["label"]) for a in record["actors"]} == {("Snowhawks", "TEAM"), ("Lapland", "NATION")}
    assert [(c["target"], c["stance"]) for c in record["claims"]] == [
        ("doping_ban", "oppose"),
        ("doping_ban", "support"),
    ]
    assert record["doc_stances"]["venue_relocation"] == "oppose"  # the outlet's own wording
    # a target the data gives keywords to keeps only those; the others are derived from the schema
    assert run(extractor, "Anna Keller said the doping ban must stay.")["claims"][0]["target"] == "unrelated"
    assert run(extractor, "Anna Keller said the championship must stay.")["claims"][0]["target"] == "venue_relocation"


# ---------------------------------------------------------------------------- pinned outputs

# Records of the rules extractor written before its speed-up (see the file's "about"): the
# bundled seeds, the articles above, edge cases and generated news-like articles (some cut,
# upper-cased or with their quotes swapped), with the bundled schema and with SKI_SCHEMA.
PINNED = Path(__file__).parent / "data" / "rules_outputs.json"


@pytest.mark.parametrize("schema", ["bundled", "ski"])
def test_rules_outputs_are_unchanged(schema, request):
    extractor = request.getfixturevalue("rules" if schema == "bundled" else "ski_rules")
    expected = json.loads(PINNED.read_text(encoding="utf-8"))[schema]
    got = extractor.extract([Document(r["doc_id"], r["text"]) for r in expected])
    for want, record in zip(expected, got, strict=False):  # the lengths are asserted below
        assert record == want, f"{want['doc_id']}: the records differ"
    assert len(got) == len(expected)


# The speed-ups of the rules extractor replace patterns by equivalent ones; each is checked here
# against the plain pattern it stands for, on random text made of the phrases themselves.


def test_a_nationality_written_across_a_double_space_or_line_break_does_not_crash():
    from toolkit.tasks import Document

    extractor = get_extractor("rules")
    for text in (
        "The South  African official said the talks had failed.",
        "The South\nAfrican official said the talks had failed.",
    ):
        [record] = extractor.extract([Document("d", text)])
        assert record["doc_id"] == "d"
