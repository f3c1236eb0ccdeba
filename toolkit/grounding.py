"""Grounding text-only spans: a prediction that gives a span's ``text`` but no offsets (as
language-model extractors do) is aligned to the document here.

**Which spans.** An actor or claim (a dict in the record's ``actors`` or ``claims`` list) whose
``start`` and ``end`` are both missing or null and whose ``text`` is a non-empty string. A span
with offsets is kept as given (``"alignment": "given"``); one with only one offset, or offsets
that are not integers, is left for validation to report, as before.

**Order.** Each layer (actors, claims) is grounded on its own. Spans with offsets are placed
first. The text-only spans are then taken longest text first (so "Sergei Lavrov" is placed
before "Lavrov"), and spans with the same text in list order. A position (start, end) that a
span of the layer already holds is *taken*: no second span gets it.

**Matches.** Three kinds, recorded in the span's ``"alignment"``:

- ``exact``: an occurrence of the text as given (overlapping occurrences count too);
- ``normalised``: an occurrence of the normalised text in the normalised document
  (:func:`normalise`: NFKC, case folded, typographic quotes, apostrophes, dashes and the
  ellipsis as ASCII, zero-width characters and soft hyphens dropped, every run of whitespace
  as one space; the span's text is also stripped), mapped back through an offset map, so the
  span gets the exact offsets of the original characters (and its ``text`` becomes the
  document's);
- ``fuzzy``: see step 3.

**Steps**, for one span. A place is *on word boundaries* if no cut has a letter or digit on
both sides, and *free* if it overlaps no span already placed in the layer. The first step
that finds a place wins; within a step, the earliest place.

1. On word boundaries: an exact match that is free; else an exact match that overlaps a
   placed span (a name nested in a longer one, or a mention repeated more often than the text
   has free ones); else a normalised match that is free; else one that overlaps. So the k-th
   of several spans with the text "Lavrov" takes the k-th mention not taken, a "Lavrov"
   listed after "Sergei Lavrov" takes a mention of its own before the one inside the full
   name, and "UN" takes the word "UN", not the "un" in "under".
2. The same four, for places that cut a word.
3. ``fuzzy``: difflib's ``SequenceMatcher(None, window, span, autojunk=False).ratio()``
   between the normalised span text (length m) and windows of the normalised document, at
   least :data:`FUZZY_THRESHOLD`. Windows are every substring that starts and ends on word
   boundaries (as in step 1, so no word is cut) and not on a space, does not overlap a span
   already placed in the layer, and whose length allows the
   threshold (m·θ/(2-θ) ≤ length ≤ m·(2-θ)/θ); a cheap exact upper bound of the ratio (the
   character multisets' overlap) skips the rest. The earliest window that reaches the
   threshold fixes the region; of the windows starting inside it, the one with the highest
   ratio wins (ties: the earliest, then the length closest to m). With θ = 0.9 a text under 10
   characters cannot differ by a substitution, so short names need step 1 or 2.
4. ``failed``: nothing found (a hallucinated span, or a repeated mention beyond the ones in the
   text). The span is left out of the record and listed in :attr:`Grounding.failed`; the
   evaluation counts it as a spurious prediction. A claim whose ``speaker`` names a failed
   actor (and no other actor) keeps the claim with speaker null, counted.

The ratio is difflib's (standard library; numpy only computes the bound), so alignments are the
same on every install: no optional matcher changes them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TypeGuard

import numpy as np

FUZZY_THRESHOLD = 0.9
KINDS = ("given", "exact", "normalised", "fuzzy", "failed")
LAYERS = ("actors", "claims")
_FIELDS = {"actors": ("label",), "claims": ("target", "stance", "speaker")}

_ASCII = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u0060\u00b4\u2039\u203a\uff07", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\uff02", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    "\u2026": "...",
    **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", ""),
}


def normalise(text: str) -> tuple[str, list[int]]:
    """``(normalised, origin)``: ``text`` as grounding compares it (see the module docstring),
    and for each normalised character the index of the original character it comes from (a
    run of whitespace maps to its first character)."""
    out: list[str] = []
    origin: list[int] = []
    space = False
    for i, ch in enumerate(text):
        rep = _ASCII.get(ch)
        if rep is None:
            rep = "".join(_ASCII.get(c, c) for c in unicodedata.normalize("NFKC", ch).casefold())
        for c in rep:
            blank = c.isspace()
            if blank and space:
                continue
            space = blank
            out.append(" " if blank else c)
            origin.append(i)
    return "".join(out), origin


def normalised_text(text: str) -> str:
    """A span's text as step 2 looks for it: :func:`normalise` of its NFC form, stripped."""
    return normalise(unicodedata.normalize("NFC", text))[0].strip(" ")


@dataclass
class Grounding:
    """What :func:`ground_record` did: ``counts[layer][kind]``, the failed spans (dicts with
    ``layer``, ``index`` in the layer's list, ``id``, ``text``, the span's other fields --
    ``label``, or ``target``, ``stance``, ``speaker`` -- and ``reason``: "not in the document"
    or "every mention is held by another span"; a failed actor that spoke kept claims also
    has ``speaker_of``, how many), and how many claims lost their speaker that way."""

    counts: dict[str, dict[str, int]] = field(default_factory=lambda: {lay: dict.fromkeys(KINDS, 0) for lay in LAYERS})
    failed: list[dict] = field(default_factory=list)
    speakers_dropped: int = 0

    @property
    def grounded(self) -> int:
        """Text-only spans seen (aligned or failed)."""
        return sum(c[k] for c in self.counts.values() for k in KINDS if k != "given")


def is_text_only(span: object) -> bool:
    """A span dict with a non-empty string ``text`` and neither ``start`` nor ``end``."""
    return (
        isinstance(span, dict)
        and span.get("start") is None
        and span.get("end") is None
        and isinstance(span.get("text"), str)
        and span["text"] != ""
    )


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


class _Document:
    """The document with its normalised form computed once, when first needed."""

    def __init__(self, text: str):
        self.text = text
        self._norm: tuple[str, list[int]] | None = None
        self._codes: np.ndarray | None = None
        self._edges: tuple[np.ndarray, np.ndarray] | None = None
        self._prefix: dict[str, np.ndarray] = {}

    @property
    def norm(self) -> tuple[str, list[int]]:
        if self._norm is None:
            self._norm = normalise(self.text)
        return self._norm

    @property
    def codes(self) -> np.ndarray:
        """The normalised text as an array of code points (for the fuzzy bound)."""
        if self._codes is None:
            self._codes = np.frombuffer(self.norm[0].encode("utf-32-le"), dtype=np.uint32)
        return self._codes

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """``(can_start, can_end)`` over normalised positions: a window may start at ``i`` if
        ``can_start[i]`` and end (exclusive) at ``j`` if ``can_end[j]``: on a word boundary, not
        on a space."""
        if self._edges is None:
            norm = self.norm[0]
            alnum = np.fromiter((c.isalnum() for c in norm), bool, len(norm))
            cut = np.ones(len(norm) + 1, bool)  # cut[j]: a word boundary between j - 1 and j
            cut[1:-1] = ~(alnum[:-1] & alnum[1:])
            space = self.codes == ord(" ")
            self._edges = cut[:-1] & ~space, cut & np.concatenate(([False], ~space))
        return self._edges

    def prefix(self, char: str) -> np.ndarray:
        """``prefix[j]``: how many times ``char`` occurs in the normalised text before ``j``."""
        if char not in self._prefix:
            self._prefix[char] = np.concatenate(([0], np.cumsum(self.codes == ord(char), dtype=np.int32)))
        return self._prefix[char]

    def to_original(self, i: int, j: int) -> tuple[int, int]:
        """Original offsets of the normalised characters ``[i, j)``."""
        origin = self.norm[1]
        return origin[i], origin[j - 1] + 1


class _Layer:
    """Spans placed so far in one layer: positions taken and intervals to avoid."""

    def __init__(self):
        self.taken: set[tuple[int, int]] = set()
        self.spans: list[tuple[int, int]] = []

    def place(self, s: int, e: int) -> None:
        self.taken.add((s, e))
        self.spans.append((s, e))

    def overlaps(self, s: int, e: int) -> bool:
        return any(s < pe and ps < e for ps, pe in self.spans)


def _word_aligned(text: str, s: int, e: int) -> bool:
    """No letter or digit on both sides of either cut."""
    left = s == 0 or not (text[s - 1].isalnum() and text[s].isalnum())
    right = e == len(text) or not (text[e - 1].isalnum() and text[e].isalnum())
    return left and right


def _find_all(haystack: str, needle: str):
    i = haystack.find(needle)
    while i >= 0:
        yield i
        i = haystack.find(needle, i + 1)


def _pick(
    candidates: list[tuple[int, int]], text: str, layer: _Layer, aligned: bool, overlap: bool
) -> tuple[int, int] | None:
    """The first candidate (in position order) that no span holds, is on word boundaries or
    not (``aligned``) and overlaps a placed span or not (``overlap``)."""
    for s, e in candidates:
        if (s, e) not in layer.taken and _word_aligned(text, s, e) == aligned and layer.overlaps(s, e) == overlap:
            return s, e
    return None


def _exact(doc: _Document, text: str) -> list[tuple[int, int]]:
    return [(i, i + len(text)) for i in _find_all(doc.text, text)]


def _normalised(doc: _Document, needle: str) -> list[tuple[int, int]]:
    if not needle:
        return []
    return [doc.to_original(i, i + len(needle)) for i in _find_all(doc.norm[0], needle)]


def _width_range(m: int, threshold: float) -> tuple[int, int]:
    """Window lengths w for which 2·min(w, m)/(w + m) can reach ``threshold``."""
    lo = int(np.ceil(threshold * m / (2 - threshold) - 1e-9))
    hi = int(np.floor(m * (2 - threshold) / threshold + 1e-9))
    return max(lo, 1), hi


def _fuzzy_candidates(doc: _Document, needle: str, threshold: float) -> list[tuple[int, int]]:
    """``(start, length)`` of the normalised windows (on word boundaries, of a length that
    allows ``threshold``) whose character-multiset bound reaches it, in order of start then
    length. The bound, ``2·common/(length + m)`` with ``common`` the size of the multisets'
    intersection, is difflib's ``quick_ratio``: never below the ratio."""
    n, m = len(doc.codes), len(needle)
    lo, hi = _width_range(m, threshold)
    hi = min(hi, n)
    if lo > hi:
        return []
    wanted: dict[str, int] = {}
    for c in needle:
        wanted[c] = wanted.get(c, 0) + 1
    can_start, can_end = doc.edges()

    def common(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        total = np.zeros(ends.shape, np.int32)
        for c, k in wanted.items():
            prefix = doc.prefix(c)
            total += np.minimum(prefix[ends] - prefix[starts].reshape(-1, *([1] * (ends.ndim - 1))), k)
        return total

    # A start whose widest window has ``c`` in common bounds every window there by 2c/(c + m).
    starts = np.flatnonzero(can_start[: n - lo + 1])
    widest = common(starts, np.minimum(starts + hi, n))
    starts = starts[2 * widest >= threshold * (widest + m) - 1e-9]
    widths = np.arange(lo, hi + 1)
    found: list[tuple[int, int]] = []
    block = max(1, 1_000_000 // len(widths))  # starts per block: bounded memory on long documents
    for a in range(0, len(starts), block):
        some = starts[a : a + block]
        ends = some[:, None] + widths[None, :]
        valid = ends <= n
        ends = np.minimum(ends, n)
        ok = valid & can_end[ends] & (2 * common(some, ends) >= threshold * (widths[None, :] + m) - 1e-9)
        rows, cols = np.nonzero(ok)
        found += zip(some[rows].tolist(), widths[cols].tolist(), strict=True)
    return found


def _fuzzy(doc: _Document, needle: str, layer: _Layer, threshold: float) -> tuple[int, int] | None:
    """The best window of the earliest region that reaches ``threshold`` (module docstring, step 3)."""
    if not needle:
        return None
    norm, m = doc.norm[0], len(needle)
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(needle)  # difflib caches what it learns about the second sequence
    region_end = None
    best = best_key = None
    for i, w in _fuzzy_candidates(doc, needle, threshold):
        if region_end is not None and i >= region_end:
            break
        s, e = doc.to_original(i, i + w)
        if layer.overlaps(s, e):
            continue
        matcher.set_seq1(norm[i : i + w])
        ratio = matcher.ratio()
        if ratio < threshold:
            continue
        if region_end is None:
            region_end = i + w
        key = (-ratio, i, abs(w - m), w)
        if best_key is None or key < best_key:
            best, best_key = (s, e), key
    return best


def _locate(doc: _Document, text: str, layer: _Layer, threshold: float) -> tuple[str, tuple[int, int] | None]:
    """``(kind, (start, end))`` for one text-only span; ``("failed", None)`` if the text is not
    in the document, ``("taken", None)`` if every mention of it is held by another span."""
    needle = normalised_text(text)
    found: dict[str, list[tuple[int, int]]] = {"exact": _exact(doc, text)}
    for aligned in (True, False):
        for kind in ("exact", "normalised"):
            if kind not in found:
                found[kind] = _normalised(doc, needle)
            for overlap in (False, True):
                place = _pick(found[kind], doc.text, layer, aligned, overlap)
                if place is not None:
                    return kind, place
    place = _fuzzy(doc, needle, layer, threshold)
    if place is not None:
        return "fuzzy", place
    return "taken" if found["exact"] or found["normalised"] else "failed", None


def _ground_layer(spans: list, doc: _Document, name: str, stats: Grounding, threshold: float) -> list:
    """The layer's list with text-only spans placed (``alignment`` set on every span dict) and
    failed ones left out (recorded in ``stats``)."""
    layer = _Layer()
    out: list = [dict(s) if isinstance(s, dict) else s for s in spans]
    counts = stats.counts[name]
    pending = []
    for i, span in enumerate(out):
        if not isinstance(span, dict):
            continue
        if is_text_only(span):
            pending.append(i)
            continue
        span["alignment"] = "given"
        counts["given"] += 1
        s, e = span.get("start"), span.get("end")
        if _is_int(s) and _is_int(e) and 0 <= s < e <= len(doc.text):
            layer.place(s, e)
    failed = set()
    for i in sorted(pending, key=lambda i: (-len(out[i]["text"]), i)):
        span = out[i]
        kind, where = _locate(doc, span["text"], layer, threshold)
        if where is None:
            counts["failed"] += 1
            failed.add(i)
            extra = {k: span.get(k) for k in _FIELDS[name]}
            reason = "every mention is held by another span" if kind == "taken" else "not in the document"
            stats.failed.append(
                {"layer": name, "index": i, "id": span.get("id"), "text": span["text"], **extra, "reason": reason}
            )
            continue
        counts[kind] += 1
        layer.place(*where)
        span.update(start=where[0], end=where[1], text=doc.text[where[0] : where[1]], alignment=kind)
    stats.failed.sort(key=lambda f: (LAYERS.index(f["layer"]), f["index"]))
    return [span for i, span in enumerate(out) if i not in failed]


def ground_record(record: dict, text: str, threshold: float = FUZZY_THRESHOLD) -> tuple[dict, Grounding]:
    """``(record, stats)``: a copy of ``record`` whose text-only actors and claims are aligned to
    ``text`` (see the module docstring). Every span dict gets ``"alignment"`` (one of
    :data:`KINDS` but ``failed``); failed spans are left out and listed in ``stats``. Anything
    that is not a list of dicts is passed on unchanged, for validation to report."""
    stats = Grounding()
    doc = _Document(text)
    out = dict(record)
    for name in LAYERS:
        if isinstance(record.get(name), list):
            out[name] = _ground_layer(record[name], doc, name, stats, threshold)
    failed_actors = {f["id"] for f in stats.failed if f["layer"] == "actors" and _hashable(f["id"])}
    kept_actors = (
        {a.get("id") for a in out.get("actors") or () if isinstance(a, dict) and _hashable(a.get("id"))}
        if isinstance(out.get("actors"), list)
        else set()
    )
    lost = failed_actors - kept_actors
    if lost and isinstance(out.get("claims"), list):
        for claim in out["claims"]:
            if isinstance(claim, dict) and _hashable(claim.get("speaker")) and claim.get("speaker") in lost:
                for failed in stats.failed:
                    if failed["layer"] == "actors" and failed["id"] == claim["speaker"]:
                        failed["speaker_of"] = failed.get("speaker_of", 0) + 1
                        break
                claim["speaker"] = None
                stats.speakers_dropped += 1
    return out, stats


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return value is not None


def alignment_block(counts: dict[str, dict[str, int]], failed: list[dict], threshold: float = FUZZY_THRESHOLD) -> dict:
    """The JSON block of one system: how its spans were aligned, pooled (``given``, ``exact``,
    ``normalised``, ``fuzzy``, ``failed``) and ``per_layer``; ``spans`` text-only spans of which
    ``aligned`` were placed (``rate`` = aligned / spans, None without any), and ``failed_spans``
    (each also counted as a spurious prediction)."""
    pooled = {kind: sum(c.get(kind, 0) for c in counts.values()) for kind in KINDS}
    spans = sum(pooled[k] for k in KINDS if k != "given")
    aligned = spans - pooled["failed"]
    return {
        "threshold": threshold,
        "spans": spans,
        "aligned": aligned,
        "rate": aligned / spans if spans else None,
        **pooled,
        "per_layer": {lay: dict(counts[lay]) for lay in LAYERS if lay in counts},
        "failed_spans": failed,
    }
