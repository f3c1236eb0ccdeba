"""Benchmark: `toolkit evaluate` end to end (a fresh process, as a user runs it) on a generated corpus.

Writes seeded gold (records JSONL with text) and one or two predictions files of ``--docs``
documents, then times, alternating A and B ``--repeat`` times:

- A: ``toolkit evaluate --gold gold.jsonl -p pred.jsonl --n-boot 1000 --json out.json``
  (with ``--compare``: two predictions files and ``--compare``);
- B, the floor: a fresh Python process that only parses the same JSONL files with orjson.

and prints min and median of each (wall and CPU time) and their ratio, plus the evaluate
process's peak RSS and the load average before and after (the machine may be shared).

    python bench/bench_evaluate.py                   # 10,000 documents
    python bench/bench_evaluate.py --compare         # two systems, paired tests
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _synthetic import LABELS, STANCES, TARGETS, WORDS, random_words

EVALUATE_WORDS = WORDS[:15]  # the corpus's vocabulary since it was first measured


def generate(n_docs: int, seed: int) -> tuple[list[dict], list[dict], list[dict]]:
    """Gold records with text (~10 actors, ~4 claims, 6 doc stances) and two perturbed systems."""
    rng = random.Random(seed)
    gold, systems = [], ([], [])
    for d in range(n_docs):
        text = random_words(rng, 150, 400, EVALUATE_WORDS)
        starts = sorted(rng.sample(range(0, len(text) - 40, 7), 14))
        actors = [
            {"id": f"a{i}", "start": s, "end": s + rng.randint(3, 15), "text": "", "label": rng.choice(LABELS)}
            for i, s in enumerate(starts[:10])
        ]
        claims = [
            {
                "id": f"c{i}",
                "start": s,
                "end": s + rng.randint(10, 40),
                "text": "",
                "speaker": f"a{i}",
                "target": rng.choice(TARGETS),
                "stance": rng.choice(STANCES),
            }
            for i, s in enumerate(starts[10:])
        ]
        for span in actors + claims:
            span["text"] = text[span["start"] : span["end"]]
        record = {
            "doc_id": f"doc{d:06d}",
            "text": text,
            "actors": actors,
            "claims": claims,
            "doc_stances": {t: rng.choice(STANCES) for t in TARGETS},
        }
        gold.append(record)
        for system in systems:
            system.append(_perturb(record, rng))
    return gold, *systems


def _perturb(record: dict, rng: random.Random) -> dict:
    text = record["text"]

    def keep(span, **change):
        return {k: v for k, v in span.items() if k != "text"} | change

    actors = [
        keep(a, label=rng.choice(LABELS) if rng.random() < 0.1 else a["label"])
        for a in record["actors"]
        if rng.random() < 0.85
    ]
    ids = {a["id"] for a in actors}
    claims = [
        keep(
            c,
            end=min(len(text), c["end"] + rng.randint(-3, 3)),
            speaker=c["speaker"] if c["speaker"] in ids else None,
            stance=rng.choice(STANCES),
        )
        for c in record["claims"]
        if rng.random() < 0.8
    ]
    return {
        "doc_id": record["doc_id"],
        "actors": actors,
        "claims": claims,
        "doc_stances": {t: rng.choice(STANCES) for t in record["doc_stances"]},
    }


def _write(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def _timed(cmd: list[str], env: dict) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system: what a busy machine does not inflate much) and peak
    RSS (KiB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # its stderr is shown below
    elapsed = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu, max(before.ru_maxrss, after.ru_maxrss)


def _commands(args: argparse.Namespace, work: Path) -> tuple[list[str], list[str]]:
    """The evaluate command line (A) and the orjson floor (B) on the files in ``work``."""
    files = ["gold.jsonl", "a.jsonl", *(["b.jsonl"] if args.compare else [])]
    toolkit = [
        sys.executable,
        "-m",
        "toolkit.cli",
        "evaluate",
        "--gold",
        str(work / "gold.jsonl"),
        "-p",
        str(work / "a.jsonl"),
        "--n-boot",
        str(args.n_boot),
        "--json",
        str(work / "out.json"),
        "--schema",
        str(Path(__file__).resolve().parent.parent / "schemas" / "schema.yaml"),
    ]
    if args.compare:
        toolkit += ["-p", str(work / "b.jsonl"), "--compare", "a.jsonl", "b.jsonl"]
    floor = [
        sys.executable,
        "-c",
        ("import orjson, sys\nfor f in sys.argv[1:]:\n    [orjson.loads(line) for line in open(f, 'rb')]"),
        *(str(work / f) for f in files),
    ]
    return toolkit, floor


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--n-boot", type=int, default=1000)
    ap.add_argument("--compare", action="store_true", help="two predictions files and --compare")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-evaluate-"))
    gold, a, b = generate(args.docs, args.seed)
    _write(work / "gold.jsonl", gold)
    _write(work / "a.jsonl", a)
    _write(work / "b.jsonl", b)
    size = sum((work / f).stat().st_size for f in ("gold.jsonl", "a.jsonl", "b.jsonl")) / 2**20
    print(f"{args.docs:,} documents in {work} ({size:.0f} MiB of JSONL); {_load()}")
    toolkit, floor = _commands(args, work)
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    times: dict[str, list[float]] = {"toolkit": [], "floor": []}
    cpu: dict[str, list[float]] = {"toolkit": [], "floor": []}
    peak = 0
    for _ in range(args.repeat):  # alternate A and B: the machine is shared and noisy
        for name, cmd in (("toolkit", toolkit), ("floor", floor)):
            t, c, rss = _timed(cmd, env)
            times[name].append(t)
            cpu[name].append(c)
            peak = max(peak, rss) if name == "toolkit" else peak
    for name, ts in times.items():
        print(
            f"{name:8s} min {min(ts):6.2f} s  median {statistics.median(ts):6.2f} s  ({', '.join(f'{t:.2f}' for t in ts)}); "
            f"CPU min {min(cpu[name]):.2f} s, median {statistics.median(cpu[name]):.2f} s"
        )
    print(
        f"ratio toolkit / floor (orjson parse of the same files): min {min(times['toolkit']) / min(times['floor']):.1f}x, "
        f"median {statistics.median(times['toolkit']) / statistics.median(times['floor']):.1f}x; "
        f"peak RSS of the evaluate process {peak / 1024:.0f} MiB; {_load()}"
    )


if __name__ == "__main__":
    main()
