"""Atomic files and folders: no moment without output, leftovers of killed runs, symlinks."""

import json
import os
import subprocess
import sys
import threading

import pytest

from toolkit import files as io
from toolkit.files import (
    BUILD_MARKER,
    Unchunkable,
    atomic_dir,
    atomic_write_json,
    atomic_write_text,
    clean_leftovers,
    json_array_chunks,
)


def _build(path, content):
    with atomic_dir(path) as tmp:
        (tmp / "data.txt").write_text(content)


def test_folder_is_replaced_and_nothing_is_left_beside_it(tmp_path):
    _build(tmp_path / "ds", "old")
    _build(tmp_path / "ds", "new")
    assert (tmp_path / "ds" / "data.txt").read_text() == "new" and (tmp_path / "ds" / BUILD_MARKER).exists()
    assert os.listdir(tmp_path) == ["ds"]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "rename-aside"])
def test_a_failed_build_leaves_the_old_folder(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(io, "exchange", lambda a, b: False)
    _build(tmp_path / "ds", "old")
    with pytest.raises(RuntimeError), atomic_dir(tmp_path / "ds") as tmp:
        (tmp / "data.txt").write_text("half")
        raise RuntimeError("boom")
    assert (tmp_path / "ds" / "data.txt").read_text() == "old" and os.listdir(tmp_path) == ["ds"]
    _build(tmp_path / "ds", "new")
    assert (tmp_path / "ds" / "data.txt").read_text() == "new" and os.listdir(tmp_path) == ["ds"]


def test_no_moment_without_a_folder(tmp_path):  # renameat2 is Linux's; CI and these machines are Linux
    path = tmp_path / "ds"
    _build(path, "0")
    assert io.exchange(tmp_path / "ds", tmp_path / "ds")  # the system call is there and works here
    gaps, done = [], threading.Event()

    def watch():
        while not done.is_set():
            if not os.path.isdir(path):
                gaps.append(1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for i in range(200):
            _build(path, str(i))
    finally:
        done.set()
        watcher.join()
    assert gaps == [] and (path / "data.txt").read_text() == "199"


def test_a_folder_not_written_by_the_toolkit_is_refused(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(FileExistsError):
        _build(tmp_path / "mine", "x")
    assert os.listdir(tmp_path / "mine") == ["notes.txt"]


_KILLED_DIR = """
import os, signal, sys
from toolkit.files import atomic_dir
with atomic_dir(sys.argv[1]) as tmp:
    (tmp / "half.txt").write_text("half")
    os.kill(os.getpid(), signal.SIGKILL)
"""
_KILLED_FILE = """
import os, signal, sys
from pathlib import Path
import toolkit.files as io
real = os.replace
def die(*args):
    os.kill(os.getpid(), signal.SIGKILL)
os.replace = die
io.atomic_write_text(sys.argv[1], "new")
"""


@pytest.mark.parametrize("script, name", [(_KILLED_DIR, "ds"), (_KILLED_FILE, "out.json")])
def test_leftovers_of_killed_runs_are_removed_next_time(tmp_path, script, name):
    target = tmp_path / name
    run = subprocess.run([sys.executable, "-c", script, str(target)], capture_output=True, check=False)
    assert run.returncode == -9, run.stderr
    leftovers = [p for p in os.listdir(tmp_path) if p.startswith(f".{name}.toolkit-")]
    assert len(leftovers) == 1
    unrelated = tmp_path / f".{name}.mine"
    unrelated.write_text("not ours")
    if name == "ds":
        _build(target, "ok")
    else:
        atomic_write_text(target, "ok")
    assert sorted(os.listdir(tmp_path)) == sorted([name, unrelated.name])


def test_a_running_process_keeps_its_temporary_files(tmp_path):
    ours = tmp_path / f".out.json.toolkit-{os.getpid()}-abcd.tmp"
    ours.write_text("in progress")
    assert clean_leftovers(tmp_path / "out.json") == [] and ours.exists()


def test_symlinked_outputs_are_written_through(tmp_path):
    (tmp_path / "real").mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "real" / "out.json")
    atomic_write_json(link, {"a": 1})
    assert link.is_symlink() and (tmp_path / "real" / "out.json").read_text() == '{\n  "a": 1\n}\n'
    folder_link = tmp_path / "ds"
    folder_link.symlink_to(tmp_path / "real" / "ds")
    _build(folder_link, "one")
    _build(folder_link, "two")
    assert folder_link.is_symlink() and (tmp_path / "real" / "ds" / "data.txt").read_text() == "two"
    assert sorted(os.listdir(tmp_path / "real")) == ["ds", "out.json"]


def test_nan_is_not_written_as_json(tmp_path):
    with pytest.raises(ValueError):
        atomic_write_json(tmp_path / "x.json", {"a": float("nan")})
    assert os.listdir(tmp_path) == []


def test_an_earlier_versions_finished_leftover_is_removed(tmp_path):
    old = tmp_path / ".ds.k2j_x9a1.old"
    old.mkdir()
    (old / BUILD_MARKER).touch()
    partial = tmp_path / ".ds.abcdefgh"
    partial.mkdir()  # no marker: not known to be ours, kept
    _build(tmp_path / "ds", "new")
    assert sorted(os.listdir(tmp_path)) == [".ds.abcdefgh", "ds"]


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
