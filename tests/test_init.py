"""Tests for nnlib.init: shapes, dtypes, seeding and the distributions' parameters."""

import numpy as np
import pytest

import nnlib as nl

I = nl.init
ALL = [
    I.zeros,
    I.constant,
    I.normal,
    I.uniform,
    I.xavier_uniform,
    I.xavier_normal,
    I.he_uniform,
    I.he_normal,
]
RANDOM = ALL[2:]


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shape_and_dtype(f, dtype):
    W = f(5, 3, rng=0, dtype=dtype)
    assert W.shape == (5, 3)
    assert W.dtype == dtype


@pytest.mark.parametrize("f", RANDOM, ids=lambda f: f.__name__)
def test_seeded_and_generator_passthrough(f):
    np.testing.assert_array_equal(f(4, 6, rng=3), f(4, 6, rng=3))
    np.testing.assert_array_equal(f(4, 6, rng=3), f(4, 6, rng=np.random.default_rng(3)))
    assert not np.array_equal(f(4, 6, rng=3), f(4, 6, rng=4))
    # A passed Generator advances, so two draws from it differ.
    g = np.random.default_rng(0)
    assert not np.array_equal(f(4, 6, rng=g), f(4, 6, rng=g))


def test_zeros_and_constant_values():
    np.testing.assert_array_equal(I.zeros(2, 3), np.zeros((2, 3)))
    np.testing.assert_array_equal(I.constant(2, 3), np.full((2, 3), 0.1))
    np.testing.assert_array_equal(I.constant(2, 3, value=-2.5), np.full((2, 3), -2.5))


def test_formulas_match_the_generator_draws():
    # Each initializer is exactly one draw of its distribution from the given generator.
    r = lambda: np.random.default_rng(11)
    np.testing.assert_array_equal(
        I.normal(3, 4, rng=11, mean=1.0, std=2.0), r().normal(1.0, 2.0, size=(3, 4))
    )
    np.testing.assert_array_equal(
        I.uniform(3, 4, rng=11, low=-2, high=5), r().uniform(-2, 5, size=(3, 4))
    )
    a = np.sqrt(6 / 7)
    np.testing.assert_array_equal(
        I.xavier_uniform(3, 4, rng=11), r().uniform(-a, a, size=(3, 4))
    )
    np.testing.assert_array_equal(
        I.xavier_normal(3, 4, rng=11, gain=2.0),
        r().normal(0, 2.0 * np.sqrt(2 / 7), size=(3, 4)),
    )
    np.testing.assert_array_equal(
        I.he_uniform(3, 4, rng=11), r().uniform(-np.sqrt(2), np.sqrt(2), size=(3, 4))
    )
    np.testing.assert_array_equal(
        I.he_normal(3, 4, rng=11), r().normal(0, np.sqrt(2 / 3), size=(3, 4))
    )


@pytest.mark.parametrize(
    "f, fan_in, fan_out, bound",
    [
        (I.xavier_uniform, 200, 300, np.sqrt(6 / 500)),
        (I.he_uniform, 200, 300, np.sqrt(6 / 200)),
        (lambda i, o, rng: I.uniform(i, o, rng=rng, low=-0.5, high=0.5), 200, 300, 0.5),
    ],
)
def test_uniform_initializers_bounds_and_variance(f, fan_in, fan_out, bound):
    W = f(fan_in, fan_out, rng=0)
    assert np.abs(W).max() <= bound
    assert np.abs(W).max() > 0.99 * bound  # the whole interval is used
    # Var of U(-a, a) is a^2 / 3; 60,000 samples pin it to within a few percent.
    assert W.var() == pytest.approx(bound**2 / 3, rel=0.03)
    assert W.mean() == pytest.approx(0, abs=0.01 * bound)


@pytest.mark.parametrize(
    "f, std",
    [
        (I.xavier_normal, np.sqrt(2 / 500)),
        (I.he_normal, np.sqrt(2 / 200)),
        (I.normal, 1.0),
    ],
)
def test_normal_initializers_std(f, std):
    W = f(200, 300, rng=0)
    assert W.std() == pytest.approx(std, rel=0.02)
    assert W.mean() == pytest.approx(0, abs=0.02 * std)


def test_he_variance_is_two_over_fan_in_and_xavier_gain_scales():
    # He: Var = 2 / fan_in, independent of fan_out.
    assert I.he_uniform(100, 1000, rng=1).var() == pytest.approx(2 / 100, rel=0.03)
    assert I.he_normal(100, 1000, rng=1).var() == pytest.approx(2 / 100, rel=0.03)
    base = I.xavier_uniform(50, 50, rng=2)
    np.testing.assert_allclose(I.xavier_uniform(50, 50, rng=2, gain=3.0), 3 * base)


def test_initializer_table_lists_every_function():
    assert set(I.INITIALIZERS) == {f.__name__ for f in ALL}
    for name, f in I.INITIALIZERS.items():
        assert f.__name__ == name


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.__name__)
def test_bad_fans_raise(f):
    name = f.__name__
    with pytest.raises(
        ValueError, match=rf"{name}: fan_in must be a positive integer, got 0"
    ):
        f(0, 3)
    with pytest.raises(
        ValueError, match=rf"{name}: fan_out must be a positive integer, got -2"
    ):
        f(3, -2)
    with pytest.raises(
        TypeError, match=rf"{name}: fan_in must be a positive integer, got 2.0"
    ):
        f(2.0, 3)


def test_bad_rng_raises():
    with pytest.raises(TypeError, match=r"rng must be a numpy Generator .* got str"):
        I.he_normal(2, 3, rng="seed")
