"""Step 2, initialization: functions that return a ``(fan_in, fan_out)`` weight matrix.

Each has the signature ``f(fan_in, fan_out, rng=None, dtype=np.float64)`` so that ``Dense``
can take any of them, or one a learner writes, as its ``init``. The formulas follow
PyTorch's ``torch.nn.init`` (Xavier = Glorot; He = Kaiming with ``mode="fan_in"``).
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    as_rng,
    check_float_dtype,
    check_non_negative_float,
    check_positive_int,
    check_real,
)


def _checked(
    fan_in: int,
    fan_out: int,
    where: str,
    dtype: type,
    rng: np.random.Generator | int | None,
) -> tuple[tuple[int, int], np.random.Generator]:
    """Validate the shared arguments; return the weight shape and a Generator."""
    shape = (
        check_positive_int(fan_in, where, "fan_in"),
        check_positive_int(fan_out, where, "fan_out"),
    )
    check_float_dtype(dtype, where)
    return shape, as_rng(rng, where)


def zeros(
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | int | None = None,
    dtype: type = np.float64,
) -> np.ndarray:
    """All zeros, (fan_in, fan_out). Fine for biases; for weights every unit is the same."""
    shape, _ = _checked(fan_in, fan_out, "zeros", dtype, rng)
    return np.zeros(shape, dtype=dtype)


def constant(
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | int | None = None,
    dtype: type = np.float64,
    value: float = 0.1,
) -> np.ndarray:
    """A (fan_in, fan_out) matrix with every weight equal to ``value``."""
    shape, _ = _checked(fan_in, fan_out, "constant", dtype, rng)
    return np.full(shape, check_real(value, "constant", "value"), dtype=dtype)


def normal(
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | int | None = None,
    dtype: type = np.float64,
    mean: float = 0.0,
    std: float = 1.0,
) -> np.ndarray:
    """(fan_in, fan_out) samples of N(mean, std^2); with std=1 activations grow layer by layer."""
    shape, gen = _checked(fan_in, fan_out, "normal", dtype, rng)
    mean = check_real(mean, "normal", "mean")
    std = check_non_negative_float(std, "normal", "std")
    return gen.normal(mean, std, size=shape).astype(dtype)


def uniform(
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | int | None = None,
    dtype: type = np.float64,
    low: float = 0.0,
    high: float = 1.0,
) -> np.ndarray:
    """(fan_in, fan_out) samples of U(low, high)."""
    shape, gen = _checked(fan_in, fan_out, "uniform", dtype, rng)
    low, high = check_real(low, "uniform", "low"), check_real(high, "uniform", "high")
    if low > high:
        raise ValueError(f"uniform: low must be <= high, got low={low}, high={high}")
    return gen.uniform(low, high, size=shape).astype(dtype)


def xavier_uniform(
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | int | None = None,
    dtype: type = np.float64,
    gain: float = 1.0,
) -> np.ndarray:
    """U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``: keeps variance for tanh/sigmoid."""
    shape, gen = _checked(fan_in, fan_out, "xavier_uniform", dtype, rng)
    bound = check_non_negative_float(gain, "xavier_uniform", "gain") * np.sqrt(
        6.0 / (fan_in + fan_out)
    )
    return gen.uniform(-bound, bound, size=shape).astype(dtype)


def xavier_normal(
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | int | None = None,
    dtype: type = np.float64,
    gain: float = 1.0,
) -> np.ndarray:
    """N(0, s^2) with ``s = gain * sqrt(2 / (fan_in + fan_out))``."""
    shape, gen = _checked(fan_in, fan_out, "xavier_normal", dtype, rng)
    std = check_non_negative_float(gain, "xavier_normal", "gain") * np.sqrt(
        2.0 / (fan_in + fan_out)
    )
    return gen.normal(0.0, std, size=shape).astype(dtype)


def he_uniform(
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | int | None = None,
    dtype: type = np.float64,
) -> np.ndarray:
    """U(-a, a) with ``a = sqrt(6 / fan_in)``: Var(W) = 2 / fan_in, right for ReLU."""
    shape, gen = _checked(fan_in, fan_out, "he_uniform", dtype, rng)
    bound = np.sqrt(6.0 / fan_in)
    return gen.uniform(-bound, bound, size=shape).astype(dtype)


def he_normal(
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | int | None = None,
    dtype: type = np.float64,
) -> np.ndarray:
    """N(0, 2 / fan_in): ReLU zeroes half its inputs, so twice the variance keeps the signal."""
    shape, gen = _checked(fan_in, fan_out, "he_normal", dtype, rng)
    return gen.normal(0.0, np.sqrt(2.0 / fan_in), size=shape).astype(dtype)


INITIALIZERS = {
    f.__name__: f
    for f in (
        zeros,
        constant,
        normal,
        uniform,
        xavier_uniform,
        xavier_normal,
        he_uniform,
        he_normal,
    )
}
