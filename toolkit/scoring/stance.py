"""Stance labels, for claims and documents: confusion counts and their metrics.

A document-stance table counts, per document, ``target:gold:pred`` cells; a target the
prediction leaves out counts as the schema's no-stance label. Metrics: accuracy, macro-F1
over the labels present, and F1 of the first two labels (the polar pair, favor/against in
SemEval-2016 Task 6) with their mean F_avg.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ToolkitError
from ..records import Record
from .matching import align_records
from .table import CountTable, Metric, as_number, divide, nanmean

STANCE_LABELS = ("favor", "against", "neutral", "none")


def stance_labels(seen: set[str], labels: Sequence[str] | None) -> tuple[str, ...]:
    """``labels`` (checked to cover ``seen``), or the default order plus any others seen, sorted."""
    if labels is not None:
        unknown = sorted(seen - set(labels))
        if unknown:
            raise ToolkitError(f"stance label {unknown[0]!r} is not in {list(labels)}")
        return tuple(labels)
    return STANCE_LABELS + tuple(sorted(seen - set(STANCE_LABELS)))


def stance_vector(cm: np.ndarray) -> dict[str, np.ndarray]:
    """Vectorised accuracy, macro-F1 (labels present in gold or prediction), F1 of the first
    two labels and their mean, of confusion matrices ``cm`` (batch, K, K)."""
    tp, gold_n, pred_n = np.diagonal(cm, axis1=1, axis2=2), cm.sum(axis=2), cm.sum(axis=1)
    f1 = divide(2 * tp, gold_n + pred_n)
    return {
        "accuracy": divide(tp.sum(axis=1), gold_n.sum(axis=1)),
        "macro_f1": nanmean(f1),
        "f_favor": f1[:, 0],
        "f_against": f1[:, 1],
        "f_avg": (f1[:, 0] + f1[:, 1]) / 2,
    }


def stance_block(cm: np.ndarray, labels: tuple[str, ...]) -> dict:
    """Accuracy, macro-F1 (over the labels present in gold or prediction), F1 of the polar pair
    (``f_favor``, ``f_against``: the first two labels), their mean ``f_avg`` (None unless both
    are defined) and the confusion matrix of the present labels (rows gold, columns
    predicted), from a K x K confusion count matrix. The same numbers as scikit-learn's
    ``accuracy_score``, ``f1_score`` and ``confusion_matrix`` (the tests check it), without
    importing scikit-learn on the evaluation path."""
    cm = np.asarray(cm, dtype=np.int64)
    keep = [i for i in range(len(labels)) if cm[i].sum() + cm[:, i].sum() > 0]
    out: dict = {
        "n": int(cm.sum()),
        "labels": [labels[i] for i in keep],
        "confusion": [],
        "accuracy": None,
        "macro_f1": None,
        "f_favor": None,
        "f_against": None,
        "f_avg": None,
    }
    if not keep:
        return out
    values = stance_vector(cm[None])
    f1 = divide(2 * np.diagonal(cm), cm.sum(axis=1) + cm.sum(axis=0))
    out.update(
        accuracy=as_number(values["accuracy"][0]),
        macro_f1=as_number(f1[keep].mean()),
        f_favor=as_number(values["f_favor"][0]),
        f_against=as_number(values["f_against"][0]),
        confusion=cm[np.ix_(keep, keep)].tolist(),
    )
    if out["f_favor"] is not None and out["f_against"] is not None:
        out["f_avg"] = (out["f_favor"] + out["f_against"]) / 2
    return out


def doc_stance_counts(
    gold: Sequence[Record],
    pred: Sequence[Record],
    *,
    labels: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
    none: str = "none",
) -> CountTable:
    """Per-document confusion counts ``target:gold:pred`` of the stance per target. Evaluated
    are the targets in each gold record's ``doc_stances``; a target the prediction lacks is
    ``none`` (the schema's no-stance label); predicted targets absent from gold are ignored. Default
    targets: all in gold, sorted."""
    pairs = align_records(gold, pred)
    seen = {s or none for pair in pairs for r in pair for s in (r.get("doc_stances") or {}).values()}
    labels = stance_labels(seen, labels)
    if targets is None:
        targets = sorted({t for g, _ in pairs for t in g.get("doc_stances", {})})
    targets, k = tuple(targets), len(labels)
    rows = np.zeros((len(pairs), len(targets) * k * k), np.int64)
    for d, (g, p) in enumerate(pairs):
        predicted = p.get("doc_stances") or {}
        for target, stance in (g.get("doc_stances") or {}).items():
            if target in targets:
                gi, pi = labels.index(stance or none), labels.index(predicted.get(target) or none)
                rows[d, (targets.index(target) * k + gi) * k + pi] += 1
    fields = tuple(f"{t}:{a}:{b}" for t in targets for a in labels for b in labels)
    return CountTable(tuple(g["doc_id"] for g, _ in pairs), fields, rows, labels, targets)


def doc_stance_metric(table: CountTable, name: str = "f_avg", target: str | None = None) -> Metric:
    """One document-stance metric of summed rows (accuracy, macro_f1, f_favor, f_against, f_avg),
    over all targets pooled or for one ``target``. ``f_favor`` and ``f_against`` are the F1 of the
    first and second label (the schema's polar pair, favor and against in SemEval-2016 terms)."""
    if len(table.labels) < 2 and name.startswith("f_"):
        raise ToolkitError("F1 of the polar pair needs at least two stance labels")
    if name not in ("accuracy", "macro_f1", "f_favor", "f_against", "f_avg"):
        raise ToolkitError(f"unknown document stance metric {name!r}")
    if target is not None and target not in table.targets:
        raise ToolkitError(f"unknown target {target!r}")
    k, n_t = len(table.labels), len(table.targets)

    def fn(sums: np.ndarray) -> np.ndarray:
        cm: np.ndarray = np.atleast_2d(sums).reshape(-1, n_t, k, k)
        cm = cm[:, table.targets.index(target)] if target is not None else cm.sum(axis=1)
        return stance_vector(cm)[name]

    return fn


def doc_stance_scores_from_counts(table: CountTable) -> dict:
    """Scores of a :func:`doc_stance_counts` table: "overall" (all targets pooled, as in
    SemEval-2016 Task 6) and "per_target"; each with n, accuracy, macro-F1, F1(favor),
    F1(against), F_avg (None unless both are defined), labels and confusion matrix."""
    k = len(table.labels)
    cm = table.total().reshape(len(table.targets), k, k)
    return {
        "n_docs": len(table.doc_ids),
        "overall": stance_block(cm.sum(axis=0), table.labels),
        "per_target": {t: stance_block(cm[i], table.labels) for i, t in enumerate(table.targets)},
    }


def doc_stance_scores(gold: Sequence[Record], pred: Sequence[Record], **kwargs) -> dict:
    """:func:`doc_stance_scores_from_counts` of :func:`doc_stance_counts`."""
    return doc_stance_scores_from_counts(doc_stance_counts(gold, pred, **kwargs))
