"""`toolkit evaluate` end to end: built-in extractors, predictions files, metadata, errors."""

import json

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from toolkit.cli import app
from toolkit.gold import import_exports

runner = CliRunner()
GOLD = ROOT / "gold" / "export.json"


@pytest.fixture(scope="module")
def gold_records(schema):
    return import_exports([GOLD], schema).records


def _write_predictions(path, records, drop_text=True):
    with path.open("w", encoding="utf-8") as handle:
        for r in records:
            row = {k: r[k] for k in ("doc_id", "actors", "claims", "doc_stances")}
            if drop_text:
                row["actors"] = [{k: v for k, v in a.items() if k != "text"} for a in row["actors"]]
            handle.write(json.dumps(row) + "\n")
    return path


def test_default_run_scores_every_runnable_extractor(tmp_path):
    out = tmp_path / "scores.json"
    result = runner.invoke(
        app, ["evaluate", "--json", str(out), "--markdown", str(tmp_path / "scores.md"), "--n-boot", "200"]
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(out.read_text())
    assert set(scores["systems"]) == {"rules", "embeddings"}
    meta = scores["meta"]
    assert meta["schema"]["version"] == "1.0.0" and len(meta["gold"]["fingerprint"]) == 16
    assert {s["name"] for s in meta["systems"]} == {"rules", "embeddings"}
    assert meta["bootstrap"] == {"n_boot": 200, "seed": 0, "level": 0.95, "unit": "document"}
    for system in scores["systems"].values():
        for metric, block in system["headline"].items():
            lo, hi = block["ci"]
            if block["value"] is not None and lo is not None:
                assert lo - 1e-9 <= block["value"] <= hi + 1e-9, metric
    assert "Actors F1 (strict)" in result.output
    assert "| Actors F1 (strict) |" in (tmp_path / "scores.md").read_text()


def test_perfect_predictions_score_one(tmp_path, gold_records):
    preds = _write_predictions(tmp_path / "perfect.jsonl", gold_records)
    out = tmp_path / "s.json"
    result = runner.invoke(app, ["evaluate", "-p", str(preds), "--json", str(out), "--n-boot", "100"])
    assert result.exit_code == 0, result.output
    headline = json.loads(out.read_text())["systems"]["perfect.jsonl"]["headline"]
    for metric in ("actors_strict_f1", "claims_end_to_end_stance_f1", "doc_stance_accuracy", "claims_speaker_accuracy"):
        assert headline[metric]["value"] == 1.0 and headline[metric]["ci"] == [1.0, 1.0], metric


def test_compare_gives_p_values(tmp_path, gold_records):
    perfect = _write_predictions(tmp_path / "perfect.jsonl", gold_records)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("".join(json.dumps({"doc_id": r["doc_id"]}) + "\n" for r in gold_records))
    out = tmp_path / "s.json"
    result = runner.invoke(
        app,
        [
            "evaluate",
            "-p",
            str(perfect),
            "-p",
            str(empty),
            "--compare",
            "perfect.jsonl",
            "empty.jsonl",
            "--json",
            str(out),
            "--n-boot",
            "200",
        ],
    )
    assert result.exit_code == 0, result.output
    comparisons = json.loads(out.read_text())["comparisons"]
    actors = next(c for c in comparisons if c["metric"] == "actors_strict_f1")
    assert actors["a_value"] == 1.0 and actors["b_value"] == 0.0
    assert actors["p_randomization"] < 0.1 and actors["p_paired_bootstrap"] < 0.1


def test_unknown_extractor_lists_the_available_ones():
    result = runner.invoke(app, ["evaluate", "-e", "nope"])
    assert result.exit_code == 1
    assert "unknown extractor 'nope'" in result.output and "rules" in result.output and "embeddings" in result.output


def test_module_attribute_reference(tmp_path):
    out = tmp_path / "s.json"
    result = runner.invoke(
        app, ["evaluate", "-e", "toolkit.extractors.rules:RulesExtractor", "--json", str(out), "--n-boot", "100"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["meta"]["systems"][0]["name"] == "rules"


def test_confidence_intervals_are_identical_to_the_per_metric_bootstrap_of_3714b52(tmp_path):
    """The shared-resample bootstrap gives exactly the intervals the per-metric one gave."""
    recorded = json.loads((ROOT / "tests" / "data" / "evaluate_headline_3714b52.json").read_text())["headline"]
    out = tmp_path / "scores.json"
    result = runner.invoke(
        app,
        [
            "evaluate",
            "-p",
            str(ROOT / "tests" / "data" / "predictions_perturbed.jsonl"),
            "--n-boot",
            "500",
            "--seed",
            "3",
            "--json",
            str(out),
            "--gold",
            str(ROOT / "gold" / "export.json"),
            "--schema",
            str(ROOT / "schemas" / "schema.yaml"),
        ],
    )
    assert result.exit_code == 0, result.output
    headline = json.loads(out.read_text())["systems"]["predictions_perturbed.jsonl"]["headline"]
    assert headline == recorded


class _Crashes:
    name, version = "crashes", "0"

    def extract(self, docs):
        if any("Lavrov" in d.text for d in docs):
            raise KeyError("boom")
        return [{"doc_id": d.doc_id, "actors": [], "claims": [], "doc_stances": {}} for d in docs]


CRASHES = _Crashes()


def test_an_extractor_that_crashes_is_one_line_naming_the_document():
    result = runner.invoke(app, ["evaluate", "-e", "test_evaluate:CRASHES", "--n-boot", "100"])
    assert result.exit_code == 1
    assert "extractor 'crashes' failed on document '000_" in result.stderr and "KeyError" in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.output


def test_evaluate_and_report_read_the_same_options(tmp_path):
    """One definition of the evaluation options serves both commands; report runs with them."""
    from typer.main import get_command

    commands = get_command(app).commands

    def options(name):
        return {p.name: (p.opts, p.help, p.default) for p in commands[name].params}

    evaluate, report = options("evaluate"), options("report")
    shared = {"gold", "extractor", "predictions", "model_versions", "model_version", "match", "threshold"}
    shared |= {"n_boot", "seed", "compare", "schema", "strict"}
    assert {n: evaluate[n] for n in shared} == {n: report[n] for n in shared}
    assert set(evaluate) - shared == {"json_out", "markdown_out"} and set(report) - shared == {"output", "json_out"}
    page, scores = tmp_path / "r.html", tmp_path / "r.json"
    predictions = str(ROOT / "tests" / "data" / "predictions_perturbed.jsonl")
    args = ["-p", predictions, "--n-boot", "100", "--seed", "2", "--match", "exact", "--json", str(scores)]
    result = runner.invoke(app, ["report", "-o", str(page), *args])
    assert result.exit_code == 0, result.output
    assert json.loads(scores.read_text())["meta"]["match_rule"]["kind"] == "exact" and page.stat().st_size > 0


def _fewer(path, out):
    """Every other actor and claim of each line (speakers dropped with their actor), and no
    document stances on every other line: a clearly worse second system."""
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    with out.open("w") as handle:
        for i, r in enumerate(rows):
            kept = {a["id"] for a in r["actors"][::2]}
            claims = [c if c.get("speaker") in kept else dict(c, speaker=None) for c in r["claims"][::2]]
            handle.write(
                json.dumps(
                    dict(r, actors=r["actors"][::2], claims=claims, doc_stances=r["doc_stances"] if i % 2 else {})
                )
                + "\n"
            )
    return out


def test_shared_draws_give_the_intervals_and_p_values_of_one_draw_per_table_and_test(tmp_path):
    """Resamples drawn once for every table of both systems (and reused by the paired bootstrap)
    give exactly the CIs and p-values recorded when each table and test drew its own."""
    recorded = json.loads((ROOT / "tests" / "data" / "evaluate_compare_4cacb11.json").read_text())
    perturbed = ROOT / "tests" / "data" / "predictions_perturbed.jsonl"
    half = _fewer(perturbed, tmp_path / "half.jsonl")
    out = tmp_path / "scores.json"
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--gold",
            str(GOLD),
            "--schema",
            str(ROOT / "schemas" / "schema.yaml"),
            "-p",
            str(perturbed),
            "-p",
            str(half),
            "--compare",
            "predictions_perturbed.jsonl",
            "half.jsonl",
            "--n-boot",
            "500",
            "--seed",
            "3",
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(out.read_text())
    assert {name: s["headline"] for name, s in scores["systems"].items()} == recorded["headline"]
    assert scores["comparisons"] == recorded["comparisons"]
