"""Step 3 (forward) and step 5 (backward): layers of a network.

Every layer is a small class whose ``forward`` and ``backward`` sit side by side, so the chain
rule can be read straight off the code. Arrays are ``(batch, features)``; a ``Dense`` layer
computes ``x @ W + b`` with ``W`` of shape ``(in_features, out_features)``.

To add a layer of your own, subclass ``Layer`` and write ``forward(x)`` and
``backward(grad_out) -> grad_in``; if it has parameters, put them in ``self.params`` and
their gradients (same shapes) in ``self.grads`` under the same names.

The code here is the chapters' algorithm in the chapters' notation. Faster versions of
``Dense`` and ``Tanh`` (``FastDense``, ``FastTanh``) live apart in ``nnlib/fast.py``, each
tested to give the same numbers as the class here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import numpy as np

from . import functional as F
from ._validation import (
    FLOAT_DTYPES,
    as_rng,
    check_finite_input,
    check_float_dtype,
    check_in_range,
    check_positive_int,
)
from .init import INITIALIZERS


class Parameter:
    """A handle on one trainable array of a layer, as optimizers see it.

    ``value`` and ``grad`` are read from the layer each time, so an optimizer that updates
    ``p.value`` in place updates ``layer.W`` itself.
    """

    __slots__ = ("layer", "name")

    def __init__(self, layer: Layer, name: str) -> None:
        self.layer = layer
        self.name = name

    @property
    def value(self) -> np.ndarray:
        """The parameter array itself (not a copy)."""
        return self.layer.params[self.name]

    @value.setter
    def value(self, new: np.ndarray) -> None:
        # `p.value -= lr * p.grad` is the natural way to write an update; Python turns it into
        # an in-place subtraction followed by this assignment. Copying into the existing array
        # (instead of rebinding) keeps every other view of the parameter, like layer.W, in sync.
        current = self.layer.params[self.name]
        if new is not current:
            current[...] = new

    @property
    def grad(self) -> np.ndarray:
        """dLoss/dvalue from the last ``backward``, same shape as ``value``."""
        return self.layer.grads[self.name]

    def __repr__(self) -> str:
        return f"Parameter({self.layer!r}.{self.name}, shape={self.value.shape}, dtype={self.value.dtype})"


class Layer:
    """Base class: ``forward(x) -> y``, ``backward(dL/dy) -> dL/dx``, ``params``, ``grads``."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Compute the layer's output for a batch ``x`` (batch, in) -> (batch, out)."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Given dL/d(output) (batch, out), store parameter grads and return dL/d(input) (batch, in)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement backward(grad_out)"
        )

    def backward_params(self, grad_out: np.ndarray) -> None:
        """Like ``backward`` but only the parameter gradients are needed.

        Used for the first layer of a network, whose input gradient nobody reads. Layers that
        can skip work (``Dense`` skips a whole matrix product) override this.
        """
        self.backward(grad_out)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def parameters(self) -> list[Parameter]:
        """The layer's trainable arrays, as ``Parameter`` handles for an optimizer."""
        return [Parameter(self, name) for name in getattr(self, "params", {})]

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this layer (used by ``save``/``load``)."""
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _check_layer_input(layer: Layer, x: object) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{layer!r} expected a numpy array, got {type(x).__name__}")
    if x.dtype not in FLOAT_DTYPES:
        raise TypeError(
            f"{layer!r} expected float32 or float64 input, got {x.dtype}; convert with x.astype(np.float64)"
        )
    return x


def _check_grad(
    layer: Layer,
    grad_out: object,
    expected_shape: tuple[int, ...],
    expected_dtype: np.dtype,
) -> np.ndarray:
    if not isinstance(grad_out, np.ndarray):
        raise TypeError(
            f"{layer!r}.backward expected a numpy array, got {type(grad_out).__name__}"
        )
    if grad_out.dtype != expected_dtype:
        # A float64 gradient into a float32 layer would silently upcast everything below it.
        raise TypeError(
            f"{layer!r}.backward expected grad_out of dtype {expected_dtype} (the dtype of the "
            f"forward output), got {grad_out.dtype}"
        )
    if grad_out.shape != expected_shape:
        raise ValueError(
            f"{layer!r}.backward expected grad_out of shape {expected_shape} (the shape of the "
            f"forward output), got {grad_out.shape}"
        )
    return grad_out


def _assign_param(layer: Layer, name: str, new: object) -> None:
    """Copy ``new`` into ``layer.params[name]`` after checking its shape and dtype.

    Copying (instead of rebinding) keeps every view of the parameter live (optimizers'
    ``Parameter`` handles, ``model.params``) and never lets later in-place updates write into
    the caller's array.
    """
    current = layer.params[name]
    if not isinstance(new, np.ndarray):
        raise TypeError(
            f"{layer!r}.{name}: expected a numpy array of shape {current.shape} and dtype "
            f"{current.dtype}, got {type(new).__name__}"
        )
    if new.shape != current.shape:
        raise ValueError(
            f"{layer!r}.{name}: expected shape {current.shape}, got {new.shape}"
        )
    if new.dtype != current.dtype:
        # Casting silently would change the layer's precision or round the caller's values.
        raise TypeError(
            f"{layer!r}.{name}: expected dtype {current.dtype}, got {new.dtype}; "
            f"convert it with .astype(np.{current.dtype})"
        )
    if not np.isfinite(new).all():
        raise ValueError(f"{layer!r}.{name}: the new values contain NaN or inf")
    current[...] = new


class ParamsView(MutableMapping):
    """The live parameters of a ``Sequential``, keyed ``"<layer index>.<name>"`` (``"0.W"``).

    Reading gives the layer's own array (not a copy); assigning ``model.params["0.W"] = W``
    copies ``W`` into it after checking shape and dtype, so saving and restoring weights works::

        best = {k: v.copy() for k, v in model.params.items()}
        ...
        for k, v in best.items():
            model.params[k] = v
    """

    def __init__(self, model: Sequential) -> None:
        self._model = model

    def _split(self, key: str) -> tuple[Layer, str]:
        index, _, name = key.partition(".") if isinstance(key, str) else ("", "", "")
        layers = self._model.layers
        if not (
            index.isdigit()
            and int(index) < len(layers)
            and name in layers[int(index)].params
        ):
            raise KeyError(
                f"Sequential.params: no parameter {key!r}; the keys are {list(self)}"
            )
        return layers[int(index)], name

    def __getitem__(self, key: str) -> np.ndarray:
        layer, name = self._split(key)
        return layer.params[name]

    def __setitem__(self, key: str, value: np.ndarray) -> None:
        layer, name = self._split(key)
        _assign_param(layer, name, value)

    def __delitem__(self, key: str) -> None:
        raise TypeError(
            "Sequential.params: parameters cannot be deleted (the layers own them)"
        )

    def __iter__(self) -> Iterator[str]:
        return (
            f"{i}.{k}"
            for i, layer in enumerate(self._model.layers)
            for k in layer.params
        )

    def __len__(self) -> int:
        return sum(len(layer.params) for layer in self._model.layers)

    def __repr__(self) -> str:
        return f"ParamsView({ {k: v.shape for k, v in self.items()} })"


class Dense(Layer):
    """Fully connected layer ``y = x @ W + b``: (batch, in_features) -> (batch, out_features).

    ``init`` names a function of ``nnlib.init`` or is any ``f(fan_in, fan_out, rng, dtype)``.
    Biases start at zero. After ``backward``, ``dW`` and ``db`` hold the gradients.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        init: str | Callable[..., np.ndarray] = "he_normal",
        rng: np.random.Generator | int | None = None,
        dtype: type = np.float64,
    ) -> None:
        super().__init__()
        self.in_features = check_positive_int(
            in_features, type(self).__name__, "in_features"
        )
        self.out_features = check_positive_int(
            out_features, type(self).__name__, "out_features"
        )
        dtype = check_float_dtype(dtype, repr(self))
        # Only checks it: the init function draws from rng itself.
        as_rng(rng, repr(self))
        if isinstance(init, str):
            if init not in INITIALIZERS:
                raise ValueError(
                    f"{self!r}: unknown init {init!r}; choose one of {sorted(INITIALIZERS)}"
                )
            init_fn = INITIALIZERS[init]
        elif callable(init):
            init_fn = init
        else:
            raise TypeError(
                f"{self!r}: init must be a name or a function, got {type(init).__name__}"
            )
        W = np.asarray(
            init_fn(self.in_features, self.out_features, rng=rng, dtype=dtype)
        )
        if W.shape != (self.in_features, self.out_features):
            raise ValueError(
                f"{self!r}: init returned shape {W.shape}, expected {(self.in_features, self.out_features)}"
            )
        if W.dtype.kind not in "biuf" or not np.isfinite(W).all():
            raise ValueError(
                f"{self!r}: init returned weights that are not all finite numbers (NaN, inf or {W.dtype})"
            )
        self.params = {
            "W": W.astype(dtype, copy=False),
            "b": np.zeros(self.out_features, dtype=dtype),
        }
        self.grads = {
            "W": np.zeros_like(self.params["W"]),
            "b": np.zeros_like(self.params["b"]),
        }
        self._x: np.ndarray | None = None

    W = property(
        lambda self: self.params["W"],
        lambda self, v: _assign_param(self, "W", v),
        doc="Weights, shape (in_features, out_features); assigning copies into them.",
    )
    b = property(
        lambda self: self.params["b"],
        lambda self, v: _assign_param(self, "b", v),
        doc="Biases, shape (out_features,); assigning copies into them.",
    )
    dW = property(
        lambda self: self.grads["W"], doc="dLoss/dW from the last backward, shape of W."
    )
    db = property(
        lambda self: self.grads["b"], doc="dLoss/db from the last backward, shape of b."
    )

    @property
    def dtype(self) -> np.dtype:
        """The dtype of the weights; inputs must match it."""
        return self.params["W"].dtype

    def forward(self, x: np.ndarray) -> np.ndarray:
        """(batch, in_features) -> (batch, out_features)."""
        x = _check_layer_input(self, x)
        if x.ndim != 2:
            hint = "; for one sample use x.reshape(1, -1)" if x.ndim == 1 else ""
            raise ValueError(
                f"{self!r} expected a 2-D input (batch, {self.in_features}), got shape {x.shape}{hint}"
            )
        if x.shape[1] != self.in_features:
            raise ValueError(
                f"{self!r} expected input with {self.in_features} features, got {x.shape[1]}"
            )
        if x.dtype != self.dtype:
            raise TypeError(
                f"{self!r} has {self.dtype} weights but got {x.dtype} input; convert the input with "
                f"x.astype(np.{self.dtype}) or build the network with dtype=np.{x.dtype}"
            )
        self._x = x  # kept for backward: dW = x^T @ grad_out
        return x @ self.params["W"] + self.params["b"]  # (batch, out)

    def _check_backward(self, grad_out: np.ndarray) -> np.ndarray:
        """``grad_out`` checked against the last forward: (batch, out_features), our dtype."""
        if self._x is None:
            raise RuntimeError(f"{self!r}.backward called before forward")
        return _check_grad(
            self, grad_out, (self._x.shape[0], self.out_features), self.dtype
        )

    def backward_params(self, grad_out: np.ndarray) -> None:
        """dW = x^T @ grad_out (in, out); db = sum of grad_out over the batch (out,)."""
        grad_out = self._check_backward(grad_out)
        x = self._x
        # Written into the existing arrays (out=) rather than rebinding self.grads: anything
        # holding layer.dW (an optimizer's Parameter handles) keeps seeing the current
        # gradient, and no new (in, out) array is made every step.
        np.matmul(x.T, grad_out, out=self.grads["W"])  # dW = x^T @ grad_out (in, out)
        # db (out,): b is added to every row, so its gradient sums grad_out over the batch.
        np.sum(grad_out, axis=0, out=self.grads["b"])

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Store dW, db and return dL/dx = grad_out @ W^T (batch, in_features)."""
        self.backward_params(grad_out)
        return grad_out @ self.params["W"].T  # (batch, in)

    def get_config(self) -> dict[str, Any]:
        return {
            "in_features": self.in_features,
            "out_features": self.out_features,
            "dtype": str(self.dtype),
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.in_features} -> {self.out_features})"


class Activation(Layer):
    """A parameter-free elementwise layer; subclasses define ``_f`` (forward) and ``_backward``.

    ``forward`` keeps the input in ``self._x`` and the output in ``self._y``, so ``_backward``
    (``grad_out -> grad_out * f'(x)``) can use whichever is cheaper.
    """

    def __init__(self) -> None:
        super().__init__()
        self._x: np.ndarray | None = None
        self._y: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._x = _check_layer_input(self, x)
        self._y = self._f(x)
        return self._y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self._x is None:
            raise RuntimeError(f"{self!r}.backward called before forward")
        grad_out = _check_grad(self, grad_out, self._x.shape, self._x.dtype)
        return self._backward(grad_out)

    def _f(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Identity(Activation):
    """f(x) = x; f'(x) = 1."""

    def _f(self, x: np.ndarray) -> np.ndarray:
        return x

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out


class ReLU(Activation):
    """f(x) = max(x, 0); f'(x) = 1 where x > 0, else 0."""

    def _f(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0)

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out * (self._x > 0)


class LeakyReLU(Activation):
    """f(x) = x for x > 0, alpha * x otherwise; lets a small gradient through for x < 0."""

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = check_in_range(alpha, "LeakyReLU", "alpha", 0.0, 1.0)

    def _f(self, x: np.ndarray) -> np.ndarray:
        return np.where(x > 0, x, self.alpha * x)

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        return np.where(self._x > 0, grad_out, self.alpha * grad_out)

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class Sigmoid(Activation):
    """f(x) = 1 / (1 + e^-x), computed without overflow; f'(x) = f(x) (1 - f(x))."""

    def _f(self, x: np.ndarray) -> np.ndarray:
        return F.sigmoid(x)

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out * self._y * (1 - self._y)


class Tanh(Activation):
    """f(x) = tanh(x); f'(x) = 1 - f(x)^2."""

    def _f(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        # tanh'(x) = 1 - tanh(x)^2, read off the forward output y instead of a second tanh.
        y = self._y
        return grad_out * (1 - y * y)


class Softmax(Activation):
    """Row-wise softmax (batch, k) -> probabilities (batch, k).

    For training a classifier prefer raw logits with ``CrossEntropyLoss``, which fuses the
    softmax into a stabler and cheaper gradient; use this layer when you want probabilities.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_layer_input(self, x)
        if x.ndim != 2:
            raise ValueError(
                f"{self!r} expected a 2-D input (batch, classes), got shape {x.shape}"
            )
        return super().forward(x)

    def _f(self, x: np.ndarray) -> np.ndarray:
        return F.softmax(x)

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        # The Jacobian of softmax is diag(s) - s s^T; applied to a row g it gives s * (g - g.s).
        s = self._y
        return s * (grad_out - (grad_out * s).sum(axis=1, keepdims=True))


class Sequential(Layer):
    """Layers applied in order: ``Sequential(Dense(2, 16), ReLU(), Dense(16, 2))``."""

    def __init__(self, *layers: Layer) -> None:
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                hint = (
                    " (did you forget the parentheses, e.g. ReLU()?)"
                    if isinstance(layer, type)
                    else ""
                )
                raise TypeError(
                    f"Sequential: argument {i} must be a Layer, got {layer!r}{hint}"
                )
        self.layers: list[Layer] = list(layers)

    @property
    def params(self) -> ParamsView:  # type: ignore[override]
        """All parameters, keyed ``"<layer index>.<name>"``, e.g. ``"0.W"``: a live view.

        Assigning into it (``model.params["0.W"] = W``) copies into the layer's array.
        """
        return ParamsView(self)

    @property
    def grads(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        """All gradients, keyed like ``params``."""
        return {
            f"{i}.{k}": v
            for i, layer in enumerate(self.layers)
            for k, v in layer.grads.items()
        }

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Feed ``x`` (batch, in) through every layer -> (batch, out).

        The model is where data enters, so empty input and NaN/inf are rejected here, once;
        the layers check types and shapes.
        """
        check_finite_input(x, "Sequential")
        return self._forward_checked_input(x)

    def _forward_checked_input(self, x: np.ndarray) -> np.ndarray:
        """``forward`` without the NaN/inf scan of ``x``, for ``fit``, which scanned all of X once.

        Scanning every batch again costs a pass over the input (~25-50 us for 128 x 784).
        """
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(
        self, grad_out: np.ndarray, input_grad: bool = True
    ) -> np.ndarray | None:
        """Backpropagate dL/d(output) through every layer, last to first.

        Returns dL/d(input), or ``None`` with ``input_grad=False``, which skips computing
        the input gradient that training never uses.
        """
        for i in range(len(self.layers) - 1, -1, -1):
            if i == 0 and not input_grad:
                self.layers[0].backward_params(grad_out)
                return None
            grad_out = self.layers[i].backward(grad_out)
        return grad_out

    def backward_params(self, grad_out: np.ndarray) -> None:
        self.backward(grad_out, input_grad=False)

    def parameters(self) -> list[Parameter]:
        """Every layer's parameters, first layer first."""
        return [p for layer in self.layers for p in layer.parameters()]

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i: int) -> Layer:
        return self.layers[i]

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

    def __repr__(self) -> str:
        inner = ",\n".join(f"  {layer!r}" for layer in self.layers)
        return f"Sequential(\n{inner}\n)" if self.layers else "Sequential()"
