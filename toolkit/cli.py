"""The `toolkit` command line: thin typer wrappers over the library modules.

Each ``*_cli`` function parses arguments, calls library functions and prints. Errors are
the toolkit's own exceptions (and OS errors on the files named), turned into one-line
messages in ``_ToolkitGroup.invoke`` only.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup
from rich.console import Console
from rich.progress import Progress

from . import __version__
from .errors import ToolkitError
from .schema import DEFAULT_SCHEMA, load_schema


class _ToolkitGroup(TyperGroup):
    """The one place where toolkit errors become a one-line message and exit code 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ToolkitError as exc:
            err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except OSError as exc:  # a file we were told to read or write
            where = f"{exc.filename}: " if exc.filename else ""
            err.print(f"error: {where}{exc.strerror or exc}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)

# Locals are never shown in tracebacks: they would hold API tokens.
app = typer.Typer(cls=_ToolkitGroup, no_args_is_help=True, pretty_exceptions_show_locals=False, add_completion=False,
                  help="Annotate news for stance, actors and claims in Label Studio; build, publish and evaluate.")
schema_app = typer.Typer(no_args_is_help=True, help="The schema file and the Label Studio config made from it.")
studio_app = typer.Typer(no_args_is_help=True, help="A live Label Studio: start a server, create a project, push tasks, pull annotations.")
dataset_app = typer.Typer(no_args_is_help=True, help="Turn Label Studio exports into a Hugging Face dataset.")
app.add_typer(schema_app, name="schema")
app.add_typer(studio_app, name="studio")
app.add_typer(dataset_app, name="dataset")

SchemaOpt = Annotated[Optional[Path], typer.Option("--schema", help="Schema file (default: schemas/schema.yaml).")]
UrlOpt = Annotated[Optional[str], typer.Option("--url", help="Label Studio URL [env LABEL_STUDIO_URL].", show_default=False)]
TokenOpt = Annotated[Optional[str], typer.Option("--token", help="Label Studio API token or personal access token [env LABEL_STUDIO_API_KEY].", show_default=False)]
TitleOpt = Annotated[str, typer.Option("--title", help="Project title (created if missing, reused otherwise).")]
DEFAULT_TITLE = "Gaza diplomacy: stance, actors, claims"
CONFIG_PATH = DEFAULT_SCHEMA.parent / "labeling_config.xml"


def _print_version(value: bool) -> None:
    if value:
        out.print(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    pass


def _quiet_datasets() -> None:
    import datasets

    datasets.disable_progress_bars()  # our own output stays one line per step


# --- schema ----------------------------------------------------------------------------


@schema_app.command("config")
def schema_config_cli(
    schema: SchemaOpt = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the XML.")] = CONFIG_PATH,
    check: Annotated[bool, typer.Option("--check", help="Only check that OUTPUT is up to date.")] = False,
) -> None:
    """Generate the Label Studio labeling config from the schema and validate it with LabelInterface."""
    from .schema import labeling_config, validate_config
    from .io import atomic_write_text

    config = labeling_config(load_schema(schema))
    validate_config(config)
    if check:
        if not output.exists():
            raise ToolkitError(f"{output} is missing: run `toolkit schema config`")
        if output.read_text(encoding="utf-8") != config:
            raise ToolkitError(f"{output} is out of date: run `toolkit schema config`")
        out.print(f"{output} is up to date")
        return
    atomic_write_text(output, config)
    out.print(f"wrote {output}")


# --- export ----------------------------------------------------------------------------


@app.command("export")
def export_cli(
    sources: Annotated[Path, typer.Argument(help="A folder of .txt files (doc id = file stem) or a .jsonl file with doc_id, text, meta.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Label Studio import JSON to write.")] = Path("tasks.json"),
) -> None:
    """Turn source articles into Label Studio tasks (normalised text, doc id, sha256, metadata)."""
    from .export import build_tasks
    from .io import atomic_write_json

    tasks = build_tasks(sources)
    atomic_write_json(output, tasks)
    out.print(f"wrote {len(tasks)} tasks to {output}")


# --- studio ----------------------------------------------------------------------------


@studio_app.command("start")
def studio_start_cli(
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Label Studio data folder (database, uploads).")] = Path("label-studio-data"),
    port: Annotated[int, typer.Option("--port")] = 8080,
    username: Annotated[str, typer.Option("--username", envvar="LABEL_STUDIO_USERNAME", help="Admin e-mail [env LABEL_STUDIO_USERNAME].")] = "admin@example.com",
    password: Annotated[Optional[str], typer.Option("--password", envvar="LABEL_STUDIO_PASSWORD", help="Admin password [env LABEL_STUDIO_PASSWORD].", show_default=False)] = None,
    token: TokenOpt = None,
) -> None:
    """Start a local Label Studio on 127.0.0.1 with an admin user and a legacy API token; Ctrl-C stops it."""
    from .studio import LocalServer

    token = token or os.environ.get("LABEL_STUDIO_API_KEY")
    if not password or not token:
        raise ToolkitError("studio start needs --password and --token (or LABEL_STUDIO_PASSWORD and LABEL_STUDIO_API_KEY)")
    server = LocalServer(data_dir=data_dir.resolve(), port=port, username=username, password=password, token=token)
    with err.status("starting label-studio …"):
        server.start()
    out.print(f"Label Studio is up at {server.url} (user {username}); Ctrl-C stops it")

    def interrupt(*_):  # `kill` stops the server too, not only Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@studio_app.command("setup")
def studio_setup_cli(title: TitleOpt = DEFAULT_TITLE, schema: SchemaOpt = None, url: UrlOpt = None, token: TokenOpt = None) -> None:
    """Create the project (or reuse it by title) with the config generated from the schema."""
    from .schema import labeling_config
    from .studio import connect, ensure_project

    project_id, action = ensure_project(connect(url, token), title, labeling_config(load_schema(schema)))
    out.print(f"project {project_id} '{title}': {action}")


@studio_app.command("push")
def studio_push_cli(
    sources: Annotated[Path, typer.Argument(help="Source folder or .jsonl, as for `toolkit export`.")],
    title: TitleOpt = DEFAULT_TITLE, schema: SchemaOpt = None, url: UrlOpt = None, token: TokenOpt = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 250,
) -> None:
    """Push documents as tasks; documents already in the project (same doc id and sha256) are not imported again."""
    from .export import build_tasks
    from .schema import labeling_config
    from .studio import connect, ensure_project, push_tasks

    tasks = build_tasks(sources)
    client = connect(url, token)
    project_id, _ = ensure_project(client, title, labeling_config(load_schema(schema)))
    with Progress(console=err, transient=True) as progress:
        bar = progress.add_task("pushing", total=len(tasks))
        result = push_tasks(client, project_id, tasks, batch_size, progress=lambda n: progress.advance(bar, n))
    out.print(f"project {project_id}: {result.imported} imported, {result.unchanged} already present")
    if result.changed:
        err.print(f"{len(result.changed)} document(s) changed since they were imported and were not pushed: "
                  f"{', '.join(result.changed)}", style="yellow", markup=False)


@studio_app.command("pull")
def studio_pull_cli(
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the native JSON export.")] = Path("gold/export.json"),
    title: TitleOpt = DEFAULT_TITLE, url: UrlOpt = None, token: TokenOpt = None,
) -> None:
    """Pull all tasks and annotations as Label Studio's native JSON export, written atomically."""
    from .studio import connect, find_project, pull_export

    client = connect(url, token)
    summary = pull_export(client, find_project(client, title), output)
    out.print(f"wrote {summary['tasks']} tasks, {summary['annotations']} annotations ({summary['cancelled']} cancelled) to {output}")


@studio_app.command("annotate")
def studio_annotate_cli(
    records: Annotated[list[Path], typer.Argument(help="Record JSON files (one document each: doc_id, actors, claims, doc_stances).")],
    user: Annotated[Optional[str], typer.Option("--as", help="E-mail of the annotator (created if missing); default: the token's user.")] = None,
    ground_truth: Annotated[bool, typer.Option("--ground-truth", help="Flag the annotations as ground truth (adjudicated gold).")] = False,
    title: TitleOpt = DEFAULT_TITLE, schema: SchemaOpt = None, url: UrlOpt = None, token: TokenOpt = None,
) -> None:
    """Enter annotations made outside Label Studio (e.g. a reading pass) into the project's tasks by doc id."""
    from .studio import annotate_from_records, connect, find_project

    client = connect(url, token)
    count = annotate_from_records(client, find_project(client, title), records, load_schema(schema), user, ground_truth)
    out.print(f"created {count} annotation(s)")


@studio_app.command("predict")
def studio_predict_cli(
    extractor: Annotated[str, typer.Option("--extractor", "-e", help="Extractor name or module:attribute.")] = "rules",
    title: TitleOpt = DEFAULT_TITLE, schema: SchemaOpt = None, url: UrlOpt = None, token: TokenOpt = None,
) -> None:
    """Pre-annotate the project's tasks with an extractor's output (Label Studio predictions)."""
    from .extractors import get_extractor
    from .schema import labeling_config
    from .studio import connect, find_project, push_predictions

    schema_obj = load_schema(schema)
    client = connect(url, token)
    chosen = get_extractor(extractor, schema=schema_obj)
    count = push_predictions(client, find_project(client, title), chosen, schema_obj, labeling_config(schema_obj))
    out.print(f"created {count} prediction(s), model version '{chosen.name} {chosen.version}'")


# --- dataset and publishing ------------------------------------------------------------

ExportsArg = Annotated[list[Path], typer.Argument(help="Label Studio native JSON export(s).")]


def _import(exports, schema, all_annotations, strict):
    from .gold import import_exports

    imported = import_exports(exports, load_schema(schema), "all" if all_annotations else "ground_truth", strict)
    for problem in imported.problems:
        err.print(f"skipped: {problem}", markup=False, highlight=False, soft_wrap=True)
    return imported


@dataset_app.command("build")
def dataset_build_cli(
    exports: ExportsArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the saved DatasetDicts.")] = Path("build/dataset"),
    schema: SchemaOpt = None,
    all_annotations: Annotated[bool, typer.Option("--all-annotations", help="One row per annotation (for agreement studies) instead of one per task.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on the first problem instead of skipping bad regions.")] = False,
) -> None:
    """Validate Label Studio exports and save them as a typed Hugging Face dataset (configs: documents, claims)."""
    from .dataset import build_dataset, save_dataset

    _quiet_datasets()
    imported = _import(exports, schema, all_annotations, strict)
    datasets = build_dataset(imported.records, load_schema(schema))
    save_dataset(datasets, output)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(imported.counts.items()))
    out.print(f"wrote {output}: {len(datasets['documents']['test'])} documents, {len(datasets['claims']['test'])} claims ({counts})")


@app.command("publish")
def publish_cli(
    dataset: Annotated[Path, typer.Argument(help="A folder written by `toolkit dataset build`.")] = Path("build/dataset"),
    to: Annotated[Optional[Path], typer.Option("--to", help="Write the Hub repository folder here.")] = None,
    repo_id: Annotated[Optional[str], typer.Option("--repo-id", help="Upload to this Hub dataset repository (ORG/NAME).")] = None,
    private: Annotated[bool, typer.Option("--private", help="Create the Hub repository as private.")] = False,
    hf_token: Annotated[Optional[str], typer.Option("--hf-token", envvar="HF_TOKEN", help="Hub token [env HF_TOKEN; default: your huggingface-cli login].", show_default=False)] = None,
    schema: SchemaOpt = None,
    how: Annotated[Path, typer.Option("--how", help="Markdown describing how the data was annotated, for the card.")] = Path("gold/README.md"),
    license: Annotated[str, typer.Option("--license", help="Licence of the annotations.")] = "cc-by-4.0",
) -> None:
    """Build the Hub folder (parquet per config and split, dataset card) and write it locally or upload it."""
    import tempfile

    from .dataset import load_dataset_dir
    from .publish import build_hub_folder, upload

    _quiet_datasets()
    if (to is None) == (repo_id is None):
        raise ToolkitError("publish needs exactly one of --to DIR or --repo-id ORG/NAME")
    datasets = load_dataset_dir(dataset)
    how_text = how.read_text(encoding="utf-8") if how.exists() else ""
    ref = repo_id or str(to)
    if to is not None:
        build_hub_folder(datasets, load_schema(schema), to, ref, how_text, license)
        out.print(f"wrote {to} (README.md dataset card and parquet files)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_hub_folder(datasets, load_schema(schema), Path(tmp) / "repo", ref, how_text, license)
        url = upload(folder, repo_id, private, hf_token)
    out.print(f"uploaded to {repo_id}: {url}")


# --- agreement -------------------------------------------------------------------------


@app.command("agreement")
def agreement_cli(
    exports: Annotated[list[Path], typer.Argument(help="Label Studio native JSON export(s) with several annotations per task.")] = [Path("gold/export.json")],  # noqa: B006
    schema: SchemaOpt = None,
    overlap: Annotated[float, typer.Option("--overlap", min=0.01, max=1.0, help="Jaccard threshold for overlapping claim spans.")] = 0.5,
    include_ground_truth: Annotated[bool, typer.Option("--include-ground-truth", help="Also count annotations flagged ground truth (adjudications).")] = False,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write every figure as JSON here.")] = None,
) -> None:
    """Inter-annotator agreement: kappas and alpha on document stance, pairwise span F1 and speaker agreement."""
    from .agreement import agreement
    from .io import atomic_write_json
    from .report import agreement_tables

    imported = _import(exports, schema, True, False)
    result = agreement(imported.records, list(load_schema(schema).targets), overlap, include_ground_truth)
    if json_out:
        atomic_write_json(json_out, result)
    for table in agreement_tables(result):
        out.print(table)


# --- evaluate --------------------------------------------------------------------------


def _systems(gold, schema_obj, extractors: list[str], predictions: list[Path]):
    from .evaluate import read_predictions, run_extractor
    from .extractors import get_extractor, runnable

    names = extractors or ([] if predictions else runnable())
    systems = []
    with err.status("running extractors …"):
        for name in names:
            systems.append(run_extractor(get_extractor(name, schema=schema_obj), gold, schema_obj))
    systems += [read_predictions(path, schema_obj, gold) for path in predictions]
    if not systems:
        raise ToolkitError("nothing to evaluate: no extractor can run here and no --predictions given")
    return systems


GoldOpt = Annotated[Optional[list[Path]], typer.Option("--gold", help="Label Studio native export(s) with the gold (default: the bundled gold/export.json).")]
ExtractorOpt = Annotated[Optional[list[str]], typer.Option("--extractor", "-e", help="Extractor name or module:attribute (repeatable; default: every built-in one that can run).")]
PredictionsOpt = Annotated[Optional[list[Path]], typer.Option("--predictions", "-p", help="JSONL predictions made elsewhere, one record per line (repeatable).")]
MatchOpt = Annotated[str, typer.Option("--match", help="Claim span matching: overlap or exact.")]
ThresholdOpt = Annotated[float, typer.Option("--threshold", help="Jaccard threshold for --match overlap.")]
NBootOpt = Annotated[int, typer.Option("--n-boot", min=100, help="Bootstrap resamples for the CIs and the paired tests.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed of the bootstrap.")]


def _evaluate(gold, extractor, predictions, match, threshold, n_boot, seed, compare, schema):
    from .evaluate import evaluate, load_gold
    from .scoring import MatchRule

    schema_obj = load_schema(schema)
    rule = MatchRule(match, threshold)
    gold_records, gold_meta = load_gold(gold, schema_obj)
    systems = _systems(gold_records, schema_obj, extractor or [], predictions or [])
    result = evaluate(gold_records, gold_meta, systems, schema_obj, rule, n_boot, seed, tuple(compare) if compare else None)
    return result, gold_records, systems, rule


@app.command("evaluate")
def evaluate_cli(
    gold: GoldOpt = None,
    extractor: ExtractorOpt = None,
    predictions: PredictionsOpt = None,
    match: MatchOpt = "overlap",
    threshold: ThresholdOpt = 0.5,
    n_boot: NBootOpt = 1000,
    seed: SeedOpt = 0,
    compare: Annotated[Optional[tuple[str, str]], typer.Option("--compare", help="Two system names: paired p-values for the headline metrics.")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write every number and the metadata as JSON.")] = None,
    markdown_out: Annotated[Optional[Path], typer.Option("--markdown", help="Write a Markdown report.")] = None,
    schema: SchemaOpt = None,
) -> None:
    """Score extractors (or predictions files) against the gold: actors, claims, stance, with bootstrap CIs."""
    from .io import atomic_write_json, atomic_write_text
    from .report import comparison_table, markdown, terminal_table

    result, *_ = _evaluate(gold, extractor, predictions, match, threshold, n_boot, seed, compare, schema)
    out.print(terminal_table(result))
    if (table := comparison_table(result)) is not None:
        out.print(table)
    if json_out:
        atomic_write_json(json_out, result)
        out.print(f"wrote {json_out}")
    if markdown_out:
        atomic_write_text(markdown_out, markdown(result))
        out.print(f"wrote {markdown_out}")


@app.command("report")
def report_cli(
    output: Annotated[Path, typer.Option("-o", "--output", help="The HTML file to write.")] = Path("report.html"),
    gold: GoldOpt = None,
    extractor: ExtractorOpt = None,
    predictions: PredictionsOpt = None,
    match: MatchOpt = "overlap",
    threshold: ThresholdOpt = 0.5,
    n_boot: NBootOpt = 1000,
    seed: SeedOpt = 0,
    schema: SchemaOpt = None,
) -> None:
    """Evaluate as `toolkit evaluate` does and write one self-contained HTML report with plots and error analysis."""
    from .io import atomic_write_text
    from .report import html_report

    result, gold_records, systems, rule = _evaluate(gold, extractor, predictions, match, threshold, n_boot, seed, None, schema)
    page = html_report(result, gold_records, {s.name: s.records for s in systems}, rule)
    atomic_write_text(output, page)
    out.print(f"wrote {output}")
