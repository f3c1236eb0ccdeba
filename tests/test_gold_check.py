"""toolkit.gold.check: records checked as if Label Studio had exported them (validate_record, check_record)."""

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz import BASES, MUTATION, PREDICTIONS, _mutate

from gold_helpers import DIFF_EXAMPLES, gold_record
from toolkit.errors import GoldError
from toolkit.gold import (
    Imported,
    check_record,
    parse_annotation,
    record_to_results,
    short,
    valid_string,
    validate_record,
)
from toolkit.gold.check import _shape_problems
from toolkit.records import empty_record
from toolkit.schema import TEXT_NAME


@pytest.fixture
def record():
    return gold_record()


def test_validate_record_names_the_region(schema, record):
    validate_record(record, schema)
    record["claims"][0]["speaker"] = "nobody"
    with pytest.raises(GoldError, match="relation endpoint is missing"):
        validate_record(record, schema, "pass.json")


# --- check_record against the reference ---------------------------------------------------
#
# check_record validates records directly; it must give exactly what the earlier check_record
# gave (the record as Label Studio results made with record_to_results, read by
# parse_annotation). Inputs: the tests' record and the fuzz tests' mutated prediction lines.


def reference_check_record(record, schema, source, out):
    """check_record as it was: the record as Label Studio results, read back by parse_annotation."""
    task_id = record.get("doc_id")
    shape = _shape_problems(record, source, task_id)
    out.problems += shape
    out.count("regions_skipped", sum("#" in p.message for p in shape))
    task = {
        "id": task_id if valid_string(task_id) else short(task_id),
        "data": {TEXT_NAME: record.get("text"), "doc_id": task_id},
    }
    parsed = parse_annotation(
        task, {"result": record_to_results(record, schema, given_text=True)}, schema, source, out, complete=False
    )
    if parsed is None:
        return None
    kept = {k: v for k, v in record.items() if k not in ("actors", "claims", "doc_stances", "text")}
    return {
        **kept,
        "doc_id": parsed["doc_id"],
        "text": parsed["text"],
        "actors": parsed["actors"],
        "claims": parsed["claims"],
        "doc_stances": parsed["doc_stances"],
    }


def _same_check(record, schema):
    """Both validators on one record: the same result, problems (and their text) and counts, in order."""
    results = []
    for check in (reference_check_record, check_record):
        out = Imported()
        checked = check(copy.deepcopy(record), schema, "p.jsonl:3", out)
        results.append((checked, out.problems, [str(p) for p in out.problems], list(out.counts.items())))
    assert results[0] == results[1]
    return results[1]


def _gold_text():
    return BASES["real"][0]["data"]["text"]


@settings(
    max_examples=DIFF_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)
@given(base=st.sampled_from(sorted(PREDICTIONS)), mutations=st.lists(MUTATION, max_size=5), whole=st.booleans())
def test_check_record_equals_the_reference_on_mutated_records(schema, base, mutations, whole):
    rows = copy.deepcopy(PREDICTIONS[base])
    texts = {t["data"]["doc_id"]: t["data"]["text"] for t in BASES["real"]}
    row = {**rows[0], "text": texts.get(rows[0]["doc_id"], _gold_text())}
    if whole:  # mutate anything, the text and doc id too
        for mutation in mutations:
            row = _mutate(row, *mutation)
        record = row if isinstance(row, dict) else {"doc_id": "d", "text": "t", "actors": row}
    else:  # as read_predictions builds it: the gold text, the line's fields
        for mutation in mutations:
            row = _mutate(row, *mutation)
        row = row if isinstance(row, dict) else {"doc_id": "d"}
        record = {
            **empty_record("d"),
            **{k: row[k] for k in ("doc_id", "actors", "claims", "doc_stances") if k in row},
            "text": _gold_text(),
        }
    _same_check(record, schema)


def test_check_record_equals_the_reference_on_test_inputs(schema, record):
    assert _same_check(record, schema)[1] == []
    odd = [
        lambda r: r["actors"][0].update(end=999),
        lambda r: r["actors"][0].update(text="Putin"),
        lambda r: r["actors"][1].update(label="TERRORIST"),
        lambda r: r["actors"].pop(0),
        lambda r: r["claims"][0].update(speaker=None),
        lambda r: r["claims"][0].update(stance="angry"),
        lambda r: r["claims"][0].update(target=None),
        lambda r: r["claims"][0].update(id=None),
        lambda r: r["claims"][0].update(id=7, speaker=7),
        lambda r: r["actors"][0].update(id="c1"),
        lambda r: r["actors"].append(dict(r["actors"][0])),
        lambda r: r["claims"].append(dict(r["claims"][0])),
        lambda r: r["claims"][0].update(speaker="c1"),
        lambda r: r["claims"][0].update(text=r["text"][12:35].upper()),
        lambda r: r["doc_stances"].update({"nowhere": "favor", "hamas": "angry", 5: "none"}),
        lambda r: r.update(doc_stances=[1]),
        lambda r: r.update(actors={"a": 1}, claims=[None, 3]),
        lambda r: r.update(text=None),
        lambda r: r.update(doc_id=5),
        lambda r: r.update(doc_id=None),
        lambda r: r.update(doc_id=["x"]),
        lambda r: r.update(text="\ud800"),
        lambda r: r.update(extra=1),
        lambda r: r["actors"][0].update(start=True),
        lambda r: r["actors"][0].update(start=2**70),
        lambda r: r["claims"][0].update(text=r["text"][12:35].replace(" ", "  ")),
    ]
    for change in odd:
        changed = copy.deepcopy(record)
        change(changed)
        _same_check(changed, schema)
