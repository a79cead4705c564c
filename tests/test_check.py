"""nnlib.check gives learners feedback: each failure names what is wrong, each success is quiet."""
import numpy as np
import pytest

import nnlib as nl
from nnlib import check
from nnlib.check import CheckFailed


def _relu_inputs(rng, shape, dtype):
    return (rng.normal(size=shape).astype(dtype),)


def test_check_function_passes_a_correct_implementation(capsys):
    check.check_function(lambda x: np.maximum(x, 0), nl.ReLU().forward, _relu_inputs, name="relu")
    assert "relu matches the reference on 6 inputs" in capsys.readouterr().out


def test_unimplemented_function_says_so():
    def relu(x):
        raise NotImplementedError()
    with pytest.raises(CheckFailed, match="relu is not implemented yet: replace `raise NotImplementedError\\(\\)`"):
        check.check_function(relu, nl.ReLU().forward, _relu_inputs)


def test_wrong_shape_is_named():
    with pytest.raises(CheckFailed, match=r"relu returned shape \(1,\) for float64 input of shape \(1, 1\), expected \(1, 1\)"):
        check.check_function(lambda x: np.maximum(x, 0).ravel(), nl.ReLU().forward, _relu_inputs, name="relu")


def test_silent_upcast_is_named():
    with pytest.raises(CheckFailed, match="returned dtype float64 for float32 input .* expected float32"):
        check.check_function(lambda x: np.maximum(x, 0).astype(np.float64), nl.ReLU().forward, _relu_inputs,
                             dtypes=[np.float32], name="relu")


def test_wrong_value_names_the_element_and_both_values():
    def leaky(x):
        return np.where(x > 0, x, 0.1 * x)
    with pytest.raises(CheckFailed, match=r"relu for float64 input of shape \(4, 3\): element \[\d+, \d+\] is -0\.\d+, "
                                          r"expected 0\.0 \(\d+ of 12 elements differ\)"):
        check.check_function(leaky, nl.ReLU().forward, _relu_inputs, shapes=[(4, 3)], name="relu")


def test_missing_return_and_crash_are_explained():
    with pytest.raises(CheckFailed, match="returned None .*forget the `return`"):
        check.check_function(lambda x: None, nl.ReLU().forward, _relu_inputs, name="relu")
    with pytest.raises(CheckFailed, match=r"relu raised IndexError: .*called with arguments of shape \(1, 1\)"):
        check.check_function(lambda x: x[:, 5], nl.ReLU().forward, _relu_inputs, name="relu")


def test_wrong_gradient_is_caught_by_finite_differences():
    check.check_elementwise_gradient(lambda x: np.maximum(x, 0), lambda g, x: g * (x > 0), name="relu_backward")
    with pytest.raises(CheckFailed, match=r"relu_backward vs finite differences for input of shape \(\d+, \d+\): element \[\d+, \d+\] is -?\d"):
        check.check_elementwise_gradient(lambda x: np.maximum(x, 0), lambda g, x: g, name="relu_backward")


class _BadTanh(nl.Activation):
    def _f(self, x):
        return np.tanh(x)

    def _backward(self, grad_out):
        return grad_out * (1 - self._y)  # should be 1 - y**2


def test_check_layer_accepts_right_layers_and_names_the_wrong_gradient():
    check.check_layer(lambda n: nl.Tanh(), lambda n: nl.Tanh(), name="Tanh")
    check.check_layer(lambda n: nl.Dense(n, 3, rng=0), lambda n: nl.Dense(n, 3, rng=0), name="Dense")
    with pytest.raises(CheckFailed, match="BadTanh.backward vs finite differences"):
        check.check_layer(lambda n: _BadTanh(), reference_forward=np.tanh, name="BadTanh")


def test_check_loss_and_optimizer():
    def labels(rng, n, k):
        return rng.normal(size=(n, k)), rng.integers(0, k, size=n)
    check.check_loss(nl.CrossEntropyLoss, nl.CrossEntropyLoss, labels)

    class HalfStep(nl.SGD):
        def step(self):
            for p in self.params:
                p.value -= 0.5 * self.lr * p.grad
    with pytest.raises(CheckFailed, match="after step 1"):
        check.check_optimizer(lambda ps: HalfStep(ps, lr=0.1), lambda ps: nl.SGD(ps, lr=0.1))
    check.check_optimizer(lambda ps: nl.Adam(ps, lr=0.01), lambda ps: nl.Adam(ps, lr=0.01))


def test_check_initializer_spots_the_wrong_variance_and_unseeded_draws():
    check.check_initializer(nl.init.he_normal, lambda fi, fo: np.sqrt(2 / fi))
    check.check_initializer(nl.init.he_uniform, lambda fi, fo: np.sqrt(2 / fi), distribution="uniform")
    with pytest.raises(CheckFailed, match="std of the weights is .* expected"):
        check.check_initializer(nl.init.xavier_normal, lambda fi, fo: np.sqrt(2 / fi))

    def unseeded(fan_in, fan_out, rng=None, dtype=np.float64):
        return np.random.default_rng().normal(0, np.sqrt(2 / fan_in), size=(fan_in, fan_out)).astype(dtype)
    with pytest.raises(CheckFailed, match="different weights for the same seed"):
        check.check_initializer(unseeded, lambda fi, fo: np.sqrt(2 / fi))
