"""Benchmark: actor-span scoring of records (toolkit.scoring, all four SemEval schemas) against nervaluate 1.2.1.

Generates seeded synthetic documents (see actor_data.py: about 10 gold and 10 predicted actor
spans each, with boundary errors, wrong labels, nested and spurious spans) as records parsed
from JSON lines with orjson, as ``toolkit evaluate`` reads a predictions file. Then alternates
on the same records, A then B, so that both see the same load on a shared machine:

- A, the toolkit: ``actor_counts`` + ``actor_scores_from_counts`` (all four schemas, pooled and
  per label, one count row per document), ``--repeat`` times;
- B, nervaluate: ``Evaluator(..., loader="dict").evaluate()`` on the same documents (ends made
  inclusive, nervaluate's convention, inside the timing), ``--nervaluate-repeat`` times; on a
  seeded random subsample if ``--nervaluate-docs`` < ``--docs``, its time then extrapolated
  linearly.

Every count and P/R/F1 (overall and per label, every schema) on nervaluate's documents must
equal nervaluate's exactly, or the benchmark stops. Prints min and median of A and B, the
speed-up best/best and median/median, the load average before and after (``os.getloadavg``),
and memory: the peak RSS of the process, the records' own RSS, and how much one scoring run
adds at its peak (VmHWM reset before the run; Linux).

The generated records are moved out of the garbage collector's sight (``gc.freeze``), so that
neither scorer pays for scanning the benchmark's own input. At 1M documents the records (~9 GiB)
and nervaluate's input and objects (~9 GiB more) do not both fit in a shared machine's memory:
``--nervaluate-last`` then times the toolkit first, converts nervaluate's input, frees the
records and times nervaluate without its input conversion (which only makes it look faster).
Not a test.

    python bench/bench_actors.py --docs 10000 --nervaluate-docs 10000
    python bench/bench_actors.py --docs 1000000 --nervaluate-docs 1000000 --nervaluate-repeat 1 --nervaluate-last
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from actor_data import LABELS, SpanArrays, generate, offsets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.scoring import ACTOR_FIELDS, SCHEMAS, actor_counts, actor_scores_from_counts

RECORDS_PER_BATCH = 20_000  # JSON lines written and parsed at once while generating (bounds the transient text)


def records(spans: SpanArrays, n_docs: int, prefix: str) -> list[dict]:
    """One record per document, built from the arrays and parsed back from JSON lines."""
    bounds = offsets(spans, n_docs).tolist()
    out: list[dict] = []
    for a in range(0, n_docs, RECORDS_PER_BATCH):
        b = min(a + RECORDS_PER_BATCH, n_docs)
        lo, hi = bounds[a], bounds[b]
        start, end, label = (x[lo:hi].tolist() for x in (spans.start, spans.end, spans.label))
        lines = []
        for d in range(a, b):
            actors = [
                {"id": f"{prefix}{k}", "start": start[j], "end": end[j], "text": "", "label": LABELS[label[j]]}
                for k, j in enumerate(range(bounds[d] - lo, bounds[d + 1] - lo))
            ]
            lines.append(orjson.dumps({"doc_id": f"doc{d:07d}", "actors": actors, "claims": [], "doc_stances": {}}))
        out.extend(map(orjson.loads, lines))
    return out


def score(gold, pred):
    table = actor_counts(gold, pred, labels=LABELS)
    return table, actor_scores_from_counts(table)


def nervaluate_input(records: list[dict]) -> list[list[dict]]:
    """nervaluate's dict format: per document, its actors with inclusive ends."""
    return [[{"label": a["label"], "start": a["start"], "end": a["end"] - 1} for a in r["actors"]] for r in records]


def run_nervaluate(gold, pred, *, converted: bool = False):
    """nervaluate on records (converted to its format inside the timing), or on ``converted`` input."""
    from nervaluate import Evaluator

    if not converted:
        gold, pred = nervaluate_input(gold), nervaluate_input(pred)
    return Evaluator(gold, pred, tags=list(LABELS), loader="dict").evaluate()


def check_equal(ours: dict, ref: dict) -> int:
    """Compare every count of every schema, overall and per label; return the number compared."""
    n = 0
    for schema in SCHEMAS:
        pairs = [(ours["schemas"][schema]["micro"], ref["overall"][schema])]
        pairs += [(ours["schemas"][schema]["per_label"][lab], ref["entities"][lab][schema]) for lab in ref["entities"]]
        for mine, theirs in pairs:
            for f in (*ACTOR_FIELDS, "possible", "actual"):
                if mine[f] != getattr(theirs, f):
                    raise SystemExit(f"MISMATCH {schema} {f}: ours {mine[f]} nervaluate {getattr(theirs, f)}")
                n += 1
            for m in ("precision", "recall", "f1"):
                if (mine[m] if mine[m] is not None else 0) != getattr(theirs, m):
                    raise SystemExit(f"MISMATCH {schema} {m}: ours {mine[m]} nervaluate {getattr(theirs, m)}")
                n += 1
    return n


def rss_mib(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process in MiB, from /proc (NaN elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def scoring_memory(gold, pred) -> tuple[float, float, float]:
    """(RSS before, peak RSS added, peak allocated), in MiB, of one scoring run. The RSS peak is
    reset first (Linux clear_refs 5; NaN where it cannot be); RSS only grows where freed memory
    cannot be reused, so the peak allocated (tracemalloc, numpy included) is the run's own footprint."""
    gc.collect()
    before = rss_mib("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")
        score(gold, pred)
        added = rss_mib("VmHWM") - before
    except OSError:
        added = float("nan")
    tracemalloc.start()
    score(gold, pred)
    allocated = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return before, added, allocated


def timed(fn, *args) -> tuple[float, Any]:
    gc.collect()
    t0 = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t0, result


def summary(times: list[float]) -> str:
    return f"min {min(times):.2f} s, median {statistics.median(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)})"


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000, help="documents to generate (default 100000)")
    ap.add_argument(
        "--nervaluate-docs",
        type=int,
        default=10_000,
        help="size of the random subsample nervaluate runs on (default 10000; >= --docs: all)",
    )
    ap.add_argument("--repeat", type=int, default=5, help="timed runs of the toolkit (default 5)")
    ap.add_argument("--nervaluate-repeat", type=int, help="timed runs of nervaluate (default: --repeat)")
    ap.add_argument(
        "--nervaluate-last",
        action="store_true",
        help="time nervaluate after the toolkit, on its input converted beforehand, the records freed "
        "(1M documents: records, nervaluate's input and its objects do not fit in memory together)",
    )
    ap.add_argument("--seed", type=int, default=13)
    return ap.parse_args()


def main() -> None:
    args = parse_args()
    n_nerv = args.repeat if args.nervaluate_repeat is None else args.nervaluate_repeat
    print(f"start: {load()} ({os.cpu_count()} cores)")

    t0 = time.perf_counter()
    gold_spans, pred_spans = generate(args.docs, args.seed)
    gold, pred = records(gold_spans, args.docs, "g"), records(pred_spans, args.docs, "p")
    del gold_spans, pred_spans
    gc.collect()
    gc.freeze()
    n_gold, n_pred = sum(len(r["actors"]) for r in gold), sum(len(r["actors"]) for r in pred)
    print(
        f"generated {args.docs:,} documents, {n_gold:,} gold and {n_pred:,} predicted actor spans "
        f"(seed {args.seed}) in {time.perf_counter() - t0:.1f} s"
    )

    records_rss, peak_added, peak_allocated = scoring_memory(gold, pred)
    k = min(args.nervaluate_docs, args.docs)
    rng = np.random.default_rng(args.seed + 1)
    sub = np.sort(rng.choice(args.docs, size=k, replace=False)) if k < args.docs else np.arange(args.docs)
    sub_gold, sub_pred = ([gold[i] for i in sub], [pred[i] for i in sub]) if k < args.docs else (gold, pred)
    if k < args.docs:
        print(
            f"nervaluate on a random subsample of {k:,} of {args.docs:,} documents (numpy default_rng({args.seed + 1})"
            f".choice, sorted; first ids {', '.join(gold[i]['doc_id'] for i in sub[:3])}, ...)"
        )

    ours_times: list[float] = []
    nerv_times: list[float] = []
    scale = args.docs / k
    for i in range(args.repeat):  # alternate A and B: the machine is shared and noisy
        seconds, (table, ours) = timed(score, gold, pred)
        ours_times.append(seconds)
        print(f"  toolkit run {i + 1}: {seconds:.2f} s", flush=True)
        if i < n_nerv and not args.nervaluate_last:
            seconds, ref = timed(run_nervaluate, sub_gold, sub_pred)
            nerv_times.append(seconds * scale)
            print(f"  nervaluate run {i + 1}: {seconds:.2f} s ({load()})", flush=True)
    if args.nervaluate_last:  # the records make way for nervaluate's input and objects
        ours_sub = ours if k == args.docs else score(sub_gold, sub_pred)[1]
        sub_gold, sub_pred = nervaluate_input(sub_gold), nervaluate_input(sub_pred)
        del gold, pred
        gc.collect()
        for i in range(n_nerv):
            seconds, ref = timed(lambda: run_nervaluate(sub_gold, sub_pred, converted=True))
            nerv_times.append(seconds * scale)
            print(f"  nervaluate run {i + 1} (input converted beforehand): {seconds:.2f} s ({load()})", flush=True)
    if not args.nervaluate_last:
        ours_sub = ours if k == args.docs else score(sub_gold, sub_pred)[1]
    compared = check_equal(ours_sub, ref)

    print(
        f"toolkit.scoring: {summary(ours_times)} for all 4 schemas, pooled and per label "
        f"({table.rows.shape[0]:,} x {table.rows.shape[1]} per-document count table)"
    )
    for schema in SCHEMAS:
        m = ours["schemas"][schema]["micro"]
        print(
            f"  {schema:9s} P {m['precision']:.4f} R {m['recall']:.4f} F1 {m['f1']:.4f}  "
            + " ".join(f"{f} {m[f]:,}" for f in ACTOR_FIELDS)
        )
    print(
        f"nervaluate 1.2.1: {summary(nerv_times)}" + ("" if k == args.docs else f" (extrapolated from {k:,} documents)")
    )
    print(f"  our counts and P/R/F1 on the same documents equal nervaluate's exactly ({compared} values compared)")
    print(
        f"speed-up: {min(nerv_times) / min(ours_times):.1f}x best/best, "
        f"{statistics.median(nerv_times) / statistics.median(ours_times):.1f}x median/median (target >= 30x)"
    )
    print(
        f"memory: {records_rss:,.0f} MiB RSS with the records loaded; one scoring run allocates {peak_allocated:,.0f} MiB "
        f"at its peak (tracemalloc; the count table is {table.rows.nbytes / 2**20:,.0f} MiB of it) and raises RSS by "
        f"{peak_added:,.0f} MiB; process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:,.0f} MiB "
        "(nervaluate's runs included)"
    )
    print(f"end: {load()}")


if __name__ == "__main__":
    main()
