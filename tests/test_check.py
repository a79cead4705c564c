"""nnlib.check gives learners feedback: each failure names what is wrong, each success is quiet."""

import numpy as np
import pytest

import nnlib as nl
from nnlib import check
from nnlib.check import CheckFailed


def _relu_inputs(rng, shape, dtype):
    return (rng.normal(size=shape).astype(dtype),)


def test_check_function_passes_a_correct_implementation(capsys):
    check.check_function(
        lambda x: np.maximum(x, 0), nl.ReLU().forward, _relu_inputs, name="relu"
    )
    assert "relu matches the reference on 6 inputs" in capsys.readouterr().out


def test_unimplemented_function_says_so():
    def relu(x):
        raise NotImplementedError()

    with pytest.raises(
        CheckFailed,
        match="relu is not implemented yet: replace `raise NotImplementedError\\(\\)`",
    ):
        check.check_function(relu, nl.ReLU().forward, _relu_inputs)


def test_wrong_shape_is_named():
    with pytest.raises(
        CheckFailed,
        match=r"relu returned shape \(1,\) with x of shape \(1, 1\) \(float64\), expected \(1, 1\)$",
    ):
        check.check_function(
            lambda x: np.maximum(x, 0).ravel(),
            nl.ReLU().forward,
            _relu_inputs,
            name="relu",
        )


def test_silent_upcast_is_named():
    with pytest.raises(
        CheckFailed,
        match=r"returned dtype float64 with x of shape \(1, 1\) \(float32\), expected float32",
    ):
        check.check_function(
            lambda x: np.maximum(x, 0).astype(np.float64),
            nl.ReLU().forward,
            _relu_inputs,
            dtypes=[np.float32],
            name="relu",
        )


def test_wrong_value_names_the_element_and_both_values():
    def leaky(x):
        return np.where(x > 0, x, 0.1 * x)

    with pytest.raises(
        CheckFailed,
        match=r"relu with x of shape \(4, 3\) \(float64\): element \[\d+, \d+\] is -0\.\d+, "
        r"expected 0 \(\d+ of 12 elements differ\)$",
    ):
        check.check_function(
            leaky, nl.ReLU().forward, _relu_inputs, shapes=[(4, 3)], name="relu"
        )


def test_missing_return_and_crash_are_explained():
    with pytest.raises(CheckFailed, match="returned None .*forget the `return`"):
        check.check_function(
            lambda x: None, nl.ReLU().forward, _relu_inputs, name="relu"
        )

    def relu(x):
        return x[:, 5]

    with pytest.raises(
        CheckFailed,
        match=r"relu raised IndexError: .* at line \d+ of your code: `return x\[:, 5\]` "
        r"\(called with x of shape \(1, 1\) \(float64\)\)",
    ):
        check.check_function(relu, nl.ReLU().forward, _relu_inputs)


def test_wrong_gradient_is_caught_by_finite_differences():
    check.check_elementwise_gradient(
        lambda x: np.maximum(x, 0), lambda g, x: g * (x > 0), name="relu_backward"
    )
    with pytest.raises(
        CheckFailed,
        match=r"relu_backward vs finite differences for input of shape \(\d+, \d+\): element \[\d+, \d+\] is -?\d",
    ):
        check.check_elementwise_gradient(
            lambda x: np.maximum(x, 0), lambda g, x: g, name="relu_backward"
        )


class _BadTanh(nl.Activation):
    def _f(self, x):
        return np.tanh(x)

    def _backward(self, grad_out):
        return grad_out * (1 - self._y)  # should be 1 - y**2


def test_check_layer_accepts_right_layers_and_names_the_wrong_gradient():
    check.check_layer(lambda n: nl.Tanh(), lambda n: nl.Tanh(), name="Tanh")
    check.check_layer(
        lambda n: nl.Dense(n, 3, rng=0), lambda n: nl.Dense(n, 3, rng=0), name="Dense"
    )
    with pytest.raises(CheckFailed, match="BadTanh.backward vs finite differences"):
        check.check_layer(
            lambda n: _BadTanh(), reference_forward=np.tanh, name="BadTanh"
        )


def test_check_loss_and_optimizer():
    def labels(rng, n, k):
        return rng.normal(size=(n, k)), rng.integers(0, k, size=n)

    check.check_loss(nl.CrossEntropyLoss, nl.CrossEntropyLoss, labels)

    class HalfStep(nl.SGD):
        def step(self):
            for p in self.params:
                p.value -= 0.5 * self.lr * p.grad

    with pytest.raises(CheckFailed, match="after step 1"):
        check.check_optimizer(
            lambda ps: HalfStep(ps, lr=0.1), lambda ps: nl.SGD(ps, lr=0.1)
        )
    check.check_optimizer(
        lambda ps: nl.Adam(ps, lr=0.01), lambda ps: nl.Adam(ps, lr=0.01)
    )


def test_check_initializer_spots_the_wrong_variance_and_unseeded_draws():
    check.check_initializer(nl.init.he_normal, lambda fi, fo: np.sqrt(2 / fi))
    check.check_initializer(
        nl.init.he_uniform, lambda fi, fo: np.sqrt(2 / fi), distribution="uniform"
    )
    with pytest.raises(CheckFailed, match="std of the weights is .* expected"):
        check.check_initializer(nl.init.xavier_normal, lambda fi, fo: np.sqrt(2 / fi))

    def unseeded(fan_in, fan_out, rng=None, dtype=np.float64):
        return (
            np.random.default_rng()
            .normal(0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))
            .astype(dtype)
        )

    with pytest.raises(CheckFailed, match="different weights for the same seed"):
        check.check_initializer(unseeded, lambda fi, fo: np.sqrt(2 / fi))


def _dense_inputs(rng, shape, dtype):
    n, d = shape
    return (
        rng.normal(size=(n, 3)).astype(dtype),
        rng.normal(size=(n, d)).astype(dtype),
        rng.normal(size=(d, 3)).astype(dtype),
    )


def _dense_reference(grad_out, x, W):
    return grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=0)


def test_outputs_are_counted_from_one_and_named_in_the_learners_argument_shapes():
    def dense_backward(grad_out, x, W):
        return grad_out @ W.T, x.T @ grad_out, grad_out.mean(axis=0)

    # The batch of 1 passes (mean = sum); the batch of 4 shows the factor.
    with pytest.raises(
        CheckFailed,
        match=r"^dense_backward, the third of 3 return values, db, with grad_out of shape "
        r"\(4, 3\), x of shape \(4, 3\) and W of shape \(3, 3\) \(float64\): "
        r".*divided by 4, which is the batch size",
    ):
        check.check_function(
            dense_backward, _dense_reference, _dense_inputs, outputs=("dx", "dW", "db")
        )
    with pytest.raises(CheckFailed, match=r"the second of 3 return values,"):
        check.check_function(
            lambda g, x, W: (g @ W.T, g.T @ x, g.sum(0)),
            _dense_reference,
            _dense_inputs,
        )


def test_hints_name_a_flipped_sign_a_transpose_and_a_forgotten_division():
    with pytest.raises(CheckFailed, match="every element has the wrong sign"):
        check.check_function(
            lambda g, x, W: (-(g @ W.T), x.T @ g, g.sum(0)),
            _dense_reference,
            _dense_inputs,
        )
    with pytest.raises(
        CheckFailed,
        match=r"returned shape \(3, 1\) .* expected \(1, 3\); that is the expected "
        r"shape transposed",
    ):
        check.check_function(
            lambda g, x, W: (g @ W.T, g.T @ x, g.sum(0)),
            _dense_reference,
            _dense_inputs,
        )
    # Square: the shape is right, the values are the transpose.
    with pytest.raises(
        CheckFailed, match="your result is the transpose of the expected one"
    ):
        check.check_function(
            lambda g, x, W: (g @ W.T, g.T @ x, g.sum(0)),
            _dense_reference,
            _dense_inputs,
            shapes=[(4, 3)],
        )

    def mean_loss_grad(rng, shape, dtype):
        return rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(
            dtype
        )

    with pytest.raises(
        CheckFailed,
        match=r"every element is 4 times the expected value, and 4 is the batch size",
    ):
        check.check_function(
            lambda p, t: 2 * (p - t) / p.shape[1],
            lambda p, t: 2 * (p - t) / p.size,
            mean_loss_grad,
            shapes=[(4, 3)],
        )
    with pytest.raises(
        CheckFailed,
        match=r"every element is 0\.5 times the expected value: look for a wrong constant",
    ):
        check.check_function(
            lambda p, t: (p - t) / p.size,
            lambda p, t: 2 * (p - t) / p.size,
            mean_loss_grad,
            shapes=[(4, 3)],
        )
    assert check.pattern_hint(np.array([1.0, 2.0]), np.array([1.0, 3.0])) == ""
    assert check.pattern_hint(None, np.array([1.0, 3.0])) == ""
    assert (
        check.pattern_hint(np.float64(-2.0), 2.0)
        == "; the value has the wrong sign: check the sign of your formula (a - b vs b - a)"
    )


def test_loss_value_off_by_the_batch_size_is_named():
    class SumMSE(nl.MSELoss):
        def forward(self, pred, target):
            return super().forward(pred, target) * len(pred)

    def regression(rng, n, k):
        return rng.normal(size=(n, k)), rng.normal(size=(n, k))

    with pytest.raises(
        CheckFailed,
        match=r"loss is .*; the value is 5 times the expected value, and 5 is the batch size",
    ):
        check.check_loss(SumMSE, nl.MSELoss, regression, shapes=[(5, 3)])


def test_feedback_shows_in_jupyter_without_a_traceback_through_nnlib():
    error = CheckFailed("relu is not implemented yet")
    assert error._render_traceback_() == [
        "\x1b[0;31mCheckFailed\x1b[0m: relu is not implemented yet"
    ]
    # A learner's crash is reported from the learner's line, with no chained nnlib frames.
    try:
        check.call(lambda x: x.missing, np.ones(2))
    except CheckFailed as e:
        assert e.__cause__ is None and e.__suppress_context__
        assert (
            "nnlib" not in str(e)
            and "/" not in str(e).split("(called")[0].split("code:")[0]
        )


def test_describe_call_uses_the_learners_parameter_names():
    def forward(x, W1, b1, num_classes=3):
        return x

    text = check.describe_call(
        forward,
        (
            np.ones((2, 3), np.float32),
            np.ones((3, 4), np.float32),
            np.ones(4, np.float32),
        ),
    )
    assert (
        text == "x of shape (2, 3), W1 of shape (3, 4) and b1 of shape (4,) (float32)"
    )
    assert (
        check.describe_call(forward, (np.ones(2),), {"num_classes": 5})
        == "x of shape (2,) and num_classes=5 (float64)"
    )
    assert (
        check.output_name(1, 3, ("dx", "dW", "db"))
        == "the second of 3 return values, dW"
    )
    assert check.output_name(0, 2) == "the first of 2 return values"
