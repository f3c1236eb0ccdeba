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
  linearly (which flatters nervaluate: it slows down per document on larger corpora).

Every count and P/R/F1 (overall and per label, every schema) on nervaluate's documents must
equal nervaluate's exactly, or the benchmark stops. Prints each run as it ends, min and median
of A and B, the speed-up best/best and median/median, the load average, and memory: RSS with
the records loaded, the peak one scoring run allocates (tracemalloc, numpy included) and how
much it raises the peak RSS (VmHWM reset before the run; Linux).

The generated records are moved out of the garbage collector's sight (``gc.freeze``), so that
neither scorer pays for scanning the benchmark's own input.

At 1M documents the records (~9 GiB) and nervaluate's input and objects (~9 GiB more, each
run leaving the heap more fragmented) do not fit in a shared machine's memory together twice
over. ``--isolate`` then runs every A and B run in a fresh process of its own (still
alternating), each generating the same records from the seed; the counts are compared across
processes. Even alone, records, nervaluate's input and its objects exceed 22 GiB at 1M, so a B
process converts nervaluate's input before its timing and frees the records: its time leaves
out the conversion (a few percent of it), which only flatters nervaluate. Not a test.

    python bench/bench_actors.py --docs 10000 --nervaluate-docs 10000
    python bench/bench_actors.py --docs 1000000 --nervaluate-docs 1000000 --repeat 3 --nervaluate-repeat 2 --isolate
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from actor_data import LABELS, SpanArrays, generate, offsets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.scoring import ACTOR_FIELDS, PRF, SCHEMAS, actor_counts, actor_scores_from_counts

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


def corpus(args: argparse.Namespace) -> tuple[list[dict], list[dict]]:
    """The (gold, predicted) records of the run, frozen out of the garbage collector."""
    t0 = time.perf_counter()
    gold_spans, pred_spans = generate(args.docs, args.seed)
    gold, pred = records(gold_spans, args.docs, "g"), records(pred_spans, args.docs, "p")
    del gold_spans, pred_spans
    gc.collect()
    gc.freeze()
    n_gold, n_pred = sum(len(r["actors"]) for r in gold), sum(len(r["actors"]) for r in pred)
    note(
        f"generated {args.docs:,} documents, {n_gold:,} gold and {n_pred:,} predicted actor spans "
        f"(seed {args.seed}) in {time.perf_counter() - t0:.1f} s"
    )
    return gold, pred


def subsample(args: argparse.Namespace, gold: list[dict], pred: list[dict]) -> tuple[list[dict], list[dict]]:
    """The documents nervaluate scores: all, or a seeded random subsample."""
    k = min(args.nervaluate_docs, args.docs)
    if k == args.docs:
        return gold, pred
    sub = np.sort(np.random.default_rng(args.seed + 1).choice(args.docs, size=k, replace=False))
    note(
        f"nervaluate on a random subsample of {k:,} of {args.docs:,} documents (numpy default_rng({args.seed + 1})"
        f".choice, sorted; first ids {', '.join(gold[i]['doc_id'] for i in sub[:3])}, ...)"
    )
    return [gold[i] for i in sub], [pred[i] for i in sub]


def score(gold, pred):
    table = actor_counts(gold, pred, labels=LABELS)
    return table, actor_scores_from_counts(table)


def nervaluate_input(records: list[dict]) -> list[list[dict]]:
    """nervaluate's dict format: per document, its actors with inclusive ends."""
    return [[{"label": a["label"], "start": a["start"], "end": a["end"] - 1} for a in r["actors"]] for r in records]


def run_nervaluate(gold, pred):
    """nervaluate on records, converted to its format inside the timing."""
    return evaluate_converted(nervaluate_input(gold), nervaluate_input(pred))


def evaluate_converted(gold, pred):
    """nervaluate on input already in its format."""
    from nervaluate import Evaluator

    return Evaluator(gold, pred, tags=list(LABELS), loader="dict").evaluate()


def our_values(ours: dict) -> dict[str, float | int]:
    """Every count and P/R/F1 of our scores, keyed ``schema/scope/field`` (scope * or a label)."""
    out = {}
    for schema in SCHEMAS:
        blocks = {"*": ours["schemas"][schema]["micro"], **ours["schemas"][schema]["per_label"]}
        for scope, block in blocks.items():
            for f in (*ACTOR_FIELDS, "possible", "actual", *PRF):
                out[f"{schema}/{scope}/{f}"] = block[f] if block[f] is not None else 0  # nervaluate: 0 when undefined
    return out


def nervaluate_values(ref: dict) -> dict[str, float | int]:
    """The same keys from nervaluate's result (labels it never saw are absent)."""
    out = {}
    for schema in SCHEMAS:
        blocks = {"*": ref["overall"][schema], **{lab: ref["entities"][lab][schema] for lab in ref["entities"]}}
        for scope, block in blocks.items():
            for f in (*ACTOR_FIELDS, "possible", "actual", *PRF):
                out[f"{schema}/{scope}/{f}"] = getattr(block, f)
    return out


def check_equal(ours: dict[str, Any], theirs: dict[str, Any]) -> int:
    """Stop unless every value nervaluate gives equals ours exactly; return the number compared."""
    for key, value in theirs.items():
        if ours[key] != value:
            raise SystemExit(f"MISMATCH {key}: ours {ours[key]} nervaluate {value}")
    return len(theirs)


def rss_mib(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process in MiB, from /proc (NaN elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def scoring_memory(gold, pred) -> str:
    """Memory of one scoring run: RSS before, the peak RSS it adds (peak reset first: Linux
    clear_refs 5), and the peak it allocates (tracemalloc, numpy included): RSS only grows
    where freed memory cannot be reused, so the allocation peak is the run's own footprint."""
    gc.collect()
    before = rss_mib("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")
        table, _ = score(gold, pred)
        added = rss_mib("VmHWM") - before
    except OSError:
        table, _ = score(gold, pred)
        added = float("nan")
    tracemalloc.start()
    score(gold, pred)
    allocated = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return (
        f"memory: {before:,.0f} MiB RSS with the records loaded; one scoring run allocates {allocated:,.0f} MiB "
        f"at its peak (tracemalloc; the {table.rows.shape[0]:,} x {table.rows.shape[1]} count table is "
        f"{table.rows.nbytes / 2**20:,.0f} MiB of it) and raises RSS by {added:,.0f} MiB"
    )


def timed(fn, *args) -> tuple[float, Any]:
    gc.collect()
    t0 = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t0, result


def note(text: str) -> None:
    print(text, flush=True)


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def in_process(args: argparse.Namespace, n_nerv: int) -> tuple[list[float], list[float], dict, dict]:
    """A and B alternating in this process: (our times, nervaluate's, our values, nervaluate's)."""
    gold, pred = corpus(args)
    note(scoring_memory(gold, pred))
    sub_gold, sub_pred = subsample(args, gold, pred)
    scale = args.docs / len(sub_gold)
    ours_times: list[float] = []
    nerv_times: list[float] = []
    for i in range(max(args.repeat, n_nerv)):  # alternate A and B: the machine is shared and noisy
        if i < args.repeat:
            seconds, (_, ours) = timed(score, gold, pred)
            ours_times.append(seconds)
            note(f"  toolkit run {i + 1}: {seconds:.3f} s")
        if i < n_nerv:
            seconds, ref = timed(run_nervaluate, sub_gold, sub_pred)
            nerv_times.append(seconds * scale)
            note(f"  nervaluate run {i + 1}: {seconds:.2f} s ({load()})")
    ours_sub = ours if sub_gold is gold else score(sub_gold, sub_pred)[1]
    return ours_times, nerv_times, our_values(ours_sub), nervaluate_values(ref)


def child(args: argparse.Namespace) -> None:
    """One isolated run (``--child toolkit`` or ``nervaluate``): prints a JSON line with its
    seconds and values (the toolkit's on nervaluate's documents too)."""
    gold, pred = corpus(args)
    sub_gold, sub_pred = subsample(args, gold, pred)
    if args.child == "toolkit":
        seconds, (_, ours) = timed(score, gold, pred)
        ours_sub = ours if sub_gold is gold else score(sub_gold, sub_pred)[1]
        out = {"seconds": seconds, "values": our_values(ours_sub)}
        if args.child_memory:
            out["memory"] = scoring_memory(gold, pred)
    else:  # nervaluate's input made before the timing and the records freed: both do not fit at 1M
        sub_gold, sub_pred = nervaluate_input(sub_gold), nervaluate_input(sub_pred)
        del gold, pred
        gc.collect()
        seconds, ref = timed(lambda: evaluate_converted(sub_gold, sub_pred))
        out = {"seconds": seconds * args.docs / len(sub_gold), "values": nervaluate_values(ref)}
    print(json.dumps(out), flush=True)


def isolated(args: argparse.Namespace, n_nerv: int) -> tuple[list[float], list[float], dict, dict]:
    """A and B alternating, each run in a process of its own (see the module docstring)."""
    ours_times: list[float] = []
    nerv_times: list[float] = []
    values: dict[str, dict] = {}

    def run(kind: str, i: int) -> float:
        command = [sys.executable, __file__, "--child", kind, "--docs", str(args.docs), "--seed", str(args.seed)]
        command += ["--nervaluate-docs", str(args.nervaluate_docs)] + (["--child-memory"] if i == 0 else [])
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        out = json.loads(done.stdout.splitlines()[-1])
        values[kind] = out["values"]
        if "memory" in out:
            note(out["memory"])
        note(f"  {kind} run {i + 1} (own process): {out['seconds']:.2f} s ({load()})")
        return out["seconds"]

    for i in range(max(args.repeat, n_nerv)):
        if i < args.repeat:
            ours_times.append(run("toolkit", i))
        if i < n_nerv:
            nerv_times.append(run("nervaluate", i))
    return ours_times, nerv_times, values["toolkit"], values["nervaluate"]


def summary(times: list[float]) -> str:
    return f"min {min(times):.3f} s, median {statistics.median(times):.3f} s ({', '.join(f'{t:.3f}' for t in times)})"


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
    ap.add_argument("--isolate", action="store_true", help="each run in a process of its own (1M documents)")
    ap.add_argument("--child", choices=("toolkit", "nervaluate"), help=argparse.SUPPRESS)
    ap.add_argument("--child-memory", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=13)
    return ap.parse_args()


def main() -> None:
    args = parse_args()
    if args.child:
        child(args)
        return
    n_nerv = args.repeat if args.nervaluate_repeat is None else args.nervaluate_repeat
    note(f"start: {load()} ({os.cpu_count()} cores)")
    ours_times, nerv_times, ours, theirs = (isolated if args.isolate else in_process)(args, n_nerv)
    compared = check_equal(ours, theirs)
    note(f"toolkit.scoring: {summary(ours_times)} for all 4 schemas, pooled and per label")
    if args.nervaluate_docs < args.docs:
        note("  counts below: on nervaluate's subsample")
    for schema in SCHEMAS:
        m = {f: ours[f"{schema}/*/{f}"] for f in (*ACTOR_FIELDS, *PRF)}
        note(
            f"  {schema:9s} P {m['precision']:.4f} R {m['recall']:.4f} F1 {m['f1']:.4f}  "
            + " ".join(f"{f} {m[f]:,}" for f in ACTOR_FIELDS)
        )
    extrapolated = args.nervaluate_docs < args.docs
    note(f"nervaluate 1.2.1: {summary(nerv_times)}" + (" (extrapolated linearly)" if extrapolated else ""))
    note(f"  our counts and P/R/F1 on the same documents equal nervaluate's exactly ({compared} values compared)")
    note(
        f"speed-up: {min(nerv_times) / min(ours_times):.1f}x best/best, "
        f"{statistics.median(nerv_times) / statistics.median(ours_times):.1f}x median/median (target >= 30x)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**10
    note(f"process peak RSS {max(peak, peak_children):,.0f} MiB (nervaluate's runs included); end: {load()}")


if __name__ == "__main__":
    main()
