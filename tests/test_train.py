"""Tests for nnlib.train.fit: it learns, it is deterministic, and its bookkeeping is right."""

import numpy as np
import pytest

import nnlib as nl


def moons_net(dtype=np.float64):
    return nl.Sequential(
        nl.Dense(2, 16, rng=0, dtype=dtype),
        nl.ReLU(),
        nl.Dense(16, 16, rng=1, dtype=dtype),
        nl.ReLU(),
        nl.Dense(16, 2, rng=2, dtype=dtype),
    )


@pytest.fixture(scope="module")
def moons():
    X, y = nl.datasets.make_moons(600, noise=0.1, seed=0)
    return nl.train_test_split(X, y, test_size=0.25, seed=0)


# ---------------------------------------------------------------- it learns


def test_moons_2_16_16_2_reaches_97_percent(moons):
    X_tr, X_te, y_tr, y_te = moons
    model = moons_net()
    history = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.Adam(model.parameters(), lr=0.01),
        X_tr,
        y_tr,
        epochs=60,
        progress=False,
    )
    assert nl.accuracy(y_te, nl.predict(model, X_te)) >= 0.97
    assert history.loss[-1] < history.loss[0] / 5


def test_digits_64_64_10_reaches_95_percent_test_accuracy():
    X, y = nl.datasets.load_digits()
    X_tr, X_te, y_tr, y_te = nl.train_test_split(
        X, y, test_size=0.2, seed=0, stratify=True
    )
    scaler = nl.StandardScaler().fit(X_tr)
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
    model = nl.Sequential(nl.Dense(64, 64, rng=0), nl.ReLU(), nl.Dense(64, 10, rng=1))
    history = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.Adam(model.parameters(), lr=0.005),
        X_tr,
        y_tr,
        epochs=15,
        validation_data=(X_te, y_te),
        progress=False,
    )
    test_acc = nl.accuracy(y_te, nl.predict(model, X_te))
    assert test_acc >= 0.95
    assert history.val_accuracy[-1] == pytest.approx(test_acc)


def test_binary_logit_output_with_bce_with_logits(moons):
    X_tr, X_te, y_tr, y_te = moons
    model = nl.Sequential(nl.Dense(2, 16, rng=0), nl.Tanh(), nl.Dense(16, 1, rng=1))
    history = nl.fit(
        model,
        nl.BCEWithLogitsLoss(),
        nl.Adam(model.parameters(), lr=0.02),
        X_tr,
        y_tr,
        epochs=40,
        progress=False,
    )
    assert history.accuracy[-1] >= 0.95
    assert nl.accuracy(y_te, nl.predict(model, X_te)) >= 0.95


def test_fit_on_a_bare_dense_layer_learns_linear_regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    true_W, true_b = np.array([[1.0], [-2.0], [0.5]]), np.array([0.3])
    y = X @ true_W + true_b
    layer = nl.Dense(3, 1, rng=0)
    history = nl.fit(
        layer,
        nl.MSELoss(),
        nl.SGD(layer.parameters(), lr=0.1),
        X,
        y,
        epochs=100,
        batch_size=200,
        progress=False,
    )
    np.testing.assert_allclose(layer.W, true_W, atol=1e-6)
    np.testing.assert_allclose(layer.b, true_b, atol=1e-6)
    assert (
        history.accuracy == [] and history.val_accuracy == []
    )  # regression: no accuracy


# ---------------------------------------------------------------- deterministic


def _run(X, y, seed=0, **kwargs):
    model = moons_net()
    history = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.SGD(model.parameters(), lr=0.1, momentum=0.9),
        X,
        y,
        epochs=5,
        seed=seed,
        progress=False,
        **kwargs,
    )
    return model, history


def test_two_runs_give_identical_histories_and_weights(moons):
    X_tr, X_te, y_tr, y_te = moons
    m1, h1 = _run(X_tr, y_tr, validation_data=(X_te, y_te))
    m2, h2 = _run(X_tr, y_tr, validation_data=(X_te, y_te))
    assert h1 == h2  # dataclass equality: every list compared exactly
    for k, v in m1.params.items():
        np.testing.assert_array_equal(v, m2.params[k])


def test_seed_controls_the_shuffle(moons):
    X_tr, _, y_tr, _ = moons
    _, h1 = _run(X_tr, y_tr, seed=0)
    _, h2 = _run(X_tr, y_tr, seed=1)
    assert h1.loss != h2.loss


def test_full_batch_training_does_not_depend_on_the_seed(moons):
    # One batch holds every sample: fit does not shuffle, since the full-batch loss and
    # gradient do not depend on the order of the rows. Same weights as shuffle=False.
    X_tr, _, y_tr, _ = moons
    m1, h1 = _run(X_tr, y_tr, seed=0, batch_size=len(X_tr))
    m2, h2 = _run(X_tr, y_tr, seed=1, batch_size=len(X_tr) + 5)
    m3, h3 = _run(X_tr, y_tr, shuffle=False, batch_size=len(X_tr))
    assert h1 == h2 == h3
    for k, v in m1.params.items():
        np.testing.assert_array_equal(v, m2.params[k])
        np.testing.assert_array_equal(v, m3.params[k])
    assert h1.loss[-1] < h1.loss[0]  # it did train


def test_progress_bar_does_not_change_the_result(moons, capsys):
    X_tr, _, y_tr, _ = moons
    _, quiet = _run(X_tr, y_tr)
    model = moons_net()
    loud = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.SGD(model.parameters(), lr=0.1, momentum=0.9),
        X_tr,
        y_tr,
        epochs=5,
        progress=True,
    )
    assert loud == quiet
    assert "fit" in capsys.readouterr().err


# ---------------------------------------------------------------- bookkeeping


def test_history_defaults():
    h = nl.History()
    assert h.loss == h.val_loss == h.accuracy == h.val_accuracy == []
    assert (
        h.epochs == 0
        and h.best_epoch is None
        and not h.stopped_early
        and not h.stop_training
    )
    h.loss.extend([0.5, 0.4])
    assert h.epochs == 2
    assert nl.History().loss is not nl.History().loss  # no shared mutable default


def test_history_loss_is_the_epoch_average():
    # Full batch, no shuffle: epoch 1's loss is the loss of the initial model on all of X.
    X, y = nl.datasets.make_blobs(90, seed=0)
    model = nl.Sequential(nl.Dense(2, 8, rng=0), nl.Tanh(), nl.Dense(8, 3, rng=1))
    loss = nl.CrossEntropyLoss()
    out = model(X)
    initial_loss = loss(out, y)
    initial_acc = nl.accuracy(y, out.argmax(axis=1))
    history = nl.fit(
        model,
        loss,
        nl.SGD(model.parameters(), lr=0.1),
        X,
        y,
        epochs=3,
        batch_size=90,
        shuffle=False,
        progress=False,
    )
    assert history.loss[0] == pytest.approx(initial_loss, rel=1e-12)
    assert history.accuracy[0] == pytest.approx(initial_acc)
    assert history.epochs == 3 and len(history.accuracy) == 3


def test_history_loss_weights_batches_by_size():
    # 5 samples in batches of 2, 2, 1: the epoch loss weights each batch by its size.
    X = np.random.default_rng(0).normal(size=(5, 2))
    y = np.random.default_rng(1).normal(size=(5, 1))
    layer = nl.Dense(2, 1, rng=0)
    # Replay the same batches and updates by hand on an identical layer.
    loss = nl.MSELoss()
    probe = nl.Dense(2, 1, rng=0)
    opt_probe = nl.SGD(probe.parameters(), lr=0.01)
    expected = 0.0
    for Xb, yb in nl.minibatches(X, y, 2, shuffle=False):
        value = loss(probe(Xb), yb)
        probe.backward(loss.backward())
        opt_probe.step()
        expected += value * len(Xb)
    history = nl.fit(
        layer,
        nl.MSELoss(),
        nl.SGD(layer.parameters(), lr=0.01),
        X,
        y,
        epochs=1,
        batch_size=2,
        shuffle=False,
        progress=False,
    )
    assert history.loss[0] == pytest.approx(expected / 5, rel=1e-12)
    np.testing.assert_allclose(layer.W, probe.W, rtol=1e-14)


def test_validation_metrics_are_computed_after_each_epoch(moons):
    X_tr, X_te, y_tr, y_te = moons
    model = moons_net()
    loss = nl.CrossEntropyLoss()
    seen = []

    def record(epoch, history):
        out = model(X_te)
        seen.append((loss(out, y_te), nl.accuracy(y_te, out.argmax(axis=1))))

    history = nl.fit(
        model,
        loss,
        nl.Adam(model.parameters(), lr=0.01),
        X_tr,
        y_tr,
        epochs=4,
        validation_data=(X_te, y_te),
        callbacks=[record],
        progress=False,
    )
    assert len(history.val_loss) == len(history.val_accuracy) == 4
    assert history.val_loss == pytest.approx([s[0] for s in seen], rel=1e-12)
    assert history.val_accuracy == pytest.approx([s[1] for s in seen])


def test_one_hot_targets_give_the_same_run_as_labels(moons):
    X_tr, _, y_tr, _ = moons
    _, h_labels = _run(X_tr, y_tr)
    _, h_onehot = _run(X_tr, nl.one_hot(y_tr, 2))
    assert h_onehot.loss == pytest.approx(h_labels.loss, rel=1e-12)
    assert h_onehot.accuracy == h_labels.accuracy


# ---------------------------------------------------------------- callbacks and early stopping


def test_callbacks_get_epoch_and_the_history(moons):
    X_tr, _, y_tr, _ = moons
    calls = []
    model = moons_net()
    history = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.SGD(model.parameters(), lr=0.1),
        X_tr,
        y_tr,
        epochs=4,
        callbacks=[lambda e, h: calls.append((e, h, len(h.loss)))],
        progress=False,
    )
    assert [c[0] for c in calls] == [1, 2, 3, 4]
    assert all(c[1] is history for c in calls)
    assert [c[2] for c in calls] == [1, 2, 3, 4]  # called after the epoch was recorded


def test_callback_can_stop_training(moons):
    X_tr, _, y_tr, _ = moons
    model = moons_net()

    def stop_at_3(epoch, history):
        if epoch == 3:
            history.stop_training = True

    history = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.SGD(model.parameters(), lr=0.1),
        X_tr,
        y_tr,
        epochs=20,
        callbacks=[stop_at_3],
        progress=False,
    )
    assert history.epochs == 3
    assert not history.stopped_early


def test_early_stopping_with_tol_counts_patience_epochs(moons):
    X_tr, _, y_tr, _ = moons
    model = moons_net()
    # No improvement can beat tol=1e9, so after the first epoch every epoch is a bad one.
    history = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.SGD(model.parameters(), lr=0.1),
        X_tr,
        y_tr,
        epochs=20,
        tol=1e9,
        patience=2,
        progress=False,
    )
    assert history.epochs == 3
    assert history.stopped_early and history.best_epoch == 1


def test_early_stopping_monitors_validation_loss():
    # Validation labels are the training labels flipped: the better the fit, the worse the
    # validation loss, so training stops `patience` epochs after the first epoch.
    X, y = nl.datasets.make_moons(200, noise=0.1, seed=1)
    model = moons_net()
    history = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.Adam(model.parameters(), lr=0.01),
        X,
        y,
        epochs=30,
        validation_data=(X, 1 - y),
        patience=3,
        progress=False,
    )
    assert history.stopped_early
    assert history.epochs == history.best_epoch + 3
    assert history.epochs < 30
    assert history.val_loss[-1] > history.val_loss[history.best_epoch - 1]
    assert history.loss[-1] < history.loss[0]


def test_no_early_stopping_without_patience_or_tol(moons):
    X_tr, _, y_tr, _ = moons
    model = moons_net()
    history = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.SGD(model.parameters(), lr=1e-4),
        X_tr,
        y_tr,
        epochs=6,
        progress=False,
    )
    assert history.epochs == 6 and not history.stopped_early
    assert history.best_epoch is not None and 1 <= history.best_epoch <= 6


# ---------------------------------------------------------------- float32 end to end


def test_float32_end_to_end(moons):
    X_tr, X_te, y_tr, _ = moons
    X32, Xte32 = X_tr.astype(np.float32), X_te.astype(np.float32)
    model = moons_net(np.float32)
    opt = nl.Adam(model.parameters(), lr=0.01)
    history = nl.fit(
        model, nl.CrossEntropyLoss(), opt, X32, y_tr, epochs=10, progress=False
    )
    assert history.accuracy[-1] > 0.9
    assert all(v.dtype == np.float32 for v in model.params.values())
    assert all(g.dtype == np.float32 for g in model.grads.values())
    assert all(m.dtype == np.float32 for m in opt.m + opt.v)
    assert model(Xte32).dtype == np.float32
    assert nl.predict_proba(model, Xte32).dtype == np.float32


# ---------------------------------------------------------------- errors


def test_divergence_raises_and_suggests_a_smaller_learning_rate():
    # lr=1e6 blows the loss up within a few batches; fit must stop with its own message (not a
    # numpy RuntimeWarning, which pytest turns into an error), whichever check sees it first.
    X, y = nl.datasets.make_moons(200, noise=0.1, seed=0)
    model = nl.Sequential(nl.Dense(2, 16, rng=0), nl.ReLU(), nl.Dense(16, 2, rng=1))
    with pytest.raises(
        FloatingPointError,
        match=r"fit: training diverged, .*(nan|NaN|inf|exploded).* at epoch \d+, "
        r"batch \d+.*smaller learning rate \(lr=1e\+06 now",
    ):
        nl.fit(
            model,
            nl.CrossEntropyLoss(),
            nl.SGD(model.parameters(), lr=1e6),
            X,
            y,
            epochs=50,
            progress=False,
        )


def test_an_overflowing_forward_pass_stops_training_without_warnings():
    # Weights of 1e300 overflow float64 in the first matrix product: the output is inf before any
    # loss exists, and fit reports that instead of a RuntimeWarning or a loss error.
    X, y = nl.datasets.make_moons(64, noise=0.1, seed=0)
    model = nl.Sequential(
        nl.Dense(2, 4, init=lambda i, o, rng, dtype: np.full((i, o), 1e300, dtype)),
        nl.Dense(4, 2, init=lambda i, o, rng, dtype: np.full((i, o), 1e300, dtype)),
    )
    with pytest.raises(
        FloatingPointError,
        match=r"the network's output became NaN or inf at epoch 1, batch 1",
    ):
        nl.fit(
            model,
            nl.CrossEntropyLoss(),
            nl.SGD(model.parameters(), lr=0.1),
            X,
            y,
            epochs=3,
            progress=False,
        )


def test_parameters_overflowing_in_the_last_update_are_caught():
    # The loss of the only batch is finite; the update after it is not. Without a check the
    # run would end "successfully" with an unusable model.
    class Explode(nl.SGD):
        def step(self):
            for p in self.params:
                p.value[...] = np.inf

    X, y = np.ones((4, 2)), np.array([0, 1, 0, 1])
    model = nl.Sequential(nl.Dense(2, 2, rng=0))
    with pytest.raises(
        FloatingPointError,
        match=r"fit: training diverged, the parameters became NaN or inf "
        r"in the last update of epoch 1.*lr=0.5 now, e.g. lr=0.05",
    ):
        nl.fit(
            model,
            nl.CrossEntropyLoss(),
            Explode(model.parameters(), lr=0.5),
            X,
            y,
            epochs=1,
            batch_size=4,
            progress=False,
        )


def test_divergence_on_validation_data_raises():
    X, y = np.ones((4, 2)), np.array([0, 1, 0, 1])
    X_val = np.full((2, 2), 1e200)
    model = nl.Sequential(nl.Dense(2, 2, rng=0), nl.Dense(2, 2, rng=1))
    # Training sees hidden units [2e200, 2e200] whose difference is 0: a finite loss. The huge
    # validation inputs overflow to inf, and inf - inf makes the validation logits NaN.
    model[0].W[...] = 1e200
    model[1].W[...] = [[1.0, -1.0], [-1.0, 1.0]]
    with pytest.raises(
        FloatingPointError,
        match=r"fit: training diverged, .*(nan|NaN).* on the validation data after epoch 1.*"
        r"smaller learning rate",
    ):
        nl.fit(
            model,
            nl.CrossEntropyLoss(),
            nl.SGD(model.parameters(), lr=1e-300),
            X,
            y,
            epochs=1,
            validation_data=(X_val, np.array([0, 1])),
            progress=False,
        )


def test_divergence_in_regression_raises():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = 10 * X.sum(axis=1, keepdims=True)
    model = nl.Sequential(nl.Dense(3, 16, rng=0), nl.Tanh(), nl.Dense(16, 1, rng=1))
    with pytest.raises(
        FloatingPointError, match=r"learning rate \(lr=10 now, e.g. lr=1\)"
    ):
        nl.fit(
            model,
            nl.MSELoss(),
            nl.SGD(model.parameters(), lr=10.0),
            X,
            y,
            epochs=100,
            progress=False,
        )


def test_fit_rejects_bad_arguments():
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    model = nl.Sequential(nl.Dense(2, 2, rng=0))
    opt = nl.SGD(model.parameters(), lr=0.1)
    loss = nl.CrossEntropyLoss()
    with pytest.raises(
        ValueError, match=r"fit: batch_size must be a positive integer, got 0"
    ):
        nl.fit(model, loss, opt, X, y, epochs=1, batch_size=0, progress=False)
    with pytest.raises(
        ValueError, match=r"fit: epochs must be a positive integer, got 0"
    ):
        nl.fit(model, loss, opt, X, y, epochs=0, progress=False)
    bad = X.copy()
    bad[1, 0] = np.nan
    with pytest.raises(ValueError, match=r"fit: X contains 1 NaN or inf value\(s\)"):
        nl.fit(model, loss, opt, bad, y, epochs=1, progress=False)
    with pytest.raises(
        ValueError, match=r"CrossEntropyLoss: class labels must be in \[0, 2\), got 2"
    ):
        nl.fit(model, loss, opt, X, np.array([0, 1, 2, 0]), epochs=1, progress=False)
    with pytest.raises(
        ValueError,
        match=r"fit: X and y must have the same number of samples, got 4 and 3",
    ):
        nl.fit(model, loss, opt, X, y[:3], epochs=1, progress=False)
    with pytest.raises(
        TypeError,
        match=r"fit: model must be a Layer such as Sequential\(...\), got function",
    ):
        nl.fit(lambda x: x, loss, opt, X, y, epochs=1, progress=False)
    with pytest.raises(
        TypeError,
        match=r"fit: loss must be a Loss such as CrossEntropyLoss\(\), got type",
    ):
        nl.fit(model, nl.CrossEntropyLoss, opt, X, y, epochs=1, progress=False)
    with pytest.raises(TypeError, match=r"fit: optimizer must be an Optimizer"):
        nl.fit(model, loss, None, X, y, epochs=1, progress=False)
    with pytest.raises(
        TypeError,
        match=r"fit: every callback must be callable as cb\(epoch, history\), got 3",
    ):
        nl.fit(model, loss, opt, X, y, epochs=1, callbacks=[3], progress=False)
    with pytest.raises(
        TypeError, match=r"fit: validation_data must be a tuple \(X_val, y_val\)"
    ):
        nl.fit(model, loss, opt, X, y, epochs=1, validation_data=[X, y], progress=False)
    with pytest.raises(
        ValueError, match=r"fit: patience must be a positive integer, got 0"
    ):
        nl.fit(model, loss, opt, X, y, epochs=1, patience=0, progress=False)
    with pytest.raises(ValueError, match=r"fit: tol must be a .*>= 0, got -1"):
        nl.fit(model, loss, opt, X, y, epochs=1, tol=-1, progress=False)


@pytest.mark.parametrize(
    "make_optimizer",
    [lambda ps: nl.SGD(ps, lr=100), lambda ps: nl.Adam(ps, lr=100)],
    ids=["sgd", "adam"],
)
def test_a_finite_but_exploding_cross_entropy_stops_training(make_optimizer):
    # Stable cross-entropy never overflows, so this divergence never produces NaN: the
    # explosion of the loss itself must stop it.
    X, y = nl.datasets.make_moons(500, noise=0.1, seed=0)
    model = nl.Sequential(
        nl.Dense(2, 16, rng=0),
        nl.ReLU(),
        nl.Dense(16, 16, rng=1),
        nl.ReLU(),
        nl.Dense(16, 2, rng=2),
    )
    with pytest.raises(
        FloatingPointError,
        match=r"the loss exploded to .* at epoch 1, batch \d+ "
        r"\(from 0\.\d+ on the first batch\).*lr=100 now, e.g. lr=10",
    ):
        nl.fit(
            model,
            nl.CrossEntropyLoss(),
            make_optimizer(model.parameters()),
            X,
            y,
            epochs=20,
            progress=False,
        )
    assert all(np.isfinite(p.value).all() for p in model.parameters())


def test_a_noisy_but_healthy_run_is_not_mistaken_for_divergence():
    # A large learning rate makes the loss jump around, but well within 1000x of the start.
    X, y = nl.datasets.make_moons(300, noise=0.3, seed=1)
    model = nl.Sequential(nl.Dense(2, 32, rng=0), nl.ReLU(), nl.Dense(32, 2, rng=1))
    history = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.SGD(model.parameters(), lr=1.0, momentum=0.9),
        X,
        y,
        epochs=30,
        batch_size=8,
        progress=False,
    )
    assert history.epochs == 30
