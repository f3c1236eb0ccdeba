"""Label Studio export -> records: round trips, validation and the annotation policy."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import GoldError
from toolkit.gold import import_exports, record_to_results, validate_record

runner = CliRunner()

# Letters from several planes: ASCII, accents, combining marks, CJK, emoji (outside the BMP).
ALPHABET = st.sampled_from(list("abc XYZ\n\t.,’“”é") + ["\u0301", "\u0308", "漢", "😀", "🇷", "🇺", "𝔸", "\u200d"])


@st.composite
def annotated_documents(draw, schema):
    text = draw(st.text(ALPHABET, min_size=1, max_size=60))
    n = len(text)

    def span():
        start = draw(st.integers(0, n - 1))
        return start, draw(st.integers(start + 1, n))

    actors = []
    for i in range(draw(st.integers(0, 4))):
        start, end = span()
        actors.append({"id": f"a{i}", "start": start, "end": end, "text": text[start:end],
                       "label": draw(st.sampled_from(list(schema.actor_types)))})
    claims = []
    for i in range(draw(st.integers(0, 3)) if actors else 0):
        start, end = span()
        claims.append({"id": f"c{i}", "start": start, "end": end, "text": text[start:end],
                       "speaker": draw(st.sampled_from([a["id"] for a in actors])),
                       "target": draw(st.sampled_from(schema.claim_targets)),
                       "stance": draw(st.sampled_from(list(schema.stance_labels)))})
    stances = {t: draw(st.sampled_from(list(schema.stance_labels))) for t in schema.targets}
    return {"doc_id": "d", "text": text, "actors": actors, "claims": claims, "doc_stances": stances}


def _export(tmp_path, tasks, name="export.json"):
    path = tmp_path / name
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


def _task(record, schema, task_id=1, **annotation):
    return {"id": task_id, "data": {"text": record["text"], "doc_id": record["doc_id"]},
            "annotations": [{"id": task_id * 10, "completed_by": 1, "result": record_to_results(record, schema), **annotation}]}


def _key(spans):
    return sorted((s["start"], s["end"], s["text"], s.get("label"), s.get("target"), s.get("stance")) for s in spans)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_round_trip_keeps_spans_labels_links_and_stances(tmp_path_factory, schema, data):
    record = data.draw(annotated_documents(schema))
    tmp_path = tmp_path_factory.mktemp("rt")
    imported = import_exports([_export(tmp_path, [_task(record, schema)])], schema)
    assert imported.problems == []
    [got] = imported.records
    assert _key(got["actors"]) == _key(record["actors"])
    assert _key(got["claims"]) == _key(record["claims"])
    speakers = lambda r: sorted((c["id"], c["speaker"]) for c in r["claims"])  # noqa: E731
    assert speakers(got) == speakers(record)
    assert got["doc_stances"] == record["doc_stances"]
    for span in got["actors"] + got["claims"]:
        assert record["text"][span["start"] : span["end"]] == span["text"]


@pytest.fixture
def record():
    text = "Lavrov said the ceasefire must hold.\nHamas  was   silent."
    return {
        "doc_id": "doc1", "text": text,
        "actors": [{"id": "a1", "start": 0, "end": 6, "text": "Lavrov", "label": "PERSON"},
                   {"id": "a2", "start": 37, "end": 42, "text": "Hamas", "label": "GROUP"}],
        "claims": [{"id": "c1", "start": 12, "end": 35, "text": text[12:35], "speaker": "a1",
                    "target": "gaza_ceasefire", "stance": "favor"}],
        "doc_stances": {"gaza_ceasefire": "favor", "humanitarian_access": "none", "israel_military_operation": "none",
                        "hamas": "none", "palestinian_state": "none", "russia_mediation": "none"},
    }


def _corrupt(record, schema, change):
    task = _task(record, schema)
    change(task["annotations"][0]["result"])
    return task


def _find(result, rid, name=None):
    return next(r for r in result if r.get("id") == rid and (name is None or r["from_name"] == name))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda res: _find(res, "a1")["value"].update(end=999), "task 1 region a1: offsets [0, 999) are outside the text"),
        (lambda res: _find(res, "a1")["value"].update(text="Putin"), "task 1 region a1: region text 'Putin' differs"),
        (lambda res: _find(res, "a2")["value"].update(labels=["TERRORIST"]), "task 1 region a2: label ['TERRORIST'] is not one actor label"),
        (lambda res: res.remove(_find(res, "a1")), "relation endpoint is missing"),
        (lambda res: res.remove(next(r for r in res if r["type"] == "relation")), "task 1 region c1: claim has no speaker relation"),
        (lambda res: _find(res, "c1", "claim_stance")["value"].update(choices=["angry"]), "claim_stance 'angry' is not in schema"),
        (lambda res: res.remove(_find(res, "c1", "claim_target")), "task 1 region c1: claim has no target"),
    ],
)
def test_each_problem_is_named_and_counted(tmp_path, schema, record, change, message):
    path = _export(tmp_path, [_corrupt(record, schema, change)])
    imported = import_exports([path], schema)
    assert any(message in str(p) for p in imported.problems), [str(p) for p in imported.problems]
    assert imported.counts["problems"] == len(imported.problems) >= 1
    assert all(str(p).startswith("export.json: task 1") for p in imported.problems)
    with pytest.raises(GoldError, match="--strict"):
        import_exports([path], schema, strict=True)
    result = runner.invoke(app, ["dataset", "build", str(path), "--strict", "-o", str(tmp_path / "ds")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert message in result.output
    assert not (tmp_path / "ds").exists()


def test_bad_region_is_skipped_and_the_rest_kept(tmp_path, schema, record):
    path = _export(tmp_path, [_corrupt(record, schema, lambda res: _find(res, "a2")["value"].update(end=999))])
    imported = import_exports([path], schema)
    assert [a["id"] for a in imported.records[0]["actors"]] == ["a1"]
    assert imported.records[0]["claims"][0]["speaker"] == "a1"
    assert imported.counts["regions_skipped"] == 1


def test_collapsed_whitespace_is_not_a_mismatch(tmp_path, schema, record):
    record["actors"].append({"id": "a3", "start": 37, "end": 51, "text": "Hamas  was   s", "label": "GROUP"})
    task = _task(record, schema)
    _find(task["annotations"][0]["result"], "a3")["value"]["text"] = "Hamas was s"
    imported = import_exports([_export(tmp_path, [task])], schema)
    assert imported.problems == []
    assert imported.records[0]["actors"][-1]["text"] == "Hamas  was   s"


def test_truncated_and_wrong_format_exports(tmp_path, schema):
    truncated = tmp_path / "t.json"
    truncated.write_text('[{"id": 1, "data": {"text": "x"}, "annotations": [')
    with pytest.raises(GoldError, match=r"t.json: not valid JSON \(line 1.*truncated"):
        import_exports([truncated], schema)
    minimal = _export(tmp_path, {"text": "x"}, "min.json")
    with pytest.raises(GoldError, match="native JSON export"):
        import_exports([minimal], schema)
    result = runner.invoke(app, ["dataset", "build", str(truncated), "-o", str(tmp_path / "ds")])
    assert result.exit_code == 1 and result.stderr.strip().count("\n") == 0


def test_policy_ground_truth_first_cancelled_skipped_and_all(tmp_path, schema, record):
    other = json.loads(json.dumps(record))
    other["doc_stances"] = {**record["doc_stances"], "gaza_ceasefire": "against"}
    task = _task(record, schema)
    task["annotations"] = [
        {"id": 1, "completed_by": 1, "result": record_to_results(other, schema)},
        {"id": 2, "completed_by": 2, "result": record_to_results(record, schema), "ground_truth": True},
        {"id": 3, "completed_by": 3, "result": [], "was_cancelled": True},
    ]
    path = _export(tmp_path, [task])
    [chosen] = import_exports([path], schema).records
    assert (chosen["annotation_id"], chosen["doc_stances"]["gaza_ceasefire"]) == (2, "favor")
    every = import_exports([path], schema, policy="all")
    assert [r["annotation_id"] for r in every.records] == [1, 2]
    assert every.counts["annotations_cancelled"] == 1
    task["annotations"][1]["ground_truth"] = False
    [earliest] = import_exports([_export(tmp_path, [task])], schema).records
    assert earliest["annotation_id"] == 1


def test_validate_record_names_the_region(schema, record):
    validate_record(record, schema)
    record["claims"][0]["speaker"] = "nobody"
    with pytest.raises(GoldError, match="relation endpoint is missing"):
        validate_record(record, schema, "pass.json")


def test_multi_line_region_with_label_studio_escaped_newline(tmp_path, schema, record):
    record["claims"][0].update(start=12, end=42, text=record["text"][12:42])
    task = _task(record, schema)
    for item in task["annotations"][0]["result"]:
        if item.get("id") == "c1" and "start" in item["value"]:
            item["value"]["text"] = record["text"][12:42].replace("\n", "\\n")
    imported = import_exports([_export(tmp_path, [task])], schema)
    assert imported.problems == []
    assert imported.records[0]["claims"][0]["text"] == "the ceasefire must hold.\nHamas"


def test_region_with_labels_from_two_groups_keeps_both(tmp_path, schema, record):
    task = _task(record, schema)
    result = task["annotations"][0]["result"]
    claim = _find(result, "c1", "claim")
    result.append({**claim, "from_name": "actor", "value": {**claim["value"], "labels": ["PERSON"]}})
    imported = import_exports([_export(tmp_path, [task])], schema)
    [problem] = imported.problems
    assert "region c1: region has labels from two groups, actor PERSON and claim CLAIM; kept as both" in str(problem)
    [got] = imported.records
    assert "c1" in {a["id"] for a in got["actors"]}
    assert got["claims"][0] == {**record["claims"][0], "speaker": "a1"}
    assert imported.counts["regions_two_labels"] == 1


def test_unanswered_document_stance_is_a_problem(tmp_path, schema, record):
    del record["doc_stances"]["hamas"]
    imported = import_exports([_export(tmp_path, [_task(record, schema)])], schema)
    [problem] = imported.problems
    assert "task 1: document stance unanswered for 'hamas'" in str(problem)
    assert imported.counts["doc_stances_unanswered"] == 1
    assert "hamas" not in imported.records[0]["doc_stances"]


def test_drafts_and_cancelled_annotations_are_counted(tmp_path, schema, record):
    task = _task(record, schema)
    task["drafts"] = [{"id": 5, "result": [], "user": "x"}]
    skipped = {**_task(record, schema, task_id=2), "drafts": []}
    skipped["data"]["doc_id"] = "doc2"
    skipped["annotations"][0].update(was_cancelled=True, result=[])
    imported = import_exports([_export(tmp_path, [task, skipped])], schema)
    assert imported.problems == [] and [r["doc_id"] for r in imported.records] == ["doc1"]
    assert imported.counts["drafts_not_imported"] == 1 and imported.counts["annotations_cancelled"] == 1
    assert imported.counts["tasks_without_annotation"] == 1


def test_incomplete_claim_is_kept_and_says_so(tmp_path, schema, record):
    task = _corrupt(record, schema, lambda res: res.remove(_find(res, "c1", "claim_stance")))
    imported = import_exports([_export(tmp_path, [task])], schema)
    [problem] = imported.problems
    assert "claim has no stance; kept with stance null" in str(problem)
    assert imported.records[0]["claims"][0]["stance"] is None


def test_follow_on_problems_name_the_cause(tmp_path, schema, record):
    task = _corrupt(record, schema, lambda res: _find(res, "c1", "claim")["value"].update(text="something else"))
    messages = [str(p) for p in import_exports([_export(tmp_path, [task])], schema).problems]
    assert "region text 'something else' differs" in messages[0] and "claim region skipped" in messages[0]
    assert any("claim target and stance (gaza_ceasefire, favor) dropped: its region was skipped" in m for m in messages)
    assert any("relation endpoint is missing: region c1 was skipped (see above)" in m for m in messages)


@pytest.mark.parametrize("field", ["id", "completed_by"])
def test_ids_that_do_not_fit_int64_are_stored_as_null(tmp_path, schema, record, field):
    task = _task(record, schema)
    task["annotations"][0][field] = 10**30
    imported = import_exports([_export(tmp_path, [task])], schema)
    assert imported.counts["values_truncated"] == 1
    result = runner.invoke(app, ["dataset", "build", str(tmp_path / "export.json"), "-o", str(tmp_path / "ds")])
    assert result.exit_code == 0, result.output
    assert "is not a 64-bit integer; stored as null" in result.stderr


def test_ui_exports_import_losslessly(schema):
    from conftest import ROOT

    for path in sorted((ROOT / "tests" / "data").glob("ui_export_*.json")):
        imported = import_exports([path], schema, policy="all")
        assert imported.records, path
        assert not [p for p in imported.problems if "skipped" in p.message or "dropped" in p.message], path
