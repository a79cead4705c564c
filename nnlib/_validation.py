"""Input checks shared by every public entry point.

Validation happens once, at the boundary a learner calls, so that a mistake is reported in
terms of *their* call ("Dense(64 -> 10) expected ...") rather than as a numpy broadcasting
error three frames deeper.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable
from typing import TypeVar

import numpy as np

_F = TypeVar("_F", bound=Callable)

FLOAT_DTYPES = (np.float32, np.float64)


def as_rng(
    rng: np.random.Generator | int | None, where: str | None = None, name: str = "rng"
) -> np.random.Generator:
    """Return a ``Generator``: pass one through, seed one from an int, or make a fresh one.

    ``where`` (the caller's name) and ``name`` (the parameter's) make the error say whose
    argument was wrong.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    prefix = f"{where}: " if where else ""
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise ValueError(
                f"{prefix}{name} must be a non-negative integer seed, got {rng}"
            )
        return np.random.default_rng(rng)
    raise TypeError(
        f"{prefix}{name} must be a numpy Generator (np.random.default_rng(seed)), an int seed or None, "
        f"got {type(rng).__name__}"
    )


def seed_is_old_rng(func: _F) -> _F:
    """Let ``func(..., seed=...)`` keep working now that the argument is called ``rng``.

    One name for one idea: every nnlib function that draws random numbers takes ``rng``, a
    numpy ``Generator`` or an int seed (the convention of Scientific Python's SPEC 7, which numpy
    and SciPy follow). Several functions used to call it ``seed``; that spelling still works.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if "seed" in kwargs:
            if "rng" in kwargs:
                raise TypeError(
                    f"{func.__name__}: pass rng or seed (its old name), not both"
                )
            kwargs["rng"] = kwargs.pop("seed")
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def check_float_dtype(dtype: object, where: str, name: str = "dtype") -> np.dtype:
    """Return ``np.dtype(dtype)`` if it is float32 or float64, else raise a TypeError."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in FLOAT_DTYPES:
        shown = resolved if resolved is not None else repr(dtype)
        raise TypeError(f"{where}: {name} must be float32 or float64, got {shown}")
    return resolved


def check_real(value: object, where: str, name: str) -> float:
    """Return ``value`` as a finite float, else raise (TypeError for non-numbers)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{where}: {name} must be a finite number, got {value}")
    return float(value)


def check_in_range(
    value: object,
    where: str,
    name: str,
    low: float,
    high: float,
    high_open: bool = True,
) -> float:
    """Return ``value`` as a float if it lies in ``[low, high)`` (or ``[low, high]``), else raise."""
    value = check_real(value, where, name)
    inside = low <= value < high if high_open else low <= value <= high
    if not inside:
        interval = f"[{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{where}: {name} must be in {interval}, got {value}")
    return value


def check_finite_input(x: np.ndarray, where: str, name: str = "input") -> np.ndarray:
    """For a float array: raise if it is empty or holds NaN/inf. Other arrays pass through.

    Used where data enters a model; the layers themselves check types and shapes.
    """
    if isinstance(x, np.ndarray) and x.dtype in FLOAT_DTYPES:
        _reject_empty(x, where, name)
        _reject_non_finite(x, where, name)
    return x


def _reject_empty(x: np.ndarray, where: str, name: str) -> None:
    if x.size == 0:
        raise ValueError(
            f"{where}: {name} is empty (shape {x.shape}); it needs at least one sample"
        )


def _reject_non_finite(x: np.ndarray, where: str, name: str) -> None:
    finite = np.isfinite(x)
    if not finite.all():
        bad = int(x.size - np.count_nonzero(finite))
        raise ValueError(
            f"{where}: {name} contains {bad} NaN or inf value(s); clean or impute them first"
        )


def check_float_array(
    x: object,
    where: str,
    name: str = "X",
    ndim: int | tuple[int, ...] = 2,
    finite: bool = True,
) -> np.ndarray:
    """Check that ``x`` is a non-empty float32/float64 ndarray with ``ndim`` dimensions.

    Integer and object arrays are rejected instead of converted, because a silent cast is
    exactly the kind of dtype change a learner would never notice.
    """
    if not isinstance(x, np.ndarray):
        if isinstance(x, (list, tuple)):
            raise TypeError(
                f"{where}: {name} must be a numpy array, got a {type(x).__name__}; "
                f"wrap it with np.asarray({name}, dtype=np.float64)"
            )
        raise TypeError(
            f"{where}: {name} must be a numpy array, got {type(x).__name__}"
        )
    if x.dtype not in FLOAT_DTYPES:
        raise TypeError(
            f"{where}: {name} must have dtype float32 or float64, got {x.dtype}; "
            f"convert it with {name}.astype(np.float64)"
        )
    dims = (ndim,) if isinstance(ndim, int) else ndim
    if x.ndim not in dims:
        expected = " or ".join(f"{d}-D" for d in dims)
        hint = " (shape (batch, features))" if 2 in dims else ""
        fix = ""
        if x.ndim == 1 and 2 in dims:
            # The usual cause: one sample passed on its own. Say how to make it a batch of one.
            fix = f"; for one sample of {x.shape[0]} features use {name}[None, :] (shape (1, {x.shape[0]}))"
        raise ValueError(
            f"{where}: {name} must be {expected}{hint}, got {x.ndim}-D array of shape {x.shape}{fix}"
        )
    _reject_empty(x, where, name)
    if finite:
        _reject_non_finite(x, where, name)
    return x


def check_labels(
    y: object, where: str, n_classes: int | None = None, name: str = "y"
) -> np.ndarray:
    """Check integer class labels: a 1-D int array with values in ``[0, n_classes)``."""
    if not isinstance(y, np.ndarray):
        raise TypeError(
            f"{where}: {name} must be a numpy array of integer labels, got {type(y).__name__}"
        )
    if y.ndim != 1:
        raise ValueError(
            f"{where}: {name} must be 1-D integer labels of shape (n,), got shape {y.shape}"
        )
    if y.dtype.kind not in "iu":  # signed or unsigned integers (not bool)
        raise TypeError(
            f"{where}: {name} must hold integer class labels, got dtype {y.dtype}; "
            f"convert it with {name}.astype(int) if the values are whole numbers"
        )
    if y.size and y.min() < 0:
        raise ValueError(f"{where}: class labels must be >= 0, got {int(y.min())}")
    if n_classes is not None and y.size and y.max() >= n_classes:
        raise ValueError(
            f"{where}: class labels must be in [0, {n_classes}), got {int(y.max())}"
        )
    return y


def check_same_length(X: np.ndarray, y: np.ndarray, where: str) -> None:
    """Raise if ``X`` and ``y`` do not describe the same number of samples."""
    if len(X) != len(y):
        raise ValueError(
            f"{where}: X and y must have the same number of samples, got {len(X)} and {len(y)}"
        )


def check_positive_int(value: object, where: str, name: str) -> int:
    """Return ``value`` if it is an int > 0, else raise with the parameter's name."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be a positive integer, got {value!r}")
    if value <= 0:
        raise ValueError(f"{where}: {name} must be a positive integer, got {value}")
    return int(value)


def check_positive_float(value: object, where: str, name: str) -> float:
    """Return ``value`` as a float if it is a finite number > 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a positive number, got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{where}: {name} must be a positive number, got {value}")
    return float(value)


def check_non_negative_float(value: object, where: str, name: str) -> float:
    """Return ``value`` as a float if it is a finite number >= 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number >= 0, got {value!r}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{where}: {name} must be a finite number >= 0, got {value}")
    return float(value)
