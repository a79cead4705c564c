"""Tests of nnlib.diagnostics (chapter 7) and of fit's per-step hook ``batch_callbacks``.

Every value is checked against a case whose answer is known by hand: zero logits give exactly
ln K, a ReLU whose bias is -100 is dead on every input, a tanh of 10 is saturated, an update
of norm 0.5 on a weight of norm 5 has ratio 0.1.
"""

from __future__ import annotations

import numpy as np
import pytest

import nnlib as nl


def net(*layers):
    return nl.Sequential(*layers)


# ---- init_loss_check ----------------------------------------------------------------------


@pytest.mark.parametrize("K", [2, 3, 10])
def test_zero_output_layer_gives_exactly_ln_k(K):
    X = np.random.default_rng(0).normal(size=(50, 4))
    y = np.arange(50) % K
    model = net(nl.Dense(4, 8, rng=0), nl.ReLU(), nl.Dense(8, K, init="zeros"))
    check = nl.init_loss_check(model, nl.CrossEntropyLoss(), X, y)
    assert check.expected == pytest.approx(np.log(K), rel=1e-15)
    assert check.loss == pytest.approx(np.log(K), rel=1e-12)  # uniform predictions


def test_large_output_layer_starts_above_ln_k_and_a_small_one_near_it():
    X, y = nl.datasets.load_digits()
    X = nl.StandardScaler().fit_transform(X)
    big = net(
        nl.Dense(64, 32, rng=0), nl.ReLU(), nl.Dense(32, 10, init="normal", rng=1)
    )
    small = net(
        nl.Dense(64, 32, rng=0),
        nl.ReLU(),
        nl.Dense(
            32,
            10,
            init=lambda i, o, rng=None, dtype=np.float64: nl.init.normal(
                i, o, rng=rng, dtype=dtype, std=0.01
            ),
            rng=1,
        ),
    )
    loss_big = nl.init_loss_check(big, nl.CrossEntropyLoss(), X, y).loss
    loss_small = nl.init_loss_check(small, nl.CrossEntropyLoss(), X, y).loss
    assert loss_big > 2 * np.log(10)
    assert abs(loss_small - np.log(10)) < 0.02


def test_binary_losses_expect_ln_2():
    X = np.random.default_rng(1).normal(size=(20, 3)).astype(np.float32)
    y = (np.arange(20) % 2).astype(np.float32).reshape(-1, 1)
    model = net(nl.Dense(3, 1, init="zeros", dtype=np.float32))
    check = nl.init_loss_check(model, nl.BCEWithLogitsLoss(), X, y)
    assert check.expected == pytest.approx(np.log(2))
    assert check.loss == pytest.approx(np.log(2), rel=1e-6)


# ---- activation_stats and dead_relu_fraction ---------------------------------------------


def dense(W, b, dtype=np.float64):
    layer = nl.Dense(*np.shape(W), dtype=dtype)
    layer.W[...] = W
    layer.b[...] = b
    return layer


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_with_bias_minus_100_is_dead_and_plus_100_alive(dtype):
    X = np.random.default_rng(2).normal(size=(200, 3)).astype(dtype)
    W = np.full((3, 4), 0.1)
    model = net(dense(W, [-100.0, -100.0, 100.0, 0.0], dtype), nl.ReLU())
    # Units 0 and 1 are 0 everywhere; unit 2 is positive everywhere; unit 3 (bias 0) is
    # positive on some rows, so alive.
    assert nl.dead_relu_fraction(model, X) == [0.5]
    model[0].b[...] = -100.0
    assert nl.dead_relu_fraction(model, X) == [1.0]
    model[0].b[...] = 100.0
    assert nl.dead_relu_fraction(model, X) == [0.0]


def test_dead_fraction_is_per_relu_layer_in_order():
    X = np.random.default_rng(3).normal(size=(100, 2))
    model = net(
        dense(np.eye(2), [-100.0, 100.0]),
        nl.ReLU(),  # one of 2 dead
        dense(np.ones((2, 4)), [-1e6, -1e6, -1e6, 0.0]),
        nl.ReLU(),
    )  # 3 of 4 dead
    assert nl.dead_relu_fraction(model, X) == [0.5, 0.75]


def test_tanh_stats_by_hand():
    X = np.array([[0.0, 10.0], [0.1, -10.0]])
    model = net(dense(np.eye(2), [0.0, 0.0]), nl.Tanh())
    (s,) = nl.activation_stats(model, X)
    a = np.tanh(X)
    assert s["layer"] == 1 and s["name"] == "Tanh" and s["dead"] is None
    assert s["mean"] == pytest.approx(a.mean()) and s["mean"] == pytest.approx(
        np.tanh(0.1) / 4
    )
    assert s["std"] == pytest.approx(a.std())
    assert s["saturated"] == 0.5  # tanh(10) and tanh(-10), not tanh(0) or tanh(0.1)
    assert nl.activation_stats(model, X, saturation=0.05)[0]["saturated"] == 0.75


def test_sigmoid_saturation_and_relu_stats():
    X = np.array([[0.0, 10.0], [-10.0, 0.5]])
    (s,) = nl.activation_stats(net(dense(np.eye(2), [0.0, 0.0]), nl.Sigmoid()), X)
    assert s["saturated"] == 0.5  # sigmoid(10) ~ 1 and sigmoid(-10) ~ 0
    (r,) = nl.activation_stats(net(dense(np.eye(2), [0.0, 0.0]), nl.ReLU()), X)
    relu = np.maximum(X, 0)
    assert r["mean"] == pytest.approx(relu.mean()) and r["std"] == pytest.approx(
        relu.std()
    )
    assert r["saturated"] is None
    assert r["dead"] == 0.5  # unit 0 sees 0 and -10: zero on both rows; unit 1 sees 10
    (lk,) = nl.activation_stats(
        net(dense(np.eye(2), [-100.0, -100.0]), nl.LeakyReLU()), X
    )
    assert lk["dead"] is None  # a leaky unit always passes a gradient


def test_activation_stats_skip_dense_layers():
    model = net(
        nl.Dense(2, 3, rng=0),
        nl.ReLU(),
        nl.Dense(3, 3, rng=1),
        nl.Tanh(),
        nl.Dense(3, 2),
    )
    stats = nl.activation_stats(model, np.ones((4, 2)))
    assert [(s["layer"], s["name"]) for s in stats] == [(1, "ReLU"), (3, "Tanh")]


# ---- update_ratios ------------------------------------------------------------------------


def test_update_ratio_by_hand():
    before = {"0.W": np.array([[3.0, 4.0]]), "0.b": np.zeros(2)}
    after = {"0.W": np.array([[3.0, 4.5]]), "0.b": np.array([0.1, 0.0])}
    assert nl.update_ratios(before, after) == {"0.W": pytest.approx(0.1)}  # 0.5 / 5
    both = nl.update_ratios(before, after, weights_only=False)
    assert both["0.W"] == pytest.approx(0.1) and both["0.b"] == np.inf  # bias was 0
    assert nl.update_ratios(before, before, weights_only=False)["0.b"] == 0.0


def test_update_ratio_float32_does_not_overflow():
    W = np.full((10, 10), 1e30, dtype=np.float32)  # sum of squares overflows float32
    ratio = nl.update_ratios({"W": W}, {"W": W * np.float32(1.001)})["W"]
    assert ratio == pytest.approx(1e-3, rel=1e-3)


# ---- fit's batch_callbacks and TrainingMonitor ---------------------------------------------


def data(n=45):
    X, y = nl.datasets.make_moons(n, noise=0.2, seed=0)
    return nl.StandardScaler().fit_transform(X), y


def model2(seed=0):
    return net(nl.Dense(2, 8, rng=seed), nl.ReLU(), nl.Dense(8, 2, rng=seed + 1))


def test_batch_callbacks_see_every_step_and_do_not_change_training():
    X, y = data()
    calls = []
    m1, m2 = model2(), model2()
    h1 = nl.fit(
        m1,
        nl.CrossEntropyLoss(),
        nl.SGD(m1.parameters(), lr=0.1),
        X,
        y,
        epochs=3,
        batch_size=10,
        progress=False,
    )
    h2 = nl.fit(
        m2,
        nl.CrossEntropyLoss(),
        nl.SGD(m2.parameters(), lr=0.1),
        X,
        y,
        epochs=3,
        batch_size=10,
        progress=False,
        batch_callbacks=[lambda e, b, v: calls.append((e, b, v))],
    )
    for k in m1.params:
        np.testing.assert_array_equal(m1.params[k], m2.params[k])
    assert h1.loss == h2.loss
    # 45 samples in batches of 10: 5 steps per epoch, numbered from 1.
    assert [(e, b) for e, b, _ in calls] == [
        (e, b) for e in (1, 2, 3) for b in range(1, 6)
    ]
    # The epoch loss is the size-weighted mean of the batch losses the callback saw.
    sizes = np.array([10, 10, 10, 10, 5])
    for e in range(3):
        values = np.array([v for _, _, v in calls[5 * e : 5 * e + 5]])
        assert h2.loss[e] == pytest.approx(float(values @ sizes) / 45, rel=1e-12)


def test_monitor_ratio_equals_lr_times_gradient_norm_over_weight_norm():
    # Full-batch plain SGD: the update is -lr * dW, so the ratio of step 1 is known by hand.
    X, y = data()
    lr = 0.5
    ref = model2()
    loss = nl.CrossEntropyLoss()
    W0 = {k: ref.params[k].copy() for k in ("0.W", "2.W")}
    first_loss = loss(ref(X), y)
    ref.backward(loss.backward())
    expected = {
        k: lr * np.linalg.norm(ref.grads[k]) / np.linalg.norm(W0[k]) for k in W0
    }

    model = model2()
    monitor = nl.TrainingMonitor(model, X_probe=X, every=2)
    nl.fit(
        model,
        loss,
        nl.SGD(model.parameters(), lr=lr),
        X,
        y,
        epochs=5,
        batch_size=len(X),
        progress=False,
        batch_callbacks=[monitor],
    )
    assert monitor.steps == 5 and len(monitor.ratio_array("0.W")) == 5
    assert monitor.step_loss[0] == pytest.approx(first_loss, rel=1e-12)
    for k in W0:
        assert monitor.ratios[k][0] == pytest.approx(expected[k], rel=1e-10)
    assert set(monitor.ratios) == {"0.W", "2.W"}
    # The probe statistics: at step 0 (before training), then after steps 2 and 4.
    assert monitor.stats_steps == [0, 2, 4]
    assert monitor.stats[0] == nl.activation_stats(model2(), X)
    assert monitor.stats[-1][0]["name"] == "ReLU"


def test_monitor_last_ratio_matches_the_weights_it_leaves():
    X, y = data()
    model = model2()
    monitor = nl.TrainingMonitor(model)
    before = {}

    def snapshot(
        epoch, batch, value
    ):  # runs before the monitor: weights after the step
        before.clear()
        before.update({k: model.params[k].copy() for k in ("0.W", "2.W")})

    opt = nl.Adam(model.parameters(), lr=0.01)
    nl.fit(
        model,
        nl.CrossEntropyLoss(),
        opt,
        X,
        y,
        epochs=2,
        batch_size=16,
        progress=False,
        batch_callbacks=[monitor],
    )
    W_end = {k: model.params[k].copy() for k in ("0.W", "2.W")}
    # One more step by hand, then compare the monitor's ratio with the one computed directly.
    nl.fit(
        model,
        nl.CrossEntropyLoss(),
        opt,
        X[:16],
        y[:16],
        epochs=1,
        batch_size=16,
        progress=False,
        batch_callbacks=[snapshot, monitor],
    )
    direct = nl.update_ratios(W_end, before)
    for k in direct:
        assert monitor.ratios[k][-1] == pytest.approx(direct[k], rel=1e-12)
    assert monitor.steps == 2 * 3 + 1


def test_monitor_rejects_unknown_weight_name():
    with pytest.raises(ValueError, match="ratio_array.*'1.W'"):
        nl.TrainingMonitor(model2()).ratio_array("1.W")


def test_monitor_with_a_probe_batch_does_not_change_training():
    # The probe's forward pass runs between steps, on a batch of another size; the weights
    # fit produces must be exactly those of a run without the monitor.
    X, y = data(100)

    def deep():
        return net(
            nl.Dense(2, 8, rng=0),
            nl.ReLU(),
            nl.Dense(8, 8, rng=1),
            nl.Tanh(),
            nl.Dense(8, 2, rng=2),
        )

    plain, watched = deep(), deep()
    for model, cbs in ((plain, []), (watched, [nl.TrainingMonitor(watched, X[:37])])):
        nl.fit(
            model,
            nl.CrossEntropyLoss(),
            nl.SGD(model.parameters(), lr=0.1, momentum=0.9),
            X,
            y,
            epochs=3,
            batch_size=16,
            progress=False,
            batch_callbacks=cbs,
        )
    for k in plain.params:
        np.testing.assert_array_equal(plain.params[k], watched.params[k])
    monitor = cbs[0]
    assert monitor.steps == 3 * 7 and len(monitor.stats) == 1 + 21
    assert [s["name"] for s in monitor.stats[-1]] == ["ReLU", "Tanh"]
