"""``toolkit evaluate``, ``toolkit report`` and ``toolkit agreement``."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import SchemaOpt, StrictOpt, app, default, err, out, say, summary, warn

if TYPE_CHECKING:
    from ..evaluate import EvaluationRun

GoldOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--gold",
        help="Gold: Label Studio native export(s), records JSONL, a dataset folder, or anything "
        "datasets.load_dataset reads (default: the project's gold).",
        show_default=False,
    ),
]
ExtractorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--extractor",
        "-e",
        help="Extractor name or module:attribute (repeatable; default: every built-in one that can run).",
        show_default=False,
    ),
]
PredictionsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--predictions",
        "-p",
        help="Predictions made elsewhere: JSONL (one record per line) or the Parquet shards "
        "of `toolkit predict` (repeatable).",
        show_default=False,
    ),
]
ModelVersionsOpt = Annotated[
    bool,
    typer.Option(
        "--model-versions",
        help="Also score every Label Studio model version whose predictions the --gold export(s) "
        "hold, as systems named ls:VERSION (no built-in extractors unless -e).",
    ),
]
ModelVersionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--model-version",
        help="Score this Label Studio model version from the --gold export(s) (repeatable; implies --model-versions).",
        show_default=False,
    ),
]
MatchOpt = Annotated[str, typer.Option("--match", help="Claim span matching: overlap or exact.")]
ThresholdOpt = Annotated[float, typer.Option("--threshold", help="Jaccard threshold for --match overlap.")]
NBootOpt = Annotated[
    int, typer.Option("--n-boot", min=100, help="Bootstrap resamples for the CIs and the paired tests.")
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed of the bootstrap.")]
CompareOpt = Annotated[
    tuple[str, str] | None,
    typer.Option("--compare", help="Two system names: paired p-values for the headline metrics.", show_default=False),
]


def _run(
    gold: GoldOpt = None,
    extractor: ExtractorOpt = None,
    predictions: PredictionsOpt = None,
    model_versions: ModelVersionsOpt = False,
    model_version: ModelVersionOpt = None,
    match: MatchOpt = "overlap",
    threshold: ThresholdOpt = 0.5,
    n_boot: NBootOpt = 1000,
    seed: SeedOpt = 0,
    compare: CompareOpt = None,
    schema: SchemaOpt = None,
    strict: StrictOpt = False,
) -> EvaluationRun:
    """The options ``toolkit evaluate`` and ``toolkit report`` share (this signature is their one
    definition, see :func:`_evaluation_options`): run the evaluation, print its notes and the
    problems found."""
    from ..evaluate import run_evaluation
    from ..scoring import MatchRule

    gold = default("gold", gold)
    with err.status("evaluating …"):
        run = run_evaluation(
            gold,
            schema,
            lambda: default("schema"),
            extractor or [],
            predictions or [],
            rule=MatchRule(match, threshold),
            n_boot=n_boot,
            seed=seed,
            compare=compare or None,
            strict=strict,
            model_versions=list(model_version or []) if model_versions or model_version else None,
        )
    for note in run.notes:
        warn(note)
    summary("gold", run.gold_counts, run.gold_problems)
    for name, counts in run.system_counts.items():
        problems = run.system_problems.get(name, [])
        if problems or any(counts.values()):
            summary(f"system {name}", counts, problems)
    return run


def _evaluation_options(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with the options of :func:`_run` in place of its ``run`` parameter: typer
    reads them from the signature of what this returns, which runs the evaluation with them
    and calls ``command`` with the :class:`~toolkit.evaluate.EvaluationRun`."""
    lazy = {"EvaluationRun": object}  # imported for type checking only (toolkit.evaluate loads numpy)
    shared = inspect.signature(_run, eval_str=True, locals=lazy).parameters
    params: list[inspect.Parameter] = []
    for param in inspect.signature(command, eval_str=True, locals=lazy).parameters.values():
        params += shared.values() if param.name == "run" else [param]
    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in params]  # typer passes them by name

    @functools.wraps(command)
    def with_run(**kwargs) -> None:
        run = _run(**{name: kwargs.pop(name) for name in shared})
        command(run=run, **kwargs)

    with_run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    with_run.__annotations__ = {p.name: p.annotation for p in params}
    return with_run


@app.command("evaluate")
@_evaluation_options
def evaluate_cli(
    run: EvaluationRun,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write every number and the metadata as JSON.")
    ] = None,
    markdown_out: Annotated[Path | None, typer.Option("--markdown", help="Write a Markdown report.")] = None,
) -> None:
    """Score extractors (or predictions files) against the gold: actors, claims, stance, with bootstrap CIs."""
    from ..files import atomic_write_json, atomic_write_text
    from ..report import comparison_table, markdown, terminal_table

    out.print(terminal_table(run.result))
    if (table := comparison_table(run.result)) is not None:
        out.print(table)
    if json_out:
        atomic_write_json(json_out, run.result)
        say(f"wrote {json_out}")
    if markdown_out:
        atomic_write_text(markdown_out, markdown(run.result))
        say(f"wrote {markdown_out}")


@app.command("report")
@_evaluation_options
def report_cli(
    *,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="The HTML file to write (default: the project's report).", show_default=False
        ),
    ] = None,
    run: EvaluationRun,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Also write the scores the page shows as JSON (as `toolkit evaluate --json`)."),
    ] = None,
) -> None:
    """Evaluate as `toolkit evaluate` does and write one self-contained HTML report: scores with CIs, the
    comparison of two systems, per-type and per-target tables, plots, and every error linked to its document."""
    from ..files import atomic_write_json, atomic_write_text
    from ..report import html_report

    page = html_report(run.result, run.gold, {s.name: s.records for s in run.systems}, run.rule)
    output = default("report", output)
    atomic_write_text(output, page)
    if json_out:
        atomic_write_json(json_out, run.result)
        say(f"wrote {json_out}")
    say(f"wrote {output}")


@app.command("agreement")
def agreement_cli(
    exports: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Gold with several annotations per task: Label Studio export(s), records JSONL with an 'annotator' "
            "field, or a dataset built with --all-annotations (default: the project's gold).",
            show_default=False,
        ),
    ] = None,
    schema: SchemaOpt = None,
    overlap: Annotated[
        float, typer.Option("--overlap", min=0.01, max=1.0, help="Jaccard threshold for overlapping claim spans.")
    ] = 0.5,
    include_ground_truth: Annotated[
        bool,
        typer.Option("--include-ground-truth", help="Also count annotations flagged ground truth (adjudications)."),
    ] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write every figure as JSON here.")] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Write an HTML page with αU and every disagreement per document.")
    ] = None,
    strict: StrictOpt = False,
) -> None:
    """Inter-annotator agreement: kappas and alpha on document stance, pairwise span F1, unitizing alpha, disagreements."""
    from ..agreement import agreement
    from ..files import atomic_write_json
    from ..gold_sources import load_gold
    from ..report import agreement_tables

    gold = load_gold(default("gold", exports), schema, lambda: default("schema"), "all", strict)
    for note in gold.notes:
        warn(note)
    summary("import", gold.counts, gold.problems)
    result = agreement(gold.records, gold.schema, overlap, include_ground_truth)
    if json_out:
        atomic_write_json(json_out, result)
    if html_out:
        from ..agreement_report import agreement_page
        from ..files import atomic_write_text

        atomic_write_text(html_out, agreement_page(result))
    for table in agreement_tables(result):
        out.print(table)
    for path in (json_out, html_out):
        if path:
            say(f"wrote {path}")
