"""Numerical edge cases: huge logits, saturated sigmoids, clamped logs and diverging training.

Every computation here runs with numpy's floating-point errors turned into exceptions and
RuntimeWarnings turned into errors, so "finite and no warning" is checked, not assumed.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import numpy as np
import pytest

import nnlib as nl
from nnlib import functional as F

DTYPES = [np.float32, np.float64]
BIG = 1e4


@contextlib.contextmanager
def strict() -> Iterator[None]:
    """Overflow, invalid operations and division by zero raise; so does any RuntimeWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield


def logits(dtype: type) -> np.ndarray:
    """Rows of extreme logits: one huge winner, ties at +-BIG, and mixed signs."""
    return np.array(
        [[BIG, -BIG, 0.0], [-BIG, -BIG, -BIG], [BIG, BIG, -BIG], [0.0, BIG, BIG / 2]],
        dtype=dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_family_at_huge_logits(dtype: type) -> None:
    z = logits(dtype)
    with strict():
        s, ls, lse = F.softmax(z), F.log_softmax(z), F.logsumexp(z, axis=1)
    for a in (s, ls, lse):
        assert a.dtype == dtype and np.isfinite(a).all()
    np.testing.assert_allclose(
        s, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0], [0, 1, 0]], atol=1e-7
    )
    np.testing.assert_allclose(
        lse, [BIG, -BIG + np.log(3), BIG + np.log(2), BIG], rtol=1e-6
    )
    np.testing.assert_allclose(ls[0], [0, -2 * BIG, -BIG], rtol=1e-6)
    # log_softmax near -1e4 carries an absolute rounding error of about eps * 1e4 (1e-3 in
    # float32), which exp turns into that relative error: the limit of the format, not a bug.
    np.testing.assert_allclose(
        np.exp(ls), s, rtol=4 * np.finfo(dtype).eps * BIG, atol=1e-7
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_at_huge_logits_is_finite_and_exact(dtype: type) -> None:
    z = logits(dtype)
    labels = np.array([0, 2, 1, 0])
    loss = nl.CrossEntropyLoss()
    with strict():
        value = loss(z, labels)
        grad = loss.backward()
    # -log softmax of the true class, row by row: 0, log 3, log 2, BIG.
    expected = np.mean([0.0, np.log(3), np.log(2), BIG])
    assert np.isfinite(value)
    assert value == pytest.approx(expected, rel=1e-6)
    assert grad.dtype == dtype and np.isfinite(grad).all()
    p = np.array([[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0], [0, 1, 0]])
    np.testing.assert_allclose(grad, (p - nl.one_hot(labels, 3)) / 4, atol=1e-7)

    # The same with probability targets (soft labels).
    with strict():
        soft = loss(z, nl.one_hot(labels, 3, dtype=dtype))
        soft_grad = loss.backward()
    assert soft == pytest.approx(value, rel=1e-6)
    np.testing.assert_allclose(soft_grad, grad, atol=1e-7)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_at_huge_logits(dtype: type) -> None:
    z = np.array([[BIG], [-BIG], [BIG], [-BIG], [0.0]], dtype=dtype)
    y = np.array([[1], [0], [0], [1], [1]], dtype=dtype)
    loss = nl.BCEWithLogitsLoss()
    with strict():
        value = loss(z, y)
        grad = loss.backward()
    # Right with full confidence costs 0, wrong costs |z|, and z = 0 costs log 2.
    assert value == pytest.approx((0 + 0 + BIG + BIG + np.log(2)) / 5, rel=1e-6)
    assert grad.dtype == dtype and np.isfinite(grad).all()
    np.testing.assert_allclose(
        grad, np.array([[0], [0], [1], [-1], [-0.5]]) / 5, atol=1e-7
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_saturates_without_overflow(dtype: type) -> None:
    x = np.array([[-BIG, -100.0, 0.0, 100.0, BIG]], dtype=dtype)
    with strict():
        s = F.sigmoid(x)
        layer = nl.Sigmoid()
        out = layer(x)
        back = layer.backward(np.ones_like(x))
    assert s.dtype == dtype and out.dtype == dtype and back.dtype == dtype
    assert s[0, 0] == 0 and s[0, -1] == 1 and s[0, 2] == 0.5
    assert (
        np.isfinite(back).all()
        and back[0, 0] == 0
        and back[0, -1] == 0
        and back[0, 2] == 0.25
    )
    with strict():
        probs = nl.predict_proba(
            nl.Sequential(nl.Dense(1, 1, init="constant", dtype=dtype)),
            np.array([[BIG], [-BIG]], dtype=dtype) * 10,
        )
    np.testing.assert_array_equal(probs, [[0, 1], [1, 0]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_layer_at_huge_logits(dtype: type) -> None:
    z = logits(dtype)
    layer = nl.Softmax()
    with strict():
        out = layer(z)
        back = layer.backward(np.ones_like(z))
    assert np.isfinite(out).all() and np.isfinite(back).all()
    # The softmax Jacobian maps a constant gradient to 0: the outputs always sum to 1.
    np.testing.assert_allclose(back, 0, atol=1e-7)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_clamps_log_at_minus_100_like_pytorch(dtype: type) -> None:
    p = np.array([[0.0], [1.0], [1.0], [0.0]], dtype=dtype)
    y = np.array([[1], [0], [1], [0]], dtype=dtype)
    loss = nl.BCELoss()
    with strict():
        value = loss(p, y)
        grad = loss.backward()
    # Two confident mistakes cost 100 each (the clamp); two confident hits cost 0.
    assert value == pytest.approx(50.0)
    assert grad.dtype == dtype and np.isfinite(grad).all()
    assert grad[0, 0] < 0 < grad[1, 0]


@pytest.mark.parametrize("dtype", DTYPES)
def test_network_outputs_of_huge_magnitude_stay_finite_through_losses(
    dtype: type,
) -> None:
    # A network whose logits reach +-1e4 because of a large weight: the classification losses
    # and their gradients must stay finite (the 1e4 scale is representable in float32 too).
    model = nl.Sequential(nl.Dense(2, 2, init="zeros", dtype=dtype))
    model[0].W[...] = np.array([[BIG, -BIG], [0, 0]], dtype=dtype)
    X = np.array([[1, 0], [-1, 0], [0.5, 0]], dtype=dtype)
    y = np.array([1, 1, 0])
    with strict():
        out = model(X)
        ce = nl.CrossEntropyLoss()
        value = ce(out, y)
        model.backward(ce.backward())
    assert np.isfinite(value) and all(
        np.isfinite(p.grad).all() for p in model.parameters()
    )


def diverging_run(dtype: type, loss_name: str) -> tuple[nl.Sequential, Exception]:
    X, y = nl.datasets.make_moons(200, noise=0.1, seed=0, dtype=dtype)
    k = 2 if loss_name == "ce" else 1
    model = nl.Sequential(
        nl.Dense(2, 16, rng=0, dtype=dtype),
        nl.ReLU(),
        nl.Dense(16, 16, rng=1, dtype=dtype),
        nl.ReLU(),
        nl.Dense(16, k, rng=2, dtype=dtype),
    )
    loss = nl.CrossEntropyLoss() if loss_name == "ce" else nl.MSELoss()
    target = y if loss_name == "ce" else y.reshape(-1, 1).astype(dtype)
    with warnings.catch_warnings():
        # A RuntimeWarning ("overflow in matmul") instead of our message would fail here.
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(FloatingPointError) as info:
            nl.fit(
                model,
                loss,
                nl.SGD(model.parameters(), lr=100),
                X,
                target,
                epochs=50,
                progress=False,
            )
    return model, info.value


@pytest.mark.parametrize(
    "dtype, loss_name", [(np.float64, "mse"), (np.float32, "mse"), (np.float32, "ce")]
)
def test_learning_rate_100_stops_with_the_divergence_message(
    dtype: type, loss_name: str
) -> None:
    model, error = diverging_run(dtype, loss_name)
    message = str(error)
    assert "diverged" in message
    assert (
        "smaller learning rate" in message
        and "lr=100" in message
        and "lr=10" in message
    )
    # Training stopped, the dtype never changed on the way.
    assert all(p.value.dtype == dtype for p in model.parameters())


def test_divergence_detected_on_the_validation_data() -> None:
    # Training data that stays small, validation data large enough to overflow the output.
    X = np.random.default_rng(0).normal(size=(20, 2))
    model = nl.Sequential(nl.Dense(2, 1, rng=0))
    model[0].W[...] = 1e300
    X_val = np.full((4, 2), 1e10)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(FloatingPointError, match="validation"):
            nl.fit(
                model,
                nl.MSELoss(),
                nl.SGD(model.parameters(), lr=1e-300),
                X * 1e-300,
                np.zeros((20, 1)),
                epochs=1,
                validation_data=(X_val, np.zeros((4, 1))),
                progress=False,
            )


@pytest.mark.parametrize("dtype", DTYPES)
def test_standard_scaler_does_not_amplify_rounding_noise(dtype: type) -> None:
    # A column that is constant up to rounding (1e8 stored in float32 and back) must map to 0,
    # not to unit-variance noise.
    col = (
        np.full(50, 1e8) + np.random.default_rng(0).normal(scale=1e-9, size=50)
    ).astype(dtype)
    X = np.column_stack([col, np.linspace(0, 1, 50).astype(dtype)])
    with strict():
        Z = nl.StandardScaler().fit_transform(X)
    assert Z.dtype == dtype
    np.testing.assert_array_equal(Z[:, 0], 0)
    assert Z[:, 1].std() == pytest.approx(1, rel=1e-5)


def test_logsumexp_of_equal_huge_values() -> None:
    with strict():
        assert F.logsumexp(np.array([BIG, BIG])) == pytest.approx(
            BIG + np.log(2), rel=1e-15
        )
        assert F.logsumexp(np.array([-BIG, -BIG])) == pytest.approx(
            -BIG + np.log(2), rel=1e-15
        )
        assert F.logsumexp(np.array([1e300, 1e300])) == 1e300
