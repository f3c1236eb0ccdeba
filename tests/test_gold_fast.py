"""toolkit.gold.fast: the one-pass import of large, chunked exports gives exactly what the reference import gives."""

import copy
import json
import re

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz import BASES, MUTATION, RAW, _mutate, _serialise

from conftest import ROOT
from gold_helpers import DIFF_EXAMPLES, _task, gold_record
from toolkit import gold, gold_sources
from toolkit.errors import SchemaError, ToolkitError
from toolkit.gold import fast as gold_fast

# Large exports are parsed with orjson in chunks and imported through a fast path; it must give
# exactly what the reference gives: json.loads of the whole file, import_tasks and
# check_schema_fit. Inputs: the tests' record and the fuzz tests' mutated exports.

ROOT_SCHEMA = ROOT / "schemas" / "schema.yaml"


@pytest.fixture
def record():
    return gold_record()


def _reference_import(tasks, schema, policy):
    """import_tasks and check_schema_fit on a tree json.loads read."""
    fit = gold_sources.SchemaFit(schema)
    for task in tasks:
        annotations = task.get("annotations")
        for annotation in annotations if isinstance(annotations, list) else []:
            fit.annotation(annotation)
    return gold.import_tasks(tasks, "e.json", schema, policy), fit


def _outcome(imported, fit):
    return (
        imported.records,
        [str(p) for p in imported.problems],
        list(imported.counts.items()),
        fit.total,
        fit.misfit,
        list(fit.examples.items()),
    )


@settings(
    max_examples=DIFF_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)
@given(
    base=st.sampled_from(sorted(BASES)),
    mutations=st.lists(MUTATION, max_size=5),
    policy=st.sampled_from(gold.POLICIES),
    big=st.booleans(),
)
def test_fast_import_equals_the_reference_on_mutated_exports(schema, base, mutations, policy, big):
    tree = copy.deepcopy(BASES[base])
    for mutation in mutations:
        tree = _mutate(tree, *mutation)
    data = json.dumps(tree).encode("ascii")
    if big:  # an integer beyond 64 bits, which orjson would read as a float
        data = data.replace(b'"id": 1', b'"id": 100000000000000000001', 1)
    exact = json.loads(data)
    if not isinstance(exact, list) or not all(isinstance(t, dict) for t in exact):
        return
    try:
        tasks = orjson.loads(data)
    except orjson.JSONDecodeError:  # (a lone surrogate) the file is read whole with json: the reference
        return
    expected = _outcome(*_reference_import(exact, schema, policy))
    fit = gold_sources.SchemaFit(schema)
    try:
        fast = gold.import_task_chunks([tasks], "e.json", schema, policy, fit)
    except gold_fast._Reparse:  # the caller reads the file again with json: the reference
        assert re.search(rb"[0-9]{19}", data)  # an integer beyond 64 bits is there
        return
    assert _outcome(fast, fit) == expected


@settings(
    max_examples=DIFF_EXAMPLES // 2,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
@given(
    base=st.sampled_from(sorted(BASES)),
    mutations=st.lists(MUTATION, max_size=3),
    raw=RAW,
    cut_at=st.integers(0, 10**6),
    chunk=st.integers(1, 3000),
    indent=st.sampled_from([None, 2, 4]),
)
def test_load_gold_equals_the_reference_on_raw_exports(
    tmp_path_factory, monkeypatch, schema, base, mutations, raw, cut_at, chunk, indent
):
    """End to end (chunked orjson reading, the fast import, the fit check) against load_export,
    check_schema_fit and import_tasks: the same gold, or the same error."""
    tree = copy.deepcopy(BASES[base])
    for mutation in mutations:
        tree = _mutate(tree, *mutation)
    data = _serialise(tree, raw, cut_at)
    if indent and raw == "none":
        data = json.dumps(tree, indent=indent).encode("ascii")
    path = tmp_path_factory.mktemp("raw") / "e.json"
    path.write_bytes(data)

    def reference():
        tasks = gold.load_export(path)
        gold_sources.check_schema_fit(tasks, schema, str(path))
        return gold.import_tasks(tasks, "e.json", schema, "ground_truth")

    def outcome(read):
        try:
            found = read()
        except ToolkitError as exc:
            return type(exc).__name__, str(exc)
        return (
            found.records,
            [str(p) for p in found.problems],
            {k: v for k, v in found.counts.items() if k not in ("problems", "documents_duplicated")},
        )

    monkeypatch.setattr(gold_sources, "CHUNK_SIZE", chunk)
    new = outcome(lambda: gold_sources.load_gold([path], schema_flag=None, default_schema=ROOT_SCHEMA))
    ref = outcome(reference)
    if isinstance(ref, tuple) and len(ref) == 3 and isinstance(new, tuple) and len(new) == 3:
        ref = (sorted(ref[0], key=lambda r: (r["doc_id"], r["annotation_id"] or 0)), ref[1], ref[2])
        # load_gold drops later copies of a document (the reference keeps them): compare the first copies
        firsts = {}
        for r in ref[0]:
            firsts.setdefault(r["doc_id"], r)
        assert new[0] == list(firsts.values())
        assert new[1][: len(ref[1])] == ref[1] and new[2] == ref[2]
    else:
        assert new == ref


@pytest.mark.parametrize("indent", [None, 2])
def test_a_schema_misfit_is_found_when_chunked(tmp_path, monkeypatch, schema, record, indent):
    task = _task(record, schema)
    for item in task["annotations"][0]["result"]:
        if item.get("from_name") == "actor":
            item["value"]["labels"] = ["TERRORIST"]
        if item.get("type") == "choices":
            item["value"]["choices"] = ["angry"]
    tasks = [task, {**task, "id": 2, "data": {**task["data"], "doc_id": "doc2"}}]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks, indent=indent))
    with pytest.raises(SchemaError) as expected:
        gold_sources.check_schema_fit(tasks, schema, str(path))
    assert "20 of 22 labelled regions use labels" in str(expected.value)
    monkeypatch.setattr(gold_sources, "CHUNK_SIZE", 10)
    with pytest.raises(SchemaError) as found:
        gold_sources.load_gold([path], default_schema=ROOT_SCHEMA)
    assert str(found.value) == str(expected.value)
