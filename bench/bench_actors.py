"""Benchmark: actor-span scoring (toolkit.scoring, all four SemEval schemas) against nervaluate 1.2.1.

Generates seeded synthetic documents (default 100,000 with about 10 gold and 10 predicted actor
spans each), scores them with ``toolkit.scoring.actor_counts`` + ``actor_scores_from_counts``,
then runs nervaluate on a seeded random subsample of the documents (nervaluate is slow),
extrapolates its time linearly to all documents, and checks that our counts on that subsample
equal nervaluate's exactly (overall and per label, every schema). Not a test.

    python bench/bench_actors.py                 # 100,000 documents
    python bench/bench_actors.py --docs 5000     # smaller

Times are the best of ``--repeat`` runs (the machine may be shared), after a garbage collection.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.scoring import ACTOR_FIELDS, SCHEMAS, actor_counts, actor_scores_from_counts

LABELS = ("PERSON", "STATE", "ORGANIZATION", "GROUP")


def generate(n_docs: int, seed: int) -> tuple[list[dict], list[dict]]:
    """Records as parsed from JSON lines. Gold: ~10 disjoint spans per document, 1% of them with
    a nested gold span. Predictions: each gold span kept exactly (76%), with a boundary error
    (9%), with a wrong label (5%), or missed (10%); 2% also get a nested duplicate; plus ~1.1
    spurious spans per document anywhere in the text."""
    rng = np.random.default_rng(seed)
    gold, pred = [], []
    for d in range(n_docs):
        n = int(rng.poisson(10))
        lengths = rng.integers(4, 30, size=n)
        starts = np.cumsum(rng.integers(1, 2000, size=n) + lengths) - lengths  # disjoint, in text order
        nested = rng.random(n) < 0.01  # a gold span nested at the start of this one ("Russian" in "Russian MFA")
        labels = rng.integers(0, len(LABELS), size=n)
        fate = rng.random(n)
        shift = rng.integers(1, 3, size=n)
        g_actors, p_actors = [], []
        for i in range(n):
            s, e, lab = int(starts[i]), int(starts[i] + lengths[i]), LABELS[labels[i]]
            g_actors.append({"id": f"g{len(g_actors)}", "start": s, "end": e, "text": "", "label": lab})
            if nested[i]:
                g_actors.append({"id": f"g{len(g_actors)}", "start": s, "end": s + 2, "text": "", "label": LABELS[0]})
            f = fate[i]
            if f < 0.10:
                continue
            if f < 0.19:
                s, e = (s + int(shift[i]), e) if f < 0.145 else (s, e + int(shift[i]))
            elif f < 0.24:
                lab = LABELS[(labels[i] + 1) % len(LABELS)]
            p_actors.append({"id": f"p{len(p_actors)}", "start": s, "end": e, "text": "", "label": lab})
            if f > 0.98:
                p_actors.append({"id": f"p{len(p_actors)}", "start": s + 1, "end": e, "text": "", "label": lab})
        for _ in range(int(rng.poisson(1.1))):
            s = int(rng.integers(0, int(starts[-1]) + 30 if n else 1000))
            p_actors.append(
                {
                    "id": f"p{len(p_actors)}",
                    "start": s,
                    "end": s + int(rng.integers(3, 30)),
                    "text": "",
                    "label": LABELS[int(rng.integers(0, len(LABELS)))],
                }
            )
        p_actors.sort(key=lambda a: a["start"])
        doc_id = f"doc{d:06d}"
        gold.append(json.dumps({"doc_id": doc_id, "actors": g_actors, "claims": [], "doc_stances": {}}))
        pred.append(json.dumps({"doc_id": doc_id, "actors": p_actors, "claims": [], "doc_stances": {}}))
    # Parse JSON lines, as the evaluate command reads gold and predictions files.
    return [json.loads(line) for line in gold], [json.loads(line) for line in pred]


def score(gold, pred):
    table = actor_counts(gold, pred, labels=LABELS)
    return table, actor_scores_from_counts(table)


def run_nervaluate(gold, pred):
    from nervaluate import Evaluator

    def inclusive(records):  # nervaluate's ends are inclusive
        return [[{"label": a["label"], "start": a["start"], "end": a["end"] - 1} for a in r["actors"]] for r in records]

    return Evaluator(inclusive(gold), inclusive(pred), tags=list(LABELS), loader="dict").evaluate()


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000, help="documents to generate (default 100000)")
    ap.add_argument(
        "--nervaluate-docs",
        type=int,
        default=10_000,
        help="size of the random subsample nervaluate runs on (default 10000; >= --docs: all)",
    )
    ap.add_argument("--repeat", type=int, default=5, help="timed runs of each scorer; the best is used (default 5)")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()

    t0 = time.perf_counter()
    gold, pred = generate(args.docs, args.seed)
    n_gold = sum(len(r["actors"]) for r in gold)
    n_pred = sum(len(r["actors"]) for r in pred)
    print(
        f"generated {args.docs:,} documents, {n_gold:,} gold and {n_pred:,} predicted actor spans "
        f"(seed {args.seed}) in {time.perf_counter() - t0:.1f} s"
    )

    ours_times = []
    for _ in range(args.repeat):
        gc.collect()
        t0 = time.perf_counter()
        table, ours = score(gold, pred)
        ours_times.append(time.perf_counter() - t0)
    t_ours = min(ours_times)
    print(
        f"toolkit.scoring: {t_ours:.2f} s (best of {args.repeat}: {', '.join(f'{t:.2f}' for t in ours_times)}) "
        "for all 4 schemas, pooled and per label "
        f"({table.rows.shape[0]:,} x {table.rows.shape[1]} per-document count table)"
    )
    for schema in SCHEMAS:
        m = ours["schemas"][schema]["micro"]
        print(
            f"  {schema:9s} P {m['precision']:.4f} R {m['recall']:.4f} F1 {m['f1']:.4f}  "
            + " ".join(f"{f} {m[f]:,}" for f in ACTOR_FIELDS)
        )

    tracemalloc.start()
    score(gold, pred)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"peak memory allocated while scoring (tracemalloc, second run): {peak / 2**20:.1f} MiB; "
        f"process max RSS so far: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:.0f} MiB"
    )

    k = min(args.nervaluate_docs, args.docs)
    rng = np.random.default_rng(args.seed + 1)
    sub = np.sort(rng.choice(args.docs, size=k, replace=False)) if k < args.docs else np.arange(args.docs)
    sub_gold, sub_pred = [gold[i] for i in sub], [pred[i] for i in sub]
    which = (
        "all documents"
        if k == args.docs
        else (
            f"random subsample of {k:,} of {args.docs:,} documents (numpy default_rng({args.seed + 1}).choice, "
            f"sorted; first ids {', '.join(gold[i]['doc_id'] for i in sub[:3])}, ...)"
        )
    )
    print(f"nervaluate 1.2.1 on {which}")
    nerv_times = []
    for _ in range(args.repeat):
        gc.collect()
        t0 = time.perf_counter()
        ref = run_nervaluate(sub_gold, sub_pred)
        nerv_times.append(time.perf_counter() - t0)
    t_sub = min(nerv_times)
    t_nerv = t_sub * args.docs / k
    compared = check_equal(score(sub_gold, sub_pred)[1], ref)
    print(
        f"  {t_sub:.2f} s measured (best of {args.repeat}: {', '.join(f'{t:.2f}' for t in nerv_times)})"
        + ("" if k == args.docs else f", extrapolated linearly to {args.docs:,} documents: {t_nerv:.1f} s")
    )
    print(f"  our counts and P/R/F1 on the same documents equal nervaluate's exactly ({compared} values compared)")
    med_ratio = float(np.median(nerv_times)) / float(np.median(ours_times)) * args.docs / k
    print(
        f"speed-up: {t_nerv / t_ours:.1f}x faster than nervaluate, best vs best (target >= 30x); "
        f"median vs median: {med_ratio:.1f}x"
    )


if __name__ == "__main__":
    main()
