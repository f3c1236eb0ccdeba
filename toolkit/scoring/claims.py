"""Claims: span detection, speaker attribution, target and stance, with a pluggable span rule.

Claims are matched one-to-one by :func:`~toolkit.scoring.matching.match_spans` under a
:class:`~toolkit.scoring.matching.MatchRule`. Of the matched claims, ``speaker_correct`` also
have the right speaker (both None, or the two speakers' actor spans match under the same
rule): the end-to-end true positives; ``stance_correct`` have in addition the same stance
and target.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ToolkitError
from ..records import Claim, Record
from .matching import MatchRule, align_records, match_spans
from .stance import stance_block, stance_labels, stance_vector
from .table import PRF, CountTable, Metric, as_number, divide, prf, prf_dict

CLAIM_FIELDS = ("gold", "pred", "matched", "speaker_correct", "stance_correct")


def speaker_span(rec: Record, claim: Claim, side: str) -> tuple[int, int] | None:
    """The span of the actor that speaks ``claim`` (None if it has no speaker)."""
    sid = claim.get("speaker")
    if sid is None:
        return None
    for actor in rec.get("actors") or ():
        if actor["id"] == sid:
            return actor["start"], actor["end"]
    raise ToolkitError(
        f"{side}: document {rec['doc_id']!r}: claim {claim.get('id')!r} names speaker {sid!r}, "
        "which is not one of its actors"
    )


def speaker_matches(
    rule: MatchRule, gold_speaker: tuple[int, int] | None, pred_speaker: tuple[int, int] | None
) -> bool:
    """The speaker rule: both absent, or both present and matching under ``rule``."""
    if gold_speaker is None or pred_speaker is None:
        return gold_speaker is None and pred_speaker is None
    return rule.score(gold_speaker, pred_speaker) is not None


def claim_counts(
    gold: Sequence[Record],
    pred: Sequence[Record],
    rule: MatchRule = MatchRule(),
    *,
    labels: Sequence[str] | None = None,
    none: str = "none",
) -> CountTable:
    """Per-document claim counts under ``rule``: :data:`CLAIM_FIELDS` then the stance confusion
    of matched claims (``stance:gold:pred``; a missing stance counts as ``none``, the schema's no-stance label).

    Of the matched claims, ``speaker_correct`` also have the right speaker (both None, or the
    two speaker actors' spans match under ``rule``): the end-to-end true positives;
    ``stance_correct`` have in addition the same stance and target."""
    pairs = align_records(gold, pred)
    seen = {c.get("stance") or none for pair in pairs for r in pair for c in r.get("claims") or ()}
    labels = stance_labels(seen, labels)
    k = len(labels)
    rows = np.zeros((len(pairs), len(CLAIM_FIELDS) + k * k), np.int64)
    for d, (g, p) in enumerate(pairs):
        gc, pc = g.get("claims") or [], p.get("claims") or []
        matches = match_spans([(c["start"], c["end"]) for c in gc], [(c["start"], c["end"]) for c in pc], rule)
        rows[d, :3] = len(gc), len(pc), len(matches)
        for gi, pi in matches:
            a, b = gc[gi], pc[pi]
            gs, ps = speaker_span(g, a, "gold"), speaker_span(p, b, "predictions")
            speaker = speaker_matches(rule, gs, ps)
            sa, sb = a.get("stance") or none, b.get("stance") or none
            stance = sa == sb and a.get("target") == b.get("target")
            rows[d, 3:5] += speaker, speaker and stance
            rows[d, len(CLAIM_FIELDS) + labels.index(sa) * k + labels.index(sb)] += 1
    fields = CLAIM_FIELDS + tuple(f"stance:{a}:{b}" for a in labels for b in labels)
    return CountTable(tuple(g["doc_id"] for g, _ in pairs), fields, rows, labels, params={"rule": rule.as_dict()})


def _claim_vector(sums: np.ndarray, k: int) -> dict[str, np.ndarray]:
    s = np.atleast_2d(sums).astype(np.float64)
    gold, pred, matched, speaker, stance = s[:, :5].T
    out = {"speaker_accuracy": divide(speaker, matched)}
    for name, tp in (("span", matched), ("end_to_end", speaker), ("end_to_end_stance", stance)):
        for m, v in zip(PRF, prf(tp, pred, gold), strict=True):
            out[f"{name}_{m}"] = v
    out["stance_macro_f1"] = stance_vector(s[:, 5:].reshape(len(s), k, k))["macro_f1"]
    return out


def claim_metric(table: CountTable, name: str = "end_to_end_f1") -> Metric:
    """One claim metric of summed rows: ``span_``/``end_to_end_``/``end_to_end_stance_`` +
    precision/recall/f1, ``speaker_accuracy`` or ``stance_macro_f1``."""
    k = len(table.labels)
    if name not in _claim_vector(np.zeros((1, len(table.fields))), k):
        raise ToolkitError(f"unknown claim metric {name!r}")
    return lambda sums: _claim_vector(sums, k)[name]


def claim_scores_from_counts(table: CountTable) -> dict:
    """Scores of a :func:`claim_counts` table: span detection, speaker attribution accuracy over
    matched claims, end-to-end (span + speaker), end-to-end with stance and target, and claim
    stance macro-F1 / confusion over matched claims (scikit-learn)."""
    total = table.total()
    k = len(table.labels)
    c = dict(zip(CLAIM_FIELDS, map(int, total[:5]), strict=True))
    stance = stance_block(total[5:].reshape(k, k), table.labels)
    return {
        "n_docs": len(table.doc_ids),
        **table.params,
        "counts": c,
        "span": prf_dict(c["matched"], c["pred"], c["gold"]),
        "speaker": {
            "correct": c["speaker_correct"],
            "total": c["matched"],
            "accuracy": as_number(divide(c["speaker_correct"], c["matched"])),
        },
        "end_to_end": prf_dict(c["speaker_correct"], c["pred"], c["gold"]),
        "end_to_end_stance": prf_dict(c["stance_correct"], c["pred"], c["gold"]),
        "stance": {key: stance[key] for key in ("n", "labels", "macro_f1", "confusion")},
    }


def claim_scores(gold: Sequence[Record], pred: Sequence[Record], rule: MatchRule = MatchRule(), **kwargs) -> dict:
    """:func:`claim_scores_from_counts` of :func:`claim_counts`."""
    return claim_scores_from_counts(claim_counts(gold, pred, rule, **kwargs))
