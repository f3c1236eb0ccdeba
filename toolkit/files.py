"""Small file helpers: atomic writes, atomic folder swaps, leftovers of killed runs, fingerprints;
reading a large JSON list in chunks, and pausing the cyclic garbage collector while building.

Every temporary file or folder the toolkit makes beside an output ``NAME`` is called
``.NAME.toolkit-<pid>-<random>`` (a file ends in ``.tmp``). A run that is killed leaves it
behind; the next write of the same output removes such leftovers whose process is gone
(:func:`clean_leftovers`). An output path that is a symlink is written through: the file or
folder it points to is replaced, the link stays.
"""

from __future__ import annotations

import ctypes
import errno
import gc
import hashlib
import json
import mmap
import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; callers fall back to json
    HAS_ORJSON = False
else:
    HAS_ORJSON = True

if TYPE_CHECKING:
    from .records import JSON

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
    removed: list[Path] = []
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
        raise FileExistsError(
            errno.EEXIST, "exists and was not written by the toolkit; choose another folder", shown(path)
        )


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


_gc_pauses = [0]  # how many paused_gc blocks are running (nested ones leave the collector off)
#: Freeze what survives a paused section when it allocated at least this many objects.
FREEZE_AT = 200_000


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (reference counting still frees
    everything), as parsing and building millions of small objects would otherwise trigger
    collections that scan them over and over. On leaving the outermost block the collector is
    turned back on; if the block left many new objects, they are first frozen (``gc.freeze``:
    moved to the permanent generation, never scanned again; they are freed as usual when
    their last reference goes)."""
    enabled = gc.isenabled()
    _gc_pauses[0] += 1
    gc.disable()
    try:
        yield
    finally:
        _gc_pauses[0] -= 1
        if _gc_pauses[0] == 0 and enabled:
            if gc.get_count()[0] >= FREEZE_AT:
                gc.freeze()
            gc.enable()


class Unchunkable(Exception):
    """:func:`json_array_chunks` cannot split this input; read it whole instead."""


_WS = b" \t\n\r"  # JSON whitespace
_MAX_PAD = 4096  # more whitespace than this around the list: read it whole
_TRIES = 4  # candidate cuts tried per chunk before giving up


def _skip_ws(data: mmap.mmap, i: int, step: int, stop: int) -> int:
    """The index of the first non-whitespace byte from ``i`` moving by ``step`` (before ``stop``)."""
    for _ in range(_MAX_PAD):
        if i == stop or data[i] not in _WS:
            return i
        i += step
    raise Unchunkable


class _Wrapper:
    """A reused buffer holding ``[`` + a chunk + ``]`` (a fresh one per chunk would cost page faults)."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def parse(self, view: memoryview, start: int, end: int) -> list[JSON] | None:
        """The values ``view[start:end]`` holds, as a list, if it is one or more complete JSON values
        separated by commas; None if not."""
        length = end - start
        if len(self.buffer) < length + 2:
            self.buffer = bytearray(length + length // 4 + 2)
        buffer = self.buffer
        buffer[0] = 0x5B  # "["
        buffer[1 : length + 1] = view[start:end]
        buffer[length + 1] = 0x5D  # "]"
        with memoryview(buffer) as whole, whole[: length + 2] as chunk:
            try:
                values: list[JSON] = orjson.loads(chunk)
            except orjson.JSONDecodeError:
                return None
            return values


class _Separator(NamedTuple):
    """What separates two elements of the list: the bytes from the whitespace before one
    element's closing brace to the next one's opening brace (and its first key's opening quote,
    if it follows at once), and the offsets from a match to the end of the one element and to
    the start of the next."""

    signature: bytes
    to_end: int
    to_next: int


def _first_comma(data: mmap.mmap, view: memoryview, first: int, last: int) -> int:
    """The offset of the comma after the list's first element (which starts at ``first``)."""
    window = 2**16
    while True:  # parse the first element alone: orjson stops after it, at the comma
        end = min(last, first + window)
        while end < last and data[end] >= 0x80:  # cut between characters
            end += 1
        try:
            orjson.loads(view[first:end])
        except orjson.JSONDecodeError as exc:
            if exc.msg.startswith(("unexpected content after", "trailing")):
                # its position counts characters: turn it into bytes
                head = bytes(view[first : min(end, first + 4 * exc.pos + 4)]).decode("utf-8", "ignore")
                return first + len(head[: exc.pos].encode("utf-8"))
        if end == last:  # one element only, or not JSON
            raise Unchunkable
        window *= 4


def _separator(data: mmap.mmap, view: memoryview, first: int, last: int) -> _Separator:
    """What separates the first two elements of the list (see :class:`_Separator`)."""
    comma = _first_comma(data, view, first, last)
    if comma >= last or data[comma] != 0x2C:
        raise Unchunkable
    close = _skip_ws(data, comma - 1, -1, first)
    if data[close] != 0x7D:  # "}"
        raise Unchunkable
    opening = _skip_ws(data, comma + 1, 1, last)
    if data[opening] != 0x7B:  # "{"
        raise Unchunkable
    lead = close
    while lead > first and data[lead - 1] in _WS and close - lead < _MAX_PAD:
        lead -= 1
    tail = opening + 1 if data[opening + 1] == 0x22 else opening  # '"'
    return _Separator(bytes(data[lead : tail + 1]), close + 1 - lead, opening - lead)


def json_array_chunks(path: str | Path, size: int = 16 * 2**20) -> Iterator[list[dict[str, JSON]]]:
    """The elements of a large JSON list of objects (a Label Studio export) in lists of about
    ``size`` bytes each, parsed with orjson, so that the whole parsed tree is never held at once.

    The file is mapped, not read; the pages of a parsed chunk are given back. Chunks are cut at
    a candidate boundary between two elements (the bytes that separate the first two, e.g.
    ``\\n  },\\n  {``); a cut is verified by parsing the chunk, which succeeds only if it
    holds whole elements, so a candidate inside a nested list is rejected and the next one
    tried. Raises :class:`Unchunkable` when the file is not a non-empty JSON list of objects,
    is not valid JSON, or cannot be cut (few candidates fit): the caller then reads the file
    whole, which also gives the exact error. Chunks already yielded stay valid; a caller must
    not act on them before the generator is exhausted.
    """
    if not HAS_ORJSON:
        raise Unchunkable
    try:
        with open(path, "rb") as handle:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        raise Unchunkable from None
    view = memoryview(data)
    try:
        yield from _chunks(data, view, size)
    finally:
        try:
            view.release()
            data.close()
        except BufferError:  # a slice is still referenced somewhere: the mapping goes with it
            pass


class _Cutter:
    """Cuts the elements of the list (up to its ``]`` at ``closing``) into chunks of about
    ``size`` bytes, at separators verified by parsing (see :func:`json_array_chunks`)."""

    def __init__(self, data: mmap.mmap, view: memoryview, closing: int, size: int) -> None:
        self.data, self.view, self.closing, self.size = data, view, closing, size
        self.wrapper = _Wrapper()
        self.separator: _Separator | None = None  # found at the first cut (a short list needs none)

    def chunk(self, pos: int) -> tuple[list[JSON], int | None]:
        """The elements from ``pos`` to a cut about ``size`` bytes on, and where the next chunk
        starts (None after the last element)."""
        search = pos + self.size
        for _ in range(_TRIES):
            found, end, following = self._candidate(pos, search)
            chunk = self.wrapper.parse(self.view, pos, end)
            if chunk is not None:
                return chunk, following
            if following is None:
                raise Unchunkable
            search = found + 1
        raise Unchunkable

    def _candidate(self, pos: int, search: int) -> tuple[int, int, int | None]:
        """``(match, end of chunk, start of the next)`` of the first separator from ``search``;
        the end of the list (and None) if there is none."""
        if search >= self.closing:
            return -1, self.closing, None
        if self.separator is None:
            self.separator = _separator(self.data, self.view, pos, self.closing)
        found = self.data.find(self.separator.signature, search, self.closing)
        if found < 0:
            return found, self.closing, None
        return found, found + self.separator.to_end, found + self.separator.to_next


def _give_back(data: mmap.mmap, pos: int, given_back: int) -> int:
    """Give the pages of the file before ``pos`` back to the system (they were parsed); returns
    how far the pages given back now reach."""
    done = pos // mmap.PAGESIZE * mmap.PAGESIZE
    if done > given_back and hasattr(data, "madvise") and hasattr(mmap, "MADV_DONTNEED"):
        data.madvise(mmap.MADV_DONTNEED, given_back, done - given_back)
        return done
    return given_back


def _chunks(data: mmap.mmap, view: memoryview, size: int) -> Iterator[list[dict[str, JSON]]]:
    n = len(data)
    opening = _skip_ws(data, 0, 1, n)
    closing = _skip_ws(data, n - 1, -1, -1) if n else -1
    if opening >= n or data[opening] != 0x5B or closing <= opening or data[closing] != 0x5D:  # "[" ... "]"
        raise Unchunkable
    pos = _skip_ws(data, opening + 1, 1, closing)
    if pos >= closing or data[pos] != 0x7B:  # an empty list, or not a list of objects
        raise Unchunkable
    cutter = _Cutter(data, view, closing, size)
    given_back = 0
    while True:
        chunk, following = cutter.chunk(pos)
        if not all(type(item) is dict for item in chunk):
            raise Unchunkable
        yield cast("list[dict[str, JSON]]", chunk)  # every element checked to be an object just above
        if following is None:
            return
        pos = following
        given_back = _give_back(data, pos, given_back)
