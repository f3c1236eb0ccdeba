"""toolkit.scoring.stance: document stance per target and overall, against scikit-learn."""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from scoring_records import record
from toolkit.scoring import STANCE_LABELS, doc_stance_counts, doc_stance_metric, doc_stance_scores


def test_doc_stance_equals_sklearn_per_target_and_overall():
    rng = random.Random(11)
    targets = ("gaza_ceasefire", "hamas", "palestinian_state")
    gold, pred = [], []
    for d in range(200):
        g = {t: rng.choice(STANCE_LABELS) for t in targets if rng.random() < 0.8}
        p = {t: rng.choice(STANCE_LABELS) for t in g if rng.random() < 0.9}  # missing -> "none"
        gold.append(record(f"d{d}", doc_stances=g))
        pred.append(record(f"d{d}", doc_stances=p))
    s = doc_stance_scores(gold, pred)
    table = doc_stance_counts(gold, pred)
    for target in (None, *targets):
        pairs = [
            (g["doc_stances"][t], p["doc_stances"].get(t, "none"))
            for g, p in zip(gold, pred, strict=True)
            for t in g["doc_stances"]
            if target in (None, t)
        ]
        y_true, y_pred = [a for a, _ in pairs], [b for _, b in pairs]
        block = s["overall"] if target is None else s["per_target"][target]
        f = f1_score(y_true, y_pred, labels=["favor", "against"], average=None)
        assert block["n"] == len(pairs)
        assert block["accuracy"] == accuracy_score(y_true, y_pred)
        assert block["macro_f1"] == f1_score(y_true, y_pred, average="macro")
        assert block["f_avg"] == (f[0] + f[1]) / 2
        assert block["confusion"] == confusion_matrix(y_true, y_pred, labels=list(STANCE_LABELS)).tolist()
        total = table.total()[None]
        assert doc_stance_metric(table, "f_avg", target)(total)[0] == pytest.approx(block["f_avg"], abs=1e-12)
        assert doc_stance_metric(table, "macro_f1", target)(total)[0] == pytest.approx(block["macro_f1"], abs=1e-12)
        assert doc_stance_metric(table, "accuracy", target)(total)[0] == pytest.approx(block["accuracy"], abs=1e-12)


def test_doc_stance_missing_prediction_is_none_and_undefined_f_avg_is_none():
    gold = [record("a", doc_stances={"hamas": "favor"}), record("b", doc_stances={"hamas": "none"})]
    s = doc_stance_scores(gold, [record("a", doc_stances={})])
    block = s["per_target"]["hamas"]
    assert block["labels"] == ["favor", "none"]
    assert block["confusion"] == [[0, 1], [0, 1]]
    assert block["accuracy"] == 0.5
    assert block["f_favor"] == 0.0 and block["f_against"] is None and block["f_avg"] is None
    assert block["macro_f1"] == pytest.approx((0.0 + 2 / 3) / 2)
    assert doc_stance_scores([record("a")], [record("a")])["overall"]["accuracy"] is None
