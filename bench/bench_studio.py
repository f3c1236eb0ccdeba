"""Benchmark: `toolkit studio push` and `pull` against a live Label Studio at corpus scale.

Starts a ``label-studio`` server (the pinned package, a temporary data folder, a free port on
127.0.0.1, as the tests do), generates ``--docs`` documents of about 2 KB of text and times,
alternating A and B ``--repeat`` times (min and median of each, their ratio, and the peak RSS
of the process that ran it; every operation runs in a fresh Python process, timed from after
its imports):

1. first push into a new project: A = ``toolkit.studio.push_tasks``; B, the floor = the SDK's
   batched import (``client.projects.import_tasks``, same batch size) into another new project;
2. push again, nothing new: A = ``push_tasks`` on the same documents; B = the fastest way the
   SDK offers to list the project's task ids and data, chosen among the listings below (each
   is timed and reported: ``client.tasks.list`` pages of several sizes, page-numbered or in
   id order, and the SDK's one-request export);
3. pull, at each of ``--pull-sizes`` tasks (a tenth of the tasks annotated, a tenth with a
   prediction): ``pull_export`` with the one-request export (``sync``, what it did before)
   and through an export snapshot (``snapshot``), and B = the SDK alone (``exports.create`` +
   wait + ``download`` to a file). Both toolkit files are checked to be the same JSON.

    python bench/bench_studio.py                       # 10,000 documents, pulls of 1k and 10k
    python bench/bench_studio.py --docs 2000 --repeat 2 --pull-sizes 500,2000   # a quick run
    python bench/bench_studio.py --pull-sizes 1000,10000,30000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "the minister said talks would continue while aid convoys waited at the crossing for hours and "
    "officials in several capitals urged restraint as negotiators met again on monday"
).split()
LISTINGS = ("pager-100", "pager-1000", "pager-10000", "idorder-1000", "idorder-10000", "export")
CHOICE = [
    {"from_name": "doc_stance__gaza_ceasefire", "to_name": "text", "type": "choices", "value": {"choices": ["favor"]}}
]


def generate(n_docs: int, seed: int = 7, marked: bool = False) -> list[dict]:
    """``n_docs`` import tasks of ~2 KB text; with ``marked``, every tenth annotated and every
    tenth (others) with a prediction."""
    from toolkit.tasks import Document, to_task

    rng = random.Random(seed)
    tasks = []
    for i in range(n_docs):
        words: list[str] = []
        size = 0
        while size < 2000:
            words.append(rng.choice(WORDS))
            size += len(words[-1]) + 1
        task = to_task(Document(f"doc{i:07d}", " ".join(words)))
        if marked and i % 10 == 0:
            task["annotations"] = [{"result": CHOICE}]
        if marked and i % 10 == 5:
            task["predictions"] = [{"result": CHOICE, "model_version": "bench 1", "score": 0.5}]
        tasks.append(task)
    return tasks


# --- one measured operation, in a fresh process -------------------------------------------


def _sdk_listing(client, project_id: int, option: str) -> int:
    """List ``(id, data)`` of every task with the SDK alone; returns the number of tasks."""
    kind, _, size = option.partition("-")
    if kind == "export":  # the SDK's one-request export: everything, annotations included
        raw = b"".join(client.projects.exports.download_sync(project_id, export_type="JSON", download_all_tasks=True))
        return len({t["id"]: t["data"] for t in json.loads(raw)})
    if kind == "pager":  # the SDK's pager: page numbers, each page parsed into task objects
        return len(
            {
                t.id: t.data
                for t in client.tasks.list(
                    project=project_id, page_size=int(size), include="id,data", fields="task_only"
                )
            }
        )
    found, last = {}, 0  # id order with an `id >` filter, as the toolkit pages
    while True:
        query = {"filters": {"conjunction": "and", "items": [
            {"filter": "filter:tasks:id", "operator": "greater", "type": "Number", "value": last}]},
            "ordering": ["tasks:id"]}  # fmt: skip
        page = client.tasks.list(
            project=project_id,
            page=1,
            page_size=int(size),
            include="id,data",
            fields="task_only",
            query=json.dumps(query),
        )
        items = list(page.items or [])
        found.update((t.id, t.data) for t in items)
        if len(items) < int(size):
            return len(found)
        last = items[-1].id


def _snapshot_sdk(client, project_id: int, out: Path) -> int:
    """The export snapshot with the SDK alone: create, wait, download to ``out``, delete."""
    from toolkit.studio import _SNAPSHOT_OPTIONS

    snapshot = client.projects.exports.create(id=project_id, serialization_options=_SNAPSHOT_OPTIONS)
    while snapshot.status not in ("completed", "failed"):
        time.sleep(0.1)
        snapshot = client.projects.exports.get(id=project_id, export_pk=snapshot.id)
    with open(out, "wb") as handle:
        for chunk in client.projects.exports.download(
            id=project_id, export_pk=snapshot.id, export_type="JSON", request_options={"chunk_size": 1 << 20}
        ):
            handle.write(chunk)
    client.projects.exports.delete(id=project_id, export_pk=snapshot.id)
    return out.stat().st_size


def worker(op: str, project_id: int, tasks_file: str | None, batch_size: int, out: str | None) -> None:
    """Run one operation and print ``{"seconds", "rss_mib", ...}`` as JSON."""
    from toolkit.studio import connect, pull_export, push_tasks

    client = connect(os.environ["LABEL_STUDIO_URL"], os.environ["LABEL_STUDIO_API_KEY"], timeout=3600)
    tasks = [json.loads(line) for line in open(tasks_file, encoding="utf-8")] if tasks_file else []
    info: dict = {}
    start = time.perf_counter()
    if op == "push":
        result = push_tasks(client, project_id, tasks, batch_size)
        info = {"imported": result.imported, "unchanged": result.unchanged, "tasks": result.tasks}
    elif op == "import":
        for i in range(0, len(tasks), batch_size):
            client.projects.import_tasks(id=project_id, request=tasks[i : i + batch_size])
    elif op.startswith("list:"):
        info = {"tasks": _sdk_listing(client, project_id, op[5:])}
    elif op.startswith("pull:"):
        summary = pull_export(client, project_id, out, method=op[5:])
        info = {"tasks": summary["tasks"], "method": summary["method"]}
    elif op == "snapshot-sdk":
        info = {"bytes": _snapshot_sdk(client, project_id, Path(out))}
    else:
        raise SystemExit(f"unknown operation {op}")
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rss_mib": rss, **info}))


# --- the driver ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Bench:
    def __init__(self, server, work: Path, batch_size: int):
        from toolkit.schema import labeling_config, load_schema
        from toolkit.studio import connect

        self.server, self.work, self.batch_size = server, work, batch_size
        self.client = connect(server.url, server.token, timeout=3600)
        self.config = labeling_config(load_schema())
        self.env = dict(os.environ, LABEL_STUDIO_URL=server.url, LABEL_STUDIO_API_KEY=server.token)
        self.made = 0

    def project(self) -> int:
        from toolkit.studio import ensure_project

        self.made += 1
        return ensure_project(self.client, f"bench {self.made} {time.time():.0f}", self.config)[0]

    def drop(self, project_id: int) -> None:
        self.client.projects.delete(id=project_id)

    def run(self, op: str, project_id: int, tasks_file: Path | None = None, out: Path | None = None) -> dict:
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            op,
            "--project",
            str(project_id),
            "--batch-size",
            str(self.batch_size),
        ]
        if tasks_file:
            cmd += ["--tasks", str(tasks_file)]
        if out:
            cmd += ["--out", str(out)]
        done = subprocess.run(cmd, env=self.env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{op} failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def _write_tasks(path: Path, tasks: list[dict]) -> Path:
    path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks), encoding="utf-8")
    return path


def _stats(runs: list[dict]) -> tuple[float, float, float]:
    times = [r["seconds"] for r in runs]
    return min(times), statistics.median(times), max(r["rss_mib"] for r in runs)


def _line(name: str, runs: list[dict]) -> str:
    low, mid, rss = _stats(runs)
    each = ", ".join(f"{r['seconds']:.2f}" for r in runs)
    return f"  {name:34s} min {low:7.2f} s  median {mid:7.2f} s  peak RSS {rss:5.0f} MiB  ({each})"


def _ratio(a: list[dict], b: list[dict]) -> str:
    (a_min, a_mid, _), (b_min, b_mid, _) = _stats(a), _stats(b)
    return f"  ratio A/B: min {a_min / b_min:.2f}x, median {a_mid / b_mid:.2f}x"


def _same_export(a: Path, b: Path) -> str:
    """Whether two native JSON exports hold the same tasks (order of keys aside, and each
    prediction's ``created_ago``, Label Studio's "3 minutes" at the time of the export)."""
    left, right = json.loads(a.read_text(encoding="utf-8")), json.loads(b.read_text(encoding="utf-8"))
    for task in left + right:
        for prediction in task.get("predictions") or []:
            if isinstance(prediction, dict):
                prediction.pop("created_ago", None)
    if left == right:
        return "identical"
    keys = {k for task in left + right for k in task}
    differ = sorted(k for k in keys if [t.get(k) for t in left] != [t.get(k) for t in right])
    return f"differ in {', '.join(differ)}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=250)
    ap.add_argument("--pull-sizes", default="1000,10000", help="comma-separated task counts")
    ap.add_argument("--pull-repeat", type=int, default=None, help="default: --repeat")
    ap.add_argument("--listings", default=",".join(LISTINGS), help=f"SDK listings to try ({', '.join(LISTINGS)})")
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: push, repush, pull")
    ap.add_argument("--keep", action="store_true", help="keep the server's data folder and log")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--project", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--tasks", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker, args.project, args.tasks, args.batch_size, args.out)

    from toolkit.studio import LocalServer

    skip = set(filter(None, args.skip.split(",")))
    work = Path(tempfile.mkdtemp(prefix="bench-studio-"))
    server = LocalServer(
        data_dir=work / "label-studio", port=_free_port(), password=secrets.token_hex(8), token=secrets.token_hex(20)
    )
    print(f"starting label-studio on {server.url} (data in {work}) …", flush=True)
    server.start()
    try:
        bench = Bench(server, work, args.batch_size)
        tasks_file = _write_tasks(work / "tasks.jsonl", generate(args.docs))
        mib = tasks_file.stat().st_size / 2**20
        print(
            f"{args.docs:,} documents ({mib:.0f} MiB of tasks), batches of {args.batch_size}, "
            f"{args.repeat} alternated runs each",
            flush=True,
        )
        kept = None
        if "push" not in skip or "repush" not in skip:
            kept = _first_push(bench, tasks_file, args.repeat if "push" not in skip else 0)
        if "repush" not in skip:
            _repush(bench, kept, tasks_file, args.repeat, args.listings.split(","))
        if "pull" not in skip:
            sizes = [int(s) for s in args.pull_sizes.split(",") if s]
            _pulls(bench, sizes, args.pull_repeat or args.repeat)
    finally:
        server.stop()
        if args.keep:
            print(f"(server data and log left in {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _first_push(bench: Bench, tasks_file: Path, repeat: int) -> int:
    """Section 1; returns a project holding the documents (for the re-push)."""
    runs: dict[str, list[dict]] = {"A": [], "B": []}
    kept = None
    for i in range(repeat):
        for side in "AB" if i % 2 == 0 else "BA":
            project_id = bench.project()
            result = bench.run("push" if side == "A" else "import", project_id, tasks_file)
            runs[side].append(result)
            if side == "A" and kept is None:
                kept = project_id
            else:
                bench.drop(project_id)
    if kept is None:
        kept = bench.project()
        bench.run("push", kept, tasks_file)
    if repeat:
        print("\n1. first push into a new project")
        print(_line("A  toolkit push_tasks", runs["A"]))
        print(_line("B  SDK import_tasks (batched)", runs["B"]))
        print(_ratio(runs["A"], runs["B"]), flush=True)
        assert all(r["imported"] == r["tasks"] for r in runs["A"]), runs["A"]
    return kept


def _repush(bench: Bench, project_id: int, tasks_file: Path, repeat: int, listings: list[str]) -> None:
    runs: dict[str, list[dict]] = {"A": [], **{name: [] for name in listings}}
    for i in range(repeat):
        order = ["A", *listings] if i % 2 == 0 else [*listings, "A"]
        for side in order:
            if side == "export" and runs[side]:
                continue  # the one-request export is far slower: timed once
            op = "push" if side == "A" else f"list:{side}"
            runs[side].append(bench.run(op, project_id, tasks_file if side == "A" else None))
    assert all(r["imported"] == 0 for r in runs["A"]), runs["A"]
    print("\n2. push again, nothing new (project of", runs["A"][0]["tasks"], "tasks)")
    print(_line("A  toolkit push_tasks", runs["A"]))
    for name in listings:
        print(_line(f"   SDK listing {name}", runs[name]))
    fastest = min(listings, key=lambda name: _stats(runs[name])[1])
    print(f"  B = the fastest SDK listing (by median): {fastest}")
    print(_ratio(runs["A"], runs[fastest]), flush=True)


def _pulls(bench: Bench, sizes: list[int], repeat: int) -> None:
    from toolkit.studio import SNAPSHOT_FROM

    print(f"\n3. pull (a tenth of the tasks annotated, a tenth predicted; pull_export switches at {SNAPSHOT_FROM:,})")
    for size in sizes:
        project_id = bench.project()
        tasks_file = _write_tasks(bench.work / f"pull-{size}.jsonl", generate(size, seed=size, marked=True))
        bench.run("import", project_id, tasks_file)
        runs: dict[str, list[dict]] = {"pull:sync": [], "pull:snapshot": [], "snapshot-sdk": []}
        for i in range(repeat):
            for op in list(runs) if i % 2 == 0 else list(runs)[::-1]:
                runs[op].append(bench.run(op, project_id, out=bench.work / f"{op.replace(':', '-')}-{size}.json"))
        same = _same_export(bench.work / f"pull-sync-{size}.json", bench.work / f"pull-snapshot-{size}.json")
        print(f" {size:,} tasks (toolkit files: {same})")
        print(_line("A  pull_export, one-request export", runs["pull:sync"]))
        print(_line("A' pull_export, export snapshot", runs["pull:snapshot"]))
        print(_line("B  SDK snapshot create+wait+download", runs["snapshot-sdk"]))
        (s_min, s_mid, _), (p_min, p_mid, _) = _stats(runs["pull:sync"]), _stats(runs["pull:snapshot"])
        print(
            f"  one-request / snapshot: min {s_min / p_min:.2f}x, median {s_mid / p_mid:.2f}x;"
            f" snapshot A'/B: min {p_min / _stats(runs['snapshot-sdk'])[0]:.2f}x",
            flush=True,
        )
        bench.drop(project_id)


if __name__ == "__main__":
    main()
