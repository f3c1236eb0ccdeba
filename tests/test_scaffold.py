"""`toolkit init`: the project folder it writes, and the guidelines drafted from a schema."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from conftest import ROOT, SEEDS
from toolkit.cli import app
from toolkit.errors import ProjectError
from toolkit.project import current_project
from toolkit.scaffold import create_project, guidelines_markdown
from toolkit.schema import load_schema

runner = CliRunner()
WINDFARM = ROOT / "tests" / "projects" / "windfarm"


def test_init_never_overwrites(tmp_path):
    create_project(tmp_path / "p")
    (tmp_path / "p" / "schema.yaml").write_text("mine")
    with pytest.raises(ProjectError, match="exists already"):
        create_project(tmp_path / "p")
    assert (tmp_path / "p" / "schema.yaml").read_text() == "mine"
    result = runner.invoke(app, ["init", str(tmp_path / "p")])
    assert result.exit_code == 1 and result.stderr.strip().count("\n") == 0


def test_init_example_is_the_bundled_project(tmp_path, monkeypatch):
    create_project(tmp_path / "ex", example=True)
    assert sorted(p.name for p in (tmp_path / "ex" / "articles").iterdir()) == sorted(
        p.name for p in SEEDS.glob("*.txt")
    )
    monkeypatch.chdir(tmp_path / "ex")
    proj = current_project()
    assert proj.gold == ((tmp_path / "ex" / "annotations" / "example-gold.json").resolve(),)
    assert proj.pull != proj.gold[0]  # a pull never overwrites the example gold
    assert load_schema(proj.schema).fingerprint == load_schema().fingerprint


def test_guidelines_are_drafted_from_the_schema():
    schema = load_schema(WINDFARM / "schema.yaml")
    text = guidelines_markdown(schema)
    for label in [*schema.actor_types, *schema.targets, *schema.stance_labels, schema.claim_label]:
        assert f"`{label}`" in text
    assert schema.speaker_relation in text
