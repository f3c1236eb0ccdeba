import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import SEEDS
from toolkit.cli import app
from toolkit.errors import SourceError
from toolkit.files import sha256_text
from toolkit.tasks import build_tasks, normalize_text

runner = CliRunner()


def test_seeds_become_five_tasks(tmp_path):
    out = tmp_path / "tasks.json"
    result = runner.invoke(app, ["export", str(SEEDS), "-o", str(out)])
    assert result.exit_code == 0, result.output
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert len(tasks) == 5
    for task in tasks:
        data = task["data"]
        source = (SEEDS / f"{data['doc_id']}.txt").read_bytes().decode("utf-8")
        assert data["text"] == normalize_text(source)
        assert data["sha256"] == sha256_text(data["text"])
        assert data["meta"]["source_file"] == f"{data['doc_id']}.txt"


def test_output_is_deterministic(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    runner.invoke(app, ["export", str(SEEDS), "-o", str(a)])
    runner.invoke(app, ["export", str(SEEDS), "-o", str(b)])
    assert a.read_bytes() == b.read_bytes()


def test_crlf_and_bom_are_normalised(tmp_path):
    (tmp_path / "d.txt").write_bytes("\ufeffLine one\r\nLine two\rthree\n".encode())
    [task] = build_tasks(tmp_path)
    assert task["data"]["text"] == "Line one\nLine two\nthree\n"


@given(st.text())
def test_normalisation_leaves_no_cr_and_is_idempotent(text):
    once = normalize_text(text)
    assert "\r" not in once
    assert normalize_text(once) == once


def test_jsonl_sources_keep_meta(tmp_path):
    src = tmp_path / "docs.jsonl"
    src.write_text(
        '{"doc_id": "b", "text": "B text", "meta": {"url": "u"}}\n\n{"doc_id": "a", "text": "A\\r\\ntext"}\n'
    )
    tasks = build_tasks(src)
    assert [t["data"]["doc_id"] for t in tasks] == ["a", "b"]
    assert tasks[0]["data"]["text"] == "A\ntext"
    assert tasks[1]["data"]["meta"] == {"url": "u"}


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda p: p / "missing", "no such file or folder"),
        (lambda p: (p / "e.txt").write_text("  \n") and p, "empty document"),
        (lambda p: (p / "x.txt").write_bytes(b"caf\xe9") and p, "not valid UTF-8"),
        (
            lambda p: (
                (p / "d.jsonl").write_text('{"doc_id": "a", "text": "x"}\n{"doc_id": "a", "text": "y"}\n')
                and p / "d.jsonl"
            ),
            "duplicate doc_id 'a'",
        ),
        (
            lambda p: (p / "d.jsonl").write_text('{"doc_id": "a", "text": "x"}\n{"doc_id": "b", "te') and p / "d.jsonl",
            "d.jsonl:2",
        ),
        (lambda p: (p / "d.jsonl").write_text('{"text": "x"}\n') and p / "d.jsonl", "doc_id"),
    ],
)
def test_bad_sources_give_one_line_and_write_nothing(tmp_path, setup, message):
    src_dir = tmp_path / "src"
    src_dir.mkdir()
    source = setup(src_dir)
    out = tmp_path / "tasks.json"
    with pytest.raises(SourceError, match=message):
        build_tasks(source)
    result = runner.invoke(app, ["export", str(source), "-o", str(out)])
    assert result.exit_code == 1
    assert message in result.output and result.stderr.strip().count("\n") == 0
    assert not out.exists()


def test_unwritable_output_is_one_line(tmp_path):
    result = runner.invoke(app, ["export", str(SEEDS), "-o", "/proc/no/such/tasks.json"])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.output
