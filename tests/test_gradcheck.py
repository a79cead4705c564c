"""Tests for nnlib.gradcheck: numerical_grad, relative_error, and that gradcheck catches bugs."""

import numpy as np
import pytest

import nnlib as nl


def test_numerical_grad_of_a_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = nl.numerical_grad(lambda: float(np.sum(x**3)), x)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8)
    assert grad.shape == x.shape and grad.dtype == np.float64


def test_numerical_grad_restores_x():
    x = np.random.default_rng(0).normal(size=(3, 4))
    before = x.copy()
    nl.numerical_grad(lambda: float(np.sum(np.sin(x))), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_grad_eps_controls_the_step():
    # For f = x^3 the central difference is 3x^2 + eps^2 exactly: a large eps shows its error.
    x = np.array([2.0])
    assert nl.numerical_grad(lambda: float(x[0] ** 3), x, eps=0.1)[0] == pytest.approx(
        12.01, rel=1e-12
    )


def test_numerical_grad_rejects_non_contiguous_arrays():
    x = np.zeros(
        (3, 4)
    ).T  # reshape(-1) of a transpose is a copy, so perturbing it would do nothing
    with pytest.raises(ValueError, match=r"numerical_grad: x must be contiguous"):
        nl.numerical_grad(lambda: 0.0, x)


def test_relative_error_values():
    assert nl.relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert nl.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert nl.relative_error(
        np.array([1.0, 0.0]), np.array([0.0, 1.0])
    ) == pytest.approx(np.sqrt(2) / 2)
    assert nl.relative_error(np.array([3.0]), np.array([1.0])) == pytest.approx(0.5)


def _net(act=None):
    return nl.Sequential(nl.Dense(3, 5, rng=0), act or nl.Tanh(), nl.Dense(5, 2, rng=1))


def test_gradcheck_passes_for_a_correct_network():
    X = np.random.default_rng(0).normal(size=(7, 3))
    y = np.random.default_rng(1).integers(0, 2, size=7)
    err = nl.gradcheck(_net(), nl.CrossEntropyLoss(), X, y)
    assert 0 <= err < 1e-6


def test_gradcheck_leaves_parameters_unchanged():
    model = _net()
    before = {k: v.copy() for k, v in model.params.items()}
    X, y = np.random.default_rng(0).normal(size=(4, 3)), np.array([0, 1, 1, 0])
    nl.gradcheck(model, nl.CrossEntropyLoss(), X, y)
    for k, v in model.params.items():
        np.testing.assert_array_equal(v, before[k])


class _WrongDense(nl.Dense):
    """A Dense whose weight gradient is off by a factor of 2: gradcheck must notice."""

    def backward_params(self, grad_out):
        super().backward_params(grad_out)
        self.grads["W"] *= 2


class _WrongTanh(nl.Tanh):
    """Forgets the square in tanh' = 1 - tanh^2."""

    def _backward(self, grad_out):
        return grad_out * (1 - self._y)


@pytest.mark.parametrize(
    "model",
    [
        nl.Sequential(_WrongDense(3, 5, rng=0), nl.Tanh(), nl.Dense(5, 2, rng=1)),
        _net(_WrongTanh()),
    ],
    ids=["dense-dW", "tanh-derivative"],
)
def test_gradcheck_detects_a_wrong_backward(model):
    X = np.random.default_rng(0).normal(size=(7, 3))
    y = np.random.default_rng(1).integers(0, 2, size=7)
    assert nl.gradcheck(model, nl.CrossEntropyLoss(), X, y) > 1e-2


def test_gradcheck_errors():
    X, y = np.zeros((2, 3)), np.array([0, 1])
    with pytest.raises(
        TypeError,
        match=r"gradcheck: model must be a Layer \(e.g. Sequential\), got function",
    ):
        nl.gradcheck(lambda x: x, nl.MSELoss(), X, y)
    with pytest.raises(
        TypeError, match=r"gradcheck: loss must be a Loss, got function"
    ):
        nl.gradcheck(_net(), lambda p, t: 0.0, X, y)
    with pytest.raises(
        ValueError, match=r"gradcheck: ReLU\(\) has no parameters to check"
    ):
        nl.gradcheck(nl.ReLU(), nl.MSELoss(), X, X)
