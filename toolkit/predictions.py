"""Predictions made elsewhere, and records JSONL: one record (see :mod:`toolkit.records`) per line.

Lines are split on ``\\n`` only (a JSON string may hold U+2028 and other line separators).
A line that is not a JSON object with a string ``doc_id`` is an error naming the line; a bad
region inside a good line is a problem: the region is left out, and the problem counted and
reported (``--strict`` makes it an error).

A span may give its ``text`` without offsets: it is grounded in the gold text first
(:mod:`toolkit.grounding`); one that is not found is listed and counted like a problem but
scored, as a spurious prediction (``--strict`` does not stop on it: it is the model's error,
not the file's).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from .errors import ExtractorError, GoldError
from .files import paused_gc, shown
from .gold import Imported, Problem, check_record, is_int, parse_json, short, valid_string
from .gold.values import _int64, _region_id
from .grounding import (
    FUZZY_THRESHOLD,
    KINDS,
    LAYERS,
    Grounding,
    alignment_block,
    ground_record,
    is_text_only,
)
from .records import Record, empty_record
from .schema import Schema

_RECORD_KEYS = ("doc_id", "actors", "claims", "doc_stances")
_PROVENANCE = ("task_id", "annotation_id", "annotator", "ground_truth")


@dataclass
class System:
    """Predictions of one system on the gold documents, with where they came from.

    ``skipped`` counts what was left out or scored as empty (unknown doc ids, gold documents
    without a line, skipped regions, duplicate results, ...); ``problems`` says each one.
    ``alignment`` (empty unless some span gave only its text) says how text-only spans were
    grounded (:func:`toolkit.grounding.alignment_block`); its ``failed_spans`` (with their
    ``doc_id``) are left out of ``records`` and scored as spurious predictions.
    """

    name: str
    version: str
    records: list[Record]
    source: str = "extractor"
    skipped: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    alignment: dict = field(default_factory=dict)


def read_jsonl_lines(path: Path, error: type[Exception]) -> list[tuple[int, str]]:
    """``(line number, line)`` for the non-blank lines of a UTF-8 file, split on ``\\n`` only;
    an unreadable file raises ``error`` in one line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"{shown(path)}: cannot read it ({exc.strerror or exc.__class__.__name__})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{shown(path)}: not valid UTF-8 (byte {exc.start})") from None
    return [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]


def _row(line: str, where: str, error: type[Exception], needs_text: bool = False) -> dict:
    """One line as a JSON object with a string ``doc_id`` (and ``text``), else ``error``."""
    try:
        row = parse_json(line)
    except json.JSONDecodeError as exc:
        raise error(f"{where}: not valid JSON ({exc.msg})") from None
    except ValueError as exc:
        raise error(f"{where}: not valid JSON ({exc})") from None
    if not isinstance(row, dict) or not (valid_string(row.get("doc_id")) and row["doc_id"]):
        raise error(f"{where}: expected an object with a string 'doc_id'")
    if needs_text and not valid_string(row.get("text")):
        raise error(f"{where}: expected an object with string 'doc_id' and 'text'")
    return row


@dataclass
class _Alignment:
    """Grounding of a whole file: counts per layer and kind, the failed spans, and the problems
    that list them (listed and counted, but not errors under ``--strict``)."""

    counts: dict = field(default_factory=lambda: {layer: dict.fromkeys(KINDS, 0) for layer in LAYERS})
    failed: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def add(self, grounding: Grounding, doc_id: str, where: str, out: Imported) -> None:
        for layer in LAYERS:
            for kind in KINDS:
                self.counts[layer][kind] += grounding.counts[layer][kind]
        for span in grounding.failed:
            kept = {k: _plain(v) for k, v in span.items() if k != "index"}
            self.failed.append({"doc_id": doc_id, "source": where, **kept})
            what = (
                f"actor {short(span['text'])} ({short(span.get('label'))})"
                if span["layer"] == "actors"
                else f"claim {short(span['text'])}"
            )
            lost = (
                f"; {span['speaker_of']} claim(s) it speaks are kept without a speaker"
                if span.get("speaker_of")
                else ""
            )
            why = (
                f"is not in the document (no exact, normalised or fuzzy match with ratio >= {FUZZY_THRESHOLD})"
                if span["reason"] == "not in the document"
                else "is in the document, but every mention of it is held by another span"
            )
            problem = Problem(
                where,
                doc_id,
                _region_id(span.get("id")) or short(span.get("id")),
                f"{what} {why}; scored as a spurious prediction{lost}",
            )
            out.problems.append(problem)
            self.problems.append(problem)
        for key, n in (("spans_not_found", len(grounding.failed)), ("speakers_not_found", grounding.speakers_dropped)):
            if n:
                out.count(key, n)

    def block(self) -> dict:
        return (
            alignment_block(self.counts, self.failed)
            if any(self.counts[layer][k] for layer in LAYERS for k in KINDS if k != "given")
            else {}
        )


def _plain(value: object) -> object:
    """A value from a predictions line as JSON can always write it (odd ones as their repr)."""
    return value if value is None or is_int(value) or valid_string(value) else short(value)


def _keep_alignment(grounded: dict, checked: Record) -> None:
    """Each checked span gets the ``alignment`` of the grounded span with its id (the first,
    as validation keeps the first of a duplicated region)."""
    for layer, kept in (("actors", checked["actors"]), ("claims", checked["claims"])):
        kinds: dict[str, str] = {}
        spans = grounded.get(layer)
        for span in spans if isinstance(spans, list) else ():
            if isinstance(span, dict) and (rid := _region_id(span.get("id"))) is not None:
                kinds.setdefault(rid, span.get("alignment", "given"))
        for span in kept:
            span["alignment"] = kinds.get(span["id"], "given")  # type: ignore[typeddict-unknown-key]


def _prediction(
    row: dict, gold_text: str, schema: Schema, where: str, out: Imported, *, alignment: _Alignment | None = None
) -> Record:
    """A prediction line checked against its gold text; bad regions are left out (problems).
    Text-only spans are grounded first (:func:`toolkit.grounding.ground_record`)."""
    given = row.get("text")
    if given is not None and given != gold_text:
        out.problems.append(
            Problem(
                where,
                row["doc_id"],
                None,
                "its 'text' differs from the gold document's; offsets are read against the gold text",
            )
        )
        out.count("texts_differ")
    record = {**empty_record(row["doc_id"]), **{k: row[k] for k in _RECORD_KEYS if k in row}, "text": gold_text}
    given_spans = _given_spans(record)
    if given_spans is None:
        record, grounding = ground_record(record, gold_text)
        (alignment or _Alignment()).add(grounding, row["doc_id"], where, out)
    elif alignment is not None:  # what ground_record would count, without copying the record
        for layer, n in given_spans.items():
            alignment.counts[layer]["given"] += n
    checked = check_record(record, schema, where, out)
    assert checked is not None  # the gold text is a valid string
    if given_spans is None:
        _keep_alignment(record, checked)
    else:
        for span in cast("list[dict]", [*checked["actors"], *checked["claims"]]):
            span["alignment"] = "given"
    return {
        "doc_id": checked["doc_id"],
        "text": checked["text"],
        "actors": checked["actors"],
        "claims": checked["claims"],
        "doc_stances": checked["doc_stances"],
    }


def _given_spans(record: dict) -> dict[str, int] | None:
    """How many span objects each layer has, when none gives its text without offsets (all are
    ``given``: nothing to ground); None when some does."""
    given = {}
    for layer in LAYERS:
        spans = record.get(layer)
        given[layer] = 0
        for span in spans if isinstance(spans, list) else ():
            if isinstance(span, dict):
                if span.get("start") is None and is_text_only(span):
                    return None
                given[layer] += 1
    return given


def _missing_documents(path: Path, texts: dict, seen: set, out: Imported) -> None:
    """One problem naming the gold documents that have no line (they score as empty)."""
    missing = [d for d in texts if d not in seen]
    if missing:
        shown_ids = ", ".join(f"'{shown(d)}'" for d in missing[:3]) + (", ..." if len(missing) > 3 else "")
        out.problems.append(
            Problem(
                shown(path),
                None,
                None,
                f"{len(missing)} gold document(s) have no prediction line ({shown_ids}); scored as empty predictions",
            )
        )
        out.count("documents_without_prediction", len(missing))


def read_predictions(path: str | Path, schema: Schema, gold: list[Record], strict: bool = False) -> System:
    """A JSONL predictions file: one record per line (see :mod:`toolkit.records`).

    A line that is not a JSON object with a string ``doc_id``, or repeats a ``doc_id``, raises
    :class:`ExtractorError` naming the line, and so does a file none of whose doc ids is in the
    gold. Problems (counted in ``skipped``, each in ``problems``): a doc id not in the gold
    (line skipped), a gold document with no line (scored as empty), a region that does not fit
    (left out), a second result for the same region and field, a span whose ``text`` differs
    from the document at its offsets. Null speaker, target and stance are allowed. With
    ``strict`` any problem raises :class:`ExtractorError`.

    A span with ``text`` and no offsets is grounded in the gold text (:mod:`toolkit.grounding`);
    ``System.alignment`` counts how. One that is not found is left out of the record, listed
    (``problems``) and counted (``spans_not_found``), and scored as a spurious prediction; it is
    not an error under ``strict``.
    """
    path = Path(path)
    if path.is_dir() or path.suffix.lower() == ".parquet":  # shards written by `toolkit predict`
        from .predict import read_prediction_shards  # predict imports System from here

        return read_prediction_shards(path, schema, gold, strict)
    texts = {r["doc_id"]: r["text"] for r in gold}
    out, alignment = Imported(), _Alignment()
    with paused_gc():  # many small objects, no cycles
        records, seen = _read_lines(path, texts, schema, out, alignment)
    _missing_documents(path, texts, seen, out)
    out.count("problems", len(out.problems))
    scored = {id(p) for p in alignment.problems}
    errors = [p for p in out.problems if id(p) not in scored]  # a span not found is scored, not an error
    if strict and errors:
        raise ExtractorError(f"{errors[0]} ({len(errors)} problem(s) in all; --strict)")
    return System(
        shown(path.name),
        "file",
        records,
        source=shown(path),
        skipped=out.counts,
        problems=out.problems,
        alignment=alignment.block(),
    )


def _read_lines(
    path: Path, texts: dict[str, str], schema: Schema, out: Imported, alignment: _Alignment
) -> tuple[list[Record], set]:
    """The file's records of gold documents, and every doc id it has; a malformed line or a
    repeated doc id raises, a doc id not in the gold is a problem (line skipped). A file
    without lines or without any gold document raises."""
    records, seen, name = [], set(), shown(path)
    lines = read_jsonl_lines(path, ExtractorError)
    for number, line in lines:
        where = f"{name}:{number}"
        row = _row(line, where, ExtractorError)
        if row["doc_id"] in seen:
            raise ExtractorError(f"{where}: duplicate doc_id '{shown(row['doc_id'])}'")
        seen.add(row["doc_id"])
        if row["doc_id"] not in texts:
            out.problems.append(
                Problem(where, None, None, f"doc_id {short(row['doc_id'])} is not in the gold; line skipped")
            )
            out.count("documents_not_in_gold")
            continue
        records.append(_prediction(row, texts[row["doc_id"]], schema, where, out, alignment=alignment))
    if not lines:
        raise ExtractorError(f"{shown(path)}: no predictions (no lines)")
    if not records:
        raise ExtractorError(
            f"{shown(path)}: none of its {len(lines)} doc id(s) is in the gold "
            f"(e.g. '{shown(next(iter(seen)))}'): predictions for other documents?"
        )
    return records, seen


def _gold_provenance(row: dict, where: str, out: Imported) -> dict:
    """Provenance fields of a gold record: integer ids as int64 (else null, a problem); an
    annotator may also be a name (agreement uses it; a dataset stores null)."""
    values = {}
    for key in ("task_id", "annotation_id", "annotator"):
        value = row.get(key)
        keep = _int64(value) if key != "annotator" or not valid_string(value) else value
        if value is not None and (keep is None or not is_int(keep)):
            note = "kept for agreement; a dataset stores null" if keep is not None else "stored as null"
            out.problems.append(
                Problem(where, row["doc_id"], None, f"{key} {short(value)} is not a 64-bit integer; {note}")
            )
            out.count("values_truncated")
        values[key] = keep
    values["ground_truth"] = row.get("ground_truth") is True
    return values


def read_records_jsonl(path: str | Path, schema: Schema, out: Imported | None = None) -> list[dict]:
    """Gold records from a JSONL file, one per line, each with its own ``text``; every record is
    checked as if Label Studio had exported it (:class:`GoldError` names the line). Provenance
    values that do not fit are problems appended to ``out``."""
    path = Path(path)
    out = out if out is not None else Imported()
    records, name = [], shown(path)
    for number, line in read_jsonl_lines(path, GoldError):
        where = f"{name}:{number}"
        row = _row(line, where, GoldError, needs_text=True)
        record = {**empty_record(row["doc_id"]), **{k: row[k] for k in (*_RECORD_KEYS, "text") if k in row}}
        found = Imported()
        checked = check_record(record, schema, where, found)
        if checked is None or found.problems:
            raise GoldError(str(found.problems[0]))
        records.append({**checked, **_gold_provenance(row, where, out)})
    if not records:
        raise GoldError(f"{shown(path)}: no records")
    return records
