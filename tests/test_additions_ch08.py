"""Tests for what chapter 8 added to nnlib: ``calibration_curve``."""

import numpy as np
import pytest

import nnlib as nl


def _brute_force(y, proba, n_bins):
    """One bin at a time, straight from the definition."""
    conf = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y
    edges = np.linspace(0, 1, n_bins + 1)
    mean_conf, acc, counts = [], [], []
    for j in range(n_bins):
        upper = conf <= edges[j + 1] if j == n_bins - 1 else conf < edges[j + 1]
        in_bin = (conf >= edges[j]) & upper
        counts.append(in_bin.sum())
        mean_conf.append(conf[in_bin].mean() if in_bin.any() else np.nan)
        acc.append(correct[in_bin].mean() if in_bin.any() else np.nan)
    return np.array(mean_conf), np.array(acc), np.array(counts)


def _random_proba(n, k, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=3.0, size=(n, k)).astype(dtype)
    return nl.functional.softmax(logits), rng.integers(0, k, size=n)


@pytest.mark.parametrize("n_bins", [1, 5, 10, 15])
def test_matches_definition(n_bins):
    proba, y = _random_proba(500, 4, seed=n_bins)
    got = nl.calibration_curve(y, proba, n_bins=n_bins)
    want = _brute_force(y, proba, n_bins)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(got[2], want[2])
    assert got[2].sum() == 500


def test_small_example_by_hand():
    proba = np.array([[0.95, 0.05], [0.9, 0.1], [0.35, 0.65], [0.4, 0.6], [0.0, 1.0]])
    y = np.array([0, 1, 1, 0, 1])
    conf, acc, counts = nl.calibration_curve(y, proba, n_bins=2)
    # All confidences are >= 0.5, so bin 0 is empty; bin 1 holds all five, 1.0 included.
    np.testing.assert_array_equal(counts, [0, 5])
    assert np.isnan(conf[0]) and np.isnan(acc[0])
    np.testing.assert_allclose(conf[1], (0.95 + 0.9 + 0.65 + 0.6 + 1.0) / 5)
    np.testing.assert_allclose(acc[1], 3 / 5)


def test_edge_value_goes_to_the_bin_that_starts_there():
    proba = np.array([[0.5, 0.5], [0.75, 0.25]])
    _, _, counts = nl.calibration_curve(np.array([0, 0]), proba, n_bins=4)
    np.testing.assert_array_equal(counts, [0, 0, 1, 1])


def test_perfect_calibration_on_sampled_labels():
    # Labels drawn from the predicted probabilities: accuracy per bin approaches confidence.
    rng = np.random.default_rng(0)
    proba, _ = _random_proba(200_000, 3, seed=1)
    y = (rng.random(len(proba))[:, None] > proba.cumsum(axis=1)).sum(axis=1)
    conf, acc, counts = nl.calibration_curve(y, proba, n_bins=10)
    # With > 5000 samples a bin's accuracy has a standard error below 0.007.
    full = counts > 5000
    assert full.sum() >= 3
    np.testing.assert_allclose(acc[full], conf[full], atol=0.03)


def test_keeps_float32():
    proba, y = _random_proba(100, 3, seed=2, dtype=np.float32)
    conf, acc, counts = nl.calibration_curve(y, proba)
    assert conf.dtype == np.float32 and acc.dtype == np.float32
    assert counts.dtype.kind == "i"


def test_rejects_logits():
    logits = np.array([[2.0, -1.0], [0.5, 0.3]])
    with pytest.raises(
        ValueError,
        match="calibration_curve: proba must hold probabilities.*predict_proba",
    ):
        nl.calibration_curve(np.array([0, 1]), logits)


def test_rejects_bad_labels_and_shapes():
    proba = np.full((3, 2), 0.5)
    with pytest.raises(
        ValueError, match="calibration_curve: y_true has 2 labels for 3 rows"
    ):
        nl.calibration_curve(np.array([0, 1]), proba)
    with pytest.raises(ValueError, match=r"class labels must be in \[0, 2\)"):
        nl.calibration_curve(np.array([0, 1, 2]), proba)
    with pytest.raises(TypeError, match="y_true must hold integer class labels"):
        nl.calibration_curve(np.array([0.0, 1.0, 1.0]), proba)
    with pytest.raises(ValueError, match="n_bins must be a positive integer"):
        nl.calibration_curve(np.array([0, 1, 1]), proba, n_bins=0)
