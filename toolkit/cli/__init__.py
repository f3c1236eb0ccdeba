"""The ``toolkit`` command line: thin typer wrappers over the library modules.

Each ``*_cli`` function parses arguments, finds defaults in the project file, calls library
functions and prints. Errors become one-line messages in :func:`_run` only: the toolkit's own
exceptions and OS errors as they are, anything else as a one-line "unexpected" message with a
hint to rerun with ``--debug`` for the traceback. Library warnings are collected while a
command runs and summarised in one line at the end.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from .. import __version__
from ..errors import ToolkitError
from . import _common
from ._common import app, clean, err

if TYPE_CHECKING:  # typer vendors click: TyperGroup.invoke is typed with its Context
    from typer._click import Context

_DEBUG_ENV = "TOOLKIT_DEBUG"
_state = {"debug": False}


def _fail(message: str) -> typer.Exit:
    err.print(f"error: {clean(' '.join(message.split()))}", style="red")
    return typer.Exit(1)


def _summarise_warnings(caught: list[warnings.WarningMessage]) -> None:
    if not caught:
        return
    kinds = Counter(w.category.__name__ for w in caught)
    first = " ".join(str(caught[0].message).split())[:160]
    listed = ", ".join(f"{name} ×{n}" for name, n in kinds.most_common())
    err.print(clean(f'note: {len(caught)} library warning(s) ({listed}), e.g. "{first}"'), style="dim")


class _ToolkitGroup(TyperGroup):
    """The one place where errors become a one-line message and exit code 1."""

    def invoke(self, ctx: Context) -> Any:
        _common.project._announced = False  # type: ignore[attr-defined]
        _state["debug"] = os.environ.get(_DEBUG_ENV) == "1"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return super().invoke(ctx)
            except (typer.Exit, typer.Abort, TyperException):  # usage errors are typer's (vendored click's) to show
                raise
            except ToolkitError as exc:
                raise _fail(str(exc)) from None
            except OSError as exc:  # a file we were told to read or write
                where = f"{exc.filename}: " if exc.filename else ""
                raise _fail(f"{where}{exc.strerror or exc}") from None
            except KeyboardInterrupt:
                raise _fail("interrupted") from None
            except Exception as exc:  # the CLI's one boundary: anything else is one line
                if _state["debug"]:
                    raise
                detail = " ".join(str(exc).split())[:300]
                raise _fail(
                    f"unexpected {exc.__class__.__name__}: {detail} "
                    f"(rerun with --debug for the traceback; please report it)"
                ) from None
            finally:
                _summarise_warnings([w for w in caught if not issubclass(w.category, DeprecationWarning)])


app.info.cls = _ToolkitGroup


def _print_version(value: bool) -> None:
    if value:
        _common.out.print(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an unexpected error.")] = False,
) -> None:
    if debug:
        _state["debug"] = True


# Register the commands (each module adds its own to the apps in _common).
from . import data, evaluate, init, predict, schema, studio  # noqa: E402, F401

__all__ = ["app"]
