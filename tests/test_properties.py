"""Property-based tests: nnlib's promises hold for random shapes, dtypes and seeds.

Hypothesis draws the sizes, the dtype (float32/float64), the layer and loss kinds and the
seed; the data itself comes from a seeded numpy Generator, so every failure it reports can be
replayed exactly. ``max_examples`` is kept small so the file runs in seconds.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlib as nl
from nnlib import functional as F

# derandomize: the same examples on every run, so CI is deterministic like the rest of the
# course; database=None: no example database is written into the repository.
FAST = settings(max_examples=30, deadline=None, database=None, derandomize=True)

dtypes = st.sampled_from([np.float32, np.float64])
seeds = st.integers(0, 2**32 - 1)
ACTIVATIONS = {
    "ReLU": nl.ReLU,
    "LeakyReLU": lambda: nl.LeakyReLU(0.1),
    "Sigmoid": nl.Sigmoid,
    "Tanh": nl.Tanh,
    "Identity": nl.Identity,
    "Softmax": nl.Softmax,
}
LOSSES = [
    "MSELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss-labels",
    "CrossEntropyLoss-probs",
]


def away_from_kinks(x: np.ndarray) -> np.ndarray:
    """Move values off ReLU's kink at 0, where a finite difference straddles two slopes."""
    return np.where(np.abs(x) < 1e-2, x + np.copysign(0.1, x), x)


def build_problem(
    loss_name: str,
    activation: str,
    n: int,
    d: int,
    h: int,
    k: int,
    seed: int,
    dtype: type = np.float64,
) -> tuple[nl.Sequential, nl.Loss, np.ndarray, np.ndarray]:
    """A 2-layer network, a loss and matching random data, all drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    if loss_name in ("BCELoss", "BCEWithLogitsLoss"):
        k = 1
    layers: list[nl.Layer] = [
        nl.Dense(d, h, init="xavier_normal", rng=rng, dtype=dtype),
        ACTIVATIONS[activation](),
        nl.Dense(h, k, init="xavier_normal", rng=rng, dtype=dtype),
    ]
    # Non-zero biases, so that their gradients are exercised too.
    for layer in (layers[0], layers[2]):
        layer.b[...] = rng.normal(scale=0.1, size=layer.b.shape)
    X = rng.normal(size=(n, d)).astype(dtype)
    if loss_name == "MSELoss":
        loss, y = nl.MSELoss(), rng.normal(size=(n, k)).astype(dtype)
    elif loss_name == "BCELoss":
        layers.append(nl.Sigmoid())
        loss, y = nl.BCELoss(), rng.uniform(size=(n, 1)).round().astype(dtype)
    elif loss_name == "BCEWithLogitsLoss":
        loss, y = nl.BCEWithLogitsLoss(), rng.uniform(size=(n, 1)).astype(dtype)
    elif loss_name == "CrossEntropyLoss-labels":
        loss, y = nl.CrossEntropyLoss(), rng.integers(0, k, size=n)
    else:
        loss, y = (
            nl.CrossEntropyLoss(),
            F.softmax(rng.normal(size=(n, k))).astype(dtype),
        )
    return nl.Sequential(*layers), loss, X, y


# --------------------------------------------------------------------------------------------
# Gradients


@FAST
@given(
    loss_name=st.sampled_from(LOSSES),
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    n=st.integers(1, 6),
    d=st.integers(1, 4),
    h=st.integers(1, 5),
    k=st.integers(2, 4),
    seed=seeds,
)
def test_every_layer_and_loss_passes_gradcheck(
    loss_name: str, activation: str, n: int, d: int, h: int, k: int, seed: int
) -> None:
    model, loss, X, y = build_problem(loss_name, activation, n, d, h, k, seed)
    if activation == "ReLU":
        # Keep every pre-activation of the hidden layer away from the kink at 0.
        z = X @ model[0].W + model[0].b
        model[0].b[...] += np.where(np.abs(z).min(axis=0) < 1e-2, 0.05, 0.0)
    assert_gradcheck_passes(model, loss, X, y)


def assert_gradcheck_passes(
    model: nl.Layer, loss: nl.Loss, X: np.ndarray, y: np.ndarray
) -> None:
    """``gradcheck`` below 1e-6, except for gradients at the finite-difference noise floor.

    When a gradient nearly cancels over the batch (norm ~1e-5), the rounding error of the
    central difference, ~1e-16 |L| / eps per element, dominates its *relative* error although
    backprop is right; such arrays are held to an absolute error of 1e-9 instead, still far
    below what a wrong backward pass produces.
    """
    eps = 1e-5  # balances the O(eps^2) truncation and O(1e-16 / eps) rounding errors
    if nl.gradcheck(model, loss, X, y, eps=eps) < 1e-6:
        return
    loss(model(X), y)
    model.backward(loss.backward())
    for p in model.parameters():
        analytic = p.grad.copy()
        numeric = nl.numerical_grad(lambda: loss(model(X), y), p.value, eps)
        assert_grads_close(analytic, numeric, p)


def assert_grads_close(
    analytic: np.ndarray, numeric: np.ndarray, what: object = ""
) -> None:
    """Relative error < 1e-6, or an absolute error < 1e-9 for a gradient at the noise floor."""
    assert (
        nl.relative_error(analytic, numeric) < 1e-6
        or np.abs(analytic - numeric).max() < 1e-9
    ), what


@FAST
@given(
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    n=st.integers(1, 5),
    d=st.integers(1, 5),
    scale=st.sampled_from([0.1, 1.0, 5.0]),
    seed=seeds,
)
def test_activation_input_gradient_matches_finite_differences(
    activation: str, n: int, d: int, scale: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    x = away_from_kinks(rng.normal(scale=scale, size=(n, d)))
    g = rng.normal(size=(n, d))
    layer = ACTIVATIONS[activation]()
    layer(x)
    analytic = layer.backward(g)
    numeric = nl.numerical_grad(
        lambda: float(np.sum(layer.forward(x) * g)), x, eps=1e-5
    )
    assert_grads_close(analytic, numeric, layer)


@FAST
@given(n=st.integers(1, 6), d=st.integers(1, 5), k=st.integers(1, 5), seed=seeds)
def test_dense_input_gradient_matches_finite_differences(
    n: int, d: int, k: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    layer = nl.Dense(d, k, rng=rng)
    x, g = rng.normal(size=(n, d)), rng.normal(size=(n, k))
    layer(x)
    analytic = layer.backward(g)
    numeric = nl.numerical_grad(
        lambda: float(np.sum(layer.forward(x) * g)), x, eps=1e-5
    )
    assert_grads_close(analytic, numeric, layer)


# --------------------------------------------------------------------------------------------
# Determinism and dtypes


@FAST
@given(
    dtype=dtypes,
    d=st.integers(1, 6),
    h=st.integers(1, 8),
    k=st.integers(1, 4),
    init=st.sampled_from(sorted(nl.init.INITIALIZERS)),
    seed=seeds,
)
def test_forward_is_deterministic_per_seed(
    dtype: type, d: int, h: int, k: int, init: str, seed: int
) -> None:
    def make() -> nl.Sequential:
        return nl.Sequential(
            nl.Dense(d, h, init=init, rng=seed, dtype=dtype),
            nl.Tanh(),
            nl.Dense(h, k, init=init, rng=seed + 1, dtype=dtype),
        )

    X = np.random.default_rng(seed).normal(size=(7, d)).astype(dtype)
    a, b = make(), make()
    for (ka, va), (kb, vb) in zip(a.params.items(), b.params.items()):
        assert ka == kb and np.array_equal(va, vb)
    out = a(X)
    assert np.array_equal(out, b(X))
    assert np.array_equal(out, a(X)), "calling forward twice changed the result"
    if init not in ("zeros", "constant"):
        other = nl.Dense(d, h, init=init, rng=seed + 2, dtype=dtype)
        assert not np.array_equal(other.W, a[0].W), (
            "a different seed gave the same weights"
        )


@FAST
@given(
    dtype=dtypes,
    loss_name=st.sampled_from(LOSSES),
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    n=st.integers(1, 6),
    d=st.integers(1, 4),
    h=st.integers(1, 5),
    k=st.integers(2, 4),
    optimizer=st.sampled_from(["SGD", "SGD-momentum", "Adam"]),
    seed=seeds,
)
def test_dtype_is_preserved_end_to_end(
    dtype: type,
    loss_name: str,
    activation: str,
    n: int,
    d: int,
    h: int,
    k: int,
    optimizer: str,
    seed: int,
) -> None:
    model, loss, X, y = build_problem(
        loss_name, activation, n, d, h, k, seed, dtype=dtype
    )
    out = model(X)
    assert out.dtype == dtype
    value = loss(out, y)
    assert isinstance(value, float) and np.isfinite(value)
    grad = loss.backward()
    assert grad.dtype == dtype and grad.shape == out.shape
    assert model.backward(grad).dtype == dtype
    for p in model.parameters():
        assert p.grad.dtype == dtype == p.value.dtype
    opt = {
        "SGD": lambda ps: nl.SGD(ps, lr=0.1),
        "SGD-momentum": lambda ps: nl.SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-3),
        "Adam": lambda ps: nl.Adam(ps, lr=0.01, weight_decay=1e-3),
    }[optimizer](model.parameters())
    opt.step()
    opt.step()
    assert all(p.value.dtype == dtype for p in model.parameters())
    proba = nl.predict_proba(model, X)
    assert proba.dtype == dtype
    assert nl.predict(model, X).shape == (n,)


@FAST
@given(
    dtype=dtypes,
    n=st.integers(1, 6),
    k=st.integers(1, 6),
    scale=st.sampled_from([1.0, 30.0, 1e4]),
    seed=seeds,
)
def test_functional_keeps_dtype_and_is_normalised(
    dtype: type, n: int, k: int, scale: float, seed: int
) -> None:
    z = (np.random.default_rng(seed).normal(size=(n, k)) * scale).astype(dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s, ls, lse, sig = (
            F.softmax(z),
            F.log_softmax(z),
            F.logsumexp(z, axis=1),
            F.sigmoid(z),
        )
    for a in (s, ls, lse, sig):
        assert a.dtype == dtype and np.isfinite(a).all()
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(s.sum(axis=1), 1, rtol=0, atol=tol)
    assert ((sig >= 0) & (sig <= 1)).all()


# --------------------------------------------------------------------------------------------
# Data preparation


def float_matrices(dtype: type) -> st.SearchStrategy[np.ndarray]:
    width = 32 if dtype == np.float32 else 64
    return hnp.arrays(
        dtype,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12),
        elements=st.floats(-1e4, 1e4, width=width, allow_subnormal=False),
    )


@FAST
@given(
    data=st.data(),
    dtype=dtypes,
    scaler=st.sampled_from(["standard", "minmax", "minmax-sym"]),
)
def test_inverse_transform_undoes_transform(
    data: st.DataObject, dtype: type, scaler: str
) -> None:
    X = data.draw(float_matrices(dtype))
    s = {
        "standard": nl.StandardScaler,
        "minmax": nl.MinMaxScaler,
        "minmax-sym": lambda: nl.MinMaxScaler((-1.0, 1.0)),
    }[scaler]()
    Z = s.fit_transform(X)
    assert Z.dtype == dtype and np.isfinite(Z).all()
    back = s.inverse_transform(Z)
    assert back.dtype == dtype
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(back, X, rtol=0, atol=64 * eps * (1 + np.abs(X).max()))
    if scaler.startswith("minmax"):
        low, high = s.feature_range
        slack = 8 * eps * max(abs(low), abs(high))
        assert Z.min() >= low - slack and Z.max() <= high + slack


@FAST
@given(
    labels=hnp.arrays(np.int64, st.integers(1, 40), elements=st.integers(0, 9)),
    extra=st.integers(0, 3),
    dtype=st.sampled_from([np.float32, np.float64, np.int64]),
)
def test_one_hot_round_trips(labels: np.ndarray, extra: int, dtype: type) -> None:
    k = int(labels.max()) + 1 + extra
    Y = nl.one_hot(labels, k, dtype=dtype)
    assert Y.shape == (len(labels), k) and Y.dtype == dtype
    assert np.array_equal(Y.argmax(axis=1), labels)
    assert np.array_equal(Y.sum(axis=1), np.ones(len(labels)))
    assert set(np.unique(Y)) <= {0, 1}
    assert np.array_equal(nl.one_hot(labels).argmax(axis=1), labels)


@FAST
@given(
    n=st.integers(1, 60),
    batch_size=st.integers(1, 70),
    shuffle=st.booleans(),
    with_y=st.booleans(),
    seed=seeds,
)
def test_minibatches_cover_every_sample_exactly_once(
    n: int, batch_size: int, shuffle: bool, with_y: bool, seed: int
) -> None:
    X = np.arange(n, dtype=np.float64).reshape(n, 1) * np.array([[1.0, -1.0]])
    y = np.arange(n) if with_y else None
    batches = list(nl.minibatches(X, y, batch_size, shuffle=shuffle, rng=seed))
    assert len(batches) == -(-n // batch_size)
    assert all(len(xb) == batch_size for xb, _ in batches[:-1])
    assert 1 <= len(batches[-1][0]) <= batch_size
    order = np.concatenate([xb[:, 0] for xb, _ in batches]).astype(int)
    assert np.array_equal(np.sort(order), np.arange(n)), (
        "a sample was skipped or repeated"
    )
    if with_y:
        for xb, yb in batches:
            assert np.array_equal(xb[:, 0].astype(int), yb), (
                "X and y rows were separated"
            )
    else:
        assert all(yb is None for _, yb in batches)
    if not shuffle:
        assert np.array_equal(order, np.arange(n))
    again = np.concatenate(
        [
            xb[:, 0]
            for xb, _ in nl.minibatches(X, y, batch_size, shuffle=shuffle, rng=seed)
        ]
    )
    assert np.array_equal(order, again.astype(int)), (
        "the same seed gave a different order"
    )


@FAST
@given(
    n=st.integers(2, 60), frac=st.floats(0.05, 0.95), stratify=st.booleans(), seed=seeds
)
def test_train_test_split_is_a_partition(
    n: int, frac: float, stratify: bool, seed: int
) -> None:
    assume(
        np.ceil(frac * n) < n
    )  # otherwise nothing is left to train on: an error, tested elsewhere
    X = np.arange(n, dtype=np.float64).reshape(n, 1)
    y = np.arange(n) % 3
    X_tr, X_te, y_tr, y_te = nl.train_test_split(
        X, y, test_size=frac, seed=seed, stratify=stratify
    )
    ids = np.concatenate([X_tr[:, 0], X_te[:, 0]]).astype(int)
    assert np.array_equal(np.sort(ids), np.arange(n))
    assert len(X_tr) >= 1 and len(X_te) >= 1
    assert np.array_equal(y[X_tr[:, 0].astype(int)], y_tr) and np.array_equal(
        y[X_te[:, 0].astype(int)], y_te
    )
    if not stratify:
        assert len(X_te) == int(np.ceil(frac * n))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_datasets_honour_dtype_and_seed(dtype: type) -> None:
    for gen in (
        nl.datasets.make_moons,
        nl.datasets.make_circles,
        nl.datasets.make_spirals,
        nl.datasets.make_xor,
        nl.datasets.make_blobs,
    ):
        X1, y1 = gen(50, seed=3, dtype=dtype)
        X2, y2 = gen(50, seed=3, dtype=dtype)
        assert X1.dtype == dtype and y1.dtype == np.int64, gen.__name__
        assert np.array_equal(X1, X2) and np.array_equal(y1, y2), gen.__name__
        assert not np.array_equal(X1, gen(50, seed=4, dtype=dtype)[0]), gen.__name__
