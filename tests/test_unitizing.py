"""Krippendorff's unitizing alpha: the published worked examples, hand arithmetic, and
cross-checks against pairwise F1 on generated annotations."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.unitizing import alpha_u, distance, expected, merge, observed, segments


def test_the_docstring_example_by_hand():
    result = alpha_u([("A", 2, 6, "x"), ("B", 3, 6, "x")], ["A", "B"], 10)["per_label"]["x"]
    assert result["observed"] == pytest.approx(0.01)
    assert result["expected"] == pytest.approx(23 / 362)
    assert result["alpha"] == pytest.approx(1 - 0.01 / (23 / 362))
    assert result["units"] == 2


def test_distances_of_krippendorff_2004():
    # Krippendorff (2004) Content Analysis, 2nd ed., ch. 12, the δ² of unit/gap pairs, as
    # DKPro Agreement's Krippendorff2004Test checks them: (begin, length, is a unit)
    assert distance((2, 3, False), (2, 2, True)) + distance((5, 6, True), (4, 7, False)) == 40
    assert distance((5, 6, True), (4, 2, True)) == 26
    assert distance((5, 6, True), (5, 2, True)) == 16
    assert distance((5, 6, True), (6, 2, True)) == 10
    assert distance((5, 6, True), (7, 2, True)) == 8
    assert distance((5, 6, True), (6, 4, True)) == 2
    assert distance((5, 6, True), (5, 6, True)) == 0
    assert distance((225, 70, True), (220, 80, True)) == 50
    assert distance((370, 30, True), (355, 20, True)) == 850
    assert distance((400, 50, False), (400, 20, True)) == 400


# Krippendorff (2004: 254): continuum [150, 450), two observers, categories c and k, as in
# DKPro Agreement's Krippendorff2004Test (begin, length -> our [start, end)).
KRIPPENDORFF_2004 = [
    (0, 225, 295, "c"),
    (0, 370, 400, "c"),
    (1, 220, 300, "c"),
    (1, 355, 375, "c"),
    (1, 400, 420, "c"),
    (0, 180, 240, "k"),
    (0, 300, 350, "k"),
    (1, 180, 240, "k"),
    (1, 300, 350, "k"),
]


def test_worked_example_of_krippendorff_2004():
    result = alpha_u(KRIPPENDORFF_2004, [0, 1], 300, begin=150)
    c, k = result["per_label"]["c"], result["per_label"]["k"]
    assert c["observed"] == pytest.approx(0.0144, abs=1e-4)
    assert c["expected"] == pytest.approx(0.0532, abs=1e-4)
    assert c["alpha"] == pytest.approx(0.7286, abs=1e-4)
    assert k["observed"] == 0 and k["alpha"] == 1
    assert k["expected"] == pytest.approx(0.0490, abs=1e-4)
    assert result["overall"]["alpha"] == pytest.approx(0.8591, abs=5e-4)  # both categories


def _example_1995(stretch: float):
    """Krippendorff (1995: 57), four pairs of coders on 24 units, scaled by ``stretch`` (as
    DKPro Agreement's Krippendorff1995Test builds it)."""
    units = {
        "A": [(2, 8, 0), (14, 6, 0), (4, 4, 1), (15, 2, 1)],
        "B": [(0, 18, 0), (0, 2, 1), (2, 1, 1), (3, 1, 1), (4, 1, 1), (5, 1, 1), (6, 3, 1), (9, 1, 1)],
        "C": [(2, 6, 0), (10, 2, 0), (14, 4, 0), (20, 2, 0), (0, 2, 1), (4, 4, 1), (10, 4, 1), (16, 2, 1), (20, 2, 1)],
        "D": [
            (0, 2, 0),
            (2, 8, 0),
            (10, 4, 0),
            (14, 6, 0),
            (20, 4, 0),
            (0, 4, 1),
            (4, 4, 1),
            (8, 7, 1),
            (15, 2, 1),
            (17, 7, 1),
        ],
    }
    flat = [(r, int(b * stretch), int(b * stretch) + int(n * stretch), c) for c, us in units.items() for b, n, r in us]
    return alpha_u(flat, [0, 1], int(24 * stretch))["per_label"]


def test_worked_example_of_krippendorff_1995():
    # Observed disagreements exactly as published; the alphas of the paper (computed for a
    # continuous scale, hence a long continuum here) within DKPro's tolerance of 0.02: the
    # paper's D_e has a small error (DKPro's note), see Krippendorff (2004).
    per_label = _example_1995(1)
    for label, d_o in {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}.items():
        assert per_label[label]["observed"] == pytest.approx(d_o, abs=1e-5)
    per_label = _example_1995(50000)
    for label, alpha in {"A": 0.553, "B": -0.926, "C": 0.679, "D": 0.066}.items():
        assert per_label[label]["alpha"] == pytest.approx(alpha, abs=0.02)
    assert per_label["A"]["expected"] == pytest.approx(0.06990, abs=0.005)
    assert per_label["B"]["expected"] == pytest.approx(1.17731, abs=0.005)
    assert per_label["D"]["expected"] == pytest.approx(0.41445, abs=0.005)
    half = _example_1995(0.5)["C"]  # DKPro's exact figures on the halved continuum
    assert half["expected"] == pytest.approx(0.05494, abs=1e-5)
    assert half["alpha"] == pytest.approx(0.494, abs=1e-3)


def test_undefined_and_degenerate_cases():
    assert alpha_u([], ["a", "b"], 100, labels=["X"])["per_label"]["X"]["alpha"] is None
    assert alpha_u([], ["a", "b"], 100)["overall"]["alpha"] is None
    assert alpha_u([("a", 0, 5, "X")], ["a"], 100)["per_label"]["X"]["alpha"] is None  # one rater
    # one annotator marks, the other does not: worse than chance
    assert alpha_u([("a", 10, 20, "X")], ["a", "b"], 100)["per_label"]["X"]["alpha"] < 0
    with pytest.raises(ValueError):
        alpha_u([("a", 90, 120, "X")], ["a", "b"], 100)


def test_merge_and_segments():
    assert merge([(5, 9), (0, 3), (7, 12), (3, 4), (6, 6)]) == [(0, 3), (3, 4), (5, 12)]
    assert segments([(2, 4), (4, 6)], 0, 8) == [(0, 2, False), (2, 2, True), (4, 2, True), (6, 2, False)]
    cuts = [segments([(2, 6)], 0, 10), segments([(3, 6)], 0, 10)]
    assert observed(cuts, 10) == pytest.approx(0.01) and expected(cuts, 10) == pytest.approx(23 / 362)


def test_overlapping_units_of_one_rater_are_merged():
    one = alpha_u([("a", 10, 20, "X"), ("a", 15, 30, "X"), ("b", 10, 30, "X")], ["a", "b"], 100)
    assert one["per_label"]["X"]["alpha"] == 1.0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(1, 30)), min_size=1, max_size=12),
    st.integers(2, 4),
    st.integers(0, 10**6),
)
def test_identical_annotations_give_one(gaps_and_lengths, raters, seed):
    rng = random.Random(seed)
    units, pos = [], 0
    for gap, length in gaps_and_lengths:
        pos += gap
        units.append((pos, pos + length, rng.choice("XY")))
        pos += length
    flat = [(r, s, e, lab) for r in range(raters) for s, e, lab in units]
    result = alpha_u(flat, range(raters), pos + 3)
    assert result["overall"]["alpha"] == 1.0
    assert all(v["alpha"] == 1.0 for v in result["per_label"].values())


def test_independent_random_spans_are_near_chance():
    rng = random.Random(7)
    alphas = []
    for _ in range(20):
        units = []
        for rater in ("a", "b"):
            for _ in range(200):
                start = rng.randrange(0, 25000)
                units.append((rater, start, start + rng.randint(5, 40), "X"))
        alphas.append(alpha_u(units, ["a", "b"], 25100)["per_label"]["X"]["alpha"])
    assert abs(sum(alphas) / len(alphas)) < 0.05, alphas
    assert max(alphas) < 0.15
