"""toolkit.gold.read: exports and JSON read exactly as json reads them (and toolkit.files' chunks of an export)."""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz import MUTATION, PREDICTIONS, _mutate, _prediction_bytes
from typer.testing import CliRunner

from gold_helpers import DIFF_EXAMPLES, _export
from toolkit import gold
from toolkit.cli import app
from toolkit.errors import GoldError
from toolkit.files import Unchunkable, json_array_chunks
from toolkit.gold import import_exports
from toolkit.gold import read as gold_json

runner = CliRunner()


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
