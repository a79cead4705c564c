"""One name per idea: every nnlib function that draws random numbers takes ``rng`` (a numpy
Generator or an int seed), and ``seed=``, the old name some of them had, still works."""
import inspect

import numpy as np
import pytest

import nnlib as nl
import nnlib.check

#: The functions renamed from ``seed`` to ``rng``; each takes ``rng`` and accepts ``seed``.
RENAMED = [
    nl.train_test_split, nl.train_val_test_split, nl.kfold_indices, nl.bootstrap_ci,
    nnlib.check.check_function, nnlib.check.check_elementwise_gradient, nnlib.check.check_layer,
    nnlib.check.check_loss, nnlib.check.check_optimizer,
]


@pytest.mark.parametrize("fn", RENAMED, ids=lambda f: f.__name__)
def test_the_argument_is_called_rng(fn):
    params = inspect.signature(fn).parameters
    assert "rng" in params and "seed" not in params


@pytest.mark.parametrize("fn", RENAMED, ids=lambda f: f.__name__)
def test_passing_both_names_is_an_error(fn):
    with pytest.raises(TypeError, match=f"{fn.__name__}: pass rng or seed"):
        fn(rng=1, seed=1)


def test_check_optimizer_accepts_a_generator():
    nnlib.check.check_optimizer(lambda p: nl.SGD(p, lr=0.1), lambda p: nl.SGD(p, lr=0.1),
                                rng=np.random.default_rng(0))
