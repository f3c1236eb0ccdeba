"""Score systems (extractors or predictions files) against the gold: the ``toolkit evaluate`` job.

This module only computes: it returns a JSON-ready dict (see :func:`evaluate`) that
:mod:`toolkit.report` renders. Every number comes from :mod:`toolkit.scoring` count tables;
confidence intervals and p-values from :mod:`toolkit.stats`.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import numpy as np

from . import __version__, stats
from .errors import ExtractorError, GoldError
from .files import paused_gc
from .gold import validate_record
from .predictions import System, read_predictions
from .records import Record
from .schema import Schema
from .scoring import (
    CountTable,
    MatchRule,
    Metric,
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
from .tasks import Document


@dataclass(frozen=True)
class Headline:
    """One headline metric: its ``name`` (the JSON key), a ``label`` for people, the count
    ``table`` it is computed from (a key of :func:`_tables`) and ``metric``, the factory of its
    vectorised function of summed rows (what the bootstrap resamples)."""

    name: str
    label: str
    table: str
    metric: Callable[[CountTable], Metric]


# The headline metrics, in report order: each gets a bootstrap CI; every report format reads this list.
HEADLINES: tuple[Headline, ...] = (
    Headline("actors_strict_f1", "Actors F1 (strict)", "actors", lambda t: actor_metric(t, "strict")),
    Headline("actors_exact_f1", "Actors F1 (exact boundaries)", "actors", lambda t: actor_metric(t, "exact")),
    Headline("actors_partial_f1", "Actors F1 (partial)", "actors", lambda t: actor_metric(t, "partial")),
    Headline("actors_type_f1", "Actors F1 (type, overlap)", "actors", lambda t: actor_metric(t, "ent_type")),
    Headline(
        "actors_strict_macro_f1",
        "Actors macro-F1 (strict)",
        "actors",
        lambda t: actor_metric(t, "strict", average="macro"),
    ),
    Headline("claims_exact_span_f1", "Claim spans F1 (exact)", "claims_exact", lambda t: claim_metric(t, "span_f1")),
    Headline("claims_span_f1", "Claim spans F1 (overlap)", "claims", lambda t: claim_metric(t, "span_f1")),
    Headline(
        "claims_speaker_accuracy",
        "Speaker accuracy (matched claims)",
        "claims",
        lambda t: claim_metric(t, "speaker_accuracy"),
    ),
    Headline(
        "claims_end_to_end_f1", "Claims F1 (span + speaker)", "claims", lambda t: claim_metric(t, "end_to_end_f1")
    ),
    Headline(
        "claims_end_to_end_stance_f1",
        "Claims F1 (span + speaker + target/stance)",
        "claims",
        lambda t: claim_metric(t, "end_to_end_stance_f1"),
    ),
    Headline("claims_stance_macro_f1", "Claim stance macro-F1", "claims", lambda t: claim_metric(t, "stance_macro_f1")),
    Headline(
        "doc_stance_accuracy", "Document stance accuracy", "doc_stance", lambda t: doc_stance_metric(t, "accuracy")
    ),
    Headline(
        "doc_stance_macro_f1", "Document stance macro-F1", "doc_stance", lambda t: doc_stance_metric(t, "macro_f1")
    ),
    Headline(
        "doc_stance_f_avg",
        "Document stance F_avg (favor, against)",
        "doc_stance",
        lambda t: doc_stance_metric(t, "f_avg"),
    ),
)
HEADLINE = {h.name: h for h in HEADLINES}
COMPARED = ("actors_strict_f1", "claims_end_to_end_f1", "doc_stance_f_avg")


def extract_safely(extractor, docs: list[Document]) -> list:
    """``extractor.extract(docs)``; if it raises, an :class:`ExtractorError` naming the first
    document it fails on (found by running the documents one by one), never a traceback."""
    try:
        return list(extractor.extract(docs))
    except Exception as exc:  # an extractor (ours or a plugin) may fail in any way
        failing = next((d for d in docs if _fails(extractor, d)), None)
        where = f" on document '{failing.doc_id}'" if failing else ""
        detail = " ".join(str(exc).split())[:200]
        raise ExtractorError(
            f"extractor '{extractor.name}' failed{where}: {exc.__class__.__name__}: {detail} "
            "(a bug in the extractor; rerun with --debug for the traceback)"
        ) from exc


def _fails(extractor, doc: Document) -> bool:
    try:
        extractor.extract([doc])
    except Exception:  # noqa: BLE001 - any failure marks the document; extract_safely reports the original error
        return True
    return False


def run_extractor(extractor, gold: list[Record], schema: Schema) -> System:
    """Run an extractor on the gold texts (it sees only doc id and text); check its output."""
    docs = [Document(r["doc_id"], r["text"]) for r in gold]
    records = extract_safely(extractor, docs)
    if [r.get("doc_id") if isinstance(r, dict) else None for r in records] != [d.doc_id for d in docs]:
        raise ExtractorError(f"extractor '{extractor.name}' must return one record per document, in order")
    for doc, record in zip(docs, records, strict=True):
        try:
            validate_record(
                cast("Record", {**record, "text": doc.text}),
                schema,
                f"extractor '{extractor.name}', doc '{doc.doc_id}'",
            )
        except GoldError as exc:
            raise ExtractorError(str(exc)) from None
    return System(extractor.name, str(extractor.version), records)


def _tables(gold: list[Record], system: System, schema: Schema, rule: MatchRule) -> dict:
    stances, none = list(schema.stance_labels), schema.no_stance
    tables = {
        "actors": actor_counts(gold, system.records, labels=list(schema.actor_types)),
        "claims": claim_counts(gold, system.records, rule, labels=stances, none=none),
        "claims_exact": claim_counts(gold, system.records, MatchRule("exact"), labels=stances, none=none),
        "doc_stance": doc_stance_counts(gold, system.records, labels=stances, targets=list(schema.targets), none=none),
    }
    failed = system.alignment.get("failed_spans")
    return _unaligned_as_spurious(tables, failed) if failed else tables


def _unaligned_as_spurious(tables: dict, failed: list[dict]) -> dict:
    """The count tables with the text-only spans grounding could not place (``failed``, from
    :func:`toolkit.grounding.alignment_block`) counted as predictions that match nothing, in
    their document's row, so the scores and every bootstrap resample see them: a failed actor
    adds 1 to ``spurious`` in every actor schema, pooled and under its label (a label outside
    the schema is ignored, as the scorer ignores such spans); a failed claim adds 1 to ``pred``
    of both claim tables. Nothing else changes (gold spans, matches, document stances)."""
    out = dict(tables)
    for name in ("actors", "claims", "claims_exact"):
        table = tables[name]
        rows, doc = table.rows.copy(), {d: i for i, d in enumerate(table.doc_ids)}
        column = {f: j for j, f in enumerate(table.fields)}
        schemas = dict.fromkeys(f.split("/", 1)[0] for f in table.fields) if name == "actors" else {}
        for span in failed:
            d = doc.get(span["doc_id"])
            if d is None or span["layer"] != ("actors" if name == "actors" else "claims"):
                continue
            if name != "actors":
                rows[d, column["pred"]] += 1
            elif span.get("label") in table.labels:
                for schema in schemas:
                    for scope in ("*", span["label"]):
                        rows[d, column[f"{schema}/{scope}/spurious"]] += 1
        out[name] = replace(table, rows=rows)
    return out


def evaluate(
    gold: list[Record],
    gold_meta: dict,
    systems: list[System],
    schema: Schema,
    *,
    rule: MatchRule = MatchRule(),
    n_boot: int = 1000,
    seed: int = 0,
    compare: tuple[str, str] | None = None,
) -> dict:
    """Score every system; returns ``{"meta", "systems", "comparisons"}``, JSON-ready.

    Per system: full actor, claim (overlap rule and exact) and document stance scores, and
    ``headline``: each metric of :data:`HEADLINES` with its bootstrap 95% CI over documents.
    With ``compare=(a, b)``: paired bootstrap and approximate randomisation p-values for the
    metrics in :data:`COMPARED`.

    The bootstrap resamples are drawn once for every count table of every system (the draws
    depend only on the seed and the number of documents), and the paired bootstrap reuses
    them: the numbers are those of a separate draw per table and test with the same seed.
    """
    names = [s.name for s in systems]
    if len(set(names)) != len(names):
        raise ExtractorError(f"two systems are named the same: {names}")
    missing = [n for n in compare or () if n not in names]
    if missing:
        raise ExtractorError(f"--compare: no system named '{missing[0]}'; evaluated: {', '.join(names)}")
    with paused_gc():  # matching builds many small objects, no cycles
        tables = {s.name: _tables(gold, s, schema, rule) for s in systems}
    sums = _bootstrap_sums(tables, n_boot, seed)
    return {
        "meta": _meta(gold_meta, systems, schema, rule, n_boot=n_boot, seed=seed),
        "systems": {s.name: _system_scores(s, tables[s.name], sums[s.name], n_boot, seed) for s in systems},
        "comparisons": _comparisons(tables, sums, compare, n_boot, seed) if compare else [],
    }


def _bootstrap_sums(tables: dict[str, dict], n_boot: int, seed: int) -> dict[str, dict[str, np.ndarray]]:
    """``sums[system][table]``: the table's summed rows in each bootstrap resample, from one
    draw of resamples for all of them (:func:`toolkit.stats.bootstrap_sums`)."""
    keys = [(name, table) for name, t in tables.items() for table in t]
    drawn = stats.bootstrap_sums([tables[name][table].rows for name, table in keys], n_boot=n_boot, seed=seed)
    sums: dict[str, dict[str, np.ndarray]] = {name: {} for name in tables}
    for (name, table), block in zip(keys, drawn, strict=True):
        sums[name][table] = block
    return sums


def _system_scores(system: System, tables: dict, sums: dict[str, np.ndarray], n_boot: int, seed: int) -> dict:
    """One system's block of the result: where it came from, what was skipped, the headline
    metrics with their CIs (in :data:`HEADLINES` order) and the full scores of each table."""
    headline = {}
    for table_name, table in tables.items():  # one set of resamples per count table, shared by its metrics
        metrics = {h.name: h.metric(table) for h in HEADLINES if h.table == table_name}
        cis = stats.bootstrap_cis(table.rows, metrics, n_boot=n_boot, seed=seed, sums=sums[table_name])
        for metric, ci in cis.items():
            headline[metric] = {
                "value": ci["estimate"],
                "ci": [ci["low"], ci["high"]],
                "n_undefined": ci["n_undefined"],
            }
    return {
        "extractor": {"name": system.name, "version": system.version, "source": system.source},
        "skipped": system.skipped,
        **({"alignment": system.alignment} if system.alignment else {}),
        "headline": {h.name: headline[h.name] for h in HEADLINES},
        "actors": actor_scores_from_counts(tables["actors"]),
        "claims": claim_scores_from_counts(tables["claims"]),
        "claims_exact": claim_scores_from_counts(tables["claims_exact"]),
        "doc_stance": doc_stance_scores_from_counts(tables["doc_stance"]),
    }


def _comparisons(tables: dict, sums: dict, compare: tuple[str, str], n_boot: int, seed: int) -> list[dict]:
    """System A against B on each metric of :data:`COMPARED` (in that order): the paired
    bootstrap on the resamples the CIs used, and the randomisation test, whose swaps are drawn
    once for all the compared tables."""
    a, b = compare
    compared = list(dict.fromkeys(HEADLINE[m].table for m in COMPARED))
    pairs = [(tables[a][t].rows, tables[b][t].rows) for t in compared]
    shifts = stats.randomization_shifts(pairs, n_rounds=n_boot, seed=seed)
    comparisons = []
    for table_name, (rows_a, rows_b), shift in zip(compared, pairs, shifts, strict=True):
        metrics = {m: HEADLINE[m].metric(tables[a][table_name]) for m in COMPARED if HEADLINE[m].table == table_name}
        drawn = (sums[a][table_name], sums[b][table_name])
        boots = stats.paired_bootstrap_tests(rows_a, rows_b, metrics, n_boot=n_boot, seed=seed, sums=drawn)
        rands = stats.randomization_tests(rows_a, rows_b, metrics, n_rounds=n_boot, seed=seed, shifts=shift)
        for metric in metrics:
            boot, rand = boots[metric], rands[metric]
            comparisons.append({
                "a": a, "b": b, "metric": metric, "a_value": boot["metric_a"], "b_value": boot["metric_b"],
                "difference": boot["delta"], "difference_ci": [boot["low"], boot["high"]],
                "p_paired_bootstrap": boot["p_value"], "p_randomization": rand["p_value"],
            })  # fmt: skip
    return sorted(comparisons, key=lambda c: COMPARED.index(c["metric"]))


def _meta(gold_meta: dict, systems: list[System], schema: Schema, rule: MatchRule, *, n_boot: int, seed: int) -> dict:
    """The result's provenance: toolkit, schema, gold, systems, match rule, bootstrap, when."""
    return {
        "toolkit_version": __version__,
        "schema": {
            "name": schema.name,
            "version": schema.version,
            "fingerprint": schema.fingerprint,
            "no_stance": schema.no_stance,
        },
        "gold": gold_meta,
        "systems": [{"name": s.name, "version": s.version, "source": s.source} for s in systems],
        "match_rule": rule.as_dict(),
        "bootstrap": {"n_boot": n_boot, "seed": seed, "level": 0.95, "unit": "document"},
        "python": platform.python_version(),
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
    }


@dataclass
class EvaluationRun:
    """What :func:`run_evaluation` returns: the result dict and what it was computed from."""

    result: dict
    gold: list[Record]
    systems: list[System]
    rule: MatchRule
    gold_counts: dict[str, int] = field(default_factory=dict)
    gold_problems: list = field(default_factory=list)
    system_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    system_problems: dict[str, list] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _read_systems(
    gold_paths: list,
    schema: Schema,
    records: list[Record],
    predictions: list[Path],
    *,
    model_versions: list[str] | None,
    strict: bool,
) -> list[System]:
    """The systems read from files: the predictions files, then the gold exports' model versions."""
    systems = [read_predictions(path, schema, records, strict=strict) for path in predictions]
    if model_versions is not None:
        from .model_versions import systems_from_gold

        systems += systems_from_gold(gold_paths, schema, records, model_versions, strict)
    return systems


def run_evaluation(
    gold_paths: list,
    schema_path: Path | None,
    default_schema,
    extractors: list[str],
    predictions: list[Path],
    *,
    rule: MatchRule = MatchRule(),
    n_boot: int = 1000,
    seed: int = 0,
    compare: tuple[str, str] | None = None,
    strict: bool = False,
    model_versions: list[str] | None = None,
) -> EvaluationRun:
    """The ``toolkit evaluate`` job as one call: load the gold (and its schema), run the
    extractors, read the predictions files, score everything.

    ``model_versions`` (``[]``: all, or names) adds the Label Studio model versions whose
    predictions the gold's exports hold (:mod:`toolkit.model_versions`); None leaves them out.
    Without extractors, predictions and model versions, every built-in extractor that can run here is used.
    With ``strict``, any problem in gold or predictions raises instead of being counted.
    """
    from .extractors import get_extractor, runnable
    from .gold_sources import load_gold

    gold = load_gold(gold_paths, schema_path, default_schema, "ground_truth", strict)
    records = cast("list[Record]", gold.records)  # GoldRecords, read as Records (a list is invariant)
    if not records:
        raise ExtractorError(f"{', '.join(map(str, gold_paths))}: no annotated documents to evaluate against")
    names = extractors or ([] if predictions or model_versions is not None else runnable())
    systems = [run_extractor(get_extractor(name, schema=gold.schema), records, gold.schema) for name in names]
    with paused_gc():  # reading, fingerprinting and matching build many small objects and no cycles
        systems += _read_systems(
            gold_paths, gold.schema, records, predictions, model_versions=model_versions, strict=strict
        )
        if not systems:
            raise ExtractorError("nothing to evaluate: no extractor can run here and no --predictions given")
        result = evaluate(
            records, gold.meta, systems, gold.schema, rule=rule, n_boot=n_boot, seed=seed, compare=compare
        )
    return EvaluationRun(
        result,
        records,
        systems,
        rule,
        gold.counts,
        gold.problems,
        {s.name: s.skipped for s in systems},
        {s.name: s.problems for s in systems},
        gold.notes,
    )
