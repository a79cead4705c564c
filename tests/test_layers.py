"""Tests for nnlib.layers: forward values, backward against finite differences, dtypes, errors."""

import numpy as np
import pytest

import nnlib as nl

ACTIVATIONS = {
    "ReLU": nl.ReLU,
    "LeakyReLU": lambda: nl.LeakyReLU(0.1),
    "Sigmoid": nl.Sigmoid,
    "Tanh": nl.Tanh,
    "Softmax": nl.Softmax,
    "Identity": nl.Identity,
}
LAYERS = {
    **ACTIVATIONS,
    "Dense": lambda: nl.Dense(4, 3, rng=0),
    "Sequential": lambda: nl.Sequential(
        nl.Dense(4, 5, rng=0), nl.Tanh(), nl.Dense(5, 3, rng=1)
    ),
}


def _x(n=6, d=4, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).normal(size=(n, d)).astype(dtype)


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_inside_network_passes_gradcheck(name):
    model = nl.Sequential(
        nl.Dense(4, 5, rng=0), ACTIVATIONS[name](), nl.Dense(5, 3, rng=1)
    )
    target = np.random.default_rng(1).normal(size=(6, 3))
    assert nl.gradcheck(model, nl.MSELoss(), _x(), target) < 1e-6


@pytest.mark.parametrize("init", sorted(nl.init.INITIALIZERS))
def test_dense_passes_gradcheck_for_every_init(init):
    model = nl.Dense(4, 3, init=init, rng=0)
    # Non-zero biases so that db is exercised with a generic value.
    model.b[...] = np.array([0.3, -0.2, 0.1])
    target = np.random.default_rng(1).normal(size=(6, 3))
    assert nl.gradcheck(model, nl.MSELoss(), _x(), target) < 1e-6


@pytest.mark.parametrize("name", LAYERS)
def test_input_gradient_matches_finite_differences(name):
    layer = LAYERS[name]()
    x = _x(seed=2)
    out = layer(x)
    G = np.random.default_rng(3).normal(size=out.shape)  # dL/dout for L = sum(out * G)
    dx = layer.backward(G)
    assert dx.shape == x.shape
    numeric = nl.numerical_grad(lambda: float(np.sum(layer(x) * G)), x)
    assert nl.relative_error(dx, numeric) < 1e-7


def test_dense_backward_hand_example():
    layer = nl.Dense(2, 3, init="zeros")
    layer.W[...] = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    layer.b[...] = [0.5, -0.5, 1.0]
    x = np.array([[1.0, 0.0], [2.0, -1.0]])
    np.testing.assert_array_equal(layer(x), [[1.5, 1.5, 4.0], [-1.5, -1.5, 1.0]])
    g = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
    dx = layer.backward(g)
    np.testing.assert_array_equal(layer.dW, x.T @ g)  # [[5, 2, -1], [-2, -1, 0]]
    np.testing.assert_array_equal(layer.dW, [[5.0, 2.0, -1.0], [-2.0, -1.0, 0.0]])
    np.testing.assert_array_equal(layer.db, [3.0, 1.0, -1.0])
    np.testing.assert_array_equal(dx, [[-2.0, -2.0], [4.0, 13.0]])


def test_sequential_backward_without_input_grad_gives_same_parameter_grads():
    model = LAYERS["Sequential"]()
    x, G = _x(), np.random.default_rng(4).normal(size=(6, 3))
    model(x)
    dx = model.backward(G)
    expected = {k: v.copy() for k, v in model.grads.items()}
    model(x)
    assert model.backward(G, input_grad=False) is None
    assert dx.shape == x.shape
    for k, v in model.grads.items():
        np.testing.assert_array_equal(v, expected[k])


def test_backward_params_of_dense_matches_backward():
    a, b = nl.Dense(4, 3, rng=0), nl.Dense(4, 3, rng=0)
    x, G = _x(), np.random.default_rng(5).normal(size=(6, 3))
    a(x), b(x)
    a.backward(G)
    assert b.backward_params(G) is None
    np.testing.assert_array_equal(a.dW, b.dW)
    np.testing.assert_array_equal(a.db, b.db)


# ---------------------------------------------------------------- forward values


def test_activation_values_hand_examples():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0]])
    np.testing.assert_array_equal(nl.ReLU()(x), [[0, 0, 0, 0.5, 2.0]])
    np.testing.assert_allclose(nl.LeakyReLU(0.1)(x), [[-0.2, -0.05, 0, 0.5, 2.0]])
    np.testing.assert_allclose(nl.Sigmoid()(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(nl.Tanh()(x), np.tanh(x))
    np.testing.assert_array_equal(nl.Identity()(x), x)
    assert nl.LeakyReLU().alpha == 0.01


def test_activation_derivative_hand_examples():
    x = np.array([[-1.0, 2.0]])
    g = np.array([[3.0, 5.0]])
    relu = nl.ReLU()
    relu(x)
    np.testing.assert_array_equal(relu.backward(g), [[0.0, 5.0]])
    leaky = nl.LeakyReLU(0.2)
    leaky(x)
    np.testing.assert_allclose(leaky.backward(g), [[0.6, 5.0]])
    sig = nl.Sigmoid()
    s = sig(x)
    np.testing.assert_allclose(sig.backward(g), g * s * (1 - s))
    tanh = nl.Tanh()
    t = tanh(x)
    np.testing.assert_allclose(tanh.backward(g), g * (1 - t**2))


def test_softmax_values():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [1000.0, 0.0, -1000.0]])
    p = nl.Softmax()(z)
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(p[0], e / e.sum())
    np.testing.assert_allclose(p[1], [1 / 3] * 3)
    np.testing.assert_allclose(p[2], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_sigmoid_is_stable_for_large_inputs():
    x = np.array([[-1000.0, 1000.0]])
    # Underflow to 0 is harmless; overflow or 0/0 would be the bug.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = nl.Sigmoid()(x)
    np.testing.assert_array_equal(y, [[0.0, 1.0]])


# ---------------------------------------------------------------- dtypes


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_and_backward_keep_dtype(name, dtype):
    if name == "Dense":
        layer = nl.Dense(4, 3, rng=0, dtype=dtype)
    elif name == "Sequential":
        layer = nl.Sequential(
            nl.Dense(4, 5, rng=0, dtype=dtype),
            nl.ReLU(),
            nl.Dense(5, 3, rng=1, dtype=dtype),
        )
    else:
        layer = LAYERS[name]()
    x = _x(dtype=dtype)
    out = layer(x)
    assert out.dtype == dtype
    dx = layer.backward(np.ones_like(out))
    assert dx.dtype == dtype
    for name_, g in layer.grads.items():
        assert g.dtype == dtype, name_
        assert layer.params[name_].dtype == dtype


# ---------------------------------------------------------------- structure


def test_dense_shapes_and_initial_values():
    layer = nl.Dense(5, 2, rng=0)
    assert layer.W.shape == (5, 2) and layer.b.shape == (2,)
    np.testing.assert_array_equal(layer.b, 0)
    np.testing.assert_array_equal(layer.W, nl.init.he_normal(5, 2, rng=0))
    assert layer.dW.shape == (5, 2) and layer.db.shape == (2,)
    assert layer.dtype == np.float64
    assert repr(layer) == "Dense(5 -> 2)"
    assert layer.get_config() == {
        "in_features": 5,
        "out_features": 2,
        "dtype": "float64",
    }


def test_dense_accepts_a_custom_init_function():
    def ones(fan_in, fan_out, rng=None, dtype=np.float64):
        return np.ones((fan_in, fan_out), dtype=dtype)

    layer = nl.Dense(3, 2, init=ones)
    np.testing.assert_array_equal(layer.W, np.ones((3, 2)))


def test_parameters_are_live_handles_on_the_layer_arrays():
    model = nl.Sequential(nl.Dense(3, 4, rng=0), nl.ReLU(), nl.Dense(4, 2, rng=1))
    params = model.parameters()
    assert all(isinstance(p, nl.Parameter) for p in params)
    assert [p.name for p in params] == ["W", "b", "W", "b"]
    assert params[0].value is model[0].W and params[3].value is model[2].b
    assert list(model.params) == ["0.W", "0.b", "2.W", "2.b"]
    assert list(model.grads) == ["0.W", "0.b", "2.W", "2.b"]
    params[0].value[0, 0] = 42.0
    assert model[0].W[0, 0] == 42.0
    model(_x(d=3))
    model.backward(np.ones((6, 2)))
    assert params[2].grad is model[2].dW
    assert "shape=(3, 4)" in repr(params[0])
    assert nl.ReLU().parameters() == []


def test_sequential_container_protocol():
    layers = [nl.Dense(2, 3, rng=0), nl.Tanh(), nl.Dense(3, 1, rng=1)]
    model = nl.Sequential(*layers)
    assert len(model) == 3
    assert model[1] is layers[1]
    assert list(model) == layers
    assert repr(model) == "Sequential(\n  Dense(2 -> 3),\n  Tanh(),\n  Dense(3 -> 1)\n)"
    x = _x(d=2)
    np.testing.assert_array_equal(model(x), layers[2](layers[1](layers[0](x))))


def test_nested_sequential_forward_backward():
    inner = nl.Sequential(nl.Dense(4, 5, rng=0), nl.Sigmoid())
    model = nl.Sequential(inner, nl.Dense(5, 2, rng=1))
    assert len(model.parameters()) == 4
    assert list(model.params) == ["0.0.W", "0.0.b", "1.W", "1.b"]
    target = np.random.default_rng(0).normal(size=(6, 2))
    assert nl.gradcheck(model, nl.MSELoss(), _x(), target) < 1e-6


def test_custom_layer_subclass_works_with_sequential():
    class Scale(nl.Layer):
        def __init__(self):
            super().__init__()
            self.params = {"s": np.array([2.0])}
            self.grads = {"s": np.zeros(1)}

        def forward(self, x):
            self._x = x
            return x * self.params["s"]

        def backward(self, grad_out):
            self.grads["s"][...] = np.sum(grad_out * self._x)
            return grad_out * self.params["s"]

    model = nl.Sequential(nl.Dense(4, 3, rng=0), Scale())
    target = np.random.default_rng(0).normal(size=(6, 3))
    assert nl.gradcheck(model, nl.MSELoss(), _x(), target) < 1e-6


def test_custom_activation_subclass():
    class Square(nl.Activation):
        def _f(self, x):
            return x * x

        def _backward(self, grad_out):
            return 2 * self._x * grad_out

    model = nl.Sequential(nl.Dense(4, 5, rng=0), Square(), nl.Dense(5, 2, rng=1))
    target = np.random.default_rng(0).normal(size=(6, 2))
    assert nl.gradcheck(model, nl.MSELoss(), _x(), target) < 1e-6
    with pytest.raises(
        RuntimeError, match=r"Square\(\).backward called before forward"
    ):
        Square().backward(np.zeros((1, 1)))


def test_base_layer_must_be_implemented():
    with pytest.raises(NotImplementedError, match="Layer must implement forward"):
        nl.Layer()(np.ones((1, 1)))
    with pytest.raises(NotImplementedError, match="Layer must implement backward"):
        nl.Layer().backward(np.ones((1, 1)))


# ---------------------------------------------------------------- errors


def test_dense_rejects_wrong_number_of_features():
    with pytest.raises(
        ValueError, match=r"Dense\(64 -> 10\) expected input with 64 features, got 32"
    ):
        nl.Dense(64, 10, rng=0)(np.zeros((5, 32)))


def test_dense_rejects_1d_input_with_a_hint():
    with pytest.raises(
        ValueError,
        match=r"Dense\(3 -> 2\) expected a 2-D input \(batch, 3\), got shape \(3,\); "
        r"for one sample use x.reshape\(1, -1\)",
    ):
        nl.Dense(3, 2, rng=0)(np.zeros(3))


def test_dense_rejects_mismatched_or_integer_dtype():
    layer = nl.Dense(3, 2, rng=0)
    with pytest.raises(
        TypeError, match=r"Dense\(3 -> 2\) has float64 weights but got float32 input"
    ):
        layer(np.zeros((2, 3), dtype=np.float32))
    with pytest.raises(
        TypeError, match=r"Dense\(3 -> 2\) expected float32 or float64 input, got int64"
    ):
        layer(np.zeros((2, 3), dtype=np.int64))
    with pytest.raises(
        TypeError, match=r"Dense\(3 -> 2\) expected a numpy array, got list"
    ):
        layer([[0.0, 0.0, 0.0]])


def test_dense_constructor_errors():
    with pytest.raises(
        ValueError, match=r"Dense: in_features must be a positive integer, got 0"
    ):
        nl.Dense(0, 3)
    with pytest.raises(ValueError, match=r"unknown init 'glorot'; choose one of"):
        nl.Dense(2, 3, init="glorot")
    with pytest.raises(
        TypeError,
        match=r"Dense\(2 -> 3\): dtype must be float32 or float64, got .*int32",
    ):
        nl.Dense(2, 3, dtype=np.int32)
    with pytest.raises(
        ValueError, match=r"init returned shape \(3, 2\), expected \(2, 3\)"
    ):
        nl.Dense(2, 3, init=lambda i, o, rng=None, dtype=None: np.zeros((o, i)))


def test_backward_errors():
    with pytest.raises(
        RuntimeError, match=r"Dense\(2 -> 3\).backward called before forward"
    ):
        nl.Dense(2, 3, rng=0).backward(np.zeros((1, 3)))
    with pytest.raises(RuntimeError, match=r"ReLU\(\).backward called before forward"):
        nl.ReLU().backward(np.zeros((1, 3)))
    layer = nl.Dense(2, 3, rng=0)
    layer(np.zeros((4, 2)))
    with pytest.raises(
        ValueError,
        match=r"Dense\(2 -> 3\).backward expected grad_out of shape \(4, 3\) "
        r"\(the shape of the forward output\), got \(4, 2\)",
    ):
        layer.backward(np.zeros((4, 2)))
    tanh = nl.Tanh()
    tanh(np.zeros((4, 2)))
    with pytest.raises(
        ValueError, match=r"Tanh\(\).backward expected grad_out of shape \(4, 2\)"
    ):
        tanh.backward(np.zeros((2, 4)))


def test_sequential_rejects_non_layers():
    with pytest.raises(
        TypeError,
        match=r"Sequential: argument 1 must be a Layer, .*did you forget the parentheses",
    ):
        nl.Sequential(nl.Dense(2, 3), nl.ReLU)
    with pytest.raises(
        TypeError, match=r"Sequential: argument 0 must be a Layer, got 3"
    ):
        nl.Sequential(3)


def test_activation_argument_errors():
    with pytest.raises(
        ValueError, match=r"LeakyReLU: alpha must be in \[0, 1\), got 1.5"
    ):
        nl.LeakyReLU(1.5)
    with pytest.raises(
        ValueError,
        match=r"Softmax\(\) expected a 2-D input \(batch, classes\), got shape \(3,\)",
    ):
        nl.Softmax()(np.zeros(3))
    with pytest.raises(
        TypeError, match=r"Sigmoid\(\) expected float32 or float64 input, got int64"
    ):
        nl.Sigmoid()(np.zeros((2, 2), dtype=np.int64))


# ---- no silent traps: params view and validated setters ----------------------------------------


def test_sequential_params_is_a_live_view_and_assignment_copies_in():
    model = nl.Sequential(nl.Dense(2, 3, rng=0), nl.ReLU(), nl.Dense(3, 2, rng=1))
    assert list(model.params) == ["0.W", "0.b", "2.W", "2.b"]
    assert model.params["0.W"] is model[0].W  # the layer's own array, not a copy
    saved = {k: v.copy() for k, v in model.params.items()}
    model[0].W[...] = 0.0
    for k, v in saved.items():
        model.params[k] = v  # restoring a copy really restores the weights
    np.testing.assert_array_equal(model[0].W, saved["0.W"])
    saved["0.W"][0, 0] = 123.0  # and the model does not alias the caller's array
    assert model[0].W[0, 0] != 123.0


@pytest.mark.parametrize(
    "value, exc, match",
    [
        (np.zeros((3, 2)), ValueError, r"expected shape \(2, 3\), got \(3, 2\)"),
        (
            np.zeros((2, 3), dtype=np.float32),
            TypeError,
            "expected dtype float64, got float32",
        ),
        ([[0.0, 0.0, 0.0]] * 2, TypeError, "expected a numpy array"),
        (np.full((2, 3), np.nan), ValueError, "NaN or inf"),
    ],
)
def test_weight_setters_validate_shape_dtype_and_values(value, exc, match):
    model = nl.Sequential(nl.Dense(2, 3, rng=0))
    before = model[0].W.copy()
    with pytest.raises(exc, match=match):
        model[0].W = value
    with pytest.raises(exc, match=match):
        model.params["0.W"] = value
    np.testing.assert_array_equal(model[0].W, before)


def test_params_view_rejects_unknown_keys_and_deletion():
    model = nl.Sequential(nl.Dense(2, 3, rng=0))
    with pytest.raises(KeyError, match="no parameter '1.W'; the keys are"):
        model.params["1.W"]
    with pytest.raises(TypeError, match="cannot be deleted"):
        del model.params["0.W"]


def test_bias_setter_copies_into_the_layer():
    layer = nl.Dense(2, 3, rng=0, dtype=np.float32)
    b = np.arange(3, dtype=np.float32)
    layer.b = b
    np.testing.assert_array_equal(layer.b, b)
    assert layer.b is not b and layer.b.dtype == np.float32
