"""Predictions files: errors that stop, problems that are counted, input that is valid."""

import json

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from toolkit.cli import app
from toolkit.errors import ExtractorError, GoldError
from toolkit.gold import import_exports
from toolkit.predictions import read_predictions, read_records_jsonl

runner = CliRunner()
GOLD = ROOT / "gold" / "export.json"


@pytest.fixture(scope="module")
def gold_records(schema):
    return import_exports([GOLD], schema).records


def _lines(path, rows):
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def _perfect(records):
    return json.loads(json.dumps([{k: r[k] for k in ("doc_id", "actors", "claims", "doc_stances")} for r in records]))


def test_perfect_predictions_have_no_problems(tmp_path, schema, gold_records):
    system = read_predictions(_lines(tmp_path / "p.jsonl", _perfect(gold_records)), schema, gold_records)
    assert system.problems == [] and not any(system.skipped.values())
    assert [r["doc_id"] for r in system.records] == [r["doc_id"] for r in gold_records]


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", ":2: not valid JSON"),
        ('{"doc_id": 3}', ":2: expected an object with a string 'doc_id'"),
        (
            '{"doc_id": "DOC", "actors": [{"id": "x", "start": NaN, "end": 3, "label": "PERSON"}]}',
            ":2: not valid JSON (NaN",
        ),
        ("[" * 100000, ":2: not valid JSON"),
        ('{"doc_id": "FIRST"}', ":2: duplicate doc_id"),
    ],
)
def test_malformed_lines_stop_with_one_line(tmp_path, gold_records, line, message):
    first = gold_records[0]["doc_id"]
    preds = _lines(
        tmp_path / "bad.jsonl",
        [{"doc_id": first}, line.replace("DOC", gold_records[1]["doc_id"]).replace("FIRST", first)],
    )
    result = runner.invoke(app, ["evaluate", "-p", str(preds), "--n-boot", "100"])
    assert result.exit_code == 1
    assert message in result.stderr and result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "line, message",
    [
        (
            '{"doc_id": "DOC", "actors": [{"id": "x", "start": 0, "end": 99999, "label": "PERSON"}]}',
            ":2: task DOC region x: offsets [0, 99999) are outside the text",
        ),
        (
            '{"doc_id": "DOC", "actors": [{"id": "x", "start": 0, "end": 3, "label": "ROBOT"}]}',
            "label ['ROBOT'] is not one actor label",
        ),
        ('{"doc_id": "DOC", "actors": "x"}', "'actors' is str, not a list"),
        ('{"doc_id": "DOC", "actors": [7]}', "actors #1 7 is not an object"),
        (
            '{"doc_id": "DOC", "actors": [{"id": "x", "start": 0, "end": 6, "text": "Putin", "label": "PERSON"}]}',
            "region text 'Putin' differs",
        ),
        ('{"doc_id": "DOC", "actors": [{"id": "x", "start": true, "end": 6, "label": "PERSON"}]}', "offsets [True, 6)"),
        (
            '{"doc_id": "DOC", "claims": [{"id": "c", "start": 0, "end": 6, "speaker": "nobody"}]}',
            "relation endpoint is missing: nobody",
        ),
        (
            '{"doc_id": "DOC", "claims": [{"id": "c", "start": 0, "end": 6}, {"id": "c", "start": 1, "end": 6}]}',
            "a second claim result for this region",
        ),
        (
            '{"doc_id": "DOC", "doc_stances": {"hamas": "love"}}',
            "document stance 'doc_stance__hamas'=['love'] is not in schema",
        ),
        ('{"doc_id": "nowhere"}', ":2: doc_id 'nowhere' is not in the gold; line skipped"),
    ],
)
def test_bad_regions_are_problems_counted_and_strict_fails(tmp_path, schema, gold_records, line, message):
    doc = gold_records[1]["doc_id"]
    others = [{"doc_id": r["doc_id"]} for r in gold_records if r["doc_id"] != doc]
    rows = [others[0], line.replace("DOC", doc), *others[1:]]
    preds = _lines(tmp_path / "bad.jsonl", rows)
    system = read_predictions(preds, schema, gold_records)
    assert any(message.replace("DOC", doc) in str(p) for p in system.problems), [str(p) for p in system.problems]
    assert system.skipped["problems"] == len(system.problems) >= 1
    with pytest.raises(ExtractorError, match="--strict"):
        read_predictions(preds, schema, gold_records, strict=True)
    result = runner.invoke(app, ["evaluate", "-p", str(preds), "--n-boot", "100"])
    assert result.exit_code == 0, result.output
    assert "problem: " in result.stderr and message.replace("DOC", doc) in result.stderr
    strict = runner.invoke(app, ["evaluate", "-p", str(preds), "--n-boot", "100", "--strict"])
    assert strict.exit_code == 1 and strict.stderr.strip().count("\n") == 0 and "Traceback" not in strict.output


def test_null_fields_are_valid(tmp_path, schema, gold_records):
    rows = _perfect(gold_records)
    for claim in rows[0]["claims"]:
        claim.update(speaker=None, target=None, stance=None)
    rows[0]["actors"] = None
    rows[0]["claims"] = [{k: v for k, v in c.items() if k != "text"} for c in rows[0]["claims"]]
    system = read_predictions(_lines(tmp_path / "p.jsonl", rows), schema, gold_records)
    assert system.problems == []
    assert all(c["speaker"] is None and c["stance"] is None for c in system.records[0]["claims"])


def test_wrong_offsets_with_the_right_text_are_a_problem(tmp_path, schema, gold_records):
    rows = _perfect(gold_records)
    actor = rows[0]["actors"][0]
    actor["start"] += 1
    actor["end"] += 1
    system = read_predictions(_lines(tmp_path / "p.jsonl", rows), schema, gold_records)
    problem, *follow_on = system.problems
    assert f"region {actor['id']}: region text" in str(problem) and "p.jsonl:1" in str(problem)
    assert all(f"region {actor['id']} was skipped (see above)" in str(p) for p in follow_on)
    assert actor["id"] not in {a["id"] for a in system.records[0]["actors"]}


def test_unknown_and_missing_documents_are_counted(tmp_path, schema, gold_records):
    rows = [*_perfect(gold_records)[:3], {"doc_id": "elsewhere"}]
    system = read_predictions(_lines(tmp_path / "p.jsonl", rows), schema, gold_records)
    assert system.skipped["documents_not_in_gold"] == 1
    assert system.skipped["documents_without_prediction"] == len(gold_records) - 3
    assert any("have no prediction line" in str(p) for p in system.problems)


def test_all_unknown_or_empty_is_an_error(tmp_path, schema, gold_records):
    with pytest.raises(ExtractorError, match="none of its 2 doc id"):
        read_predictions(_lines(tmp_path / "p.jsonl", [{"doc_id": "x"}, {"doc_id": "y"}]), schema, gold_records)
    with pytest.raises(ExtractorError, match="no predictions"):
        read_predictions(_lines(tmp_path / "e.jsonl", []), schema, gold_records)


def test_lines_split_only_on_newline(tmp_path, schema, gold_records):
    rows = _perfect(gold_records)
    rows[0]["note"] = "a\u2028b\u2029c\x85d\x0ce"
    system = read_predictions(_lines(tmp_path / "p.jsonl", rows), schema, gold_records)
    assert system.problems == [] and len(system.records) == len(gold_records)
    gold_lines = _lines(tmp_path / "g.jsonl", [{**r, "text": r["text"] + "\u2028"} for r in gold_records[:1]])
    assert read_records_jsonl(gold_lines, schema)[0]["text"].endswith("\u2028")


def test_duplicate_claim_stance_is_a_problem_not_last_one_wins(schema, gold_records):
    from toolkit.gold import Imported, check_record, record_to_results

    record = json.loads(json.dumps(gold_records[0]))
    out = Imported()
    claim = record["claims"][0]
    results = record_to_results(record, schema)
    results.append(
        {
            **next(r for r in results if r.get("id") == claim["id"] and r["from_name"] == "claim_stance"),
            "value": {"choices": ["against" if claim["stance"] != "against" else "favor"]},
        }
    )
    from toolkit.gold import parse_annotation

    task = {"id": 1, "data": {"text": record["text"], "doc_id": "d"}}
    parsed = parse_annotation(task, {"id": 1, "result": results}, schema, "x.json", out)
    assert [c["stance"] for c in parsed["claims"] if c["id"] == claim["id"]] == [claim["stance"]]
    assert any("a second claim_stance result for this region" in str(p) for p in out.problems)
    assert out.counts["duplicate_results"] == 1
    assert check_record(record, schema, "r", Imported()) is not None


def test_gold_jsonl_provenance_that_does_not_fit(tmp_path, schema, gold_records):
    from toolkit.gold_sources import load_gold

    row = json.loads(json.dumps({k: gold_records[0][k] for k in ("doc_id", "text", "actors", "claims", "doc_stances")}))
    path = _lines(tmp_path / "g.jsonl", [{**row, "annotator": "alice", "task_id": 10**30}])
    gold = load_gold([path], default_schema=ROOT / "schemas" / "schema.yaml")
    assert gold.records[0]["annotator"] == "alice" and gold.records[0]["task_id"] is None
    assert gold.counts["values_truncated"] == 2
    bad = _lines(tmp_path / "b.jsonl", [{**row, "actors": [{"id": "a", "start": 0, "end": 10**400}]}])
    with pytest.raises(GoldError, match=r"b\.jsonl:1"):
        read_records_jsonl(bad, schema)


def test_report_survives_no_claims_no_predictions_and_dollar_labels(tmp_path, gold_records):
    import yaml

    from toolkit.evaluate import evaluate
    from toolkit.report import html_report
    from toolkit.schema import parse_schema
    from toolkit.scoring import MatchRule

    raw = yaml.safe_load((ROOT / "schemas" / "schema.yaml").read_text(encoding="utf-8"))
    raw["actor_types"] = {f"{k}$_$": v for k, v in raw["actor_types"].items()}
    raw["stance_labels"] = {f"{k}$": v for k, v in raw["stance_labels"].items()}
    raw["no_stance"] = raw.get("no_stance", "none") + "$"
    schema = parse_schema(raw)
    gold = [
        {
            **r,
            "actors": [{**a, "label": f"{a['label']}$_$"} for a in r["actors"]],
            "claims": [],
            "doc_stances": {t: f"{s}$" for t, s in r["doc_stances"].items()},
        }
        for r in gold_records
    ]
    from toolkit.predictions import System

    empty = System("empty", "1", [{"doc_id": r["doc_id"], "actors": [], "claims": [], "doc_stances": {}} for r in gold])
    result = evaluate(gold, {"files": [], "fingerprint": "x", "documents": len(gold)}, [empty], schema, n_boot=100)
    page = html_report(result, gold, {"empty": empty.records}, MatchRule())
    assert "nothing to plot" in page and "<img" in page
    nothing = evaluate(
        gold[:1], {"files": [], "fingerprint": "x", "documents": 1}, [System("none", "1", [])], schema, n_boot=100
    )
    assert "<html" in html_report(nothing, gold[:1], {"none": []}, MatchRule())


def test_file_names_that_are_not_utf8(tmp_path, gold_records):
    import os
    import shutil

    odd = os.fsdecode(b"caf\xe9")
    export = tmp_path / f"{odd}.json"
    shutil.copy(GOLD, export)
    preds = _lines(tmp_path / f"{odd}.jsonl", _perfect(gold_records))
    out = tmp_path / "scores.json"  # (an output name that is not UTF-8 is the CLI's to print: see clean())
    result = runner.invoke(
        app, ["evaluate", "--gold", str(export), "-p", str(preds), "--n-boot", "100", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "caf\\xe9.jsonl" in json.loads(out.read_text(encoding="utf-8"))["systems"]
    result = runner.invoke(app, ["dataset", "build", str(export), "-o", str(tmp_path / "ds")])
    assert result.exit_code == 0, result.output
    missing = runner.invoke(app, ["evaluate", "--gold", str(tmp_path / f"{odd}-no.json"), "-p", str(preds)])
    assert (
        missing.exit_code == 1 and "caf\\xe9-no.json" in missing.stderr and "rerun with --debug" not in missing.stderr
    )
