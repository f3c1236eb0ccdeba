"""The whole flow as a new user runs it: the wheel in a fresh virtualenv, an empty folder, the
second test project (wind farm dispute, another schema), a live Label Studio.

The package is built as a wheel (not editable), installed with its dependencies into a new
virtualenv, and every command is the venv's ``toolkit`` run as a subprocess from a folder that
holds nothing of the checkout. Label Studio is the real server of the ``studio`` fixture.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from toolkit.schema import load_schema

WINDFARM = ROOT / "tests" / "projects" / "windfarm"


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh virtualenv with the toolkit's wheel (and its dependencies) installed."""
    base = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(base / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = (base / "dist").glob("stance_toolkit-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True)
    pip = subprocess.run(
        [str(base / "venv" / "bin" / "pip"), "install", "-q", str(wheel)], check=False, capture_output=True, text=True
    )
    assert pip.returncode == 0, pip.stderr[-2000:]
    return base / "venv"


def _site_files(venv: Path) -> dict[str, float]:
    package = next((venv / "lib").glob("python3*/site-packages/toolkit"))
    return {str(p): p.stat().st_mtime for p in package.rglob("*") if "__pycache__" not in p.parts}


class Runner:
    """Runs the venv's ``toolkit`` in a working folder; every call must succeed unless told."""

    def __init__(self, venv: Path, env: dict[str, str]):
        self.exe = str(venv / "bin" / "toolkit")
        self.env = env

    def __call__(self, *args: str, cwd: Path, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [self.exe, *args], check=False, cwd=cwd, env=self.env, capture_output=True, text=True, timeout=600
        )
        assert "Traceback" not in done.stderr, done.stderr
        if ok:
            assert done.returncode == 0, f"toolkit {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done


@pytest.fixture(scope="module")
def toolkit(venv, tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO", "VIRTUAL_ENV", "PYTHON"))}
    env.update(HF_HUB_OFFLINE="1", PATH=f"{venv / 'bin'}:{env.get('PATH', '')}")
    return Runner(venv, env)


def test_main_job_from_an_empty_folder(toolkit, venv, tmp_path):
    before = _site_files(venv)
    done = toolkit("evaluate", "--n-boot", "200", cwd=tmp_path)
    assert "bundled example project" in done.stdout and "Actors F1 (strict)" in done.stdout
    assert list(tmp_path.iterdir()) == []
    assert _site_files(venv) == before  # nothing written into the installed package


def test_the_whole_flow_on_another_schema(toolkit, venv, studio, tmp_path):
    before = _site_files(venv)
    toolkit.env.update(LABEL_STUDIO_URL=studio.url, LABEL_STUDIO_API_KEY=studio.token)
    toolkit("init", "wf", "--title", "wind farm (wheel flow)", cwd=tmp_path)
    project = tmp_path / "wf"
    for name in ("schema.yaml", "GUIDELINES.md"):
        shutil.copyfile(WINDFARM / name, project / name)
    for article in (WINDFARM / "articles").glob("*.txt"):
        shutil.copyfile(article, project / "articles" / article.name)
    work = project / "articles"  # commands find toolkit.yaml from a subfolder too

    toolkit("schema", "config", cwd=work)
    assert 'value="CIVIC_GROUP"' in (project / "labeling_config.xml").read_text()
    toolkit("export", cwd=work)
    assert len(json.loads((project / "build" / "tasks.json").read_text())) == 5

    assert "created" in toolkit("studio", "setup", cwd=work).stdout
    assert "5 imported, 0 already present" in toolkit("studio", "push", cwd=work).stdout
    assert "0 imported, 5 already present" in toolkit("studio", "push", cwd=work).stdout
    toolkit(
        "studio",
        "annotate",
        *map(str, sorted((WINDFARM / "gold").glob("*.json"))),
        "--as",
        "reader1@example.com",
        cwd=work,
    )
    toolkit(
        "studio",
        "annotate",
        *map(str, sorted((WINDFARM / "pass2").glob("*.json"))),
        "--as",
        "reader2@example.com",
        cwd=work,
    )
    toolkit("studio", "pull", cwd=work)
    export = json.loads((project / "annotations" / "export.json").read_text())
    assert len(export) == 5 and all(len(task["annotations"]) == 2 for task in export)

    built = toolkit("dataset", "build", cwd=work).stdout
    assert "5 documents, 60 claims" in built and "windfarm-dispute" in built
    assert (project / "build" / "dataset" / "schema.yaml").exists()
    toolkit("publish", "--to", str(project / "build" / "hub"), cwd=work)
    card = (project / "build" / "hub" / "README.md").read_text()
    assert "CIVIC_GROUP" in card and "gaza" not in card.lower()

    predictions = project / "reader2.jsonl"
    predictions.write_text(
        "".join(path.read_text().replace("\n", " ") + "\n" for path in sorted((WINDFARM / "pass2").glob("*.json")))
    )
    toolkit("evaluate", "-e", "rules", "-p", str(predictions), "--n-boot", "200", "--json", "scores.json", cwd=project)
    scores = json.loads((project / "scores.json").read_text())
    assert scores["meta"]["schema"]["name"] == "windfarm-dispute"
    rules, reader2 = scores["systems"]["rules"], scores["systems"]["reader2.jsonl"]
    assert rules["headline"]["actors_partial_f1"]["value"] > 0.2  # non-trivial output on an unseen schema
    assert rules["headline"]["claims_span_f1"]["value"] > 0.2
    assert set(rules["actors"]["labels"]) == {"PERSON", "AUTHORITY", "COMPANY", "CIVIC_GROUP"}
    assert reader2["headline"]["actors_strict_f1"]["value"] > 0.5

    toolkit("report", "-e", "rules", "--n-boot", "200", cwd=work)
    assert "windfarm-dispute" in (project / "build" / "report.html").read_text()
    toolkit("agreement", "--json", "agreement.json", cwd=project)
    agreement = json.loads((project / "agreement.json").read_text())
    assert agreement["documents"] == 5 and len(agreement["annotators"]) == 2
    assert set(agreement["doc_stance"]["per_target"]) == set(load_schema(WINDFARM / "schema.yaml").targets)

    # gold from the dataset and the Hub folder carries its schema; a wrong --schema is one line
    toolkit("evaluate", "--gold", "build/dataset", "-p", str(predictions), "--n-boot", "100", cwd=project)
    toolkit("evaluate", "--gold", "build/hub", "-p", str(predictions), "--n-boot", "100", cwd=project)
    wrong = toolkit(
        "evaluate",
        "--gold",
        "build/dataset",
        "--schema",
        str(ROOT / "schemas" / "schema.yaml"),
        "-e",
        "rules",
        cwd=project,
        ok=False,
    )
    assert wrong.returncode == 1 and wrong.stderr.strip().count("\n") == 0
    assert "windfarm-dispute" in wrong.stderr and "gaza-diplomacy-stance" in wrong.stderr
    assert studio.token not in json.dumps(scores) + built + card
    assert _site_files(venv) == before
