"""toolkit.gold.parse: one annotation -> one record; odd regions skipped or kept, each problem named with its cause."""

import pytest

from gold_helpers import _corrupt, _export, _find, _task, gold_record
from toolkit.gold import import_exports


@pytest.fixture
def record():
    return gold_record()


def test_bad_region_is_skipped_and_the_rest_kept(tmp_path, schema, record):
    path = _export(tmp_path, [_corrupt(record, schema, lambda res: _find(res, "a2")["value"].update(end=999))])
    imported = import_exports([path], schema)
    assert [a["id"] for a in imported.records[0]["actors"]] == ["a1"]
    assert imported.records[0]["claims"][0]["speaker"] == "a1"
    assert imported.counts["regions_skipped"] == 1


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
