"""Step 8, evaluation: how good are the predicted labels?"""
from __future__ import annotations

import numpy as np

from ._validation import check_labels


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
    k = int(max(y_true.max(), y_pred.max())) + 1 if num_classes is None else int(num_classes)
    check_labels(y_true, "confusion_matrix", k, name="y_true")
    check_labels(y_pred, "confusion_matrix", k, name="y_pred")
    # Each (true, pred) pair becomes one index into a flattened k*k table; bincount counts them.
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)
