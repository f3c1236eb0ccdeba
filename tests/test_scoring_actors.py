"""The actor engine against a plain reference implementation and nervaluate: three oracles.

``reference_counts`` below is nervaluate's matching written as plainly as possible (loops,
no arrays): obviously correct by reading, slow. Property tests compare it, the vectorised
engine (:mod:`toolkit.scoring.actors`) and nervaluate 1.2.1 on generated documents.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_scoring import nervaluate

from toolkit.errors import ToolkitError
from toolkit.scoring import (
    ACTOR_FIELDS,
    SCHEMAS,
    Spans,
    actor_counts,
    actor_counts_from_arrays,
    actor_scores,
    spans_from_arrow,
)
from toolkit.scoring import actors as engine

LABELS = ("P", "S", "O")


def reference_counts(gold: list[tuple], pred: list[tuple], min_pct: float = 1.0) -> dict[str, Counter]:
    """Counts per schema for one document; spans are ``(start, end_inclusive, label)`` in list order."""

    def overlaps(p, g):
        covered = min(p[1], g[1]) - max(p[0], g[0]) + 1
        return covered > 0 and covered / (g[1] - g[0] + 1) * 100 >= min_pct

    def run(algorithm: str) -> Counter:
        taken: set[int] = set()
        counts = Counter()
        for p in pred:
            hit = wrong = best = None
            for i, g in enumerate(gold):
                if i in taken or not overlaps(p, g):
                    continue
                if algorithm in ("strict", "exact"):
                    if p[:2] == g[:2] and (algorithm == "exact" or p[2] == g[2]):
                        hit = i
                        break
                    if wrong is None:
                        wrong = i
                elif p[2] == g[2]:
                    distance = abs(p[0] - g[0]) + abs(p[1] - g[1])
                    if best is None or distance < best:
                        hit, best = i, distance
                elif wrong is None:
                    wrong = i
            if hit is not None:
                counts["correct"] += 1
                taken.add(hit)
            elif wrong is not None:
                counts["incorrect"] += 1
                taken.add(wrong)
            else:
                counts["spurious"] += 1
        counts["missed"] = len(gold) - counts["correct"] - counts["incorrect"]
        return counts

    exact = run("exact")
    partial = Counter(exact)
    partial["partial"], partial["incorrect"] = exact["incorrect"], 0
    return {"strict": run("strict"), "exact": exact, "partial": partial, "ent_type": run("ent_type")}


def reference(gold_docs, pred_docs, labels, min_pct=1.0) -> dict:
    """``{(scope, schema): Counter}`` summed over documents; scope ``*`` or a label (matched alone)."""
    total: dict = {}
    for g, p in zip(gold_docs, pred_docs, strict=True):
        scopes = {
            "*": (g, p),
            **{lab: ([s for s in g if s[2] == lab], [s for s in p if s[2] == lab]) for lab in labels},
        }
        for scope, (gs, ps) in scopes.items():
            counts = reference_counts(gs, ps, min_pct)
            for schema, c in counts.items():
                # one label alone: strict is exact
                kept = counts["exact"] if scope != "*" and schema == "strict" else c
                total[(scope, schema)] = total.get((scope, schema), Counter()) + kept
    return total


def as_records(docs):
    return [
        {
            "doc_id": f"d{i}",
            "actors": [
                {"id": f"a{j}", "start": s, "end": e + 1, "text": "", "label": lab}
                for j, (s, e, lab) in enumerate(spans)
            ],
            "claims": [],
            "doc_stances": {},
        }
        for i, spans in enumerate(docs)
    ]


def engine_totals(gold_docs, pred_docs, labels, min_pct=1.0) -> dict:
    scores = actor_scores(as_records(gold_docs), as_records(pred_docs), labels=labels, min_overlap_percentage=min_pct)
    out = {}
    for schema in SCHEMAS:
        blocks = {"*": scores["schemas"][schema]["micro"], **scores["schemas"][schema]["per_label"]}
        for scope, block in blocks.items():
            out[(scope, schema)] = Counter({f: block[f] for f in ACTOR_FIELDS if block[f]})
    return out


span = st.tuples(st.integers(0, 40), st.integers(0, 12), st.sampled_from(LABELS)).map(
    lambda t: (t[0], t[0] + t[1], t[2])
)
documents = st.lists(st.tuples(st.lists(span, max_size=7), st.lists(span, max_size=7)), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(documents, st.sampled_from([1.0, 30.0, 100.0]))
def test_engine_equals_the_plain_reference(docs, min_pct):
    gold, pred = [g for g, _ in docs], [p for _, p in docs]
    ref = {k: Counter({f: n for f, n in v.items() if n}) for k, v in reference(gold, pred, LABELS, min_pct).items()}
    assert engine_totals(gold, pred, LABELS, min_pct) == ref


@settings(max_examples=150, deadline=None)
@given(documents)
def test_reference_equals_nervaluate(docs):
    gold, pred = [g for g, _ in docs], [p for _, p in docs]
    ref = reference(gold, pred, LABELS)
    theirs = nervaluate(as_records(gold), as_records(pred), LABELS)
    for schema in SCHEMAS:
        for scope in ("*", *LABELS):
            expected = {f: ref[(scope, schema)][f] for f in ACTOR_FIELDS}
            if scope != "*" and scope not in theirs["entities"]:  # nervaluate leaves out labels it never saw
                assert not any(expected.values())
                continue
            block = theirs["overall"][schema] if scope == "*" else theirs["entities"][scope][schema]
            assert {f: getattr(block, f) for f in ACTOR_FIELDS} == expected


def test_the_worked_example_of_the_engine_docstring():
    gold = [[(0, 4, "P"), (10, 19, "S")]]
    pred = [[(0, 4, "P"), (12, 19, "P"), (30, 33, "S")]]
    scores = actor_scores(as_records(gold), as_records(pred), labels=("P", "S"))["schemas"]
    strict, partial = scores["strict"]["micro"], scores["partial"]["micro"]
    assert (strict["correct"], strict["incorrect"], strict["spurious"], strict["missed"]) == (1, 1, 1, 0)
    assert (strict["precision"], strict["recall"]) == (1 / 3, 1 / 2)
    assert (partial["correct"], partial["partial"], partial["spurious"]) == (1, 1, 1)
    assert (partial["precision"], partial["recall"]) == (1.5 / 3, 1.5 / 2)


def test_chunked_scoring_equals_one_pass(monkeypatch):
    rng = np.random.default_rng(3)
    gold = [
        [
            (int(s), int(s) + int(rng.integers(0, 5)), LABELS[int(rng.integers(3))])
            for s in sorted(rng.integers(0, 60, 6))
        ]
        for _ in range(300)
    ]
    pred = [
        [
            (min(e, s + int(rng.integers(0, 2))), e, lab if rng.random() < 0.8 else "O")
            for s, e, lab in doc
            if rng.random() < 0.8
        ]
        for doc in gold
    ]
    whole = actor_counts(as_records(gold), as_records(pred), labels=LABELS)
    monkeypatch.setattr(engine, "CHUNK_SPANS", 37)  # many small chunks, cut between documents
    chunked = actor_counts(as_records(gold), as_records(pred), labels=LABELS)
    assert np.array_equal(whole.rows, chunked.rows)


def test_spans_from_arrow_columns_score_like_records():
    """Columnar input: doc index and fields straight from Arrow list arrays, no loop over spans."""
    gold = [[(0, 4, "P"), (10, 19, "S")], [], [(3, 5, "O")]]
    pred = [[(0, 4, "P"), (12, 19, "P")], [(1, 2, "S")], [(3, 5, "O")]]
    labels = ("P", "S", "O")

    def spans(docs) -> Spans:
        column = pa.array([[{"start": s, "end": e + 1, "label": lab} for s, e, lab in doc] for doc in docs])
        return spans_from_arrow(column, labels)

    from_arrays = actor_counts_from_arrays(["a", "b", "c"], spans(gold), spans(pred), labels)
    from_records = actor_counts(as_records(gold), as_records(pred), labels=labels)
    assert np.array_equal(from_arrays.rows, from_records.rows)


def test_spans_out_of_document_order_are_refused():
    spans = Spans(np.array([1, 0]), np.array([0, 0]), np.array([1, 1]), np.array([0, 0]))
    with pytest.raises(ToolkitError, match="document order"):
        actor_counts_from_arrays(["a", "b"], spans, spans, ("P",))
    beyond = Spans(np.array([0, 2]), np.array([0, 0]), np.array([1, 1]), np.array([0, 0]))
    with pytest.raises(ToolkitError, match="document indices"):
        actor_counts_from_arrays(["a", "b"], beyond, beyond, ("P",))


def test_empty_spans_from_arrays_are_refused_naming_the_document():
    empty = Spans(np.array([0, 1]), np.array([0, 5]), np.array([1, 3]), np.array([0, 0]))  # [5, 4) in "b"
    with pytest.raises(ToolkitError, match=r"'b'.*empty or negative"):
        actor_counts_from_arrays(["a", "b"], empty, empty, ("P",))


def arrow_column(docs, *, encoded: bool = False) -> pa.ChunkedArray:
    """Two chunks of a ``list<struct<start: int32, end: int32, label>>`` column, as Parquet gives."""
    rows = [[{"start": s, "end": e + 1, "label": lab} for s, e, lab in doc] for doc in docs]
    kind = pa.list_(pa.struct([("start", pa.int32()), ("end", pa.int32()), ("label", pa.string())]))
    column = pa.chunked_array([pa.array(rows[:1], kind), pa.array(rows[1:], kind)])
    if not encoded:
        return column
    table = pa.table({"actors": column})
    buffer = pa.BufferOutputStream()
    pq.write_table(table, buffer)
    read = pq.read_table(pa.BufferReader(buffer.getvalue()), read_dictionary=["actors.list.element.label"])
    assert pa.types.is_dictionary(read.schema.field("actors").type.value_type.field("label").type)
    return read.column("actors")


@settings(max_examples=100, deadline=None)
@given(documents, st.sampled_from([1.0, 50.0]), st.booleans(), st.sampled_from([5, 37, 1 << 17]))
def test_arrow_columns_score_like_records(docs, min_pct, encoded, chunk_spans):
    """Columnar input, strings or dictionary-encoded labels, narrow integers, any chunking: the
    same table as records. A label outside ``labels`` (here "O") is ignored on both paths."""
    gold, pred = [g for g, _ in docs], [p for _, p in docs]
    labels = ("P", "S")
    ids = [f"d{i}" for i in range(len(docs))]
    saved = engine.CHUNK_SPANS
    engine.CHUNK_SPANS = chunk_spans
    try:
        from_arrow = actor_counts_from_arrays(
            ids,
            spans_from_arrow(arrow_column(gold, encoded=encoded), labels),
            spans_from_arrow(arrow_column(pred, encoded=encoded), labels),
            labels,
            min_pct,
        )
    finally:
        engine.CHUNK_SPANS = saved
    from_records = actor_counts(as_records(gold), as_records(pred), labels=labels, min_overlap_percentage=min_pct)
    assert from_arrow.doc_ids == from_records.doc_ids and np.array_equal(from_arrow.rows, from_records.rows)


def test_arrow_labels_null_are_ignored_and_non_strings_refused():
    column = pa.array([[{"start": 0, "end": 2, "label": None}, {"start": 0, "end": 2, "label": "P"}]])
    spans = spans_from_arrow(column, ("P",))
    assert spans.label.tolist() == [-1, 0]
    with pytest.raises(ToolkitError, match="labels must be strings"):
        spans_from_arrow(pa.array([[{"start": 0, "end": 2, "label": 3}]]), ("P",))
    with pytest.raises(ToolkitError, match="no integer start"):
        spans_from_arrow(pa.array([[{"start": None, "end": 2, "label": "P"}]]), ("P",))
