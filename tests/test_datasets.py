"""Tests for nnlib.datasets: the 2-D toy generators and the digits loader."""

import inspect

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


@pytest.mark.parametrize(
    "make",
    [D.make_moons, D.make_circles, D.make_spirals, D.make_blobs],
    ids=lambda f: f.__name__,
)
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
    X, y = D.make_spirals(300, noise=0.0, num_classes=3)
    assert set(np.unique(y)) == {0, 1, 2}
    r = np.hypot(*X.T)
    # From half the gap of 1.5 to 0.75 + 1.5 * turns * num_classes.
    assert r.min() == pytest.approx(0.75) and r.max() == pytest.approx(
        0.75 + 1.5 * 1.5 * 3
    )


@pytest.mark.parametrize(
    "num_classes, turns", [(2, 1.5), (3, 1.5), (2, 0.5), (4, 2.25)]
)
def test_make_spirals_arms_are_archimedean_and_one_gap_apart(num_classes, turns):
    X, y = D.make_spirals(400, noise=0.0, num_classes=num_classes, turns=turns)
    r = np.hypot(*X.T)
    angle = np.arctan2(X[:, 0], X[:, 1])  # x = r sin t, y = r cos t
    # Arm c: t = 2 pi (r / (1.5 K) + c / K). So at any angle the radii of all the arms'
    # points differ by whole multiples of the gap 1.5: neighbouring arms are 1.5 apart.
    K = num_classes
    phase = (r / (1.5 * K) + y / K - angle / (2 * np.pi)) % 1
    np.testing.assert_allclose(np.minimum(phase, 1 - phase), 0, atol=1e-12)
    # Each arm turns `turns` times: its angle runs over 2 pi * turns.
    for c in range(K):
        rc = r[y == c]
        assert (rc.max() - rc.min()) / (1.5 * K) == pytest.approx(turns)


def test_make_spirals_points_are_evenly_spaced_along_each_arm():
    X, y = D.make_spirals(2000, noise=0.0)
    for c in (0, 1):
        arm = X[y == c][np.argsort(np.hypot(*X[y == c].T))]
        steps = np.hypot(*np.diff(arm, axis=0).T)
        assert steps.max() < 1.25 * steps.min()


def test_make_spirals_noise_has_requested_scale():
    X, y = D.make_spirals(4000, noise=0.2, seed=2)
    r, angle = np.hypot(*X.T), np.arctan2(X[:, 0], X[:, 1])
    # How far each point lies from its arm along the ray from the origin (the arm crosses the
    # ray every 3 = 2 * 1.5): about N(0, 0.2^2), the noise's component along the ray.
    phase = (r / 3 + y / 2 - angle / (2 * np.pi) + 0.5) % 1 - 0.5
    off = 3 * phase
    assert abs(off.mean()) < 0.02 and 0.18 < off.std() < 0.22


@pytest.mark.parametrize("noise, lowest, highest", [(0.2, 0.98, 1.0), (1.0, 0.5, 0.7)])
def test_make_spirals_arms_stay_apart_at_the_playground_noise(noise, lowest, highest):
    # Issue #15: the arms must be visible at noise 0.2. A point's nearest neighbour is then on
    # its own arm (leave-one-out 1-NN accuracy near 1); at noise 1 the arms are lost (near 0.5).
    for seed in range(3):
        X, y = D.make_spirals(300, noise=noise, seed=seed)
        d = ((X[:, None] - X[None]) ** 2).sum(axis=-1)
        np.fill_diagonal(d, np.inf)
        assert lowest <= (y[d.argmin(axis=1)] == y).mean() <= highest


def test_make_spirals_num_classes_and_its_old_name_n_classes():
    new = D.make_spirals(90, noise=0.1, seed=3, num_classes=3)
    for same in (
        D.make_spirals(90, noise=0.1, seed=3, n_classes=3),  # the old spelling
        D.make_spirals(90, 0.1, 3, 3),  # positional
        D.make_spirals(90, 0.1, 3, 3, n_classes=3),  # both, agreeing
        D.make_spirals(90, noise=0.1, seed=3, num_classes=3, n_classes=3),
    ):
        np.testing.assert_array_equal(same[0], new[0])
        np.testing.assert_array_equal(same[1], new[1])
    assert set(np.unique(new[1])) == {0, 1, 2}
    params = inspect.signature(D.make_spirals).parameters
    assert "num_classes" in params and "n_classes" not in params
    with pytest.raises(
        TypeError,
        match=r"make_spirals: got num_classes=2 and n_classes=3 \(its old name\)",
    ):
        D.make_spirals(num_classes=2, n_classes=3)
    with pytest.raises(
        TypeError, match="make_spirals: got num_classes=4 and n_classes=3"
    ):
        D.make_spirals(90, 0.1, 3, 4, n_classes=3)
    # A bad value is reported under the name it was passed as.
    with pytest.raises(
        ValueError, match="make_spirals: n_classes must be a positive integer, got 0"
    ):
        D.make_spirals(n_classes=0)
    with pytest.raises(
        ValueError, match="make_spirals: num_classes must be a positive integer, got 0"
    ):
        D.make_spirals(num_classes=0)
    with pytest.raises(
        TypeError, match="make_spirals: num_classes must be a positive integer, got 2.5"
    ):
        D.make_spirals(num_classes=2.5, n_classes=2)


def test_make_spirals_rejects_turns_that_are_not_positive():
    for turns in (0, -1.5):
        with pytest.raises(
            ValueError,
            match=f"make_spirals: turns must be a positive number, got {turns}",
        ):
            D.make_spirals(turns=turns)


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
    with pytest.raises(
        ValueError, match=rf"{name}: n_samples must be a positive integer, got 0"
    ):
        make(0)
    with pytest.raises(
        ValueError, match=rf"{name}: noise must be a finite number >= 0, got -0.5"
    ):
        make(10, noise=-0.5)


def test_make_circles_rejects_bad_factor():
    with pytest.raises(
        ValueError, match=r"make_circles: factor must be in \(0, 1\), got 1.5"
    ):
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
