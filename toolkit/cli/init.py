"""``toolkit init``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import app, say


@app.command("init")
def init_cli(
    folder: Annotated[Path, typer.Argument(help="Folder of the new project (created if missing).")],
    example: Annotated[
        bool,
        typer.Option(
            "--example",
            help="Start from the bundled example (schema, guidelines, articles, gold) "
            "instead of a blank, commented schema.",
        ),
    ] = False,
    name: Annotated[str | None, typer.Option("--name", help="Project name (default: the folder's name).")] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Label Studio project title (default: the name).")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="Label Studio URL to record in the project file.")] = None,
) -> None:
    """Create a project: toolkit.yaml, a schema, guidelines, the labeling config and a README."""
    from ..scaffold import create_project

    written = create_project(folder, example=example, name=name, title=title, url=url)
    for path in written:
        say(f"wrote {path}")
    say(f"project ready in {folder}: edit schema.yaml, then `toolkit schema config` (see {folder / 'README.md'})")
