"""The embeddings extractor (toolkit/extractors/embeddings.py): the rules extractor's spans with
a zero-shot target and stance from the bundled sentence-embedding model."""

from __future__ import annotations

import pytest

from extractor_records import ARTICLE, BUNDLED, SKI_SCHEMA, SKI_TEXT, check_record, run, ski_schema
from toolkit.extractors import get_extractor
from toolkit.extractors.embeddings import prototypes
from toolkit.extractors.rules import RulesExtractor


@pytest.fixture(scope="module")
def rules():
    return RulesExtractor(BUNDLED)


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
