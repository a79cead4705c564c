"""Tests for nnlib.datasets: the 2-D toy generators and the digits loader."""
import numpy as np
import pytest

import nnlib as nl

D = nl.datasets
GENERATORS = [D.make_moons, D.make_circles, D.make_spirals, D.make_xor, D.make_blobs]


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
def test_generator_shapes_and_dtypes(make):
    X, y = make(101, seed=0)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    X32, _ = make(101, seed=0, dtype=np.float32)
    assert X32.dtype == np.float32
    np.testing.assert_allclose(X32, X, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
def test_generator_is_deterministic_per_seed(make):
    X1, y1 = make(60, seed=7)
    X2, y2 = make(60, seed=7)
    X3, _ = make(60, seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("make", [D.make_moons, D.make_circles, D.make_spirals, D.make_blobs],
                         ids=lambda f: f.__name__)
def test_generator_balances_classes_and_shuffles(make):
    _, y = make(101, seed=0)
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1
    assert counts.sum() == 101
    assert not np.array_equal(y, np.sort(y))


def test_make_moons_noise_free_points_lie_on_half_circles():
    X, y = D.make_moons(200, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert (upper[:, 1] >= -1e-12).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_make_moons_noise_has_requested_scale():
    noisy, y = D.make_moons(2000, noise=0.1, seed=1)
    # Isotropic noise of std 0.1 moves a point off the unit circle by about N(0, 0.1^2).
    r = np.hypot(noisy[y == 0, 0], noisy[y == 0, 1])
    assert 0.07 < np.std(r - 1) < 0.13


def test_make_circles_radii():
    X, y = D.make_circles(100, noise=0.0, factor=0.3)
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.3)


def test_make_spirals_classes_and_radius():
    X, y = D.make_spirals(300, noise=0.0, n_classes=3)
    assert set(np.unique(y)) == {0, 1, 2}
    r = np.hypot(*X.T)
    assert r.min() == pytest.approx(0.05) and r.max() == pytest.approx(1.0)


def test_make_xor_labels_follow_sign_rule():
    X, y = D.make_xor(500, noise=0.0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(np.int64))
    assert (np.abs(X) >= 0.1).all() and (np.abs(X) <= 1.1).all()


def test_make_blobs_noise_free_points_sit_on_centres():
    X, y = D.make_blobs(40, noise=0.0, centers=4)
    expected = 4 * np.column_stack([np.cos(np.pi / 2 * y), np.sin(np.pi / 2 * y)])
    np.testing.assert_allclose(X, expected, atol=1e-12)


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
def test_generator_rejects_bad_arguments(make):
    name = make.__name__
    with pytest.raises(ValueError, match=rf"{name}: n_samples must be a positive integer, got 0"):
        make(0)
    with pytest.raises(ValueError, match=rf"{name}: noise must be a finite number >= 0, got -0.5"):
        make(10, noise=-0.5)


def test_make_circles_rejects_bad_factor():
    with pytest.raises(ValueError, match=r"make_circles: factor must be in \(0, 1\), got 1.5"):
        D.make_circles(10, factor=1.5)


def test_load_digits_matches_scikit_learn():
    from sklearn.datasets import load_digits as sk_load_digits

    X, y = D.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    np.testing.assert_array_equal(X, np.round(X))
    np.testing.assert_array_equal(np.unique(y), np.arange(10))
    ref = sk_load_digits()
    np.testing.assert_array_equal(X, ref.data)
    np.testing.assert_array_equal(y, ref.target)


def test_load_digits_float32():
    X, _ = D.load_digits(dtype=np.float32)
    assert X.dtype == np.float32 and X.shape == (1797, 64)
