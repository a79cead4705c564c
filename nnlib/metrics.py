"""Step 8, evaluation: how good are the predicted labels?"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import (
    as_rng,
    check_float_array,
    check_labels,
    check_positive_int,
    check_real,
    seed_is_old_rng,
)


def _check_pair(y_true: np.ndarray, y_pred: np.ndarray, where: str) -> None:
    check_labels(y_true, where, name="y_true")
    check_labels(y_pred, where, name="y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{where}: y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}"
        )
    if y_true.size == 0:
        raise ValueError(f"{where}: got no samples")


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of labels predicted correctly; both (n,) integer arrays."""
    _check_pair(y_true, y_pred, "accuracy")
    return float(np.mean(y_true == y_pred))


def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, num_classes: int | None = None
) -> np.ndarray:
    """Counts (k, k): entry ``[i, j]`` is how many samples of true class i were predicted as j.

    ``y_true`` and ``y_pred`` are (n,) integer labels; ``num_classes`` (k) defaults to one
    more than the largest label seen in either array.
    """
    _check_pair(y_true, y_pred, "confusion_matrix")
    if num_classes is None:
        k = int(max(y_true.max(), y_pred.max())) + 1
    else:
        k = check_positive_int(num_classes, "confusion_matrix", "num_classes")
    check_labels(y_true, "confusion_matrix", k, name="y_true")
    check_labels(y_pred, "confusion_matrix", k, name="y_pred")
    # Each (true, pred) pair becomes one index into a flattened k*k table; bincount counts them.
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


def calibration_curve(
    y_true: np.ndarray, proba: np.ndarray, n_bins: int = 10
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How far predicted probabilities can be trusted, binned by confidence.

    ``y_true`` (n,) integer labels; ``proba`` (n, k) class probabilities (rows sum to 1), e.g.
    from ``predict_proba``. A sample's confidence is its top probability ``proba[i].max()``;
    samples fall into ``n_bins`` equal-width bins ``[j/n_bins, (j+1)/n_bins)`` (the last bin
    includes 1). Returns ``(confidence, accuracy, counts)``, each (n_bins,): the mean confidence
    and the fraction predicted correctly in each bin (NaN for an empty bin, in ``proba``'s
    dtype) and the number of samples per bin. A calibrated model has accuracy = confidence.
    """
    return _calibration_bins(y_true, proba, n_bins, "calibration_curve")


def _calibration_bins(
    y_true: np.ndarray, proba: np.ndarray, n_bins: int, where: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``calibration_curve`` itself; ``where`` names the public function in errors."""
    proba = check_float_array(proba, where, name="proba")
    n, k = proba.shape
    check_labels(y_true, where, n_classes=k, name="y_true")
    if len(y_true) != n:
        raise ValueError(
            f"{where}: y_true has {len(y_true)} labels for {n} rows of proba"
        )
    n_bins = check_positive_int(n_bins, where, "n_bins")
    # Logits passed by mistake would give meaningless bins, so insist on probabilities.
    rtol = 1e-3 if proba.dtype == np.float32 else 1e-6
    if (
        proba.min() < 0
        or proba.max() > 1
        or not np.allclose(proba.sum(axis=1), 1, rtol=0, atol=rtol)
    ):
        raise ValueError(
            f"{where}: proba must hold probabilities in [0, 1] whose rows sum to 1; "
            f"got values in [{proba.min():.3g}, {proba.max():.3g}] (logits? use predict_proba)"
        )
    confidence = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y_true).astype(proba.dtype)
    edges = np.linspace(0, 1, n_bins + 1)
    # side="right" puts a value equal to an edge into the bin that starts there.
    bins = np.clip(np.searchsorted(edges, confidence, side="right") - 1, 0, n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        # 0/0 in an empty bin is the NaN we want: no samples, no estimate.
        mean_conf = np.bincount(bins, weights=confidence, minlength=n_bins) / counts
        acc = np.bincount(bins, weights=correct, minlength=n_bins) / counts
    return mean_conf.astype(proba.dtype), acc.astype(proba.dtype), counts


def precision_recall(
    y_true: np.ndarray, y_pred: np.ndarray, num_classes: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall of every class, two (k,) float64 arrays.

    With the confusion matrix ``C`` (rows: true class, columns: predicted class), class c's
    **precision** ``C[c, c] / C[:, c].sum()`` is the fraction of the samples *called* c that
    are c, and its **recall** ``C[c, c] / C[c, :].sum()`` the fraction of the samples of
    class c that were found. A class never predicted has NaN precision, a class absent from
    ``y_true`` NaN recall (0/0: no samples, no estimate; scikit-learn's
    ``precision_recall_fscore_support`` reports 0 with a warning instead).
    ``num_classes`` as in ``confusion_matrix``.
    """
    where = "precision_recall"
    _check_pair(y_true, y_pred, where)
    if num_classes is not None:
        num_classes = check_positive_int(num_classes, where, "num_classes")
        check_labels(y_true, where, num_classes, name="y_true")
        check_labels(y_pred, where, num_classes, name="y_pred")
    C = confusion_matrix(y_true, y_pred, num_classes).astype(np.float64)
    hits = np.diag(C)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = hits / C.sum(axis=0)
        recall = hits / C.sum(axis=1)
    return precision, recall


def expected_calibration_error(
    y_true: np.ndarray, proba: np.ndarray, n_bins: int = 10
) -> float:
    """ECE: the gap between confidence and accuracy, averaged over ``n_bins`` confidence bins.

    ``y_true`` (n,) integer labels, ``proba`` (n, k) class probabilities.

    ``ECE = sum_m |S_m| / n * |acc(S_m) - conf(S_m)|`` over the non-empty bins ``S_m`` of
    ``calibration_curve(y_true, proba, n_bins)`` (same arguments, same equal-width bins), so
    0 for a perfectly calibrated model. Returns a Python float.
    """
    conf, acc, counts = _calibration_bins(
        y_true, proba, n_bins, "expected_calibration_error"
    )
    filled = counts > 0
    weights = counts[filled] / counts.sum()
    return float(
        np.sum(weights * np.abs(acc[filled].astype(np.float64) - conf[filled]))
    )


@seed_is_old_rng
def bootstrap_ci(
    metric: Callable[[np.ndarray, np.ndarray], float],
    y_true: np.ndarray,
    y_pred: np.ndarray,
    n_boot: int = 1000,
    rng: np.random.Generator | int | None = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval ``(low, high)`` of ``metric(y_true, y_pred)``.

    ``y_pred`` is whatever ``metric`` takes second, with one entry per sample along axis 0:
    labels (n,) for ``accuracy``, probabilities (n, k) for ``expected_calibration_error``,
    or an array (n, ...) a function of your own unpacks. Each of ``n_boot`` rounds draws n
    samples with replacement (the same rows of both arrays, drawn by ``rng``, a ``Generator`` or an int seed; ``seed=`` is its old name) and evaluates
    the metric; the interval holds the central ``level`` fraction of those values (the
    ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles, numpy's default linear
    interpolation). It measures how much the metric would vary from one data set of this
    size to the next, not any error in the model's training.
    """
    where = "bootstrap_ci"
    if not callable(metric):
        raise TypeError(
            f"{where}: metric must be a function metric(y_true, y_pred), got {metric!r:.60}"
        )
    for name, a in (("y_true", y_true), ("y_pred", y_pred)):
        if not isinstance(a, np.ndarray):
            raise TypeError(
                f"{where}: {name} must be a numpy array, got {type(a).__name__}"
            )
        if a.ndim == 0:
            raise ValueError(
                f"{where}: {name} must have a sample axis (at least 1-D), got a scalar"
            )
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"{where}: y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}"
        )
    n = len(y_true)
    if n == 0:
        raise ValueError(f"{where}: got no samples")
    n_boot = check_positive_int(n_boot, where, "n_boot")
    level = check_real(level, where, "level")
    if not 0.0 < level < 1.0:
        raise ValueError(f"{where}: level must be in (0, 1), e.g. 0.95, got {level}")
    rng = as_rng(rng, where)
    values = np.empty(n_boot)
    for b in range(n_boot):
        idx = rng.integers(0, n, size=n)  # n rows drawn with replacement
        values[b] = metric(y_true[idx], y_pred[idx])
    low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)
