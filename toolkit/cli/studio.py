"""``toolkit studio …``: a live Label Studio through label-studio-sdk."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress

from ..errors import ToolkitError
from ._common import SchemaOpt, TitleOpt, TokenOpt, UrlOpt, default, err, say, studio_app, studio_url, warn
from .data import SourcesArg, sources_or_default

if TYPE_CHECKING:
    from ..review import AcceptRun, ReviewRun
    from ..schema import Schema
    from ..studio import PushResult
    from ..studio.client import Client


def _title(title: str | None) -> str:
    return default("studio_title", title)


def _schema(schema: Path | None) -> Schema:
    from ..schema import load_schema

    return load_schema(default("schema", schema))


@contextmanager
def _connected(url: str | None, token: str | None) -> Iterator[Client]:
    """A checked client for the command, its connections closed when the command ends."""
    from ..studio import close, connect

    client = connect(studio_url(url), token)
    try:
        yield client
    finally:
        close(client)


@studio_app.command("start")
def studio_start_cli(
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Label Studio data folder (database, uploads).")] = Path(
        "label-studio-data"
    ),
    port: Annotated[int, typer.Option("--port")] = 8080,
    username: Annotated[
        str,
        typer.Option("--username", envvar="LABEL_STUDIO_USERNAME", help="Admin e-mail [env LABEL_STUDIO_USERNAME]."),
    ] = "admin@example.com",
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            envvar="LABEL_STUDIO_PASSWORD",
            help="Admin password [env LABEL_STUDIO_PASSWORD].",
            show_default=False,
        ),
    ] = None,
    token: TokenOpt = None,
) -> None:
    """Start a local Label Studio on 127.0.0.1 with an admin user and a legacy API token; Ctrl-C stops it."""
    from ..studio import LocalServer

    token = token or os.environ.get("LABEL_STUDIO_API_KEY")
    if not password or not token:
        raise ToolkitError(
            "studio start needs --password and --token (or LABEL_STUDIO_PASSWORD and LABEL_STUDIO_API_KEY)"
        )
    server = LocalServer(data_dir=data_dir.resolve(), port=port, username=username, password=password, token=token)
    with err.status("starting label-studio …"):
        server.start()
    say(f"Label Studio is up at {server.url} (user {username}); Ctrl-C stops it")

    def interrupt(*_: object) -> None:  # `kill` stops the server too, not only Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@studio_app.command("setup")
def studio_setup_cli(
    title: TitleOpt = None, schema: SchemaOpt = None, url: UrlOpt = None, token: TokenOpt = None
) -> None:
    """Create the project (or reuse it by title) with the config generated from the schema."""
    from ..schema import labeling_config
    from ..studio import ensure_project

    title = _title(title)
    with _connected(url, token) as client:
        project_id, action = ensure_project(client, title, labeling_config(_schema(schema)))
    say(f"project {project_id} '{title}': {action}")


@studio_app.command("push")
def studio_push_cli(
    sources: SourcesArg = None,
    title: TitleOpt = None,
    schema: SchemaOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 250,
    dedupe: Annotated[
        bool,
        typer.Option(
            "--dedupe",
            help=(
                "Also remove duplicate tasks of every document already in the project (tasks with "
                "annotations, predictions or drafts are kept and reported)."
            ),
        ),
    ] = False,
) -> None:
    """Push documents as tasks, each document once: ones already in the project (same doc id and sha256) are skipped."""
    from ..schema import labeling_config
    from ..studio import ensure_project, push_tasks
    from ..tasks import read_tasks

    tasks, skipped = read_tasks(sources_or_default(sources))
    for note in skipped:
        warn(f"skipped: {note}")
    with _connected(url, token) as client, Progress(console=err, transient=True) as progress:
        project_id, _ = ensure_project(client, _title(title), labeling_config(_schema(schema)))
        bar = progress.add_task("pushing", total=len(tasks))
        result = push_tasks(
            client, project_id, tasks, batch_size, progress=lambda n: progress.advance(bar, n), dedupe=dedupe
        )
    _say_pushed(project_id, result)


def _say_pushed(project_id: int, result: PushResult) -> None:
    for note in result.notes:
        warn(f"note: {note}")
    removed = f"; {result.removed} duplicate task(s) removed" if result.removed else ""
    say(
        f"project {project_id}: {result.imported} imported, {result.unchanged} already present{removed}; "
        f"{result.tasks} task(s) in the project"
    )
    if result.changed:
        warn(
            f"{len(result.changed)} document(s) changed since they were imported and were not pushed: "
            f"{', '.join(result.changed)}"
        )
    if result.kept:
        warn(
            f"{len(result.kept)} document(s) have several tasks holding annotations, predictions or drafts "
            f"(not removed; merge them in Label Studio): {', '.join(result.kept[:20])}"
        )
    if result.duplicated:
        warn(
            f"{result.duplicated} other document(s) have duplicate tasks in the project: "
            f"`toolkit studio push --dedupe` removes them"
        )


@studio_app.command("pull")
def studio_pull_cli(
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Where to write the native JSON export (default: the project's pull).",
            show_default=False,
        ),
    ] = None,
    title: TitleOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Pull all tasks, annotations and predictions as Label Studio's native JSON export, written atomically
    (large projects through an export snapshot)."""
    from ..studio import find_project, pull_export

    output = default("pull", output)
    if output is None:
        raise ToolkitError(
            "studio pull needs -o FILE here (no project file names a 'pull' path, "
            "and the bundled gold is never overwritten)"
        )
    with _connected(url, token) as client:
        summary = pull_export(client, find_project(client, _title(title)), output)
    via = " (through an export snapshot)" if summary["method"] == "snapshot" else ""
    say(
        f"wrote {summary['tasks']} tasks, {summary['annotations']} annotations "
        f"({summary['cancelled']} cancelled) to {output}{via}"
    )


@studio_app.command("annotate")
def studio_annotate_cli(
    records: Annotated[
        list[Path], typer.Argument(help="Record JSON files (one document each: doc_id, actors, claims, doc_stances).")
    ],
    user: Annotated[
        str | None,
        typer.Option("--as", help="E-mail of the annotator (created if missing); default: the token's user."),
    ] = None,
    ground_truth: Annotated[
        bool, typer.Option("--ground-truth", help="Flag the annotations as ground truth (adjudicated gold).")
    ] = False,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Update this annotator's existing annotation of a document (default: refuse)."),
    ] = False,
    title: TitleOpt = None,
    schema: SchemaOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Enter annotations made outside Label Studio (e.g. a reading pass) into the project's tasks by doc id; one per annotator and document."""
    from ..studio import annotate_from_records, find_project

    with _connected(url, token) as client:
        project_id = find_project(client, _title(title))
        result = annotate_from_records(
            client, project_id, records, _schema(schema), user=user, ground_truth=ground_truth, replace=replace
        )
    for note in result.notes:
        warn(f"note: {note}")
    say(f"created {result.created} annotation(s), updated {result.updated}")


@studio_app.command("predict")
def studio_predict_cli(
    extractor: Annotated[str, typer.Option("--extractor", "-e", help="Extractor name or module:attribute.")] = "rules",
    title: TitleOpt = None,
    schema: SchemaOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Pre-annotate the project's tasks with an extractor's output (Label Studio predictions); run again, it
    replaces this model version's predictions (one per task)."""
    from ..extractors import get_extractor
    from ..schema import labeling_config
    from ..studio import find_project, prepare_predictions, write_predictions

    schema_obj = _schema(schema)
    with _connected(url, token) as client:
        chosen = get_extractor(extractor, schema=schema_obj)
        project_id = find_project(client, _title(title))
        predictions = prepare_predictions(client, project_id, chosen, schema_obj, labeling_config(schema_obj))
        done = write_predictions(client, project_id, predictions, f"{chosen.name} {chosen.version}")
    removed = f", {done.removed} older duplicate(s) deleted" if done.removed else ""
    say(f"model version '{done.model_version}': created {done.created} prediction(s), replaced {done.updated}{removed}")


AcceptOpt = Annotated[
    bool,
    typer.Option(
        "--accept",
        help="Flag each submitted review (the annotation made from the task's consensus prediction) as ground truth.",
    ),
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print what would be done; write nothing.")]
ReviewerOpt = Annotated[
    str | None,
    typer.Option(
        "--reviewer",
        help="E-mail of the reviewer: their annotations count as reviews (also ones not started from the consensus).",
        show_default=False,
    ),
]
JsonOpt = Annotated[
    Path | None,
    typer.Option("--json", help="Write the consensus stats and every dispute here.", show_default=False),
]
ShowOpt = Annotated[int, typer.Option("--show", help="Disputes listed per task.")]


@studio_app.command("review")
def studio_review_cli(
    accept: AcceptOpt = False,
    dry_run: DryRunOpt = False,
    reviewer: ReviewerOpt = None,
    json_out: JsonOpt = None,
    limit: ShowOpt = 10,
    title: TitleOpt = None,
    schema: SchemaOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Review with consensus: post each multiply-annotated task's consensus as a prediction (agreed items accepted, disputes marked); --accept makes the submitted reviews the ground truth."""
    from ..files import atomic_write_json
    from ..review import accept_reviews, review_project
    from ..studio import find_project

    with _connected(url, token) as client:
        project_id = find_project(client, _title(title))
        schema_obj = _schema(schema)
        if accept:
            accepted = accept_reviews(client, project_id, schema_obj, dry_run=dry_run, reviewer=reviewer)
            _say_accepted(project_id, accepted, dry_run)
            return
        run = review_project(client, project_id, schema_obj, dry_run=dry_run, reviewer=reviewer)
        _say_reviewed(project_id, run, f"{client.toolkit_url}/projects/{project_id}/data", limit)
        if json_out is not None:
            atomic_write_json(json_out, run.as_dict())
            say(f"wrote {json_out}")


def _say_accepted(project_id: int, run: AcceptRun, dry_run: bool) -> None:
    for reason in run.refused:
        warn(f"not flagged: {reason}")
    verb = "would flag" if dry_run else "flagged"
    say(
        f"project {project_id}: {verb} {len(run.flagged)} review(s) as ground truth "
        f"({', '.join(f'task {t}: annotation {a}' for t, a in run.flagged[:10])}"
        f"{' …' if len(run.flagged) > 10 else ''}); {run.already} task(s) already had ground truth, "
        f"{run.waiting} consensus task(s) not reviewed yet, {len(run.refused)} review(s) not flagged"
    )


def _say_reviewed(project_id: int, run: ReviewRun, tasks_url: str, limit: int) -> None:
    """The problems, each task's disputes (with a link to the task), the summary and the stats."""
    from ..review import KINDS, MODEL_VERSION, dispute_line

    for problem in run.problems[:20]:
        warn(f"problem: {problem}")
    for item in run.tasks:
        disputes = item.consensus.disputes
        if not disputes:
            continue
        say(
            f"task {item.task_id} (doc {item.consensus.doc_id}, {item.action}): {len(disputes)} dispute(s); "
            f"{tasks_url}?task={item.task_id}"
        )
        for dispute in disputes[:limit]:
            say(f"  {dispute_line(dispute)}")
        if len(disputes) > limit:
            say(f"  … and {len(disputes) - limit} more")
    done = ", ".join(f"{n} {a}" for a, n in sorted(run.actions().items())) or "none"
    skipped = run.skipped
    say(
        f"project {project_id}: consensus (model version '{MODEL_VERSION}') for {len(run.tasks)} task(s): {done}; "
        f"skipped {skipped['ground_truth']} with ground truth, {skipped['reviewed']} reviewed (run --accept), "
        f"{skipped['fewer_than_two']} with fewer than two annotations"
    )
    width = max(map(len, KINDS))
    say(f"{'':{width}}  accepted  disputed")
    for kind in KINDS:
        say(f"{kind:{width}}  {run.stats[kind]['accepted']:>8}  {run.stats[kind]['disputed']:>8}")
