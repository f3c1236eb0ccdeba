"""``toolkit schema config``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ToolkitError
from ._common import SchemaOpt, default, say, schema_app


@schema_app.command("config")
def schema_config_cli(
    schema: SchemaOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Where to write the XML (default: the project's labeling_config; without a project, standard output).",
            show_default=False,
        ),
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Only check that OUTPUT is up to date.")] = False,
) -> None:
    """Generate the Label Studio labeling config from the schema and validate it with LabelInterface."""
    from ..files import atomic_write_text
    from ..schema import labeling_config, load_schema, validate_config

    config = labeling_config(load_schema(default("schema", schema)))
    validate_config(config)
    output = default("labeling_config", output)
    if output is None:  # the bundled example: never write into the package
        if check:
            raise ToolkitError("--check needs -o FILE (no project file here)")
        typer.echo(config, nl=False)
        return
    if check:
        if not output.exists():
            raise ToolkitError(f"{output} is missing: run `toolkit schema config`")
        if output.read_text(encoding="utf-8") != config:
            raise ToolkitError(f"{output} is out of date: run `toolkit schema config`")
        say(f"{output} is up to date")
        return
    atomic_write_text(output, config)
    say(f"wrote {output}")
