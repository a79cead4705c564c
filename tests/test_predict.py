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
    logits = np.array([[2.0, 0.0, 0.0], [0.0, 3.0, 0.0], [-1.0, -1.0, 0.0], [1.0, 0.5, 0.0]])
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(p, expected, rtol=1e-14)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_predict_proba_does_not_softmax_twice():
    model = nl.Sequential(picker(), nl.Softmax())
    np.testing.assert_allclose(nl.predict_proba(model, X_HAND), model(X_HAND), rtol=1e-15)
    nested = nl.Sequential(nl.Sequential(picker(), nl.Softmax()))
    np.testing.assert_allclose(nl.predict_proba(nested, X_HAND), model(X_HAND), rtol=1e-15)


def test_predict_proba_binary_logit_column():
    layer = nl.Dense(1, 1, init="zeros")
    layer.W[...] = 1.0
    X = np.array([[0.0], [2.0], [-3.0]])
    p = nl.predict_proba(layer, X)
    s = 1 / (1 + np.exp(-X[:, 0]))
    np.testing.assert_allclose(p, np.column_stack([1 - s, s]), rtol=1e-14)
    np.testing.assert_array_equal(nl.predict(layer, X), [0, 1, 0])  # a tie (0.5, 0.5) goes to class 0


def test_predict_proba_binary_sigmoid_output_is_used_as_is():
    layer = nl.Dense(1, 1, init="zeros")
    layer.W[...] = 1.0
    model = nl.Sequential(layer, nl.Sigmoid())
    X = np.array([[1.0], [-2.0]])
    p_out = model(X)[:, 0]
    np.testing.assert_allclose(nl.predict_proba(model, X), np.column_stack([1 - p_out, p_out]), rtol=1e-15)
    np.testing.assert_array_equal(nl.predict(model, X), [1, 0])


def test_predict_agrees_with_argmax_of_logits():
    model = nl.Sequential(nl.Dense(4, 8, rng=0), nl.Tanh(), nl.Dense(8, 5, rng=1))
    X = np.random.default_rng(0).normal(size=(50, 4))
    np.testing.assert_array_equal(nl.predict(model, X), model(X).argmax(axis=1))


@pytest.mark.parametrize("head", ["logits", "softmax", "logit column", "sigmoid column"])
def test_predict_is_the_argmax_of_predict_proba(head):
    k = 1 if "column" in head else 4
    layers = [nl.Dense(3, 8, rng=0), nl.Tanh(), nl.Dense(8, k, rng=1)]
    layers += {"softmax": [nl.Softmax()], "sigmoid column": [nl.Sigmoid()]}.get(head, [])
    model = nl.Sequential(*layers)
    X = np.random.default_rng(1).normal(size=(200, 3))
    labels = nl.predict(model, X)
    np.testing.assert_array_equal(labels, nl.predict_proba(model, X).argmax(axis=1))
    assert len(np.unique(labels)) > 1  # the comparison is not between two constant arrays


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
    with pytest.raises(TypeError, match=r"predict: X must be a numpy array, got a list"):
        nl.predict(model, [[1.0, 2.0]])
    with pytest.raises(TypeError, match=r"predict_proba: X must be a numpy array, got a list"):
        nl.predict_proba(model, [[1.0, 2.0]])
    bad = X_HAND.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"predict: X contains 1 NaN or inf value"):
        nl.predict(model, bad)
    with pytest.raises(ValueError, match=r"predict_proba: X contains 1 NaN or inf value"):
        nl.predict_proba(model, bad)
    with pytest.raises(ValueError, match=r"Dense\(2 -> 3\) expected input with 2 features, got 3"):
        nl.predict(model, np.zeros((1, 3)))


def test_one_sample_without_a_batch_axis_gets_the_fix_in_the_message():
    model = nl.Sequential(nl.Dense(4, 3, rng=0))
    x = np.zeros(4)
    for fn in (nl.predict, nl.predict_proba):
        with pytest.raises(ValueError, match=r"got 1-D array of shape \(4,\); for one sample of 4 "
                                             r"features use X\[None, :\] \(shape \(1, 4\)\)"):
            fn(model, x)
    assert nl.predict(model, x[None, :]).shape == (1,)
