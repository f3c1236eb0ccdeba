"""Benchmark: `toolkit predict` over a generated corpus, against the serial floor.

Writes a seeded corpus of ``--docs`` articles (the generator of bench_rules.py) as JSONL, then
times, alternating A and B ``--repeat`` times, each in a fresh process:

- A: ``toolkit predict corpus.jsonl -e rules -o OUT --workers W --engine E`` (a fresh, empty
  OUT each time): reading, shards of ``--shard-size`` documents, Parquet, manifest;
- B, the floor: one process that reads the same JSONL and runs the same extractor over every
  document, writing nothing: the serial cost of the extraction itself.

and prints min and median of each, their ratio (below 1 when the workers use both cores) and
each process's peak RSS. With ``--kill-resume``, one more run of A is killed (SIGKILL, the whole
process group) once half of its shards are written, then run again: the benchmark checks that
the shards written before the kill were kept as they were (same inode and mtime) and that the
resumed output equals the uninterrupted one's, and prints the time of both parts.

    python bench/bench_predict.py                               # 20,000 documents, local engine
    python bench/bench_predict.py --docs 100000 --repeat 1 --kill-resume
    python bench/bench_predict.py --docs 100000 --engine ray --repeat 1 --kill-resume
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_rules import generate  # noqa: E402  (the benchmark folder is not a package)

FLOOR = """
import json, sys
from toolkit.extractors import get_extractor
from toolkit.schema import load_schema
from toolkit.tasks import Document
docs = [Document(row["doc_id"], row["text"]) for row in map(json.loads, open(sys.argv[1], encoding="utf-8"))]
extractor = get_extractor("rules", schema=load_schema())
for start in range(0, len(docs), 1000):
    extractor.extract(docs[start:start + 1000])
"""


def run(command: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in MiB of the process and its children) of one command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()[-2000:]}")
    children = max(usage.ru_maxrss, 0)
    return wall, children // 1024


def predict_command(corpus: Path, out: Path, args) -> list[str]:
    command = [sys.executable, "-m", "toolkit.cli", "predict", str(corpus), "-e", "rules", "-o", str(out)]
    command += ["--shard-size", str(args.shard_size), "--workers", str(args.workers), "--engine", args.engine]
    return command


def shards(out: Path) -> dict[str, tuple[int, int]]:
    """Shard name -> (inode, mtime in ns) of the finished shards in ``out``."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(out.glob("shard-*.parquet"))}


def digest(out: Path) -> str:
    """A digest of every shard's rows, in shard order (what `evaluate -p` reads)."""
    import pyarrow.parquet as pq

    h = hashlib.sha256()
    for path in sorted(out.glob("shard-*.parquet")):
        h.update(json.dumps(pq.read_table(path).to_pylist(), sort_keys=True).encode())
    return h.hexdigest()


def kill_and_resume(corpus: Path, work: Path, reference: Path, args) -> None:
    """Kill a run once half its shards are written, resume it, check what was kept and the output."""
    out = work / "killed"
    n_shards = -(-args.docs // args.shard_size)
    start = time.perf_counter()
    process = subprocess.Popen(
        predict_command(corpus, out, args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    while len(shards(out)) < n_shards // 2 and process.poll() is None:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    first = time.perf_counter() - start
    before = shards(out)
    resumed, rss = run(predict_command(corpus, out, args))
    after = shards(out)
    kept = all(after.get(name) == stamp for name, stamp in before.items())
    same = digest(out) == digest(reference)
    print(
        f"kill-resume: killed after {first:.1f} s with {len(before)} of {n_shards} shards written; "
        f"the resumed run took {resumed:.1f} s (peak RSS {rss} MiB) and wrote {len(after) - len(before)}; "
        f"shards written before the kill kept unchanged: {kept}; output equals the uninterrupted run's: {same}"
    )
    if not (kept and same and len(after) == n_shards):
        raise SystemExit("kill-resume check failed")


def summary(name: str, seconds: list[float]) -> str:
    return f"{name:8} min {min(seconds):7.2f} s  median {statistics.median(seconds):7.2f} s  ({', '.join(f'{s:.2f}' for s in seconds)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--shard-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--engine", choices=["local", "ray"], default="local")
    parser.add_argument("--repeat", type=int, default=3, help="A/B rounds")
    parser.add_argument("--seed", type=int, default=20240917)
    parser.add_argument("--kill-resume", action="store_true", help="also kill a run halfway and resume it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-predict-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus.jsonl"
        with corpus.open("w", encoding="utf-8") as f:
            for doc_id, text in generate(args.docs, args.seed):
                f.write(json.dumps({"doc_id": doc_id, "text": text}) + "\n")
        print(f"{args.docs:,} documents in {corpus} ({corpus.stat().st_size >> 20} MiB); load {os.getloadavg()}")
        times: dict[str, list[float]] = {"predict": [], "floor": []}
        peaks: dict[str, int] = {"predict": 0, "floor": 0}
        for i in range(args.repeat):
            out = work / f"out-{i}"
            for name, command in (
                ("predict", predict_command(corpus, out, args)),
                ("floor", [sys.executable, "-c", FLOOR, str(corpus)]),
            ):
                wall, rss = run(command)
                times[name].append(wall)
                peaks[name] = max(peaks[name], rss)
                print(f"  round {i + 1}: {name} {wall:.2f} s, peak RSS {rss} MiB", flush=True)
        print(f"toolkit predict --engine {args.engine} --workers {args.workers} --shard-size {args.shard_size}")
        print(summary("predict", times["predict"]) + f"  {args.docs / statistics.median(times['predict']):,.0f} docs/s")
        print(summary("floor", times["floor"]) + f"  {args.docs / statistics.median(times['floor']):,.0f} docs/s")
        ratio_min = min(times["predict"]) / min(times["floor"])
        ratio_median = statistics.median(times["predict"]) / statistics.median(times["floor"])
        print(
            f"ratio predict / floor (the same extraction in one process, nothing written): "
            f"min {ratio_min:.2f}x, median {ratio_median:.2f}x; peak RSS {peaks['predict']} / {peaks['floor']} MiB; "
            f"load {os.getloadavg()}"
        )
        if args.kill_resume:
            kill_and_resume(corpus, work, work / "out-0", args)


if __name__ == "__main__":
    main()
