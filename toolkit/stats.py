"""Bootstrap confidence intervals and paired significance tests, resampling documents.

Every function takes per-document count rows (``CountTable.rows`` from :mod:`toolkit.scoring`:
documents on axis 0) and a *metric*: a vectorised function of summed rows, shape
``(batch, fields) -> (batch,)``, NaN where undefined — e.g. ``actor_metric(table, "strict")``.
Nothing is re-matched: a resample is a vector of per-document weights, and its counts are
``weights @ rows`` (a matrix product over a whole batch of resamples at once). Randomness comes
from a seeded :func:`numpy.random.default_rng`, so results are reproducible.

The draws depend only on the seed, the number of resamples and the number of documents, so
one set serves every table of every system scored on the same documents:
:func:`bootstrap_sums` and :func:`randomization_shifts` make them once for many blocks of rows,
and the tests and intervals take those sums (``sums=``, ``shifts=``) instead of drawing again;
the numbers are the same as when each draws its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import partial

import numpy as np

from .errors import ToolkitError
from .scoring import as_number

Metric = Callable[[np.ndarray], np.ndarray]
DEFAULT_N_BOOT = 1000
_CHUNK_CELLS = 1 << 22  # at most this many (resample x document) weights in memory at once
_FLOAT32_EXACT = 1 << 24  # every integer of absolute value up to this is exact in float32
_FLOAT64_EXACT = 1 << 53  # ... and in float64


def _rows(rows, dtype: type | None = np.float64) -> np.ndarray:
    """Rows as a 2-D (documents, fields) array, of ``dtype`` (None: as given)."""
    rows = np.asarray(rows)
    if rows.ndim < 1:
        raise ToolkitError("count rows need a document axis")
    rows = rows.reshape(len(rows), int(np.prod(rows.shape[1:])))
    return rows if dtype is None else rows.astype(dtype)


def _point(rows: np.ndarray, metric: Metric) -> float:
    return float(np.asarray(metric(rows.sum(axis=0)[None]), dtype=np.float64)[0])


def _chunks(n_total: int, n_docs: int) -> Iterator[int]:
    step = max(1, _CHUNK_CELLS // max(n_docs, 1))
    for start in range(0, n_total, step):
        yield min(step, n_total - start)


def _operand(rows: np.ndarray, max_weight_sum: int) -> tuple[np.ndarray, Callable[[], AbstractContextManager]]:
    """``rows`` as the right operand of ``weights @ rows`` (non-negative weights summing to at most
    ``max_weight_sum`` per resample), and the BLAS threading to multiply under (a context manager
    factory).

    Integer rows whose sums stay exact give the same product whatever the order of additions:
    it runs in float32 when every partial sum is below 2**24 (half the memory traffic of
    float64) and on one BLAS thread. One product takes a fraction of a second on one core,
    and where the cores are busy (CI, a shared machine) OpenBLAS's threads wait on each other
    and make it several times slower (0.08 s on one thread, 0.37 s on two, measured on a loaded
    2-core machine). Other rows are multiplied in float64 under BLAS's own threading, as
    before: there the thread count can change the last bits.
    """
    from threadpoolctl import threadpool_limits

    integral = rows.dtype.kind in "iu"
    if not integral:
        rows = rows.astype(np.float64)
        integral = bool(np.array_equal(rows, np.rint(rows)))
    peak = max(-float(rows.min()), float(rows.max())) * max_weight_sum if rows.size else 0.0
    if not (integral and peak < _FLOAT64_EXACT):
        return rows, nullcontext
    one_thread = partial(threadpool_limits, limits=1, user_api="blas")
    return rows.astype(np.float32 if peak < _FLOAT32_EXACT else np.float64), one_thread


def _product(weights: np.ndarray, operand: np.ndarray) -> np.ndarray:
    """``weights @ operand`` as float64 (see :func:`_operand`)."""
    return (weights.astype(operand.dtype, copy=False) @ operand).astype(np.float64)


def _weights(idx: np.ndarray, n: int, dtype: np.dtype) -> np.ndarray:
    """Per-document counts of each resample: ``idx`` (batch x draws) of document indices."""
    weights = np.empty((idx.shape[0], n), dtype=dtype)
    for r, drawn in enumerate(idx):  # one bincount per resample: its counts stay in cache
        weights[r] = np.bincount(drawn, minlength=n)
    return weights


def resample_sums(rows, idx: np.ndarray) -> np.ndarray:
    """Summed rows of each resample: ``idx`` (n_boot x n_docs) holds the document indices drawn
    for each resample; returns (n_boot, fields) = (count-weight matrix) @ rows."""
    operand, threads = _operand(_rows(rows, dtype=None), idx.shape[1])
    with threads():
        return _product(_weights(idx, len(operand), operand.dtype), operand)


def _blocks(blocks: Sequence) -> tuple[np.ndarray, list[int]]:
    """Blocks of rows of the same documents side by side, and where each one ends."""
    mats = [_rows(b, dtype=None) for b in blocks]
    if len({len(m) for m in mats}) > 1:
        raise ToolkitError(f"count rows of different document counts: {sorted({len(m) for m in mats})}")
    return np.concatenate(mats, axis=1), [int(e) for e in np.cumsum([m.shape[1] for m in mats])]


def bootstrap_sums(blocks: Sequence, *, n_boot: int = DEFAULT_N_BOOT, seed: int = 0) -> list[np.ndarray]:
    """The summed rows of each block in each of ``n_boot`` resamples of the documents with
    replacement: one ``(n_boot, fields)`` array per block (``(0, fields)`` without documents).

    The blocks are count rows of the same documents; the documents are drawn once for all of
    them, exactly as :func:`bootstrap_cis` and :func:`paired_bootstrap_tests` draw them with
    ``seed``, so handing a block's sums to those (``sums=``) gives what they give alone.
    """
    if not blocks:
        return []
    rows, ends = _blocks(blocks)
    n = len(rows)
    if not n:
        return np.split(np.zeros((0, rows.shape[1])), ends[:-1], axis=1)
    rng = np.random.default_rng(seed)
    operand, threads = _operand(rows, n)
    with threads():
        sums = np.concatenate(
            [_product(_weights(rng.integers(0, n, size=(b, n)), n, operand.dtype), operand) for b in _chunks(n_boot, n)]
        )
    return np.split(sums, ends[:-1], axis=1)


def randomization_shifts(pairs: Sequence, *, n_rounds: int = DEFAULT_N_BOOT, seed: int = 0) -> list[np.ndarray]:
    """For each pair ``(rows_a, rows_b)`` of the same documents, the counts moved from B to A in
    each of ``n_rounds`` rounds of random swaps (each document's rows swapped with probability
    1/2): one ``(n_rounds, fields)`` array per pair.

    The swaps are drawn once for all pairs, exactly as :func:`randomization_tests` draws them
    with ``seed``, so handing a pair's shifts to it (``shifts=``) gives what it gives alone.
    """
    if not pairs:
        return []
    checked = [_pair(a, b) for a, b in pairs]
    diff, ends = _blocks([b - a for a, b in checked])
    n = len(diff)
    if not n:
        return np.split(np.zeros((0, diff.shape[1])), ends[:-1], axis=1)
    rng = np.random.default_rng(seed)
    operand, threads = _operand(diff, n)
    with threads():
        shifts = np.concatenate([_product(rng.random((r, n)) < 0.5, operand) for r in _chunks(n_rounds, n)])
    return np.split(shifts, ends[:-1], axis=1)


def _checked(sums, rows: np.ndarray, n: int) -> np.ndarray:
    """Sums drawn before, checked against the rows they sum and the number of draws."""
    sums = np.asarray(sums, dtype=np.float64)
    if sums.shape != (n, rows.shape[1]):
        raise ToolkitError(f"resampled sums of shape {sums.shape}, expected {(n, rows.shape[1])}")
    return sums


def _interval(values: np.ndarray, confidence: float) -> tuple[float | None, float | None]:
    values = values[~np.isnan(values)]
    if not len(values):
        return None, None
    low, high = np.quantile(values, [(1 - confidence) / 2, (1 + confidence) / 2])
    return float(low), float(high)


def _stacked(metrics: dict[str, Metric], sums: np.ndarray) -> np.ndarray:
    """Every metric of every row of ``sums``: (batch, metrics)."""
    return np.stack([np.asarray(metric(sums), dtype=np.float64) for metric in metrics.values()], axis=1)


def bootstrap_cis(
    rows,
    metrics: dict[str, Metric],
    *,
    n_boot: int = DEFAULT_N_BOOT,
    confidence: float = 0.95,
    seed: int = 0,
    sums: np.ndarray | None = None,
) -> dict[str, dict]:
    """:func:`bootstrap_ci` of several metrics of the same count rows, from one set of resamples.

    The resamples are drawn once and every metric is evaluated on the same summed rows, so
    each interval is exactly what :func:`bootstrap_ci` gives for that metric with the same
    seed, at the cost of one draw. ``sums``: these rows' :func:`bootstrap_sums` with the same
    ``n_boot`` and ``seed``, if drawn already.
    """
    rows = _rows(rows)
    if not 0 < confidence < 1 or n_boot < 1:
        raise ToolkitError("need 0 < confidence < 1 and n_boot >= 1")
    empty: dict[str, float | None] = {
        "estimate": None,
        "low": None,
        "high": None,
        "confidence": confidence,
        "n_boot": n_boot,
        "n_undefined": n_boot,
        "seed": seed,
    }
    if not len(rows):
        return {name: dict(empty) for name in metrics}
    drawn = bootstrap_sums([rows], n_boot=n_boot, seed=seed)[0] if sums is None else _checked(sums, rows, n_boot)
    values = _stacked(metrics, drawn)
    point = _stacked(metrics, rows.sum(axis=0)[None])[0]
    out = {}
    for j, name in enumerate(metrics):
        low, high = _interval(values[:, j], confidence)
        out[name] = empty | {
            "estimate": as_number(point[j]),
            "low": low,
            "high": high,
            "n_undefined": int(np.isnan(values[:, j]).sum()),
        }
    return out


def bootstrap_ci(
    rows, metric: Metric, *, n_boot: int = DEFAULT_N_BOOT, confidence: float = 0.95, seed: int = 0
) -> dict:
    """Percentile bootstrap confidence interval of ``metric`` over documents.

    Draws ``n_boot`` resamples of the documents with replacement, sums each resample's rows and
    evaluates ``metric`` on the sums; resamples where the metric is undefined are left out and
    counted in ``n_undefined``. Returns ``estimate`` (on all documents), ``low``, ``high``.
    """
    return bootstrap_cis(rows, {"metric": metric}, n_boot=n_boot, confidence=confidence, seed=seed)["metric"]


def _pair(rows_a, rows_b) -> tuple[np.ndarray, np.ndarray]:
    a, b = _rows(rows_a), _rows(rows_b)
    if a.shape != b.shape:
        raise ToolkitError(
            f"the two systems' count rows differ in shape: {a.shape} vs {b.shape} "
            "(score both on the same documents, with the same labels)"
        )
    return a, b


def _p_value(deltas: np.ndarray, observed: float) -> tuple[float | None, int]:
    """(1 + #resamples at least as extreme) / (1 + #defined resamples), two-sided."""
    ok = deltas[~np.isnan(deltas)]
    if np.isnan(observed) or not len(ok):
        return None, len(deltas) - len(ok)
    extreme = int((np.abs(ok) >= abs(observed) - 1e-12).sum())
    return (1 + extreme) / (1 + len(ok)), len(deltas) - len(ok)


def _observed(a: np.ndarray, b: np.ndarray, metric: Metric) -> tuple[float, float, dict]:
    """Both systems' value of ``metric`` on all documents, and the JSON fields that say them."""
    m_a, m_b = _point(a, metric), _point(b, metric)
    return m_a, m_b, {"metric_a": as_number(m_a), "metric_b": as_number(m_b), "delta": as_number(m_a - m_b)}


def _empty_test(size_key: str, size: int, seed: int, **extra: float) -> dict:
    return {
        "metric_a": None,
        "metric_b": None,
        "delta": None,
        "p_value": None,
        **extra,
        size_key: size,
        "n_undefined": size,
        "seed": seed,
    }


def paired_bootstrap_tests(
    rows_a,
    rows_b,
    metrics: dict[str, Metric],
    *,
    n_boot: int = DEFAULT_N_BOOT,
    confidence: float = 0.95,
    seed: int = 0,
    sums: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, dict]:
    """Paired bootstrap test of ``metric(A) - metric(B)`` on the same documents, for each metric.

    Both systems are resampled with the same document draws, drawn once for all metrics. The
    p-value is two-sided, for the null hypothesis of no difference: the share of resampled
    differences, shifted to mean zero by the observed difference, at least as far from zero
    as the observed one (with +1 smoothing). Also returns the bootstrap interval of the
    difference. ``sums``: the two systems' :func:`bootstrap_sums` (drawn together, with the
    same ``n_boot`` and ``seed``), if drawn already; they are the sums :func:`bootstrap_cis`
    resamples, so one draw serves the intervals and the test.
    """
    a, b = _pair(rows_a, rows_b)
    empty = _empty_test("n_boot", n_boot, seed, low=None, high=None, confidence=confidence)  # type: ignore[arg-type]
    if not len(a):
        return {name: dict(empty) for name in metrics}
    sums_a, sums_b = sums if sums is not None else bootstrap_sums([a, b], n_boot=n_boot, seed=seed)
    deltas = _stacked(metrics, _checked(sums_a, a, n_boot)) - _stacked(metrics, _checked(sums_b, b, n_boot))
    out = {}
    for j, (name, metric) in enumerate(metrics.items()):
        m_a, m_b, observed = _observed(a, b, metric)
        p, undefined = _p_value(deltas[:, j] - (m_a - m_b), m_a - m_b)
        low, high = _interval(deltas[:, j], confidence)
        out[name] = empty | observed | {"p_value": p, "low": low, "high": high, "n_undefined": undefined}
    return out


def paired_bootstrap_test(
    rows_a, rows_b, metric: Metric, *, n_boot: int = DEFAULT_N_BOOT, confidence: float = 0.95, seed: int = 0
) -> dict:
    """:func:`paired_bootstrap_tests` of one metric."""
    return paired_bootstrap_tests(rows_a, rows_b, {"m": metric}, n_boot=n_boot, confidence=confidence, seed=seed)["m"]


def randomization_tests(
    rows_a,
    rows_b,
    metrics: dict[str, Metric],
    *,
    n_rounds: int = DEFAULT_N_BOOT,
    seed: int = 0,
    shifts: np.ndarray | None = None,
) -> dict[str, dict]:
    """Approximate randomisation test of ``metric(A) - metric(B)`` on the same documents, for
    each metric, from one set of random swaps.

    Each round swaps the two systems' count rows of every document with probability 1/2
    (one matrix product per batch of rounds); the two-sided p-value is (1 + #rounds whose
    difference is at least as large in absolute value as the observed one) / (1 + #rounds).
    ``shifts``: this pair's :func:`randomization_shifts` with the same ``n_rounds`` and
    ``seed``, if drawn already.
    """
    a, b = _pair(rows_a, rows_b)
    empty = _empty_test("n_rounds", n_rounds, seed)
    if not len(a):
        return {name: dict(empty) for name in metrics}
    if shifts is None:
        shifts = randomization_shifts([(a, b)], n_rounds=n_rounds, seed=seed)[0]
    moved = _checked(shifts, a, n_rounds)
    values = _stacked(metrics, a.sum(axis=0) + moved) - _stacked(metrics, b.sum(axis=0) - moved)
    out = {}
    for j, (name, metric) in enumerate(metrics.items()):
        m_a, m_b, observed = _observed(a, b, metric)
        p, undefined = _p_value(values[:, j], m_a - m_b)
        out[name] = empty | observed | {"p_value": p, "n_undefined": undefined}
    return out


def randomization_test(rows_a, rows_b, metric: Metric, *, n_rounds: int = DEFAULT_N_BOOT, seed: int = 0) -> dict:
    """:func:`randomization_tests` of one metric."""
    return randomization_tests(rows_a, rows_b, {"m": metric}, n_rounds=n_rounds, seed=seed)["m"]
