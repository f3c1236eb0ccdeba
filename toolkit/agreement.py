"""Inter-annotator agreement over tasks with two or more completed annotations.

Label Studio's open-source edition computes none. Document stance uses scikit-learn's
Cohen's kappa per pair (on the items both annotators labelled), NLTK's ``AnnotationTask``
for Krippendorff's alpha (nominal, tolerates missing labels) and statsmodels'
``fleiss_kappa`` (items labelled by every annotator); actors and claims use the same span matchers as ``toolkit evaluate``,
treating one annotator as reference and the other as prediction (F1 is symmetric).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import numpy as np
from nltk.metrics.agreement import AnnotationTask
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from .errors import ToolkitError
from .schema import Schema
from .scoring import MatchRule, actor_scores, as_number, claim_scores


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


def stance_agreement(table: dict[str, dict[str, dict]], targets: list[str], none: str = "none") -> dict:
    """Document stance agreement per target and pooled: pairwise Cohen's kappa (scikit-learn), Fleiss' kappa
    (items labelled by every annotator), Krippendorff's alpha (nominal)."""

    def block(target_list: list[str]) -> dict:
        triples = [
            (annotator, f"{doc_id}/{target}", record["doc_stances"].get(target, none))
            for annotator, docs in table.items() for doc_id, record in docs.items() for target in target_list
        ]  # fmt: skip
        items = sorted({item for _, item, _ in triples})
        if len(items) == 0:
            return {"items": 0, "cohen_kappa": {}, "fleiss_kappa": None, "krippendorff_alpha": None, "observed_agreement": None}
        labels_of: dict[str, dict[str, str]] = defaultdict(dict)  # item -> annotator -> label
        for annotator, item, label in triples:
            labels_of[item][annotator] = label
        pairs = {}
        for a, b in combinations(sorted(table), 2):
            shared = [i for i in items if a in labels_of[i] and b in labels_of[i]]
            # scikit-learn on the items both labelled (NLTK's kappa_pairwise assumes every item has both)
            pairs[f"{a}-{b}"] = as_number(cohen_kappa_score([labels_of[i][a] for i in shared], [labels_of[i][b] for i in shared])) if shared else None
        labels = sorted({label for _, _, label in triples})
        full = [i for i in items if len(labels_of[i]) == len(table)]
        matrix = np.array([[labels.index(label) for label in labels_of[i].values()] for i in full])
        fleiss = as_number(fleiss_kappa(aggregate_raters(matrix, n_cat=len(labels))[0])) if full and len(labels) > 1 else None
        return {
            "items": len(items),
            "observed_agreement": sum(len(set(v.values())) == 1 for v in labels_of.values()) / len(labels_of),
            "cohen_kappa": pairs,
            "fleiss_kappa": fleiss,
            "krippendorff_alpha": as_number(AnnotationTask(data=triples).alpha()),
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


def agreement(records: list[dict], schema: Schema, overlap: float = 0.5, include_ground_truth: bool = False) -> dict:
    """Everything ``toolkit agreement`` reports, as a JSON-ready dict (targets and the no-stance
    label come from ``schema``)."""
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
        "doc_stance": stance_agreement(table, list(schema.targets), schema.no_stance),
        "pairs": spans,
        "per_annotator": per_annotator,
    }
