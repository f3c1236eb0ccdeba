"""Read source articles and turn them into Label Studio tasks.

Text normalisation happens here and only here (:func:`normalize_text`): CRLF and lone CR
become LF, and a leading byte-order mark is dropped. Nothing else is changed, so offsets
into the normalised text are Python slice offsets (Unicode code points), which is what
Label Studio's ``<Text>`` stores for plain text.

In a folder, every ``.txt`` file (any case: ``.TXT`` too) is a document; every other entry
(other files, folders, FIFOs, broken symlinks and symlink loops, names that are not UTF-8) is
skipped and reported by :func:`read_tasks`. JSONL lines are split on ``\\n`` only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SourceError
from .files import dump_json, sha256_text, shown
from .gold import parse_json, valid_string


def normalize_text(text: str) -> str:
    """The one normalisation the toolkit applies: drop a BOM, turn CRLF and CR into LF."""
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class Document:
    """A source article: ``text`` is already normalised."""

    doc_id: str
    text: str
    meta: dict = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return sha256_text(self.text)


def _decode(raw: bytes, where: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{where}: not valid UTF-8 (byte {exc.start})") from None
    text = normalize_text(text)
    if not text.strip():
        raise SourceError(f"{where}: empty document")
    return text


#: Why a folder entry is skipped: the first check it fails, in this order.
_SKIP_CHECKS: tuple[tuple[Callable[[Path], bool], str], ...] = (
    (lambda e: not valid_string(e.name), "its name is not valid UTF-8"),
    (lambda e: e.suffix.lower() != ".txt", "not a .txt file"),
    (lambda e: e.is_symlink() and not e.exists(), "a broken symlink or a symlink loop"),
    (Path.is_dir, "a folder"),
    (lambda e: not e.is_file(), "not a regular file (a FIFO, socket or device)"),
    (lambda e: not e.stem.strip(), "no name before .txt"),
)


def _skip_reason(entry: Path) -> str | None:
    """Why a folder entry is not read as a document (None: it is a ``.txt`` file to read)."""
    return next((reason for check, reason in _SKIP_CHECKS if check(entry)), None)


def _read_folder(folder: Path) -> tuple[list[Document], list[str]]:
    """The ``.txt`` files of ``folder`` (``.TXT`` too) and, for every other entry, why it was skipped."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: os.fsencode(p.name))
    except OSError as exc:
        raise SourceError(f"{shown(folder)}: cannot list it ({exc.strerror or exc.__class__.__name__})") from None
    docs, skipped = [], []
    for entry in entries:
        reason = _skip_reason(entry)
        if reason:
            skipped.append(f"{shown(entry)}: {reason}")
            continue
        try:
            raw = entry.read_bytes()
        except OSError as exc:
            raise SourceError(f"{shown(entry)}: cannot read it ({exc.strerror or exc.__class__.__name__})") from None
        docs.append(Document(entry.stem, _decode(raw, shown(entry)), {"source_file": entry.name}))
    if not docs:
        raise SourceError(
            f"{shown(folder)}: no .txt files" + (f" ({len(skipped)} other entries skipped)" if skipped else "")
        )
    return docs, skipped


def _jsonl_row(raw: str, where: str) -> Document:
    """One JSONL line as a document; :class:`SourceError` naming the line if it does not fit."""
    try:
        row = parse_json(raw)
    except ValueError as exc:
        raise SourceError(
            f"{where}: not a JSON object ({exc.__class__.__name__}: {' '.join(str(exc).split())[:80]})"
        ) from None
    if not isinstance(row, dict) or not valid_string(row.get("doc_id")) or not row["doc_id"]:
        raise SourceError(f"{where}: needs a non-empty string 'doc_id'")
    if not valid_string(row.get("text")):
        raise SourceError(f"{where}: needs a string 'text' (valid Unicode)")
    text = normalize_text(row["text"])
    if not text.strip():
        raise SourceError(f"{where}: empty document '{shown(row['doc_id'])}'")
    meta = row.get("meta")
    meta = {} if meta is None else meta
    if not isinstance(meta, dict):
        raise SourceError(f"{where}: 'meta' must be an object")
    try:
        dump_json(meta).encode("utf-8")
    except (ValueError, UnicodeEncodeError, RecursionError):
        raise SourceError(
            f"{where}: 'meta' holds a value JSON cannot store (a lone surrogate, or nested too deeply)"
        ) from None
    return Document(row["doc_id"], text, meta)


def _read_jsonl(path: Path) -> list[Document]:
    """Documents of a JSONL file, one per line; lines are split on ``\\n`` only."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{shown(path)}: cannot read it ({exc.strerror or exc.__class__.__name__})") from None
    docs = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        where = f"{shown(path)}:{number}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(f"{where}: not valid UTF-8 (byte {exc.start})") from None
        docs.append(_jsonl_row(line, where))
    if not docs:
        raise SourceError(f"{shown(path)}: no documents")
    return docs


def read_documents(source: str | Path) -> tuple[list[Document], list[str]]:
    """Read a folder of ``.txt`` files (doc id = file stem) or a ``.jsonl`` file; returns the
    documents and the folder entries that were skipped, each with the reason.

    Raises :class:`SourceError` for a missing path, an empty or non-UTF-8 document, or a
    doc id that occurs twice.
    """
    path = Path(source)
    if not path.exists():
        raise SourceError(f"{shown(path)}: no such file or folder")
    skipped: list[str] = []
    if path.is_dir():
        docs, skipped = _read_folder(path)
    elif path.suffix.lower() == ".jsonl":
        docs = _read_jsonl(path)
    else:
        raise SourceError(f"{shown(path)}: expected a folder of .txt files or a .jsonl file")
    seen: set[str] = set()
    for doc in docs:
        if doc.doc_id in seen:
            raise SourceError(f"{shown(path)}: duplicate doc_id '{shown(doc.doc_id)}'")
        seen.add(doc.doc_id)
    return docs, skipped


def read_sources(source: str | Path) -> list[Document]:
    """The documents at ``source`` (see :func:`read_documents`)."""
    return read_documents(source)[0]


def to_task(doc: Document) -> dict:
    """One Label Studio import task for ``doc``."""
    return {"data": {"text": doc.text, "doc_id": doc.doc_id, "sha256": doc.sha256, "meta": doc.meta}}


def build_tasks(source: str | Path) -> list[dict]:
    """Label Studio import JSON (a list of tasks) for the documents at ``source``, in doc id order."""
    return read_tasks(source)[0]


def read_tasks(source: str | Path) -> tuple[list[dict], list[str]]:
    """:func:`build_tasks` plus the source folder entries that were skipped, each with the reason."""
    docs, skipped = read_documents(source)
    return [to_task(doc) for doc in sorted(docs, key=lambda d: d.doc_id)], skipped
