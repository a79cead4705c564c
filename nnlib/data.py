"""Step 1, data preparation: scaling, one-hot labels, splitting and mini-batches.

Arrays are ``(n_samples, n_features)``. Every transform keeps the dtype of its input.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ._validation import (
    as_rng,
    check_float_array,
    check_labels,
    check_positive_int,
    check_real,
    check_same_length,
    seed_is_old_rng,
)


class NotFittedError(ValueError, AttributeError):
    """Raised when a scaler is used before ``fit``."""


class _Scaler:
    """Shared plumbing: fit on training data, then transform any data with the same features."""

    _fitted_attrs: tuple[str, ...] = ()

    def _check_fitted(self, where: str) -> None:
        if any(getattr(self, a, None) is None for a in self._fitted_attrs):
            raise NotFittedError(
                f"{type(self).__name__}.{where}: not fitted yet; call fit(X_train) first"
            )

    def _check_features(self, X: np.ndarray, where: str) -> None:
        n = self.n_features_
        if X.shape[1] != n:
            raise ValueError(
                f"{type(self).__name__}.{where}: expected X with {n} features "
                f"(as in fit), got {X.shape[1]}"
            )

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """Fit on ``X`` (n, d) and return it transformed (n, d)."""
        return self.fit(X).transform(X)


class StandardScaler(_Scaler):
    """Standardize features: ``z = (x - mean) / std`` per column.

    A feature with zero variance gets ``std = 1`` so it maps to 0 instead of dividing by zero.
    """

    _fitted_attrs = ("mean_", "scale_")

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.n_features_: int | None = None

    def fit(self, X: np.ndarray) -> StandardScaler:
        """Learn per-feature mean and std from ``X`` (n, d); returns ``self``."""
        X = check_float_array(X, "StandardScaler.fit")
        # Accumulate in float64: a float32 sum of many large values rounds, and a constant
        # column of 1e8 would get a mean (and a "std") off by tens.
        mean = X.mean(axis=0, dtype=np.float64)
        std = X.std(axis=0, dtype=np.float64)
        self.mean_ = mean.astype(X.dtype)
        # A constant column has std 0, or a rounding-error std of about eps * |mean|; dividing
        # by that would blow noise up to unit size, so such columns keep scale 1 and map to 0.
        tiny = 10 * np.finfo(X.dtype).eps * np.maximum(np.abs(self.mean_), 1)
        self.scale_ = np.where(std > tiny, std, 1).astype(X.dtype)
        self.n_features_ = X.shape[1]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Return ``(X - mean) / std`` (n, d), in the dtype of ``X``."""
        self._check_fitted("transform")
        X = check_float_array(X, "StandardScaler.transform")
        self._check_features(X, "transform")
        return (X - self.mean_.astype(X.dtype)) / self.scale_.astype(X.dtype)

    def inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        """Undo ``transform``: ``Z * std + mean`` (n, d)."""
        self._check_fitted("inverse_transform")
        Z = check_float_array(Z, "StandardScaler.inverse_transform", name="Z")
        self._check_features(Z, "inverse_transform")
        return Z * self.scale_.astype(Z.dtype) + self.mean_.astype(Z.dtype)


class MinMaxScaler(_Scaler):
    """Rescale each feature linearly to ``feature_range`` (default ``[0, 1]``).

    A constant feature maps to the lower end of the range.
    """

    _fitted_attrs = ("min_", "range_")

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)) -> None:
        if not isinstance(feature_range, (tuple, list)):
            raise TypeError(
                f"MinMaxScaler: feature_range must be a pair (low, high), got {feature_range!r}"
            )
        if len(feature_range) != 2:
            raise ValueError(
                f"MinMaxScaler: feature_range must have two values (low, high), got {feature_range!r}"
            )
        low, high = (
            check_real(v, "MinMaxScaler", "each value of feature_range")
            for v in feature_range
        )
        if not low < high:
            raise ValueError(
                f"MinMaxScaler: feature_range must satisfy low < high, got {feature_range}"
            )
        self.feature_range = (float(low), float(high))
        self.min_: np.ndarray | None = None
        self.range_: np.ndarray | None = None
        self.n_features_: int | None = None

    def fit(self, X: np.ndarray) -> MinMaxScaler:
        """Learn per-feature min and max from ``X`` (n, d); returns ``self``."""
        X = check_float_array(X, "MinMaxScaler.fit")
        self.min_ = X.min(axis=0)
        span = X.max(axis=0) - self.min_
        self.range_ = np.where(span > 0, span, np.ones_like(span))
        self.n_features_ = X.shape[1]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Return ``low + (X - min) / (max - min) * (high - low)`` (n, d)."""
        self._check_fitted("transform")
        X = check_float_array(X, "MinMaxScaler.transform")
        self._check_features(X, "transform")
        low, high = self.feature_range
        unit = (X - self.min_.astype(X.dtype)) / self.range_.astype(X.dtype)
        return (unit * X.dtype.type(high - low) + X.dtype.type(low)).astype(
            X.dtype, copy=False
        )

    def inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        """Undo ``transform`` (n, d)."""
        self._check_fitted("inverse_transform")
        Z = check_float_array(Z, "MinMaxScaler.inverse_transform", name="Z")
        self._check_features(Z, "inverse_transform")
        low, high = self.feature_range
        unit = (Z - Z.dtype.type(low)) / Z.dtype.type(high - low)
        return unit * self.range_.astype(Z.dtype) + self.min_.astype(Z.dtype)


def one_hot(
    y: np.ndarray, num_classes: int | None = None, dtype: type = np.float64
) -> np.ndarray:
    """Encode integer labels ``y`` (n,) as rows of a ``(n, num_classes)`` 0/1 matrix.

    ``num_classes`` defaults to ``y.max() + 1``.
    """
    y = check_labels(y, "one_hot")
    try:
        out_dtype = np.dtype(dtype)
    except TypeError:
        out_dtype = None
    if out_dtype is None or out_dtype.kind not in "biuf":
        raise TypeError(
            f"one_hot: dtype must be a numeric dtype such as np.float64, got {dtype!r}"
        )
    if num_classes is None:
        if y.size == 0:
            raise ValueError(
                "one_hot: cannot infer num_classes from empty labels; pass num_classes"
            )
        num_classes = int(y.max()) + 1
    num_classes = check_positive_int(num_classes, "one_hot", "num_classes")
    check_labels(y, "one_hot", num_classes)
    out = np.zeros((y.shape[0], num_classes), dtype=out_dtype)
    out[np.arange(y.shape[0]), y] = 1
    return out


def _check_split_arrays(X: object, y: object, where: str) -> int:
    """Check that ``X`` and ``y`` are arrays with one entry per sample; return that number."""
    if not isinstance(X, np.ndarray) or not isinstance(y, np.ndarray):
        raise TypeError(f"{where}: X and y must be numpy arrays")
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{where}: X and y must have a sample axis (at least 1-D)")
    check_same_length(X, y, where)
    return len(X)


def _part_size(size: object, n: int, where: str, name: str) -> int:
    """How many of ``n`` samples a part gets: ``size`` is a fraction in (0, 1) or a count."""
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        if not 0 < size < n:
            raise ValueError(
                f"{where}: {name} must be in [1, {n - 1}] samples, got {size}"
            )
        return int(size)
    if isinstance(size, float):
        if not 0.0 < size < 1.0:  # also False for NaN
            raise ValueError(
                f"{where}: {name} as a fraction must be in (0, 1), got {size}"
            )
        return int(np.ceil(size * n))
    raise TypeError(
        f"{where}: {name} must be a float fraction or an int count, got {size!r}"
    )


@seed_is_old_rng
def train_test_split(
    X: np.ndarray,
    y: np.ndarray,
    test_size: float | int = 0.2,
    rng: np.random.Generator | int | None = 0,
    stratify: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split into ``X_train, X_test, y_train, y_test``.

    ``X`` (n, d) and ``y`` (n,) or (n, k) are split along their first axis. ``test_size`` is a
    fraction in (0, 1) or a number of samples. With ``stratify=True`` each class keeps its share
    in both parts (``y`` must then be integer labels). ``rng`` is a numpy ``Generator`` or an
    int seed (``seed=`` is its old name and still works).
    """
    n = _check_split_arrays(X, y, "train_test_split")
    if n == 0:
        raise ValueError(
            "train_test_split: X and y are empty; there is nothing to split"
        )
    if n < 2:
        raise ValueError(
            f"train_test_split: needs at least 2 samples (one per part), got {n}"
        )
    rng = as_rng(rng, "train_test_split")
    n_test = _part_size(test_size, n, "train_test_split", "test_size")
    if n_test >= n:
        raise ValueError(
            f"train_test_split: test_size={test_size} leaves no training samples out of {n}"
        )
    if stratify:
        check_labels(y, "train_test_split(stratify=True)")
        classes = [rng.permutation(np.flatnonzero(y == cls)) for cls in np.unique(y)]
        takes = [int(round(len(members) * n_test / n)) for members in classes]
        # Rounding each class on its own can put every sample (or none) into the test part
        # of a tiny data set; move one sample of the largest class so both parts keep one.
        if sum(takes) in (0, n):
            largest = int(np.argmax([len(members) for members in classes]))
            takes[largest] += 1 if sum(takes) == 0 else -1
        test_idx = np.concatenate(
            [members[:take] for members, take in zip(classes, takes)]
        )
    else:
        test_idx = rng.permutation(n)[:n_test]
    is_test = np.zeros(n, dtype=bool)
    is_test[test_idx] = True
    # Shuffle both parts so that neither comes out sorted by class.
    train_idx = rng.permutation(np.flatnonzero(~is_test))
    test_idx = rng.permutation(np.flatnonzero(is_test))
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


@seed_is_old_rng
def train_val_test_split(
    X: np.ndarray,
    y: np.ndarray,
    val_size: float | int = 0.2,
    test_size: float | int = 0.2,
    rng: np.random.Generator | int | None = 0,
    stratify: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split into ``X_train, X_val, X_test, y_train, y_val, y_test``.

    Three parts, three jobs (chapter 1): the model learns from the training part; every choice
    a person makes (learning rate, init, epochs, patience, ...) is judged on the validation part;
    the test part is used once, at the very end, so its score is an honest estimate of new data.

    ``val_size`` and ``test_size`` are fractions of the whole data set (their sum below 1) or
    numbers of samples. With ``stratify=True`` each class keeps its share in all three parts.
    ``rng`` is a numpy ``Generator`` or an int seed (``seed=`` is its old name and still works).
    """
    n = _check_split_arrays(X, y, "train_val_test_split")
    if n < 3:
        raise ValueError(
            f"train_val_test_split: needs at least 3 samples (one per part), got {n}"
        )
    n_val = _part_size(val_size, n, "train_val_test_split", "val_size")
    n_test = _part_size(test_size, n, "train_val_test_split", "test_size")
    if n_val + n_test >= n:
        raise ValueError(
            f"train_val_test_split: val_size={val_size} and test_size={test_size} take "
            f"{n_val + n_test} of {n} samples and leave none for training"
        )
    as_rng(rng, "train_val_test_split")  # checks it before rng + 1 is formed
    # Split off the test part first, then the validation part from what is left: the same
    # seed gives the same test part as train_test_split(X, y, test_size, seed). An int seed s
    # seeds the second split with s + 1; a Generator simply goes on drawing.
    X_rest, X_test, y_rest, y_test = train_test_split(
        X, y, n_test, rng=rng, stratify=stratify
    )
    val_rng = rng + 1 if isinstance(rng, int) else rng
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, n_val, rng=val_rng, stratify=stratify
    )
    return X_train, X_val, X_test, y_train, y_val, y_test


@seed_is_old_rng
def kfold_indices(
    y: np.ndarray,
    n_splits: int = 5,
    rng: np.random.Generator | int | None = 0,
    stratify: bool = False,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffled k-fold cross-validation: ``n_splits`` pairs ``(train_idx, val_idx)``.

    The n samples (``len(y)``) are shuffled (by ``rng``, a ``Generator`` or an int seed;
    ``seed=`` is its old name) and dealt into ``n_splits``
    folds whose sizes differ by at most one; pair f holds the indices of fold f as
    ``val_idx`` and of all other folds as ``train_idx``, both sorted. Every sample is in
    exactly one ``val_idx``, so predictions made on each fold by a model trained on the rest
    give one out-of-fold prediction per sample (chapter 8). With ``stratify=True`` (``y``
    then integer labels) each class is dealt round-robin, so every fold keeps each class's
    share to within one sample. scikit-learn's ``KFold`` / ``StratifiedKFold`` with
    ``shuffle=True`` do the same (with other random folds).
    """
    where = "kfold_indices"
    if not isinstance(y, np.ndarray) or y.ndim == 0:
        raise TypeError(
            f"kfold_indices: y must be a numpy array with a sample axis, got {type(y).__name__}"
        )
    n_splits = check_positive_int(n_splits, where, "n_splits")
    n = len(y)
    if not 2 <= n_splits <= n:
        raise ValueError(
            f"{where}: n_splits must be in [2, {n}] (the number of samples), got {n_splits}"
        )
    rng = as_rng(rng, where)
    if stratify:
        check_labels(y, where)
        # Each class's samples in random order, classes one after the other; dealing this
        # sequence round-robin spreads every class evenly over the folds.
        order = np.concatenate(
            [rng.permutation(np.flatnonzero(y == c)) for c in np.unique(y)]
        )
    else:
        order = rng.permutation(n)
    fold = np.empty(n, dtype=np.int64)
    fold[order] = np.arange(n) % n_splits
    return [
        (np.flatnonzero(fold != f), np.flatnonzero(fold == f)) for f in range(n_splits)
    ]


def minibatches(
    X: np.ndarray,
    y: np.ndarray | None,
    batch_size: int,
    shuffle: bool = True,
    rng: np.random.Generator | int | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """Yield ``(X_batch, y_batch)`` pairs that cover every sample exactly once.

    ``X`` (n, d) and ``y`` (n,) or (n, k), or ``None`` (then every ``y_batch`` is ``None``).
    Batches have ``batch_size`` rows except possibly the last: ``X_batch`` (batch_size, d).
    Arguments are checked when it is called, not when the loop first asks for a batch.
    """
    if not isinstance(X, np.ndarray) or X.ndim == 0:
        raise TypeError("minibatches: X must be a numpy array with a sample axis")
    if len(X) == 0:
        raise ValueError(
            f"minibatches: X is empty (shape {X.shape}); it needs at least one sample"
        )
    batch_size = check_positive_int(batch_size, "minibatches", "batch_size")
    if y is not None:
        if not isinstance(y, np.ndarray) or y.ndim == 0:
            raise TypeError(
                f"minibatches: y must be a numpy array with a sample axis or None, got {type(y).__name__}"
            )
        check_same_length(X, y, "minibatches")
    generator = as_rng(rng, "minibatches") if shuffle else None
    return _batches(X, y, batch_size, generator)


def _batches(
    X: np.ndarray,
    y: np.ndarray | None,
    batch_size: int,
    rng: np.random.Generator | None,
) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    n = len(X)
    if rng is not None:
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            # take() is X[idx] for one axis of indices, with less of fancy indexing's
            # general machinery: ~55 instead of ~67 us for 128 rows of 784.
            yield X.take(idx, axis=0), (None if y is None else y.take(idx, axis=0))
    else:
        # Slices are views: no copy when the order does not change.
        for start in range(0, n, batch_size):
            yield (
                X[start : start + batch_size],
                (None if y is None else y[start : start + batch_size]),
            )
