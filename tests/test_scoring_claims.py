"""toolkit.scoring.claims: claim spans, speakers, targets and stances, by hand and against scikit-learn."""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import f1_score

from scoring_records import actor, record
from toolkit.errors import ToolkitError
from toolkit.scoring import STANCE_LABELS, MatchRule, claim_counts, claim_metric, claim_scores


def claim(id_, start, end, speaker=None, stance="favor", target="gaza_ceasefire"):
    return {"id": id_, "start": start, "end": end, "text": "", "speaker": speaker, "target": target, "stance": stance}


def claims_case():
    gold = [
        record(
            "d1",
            [actor(0, 5, id_="g1"), actor(50, 60, id_="g2")],
            [
                claim("c1", 10, 30, "g1", "favor"),
                claim("c2", 35, 45, "g2", "against"),
                claim("c3", 70, 90, None, "neutral", "hamas"),
            ],
        ),
        record("d2", [], [claim("c4", 0, 20, None, "none")]),
    ]
    pred = [
        record(
            "d1",
            [actor(0, 4, id_="p1"), actor(50, 60, id_="p2")],
            [
                claim("x1", 12, 30, "p1", "favor"),  # J=0.9, speaker J=0.8, stance ok
                claim("x2", 35, 45, "p1", "against"),  # exact span, wrong speaker
                claim("x3", 70, 80, None, "neutral", "hamas"),  # J=0.5: matched only under overlap
                claim("x4", 100, 110, "p2"),
            ],
        ),  # spurious
        record("d2"),
    ]
    return gold, pred


def test_claim_scores_overlap_rule_by_hand():
    s = claim_scores(*claims_case(), MatchRule("overlap", 0.5))
    assert s["counts"] == {"gold": 4, "pred": 4, "matched": 3, "speaker_correct": 2, "stance_correct": 2}
    assert s["span"] == {"precision": 0.75, "recall": 0.75, "f1": 0.75}
    assert s["speaker"] == {"correct": 2, "total": 3, "accuracy": 2 / 3}
    assert s["end_to_end"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert s["end_to_end_stance"]["f1"] == 0.5
    assert s["stance"]["macro_f1"] == 1.0 and s["stance"]["labels"] == ["favor", "against", "neutral"]
    assert s["rule"] == {"kind": "overlap", "threshold": 0.5}


def test_claim_scores_exact_rule_by_hand():
    s = claim_scores(*claims_case(), MatchRule("exact"))
    # only x2 matches exactly (c2); its speaker is wrong
    assert s["counts"] == {"gold": 4, "pred": 4, "matched": 1, "speaker_correct": 0, "stance_correct": 0}
    assert s["speaker"]["accuracy"] == 0.0
    assert s["end_to_end"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    # a stricter rule also rejects the speaker spans [0, 5) vs [0, 4) under overlap 0.9
    strict = claim_scores(*claims_case(), MatchRule("overlap", 0.85))["counts"]
    assert (strict["matched"], strict["speaker_correct"]) == (2, 0)


def test_claim_stance_wrong_target_breaks_only_the_stance_variant():
    gold = [record("d", [], [claim("c", 0, 10, None, "favor", "hamas")])]
    pred = [record("d", [], [claim("x", 0, 10, None, "favor", "gaza_ceasefire")])]
    s = claim_scores(gold, pred)
    assert s["end_to_end"]["f1"] == 1.0 and s["end_to_end_stance"]["f1"] == 0.0


def test_claim_scores_undefined_are_none():
    s = claim_scores([record("d")], [record("d")])
    assert s["span"] == {"precision": None, "recall": None, "f1": None}
    assert s["speaker"]["accuracy"] is None and s["stance"]["macro_f1"] is None
    s = claim_scores([record("d", [], [claim("c", 0, 5)])], [record("d")])
    assert s["span"] == {"precision": None, "recall": 0.0, "f1": 0.0}


def test_claim_speaker_must_be_an_actor_of_the_record():
    with pytest.raises(ToolkitError, match="not one of its actors"):
        claim_counts([record("d", [], [claim("c", 0, 5, "nobody")])], [record("d", [], [claim("x", 0, 5)])])


def test_claim_stance_macro_f1_equals_sklearn_and_metric():
    rng = random.Random(5)
    gold, pred, y_true, y_pred = [], [], [], []
    for d in range(40):
        g = [claim(f"c{i}", 20 * i, 20 * i + 10, stance=rng.choice(STANCE_LABELS)) for i in range(rng.randrange(4))]
        p = [claim(f"x{i}", c["start"], c["end"], stance=rng.choice(STANCE_LABELS)) for i, c in enumerate(g)]
        y_true += [c["stance"] for c in g]
        y_pred += [c["stance"] for c in p]
        gold.append(record(f"d{d}", [], g))
        pred.append(record(f"d{d}", [], p))
    table = claim_counts(gold, pred, MatchRule("exact"))
    s = claim_scores(gold, pred, MatchRule("exact"))
    expected = f1_score(y_true, y_pred, average="macro")
    assert s["stance"]["macro_f1"] == expected
    assert claim_metric(table, "stance_macro_f1")(table.total()[None])[0] == pytest.approx(expected, abs=1e-12)
    assert claim_metric(table, "span_f1")(table.total()[None])[0] == 1.0
