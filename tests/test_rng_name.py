"""One name per idea: every nnlib function that draws random numbers takes ``rng`` (a numpy
Generator or an int seed), and ``seed=``, the old name some of them had, still works."""

import inspect

import numpy as np
import pytest

import nnlib as nl
import nnlib.check
import nnlib.viz
from nnlib.viz._training import Trainer

#: The functions renamed from ``seed`` to ``rng``; each takes ``rng`` and accepts ``seed``.
RENAMED = [
    nl.train_test_split,
    nl.train_val_test_split,
    nl.kfold_indices,
    nl.bootstrap_ci,
    nnlib.check.check_function,
    nnlib.check.check_elementwise_gradient,
    nnlib.check.check_layer,
    nnlib.check.check_loss,
    nnlib.check.check_optimizer,
    nl.datasets.make_moons,
    nl.datasets.make_circles,
    nl.datasets.make_spirals,
    nl.datasets.make_xor,
    nl.datasets.make_blobs,
    nl.fit,
]


#: The widgets' functions that draw random numbers, renamed the same way.
VIZ_RENAMED = [nnlib.viz.animate_training, Trainer.__init__]


@pytest.mark.parametrize("fn", RENAMED + VIZ_RENAMED, ids=lambda f: f.__qualname__)
def test_the_argument_is_called_rng(fn):
    params = inspect.signature(fn).parameters
    assert "rng" in params and "seed" not in params


@pytest.mark.parametrize("fn", RENAMED, ids=lambda f: f.__name__)
def test_passing_both_names_is_an_error(fn):
    with pytest.raises(TypeError, match=f"{fn.__name__}: pass rng or seed"):
        fn(rng=1, seed=1)


def test_check_optimizer_accepts_a_generator():
    nnlib.check.check_optimizer(
        lambda p: nl.SGD(p, lr=0.1),
        lambda p: nl.SGD(p, lr=0.1),
        rng=np.random.default_rng(0),
    )


def test_no_public_function_still_calls_it_seed():
    """A new function should not bring the old name back."""
    offenders = []
    for module in (nl, nl.datasets, nnlib.check):
        for name in getattr(module, "__all__", dir(module)):
            obj = getattr(module, name, None)
            if inspect.isfunction(obj) and not name.startswith("_"):
                if "seed" in inspect.signature(obj).parameters:
                    offenders.append(f"{module.__name__}.{name}")
    assert not offenders, f"these still take seed= instead of rng=: {offenders}"


def test_the_old_name_gives_the_same_data_and_training():
    X_new, y_new = nl.datasets.make_spirals(50, rng=3)
    X_old, y_old = nl.datasets.make_spirals(50, seed=3)
    np.testing.assert_array_equal(X_new, X_old)
    np.testing.assert_array_equal(y_new, y_old)
    runs = []
    for kwargs in ({"rng": 5}, {"seed": 5}):
        model = nl.build_mlp([2, 8, 2], rng=0)
        nl.fit(
            model,
            nl.CrossEntropyLoss(),
            nl.SGD(model.parameters(), lr=0.1),
            X_new,
            y_new,
            epochs=2,
            batch_size=10,
            progress=False,
            **kwargs,
        )
        runs.append(model.params["0.W"].copy())
    np.testing.assert_array_equal(*runs)


def test_widgets_keep_seed_for_their_seed_box():
    """A widget's seed is the int in its "seed" control, not a Generator: it keeps that name."""
    import inspect as _inspect

    assert "seed" in _inspect.signature(nnlib.viz.Playground).parameters
