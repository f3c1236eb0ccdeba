"""`python -m toolkit.cli`: the same as the `toolkit` command."""

from . import app

app(prog_name="toolkit")
