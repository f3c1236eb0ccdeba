"""Benchmark: actor scoring of spans that arrive columnar (Parquet), against a bare numpy floor.

Generates seeded gold and predicted actor spans for ``--docs`` documents (see actor_data.py:
about 10 gold and 10 predicted spans per document, the mix of bench_actors.py), writes them as
two Parquet files of one row per document (``doc_id``, ``actors: list<struct<start, end,
label>>``), then alternates, ``--repeat`` times, A then B:

- A, the toolkit: read both files with pyarrow (labels kept dictionary-encoded, as Parquet
  stores them), the doc ids as Python strings,
  :func:`toolkit.scoring.spans_from_arrow`, :func:`toolkit.scoring.actor_counts_from_arrays`
  (nervaluate's exact greedy matching; all four schemas, pooled and per label: 100 counts per
  document) and :func:`toolkit.scoring.actor_scores_from_counts`;
- B, the floor: the same reads and the same Arrow-to-numpy conversion, then the least a numpy
  scorer of nervaluate's counts must do. *Sort* the gold spans by (document, start) (a stable
  argsort: one linear pass when they already are); *join* each prediction to the last gold span
  of its document that starts before its end (one binary search per prediction); *classify*
  it, strict schema: correct if that span has its bounds and label, incorrect if the two
  overlap, else spurious; *count* correct, incorrect, spurious and missed per document
  (``bincount``). It ignores nested gold spans, the minimum overlap, the one-to-one greedy rule,
  the other schemas and the labels: a floor, not a scorer (its counts are close, not equal).

Prints min and median of A and B and their ratio, the load average before and after, and the
memory of one A run: the peak it allocates (tracemalloc, numpy and Arrow buffers included) and
how much it raises the process's peak RSS (VmHWM reset before the run; Linux).

    python bench/bench_actors_columnar.py --docs 1000000
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from actor_data import LABELS, SpanArrays, generate, offsets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.scoring import actor_counts_from_arrays, actor_scores_from_counts, spans_from_arrow


def arrow_table(spans: SpanArrays, n_docs: int) -> pa.Table:
    """One row per document: ``doc_id`` and its ``actors`` (labels as strings, as a user writes them)."""
    structs = pa.StructArray.from_arrays(
        [
            pa.array(spans.start, pa.int32()),
            pa.array(spans.end, pa.int32()),
            pa.DictionaryArray.from_arrays(pa.array(spans.label, pa.int8()), pa.array(LABELS)).cast(pa.string()),
        ],
        names=["start", "end", "label"],
    )
    actors = pa.ListArray.from_arrays(pa.array(offsets(spans, n_docs).astype(np.int32)), structs)
    return pa.table({"doc_id": pa.array([f"doc{i:07d}" for i in range(n_docs)]), "actors": actors})


def read(path: Path) -> pa.Table:
    """A Parquet file, labels kept dictionary-encoded (as stored: no strings to build and hash)."""
    return pq.read_table(path, read_dictionary=["actors.list.element.label"])


def toolkit_run(gold_path: Path, pred_path: Path) -> dict:
    gold, pred = read(gold_path), read(pred_path)
    ids = gold.column("doc_id").to_numpy().tolist()
    table = actor_counts_from_arrays(
        ids, spans_from_arrow(gold.column("actors"), LABELS), spans_from_arrow(pred.column("actors"), LABELS), LABELS
    )
    return actor_scores_from_counts(table)


def floor_run(gold_path: Path, pred_path: Path) -> np.ndarray:
    """Per document: strict correct, incorrect, spurious, missed (see the module docstring)."""
    gold, pred = read(gold_path), read(pred_path)
    t, p = spans_from_arrow(gold.column("actors"), LABELS), spans_from_arrow(pred.column("actors"), LABELS)
    n_docs = len(gold)
    big = int(max(t.end.max(), p.end.max())) + 2
    order = np.argsort(t.doc * big + t.start, kind="stable")  # sort
    t_doc, t_start, t_end, t_label = t.doc[order], t.start[order], t.end[order], t.label[order]
    j = np.searchsorted(t_doc * big + t_start, p.doc * big + p.end, "right") - 1  # join
    j_ok = np.maximum(j, 0)
    overlaps = (j >= 0) & (t_doc[j_ok] == p.doc) & (t_end[j_ok] >= p.start)  # classify
    correct = overlaps & (t_start[j_ok] == p.start) & (t_end[j_ok] == p.end) & (t_label[j_ok] == p.label)
    outcome = np.where(correct, 0, np.where(overlaps, 1, 2))
    counts = np.bincount(p.doc * 3 + outcome, minlength=3 * n_docs).reshape(n_docs, 3)  # count
    missed = np.bincount(t.doc, minlength=n_docs) - counts[:, 0] - counts[:, 1]
    return np.column_stack([counts, missed])


def memory(gold_path: Path, pred_path: Path) -> tuple[float, float]:
    """(peak allocated, peak RSS added) by one toolkit run, in MiB (RSS: NaN where it cannot be reset)."""
    tracemalloc.start()
    toolkit_run(gold_path, pred_path)
    allocated = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    gc.collect()

    def status(field: str) -> float:
        line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(field + ":"))
        return int(line.split()[1]) / 1024

    try:
        before = status("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")
        toolkit_run(gold_path, pred_path)
        return allocated, status("VmHWM") - before
    except (OSError, StopIteration):
        return allocated, float("nan")


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    print(f"start: {load()} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory(prefix="bench-columnar-") as work:
        run(args, Path(work))
    print(f"end: {load()}")


def run(args: argparse.Namespace, work: Path) -> None:
    """Write the Parquet files in ``work``, then time and report (see the module docstring)."""
    gold_path, pred_path = work / "gold.parquet", work / "pred.parquet"
    gold, pred = generate(args.docs, args.seed)
    pq.write_table(arrow_table(gold, args.docs), gold_path)
    pq.write_table(arrow_table(pred, args.docs), pred_path)
    print(
        f"{args.docs:,} documents, {len(gold.doc):,} gold and {len(pred.doc):,} predicted spans, Parquet in {work} (removed at the end)"
    )
    del gold, pred
    times: dict[str, list[float]] = {"toolkit": [], "floor": []}
    results: dict = {}
    for _ in range(args.repeat):  # alternate A and B: the machine is shared and noisy
        for name, fn in (("toolkit", toolkit_run), ("floor", floor_run)):
            gc.collect()
            t0 = time.perf_counter()
            results[name] = fn(gold_path, pred_path)
            times[name].append(time.perf_counter() - t0)
    strict, floor = results["toolkit"]["schemas"]["strict"]["micro"], results["floor"].sum(axis=0)
    print(
        "strict counts (correct, incorrect, spurious, missed): toolkit "
        f"{tuple(strict[f] for f in ('correct', 'incorrect', 'spurious', 'missed'))}, floor {tuple(floor.tolist())}"
    )
    for name, ts in times.items():
        print(
            f"{name:8s} min {min(ts):6.2f} s  median {statistics.median(ts):6.2f} s  ({', '.join(f'{t:.2f}' for t in ts)})"
        )
    print(
        f"ratio toolkit / numpy floor: min {min(times['toolkit']) / min(times['floor']):.2f}x, "
        f"median {statistics.median(times['toolkit']) / statistics.median(times['floor']):.2f}x (target <= 2x)"
    )
    allocated, rss_added = memory(gold_path, pred_path)
    print(
        f"one toolkit run: peak allocated {allocated:,.0f} MiB (tracemalloc), raises peak RSS by {rss_added:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
