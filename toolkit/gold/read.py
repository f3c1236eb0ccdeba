"""Reading JSON exactly as :func:`json.loads` reads it, fast: Label Studio exports and JSONL lines.

orjson parses several times faster than ``json``, but differs from it at the edges: it refuses
lone surrogates and very deep nesting, reads an integer beyond 64 bits as a float, and words
every error differently. :func:`_loads` uses orjson where its value is the one ``json`` gives
and ``json`` everywhere else, so values and error messages are ``json``'s.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, NoReturn, cast

try:  # a fast JSON parser; every value it gives is checked to be what ``json`` gives (see _loads)
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; json alone gives the same results
    HAS_ORJSON = False
else:
    HAS_ORJSON = True

from ..errors import GoldError
from ..files import shown
from ..records import JSON


def _no_constant(name: str) -> NoReturn:
    """``parse_constant`` for :func:`json.loads`: NaN and infinities are not JSON."""
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text: str) -> Any:
    """``json.loads`` that refuses NaN and infinities; every failure is a :class:`ValueError`
    (also too deep nesting and integers too long to read). Parsed with orjson when it gives the
    same value (see :func:`_loads`). Typed ``Any`` as :func:`json.loads` is: callers check the
    shape of what they get."""
    return _loads(text, text)


_BIG = 2.0**63  # orjson reads an integer beyond 64 bits as a float at least this large


def _big_float(node: JSON) -> bool:
    """Does a parsed JSON value hold a float of magnitude at least 2**63? orjson gives one for an
    integer literal that does not fit 64 bits (``json`` gives the int), so such a value is
    parsed again with ``json``."""
    values: Iterable[JSON]
    if type(node) is dict:
        values = node.values()
    elif type(node) is list:
        values = node
    else:
        return type(node) is float and not -_BIG < node < _BIG
    for value in values:
        kind = type(value)
        if kind is str or kind is int:
            continue
        if isinstance(value, float):
            if not -_BIG < value < _BIG:
                return True
        elif (kind is dict or kind is list) and value and _big_float(value):
            return True
    return False


class _Slow(enum.Enum):
    """:func:`_fast_loads` cannot give ``json``'s value: parse with ``json``."""

    SLOW = enum.auto()


_SLOW = _Slow.SLOW
_DIGITS = bytes(0x30 if 0x30 <= i <= 0x39 else 0x61 for i in range(256))  # digits to "0", the rest to "a"


def _fast_loads(data: bytes | str | memoryview) -> JSON | Literal[_Slow.SLOW]:
    """orjson's value of ``data``, or :data:`_SLOW` where it may differ from ``json``'s: orjson
    refuses what ``json`` accepts (lone surrogates, too deep nesting) or reads differently
    (integers beyond 64 bits), and every error message differs. Apart from those integers (found
    by :func:`_big_float`), a value orjson accepts is exactly the value ``json`` gives."""
    if not HAS_ORJSON:
        return _SLOW
    try:
        value: JSON = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _SLOW
    if type(data) is str and data.isascii() and data.encode("ascii").translate(_DIGITS).find(b"0" * 19) < 0:
        return value  # no integer of 19 digits (cheaper to find out than walking the value)
    return _SLOW if _big_float(value) else value


def _loads(data: bytes | str, text: str | None = None) -> JSON:
    """The value of JSON ``data`` exactly as :func:`json.loads` gives it (NaN refused), read with
    orjson where that gives the same value; on any failure the ``json`` path runs, so errors and
    their messages are ``json``'s. Bytes are decoded as UTF-8 first (a :class:`UnicodeDecodeError`
    comes before any JSON error, as when decoding then parsing)."""
    value = _fast_loads(data)
    if value is not _SLOW:
        return value
    if text is None:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        parsed: JSON = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    return parsed


def load_export(path: str | Path) -> list[dict[str, JSON]]:
    """Read a Label Studio native JSON export (a list of tasks); :class:`GoldError` if unreadable."""
    path = Path(path)
    try:
        data = _loads(path.read_bytes())
    except FileNotFoundError:
        raise GoldError(f"{shown(path)}: no such file") from None
    except OSError as exc:
        raise GoldError(f"{shown(path)}: cannot read it ({exc.strerror or exc.__class__.__name__})") from None
    except UnicodeDecodeError:
        raise GoldError(f"{shown(path)}: not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise GoldError(
            f"{shown(path)}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); truncated export?"
        ) from None
    except ValueError as exc:
        raise GoldError(f"{shown(path)}: not valid JSON ({exc})") from None
    if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
        raise GoldError(
            f"{shown(path)}: expected a JSON list of tasks (Label Studio's native JSON export, not JSON_MIN or CSV)"
        )
    return cast("list[dict[str, JSON]]", data)  # every element checked to be an object just above
