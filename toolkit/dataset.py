"""Gold records -> a typed Hugging Face ``DatasetDict`` per configuration.

Two configurations:

* ``documents``: one row per document (or per annotation with ``policy="all"``), with
  actor spans, claims and document stances as lists of structs;
* ``claims``: one row per claim, flat, for analysts.

Every closed label set of the schema becomes a ``ClassLabel``, so class names travel
with the data.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from datasets import ClassLabel, Dataset, DatasetDict, Features, List, Value, load_from_disk

from .errors import PublishError
from .io import atomic_dir, shown
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
    claims = Features({
        "doc_id": Value("string"),
        "claim_id": Value("string"),
        "claim_text": Value("string"),
        **offsets,
        "speaker_text": Value("string"),
        "speaker_type": actor_type,
        "target": target,
        "stance": stance,
        **provenance,
    })
    return {"documents": documents, "claims": claims}


def _int64(value: object) -> int | None:
    """An id that fits the int64 columns, else None (the importers report such values)."""
    ok = isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
    return value if ok else None


def _provenance(record: dict, schema: Schema) -> dict:
    return {
        "task_id": _int64(record.get("task_id")),
        "annotation_id": _int64(record.get("annotation_id")),
        "annotator": _int64(record.get("annotator")),
        "ground_truth": bool(record.get("ground_truth")),
        "schema_version": schema.version,
    }


def document_rows(records: list[dict], schema: Schema) -> list[dict]:
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


def claim_rows(records: list[dict], schema: Schema) -> list[dict]:
    """Rows of the ``claims`` configuration: one per claim, with its speaker resolved."""
    rows = []
    for r in records:
        actors = {a["id"]: a for a in r["actors"]}
        for c in r["claims"]:
            speaker = actors.get(c["speaker"]) or {}
            rows.append({
                "doc_id": r["doc_id"], "claim_id": c["id"], "claim_text": c["text"],
                "start": c["start"], "end": c["end"],
                "speaker_text": speaker.get("text"), "speaker_type": speaker.get("label"),
                "target": c["target"], "stance": c["stance"], **_provenance(r, schema),
            })  # fmt: skip
    return rows


def build_dataset(records: list[dict], schema: Schema) -> dict[str, DatasetDict]:
    """One ``DatasetDict`` (split ``test``) per configuration."""
    feats = features(schema)
    rows = {"documents": document_rows(records, schema), "claims": claim_rows(records, schema)}
    return {name: DatasetDict({SPLIT: _table(rows[name], feats[name])}) for name in CONFIGS}


def _table(rows: list[dict], feats: Features) -> Dataset:
    """A dataset of ``rows``; an empty one still has every column (no claims at all is fine)."""
    if not rows:
        return Dataset.from_dict({name: [] for name in feats}, features=feats)
    return Dataset.from_list(rows, features=feats)


SCHEMA_FILE = "schema.yaml"  # the schema stored with the data (also in the Hub folder)


def write_schema(folder: Path, schema: Schema) -> None:
    """Store ``schema`` (as parsed from its file) in ``folder``, so it travels with the data."""
    header = f"# Schema {schema.describe()}, stored with the data by the toolkit.\n"
    (folder / SCHEMA_FILE).write_text(header + yaml.safe_dump(schema.raw or schema.as_dict(), sort_keys=False,
                                                               allow_unicode=True), encoding="utf-8")


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
