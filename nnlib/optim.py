"""Step 6, parameter update: optimizers that move parameters against their gradients.

Formulas follow PyTorch's ``torch.optim.SGD`` and ``torch.optim.Adam``. Updates are in place,
so after ``step()`` the layer's own arrays (``layer.W``) hold the new values. To add an
optimizer, subclass ``Optimizer`` and write ``step()``.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ._validation import check_positive_float
from .layers import Parameter


class Optimizer:
    """Base class: holds the ``Parameter`` handles; ``step()`` updates, ``zero_grad()`` clears."""

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        name = type(self).__name__
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

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay.

    ``g = grad + weight_decay * w``; with momentum ``v = momentum * v + g`` (``v = g`` on the
    first step) and ``w -= lr * v``; without, ``w -= lr * g``.
    """

    def __init__(self, params: Iterable[Parameter], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum}")
        if weight_decay < 0:
            raise ValueError(f"SGD: weight_decay must be >= 0, got {weight_decay}")
        self.momentum = float(momentum)
        self.weight_decay = float(weight_decay)
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
            # In-place: the layer's own array changes, and no temporary is kept.
            w -= self.lr * g


class Adam(Optimizer):
    """Adam: per-parameter steps scaled by running estimates of the gradient's moments.

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``, bias-corrected ``m_hat``,
    ``v_hat``, then ``w -= lr * m_hat / (sqrt(v_hat) + eps)``.
    """

    def __init__(self, params: Iterable[Parameter], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        b1, b2 = betas
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise ValueError(f"Adam: betas must be in [0, 1), got {betas}")
        self.betas = (float(b1), float(b2))
        self.eps = check_positive_float(eps, "Adam", "eps")
        if weight_decay < 0:
            raise ValueError(f"Adam: weight_decay must be >= 0, got {weight_decay}")
        self.weight_decay = float(weight_decay)
        self.t = 0
        self.m = [np.zeros_like(p.value) for p in self.params]
        self.v = [np.zeros_like(p.value) for p in self.params]

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        # The zero-initialised moments are biased towards 0 early on; dividing by
        # (1 - beta^t) removes that bias. Folded into one scalar step size per step.
        c1 = 1 - b1 ** self.t
        c2 = 1 - b2 ** self.t
        step_size = self.lr / c1
        for p, m, v in zip(self.params, self.m, self.v):
            w, g = p.value, p.grad
            if self.weight_decay:
                g = g + self.weight_decay * w
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            denom = np.sqrt(v / c2)
            denom += self.eps
            w -= step_size * m / denom
