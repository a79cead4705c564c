"""Tests for nnlib.optim: SGD and Adam steps against values computed by hand.

The reference updates are written out element by element in plain Python floats, following
the pseudo-code published in PyTorch's docs for ``torch.optim.SGD`` (dampening=0,
nesterov=False) and ``torch.optim.Adam`` (amsgrad=False, L2 weight decay added to the gradient).
"""

import math

import numpy as np
import pytest

import nnlib as nl


class Holder(nl.Layer):
    """A layer that only holds one parameter array whose gradient the test sets by hand."""

    def __init__(self, values, dtype=np.float64):
        super().__init__()
        self.params = {"w": np.array(values, dtype=dtype)}
        self.grads = {"w": np.zeros_like(self.params["w"])}

    def set_grad(self, g):
        self.grads["w"][...] = g

    @property
    def w(self):
        return self.params["w"]


W0 = [1.0, -2.0, 0.3]
GRADS = [[0.5, 1.0, -0.2], [0.5, 0.25, 0.4], [-1.0, -0.75, 0.1]]


def sgd_reference(w, grads, lr, momentum=0.0, weight_decay=0.0):
    """torch.optim.SGD, one element at a time; returns w after each step."""
    w, buf, out = list(w), [None] * len(w), []
    for g_t in grads:
        for i in range(len(w)):
            g = g_t[i] + weight_decay * w[i]
            if momentum != 0:
                buf[i] = g if buf[i] is None else momentum * buf[i] + g
                g = buf[i]
            w[i] = w[i] - lr * g
        out.append(list(w))
    return out


def adam_reference(w, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """torch.optim.Adam, one element at a time; returns w after each step."""
    b1, b2 = betas
    w, m, v, out = list(w), [0.0] * len(w), [0.0] * len(w), []
    for t, g_t in enumerate(grads, start=1):
        for i in range(len(w)):
            g = g_t[i] + weight_decay * w[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            m_hat = m[i] / (1 - b1**t)
            v_hat = v[i] / (1 - b2**t)
            w[i] = w[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(list(w))
    return out


def run(make_opt, grads, dtype=np.float64):
    layer = Holder(W0, dtype)
    opt = make_opt(layer.parameters())
    out = []
    for g in grads:
        layer.set_grad(g)
        opt.step()
        out.append(layer.w.copy())
    return layer, out


# ---------------------------------------------------------------- SGD


def test_sgd_plain_literal_values():
    _, ws = run(lambda p: nl.SGD(p, lr=0.1), GRADS[:2])
    np.testing.assert_allclose(ws[0], [0.95, -2.1, 0.32], rtol=1e-15)
    np.testing.assert_allclose(ws[1], [0.90, -2.125, 0.28], rtol=1e-14)


def test_sgd_momentum_literal_values():
    # Element 0: v1 = 0.5 -> w 0.95; v2 = 0.9*0.5 + 0.5 = 0.95 -> w 0.855;
    # v3 = 0.9*0.95 - 1 = -0.145 -> w 0.8695.
    _, ws = run(lambda p: nl.SGD(p, lr=0.1, momentum=0.9), GRADS)
    assert [w[0] for w in ws] == pytest.approx([0.95, 0.855, 0.8695], rel=1e-14)


def test_sgd_weight_decay_literal_values():
    # Element 0: g' = 0.5 + 0.1*1 = 0.6 -> w 0.94; g' = 0.5 + 0.1*0.94 = 0.594 -> w 0.8806.
    _, ws = run(lambda p: nl.SGD(p, lr=0.1, weight_decay=0.1), GRADS[:2])
    assert [w[0] for w in ws] == pytest.approx([0.94, 0.8806], rel=1e-14)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(lr=0.1),
        dict(lr=0.05, momentum=0.9),
        dict(lr=0.05, weight_decay=0.01),
        dict(lr=0.2, momentum=0.5, weight_decay=0.1),
    ],
)
def test_sgd_matches_pytorch_formula(kwargs):
    _, ws = run(lambda p: nl.SGD(p, **kwargs), GRADS)
    np.testing.assert_allclose(
        ws, sgd_reference(W0, GRADS, **kwargs), rtol=1e-13, atol=1e-15
    )


def test_sgd_step_on_a_real_layer_is_w_minus_lr_grad():
    layer = nl.Dense(3, 2, rng=0)
    X = np.random.default_rng(0).normal(size=(5, 3))
    loss = nl.MSELoss()
    loss(layer(X), np.ones((5, 2)))
    layer.backward(loss.backward())
    W_array = layer.W
    expected_W, expected_b = layer.W - 0.3 * layer.dW, layer.b - 0.3 * layer.db
    nl.SGD(layer.parameters(), lr=0.3).step()
    np.testing.assert_allclose(layer.W, expected_W, rtol=1e-15)
    np.testing.assert_allclose(layer.b, expected_b, rtol=1e-15)
    assert layer.W is W_array  # updated in place: views held elsewhere stay valid


# ---------------------------------------------------------------- Adam


def test_adam_constant_gradient_moves_lr_per_step():
    # With a constant gradient, m_hat = g and v_hat = g^2 every step, so each step is
    # lr * g / (|g| + eps): about lr in the direction of -sign(g).
    g = np.array([0.5, -4.0, 1e-3])
    _, ws = run(lambda p: nl.Adam(p, lr=0.1), [g] * 3)
    np.testing.assert_allclose(
        ws[0], [0.9, -1.9, 0.2], atol=2e-6
    )  # eps matters only for tiny g
    step = 0.1 * g / (np.abs(g) + 1e-8)
    for t in range(3):
        np.testing.assert_allclose(
            ws[t], np.array(W0) - (t + 1) * step, rtol=1e-12, atol=1e-15
        )


def test_adam_first_step_literal_value():
    # Step 1: m = 0.1*0.5 = 0.05, v = 0.001*0.25 = 0.00025; m_hat = 0.5, v_hat = 0.25;
    # w = 1 - 0.01 * 0.5 / (0.5 + 1e-8).
    _, ws = run(lambda p: nl.Adam(p, lr=0.01), GRADS[:1])
    assert ws[0][0] == pytest.approx(1 - 0.01 * 0.5 / (0.5 + 1e-8), rel=1e-15)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(lr=0.01),
        dict(lr=0.1, betas=(0.8, 0.99), eps=1e-6),
        dict(lr=0.05, weight_decay=0.1),
    ],
)
def test_adam_matches_pytorch_formula(kwargs):
    layer, ws = run(lambda p: nl.Adam(p, **kwargs), GRADS)
    np.testing.assert_allclose(
        ws, adam_reference(W0, GRADS, **kwargs), rtol=1e-12, atol=1e-15
    )


def test_adam_keeps_moment_estimates():
    layer = Holder([0.0, 0.0])
    opt = nl.Adam(layer.parameters(), lr=0.1)
    for g in ([1.0, -2.0], [3.0, 0.0]):
        layer.set_grad(g)
        opt.step()
    assert opt.t == 2
    np.testing.assert_allclose(opt.m[0], [0.9 * 0.1 * 1 + 0.1 * 3, 0.9 * 0.1 * -2])
    np.testing.assert_allclose(
        opt.v[0], [0.999 * 0.001 * 1 + 0.001 * 9, 0.999 * 0.001 * 4]
    )


def test_adam_updates_many_parameters_of_mixed_shapes_and_dtypes_independently():
    # Adam runs on one flat array per dtype: each parameter must still get its own update.
    rng = np.random.default_rng(0)
    shapes_dtypes = [
        ((2, 3), np.float64),
        ((3,), np.float32),
        ((1,), np.float64),
        ((4, 1), np.float32),
    ]
    holders = [Holder(rng.normal(size=shape), dtype) for shape, dtype in shapes_dtypes]
    opt = nl.Adam(
        [p for h in holders for p in h.parameters()], lr=0.05, weight_decay=0.1
    )
    starts = [h.w.astype(np.float64).ravel().tolist() for h in holders]
    grads = [[rng.normal(size=shape) for shape, _ in shapes_dtypes] for _ in range(4)]
    for step in grads:
        for h, g in zip(holders, step):
            h.set_grad(g)
        opt.step()
    for j, (h, (shape, dtype)) in enumerate(zip(holders, shapes_dtypes)):
        ref = adam_reference(
            starts[j],
            [step[j].ravel().tolist() for step in grads],
            lr=0.05,
            weight_decay=0.1,
        )
        assert h.w.dtype == dtype and h.w.shape == shape
        assert opt.m[j].shape == shape and opt.m[j].dtype == dtype
        tol = 1e-12 if dtype == np.float64 else 1e-5
        np.testing.assert_allclose(h.w.ravel(), ref[-1], rtol=tol, atol=tol)


# ---------------------------------------------------------------- shared behaviour


@pytest.mark.parametrize(
    "make_opt",
    [
        lambda p: nl.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01),
        lambda p: nl.Adam(p, lr=0.1, weight_decay=0.01),
    ],
    ids=["SGD", "Adam"],
)
def test_float32_parameters_stay_float32(make_opt):
    layer, ws = run(make_opt, GRADS, dtype=np.float32)
    _, ref = run(make_opt, GRADS, dtype=np.float64)
    assert all(w.dtype == np.float32 for w in ws)
    assert layer.w.dtype == np.float32 and layer.grads["w"].dtype == np.float32
    np.testing.assert_allclose(ws, ref, rtol=1e-5, atol=1e-6)


def test_float32_state_of_optimizers():
    layer = Holder(W0, np.float32)
    adam = nl.Adam(layer.parameters())
    sgd = nl.SGD(layer.parameters(), lr=0.1, momentum=0.9)
    layer.set_grad(GRADS[0])
    adam.step()
    sgd.step()
    assert adam.m[0].dtype == np.float32 and adam.v[0].dtype == np.float32
    assert sgd.velocity[0].dtype == np.float32


def test_zero_grad_clears_every_gradient():
    model = nl.Sequential(nl.Dense(2, 3, rng=0), nl.ReLU(), nl.Dense(3, 1, rng=1))
    model(np.ones((4, 2)))
    model.backward(np.ones((4, 1)))
    opt = nl.SGD(model.parameters(), lr=0.1)
    assert any(np.any(p.grad != 0) for p in opt.params)
    opt.zero_grad()
    assert all(np.all(p.grad == 0) for p in opt.params)
    before = [p.value.copy() for p in opt.params]
    opt.step()  # a step with zeroed gradients changes nothing
    for p, b in zip(opt.params, before):
        np.testing.assert_array_equal(p.value, b)


def test_optimizer_repr_and_base_class():
    layer = Holder([1.0])
    assert repr(nl.SGD(layer.parameters(), lr=0.5)) == "SGD(lr=0.5)"
    with pytest.raises(NotImplementedError, match="Optimizer must implement step"):
        nl.Optimizer(layer.parameters(), lr=0.1).step()


@pytest.mark.parametrize(
    "make_opt, name",
    [
        (lambda p, lr: nl.SGD(p, lr=lr), "SGD"),
        (lambda p, lr: nl.Adam(p, lr=lr), "Adam"),
    ],
)
def test_bad_learning_rate_raises(make_opt, name):
    params = Holder([1.0]).parameters()
    with pytest.raises(
        ValueError, match=rf"{name}: lr must be a positive number, got 0"
    ):
        make_opt(params, 0)
    with pytest.raises(
        ValueError, match=rf"{name}: lr must be a positive number, got -0.1"
    ):
        make_opt(params, -0.1)
    with pytest.raises(
        TypeError, match=rf"{name}: lr must be a positive number, got '0.1'"
    ):
        make_opt(params, "0.1")


def test_optimizer_argument_errors():
    params = Holder([1.0]).parameters()
    with pytest.raises(
        ValueError, match=r"SGD: got an empty parameter list; pass model.parameters\(\)"
    ):
        nl.SGD([], lr=0.1)
    with pytest.raises(ValueError, match=r"Adam: got an empty parameter list"):
        nl.Adam(nl.ReLU().parameters())
    with pytest.raises(
        TypeError, match=r"SGD: params must come from model.parameters\(\), got ndarray"
    ):
        nl.SGD([np.zeros(3)], lr=0.1)
    with pytest.raises(ValueError, match=r"SGD: momentum must be in \[0, 1\), got 1.0"):
        nl.SGD(params, lr=0.1, momentum=1.0)
    with pytest.raises(ValueError, match=r"SGD: weight_decay must be .*>= 0, got -1"):
        nl.SGD(params, lr=0.1, weight_decay=-1)
    with pytest.raises(
        ValueError, match=r"Adam: betas? must be in \[0, 1\), got .*1\.0"
    ):
        nl.Adam(params, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match=r"Adam: eps must be a positive number, got 0"):
        nl.Adam(params, eps=0)


# ---------------------------------------------------------------- the fused path (nnlib/fused.py)

FUSED_CASES = [
    ("SGD", lambda p, fused: nl.SGD(p, lr=0.1, fused=fused)),
    (
        "SGD-momentum-wd",
        lambda p, fused: nl.SGD(
            p, lr=0.05, momentum=0.9, weight_decay=0.01, fused=fused
        ),
    ),
    ("Adam", lambda p, fused: nl.Adam(p, lr=0.01, fused=fused)),
    (
        "Adam-wd",
        lambda p, fused: nl.Adam(
            p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, fused=fused
        ),
    ),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, make", FUSED_CASES, ids=[c[0] for c in FUSED_CASES])
def test_fused_step_equals_the_readable_step_bit_for_bit(name, make, dtype):
    # The same elementwise _update on the flat arrays: identical floating-point operations.
    def train(fused):
        model = nl.Sequential(
            nl.Dense(3, 5, rng=0, dtype=dtype),
            nl.Tanh(),
            nl.Dense(5, 2, rng=1, dtype=dtype),
        )
        opt = make(model.parameters(), fused)
        loss = nl.CrossEntropyLoss()
        rng = np.random.default_rng(2)
        for _ in range(7):
            X = rng.normal(size=(8, 3)).astype(dtype)
            loss(model(X), rng.integers(0, 2, size=8))
            model.backward(loss.backward())
            opt.step()
        return model, opt

    (plain, opt_plain), (fused, opt_fused) = train(False), train(True)
    for (k, a), b in zip(plain.params.items(), fused.params.values()):
        assert a.dtype == b.dtype == dtype
        np.testing.assert_array_equal(a, b, err_msg=k)
    key = "m" if name.startswith("Adam") else "velocity"
    for a, b in zip(opt_plain._state_of(key), opt_fused._state_of(key)):
        if a is None:
            assert b is None
        else:
            assert a.shape == b.shape
            np.testing.assert_array_equal(a, b)


def test_fused_state_views_are_live_and_shaped_like_the_parameters():
    holders = [
        Holder(np.ones((2, 3))),
        Holder(np.ones(3), np.float32),
        Holder(np.ones(1)),
    ]
    opt = nl.Adam([p for h in holders for p in h.parameters()], lr=0.1, fused=True)
    for h in holders:
        h.set_grad(np.ones_like(h.w, dtype=np.float64))
    opt.step()
    assert [m.shape for m in opt.m] == [(2, 3), (3,), (1,)]
    assert [m.dtype for m in opt.m] == [np.float64, np.float32, np.float64]
    opt.m[0][...] = (
        5.0  # a view into the flat state: the change is seen by the next step
    )
    assert (opt._flat_groups[0].state["m"][:6] == 5.0).all()


def test_fused_must_be_a_bool():
    with pytest.raises(TypeError, match="Adam: fused must be True or False, got 1"):
        nl.Adam(Holder([1.0]).parameters(), fused=1)
