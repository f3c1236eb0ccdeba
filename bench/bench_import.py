"""Benchmark: `toolkit dataset build` of a large Label Studio export against an orjson + pyarrow floor.

Generates a seeded Label Studio native JSON export of ``--tasks`` tasks (default 100,000), written
as ``toolkit studio pull`` writes one (two-space indent, sorted keys, UTF-8): each task has a
~2 KB text with paragraphs and typographic quotes, Label Studio's task and annotation fields, and
one annotation with ~10 actor regions, ~4 claims (span, per-region target and stance choices,
a speaker relation) and the 6 document stances of the bundled schema (``schemas/schema.yaml``).
Then times, alternating A and B ``--repeat`` times, each in a fresh process:

- A: ``toolkit dataset build EXPORT -o OUT --schema schemas/schema.yaml``;
- B, the floor: a fresh Python process that reads the same file with orjson (the cyclic garbage
  collector disabled and the parsed tree frozen, ``gc.disable()``/``gc.freeze()``), builds the
  ``documents`` configuration's Arrow table directly with pyarrow (same columns and types:
  ``doc_id``, ``text``, ``actors``, ``claims``, ``doc_stances`` as lists of structs with the
  class-label indices, and the provenance columns), and writes it as an Arrow IPC stream file
  (the format ``datasets.save_to_disk`` writes). It validates nothing and builds no ``claims``
  configuration. The whole parsed export is held at once (about 5x the file in memory);
  ``--chunked-floor`` adds a floor that parses it a chunk at a time as the toolkit does.

It prints min and median of each, their ratio, and each process's peak RSS (from ``os.wait4``,
the child's own ``ru_maxrss``) against the export's size.

    python bench/bench_import.py                       # 100,000 tasks (~1.25 GiB export)
    python bench/bench_import.py --tasks 10000 --repeat 3
    python bench/bench_import.py --work /tmp/bi        # keep (and reuse) the generated export there
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
from _synthetic import LABELS, STANCES, TARGETS, random_words

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "schema.yaml"
TARGETS_OTHER = (*TARGETS, "other")
NAMES = {
    "PERSON": ["Sergey Lavrov", "Ahmed Aboul Gheit", "Antonio Guterres", "Maria Zakharova", "Ismail Haniyeh"],
    "STATE": ["Russia", "Moscow", "the Kremlin", "Egypt", "Qatar", "Israel", "the United States"],
    "ORGANIZATION": ["the United Nations Security Council", "the League of Arab States", "TASS", "UNRWA"],
    "GROUP": ["Hamas", "Palestinian Islamic Jihad", "Fatah"],
}
ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"


def _sentence(rng: random.Random) -> str:
    return random_words(rng, 10, 24).capitalize() + "."


def _document(rng: random.Random) -> tuple[str, list[tuple[int, int, str]], list[tuple[int, int]]]:
    """~2 KB of text; actor mentions (start, end, label) and claim spans (start, end) in it."""
    parts: list[str] = []
    length = 0
    actors, claims = [], []
    while length < 1900:
        if parts and rng.random() < 0.15:
            parts.append("\n\n")
            length += 2
        label = rng.choice(LABELS)
        name = rng.choice(NAMES[label])
        lead = rng.choice(["", "According to ", "On Tuesday ", "In a statement "])
        start = length + len(lead)
        actors.append((start, start + len(name), label))
        said = (
            f"{lead}{name} said: “{_sentence(rng)[:-1]}”. "
            if rng.random() < 0.45
            else f"{lead}{name} {_sentence(rng)} "
        )
        if "“" in said:
            q0 = length + said.index("“") + 1
            claims.append((q0, length + said.index("”")))
        parts.append(said)
        length += len(said)
    text = "".join(parts).rstrip()
    return text, actors[:10], claims[:4]


def _rid(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(10))


def _when(rng: random.Random) -> str:
    return f"2026-11-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999999):06d}Z"


def _task(i: int, rng: random.Random) -> dict:
    text, spans, quotes = _document(rng)
    result, actor_ids = [], []
    for start, end, label in spans:
        rid = _rid(rng)
        actor_ids.append(rid)
        result.append(
            {
                "from_name": "actor",
                "id": rid,
                "origin": "manual",
                "to_name": "text",
                "type": "labels",
                "value": {"end": end, "labels": [label], "start": start, "text": text[start:end]},
            }
        )
    for n, (start, end) in enumerate(quotes):
        rid = _rid(rng)
        span = {"end": end, "start": start, "text": text[start:end]}
        result.append(
            {
                "from_name": "claim",
                "id": rid,
                "origin": "manual",
                "to_name": "text",
                "type": "labels",
                "value": {**span, "labels": ["CLAIM"]},
            }
        )
        for name, choice in (("claim_target", rng.choice(TARGETS_OTHER)), ("claim_stance", rng.choice(STANCES))):
            result.append(
                {
                    "from_name": name,
                    "id": rid,
                    "origin": "manual",
                    "to_name": "text",
                    "type": "choices",
                    "value": {**span, "choices": [choice]},
                }
            )
        result.append(
            {
                "direction": "right",
                "from_id": rid,
                "labels": ["speaker"],
                "to_id": actor_ids[min(n, len(actor_ids) - 1)],
                "type": "relation",
            }
        )
    for target in TARGETS:
        result.append(
            {
                "from_name": f"doc_stance__{target}",
                "id": _rid(rng),
                "origin": "manual",
                "to_name": "text",
                "type": "choices",
                "value": {"choices": [rng.choice(STANCES)]},
            }
        )
    annotation = {
        "bulk_created": False,
        "completed_by": rng.randint(1, 6),
        "created_at": _when(rng),
        "draft_created_at": None,
        "ground_truth": False,
        "id": 10 * i + 1,
        "import_id": None,
        "last_action": None,
        "last_created_by": None,
        "lead_time": round(rng.uniform(30, 900), 3),
        "parent_annotation": None,
        "parent_prediction": None,
        "prediction": {},
        "project": 1,
        "result": result,
        "result_count": len(result),
        "task": i,
        "unique_id": f"{rng.getrandbits(128):032x}",
        "updated_at": _when(rng),
        "updated_by": 1,
        "was_cancelled": False,
    }
    doc_id = f"{i:06d}_{rng.getrandbits(32):08x}"
    return {
        "allow_skip": True,
        "annotations": [annotation],
        "cancelled_annotations": 0,
        "comment_authors": [],
        "comment_count": 0,
        "created_at": _when(rng),
        "data": {
            "doc_id": doc_id,
            "meta": {"source_file": f"{doc_id}.txt"},
            "sha256": f"{rng.getrandbits(256):064x}",
            "text": text,
        },
        "drafts": [],
        "file_upload": None,
        "id": i,
        "inner_id": i,
        "last_comment_updated_at": None,
        "meta": {},
        "predictions": [],
        "project": 1,
        "total_annotations": 1,
        "total_predictions": 0,
        "unresolved_comment_count": 0,
        "updated_at": _when(rng),
        "updated_by": 1,
    }


def generate(path: Path, n_tasks: int, seed: int) -> None:
    """Write the export as ``toolkit studio pull`` does (``dump_json``: indent 2, sorted keys), task by task."""
    rng = random.Random(seed)
    opts = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
    with open(path, "wb") as out:
        out.write(b"[")
        for i in range(1, n_tasks + 1):
            body = orjson.dumps(_task(i, rng), option=opts).replace(b"\n", b"\n  ")
            out.write((b"\n  " if i == 1 else b",\n  ") + body)
        out.write(b"\n]\n")


# The floor: parse with orjson (GC off, tree frozen) and build the documents table with pyarrow.
FLOOR = r"""
import gc, sys, time
gc.disable()
import orjson, pyarrow as pa
path, out = sys.argv[1], sys.argv[2]
if len(sys.argv) > 3:  # --chunked-floor: the same parse a chunk at a time (toolkit.files.json_array_chunks)
    from toolkit.files import json_array_chunks
    tasks = [task for chunk in json_array_chunks(path) for task in chunk]
else:
    with open(path, "rb") as f:
        tasks = orjson.loads(f.read())
gc.freeze()
ACTOR = {"PERSON": 0, "STATE": 1, "ORGANIZATION": 2, "GROUP": 3}
TARGETS = ["gaza_ceasefire", "humanitarian_access", "israel_military_operation", "hamas", "palestinian_state",
           "russia_mediation"]
CLAIM_TARGET = {t: i for i, t in enumerate([*TARGETS, "other"])}
STANCE = {"favor": 0, "against": 1, "neutral": 2, "none": 3}
DOC_TARGET = {t: i for i, t in enumerate(TARGETS)}
cols = {k: [] for k in ("doc_id", "text", "actors", "claims", "doc_stances", "task_id", "annotation_id", "annotator",
                        "ground_truth")}
for task in tasks:
    ann = task["annotations"][0]
    text = task["data"]["text"]
    actors, claims, stances, choice, speaker = [], [], {}, {}, {}
    for r in ann["result"]:
        kind = r["type"]
        if kind == "relation":
            speaker[r["from_id"]] = r["to_id"]
            continue
        name, v = r["from_name"], r["value"]
        if name == "actor":
            actors.append({"id": r["id"], "start": v["start"], "end": v["end"], "text": v["text"], "label": ACTOR[v["labels"][0]]})
        elif name == "claim":
            claims.append({"id": r["id"], "start": v["start"], "end": v["end"], "text": v["text"]})
        elif name == "claim_target":
            choice[(r["id"], "target")] = CLAIM_TARGET[v["choices"][0]]
        elif name == "claim_stance":
            choice[(r["id"], "stance")] = STANCE[v["choices"][0]]
        else:
            stances[name[12:]] = STANCE[v["choices"][0]]
    for c in claims:
        c["speaker"] = speaker.get(c["id"])
        c["target"] = choice.get((c["id"], "target"))
        c["stance"] = choice.get((c["id"], "stance"))
    cols["doc_id"].append(task["data"]["doc_id"])
    cols["text"].append(text)
    cols["actors"].append(actors)
    cols["claims"].append(claims)
    cols["doc_stances"].append([{"target": DOC_TARGET[t], "stance": s} for t, s in sorted(stances.items())])
    cols["task_id"].append(task["id"])
    cols["annotation_id"].append(ann["id"])
    cols["annotator"].append(ann["completed_by"])
    cols["ground_truth"].append(ann["ground_truth"] is True)
s, i32, i64 = pa.string(), pa.int32(), pa.int64()
span = [("id", s), ("start", i32), ("end", i32), ("text", s)]
types = {
    "doc_id": s, "text": s, "actors": pa.list_(pa.struct([*span, ("label", i64)])),
    "claims": pa.list_(pa.struct([*span, ("speaker", s), ("target", i64), ("stance", i64)])),
    "doc_stances": pa.list_(pa.struct([("target", i64), ("stance", i64)])),
    "task_id": i64, "annotation_id": i64, "annotator": i64, "ground_truth": pa.bool_(),
}
n = len(tasks)
del tasks
arrays = {k: pa.array(v, type=types[k]) for k, v in cols.items()}
arrays["schema_version"] = pa.array(["1.0.0"] * n, type=s)
table = pa.table(arrays)
with pa.OSFile(out, "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
    writer.write_table(table, max_chunksize=1000)
"""


def _run(cmd: list[str], env: dict) -> tuple[float, int]:
    """Wall time (s) and peak RSS (KiB) of one child process (its own rusage, from ``os.wait4``)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code:
            err.seek(0)
            raise SystemExit(f"failed ({code}): {' '.join(cmd)}\n{err.read().decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, help="folder for the export and outputs (kept; an export there is reused)")
    ap.add_argument("--only", choices=("toolkit", "floor"), help="time one side only")
    ap.add_argument(
        "--chunked-floor",
        action="store_true",
        help="also time a floor that parses the file a 16 MiB chunk at a time, as the toolkit does "
        "(toolkit.files.json_array_chunks: orjson per chunk), keeping every task",
    )
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    export = work / f"export-{args.tasks}-{args.seed}.json"
    if not export.exists():
        t0 = time.perf_counter()
        generate(export.with_suffix(".part"), args.tasks, args.seed)
        export.with_suffix(".part").rename(export)
        print(f"generated {export} in {time.perf_counter() - t0:.0f} s")
    size = export.stat().st_size
    print(f"{args.tasks:,} tasks, export {size / 2**30:.2f} GiB ({export})")
    out, floor_out = work / "ds", work / "floor.arrow"
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    commands = {
        "toolkit": [
            sys.executable,
            "-m",
            "toolkit.cli",
            "dataset",
            "build",
            str(export),
            "-o",
            str(out),
            "--schema",
            str(SCHEMA),
        ],
        "floor": [sys.executable, "-c", FLOOR, str(export), str(floor_out)],
    }
    if args.chunked_floor:
        commands["floor-chunked"] = [*commands["floor"], "chunked"]
    sides = [args.only] if args.only else list(commands)
    times: dict[str, list[float]] = {k: [] for k in sides}
    peaks: dict[str, int] = dict.fromkeys(sides, 0)
    for _ in range(args.repeat):  # alternate A and B: the machine is shared and noisy
        for side in sides:
            shutil.rmtree(out, ignore_errors=True)
            floor_out.unlink(missing_ok=True)
            t, rss = _run(commands[side], env)
            times[side].append(t)
            peaks[side] = max(peaks[side], rss)
    for side, ts in times.items():
        print(
            f"{side:8s} min {min(ts):6.2f} s  median {statistics.median(ts):6.2f} s  ({', '.join(f'{t:.2f}' for t in ts)}); "
            f"peak RSS {peaks[side] / 2**20:.2f} GiB = {peaks[side] * 1024 / size:.2f}x the export"
        )
    for floor in [side for side in sides if side != "toolkit"] if "toolkit" in sides else []:
        a, b = times["toolkit"], times[floor]
        print(
            f"ratio toolkit / {floor}: min {min(a) / min(b):.2f}x, median {statistics.median(a) / statistics.median(b):.2f}x"
        )


if __name__ == "__main__":
    main()
