"""Step 8, evaluation: how good are the predicted labels?"""
from __future__ import annotations

import numpy as np

from ._validation import check_float_array, check_labels, check_positive_int


def _check_pair(y_true: np.ndarray, y_pred: np.ndarray, where: str) -> None:
    check_labels(y_true, where, name="y_true")
    check_labels(y_pred, where, name="y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{where}: y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}")
    if y_true.size == 0:
        raise ValueError(f"{where}: got no samples")


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of labels predicted correctly; both (n,) integer arrays."""
    _check_pair(y_true, y_pred, "accuracy")
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int | None = None) -> np.ndarray:
    """Counts (k, k): entry ``[i, j]`` is how many samples of true class i were predicted as j.

    ``num_classes`` defaults to one more than the largest label seen in either array.
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
    where = "calibration_curve"
    proba = check_float_array(proba, where, name="proba")
    n, k = proba.shape
    check_labels(y_true, where, n_classes=k, name="y_true")
    if len(y_true) != n:
        raise ValueError(f"{where}: y_true has {len(y_true)} labels for {n} rows of proba")
    n_bins = check_positive_int(n_bins, where, "n_bins")
    # Logits passed by mistake would give meaningless bins, so insist on probabilities.
    rtol = 1e-3 if proba.dtype == np.float32 else 1e-6
    if proba.min() < 0 or proba.max() > 1 or not np.allclose(proba.sum(axis=1), 1, rtol=0, atol=rtol):
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
