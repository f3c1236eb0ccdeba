"""Every command has help text and is documented; the README's commands are the CI's."""

import os
import re

import pytest
import typer
from typer.testing import CliRunner

from conftest import ROOT
from toolkit.cli import app

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(typer_app: typer.Typer, prefix: tuple[str, ...] = ()):
    group = typer.main.get_command(typer_app)
    for name, command in group.commands.items():
        path = (*prefix, name)
        if hasattr(command, "commands"):
            for sub in command.commands:
                yield (*path, sub)
        else:
            yield path


COMMANDS = sorted(_commands(app))


def test_there_are_commands():
    assert ("export",) in COMMANDS and ("studio", "push") in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_command_has_help_and_is_in_readme(path):
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    group = typer.main.get_command(app)
    command = group
    for name in path:
        command = command.commands[name]
    assert (command.help or "").strip(), f"`toolkit {' '.join(path)}` has no help text"
    assert f"toolkit {' '.join(path)}" in README, f"`toolkit {' '.join(path)}` is not in the README"


def test_usage_error_is_shown_as_one_not_as_unexpected():
    """typer (0.26+) raises its own vendored click's usage errors; the CLI passes them through."""
    result = CliRunner().invoke(app, ["predict", "--shard-size", "0", "corpus"])
    assert result.exit_code == 2
    assert "--shard-size" in result.output and "unexpected" not in result.output


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in ci.splitlines() if "pytest" in line and not line.startswith("#"))
    assert command.strip() in README


def test_seeds_are_the_shared_seeds_byte_for_byte():
    shared = ROOT.parent / "shared" / "seeds"
    ours = sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))
    assert len(ours) == 5
    if os.environ.get("CI"):
        assert shared.is_dir(), "CI runs with ../shared beside the clone"
    if shared.is_dir():  # developers have it too; a lone clone checks only the count
        assert ours == sorted(p.name for p in shared.glob("*.txt"))
        for name in ours:
            assert (ROOT / "seeds" / name).read_bytes() == (shared / name).read_bytes()


def test_version_flag():
    result = CliRunner().invoke(app, ["--version"])
    assert re.fullmatch(r"\d+\.\d+\.\d+\s*", result.output)
