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
    np.testing.assert_array_equal(cm, [[1, 1, 0],
                                       [0, 1, 0],
                                       [1, 0, 2]])
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(Y_TRUE))  # rows: true classes
    np.testing.assert_array_equal(cm.sum(axis=0), np.bincount(Y_PRED))  # columns: predictions
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
    np.testing.assert_array_equal(nl.confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred))


def test_metric_errors():
    with pytest.raises(ValueError, match=r"accuracy: y_true and y_pred must have the same length, got 3 and 2"):
        nl.accuracy(np.array([0, 1, 1]), np.array([0, 1]))
    with pytest.raises(TypeError, match=r"accuracy: y_pred must hold integer class labels, got dtype float64"):
        nl.accuracy(np.array([0, 1]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"accuracy: got no samples"):
        nl.accuracy(np.array([], dtype=int), np.array([], dtype=int))
    with pytest.raises(ValueError, match=r"confusion_matrix: class labels must be in \[0, 2\), got 2"):
        nl.confusion_matrix(np.array([0, 2]), np.array([0, 1]), num_classes=2)
    with pytest.raises(ValueError, match=r"confusion_matrix: class labels must be >= 0, got -1"):
        nl.confusion_matrix(np.array([0, -1]), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"accuracy: y_true must be 1-D integer labels of shape \(n,\), got shape \(2, 1\)"):
        nl.accuracy(np.array([[0], [1]]), np.array([0, 1]))
