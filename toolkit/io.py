"""Small file helpers: atomic writes, atomic folder swaps, leftovers of killed runs, fingerprints.

Every temporary file or folder the toolkit makes beside an output ``NAME`` is called
``.NAME.toolkit-<pid>-<random>`` (a file ends in ``.tmp``). A run that is killed leaves it
behind; the next write of the same output removes such leftovers whose process is gone
(:func:`clean_leftovers`). An output path that is a symlink is written through: the file or
folder it points to is replaced, the link stays.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BUILD_MARKER = ".toolkit-build"  # marks a folder the toolkit wrote, so it may replace it
_TAG = "toolkit-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def shown(path: object) -> str:
    """``path`` as printable text: bytes of a file name that is not UTF-8 (kept by Python as
    lone surrogates) become ``\\xNN`` escapes, so a message about the file can be printed."""
    text = os.fspath(path) if isinstance(path, os.PathLike) else str(path)
    if not isinstance(text, str):
        return repr(text)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte: show its code
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _temp_name(path: Path, suffix: str = "") -> Path:
    """A fresh sibling name for a temporary copy of ``path`` (see the module docstring)."""
    return path.parent / f".{path.name}.{_TAG}{os.getpid()}-{secrets.token_hex(4)}{suffix}"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def clean_leftovers(path: str | Path) -> list[Path]:
    """Remove temporary files and folders that killed runs left beside ``path``; returns them.

    Only names the toolkit makes (``.NAME.toolkit-<pid>-<hex>[.tmp|.old]``) whose process no
    longer runs are removed, so a concurrent run's work in progress is never touched; and
    folders an earlier version left (``.NAME.xxxxxxxx[.old]``) holding the toolkit's build marker.
    """
    path = Path(path)
    pattern = re.compile(rf"\.{re.escape(path.name)}\.{_TAG}(\d+)-[0-9a-f]+(\.tmp|\.old)?")
    before = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}(\.old)?")  # earlier versions' mkdtemp names
    removed = []
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and _alive(int(match.group(1))):
            continue
        if not match and not (before.fullmatch(entry.name) and (entry / BUILD_MARKER).is_file()):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def _through_link(path: str | Path) -> Path:
    """The path to write: the target of a symlink (so the link stays), else ``path`` itself."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A crash or an exception leaves the old file (or no file) in place, never half a file. A
    symlink at ``path`` is written through. Returns ``path``.
    """
    target = _through_link(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(target)
    tmp = _temp_name(target, ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for any new file
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Path(path)


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` as UTF-8, atomically (see :func:`atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def dump_json(data: Any) -> str:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8 kept as is, trailing newline.

    NaN and infinities are refused (:class:`ValueError`): they are not JSON.
    """
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n"


def atomic_write_json(path: str | Path, data: Any) -> Path:
    """Write ``data`` as deterministic JSON, atomically."""
    return atomic_write_text(path, dump_json(data))


def sha256_text(text: str) -> str:
    """Hex SHA-256 of the UTF-8 bytes of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(data: Any) -> str:
    """A short, stable fingerprint of JSON-ready data (first 16 hex digits of SHA-256)."""
    return sha256_text(json.dumps(data, ensure_ascii=False, sort_keys=True))[:16]


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where
    the system or file system cannot, so the caller falls back."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _check_replaceable(path: Path) -> None:
    """An existing output folder may be replaced only if empty or written by the toolkit."""
    if path.exists() and (not path.is_dir() or (any(path.iterdir()) and not (path / BUILD_MARKER).exists())):
        raise FileExistsError(errno.EEXIST, "exists and was not written by the toolkit; choose another folder", shown(path))


def _swap_in(tmp: Path, path: Path) -> None:
    """Put the finished folder ``tmp`` at ``path``. With an old folder there, the two are
    exchanged atomically where possible (no moment without a folder at ``path``), else the old
    one is moved aside first and restored if the move fails. The old copy is then deleted."""
    if not path.exists():
        tmp.rename(path)
        return
    if exchange(tmp, path):
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = _temp_name(path, ".old")
    path.rename(old)
    try:
        tmp.rename(path)
    except BaseException:
        old.rename(path)
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def atomic_dir(path: str | Path) -> Iterator[Path]:
    """Build a folder in a temporary sibling and swap it in at the end.

    Yields the temporary folder. On success it takes the place of ``path`` (see
    :func:`_swap_in`); an old folder there is replaced only if it is empty or was written by
    the toolkit (else :class:`OSError`). A symlink at ``path`` is written through. On any
    exception the temporary folder is deleted and ``path`` is left as it was. Leftovers of
    killed runs beside ``path`` are removed first.
    """
    path = Path(os.path.realpath(path))
    _check_replaceable(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(path)
    tmp = _temp_name(path)
    tmp.mkdir()
    try:
        yield tmp
        (tmp / BUILD_MARKER).touch()
        _swap_in(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
