"""Property tests: mutated Label Studio exports, predictions files and source folders.

Each example mutates a real input (deleted keys, nulls, wrong types, huge integers, deep
nesting, lone surrogates, escaped and Unicode line breaks, duplicated entries, cut files) and
runs the commands that read it. Whatever the input, a command either succeeds cleanly (its
output complete and valid) or exits 1 with one ``error:`` line on stderr; never a traceback,
never the last-resort "unexpected" handler, never a partial output or a temporary file left.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import ROOT
from toolkit.cli import app
from toolkit.gold import record_to_results
from toolkit.schema import load_schema

runner = CliRunner()
GOLD = ROOT / "gold" / "export.json"
# No shrinking: a failing example is printed as found (shrinking these inputs takes minutes).
# TOOLKIT_FUZZ_EXAMPLES=2000 TOOLKIT_FUZZ_RANDOM=1 runs a longer, fresh campaign by hand.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]
EXAMPLES = int(os.environ.get("TOOLKIT_FUZZ_EXAMPLES", "0"))


def _settings(examples: int):
    return settings(
        max_examples=EXAMPLES or examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not os.environ.get("TOOLKIT_FUZZ_RANDOM"),
        phases=PHASES,
        database=None,
    )


ODD_VALUES = [
    None,
    "",
    "x",
    0,
    -1,
    7,
    2**63,
    10**30,
    -(10**30),
    1.5,
    True,
    False,
    [],
    {},
    [1],
    {"a": 1},
    "\ud800",
    "a\u2028b\u2029c",
    "a\\nb",
    "line\nbreak",
    "PERSON",
    "CLAIM",
    "favor",
    "speaker",
    "doc_stance__hamas",
    "a1",
    "c1",
    "😀" * 3,
    [[[[[[[[[[[]]]]]]]]]]],
]


def _paths(node, prefix=()):
    """Every path (tuple of keys and indexes) in a JSON tree, the root included."""
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield from _paths(child, (*prefix, key))


def _mutate(tree, path_index: int, op: str, value):
    """Apply one mutation at the ``path_index``-th path (modulo) of ``tree``; returns the tree."""
    paths = list(_paths(tree))[1:]
    if not paths:
        return value if op == "set" else tree
    path = paths[path_index % len(paths)]
    parent = tree
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if op == "delete":
        del parent[key]
    elif op == "set":
        parent[key] = copy.deepcopy(value)
    elif op == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    elif op == "shift" and isinstance(parent[key], int) and not isinstance(parent[key], bool):
        parent[key] += value if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 100 else 1
    elif op == "newline" and isinstance(parent[key], str):
        parent[key] = parent[key][:3] + "\\n" + parent[key][3:]
    return tree


MUTATION = st.tuples(
    st.integers(0, 10**6),
    st.sampled_from(["delete", "set", "set", "duplicate", "shift", "newline"]),
    st.sampled_from(ODD_VALUES),
)
RAW = st.sampled_from(["none", "none", "none", "cut", "deep", "bad-utf8", "huge-int", "nan"])


def _serialise(tree, raw: str, cut_at: int) -> bytes:
    """The mutated tree as JSON bytes (lone surrogates as escapes), then maybe a raw change."""
    data = json.dumps(tree).encode("ascii")
    if raw == "cut":
        return data[: cut_at % max(len(data), 1)]
    if raw == "deep":
        return b"[" * 100_000 + data
    if raw == "bad-utf8":
        return data[: cut_at % max(len(data), 1)] + b"\xff\xfe" + data[cut_at % max(len(data), 1) :]
    if raw == "huge-int":
        return data.replace(b'"start": ', b'"start": ' + b"9" * 5000, 1)
    if raw == "nan":
        return data.replace(b'"end": ', b'"end": NaN, "x": ', 1)
    return data


def _check(result, outputs: list[Path], folder: Path) -> None:
    """A clean success (every output there) or exit 1 with one error line (no output), no leftovers."""
    stderr = result.stderr
    assert "Traceback" not in result.output + stderr
    assert "rerun with --debug" not in stderr, stderr  # the last-resort handler caught it
    if result.exit_code == 0:
        assert all(p.exists() for p in outputs), stderr
    else:
        assert result.exit_code == 1, (result.exit_code, result.exception)
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        last = stderr.strip().splitlines()[-1]
        assert last.startswith("error: ") and stderr.count("error: ") == 1, stderr
        assert not any(p.exists() for p in outputs)
    leftovers = [p for p in os.listdir(folder) if ".toolkit-" in p]
    assert leftovers == [], leftovers


def _strict_json(path: Path):
    def refuse(name):
        raise AssertionError(f"{path} holds {name}")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


# --- Label Studio exports ----------------------------------------------------------------


def _small_export() -> list[dict]:
    """A made-up export with what the UI produces: an escaped line break, a region with labels
    from two groups, drafts, a cancelled annotation, a task without annotations."""
    schema = load_schema()
    text = "Lavrov said the ceasefire must hold.\nHamas  was   silent."
    record = {
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
                "end": 42,
                "text": text[12:42],
                "speaker": "a1",
                "target": "gaza_ceasefire",
                "stance": "favor",
            }
        ],
        "doc_stances": dict.fromkeys(schema.targets, "none"),
    }
    result = record_to_results(record, schema)
    for item in result:
        if item.get("id") == "c1" and "text" in item.get("value", {}):
            item["value"]["text"] = item["value"]["text"].replace("\n", "\\n")
    claim = next(r for r in result if r.get("id") == "c1" and r["from_name"] == "claim")
    result.append({**claim, "from_name": "actor", "value": {**claim["value"], "labels": ["PERSON"]}})
    return [
        {
            "id": 1,
            "data": {"text": text, "doc_id": "doc1"},
            "drafts": [{"id": 9, "result": []}],
            "annotations": [
                {"id": 11, "completed_by": {"id": 1, "email": "a@b"}, "result": result},
                {"id": 12, "completed_by": 2, "result": copy.deepcopy(result)},
                {"id": 13, "completed_by": 3, "result": [], "was_cancelled": True},
            ],
        },
        {"id": 2, "data": {"text": "Nothing here.", "doc_id": "doc2"}, "annotations": []},
    ]


def _no_claims(tasks: list[dict]) -> list[dict]:
    tasks = copy.deepcopy(tasks)
    for task in tasks:
        for annotation in task["annotations"]:
            annotation["result"] = [
                r
                for r in annotation["result"]
                if r.get("from_name") not in ("claim", "claim_target", "claim_stance") and r.get("type") != "relation"
            ]
    return tasks


_REAL = json.loads(GOLD.read_text(encoding="utf-8"))[:2]
BASES = {"real": _REAL, "small": _small_export(), "no-claims": _no_claims(_REAL)}
for _path in sorted((ROOT / "tests" / "data").glob("ui_export_*.json")):
    BASES[_path.name] = json.loads(_path.read_text(encoding="utf-8"))


@_settings(80)
@given(
    base=st.sampled_from(sorted(BASES)),
    mutations=st.lists(MUTATION, max_size=4),
    raw=RAW,
    cut_at=st.integers(0, 10**6),
    strict=st.booleans(),
)
def test_mutated_exports(base, mutations, raw, cut_at, strict):
    tree = copy.deepcopy(BASES[base])
    for mutation in mutations:
        tree = _mutate(tree, *mutation)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        export = folder / "export.json"
        export.write_bytes(_serialise(tree, raw, cut_at))
        flags = ["--strict"] if strict else []
        out = folder / "ds"
        result = runner.invoke(app, ["dataset", "build", str(export), "-o", str(out), *flags])
        _check(result, [out], folder)
        if result.exit_code == 0:
            from toolkit.dataset import load_dataset_dir

            load_dataset_dir(out)
        scores = folder / "agreement.json"
        result = runner.invoke(app, ["agreement", str(export), "--json", str(scores), *flags])
        _check(result, [scores], folder)
        if result.exit_code == 0:
            _strict_json(scores)
        preds = folder / "p.jsonl"
        preds.write_text(
            "".join(json.dumps({"doc_id": t["data"]["doc_id"]}) + "\n" for t in BASES[base] if t.get("annotations"))
        )
        scores = folder / "scores.json"
        result = runner.invoke(
            app, ["evaluate", "--gold", str(export), "-p", str(preds), "--n-boot", "100", "--json", str(scores), *flags]
        )
        _check(result, [scores], folder)
        if result.exit_code == 0:
            _strict_json(scores)


# --- predictions files -------------------------------------------------------------------


def _prediction_rows(variant: str) -> list[dict]:
    from toolkit.gold import import_tasks

    records = import_tasks(_REAL, "gold", load_schema()).records
    rows = [{k: r[k] for k in ("doc_id", "actors", "claims", "doc_stances")} for r in records]
    if variant == "nulls":
        for row in rows:
            for claim in row["claims"]:
                claim.update(speaker=None, target=None, stance=None)
    if variant == "no-claims":
        rows = [{"doc_id": r["doc_id"]} for r in rows]
    return json.loads(json.dumps(rows))


PREDICTIONS = {v: _prediction_rows(v) for v in ("perfect", "nulls", "no-claims")}
LINE_RAW = st.sampled_from(
    ["none", "none", "none", "cut", "blank-lines", "u2028", "bad-utf8", "junk-line", "nan", "deep"]
)


def _prediction_bytes(rows: list, raw: str, cut_at: int) -> bytes:
    lines = [json.dumps(row) for row in rows] if isinstance(rows, list) else [json.dumps(rows)]
    if raw == "u2028":
        lines = [line.replace('", "', '\u2028", "', 1) for line in lines]
    data = "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n"
    where = cut_at % max(len(data), 1)
    return {
        "cut": data[:where],
        "blank-lines": data.replace(b"\n", b"\n\n\r\n"),
        "bad-utf8": data[:where] + b"\xc3" + data[where:],
        "junk-line": data[:where] + b"\n}{\n" + data[where:],
        "nan": data.replace(b'"start": ', b'"start": NaN, "s": ', 1),
        "deep": data + b"[" * 50_000 + b"\n",
    }.get(raw, data)


@pytest.fixture(scope="module")
def small_gold(tmp_path_factory):
    """The first two tasks of the bundled gold, the documents the predictions are for."""
    path = tmp_path_factory.mktemp("gold") / "export.json"
    path.write_text(json.dumps(_REAL), encoding="utf-8")
    return path


@_settings(80)
@given(
    base=st.sampled_from(sorted(PREDICTIONS)),
    mutations=st.lists(MUTATION, max_size=4),
    raw=LINE_RAW,
    cut_at=st.integers(0, 10**6),
    strict=st.booleans(),
    report=st.integers(0, 5),
)
def test_mutated_predictions(small_gold, base, mutations, raw, cut_at, strict, report):
    tree = copy.deepcopy(PREDICTIONS[base])
    for mutation in mutations:
        tree = _mutate(tree, *mutation)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        preds = folder / "p.jsonl"
        preds.write_bytes(_prediction_bytes(tree, raw, cut_at))
        flags = ["--strict"] if strict else []
        scores = folder / "scores.json"
        result = runner.invoke(
            app,
            [
                "evaluate",
                "--gold",
                str(small_gold),
                "-p",
                str(preds),
                "--n-boot",
                "100",
                "--json",
                str(scores),
                "--markdown",
                str(folder / "s.md"),
                *flags,
            ],
        )
        _check(result, [scores, folder / "s.md"], folder)
        if result.exit_code == 0:
            _strict_json(scores)
        if report == 0:
            page = folder / "report.html"
            result = runner.invoke(
                app, ["report", "--gold", str(small_gold), "-p", str(preds), "--n-boot", "100", "-o", str(page), *flags]
            )
            _check(result, [page], folder)


# --- source folders and JSONL sources ----------------------------------------------------


def _make_entry(folder: Path, kind: str, index: int) -> None:
    """One folder entry of the given kind (a good document, or something to skip or refuse)."""
    name = f"d{index}"
    if kind == "txt":
        (folder / f"{name}.txt").write_text(f"Document {index}.\r\nSecond line \u2028 here.", encoding="utf-8")
    elif kind == "upper":
        (folder / f"{name.upper()}.TXT").write_text("Upper case suffix.", encoding="utf-8")
    elif kind == "empty":
        (folder / f"{name}.txt").write_text(" \n")
    elif kind == "latin1":
        (folder / f"{name}.txt").write_bytes(b"caf\xe9")
    elif kind == "folder":
        (folder / f"{name}.txt").mkdir()
    elif kind == "fifo":
        os.mkfifo(folder / f"{name}.txt")
    elif kind == "loop":
        (folder / f"{name}.txt").symlink_to(folder / f"{name}.txt")
    elif kind == "broken":
        (folder / f"{name}.txt").symlink_to(folder / "nowhere")
    elif kind == "link":
        (folder / f"{name}.txt").symlink_to(Path(__file__).parent.parent / "seeds" / "000_0a593678015c2e51.txt")
    elif kind == "bad-name":
        (folder / os.fsdecode(f"{name}-caf".encode() + b"\xe9.txt")).write_text("fine text")
    elif kind == "other":
        (folder / f"{name}.md").write_text("notes")
    elif kind == "hidden":
        (folder / f".{name}.txt").write_text("hidden")


ENTRY = st.sampled_from(
    [
        "txt",
        "txt",
        "txt",
        "upper",
        "empty",
        "latin1",
        "folder",
        "fifo",
        "loop",
        "broken",
        "link",
        "bad-name",
        "other",
        "hidden",
    ]
)


@_settings(100)
@given(entries=st.lists(ENTRY, max_size=6), link_output=st.booleans())
def test_source_folders(entries, link_output):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "src"
        folder.mkdir()
        for index, kind in enumerate(entries):
            _make_entry(folder, kind, index)
        out_dir = Path(tmp) / "out"
        out_dir.mkdir()
        out = out_dir / "tasks.json"
        if link_output:
            (Path(tmp) / "real.json").write_text("[]")
            out.symlink_to(Path(tmp) / "real.json")
        result = runner.invoke(app, ["export", str(folder), "-o", str(out)])
        if link_output:
            assert out.is_symlink()
            assert result.exit_code != 0 or (Path(tmp) / "real.json").read_text() != "[]"
            _check(result, [], out_dir)
        else:
            _check(result, [out], out_dir)
        if result.exit_code == 0:
            tasks = _strict_json(out)
            skipped = result.stderr.count("skipped: ")
            assert len(tasks) + skipped == len(os.listdir(folder)), result.output


@_settings(100)
@given(mutations=st.lists(MUTATION, max_size=4), raw=LINE_RAW, cut_at=st.integers(0, 10**6))
def test_jsonl_sources(mutations, raw, cut_at):
    rows = [
        {"doc_id": "a", "text": "First\r\ndocument \u2028 with a separator.", "meta": {"url": "u", "n": 1}},
        {"doc_id": "b", "text": "Second.", "meta": None},
    ]
    for mutation in mutations:
        rows = _mutate(rows, *mutation)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "docs.jsonl"
        source.write_bytes(_prediction_bytes(rows, raw, cut_at))
        out = folder / "out" / "tasks.json"
        (folder / "out").mkdir()
        result = runner.invoke(app, ["export", str(source), "-o", str(out)])
        _check(result, [out], folder / "out")
        if result.exit_code == 0:
            for task in _strict_json(out):
                assert task["data"]["text"].strip() and "\r" not in task["data"]["text"]
