"""Numerically stable building blocks shared by layers, losses and prediction.

Each works on any float dtype and returns the same dtype.
"""
from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` elementwise, without overflow for any finite ``x``."""
    # exp(-x) overflows for x << 0; exp(-|x|) is always in (0, 1], and for x < 0 the
    # equivalent form e^x / (1 + e^x) uses it too.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def logsumexp(z: np.ndarray, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """``log(sum(exp(z)))`` along ``axis``, computed as ``m + log(sum(exp(z - m)))``."""
    # Subtracting the max makes the largest exponent exp(0) = 1: nothing overflows, and at
    # least one term is 1 so the log never sees 0.
    m = z.max(axis=axis, keepdims=True)
    out = m + np.log(np.exp(z - m).sum(axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise ``log(softmax(z))`` for logits ``z`` of shape (n, k)."""
    return z - logsumexp(z, axis=1, keepdims=True)


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits ``z`` (n, k) -> probabilities (n, k) summing to 1."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e
