"""`toolkit predict`: sharded, resumable predictions over a corpus, locally and through Ray Data.

The corpus is 200 short generated news items plus the bundled seeds. The kill tests start the
real command, SIGKILL its process group once some shards exist, run it again and check that the
finished shards were left alone and that the result equals a clean run's.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from toolkit.errors import ToolkitError
from toolkit.extractors import get_extractor
from toolkit.predict import (
    MANIFEST,
    PREDICTION_SCHEMA,
    predict,
    read_corpus,
    read_prediction_shards,
    record_to_row,
    shard_name,
)
from toolkit.project import bundled_example
from toolkit.records import empty_record
from toolkit.tasks import Document, read_sources

EXAMPLE = bundled_example()
SHARD = 5

_PEOPLE = [
    "Sergey Lavrov",
    "Antony Blinken",
    "Recep Tayyip Erdogan",
    "Ayman Safadi",
    "Sameh Shoukry",
    "Mikhail Bogdanov",
    "Maria Zakharova",
    "Wang Yi",
    "Josep Borrell",
    "Hakan Fidan",
]
_TITLES = ["Foreign Minister", "Deputy Foreign Minister", "spokeswoman", "President", "envoy"]
_PLACES = ["Moscow", "Cairo", "Ankara", "Doha", "Amman", "Beijing", "Brussels", "Riyadh"]
_VERBS = ["said", "stated", "told reporters", "stressed", "warned", "insisted"]
_CLAIMS = [
    "an immediate ceasefire in Gaza is the only way to stop the suffering of civilians",
    "humanitarian corridors must be opened without delay",
    "the release of all hostages held by Hamas should come first",
    "Israel has the right to defend itself but must respect international law",
    "the blockade of Gaza is unacceptable and must be lifted",
    "Hamas bears responsibility for the escalation",
    "the two-state solution remains the basis for a lasting settlement",
    "Russia is ready to mediate between the parties",
]


def make_corpus(n: int = 200, seed: int = 7) -> list[dict]:
    """``n`` short generated news items ({doc_id, text}), deterministic for a seed."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        person, place = rng.choice(_PEOPLE), rng.choice(_PLACES)
        lines = [
            f"{person} meets counterparts in {place}",
            f"In {place}, {rng.choice(_TITLES)} {person} held talks on the war in Gaza.",
        ]
        lines.extend(
            f"{rng.choice(_PEOPLE)} {rng.choice(_VERBS)} that {rng.choice(_CLAIMS)}." for _ in range(rng.randint(2, 4))
        )
        lines.append(f"\u201c{rng.choice(_CLAIMS).capitalize()},\u201d {person.split()[-1]} said.")
        docs.append({"doc_id": f"gen-{i:04d}", "text": "\n".join(lines)})
    return docs


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The generated items plus the bundled seeds, as one JSONL file (205 documents)."""
    seeds = [{"doc_id": d.doc_id, "text": d.text} for d in read_sources(EXAMPLE.sources)]
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in make_corpus() + seeds), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def clean(corpus, schema, tmp_path_factory) -> Path:
    """A clean, uninterrupted local run with two workers."""
    out = tmp_path_factory.mktemp("clean") / "out"
    result = predict(corpus, "rules", schema, out, shard_size=SHARD, workers=2)
    assert (result.documents, result.shards, result.written, result.resumed) == (205, 41, 41, 0)
    return out


def tables(out: Path) -> dict[str, pa.Table]:
    return {p.name: pq.read_table(p) for p in sorted(out.glob("shard-*.parquet"))}


def snapshot(out: Path) -> dict[str, tuple[int, int]]:
    """Inode and mtime of every shard: a rewritten shard (temp file + rename) changes both."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("shard-*.parquet")}


def test_clean_run_holds_every_document_in_doc_id_order(clean, corpus, schema):
    docs = sorted(read_sources(corpus), key=lambda d: d.doc_id)
    manifest = json.loads((clean / MANIFEST).read_text())
    assert (manifest["extractor"]["name"], manifest["shard_size"], manifest["shard_count"]) == ("rules", SHARD, 41)
    assert manifest["schema"]["fingerprint"] == schema.fingerprint
    shards = tables(clean)
    assert list(shards) == [shard_name(i) for i in range(41)]
    for i, table in enumerate(shards.values()):
        assert table.schema.remove_metadata() == PREDICTION_SCHEMA
        assert table.column("doc_id").to_pylist() == [d.doc_id for d in docs[i * SHARD : (i + 1) * SHARD]]
    extractor = get_extractor("rules", schema=schema)
    expected = [record_to_row(r, d.sha256) for r, d in zip(extractor.extract(docs), docs, strict=True)]
    assert pa.concat_tables(shards.values()).to_pylist() == expected


def _kill_halfway(args: list[str], out: Path, cwd: Path, timeout: float) -> dict:
    """Start `toolkit predict ARGS`, SIGKILL its whole process group once a shard exists; the
    shards on disk then (inode, mtime)."""
    proc = subprocess.Popen(
        [shutil.which("toolkit") or "toolkit", "predict", *args],
        cwd=cwd,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + timeout
    try:
        while not any(out.glob("shard-*.parquet")):
            assert proc.poll() is None, f"predict ended before writing a shard: {proc.stderr.read().decode()[-2000:]}"
            assert time.monotonic() < deadline, "no shard written in time"
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    time.sleep(0.5)  # nothing of the killed run may write after this
    return snapshot(out)


def _resume_and_compare(before: dict, args: list[str], out: Path, cwd: Path, clean: Path) -> None:
    assert 0 < len(before) < 41, f"the kill came too late or too early: {len(before)} shards"
    done = subprocess.run(
        [shutil.which("toolkit") or "toolkit", "predict", *args],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{len(before)} shard(s) already done" in done.stdout
    after = snapshot(out)
    assert {name: after[name] for name in before} == before  # finished shards were not rewritten
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST, *tables(clean)])  # no temporary leftovers
    assert tables(out).keys() == tables(clean).keys()
    for name, table in tables(out).items():
        assert table.equals(tables(clean)[name]), name


def test_killed_local_run_resumes_without_redoing_finished_shards(corpus, clean, tmp_path):
    out = tmp_path / "out"
    args = [str(corpus), "-e", "rules", "-o", str(out), "--shard-size", str(SHARD), "--workers", "2"]
    before = _kill_halfway(args, out, tmp_path, timeout=60)
    _resume_and_compare(before, args, out, tmp_path, clean)


def test_killed_ray_run_resumes_without_redoing_finished_shards(corpus, clean, tmp_path):
    import ray.data  # noqa: F401 - installed by the test extra; a missing ray must fail, not skip

    out = tmp_path / "out"
    args = [
        str(corpus),
        "-e",
        "rules",
        "-o",
        str(out),
        "--shard-size",
        str(SHARD),
        "--workers",
        "2",
        "--engine",
        "ray",
        "--batch-size",
        str(SHARD),
    ]
    before = _kill_halfway(args, out, tmp_path, timeout=120)
    _resume_and_compare(before, args, out, tmp_path, clean)


class EmptyExtractor:
    """Another extractor: finds nothing."""

    name, version = "empty", "0"

    def extract(self, docs):
        return [empty_record(d.doc_id) for d in docs]


def test_resume_with_other_settings_is_refused(corpus, clean, schema, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(clean, out)
    before = snapshot(out)
    with pytest.raises(ToolkitError, match=r"another run \(extractor .*rules.* there, .*empty.* now\)"):
        predict(corpus, "test_predict:EmptyExtractor", schema, out, shard_size=SHARD, workers=1)
    with pytest.raises(ToolkitError, match=r"shard size 5 there, 7 now"):
        predict(corpus, "rules", schema, out, shard_size=7, workers=1)
    grown = tmp_path / "grown.jsonl"
    grown.write_text(corpus.read_text() + json.dumps({"doc_id": "zzz", "text": "One more."}) + "\n")
    with pytest.raises(ToolkitError, match=r"another run \(corpus "):
        predict(grown, "rules", schema, out, shard_size=SHARD, workers=1)
    assert snapshot(out) == before
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ToolkitError, match=r"holds no manifest\.json"):
        predict(corpus, "rules", schema, tmp_path / "other", shard_size=SHARD, workers=1)


def test_evaluate_reads_the_shards(clean, schema):
    from toolkit.gold_sources import load_gold

    gold = load_gold(list(EXAMPLE.gold), None, EXAMPLE.schema)
    system = read_prediction_shards(clean, gold.schema, gold.records)
    assert (system.name, system.version, system.problems) == ("out", "rules 1.1", [])
    assert system.skipped["documents_not_in_gold"] == 200
    extractor = get_extractor("rules", schema=gold.schema)
    direct = extractor.extract([Document(r["doc_id"], r["text"]) for r in gold.records])
    by_id = {r["doc_id"]: r for r in system.records}
    for record in direct:
        got = by_id[record["doc_id"]]
        assert {k: got[k] for k in ("actors", "claims", "doc_stances")} == {
            k: record[k] for k in ("actors", "claims", "doc_stances")
        }


def test_evaluate_scores_shards_as_the_extractor_itself(clean):
    from toolkit import evaluate
    from toolkit.gold_sources import load_gold

    gold = load_gold(list(EXAMPLE.gold), None, EXAMPLE.schema)
    shards = read_prediction_shards(clean, gold.schema, gold.records)
    direct = evaluate.run_extractor(get_extractor("rules", schema=gold.schema), gold.records, gold.schema)
    result = evaluate.evaluate(gold.records, gold.meta, [shards, direct], gold.schema, n_boot=100)
    a, b = (result["systems"][name] for name in ("out", "rules"))
    assert a["headline"] == b["headline"] and a["actors"] == b["actors"] and a["doc_stance"] == b["doc_stance"]


def test_unfinished_run_and_one_shard(clean, schema, tmp_path):
    from toolkit.gold_sources import load_gold

    gold = load_gold(list(EXAMPLE.gold), None, EXAMPLE.schema)
    partial = tmp_path / "partial"
    shutil.copytree(clean, partial)
    (partial / shard_name(3)).unlink()
    with pytest.raises(ToolkitError, match="40 of 41 shards: the run has not finished"):
        read_prediction_shards(partial, gold.schema, gold.records)
    one = read_prediction_shards(clean / shard_name(0), gold.schema, gold.records)
    assert one.version == "rules 1.1" and len(one.records) == 5  # the seeds' ids sort first: shard 0 holds them


def test_corpus_from_parquet_and_a_saved_dataset(corpus, tmp_path):
    import datasets

    docs = read_corpus(corpus)
    rows = [{"doc_id": d.doc_id, "text": d.text, "extra": 1} for d in docs]
    table = pa.Table.from_pylist(rows[::-1])
    pq.write_table(table, tmp_path / "one.parquet")
    folder = tmp_path / "parts"
    folder.mkdir()
    pq.write_table(table.slice(0, 100), folder / "a.parquet")
    pq.write_table(table.slice(100), folder / "b.parquet")
    datasets.Dataset.from_list(rows).save_to_disk(str(tmp_path / "saved"))
    datasets.DatasetDict({"train": datasets.Dataset.from_list(rows)}).save_to_disk(str(tmp_path / "saved_dict"))
    for source in ("one.parquet", "parts", "saved", "saved_dict"):
        assert read_corpus(tmp_path / source) == docs, source
    pq.write_table(pa.table({"id": ["a"], "text": ["x"]}), tmp_path / "bad.parquet")
    with pytest.raises(ToolkitError, match="no column 'doc_id'"):
        read_corpus(tmp_path / "bad.parquet")


def test_missing_ray_is_one_line_naming_the_extra(corpus, schema, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ToolkitError, match=r"pip install 'stance-toolkit\[ray\]'"):
        predict(corpus, "rules", schema, tmp_path / "out", engine="ray")
    assert not (tmp_path / "out").exists()


def test_evaluate_cli_reads_the_shard_folder(clean, tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    out = tmp_path / "scores.json"
    result = CliRunner().invoke(app, ["evaluate", "-p", str(clean), "--n-boot", "100", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert list(json.loads(out.read_text())["systems"]) == ["out"]
