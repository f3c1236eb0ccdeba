"""Inter-annotator agreement over tasks with two or more completed annotations.

Label Studio's open-source edition computes none. Document stance uses scikit-learn's
Cohen's kappa per pair (on the items both annotators labelled), NLTK's ``AnnotationTask``
for Krippendorff's alpha (nominal, tolerates missing labels) and statsmodels'
``fleiss_kappa`` (items labelled by every annotator); actors and claims use the same span matchers as ``toolkit evaluate``,
treating one annotator as reference and the other as prediction (F1 is symmetric).

Spans also get Krippendorff's unitizing alpha (:mod:`toolkit.unitizing`), chance-corrected,
and every disagreement is listed per document (:func:`disagreements`) for adjudication.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
from nltk.metrics.agreement import AnnotationTask
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from .errors import ToolkitError
from .records import Actor, Claim, GoldRecord
from .schema import Schema
from .scoring import MatchRule, actor_scores, as_number, claim_scores, match_spans
from .unitizing import alpha_u

#: ``{annotator: {doc_id: record}}``
Table = dict[str, dict[str, GoldRecord]]


def by_annotator(records: Sequence[GoldRecord], include_ground_truth: bool = False) -> Table:
    """``{annotator: {doc_id: record}}`` for documents annotated by at least two annotators.

    Annotations flagged ``ground_truth`` are adjudications made from the others, so they are
    left out unless ``include_ground_truth``.
    """
    table: Table = defaultdict(dict)
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


def stance_agreement(table: Table, targets: list[str], none: str = "none") -> dict:
    """Document stance agreement per target and pooled: pairwise Cohen's kappa (scikit-learn), Fleiss' kappa
    (items labelled by every annotator), Krippendorff's alpha (nominal)."""

    def block(target_list: list[str]) -> dict:
        triples = [
            (annotator, f"{doc_id}/{target}", record["doc_stances"].get(target, none))
            for annotator, docs in table.items() for doc_id, record in docs.items() for target in target_list
        ]  # fmt: skip
        items = sorted({item for _, item, _ in triples})
        if len(items) == 0:
            return {
                "items": 0,
                "cohen_kappa": {},
                "fleiss_kappa": None,
                "krippendorff_alpha": None,
                "observed_agreement": None,
            }
        labels_of: dict[str, dict[str, str]] = defaultdict(dict)  # item -> annotator -> label
        for annotator, item, label in triples:
            labels_of[item][annotator] = label
        pairs = {}
        for a, b in combinations(sorted(table), 2):
            shared = [i for i in items if a in labels_of[i] and b in labels_of[i]]
            # scikit-learn on the items both labelled (NLTK's kappa_pairwise assumes every item has both)
            pairs[f"{a}-{b}"] = (
                as_number(cohen_kappa_score([labels_of[i][a] for i in shared], [labels_of[i][b] for i in shared]))
                if shared
                else None
            )
        labels = sorted({label for _, _, label in triples})
        full = [i for i in items if len(labels_of[i]) == len(table)]
        matrix = np.array([[labels.index(label) for label in labels_of[i].values()] for i in full])
        fleiss = (
            as_number(fleiss_kappa(aggregate_raters(matrix, n_cat=len(labels))[0]))
            if full and len(labels) > 1
            else None
        )
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


def span_agreement(table: Table, overlap: float = 0.5) -> dict:
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


def _doc_text(docs: Mapping[str, GoldRecord]) -> str | None:
    """The document's text from the first of its records that has one."""
    return next((r["text"] for r in docs.values() if r.get("text") is not None), None)


def _span_text(text: str | None, spans: Sequence[Actor | Claim], start: int, end: int) -> str:
    """``text[start:end]``, or (no text) the spans' own texts joined."""
    if text is not None:
        return text[start:end]
    return " … ".join(dict.fromkeys(s.get("text") or "" for s in spans))


def _clusters(items: list[tuple[str, Actor]]) -> list[list[tuple[str, Actor]]]:
    """``(annotator, span)`` pairs grouped into runs of overlapping spans (sorted by position)."""
    out: list[list[tuple[str, Actor]]] = []
    end = 0
    for annotator, span in sorted(items, key=lambda x: (x[1]["start"], x[1]["end"], x[0])):
        if out and span["start"] < end:
            out[-1].append((annotator, span))
            end = max(end, span["end"])
        else:
            out.append([(annotator, span)])
            end = span["end"]
    return out


def _differs(values: Mapping[str, list[dict[str, Any]]], fields: tuple[str, ...]) -> list[str]:
    """Which of ``fields`` differ between the annotators' values (sorted lists compared), plus
    ``missing`` when an annotator has none."""
    have = {a: v for a, v in values.items() if v}
    out = ["missing"] if len(have) < len(values) else []
    for name in fields:
        seen = {tuple(sorted(repr(item[name]) for item in v)) for v in have.values()}
        if len(seen) > 1:
            out.append(name)
    return out


def _actor_view(actor: Actor) -> dict[str, Any]:
    return {"span": [actor["start"], actor["end"]], "label": actor["label"], "text": actor.get("text")}


def _claim_view(record: GoldRecord, claim: Claim, none: str) -> dict[str, Any]:
    speaker = next((a for a in record.get("actors") or () if a["id"] == claim.get("speaker")), None)
    return {
        "span": [claim["start"], claim["end"]],
        "text": claim.get("text"),
        "speaker": None if speaker is None else _actor_view(speaker),
        "target": claim.get("target"),
        "stance": claim.get("stance") or none,
    }


def _item(
    doc_id: str,
    kind: str,
    differs: list[str],
    spans: Sequence[Actor | Claim],
    *,
    text: str | None,
    values: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    """One span disagreement: the run of ``spans`` involved, from its first start to its last end."""
    start, end = min(x["start"] for x in spans), max(x["end"] for x in spans)
    return {
        "doc_id": doc_id,
        "kind": kind,
        "differs": differs,
        "start": start,
        "end": end,
        "text": _span_text(text, spans, start, end),
        "values": values,
    }


def _actor_disagreements(doc_id: str, docs: Mapping[str, GoldRecord], text: str | None) -> list[dict[str, Any]]:
    """Runs of overlapping actor spans that the annotators did not all mark identically."""
    annotators = sorted(docs)
    actors = [(a, actor) for a in annotators for actor in docs[a].get("actors") or ()]
    out = []
    for cluster in _clusters(actors):
        values = {a: [_actor_view(x) for b, x in cluster if b == a] for a in annotators}
        if differs := _differs(values, ("span", "label")):
            out.append(_item(doc_id, "actor", differs, [x for _, x in cluster], text=text, values=values))
    return out


def _claim_groups(claims: Mapping[str, list[Claim]], rule: MatchRule) -> list[list[tuple[str, int]]]:
    """``(annotator, index)`` of the claims matched across annotators (pairwise one-to-one under
    ``rule``, joined transitively: a union-find), each group in first-seen order, the groups by
    position."""
    parent = {(a, i): (a, i) for a in claims for i in range(len(claims[a]))}

    def root(node):
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in combinations(claims, 2):
        spans = [[(c["start"], c["end"]) for c in claims[x]] for x in (a, b)]
        for i, j in match_spans(spans[0], spans[1], rule):
            parent[root((a, i))] = root((b, j))
    groups: dict[tuple, list[tuple[str, int]]] = defaultdict(list)
    for node in parent:
        groups[root(node)].append(node)
    return sorted(groups.values(), key=lambda g: min((claims[a][i]["start"], claims[a][i]["end"]) for a, i in g))


def _claim_disagreements(
    doc_id: str, docs: Mapping[str, GoldRecord], text: str | None, rule: MatchRule, none: str
) -> list[dict[str, Any]]:
    """Groups of matched claims that differ in span, speaker, target or stance, or that an
    annotator lacks."""
    annotators = sorted(docs)
    claims = {a: list(docs[a].get("claims") or ()) for a in annotators}
    out = []
    for group in _claim_groups(claims, rule):
        values = {a: [_claim_view(docs[a], claims[a][i], none) for b, i in sorted(group) if b == a] for a in annotators}
        if differs := _differs(values, ("span", "speaker", "target", "stance")):
            out.append(_item(doc_id, "claim", differs, [claims[a][i] for a, i in group], text=text, values=values))
    return out


def _doc_stance_disagreements(
    doc_id: str, docs: Mapping[str, GoldRecord], targets: list[str], none: str
) -> list[dict[str, Any]]:
    """Targets whose document stance differs (a missing stance is ``none``)."""
    out = []
    for target in targets:
        stances = {a: (docs[a].get("doc_stances") or {}).get(target) or none for a in sorted(docs)}
        if len(set(stances.values())) > 1:
            out.append(
                {
                    "doc_id": doc_id,
                    "kind": "doc_stance",
                    "differs": ["stance"],
                    "target": target,
                    "text": target,
                    "values": stances,
                }
            )
    return out


def document_disagreements(
    doc_id: str, docs: Mapping[str, GoldRecord], targets: list[str], rule: MatchRule, none: str = "none"
) -> list[dict[str, Any]]:
    """Every disagreement among the annotations ``docs`` (``{annotator: record}``) of one document.

    - ``actor``: a run of overlapping actor spans that the annotators did not all mark
      identically (same offsets and label); ``differs`` names what: ``span``, ``label``, ``missing``.
    - ``claim``: claims matched across annotators (pairwise one-to-one under ``rule``, as the
      evaluation does, joined transitively) whose ``span``, ``speaker``, ``target`` or ``stance``
      differ, or that some annotator lacks (``missing``).
    - ``doc_stance``: a target whose document stance differs (a missing stance is ``none``).

    Each item: ``doc_id``, ``kind``, ``differs``, ``start``/``end``/``text`` of the span
    involved (the target for ``doc_stance``), and ``values``: each annotator's value (a list of
    spans for actors and claims, empty when the annotator has none; a stance label for targets).
    """
    text = _doc_text(docs)
    return [
        *_actor_disagreements(doc_id, docs, text),
        *_claim_disagreements(doc_id, docs, text, rule, none),
        *_doc_stance_disagreements(doc_id, docs, targets, none),
    ]


def disagreements(table: Table, targets: list[str], overlap: float = 0.5, none: str = "none") -> list[dict[str, Any]]:
    """:func:`document_disagreements` of every document annotated by two or more annotators,
    in document order."""
    by_doc: dict[str, dict[str, GoldRecord]] = defaultdict(dict)
    for annotator, docs in table.items():
        for doc_id, record in docs.items():
            by_doc[doc_id][annotator] = record
    rule = MatchRule("overlap", overlap)
    return [
        item
        for doc_id in sorted(by_doc)
        if len(by_doc[doc_id]) >= 2
        for item in document_disagreements(doc_id, by_doc[doc_id], targets, rule, none)
    ]


def span_alpha_u(table: Table, actor_types: list[str], claim_label: str) -> dict:
    """Krippendorff's unitizing alpha (:func:`toolkit.unitizing.alpha_u`) of actor spans per type
    and of claim spans, over the documents every annotator annotated, concatenated into one
    continuum (each document as long as its text, or its last span where there is no text).

    ``per_label`` has every actor type and the claim label; ``actors`` pools the actor types,
    ``overall`` everything (DKPro's ``1 - Σ D_o / Σ D_e``). ``alpha`` is None where undefined."""
    annotators = sorted(table)
    shared = sorted(set.intersection(*(set(docs) for docs in table.values())))
    units, offset = [], 0
    seen: set[str] = set()
    for doc_id in shared:
        docs = {a: table[a][doc_id] for a in annotators}
        text = _doc_text(docs)
        spans = [(a, s["start"], s["end"], s["label"]) for a in annotators for s in docs[a].get("actors") or ()]
        spans += [(a, c["start"], c["end"], claim_label) for a in annotators for c in docs[a].get("claims") or ()]
        length = max([len(text or "")] + [end for _, _, end, _ in spans])
        units += [(a, offset + start, offset + end, label) for a, start, end, label in spans]
        seen.update(label for *_, label in spans)
        offset += length
    actor_labels = list(actor_types) + sorted(seen - set(actor_types) - {claim_label})
    result = alpha_u(units, annotators, offset, labels=[*actor_labels, claim_label])
    actors = alpha_u([u for u in units if u[3] != claim_label], annotators, offset, labels=actor_labels)["overall"]
    return {
        "documents": len(shared),
        "continuum": offset,
        "claim_label": claim_label,
        "per_label": result["per_label"],
        "actors": actors,
        "overall": result["overall"],
    }


def agreement(
    records: Sequence[GoldRecord], schema: Schema, overlap: float = 0.5, include_ground_truth: bool = False
) -> dict:
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
        "span_alpha_u": span_alpha_u(table, list(schema.actor_types), schema.claim_label),
        "disagreements": disagreements(table, list(schema.targets), overlap, schema.no_stance),
    }
