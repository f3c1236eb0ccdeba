"""Small file helpers: atomic writes and fingerprints."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A crash or an exception leaves the old file (or no file) in place, never half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; give it normal permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` as UTF-8, atomically (see :func:`atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def dump_json(data: Any) -> str:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8 kept as is, trailing newline."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def atomic_write_json(path: str | Path, data: Any) -> Path:
    """Write ``data`` as deterministic JSON, atomically."""
    return atomic_write_text(path, dump_json(data))


def sha256_text(text: str) -> str:
    """Hex SHA-256 of the UTF-8 bytes of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(data: Any) -> str:
    """A short, stable fingerprint of JSON-ready data (first 16 hex digits of SHA-256)."""
    return sha256_text(json.dumps(data, ensure_ascii=False, sort_keys=True))[:16]


BUILD_MARKER = ".toolkit-build"  # marks a folder the toolkit wrote, so it may replace it


@contextmanager
def atomic_dir(path: str | Path) -> Iterator[Path]:
    """Build a folder in a temporary sibling and swap it in at the end.

    Yields the temporary folder. On success it takes the place of ``path``; an old folder
    there is replaced only if it is empty or was written by the toolkit (else
    :class:`OSError`), and it is moved aside first so a failed swap restores it. On any
    exception the temporary folder is deleted and ``path`` is left as it was.
    """
    path = Path(path).resolve()
    if path.exists() and (not path.is_dir() or (any(path.iterdir()) and not (path / BUILD_MARKER).exists())):
        raise FileExistsError(errno.EEXIST, "exists and was not written by the toolkit; choose another folder", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    old = path.parent / f"{tmp.name}.old"
    try:
        yield tmp
        (tmp / BUILD_MARKER).touch()
        if path.exists():
            path.rename(old)
        try:
            tmp.rename(path)
        except BaseException:
            if old.exists():
                old.rename(path)
            raise
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
