"""Small data sets to learn from: 2-D toy problems made with numpy, and the 8x8 digits.

Every generator returns ``X`` of shape ``(n_samples, 2)`` and integer labels ``y`` of shape
``(n_samples,)``, shuffled, and is deterministic for a given ``rng`` (a numpy ``Generator``
or an int seed; ``seed=`` is its old name and still works). Chapter 1 (``ch-data``)
shows them all.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ._validation import (
    as_rng,
    check_float_dtype,
    check_non_negative_float,
    check_positive_float,
    check_positive_int,
    check_real,
    seed_is_old_rng,
)


def _check_common(
    n_samples: int,
    noise: float,
    where: str,
    rng: np.random.Generator | int | None = 0,
    dtype: type = np.float64,
) -> tuple[int, np.random.Generator]:
    """Validate the arguments every generator shares; return ``n_samples`` and the seeded rng."""
    n_samples = check_positive_int(n_samples, where, "n_samples")
    check_non_negative_float(noise, where, "noise")
    check_float_dtype(dtype, where)
    return n_samples, as_rng(rng, where)


def _split_counts(n_samples: int, n_classes: int) -> list[int]:
    """Share ``n_samples`` among classes as evenly as possible."""
    base, extra = divmod(n_samples, n_classes)
    return [base + (c < extra) for c in range(n_classes)]


def _finish(
    X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator, dtype: type
) -> tuple[np.ndarray, np.ndarray]:
    """Add Gaussian noise, shuffle, and cast once at the end."""
    X = X + rng.normal(scale=noise, size=X.shape) if noise > 0 else X
    order = rng.permutation(len(X))
    return X[order].astype(dtype), y[order].astype(np.int64)


@seed_is_old_rng
def make_moons(
    n_samples: int = 200,
    noise: float = 0.1,
    rng: np.random.Generator | int | None = 0,
    dtype: type = np.float64,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: ``X`` (n, 2), ``y`` (n,) in {0, 1}."""
    n_samples, rng = _check_common(n_samples, noise, "make_moons", rng, dtype)
    n0, n1 = _split_counts(n_samples, 2)
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower])
    y = np.repeat([0, 1], [n0, n1])
    return _finish(X, y, noise, rng, dtype)


@seed_is_old_rng
def make_circles(
    n_samples: int = 200,
    noise: float = 0.05,
    rng: np.random.Generator | int | None = 0,
    factor: float = 0.5,
    dtype: type = np.float64,
) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (class 1) inside a large one (class 0); ``factor`` is the radius ratio.

    Returns ``X`` (n, 2) and ``y`` (n,) in {0, 1}, with n = ``n_samples``.
    """
    n_samples, rng = _check_common(n_samples, noise, "make_circles", rng, dtype)
    if not 0 < check_real(factor, "make_circles", "factor") < 1:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor}")
    n0, n1 = _split_counts(n_samples, 2)
    # endpoint=False: the first and last point of a full circle would coincide.
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    X = np.vstack(
        [
            np.column_stack([np.cos(t0), np.sin(t0)]),
            factor * np.column_stack([np.cos(t1), np.sin(t1)]),
        ]
    )
    y = np.repeat([0, 1], [n0, n1])
    return _finish(X, y, noise, rng, dtype)


# Radial distance between neighbouring spiral arms, in the units of X. At noise 0.2 (the
# playground's default) a point lands nearer the next arm only when its noise across the arm
# exceeds half the gap, 0.75 = 3.75 standard deviations, so the arms stay plainly apart.
# (TensorFlow Playground's spirals have a gap of 5 / 3.5, about 1.43.)
_SPIRAL_GAP = 1.5


def _num_classes_was_n_classes(func: Callable) -> Callable:
    """Let ``make_spirals(n_classes=...)`` keep working now that the argument is ``num_classes``.

    ``num_classes`` is the name the rest of nnlib uses (``one_hot``, ``confusion_matrix``);
    ``n_classes`` was this function's first spelling. Both may be given only if they agree.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if "n_classes" in kwargs:
            where = func.__name__
            old = check_positive_int(kwargs.pop("n_classes"), where, "n_classes")
            if (
                "num_classes" in kwargs or len(args) > 3
            ):  # num_classes is the 4th positional
                new = kwargs["num_classes"] if "num_classes" in kwargs else args[3]
                if check_positive_int(new, where, "num_classes") != old:
                    raise TypeError(
                        f"{where}: got num_classes={new} and n_classes={old} (its old "
                        f"name); pass one of them"
                    )
            else:
                kwargs["num_classes"] = old
        return func(*args, **kwargs)

    return wrapper


@_num_classes_was_n_classes
@seed_is_old_rng
def make_spirals(
    n_samples: int = 200,
    noise: float = 0.1,
    rng: np.random.Generator | int | None = 0,
    num_classes: int = 2,
    turns: float = 1.5,
    dtype: type = np.float64,
) -> tuple[np.ndarray, np.ndarray]:
    """``num_classes`` interleaved spiral arms, each turning ``turns`` times around the origin.

    Returns ``X`` (n, 2) and ``y`` (n,) in {0, ..., num_classes - 1}, with n = ``n_samples``.

    Each arm is an Archimedean spiral, and neighbouring arms are 1.5 apart everywhere (in
    TensorFlow Playground about 1.43), so ``noise`` (the standard deviation of the Gaussian
    noise added to each coordinate) blurs every arm alike: the arms are plain up to a noise of about 0.2, blur
    into each other from about 0.5 and are lost near 1. An arm runs from radius 0.75 (half the
    gap) to ``0.75 + 1.5 * turns * num_classes`` (5.25 for the defaults), with its points evenly
    spaced along it.

    ``n_classes`` is the old name of ``num_classes`` and still works; passing both is an error
    unless they agree.
    """
    n_samples, rng = _check_common(n_samples, noise, "make_spirals", rng, dtype)
    num_classes = check_positive_int(num_classes, "make_spirals", "num_classes")
    turns = check_positive_float(turns, "make_spirals", "turns")
    # The angle grows in proportion to the radius, by one turn every num_classes gaps; arm c is
    # rotated by c / num_classes of a turn, so at any angle the next arm out is one gap further.
    per_turn = num_classes * _SPIRAL_GAP
    r_start = _SPIRAL_GAP / 2
    r_end = r_start + turns * per_turn
    parts, labels = [], []
    for c, count in enumerate(_split_counts(n_samples, num_classes)):
        # An arm's length up to radius r grows about like r**2, so radii evenly spaced in r**2
        # space the points evenly along the arm (evenly spaced radii crowd the centre).
        r = np.sqrt(np.linspace(r_start**2, r_end**2, count))
        t = 2 * np.pi * (r / per_turn + c / num_classes)
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        labels.append(np.full(count, c))
    return _finish(np.vstack(parts), np.concatenate(labels), noise, rng, dtype)


@seed_is_old_rng
def make_xor(
    n_samples: int = 200,
    noise: float = 0.1,
    rng: np.random.Generator | int | None = 0,
    dtype: type = np.float64,
) -> tuple[np.ndarray, np.ndarray]:
    """Points in ``[-1, 1]^2``; class 1 where the two coordinates have the same sign.

    Returns ``X`` (n, 2) and ``y`` (n,) in {0, 1}, with n = ``n_samples``.
    """
    n_samples, rng = _check_common(n_samples, noise, "make_xor", rng, dtype)
    X = rng.uniform(-1, 1, size=(n_samples, 2))
    # Keep a margin around the axes so the noise-free problem is cleanly separable.
    X += 0.1 * np.sign(X)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return _finish(X, y, noise, rng, dtype)


@seed_is_old_rng
def make_blobs(
    n_samples: int = 200,
    noise: float = 1.0,
    rng: np.random.Generator | int | None = 0,
    centers: int = 3,
    dtype: type = np.float64,
) -> tuple[np.ndarray, np.ndarray]:
    """``centers`` Gaussian clusters; ``noise`` is each cluster's standard deviation.

    Returns ``X`` (n, 2) and ``y`` (n,) in {0, ..., centers - 1}, with n = ``n_samples``.
    """
    n_samples, rng = _check_common(n_samples, noise, "make_blobs", rng, dtype)
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
    path = (
        Path(next(iter(spec.submodule_search_locations)))
        / "datasets"
        / "data"
        / "digits.csv.gz"
    )
    if not path.exists():
        raise FileNotFoundError(
            f"load_digits: expected scikit-learn's digits file at {path}"
        )
    return path


def load_digits(dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 handwritten digits scikit-learn ships: ``X`` (1797, 64) in [0, 16], ``y`` (1797,).

    Show one with ``X[i].reshape(8, 8)``.
    """
    dtype = check_float_dtype(dtype, "load_digits")
    with gzip.open(_sklearn_digits_file(), "rt") as f:
        data = np.loadtxt(f, delimiter=",", dtype=np.float64)
    return data[:, :-1].astype(dtype), data[:, -1].astype(np.int64)
