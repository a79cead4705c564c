"""fit in pieces and fit that stops instead of raising: what the widgets train with.

``history=`` with the same Generator as ``seed`` continues a run exactly; ``on_divergence="stop"``
records the message fit would raise; ``max_loss_growth`` is the explosion rule's factor.
"""

import re
import warnings

import numpy as np
import pytest

import nnlib as nl


def moons_net(seed=0):
    return nl.build_mlp([2, 16, 16, 2], "relu", rng=seed)


@pytest.fixture(scope="module")
def moons():
    X, y = nl.datasets.make_moons(300, noise=0.2, seed=0)
    return nl.train_test_split(X, y, test_size=0.3, seed=0)


def _fit(model, X, y, lr=0.05, **kwargs):
    kwargs = {"epochs": 1, "progress": False, **kwargs}
    return nl.fit(
        model,
        nl.CrossEntropyLoss(),
        kwargs.pop("opt", None) or nl.SGD(model.parameters(), lr=lr, momentum=0.9),
        X,
        y,
        **kwargs,
    )


# ---------------------------------------------------------------- one run in pieces


@pytest.mark.parametrize("batch_size", [16, 1000], ids=["mini-batch", "full-batch"])
def test_pieces_with_one_history_and_one_generator_are_one_run(moons, batch_size):
    X_tr, X_va, y_tr, y_va = moons
    whole_model, piece_model = moons_net(), moons_net()
    whole = _fit(
        whole_model,
        X_tr,
        y_tr,
        epochs=12,
        batch_size=batch_size,
        validation_data=(X_va, y_va),
        seed=np.random.default_rng(5),
    )
    rng, history, seen = np.random.default_rng(5), None, []
    opt = nl.SGD(piece_model.parameters(), lr=0.05, momentum=0.9)
    for chunk in (1, 4, 2, 5):
        history = _fit(
            piece_model,
            X_tr,
            y_tr,
            opt=opt,
            epochs=chunk,
            batch_size=batch_size,
            validation_data=(X_va, y_va),
            seed=rng,
            history=history,
            callbacks=[lambda e, h: seen.append(e)],
        )
    assert history == whole  # every list, best_epoch, first_batch_loss
    assert seen == list(range(1, 13))  # epochs numbered on across the calls
    for name, value in whole_model.params.items():
        np.testing.assert_array_equal(piece_model.params[name], value)


def test_an_int_seed_in_each_piece_restarts_the_shuffle(moons):
    # The order of one long run needs the same Generator: an int seeds a new stream each call.
    X_tr, _, y_tr, _ = moons
    whole = _fit(moons_net(), X_tr, y_tr, epochs=2, batch_size=16, seed=3)
    model = moons_net()
    opt = nl.SGD(model.parameters(), lr=0.05, momentum=0.9)
    h = _fit(model, X_tr, y_tr, opt=opt, batch_size=16, seed=3)
    h = _fit(model, X_tr, y_tr, opt=opt, batch_size=16, seed=3, history=h)
    assert h.loss[0] == whole.loss[0] and h.loss[1] != whole.loss[1]


def test_early_stopping_counts_across_pieces(moons):
    X_tr, X_va, y_tr, y_va = moons
    kwargs = {
        "validation_data": (X_va, y_va),
        "patience": 3,
        "batch_size": 32,
        "lr": 0.5,
    }
    whole = _fit(
        moons_net(), X_tr, y_tr, epochs=200, seed=np.random.default_rng(1), **kwargs
    )
    assert whole.stopped_early and whole.epochs < 200
    model, rng, h = moons_net(), np.random.default_rng(1), None
    opt = nl.SGD(model.parameters(), lr=0.5, momentum=0.9)
    kwargs.pop("lr")
    while h is None or (not h.stopped_early and h.epochs < 200):
        h = _fit(model, X_tr, y_tr, opt=opt, epochs=2, seed=rng, history=h, **kwargs)
    assert (h.epochs, h.best_epoch, h.val_loss) == (
        whole.epochs,
        whole.best_epoch,
        whole.val_loss,
    )
    # Early stopping ended that call, not the run: the next call trains on.
    more = _fit(model, X_tr, y_tr, opt=opt, epochs=1, seed=rng, history=h, **kwargs)
    assert more is h and h.epochs == whole.epochs + 1


def test_a_history_that_cannot_be_continued_is_refused(moons):
    X_tr, X_va, y_tr, y_va = moons
    h = _fit(moons_net(), X_tr, y_tr)
    with pytest.raises(
        ValueError,
        match=r"fit: history has validation losses for 0 of its 1 epochs; "
        r"continue it with validation_data given never",
    ):
        _fit(moons_net(), X_tr, y_tr, history=h, validation_data=(X_va, y_va))
    with pytest.raises(
        TypeError,
        match=r"fit: history must be the History of an earlier fit call .*got list",
    ):
        _fit(moons_net(), X_tr, y_tr, history=[])
    h.diverged = "fit: training diverged, ..."
    with pytest.raises(ValueError, match=r"fit: cannot continue a run that diverged"):
        _fit(moons_net(), X_tr, y_tr, history=h)


# ---------------------------------------------------------------- on_divergence="stop"


def _exploding(on_divergence, **kwargs):
    # lr=1e6: the loss blows up within the first few batches (see test_train.py).
    X, y = nl.datasets.make_moons(200, noise=0.1, seed=0)
    model = nl.Sequential(nl.Dense(2, 16, rng=0), nl.ReLU(), nl.Dense(16, 2, rng=1))
    return nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.SGD(model.parameters(), lr=1e6),
        X,
        y,
        epochs=50,
        progress=False,
        on_divergence=on_divergence,
        **kwargs,
    )


def test_stop_records_the_message_fit_would_raise_and_no_warning():
    with pytest.raises(FloatingPointError) as raised:
        _exploding("raise")
    assert type(raised.value) is FloatingPointError  # not a private subclass
    calls = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning either
        history = _exploding(
            "stop", callbacks=[lambda e, h: calls.append((e, h.diverged))]
        )
    assert history.diverged == str(raised.value)
    epoch = int(re.search(r"at epoch (\d+), batch", history.diverged).group(1))
    # The epoch that diverged is the history's last, given to the callbacks with the message.
    assert history.epochs == epoch == len(history.accuracy) and history.epochs < 50
    assert calls[-1] == (epoch, history.diverged) and [c[1] for c in calls[:-1]] == [
        None
    ] * (epoch - 1)
    assert np.isnan(history.accuracy[-1])
    assert all(np.isfinite(history.loss[:-1]))
    assert not history.stopped_early and history.best_epoch != epoch


def test_stop_with_validation_data_keeps_the_lists_the_same_length():
    X, y = nl.datasets.make_moons(200, noise=0.1, seed=0)
    history = _exploding("stop", validation_data=(X, y))
    assert history.diverged is not None
    assert (
        len(history.loss)
        == len(history.val_loss)
        == len(history.accuracy)
        == len(history.val_accuracy)
    )
    if "validation" not in history.diverged:  # a training batch diverged first
        assert np.isnan(history.val_loss[-1]) and np.isnan(history.val_accuracy[-1])


def test_a_diverged_epoch_records_the_mean_loss_up_to_the_batch_that_diverged():
    # Two batches of 4, the second with inputs of 1e300; lr=1e-300 leaves the weights as they are.
    X = np.vstack([np.ones((4, 2)), np.full((4, 2), 1e300)])
    y = np.array([0, 1] * 4)
    loss = nl.CrossEntropyLoss()

    def run(W):
        model = nl.Sequential(nl.Dense(2, 2, rng=0))
        model[0].W[...] = W
        with np.errstate(over="ignore"):
            batch_losses = [
                loss(out, t) if np.isfinite(out := model(x)).all() else np.inf
                for x, t in ((X[:4], y[:4]), (X[4:], y[4:]))
            ]
        h = nl.fit(
            model,
            loss,
            nl.SGD(model.parameters(), lr=1e-300),
            X,
            y,
            epochs=3,
            batch_size=4,
            shuffle=False,
            progress=False,
            on_divergence="stop",
        )
        return h, batch_losses

    # Logits of ~1e300 are finite, and so is their cross-entropy: the loss exploded.
    h, (first, second) = run([[0.5, -0.5], [0.25, 0.5]])
    assert (
        h.epochs == 1
        and h.first_batch_loss == first
        and "the loss exploded to" in h.diverged
    )
    assert h.loss == [(4 * first + 4 * second) / 8]
    # Weights of 1e10 overflow the logits: no loss at all, recorded as inf.
    h, (_, second) = run([[1e10, -1e10], [1e10, 1e10]])
    assert second == np.inf and h.epochs == 1 and h.loss == [np.inf]
    assert h.diverged.startswith(
        "fit: training diverged, the network's output became NaN or inf at epoch 1, batch 2"
    )


def test_stop_on_the_validation_data_and_on_the_last_update():
    X, y = np.ones((4, 2)), np.array([0, 1, 0, 1])
    model = nl.Sequential(nl.Dense(2, 2, rng=0), nl.Dense(2, 2, rng=1))
    model[0].W[...] = 1e200  # as in test_train.py: NaN only on X_val
    model[1].W[...] = [[1.0, -1.0], [-1.0, 1.0]]
    h = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.SGD(model.parameters(), lr=1e-300),
        X,
        y,
        epochs=3,
        validation_data=(np.full((2, 2), 1e200), np.array([0, 1])),
        progress=False,
        on_divergence="stop",
    )
    assert "on the validation data after epoch 1" in h.diverged and h.epochs == 1
    assert (
        np.isfinite(h.loss[0])
        and not np.isfinite(h.val_loss[0])
        and np.isnan(h.val_accuracy[0])
    )

    class Explode(nl.SGD):
        def step(self):
            for p in self.params:
                p.value[...] = np.inf

    model = nl.Sequential(nl.Dense(2, 2, rng=0))
    h = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        Explode(model.parameters(), lr=0.5),
        X,
        y,
        epochs=1,
        batch_size=4,
        progress=False,
        on_divergence="stop",
    )
    assert (
        h.diverged.startswith(
            "fit: training diverged, the parameters became NaN or inf in the last update "
            "of epoch 1"
        )
        and h.epochs == 1
        and np.isfinite(h.loss[0])
    )


# ---------------------------------------------------------------- max_loss_growth


def test_max_loss_growth_sets_the_explosion_rule():
    X, y = nl.datasets.make_moons(300, noise=0.3, seed=1)

    def run(growth):
        model = nl.Sequential(nl.Dense(2, 32, rng=0), nl.ReLU(), nl.Dense(32, 2, rng=1))
        return nl.fit(
            model,
            nl.CrossEntropyLoss(),
            nl.SGD(model.parameters(), lr=1.0, momentum=0.9),
            X,
            y,
            epochs=30,
            batch_size=8,
            progress=False,
            on_divergence="stop",
            max_loss_growth=growth,
        )

    # The noisy but healthy run of test_train.py: fine under the default 1000, not under 1.5.
    assert run(1e3).diverged is None
    strict = run(1.5)
    assert "the loss exploded to" in strict.diverged and strict.epochs < 30
    # Off: a loss that explodes but stays finite trains on (the playground shows it get stuck).
    model = nl.Sequential(
        nl.Dense(2, 16, rng=0),
        nl.ReLU(),
        nl.Dense(16, 16, rng=1),
        nl.ReLU(),
        nl.Dense(16, 2, rng=2),
    )
    X, y = nl.datasets.make_moons(500, noise=0.1, seed=0)
    with pytest.raises(FloatingPointError, match="exploded"):
        nl.fit(
            model,
            nl.CrossEntropyLoss(),
            nl.Adam(model.parameters(), lr=100),
            X,
            y,
            epochs=3,
            progress=False,
        )
    model = nl.Sequential(
        nl.Dense(2, 16, rng=0),
        nl.ReLU(),
        nl.Dense(16, 16, rng=1),
        nl.ReLU(),
        nl.Dense(16, 2, rng=2),
    )
    h = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.Adam(model.parameters(), lr=100),
        X,
        y,
        epochs=3,
        progress=False,
        max_loss_growth=None,
    )
    assert h.epochs == 3 and max(h.loss) > 1e3 * h.first_batch_loss


def test_bad_divergence_arguments(moons):
    X_tr, _, y_tr, _ = moons
    with pytest.raises(
        ValueError, match=r"fit: on_divergence must be 'raise' or 'stop', got 'ignore'"
    ):
        _fit(moons_net(), X_tr, y_tr, on_divergence="ignore")
    with pytest.raises(
        ValueError, match=r"fit: max_loss_growth must be > 1 \(or None\), got 0.5"
    ):
        _fit(moons_net(), X_tr, y_tr, max_loss_growth=0.5)
    with pytest.raises(
        TypeError, match=r"fit: max_loss_growth must be a positive number"
    ):
        _fit(moons_net(), X_tr, y_tr, max_loss_growth="big")
