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

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter

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


def _by_doc(gold: Sequence[Record], pred: Sequence[Record], key: str | None = None):
    """(gold doc_ids, gold values, predicted values in gold's order) where a value is the record
    (``key`` None; an empty record where a prediction is missing) or its ``key`` (default ()).
    Duplicate doc_ids are an error, unless both sides list the same ids in the same order."""
    def values(records):
        if key is None:
            return list(records)
        try:
            found = list(map(itemgetter(key), records))
        except KeyError:
            return [r.get(key) or () for r in records]
        return [v or () for v in found] if None in found else found

    gold_ids, pred_ids = list(map(itemgetter("doc_id"), gold)), list(map(itemgetter("doc_id"), pred))
    if gold_ids == pred_ids:  # the same documents in the same order: nothing to look up
        return gold_ids, values(gold), values(pred)
    for side, ids in (("gold", gold_ids), ("predictions", pred_ids)):
        if len(set(ids)) != len(ids):
            raise ToolkitError(f"{side}: duplicate doc_id {next(i for i, n in Counter(ids).items() if n > 1)!r}")
    by_id = dict(zip(pred_ids, values(pred)))
    missing = (lambda i: ()) if key else empty_record
    return gold_ids, values(gold), [by_id[i] if i in by_id else missing(i) for i in gold_ids]


def align_records(gold: Sequence[Record], pred: Sequence[Record]) -> list[tuple[Record, Record]]:
    """Pair each gold record with the predicted record of the same ``doc_id`` (empty if none)."""
    _, gold, pred = _by_doc(gold, pred)
    return list(zip(gold, pred))


def match_spans(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]],
                rule: MatchRule) -> list[tuple[int, int]]:
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


def as_number(x) -> float | None:
    """A metric value for JSON: a float, or None where it is undefined (NaN)."""
    x = float(x)
    return None if np.isnan(x) else x


def _prf_dict(tp, actual, possible) -> dict:
    return dict(zip(PRF, (as_number(v) for v in _prf(tp, actual, possible))))


# ---------------------------------------------------------------- actors

class _Index(dict):
    """Label -> first-seen index, growing on lookup."""

    def __missing__(self, key):
        self[key] = len(self)
        return self[key]


def _flatten_actors(lists: Sequence[Sequence[dict]], doc_ids: list[str], side: str, index: _Index):
    """(doc index, start, inclusive end, label index in ``index``) of every actor, in list order."""
    lens = list(map(len, lists))
    flat = chain.from_iterable
    try:  # one pass: the three lock-step iterators read each actor while it is in cache
        spans = np.fromiter(flat(zip(map(itemgetter("start"), flat(lists)), map(itemgetter("end"), flat(lists)),
                                     map(index.__getitem__, map(itemgetter("label"), flat(lists))))),
                            dtype=np.int64, count=3 * sum(lens)).reshape(-1, 3)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise ToolkitError(f"{side}: an actor has no integer start/end or no label ({exc!r})") from None
    doc = np.repeat(np.arange(len(lists), dtype=np.int64), lens)
    start, end = spans[:, 0].copy(), spans[:, 1] - 1
    bad = np.flatnonzero((start < 0) | (end < start))
    if bad.size:
        i = int(bad[0])
        raise ToolkitError(f"{side}: document {doc_ids[doc[i]]!r}: actor span [{start[i]}, {end[i] + 1}) "
                           "is empty or negative")
    return doc, start, end, spans[:, 2].copy()


def _overlap_edges(p_doc, p_s, p_e, t_doc, t_s, t_e, min_pct: float):
    """All (pred, true) pairs in the same document with nervaluate's "sufficient overlap"
    (overlap / true length * 100 >= min_pct, inclusive ends): an interval join on sorted starts."""
    if not len(p_s) or not len(t_s):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    big = int(max(p_e.max(), t_e.max())) + 2
    if max(int(t_doc[-1]), int(p_doc[-1])) + 1 > (2**62) // big:
        raise ToolkitError("actor offsets are too large to score")
    start_key = t_doc * big + t_s
    order = np.argsort(start_key, kind="stable")
    start_key, ts, te = start_key[order], t_s[order], t_e[order]
    max_end_key = np.maximum.accumulate(t_doc[order] * big + te)  # per-document running max of ends
    lo = np.searchsorted(max_end_key, p_doc * big + p_s, "left")
    hi = np.searchsorted(start_key, p_doc * big + p_e, "right")
    n = np.maximum(hi - lo, 0)
    ep = np.repeat(np.arange(len(p_s)), n)
    pos = np.arange(len(ep)) + np.repeat(lo - (np.cumsum(n) - n), n)
    te, ts, ps = te[pos], ts[pos], p_s[ep]
    ov = np.minimum(p_e[ep], te) - np.maximum(ps, ts) + 1
    keep = (te >= ps) & ((ov / (te - ts + 1)) * 100.0 >= min_pct)
    return ep[keep], order[pos[keep]]


def _replay(preds, adj, ps, pe, pl, ts, te, tl, pred_field) -> None:
    """nervaluate's greedy loops (strict, exact, ent_type), verbatim, for ``preds`` in list
    order; ``adj[p]`` lists the trues that overlap ``p``, in list order."""
    for algo in range(3):
        matched: set[int] = set()
        for p in preds:
            hit = wrong = best = None
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
            if hit is not None or wrong is not None:
                pred_field[algo, p] = 0 if hit is not None else 1
                matched.add(hit if hit is not None else wrong)


def _greedy(ep, et, p, t):
    """nervaluate's greedy matching of predictions ``p`` to trues ``t`` (each ``(start, end,
    label)`` arrays) given the overlap edges ``ep[i] -> et[i]`` (sorted by ``ep``), for algo in
    (strict, exact, ent_type). Returns ``pred_field`` (3, n_p) int8 (0 correct, 1 incorrect,
    4 spurious; a true is missed unless a prediction is correct or incorrect on it), a mask
    of the edges in components that join entities of different labels, and a mask of the
    edges that join entities of the same label.

    Components of the overlap graph are independent, and most are solved with array
    operations: a prediction whose trues overlap nothing else is correct if any of them
    qualifies, else incorrect; a true whose predictions overlap nothing else is taken by the
    first prediction in list order, the others are spurious. The rest are replayed."""
    (ps, pe, pl), (ts, te, tl) = p, t
    n_p, n_t = len(ps), len(ts)
    pred_field = np.full((3, n_p), 4, np.int8)
    bounds = ((ps[ep] == ts[et]) & (pe[ep] == te[et])).view(np.uint8)
    same = (pl[ep] == tl[et]).view(np.uint8)
    ok_bits = (bounds & same) | (bounds << 1) | (same << 2)  # bit a: the edge is correct for algo a

    def settle(preds, bits):  # each of ``preds`` takes a true: correct where ``bits`` says so
        for algo in range(3):
            pred_field[algo, preds] = 1 - ((bits >> algo) & 1)

    deg_p, deg_t = np.bincount(ep, minlength=n_p), np.bincount(et, minlength=n_t)
    pred_star = np.bincount(ep[deg_t[et] > 1], minlength=n_p)[ep] == 0
    true_star = ~pred_star & (np.bincount(et[deg_p[ep] > 1], minlength=n_t)[et] == 0)
    rest = ~pred_star & ~true_star
    e = np.flatnonzero(pred_star)
    one = deg_p[ep[e]] == 1
    settle(ep[e[one]], ok_bits[e[one]])
    e = e[~one]
    first = np.flatnonzero(np.diff(ep[e], prepend=-1))
    if len(first):
        settle(ep[e[first]], np.bitwise_or.reduceat(ok_bits[e], first))
    e = np.flatnonzero(true_star)
    e = e[np.argsort(et[e] * n_p + ep[e])]
    e = e[np.diff(et[e], prepend=-1) != 0]  # the first prediction of each true
    settle(ep[e], ok_bits[e])
    if rest.any():
        adj: dict[int, list[int]] = defaultdict(list)
        for q, r in sorted(zip(ep[rest].tolist(), et[rest].tolist())):
            adj[q].append(r)
        qs, rs = np.array(list(adj)), np.unique(et[rest])
        lists = [dict(zip(idx.tolist(), a[idx].tolist())) for idx, arrays in ((qs, p), (rs, t)) for a in arrays]
        _replay(list(adj), adj, *lists, pred_field)
    cross = ~same.view(bool)
    cross_p, cross_t = np.bincount(ep[cross], minlength=n_p) > 0, np.bincount(et[cross], minlength=n_t) > 0
    return pred_field, rest | (pred_star & cross_p[ep]) | (true_star & cross_t[et]), same.view(bool)


def _tally(n_docs: int, n_labels: int, p_doc, p_label, t_doc, t_label, overall_field, label_field) -> np.ndarray:
    """Counts (docs, scope, schema, ACTOR_FIELDS) from the predictions' outcomes, overall (scope
    0) and per label (scope 1 + label). A true is missed unless a prediction is correct or
    incorrect on it; "partial" is "exact" with incorrect counted as partial; within one label,
    "strict" is "exact"."""
    strict, exact, partial, ent_type = range(len(SCHEMAS))
    out = np.zeros((n_docs, 1 + n_labels, len(SCHEMAS), 5), np.int32)
    scopes = ((slice(0, 1), 1, p_doc, t_doc, overall_field, ((strict, 0), (exact, 1), (ent_type, 2))),
              (slice(1, None), n_labels, p_doc * n_labels + p_label, t_doc * n_labels + t_label, label_field,
               ((exact, 1), (ent_type, 2))))
    for scope, k, p_grp, t_grp, field, algos in scopes:
        base, trues = p_grp * 5, np.bincount(t_grp, minlength=n_docs * k).reshape(n_docs, k)
        for schema, algo in algos:
            counts = np.bincount(base + field[algo], minlength=n_docs * k * 5).reshape(n_docs, k, 5)
            counts[..., 3] = trues - counts[..., 0] - counts[..., 1]
            out[:, scope, schema] = counts
    out[:, 1:, strict] = out[:, 1:, exact]
    out[:, :, partial] = out[:, :, exact][..., [0, 2, 1, 3, 4]]
    return out


def actor_counts(gold: Sequence[Record], pred: Sequence[Record], *, labels: Sequence[str] | None = None,
                 min_overlap_percentage: float = 1.0) -> CountTable:
    """Per-document SemEval-2013 counts of actor spans, exactly as nervaluate 1.2.1 counts them.

    Columns are ``schema/scope/field`` (scope-major): ``scope`` ``*`` (all labels pooled:
    nervaluate's "overall") then each label, ``schema`` in :data:`SCHEMAS`, ``field`` in
    :data:`ACTOR_FIELDS`; ``rows.reshape(docs, 1 + labels, 4, 5)``.
    ``labels`` (like nervaluate's ``tags``) fixes the label order and drops other labels; default:
    every label in gold or predictions, sorted. Pass the same ``labels`` to compare two systems.
    ``min_overlap_percentage`` is nervaluate's (share of the gold span that must be covered).

    nervaluate's matching, mirrored including its order dependence: predictions are taken in
    list order, and each takes one gold span still free (in list order): for strict/exact/
    partial the first it matches exactly (correct), else the first it overlaps (incorrect or
    partial); for ent_type the overlapping one of its label with the closest boundaries
    (correct), else the first overlapping one of another label (incorrect). "Overlap" means
    covering at least ``min_overlap_percentage`` % of the gold span (1 character of a 200-character
    span is not enough at the default 1%). Per label, each label's spans are matched alone.
    """
    if not 1.0 <= min_overlap_percentage <= 100.0:
        raise ToolkitError("min_overlap_percentage must be between 1.0 and 100.0")
    doc_ids, gold, pred = _by_doc(gold, pred, "actors")
    index = _Index()
    t_doc, *t = _flatten_actors(gold, doc_ids, "gold", index)
    p_doc, *p = _flatten_actors(pred, doc_ids, "predictions", index)
    labels = tuple(sorted(index) if labels is None else labels)
    wanted = {lab: i for i, lab in enumerate(labels)}
    remap = np.array([wanted.get(lab, -1) for lab in index] or [0], dtype=np.int64)
    t[2], p[2] = remap[t[2]], remap[p[2]]
    if len(wanted) < len(index):  # drop other labels, as nervaluate drops labels not in its tags
        t_doc, *t = (a[t[2] >= 0] for a in (t_doc, *t))
        p_doc, *p = (a[p[2] >= 0] for a in (p_doc, *p))
    n_docs, n_labels = len(doc_ids), len(labels)
    ep, et = _overlap_edges(p_doc, p[0], p[1], t_doc, t[0], t[1], min_overlap_percentage)
    overall_field, mixed, same = _greedy(ep, et, p, t)
    # Per label: nervaluate scores each label's entities alone. A component of the overlap graph
    # whose edges all join entities of one label has the same outcome; the others are re-solved.
    redo = np.zeros(len(p_doc), bool)
    redo[ep[mixed]] = True
    keep = mixed & same
    redo_t = np.zeros(len(t_doc), bool)
    redo_t[et[keep]] = True
    label_field = overall_field.copy()
    label_field[:, redo] = _greedy((np.cumsum(redo) - 1)[ep[keep]], (np.cumsum(redo_t) - 1)[et[keep]],
                                   tuple(a[redo] for a in p), tuple(a[redo_t] for a in t))[0]
    cube = _tally(n_docs, n_labels, p_doc, p[2], t_doc, t[2], overall_field, label_field)
    fields = tuple(f"{s}/{scope}/{f}" for scope in ("*", *labels) for s in SCHEMAS for f in ACTOR_FIELDS)
    return CountTable(tuple(doc_ids), fields, cube.reshape(n_docs, len(fields)), labels,
                      params={"min_overlap_percentage": min_overlap_percentage})


def _actor_prf(sums: np.ndarray, n_labels: int, schema: str):
    """(precision, recall, f1), each (batch, 1 + labels), for one schema of summed actor rows."""
    c = sums.reshape(len(sums), 1 + n_labels, len(SCHEMAS), 5)[:, :, SCHEMAS.index(schema)].astype(np.float64)
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
        counts = total.reshape(1 + n, len(SCHEMAS), 5)[:, SCHEMAS.index(schema)]
        prf = [v[0] for v in _actor_prf(total, n, schema)]

        def block(i: int) -> dict:
            c = dict(zip(ACTOR_FIELDS, map(int, counts[i])))
            c["possible"] = c["correct"] + c["incorrect"] + c["partial"] + c["missed"]
            c["actual"] = c["correct"] + c["incorrect"] + c["partial"] + c["spurious"]
            return c | {m: as_number(prf[k][i]) for k, m in enumerate(PRF)}

        macro = {m: as_number(_nanmean(prf[k][None, 1:])[0]) for k, m in enumerate(PRF)}
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
    keep = [i for i in range(len(labels)) if cm[i].sum() + cm[:, i].sum() > 0]
    present = [labels[i] for i in keep]
    out: dict = {"n": int(cm.sum()), "labels": present, "confusion": [], "accuracy": None, "macro_f1": None,
                 "f_favor": None, "f_against": None, "f_avg": None}
    if not present:
        return out
    g_idx, p_idx = np.nonzero(cm)
    lab = np.array(labels, dtype=object)
    y_true = np.repeat(lab[g_idx], cm[g_idx, p_idx]).tolist()
    y_pred = np.repeat(lab[p_idx], cm[g_idx, p_idx]).tolist()
    fa = f1_score(y_true, y_pred, labels=list(labels[:2]), average=None, zero_division=np.nan)
    out.update(accuracy=float(accuracy_score(y_true, y_pred)),
               macro_f1=float(f1_score(y_true, y_pred, labels=present, average="macro")),
               f_favor=as_number(fa[0]), f_against=as_number(fa[1]),
               confusion=confusion_matrix(y_true, y_pred, labels=list(labels))[np.ix_(keep, keep)].tolist())
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
                 labels: Sequence[str] | None = None, none: str = "none") -> CountTable:
    """Per-document claim counts under ``rule``: :data:`CLAIM_FIELDS` then the stance confusion
    of matched claims (``stance:gold:pred``; a missing stance counts as ``none``, the schema's no-stance label).

    Of the matched claims, ``speaker_correct`` also have the right speaker (both None, or the
    two speaker actors' spans match under ``rule``): the end-to-end true positives;
    ``stance_correct`` have in addition the same stance and target."""
    pairs = align_records(gold, pred)
    seen = {c.get("stance") or none for pair in pairs for r in pair for c in r.get("claims") or ()}
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
            if gs is None or ps is None:
                speaker = gs is None and ps is None
            else:
                speaker = rule.score(gs, ps) is not None
            sa, sb = a.get("stance") or none, b.get("stance") or none
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
                        "accuracy": as_number(_divide(c["speaker_correct"], c["matched"]))},
            "end_to_end": _prf_dict(c["speaker_correct"], c["pred"], c["gold"]),
            "end_to_end_stance": _prf_dict(c["stance_correct"], c["pred"], c["gold"]),
            "stance": {key: stance[key] for key in ("n", "labels", "macro_f1", "confusion")}}


def claim_scores(gold: Sequence[Record], pred: Sequence[Record], rule: MatchRule = MatchRule(), **kwargs) -> dict:
    """:func:`claim_scores_from_counts` of :func:`claim_counts`."""
    return claim_scores_from_counts(claim_counts(gold, pred, rule, **kwargs))


# ---------------------------------------------------------------- document stance

def doc_stance_counts(gold: Sequence[Record], pred: Sequence[Record], *, labels: Sequence[str] | None = None,
                      targets: Sequence[str] | None = None, none: str = "none") -> CountTable:
    """Per-document confusion counts ``target:gold:pred`` of the stance per target. Evaluated
    are the targets in each gold record's ``doc_stances``; a target the prediction lacks is
    ``none`` (the schema's no-stance label); predicted targets absent from gold are ignored. Default
    targets: all in gold, sorted."""
    pairs = align_records(gold, pred)
    seen = {s or none for pair in pairs for r in pair for s in (r.get("doc_stances") or {}).values()}
    labels = _stance_labels(seen, labels)
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
