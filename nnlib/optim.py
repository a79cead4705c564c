"""Step 6, parameter update: optimizers that move parameters against their gradients.

Formulas follow PyTorch's ``torch.optim.SGD`` and ``torch.optim.Adam``. Updates are in place,
so after ``step()`` the layer's own arrays (``layer.W``) hold the new values. To add an
optimizer, subclass ``Optimizer`` and write ``step()``.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from ._validation import check_in_range, check_non_negative_float, check_positive_float
from .layers import Layer, Parameter


class Optimizer:
    """Base class: holds the ``Parameter`` handles; ``step()`` updates, ``zero_grad()`` clears."""

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        name = type(self).__name__
        if isinstance(params, Layer) or not isinstance(params, Iterable):
            raise TypeError(f"{name}: params must be a list of parameters; pass model.parameters(), "
                            f"got {type(params).__name__}")
        params = list(params)
        if not params:
            raise ValueError(f"{name}: got an empty parameter list; pass model.parameters()")
        for p in params:
            if not isinstance(p, Parameter):
                raise TypeError(f"{name}: params must come from model.parameters(), got {type(p).__name__}")
        self.params = params
        self.lr = check_positive_float(lr, name, "lr")

    def step(self) -> None:
        """Update every parameter once from its current gradient."""
        raise NotImplementedError(f"{type(self).__name__} must implement step()")

    def zero_grad(self) -> None:
        """Set every gradient to 0 (backward overwrites them; this makes a stale step a no-op)."""
        for p in self.params:
            p.grad.fill(0)

    def _scratch(self, i: int, like: np.ndarray) -> np.ndarray:
        """A temporary shaped like parameter ``i``, allocated once and reused every step.

        An update such as ``w -= lr * g`` needs one temporary the size of ``w``; reusing it
        avoids a fresh allocation (and the page faults of a large one) on every step.
        """
        store = self.__dict__.setdefault("_tmp", {})
        tmp = store.get(i)
        if tmp is None or tmp.shape != like.shape or tmp.dtype != like.dtype:
            tmp = store[i] = np.empty_like(like)
        return tmp

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay.

    ``g = grad + weight_decay * w``; with momentum ``v = momentum * v + g`` (``v = g`` on the
    first step) and ``w -= lr * v``; without, ``w -= lr * g``. Weight decay thus shrinks
    every parameter given (biases too, as in PyTorch) by ``1 - lr * weight_decay`` per step
    without momentum; for SGD, L2 and decoupled decay are the same thing.
    """

    def __init__(self, params: Iterable[Parameter], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = check_in_range(momentum, "SGD", "momentum", 0.0, 1.0)
        self.weight_decay = check_non_negative_float(weight_decay, "SGD", "weight_decay")
        self.velocity: list[np.ndarray | None] = [None] * len(self.params)

    def step(self) -> None:
        for i, p in enumerate(self.params):
            w, g = p.value, p.grad
            if self.weight_decay:
                g = g + self.weight_decay * w
            if self.momentum:
                v = self.velocity[i]
                if v is None:
                    v = self.velocity[i] = g.copy()
                else:
                    v *= self.momentum
                    v += g
                g = v
            # In place, through a reused scratch array: the layer's own array changes and
            # nothing the size of w is allocated per step.
            tmp = np.multiply(g, self.lr, out=self._scratch(i, w))
            w -= tmp


class _Flat:
    """Same-dtype parameters laid end to end in one flat array, with a view per parameter.

    A small network has a handful of small arrays, and numpy spends ~1 us on every call
    whatever its size; Adam's eleven operations per array then cost more in calls than in
    arithmetic. Run on one concatenation they are eleven calls in all (plus one to gather
    the gradients and one per array to apply the step): on a 2-16-16-2 network a step went
    from ~70 to ~30 us.
    """

    def __init__(self, params: list[Parameter], indices: list[int]) -> None:
        self.indices = indices
        self.shapes = [params[i].value.shape for i in indices]
        self.dtype = params[indices[0]].value.dtype
        sizes = [math.prod(shape) for shape in self.shapes]
        self.bounds = list(zip(np.cumsum([0] + sizes[:-1]).tolist(), np.cumsum(sizes).tolist()))
        self.size = sum(sizes)

    def zeros(self) -> tuple[np.ndarray, list[np.ndarray]]:
        """A zero flat array (size,) and its per-parameter views, shaped like the parameters."""
        flat = np.zeros(self.size, dtype=self.dtype)
        return flat, [flat[a:b].reshape(shape) for (a, b), shape in zip(self.bounds, self.shapes)]

    def gather(self, arrays: list[np.ndarray], out: np.ndarray) -> np.ndarray:
        """Copy ``arrays`` (the parameters' shapes) end to end into ``out`` (size,)."""
        return np.concatenate([a.reshape(-1) for a in arrays], out=out)


class _AdamGroup(NamedTuple):
    """Adam's state for the parameters of one dtype, as flat arrays (see ``_Flat``)."""

    flat: _Flat
    m: np.ndarray            # first-moment estimates, (size,)
    v: np.ndarray            # second-moment estimates, (size,)
    grad: np.ndarray         # the gradients gathered for this step, (size,)
    tmp: np.ndarray          # scratch; ends each step holding the step itself, (size,)
    steps: list[np.ndarray]  # views of tmp shaped like each parameter


class Adam(Optimizer):
    """Adam: per-parameter steps scaled by running estimates of the gradient's moments.

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``, bias-corrected ``m_hat``,
    ``v_hat``, then ``w -= lr * m_hat / (sqrt(v_hat) + eps)``. ``m[i]`` and ``v[i]`` are
    the moment estimates of parameter ``i``, shaped like it: views into one flat array per
    dtype, so change them in place (``opt.m[i][...] = ...``), not by assigning a new array.

    ``weight_decay`` is coupled L2, as in ``torch.optim.Adam``: ``g = grad + weight_decay * w``
    goes into ``m`` and ``v``, so the decay is rescaled by ``1 / (sqrt(v_hat) + eps)`` like the
    gradient. It is not AdamW's decoupled decay (``torch.optim.AdamW``), which keeps the moments
    of the plain gradient and subtracts ``lr * weight_decay * w`` from ``w`` directly.
    Taught in chapter 6, "Weight decay".
    """

    def __init__(self, params: Iterable[Parameter], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)):
            raise TypeError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        if len(betas) != 2:
            raise ValueError(f"Adam: betas must have two values (beta1, beta2), got {betas!r}")
        self.betas = tuple(check_in_range(b, "Adam", "betas", 0.0, 1.0) for b in betas)
        self.eps = check_positive_float(eps, "Adam", "eps")
        self.weight_decay = check_non_negative_float(weight_decay, "Adam", "weight_decay")
        self.t = 0
        # The update is elementwise, so it can run on all parameters at once: one flat group
        # per dtype (float32 and float64 parameters cannot share an array). m[i] and v[i]
        # are views into the groups' flat arrays.
        by_dtype: dict[np.dtype, list[int]] = {}
        for i, p in enumerate(self.params):
            by_dtype.setdefault(p.value.dtype, []).append(i)
        self._groups: list[_AdamGroup] = []
        self.m: list[np.ndarray] = [None] * len(self.params)  # type: ignore[list-item]
        self.v: list[np.ndarray] = [None] * len(self.params)  # type: ignore[list-item]
        for indices in by_dtype.values():
            flat = _Flat(self.params, indices)
            (m, m_views), (v, v_views) = flat.zeros(), flat.zeros()
            tmp, steps = flat.zeros()
            for j, i in enumerate(indices):
                self.m[i], self.v[i] = m_views[j], v_views[j]
            self._groups.append(_AdamGroup(flat, m, v, flat.zeros()[0], tmp, steps))

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        # The zero-initialised moments are biased towards 0 early on; dividing by
        # (1 - beta^t) removes that bias. Folded into one scalar step size per step.
        c1 = 1 - b1 ** self.t
        c2 = 1 - b2 ** self.t
        step_size = self.lr / c1
        # m_hat / (sqrt(v_hat) + eps) = sqrt(c2) * m / (sqrt(v) + eps * sqrt(c2)): the same
        # number with the 1 / c2 moved out of the square root, so v needs no rescaled copy.
        root_c2 = math.sqrt(c2)  # a Python float: a numpy float64 would upcast float32 arithmetic
        for flat, m, v, g, tmp, steps in self._groups:
            params = [self.params[i] for i in flat.indices]
            flat.gather([p.grad for p in params], out=g)
            if self.weight_decay:
                flat.gather([p.value for p in params], out=tmp)
                tmp *= self.weight_decay
                g += tmp
            # Every line below works in place on m, v or the scratch array: a step allocates
            # nothing (the straightforward expressions allocate 6 arrays the size of w).
            m *= b1
            m += np.multiply(g, 1 - b1, out=tmp)
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += self.eps * root_c2
            np.divide(m, tmp, out=tmp)
            tmp *= step_size * root_c2
            for p, step in zip(params, steps):
                w = p.value
                w -= step
