"""Step 3 (forward propagation), used from step 7 on: a multilayer perceptron from a list of sizes.

Chapter 3 builds networks layer by layer, ``Sequential(Dense(2, 16), ReLU(), Dense(16, 2))``;
chapter 2 explains which initialization suits which activation. ``build_mlp`` writes that
recipe down once, so the widgets, the benchmarks and a learner's own experiments build the
same network from the same ``[n_in, h1, ..., n_out]``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import numpy as np

from ._validation import as_rng, check_float_dtype
from .init import INITIALIZERS
from .layers import Dense, Identity, Layer, LeakyReLU, ReLU, Sequential, Sigmoid, Tanh

#: The hidden-layer activations ``build_mlp`` accepts, by name.
ACTIVATIONS: dict[str, type[Layer]] = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "identity": Identity,
}
#: Activations whose units are zero (or nearly) for half their inputs: He init keeps their
#: activations' variance from layer to layer (chapter 2); the others get Xavier.
RELU_LIKE: frozenset[str] = frozenset({"relu", "leaky_relu"})


def _check_sizes(sizes: object) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (Sequence, np.ndarray)):
        raise TypeError(
            f"build_mlp: sizes must be a list of layer widths such as [2, 16, 16, 2], "
            f"got {type(sizes).__name__}"
        )
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"build_mlp: sizes needs at least two widths, [n_in, ..., n_out], got {sizes}"
        )
    for s in sizes:
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, numbers.Integral):
            raise TypeError(
                f"build_mlp: every size must be an int, got {s!r} in {sizes}"
            )
    if min(sizes) < 1:
        raise ValueError(
            f"build_mlp: every size must be a positive integer, got {sizes}"
        )
    return [int(s) for s in sizes]


def _check_init(init: object) -> None:
    if init is None or callable(init):
        return
    if not isinstance(init, str):
        raise TypeError(
            f"build_mlp: init must be None, a name of nnlib.init or a function "
            f"f(fan_in, fan_out, rng, dtype), got {type(init).__name__}"
        )
    if init not in INITIALIZERS:
        raise ValueError(
            f"build_mlp: unknown init {init!r}; choose one of {sorted(INITIALIZERS)}"
        )


def build_mlp(
    sizes: Sequence[int],
    activation: str = "relu",
    *,
    init: str | Callable[..., np.ndarray] | None = None,
    rng: np.random.Generator | int | None = None,
    dtype: type = np.float64,
    fast: bool = False,
) -> Sequential:
    """The MLP ``Dense(n_in, h1), act, ..., Dense(h_last, n_out)`` for ``sizes = [n_in, h1, ..., n_out]``.

    The network maps (batch, n_in) to raw logits (batch, n_out): there is no activation after
    the last ``Dense``, the loss (e.g. ``CrossEntropyLoss``) applies softmax itself. ``[2, 2]``
    is a single linear layer.

    ``activation`` is one of ``"relu"``, ``"leaky_relu"``, ``"tanh"``, ``"sigmoid"``,
    ``"identity"``, used after every hidden layer. ``init`` left as None picks what chapter 2
    teaches: ``he_normal`` for the hidden layers of a ReLU-like network, ``xavier_normal``
    for the others, and ``xavier_normal`` for the last layer, whose logits no activation
    follows. A name of ``nnlib.init`` (or a function ``f(fan_in, fan_out, rng, dtype)``)
    given as ``init`` is used for every layer. Biases start at zero.

    ``rng`` (a ``Generator`` or an int seed) is one stream drawn from layer after layer, so
    the layers get different weights and the same seed gives the same network. ``dtype``
    (float32 or float64) is that of every weight; inputs must match it. With ``fast=True`` the
    layers are ``nnlib.fast``'s ``FastDense`` (and ``FastTanh``), which compute the same
    network with fewer numpy calls per step.
    """
    sizes = _check_sizes(sizes)
    if not isinstance(activation, str):
        raise TypeError(
            f"build_mlp: activation must be a name such as 'relu', got {type(activation).__name__}"
        )
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"build_mlp: unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}"
        )
    _check_init(init)
    rng = as_rng(rng, "build_mlp")
    dtype = check_float_dtype(dtype, "build_mlp")
    if not isinstance(fast, (bool, np.bool_)):
        raise TypeError(f"build_mlp: fast must be True or False, got {fast!r}")
    dense_cls, act_cls = Dense, ACTIVATIONS[activation]
    if fast:
        dense_cls, act_cls = _fast_layers(activation)

    hidden_init = (
        init
        if init is not None
        else ("he_normal" if activation in RELU_LIKE else "xavier_normal")
    )
    last_init = init if init is not None else "xavier_normal"
    layers: list[Layer] = []
    n_dense = len(sizes) - 1
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = i == n_dense - 1
        layers.append(
            dense_cls(
                fan_in,
                fan_out,
                init=last_init if last else hidden_init,
                rng=rng,
                dtype=dtype,
            )
        )
        if not last:
            layers.append(act_cls())
    return Sequential(*layers)


def _fast_layers(activation: str) -> tuple[type[Layer], type[Layer]]:
    """``nnlib.fast``'s Dense, and its version of ``activation`` where it has one."""
    from . import fast as fast_module

    act = fast_module.FastTanh if activation == "tanh" else ACTIVATIONS[activation]
    return fast_module.FastDense, act
