"""The project file, `toolkit init`, the bundled example as package data, schema with the data."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from typer.testing import CliRunner

from conftest import ROOT, SEEDS
from toolkit.cli import app
from toolkit.errors import ProjectError
from toolkit.project import PROJECT_FILE, bundled_example, current_project, example_dir, load_project
from toolkit.scaffold import create_project

runner = CliRunner()
WINDFARM = ROOT / "tests" / "projects" / "windfarm"

# Packaged copy -> source of truth at the top level of the repository.
PACKAGED = {
    "schema.yaml": ROOT / "schemas" / "schema.yaml",
    "GUIDELINES.md": ROOT / "schemas" / "GUIDELINES.md",
    "labeling_config.xml": ROOT / "schemas" / "labeling_config.xml",
    "gold/export.json": ROOT / "gold" / "export.json",
    "gold/README.md": ROOT / "gold" / "README.md",
    **{f"seeds/{p.name}": p for p in SEEDS.glob("*.txt")},
}


@pytest.mark.parametrize("name", sorted(PACKAGED))
def test_packaged_example_equals_the_source_of_truth(name):
    packaged = example_dir() / name
    assert packaged.read_bytes() == PACKAGED[name].read_bytes(), (
        f"toolkit/example/{name} differs from {PACKAGED[name].relative_to(ROOT)}: copy it over"
    )


def test_packaged_example_has_nothing_else():
    files = {p.relative_to(example_dir()).as_posix() for p in example_dir().rglob("*") if p.is_file()}
    assert files == set(PACKAGED)


def test_without_a_project_file_the_bundled_example_is_used_and_said(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    proj = current_project()
    assert proj.is_example and proj.schema == example_dir() / "schema.yaml"
    assert proj.dataset == tmp_path.resolve() / "build" / "dataset"  # outputs go here, never into the package
    result = runner.invoke(app, ["schema", "config"])
    assert result.exit_code == 0, result.output
    assert "bundled example project" in result.stdout and "<View>" in result.stdout
    assert list(tmp_path.iterdir()) == []  # printed, not written
    pulled = runner.invoke(app, ["studio", "pull", "--url", "http://127.0.0.1:9", "--token", "x"])
    assert pulled.exit_code == 1 and "needs -o" in pulled.stderr


def test_init_creates_a_project_that_every_command_finds_from_below(tmp_path, monkeypatch):
    result = runner.invoke(app, ["init", str(tmp_path / "team"), "--title", "Our project", "--url", "http://ls:8080"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "team"
    assert {p.name for p in root.iterdir()} >= {
        PROJECT_FILE,
        "schema.yaml",
        "GUIDELINES.md",
        "labeling_config.xml",
        "README.md",
        "articles",
        "annotations",
    }
    raw = yaml.safe_load((root / PROJECT_FILE).read_text())
    assert raw["studio"] == {"title": "Our project", "url": "http://ls:8080"}
    assert "token" not in raw and "token" not in raw["studio"]
    (root / "articles" / "deep").mkdir()
    monkeypatch.chdir(root / "articles" / "deep")
    proj = current_project()
    assert proj.file == (root / PROJECT_FILE).resolve() and proj.studio_title == "Our project"
    assert proj.schema == (root / "schema.yaml").resolve()
    check = runner.invoke(app, ["schema", "config", "--check"])
    assert check.exit_code == 0 and "up to date" in check.output and "bundled" not in check.output
    assert "<View>" in (root / "labeling_config.xml").read_text()


def test_flags_override_the_project_file(tmp_path, monkeypatch):
    create_project(tmp_path / "p")
    shutil.copytree(SEEDS, tmp_path / "p" / "articles", dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path / "p")
    default = runner.invoke(app, ["export"])
    assert default.exit_code == 0, default.output
    assert len(json.loads((tmp_path / "p" / "build" / "tasks.json").read_text())) == 5
    other = runner.invoke(app, ["export", str(SEEDS), "-o", str(tmp_path / "elsewhere.json")])
    assert other.exit_code == 0 and (tmp_path / "elsewhere.json").exists()


def test_bad_project_file_is_one_line(tmp_path, monkeypatch):
    (tmp_path / PROJECT_FILE).write_text("schema: [1, 2]\n")
    with pytest.raises(ProjectError, match="'schema'"):
        load_project(tmp_path / PROJECT_FILE)
    (tmp_path / PROJECT_FILE).write_text("token: abc\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["export"])
    assert result.exit_code == 1 and "unknown key 'token'" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_bundled_example_reads_from_the_package():
    proj = bundled_example()
    assert proj.schema.is_file() and proj.gold[0].is_file() and len(list(proj.sources.glob("*.txt"))) == 5
    assert proj.labeling_config is None and proj.pull is None
