"""Gold from where users keep it, with the schema that belongs to it.

:func:`load_gold` reads any mix of

- Label Studio native JSON exports (``.json``; the schema comes from ``--schema`` or the
  project, and is first checked to fit the labels the export uses),
- records JSONL (``.jsonl``; one record per line with its ``text``, see :mod:`toolkit.records`),
- a dataset folder written by ``toolkit dataset build`` (it stores its schema),
- a Hub folder written by ``toolkit publish --to``, or anything else ``datasets.load_dataset``
  reads: a local folder or a Hub id (config ``documents``, split ``test``).

Data that carries its schema is read with that schema: an explicit ``--schema`` that differs
is refused in one line naming both, and a project default that differs is noted and ignored.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from .errors import GoldError, SchemaError
from .files import fingerprint, paused_gc, shown
from .records import GoldRecord
from .schema import ACTOR_TAG, CLAIM_STANCE_TAG, CLAIM_TAG, CLAIM_TARGET_TAG, DOC_STANCE_PREFIX, Schema, load_schema

if TYPE_CHECKING:
    from datasets import Dataset

    from .gold.values import Problem

#: Refuse an export when more than this share of its labelled regions do not fit the schema.
MISFIT_SHARE = 0.5
_RECORD_KEYS = ("doc_id", "text", "actors", "claims", "doc_stances")


@dataclass
class Gold:
    """Gold records, the schema they follow, and everything that was skipped on the way."""

    records: list[GoldRecord]
    schema: Schema
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def meta(self) -> dict[str, object]:
        """Provenance for reports: files, a fingerprint of the gold, counts."""
        return {
            "files": self.files,
            "fingerprint": fingerprint([{k: r.get(k) for k in _RECORD_KEYS} for r in self.records]),
            "documents": len({r["doc_id"] for r in self.records}),
            "problems_skipped": len(self.problems),
            "counts": self.counts,
        }


def choose_schema(
    stored: Schema | None, flag: Path | None, what: str, default: Path | Callable[[], Path] | None = None
) -> tuple[Schema, str | None]:
    """The schema for data that may carry its own (``stored``); returns ``(schema, note)``.

    An explicit ``flag`` that differs from the stored schema is a :class:`SchemaError`; a
    ``default`` (the project's; a callable is called only when needed) that differs is ignored
    with a note.
    """
    if stored is None:
        if flag is not None:
            return load_schema(flag), None
        return load_schema(default() if callable(default) else default), None
    if flag is not None:
        given = load_schema(flag)
        if given.fingerprint != stored.fingerprint:
            raise SchemaError(
                f"--schema {flag} is schema {given.describe()}, but {what} was built with schema "
                f"{stored.describe()}: leave --schema out to use the data's own"
            )
        return given, None
    if default is not None and not callable(default) and default.exists():
        project_schema = load_schema(default)
        if project_schema.fingerprint != stored.fingerprint:
            return stored, (
                f"note: {what} carries schema {stored.describe()}; using it, not the project's "
                f"{project_schema.describe()}"
            )
    return stored, None


class SchemaFit:
    """Counts of labelled results that do and do not fit a schema, for :func:`check_schema_fit`."""

    def __init__(self, schema: Schema):
        self.schema = schema
        self.allowed = {
            ACTOR_TAG: set(schema.actor_types),
            CLAIM_TAG: {schema.claim_label},
            CLAIM_TARGET_TAG: set(schema.claim_targets),
            CLAIM_STANCE_TAG: set(schema.stance_labels),
        }
        self.stances = set(schema.stance_labels)
        self.total, self.misfit = 0, 0
        self.examples: Counter[str] = Counter()

    def labelled(self, n: int) -> None:
        """``n`` labelled results that fit (the importer checked them)."""
        self.total += n

    def annotation(self, annotation: object) -> None:
        """Count the labelled results of one annotation (anything that is not one is passed over)."""
        if not isinstance(annotation, dict) or not isinstance(annotation.get("result"), list):
            return
        schema = self.schema
        for item in annotation["result"]:
            if not isinstance(item, dict) or item.get("type") == "relation":
                continue
            name, value = item.get("from_name"), item.get("value")
            values = (value or {}).get("labels") or (value or {}).get("choices") if isinstance(value, dict) else None
            if not isinstance(values, list) or not isinstance(name, str):
                continue
            self.total += 1
            if name.startswith(DOC_STANCE_PREFIX):
                ok = name[len(DOC_STANCE_PREFIX) :] in schema.targets and set(map(str, values)) <= self.stances
            else:
                ok = name in self.allowed and set(map(str, values)) <= self.allowed[name]
            if not ok:
                self.misfit += 1
                self.examples[f"{name}={values[0] if values else ''}"] += 1

    def check(self, source: str) -> None:
        """:class:`SchemaError` when most labelled results do not fit."""
        if self.total and self.misfit / self.total > MISFIT_SHARE:
            shown = ", ".join(f"'{e}'" for e, _ in self.examples.most_common(3))
            raise SchemaError(
                f"{source}: {self.misfit} of {self.total} labelled regions use labels that schema "
                f"{self.schema.describe()} lacks (e.g. {shown}): wrong --schema?"
            )


def check_schema_fit(tasks: Iterable[Mapping[str, object]], schema: Schema, source: str) -> None:
    """Fail fast, in one line, when most labelled regions of an export use labels the schema lacks."""
    fit = SchemaFit(schema)
    for task in tasks:
        annotations = task.get("annotations")
        for annotation in annotations if isinstance(annotations, list) else []:
            fit.annotation(annotation)
    fit.check(source)


#: Exports are parsed this many bytes at a time (see :func:`toolkit.files.json_array_chunks`).
CHUNK_SIZE = 16 * 2**20


def _from_export(path: Path, schema: Schema, policy: str, gold: Gold) -> None:
    """A Label Studio export into ``gold``: parsed with orjson a chunk at a time and imported
    with the schema-fit check counted on the way; read whole with ``json`` where that could
    differ (see :func:`toolkit.gold.import_task_chunks`), which also gives the exact error for
    a file that is not a JSON list of tasks."""
    from .files import Unchunkable, json_array_chunks
    from .gold.convert import import_tasks
    from .gold.fast import _Reparse, import_task_chunks
    from .gold.read import load_export

    try:
        fit = SchemaFit(schema)
        imported = import_task_chunks(json_array_chunks(path, CHUNK_SIZE), shown(path.name), schema, policy, fit)
        fit.check(shown(path))
    except (OSError, Unchunkable, _Reparse):  # read whole: the same records, or the exact error
        tasks = load_export(path)
        check_schema_fit(tasks, schema, shown(path))
        imported = import_tasks(tasks, shown(path.name), schema, policy)
        del tasks
    gold.records += imported.records
    gold.problems += imported.problems
    for key, n in imported.counts.items():
        gold.counts[key] = gold.counts.get(key, 0) + n


def _from_jsonl(path: Path, schema: Schema, gold: Gold) -> None:
    """Records JSONL into ``gold``; provenance values that do not fit are problems."""
    from .gold.values import Imported
    from .predictions import read_records_jsonl

    found = Imported()
    records = read_records_jsonl(path, schema, found)
    gold.records += cast("list[GoldRecord]", records)  # checked records with their provenance, typed as dicts there
    gold.problems += found.problems
    for key, n in {"documents": len(records), **found.counts}.items():
        gold.counts[key] = gold.counts.get(key, 0) + n


def _rows_to_records(dataset: Dataset, schema: Schema) -> list[GoldRecord]:
    """``documents`` rows (ClassLabel ints or strings) back to records."""
    feats = dataset.features

    def names(feature: object, value: object) -> object:
        return feature.int2str(value) if hasattr(feature, "int2str") and isinstance(value, int) else value

    actor_label = feats["actors"].feature["label"]
    claim = feats["claims"].feature
    doc = feats["doc_stances"].feature
    records = []
    for row in dataset:
        record = {k: row[k] for k in row if k not in ("actors", "claims", "doc_stances")}
        record["actors"] = [{**a, "label": names(actor_label, a["label"])} for a in row["actors"]]
        record["claims"] = [
            {**c, "target": names(claim["target"], c["target"]), "stance": names(claim["stance"], c["stance"])}
            for c in row["claims"]
        ]
        record["doc_stances"] = {
            names(doc["target"], d["target"]): names(doc["stance"], d["stance"]) for d in row["doc_stances"]
        }
        # A row of the documents configuration has a record's keys (see toolkit.dataset.features),
        # its class labels are names again; schema_version rides along.
        records.append(cast("GoldRecord", record))
    return records


def _check_rows_fit(records: list[GoldRecord], schema: Schema, source: str) -> None:
    """Data without a stored schema must use only the schema's labels."""
    used: Counter[tuple[str, str]] = Counter()
    for r in records:
        used.update(("actor type", a["label"]) for a in r["actors"] if a["label"] not in schema.actor_types)
        used.update(("stance", s) for s in r["doc_stances"].values() if s not in schema.stance_labels)
        used.update(("target", t) for t in r["doc_stances"] if t not in schema.targets)
    if used:
        (kind, label), _ = used.most_common(1)[0]
        raise SchemaError(f"{source}: uses {kind} '{label}' that schema {schema.describe()} lacks: wrong --schema?")


def _load_datasets_dir(path: Path) -> tuple[Dataset, Schema | None]:
    """A toolkit dataset folder: (documents test split, stored schema)."""
    from .dataset import load_dataset_dir

    datasets, stored = load_dataset_dir(path)
    return datasets["documents"]["test"], stored


def _load_with_datasets(ref: str) -> tuple[Dataset, Schema | None]:
    """Anything ``datasets.load_dataset`` reads, config ``documents``, split ``test``; plus a
    ``schema.yaml`` stored beside the data when it is a local folder."""
    import datasets

    from .dataset import read_stored_schema

    datasets.disable_progress_bars()
    local = Path(ref)
    try:
        if local.is_dir():
            # A local folder is read afresh into memory: `datasets` caches a folder by its name
            # and file layout, so a republished folder of the same name would give stale rows.
            with tempfile.TemporaryDirectory(prefix="toolkit-datasets-") as cache:
                data = datasets.load_dataset(
                    str(local), "documents", split="test", cache_dir=cache, keep_in_memory=True
                )
        else:
            data = datasets.load_dataset(ref, "documents", split="test")
    except Exception as exc:  # noqa: BLE001 - offline, not found, not a dataset: say which, in one line
        detail = " ".join(str(exc).split())[:200]
        raise GoldError(f"{ref}: cannot load it as a dataset ({exc.__class__.__name__}: {detail})") from None
    return data, read_stored_schema(local) if local.is_dir() else None


@dataclass
class _Source:
    """One entry of ``paths``: a file, or rows ``datasets`` read (with the schema stored with them)."""

    path: Path
    what: str  # how messages name it
    data: Dataset | None = None
    stored: Schema | None = None


def _locate(raw: str | Path) -> _Source:
    """What one entry of ``paths`` is: a toolkit dataset folder, something ``datasets`` reads (a
    folder or a Hub id), or a file; :class:`GoldError` if it does not exist."""
    path = Path(raw)
    if path.is_dir() and (path / "documents").is_dir() and not (path / "README.md").exists():
        data, stored = _load_datasets_dir(path)
        return _Source(path, f"dataset {shown(path)}", data, stored)
    if path.is_dir() or (not path.exists() and "/" in str(raw) and path.suffix == ""):
        data, stored = _load_with_datasets(str(raw))
        return _Source(path, f"dataset {raw}", data, stored)
    if not path.exists():
        raise GoldError(f"{shown(path)}: no such file or folder")
    return _Source(path, shown(path))


def _add_source(gold: Gold | None, schema: Schema, what: str) -> Gold:
    """The gold read so far (a new one for the first source), if ``schema`` is its schema."""
    if gold is None:
        return Gold([], schema)
    if schema.fingerprint != gold.schema.fingerprint:
        raise SchemaError(
            f"{what} has schema {schema.describe()}, but the gold before it has "
            f"{gold.schema.describe()}: one evaluation needs one schema"
        )
    return gold


def _read_source(source: _Source, schema: Schema, policy: str, gold: Gold) -> None:
    """The records of one source into ``gold``."""
    if source.data is not None:
        records = _rows_to_records(source.data, schema)
        if source.stored is None:
            _check_rows_fit(records, schema, source.what)
        gold.records += records
        gold.counts["documents"] = gold.counts.get("documents", 0) + len(records)
    elif source.path.suffix == ".jsonl":
        _from_jsonl(source.path, schema, gold)
    else:
        _from_export(source.path, schema, policy, gold)


def load_gold(
    paths: Sequence[str | Path],
    schema_flag: Path | None = None,
    default_schema: Path | Callable[[], Path] | None = None,
    policy: str = "ground_truth",
    strict: bool = False,
) -> Gold:
    """Read gold from ``paths`` (see the module docstring) with the schema that belongs to it.

    ``schema_flag`` is an explicit ``--schema``; ``default_schema`` the project's. ``policy``
    is the annotation policy for Label Studio exports (``ground_truth`` or ``all``). With
    ``strict`` any problem raises :class:`GoldError` naming the first one.
    """
    if not paths:
        raise GoldError("no gold given and the project file names none (key 'gold')")
    with paused_gc():
        return _load_gold(paths, schema_flag, default_schema, policy, strict)


def _load_gold(
    paths: Sequence[str | Path],
    schema_flag: Path | None,
    default_schema: Path | Callable[[], Path] | None,
    policy: str,
    strict: bool,
) -> Gold:
    gold: Gold | None = None
    sources: dict[int, str] = {}
    for raw in paths:
        source = _locate(raw)
        schema, note = choose_schema(source.stored, schema_flag, source.what, default_schema)
        gold = _add_source(gold, schema, source.what)
        first = len(gold.records)
        if note:
            gold.notes.append(note)
        gold.files.append(shown(source.path.name))
        _read_source(source, schema, policy, gold)
        for record in gold.records[first:]:
            sources[id(record)] = shown(source.path.name)
    assert gold is not None
    _drop_duplicates(gold, policy, sources)
    gold.counts["problems"] = len(gold.problems)
    if strict and gold.problems:
        raise GoldError(f"{gold.problems[0]} ({len(gold.problems)} problem(s) in all; --strict)")
    gold.records.sort(key=lambda r: (r["doc_id"], r.get("annotation_id") or 0))
    return gold


def _drop_duplicates(gold: Gold, policy: str, sources: dict[int, str]) -> None:
    """One record per document (per annotation with policy ``all``); later copies are problems."""
    from .gold.values import Problem

    seen: dict[object, str] = {}
    kept: list[GoldRecord] = []
    for record in gold.records:
        key = (record["doc_id"], record.get("annotation_id")) if policy == "all" else record["doc_id"]
        if key in seen:
            gold.problems.append(
                Problem(
                    sources.get(id(record), "gold"),
                    record.get("task_id"),
                    None,
                    f"document '{shown(record['doc_id'])}' is also in {seen[key]}; this later copy is skipped",
                )
            )
            gold.counts["documents_duplicated"] = gold.counts.get("documents_duplicated", 0) + 1
            continue
        seen[key] = sources.get(id(record), "the gold")
        kept.append(record)
    gold.records = kept
