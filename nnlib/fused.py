"""The fast path of the optimizers: one update on all parameters at once (chapter 6).

``SGD(..., fused=True)`` and ``Adam(..., fused=True)`` run the optimizer's own, unchanged
``_update(w, g, state)`` on one flat array per dtype, the parameters (and their gradients) laid
end to end, instead of once per parameter; this module does the laying out and copying back.
The idea is tinygrad's ``fused=`` flag.

Why it exists: numpy spends about a microsecond on every call, whatever the size of the arrays.
A small network (2-16-16-2 has six small arrays) pays Adam's ten or so operations six times
over, and then the calls, not the arithmetic, are the cost of a step. On the flat arrays the
same update is ten calls in all, plus the copies in and out.

Why it gives the same numbers: every operation of an update is elementwise, so each element
goes through exactly the same floating-point operations as in the per-parameter loop; the
results are equal bit for bit (``tests/test_optim.py`` checks it, float32 and float64).

When not to use it: the copies (every parameter and gradient in, the parameters out) cost
more than the calls they save when there are few calls to save: for large networks, and for
SGD, whose update is only two or three operations per array (on chapter 6's four-array network
a fused SGD step measured slower, a fused Adam step faster). The per-parameter loop is then
as fast or faster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .optim import Optimizer


@dataclass
class FlatGroup:
    """The parameters of one dtype, laid end to end: ``w`` and ``g`` are (size,) buffers."""

    indices: list[int]  # which of the optimizer's parameters, in order
    shapes: list[tuple[int, ...]]
    bounds: list[tuple[int, int]]  # where each parameter sits in the flat arrays
    w: np.ndarray
    g: np.ndarray
    state: dict[str, np.ndarray | None] = field(default_factory=dict)

    def views(self, flat: np.ndarray) -> list[np.ndarray]:
        """``flat`` (size,) cut into arrays shaped like the parameters (views, not copies)."""
        return [
            flat[a:b].reshape(shape) for (a, b), shape in zip(self.bounds, self.shapes)
        ]


def flat_groups(optimizer: Optimizer) -> list[FlatGroup]:
    """The optimizer's parameters grouped by dtype (float32 and float64 cannot share an array).

    Made on the first call and kept on the optimizer, with each group's state from
    ``optimizer._new_state`` of its flat buffer.
    """
    groups = optimizer.__dict__.get("_flat_groups")
    if groups is None:
        by_dtype: dict[np.dtype, list[int]] = {}
        for i, p in enumerate(optimizer.params):
            by_dtype.setdefault(p.value.dtype, []).append(i)
        groups = []
        for dtype, indices in by_dtype.items():
            shapes = [optimizer.params[i].value.shape for i in indices]
            ends = np.cumsum([math.prod(shape) for shape in shapes]).tolist()
            bounds = list(zip([0, *ends[:-1]], ends))
            w = np.empty(ends[-1], dtype=dtype)
            group = FlatGroup(indices, shapes, bounds, w, np.empty_like(w))
            group.state = optimizer._new_state(w)
            groups.append(group)
        optimizer._flat_groups = groups
    return groups


def fused_step(optimizer: Optimizer) -> None:
    """One ``optimizer._update`` per dtype group: gather, update the flat copy, scatter back."""
    for group in flat_groups(optimizer):
        params = [optimizer.params[i] for i in group.indices]
        np.concatenate([p.value.reshape(-1) for p in params], out=group.w)
        np.concatenate([p.grad.reshape(-1) for p in params], out=group.g)
        optimizer._update(group.w, group.g, group.state)
        for p, new in zip(params, group.views(group.w)):
            p.value[...] = new


def fused_state_views(optimizer: Optimizer, key: str) -> list[np.ndarray | None]:
    """``state[key]`` of each parameter: views into its group's flat state array (or None)."""
    out: list[np.ndarray | None] = [None] * len(optimizer.params)
    for group in flat_groups(optimizer):
        flat = group.state.get(key)
        pieces = group.views(flat) if flat is not None else [None] * len(group.indices)
        for i, piece in zip(group.indices, pieces):
            out[i] = piece
    return out
