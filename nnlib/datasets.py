"""Small data sets to learn from: 2-D toy problems made with numpy, and the 8x8 digits.

Every generator returns ``X`` of shape ``(n_samples, 2)`` and integer labels ``y`` of shape
``(n_samples,)``, shuffled, and is deterministic for a given ``seed``.
"""
from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import numpy as np

from ._validation import as_rng, check_float_dtype, check_non_negative_float, check_positive_int, check_real


def _check_common(n_samples: int, noise: float, where: str, seed: int = 0,
                  dtype: type = np.float64) -> tuple[int, np.random.Generator]:
    """Validate the arguments every generator shares; return ``n_samples`` and the seeded rng."""
    n_samples = check_positive_int(n_samples, where, "n_samples")
    check_non_negative_float(noise, where, "noise")
    check_float_dtype(dtype, where)
    return n_samples, as_rng(seed, where, "seed")


def _split_counts(n_samples: int, n_classes: int) -> list[int]:
    """Share ``n_samples`` among classes as evenly as possible."""
    base, extra = divmod(n_samples, n_classes)
    return [base + (c < extra) for c in range(n_classes)]


def _finish(X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator,
            dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """Add Gaussian noise, shuffle, and cast once at the end."""
    X = X + rng.normal(scale=noise, size=X.shape) if noise > 0 else X
    order = rng.permutation(len(X))
    return X[order].astype(dtype), y[order].astype(np.int64)


def make_moons(n_samples: int = 200, noise: float = 0.1, seed: int = 0,
               dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: ``X`` (n, 2), ``y`` (n,) in {0, 1}."""
    n_samples, rng = _check_common(n_samples, noise, "make_moons", seed, dtype)
    n0, n1 = _split_counts(n_samples, 2)
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower])
    y = np.repeat([0, 1], [n0, n1])
    return _finish(X, y, noise, rng, dtype)


def make_circles(n_samples: int = 200, noise: float = 0.05, seed: int = 0, factor: float = 0.5,
                 dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (class 1) inside a large one (class 0); ``factor`` is the radius ratio.

    Returns ``X`` (n, 2) and ``y`` (n,) in {0, 1}, with n = ``n_samples``.
    """
    n_samples, rng = _check_common(n_samples, noise, "make_circles", seed, dtype)
    if not 0 < check_real(factor, "make_circles", "factor") < 1:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor}")
    n0, n1 = _split_counts(n_samples, 2)
    # endpoint=False: the first and last point of a full circle would coincide.
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    X = np.vstack([np.column_stack([np.cos(t0), np.sin(t0)]),
                   factor * np.column_stack([np.cos(t1), np.sin(t1)])])
    y = np.repeat([0, 1], [n0, n1])
    return _finish(X, y, noise, rng, dtype)


def make_spirals(n_samples: int = 200, noise: float = 0.1, seed: int = 0, n_classes: int = 2,
                 turns: float = 1.5, dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms, each turning ``turns`` times around the origin.

    Returns ``X`` (n, 2) and ``y`` (n,) in {0, ..., n_classes - 1}, with n = ``n_samples``.
    """
    n_samples, rng = _check_common(n_samples, noise, "make_spirals", seed, dtype)
    n_classes = check_positive_int(n_classes, "make_spirals", "n_classes")
    turns = check_real(turns, "make_spirals", "turns")
    parts, labels = [], []
    for c, count in enumerate(_split_counts(n_samples, n_classes)):
        r = np.linspace(0.05, 1.0, count)
        t = 2 * np.pi * (turns * r + c / n_classes)
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        labels.append(np.full(count, c))
    return _finish(np.vstack(parts), np.concatenate(labels), noise, rng, dtype)


def make_xor(n_samples: int = 200, noise: float = 0.1, seed: int = 0,
             dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Points in ``[-1, 1]^2``; class 1 where the two coordinates have the same sign.

    Returns ``X`` (n, 2) and ``y`` (n,) in {0, 1}, with n = ``n_samples``.
    """
    n_samples, rng = _check_common(n_samples, noise, "make_xor", seed, dtype)
    X = rng.uniform(-1, 1, size=(n_samples, 2))
    # Keep a margin around the axes so the noise-free problem is cleanly separable.
    X += 0.1 * np.sign(X)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return _finish(X, y, noise, rng, dtype)


def make_blobs(n_samples: int = 200, noise: float = 1.0, seed: int = 0, centers: int = 3,
               dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """``centers`` Gaussian clusters; ``noise`` is each cluster's standard deviation.

    Returns ``X`` (n, 2) and ``y`` (n,) in {0, ..., centers - 1}, with n = ``n_samples``.
    """
    n_samples, rng = _check_common(n_samples, noise, "make_blobs", seed, dtype)
    centers = check_positive_int(centers, "make_blobs", "centers")
    # Centres evenly spaced on a circle of radius 4: always distinct, always the same.
    angles = 2 * np.pi * np.arange(centers) / centers
    means = 4 * np.column_stack([np.cos(angles), np.sin(angles)])
    counts = _split_counts(n_samples, centers)
    X = np.repeat(means, counts, axis=0)
    y = np.repeat(np.arange(centers), counts)
    return _finish(X, y, noise, rng, dtype)


def _sklearn_digits_file() -> Path:
    # Locate the file without importing scikit-learn: nnlib only needs its bundled data.
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "load_digits: the digits ship with scikit-learn; install it with "
            "`pip install scikit-learn` (no download happens at run time)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / "digits.csv.gz"
    if not path.exists():
        raise FileNotFoundError(f"load_digits: expected scikit-learn's digits file at {path}")
    return path


def load_digits(dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 handwritten digits scikit-learn ships: ``X`` (1797, 64) in [0, 16], ``y`` (1797,).

    Show one with ``X[i].reshape(8, 8)``.
    """
    dtype = check_float_dtype(dtype, "load_digits")
    with gzip.open(_sklearn_digits_file(), "rt") as f:
        data = np.loadtxt(f, delimiter=",", dtype=np.float64)
    return data[:, :-1].astype(dtype), data[:, -1].astype(np.int64)
