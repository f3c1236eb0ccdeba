"""Score systems (extractors or predictions files) against the gold: the ``toolkit evaluate`` job.

This module only computes: it returns a JSON-ready dict (see :func:`evaluate`) that
:mod:`toolkit.report` renders. Every number comes from :mod:`toolkit.scoring` count tables;
confidence intervals and p-values from :mod:`toolkit.stats`.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import __version__, stats
from .errors import ExtractorError, GoldError
from .export import Document
from .gold import import_exports, validate_record
from .io import fingerprint
from .records import Record, empty_record
from .schema import Schema
from .scoring import (
    MatchRule,
    actor_counts,
    actor_metric,
    actor_scores_from_counts,
    claim_counts,
    claim_metric,
    claim_scores_from_counts,
    doc_stance_counts,
    doc_stance_metric,
    doc_stance_scores_from_counts,
)

DEFAULT_GOLD = Path(__file__).resolve().parent.parent / "gold" / "export.json"

# The headline metrics: name -> (count table, metric factory). Each gets a bootstrap CI.
HEADLINES = {
    "actors_strict_f1": ("actors", lambda t: actor_metric(t, "strict")),
    "actors_exact_f1": ("actors", lambda t: actor_metric(t, "exact")),
    "actors_partial_f1": ("actors", lambda t: actor_metric(t, "partial")),
    "actors_type_f1": ("actors", lambda t: actor_metric(t, "ent_type")),
    "actors_strict_macro_f1": ("actors", lambda t: actor_metric(t, "strict", average="macro")),
    "claims_exact_span_f1": ("claims_exact", lambda t: claim_metric(t, "span_f1")),
    "claims_span_f1": ("claims", lambda t: claim_metric(t, "span_f1")),
    "claims_speaker_accuracy": ("claims", lambda t: claim_metric(t, "speaker_accuracy")),
    "claims_end_to_end_f1": ("claims", lambda t: claim_metric(t, "end_to_end_f1")),
    "claims_end_to_end_stance_f1": ("claims", lambda t: claim_metric(t, "end_to_end_stance_f1")),
    "claims_stance_macro_f1": ("claims", lambda t: claim_metric(t, "stance_macro_f1")),
    "doc_stance_accuracy": ("doc_stance", lambda t: doc_stance_metric(t, "accuracy")),
    "doc_stance_macro_f1": ("doc_stance", lambda t: doc_stance_metric(t, "macro_f1")),
    "doc_stance_f_avg": ("doc_stance", lambda t: doc_stance_metric(t, "f_avg")),
}
COMPARED = ("actors_strict_f1", "claims_end_to_end_f1", "doc_stance_f_avg")


@dataclass
class System:
    """Predictions of one system on the gold documents, with where they came from."""

    name: str
    version: str
    records: list[Record]
    source: str = "extractor"
    skipped: dict = field(default_factory=dict)


def load_gold(paths: list[Path] | None, schema: Schema) -> tuple[list[Record], dict]:
    """Gold records (one per task, ground truth first) and metadata, from native exports."""
    paths = [Path(p) for p in (paths or [DEFAULT_GOLD])]
    imported = import_exports(paths, schema)
    if not imported.records:
        raise ExtractorError(f"{', '.join(map(str, paths))}: no annotated tasks to evaluate against")
    meta = {
        "files": [p.name for p in paths],
        "fingerprint": fingerprint([{k: r[k] for k in ("doc_id", "text", "actors", "claims", "doc_stances")} for r in imported.records]),
        "documents": len(imported.records),
        "problems_skipped": len(imported.problems),
        "counts": imported.counts,
    }
    return imported.records, meta


def run_extractor(extractor, gold: list[Record], schema: Schema) -> System:
    """Run an extractor on the gold texts (it sees only doc id and text); check its output."""
    docs = [Document(r["doc_id"], r["text"]) for r in gold]
    records = list(extractor.extract(docs))
    if [r.get("doc_id") for r in records] != [d.doc_id for d in docs]:
        raise ExtractorError(f"extractor '{extractor.name}' must return one record per document, in order")
    for doc, record in zip(docs, records):
        try:
            validate_record({**record, "text": doc.text}, schema, f"extractor '{extractor.name}', doc '{doc.doc_id}'")
        except GoldError as exc:
            raise ExtractorError(str(exc)) from None
    return System(extractor.name, str(extractor.version), records)


def read_predictions(path: str | Path, schema: Schema, gold: list[Record]) -> System:
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


def _tables(gold: list[Record], system: System, schema: Schema, rule: MatchRule) -> dict:
    stances = list(schema.stance_labels)
    return {
        "actors": actor_counts(gold, system.records, labels=list(schema.actor_types)),
        "claims": claim_counts(gold, system.records, rule, labels=stances),
        "claims_exact": claim_counts(gold, system.records, MatchRule("exact"), labels=stances),
        "doc_stance": doc_stance_counts(gold, system.records, labels=stances, targets=list(schema.targets)),
    }


def evaluate(gold: list[Record], gold_meta: dict, systems: list[System], schema: Schema,
             rule: MatchRule = MatchRule(), n_boot: int = 1000, seed: int = 0,
             compare: tuple[str, str] | None = None) -> dict:
    """Score every system; returns ``{"meta", "systems", "comparisons"}``, JSON-ready.

    Per system: full actor, claim (overlap rule and exact) and document stance scores, and
    ``headline``: each metric of :data:`HEADLINES` with its bootstrap 95% CI over documents.
    With ``compare=(a, b)``: paired bootstrap and approximate randomisation p-values for the
    metrics in :data:`COMPARED`.
    """
    names = [s.name for s in systems]
    if len(set(names)) != len(names):
        raise ExtractorError(f"two systems are named the same: {names}")
    tables = {s.name: _tables(gold, s, schema, rule) for s in systems}
    out_systems = {}
    for system in systems:
        t = tables[system.name]
        headline = {}
        for metric, (table_name, factory) in HEADLINES.items():
            table = t[table_name]
            ci = stats.bootstrap_ci(table.rows, factory(table), n_boot=n_boot, seed=seed)
            headline[metric] = {"value": ci["estimate"], "ci": [ci["low"], ci["high"]], "n_undefined": ci["n_undefined"]}
        out_systems[system.name] = {
            "extractor": {"name": system.name, "version": system.version, "source": system.source},
            "skipped": system.skipped,
            "headline": headline,
            "actors": actor_scores_from_counts(t["actors"]),
            "claims": claim_scores_from_counts(t["claims"]),
            "claims_exact": claim_scores_from_counts(t["claims_exact"]),
            "doc_stance": doc_stance_scores_from_counts(t["doc_stance"]),
        }
    comparisons = []
    if compare:
        missing = [n for n in compare if n not in tables]
        if missing:
            raise ExtractorError(f"--compare: no system named '{missing[0]}'; evaluated: {', '.join(names)}")
        a, b = compare
        for metric in COMPARED:
            table_name, factory = HEADLINES[metric]
            ta, tb = tables[a][table_name], tables[b][table_name]
            fn = factory(ta)
            boot = stats.paired_bootstrap_test(ta.rows, tb.rows, fn, n_boot=n_boot, seed=seed)
            rand = stats.randomization_test(ta.rows, tb.rows, fn, n_rounds=n_boot, seed=seed)
            comparisons.append({
                "a": a, "b": b, "metric": metric, "a_value": boot["metric_a"], "b_value": boot["metric_b"],
                "difference": boot["delta"], "difference_ci": [boot["low"], boot["high"]],
                "p_paired_bootstrap": boot["p_value"], "p_randomization": rand["p_value"],
            })  # fmt: skip
    meta = {
        "toolkit_version": __version__,
        "schema": {"name": schema.name, "version": schema.version, "fingerprint": fingerprint(schema.as_dict())},
        "gold": gold_meta,
        "systems": [{"name": s.name, "version": s.version, "source": s.source} for s in systems],
        "match_rule": rule.as_dict(),
        "bootstrap": {"n_boot": n_boot, "seed": seed, "level": 0.95, "unit": "document"},
        "python": platform.python_version(),
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    return {"meta": meta, "systems": out_systems, "comparisons": comparisons}
