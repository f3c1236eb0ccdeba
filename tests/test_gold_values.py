"""toolkit.gold.values: single values checked in an import (a region text against its offsets, 64-bit ids)."""

import pytest
from typer.testing import CliRunner

from gold_helpers import _export, _find, _task, gold_record
from toolkit.cli import app
from toolkit.gold import import_exports

runner = CliRunner()


@pytest.fixture
def record():
    return gold_record()


def test_collapsed_whitespace_is_not_a_mismatch(tmp_path, schema, record):
    record["actors"].append({"id": "a3", "start": 37, "end": 51, "text": "Hamas  was   s", "label": "GROUP"})
    task = _task(record, schema)
    _find(task["annotations"][0]["result"], "a3")["value"]["text"] = "Hamas was s"
    imported = import_exports([_export(tmp_path, [task])], schema)
    assert imported.problems == []
    assert imported.records[0]["actors"][-1]["text"] == "Hamas  was   s"


def test_multi_line_region_with_label_studio_escaped_newline(tmp_path, schema, record):
    record["claims"][0].update(start=12, end=42, text=record["text"][12:42])
    task = _task(record, schema)
    for item in task["annotations"][0]["result"]:
        if item.get("id") == "c1" and "start" in item["value"]:
            item["value"]["text"] = record["text"][12:42].replace("\n", "\\n")
    imported = import_exports([_export(tmp_path, [task])], schema)
    assert imported.problems == []
    assert imported.records[0]["claims"][0]["text"] == "the ceasefire must hold.\nHamas"


@pytest.mark.parametrize("field", ["id", "completed_by"])
def test_ids_that_do_not_fit_int64_are_stored_as_null(tmp_path, schema, record, field):
    task = _task(record, schema)
    task["annotations"][0][field] = 10**30
    imported = import_exports([_export(tmp_path, [task])], schema)
    assert imported.counts["values_truncated"] == 1
    result = runner.invoke(app, ["dataset", "build", str(tmp_path / "export.json"), "-o", str(tmp_path / "ds")])
    assert result.exit_code == 0, result.output
    assert "is not a 64-bit integer; stored as null" in result.stderr
