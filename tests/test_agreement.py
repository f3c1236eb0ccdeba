"""Agreement: cross-checked against scikit-learn and statsmodels on generated annotations."""

import json
import random

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

from conftest import ROOT
from toolkit.schema import parse_schema
from toolkit.agreement import agreement
from toolkit.cli import app
from toolkit.errors import ToolkitError

TARGETS = ["t1", "t2", "t3"]


def _schema(targets):
    """A schema with these targets and the bundled stance labels."""
    return parse_schema({"version": "1", "stance_labels": ["favor", "against", "neutral", "none"],
                         "targets": targets, "actor_types": ["PERSON"], "claim": {}})
LABELS = ["favor", "against", "neutral", "none"]


def _records(seed: int, n_docs: int = 30, annotators=(1, 2, 3)):
    rng = random.Random(seed)
    records = []
    for d in range(n_docs):
        base = {t: rng.choice(LABELS) for t in TARGETS}
        for a in annotators:
            stances = {t: (s if rng.random() < 0.7 else rng.choice(LABELS)) for t, s in base.items()}
            records.append({"doc_id": f"d{d}", "annotator": a, "ground_truth": False, "text": "x" * 50,
                            "actors": [{"id": "a", "start": 0, "end": 5 + (a == 3), "text": "", "label": "PERSON"}],
                            "claims": [], "doc_stances": stances})
    return records


@pytest.mark.parametrize("seed", range(5))
def test_cohen_kappa_equals_scikit_learn(seed):
    records = _records(seed)
    result = agreement(records, _schema(TARGETS))
    for target in TARGETS:
        a = [r["doc_stances"][target] for r in records if r["annotator"] == 1]
        b = [r["doc_stances"][target] for r in records if r["annotator"] == 2]
        got = result["doc_stance"]["per_target"][target]["cohen_kappa"]["1-2"]
        assert got == pytest.approx(cohen_kappa_score(a, b))
    pooled_a = [r["doc_stances"][t] for r in records if r["annotator"] == 1 for t in TARGETS]
    pooled_b = [r["doc_stances"][t] for r in records if r["annotator"] == 2 for t in TARGETS]
    assert result["doc_stance"]["overall"]["cohen_kappa"]["1-2"] == pytest.approx(cohen_kappa_score(pooled_a, pooled_b))


def test_alpha_and_fleiss_on_a_worked_example():
    # Two coders, four items, one disagreement (favor vs against on d1).
    records = []
    for annotator, labels in ((1, ["favor", "favor", "against", "none"]), (2, ["favor", "against", "against", "none"])):
        for d, label in enumerate(labels):
            records.append({"doc_id": f"d{d}", "annotator": annotator, "text": "x", "actors": [], "claims": [],
                            "doc_stances": {"t1": label}})
    block = agreement(records, _schema(["t1"]))["doc_stance"]["per_target"]["t1"]
    # By hand: 8 pairable values (favor 3, against 3, none 2); the disagreeing unit gives two
    # off-diagonal coincidences, so D_o = 2/8, D_e = (n² - Σ n_c²) / (n (n - 1)), alpha = 1 - D_o/D_e.
    n_c = {"favor": 3, "against": 3, "none": 2}
    d_e = (64 - sum(v * v for v in n_c.values())) / (8 * 7)
    d_o = 2 / 8
    assert block["krippendorff_alpha"] == pytest.approx(1 - d_o / d_e)
    assert block["observed_agreement"] == 0.75
    # Fleiss for two raters equals Scott's pi: (p_o - p_e) / (1 - p_e) with pooled marginals
    p_e = sum((v / 8) ** 2 for v in n_c.values())
    assert block["fleiss_kappa"] == pytest.approx((0.75 - p_e) / (1 - p_e))


def test_span_agreement_and_ground_truth_is_left_out():
    records = _records(0, n_docs=4)
    records.append({**records[0], "annotator": 9, "ground_truth": True})
    result = agreement(records, _schema(TARGETS))
    assert result["annotators"] == ["1", "2", "3"]
    assert result["pairs"]["1-2"]["actor_strict_f1"] == 1.0
    assert result["pairs"]["1-3"]["actor_strict_f1"] == 0.0  # end offsets differ by one
    assert result["pairs"]["1-3"]["actor_partial_f1"] == 0.5
    assert result["pairs"]["1-2"]["claim_exact_f1"] is None  # no claims at all: undefined, not 0
    assert result["per_annotator"]["3"]["mean_actor_strict_f1"] == 0.0


def test_one_annotator_is_an_error():
    with pytest.raises(ToolkitError, match="at least two"):
        agreement(_records(0, annotators=(1,)), _schema(TARGETS))


def test_cli_on_the_committed_gold_matches_gold_readme(tmp_path):
    out = tmp_path / "agreement.json"
    result = CliRunner().invoke(app, ["agreement", str(ROOT / "gold" / "export.json"), "--json", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())
    readme = (ROOT / "gold" / "README.md").read_text(encoding="utf-8")
    pair = figures["pairs"]["2-3"]
    assert f"| actors, strict F1 (exact span and type) | {pair['actor_strict_f1']:.3f} |" in readme
    assert f"| claims, overlap F1 (Jaccard ≥ 0.5) | {pair['claim_overlap_f1']:.3f} |" in readme
    overall = figures["doc_stance"]["overall"]
    assert f"| document stance, Cohen's kappa | {overall['cohen_kappa']['2-3']:.3f} |" in readme
    assert f"| document stance, Krippendorff's alpha (nominal) | {overall['krippendorff_alpha']:.3f} |" in readme
    assert np.isclose(overall["fleiss_kappa"], float(readme.split("Fleiss' kappa | ")[1][:5]), atol=5e-4)


def test_annotators_overlapping_in_part():
    # d0 by annotators 1 and 2, d1 by 2 and 3: each pair shares one document, nobody shares all
    records = [
        {"doc_id": "d0", "annotator": 1, "text": "x", "actors": [], "claims": [], "doc_stances": {"t1": "favor", "t2": "none"}},
        {"doc_id": "d0", "annotator": 2, "text": "x", "actors": [], "claims": [], "doc_stances": {"t1": "favor", "t2": "against"}},
        {"doc_id": "d1", "annotator": 2, "text": "x", "actors": [], "claims": [], "doc_stances": {"t1": "none", "t2": "none"}},
        {"doc_id": "d1", "annotator": 3, "text": "x", "actors": [], "claims": [], "doc_stances": {"t1": "none", "t2": "none"}},
    ]
    result = agreement(records, _schema(["t1", "t2"]))
    overall = result["doc_stance"]["overall"]
    assert overall["cohen_kappa"]["1-2"] == pytest.approx(cohen_kappa_score(["favor", "none"], ["favor", "against"]))
    assert overall["cohen_kappa"]["1-3"] is None  # no shared document
    assert overall["fleiss_kappa"] is None  # no item labelled by all three
    assert overall["observed_agreement"] == 0.75
    assert set(result["pairs"]) == {"1-2", "2-3"}
