"""nnlib.fast against the readable code it speeds up: same numbers, within stated ulp bounds.

Where the fast path runs the same floating-point operations as the readable one, the results
must be equal bit for bit; where it adds numbers in another order (BLAS's ``z @ 1`` instead of
numpy's ``sum``), within the bounds stated in nnlib/fast.py's docstring, computed here with
``np.spacing`` (one ulp of a value). ``SUM_ULPS_PER_TERM = 2`` ulps per term added is the
textbook bound: each of two orders of m additions is within (m - 1) u of the exact sum of
|terms|, u being half an ulp of 1.
"""

import math

import numpy as np
import pytest

import nnlib as nl
from nnlib import fast
from nnlib import functional as F
from nnlib.fast import SUM_ULPS_PER_TERM

DTYPES = [np.float32, np.float64]
# (n, k): one class, a batch of 1, the benchmarks' 1000 x 2 and 128 x 10, row_max's
# switch-over around k = 16 and n = 32 k, wide rows.
SHAPES = [
    (1, 1),
    (7, 1),
    (1, 2),
    (1, 5),
    (1000, 2),
    (64, 3),
    (128, 10),
    (320, 10),
    (600, 16),
    (33, 17),
    (5, 40),
    (3, 300),
    (2, 1000),
]
SCALES = [
    1.0,
    30.0,
    1e4,
]  # logits of order 1, confident, and +-1e4 (exp would overflow)


def _logits(n, k, scale, dtype, seed=0):
    return (np.random.default_rng(seed).normal(size=(n, k)) * scale).astype(dtype)


def _ulp(x):
    return np.spacing(np.abs(x))


def _assert_within(fast_value, readable, bound, what):
    fast_value, readable = np.asarray(fast_value), np.asarray(readable)
    assert fast_value.dtype == readable.dtype and fast_value.shape == readable.shape
    excess = np.abs(fast_value.astype(np.float64) - readable) - bound
    assert np.all(excess <= 0), (
        f"{what}: off by more than the stated bound (max excess {excess.max()})"
    )


def _same_order(k):
    # For up to three terms BLAS and numpy add in the same order (measured): equal bits.
    return k <= 3


# ---------------------------------------------------------------- the row helpers


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n, k", SHAPES)
def test_row_max_is_numpys_max_bit_for_bit(n, k, dtype):
    z = _logits(n, k, 1.0, dtype)
    np.testing.assert_array_equal(fast.row_max(z), z.max(axis=1, keepdims=True))
    assert fast.row_max(z).dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n, k", SHAPES)
def test_row_sum_is_within_the_stated_ulps_of_numpys_sum(n, k, dtype):
    z = np.exp(_logits(n, k, 3.0, dtype, seed=1))  # positive terms, like softmax's
    readable = z.sum(axis=1, keepdims=True)
    s = fast.row_sum(z)
    if _same_order(k):
        np.testing.assert_array_equal(s, readable)
    bound = SUM_ULPS_PER_TERM * k * _ulp(np.abs(z).sum(axis=1, keepdims=True))
    _assert_within(s, readable, bound, "row_sum")


def test_old_functional_spellings_still_work():
    z = _logits(40, 2, 1.0, np.float64)
    from nnlib.functional import row_max, row_sum

    assert row_max is F.row_max is fast.row_max and row_sum is F.row_sum is fast.row_sum
    with pytest.raises(AttributeError, match="no attribute 'row_min'"):
        F.row_min  # noqa: B018
    np.testing.assert_array_equal(row_max(z), z.max(axis=1, keepdims=True))


# ---------------------------------------------------------------- softmax, log-softmax


def _softmax_bound(P, k):
    # The row sum's relative error (SUM_ULPS_PER_TERM * (k - 1) ulps) plus the division's
    # rounding, in ulps of each probability.
    return SUM_ULPS_PER_TERM * k * _ulp(P)


def _log_softmax_bound(log_P, k, dtype):
    # log of the row sum S (1 <= S <= k) is off by S's relative error, in absolute terms;
    # then one rounding of the difference in each version.
    return SUM_ULPS_PER_TERM * k * np.spacing(dtype(1)) + 2 * _ulp(log_P)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("n, k", SHAPES)
def test_fast_softmax_matches_softmax(n, k, scale, dtype):
    z = _logits(n, k, scale, dtype)
    readable, P = F.softmax(z), fast.fast_softmax(z)
    assert P.dtype == dtype
    if _same_order(k):
        np.testing.assert_array_equal(P, readable)
    _assert_within(P, readable, _softmax_bound(readable, k), "fast_softmax")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("n, k", SHAPES)
def test_fast_log_softmax_matches_log_softmax(n, k, scale, dtype):
    z = _logits(n, k, scale, dtype)
    readable, log_P = F.log_softmax(z), fast.fast_log_softmax(z)
    assert log_P.dtype == dtype and np.isfinite(log_P).all()
    if _same_order(k):
        np.testing.assert_array_equal(log_P, readable)
    _assert_within(
        log_P, readable, _log_softmax_bound(readable, k, dtype), "fast_log_softmax"
    )


def test_fast_functions_keep_the_input_checks():
    with pytest.raises(
        ValueError, match=r"fast_softmax: expected 2-D logits .* got shape \(3,\)"
    ):
        fast.fast_softmax(np.zeros(3))
    with pytest.raises(ValueError, match="fast_log_softmax: needs at least one class"):
        fast.fast_log_softmax(np.zeros((2, 0)))
    with pytest.raises(TypeError, match="fast_softmax: expected a numeric array"):
        fast.fast_softmax(np.array([["a", "b"]]))


# ---------------------------------------------------------------- cross-entropy


def _targets(n, k, kind, dtype, seed=2):
    rng = np.random.default_rng(seed)
    if kind == "labels":
        return rng.integers(0, k, size=n)
    T = rng.random((n, k)).astype(dtype)
    return T / T.sum(axis=1, keepdims=True)


def _loss_bound(loss, n, k, dtype):
    # Each term -log P[i, y_i] carries the log-softmax bound; the two versions then sum the
    # (positive) terms, each within log2(n k) ulps of the loss.
    return SUM_ULPS_PER_TERM * k * np.spacing(dtype(1)) + (
        2 * math.log2(n * k) + 4
    ) * _ulp(dtype(loss))


def _grad_bound(P, Y, grad, n, k):
    # (P - Y) / n: the probabilities' bound, carried through the subtraction and the division.
    return (_softmax_bound(P, k) + _ulp(P - Y)) / n + _ulp(grad)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["labels", "probabilities"])
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("n, k", SHAPES)
def test_fast_cross_entropy_matches_cross_entropy(n, k, scale, kind, dtype):
    z, t = _logits(n, k, scale, dtype), _targets(n, k, kind, dtype)
    plain, quick = nl.CrossEntropyLoss(), fast.FastCrossEntropyLoss()
    loss, fast_loss = plain(z, t), quick(z, t)
    grad, fast_grad = plain.backward(), quick.backward()
    assert isinstance(fast_loss, float) and fast_grad.dtype == dtype
    if _same_order(k):
        # The gradients are the same operations, so equal bit for bit. The loss is the
        # same only up to its final average: numpy 1.26 (the lowest supported version)
        # rounds the readable .mean() and the fast sum() / n differently, so the loss is
        # held to the stated bound below, like every other case.
        np.testing.assert_array_equal(fast_grad, grad)
    assert abs(fast_loss - loss) <= _loss_bound(loss, n, k, dtype)
    P = F.softmax(z)
    Y = nl.one_hot(t, k, dtype=dtype) if kind == "labels" else t
    _assert_within(
        fast_grad, grad, _grad_bound(P, Y, grad, n, k), "FastCrossEntropyLoss.backward"
    )
    # backward gives a new array each call: the second call is not changed by the first
    np.testing.assert_array_equal(quick.backward(), fast_grad)


def test_fast_cross_entropy_keeps_the_input_checks():
    quick = fast.FastCrossEntropyLoss()
    with pytest.raises(
        RuntimeError, match="FastCrossEntropyLoss.backward called before"
    ):
        quick.backward()
    with pytest.raises(
        ValueError, match="CrossEntropyLoss: target has 2 labels for 3 rows"
    ):
        quick(np.zeros((3, 2)), np.array([0, 1]))
    with pytest.raises(ValueError, match="NaN or inf"):
        quick(np.array([[np.nan, 0.0]]), np.array([0]))
    assert quick.is_classification


# ---------------------------------------------------------------- Dense, Tanh

DENSE_SHAPES = [(1, 3, 1), (1000, 2, 16), (1000, 16, 16), (128, 256, 10), (7, 5, 300)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n, n_in, n_out", DENSE_SHAPES)
def test_fast_dense_matches_dense(n, n_in, n_out, dtype):
    rng = np.random.default_rng(0)
    plain = nl.Dense(n_in, n_out, rng=3, dtype=dtype)
    quick = fast.FastDense(n_in, n_out, rng=3, dtype=dtype)
    plain.b[...] = quick.b[...] = rng.normal(size=n_out)
    x = rng.normal(size=(n, n_in)).astype(dtype)
    G = rng.normal(size=(n, n_out)).astype(dtype)
    for _ in range(2):  # twice: the kept vector of ones must serve the second batch too
        np.testing.assert_array_equal(quick(x), plain(x))
        np.testing.assert_array_equal(quick.backward(G), plain.backward(G))  # dx
        np.testing.assert_array_equal(quick.dW, plain.dW)
        assert quick.db.dtype == dtype
        bound = SUM_ULPS_PER_TERM * n * _ulp(np.abs(G).sum(axis=0))
        _assert_within(quick.db, plain.db, bound, "FastDense db")
    # a batch of another size gets a new vector of ones
    quick(x[:1]), plain(x[:1])
    quick.backward_params(G[:1]), plain.backward_params(G[:1])
    np.testing.assert_array_equal(quick.db, plain.db)  # one row: nothing to add


def test_fast_dense_keeps_dense_behaviour_and_checks():
    quick = fast.FastDense(3, 2, rng=0)
    assert isinstance(quick, nl.Dense) and repr(quick) == "FastDense(3 -> 2)"
    assert quick.get_config() == nl.Dense(3, 2, rng=0).get_config()
    with pytest.raises(
        RuntimeError, match=r"FastDense\(3 -> 2\).backward called before forward"
    ):
        quick.backward(np.zeros((1, 2)))
    quick(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"expected grad_out of shape \(4, 2\)"):
        quick.backward(np.zeros((4, 3)))
    with pytest.raises(TypeError, match="expected grad_out of dtype float64"):
        quick.backward(np.zeros((4, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="expected input with 3 features"):
        quick(np.zeros((4, 5)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_fast_tanh_is_tanh(dtype):
    # The one-scratch-array backward was dropped (under 1 % of a step, see nnlib/fast.py):
    # FastTanh is the readable Tanh, so its numbers are Tanh's by construction.
    assert fast.FastTanh is nl.Tanh
    x = _logits(50, 16, 2.0, dtype)
    layer = fast.FastTanh()
    y = layer(x)
    G = np.ones_like(y)
    np.testing.assert_array_equal(layer.backward(G), 1 - np.tanh(x) * np.tanh(x))


# ---------------------------------------------------------------- gradients and training


def _nets(dtype, sizes=(2, 16, 16, 3)):
    def build(D):
        layers = []
        for j, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(D(i, o, init="xavier_normal", rng=j, dtype=dtype))
            if j < len(sizes) - 2:
                layers.append(fast.FastTanh() if D is fast.FastDense else nl.Tanh())
        model = nl.Sequential(*layers)
        for layer in model:  # non-zero biases so that db matters from the first step
            if isinstance(layer, nl.Dense):
                layer.b[...] = np.linspace(-0.5, 0.5, layer.out_features)
        return model

    return build(nl.Dense), build(fast.FastDense)


@pytest.mark.parametrize("kind", ["labels", "probabilities"])
def test_fast_network_passes_gradcheck(kind):
    _, model = _nets(np.float64)
    X = np.random.default_rng(0).normal(size=(20, 2))
    assert (
        nl.gradcheck(
            model, fast.FastCrossEntropyLoss(), X, _targets(20, 3, kind, np.float64)
        )
        < 1e-6
    )


def test_fast_dense_passes_gradcheck_alone():
    layer = fast.FastDense(4, 3, rng=0)
    layer.b[...] = [0.3, -0.2, 0.1]
    X, T = (
        np.random.default_rng(1).normal(size=(6, 4)),
        np.random.default_rng(2).normal(size=(6, 3)),
    )
    assert nl.gradcheck(layer, nl.MSELoss(), X, T) < 1e-6


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [2, 3, 10])
def test_training_steps_of_a_fast_network_match_the_plain_one(k, dtype):
    plain, quick = _nets(dtype, sizes=(2, 16, 16, k))
    rng = np.random.default_rng(4)
    X = rng.normal(size=(256, 2)).astype(dtype)
    y = rng.integers(0, k, size=256)
    runs = []
    for model, loss in [
        (plain, nl.CrossEntropyLoss()),
        (quick, fast.FastCrossEntropyLoss()),
    ]:
        opt = nl.SGD(model.parameters(), lr=0.5, momentum=0.9)
        losses = []
        for _ in range(5):
            losses.append(loss(model(X), y))
            model.backward(loss.backward(), input_grad=False)
            opt.step()
        runs.append((losses, [p.value.copy() for p in model.parameters()]))
    (losses, params), (fast_losses, fast_params) = runs
    assert fast_losses[-1] < fast_losses[0]  # it does train
    # Five steps of rounding-level differences (db in another order, and for k > 3 the
    # softmax's row sum), amplified at most a few hundred times by the steps: the stated
    # bound is 1000 ulps of each parameter's largest value.
    for w, w_fast in zip(params, fast_params):
        np.testing.assert_allclose(
            w_fast, w, rtol=0, atol=1000 * np.spacing(np.abs(w).max())
        )
    np.testing.assert_allclose(fast_losses, losses, rtol=1000 * np.finfo(dtype).eps)


# ---------------------------------------------------------------- saving


@pytest.mark.parametrize("dtype", DTYPES)
def test_save_and_load_round_trip_a_fast_model(tmp_path, dtype):
    _, model = _nets(dtype)
    path = nl.save(model, tmp_path / "fast")
    loaded = nl.load(path)
    # FastDense comes back as FastDense (registered with nnlib.saving), FastTanh as Tanh,
    # which it is.
    assert [type(layer) for layer in loaded] == [type(layer) for layer in model]
    assert type(loaded[0]) is fast.FastDense and type(loaded[1]) is nl.Tanh
    for key, value in model.params.items():
        np.testing.assert_array_equal(loaded.params[key], value)
        assert loaded.params[key].dtype == dtype
    X = np.random.default_rng(5).normal(size=(9, 2)).astype(dtype)
    np.testing.assert_array_equal(loaded(X), model(X))
