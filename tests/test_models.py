"""Tests for nnlib.models.build_mlp: the layers, their init, the random stream, the dtypes."""

import numpy as np
import pytest

import nnlib as nl
from nnlib.models import ACTIVATIONS


def dense(model):
    return [layer for layer in model if isinstance(layer, nl.Dense)]


def test_layers_and_shapes():
    model = nl.build_mlp([3, 16, 8, 4], "tanh", rng=0)
    kinds = [type(layer).__name__ for layer in model]
    assert kinds == [
        "Dense",
        "Tanh",
        "Dense",
        "Tanh",
        "Dense",
    ]  # raw logits: no last activation
    assert [(d.in_features, d.out_features) for d in dense(model)] == [
        (3, 16),
        (16, 8),
        (8, 4),
    ]
    assert model(np.zeros((5, 3))).shape == (5, 4)
    assert all(not d.b.any() for d in dense(model))  # biases start at zero
    single = nl.build_mlp([2, 2], rng=0)  # no hidden layer: one Dense
    assert len(single) == 1 and isinstance(single[0], nl.Dense)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_equal_to_the_hand_built_sequential_with_the_same_rng(activation):
    # What chapter 2 teaches: He for ReLU-like hidden layers, Xavier otherwise; the last layer
    # (logits, no activation after it) Xavier.
    hidden = "he_normal" if activation in ("relu", "leaky_relu") else "xavier_normal"
    rng = np.random.default_rng(7)
    by_hand = nl.Sequential(
        nl.Dense(2, 32, init=hidden, rng=rng),
        ACTIVATIONS[activation](),
        nl.Dense(32, 32, init=hidden, rng=rng),
        ACTIVATIONS[activation](),
        nl.Dense(32, 3, init="xavier_normal", rng=rng),
    )
    built = nl.build_mlp([2, 32, 32, 3], activation, rng=7)
    assert [type(a) for a in built] == [type(b) for b in by_hand]
    for a, b in zip(dense(built), dense(by_hand)):
        np.testing.assert_array_equal(a.W, b.W)


def test_default_init_scales_are_he_and_xavier():
    # Wide layers, so the sample std is within a few % of the init's std.
    relu = dense(nl.build_mlp([400, 400, 400], "relu", rng=0))
    tanh = dense(nl.build_mlp([400, 400, 400], "tanh", rng=0))
    assert relu[0].W.std() == pytest.approx(
        np.sqrt(2 / 400), rel=0.02
    )  # He: 2 / fan_in
    assert tanh[0].W.std() == pytest.approx(
        np.sqrt(2 / 800), rel=0.02
    )  # Xavier: 2 / (in + out)
    assert relu[1].W.std() == pytest.approx(
        np.sqrt(2 / 800), rel=0.02
    )  # last layer: Xavier


def test_an_explicit_init_is_used_for_every_layer():
    model = nl.build_mlp([3, 4, 2], init="zeros", rng=0)
    assert all(not d.W.any() for d in dense(model))
    calls = []

    def ones(fan_in, fan_out, rng, dtype):
        calls.append((fan_in, fan_out))
        return np.ones((fan_in, fan_out), dtype=dtype)

    model = nl.build_mlp([3, 4, 2], "sigmoid", init=ones, rng=0)
    assert calls == [(3, 4), (4, 2)] and all((d.W == 1).all() for d in dense(model))


def test_rng_one_stream_for_all_layers_and_reproducible():
    a, b = (
        nl.build_mlp([8, 8, 8, 8], rng=3),
        nl.build_mlp([8, 8, 8, 8], rng=np.random.default_rng(3)),
    )
    for x, y in zip(dense(a), dense(b)):
        np.testing.assert_array_equal(x.W, y.W)
    d = dense(a)
    assert not np.array_equal(d[0].W, d[1].W)  # layers differ: one stream drawn on
    assert not np.array_equal(d[0].W, dense(nl.build_mlp([8, 8, 8, 8], rng=4))[0].W)
    rng = np.random.default_rng(0)
    first, second = nl.build_mlp([4, 4], rng=rng), nl.build_mlp([4, 4], rng=rng)
    assert not np.array_equal(
        first[0].W, second[0].W
    )  # a Generator is drawn from, not reset


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_of_every_weight_and_of_the_output(dtype):
    model = nl.build_mlp([2, 5, 3], "relu", rng=0, dtype=dtype)
    assert all(p.value.dtype == dtype for p in model.parameters())
    assert model(np.ones((4, 2), dtype=dtype)).dtype == dtype
    with pytest.raises(TypeError, match="float"):
        model(np.ones((4, 2), dtype=np.float64 if dtype == np.float32 else np.float32))


def test_it_trains_and_the_viz_spelling_is_the_same_network():
    from nnlib.viz._training import build_mlp as viz_build_mlp

    old = viz_build_mlp(2, (16, 16), 2, "relu", seed=5, dtype=np.float32)
    new = nl.build_mlp([2, 16, 16, 2], "relu", rng=5, dtype=np.float32)
    for x, y in zip(dense(old), dense(new)):
        np.testing.assert_array_equal(x.W, y.W)
    X, y = nl.datasets.make_moons(200, noise=0.1, seed=0)
    model = nl.build_mlp([2, 16, 16, 2], rng=0)
    h = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.Adam(model.parameters(), lr=0.01),
        X,
        y,
        epochs=40,
        progress=False,
    )
    assert h.accuracy[-1] > 0.95


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_fast_builds_nnlib_fast_layers_with_the_same_weights_and_outputs(activation):
    from nnlib import fast

    readable = nl.build_mlp([2, 16, 16, 3], activation, rng=4, dtype=np.float32)
    quick = nl.build_mlp([2, 16, 16, 3], activation, rng=4, dtype=np.float32, fast=True)
    assert all(type(d) is fast.FastDense for d in dense(quick))
    if activation == "tanh":
        assert all(isinstance(layer, fast.FastTanh) for layer in quick.layers[1::2])
    for a, b in zip(dense(readable), dense(quick)):
        np.testing.assert_array_equal(a.W, b.W)
    X = np.random.default_rng(0).normal(size=(50, 2)).astype(np.float32)
    np.testing.assert_array_equal(
        quick(X), readable(X)
    )  # FastDense's forward is Dense's
    # One training step each: the gradients agree (db up to the rounding nnlib.fast states).
    y = np.arange(50) % 3
    for model in (readable, quick):
        loss = nl.CrossEntropyLoss()
        loss(model(X), y)
        model.backward(loss.backward())
    for a, b in zip(dense(readable), dense(quick)):
        np.testing.assert_array_equal(a.dW, b.dW)
        np.testing.assert_allclose(a.db, b.db, rtol=1e-5, atol=1e-7)
