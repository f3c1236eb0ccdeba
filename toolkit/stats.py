"""Bootstrap confidence intervals and paired significance tests, resampling documents.

Every function takes per-document count rows (``CountTable.rows`` from :mod:`toolkit.scoring`:
documents on axis 0) and a *metric*: a vectorised function of summed rows, shape
``(batch, fields) -> (batch,)``, NaN where undefined — e.g. ``actor_metric(table, "strict")``.
Nothing is re-matched: a resample is a vector of per-document weights, and its counts are
``weights @ rows`` (a matrix product over a whole batch of resamples at once). Randomness comes
from a seeded :func:`numpy.random.default_rng`, so results are reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from .errors import ToolkitError
from .scoring import as_number

Metric = Callable[[np.ndarray], np.ndarray]
DEFAULT_N_BOOT = 1000
_CHUNK_CELLS = 1 << 22  # at most this many (resample x document) weights in memory at once


def _rows(rows) -> np.ndarray:
    rows = np.asarray(rows)
    if rows.ndim < 1:
        raise ToolkitError("count rows need a document axis")
    return rows.reshape(len(rows), int(np.prod(rows.shape[1:]))).astype(np.float64)


def _point(rows: np.ndarray, metric: Metric) -> float:
    return float(np.asarray(metric(rows.sum(axis=0)[None]), dtype=np.float64)[0])


def _chunks(n_total: int, n_docs: int) -> Iterator[int]:
    step = max(1, _CHUNK_CELLS // max(n_docs, 1))
    for start in range(0, n_total, step):
        yield min(step, n_total - start)


def resample_sums(rows, idx: np.ndarray) -> np.ndarray:
    """Summed rows of each resample: ``idx`` (n_boot x n_docs) holds the document indices drawn
    for each resample; returns (n_boot, fields) = (count-weight matrix) @ rows."""
    rows = _rows(rows)
    n_boot, n = idx.shape[0], len(rows)
    flat = (idx + (np.arange(n_boot) * n)[:, None]).ravel()
    weights = np.bincount(flat, minlength=n_boot * n).reshape(n_boot, n)
    return weights.astype(np.float64) @ rows


def _boot_values(rows: np.ndarray, metrics: Callable[[np.ndarray], np.ndarray], n_boot: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = len(rows)
    return np.concatenate([metrics(resample_sums(rows, rng.integers(0, n, size=(b, n)))) for b in _chunks(n_boot, n)])


def _interval(values: np.ndarray, confidence: float) -> tuple[float | None, float | None]:
    values = values[~np.isnan(values)]
    if not len(values):
        return None, None
    low, high = np.quantile(values, [(1 - confidence) / 2, (1 + confidence) / 2])
    return float(low), float(high)


def bootstrap_cis(
    rows, metrics: dict[str, Metric], *, n_boot: int = DEFAULT_N_BOOT, confidence: float = 0.95, seed: int = 0
) -> dict[str, dict]:
    """:func:`bootstrap_ci` of several metrics of the same count rows, from one set of resamples.

    The resamples are drawn once and every metric is evaluated on the same summed rows, so
    each interval is exactly what :func:`bootstrap_ci` gives for that metric with the same
    seed, at the cost of one draw.
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
    names = list(metrics)

    def all_metrics(sums: np.ndarray) -> np.ndarray:  # (batch, metrics)
        return np.stack([np.asarray(metrics[n](sums), dtype=np.float64) for n in names], axis=1)

    values = _boot_values(rows, all_metrics, n_boot, seed)
    point = all_metrics(rows.sum(axis=0)[None])[0]
    out = {}
    for j, name in enumerate(names):
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


def paired_bootstrap_tests(
    rows_a, rows_b, metrics: dict[str, Metric], *, n_boot: int = DEFAULT_N_BOOT, confidence: float = 0.95, seed: int = 0
) -> dict[str, dict]:
    """Paired bootstrap test of ``metric(A) - metric(B)`` on the same documents, for each metric.

    Both systems are resampled with the same document draws, drawn once for all metrics. The
    p-value is two-sided, for the null hypothesis of no difference: the share of resampled
    differences, shifted to mean zero by the observed difference, at least as far from zero
    as the observed one (with +1 smoothing). Also returns the bootstrap interval of the
    difference.
    """
    a, b = _pair(rows_a, rows_b)
    empty: dict[str, float | None] = {
        "metric_a": None,
        "metric_b": None,
        "delta": None,
        "p_value": None,
        "low": None,
        "high": None,
        "confidence": confidence,
        "n_boot": n_boot,
        "n_undefined": n_boot,
        "seed": seed,
    }
    if not len(a):
        return {name: dict(empty) for name in metrics}
    names, f = list(metrics), a.shape[1]

    def deltas(sums: np.ndarray) -> np.ndarray:  # (batch, metrics)
        return np.stack(
            [
                np.asarray(metrics[n](sums[:, :f]), dtype=np.float64)
                - np.asarray(metrics[n](sums[:, f:]), dtype=np.float64)
                for n in names
            ],
            axis=1,
        )

    values = _boot_values(np.concatenate([a, b], axis=1), deltas, n_boot, seed)
    out = {}
    for j, name in enumerate(names):
        m_a, m_b = _point(a, metrics[name]), _point(b, metrics[name])
        p, undefined = _p_value(values[:, j] - (m_a - m_b), m_a - m_b)
        low, high = _interval(values[:, j], confidence)
        out[name] = empty | {
            "metric_a": as_number(m_a),
            "metric_b": as_number(m_b),
            "delta": as_number(m_a - m_b),
            "p_value": p,
            "low": low,
            "high": high,
            "n_undefined": undefined,
        }
    return out


def paired_bootstrap_test(
    rows_a, rows_b, metric: Metric, *, n_boot: int = DEFAULT_N_BOOT, confidence: float = 0.95, seed: int = 0
) -> dict:
    """:func:`paired_bootstrap_tests` of one metric."""
    return paired_bootstrap_tests(rows_a, rows_b, {"m": metric}, n_boot=n_boot, confidence=confidence, seed=seed)["m"]


def randomization_tests(
    rows_a, rows_b, metrics: dict[str, Metric], *, n_rounds: int = DEFAULT_N_BOOT, seed: int = 0
) -> dict[str, dict]:
    """Approximate randomisation test of ``metric(A) - metric(B)`` on the same documents, for
    each metric, from one set of random swaps.

    Each round swaps the two systems' count rows of every document with probability 1/2
    (one matrix product per batch of rounds); the two-sided p-value is (1 + #rounds whose
    difference is at least as large in absolute value as the observed one) / (1 + #rounds).
    """
    a, b = _pair(rows_a, rows_b)
    empty: dict[str, float | None] = {
        "metric_a": None,
        "metric_b": None,
        "delta": None,
        "p_value": None,
        "n_rounds": n_rounds,
        "n_undefined": n_rounds,
        "seed": seed,
    }
    if not len(a):
        return {name: dict(empty) for name in metrics}
    names = list(metrics)
    total_a, total_b, diff = a.sum(axis=0), b.sum(axis=0), b - a
    rng = np.random.default_rng(seed)
    chunks = []
    for r in _chunks(n_rounds, len(a)):
        shift = (rng.random((r, len(a))) < 0.5).astype(np.float64) @ diff  # B's rows moved into A
        chunks.append(
            np.stack(
                [
                    np.asarray(metrics[n](total_a + shift), dtype=np.float64)
                    - np.asarray(metrics[n](total_b - shift), dtype=np.float64)
                    for n in names
                ],
                axis=1,
            )
        )
    values = np.concatenate(chunks)
    out = {}
    for j, name in enumerate(names):
        m_a, m_b = _point(a, metrics[name]), _point(b, metrics[name])
        p, undefined = _p_value(values[:, j], m_a - m_b)
        out[name] = empty | {
            "metric_a": as_number(m_a),
            "metric_b": as_number(m_b),
            "delta": as_number(m_a - m_b),
            "p_value": p,
            "n_undefined": undefined,
        }
    return out


def randomization_test(rows_a, rows_b, metric: Metric, *, n_rounds: int = DEFAULT_N_BOOT, seed: int = 0) -> dict:
    """:func:`randomization_tests` of one metric."""
    return randomization_tests(rows_a, rows_b, {"m": metric}, n_rounds=n_rounds, seed=seed)["m"]
