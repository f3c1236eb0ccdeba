"""Gold records -> a typed Hugging Face ``DatasetDict`` per configuration.

Two configurations:

* ``documents``: one row per document (or per annotation with ``policy="all"``), with
  actor spans, claims and document stances as lists of structs;
* ``claims``: one row per claim, flat, for analysts.

Every closed label set of the schema becomes a ``ClassLabel``, so class names travel
with the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import xxhash
import yaml
from datasets import ClassLabel, Dataset, DatasetDict, DatasetInfo, Features, List, Value, load_from_disk
from datasets.table import InMemoryTable

from .errors import PublishError
from .files import atomic_dir, paused_gc, shown
from .records import Actor, GoldRecord
from .schema import Schema, load_schema

SPLIT = "test"  # the gold is for evaluation; there is no training split
CONFIGS = ("documents", "claims")


def features(schema: Schema) -> dict[str, Features]:
    """The ``datasets.Features`` of each configuration, generated from the schema."""
    actor_type = ClassLabel(names=list(schema.actor_types))
    target = ClassLabel(names=schema.claim_targets)
    stance = ClassLabel(names=list(schema.stance_labels))
    offsets = {"start": Value("int32"), "end": Value("int32")}
    provenance = {
        "task_id": Value("int64"),
        "annotation_id": Value("int64"),
        "annotator": Value("int64"),
        "ground_truth": Value("bool"),
        "schema_version": Value("string"),
    }
    documents = Features({
        "doc_id": Value("string"),
        "text": Value("string"),
        "actors": List({"id": Value("string"), **offsets, "text": Value("string"), "label": actor_type}),
        "claims": List({
            "id": Value("string"), **offsets, "text": Value("string"),
            "speaker": Value("string"), "target": target, "stance": stance,
        }),
        "doc_stances": List({"target": ClassLabel(names=list(schema.targets)), "stance": stance}),
        **provenance,
    })  # fmt: skip
    claims = Features(
        {
            "doc_id": Value("string"),
            "claim_id": Value("string"),
            "claim_text": Value("string"),
            **offsets,
            "speaker_text": Value("string"),
            "speaker_type": actor_type,
            "target": target,
            "stance": stance,
            **provenance,
        }
    )
    return {"documents": documents, "claims": claims}


def _int64(value: object) -> int | None:
    """An id that fits the int64 columns, else None (the importers report such values)."""
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return value
    return None


_PROVENANCE_KEYS = ("task_id", "annotation_id", "annotator", "ground_truth", "schema_version")


def _provenance(record: GoldRecord, schema: Schema) -> dict[str, object]:
    """The provenance columns of a record's rows (ids that do not fit int64 as null)."""
    return {
        "task_id": _int64(record.get("task_id")),
        "annotation_id": _int64(record.get("annotation_id")),
        "annotator": _int64(record.get("annotator")),
        "ground_truth": bool(record.get("ground_truth")),
        "schema_version": schema.version,
    }


def document_rows(records: Sequence[GoldRecord], schema: Schema) -> list[dict[str, object]]:
    """Rows of the ``documents`` configuration."""
    return [
        {
            "doc_id": r["doc_id"],
            "text": r["text"],
            "actors": r["actors"],
            "claims": r["claims"],
            "doc_stances": [{"target": t, "stance": s} for t, s in sorted(r["doc_stances"].items())],
            **_provenance(r, schema),
        }
        for r in records
    ]


def claim_rows(records: Sequence[GoldRecord], schema: Schema) -> list[dict[str, object]]:
    """Rows of the ``claims`` configuration: one per claim, with its speaker resolved."""
    rows: list[dict[str, object]] = []
    for r in records:
        # keyed by str | None: rows read back from a dataset may hold a null actor id
        actors: dict[str | None, Actor] = {a["id"]: a for a in r["actors"]}
        for c in r["claims"]:
            speaker = actors.get(c["speaker"])
            rows.append({
                "doc_id": r["doc_id"], "claim_id": c["id"], "claim_text": c["text"],
                "start": c["start"], "end": c["end"],
                "speaker_text": speaker.get("text") if speaker is not None else None,
                "speaker_type": speaker.get("label") if speaker is not None else None,
                "target": c["target"], "stance": c["stance"], **_provenance(r, schema),
            })  # fmt: skip
    return rows


def build_dataset(records: Sequence[GoldRecord], schema: Schema) -> dict[str, DatasetDict]:
    """One ``DatasetDict`` (split ``test``) per configuration.

    The tables are built column by column with pyarrow (:func:`_arrow_columns`), labels turned
    into class indices by lookup; where that cannot give exactly what ``Dataset.from_list``
    gives (a label that is not one of the names as written, a null span), the rows go through
    ``from_list`` instead."""
    feats = features(schema)
    with paused_gc():
        columns = _arrow_columns(records, schema, feats) if records else None
        if columns is None:
            rows = {"documents": document_rows(records, schema), "claims": claim_rows(records, schema)}
            return {name: DatasetDict({SPLIT: _table(rows[name], feats[name])}) for name in CONFIGS}
        return {name: DatasetDict({SPLIT: _dataset(columns[name], feats[name])}) for name in CONFIGS}


def _dataset(columns: dict[str, pa.Array], feats: Features) -> Dataset:
    """What ``Dataset.from_dict(columns, features=feats)`` makes of storage-typed columns, with
    a fingerprint hashed from the Arrow buffers (``datasets`` would pickle the whole table for it)."""
    table = InMemoryTable.from_pydict(columns)
    digest = xxhash.xxh64(str(table.schema).encode("utf-8"))
    for column in table.columns:
        for chunk in column.chunks:
            digest.update(f"{chunk.offset} {len(chunk)}".encode())
            for buffer in chunk.buffers():
                if buffer is not None:
                    digest.update(buffer)
    return Dataset(table, info=DatasetInfo(features=feats), fingerprint=digest.hexdigest())


def _table(rows: list[dict[str, object]], feats: Features) -> Dataset:
    """A dataset of ``rows``; an empty one still has every column (no claims at all is fine)."""
    if not rows:
        return Dataset.from_dict({name: [] for name in feats}, features=feats)
    return Dataset.from_list(rows, features=feats)


def _storage(feature: object) -> pa.DataType:
    """The Arrow type that stores ``feature`` (a class label as its index)."""
    if isinstance(feature, List):
        return pa.list_(_storage(feature.feature))
    if isinstance(feature, dict):
        return pa.struct([(name, _storage(sub)) for name, sub in feature.items()])
    return feature.pa_type if isinstance(feature, Value) else pa.int64()


def _with_labels(feature: object) -> pa.DataType:
    """:func:`_storage`, but class labels as strings (the names, to look up)."""
    if isinstance(feature, List):
        return pa.list_(_with_labels(feature.feature))
    if isinstance(feature, dict):
        return pa.struct([(name, _with_labels(sub)) for name, sub in feature.items()])
    return pa.string() if isinstance(feature, ClassLabel) else _storage(feature)


class _NotExact(Exception):
    """The Arrow route would not give what ``from_list`` gives: take that route."""


def _indices(names: pa.Array, label: ClassLabel) -> pa.Array:
    """Class indices of an array of label names (nulls stay null); :class:`_NotExact` for a
    value that is not one of the names as written (``from_list`` would strip or parse it)."""
    if isinstance(names, pa.ChunkedArray):
        names = names.combine_chunks()
    # pc.call_function: index_in is made at import time, so type checkers do not see pc.index_in
    found = pc.call_function("index_in", [names], pc.SetLookupOptions(pa.array(label.names, pa.string())))
    if found.null_count != names.null_count:
        raise _NotExact
    return found.cast(pa.int64())


def _label_spans(spans: pa.Array, feature: List) -> pa.Array:
    """A list-of-structs column with its class-label fields turned from names into indices.
    Nulls (a missing list, a null span) are left to ``from_list``."""
    if isinstance(spans, pa.ChunkedArray):
        spans = spans.combine_chunks()
    if spans.null_count or spans.values.null_count:
        raise _NotExact
    struct = spans.values
    fields = feature.feature
    children = [
        _indices(struct.field(name), sub) if isinstance(sub, ClassLabel) else struct.field(name)
        for name, sub in fields.items()
    ]
    labelled = pa.StructArray.from_arrays(children, fields=list(_storage(fields)))
    return pa.ListArray.from_arrays(spans.offsets, labelled, type=_storage(feature))


def _arrow_columns(
    records: Sequence[GoldRecord], schema: Schema, feats: dict[str, Features]
) -> dict[str, dict[str, pa.Array]] | None:
    """The columns of both configurations as Arrow arrays of their storage types (what
    ``Dataset.from_list`` of :func:`document_rows` and :func:`claim_rows` stores), or None where
    they could differ. Spans go into Arrow as they are (pyarrow reads the dicts); the class
    labels are then looked up as whole columns."""
    docs, claim_feats = feats["documents"], feats["claims"]
    try:
        provenance = [_provenance(r, schema) for r in records]
        stance_targets, stance_values, stance_offsets = [], [], [0]
        for r in records:
            for target, stance in sorted(r["doc_stances"].items()):
                stance_targets.append(target)
                stance_values.append(stance)
            stance_offsets.append(len(stance_targets))
        doc_stance = docs["doc_stances"].feature
        stances = pa.ListArray.from_arrays(
            pa.array(stance_offsets, pa.int32()),
            pa.StructArray.from_arrays(
                [
                    _indices(pa.array(stance_targets, pa.string()), doc_stance["target"]),
                    _indices(pa.array(stance_values, pa.string()), doc_stance["stance"]),
                ],
                names=["target", "stance"],
            ),
        )
        documents = {
            "doc_id": pa.array([r["doc_id"] for r in records], pa.string()),
            "text": pa.array([r["text"] for r in records], pa.string()),
            "actors": _label_spans(
                pa.array([r["actors"] for r in records], _with_labels(docs["actors"])), docs["actors"]
            ),
            "claims": _label_spans(
                pa.array([r["claims"] for r in records], _with_labels(docs["claims"])), docs["claims"]
            ),
            "doc_stances": stances,
        }
        for key in ("task_id", "annotation_id", "annotator", "ground_truth", "schema_version"):
            documents[key] = pa.array([p[key] for p in provenance], _storage(docs[key]))
        claims = _claim_columns(documents, claim_feats)
    except (_NotExact, pa.ArrowException, TypeError, ValueError, KeyError, AttributeError, OverflowError):
        return None
    return {"documents": documents, "claims": claims}


def _claim_columns(documents: dict[str, pa.Array], feats: Features) -> dict[str, pa.Array]:
    """The ``claims`` configuration's columns from the ``documents`` ones (see :func:`claim_rows`):
    each claim with its document's columns, and its speaker's text and type found by a join on
    (document, actor id). Actor ids that are null or repeat in a document are left to
    :func:`claim_rows` (its lookup keeps the last)."""
    claims, actors = documents["claims"], documents["actors"]
    parent, claim = pc.call_function("list_parent_indices", [claims]), claims.flatten()
    actor = actors.flatten()
    speakers = pa.table(
        {
            "doc": pc.call_function("list_parent_indices", [actors]),
            "id": actor.field("id"),
            "speaker_text": actor.field("text"),
            "speaker_type": actor.field("label"),
        }
    )
    if actor.field("id").null_count or speakers.group_by(["doc", "id"]).aggregate([]).num_rows != len(speakers):
        raise _NotExact
    keys = pa.table({"row": pa.array(range(len(claim)), pa.int64()), "doc": parent, "id": claim.field("speaker")})
    found = keys.join(speakers, keys=["doc", "id"], join_type="left outer").sort_by("row")
    columns = {
        "doc_id": documents["doc_id"].take(parent),
        "claim_id": claim.field("id"),
        "claim_text": claim.field("text"),
        "start": claim.field("start"),
        "end": claim.field("end"),
        "speaker_text": found.column("speaker_text").combine_chunks(),
        "speaker_type": found.column("speaker_type").combine_chunks(),
        "target": claim.field("target"),
        "stance": claim.field("stance"),
    }
    for key in _PROVENANCE_KEYS:
        columns[key] = documents[key].take(parent)
    types = feats.arrow_schema
    if list(columns) != list(feats) or any(columns[k].type != types.field(k).type for k in columns):
        raise _NotExact
    return columns


SCHEMA_FILE = "schema.yaml"  # the schema stored with the data (also in the Hub folder)


def write_schema(folder: Path, schema: Schema) -> None:
    """Store ``schema`` (as parsed from its file) in ``folder``, so it travels with the data."""
    header = f"# Schema {schema.describe()}, stored with the data by the toolkit.\n"
    (folder / SCHEMA_FILE).write_text(
        header + yaml.safe_dump(schema.raw or schema.as_dict(), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )


def read_stored_schema(folder: Path) -> Schema | None:
    """The schema stored in ``folder`` by :func:`write_schema`, or None if there is none."""
    path = Path(folder) / SCHEMA_FILE
    return load_schema(path) if path.is_file() else None


def save_dataset(datasets: dict[str, DatasetDict], out_dir: str | Path, schema: Schema) -> Path:
    """Save each configuration to ``out_dir/<config>`` (``load_from_disk`` format) and the schema
    beside them, atomically."""
    with atomic_dir(out_dir) as tmp:
        for name, dataset in datasets.items():
            empty = {split: 1 for split, part in dataset.items() if len(part) == 0}  # else no file is written
            dataset.save_to_disk(str(tmp / name), num_shards=empty or None)
        write_schema(tmp, schema)
    return Path(out_dir)


def load_dataset_dir(path: str | Path) -> tuple[dict[str, DatasetDict], Schema | None]:
    """Read what :func:`save_dataset` wrote: the configurations and the stored schema."""
    path = Path(path)
    missing = [name for name in CONFIGS if not (path / name).is_dir()]
    if missing:
        raise PublishError(f"{shown(path)}: not a dataset built by `toolkit dataset build` (no '{missing[0]}' folder)")
    return {name: load_from_disk(str(path / name)) for name in CONFIGS}, read_stored_schema(path)
