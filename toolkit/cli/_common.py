"""What every command module shares: the typer apps, the consoles, option types and the project.

Nothing here computes; it parses, finds defaults and prints.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

out = Console(soft_wrap=True, highlight=False, markup=False)
err = Console(stderr=True, soft_wrap=True, highlight=False, markup=False)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_URL_CREDENTIALS = re.compile(r"(?<=://)([^/\s:@]+):([^/\s@]+)@")


def clean(text: object) -> str:
    """One safe line for the terminal: control characters from data escaped (no raw escape
    sequences reach the terminal), passwords in URLs and known secrets masked."""
    from ..files import shown

    line = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), shown(text))
    line = _URL_CREDENTIALS.sub(r"\1:***@", line)
    for var in ("LABEL_STUDIO_API_KEY", "LABEL_STUDIO_PASSWORD", "HF_TOKEN"):
        secret = os.environ.get(var)
        if secret and len(secret) >= 6:
            line = line.replace(secret, "***")
    return line


def say(text: object, **style) -> None:
    """Print one cleaned line on standard output."""
    out.print(clean(text), **style)


def warn(text: object) -> None:
    """Print one cleaned line on standard error, in yellow."""
    err.print(clean(text), style="yellow")


def summary(what: str, counts: dict[str, int], problems: list, limit: int = 20) -> None:
    """Every problem on its own line (the first ``limit``), then one summary line of counts."""
    for problem in problems[:limit]:
        warn(f"problem: {problem}")
    if len(problems) > limit:
        warn(f"... and {len(problems) - limit} more problem(s) (--strict stops at the first)")
    shown = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(counts.items()) if v)
    if shown:
        (warn if problems else say)(f"{what}: {shown}")


app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help="Annotate news for stance, actors and claims in Label Studio; build, publish and evaluate.",
)
schema_app = typer.Typer(no_args_is_help=True, help="The schema file and the Label Studio config made from it.")
studio_app = typer.Typer(
    no_args_is_help=True, help="A live Label Studio: start a server, create a project, push tasks, pull annotations."
)
dataset_app = typer.Typer(no_args_is_help=True, help="Turn Label Studio exports into a Hugging Face dataset.")
app.add_typer(schema_app, name="schema")
app.add_typer(studio_app, name="studio")
app.add_typer(dataset_app, name="dataset")

SchemaOpt = Annotated[
    Path | None,
    typer.Option("--schema", help="Schema file (default: the project's, or the schema stored with the data)."),
]
UrlOpt = Annotated[
    str | None,
    typer.Option("--url", help="Label Studio URL [env LABEL_STUDIO_URL; default: the project's].", show_default=False),
]
TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--token",
        help="Label Studio API token or personal access token [env LABEL_STUDIO_API_KEY].",
        show_default=False,
    ),
]
TitleOpt = Annotated[
    str | None, typer.Option("--title", help="Label Studio project title (default: the project's).", show_default=False)
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Any skipped region, unknown document or duplicate is an error.")
]


def project():
    """The current project (project file here or above, else the bundled example)."""
    from ..project import current_project

    return current_project()


def default(name: str, given=None):
    """``given`` if set, else the project's attribute ``name``; says once, in one line, when
    the value comes from the bundled example (no project file here or above)."""
    if given not in (None, [], ()):
        return given
    proj = project()
    if proj.is_example and not getattr(project, "_announced", False):
        out.print(clean(proj.describe()), style="dim")
        project._announced = True  # type: ignore[attr-defined]
    value = getattr(proj, name)
    return list(value) if isinstance(value, tuple) else value


def studio_url(url: str | None) -> str | None:
    """``--url``, else LABEL_STUDIO_URL, else the project's URL (None: the SDK default)."""
    return url or os.environ.get("LABEL_STUDIO_URL") or project().studio_url


def quiet_datasets() -> None:
    """Turn off ``datasets``' progress bars: our own output stays one line per step."""
    import datasets

    datasets.disable_progress_bars()
