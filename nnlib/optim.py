"""Step 6, parameter update: optimizers that move parameters against their gradients.

Formulas follow PyTorch's ``torch.optim.SGD`` and ``torch.optim.Adam``. Updates are in place,
so after ``step()`` the layer's own arrays (``layer.W``) hold the new values. To add an
optimizer, subclass ``Optimizer`` and write ``_update(w, g, state)`` (or ``step()``).
Taught in chapter 6 (parameter update); ``fused=True`` is explained in ``nnlib/fused.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ._validation import check_in_range, check_non_negative_float, check_positive_float
from .fused import fused_state_views, fused_step
from .layers import Layer, Parameter


class Optimizer:
    """Base class: holds the ``Parameter`` handles; ``step()`` updates, ``zero_grad()`` clears.

    A subclass writes the textbook update of one parameter, ``_update(w, g, state)``, which
    changes ``w`` (and its ``state``, a dict made by ``_new_state(w)``) in place. ``step()``
    calls it on every parameter in turn. ``fused=True`` runs the same ``_update`` once on all
    parameters of a dtype laid end to end (``nnlib/fused.py``): the same numbers, bit for
    bit, in far fewer numpy calls, which pays off for small networks. A subclass may instead
    override ``step()`` itself (as the README's ``SignSGD`` does).
    """

    def __init__(
        self, params: Iterable[Parameter], lr: float, fused: bool = False
    ) -> None:
        name = type(self).__name__
        if isinstance(params, Layer) or not isinstance(params, Iterable):
            raise TypeError(
                f"{name}: params must be a list of parameters; pass model.parameters(), "
                f"got {type(params).__name__}"
            )
        params = list(params)
        if not params:
            raise ValueError(
                f"{name}: got an empty parameter list; pass model.parameters()"
            )
        for p in params:
            if not isinstance(p, Parameter):
                raise TypeError(
                    f"{name}: params must come from model.parameters(), got {type(p).__name__}"
                )
        if not isinstance(fused, bool):
            raise TypeError(f"{name}: fused must be True or False, got {fused!r}")
        self.params = params
        self.lr = check_positive_float(lr, name, "lr")
        self.fused = fused
        #: One state dict per parameter (with ``fused=True``, one per dtype in ``nnlib.fused``).
        self.state: list[dict[str, np.ndarray | None]] = (
            [] if fused else [self._new_state(p.value) for p in params]
        )

    def step(self) -> None:
        """Update every parameter once from its current gradient."""
        if self.fused:
            fused_step(self)
            return
        for p, state in zip(self.params, self.state):
            self._update(p.value, p.grad, state)

    def _new_state(self, w: np.ndarray) -> dict[str, np.ndarray | None]:
        """The per-parameter state before the first step (e.g. zero moments), for ``w``."""
        return {}

    def _update(
        self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray | None]
    ) -> None:
        """Move ``w`` in place one step against its gradient ``g``; update ``state`` in place."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement step(), or _update(w, g, state) for step() to call"
        )

    def _state_of(self, key: str) -> list[np.ndarray | None]:
        """``state[key]`` of every parameter, shaped like it (views into the flat arrays if fused)."""
        if self.fused:
            return fused_state_views(self, key)
        return [state.get(key) for state in self.state]

    def zero_grad(self) -> None:
        """Set every gradient to 0 (backward overwrites them; this makes a stale step a no-op)."""
        for p in self.params:
            p.grad.fill(0)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay (chapter 6).

    ``g = grad + weight_decay * w``; with momentum ``v = momentum * v + g`` (``v = g`` on the
    first step) and ``w -= lr * v``; without, ``w -= lr * g``. Weight decay thus shrinks
    every parameter given (biases too, as in PyTorch) by ``1 - lr * weight_decay`` per step
    without momentum; for SGD without momentum, L2 and decoupled decay are the same thing
    (with momentum the L2 term also goes through the velocity).
    ``velocity[i]`` is parameter ``i``'s velocity (``None`` before the first step).
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        fused: bool = False,
    ) -> None:
        super().__init__(params, lr, fused)
        self.momentum = check_in_range(momentum, "SGD", "momentum", 0.0, 1.0)
        self.weight_decay = check_non_negative_float(
            weight_decay, "SGD", "weight_decay"
        )

    def _new_state(self, w: np.ndarray) -> dict[str, np.ndarray | None]:
        return {"velocity": None}

    def _update(
        self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray | None]
    ) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * w
        if self.momentum:
            v = state["velocity"]
            if v is None:
                # PyTorch starts the velocity at g, not 0.
                v = state["velocity"] = g.copy()
            else:
                v *= self.momentum
                v += g  # v = momentum * v + g, in place
            g = v
        w -= self.lr * g

    @property
    def velocity(self) -> list[np.ndarray | None]:
        """The velocity of every parameter (``None`` before the first step or without momentum)."""
        return self._state_of("velocity")


class Adam(Optimizer):
    """Adam: per-parameter steps scaled by running estimates of the gradient's moments (chapter 6).

    With ``g = grad`` (plus ``weight_decay * w``, see below) at step ``t``::

        m = b1 m + (1 - b1) g            v = b2 v + (1 - b2) g^2
        m_hat = m / (1 - b1^t)           v_hat = v / (1 - b2^t)
        w -= lr * m_hat / (sqrt(v_hat) + eps)

    as ``torch.optim.Adam``. ``m[i]`` and ``v[i]`` are parameter ``i``'s moment estimates,
    shaped like it; ``t`` counts the steps taken.

    ``weight_decay`` is coupled L2, as in ``torch.optim.Adam``: ``g = grad + weight_decay * w``
    goes into ``m`` and ``v``, so the decay is rescaled by ``1 / (sqrt(v_hat) + eps)`` like the
    gradient. It is not AdamW's decoupled decay (``torch.optim.AdamW``), which keeps the moments
    of the plain gradient and subtracts ``lr * weight_decay * w`` from ``w`` directly.
    Taught in chapter 6, "Weight decay".
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        fused: bool = False,
    ) -> None:
        super().__init__(params, lr, fused)
        if not isinstance(betas, (tuple, list)):
            raise TypeError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        if len(betas) != 2:
            raise ValueError(
                f"Adam: betas must have two values (beta1, beta2), got {betas!r}"
            )
        self.betas = tuple(check_in_range(b, "Adam", "betas", 0.0, 1.0) for b in betas)
        self.eps = check_positive_float(eps, "Adam", "eps")
        self.weight_decay = check_non_negative_float(
            weight_decay, "Adam", "weight_decay"
        )
        self.t = 0

    def step(self) -> None:
        self.t += 1
        super().step()

    def _new_state(self, w: np.ndarray) -> dict[str, np.ndarray | None]:
        return {"m": np.zeros_like(w), "v": np.zeros_like(w)}

    def _update(
        self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray | None]
    ) -> None:
        b1, b2 = self.betas
        if self.weight_decay:
            # Coupled L2: the decay goes through the moments.
            g = g + self.weight_decay * w
        m, v = state["m"], state["v"]
        m[...] = b1 * m + (1 - b1) * g
        v[...] = b2 * v + (1 - b2) * (g * g)
        # The zero-initialised moments are biased towards 0 early on; dividing by
        # (1 - beta^t) removes that bias. (Python floats: a numpy float64 would upcast float32.)
        m_hat = m / (1 - b1**self.t)
        v_hat = v / (1 - b2**self.t)
        w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    @property
    def m(self) -> list[np.ndarray]:
        """First-moment estimates, one per parameter, shaped like it (zeros before any step)."""
        return self._state_of("m")

    @property
    def v(self) -> list[np.ndarray]:
        """Second-moment estimates, one per parameter, shaped like it (zeros before any step)."""
        return self._state_of("v")
