"""Numerically stable building blocks shared by layers, losses and prediction.

Each works on any float dtype and returns the same dtype.
"""
from __future__ import annotations

import numpy as np


def _numeric(x: object, where: str) -> np.ndarray:
    """``x`` as an array; TypeError unless it holds real numbers (not object, str or complex)."""
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{where}: expected a numeric array (float32 or float64), got dtype {x.dtype}")
    return x


def _logits_2d(z: object, where: str) -> np.ndarray:
    z = _numeric(z, where)
    if z.ndim != 2:
        raise ValueError(f"{where}: expected 2-D logits of shape (batch, classes), got shape {z.shape}")
    if z.shape[1] == 0:
        raise ValueError(f"{where}: needs at least one class, got shape {z.shape}")
    return z


def row_max(z: np.ndarray) -> np.ndarray:
    """The largest entry of each row of ``z`` (n, k), as a column (n, 1)."""
    # numpy reduces along a short last axis row by row: z.max(axis=1) takes ~50 us for
    # 1000 x 2 logits. A running elementwise maximum over the few columns a classifier has
    # does the same in k - 1 vectorized calls, ten times faster. Each call costs ~1 us, so
    # for a short batch with many classes (128 x 10) the row-by-row reduction still wins.
    n, k = z.shape
    if k > 16 or n < 32 * k:
        return z.max(axis=1, keepdims=True)
    m = z[:, 0].copy()
    for j in range(1, k):
        np.maximum(m, z[:, j], out=m)
    return m[:, None]


def row_sum(z: np.ndarray) -> np.ndarray:
    """The sum of each row of ``z`` (n, k), as a column (n, 1)."""
    # z @ 1 sums the rows through BLAS: several times faster than z.sum(axis=1) when k is small.
    return (z @ np.ones(z.shape[1], dtype=z.dtype))[:, None]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` elementwise, without overflow for any finite ``x``."""
    x = _numeric(x, "sigmoid")
    # exp(-x) overflows for x << 0; exp(-|x|) is always in (0, 1], and for x < 0 the
    # equivalent form e^x / (1 + e^x) uses it too.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def logsumexp(z: np.ndarray, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """``log(sum(exp(z)))`` along ``axis``, computed as ``m + log(sum(exp(z - m)))``.

    ``z`` of any shape, e.g. logits (n, k); the result drops ``axis`` ((n,) for the default
    ``axis=-1``), or keeps it with size 1 ((n, 1)) when ``keepdims=True``.
    """
    z = _numeric(z, "logsumexp")
    if not -z.ndim <= axis < z.ndim:
        raise ValueError(f"logsumexp: axis {axis} does not exist in an array of shape {z.shape}")
    if z.shape[axis] == 0:
        raise ValueError(f"logsumexp: needs at least one value along axis {axis}, got shape {z.shape}")
    # Subtracting the max makes the largest exponent exp(0) = 1: nothing overflows, and at
    # least one term is 1 so the log never sees 0.
    m = z.max(axis=axis, keepdims=True)
    out = m + np.log(np.exp(z - m).sum(axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise ``log(softmax(z))`` for logits ``z`` of shape (n, k)."""
    z = _logits_2d(z, "log_softmax")
    shifted = z - row_max(z)
    return shifted - np.log(row_sum(np.exp(shifted)))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits ``z`` (n, k) -> probabilities (n, k) summing to 1."""
    z = _logits_2d(z, "softmax")
    e = np.exp(z - row_max(z))
    e /= row_sum(e)
    return e
