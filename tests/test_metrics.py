"""Tests for nnlib.metrics: accuracy and confusion_matrix on hand examples."""

import numpy as np
import pytest
from sklearn import metrics as skm

import nnlib as nl

Y_TRUE = np.array([0, 0, 1, 2, 2, 2])
Y_PRED = np.array([0, 1, 1, 2, 0, 2])


def test_accuracy_hand_example():
    assert nl.accuracy(Y_TRUE, Y_PRED) == pytest.approx(4 / 6)
    assert nl.accuracy(Y_TRUE, Y_TRUE) == 1.0
    assert nl.accuracy(np.array([1, 1]), np.array([0, 0])) == 0.0
    assert isinstance(nl.accuracy(Y_TRUE, Y_PRED), float)


def test_confusion_matrix_hand_example():
    cm = nl.confusion_matrix(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    np.testing.assert_array_equal(
        cm.sum(axis=1), np.bincount(Y_TRUE)
    )  # rows: true classes
    np.testing.assert_array_equal(
        cm.sum(axis=0), np.bincount(Y_PRED)
    )  # columns: predictions
    assert np.trace(cm) / cm.sum() == nl.accuracy(Y_TRUE, Y_PRED)


def test_confusion_matrix_num_classes_pads_unseen_classes():
    cm = nl.confusion_matrix(np.array([0, 1]), np.array([1, 1]), num_classes=4)
    expected = np.zeros((4, 4), dtype=int)
    expected[0, 1] = expected[1, 1] = 1
    np.testing.assert_array_equal(cm, expected)


def test_confusion_matrix_size_comes_from_either_array():
    assert nl.confusion_matrix(np.array([0, 0]), np.array([0, 3])).shape == (4, 4)


def test_metrics_match_sklearn():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 5, size=200), rng.integers(0, 5, size=200)
    assert nl.accuracy(y_true, y_pred) == skm.accuracy_score(y_true, y_pred)
    np.testing.assert_array_equal(
        nl.confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred)
    )


def test_metric_errors():
    with pytest.raises(
        ValueError,
        match=r"accuracy: y_true and y_pred must have the same length, got 3 and 2",
    ):
        nl.accuracy(np.array([0, 1, 1]), np.array([0, 1]))
    with pytest.raises(
        TypeError,
        match=r"accuracy: y_pred must hold integer class labels, got dtype float64",
    ):
        nl.accuracy(np.array([0, 1]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"accuracy: got no samples"):
        nl.accuracy(np.array([], dtype=int), np.array([], dtype=int))
    with pytest.raises(
        ValueError, match=r"confusion_matrix: class labels must be in \[0, 2\), got 2"
    ):
        nl.confusion_matrix(np.array([0, 2]), np.array([0, 1]), num_classes=2)
    with pytest.raises(
        ValueError, match=r"confusion_matrix: class labels must be >= 0, got -1"
    ):
        nl.confusion_matrix(np.array([0, -1]), np.array([0, 1]))
    with pytest.raises(
        ValueError,
        match=r"accuracy: y_true must be 1-D integer labels of shape \(n,\), got shape \(2, 1\)",
    ):
        nl.accuracy(np.array([[0], [1]]), np.array([0, 1]))


# --------------------------------------------------------------------------------------------
# Chapter 8, second edition: precision/recall, ECE, bootstrap intervals.


def test_precision_recall_hand_example():
    # C = [[1, 1, 0], [0, 1, 0], [1, 0, 2]]: columns sum to 2, 2, 2; rows to 2, 1, 3.
    precision, recall = nl.precision_recall(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(precision, [1 / 2, 1 / 2, 2 / 2])
    np.testing.assert_allclose(recall, [1 / 2, 1 / 1, 2 / 3])
    assert precision.dtype == recall.dtype == np.float64


def test_precision_recall_match_sklearn():
    rng = np.random.default_rng(3)
    y_true, y_pred = rng.integers(0, 5, 300), rng.integers(0, 5, 300)
    precision, recall = nl.precision_recall(y_true, y_pred, num_classes=5)
    p_sk, r_sk, _, _ = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=range(5)
    )
    np.testing.assert_allclose(precision, p_sk)
    np.testing.assert_allclose(recall, r_sk)


def test_precision_recall_undefined_classes_are_nan():
    # Class 2 is never predicted (precision 0/0) and class 3 never occurs (recall 0/0).
    precision, recall = nl.precision_recall(
        np.array([0, 1, 2, 2]), np.array([0, 1, 1, 3]), num_classes=4
    )
    assert np.isnan(precision[2]) and not np.isnan(recall[2]) and recall[2] == 0
    assert np.isnan(recall[3]) and precision[3] == 0


def _ece_by_definition(y, proba, n_bins):
    conf, correct = proba.max(axis=1), proba.argmax(axis=1) == y
    edges = np.linspace(0, 1, n_bins + 1)
    total = 0.0
    for m in range(n_bins):
        upper = conf <= edges[m + 1] if m == n_bins - 1 else conf < edges[m + 1]
        s = (conf >= edges[m]) & upper
        if s.any():
            total += s.sum() / len(y) * abs(correct[s].mean() - conf[s].mean())
    return total


@pytest.mark.parametrize("n_bins", [1, 7, 10])
def test_ece_matches_definition(n_bins):
    rng = np.random.default_rng(n_bins)
    proba = nl.functional.softmax(rng.normal(scale=2.0, size=(400, 4)))
    y = rng.integers(0, 4, 400)
    assert nl.expected_calibration_error(y, proba, n_bins) == pytest.approx(
        _ece_by_definition(y, proba, n_bins), rel=1e-12
    )


def test_ece_hand_example_and_extremes():
    # One bin [0, 1]: mean confidence (0.9 + 0.6) / 2 = 0.75, accuracy 1/2: ECE 0.25.
    proba = np.array([[0.9, 0.1], [0.4, 0.6]])
    assert nl.expected_calibration_error(
        np.array([0, 0]), proba, n_bins=1
    ) == pytest.approx(0.25)
    # Certain and right: 0; certain and wrong: 1.
    sure = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert nl.expected_calibration_error(np.array([0, 1]), sure) == 0.0
    assert nl.expected_calibration_error(np.array([1, 0]), sure) == 1.0


def test_ece_small_for_labels_drawn_from_the_probabilities():
    # Labels sampled from proba itself: calibrated by construction, so ECE -> 0 as n grows.
    rng = np.random.default_rng(0)
    proba = nl.functional.softmax(rng.normal(scale=2.0, size=(20000, 3)))
    y = (rng.random(20000)[:, None] > np.cumsum(proba, axis=1)).sum(axis=1)
    assert nl.expected_calibration_error(y, proba) < 0.02
    # Sharpening the same probabilities (temperature 1/3) makes the model overconfident.
    sharp = nl.functional.softmax(3 * np.log(proba))
    assert nl.expected_calibration_error(y, sharp) > 0.1


def test_ece_float32_and_name_in_errors():
    proba = nl.functional.softmax(np.random.default_rng(1).normal(size=(50, 3))).astype(
        np.float32
    )
    y = np.zeros(50, dtype=np.int64)
    assert isinstance(nl.expected_calibration_error(y, proba), float)
    with pytest.raises(ValueError, match="expected_calibration_error"):
        nl.expected_calibration_error(y, np.log(proba))


def test_bootstrap_ci_contains_estimate_and_shrinks_with_n():
    rng = np.random.default_rng(0)
    widths = []
    for n in (100, 1600):
        y = rng.integers(0, 2, n)
        pred = np.where(rng.random(n) < 0.8, y, 1 - y)  # about 80% right
        low, high = nl.bootstrap_ci(nl.accuracy, y, pred, n_boot=500, seed=1)
        assert low <= nl.accuracy(y, pred) <= high
        widths.append(high - low)
    # The standard error falls like 1/sqrt(n): 16 times the data, about a quarter the width.
    assert 0.15 < widths[1] / widths[0] < 0.4


def test_bootstrap_ci_matches_binomial_standard_error():
    # For accuracy the 95% interval is about +-1.96 sqrt(p (1 - p) / n).
    rng = np.random.default_rng(2)
    n = 900
    y = np.zeros(n, dtype=np.int64)
    pred = (rng.random(n) > 0.9).astype(np.int64)  # about 90% right
    p = nl.accuracy(y, pred)
    low, high = nl.bootstrap_ci(nl.accuracy, y, pred, n_boot=2000, seed=0)
    expected = 2 * 1.96 * np.sqrt(p * (1 - p) / n)
    assert (high - low) == pytest.approx(expected, rel=0.15)


def test_bootstrap_ci_is_seeded_and_level_orders_intervals():
    rng = np.random.default_rng(4)
    y, pred = rng.integers(0, 3, 200), rng.integers(0, 3, 200)
    a = nl.bootstrap_ci(nl.accuracy, y, pred, n_boot=300, seed=5)
    assert a == nl.bootstrap_ci(nl.accuracy, y, pred, n_boot=300, seed=5)
    lo50, hi50 = nl.bootstrap_ci(nl.accuracy, y, pred, n_boot=300, seed=5, level=0.5)
    assert a[0] <= lo50 <= hi50 <= a[1]


def test_bootstrap_ci_resamples_rows_of_both_arrays_together():
    # A metric that checks the pairing: if rows were drawn independently it would fail.
    y = np.arange(50)
    pairs = np.column_stack([np.arange(50), 2 * np.arange(50)])

    def paired(yt, pp):
        assert np.array_equal(pp[:, 0], yt) and np.array_equal(pp[:, 1], 2 * yt)
        return float(yt.mean())

    low, high = nl.bootstrap_ci(paired, y, pairs, n_boot=50)
    assert low < 24.5 < high
