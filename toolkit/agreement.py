"""Inter-annotator agreement over tasks with two or more completed annotations.

Label Studio's open-source edition computes none. Document stance uses NLTK's
``AnnotationTask`` (Cohen's kappa per pair, Krippendorff's alpha, nominal) and statsmodels'
``fleiss_kappa``; actors and claims use the same span matchers as ``toolkit evaluate``,
treating one annotator as reference and the other as prediction (F1 is symmetric).
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import combinations

import numpy as np
from nltk.metrics.agreement import AnnotationTask
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from .errors import ToolkitError
from .scoring import MatchRule, actor_scores, claim_scores


def _num(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def by_annotator(records: list[dict], include_ground_truth: bool = False) -> dict[str, dict[str, dict]]:
    """``{annotator: {doc_id: record}}`` for documents annotated by at least two annotators.

    Annotations flagged ``ground_truth`` are adjudications made from the others, so they are
    left out unless ``include_ground_truth``.
    """
    table: dict[str, dict[str, dict]] = defaultdict(dict)
    for record in records:
        if record.get("ground_truth") and not include_ground_truth:
            continue
        annotator = str(record.get("annotator"))
        if record["doc_id"] in table[annotator]:
            raise ToolkitError(f"annotator {annotator} has two annotations of document '{record['doc_id']}'")
        table[annotator][record["doc_id"]] = record
    counts: dict[str, int] = defaultdict(int)
    for docs in table.values():
        for doc_id in docs:
            counts[doc_id] += 1
    shared = {d for d, n in counts.items() if n >= 2}
    return {a: {d: r for d, r in docs.items() if d in shared} for a, docs in sorted(table.items())}


def stance_agreement(table: dict[str, dict[str, dict]], targets: list[str]) -> dict:
    """Document stance agreement per target and pooled: pairwise Cohen's kappa, Fleiss' kappa
    (items labelled by every annotator), Krippendorff's alpha (nominal)."""

    def block(target_list: list[str]) -> dict:
        triples = [
            (annotator, f"{doc_id}/{target}", record["doc_stances"].get(target, "none"))
            for annotator, docs in table.items() for doc_id, record in docs.items() for target in target_list
        ]  # fmt: skip
        items = sorted({item for _, item, _ in triples})
        if len(items) == 0:
            return {"items": 0, "cohen_kappa": {}, "fleiss_kappa": None, "krippendorff_alpha": None, "observed_agreement": None}
        task = AnnotationTask(data=triples)
        pairs = {}
        for a, b in combinations(sorted(table), 2):
            shared = {i for c, i, _ in triples if c == a} & {i for c, i, _ in triples if c == b}
            pairs[f"{a}-{b}"] = _num(task.kappa_pairwise(a, b)) if shared else None
        labels = sorted({label for _, _, label in triples})
        full = [i for i in items if sum(1 for c, j, _ in triples if j == i) == len(table)]
        matrix = np.array([[labels.index(l) for c, j, l in triples if j == i] for i in full])
        fleiss = _num(fleiss_kappa(aggregate_raters(matrix, n_cat=len(labels))[0])) if len(full) and len(labels) > 1 else None
        by_item = defaultdict(set)
        for _, item, label in triples:
            by_item[item].add(label)
        return {
            "items": len(items),
            "observed_agreement": sum(len(v) == 1 for v in by_item.values()) / len(by_item),
            "cohen_kappa": pairs,
            "fleiss_kappa": fleiss,
            "krippendorff_alpha": _num(task.alpha()),
        }

    return {"overall": block(targets), "per_target": {t: block([t]) for t in targets}}


def _stance_agreement(block: dict) -> float | None:
    """Share of matched claims whose stance agrees (the confusion matrix's trace over its sum)."""
    matrix = np.array(block["confusion"])
    return float(np.trace(matrix) / matrix.sum()) if matrix.size and matrix.sum() else None


def span_agreement(table: dict[str, dict[str, dict]], overlap: float = 0.5) -> dict:
    """Pairwise agreement on actors (strict and partial F1) and claims (exact and overlap span
    F1, speaker agreement on matched claims), with the evaluation's own matchers."""
    pairs = {}
    for a, b in combinations(sorted(table), 2):
        shared = sorted(set(table[a]) & set(table[b]))
        if not shared:
            continue
        ref, other = [table[a][d] for d in shared], [table[b][d] for d in shared]
        actors = actor_scores(ref, other)["schemas"]
        exact = claim_scores(ref, other, MatchRule("exact"))
        loose = claim_scores(ref, other, MatchRule("overlap", overlap))
        pairs[f"{a}-{b}"] = {
            "documents": len(shared),
            "actor_strict_f1": actors["strict"]["micro"]["f1"],
            "actor_partial_f1": actors["partial"]["micro"]["f1"],
            "actor_type_f1": actors["ent_type"]["micro"]["f1"],
            "claim_exact_f1": exact["span"]["f1"],
            "claim_overlap_f1": loose["span"]["f1"],
            "speaker_agreement": loose["speaker"]["accuracy"],
            "claim_stance_agreement": _stance_agreement(loose["stance"]),
        }
    return pairs


def agreement(records: list[dict], targets: list[str], overlap: float = 0.5, include_ground_truth: bool = False) -> dict:
    """Everything ``toolkit agreement`` reports, as a JSON-ready dict."""
    table = by_annotator(records, include_ground_truth)
    table = {a: docs for a, docs in table.items() if docs}
    if len(table) < 2:
        raise ToolkitError("agreement needs documents with at least two completed annotations by different annotators")
    spans = span_agreement(table, overlap)
    per_annotator = {}
    for annotator, docs in table.items():
        mine = [v for k, v in spans.items() if annotator in k.split("-")]
        f1s = [v["actor_strict_f1"] for v in mine if v["actor_strict_f1"] is not None]
        cf1s = [v["claim_overlap_f1"] for v in mine if v["claim_overlap_f1"] is not None]
        per_annotator[annotator] = {
            "documents": len(docs),
            "actors": sum(len(r["actors"]) for r in docs.values()),
            "claims": sum(len(r["claims"]) for r in docs.values()),
            "mean_actor_strict_f1": sum(f1s) / len(f1s) if f1s else None,
            "mean_claim_overlap_f1": sum(cf1s) / len(cf1s) if cf1s else None,
        }
    return {
        "annotators": sorted(table),
        "documents": len({d for docs in table.values() for d in docs}),
        "overlap_threshold": overlap,
        "doc_stance": stance_agreement(table, targets),
        "pairs": spans,
        "per_annotator": per_annotator,
    }
