"""Krippendorff's unitizing alpha (αU): chance-corrected agreement on where spans are.

Krippendorff (1995) "On the reliability of unitizing continuous data", *Sociological
Methodology* 25:47-76, and (2004) *Content Analysis*, 2nd ed., ch. 12 (and "Measuring the
reliability of qualitative text analysis data", *Quality & Quantity* 38). This is the measure
DKPro Agreement implements as ``KrippendorffAlphaUnitizingAgreement`` (what INCEpTION offers);
it is computed here the same way, per label, and checked against the published examples.

Setting: ``m`` annotators each cut the same continuum of length ``L`` (here: characters) into
units of label ``c`` and the gaps between them (every stretch without a ``c`` unit). A
segment is ``(b, l)``: begin and length.

Observed disagreement, summed over ordered pairs of annotators ``i != j`` and over every
segment ``g`` of ``i`` and ``h`` of ``j``::

    D_o(c) = Σ_i Σ_j≠i Σ_g Σ_h δ²(g, h)  /  (m (m - 1) L²)

    δ²(g, h) = (b_g - b_h)² + (b_g + l_g - b_h - l_h)²   both units, overlapping
             = l_g²                                        g a unit inside gap h
             = l_h²                                        h a unit inside gap g
             = 0                                           otherwise

Expected disagreement, over every unit ``u`` of ``c`` by any annotator (``N_c`` of them,
lengths ``l_u``) and every gap ``k`` of any annotator (lengths ``l_k``)::

    D_e(c) = (2 / L) Σ_u [ (N_c - 1) l_u (l_u - 1) (2 l_u - 1) / 3  +  l_u² Σ_{k: l_k ≥ l_u} (l_k - l_u + 1) ]
             / ( m L (m L - 1)  -  Σ_u l_u (l_u - 1) )

    αU(c) = 1 - D_o(c) / D_e(c)        (None when D_e(c) = 0: no unit of c anywhere)

Over several labels (as DKPro does): ``αU = 1 - Σ_c D_o(c) / Σ_c D_e(c)`` (the means of D_o and D_e over
the labels that have units are reported).

Tiny worked example: ``L = 10``, annotator A marks ``[2, 6)``, B marks ``[3, 6)``. The only
pair of segments with a distance is the two units: ``δ² = (2-3)² + (6-6)² = 1``, so
``D_o = 2 · 1 / (2 · 1 · 10²) = 0.01``. Gaps are 2, 4 (A) and 3, 4 (B); for the unit of
length 4: ``1·4·3·7/3 + 16·(1+1) = 60``; for length 3: ``1·3·2·5/3 + 9·(1+2+2) = 55``;
``D_e = (2/10) · 115 / (2·10·19 - (12 + 6)) = 23/362 ≈ 0.0635``, ``αU ≈ 0.843``.

One annotator's overlapping units of one label are merged into one (their union) first:
the measure assumes they do not overlap. Units are half-open ``[start, end)``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Hashable, Iterable
from itertools import combinations
from typing import TypedDict

Segment = tuple[int, int, bool]  # (begin, length, is a unit)


def merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-empty ``[start, end)`` spans with overlapping ones merged (touching ones kept apart)."""
    out: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def segments(units: list[tuple[int, int]], begin: int, end: int) -> list[Segment]:
    """The continuum ``[begin, end)`` cut into the (merged, sorted) units and the gaps between them."""
    out: list[Segment] = []
    pos = begin
    for start, stop in units:
        if start > pos:
            out.append((pos, start - pos, False))
        out.append((start, stop - start, True))
        pos = stop
    if pos < end:
        out.append((pos, end - pos, False))
    return out


def distance(g: Segment, h: Segment) -> int:
    """Krippendorff's δ² between a segment of one annotator and one of another."""
    (bg, lg, ug), (bh, lh, uh) = g, h
    if ug and uh:
        overlapping = bg < bh + lh and bh < bg + lg
        return (bg - bh) ** 2 + (bg + lg - bh - lh) ** 2 if overlapping else 0
    if ug and not uh:
        return lg * lg if bh <= bg and bg + lg <= bh + lh else 0
    if uh and not ug:
        return lh * lh if bg <= bh and bh + lh <= bg + lg else 0
    return 0


def _pair_sum(a: list[Segment], b: list[Segment]) -> int:
    """Σ δ² over the segments of ``a`` and ``b`` that overlap (the others are at distance 0)."""
    total, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        total += distance(a[i], b[j])
        if a[i][0] + a[i][1] <= b[j][0] + b[j][1]:
            i += 1
        else:
            j += 1
    return total


def observed(cuts: list[list[Segment]], length: int) -> float:
    """``D_o`` of one label from each annotator's segments of the continuum."""
    m = len(cuts)
    total = sum(_pair_sum(a, b) for a, b in combinations(cuts, 2))
    return 2 * total / (m * (m - 1) * length * length)


def expected(cuts: list[list[Segment]], length: int) -> float:
    """``D_e`` of one label from each annotator's segments of the continuum."""
    m = len(cuts)
    units = [size for cut in cuts for _, size, unit in cut if unit]
    gaps = sorted(size for cut in cuts for _, size, unit in cut if not unit)
    suffix = [0] * (len(gaps) + 1)  # suffix[k] = sum of gaps[k:]
    for k in range(len(gaps) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + gaps[k]
    n = len(units)
    numerator = 0
    for size in units:
        k = bisect_left(gaps, size)  # gaps[k:] are the gaps at least size long
        numerator += (n - 1) * size * (size - 1) * (2 * size - 1) // 3 + size * size * (
            suffix[k] - (size - 1) * (len(gaps) - k)
        )
    denominator = m * length * (m * length - 1) - sum(size * (size - 1) for size in units)
    return 2 * numerator / (length * denominator) if numerator and denominator > 0 else 0.0


class LabelAlpha(TypedDict):
    """:func:`alpha_u` of one label, or of all labels."""

    alpha: float | None  # None where undefined
    observed: float  # D_o
    expected: float  # D_e
    units: int


def alpha_u(
    units: Iterable[tuple[Hashable, int, int, Hashable]],
    raters: Iterable[Hashable],
    length: int,
    begin: int = 0,
    labels: Iterable[Hashable] | None = None,
) -> dict:
    """Krippendorff's αU per label and over all labels.

    ``units`` are ``(rater, start, end, label)`` on the continuum ``[begin, begin + length)``;
    ``raters`` lists every annotator (one with no units of a label cut it into one gap);
    ``labels`` (default: those of ``units``) fixes the labels reported. Returns JSON-ready
    ``{"per_label": {label: {"alpha", "observed", "expected", "units"}}, "overall": {...}}``
    where ``alpha`` is None when undefined (no unit of the label; fewer than two raters; empty continuum).
    """
    raters = list(dict.fromkeys(raters))
    spans: dict[Hashable, dict[Hashable, list]] = defaultdict(lambda: defaultdict(list))
    for rater, start, end, label in units:
        if rater not in raters:
            raise ValueError(f"unit of unknown rater {rater!r}")
        if not begin <= start <= end <= begin + length:
            raise ValueError(f"unit [{start}, {end}) is outside the continuum [{begin}, {begin + length})")
        spans[label][rater].append((start, end))
    labels = list(spans) if labels is None else list(labels)
    per_label: dict[Hashable, LabelAlpha] = {}
    sum_o, sum_e = 0.0, 0.0
    for label in labels:
        cuts = [segments(merge(spans[label][r]), begin, begin + length) for r in raters]
        n_units = sum(unit for cut in cuts for _, _, unit in cut)
        d_o = observed(cuts, length) if len(raters) > 1 and length > 0 else 0.0
        d_e = expected(cuts, length) if len(raters) > 1 and length > 0 else 0.0
        sum_o, sum_e = sum_o + d_o, sum_e + d_e
        per_label[label] = {
            "alpha": 1 - d_o / d_e if d_e > 0 else None,
            "observed": d_o,
            "expected": d_e,
            "units": n_units,
        }
    coded = sum(v["units"] > 0 for v in per_label.values()) or 1  # DKPro averages over labels with units
    overall: LabelAlpha = {
        "alpha": 1 - sum_o / sum_e if sum_e > 0 else None,
        "observed": sum_o / coded,
        "expected": sum_e / coded,
        "units": sum(v["units"] for v in per_label.values()),
    }
    return {"per_label": per_label, "overall": overall}
