"""Benchmark: actor scoring of spans that arrive columnar (Parquet), against a bare numpy floor.

Generates seeded gold and predicted actor spans for ``--docs`` documents directly as arrays
(about 10 gold and 10 predicted spans per document, the same mix as bench_actors.py: exact,
shifted, relabelled, missed, spurious), writes them as two Parquet files of one row per
document (``doc_id``, ``actors: list<struct<start, end, label>>``), then alternates, ``--repeat``
times:

- A, the toolkit: read both files with pyarrow, :func:`toolkit.scoring.spans_from_arrow`,
  :func:`toolkit.scoring.actor_counts_from_arrays` (all four SemEval schemas, pooled and per
  label, nervaluate's matching) and :func:`toolkit.scoring.actor_scores_from_counts`;
- B, the floor: the same reads and Arrow-to-numpy conversion, then a bare numpy sort-and-join
  (sort gold by document and start, ``searchsorted`` every prediction into it, count exact
  matches per document with ``bincount``): what any columnar scorer must at least do.

Prints min and median of both, the ratio, and the peak memory of one A run (tracemalloc).

    python bench/bench_actors_columnar.py --docs 1000000
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.scoring import actor_counts_from_arrays, actor_scores_from_counts, spans_from_arrow

LABELS = ("PERSON", "STATE", "ORGANIZATION", "GROUP")


def generate(n_docs: int, seed: int) -> tuple[pa.Table, pa.Table]:
    """Gold and predicted spans as Arrow tables, built from numpy arrays (no per-span Python)."""
    rng = np.random.default_rng(seed)
    per_doc = rng.poisson(10, n_docs)
    n = int(per_doc.sum())
    doc = np.repeat(np.arange(n_docs), per_doc)
    length = rng.integers(4, 30, n)
    gap = rng.integers(1, 2000, n) + length
    first = np.r_[0, np.cumsum(per_doc)[:-1]]
    cum = np.cumsum(gap)
    start = cum - np.repeat(cum[first] - gap[first], per_doc) - length  # disjoint, in text order per document
    label = rng.integers(0, len(LABELS), n)
    fate = rng.random(n)
    keep = fate >= 0.10
    p_start, p_end, p_label = start.copy(), start + length, label.copy()
    shifted = (fate >= 0.10) & (fate < 0.19)
    p_start[shifted] += rng.integers(1, 3, n)[shifted].clip(max=length[shifted] - 1)
    relabel = (fate >= 0.19) & (fate < 0.24)
    p_label[relabel] = (p_label[relabel] + 1) % len(LABELS)
    n_spur = rng.poisson(1.1, n_docs)
    s_doc = np.repeat(np.arange(n_docs), n_spur)
    s_start = rng.integers(0, 20_000, len(s_doc))
    pred_doc = np.r_[doc[keep], s_doc]
    order = np.lexsort((np.r_[p_start[keep], s_start], pred_doc))
    pred = (
        pred_doc[order],
        np.r_[p_start[keep], s_start][order],
        np.r_[p_end[keep], s_start + rng.integers(3, 30, len(s_doc))][order],
        np.r_[p_label[keep], rng.integers(0, len(LABELS), len(s_doc))][order],
    )
    return _table(n_docs, doc, start, start + length, label), _table(n_docs, *pred)


def _table(n_docs: int, doc, start, end, label) -> pa.Table:
    offsets = np.r_[0, np.cumsum(np.bincount(doc, minlength=n_docs))].astype(np.int32)
    structs = pa.StructArray.from_arrays(
        [
            pa.array(start, pa.int32()),
            pa.array(end, pa.int32()),
            pa.DictionaryArray.from_arrays(pa.array(label, pa.int8()), pa.array(LABELS)).cast(pa.string()),
        ],
        names=["start", "end", "label"],
    )
    actors = pa.ListArray.from_arrays(pa.array(offsets), structs)
    ids = pa.array([f"doc{i:07d}" for i in range(n_docs)])
    return pa.table({"doc_id": ids, "actors": actors})


def toolkit_run(gold_path: Path, pred_path: Path) -> dict:
    gold, pred = pq.read_table(gold_path), pq.read_table(pred_path)
    ids = gold.column("doc_id").to_pylist()
    table = actor_counts_from_arrays(
        ids, spans_from_arrow(gold.column("actors"), LABELS), spans_from_arrow(pred.column("actors"), LABELS), LABELS
    )
    return actor_scores_from_counts(table)


def floor_run(gold_path: Path, pred_path: Path) -> int:
    gold, pred = pq.read_table(gold_path), pq.read_table(pred_path)
    t, p = spans_from_arrow(gold.column("actors"), LABELS), spans_from_arrow(pred.column("actors"), LABELS)
    big = int(max(t.end.max(), p.end.max())) + 2
    t_key = t.doc * big + t.start
    order = np.argsort(t_key, kind="stable")
    pos = np.searchsorted(t_key[order], p.doc * big + p.start).clip(max=len(order) - 1)
    hit = (t_key[order][pos] == p.doc * big + p.start) & (t.end[order][pos] == p.end)
    return int(np.bincount(p.doc[hit], minlength=len(gold)).sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-columnar-"))
    gold, pred = generate(args.docs, args.seed)
    pq.write_table(gold, work / "gold.parquet")
    pq.write_table(pred, work / "pred.parquet")
    n_gold, n_pred = (
        len(gold.column("actors").combine_chunks().flatten()),
        len(pred.column("actors").combine_chunks().flatten()),
    )
    print(f"{args.docs:,} documents, {n_gold:,} gold and {n_pred:,} predicted spans, Parquet in {work}")
    times: dict[str, list[float]] = {"toolkit": [], "floor": []}
    for _ in range(args.repeat):  # alternate A and B: the machine is shared and noisy
        for name, fn in (("toolkit", toolkit_run), ("floor", floor_run)):
            gc.collect()
            t0 = time.perf_counter()
            result = fn(work / "gold.parquet", work / "pred.parquet")
            times[name].append(time.perf_counter() - t0)
    strict = result if isinstance(result, int) else None
    scores = toolkit_run(work / "gold.parquet", work / "pred.parquet")
    print(f"strict micro F1 {scores['schemas']['strict']['micro']['f1']:.4f}; floor exact matches {strict}")
    for name, ts in times.items():
        print(
            f"{name:8s} min {min(ts):6.2f} s  median {statistics.median(ts):6.2f} s  ({', '.join(f'{t:.2f}' for t in ts)})"
        )
    print(
        f"ratio toolkit / numpy sort-and-join floor: min {min(times['toolkit']) / min(times['floor']):.2f}x, "
        f"median {statistics.median(times['toolkit']) / statistics.median(times['floor']):.2f}x"
    )
    tracemalloc.start()
    toolkit_run(work / "gold.parquet", work / "pred.parquet")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"peak memory allocated by one toolkit run (tracemalloc): {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
