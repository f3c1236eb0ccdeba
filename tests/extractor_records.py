"""Shared by the extractor tests (tests/test_extractors*.py): the bundled schema, a sample article,
a second schema on another subject (a ski federation dispute), record accessors, a consistency
check of a record, and random text made of given phrases."""

from __future__ import annotations

import copy
import re

from toolkit.gold import validate_record
from toolkit.schema import load_schema, parse_schema
from toolkit.tasks import Document

# The bundled Gaza example, whose corpus-specific lexicons are in its `extractor_data:` section.
BUNDLED = load_schema()


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


def soup(rng, words, n=60) -> str:
    seps = [" ", "  ", "\n", "\t", ", ", ". ", "-", "'", "’s ", ""]
    out = []
    for _ in range(n):
        w = rng.choice(words)
        w = w.upper() if rng.random() < 0.1 else w.lower() if rng.random() < 0.1 else w
        out += [w, rng.choice(seps)]
    return "".join(out)
