"""Scoring of predictions against gold: actor spans, claims, and document stance.

Every scorer works in two steps, so that :mod:`toolkit.stats` can resample documents:

1. ``*_counts(gold, pred)`` returns a :class:`CountTable`: one row of summable integer
   counts per gold document (``rows``, shape ``docs x count-fields``);
2. ``*_scores_from_counts(table)`` sums the rows and turns the sums into a JSON-ready dict.

``*_scores(gold, pred)`` does both. ``*_metric(table, ...)`` gives one metric as a vectorised
function of summed rows (shape ``(batch, fields)`` -> ``(batch,)``, NaN where undefined),
which is what the bootstrap and the significance tests call. In the dicts, a value that is
undefined (0/0) is ``None``, never ``0.0``.

Gold and predicted records (see :mod:`toolkit.records`) are paired by ``doc_id``; a gold
document without a prediction is scored against an empty record, and predicted documents
that are not in gold are ignored. Spans are half-open ``[start, end)``.

F1 convention everywhere: the harmonic mean of precision and recall when both are defined
(0 when both are 0); 0.0 when only one of them is defined (then nothing was correct, e.g. a
label that was only predicted, or never predicted); ``None`` when neither is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import chain
from operator import itemgetter
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from .errors import ToolkitError
from .records import Record, empty_record

SCHEMAS = ("strict", "exact", "partial", "ent_type")
ACTOR_FIELDS = ("correct", "incorrect", "partial", "missed", "spurious")
STANCE_LABELS = ("favor", "against", "neutral", "none")
CLAIM_FIELDS = ("gold", "pred", "matched", "speaker_correct", "stance_correct")
PRF = ("precision", "recall", "f1")
Metric = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True, eq=False)
class CountTable:
    """Per-document counts: ``rows[d, j]`` is count ``fields[j]`` of gold document ``doc_ids[d]``."""

    doc_ids: tuple[str, ...]
    fields: tuple[str, ...]
    rows: np.ndarray
    labels: tuple[str, ...] = ()  # actor labels, or stance labels
    targets: tuple[str, ...] = ()  # document-stance targets
    params: dict = field(default_factory=dict)  # JSON-ready scoring parameters

    def total(self) -> np.ndarray:
        """The column sums over all documents, as a 1-D int64 array."""
        return self.rows.sum(axis=0, dtype=np.int64)


@dataclass(frozen=True)
class MatchRule:
    """When two spans match: ``"exact"`` (same start and end) or ``"overlap"`` (character
    Jaccard ``|a & b| / |a | b| >= threshold``)."""

    kind: str = "overlap"
    threshold: float = 0.5

    def __post_init__(self) -> None:
        if self.kind not in ("exact", "overlap"):
            raise ToolkitError(f"unknown match rule {self.kind!r} (expected 'exact' or 'overlap')")
        if not 0.0 < self.threshold <= 1.0:
            raise ToolkitError(f"match threshold must be in (0, 1], got {self.threshold}")

    def score(self, a: tuple[int, int], b: tuple[int, int]) -> float | None:
        """How well span ``b`` matches span ``a`` (higher is better), or None if they do not match."""
        if self.kind == "exact":
            return 1.0 if a == b else None
        inter = min(a[1], b[1]) - max(a[0], b[0])
        if inter <= 0:
            return None
        jaccard = inter / ((a[1] - a[0]) + (b[1] - b[0]) - inter)
        return jaccard if jaccard >= self.threshold else None

    def as_dict(self) -> dict:
        return {"kind": self.kind, "threshold": None if self.kind == "exact" else self.threshold}


def align_records(gold: Sequence[Record], pred: Sequence[Record]) -> list[tuple[Record, Record]]:
    """Pair each gold record with the predicted record of the same ``doc_id`` (empty if none)."""
    by_id: dict[str, Record] = {}
    for rec in pred:
        if rec["doc_id"] in by_id:
            raise ToolkitError(f"predictions: duplicate doc_id {rec['doc_id']!r}")
        by_id[rec["doc_id"]] = rec
    seen: set[str] = set()
    for rec in gold:
        if rec["doc_id"] in seen:
            raise ToolkitError(f"gold: duplicate doc_id {rec['doc_id']!r}")
        seen.add(rec["doc_id"])
    return [(g, by_id.get(g["doc_id"]) or empty_record(g["doc_id"])) for g in gold]


def match_spans(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]], rule: MatchRule) -> list[tuple[int, int]]:
    """One-to-one greedy matching: pairs ``(gold_index, pred_index)``, best score first
    (ties by gold index, then prediction index)."""
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            s = rule.score(g, p)
            if s is not None:
                candidates.append((-s, gi, pi))
    candidates.sort()
    used_g, used_p, pairs = set(), set(), []
    for _, gi, pi in candidates:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)


# ---------------------------------------------------------------- shared arithmetic

def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.broadcast_arrays(np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64))
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)


def _prf(tp, actual, possible) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall, F1 (NaN = undefined), with nervaluate's floating-point expressions."""
    p, r = _divide(tp, actual), _divide(tp, possible)
    s = p + r
    f = _divide(2 * (p * r), s)
    f = np.where(np.isnan(s), np.where(np.isnan(p) & np.isnan(r), np.nan, 0.0), np.nan_to_num(f))
    return p, r, f


def _nanmean(x: np.ndarray, axis: int = -1) -> np.ndarray:
    ok = ~np.isnan(x)
    return _divide(np.where(ok, x, 0.0).sum(axis=axis), ok.sum(axis=axis))


def _num(x) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


def _prf_dict(tp, actual, possible) -> dict:
    return dict(zip(PRF, (_num(v) for v in _prf(tp, actual, possible))))


# ---------------------------------------------------------------- actors

def _flatten_actors(records: Sequence[Record], label_index: dict[str, int], side: str):
    """Arrays (doc, start, inclusive end, label) of the actors whose label is in ``label_index``."""
    lists = [r.get("actors") or () for r in records]
    actors = list(chain.from_iterable(lists))
    n = len(actors)
    try:
        start = np.fromiter(map(itemgetter("start"), actors), dtype=np.int64, count=n)
        end = np.fromiter(map(itemgetter("end"), actors), dtype=np.int64, count=n)
        names = list(map(itemgetter("label"), actors))
    except (KeyError, TypeError, ValueError) as exc:
        raise ToolkitError(f"{side}: an actor has no integer start/end or no label ({exc!r})") from None
    doc = np.repeat(np.arange(len(records), dtype=np.int64), list(map(len, lists)))
    bad = np.flatnonzero((start < 0) | (end <= start))
    if bad.size:
        i = int(bad[0])
        raise ToolkitError(f"{side}: document {records[doc[i]]['doc_id']!r}: actor span [{start[i]}, {end[i]}) is empty or negative")
    index = dict.fromkeys(set(names), -1) | label_index
    label = np.fromiter(map(index.__getitem__, names), dtype=np.int64, count=n)
    keep = label >= 0
    return doc[keep], start[keep], end[keep] - 1, label[keep]


def _overlap_edges(p_doc, p_s, p_e, t_doc, t_s, t_e, min_pct: float):
    """All (pred, true) pairs in the same document with nervaluate's "sufficient overlap"
    (overlap / true length * 100 >= min_pct, inclusive ends): an interval join on sorted starts."""
    if not len(p_s) or not len(t_s):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.lexsort((t_s, t_doc))
    ts, te, td = t_s[order], t_e[order], t_doc[order]
    big = int(max(p_e.max(), te.max())) + 2
    if max(int(td.max()), int(p_doc.max())) + 1 > (2**62) // big:
        raise ToolkitError("actor offsets are too large to score")
    start_key = td * big + ts
    max_end_key = np.maximum.accumulate(td * big + te)  # per-document running max of ends
    lo = np.searchsorted(max_end_key, p_doc * big + p_s, "left")
    hi = np.searchsorted(start_key, p_doc * big + p_e, "right")
    n = np.maximum(hi - lo, 0)
    ep = np.repeat(np.arange(len(p_s)), n)
    pos = np.arange(int(n.sum())) + np.repeat(lo - (np.cumsum(n) - n), n)
    ov = np.minimum(p_e[ep], te[pos]) - np.maximum(p_s[ep], ts[pos]) + 1
    keep = (te[pos] >= p_s[ep]) & ((ov / (te[pos] - ts[pos] + 1)) * 100.0 >= min_pct)
    return ep[keep], order[pos[keep]]


def _replay(preds, adj, n_trues, ps, pe, pl, ts, te, tl) -> np.ndarray:
    """nervaluate's greedy loops (strict, exact, ent_type) over one group's entangled entities:
    ``preds`` in list order, ``adj[p]`` = overlapping trues in list order."""
    out = np.zeros((3, 5), np.int64)
    for algo in range(3):
        matched: set[int] = set()
        for p in preds:
            hit = wrong = None
            best = None
            for t in adj[p]:
                if t in matched:
                    continue
                if algo < 2:
                    if ps[p] == ts[t] and pe[p] == te[t] and (algo == 1 or pl[p] == tl[t]):
                        hit = t
                        break
                    if wrong is None:
                        wrong = t
                elif pl[p] == tl[t]:
                    d = abs(ps[p] - ts[t]) + abs(pe[p] - te[t])
                    if best is None or d < best:
                        hit, best = t, d
                elif wrong is None:
                    wrong = t
            if hit is not None:
                out[algo, 0] += 1
                matched.add(hit)
            elif wrong is not None:
                out[algo, 1] += 1
                matched.add(wrong)
            else:
                out[algo, 4] += 1
        out[algo, 3] += n_trues - len(matched)
    return out


def _greedy_counts(n_groups, p_grp, t_grp, ep, et, p, t) -> np.ndarray:
    """Counts (n_groups, algo[strict, exact, ent_type], ACTOR_FIELDS) of nervaluate's greedy
    matching. Components of the overlap graph are independent, and most are counted with
    array operations: isolated entities; a prediction whose overlapping trues overlap nothing
    else (it is correct if any true qualifies, else incorrect; its other trues are missed); a
    true whose overlapping predictions overlap nothing else (the first prediction in list order
    takes it; the others are spurious). Any other component is replayed by :func:`_replay`."""
    ps, pe, pl = p
    ts, te, tl = t
    out = np.zeros((n_groups, 3, 5), np.int64)
    count = lambda g: np.bincount(g, minlength=n_groups)  # noqa: E731
    deg_p, deg_t = np.bincount(ep, minlength=len(p_grp)), np.bincount(et, minlength=len(t_grp))
    out[:, :, 4] += count(p_grp[deg_p == 0])[:, None]
    out[:, :, 3] += count(t_grp[deg_t == 0])[:, None]
    bounds, same = (ps[ep] == ts[et]) & (pe[ep] == te[et]), pl[ep] == tl[et]
    oks = (bounds & same, bounds, same)
    shared_t = np.bincount(ep, weights=deg_t[et] > 1, minlength=len(p_grp)) > 0  # pred overlaps a shared true
    shared_p = np.bincount(et, weights=deg_p[ep] > 1, minlength=len(t_grp)) > 0  # true overlaps a shared pred
    pred_star = ~shared_t[ep]
    true_star = ~pred_star & ~shared_p[et]
    e = np.flatnonzero(pred_star)
    centre = np.flatnonzero(np.bincount(ep[e], minlength=len(p_grp)))
    grp = p_grp[centre]
    for algo, ok in enumerate(oks):
        hit = np.bincount(ep[e], weights=ok[e], minlength=len(p_grp))[centre] > 0
        out[:, algo, 0] += count(grp[hit])
        out[:, algo, 1] += count(grp[~hit])
    out[:, :, 3] += count(np.repeat(grp, deg_p[centre] - 1))[:, None]
    e = np.flatnonzero(true_star)
    e = e[np.lexsort((ep[e], et[e]))]
    first = np.ones(len(e), bool)
    first[1:] = et[e][1:] != et[e][:-1]
    for algo, ok in enumerate(oks):
        out[:, algo, 0] += count(p_grp[ep[e[first & ok[e]]]])
        out[:, algo, 1] += count(p_grp[ep[e[first & ~ok[e]]]])
    out[:, :, 4] += count(p_grp[ep[e[~first]]])[:, None]
    rest = np.flatnonzero(~pred_star & ~true_star)
    if not len(rest):
        return out
    adj: dict[int, list[int]] = defaultdict(list)
    for q, r in sorted(zip(ep[rest].tolist(), et[rest].tolist())):
        adj[q].append(r)
    by_group: dict[int, list[int]] = defaultdict(list)
    for q in adj:
        by_group[int(p_grp[q])].append(q)
    qs, rs = np.unique(ep[rest]), np.unique(et[rest])
    n_trues = count(t_grp[rs])
    lists = [dict(zip(idx.tolist(), a[idx].tolist())) for idx in (qs, rs) for a in ((ps, pe, pl) if idx is qs else (ts, te, tl))]
    for g, preds in by_group.items():
        out[g] += _replay(preds, adj, int(n_trues[g]), *lists)
    return out


def actor_counts(gold: Sequence[Record], pred: Sequence[Record], *, labels: Sequence[str] | None = None,
                 min_overlap_percentage: float = 1.0) -> CountTable:
    """Per-document SemEval-2013 counts of actor spans, exactly as nervaluate 1.2.1 counts them.

    Columns are ``schema/scope/field`` for ``schema`` in :data:`SCHEMAS`, ``scope`` ``*`` (all
    labels pooled: nervaluate's "overall") then each label, and ``field`` in :data:`ACTOR_FIELDS`.
    ``labels`` (like nervaluate's ``tags``) fixes the label order and drops other labels; default:
    every label in gold or predictions, sorted. Pass the same ``labels`` to compare two systems.
    """
    if not 1.0 <= min_overlap_percentage <= 100.0:
        raise ToolkitError("min_overlap_percentage must be between 1.0 and 100.0")
    pairs = align_records(gold, pred)
    g_recs, p_recs = [g for g, _ in pairs], [p for _, p in pairs]
    if labels is None:
        labels = sorted({a["label"] for r in (*g_recs, *p_recs) for a in (r.get("actors") or ())})
    labels = tuple(labels)
    index = {lab: i for i, lab in enumerate(labels)}
    t_doc, *t = _flatten_actors(g_recs, index, "gold")
    p_doc, *p = _flatten_actors(p_recs, index, "predictions")
    n_docs, n_labels = len(pairs), len(labels)
    ep, et = _overlap_edges(p_doc, p[0], p[1], t_doc, t[0], t[1], min_overlap_percentage)
    overall = _greedy_counts(n_docs, p_doc, t_doc, ep, et, p, t)
    same = p[2][ep] == t[2][et]
    per_label = _greedy_counts(n_docs * n_labels, p_doc * n_labels + p[2], t_doc * n_labels + t[2],
                               ep[same], et[same], p, t).reshape(n_docs, n_labels, 3, 5)
    scopes = np.concatenate([overall[:, None], per_label], axis=1)  # (docs, 1 + labels, algo, field)
    exact = scopes[:, :, 1]
    partial = np.stack([exact[..., 0], 0 * exact[..., 0], exact[..., 1], exact[..., 3], exact[..., 4]], axis=-1)
    cube = np.stack([scopes[:, :, 0], exact, partial, scopes[:, :, 2]], axis=1)  # (docs, schema, scope, field)
    fields = tuple(f"{s}/{scope}/{f}" for s in SCHEMAS for scope in ("*", *labels) for f in ACTOR_FIELDS)
    return CountTable(tuple(g["doc_id"] for g in g_recs), fields, cube.reshape(n_docs, -1), labels,
                      params={"min_overlap_percentage": min_overlap_percentage})


def _actor_prf(sums: np.ndarray, n_labels: int, schema: str):
    """(precision, recall, f1), each (batch, 1 + labels), for one schema of summed actor rows."""
    c = sums.reshape(len(sums), len(SCHEMAS), 1 + n_labels, 5)[:, SCHEMAS.index(schema)].astype(np.float64)
    correct, incorrect, partial, missed, spurious = np.moveaxis(c, -1, 0)
    tp = correct + 0.5 * partial if schema in ("partial", "ent_type") else correct
    return _prf(tp, correct + incorrect + partial + spurious, correct + incorrect + partial + missed)


def actor_metric(table: CountTable, schema: str = "strict", metric: str = "f1", average: str = "micro") -> Metric:
    """One actor metric as a function of summed rows: ``metric`` in precision/recall/f1,
    ``average`` "micro" (labels pooled), "macro" (mean over defined labels) or a label."""
    if schema not in SCHEMAS or metric not in PRF:
        raise ToolkitError(f"unknown actor metric {schema}/{metric}")
    if average not in ("micro", "macro") and average not in table.labels:
        raise ToolkitError(f"unknown actor label {average!r}")
    k, n = PRF.index(metric), len(table.labels)

    def fn(sums: np.ndarray) -> np.ndarray:
        values = _actor_prf(np.atleast_2d(sums), n, schema)[k]
        if average == "micro":
            return values[:, 0]
        if average == "macro":
            return _nanmean(values[:, 1:])
        return values[:, 1 + table.labels.index(average)]

    return fn


def actor_scores_from_counts(table: CountTable) -> dict:
    """Scores of an :func:`actor_counts` table: per schema, "micro" (counts and P/R/F1 of the
    pooled evaluation), "macro" (mean P/R/F1 over labels whose value is defined; None if none)
    and "per_label" (counts and P/R/F1)."""
    n = len(table.labels)
    total = table.total()[None]
    out: dict = {"n_docs": len(table.doc_ids), "labels": list(table.labels), **table.params, "schemas": {}}
    for schema in SCHEMAS:
        counts = total.reshape(len(SCHEMAS), 1 + n, 5)[SCHEMAS.index(schema)]
        prf = [v[0] for v in _actor_prf(total, n, schema)]

        def block(i: int) -> dict:
            c = dict(zip(ACTOR_FIELDS, map(int, counts[i])))
            c["possible"] = c["correct"] + c["incorrect"] + c["partial"] + c["missed"]
            c["actual"] = c["correct"] + c["incorrect"] + c["partial"] + c["spurious"]
            return c | {m: _num(prf[k][i]) for k, m in enumerate(PRF)}

        macro = {m: _num(_nanmean(prf[k][None, 1:])[0]) for k, m in enumerate(PRF)}
        out["schemas"][schema] = {"micro": block(0), "macro": macro,
                                  "per_label": {lab: block(1 + i) for i, lab in enumerate(table.labels)}}
    return out


def actor_scores(gold: Sequence[Record], pred: Sequence[Record], **kwargs) -> dict:
    """:func:`actor_scores_from_counts` of :func:`actor_counts` (same keyword arguments)."""
    return actor_scores_from_counts(actor_counts(gold, pred, **kwargs))


# ---------------------------------------------------------------- stance labels (claims and documents)

def _stance_labels(seen: set[str], labels: Sequence[str] | None) -> tuple[str, ...]:
    if labels is not None:
        unknown = sorted(seen - set(labels))
        if unknown:
            raise ToolkitError(f"stance label {unknown[0]!r} is not in {list(labels)}")
        return tuple(labels)
    return STANCE_LABELS + tuple(sorted(seen - set(STANCE_LABELS)))


def _stance_vector(cm: np.ndarray) -> dict[str, np.ndarray]:
    """Vectorised accuracy, macro-F1 (labels present in gold or prediction), F1(favor/against)
    of confusion matrices ``cm`` (batch, K, K) whose first labels are favor, against."""
    tp, gold_n, pred_n = np.diagonal(cm, axis1=1, axis2=2), cm.sum(axis=2), cm.sum(axis=1)
    f1 = _divide(2 * tp, gold_n + pred_n)
    return {"accuracy": _divide(tp.sum(axis=1), gold_n.sum(axis=1)), "macro_f1": _nanmean(f1),
            "f_favor": f1[:, 0], "f_against": f1[:, 1], "f_avg": (f1[:, 0] + f1[:, 1]) / 2}


def _stance_block(cm: np.ndarray, labels: tuple[str, ...]) -> dict:
    """Accuracy, macro-F1, F1(favor), F1(against), F_avg and confusion matrix (rows gold,
    columns predicted) by scikit-learn, from a K x K confusion count matrix."""
    present = [lab for i, lab in enumerate(labels) if cm[i].sum() + cm[:, i].sum() > 0]
    out: dict = {"n": int(cm.sum()), "labels": present, "confusion": [], "accuracy": None, "macro_f1": None,
                 "f_favor": None, "f_against": None, "f_avg": None}
    if not present:
        return out
    g_idx, p_idx = np.nonzero(cm)
    lab = np.array(labels, dtype=object)
    y_true = np.repeat(lab[g_idx], cm[g_idx, p_idx]).tolist()
    y_pred = np.repeat(lab[p_idx], cm[g_idx, p_idx]).tolist()
    fa = f1_score(y_true, y_pred, labels=["favor", "against"], average=None, zero_division=np.nan)
    out.update(accuracy=float(accuracy_score(y_true, y_pred)),
               macro_f1=float(f1_score(y_true, y_pred, labels=present, average="macro")),
               f_favor=_num(fa[0]), f_against=_num(fa[1]),
               confusion=confusion_matrix(y_true, y_pred, labels=present).tolist())
    if out["f_favor"] is not None and out["f_against"] is not None:
        out["f_avg"] = (out["f_favor"] + out["f_against"]) / 2
    return out


# ---------------------------------------------------------------- claims

def _speaker_span(rec: Record, claim: dict, side: str) -> tuple[int, int] | None:
    sid = claim.get("speaker")
    if sid is None:
        return None
    for actor in rec.get("actors") or ():
        if actor["id"] == sid:
            return actor["start"], actor["end"]
    raise ToolkitError(f"{side}: document {rec['doc_id']!r}: claim {claim.get('id')!r} names speaker {sid!r}, "
                       "which is not one of its actors")


def claim_counts(gold: Sequence[Record], pred: Sequence[Record], rule: MatchRule = MatchRule(), *,
                 labels: Sequence[str] | None = None) -> CountTable:
    """Per-document claim counts under ``rule``: :data:`CLAIM_FIELDS` then the stance confusion
    of matched claims (``stance:gold:pred``; a missing stance is "none").

    Of the matched claims, ``speaker_correct`` also have the right speaker (both None, or the
    two speaker actors' spans match under ``rule``): the end-to-end true positives;
    ``stance_correct`` have in addition the same stance and target."""
    pairs = align_records(gold, pred)
    seen = {c.get("stance") or "none" for pair in pairs for r in pair for c in r.get("claims") or ()}
    labels = _stance_labels(seen, labels)
    k = len(labels)
    rows = np.zeros((len(pairs), len(CLAIM_FIELDS) + k * k), np.int64)
    for d, (g, p) in enumerate(pairs):
        gc, pc = g.get("claims") or [], p.get("claims") or []
        matches = match_spans([(c["start"], c["end"]) for c in gc], [(c["start"], c["end"]) for c in pc], rule)
        rows[d, :3] = len(gc), len(pc), len(matches)
        for gi, pi in matches:
            a, b = gc[gi], pc[pi]
            gs, ps = _speaker_span(g, a, "gold"), _speaker_span(p, b, "predictions")
            speaker = (gs is None and ps is None) or (gs is not None and ps is not None and rule.score(gs, ps) is not None)
            sa, sb = a.get("stance") or "none", b.get("stance") or "none"
            stance = sa == sb and a.get("target") == b.get("target")
            rows[d, 3:5] += speaker, speaker and stance
            rows[d, len(CLAIM_FIELDS) + labels.index(sa) * k + labels.index(sb)] += 1
    fields = CLAIM_FIELDS + tuple(f"stance:{a}:{b}" for a in labels for b in labels)
    return CountTable(tuple(g["doc_id"] for g, _ in pairs), fields, rows, labels, params={"rule": rule.as_dict()})


def _claim_vector(sums: np.ndarray, k: int) -> dict[str, np.ndarray]:
    s = np.atleast_2d(sums).astype(np.float64)
    gold, pred, matched, speaker, stance = s[:, :5].T
    out = {"speaker_accuracy": _divide(speaker, matched)}
    for name, tp in (("span", matched), ("end_to_end", speaker), ("end_to_end_stance", stance)):
        for m, v in zip(PRF, _prf(tp, pred, gold)):
            out[f"{name}_{m}"] = v
    out["stance_macro_f1"] = _stance_vector(s[:, 5:].reshape(len(s), k, k))["macro_f1"]
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
    c = dict(zip(CLAIM_FIELDS, map(int, total[:5])))
    stance = _stance_block(total[5:].reshape(k, k), table.labels)
    return {"n_docs": len(table.doc_ids), **table.params, "counts": c,
            "span": _prf_dict(c["matched"], c["pred"], c["gold"]),
            "speaker": {"correct": c["speaker_correct"], "total": c["matched"],
                        "accuracy": _num(_divide(c["speaker_correct"], c["matched"]))},
            "end_to_end": _prf_dict(c["speaker_correct"], c["pred"], c["gold"]),
            "end_to_end_stance": _prf_dict(c["stance_correct"], c["pred"], c["gold"]),
            "stance": {key: stance[key] for key in ("n", "labels", "macro_f1", "confusion")}}


def claim_scores(gold: Sequence[Record], pred: Sequence[Record], rule: MatchRule = MatchRule(), **kwargs) -> dict:
    """:func:`claim_scores_from_counts` of :func:`claim_counts`."""
    return claim_scores_from_counts(claim_counts(gold, pred, rule, **kwargs))


# ---------------------------------------------------------------- document stance

def doc_stance_counts(gold: Sequence[Record], pred: Sequence[Record], *, labels: Sequence[str] | None = None,
                      targets: Sequence[str] | None = None) -> CountTable:
    """Per-document confusion counts ``target:gold:pred`` of the stance per target. Evaluated
    are the targets in each gold record's ``doc_stances``; a target the prediction lacks is
    "none"; predicted targets absent from gold are ignored. Default targets: all in gold, sorted."""
    pairs = align_records(gold, pred)
    seen = {s or "none" for g, p in pairs for s in (*g.get("doc_stances", {}).values(), *p.get("doc_stances", {}).values())}
    labels = _stance_labels(seen, labels)
    if targets is None:
        targets = sorted({t for g, _ in pairs for t in g.get("doc_stances", {})})
    targets, k = tuple(targets), len(labels)
    rows = np.zeros((len(pairs), len(targets) * k * k), np.int64)
    for d, (g, p) in enumerate(pairs):
        predicted = p.get("doc_stances") or {}
        for target, stance in (g.get("doc_stances") or {}).items():
            if target in targets:
                gi, pi = labels.index(stance or "none"), labels.index(predicted.get(target) or "none")
                rows[d, (targets.index(target) * k + gi) * k + pi] += 1
    fields = tuple(f"{t}:{a}:{b}" for t in targets for a in labels for b in labels)
    return CountTable(tuple(g["doc_id"] for g, _ in pairs), fields, rows, labels, targets)


def doc_stance_metric(table: CountTable, name: str = "f_avg", target: str | None = None) -> Metric:
    """One document-stance metric of summed rows (accuracy, macro_f1, f_favor, f_against, f_avg),
    over all targets pooled or for one ``target``. Needs labels starting with favor, against."""
    if table.labels[:2] != ("favor", "against") and name.startswith("f_"):
        raise ToolkitError("F1(favor)/F1(against) need stance labels starting with favor, against")
    if name not in ("accuracy", "macro_f1", "f_favor", "f_against", "f_avg"):
        raise ToolkitError(f"unknown document stance metric {name!r}")
    k, n_t = len(table.labels), len(table.targets)

    def fn(sums: np.ndarray) -> np.ndarray:
        cm = np.atleast_2d(sums).reshape(-1, n_t, k, k)
        cm = cm[:, table.targets.index(target)] if target is not None else cm.sum(axis=1)
        return _stance_vector(cm)[name]

    return fn


def doc_stance_scores_from_counts(table: CountTable) -> dict:
    """Scores of a :func:`doc_stance_counts` table: "overall" (all targets pooled, as in
    SemEval-2016 Task 6) and "per_target"; each with n, accuracy, macro-F1, F1(favor),
    F1(against), F_avg (None unless both are defined), labels and confusion matrix."""
    k = len(table.labels)
    cm = table.total().reshape(len(table.targets), k, k)
    return {"n_docs": len(table.doc_ids), "overall": _stance_block(cm.sum(axis=0), table.labels),
            "per_target": {t: _stance_block(cm[i], table.labels) for i, t in enumerate(table.targets)}}


def doc_stance_scores(gold: Sequence[Record], pred: Sequence[Record], **kwargs) -> dict:
    """:func:`doc_stance_scores_from_counts` of :func:`doc_stance_counts`."""
    return doc_stance_scores_from_counts(doc_stance_counts(gold, pred, **kwargs))
