"""Numerically stable building blocks shared by layers, losses and prediction (chapters 3-4).

Chapter 3 teaches the sigmoid and the softmax, chapter 4 the log-sum-exp and the
log-softmax behind the cross-entropy. Each function here is the chapter's formula, written
the way the chapter writes it; each works on any float dtype and returns the same dtype.

The fast versions of softmax and log-softmax (the row maximum and row sum computed without
numpy's slow row-by-row reduction over a short axis) live apart in ``nnlib/fast.py``, with
tests that they give the same numbers. ``row_max`` and ``row_sum``, which lived here before,
are defined there and still import from here.
"""

from __future__ import annotations

import numpy as np


def _numeric(x: object, where: str) -> np.ndarray:
    """``x`` as an array; TypeError unless it holds real numbers (not object, str or complex)."""
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise TypeError(
            f"{where}: expected a numeric array (float32 or float64), got dtype {x.dtype}"
        )
    return x


def _logits_2d(z: object, where: str) -> np.ndarray:
    z = _numeric(z, where)
    if z.ndim != 2:
        raise ValueError(
            f"{where}: expected 2-D logits of shape (batch, classes), got shape {z.shape}"
        )
    if z.shape[1] == 0:
        raise ValueError(f"{where}: needs at least one class, got shape {z.shape}")
    return z


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
        raise ValueError(
            f"logsumexp: axis {axis} does not exist in an array of shape {z.shape}"
        )
    if z.shape[axis] == 0:
        raise ValueError(
            f"logsumexp: needs at least one value along axis {axis}, got shape {z.shape}"
        )
    # Subtracting the max makes the largest exponent exp(0) = 1: nothing overflows, and at
    # least one term is 1 so the log never sees 0.
    m = z.max(axis=axis, keepdims=True)
    out = m + np.log(np.exp(z - m).sum(axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise ``log(softmax(z))`` for logits ``z`` (n, k) -> log-probabilities (n, k).

    ``z - logsumexp(z)``, chapter 4's form: ``(z - m) - log(sum(exp(z - m)))`` with ``m``
    each row's maximum, so nothing overflows and the log never sees 0.
    """
    z = _logits_2d(z, "log_softmax")
    shifted = z - z.max(axis=1, keepdims=True)  # (n, k), each row's max is 0
    # (n, k) - (n, 1): each row minus the log of its sum of exponentials.
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits ``z`` (n, k) -> probabilities (n, k) summing to 1.

    ``exp(z - m) / sum(exp(z - m))`` with ``m`` each row's maximum (chapter 3): the shift
    leaves the probabilities unchanged and makes the largest exponent ``exp(0) = 1``.
    """
    z = _logits_2d(z, "softmax")
    E = np.exp(z - z.max(axis=1, keepdims=True))  # (n, k)
    return E / E.sum(axis=1, keepdims=True)  # divide each row by its own sum


def __getattr__(name: str) -> object:
    # row_max and row_sum were defined here; they now live with the other fast paths in
    # nnlib/fast.py. Importing them lazily keeps `F.row_max` and
    # `from nnlib.functional import row_sum` working without an import cycle (fast.py
    # imports the layers, which import this module).
    if name in ("row_max", "row_sum"):
        from . import fast

        return getattr(fast, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
