"""Tests for nnlib.predict: probabilities and labels from each kind of output layer."""

import numpy as np
import pytest

import nnlib as nl


def picker():
    """Dense(2 -> 3) whose logits are [x0, x1, 0]: the class is whichever is largest."""
    layer = nl.Dense(2, 3, init="zeros")
    layer.W[...] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    return layer


X_HAND = np.array([[2.0, 0.0], [0.0, 3.0], [-1.0, -1.0], [1.0, 0.5]])


def test_predict_hand_example():
    labels = nl.predict(nl.Sequential(picker()), X_HAND)
    np.testing.assert_array_equal(labels, [0, 1, 2, 0])
    assert labels.dtype == np.int64


def test_predict_proba_applies_softmax_to_logits():
    model = nl.Sequential(picker())
    p = nl.predict_proba(model, X_HAND)
    logits = np.array(
        [[2.0, 0.0, 0.0], [0.0, 3.0, 0.0], [-1.0, -1.0, 0.0], [1.0, 0.5, 0.0]]
    )
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(p, expected, rtol=1e-14)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_predict_proba_does_not_softmax_twice():
    model = nl.Sequential(picker(), nl.Softmax())
    np.testing.assert_allclose(
        nl.predict_proba(model, X_HAND), model(X_HAND), rtol=1e-15
    )
    nested = nl.Sequential(nl.Sequential(picker(), nl.Softmax()))
    np.testing.assert_allclose(
        nl.predict_proba(nested, X_HAND), model(X_HAND), rtol=1e-15
    )


def test_predict_proba_binary_logit_column():
    layer = nl.Dense(1, 1, init="zeros")
    layer.W[...] = 1.0
    X = np.array([[0.0], [2.0], [-3.0]])
    p = nl.predict_proba(layer, X)
    s = 1 / (1 + np.exp(-X[:, 0]))
    np.testing.assert_allclose(p, np.column_stack([1 - s, s]), rtol=1e-14)
    np.testing.assert_array_equal(
        nl.predict(layer, X), [0, 1, 0]
    )  # a tie (0.5, 0.5) goes to class 0


def test_predict_proba_binary_sigmoid_output_is_used_as_is():
    layer = nl.Dense(1, 1, init="zeros")
    layer.W[...] = 1.0
    model = nl.Sequential(layer, nl.Sigmoid())
    X = np.array([[1.0], [-2.0]])
    p_out = model(X)[:, 0]
    np.testing.assert_allclose(
        nl.predict_proba(model, X), np.column_stack([1 - p_out, p_out]), rtol=1e-15
    )
    np.testing.assert_array_equal(nl.predict(model, X), [1, 0])


def test_predict_agrees_with_argmax_of_logits():
    model = nl.Sequential(nl.Dense(4, 8, rng=0), nl.Tanh(), nl.Dense(8, 5, rng=1))
    X = np.random.default_rng(0).normal(size=(50, 4))
    np.testing.assert_array_equal(nl.predict(model, X), model(X).argmax(axis=1))


@pytest.mark.parametrize(
    "head", ["logits", "softmax", "logit column", "sigmoid column"]
)
def test_predict_is_the_argmax_of_predict_proba(head):
    k = 1 if "column" in head else 4
    layers = [nl.Dense(3, 8, rng=0), nl.Tanh(), nl.Dense(8, k, rng=1)]
    layers += {"softmax": [nl.Softmax()], "sigmoid column": [nl.Sigmoid()]}.get(
        head, []
    )
    model = nl.Sequential(*layers)
    X = np.random.default_rng(1).normal(size=(200, 3))
    labels = nl.predict(model, X)
    np.testing.assert_array_equal(labels, nl.predict_proba(model, X).argmax(axis=1))
    assert (
        len(np.unique(labels)) > 1
    )  # the comparison is not between two constant arrays


def test_predict_proba_is_stable_for_huge_logits():
    layer = nl.Dense(2, 2, init="zeros")
    layer.W[...] = np.eye(2)
    with np.errstate(over="raise", invalid="raise"):
        p = nl.predict_proba(layer, np.array([[1000.0, -1000.0]]))
    np.testing.assert_array_equal(p, [[1.0, 0.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_predict_proba_keeps_dtype(dtype):
    model = nl.Sequential(nl.Dense(2, 3, rng=0, dtype=dtype))
    assert nl.predict_proba(model, X_HAND.astype(dtype)).dtype == dtype
    binary = nl.Sequential(nl.Dense(2, 1, rng=0, dtype=dtype), nl.Sigmoid())
    assert nl.predict_proba(binary, X_HAND.astype(dtype)).dtype == dtype


def test_predict_input_errors():
    model = nl.Sequential(picker())
    with pytest.raises(
        TypeError, match=r"predict: X must be a numpy array, got a list"
    ):
        nl.predict(model, [[1.0, 2.0]])
    with pytest.raises(
        TypeError, match=r"predict_proba: X must be a numpy array, got a list"
    ):
        nl.predict_proba(model, [[1.0, 2.0]])
    bad = X_HAND.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"predict: X contains 1 NaN or inf value"):
        nl.predict(model, bad)
    with pytest.raises(
        ValueError, match=r"predict_proba: X contains 1 NaN or inf value"
    ):
        nl.predict_proba(model, bad)
    with pytest.raises(
        ValueError, match=r"Dense\(2 -> 3\) expected input with 2 features, got 3"
    ):
        nl.predict(model, np.zeros((1, 3)))


def test_one_sample_without_a_batch_axis_gets_the_fix_in_the_message():
    model = nl.Sequential(nl.Dense(4, 3, rng=0))
    x = np.zeros(4)
    for fn in (nl.predict, nl.predict_proba):
        with pytest.raises(
            ValueError,
            match=r"got 1-D array of shape \(4,\); for one sample of 4 "
            r"features use X\[None, :\] \(shape \(1, 4\)\)",
        ):
            fn(model, x)
    assert nl.predict(model, x[None, :]).shape == (1,)


# --------------------------------------------------------------------------------------------
# Temperature scaling (chapter 8)


def _logits_and_labels(n=2000, k=4, scale=3.0, seed=0):
    """Labels drawn from softmax(Z0); the logits handed over are Z0 * scale (overconfident)."""
    rng = np.random.default_rng(seed)
    Z0 = rng.normal(size=(n, k))
    P0 = nl.functional.softmax(Z0)
    y = (rng.random(n)[:, None] > np.cumsum(P0, axis=1)).sum(axis=1)
    return Z0 * scale, y


def _nll(Z, y, T):
    return float(np.mean(-nl.functional.log_softmax(Z / T)[np.arange(len(y)), y]))


def test_fit_temperature_recovers_the_sharpening():
    # The labels follow softmax(Z / 3), so the best temperature is close to 3.
    Z, y = _logits_and_labels(n=20000, scale=3.0)
    assert nl.fit_temperature(Z, y) == pytest.approx(3.0, rel=0.05)


def test_fit_temperature_is_the_minimum_of_the_loss():
    Z, y = _logits_and_labels(n=500, scale=0.5, seed=1)
    T = nl.fit_temperature(Z, y)
    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 2001))
    best = grid[np.argmin([_nll(Z, y, t) for t in grid])]
    assert T == pytest.approx(best, rel=0.01)
    assert _nll(Z, y, T) <= min(_nll(Z, y, T * 1.01), _nll(Z, y, T / 1.01))


def test_fit_temperature_binary_column_and_bounds():
    Z, y = _logits_and_labels(n=3000, k=2, scale=2.0, seed=2)
    T2 = nl.fit_temperature(Z, y)
    # A one-column binary logit z = Z1 - Z0 gives the same softmax, so the same T.
    T1 = nl.fit_temperature(Z[:, 1:] - Z[:, :1], y)
    assert T1 == pytest.approx(T2, rel=1e-9)
    # Every sample right by a wide margin: the loss falls all the way to T -> 0.
    y_sure = np.array([0, 1, 2])
    assert nl.fit_temperature(10 * np.eye(3), y_sure, bounds=(0.1, 10.0)) == 0.1


def test_predict_proba_temperature():
    layer = picker()
    Z = layer(X_HAND)
    for T in (0.5, 1.0, 4.0):
        P = nl.predict_proba(layer, X_HAND, temperature=T)
        np.testing.assert_allclose(P, nl.functional.softmax(Z / T), rtol=1e-12)
        np.testing.assert_array_equal(P.argmax(axis=1), nl.predict(layer, X_HAND))
    # Higher temperature, softer probabilities: the top probability falls.
    hot = nl.predict_proba(layer, X_HAND, temperature=4.0).max(axis=1)
    assert np.all(hot < nl.predict_proba(layer, X_HAND).max(axis=1))
    P32 = nl.predict_proba(
        nl.Dense(2, 3, rng=0, dtype=np.float32),
        X_HAND.astype(np.float32),
        temperature=2.0,
    )
    assert P32.dtype == np.float32


def test_predict_proba_temperature_needs_logits():
    model = nl.Sequential(picker(), nl.Softmax())
    with pytest.raises(ValueError, match="predict_proba.*temperature.*Softmax"):
        nl.predict_proba(model, X_HAND, temperature=2.0)
    np.testing.assert_allclose(
        nl.predict_proba(model, X_HAND, temperature=1.0).sum(axis=1), 1
    )
    with pytest.raises(ValueError, match="predict_proba.*temperature"):
        nl.predict_proba(picker(), X_HAND, temperature=0.0)


def test_temperature_slope_matches_finite_differences():
    # fit_temperature bisects on d/dbeta mean CE(softmax(beta Z)); check that derivative.
    from nnlib.predict import _nll_slope

    Z, y = _logits_and_labels(n=300, scale=2.0, seed=3)
    delta = 1e-6
    for beta in (0.2, 1.0, 3.0):
        numeric = (_nll(Z, y, 1 / (beta + delta)) - _nll(Z, y, 1 / (beta - delta))) / (
            2 * delta
        )
        assert _nll_slope(Z, y, beta) == pytest.approx(numeric, rel=1e-6, abs=1e-9)
