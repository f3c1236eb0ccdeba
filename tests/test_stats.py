"""toolkit.stats: bootstrap intervals and paired tests over per-document count rows."""

from __future__ import annotations

import random

import numpy as np
import pytest

from toolkit.errors import ToolkitError
from toolkit.scoring import actor_counts, actor_metric, actor_scores_from_counts
from toolkit.stats import (
    bootstrap_ci,
    bootstrap_cis,
    bootstrap_sums,
    paired_bootstrap_test,
    paired_bootstrap_tests,
    randomization_shifts,
    randomization_test,
    randomization_tests,
    resample_sums,
)


def accuracy(sums: np.ndarray) -> np.ndarray:
    """Column 0 correct out of column 1 total; NaN when the total is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sums[:, 1] > 0, sums[:, 0] / sums[:, 1], np.nan)


def system(rng: np.random.Generator, n_docs: int, p: float) -> np.ndarray:
    """Per-document (correct, total) rows of a classifier that is right with probability p."""
    total = rng.integers(1, 20, size=n_docs)
    return np.stack([rng.binomial(total, p), total], axis=1)


def test_resample_sums_equals_summing_the_drawn_rows():
    rows = np.random.default_rng(0).integers(0, 9, size=(30, 4))
    idx = np.random.default_rng(1).integers(0, 30, size=(50, 30))
    expected = np.stack([rows[i].sum(axis=0) for i in idx])
    assert np.array_equal(resample_sums(rows, idx), expected)


def test_bootstrap_ci_contains_the_estimate_and_is_reproducible():
    rows = system(np.random.default_rng(2), 300, 0.7)
    ci = bootstrap_ci(rows, accuracy, seed=42)
    assert ci["estimate"] == rows[:, 0].sum() / rows[:, 1].sum()
    assert ci["low"] < ci["estimate"] < ci["high"]
    assert 0.01 < ci["high"] - ci["low"] < 0.1  # about 2 x 1.96 x sqrt(0.21 / 3000)
    assert ci["n_boot"] == 1000 and ci["n_undefined"] == 0
    assert bootstrap_ci(rows, accuracy, seed=42) == ci
    assert bootstrap_ci(rows, accuracy, seed=43) != ci
    wider = bootstrap_ci(rows, accuracy, seed=42, confidence=0.99)
    assert wider["low"] < ci["low"] and wider["high"] > ci["high"]


def test_bootstrap_counts_undefined_resamples_and_handles_no_documents():
    rows = np.array([[1, 1]] + [[0, 0]] * 9)  # only one document has anything to score
    ci = bootstrap_ci(rows, accuracy, n_boot=500, seed=0)
    assert ci["estimate"] == 1.0 and ci["low"] == ci["high"] == 1.0
    assert 100 < ci["n_undefined"] < 250  # P(document 0 never drawn) = 0.9 ** 10 ~ 0.35
    empty = bootstrap_ci(np.zeros((0, 2)), accuracy)
    assert empty["estimate"] is None and empty["low"] is None


def test_identical_systems_are_not_significantly_different():
    rows = system(np.random.default_rng(3), 200, 0.6)
    ar = randomization_test(rows, rows.copy(), accuracy, seed=1)
    assert ar["delta"] == 0.0 and ar["p_value"] == 1.0
    pb = paired_bootstrap_test(rows, rows.copy(), accuracy, seed=1)
    assert pb["delta"] == 0.0 and pb["p_value"] == 1.0 and pb["low"] == pb["high"] == 0.0


def test_a_clearly_better_system_is_significant():
    rng = np.random.default_rng(4)
    total = rng.integers(5, 15, size=200)
    better = np.stack([rng.binomial(total, 0.8), total], axis=1)
    worse = np.stack([rng.binomial(total, 0.6), total], axis=1)
    ar = randomization_test(better, worse, accuracy, seed=0)
    assert ar["delta"] > 0.1 and ar["p_value"] < 0.01
    reverse = randomization_test(worse, better, accuracy, seed=0)  # two-sided
    assert reverse["delta"] == -ar["delta"] and reverse["p_value"] < 0.01
    assert paired_bootstrap_test(worse, better, accuracy, seed=0)["p_value"] < 0.01
    pb = paired_bootstrap_test(better, worse, accuracy, seed=0)
    assert pb["p_value"] < 0.01 and 0 < pb["low"] < pb["delta"] < pb["high"]
    assert pb == paired_bootstrap_test(better, worse, accuracy, seed=0)


def test_nearly_identical_systems_are_not_significant():
    a = system(np.random.default_rng(5), 200, 0.7)
    a[:6] = [5, 10]
    b = a.copy()
    b[:6, 0] += [-1, -1, -1, -1, 1, 1]  # B is worse on four documents, better on two
    assert 0 < randomization_test(a, b, accuracy, seed=0)["delta"] < 0.01
    p_value = randomization_test(a, b, accuracy, seed=0)["p_value"]
    assert p_value > 0.1
    assert randomization_test(b, a, accuracy, seed=0)["p_value"] == p_value  # two-sided: symmetric
    assert paired_bootstrap_test(a, b, accuracy, seed=0)["p_value"] > 0.1


def test_with_actor_count_tables():
    rng = random.Random(9)
    labels = ("PER", "ORG", "LOC")
    gold, pred = [], []
    for d in range(150):
        spans = [(10 * i + rng.randrange(3), rng.randrange(3, 9), rng.choice(labels)) for i in range(rng.randrange(8))]
        gold.append(
            {
                "doc_id": str(d),
                "claims": [],
                "doc_stances": {},
                "actors": [
                    {"id": f"g{i}", "start": s, "end": s + n, "text": "", "label": lab}
                    for i, (s, n, lab) in enumerate(spans)
                ],
            }
        )
        pred.append(
            {
                "doc_id": str(d),
                "actors": [
                    {
                        "id": f"p{i}",
                        "start": s + rng.choice([0, 0, 0, 1]),
                        "end": s + n,
                        "text": "",
                        "label": rng.choice([lab, lab, lab, "PER"]),
                    }
                    for i, (s, n, lab) in enumerate(spans)
                    if rng.random() < 0.9
                ],
                "claims": [],
                "doc_stances": {},
            }
        )
    worse = [dict(r, actors=r["actors"][: len(r["actors"]) // 2]) for r in pred]
    a, b = actor_counts(gold, pred, labels=labels), actor_counts(gold, worse, labels=labels)
    f1 = actor_metric(a, "strict", "f1")
    ci = bootstrap_ci(a.rows, f1, n_boot=300, seed=0)
    assert ci["estimate"] == actor_scores_from_counts(a)["schemas"]["strict"]["micro"]["f1"]
    assert ci["low"] <= ci["estimate"] <= ci["high"]
    macro = bootstrap_ci(a.rows, actor_metric(a, "partial", "f1", "macro"), n_boot=300, seed=0)
    assert macro["low"] <= macro["estimate"] <= macro["high"]
    test = randomization_test(a.rows, b.rows, actor_metric(a, "exact", "recall"), n_rounds=300, seed=0)
    assert test["delta"] > 0 and test["p_value"] < 0.01
    with pytest.raises(ToolkitError, match="differ in shape"):
        randomization_test(a.rows, actor_counts(gold, pred, labels=labels[:2]).rows, f1)


def test_bootstrap_on_a_large_table_is_chunked_and_reproducible():
    # 20,000 documents x 1,000 resamples take several chunks of weights; the same seed gives the same interval
    rows = np.random.default_rng(6).integers(0, 5, size=(20_000, 100))
    ci = bootstrap_ci(rows, lambda s: s[:, 0] / s[:, 1], n_boot=1000, seed=0)
    assert ci["low"] < ci["estimate"] < ci["high"]
    assert ci == bootstrap_ci(rows, lambda s: s[:, 0] / s[:, 1], n_boot=1000, seed=0)


def test_shared_resamples_give_each_metric_its_own_interval():
    rng = np.random.default_rng(5)
    rows = rng.integers(0, 6, size=(40, 4))
    metrics = {"a": lambda s: s[:, 0] / np.maximum(s[:, 1], 1), "b": lambda s: s[:, 2] / np.maximum(s[:, 3], 1)}
    together = bootstrap_cis(rows, metrics, n_boot=300, seed=9)
    for name, metric in metrics.items():
        assert together[name] == bootstrap_ci(rows, metric, n_boot=300, seed=9)


def test_shared_draws_give_each_metric_its_own_paired_tests():
    rng = np.random.default_rng(6)
    a, b = rng.integers(0, 6, size=(30, 4)), rng.integers(0, 6, size=(30, 4))
    metrics = {"x": lambda s: s[:, 0] / np.maximum(s[:, 1], 1), "y": lambda s: s[:, 2] / np.maximum(s[:, 3], 1)}
    boots = paired_bootstrap_tests(a, b, metrics, n_boot=200, seed=4)
    rands = randomization_tests(a, b, metrics, n_rounds=200, seed=4)
    for name, metric in metrics.items():
        assert boots[name] == paired_bootstrap_test(a, b, metric, n_boot=200, seed=4)
        assert rands[name] == randomization_test(a, b, metric, n_rounds=200, seed=4)


def test_draws_made_once_for_many_blocks_give_what_each_function_draws_alone():
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 6, size=(60, 4)), rng.integers(0, 6, size=(60, 4))
    other = rng.integers(0, 3, size=(60, 2))  # another table of the same documents
    metrics = {"x": lambda s: s[:, 0] / np.maximum(s[:, 1], 1), "y": lambda s: s[:, 2] / np.maximum(s[:, 3], 1)}
    sums_a, sums_other, sums_b = bootstrap_sums([a, other, b], n_boot=300, seed=2)
    assert sums_a.shape == sums_b.shape == (300, 4) and sums_other.shape == (300, 2)
    assert bootstrap_cis(a, metrics, n_boot=300, seed=2, sums=sums_a) == bootstrap_cis(a, metrics, n_boot=300, seed=2)
    assert bootstrap_cis(b, metrics, n_boot=300, seed=2, sums=sums_b) == bootstrap_cis(b, metrics, n_boot=300, seed=2)
    shared = paired_bootstrap_tests(a, b, metrics, n_boot=300, seed=2, sums=(sums_a, sums_b))
    assert shared == paired_bootstrap_tests(a, b, metrics, n_boot=300, seed=2)
    (shift, _) = randomization_shifts([(a, b), (other, other[::-1])], n_rounds=300, seed=2)
    shared = randomization_tests(a, b, metrics, n_rounds=300, seed=2, shifts=shift)
    assert shared == randomization_tests(a, b, metrics, n_rounds=300, seed=2)
    with pytest.raises(ToolkitError, match="shape"):
        bootstrap_cis(a, metrics, n_boot=200, seed=2, sums=sums_a)


@pytest.mark.parametrize("peak", [3, 1 << 20, 2.5])
def test_resampled_sums_are_exact_whatever_the_size_of_the_counts(peak):
    # small integer counts are multiplied in float32 (exact below 2**24); large or fractional ones in float64
    rng = np.random.default_rng(8)
    rows = rng.integers(0, 4, size=(40, 3)) * peak
    idx = rng.integers(0, 40, size=(25, 40))
    expected = np.stack([rows[i].sum(axis=0) for i in idx])
    assert np.array_equal(resample_sums(rows, idx), expected)
