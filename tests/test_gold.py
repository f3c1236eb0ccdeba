"""Label Studio export -> records: round trips, validation and the annotation policy."""

import copy
import json
import os
import re

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz import BASES, MUTATION, PREDICTIONS, RAW, _mutate, _prediction_bytes, _serialise
from typer.testing import CliRunner

from conftest import ROOT
from toolkit import gold, gold_sources
from toolkit.cli import app
from toolkit.errors import GoldError, SchemaError, ToolkitError
from toolkit.files import Unchunkable, json_array_chunks
from toolkit.gold import (
    Imported,
    check_record,
    import_exports,
    parse_annotation,
    record_to_results,
    short,
    valid_string,
    validate_record,
)
from toolkit.gold import fast as gold_fast
from toolkit.gold import read as gold_json
from toolkit.gold.check import _shape_problems
from toolkit.records import empty_record
from toolkit.schema import TEXT_NAME

runner = CliRunner()

# Letters from several planes: ASCII, accents, combining marks, CJK, emoji (outside the BMP).
ALPHABET = st.sampled_from([*"abc XYZ\n\t.,’“”é", "\u0301", "\u0308", "漢", "😀", "🇷", "🇺", "𝔸", "\u200d"])  # noqa: RUF001 - confusables on purpose


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
        actors.append(
            {
                "id": f"a{i}",
                "start": start,
                "end": end,
                "text": text[start:end],
                "label": draw(st.sampled_from(list(schema.actor_types))),
            }
        )
    claims = []
    for i in range(draw(st.integers(0, 3)) if actors else 0):
        start, end = span()
        claims.append(
            {
                "id": f"c{i}",
                "start": start,
                "end": end,
                "text": text[start:end],
                "speaker": draw(st.sampled_from([a["id"] for a in actors])),
                "target": draw(st.sampled_from(schema.claim_targets)),
                "stance": draw(st.sampled_from(list(schema.stance_labels))),
            }
        )
    stances = {t: draw(st.sampled_from(list(schema.stance_labels))) for t in schema.targets}
    return {"doc_id": "d", "text": text, "actors": actors, "claims": claims, "doc_stances": stances}


def _export(tmp_path, tasks, name="export.json"):
    path = tmp_path / name
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


def _task(record, schema, task_id=1, **annotation):
    return {
        "id": task_id,
        "data": {"text": record["text"], "doc_id": record["doc_id"]},
        "annotations": [
            {"id": task_id * 10, "completed_by": 1, "result": record_to_results(record, schema), **annotation}
        ],
    }


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
        "doc_id": "doc1",
        "text": text,
        "actors": [
            {"id": "a1", "start": 0, "end": 6, "text": "Lavrov", "label": "PERSON"},
            {"id": "a2", "start": 37, "end": 42, "text": "Hamas", "label": "GROUP"},
        ],
        "claims": [
            {
                "id": "c1",
                "start": 12,
                "end": 35,
                "text": text[12:35],
                "speaker": "a1",
                "target": "gaza_ceasefire",
                "stance": "favor",
            }
        ],
        "doc_stances": {
            "gaza_ceasefire": "favor",
            "humanitarian_access": "none",
            "israel_military_operation": "none",
            "hamas": "none",
            "palestinian_state": "none",
            "russia_mediation": "none",
        },
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
        (
            lambda res: _find(res, "a1")["value"].update(end=999),
            "task 1 region a1: offsets [0, 999) are outside the text",
        ),
        (lambda res: _find(res, "a1")["value"].update(text="Putin"), "task 1 region a1: region text 'Putin' differs"),
        (
            lambda res: _find(res, "a2")["value"].update(labels=["TERRORIST"]),
            "task 1 region a2: label ['TERRORIST'] is not one actor label",
        ),
        (lambda res: res.remove(_find(res, "a1")), "relation endpoint is missing"),
        (
            lambda res: res.remove(next(r for r in res if r["type"] == "relation")),
            "task 1 region c1: claim has no speaker relation",
        ),
        (
            lambda res: _find(res, "c1", "claim_stance")["value"].update(choices=["angry"]),
            "claim_stance 'angry' is not in schema",
        ),
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
    for path in sorted((ROOT / "tests" / "data").glob("ui_export_*.json")):
        imported = import_exports([path], schema, policy="all")
        assert imported.records, path
        assert not [p for p in imported.problems if "skipped" in p.message or "dropped" in p.message], path


# --- The fast paths against the reference paths --------------------------------------------
#
# check_record validates records directly, large exports are parsed with orjson in chunks and
# imported through a fast path; each must give exactly what the reference gives: the earlier
# check_record (Label Studio results made with record_to_results, read by parse_annotation),
# json.loads of the whole file, import_tasks and check_schema_fit. Inputs: the existing test
# inputs and the fuzz tests' mutated exports and prediction lines.

ROOT_SCHEMA = ROOT / "schemas" / "schema.yaml"
DIFF_EXAMPLES = int(os.environ.get("TOOLKIT_FUZZ_EXAMPLES", "0")) or 150


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


def _json_outcome(read, data):
    try:
        value = read(data)
    except (ValueError, RecursionError) as exc:
        return type(exc).__name__, str(exc)
    return "ok", value, repr(value)


@settings(
    max_examples=DIFF_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)
@given(
    base=st.sampled_from(sorted(PREDICTIONS)),
    mutations=st.lists(MUTATION, max_size=4),
    raw=st.sampled_from(
        [
            "none",
            "cut",
            "u2028",
            "bad-utf8",
            "junk-line",
            "nan",
            "deep",
            "huge",
            "bom",
            "surrogate",
            "big-float",
            "ctrl",
        ]
    ),
    cut_at=st.integers(0, 10**6),
)
def test_json_reading_equals_json_loads(base, mutations, raw, cut_at):
    """parse_json and load_export read with orjson where it gives json's value, else with json:
    the same value or the same error, message included."""
    tree = copy.deepcopy(PREDICTIONS[base])
    for mutation in mutations:
        tree = _mutate(tree, *mutation)
    line_raw = raw if raw in ("cut", "u2028", "bad-utf8", "junk-line", "nan", "deep") else "none"
    data = _prediction_bytes(tree, line_raw, cut_at)
    extra = {
        "huge": (b'"start": ', b'"start": -' + b"9" * 30 + b', "s": '),
        "big-float": (b'"end": ', b'"end": 1e300, "e": '),
        "surrogate": (b'"doc_id": ', b'"doc_id": "\\udc80", "d": '),
        "ctrl": (b'"doc_id": "', b'"doc_id": "\x01'),
    }
    if raw in extra:
        data = data.replace(*extra[raw], 1)
    if raw == "bom":
        data = b"\xef\xbb\xbf" + data

    def reference(raw_bytes):
        return json.loads(raw_bytes.decode("utf-8"), parse_constant=gold_json._no_constant)

    for read in (gold_json._loads, lambda d: gold.parse_json(d.decode("utf-8"))):
        for piece in (data, *data.split(b"\n")[:3]):
            try:
                expected = _json_outcome(reference, piece)
            except RecursionError:
                continue
            if expected[0] == "RecursionError":
                expected = ("ValueError", "nested too deeply")
            got = _json_outcome(read, piece)
            assert got == expected


@pytest.mark.parametrize("indent", [None, 2, 4, "compact", "tabs"])
@pytest.mark.parametrize("size", [1, 7, 100, 10**6])
def test_json_array_chunks_give_the_list(tmp_path, indent, size):
    tasks = [
        {
            "id": i,
            "data": {"text": 'a "}, {" b }, { c \\n  },\n  {' * (i % 3), "doc_id": f"d{i}"},
            "annotations": [{"id": i, "result": [{"id": "x", "value": {"start": 0, "end": 1}} for _ in range(i % 4)]}],
        }
        for i in range(25)
    ]
    if indent == "compact":
        data = json.dumps(tasks, separators=(",", ":"))
    elif indent == "tabs":
        data = json.dumps(tasks, indent="\t")
    else:
        data = json.dumps(tasks, indent=indent, ensure_ascii=False)
    path = tmp_path / "e.json"
    path.write_text(data, encoding="utf-8")
    chunks = list(json_array_chunks(path, size))
    assert [t for chunk in chunks for t in chunk] == tasks
    assert len(chunks) > 1 or size == 10**6


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"[]",
        b"  [ ]  ",
        b"{}",
        b"[1, 2]",
        b"[{}, 3]",
        b"[{}",
        b"[{}]]",
        b"\xef\xbb\xbf[{}]",
        b'[{"a": NaN}]',
        b"[{}] x",
    ],
)
def test_json_array_chunks_refuse_what_they_cannot_split(tmp_path, data):
    path = tmp_path / "e.json"
    path.write_bytes(data)
    with pytest.raises(Unchunkable):
        list(json_array_chunks(path, 1))
