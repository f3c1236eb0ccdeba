"""toolkit.scoring.actors: actor spans against nervaluate 1.2.1.

The vectorised engine's own oracles are in tests/test_scoring_actors.py, which imports
:func:`nervaluate` from here.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator

from scoring_records import actor, record
from toolkit.errors import ToolkitError
from toolkit.scoring import (
    ACTOR_FIELDS,
    SCHEMAS,
    actor_counts,
    actor_metric,
    actor_scores,
    actor_scores_from_counts,
)

LABELS = ("PER", "ORG", "LOC")


def random_docs(rng: random.Random, n_docs: int, *, width: int, n_max: int, labels=LABELS):
    """Dense, messy documents: nested, duplicate and long gold spans; predictions copied with
    shifted boundaries or other labels, spurious ones, all in shuffled order."""
    gold, pred = [], []
    for d in range(n_docs):
        g = []
        for _ in range(rng.randrange(n_max + 1)):
            start = rng.randrange(width)
            g.append(actor(start, start + rng.choice([1, 1, 2, 3, 5, 8, 40, 150, 301]), rng.choice(labels)))
        if g and rng.random() < 0.2:
            g.append(dict(rng.choice(g)))  # a duplicate gold span
        p = []
        for a in g:
            if rng.random() < 0.25:
                continue
            b = dict(a)
            r = rng.random()
            if r < 0.25:
                b["start"] = min(b["end"] - 1, max(0, b["start"] + rng.choice([-2, -1, 1])))
            elif r < 0.4:
                b["end"] = max(b["start"] + 1, b["end"] + rng.choice([-1, 1, 3]))
            if rng.random() < 0.2:
                b["label"] = rng.choice(labels)
            p.append(b)
        for _ in range(rng.randrange(3)):
            start = rng.randrange(width)
            p.append(actor(start, start + rng.choice([1, 2, 4, 10, 200]), rng.choice(labels)))
        rng.shuffle(g)
        rng.shuffle(p)
        gold.append(record(f"d{d}", g))
        pred.append(record(f"d{d}", p))
    return gold, pred


def nervaluate(gold, pred, tags, min_overlap_percentage=1.0):
    def load(records):
        return [[{"label": a["label"], "start": a["start"], "end": a["end"] - 1} for a in r["actors"]] for r in records]

    return Evaluator(
        load(gold), load(pred), tags=list(tags), loader="dict", min_overlap_percentage=min_overlap_percentage
    ).evaluate()


def assert_block_equals(ours: dict, theirs) -> None:
    for f in (*ACTOR_FIELDS, "possible", "actual"):
        assert ours[f] == getattr(theirs, f), f
    for m in ("precision", "recall", "f1"):
        if ours[m] is None:  # undefined: nervaluate reports 0
            assert getattr(theirs, m) == 0
            assert ours["actual"] == 0 or ours["possible"] == 0
        else:
            assert ours[m] == getattr(theirs, m), m  # bit-for-bit


def assert_matches_nervaluate(gold, pred, min_overlap_percentage=1.0) -> dict:
    ours = actor_scores(gold, pred, min_overlap_percentage=min_overlap_percentage)
    theirs = nervaluate(gold, pred, ours["labels"], min_overlap_percentage)
    assert set(theirs["entities"]) == set(ours["labels"])
    for schema in SCHEMAS:
        assert_block_equals(ours["schemas"][schema]["micro"], theirs["overall"][schema])
        for label in ours["labels"]:
            assert_block_equals(ours["schemas"][schema]["per_label"][label], theirs["entities"][label][schema])
    return ours


# ---------------------------------------------------------------- actors vs nervaluate


@pytest.mark.parametrize("seed", range(6))
def test_actor_scores_equal_nervaluate_on_random_documents(seed):
    rng = random.Random(seed)
    gold, pred = random_docs(rng, 120, width=rng.choice([20, 80, 400]), n_max=rng.choice([4, 10]))
    ours = assert_matches_nervaluate(gold, pred)
    micro = ours["schemas"]["strict"]["micro"]
    assert micro["correct"] > 0 and micro["incorrect"] > 0 and micro["missed"] > 0 and micro["spurious"] > 0


@pytest.mark.parametrize("pct", [10.0, 50.0, 100.0])
def test_actor_scores_equal_nervaluate_with_min_overlap(pct):
    gold, pred = random_docs(random.Random(int(pct)), 80, width=60, n_max=8)
    assert_matches_nervaluate(gold, pred, min_overlap_percentage=pct)


span = st.tuples(st.integers(0, 30), st.integers(1, 12), st.sampled_from(LABELS[:2]))
doc = st.tuples(st.lists(span, max_size=6), st.lists(span, max_size=6))


@settings(max_examples=150, deadline=None, database=None)
@given(st.lists(doc, min_size=1, max_size=4))
def test_actor_scores_equal_nervaluate_hypothesis(docs):
    gold = [record(f"d{i}", [actor(s, s + n, lab) for s, n, lab in g]) for i, (g, _) in enumerate(docs)]
    pred = [record(f"d{i}", [actor(s, s + n, lab) for s, n, lab in p]) for i, (_, p) in enumerate(docs)]
    assert_matches_nervaluate(gold, pred)


def test_nervaluate_quirks_are_mirrored():
    # 1. "overlap" needs >= 1% of the gold span: 1 character of a 200-character span is not enough.
    long_gold = [record("a", [actor(0, 200)])]
    scores = assert_matches_nervaluate(long_gold, [record("a", [actor(199, 201)])])
    assert scores["schemas"]["partial"]["micro"]["spurious"] == 1
    assert scores["schemas"]["partial"]["micro"]["missed"] == 1
    # 2. An exact-boundary prediction whose true was already taken falls back to another
    #    overlapping true and is "incorrect" (first prediction in list order takes [0, 10)).
    gold = [record("b", [actor(0, 10), actor(5, 20)])]
    pred = [record("b", [actor(0, 12), actor(0, 10)])]
    scores = assert_matches_nervaluate(gold, pred)
    assert scores["schemas"]["exact"]["micro"]["incorrect"] == 2
    # 3. ent_type prefers the same-label true with the closest boundaries, not the first one.
    gold = [record("c", [actor(0, 10, "PER"), actor(2, 6, "PER")])]
    assert_matches_nervaluate(gold, [record("c", [actor(2, 7, "PER"), actor(0, 9, "PER")])])
    # 4. Per label, a wrong-label overlap is invisible: "ORG" prediction is spurious for ORG.
    scores = assert_matches_nervaluate([record("d", [actor(0, 5, "PER")])], [record("d", [actor(0, 5, "ORG")])])
    assert scores["schemas"]["strict"]["micro"]["incorrect"] == 1
    assert scores["schemas"]["strict"]["per_label"]["ORG"]["spurious"] == 1
    assert scores["schemas"]["ent_type"]["per_label"]["PER"]["missed"] == 1


def test_partial_counts_half_and_strict_needs_type():
    gold = [record("x", [actor(0, 10, "PER"), actor(20, 30, "ORG")])]
    pred = [record("x", [actor(0, 8, "PER"), actor(20, 30, "PER")])]
    s = assert_matches_nervaluate(gold, pred)["schemas"]
    assert (s["partial"]["micro"]["correct"], s["partial"]["micro"]["partial"]) == (1, 1)
    assert s["partial"]["micro"]["precision"] == 0.75  # (1 + 0.5) / 2
    assert (s["strict"]["micro"]["correct"], s["strict"]["micro"]["incorrect"]) == (0, 2)
    assert (s["exact"]["micro"]["correct"], s["exact"]["micro"]["incorrect"]) == (1, 1)
    assert (s["ent_type"]["micro"]["correct"], s["ent_type"]["micro"]["incorrect"]) == (1, 1)


def test_undefined_values_are_none_and_macro_skips_them():
    gold = [record("x", [actor(0, 5, "PER")])]
    pred = [record("x", [actor(0, 5, "PER"), actor(10, 15, "ORG")])]
    s = actor_scores(gold, pred)["schemas"]["strict"]
    org = s["per_label"]["ORG"]
    assert org["precision"] == 0.0 and org["recall"] is None and org["f1"] == 0.0
    assert s["per_label"]["PER"]["f1"] == 1.0
    assert s["macro"] == {"precision": 0.5, "recall": 1.0, "f1": 0.5}  # ORG's undefined recall is skipped
    assert actor_scores([], [])["schemas"]["strict"]["micro"]["f1"] is None
    empty = actor_scores([record("y")], [record("y")])
    assert empty["labels"] == []
    assert empty["schemas"]["exact"]["micro"]["f1"] is None
    assert empty["schemas"]["exact"]["macro"] == {"precision": None, "recall": None, "f1": None}


def test_per_document_rows_sum_to_the_scores_of_any_subset():
    gold, pred = random_docs(random.Random(7), 60, width=50, n_max=6)
    table = actor_counts(gold, pred, labels=LABELS)
    assert table.rows.shape == (60, len(table.fields)) == (60, (1 + len(LABELS)) * len(SCHEMAS) * len(ACTOR_FIELDS))
    subset = [3, 5, 8, 13, 21, 34]
    sub_table = actor_counts([gold[i] for i in subset], [pred[i] for i in subset], labels=LABELS)
    assert np.array_equal(table.rows[subset], sub_table.rows)
    assert np.array_equal(table.rows[subset].sum(axis=0), sub_table.total())


def test_actor_metric_agrees_with_the_scores_dict():
    gold, pred = random_docs(random.Random(3), 50, width=60, n_max=6)
    table = actor_counts(gold, pred)
    scores = actor_scores_from_counts(table)
    total = table.total()[None]
    for schema in SCHEMAS:
        for m in ("precision", "recall", "f1"):
            assert actor_metric(table, schema, m)(total)[0] == scores["schemas"][schema]["micro"][m]
            macro = scores["schemas"][schema]["macro"][m]
            assert actor_metric(table, schema, m, "macro")(total)[0] == pytest.approx(macro)
            assert actor_metric(table, schema, m, "ORG")(total)[0] == scores["schemas"][schema]["per_label"]["ORG"][m]
    batch = np.stack([table.rows[:25].sum(0), table.rows[25:].sum(0)])
    assert actor_metric(table, "partial")(batch).shape == (2,)


def test_labels_restrict_like_nervaluate_tags_and_documents_pair_by_id():
    gold = [record("a", [actor(0, 5, "PER"), actor(8, 9, "LOC")]), record("b", [actor(0, 3, "ORG")])]
    pred = [
        record("b", [actor(0, 3, "ORG")]),
        record("a", [actor(0, 5, "PER"), actor(8, 9, "ORG")]),
        record("not-in-gold", [actor(0, 1)]),
    ]
    table = actor_counts(gold, pred, labels=["PER", "ORG"])
    theirs = nervaluate(gold, [pred[1], pred[0]], ["PER", "ORG"])
    ours = actor_scores_from_counts(table)
    assert table.doc_ids == ("a", "b") and ours["labels"] == ["PER", "ORG"]
    for schema in SCHEMAS:
        assert_block_equals(ours["schemas"][schema]["micro"], theirs["overall"][schema])
    missing = actor_scores(gold, [pred[0]])["schemas"]["strict"]["micro"]  # no prediction for "a"
    assert (missing["correct"], missing["missed"]) == (1, 2)


@pytest.mark.parametrize(
    "bad",
    [
        [record("a", [actor(3, 3)])],  # empty span
        [record("a", [actor(-1, 3)])],
        [{"doc_id": "a", "actors": [{"start": 0, "end": 2}], "claims": [], "doc_stances": {}}],  # no label
    ],
)
def test_malformed_actor_spans_raise(bad):
    with pytest.raises(ToolkitError):
        actor_counts([record("a")], bad)


def test_duplicate_doc_ids_raise():
    with pytest.raises(ToolkitError, match="duplicate doc_id 'a'"):
        actor_counts([record("a"), record("a")], [record("b")])
