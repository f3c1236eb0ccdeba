"""toolkit.gold.read: exports and JSON read exactly as json reads them."""

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
