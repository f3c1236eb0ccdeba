"""``toolkit predict``: an extractor over a whole corpus, into sharded Parquet (see :mod:`toolkit.predict`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Self

import typer

from ..errors import ToolkitError
from ._common import SchemaOpt, app, default, err, say

if TYPE_CHECKING:
    from rich.progress import TaskID


class _Bar:
    """A rich progress bar on standard error, in documents, shown from the first update on."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("predicting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("docs"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err,
        )
        self.task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.task is None:
            self.bar.start()
            self.task = self.bar.add_task("predict", total=total, completed=done)
        self.bar.update(self.task, completed=done, total=total)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.bar.stop()


CorpusArg = Annotated[
    str | None,
    typer.Argument(
        help="The corpus: a folder of .txt files, a .jsonl file, a .parquet file or folder of them (doc_id, text), "
        "or a Hugging Face dataset (saved folder or Hub id) with doc_id and text (default: the project's sources).",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    Path,
    typer.Option(
        "-o",
        "--output",
        help="Folder for the shards (shard-00000.parquet, ...) and manifest.json.",
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Processes (local) or CPUs of a local Ray (default: every core).",
        show_default=False,
    ),
]
RayAddressOpt = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        help="Ray cluster address (e.g. auto, 10.0.0.5:6379, ray://head:10001; default: a local Ray on this machine).",
        show_default=False,
    ),
]
BatchSizeOpt = Annotated[
    int | None,
    typer.Option(
        "--batch-size",
        min=1,
        help="Documents per map_batches call with --engine ray (default: the shard size).",
        show_default=False,
    ),
]


@app.command("predict")
def predict_cli(
    sources: CorpusArg = None,
    extractor: Annotated[str, typer.Option("--extractor", "-e", help="Extractor name or module:attribute.")] = "rules",
    output: OutputOpt = Path("predictions"),
    shard_size: Annotated[int, typer.Option("--shard-size", min=1, help="Documents per shard.")] = 1000,
    workers: WorkersOpt = None,
    engine: Annotated[str, typer.Option("--engine", help="local (a process pool) or ray (Ray Data).")] = "local",
    ray_address: RayAddressOpt = None,
    batch_size: BatchSizeOpt = None,
    split: Annotated[
        str | None, typer.Option("--split", help="Split of a Hugging Face dataset with several.", show_default=False)
    ] = None,
    schema: SchemaOpt = None,
) -> None:
    """Run an extractor over a corpus in shards (resumable, all cores or a Ray cluster); `evaluate -p` reads them."""
    from ..predict import predict
    from ..schema import load_schema

    if engine not in ("local", "ray"):
        raise ToolkitError(f"--engine must be local or ray, not '{engine}'")
    source = default("sources", sources)
    if source is None:
        raise ToolkitError("no sources given and the project file names none (key 'sources')")
    chosen = load_schema(default("schema", schema))
    with _Bar() as bar:
        result = predict(
            source,
            extractor,
            chosen,
            output,
            shard_size=shard_size,
            workers=workers,
            engine=engine,
            ray_address=ray_address,
            split=split,
            batch_size=batch_size,
            progress=bar,
        )
    say(result.summary())
