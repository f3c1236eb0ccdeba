"""Model versions in Label Studio as systems: predictions pulled with the export and scored.

The live test drives a real Label Studio (the `studio` fixture): seeds pushed, two model
versions of predictions (the `rules` extractor and the second reading pass as "reader-2"),
the adjudicated gold entered as ground truth, the project pulled, then `toolkit evaluate
--model-versions` on the export. The unit tests read a hand-made export.
"""

import gc
import json
import warnings

import pytest
from typer.testing import CliRunner

from conftest import ROOT, SEEDS
from toolkit.cli import app
from toolkit.errors import ExtractorError
from toolkit.evaluate import run_evaluation
from toolkit.extractors import get_extractor
from toolkit.gold import record_to_results
from toolkit.gold_sources import load_gold
from toolkit.model_versions import systems_from_exports, systems_from_gold
from toolkit.schema import labeling_config
from toolkit.studio import (
    connect,
    ensure_project,
    project_tasks,
    push_predictions,
    push_tasks,
    task_predictions,
    write_predictions,
)
from toolkit.tasks import build_tasks

runner = CliRunner()
TITLE = "model versions"
GOLD = ROOT / "gold"
N_BOOT = "200"


def _pass2() -> dict[str, dict]:
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((GOLD / "pass2").glob("*.json"))]
    return {r["doc_id"]: r for r in records}


def _versions_per_task(client, project_id) -> dict[int, list[str]]:
    tasks = [t.id for t in project_tasks(client, project_id)]
    found = task_predictions(client, project_id, tasks)
    return {task: sorted(p["model_version"] for p in predictions) for task, predictions in found.items()}


def _reader2(client, project_id, schema) -> list[tuple[int, list[dict]]]:
    records = _pass2()
    return [
        (t.id, record_to_results({**records[t.data["doc_id"]], "text": t.data["text"]}, schema))
        for t in project_tasks(client, project_id)
    ]


@pytest.fixture(scope="module")
def pulled(studio, schema, tmp_path_factory):
    """The project after predict (twice), reader-2 predictions, ground-truth annotations, pull."""
    client = connect(studio.url, studio.token)
    env = {"LABEL_STUDIO_URL": studio.url, "LABEL_STUDIO_API_KEY": studio.token}
    project_id, _ = ensure_project(client, TITLE, labeling_config(schema))
    push_tasks(client, project_id, build_tasks(SEEDS))
    rules = get_extractor("rules", schema=schema)
    assert push_predictions(client, project_id, rules, schema, labeling_config(schema)) == 5
    first = task_predictions(client, project_id, [t.id for t in project_tasks(client, project_id)])

    done = write_predictions(client, project_id, _reader2(client, project_id, schema), "reader-2")
    assert (done.created, done.updated, done.removed) == (5, 0, 0)
    # a duplicate of one version on one task (as `predict` used to leave): the next write removes it
    task_id, result = _reader2(client, project_id, schema)[0]
    client.predictions.create(task=task_id, result=result, model_version="reader-2")
    again = write_predictions(client, project_id, _reader2(client, project_id, schema), "reader-2")
    assert (again.created, again.updated, again.removed) == (0, 5, 1)

    second = runner.invoke(app, ["studio", "predict", "-e", "rules", "--title", TITLE], env=env)
    assert second.exit_code == 0, second.output
    version = f"{rules.name} {rules.version}"
    assert f"model version '{version}': created 0 prediction(s), replaced 5" in second.output
    after = task_predictions(client, project_id, [t.id for t in project_tasks(client, project_id)])
    kept = {task: [p["id"] for p in found if p["model_version"] == version] for task, found in after.items()}
    assert kept == {task: [p["id"] for p in found] for task, found in first.items()}  # updated in place

    annotated = runner.invoke(
        app,
        [
            "studio",
            "annotate",
            *map(str, sorted((GOLD / "adjudicated").glob("*.json"))),
            "--ground-truth",
            "--title",
            TITLE,
        ],
        env=env,
    )
    assert annotated.exit_code == 0, annotated.output
    out = tmp_path_factory.mktemp("model-versions") / "export.json"
    pull = runner.invoke(app, ["studio", "pull", "--title", TITLE, "-o", str(out)], env=env)
    assert pull.exit_code == 0, pull.output
    return {"client": client, "project": project_id, "export": out, "rules": version}


def test_predict_twice_leaves_one_prediction_per_task_and_version(pulled):
    per_task = _versions_per_task(pulled["client"], pulled["project"])
    assert len(per_task) == 5
    assert all(versions == sorted([pulled["rules"], "reader-2"]) for versions in per_task.values())


def test_the_pull_holds_every_prediction_in_full(pulled):
    tasks = json.loads(pulled["export"].read_text(encoding="utf-8"))
    assert len(tasks) == 5
    for task in tasks:
        predictions = task["predictions"]
        # not task["total_predictions"]: Label Studio's counter lags now and then (seen 0 here)
        assert len(predictions) == 2
        assert sorted(p["model_version"] for p in predictions) == sorted([pulled["rules"], "reader-2"])
        for prediction in predictions:
            assert prediction["task"] == task["id"] and isinstance(prediction["id"], int)
            assert {"result", "created_at", "updated_at", "score", "project"} <= set(prediction)
            assert any(r["type"] == "labels" for r in prediction["result"])


def _collect_sockets() -> None:
    """Close the SDK clients' dropped sockets now, not as a warning inside a later CLI command."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def _evaluate(*args) -> dict:
    _collect_sockets()
    result = runner.invoke(app, ["evaluate", *args, "--n-boot", N_BOOT])
    assert result.exit_code == 0, result.output
    return result


def test_evaluate_scores_every_model_version_with_cis_and_compare(pulled, tmp_path):
    rules, export = "ls:" + pulled["rules"], str(pulled["export"])
    out = tmp_path / "scores.json"
    _evaluate("--gold", export, "--model-versions", "--compare", rules, "ls:reader-2", "--json", str(out))
    scores = json.loads(out.read_text())
    assert sorted(scores["systems"]) == sorted([rules, "ls:reader-2"])  # no built-in extractor added
    for name, system in scores["systems"].items():
        assert system["extractor"] == {"name": name, "version": name[3:], "source": "export.json"}
        assert system["skipped"] == {"problems": 0}
        for metric in ("actors_strict_f1", "claims_end_to_end_f1", "doc_stance_f_avg"):
            low, high = system["headline"][metric]["ci"]
            assert low <= system["headline"][metric]["value"] <= high
    assert scores["systems"]["ls:reader-2"]["headline"]["actors_strict_f1"]["value"] > 0.5
    assert len(scores["comparisons"]) == 3
    for row in scores["comparisons"]:
        assert (row["a"], row["b"]) == (rules, "ls:reader-2")
        assert 0 <= row["p_paired_bootstrap"] <= 1 and 0 <= row["p_randomization"] <= 1

    # the same records as a predictions file and the same extractor run locally score the same
    lines = tmp_path / "pass2.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in _pass2().values()), encoding="utf-8")
    other = tmp_path / "other.json"
    _evaluate("--gold", export, "-p", str(lines), "-e", "rules", "--json", str(other))
    direct = json.loads(other.read_text())["systems"]
    for name, same in (("ls:reader-2", "pass2.jsonl"), (rules, "rules")):
        for part in ("headline", "actors", "claims", "claims_exact", "doc_stance"):
            assert scores["systems"][name][part] == direct[same][part], (name, part)


def test_model_version_picks_one_and_an_unknown_one_is_one_line(pulled, tmp_path):
    out = tmp_path / "one.json"
    _evaluate("--gold", str(pulled["export"]), "--model-version", "reader-2", "--json", str(out))
    assert list(json.loads(out.read_text())["systems"]) == ["ls:reader-2"]
    _collect_sockets()
    wrong = runner.invoke(app, ["evaluate", "--gold", str(pulled["export"]), "--model-version", "ls:nope"])
    assert wrong.exit_code == 1
    assert "ls:nope" in wrong.stderr and "ls:reader-2" in wrong.stderr and wrong.stderr.strip().count("\n") == 0


# --- a hand-made export ----------------------------------------------------------------------


def _prediction(pid, version, result, created="2025-01-01T00:00:00Z", updated=None):
    return {
        "id": pid,
        "model_version": version,
        "result": result,
        "score": None,
        "created_at": created,
        "updated_at": updated or created,
    }


@pytest.fixture
def hand_made(schema, tmp_path):
    """The bundled gold export with predictions of model version 'm1': a perfect one (task 0),
    none (task 1), a malformed result (task 2), one with a bad region (task 3), two (task 4:
    an older wrong one and a newer perfect one), plus a prediction given by id only."""
    tasks = json.loads((GOLD / "export.json").read_text(encoding="utf-8"))
    gold = {r["doc_id"]: r for r in load_gold([GOLD / "export.json"], None, ROOT / "schemas" / "schema.yaml").records}
    perfect = [record_to_results(gold[t["data"]["doc_id"]], schema) for t in tasks]
    bad_region = json.loads(json.dumps(perfect[3]))
    speakers = {r["to_id"] for r in bad_region if r["type"] == "relation"}
    first_span = next(r for r in bad_region if r["from_name"] == "actor" and r["id"] not in speakers)
    first_span["value"]["end"] = 10**9
    tasks[0]["predictions"] = [_prediction(1, "m1", perfect[0])]
    tasks[1]["predictions"] = [7]
    tasks[2]["predictions"] = [_prediction(2, "m1", "oops")]
    tasks[3]["predictions"] = [_prediction(3, "m1", bad_region), _prediction(4, "m2", [])]
    tasks[4]["predictions"] = [
        _prediction(6, "m1", perfect[4], created="2025-03-01T00:00:00Z"),
        _prediction(5, "m1", [], created="2025-02-01T00:00:00Z"),
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path, [gold[d] for d in sorted(gold)], tasks


def test_a_hand_made_export_missing_and_malformed_predictions(schema, hand_made):
    path, gold, tasks = hand_made
    m1, m2 = systems_from_exports([path], schema, gold)
    assert (m1.name, m1.version, m1.source, m2.name) == ("ls:m1", "m1", "export.json", "ls:m2")
    assert m1.skipped == {
        "predictions_unreadable": 1,
        "regions_skipped": 1,
        "predictions_skipped": 1,
        "duplicate_predictions": 1,
        "documents_without_prediction": 1,
        "problems": 5,
    }
    problems = [str(p) for p in m1.problems]
    assert any("by id only" in p for p in problems)
    assert any(p.startswith("export.json prediction 2: task") and "not a list" in p for p in problems)
    assert any(p.startswith("export.json prediction 3: task") and "outside the text" in p for p in problems)
    assert any("2 predictions of model version 'm1'" in p and "5 left out" in p for p in problems)
    assert any("1 gold document(s) have no prediction of model version 'm1'" in p for p in problems)
    by_doc = {r["doc_id"]: r for r in m1.records}
    truth = {r["doc_id"]: r for r in gold}
    keys = ("actors", "claims", "doc_stances")
    assert [r["doc_id"] for r in m1.records] == [r["doc_id"] for r in gold]
    for i in (1, 2):  # no prediction, unreadable result: scored as empty
        record = by_doc[tasks[i]["data"]["doc_id"]]
        assert (record["actors"], record["claims"], record["doc_stances"]) == ([], [], {})
    for i in (0, 4):  # the perfect ones (the newer of task 4's two)
        doc = tasks[i]["data"]["doc_id"]
        assert [by_doc[doc][k] for k in keys] == [truth[doc][k] for k in keys]
    doc = tasks[3]["data"]["doc_id"]  # one actor span left out, the rest kept
    assert len(by_doc[doc]["actors"]) == len(truth[doc]["actors"]) - 1
    assert by_doc[doc]["claims"] == truth[doc]["claims"]
    assert m2.skipped["documents_without_prediction"] == 4

    run = run_evaluation([path], None, ROOT / "schemas" / "schema.yaml", [], [], n_boot=100, model_versions=[])
    assert sorted(run.result["systems"]) == ["ls:m1", "ls:m2"]
    assert run.result["systems"]["ls:m1"]["skipped"]["documents_without_prediction"] == 1
    with pytest.raises(ExtractorError, match="--strict"):
        systems_from_exports([path], schema, gold, strict=True)


def test_an_export_with_predictions_by_id_only_says_to_pull_with_the_toolkit(schema, tmp_path):
    tasks = json.loads((GOLD / "export.json").read_text(encoding="utf-8"))
    for task in tasks:
        task["predictions"] = [task["id"]]
    path = tmp_path / "ls-export.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    gold = load_gold([path], None, ROOT / "schemas" / "schema.yaml").records
    with pytest.raises(ExtractorError, match=r"by id only.*toolkit studio pull"):
        systems_from_exports([path], schema, gold)
    records = tmp_path / "gold.jsonl"  # records JSONL hold no predictions
    with pytest.raises(ExtractorError, match="this gold has no export"):
        systems_from_gold([records, tmp_path], schema, gold)
