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
every component is tiny:

1. :func:`overlapping_pairs` finds all edges at once: an interval join of the spans sorted
   by (document, start) with ``searchsorted``.
2. :func:`match_greedily` decides every prediction for the three algorithms at once. A
   *single edge* (a prediction and a gold span that overlap nothing else, nearly every edge)
   is correct if it qualifies, else incorrect. Of the rest, a *prediction star* (a prediction
   whose gold spans overlap no other prediction) is correct if any of its edges qualifies,
   else incorrect; a *gold star* (a gold span whose predictions overlap no other gold span)
   goes to the first prediction in list order, the rest are spurious. Everything else
   (chains, crossings) is *replayed* with nervaluate's own loops (:func:`replay_greedy`),
   which is exact and rare. :func:`match_per_label` re-solves, without their cross-label
   edges, the few components that join spans of different labels.
3. :func:`tally` turns each prediction's outcome into per-document counts with ``bincount``.

Worked example (one document, labels P and S; half-open offsets)::

    gold: g0 = [0, 5) P     g1 = [10, 20) S
    pred: p0 = [0, 5) P     p1 = [12, 20) P     p2 = [30, 34) S

    edges: p0-g0 (same bounds, same label), p1-g1 (overlap, other label); p2 has none.
    p0-g0 and p1-g1 are both single edges:
      STRICT/EXACT: p0 correct; p1 incorrect (bounds differ)   -> g1 is not missed
      ENT_TYPE:     p0 correct; p1 incorrect (label differs)
      p2: spurious everywhere.
    strict  = correct 1, incorrect 1, spurious 1, missed 0: P = 1/3, R = 1/2
    partial = correct 1, partial 1,   spurious 1, missed 0: P = (1 + 0.5) / 3, R = (1 + 0.5) / 2
    per label: p1-g1 joins P to S, so alone p1 is a spurious P and g1 a missed S.

Documents are scored in chunks of about :data:`CHUNK_SPANS` spans, so the work arrays stay
small (in cache) and memory is bounded at any corpus size: besides the output table, one
chunk's spans at a time when they come from records. Spans can also arrive as arrays
(:func:`actor_counts_from_arrays`), e.g. straight from Parquet or a Hugging Face dataset
(:func:`spans_from_arrow`), without a Python loop over spans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
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
# Gold + predicted spans (+ 1 per document) scored at once: a few MiB of work arrays, which
# stay in the processor's cache; larger chunks are slower, smaller ones pay numpy's per-call cost.
CHUNK_SPANS = 1 << 17


class Algorithm(IntEnum):
    """nervaluate's three matching passes (see the module docstring)."""

    STRICT = 0
    EXACT = 1
    ENT_TYPE = 2


class Outcome(IntEnum):
    """What one algorithm decided for a prediction (small consecutive values: ``bincount`` cells)."""

    CORRECT = 0
    INCORRECT = 1
    SPURIOUS = 2


class Spans(NamedTuple):
    """Spans as parallel integer arrays: document index, start, *inclusive* end, label index."""

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


class Edges(NamedTuple):
    """Edges of the overlap graph, sorted by prediction: ``pred[i]`` overlaps ``gold[i]`` enough."""

    pred: np.ndarray  # prediction index
    gold: np.ndarray  # gold span index
    same_bounds: np.ndarray  # bool: the two spans have the same start and end
    same_label: np.ndarray  # bool: the two spans have the same label

    def select(self, mask_or_index) -> Edges:
        return Edges(*(a[mask_or_index] for a in self))


class LabelCodes(dict[str, int]):
    """Label -> its index in the scored labels; -1 (ignored) for any other label."""

    def __missing__(self, key: str) -> int:
        return -1


def all_labels(*lists: Sequence[Sequence[dict]]) -> tuple[str, ...]:
    """Every actor label in the documents ``lists``, sorted (nervaluate's default ``tags``)."""
    try:
        return tuple(sorted(set(map(itemgetter("label"), chain.from_iterable(chain.from_iterable(lists))))))
    except (KeyError, TypeError) as exc:
        raise ToolkitError(f"an actor has no label, or labels of mixed types ({exc!r})") from None


def spans_from_records(lists: Sequence[Sequence[dict]], lens: np.ndarray, codes: LabelCodes, side: str) -> Spans:
    """The actors of documents ``lists`` (``lens`` of them each) as :class:`Spans` (document
    ``i`` is ``lists[i]``), in list order, labels coded by ``codes``. One pass over the dicts:
    three lock-step iterators read each actor while it is in cache, straight into one array."""
    flat = chain.from_iterable
    try:
        values = np.fromiter(
            flat(
                zip(
                    map(itemgetter("start"), flat(lists)),
                    map(itemgetter("end"), flat(lists)),
                    map(codes.__getitem__, map(itemgetter("label"), flat(lists))),
                    strict=True,
                )
            ),
            dtype=np.int64,
            count=3 * int(lens.sum()),
        ).reshape(-1, 3)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise ToolkitError(f"{side}: an actor has no integer start/end or no label ({exc!r})") from None
    doc = np.repeat(np.arange(len(lists)), lens)
    return Spans(doc, values[:, 0].copy(), values[:, 1] - 1, values[:, 2].copy())


def spans_from_arrow(column, labels: Sequence[str]) -> Spans:
    """:class:`Spans` of an Arrow list-of-struct column (one list of ``{start, end, label}`` per
    document, as in Parquet predictions or a Hugging Face dataset), without a Python loop over
    spans: the document index comes from the list offsets, the fields are columns (kept in
    their own integer width: the engine widens a chunk at a time), labels (strings, or
    dictionary-encoded as Parquet stores them) are mapped to indices into ``labels`` through
    their dictionary (-1: ignored). Reading Parquet with ``read_dictionary=["<column>.list.element.label"]``
    keeps the labels encoded: a faster read, and no strings to hash here."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    flat = column.flatten()
    doc = np.asarray(pc.list_parent_indices(column), dtype=np.int64)  # type: ignore[attr-defined]  # pc functions are generated at import
    start, end = (_offsets_of(flat.field(name), name) for name in ("start", "end"))
    encoded = flat.field("label")
    if not pa.types.is_dictionary(encoded.type):
        encoded = pc.dictionary_encode(encoded)  # type: ignore[attr-defined]  # generated at import
    if not pa.types.is_string(encoded.dictionary.type) and not pa.types.is_large_string(encoded.dictionary.type):
        raise ToolkitError(f"actor labels must be strings (Arrow type {encoded.dictionary.type})")
    wanted = {label: i for i, label in enumerate(labels)}
    remap = np.array([*(wanted.get(v, -1) for v in encoded.dictionary.to_pylist()), -1], dtype=np.int32)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return Spans(doc, start, end - 1, remap[codes])  # a missing label (code -1) maps to remap[-1] = -1: ignored


def _offsets_of(array, name: str) -> np.ndarray:
    """An Arrow column of character offsets as a signed integer numpy array (zero-copy when it can be)."""
    import pyarrow as pa

    if array.null_count or not pa.types.is_integer(array.type):
        raise ToolkitError(f"an actor has no integer {name} (Arrow type {array.type})")
    values = array.to_numpy(zero_copy_only=False)
    return values if values.dtype.kind == "i" else values.astype(np.int64)  # unsigned: widened before "end - 1"


def check_spans(spans: Spans, doc_ids: Sequence[str], first_doc: int, side: str) -> None:
    """:class:`ToolkitError` naming the first empty or negative span (``spans.doc`` counts
    from document ``first_doc`` of ``doc_ids``)."""
    bad = np.flatnonzero((spans.start < 0) | (spans.end < spans.start))
    if bad.size:
        i = int(bad[0])
        raise ToolkitError(
            f"{side}: document {doc_ids[first_doc + int(spans.doc[i])]!r}: actor span "
            f"[{spans.start[i]}, {spans.end[i] + 1}) is empty or negative"
        )


def overlapping_pairs(pred: Spans, true: Spans, min_pct: float) -> Edges:
    """All (prediction, gold) pairs in the same document that overlap enough (overlap / gold
    length * 100 >= ``min_pct``, nervaluate's expression), sorted by prediction, then gold start.

    An interval join: with keys ``doc * big + offset`` (one number orders by document, then
    offset), the gold spans overlapping a prediction are within a contiguous run of the gold
    spans sorted by start key: from the first whose running maximum end reaches the
    prediction's start, to the last that starts before the prediction's end.
    """
    if not pred.size or not true.size:
        none = np.zeros(0, np.int64)
        return Edges(none, none, none.astype(bool), none.astype(bool))
    big = int(max(pred.end.max(), true.end.max())) + 2
    if max(int(true.doc[-1]), int(pred.doc[-1])) + 1 > (2**62) // big:  # docs are in order: the last is the largest
        raise ToolkitError("actor offsets are too large to score")
    start_key = true.doc * big + true.start
    order = None if np.all(start_key[1:] >= start_key[:-1]) else np.argsort(start_key, kind="stable")
    ts, te, tl, t_doc = true.start, true.end, true.label, true.doc
    if order is not None:  # gold not in text order (rare): sort it; already sorted needs no copies
        start_key, ts, te, tl, t_doc = start_key[order], ts[order], te[order], tl[order], t_doc[order]
    p_start_key = pred.doc * big + pred.start
    hi = np.searchsorted(start_key, pred.doc * big + pred.end, "right")  # past the last gold starting before the end
    lo = first_reaching(t_doc * big + te, p_start_key, hi)
    n = hi - lo
    if n.max() <= 1:  # the usual case: each prediction has at most one candidate
        p_idx = np.flatnonzero(n)
        pos = lo[p_idx]
    else:
        p_idx = np.repeat(np.arange(pred.size), n)
        pos = np.arange(len(p_idx)) + np.repeat(lo - (np.cumsum(n) - n), n)
    gs, ge, ps, pe = ts[pos], te[pos], pred.start[p_idx], pred.end[p_idx]
    overlap = np.minimum(pe, ge) - np.maximum(ps, gs) + 1  # <= 0 for a candidate that ends before
    keep = np.flatnonzero((overlap / (ge - gs + 1)) * 100.0 >= min_pct)
    same_bounds = ((gs == ps) & (ge == pe))[keep]
    p_idx, pos = p_idx[keep], pos[keep]
    return Edges(p_idx, pos if order is None else order[pos], same_bounds, pred.label[p_idx] == tl[pos])


def first_reaching(end_key: np.ndarray, keys: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per key, the first index ``i`` below ``hi`` with ``max(end_key[:i + 1]) >= key`` (else
    ``hi``): ``searchsorted`` on the running maximum, capped at ``hi``, without a binary search
    for the usual key, whose run of candidates below ``hi`` is empty or one long."""
    reach = np.empty(len(end_key) + 1, end_key.dtype)  # reach[i] = max(end_key[:i]); reach[0] below any key
    reach[0] = -1
    np.maximum.accumulate(end_key, out=reach[1:])
    lo = hi - (reach[hi] >= keys)
    more = reach[lo] >= keys
    if more.any():  # nested or overlapping gold spans: more than one candidate
        lo[more] = np.searchsorted(reach, keys[more], "left") - 1
    return lo


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


def adjacency(edges: Edges) -> dict[int, list[int]]:
    """Prediction -> the gold spans it overlaps, both in list order (what :func:`replay_greedy` walks)."""
    adj: dict[int, list[int]] = defaultdict(list)
    for q, g in sorted(zip(edges.pred.tolist(), edges.gold.tolist(), strict=True)):
        adj[q].append(g)
    return adj


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
    edges = overlapping_pairs(p, t, min_overlap_percentage)
    if len(edges.pred):
        replay_greedy(adjacency(edges), p, t, outcome, took)
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
    mixed: np.ndarray  # edge mask: the edge is in a component that joins spans of different labels


def qualifying_bits(edges: Edges) -> np.ndarray:
    """Per edge, bit ``a`` set when the edge would make its prediction correct under algorithm
    ``a`` (so "any edge of this prediction qualifies" is a bitwise OR)."""
    same_bounds, same = edges.same_bounds.view(np.uint8), edges.same_label.view(np.uint8)
    return ((same_bounds & same) << Algorithm.STRICT) | (same_bounds << Algorithm.EXACT) | (same << Algorithm.ENT_TYPE)


# SETTLED[algorithm][bits]: the outcome of a prediction that takes a gold span, by its edge's bits
SETTLED = np.array(
    [[Outcome.CORRECT if bits >> algorithm & 1 else Outcome.INCORRECT for bits in range(8)] for algorithm in Algorithm],
    np.int8,
)


def settle(outcome: np.ndarray, preds: np.ndarray, bits: np.ndarray) -> None:
    """Each of ``preds`` takes a gold span: correct under the algorithms whose bit is set, else incorrect."""
    for algorithm in Algorithm:
        outcome[algorithm][preds] = SETTLED[algorithm].take(bits)


def match_greedily(edges: Edges, p: Spans, t: Spans) -> Matching:
    """nervaluate's greedy matching of predictions ``p`` to gold spans ``t`` given the overlap
    ``edges`` (sorted by prediction), for the three algorithms at once: single edges here,
    larger components in :func:`match_larger_components` (see the module docstring)."""
    outcome = np.full((len(Algorithm), p.size), Outcome.SPURIOUS, np.int8)
    ok = qualifying_bits(edges)
    deg_p, deg_t = np.bincount(edges.pred, minlength=p.size), np.bincount(edges.gold, minlength=t.size)
    single = (deg_p[edges.pred] == 1) & (deg_t[edges.gold] == 1)
    settle(outcome, edges.pred[single], ok[single])
    mixed = single & ~edges.same_label
    larger = np.flatnonzero(~single)
    if larger.size:
        mixed[larger] = match_larger_components(
            edges.select(larger), ok[larger], p, t, deg_p=deg_p, deg_t=deg_t, outcome=outcome
        )
    return Matching(outcome, mixed)


def match_larger_components(
    e: Edges, ok: np.ndarray, p: Spans, t: Spans, *, deg_p: np.ndarray, deg_t: np.ndarray, outcome: np.ndarray
) -> np.ndarray:
    """:func:`match_greedily` for the edges ``e`` of components with more than one edge (given
    the degrees of every node): stars with arrays, the rest replayed. Returns the edges that
    are in a component joining spans of different labels."""
    dp, dt = deg_p[e.pred], deg_t[e.gold]
    pred_star = np.bincount(e.pred[dt > 1], minlength=p.size)[e.pred] == 0
    gold_star = ~pred_star & (np.bincount(e.gold[dp > 1], minlength=t.size)[e.gold] == 0)
    other = ~pred_star & ~gold_star
    # prediction stars: correct if any edge qualifies (a prediction's edges are consecutive)
    s = np.flatnonzero(pred_star)
    first = np.flatnonzero(np.diff(e.pred[s], prepend=-1))
    if first.size:
        settle(outcome, e.pred[s[first]], np.bitwise_or.reduceat(ok[s], first))
    # gold stars: the first prediction in list order takes the gold span, the others are spurious
    s = np.flatnonzero(gold_star)
    s = s[np.lexsort((e.pred[s], e.gold[s]))]
    s = s[np.diff(e.gold[s], prepend=-1) != 0]
    settle(outcome, e.pred[s], ok[s])
    if other.any():
        replay_greedy(adjacency(e.select(other)), p, t, outcome)
    cross = ~e.same_label
    cross_p, cross_t = (
        np.bincount(e.pred[cross], minlength=p.size) > 0,
        np.bincount(e.gold[cross], minlength=t.size) > 0,
    )
    return other | (pred_star & cross_p[e.pred]) | (gold_star & cross_t[e.gold])


def match_per_label(edges: Edges, p: Spans, t: Spans, overall: Matching) -> np.ndarray:
    """Outcomes when each label's spans are matched alone: the same as ``overall``, except in
    components that join spans of different labels, which are re-solved without their
    cross-label edges."""
    outcome = overall.outcome.copy()
    if not overall.mixed.any():
        return outcome
    redo_p = np.zeros(p.size, bool)
    redo_p[edges.pred[overall.mixed]] = True
    keep = overall.mixed & edges.same_label
    redo_t = np.zeros(t.size, bool)
    redo_t[edges.gold[keep]] = True
    sub_edges = Edges(
        (np.cumsum(redo_p) - 1)[edges.pred[keep]],
        (np.cumsum(redo_t) - 1)[edges.gold[keep]],
        edges.same_bounds[keep],
        edges.same_label[keep],
    )
    outcome[:, redo_p] = match_greedily(sub_edges, p.select(redo_p), t.select(redo_t)).outcome
    return outcome


def tally(out: np.ndarray, p: Spans, t: Spans, *, overall: np.ndarray, per_label: np.ndarray) -> None:
    """Fill ``out`` (docs, 1 + labels, schemas, ACTOR_FIELDS; zeros) with the counts: scope 0 is
    all labels pooled, scope 1 + i is label i. A gold span is missed unless a prediction is
    correct or incorrect on it; "partial" is exact with "incorrect" renamed."""
    n_docs, n_labels = out.shape[0], out.shape[1] - 1
    strict, exact, partial, ent_type = range(len(SCHEMAS))
    pooled = ((strict, Algorithm.STRICT), (exact, Algorithm.EXACT), (ent_type, Algorithm.ENT_TYPE))
    scopes = (
        (out[:, :1], p.doc, t.doc, overall, pooled),
        (out[:, 1:], p.doc * n_labels + p.label, t.doc * n_labels + t.label, per_label, pooled[1:]),
    )
    for view, p_group, t_group, outcome, pairs in scopes:
        k = view.shape[1]
        golds = np.bincount(t_group, minlength=n_docs * k).reshape(n_docs, k)
        cells = p_group * len(Outcome)
        for schema, algorithm in pairs:
            counts = np.bincount(cells + outcome[algorithm], minlength=n_docs * k * len(Outcome))
            counts = counts.reshape(n_docs, k, len(Outcome))
            fields = view[:, :, schema]
            fields[..., CORRECT] = counts[..., Outcome.CORRECT]
            fields[..., INCORRECT] = counts[..., Outcome.INCORRECT]
            fields[..., SPURIOUS] = counts[..., Outcome.SPURIOUS]
            fields[..., MISSED] = golds - counts[..., Outcome.CORRECT] - counts[..., Outcome.INCORRECT]
    out[:, 1:, strict] = out[:, 1:, exact]  # one label alone: same bounds is the whole of strict
    out[:, :, partial] = out[:, :, exact]
    out[:, :, partial, PARTIAL] = out[:, :, exact, INCORRECT]
    out[:, :, partial, INCORRECT] = 0


def score_chunk(out: np.ndarray, pred: Spans, gold: Spans, min_pct: float) -> None:
    """Fill ``out`` (a chunk's documents, 1 + labels, schemas, ACTOR_FIELDS; zeros) with the
    counts of spans ``pred`` and ``gold`` (document numbers from 0 in the chunk); spans of
    ignored labels (-1) are dropped first."""
    pred, gold = (s if not s.size or s.label.min() >= 0 else s.select(s.label >= 0) for s in (pred, gold))
    edges = overlapping_pairs(pred, gold, min_pct)
    overall = match_greedily(edges, pred, gold)
    tally(out, pred, gold, overall=overall.outcome, per_label=match_per_label(edges, pred, gold, overall))


def document_ranges(spans_per_doc: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive document ranges ``[a, b)`` of about :data:`CHUNK_SPANS` spans each (a
    document counts one more, so that empty documents are chunked too; none is cut)."""
    n_docs = len(spans_per_doc)
    ends = np.cumsum(spans_per_doc + 1)
    cuts = np.searchsorted(ends, np.arange(CHUNK_SPANS, int(ends[-1]) if n_docs else 0, CHUNK_SPANS), "right")
    edges = [0, *sorted(set(cuts.tolist()) - {0, n_docs}), n_docs]
    return [(a, b) for a, b in pairwise(edges) if b > a]


def record_chunks(
    gold_lists: Sequence[Sequence], pred_lists: Sequence[Sequence]
) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """Like :func:`document_ranges`, ``(a, b, gold lens, pred lens)`` for lists of actors, each
    chunk's list lengths read just before its actors are (the lists are then in cache: at
    corpus scale every list is a cache miss). The number of documents to look at next is
    estimated from the spans per document so far, and cut back to :data:`CHUNK_SPANS`."""
    a, n_docs, per_doc = 0, len(gold_lists), 20.0
    while a < n_docs:
        b = min(n_docs, a + max(1, int(CHUNK_SPANS / (per_doc + 1))))
        gold_lens, pred_lens = (
            np.fromiter(map(len, lists[a:b]), np.int64, count=b - a) for lists in (gold_lists, pred_lists)
        )
        fit = int(np.searchsorted(np.cumsum(gold_lens + pred_lens + 1), CHUNK_SPANS, "right"))
        b = a + max(1, min(fit, b - a))
        per_doc = 0.5 * per_doc + 0.5 * (gold_lens[: b - a].sum() + pred_lens[: b - a].sum()) / (b - a)
        yield a, b, gold_lens[: b - a], pred_lens[: b - a]
        a = b


def check_min_overlap(min_overlap_percentage: float) -> None:
    """nervaluate's bounds on ``min_overlap_percentage``."""
    if not 1.0 <= min_overlap_percentage <= 100.0:
        raise ToolkitError("min_overlap_percentage must be between 1.0 and 100.0")


def count_table(doc_ids: Sequence[str], labels: Sequence[str], cube: np.ndarray, min_pct: float) -> CountTable:
    """The :class:`CountTable` of a (docs, 1 + labels, schemas, ACTOR_FIELDS) count cube."""
    fields = tuple(f"{s}/{scope}/{f}" for scope in ("*", *labels) for s in SCHEMAS for f in ACTOR_FIELDS)
    return CountTable(
        tuple(doc_ids),
        fields,
        cube.reshape(len(doc_ids), len(fields)),
        tuple(labels),
        params={"min_overlap_percentage": min_pct},
    )


def documents_of(spans: Spans, a: int, b: int, doc_ids: Sequence[str], side: str) -> Spans:
    """The spans of documents ``[a, b)`` (``spans`` in document order), numbered from ``a``, in
    int64 (the engine's keys need it; inputs may be narrower), checked."""
    i, j = np.searchsorted(spans.doc, [a, b])
    doc, start, end, label = (np.asarray(x[i:j], np.int64) for x in spans)
    part = Spans(doc - a, start, end, label)
    check_spans(part, doc_ids, a, side)
    return part


def actor_counts_from_arrays(
    doc_ids: Sequence[str], gold: Spans, pred: Spans, labels: Sequence[str], min_overlap_percentage: float = 1.0
) -> CountTable:
    """:func:`actor_counts` for spans that arrive as arrays (document index into ``doc_ids``,
    label indices into ``labels``, ``-1`` for a label to ignore; inclusive ends; spans in
    document order, each document's in list order)."""
    check_min_overlap(min_overlap_percentage)
    n_docs, n_labels = len(doc_ids), len(labels)
    for side, spans in (("gold", gold), ("predictions", pred)):
        if spans.size and ((spans.doc[1:] < spans.doc[:-1]).any() or spans.doc[0] < 0 or spans.doc[-1] >= n_docs):
            raise ToolkitError(f"{side}: spans must be in document order, with document indices into doc_ids")
    cube = np.zeros((n_docs, 1 + n_labels, len(SCHEMAS), len(ACTOR_FIELDS)), np.int32)
    sizes = np.bincount(pred.doc, minlength=n_docs) + np.bincount(gold.doc, minlength=n_docs)
    for a, b in document_ranges(sizes):
        p, t = (documents_of(spans, a, b, doc_ids, side) for side, spans in (("predictions", pred), ("gold", gold)))
        score_chunk(cube[a:b], p, t, min_overlap_percentage)
    return count_table(doc_ids, labels, cube, min_overlap_percentage)


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
    The matching rules are in the module docstring; documents are read and scored a chunk at a time.
    """
    check_min_overlap(min_overlap_percentage)
    doc_ids, gold_lists, pred_lists = by_doc(gold, pred, "actors")
    labels = all_labels(gold_lists, pred_lists) if labels is None else tuple(labels)
    codes = LabelCodes((label, i) for i, label in enumerate(labels))
    n_docs = len(doc_ids)
    cube = np.zeros((n_docs, 1 + len(labels), len(SCHEMAS), len(ACTOR_FIELDS)), np.int32)
    for a, b, gold_lens, pred_lens in record_chunks(gold_lists, pred_lists):
        p = spans_from_records(pred_lists[a:b], pred_lens, codes, "predictions")
        t = spans_from_records(gold_lists[a:b], gold_lens, codes, "gold")
        check_spans(p, doc_ids, a, "predictions")
        check_spans(t, doc_ids, a, "gold")
        score_chunk(cube[a:b], p, t, min_overlap_percentage)
    return count_table(doc_ids, labels, cube, min_overlap_percentage)


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
