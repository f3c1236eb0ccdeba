"""``toolkit export``, ``toolkit dataset build`` and ``toolkit publish``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ToolkitError
from ._common import SchemaOpt, StrictOpt, app, dataset_app, default, quiet_datasets, say, summary, warn

SourcesArg = Annotated[
    Path | None,
    typer.Argument(
        help="A folder of .txt files (doc id = file stem) or a .jsonl file with doc_id, text, meta "
        "(default: the project's sources).",
        show_default=False,
    ),
]


def sources_or_default(sources: Path | None) -> Path:
    """The SOURCES argument, else the project's ``sources``."""
    sources = default("sources", sources)
    if sources is None:
        raise ToolkitError("no sources given and the project file names none (key 'sources')")
    return sources


@app.command("export")
def export_cli(
    sources: SourcesArg = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Label Studio import JSON to write (default: the project's tasks).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Turn source articles into Label Studio tasks (normalised text, doc id, sha256, metadata)."""
    from ..files import atomic_write_json
    from ..tasks import read_tasks

    tasks, skipped = read_tasks(sources_or_default(sources))
    output = default("tasks", output)
    atomic_write_json(output, tasks)
    for note in skipped:
        warn(f"skipped: {note}")
    say(f"wrote {len(tasks)} tasks to {output}" + (f" ({len(skipped)} source entries skipped)" if skipped else ""))


GoldArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Label Studio native JSON export(s), records JSONL or dataset folder(s) (default: the project's gold).",
        show_default=False,
    ),
]


@dataset_app.command("build")
def dataset_build_cli(
    exports: GoldArg = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Folder for the saved DatasetDicts (default: the project's dataset).",
            show_default=False,
        ),
    ] = None,
    schema: SchemaOpt = None,
    all_annotations: Annotated[
        bool,
        typer.Option(
            "--all-annotations", help="One row per annotation (for agreement studies) instead of one per task."
        ),
    ] = False,
    strict: StrictOpt = False,
) -> None:
    """Validate Label Studio exports and save them as a typed Hugging Face dataset with its schema."""
    from ..dataset import build_dataset, save_dataset
    from ..gold_sources import load_gold

    quiet_datasets()
    gold = load_gold(
        default("gold", exports),
        schema,
        lambda: default("schema"),
        "all" if all_annotations else "ground_truth",
        strict,
    )
    for note in gold.notes:
        warn(note)
    summary("import", gold.counts, gold.problems)
    output = default("dataset", output)
    datasets = build_dataset(gold.records, gold.schema)
    save_dataset(datasets, output, gold.schema)
    say(
        f"wrote {output}: {len(datasets['documents']['test'])} documents, {len(datasets['claims']['test'])} claims "
        f"(schema {gold.schema.describe()})"
    )


DatasetArg = Annotated[
    Path | None,
    typer.Argument(
        help="A folder written by `toolkit dataset build` (default: the project's dataset).", show_default=False
    ),
]
HfTokenOpt = Annotated[
    str | None,
    typer.Option(
        "--hf-token",
        envvar="HF_TOKEN",
        help="Hub token [env HF_TOKEN; default: your huggingface-cli login].",
        show_default=False,
    ),
]
HowOpt = Annotated[
    Path | None,
    typer.Option(
        "--how",
        help="Markdown describing how the data was annotated, for the card (default: the project's annotation_notes).",
        show_default=False,
    ),
]


@app.command("publish")
def publish_cli(
    dataset: DatasetArg = None,
    to: Annotated[Path | None, typer.Option("--to", help="Write the Hub repository folder here.")] = None,
    repo_id: Annotated[
        str | None, typer.Option("--repo-id", help="Upload to this Hub dataset repository (ORG/NAME).")
    ] = None,
    private: Annotated[bool, typer.Option("--private", help="Create the Hub repository as private.")] = False,
    hf_token: HfTokenOpt = None,
    schema: SchemaOpt = None,
    how: HowOpt = None,
    license: Annotated[str, typer.Option("--license", help="Licence of the annotations.")] = "cc-by-4.0",
) -> None:
    """Build the Hub folder (parquet per config and split, dataset card, schema) and write it locally or upload it."""
    from ..dataset import load_dataset_dir
    from ..gold_sources import choose_schema
    from ..publish import annotation_notes, publish

    quiet_datasets()
    if (to is None) == (repo_id is None):
        raise ToolkitError("publish needs exactly one of --to DIR or --repo-id ORG/NAME")
    dataset = default("dataset", dataset)
    datasets, stored = load_dataset_dir(dataset)
    chosen, note = choose_schema(stored, schema, f"dataset {dataset}", lambda: default("schema"))
    if note:
        warn(note)
    notes = annotation_notes(default("annotation_notes", how))
    url = publish(datasets, chosen, to=to, repo_id=repo_id, how=notes, license=license, private=private, token=hf_token)
    if url is None:
        say(f"wrote {to} (README.md dataset card, schema.yaml and parquet files)")
    else:
        say(f"uploaded to {repo_id}: {url}")
