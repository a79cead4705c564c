"""Step 2, initialization: functions that return a ``(fan_in, fan_out)`` weight matrix.

Each has the signature ``f(fan_in, fan_out, rng=None, dtype=np.float64)`` so that ``Dense``
can take any of them, or one a learner writes, as its ``init``. The formulas follow
PyTorch's ``torch.nn.init`` (Xavier = Glorot; He = Kaiming with ``mode="fan_in"``).
"""
from __future__ import annotations

import numpy as np

from ._validation import as_rng, check_positive_int


def _checked(fan_in: int, fan_out: int, where: str) -> tuple[int, int]:
    return (check_positive_int(fan_in, where, "fan_in"), check_positive_int(fan_out, where, "fan_out"))


def zeros(fan_in: int, fan_out: int, rng: np.random.Generator | int | None = None,
          dtype: type = np.float64) -> np.ndarray:
    """All zeros. Fine for biases; for weights it makes every unit identical (symmetry)."""
    return np.zeros(_checked(fan_in, fan_out, "zeros"), dtype=dtype)


def constant(fan_in: int, fan_out: int, rng: np.random.Generator | int | None = None,
             dtype: type = np.float64, value: float = 0.1) -> np.ndarray:
    """Every weight equal to ``value``."""
    return np.full(_checked(fan_in, fan_out, "constant"), value, dtype=dtype)


def normal(fan_in: int, fan_out: int, rng: np.random.Generator | int | None = None,
           dtype: type = np.float64, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """Samples of N(mean, std^2); with the default std=1 activations grow layer after layer."""
    shape = _checked(fan_in, fan_out, "normal")
    return as_rng(rng).normal(mean, std, size=shape).astype(dtype)


def uniform(fan_in: int, fan_out: int, rng: np.random.Generator | int | None = None,
            dtype: type = np.float64, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """Samples of U(low, high)."""
    shape = _checked(fan_in, fan_out, "uniform")
    return as_rng(rng).uniform(low, high, size=shape).astype(dtype)


def xavier_uniform(fan_in: int, fan_out: int, rng: np.random.Generator | int | None = None,
                   dtype: type = np.float64, gain: float = 1.0) -> np.ndarray:
    """U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``: keeps variance for tanh/sigmoid."""
    shape = _checked(fan_in, fan_out, "xavier_uniform")
    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return as_rng(rng).uniform(-bound, bound, size=shape).astype(dtype)


def xavier_normal(fan_in: int, fan_out: int, rng: np.random.Generator | int | None = None,
                  dtype: type = np.float64, gain: float = 1.0) -> np.ndarray:
    """N(0, s^2) with ``s = gain * sqrt(2 / (fan_in + fan_out))``."""
    shape = _checked(fan_in, fan_out, "xavier_normal")
    std = gain * np.sqrt(2.0 / (fan_in + fan_out))
    return as_rng(rng).normal(0.0, std, size=shape).astype(dtype)


def he_uniform(fan_in: int, fan_out: int, rng: np.random.Generator | int | None = None,
               dtype: type = np.float64) -> np.ndarray:
    """U(-a, a) with ``a = sqrt(6 / fan_in)``: Var(W) = 2 / fan_in, right for ReLU."""
    shape = _checked(fan_in, fan_out, "he_uniform")
    bound = np.sqrt(6.0 / fan_in)
    return as_rng(rng).uniform(-bound, bound, size=shape).astype(dtype)


def he_normal(fan_in: int, fan_out: int, rng: np.random.Generator | int | None = None,
              dtype: type = np.float64) -> np.ndarray:
    """N(0, 2 / fan_in): ReLU zeroes half its inputs, so twice the variance keeps the signal."""
    shape = _checked(fan_in, fan_out, "he_normal")
    return as_rng(rng).normal(0.0, np.sqrt(2.0 / fan_in), size=shape).astype(dtype)


INITIALIZERS = {
    f.__name__: f
    for f in (zeros, constant, normal, uniform, xavier_uniform, xavier_normal, he_uniform, he_normal)
}
