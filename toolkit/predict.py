"""Run an extractor over a whole corpus in shards: ``toolkit predict``.

**Corpus.** A folder of ``.txt`` files or a ``.jsonl`` file (:func:`toolkit.tasks.read_sources`),
a ``.parquet`` file or a folder of them with ``doc_id`` and ``text`` columns, or a Hugging Face
dataset (a folder written by ``save_to_disk``, or anything ``datasets.load_dataset`` reads) with
``doc_id`` and ``text``. Texts are normalised as everywhere (:func:`toolkit.tasks.normalize_text`);
doc ids must be unique and texts non-empty.

**Shards.** The corpus is sorted by doc id and cut into shards of ``shard_size`` documents:
shard ``i`` holds documents ``[i*N, (i+1)*N)``. Each shard is written to
``OUT/shard-00000.parquet`` atomically (a temporary file, then a rename), so a shard file either
is complete or does not exist. ``OUT/manifest.json`` records what the run depends on (extractor
name and version, schema fingerprint, corpus fingerprint, shard size and count); a run into a
folder that holds another run's manifest is refused, and a run with the same settings skips every
shard already written (a crash loses at most the shards in flight).

**Parquet schema** (:data:`PREDICTION_SCHEMA`), one row per document, rows in doc id order::

    doc_id       string
    sha256       string                       # of the text the extractor saw
    actors       list<struct<id: string, start: int64, end: int64, text: string, label: string>>
    claims       list<struct<id: string, start: int64, end: int64, text: string,
                             speaker: string, target: string, stance: string>>
    doc_stances  list<struct<target: string, stance: string>>

Offsets are half-open code-point offsets, as in :mod:`toolkit.records`. Each shard's key-value
metadata holds ``toolkit.predictions`` (JSON: run id, shard index, extractor name and version).

**Engines.** ``local``: a process pool, each worker builds the extractor once and writes its
shards. ``ray``: Ray Data (``from_items`` -> ``map_batches(predict_batch)``) over the documents of
the missing shards only; the driver collects the rows and writes each shard as soon as all its
rows are in. Either way the extractor is a stateless batch function (:func:`predict_batch`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any, NamedTuple, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import ExtractorError, SourceError, ToolkitError
from .files import atomic_write_bytes, atomic_write_json, clean_leftovers, fingerprint, sha256_text, shown
from .gold import Imported, Problem, check_record
from .predictions import System
from .records import Actor, Claim, Record
from .schema import Schema, parse_schema
from .tasks import Document, normalize_text, read_sources

FORMAT = "toolkit-predictions/1"
MANIFEST = "manifest.json"
META_KEY = b"toolkit.predictions"
RAY_EXTRA = "--engine ray needs Ray Data: pip install 'stance-toolkit[ray]'"

_SPAN = [("id", pa.string()), ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())]
ACTOR_TYPE = pa.struct([*_SPAN, ("label", pa.string())])
CLAIM_TYPE = pa.struct([*_SPAN, ("speaker", pa.string()), ("target", pa.string()), ("stance", pa.string())])
STANCE_TYPE = pa.struct([("target", pa.string()), ("stance", pa.string())])

#: One row per document (see the module docstring).
PREDICTION_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("sha256", pa.string()),
        ("actors", pa.list_(ACTOR_TYPE)),
        ("claims", pa.list_(CLAIM_TYPE)),
        ("doc_stances", pa.list_(STANCE_TYPE)),
    ]
)

#: Manifest keys a resumed run must match exactly.
_RUN_KEYS = ("format", "extractor", "schema", "corpus", "shard_size", "shard_count")


def shard_name(index: int) -> str:
    """``shard-00000.parquet`` for shard 0."""
    return f"shard-{index:05d}.parquet"


# --------------------------------------------------------------------------- corpus


def _documents(ids: list, texts: list, where: str) -> list[Document]:
    """Documents from parallel columns, checked (non-empty string ids and texts), sorted by doc id."""
    docs, seen = [], set()
    for row, (doc_id, text) in enumerate(zip(ids, texts, strict=True)):
        if not isinstance(doc_id, str) or not doc_id:
            raise SourceError(f"{where}: row {row}: needs a non-empty string 'doc_id'")
        if not isinstance(text, str) or not normalize_text(text).strip():
            raise SourceError(f"{where}: row {row} ('{shown(doc_id)}'): needs a non-empty string 'text'")
        if doc_id in seen:
            raise SourceError(f"{where}: duplicate doc_id '{shown(doc_id)}'")
        seen.add(doc_id)
        docs.append(Document(doc_id, normalize_text(text)))
    if not docs:
        raise SourceError(f"{where}: no documents")
    return sorted(docs, key=lambda d: d.doc_id)


def _read_parquet_corpus(path: Path) -> list[Document]:
    """``doc_id`` and ``text`` of a ``.parquet`` file, or of every ``.parquet`` file in a folder."""
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    tables = []
    for file in files:
        names = pq.ParquetFile(file).schema_arrow.names
        missing = [c for c in ("doc_id", "text") if c not in names]
        if missing:
            raise SourceError(
                f"{shown(file)}: no column '{missing[0]}' (needs doc_id and text; has {', '.join(names)})"
            )
        tables.append(pq.read_table(file, columns=["doc_id", "text"]))
    table = pa.concat_tables(tables, promote_options="permissive")
    return _documents(table.column("doc_id").to_pylist(), table.column("text").to_pylist(), shown(path))


def _read_hf_corpus(source: str, split: str | None) -> list[Document]:
    """``doc_id`` and ``text`` of a Hugging Face dataset (a saved folder, a Hub id or a data folder)."""
    import datasets

    datasets.disable_progress_bars()
    try:
        local = Path(source)
        saved = local.is_dir() and any((local / f).exists() for f in ("dataset_dict.json", "state.json"))
        data = datasets.load_from_disk(source) if saved else datasets.load_dataset(source)
    except Exception as exc:  # noqa: BLE001 - datasets raises many kinds; the user needs one line
        raise SourceError(
            f"{shown(source)}: cannot load it as a dataset ({exc.__class__.__name__}: "
            f"{' '.join(str(exc).split())[:200]})"
        ) from None
    if isinstance(data, datasets.DatasetDict):
        if split is None and len(data) != 1:
            raise SourceError(f"{shown(source)}: several splits ({', '.join(data)}): choose one with --split")
        if split is not None and split not in data:
            raise SourceError(f"{shown(source)}: no split '{split}' (has {', '.join(data)})")
        data = data[split or next(iter(data))]
    missing = [c for c in ("doc_id", "text") if c not in data.column_names]
    if missing:
        raise SourceError(f"{shown(source)}: no column '{missing[0]}' (has {', '.join(data.column_names)})")
    return _documents(list(data["doc_id"]), list(data["text"]), shown(source))


def read_corpus(source: str | Path, split: str | None = None) -> list[Document]:
    """The documents of ``source`` (see the module docstring), sorted by doc id."""
    path = Path(source)
    if path.is_dir():
        if any((path / f).exists() for f in ("dataset_dict.json", "state.json")):
            return _read_hf_corpus(str(source), split)
        if any(path.glob("*.parquet")):
            return _read_parquet_corpus(path)
        if not any(p.suffix.lower() == ".txt" for p in path.iterdir()):
            return _read_hf_corpus(str(source), split)
    elif path.suffix.lower() == ".parquet" and path.exists():
        return _read_parquet_corpus(path)
    elif not path.exists() and "/" in str(source) and not path.suffix and not str(source).startswith((".", "/")):
        return _read_hf_corpus(str(source), split)
    return sorted(read_sources(path), key=lambda d: d.doc_id)


def corpus_fingerprint(docs: list[Document]) -> str:
    """A short hash of every (doc id, text sha256), in order: any changed text changes it."""
    digest = hashlib.sha256()
    for doc in docs:
        digest.update(f"{doc.doc_id}\0{doc.sha256}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


# --------------------------------------------------------------------------- rows


def record_to_row(record: Record, sha256: str) -> dict:
    """One Parquet row (:data:`PREDICTION_SCHEMA`) for an extractor's record."""

    def span(item: Mapping[str, Any], keys: list[str]) -> dict:
        return {k: item.get(k) for k in keys}

    return {
        "doc_id": record["doc_id"],
        "sha256": sha256,
        "actors": [span(a, ACTOR_TYPE.names) for a in record.get("actors") or []],
        "claims": [span(c, CLAIM_TYPE.names) for c in record.get("claims") or []],
        "doc_stances": [{"target": t, "stance": s} for t, s in (record.get("doc_stances") or {}).items()],
    }


def row_to_record(row: dict) -> Record:
    """The record (:mod:`toolkit.records`) a Parquet row stands for; a null span text is left out."""

    def span(item: dict) -> dict:
        return {k: v for k, v in item.items() if not (k == "text" and v is None)}

    # typed as the record's spans, though a span whose text was null has no "text"
    return {
        "doc_id": row["doc_id"],
        "actors": cast("list[Actor]", [span(a) for a in row["actors"] or []]),
        "claims": cast("list[Claim]", [span(c) for c in row["claims"] or []]),
        "doc_stances": {s["target"]: s["stance"] for s in row["doc_stances"] or []},
    }


def rows_table(rows: list[dict], meta: dict | None = None) -> pa.Table:
    """A table of prediction rows with :data:`PREDICTION_SCHEMA` (and ``meta`` as JSON metadata)."""
    try:
        table = pa.Table.from_pylist(rows, schema=PREDICTION_SCHEMA)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise ExtractorError(
            f"a record does not fit the predictions schema ({exc.__class__.__name__}: "
            f"{' '.join(str(exc).split())[:200]})"
        ) from None
    return table.replace_schema_metadata({META_KEY: json.dumps(meta, sort_keys=True)}) if meta else table


def write_shard(path: Path, rows: list[dict], meta: dict) -> None:
    """Write one shard atomically (temporary file + rename), rows in doc id order."""
    sink = io.BytesIO()
    pq.write_table(rows_table(sorted(rows, key=lambda r: r["doc_id"]), meta), sink, compression="zstd")
    atomic_write_bytes(path, sink.getvalue())


# --------------------------------------------------------------------------- the batch function

_EXTRACTORS: dict = {}


def _extractor(ref: str, schema_raw: dict):
    """The extractor ``ref`` for this schema, built once per process."""
    key = (ref, json.dumps(schema_raw, sort_keys=True, default=str))
    if key not in _EXTRACTORS:
        from .extractors import get_extractor

        _EXTRACTORS[key] = get_extractor(ref, schema=parse_schema(schema_raw))
    return _EXTRACTORS[key]


def predict_rows(ref: str, schema_raw: dict, doc_ids: list[str], texts: list[str]) -> list[dict]:
    """The stateless batch function: prediction rows for documents given as (doc ids, texts)."""
    extractor = _extractor(ref, schema_raw)
    docs = [Document(d, t) for d, t in zip(doc_ids, texts, strict=True)]
    records = list(extractor.extract(docs))
    if [r.get("doc_id") if isinstance(r, dict) else None for r in records] != list(doc_ids):
        raise ExtractorError(f"extractor '{ref}' must return one record per document, in order")
    return [record_to_row(r, d.sha256) for r, d in zip(records, docs, strict=True)]


def predict_batch(batch: pa.Table, ref: str, schema_raw: dict) -> pa.Table:
    """Ray Data's ``map_batches`` function: a batch of ``doc_id``, ``text``, ``shard`` becomes
    prediction rows (:data:`PREDICTION_SCHEMA` plus ``shard``)."""
    rows = predict_rows(ref, schema_raw, batch.column("doc_id").to_pylist(), batch.column("text").to_pylist())
    return rows_table(rows).append_column("shard", batch.column("shard").combine_chunks())


class ShardJob(NamedTuple):
    """One local task: what a worker process needs to predict one shard and write it."""

    ref: str
    schema_raw: dict
    path: str
    doc_ids: list[str]
    texts: list[str]
    meta: dict


def _run_shard(job: ShardJob) -> int:
    """Predict a shard and write it; returns its number of documents."""
    write_shard(Path(job.path), predict_rows(job.ref, job.schema_raw, job.doc_ids, job.texts), job.meta)
    return len(job.doc_ids)


# --------------------------------------------------------------------------- the run


@dataclass
class Plan:
    """What a run does: its manifest, the shards (lists of documents) and which still need writing."""

    out: Path
    manifest: dict
    shards: list[list[Document]]
    todo: list[int]
    ref: str
    schema_raw: dict

    @property
    def run_id(self) -> str:
        return fingerprint({k: self.manifest[k] for k in _RUN_KEYS})

    def meta(self, index: int) -> dict:
        """The key-value metadata of shard ``index``."""
        ext = self.manifest["extractor"]
        return {"run": self.run_id, "shard": index, "extractor": ext["name"], "version": ext["version"]}

    def path(self, index: int) -> Path:
        return self.out / shard_name(index)


@dataclass
class PredictResult:
    """What :func:`predict` did."""

    out: Path
    documents: int  # in the corpus
    shards: int
    resumed: int  # shards a previous run had finished, skipped
    written: int  # shards written now
    predicted: int  # documents predicted now
    seconds: float

    @property
    def docs_per_second(self) -> float | None:
        """Documents predicted per second of this run (None if it predicted none)."""
        return self.predicted / self.seconds if self.predicted and self.seconds > 0 else None

    def summary(self) -> str:
        """What the run did, in one sentence (``toolkit predict`` prints it)."""
        rate = f", {self.docs_per_second:.1f} docs/s" if self.docs_per_second else ""
        resumed = f", {self.resumed} shard(s) already done" if self.resumed else ""
        return (
            f"wrote {self.written} of {self.shards} shard(s) to {self.out} ({self.documents} documents{resumed}; "
            f"{self.predicted} predicted in {self.seconds:.1f} s{rate})"
        )


def _manifest(docs: list[Document], extractor, schema: Schema, shard_size: int, source: str) -> dict:
    return {
        "format": FORMAT,
        "extractor": {"name": str(extractor.name), "version": str(extractor.version)},
        "schema": {"name": schema.name, "version": schema.version, "fingerprint": schema.fingerprint},
        "corpus": {"fingerprint": corpus_fingerprint(docs), "documents": len(docs)},
        "shard_size": shard_size,
        "shard_count": -(-len(docs) // shard_size),
        "source": source,
        "columns": {f.name: str(f.type) for f in PREDICTION_SCHEMA},
    }


def _differs(old: dict, new: dict) -> str | None:
    """The first run setting in which two manifests differ, said in words, else None."""
    for key in _RUN_KEYS:
        if old.get(key) != new.get(key):
            return (
                f"{key.replace('_', ' ')} {json.dumps(old.get(key), sort_keys=True)} there, "
                f"{json.dumps(new.get(key), sort_keys=True)} now"
            )
    return None


def _open_output(out: Path, manifest: dict) -> None:
    """Check that ``out`` is empty or holds the same run; write the manifest if it has none."""
    clean_leftovers(out / MANIFEST)
    path = out / MANIFEST
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ToolkitError(f"{shown(path)}: cannot read it ({exc.__class__.__name__}); choose another -o") from None
        diff = _differs(old if isinstance(old, dict) else {}, manifest)
        if diff:
            raise ToolkitError(
                f"{shown(out)} holds predictions of another run ({diff}); choose another -o, or delete it to start over"
            )
        return
    if out.exists() and (not out.is_dir() or any(not p.name.startswith(".") for p in out.iterdir())):
        raise ToolkitError(f"{shown(out)} exists and holds no {MANIFEST}: not a predictions folder; choose another -o")
    atomic_write_json(path, manifest)


def shard_complete(path: Path, rows: int, run_id: str) -> bool:
    """True if ``path`` is a shard of run ``run_id`` with ``rows`` rows (a readable Parquet footer)."""
    try:
        meta = pq.read_metadata(path)
        info = json.loads((meta.metadata or {}).get(META_KEY, b"{}"))
    except (OSError, ValueError, pa.ArrowException):
        return False
    return meta.num_rows == rows and info.get("run") == run_id


def plan_run(
    docs: list[Document], ref: str, schema: Schema, out: str | Path, shard_size: int, *, source: str = ""
) -> Plan:
    """Build the extractor once (so a bad name fails here), check or write the manifest and
    find the shards still to write."""
    from .extractors import get_extractor

    if shard_size < 1:
        raise ToolkitError("--shard-size must be at least 1")
    extractor = get_extractor(ref, schema=schema)
    out = Path(out)
    manifest = _manifest(docs, extractor, schema, shard_size, source)
    _open_output(out, manifest)
    shards = [docs[i : i + shard_size] for i in range(0, len(docs), shard_size)]
    plan = Plan(out, manifest, shards, [], ref, schema.raw)
    plan.todo = [i for i, shard in enumerate(shards) if not shard_complete(plan.path(i), len(shard), plan.run_id)]
    return plan


Progress = Callable[[int, int], None]  # (documents done, documents in all)


def _run_local(plan: Plan, workers: int, progress: Progress, done: int, total: int) -> None:
    """Predict the missing shards in a pool of ``workers`` processes (in this process if 1)."""
    jobs = [
        ShardJob(
            plan.ref,
            plan.schema_raw,
            str(plan.path(i)),
            [d.doc_id for d in plan.shards[i]],
            [d.text for d in plan.shards[i]],
            plan.meta(i),
        )
        for i in plan.todo
    ]
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            done += _run_shard(job)
            progress(done, total)
        return
    pool = ProcessPoolExecutor(min(workers, len(jobs)), mp_context=get_context("spawn"))
    try:
        pending = {pool.submit(_run_shard, job): i for job, i in zip(jobs, plan.todo, strict=True)}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                index = pending.pop(future)
                failure = future.exception()
                if failure is not None:
                    raise _worker_error(failure, plan.path(index))
                done += future.result()
            progress(done, total)
    finally:  # on an error or Ctrl-C: start no further shard; those in flight finish or fail cleanly
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_error(exc: BaseException, path: Path) -> ToolkitError:
    """A failure in a worker as one line naming the shard (finished shards stay: rerun to resume)."""
    if isinstance(exc, ToolkitError):
        return exc
    detail = " ".join(str(exc).split())[:300]
    return ExtractorError(
        f"{shown(path.name)} failed: {exc.__class__.__name__}: {detail} (finished shards are kept; rerun to resume)"
    )


def _import_ray():
    try:
        import ray
        import ray.data
    except ImportError:
        raise ToolkitError(RAY_EXTRA) from None
    return ray


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in one line, fast, if a ``host:port`` (or ``ray://host:port``) address does not answer:
    Ray itself retries an unreachable cluster for minutes."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # "auto" and other forms: Ray answers quickly itself
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ToolkitError(
            f"Ray cluster at {address} does not answer ({exc.strerror or exc.__class__.__name__}); "
            "is `ray start --head` running there?"
        ) from None


def _ray_session(ray, address: str | None, workers: int) -> bool:
    """Connect to Ray (``address``) or start a local one with ``workers`` CPUs; True if we started it."""
    if ray.is_initialized():
        return False
    if address:
        _check_reachable(address)
    kwargs = {"address": address} if address else {"address": "local", "num_cpus": workers}  # never a stray cluster
    try:
        ray.init(**kwargs, include_dashboard=False, logging_level="error", log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        hint = "; a cluster with token authentication needs RAY_AUTH_MODE=token and its token" if address else ""
        raise ToolkitError(
            f"cannot start or reach Ray at {address or 'local'}: {' '.join(str(exc).split())[:200]}{hint}"
        ) from None
    return True


def _quiet_ray_data(ray) -> None:
    """No Ray Data progress bars or INFO lines: the caller shows progress."""
    import logging

    ray.data.DataContext.get_current().enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)


def _run_ray(
    plan: Plan, *, workers: int, address: str | None, batch_size: int, progress: Progress, done: int, total: int
) -> None:
    """Predict the missing shards through Ray Data; the driver writes each shard once complete."""
    ray = _import_ray()
    started = _ray_session(ray, address, workers)
    try:
        _quiet_ray_data(ray)
        items = [{"doc_id": d.doc_id, "text": d.text, "shard": i} for i in plan.todo for d in plan.shards[i]]
        ds = ray.data.from_items(items).map_batches(
            predict_batch,
            batch_size=batch_size,
            batch_format="pyarrow",
            fn_kwargs={"ref": plan.ref, "schema_raw": plan.schema_raw},
        )
        waiting: dict[int, list[dict]] = {i: [] for i in plan.todo}
        for batch in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
            for row in batch.to_pylist():
                index = row.pop("shard")
                waiting[index].append(row)
                if len(waiting[index]) == len(plan.shards[index]):
                    write_shard(plan.path(index), waiting.pop(index), plan.meta(index))
                    done += len(plan.shards[index])
                    progress(done, total)
        if waiting:
            raise ExtractorError(f"Ray returned no rows for {len(waiting)} shard(s); rerun to resume")
    except ray.exceptions.RayTaskError as exc:
        cause = exc.cause if isinstance(getattr(exc, "cause", None), ToolkitError) else None
        raise (cause or ExtractorError(f"a Ray task failed: {' '.join(str(exc).split())[:300]}")) from None
    finally:
        if started:
            ray.shutdown()


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def predict(
    source: str | Path,
    ref: str,
    schema: Schema,
    out: str | Path,
    *,
    shard_size: int = 1000,
    workers: int | None = None,
    engine: str = "local",
    ray_address: str | None = None,
    split: str | None = None,
    batch_size: int | None = None,
    progress: Progress | None = None,
) -> PredictResult:
    """Run extractor ``ref`` over the corpus at ``source`` into sharded Parquet at ``out``,
    skipping the shards a previous run with the same settings finished.

    ``progress(done, total)`` is called in documents, first with the documents already done.
    ``engine`` is ``local`` (``workers`` processes, default: every core) or ``ray`` (Ray Data
    at ``ray_address``, default: a local Ray with ``workers`` CPUs; ``batch_size`` documents
    per ``map_batches`` call, default: the shard size).
    """
    _check_engine(engine, ray_address)
    workers = workers or default_workers()
    docs = read_corpus(source, split)
    plan = plan_run(docs, ref, schema, out, shard_size, source=str(source))
    pending_docs = sum(len(plan.shards[i]) for i in plan.todo)
    done, total = len(docs) - pending_docs, len(docs)
    report = progress or (lambda d, t: None)
    report(done, total)
    start = time.perf_counter()
    if plan.todo and engine == "local":
        _run_local(plan, workers, report, done, total)
    elif plan.todo:
        batch = batch_size or shard_size
        _run_ray(plan, workers=workers, address=ray_address, batch_size=batch, progress=report, done=done, total=total)
    seconds = time.perf_counter() - start
    return PredictResult(
        plan.out, len(docs), len(plan.shards), len(plan.shards) - len(plan.todo), len(plan.todo), pending_docs, seconds
    )


def _check_engine(engine: str, ray_address: str | None) -> None:
    """Fail before any work on an unknown engine, a missing Ray, or a Ray cluster that does not answer."""
    if engine not in ("local", "ray"):
        raise ToolkitError(f"unknown engine '{engine}' (local or ray)")
    if engine == "ray":
        _import_ray()
        if ray_address:
            _check_reachable(ray_address)


# --------------------------------------------------------------------------- reading predictions back


def is_prediction_output(path: str | Path) -> bool:
    """True for what :func:`read_prediction_shards` reads: a folder or a ``.parquet`` file."""
    path = Path(path)
    return path.is_dir() or path.suffix.lower() == ".parquet"


def _shard_files(path: Path) -> tuple[list[Path], dict]:
    """The shard files at ``path`` and the run's manifest ({} for a lone file); an unfinished
    run is an error."""
    if not path.is_dir():
        if not path.exists():
            raise ExtractorError(f"{shown(path)}: no such file or folder")
        return [path], {}
    files = sorted(path.glob("shard-*.parquet"))
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ExtractorError(f"{shown(path)}: no readable {MANIFEST}: not written by `toolkit predict`") from None
    if len(files) != manifest.get("shard_count"):
        raise ExtractorError(
            f"{shown(path)}: {len(files)} of {manifest.get('shard_count')} shards: the run has not "
            "finished (rerun the same `toolkit predict` to resume it)"
        )
    return files, manifest


def _read_rows(files: list[Path], keep: set[str]) -> tuple[list[dict], int, set[str]]:
    """Rows of the documents in ``keep`` (read with Arrow, others never become Python objects),
    the number of other rows, and every doc id seen; a doc id twice is an error."""
    rows: list[dict] = []
    seen: set[str] = set()
    others = 0
    wanted = pa.array(sorted(keep), pa.string())
    for file in files:
        try:
            table = pq.read_table(file, columns=PREDICTION_SCHEMA.names)
        except (OSError, pa.ArrowException) as exc:
            detail = " ".join(str(exc).split())[:200]
            raise ExtractorError(f"{shown(file)}: not a predictions shard ({detail})") from None
        ids = table.column("doc_id")
        distinct = pc.count_distinct(ids).as_py()  # type: ignore[attr-defined]  # generated at import: not in its hints
        if distinct != len(ids) or seen & set(ids.to_pylist()):
            raise ExtractorError(f"{shown(file)}: a doc_id occurs twice")
        seen |= set(ids.to_pylist())
        mask = pc.is_in(ids, value_set=wanted)  # type: ignore[attr-defined]
        kept = table.filter(mask)
        others += len(table) - len(kept)
        rows += kept.to_pylist()
    return rows, others, seen


def read_prediction_shards(path: str | Path, schema: Schema, gold: list[Record], strict: bool = False) -> System:
    """Predictions written by :func:`predict` (a folder of shards, or one shard) as a
    :class:`~toolkit.predictions.System` for the gold documents.

    Rows for documents not in the gold are counted (``documents_not_in_gold``), not problems:
    a corpus is usually larger than its gold. Problems, as for JSONL predictions: a gold
    document with no row, a text that differs from the gold's (by sha256), a region that does
    not fit, predictions made with another schema. With ``strict`` a problem raises.
    """
    path = Path(path)
    files, manifest = _shard_files(path)
    texts = {r["doc_id"]: r["text"] for r in gold}
    rows, others, seen = _read_rows(files, set(texts))
    out = Imported()
    if others:
        out.count("documents_not_in_gold", others)
    if not rows:
        raise ExtractorError(
            f"{shown(path)}: none of its {len(seen)} doc id(s) is in the gold: predictions for other documents?"
        )
    _check_schema(manifest.get("schema", {}).get("fingerprint"), schema, shown(path), out)
    records = [
        _checked(row, texts[row["doc_id"]], schema, f"{shown(path)}:{row['doc_id']}", out)
        for row in sorted(rows, key=lambda r: r["doc_id"])
    ]
    _check_missing([d for d in texts if d not in seen], shown(path), out)
    out.count("problems", len(out.problems))
    if strict and out.problems:
        raise ExtractorError(f"{out.problems[0]} ({len(out.problems)} problem(s) in all; --strict)")
    ext = manifest.get("extractor") or _file_meta(files[0])
    return System(
        path.name,
        f"{ext.get('name', '?')} {ext.get('version', '?')}",
        records,
        source=str(path),
        skipped=out.counts,
        problems=out.problems,
    )


def _check_schema(made_with: str | None, schema: Schema, where: str, out: Imported) -> None:
    """A problem if the run's manifest names another schema fingerprint than the gold's."""
    if made_with and made_with != schema.fingerprint:
        out.problems.append(
            Problem(where, None, None, f"made with schema fingerprint {made_with}, the gold's is {schema.fingerprint}")
        )
        out.count("schema_differs")


def _check_missing(missing: list[str], where: str, out: Imported) -> None:
    """A problem if some gold documents have no prediction row (they are scored as empty)."""
    if missing:
        out.problems.append(
            Problem(
                where,
                None,
                None,
                f"{len(missing)} gold document(s) have no prediction row (e.g. '{shown(missing[0])}'); scored as empty",
            )
        )
        out.count("documents_without_prediction", len(missing))


def _checked(row: dict, gold_text: str, schema: Schema, where: str, out: Imported) -> Record:
    """A row as a record checked against its gold text; bad regions are left out (problems)."""
    if row.get("sha256") and row["sha256"] != sha256_text(gold_text):
        out.problems.append(
            Problem(
                where,
                row["doc_id"],
                None,
                "predicted on a text that differs from the gold document's; offsets are read against the gold text",
            )
        )
        out.count("texts_differ")
    checked = check_record({**row_to_record(row), "text": gold_text}, schema, where, out)
    assert checked is not None  # the gold text is a valid string
    return {
        "doc_id": checked["doc_id"],
        "text": checked["text"],
        "actors": checked["actors"],
        "claims": checked["claims"],
        "doc_stances": checked["doc_stances"],
    }


def _file_meta(file: Path) -> dict:
    """Extractor name and version from a shard's metadata ({} if absent)."""
    try:
        info = json.loads((pq.read_schema(file).metadata or {}).get(META_KEY, b"{}"))
    except (OSError, ValueError, pa.ArrowException):
        return {}
    return {"name": info.get("extractor", "?"), "version": info.get("version", "?")}
