"""Seeded synthetic actor spans for the actor-scoring benchmarks (bench_actors.py reads them as
records, bench_actors_columnar.py as Parquet), generated as numpy arrays: no Python per span.

Per document: ~10 gold spans (Poisson), disjoint and in text order (lengths 4-29, gaps 1-1999
characters), 1% of them followed by a gold span nested at their start (``[s, s + 2)``,
PERSON: "Russian" in "Russian MFA"). Predictions: each gold span kept exactly (76%), with a
boundary error (9%: start or end moved by 1-2), with the next label (5%), or missed (10%); 2%
of them also get a nested duplicate ``[s + 1, e)``; plus ~1.1 spurious spans (Poisson; length
3-29, any label) anywhere in the text. Each document's predictions are in text order.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

LABELS = ("PERSON", "STATE", "ORGANIZATION", "GROUP")


class SpanArrays(NamedTuple):
    """Spans in document order: document index, start, end (exclusive), label index into LABELS."""

    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray

    def ordered(self, *keys: np.ndarray) -> SpanArrays:
        """The spans concatenated from parts, sorted by ``keys`` (``np.lexsort``: last key first)."""
        order = np.lexsort(keys)
        return SpanArrays(*(a[order] for a in self))


def _concat(*parts: tuple) -> tuple[np.ndarray, ...]:
    """Each column of the parts (tuples of arrays) concatenated."""
    return tuple(np.concatenate(columns) for columns in zip(*parts, strict=True))


def generate(n_docs: int, seed: int) -> tuple[SpanArrays, SpanArrays]:
    """(gold, predictions) for ``n_docs`` documents, as described in the module docstring."""
    rng = np.random.default_rng(seed)
    per_doc = rng.poisson(10, n_docs)
    n = int(per_doc.sum())
    doc = np.repeat(np.arange(n_docs), per_doc)
    length = rng.integers(4, 30, n)
    step = rng.integers(1, 2000, n) + length
    cum = np.cumsum(step)
    first = (np.cumsum(per_doc) - per_doc)[per_doc > 0]
    start = cum - np.repeat((cum - step)[first], per_doc[per_doc > 0]) - length  # per-document running sum
    label = rng.integers(0, len(LABELS), n)
    nested, fate, shift = rng.random(n) < 0.01, rng.random(n), rng.integers(1, 3, n)
    i = np.arange(n)

    gold = _concat(
        (doc, start, start + length, label, 2 * i),
        (doc[nested], start[nested], start[nested] + 2, 0 * i[nested], 2 * i[nested] + 1),
    )
    gold = SpanArrays(*gold[:4]).ordered(gold[4])  # list order: each nested span right after its outer one

    p_start, p_end, p_label = start.copy(), start + length, label.copy()
    moved = (fate >= 0.10) & (fate < 0.19)
    p_start[moved & (fate < 0.145)] += shift[moved & (fate < 0.145)]
    p_end[moved & (fate >= 0.145)] += shift[moved & (fate >= 0.145)]
    relabel = (fate >= 0.19) & (fate < 0.24)
    p_label[relabel] = (p_label[relabel] + 1) % len(LABELS)
    keep, dup = fate >= 0.10, fate > 0.98
    n_spur = rng.poisson(1.1, n_docs)
    s_doc = np.repeat(np.arange(n_docs), n_spur)
    last_start = np.full(n_docs, 1000 - 30)
    last_start[doc] = start  # the last assignment per document wins: its last gold start
    s_start = rng.integers(0, last_start[s_doc] + 30)
    s_end = s_start + rng.integers(3, 30, len(s_doc))
    s_label = rng.integers(0, len(LABELS), len(s_doc))
    pred = _concat(
        (doc[keep], p_start[keep], p_end[keep], p_label[keep], 2 * i[keep]),
        (doc[dup], p_start[dup] + 1, p_end[dup], p_label[dup], 2 * i[dup] + 1),
        (s_doc, s_start, s_end, s_label, 2 * n + np.arange(len(s_doc))),
    )
    pred = SpanArrays(*pred[:4]).ordered(pred[4], pred[1], pred[0])  # by document, start, then list order
    return gold, pred


def offsets(spans: SpanArrays, n_docs: int) -> np.ndarray:
    """Where each document's spans begin (and, last, where the last one's end)."""
    return np.r_[0, np.cumsum(np.bincount(spans.doc, minlength=n_docs))]
