"""Actor spans under the SemEval-2013 schemas, counted exactly as nervaluate 1.2.1 counts them.

**The rules (nervaluate's).** Predictions are taken in list order; each takes one gold span
still free, in list order, by one of three *algorithms*:

- ``STRICT`` and ``EXACT``: the first free gold span with the same boundaries (and, for
  STRICT, the same label) makes the prediction *correct*; failing that, the first free gold
  span it overlaps makes it *incorrect*;
- ``ENT_TYPE``: of the free overlapping gold spans with its label, the one with the closest
  boundaries makes it *correct*; failing that, the first free overlapping one of another label
  makes it *incorrect*.

A prediction that takes nothing is *spurious*; a gold span taken by nobody is *missed*. The
four schemas are read off the three algorithms: ``strict`` = STRICT, ``exact`` = EXACT,
``partial`` = EXACT with "incorrect" renamed "partial", ``ent_type`` = ENT_TYPE. "Overlap"
means covering at least ``min_overlap_percentage`` % of the gold span. Per label, each label's
spans are matched alone (so within one label strict = exact).

**The engine (why it is fast).** Rather than loop over predictions, it works on the *overlap
graph*: one node per span, an edge between a prediction and a gold span that overlap. The
greedy choices above only interact within a connected component of that graph, and almost
every component is small and simple:

1. :func:`overlapping_pairs` finds all edges at once: an interval join of the spans sorted
   by (document, start) with ``searchsorted``.
2. :func:`match_greedily` solves the two common shapes with array operations: a *prediction
   star* (a prediction whose gold spans overlap no other prediction) is correct if any of its
   edges qualifies, else incorrect; a *gold star* (a gold span whose predictions overlap no
   other gold span) goes to the first prediction in list order, the rest are spurious.
   Everything else (chains, crossings) is *replayed* with nervaluate's own loops
   (:func:`replay_greedy`), which is exact and rare.
3. :func:`tally` turns each prediction's outcome into per-document counts with ``bincount``.

Worked example (one document, labels P and S; half-open offsets)::

    gold: g0 = [0, 5) P     g1 = [10, 20) S
    pred: p0 = [0, 5) P     p1 = [12, 20) P     p2 = [30, 34) S

    edges: p0-g0 (same bounds, same label), p1-g1 (overlap, other label); p2 has none.
    p0-g0 and p1-g1 are both stars:
      STRICT/EXACT: p0 correct; p1 incorrect (bounds differ)   -> g1 is not missed
      ENT_TYPE:     p0 correct; p1 incorrect (label differs)
      p2: spurious everywhere.
    strict  = correct 1, incorrect 1, spurious 1, missed 0: P = 1/3, R = 1/2
    partial = correct 1, partial 1,   spurious 1, missed 0: P = (1 + 0.5) / 3, R = (1 + 0.5) / 2

Documents are processed in chunks of :data:`CHUNK_SPANS` spans, so memory stays bounded at
any corpus size; spans can also arrive as arrays (:func:`actor_counts_from_arrays`), e.g.
straight from Parquet or a Hugging Face dataset, without a Python loop over spans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from enum import IntEnum
from itertools import chain, pairwise
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from ..errors import ToolkitError
from ..records import Actor, Record
from .matching import by_doc
from .table import PRF, CountTable, Metric, as_number, nanmean, prf

SCHEMAS = ("strict", "exact", "partial", "ent_type")
ACTOR_FIELDS = ("correct", "incorrect", "partial", "missed", "spurious")
CORRECT, INCORRECT, PARTIAL, MISSED, SPURIOUS = range(len(ACTOR_FIELDS))
CHUNK_SPANS = 4_000_000  # gold + predicted spans scored at once (about 0.5 GiB of work arrays)


class Algorithm(IntEnum):
    """nervaluate's three matching passes (see the module docstring)."""

    STRICT = 0
    EXACT = 1
    ENT_TYPE = 2


class Outcome(IntEnum):
    """What one algorithm decided for a prediction; the value is its column in ACTOR_FIELDS."""

    CORRECT = CORRECT
    INCORRECT = INCORRECT
    SPURIOUS = SPURIOUS


class Spans(NamedTuple):
    """Spans as parallel arrays: document index, start, *inclusive* end, label index."""

    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray

    def select(self, mask_or_index) -> Spans:
        return Spans(*(a[mask_or_index] for a in self))

    @property
    def size(self) -> int:
        """The number of spans."""
        return len(self.doc)


class LabelIndex(dict):
    """Label -> first-seen index, growing on lookup."""

    def __missing__(self, key):
        self[key] = len(self)
        return self[key]


def flatten_spans(lists: Sequence[Sequence[dict]], doc_ids: Sequence[str], side: str, index: LabelIndex) -> Spans:
    """The actors of every document as :class:`Spans`, in list order (one pass over the dicts)."""
    lens = list(map(len, lists))
    flat = chain.from_iterable
    try:  # the three lock-step iterators read each actor while it is in cache
        values = np.fromiter(
            flat(
                zip(
                    map(itemgetter("start"), flat(lists)),
                    map(itemgetter("end"), flat(lists)),
                    map(index.__getitem__, map(itemgetter("label"), flat(lists))),
                    strict=True,
                )
            ),
            dtype=np.int64,
            count=3 * sum(lens),
        ).reshape(-1, 3)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise ToolkitError(f"{side}: an actor has no integer start/end or no label ({exc!r})") from None
    doc = np.repeat(np.arange(len(lists), dtype=np.int64), lens)
    spans = Spans(doc, values[:, 0].copy(), values[:, 1] - 1, values[:, 2].copy())
    check_spans(spans, doc_ids, side)
    return spans


def check_spans(spans: Spans, doc_ids: Sequence[str], side: str) -> None:
    """:class:`ToolkitError` naming the first empty or negative span."""
    bad = np.flatnonzero((spans.start < 0) | (spans.end < spans.start))
    if bad.size:
        i = int(bad[0])
        raise ToolkitError(
            f"{side}: document {doc_ids[spans.doc[i]]!r}: actor span "
            f"[{spans.start[i]}, {spans.end[i] + 1}) is empty or negative"
        )


def overlapping_pairs(pred: Spans, true: Spans, min_pct: float) -> tuple[np.ndarray, np.ndarray]:
    """All (prediction, gold) index pairs in the same document that overlap enough
    (overlap / gold length * 100 >= ``min_pct``), sorted by prediction then gold list order.

    An interval join: with keys ``doc * big + offset`` (one number orders by document, then
    offset), the gold spans overlapping a prediction are a contiguous run of the gold spans
    sorted by start key: from the first whose running maximum end reaches the prediction's
    start, to the last that starts before the prediction's end.
    """
    if not pred.size or not true.size:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    big = int(max(pred.end.max(), true.end.max())) + 2
    if max(int(true.doc.max()), int(pred.doc.max())) + 1 > (2**62) // big:
        raise ToolkitError("actor offsets are too large to score")
    start_key = true.doc * big + true.start
    order: np.ndarray
    if np.all(start_key[1:] >= start_key[:-1]):  # already sorted (gold in text order): no sort, no copies
        order, ts, te = np.arange(true.size), true.start, true.end
    else:
        order = np.argsort(start_key, kind="stable")
        start_key, ts, te = start_key[order], true.start[order], true.end[order]
    running_end = np.maximum.accumulate(true.doc[order] * big + te)
    lo = np.searchsorted(running_end, pred.doc * big + pred.start, "left")
    hi = np.searchsorted(start_key, pred.doc * big + pred.end, "right")
    n = np.maximum(hi - lo, 0)
    p_idx = np.repeat(np.arange(pred.size), n)
    pos = np.arange(len(p_idx)) + np.repeat(lo - (np.cumsum(n) - n), n)
    te, ts, ps = te[pos], ts[pos], pred.start[p_idx]
    overlap = np.minimum(pred.end[p_idx], te) - np.maximum(ps, ts) + 1
    keep = (te >= ps) & ((overlap / (te - ts + 1)) * 100.0 >= min_pct)
    return p_idx[keep], order[pos[keep]]


def replay_greedy(
    adj: dict[int, list[int]], p: Spans, t: Spans, outcome: np.ndarray, took: np.ndarray | None = None
) -> None:
    """nervaluate's greedy loops, verbatim, for the predictions of ``adj`` in list order;
    ``adj[q]`` lists the gold spans that overlap prediction ``q``, in list order. Writes
    ``outcome[algorithm, q]`` and, if given, ``took[algorithm, q]``: the gold span it took."""
    qs = np.array(list(adj))
    gs = np.unique(np.concatenate([np.array(v) for v in adj.values()]))
    ps, pe, pl = (dict(zip(qs.tolist(), a[qs].tolist(), strict=True)) for a in (p.start, p.end, p.label))
    ts, te, tl = (dict(zip(gs.tolist(), a[gs].tolist(), strict=True)) for a in (t.start, t.end, t.label))
    for algorithm in Algorithm:
        taken: set[int] = set()
        for q, golds in adj.items():
            hit = wrong = best = None
            for g in golds:
                if g in taken:
                    continue
                if algorithm in (Algorithm.STRICT, Algorithm.EXACT):
                    same_bounds = ps[q] == ts[g] and pe[q] == te[g]
                    if same_bounds and (algorithm == Algorithm.EXACT or pl[q] == tl[g]):
                        hit = g
                        break
                    if wrong is None:
                        wrong = g
                elif pl[q] == tl[g]:
                    distance = abs(ps[q] - ts[g]) + abs(pe[q] - te[g])
                    if best is None or distance < best:
                        hit, best = g, distance
                elif wrong is None:
                    wrong = g
            chosen = hit if hit is not None else wrong
            if chosen is not None:
                outcome[algorithm, q] = Outcome.CORRECT if hit is not None else Outcome.INCORRECT
                taken.add(chosen)
                if took is not None:
                    took[algorithm, q] = chosen


class ActorOutcomes(NamedTuple):
    """What :func:`actor_outcomes` decided for one document, by list index."""

    pred: list[str]  # per predicted actor: "correct", "incorrect", "spurious", or "ignored" (label not scored)
    took: list[int | None]  # per predicted actor: the gold actor it took (correct or incorrect), else None
    gold: list[int | None]  # per gold actor: the prediction that took it; None if missed (or ignored)


def actor_outcomes(
    gold: Sequence[Actor],
    pred: Sequence[Actor],
    labels: Sequence[str],
    *,
    schema: str = "strict",
    min_overlap_percentage: float = 1.0,
) -> ActorOutcomes:
    """One document's actors as :func:`actor_counts` scores them (labels pooled, its "*" scope),
    span by span: each prediction's outcome under ``schema`` and which gold span it took,
    and each gold span's fate. ``labels`` are the scored labels (others are "ignored").

    nervaluate's own loops (:func:`replay_greedy`) on the document's overlap graph, so the
    outcomes summed over documents are the counts of :func:`actor_counts` (a test checks it);
    for error lists and reports, not for scoring a corpus."""
    if schema not in SCHEMAS:
        raise ToolkitError(f"unknown actor schema {schema!r}")
    algorithm = {"strict": Algorithm.STRICT, "ent_type": Algorithm.ENT_TYPE}.get(schema, Algorithm.EXACT)
    wanted = {label: i for i, label in enumerate(labels)}
    gi = [i for i, a in enumerate(gold) if a.get("label") in wanted]
    pi = [i for i, a in enumerate(pred) if a.get("label") in wanted]

    def spans(actors: Sequence[Actor], keep: list[int]) -> Spans:
        rows = np.array(
            [(actors[i]["start"], actors[i]["end"] - 1, wanted[actors[i]["label"]]) for i in keep], dtype=np.int64
        ).reshape(-1, 3)
        return Spans(np.zeros(len(keep), np.int64), rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].copy())

    t, p = spans(gold, gi), spans(pred, pi)
    outcome = np.full((len(Algorithm), p.size), Outcome.SPURIOUS, np.int8)
    took = np.full((len(Algorithm), p.size), -1, np.int64)
    ep, et = overlapping_pairs(p, t, min_overlap_percentage)
    if len(ep):
        adj: dict[int, list[int]] = defaultdict(list)
        for q, g in sorted(zip(ep.tolist(), et.tolist(), strict=True)):
            adj[q].append(g)
        replay_greedy(adj, p, t, outcome, took)
    names = {Outcome.CORRECT: "correct", Outcome.INCORRECT: "incorrect", Outcome.SPURIOUS: "spurious"}
    out_pred: list[str] = ["ignored"] * len(pred)
    out_took: list[int | None] = [None] * len(pred)
    out_gold: list[int | None] = [None] * len(gold)
    for q, i in enumerate(pi):
        out_pred[i] = names[Outcome(int(outcome[algorithm, q]))]
        if took[algorithm, q] >= 0:
            g = gi[int(took[algorithm, q])]
            out_took[i], out_gold[g] = g, i
    return ActorOutcomes(out_pred, out_took, out_gold)


class Matching(NamedTuple):
    """What :func:`match_greedily` decided."""

    outcome: np.ndarray  # (3 algorithms, predictions) of Outcome values
    mixed: np.ndarray  # edge mask: components that join spans of different labels
    same_label: np.ndarray  # edge mask: the edge joins two spans of one label


def match_greedily(ep: np.ndarray, et: np.ndarray, p: Spans, t: Spans) -> Matching:
    """nervaluate's greedy matching of predictions ``p`` to gold spans ``t`` given the overlap
    edges ``ep[i] -> et[i]`` (sorted by prediction), for the three algorithms at once.

    Stars of the overlap graph are solved with arrays (see the module docstring); the other
    components are replayed. Why per-edge bits: edge ``i`` is correct for algorithm ``a`` when
    bit ``a`` of ``ok[i]`` is set, so "any edge of this prediction qualifies" is a bitwise OR.
    """
    n_p, n_t = p.size, t.size
    outcome = np.full((len(Algorithm), n_p), Outcome.SPURIOUS, np.int8)
    same_bounds = ((p.start[ep] == t.start[et]) & (p.end[ep] == t.end[et])).view(np.uint8)
    same = (p.label[ep] == t.label[et]).view(np.uint8)
    ok = ((same_bounds & same) << Algorithm.STRICT) | (same_bounds << Algorithm.EXACT) | (same << Algorithm.ENT_TYPE)

    def settle(preds: np.ndarray, bits: np.ndarray) -> None:  # each of ``preds`` takes a gold span
        for algorithm in Algorithm:
            correct = (bits >> algorithm) & 1
            outcome[algorithm, preds] = np.where(correct == 1, Outcome.CORRECT, Outcome.INCORRECT)

    deg_p, deg_t = np.bincount(ep, minlength=n_p), np.bincount(et, minlength=n_t)
    pred_star = np.bincount(ep[deg_t[et] > 1], minlength=n_p)[ep] == 0
    true_star = ~pred_star & (np.bincount(et[deg_p[ep] > 1], minlength=n_t)[et] == 0)
    rest = ~pred_star & ~true_star
    # prediction stars: correct if any edge qualifies
    e = np.flatnonzero(pred_star)
    one = deg_p[ep[e]] == 1
    settle(ep[e[one]], ok[e[one]])
    e = e[~one]
    first = np.flatnonzero(np.diff(ep[e], prepend=-1))
    if len(first):
        settle(ep[e[first]], np.bitwise_or.reduceat(ok[e], first))
    # gold stars: the first prediction in list order takes the gold span
    e = np.flatnonzero(true_star)
    e = e[np.argsort(et[e] * n_p + ep[e])]
    e = e[np.diff(et[e], prepend=-1) != 0]
    settle(ep[e], ok[e])
    if rest.any():
        adj: dict[int, list[int]] = defaultdict(list)
        for q, g in sorted(zip(ep[rest].tolist(), et[rest].tolist(), strict=True)):
            adj[q].append(g)
        replay_greedy(adj, p, t, outcome)
    cross = ~same.view(bool)
    cross_p, cross_t = np.bincount(ep[cross], minlength=n_p) > 0, np.bincount(et[cross], minlength=n_t) > 0
    mixed = rest | (pred_star & cross_p[ep]) | (true_star & cross_t[et])
    return Matching(outcome, mixed, same.view(bool))


def per_label_outcome(ep: np.ndarray, et: np.ndarray, p: Spans, t: Spans, overall: Matching) -> np.ndarray:
    """Outcomes when each label's spans are matched alone: the same as overall, except in
    components that join spans of different labels, which are re-solved without their
    cross-label edges."""
    redo_p = np.zeros(p.size, bool)
    redo_p[ep[overall.mixed]] = True
    keep = overall.mixed & overall.same_label
    redo_t = np.zeros(t.size, bool)
    redo_t[et[keep]] = True
    outcome = overall.outcome.copy()
    if redo_p.any():
        sub = match_greedily(
            (np.cumsum(redo_p) - 1)[ep[keep]], (np.cumsum(redo_t) - 1)[et[keep]], p.select(redo_p), t.select(redo_t)
        )
        outcome[:, redo_p] = sub.outcome
    return outcome


def tally(n_docs: int, n_labels: int, p: Spans, t: Spans, *, overall: np.ndarray, per_label: np.ndarray) -> np.ndarray:
    """Counts (docs, 1 + labels, schemas, ACTOR_FIELDS): scope 0 is all labels pooled, scope
    1 + i is label i. A gold span is missed unless a prediction is correct or incorrect on it."""
    strict, exact, partial, ent_type = range(len(SCHEMAS))
    out = np.zeros((n_docs, 1 + n_labels, len(SCHEMAS), len(ACTOR_FIELDS)), np.int32)
    scopes = (
        (
            slice(0, 1),
            1,
            p.doc,
            t.doc,
            overall,
            ((strict, Algorithm.STRICT), (exact, Algorithm.EXACT), (ent_type, Algorithm.ENT_TYPE)),
        ),
        (
            slice(1, None),
            n_labels,
            p.doc * n_labels + p.label,
            t.doc * n_labels + t.label,
            per_label,
            ((exact, Algorithm.EXACT), (ent_type, Algorithm.ENT_TYPE)),
        ),
    )
    for scope, k, p_group, t_group, outcome, pairs in scopes:
        golds = np.bincount(t_group, minlength=n_docs * k).reshape(n_docs, k)
        for schema, algorithm in pairs:
            cells = p_group * len(ACTOR_FIELDS) + outcome[algorithm]
            counts = np.bincount(cells, minlength=n_docs * k * len(ACTOR_FIELDS)).reshape(n_docs, k, len(ACTOR_FIELDS))
            counts[..., MISSED] = golds - counts[..., CORRECT] - counts[..., INCORRECT]
            out[:, scope, schema] = counts
    out[:, 1:, strict] = out[:, 1:, exact]  # one label alone: same bounds is the whole of strict
    out[:, :, partial] = out[:, :, exact]
    out[:, :, partial, PARTIAL] = out[:, :, exact, INCORRECT]  # partial: "incorrect" counts as partial
    out[:, :, partial, INCORRECT] = 0
    return out


def _chunks(p: Spans, t: Spans, n_docs: int):
    """Consecutive document ranges holding about :data:`CHUNK_SPANS` spans each (spans are in
    document order), with the spans of each range."""
    if p.size + t.size <= CHUNK_SPANS:
        yield 0, n_docs, p, t
        return
    per_doc = np.bincount(p.doc, minlength=n_docs) + np.bincount(t.doc, minlength=n_docs)
    bounds = np.searchsorted(np.cumsum(per_doc), np.arange(CHUNK_SPANS, per_doc.sum(), CHUNK_SPANS), "right")
    edges = [0, *sorted(set(bounds.tolist()) - {0, n_docs}), n_docs]
    for a, b in pairwise(edges):
        pa, pb = np.searchsorted(p.doc, [a, b])
        ta, tb = np.searchsorted(t.doc, [a, b])
        yield a, b, _shifted(p.select(slice(pa, pb)), a), _shifted(t.select(slice(ta, tb)), a)


def _shifted(spans: Spans, first_doc: int) -> Spans:
    """``spans`` with document numbers counted from ``first_doc``."""
    return Spans(spans.doc - first_doc, spans.start, spans.end, spans.label)


def spans_from_arrow(column, labels: Sequence[str]) -> Spans:
    """:class:`Spans` of an Arrow list-of-struct column (one list of ``{start, end, label}`` per
    document, as in Parquet predictions or a Hugging Face dataset), without a Python loop over
    spans: the document index comes from the list offsets, the fields are zero-copy columns,
    labels are dictionary-encoded once and mapped to indices into ``labels`` (-1: ignored)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    flat = column.flatten()
    doc = np.asarray(pc.list_parent_indices(column), dtype=np.int64)  # type: ignore[attr-defined]  # pc functions are generated at import
    start = np.asarray(flat.field("start").to_numpy(zero_copy_only=False), dtype=np.int64)
    end = np.asarray(flat.field("end").to_numpy(zero_copy_only=False), dtype=np.int64) - 1
    encoded = pc.dictionary_encode(flat.field("label"))  # type: ignore[attr-defined]  # generated at import
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    wanted = {label: i for i, label in enumerate(labels)}
    remap = np.array([wanted.get(str(v), -1) for v in encoded.dictionary.to_pylist()] or [-1], dtype=np.int64)
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return Spans(doc, start, end, remap[codes] if len(codes) else codes)


def actor_counts_from_arrays(
    doc_ids: Sequence[str], gold: Spans, pred: Spans, labels: Sequence[str], min_overlap_percentage: float = 1.0
) -> CountTable:
    """:func:`actor_counts` for spans that arrive as arrays (label indices into ``labels``,
    ``-1`` for a label to ignore; inclusive ends; spans in document order)."""
    if not 1.0 <= min_overlap_percentage <= 100.0:
        raise ToolkitError("min_overlap_percentage must be between 1.0 and 100.0")
    gold, pred = (spans if np.all(spans.label >= 0) else spans.select(spans.label >= 0) for spans in (gold, pred))
    for side, spans in (("gold", gold), ("predictions", pred)):
        if spans.size and np.any(np.diff(spans.doc) < 0):
            raise ToolkitError(f"{side}: spans must be in document order")
    n_docs, n_labels = len(doc_ids), len(labels)
    cube = np.zeros((n_docs, 1 + n_labels, len(SCHEMAS), len(ACTOR_FIELDS)), np.int32)
    for a, b, p, t in _chunks(pred, gold, n_docs):
        ep, et = overlapping_pairs(p, t, min_overlap_percentage)
        overall = match_greedily(ep, et, p, t)
        cube[a:b] = tally(
            b - a, n_labels, p, t, overall=overall.outcome, per_label=per_label_outcome(ep, et, p, t, overall)
        )
    fields = tuple(f"{s}/{scope}/{f}" for scope in ("*", *labels) for s in SCHEMAS for f in ACTOR_FIELDS)
    return CountTable(
        tuple(doc_ids),
        fields,
        cube.reshape(n_docs, len(fields)),
        tuple(labels),
        params={"min_overlap_percentage": min_overlap_percentage},
    )


def actor_counts(
    gold: Sequence[Record],
    pred: Sequence[Record],
    *,
    labels: Sequence[str] | None = None,
    min_overlap_percentage: float = 1.0,
) -> CountTable:
    """Per-document SemEval-2013 counts of actor spans, exactly as nervaluate 1.2.1 counts them.

    Columns are ``schema/scope/field`` (scope-major): ``scope`` ``*`` (all labels pooled:
    nervaluate's "overall") then each label, ``schema`` in :data:`SCHEMAS`, ``field`` in
    :data:`ACTOR_FIELDS`; ``rows.reshape(docs, 1 + labels, 4, 5)``. ``labels`` (like
    nervaluate's ``tags``) fixes the label order and drops other labels; default: every label
    in gold or predictions, sorted. Pass the same ``labels`` to compare two systems.
    ``min_overlap_percentage`` is nervaluate's (share of the gold span that must be covered).
    The matching rules are in the module docstring.
    """
    doc_ids, gold_lists, pred_lists = by_doc(gold, pred, "actors")
    index = LabelIndex()
    t = flatten_spans(gold_lists, doc_ids, "gold", index)
    p = flatten_spans(pred_lists, doc_ids, "predictions", index)
    labels = tuple(sorted(index) if labels is None else labels)
    wanted = {label: i for i, label in enumerate(labels)}
    remap = np.array([wanted.get(label, -1) for label in index] or [0], dtype=np.int64)
    return actor_counts_from_arrays(
        doc_ids, t._replace(label=remap[t.label]), p._replace(label=remap[p.label]), labels, min_overlap_percentage
    )


def _actor_prf(sums: np.ndarray, n_labels: int, schema: str):
    """(precision, recall, f1), each (batch, 1 + labels), for one schema of summed actor rows."""
    c = sums.reshape(len(sums), 1 + n_labels, len(SCHEMAS), 5)[:, :, SCHEMAS.index(schema)].astype(np.float64)
    correct, incorrect, partial, missed, spurious = np.moveaxis(c, -1, 0)
    tp = correct + 0.5 * partial if schema in ("partial", "ent_type") else correct
    return prf(tp, correct + incorrect + partial + spurious, correct + incorrect + partial + missed)


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
            return nanmean(values[:, 1:])
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
        values = [v[0] for v in _actor_prf(total, n, schema)]

        def block(i: int, counts=counts, values=values) -> dict:
            c = dict(zip(ACTOR_FIELDS, map(int, counts[i]), strict=True))
            c["possible"] = c["correct"] + c["incorrect"] + c["partial"] + c["missed"]
            c["actual"] = c["correct"] + c["incorrect"] + c["partial"] + c["spurious"]
            return c | {m: as_number(values[k][i]) for k, m in enumerate(PRF)}

        macro = {m: as_number(nanmean(values[k][None, 1:])[0]) for k, m in enumerate(PRF)}
        out["schemas"][schema] = {
            "micro": block(0),
            "macro": macro,
            "per_label": {lab: block(1 + i) for i, lab in enumerate(table.labels)},
        }
    return out


def actor_scores(gold: Sequence[Record], pred: Sequence[Record], **kwargs) -> dict:
    """:func:`actor_scores_from_counts` of :func:`actor_counts` (same keyword arguments)."""
    return actor_scores_from_counts(actor_counts(gold, pred, **kwargs))
