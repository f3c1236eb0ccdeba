"""Predictions made elsewhere, and records JSONL: one record (see :mod:`toolkit.records`) per line."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ExtractorError, GoldError
from .gold import validate_record
from .records import Record, empty_record
from .schema import Schema


@dataclass
class System:
    """Predictions of one system on the gold documents, with where they came from."""

    name: str
    version: str
    records: list[Record]
    source: str = "extractor"
    skipped: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)


def read_predictions(path: str | Path, schema: Schema, gold: list[Record], strict: bool = False) -> System:
    """A JSONL predictions file: one record per line (see :mod:`toolkit.records`).

    A line that is not JSON, lacks a field, or has a span whose offsets or text do not fit
    the gold text raises :class:`ExtractorError` naming the line. Documents not in gold are
    counted in ``skipped``; gold documents with no line are scored as empty predictions.
    """
    path = Path(path)
    texts = {r["doc_id"]: r["text"] for r in gold}
    records: list[Record] = []
    seen: set[str] = set()
    not_in_gold = 0
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ExtractorError(f"{path}: cannot read predictions ({exc.__class__.__name__})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ExtractorError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("doc_id"), str):
            raise ExtractorError(f"{where}: expected an object with a string 'doc_id'")
        if row["doc_id"] in seen:
            raise ExtractorError(f"{where}: duplicate doc_id '{row['doc_id']}'")
        seen.add(row["doc_id"])
        if row["doc_id"] not in texts:
            not_in_gold += 1
            continue
        record = {**empty_record(row["doc_id"]), **row, "text": texts[row["doc_id"]]}
        for key, kind in (("actors", list), ("claims", list), ("doc_stances", dict)):
            if not isinstance(record[key], kind) or (kind is list and not all(isinstance(x, dict) for x in record[key])):
                raise ExtractorError(f"{where}: '{key}' must be a {'list of objects' if kind is list else 'mapping'}")
        for span in record["actors"] + record["claims"]:
            if "text" not in span and isinstance(span.get("start"), int) and isinstance(span.get("end"), int):
                span["text"] = record["text"][span["start"]:span["end"]]
        try:
            validate_record(record, schema, where)
        except GoldError as exc:  # names the region; the source is the file and line
            raise ExtractorError(str(exc)) from None
        records.append(record)
    name = str(path.name)
    return System(name, "file", records, source=str(path), skipped={"documents_not_in_gold": not_in_gold})




def read_records_jsonl(path: str | Path, schema: Schema) -> list[dict]:
    """Gold records from a JSONL file, one per line, each with its own ``text``; every record is
    checked as if Label Studio had exported it (:class:`GoldError` names the line)."""
    path = Path(path)
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise GoldError(f"{path}: not valid UTF-8") from None
    records = []
    for number, line in enumerate(raw.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("doc_id"), str) or not isinstance(row.get("text"), str):
            raise GoldError(f"{where}: expected an object with string 'doc_id' and 'text'")
        record = {**empty_record(row["doc_id"]), **row}
        validate_record(record, schema, where)
        records.append(record)
    if not records:
        raise GoldError(f"{path}: no records")
    return records
