"""Feedback for learners: compare your implementation with nnlib's and say what is wrong.

Used by the graded assignments. Every check runs a learner's code on several shapes (and both
float dtypes where it matters) and raises ``CheckFailed``, an ``AssertionError``, whose message
names the problem: a wrong shape or dtype, the first wrong element with both values, or the
gradient that disagrees with finite differences. On success it prints one line and returns.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .gradcheck import numerical_grad, relative_error
from .layers import Dense, Layer, Sequential
from .losses import Loss

DEFAULT_SHAPES: tuple[tuple[int, int], ...] = ((1, 1), (4, 3), (7, 5))


class CheckFailed(AssertionError):
    """A learner's code disagrees with the reference; the message says how."""


def _call(fn: Callable[..., Any], name: str, *args: Any, **kwargs: Any) -> Any:
    """Call learner code, turning its exceptions into feedback."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise CheckFailed(
            f"{name} is not implemented yet: replace `raise NotImplementedError()` with your code"
        ) from None
    except CheckFailed:
        raise
    except Exception as e:  # noqa: BLE001 - any learner error becomes readable feedback
        shapes = ", ".join(str(getattr(a, "shape", type(a).__name__)) for a in args)
        raise CheckFailed(f"{name} raised {type(e).__name__}: {e} (called with arguments of shape {shapes})") from e


def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a learner's ``fn(*args, **kwargs)``; a stub or a crash becomes a ``CheckFailed`` that says so."""
    return _call(fn, getattr(fn, "__name__", "your function"), *args, **kwargs)


def check_array(name: str, got: object, shape: tuple[int, ...], dtype: np.dtype, context: str = "") -> np.ndarray:
    """Raise ``CheckFailed`` unless ``got`` is a finite array of this shape and dtype kind."""
    where = f" {context}" if context else ""
    dtype = np.dtype(dtype)
    if got is None:
        raise CheckFailed(f"{name} returned None{where}; did you forget the `return` statement?")
    if not isinstance(got, np.ndarray):
        if np.ndim(got) == 0 and shape == ():
            got = np.asarray(got)
        else:
            raise CheckFailed(f"{name} returned a {type(got).__name__}{where}, expected a numpy array of shape {shape}")
    if got.shape != shape:
        raise CheckFailed(f"{name} returned shape {got.shape}{where}, expected {shape}")
    if dtype.kind == "f" and got.dtype != dtype:
        raise CheckFailed(f"{name} returned dtype {got.dtype}{where}, expected {dtype}: "
                          f"keep the input's dtype (avoid creating float64 arrays from float32 input)")
    if dtype.kind in "iub" and got.dtype.kind not in "iub":
        raise CheckFailed(f"{name} returned dtype {got.dtype}{where}, expected integers ({dtype})")
    if got.dtype.kind == "f" and not np.isfinite(got).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0])
        raise CheckFailed(f"{name} returned a non-finite value {got[bad]} at index {list(bad)}{where}; "
                          f"look for an overflow (exp of a large number) or a division by zero")
    return got


def compare_arrays(name: str, got: object, expected: np.ndarray, rtol: float = 1e-6,
                   atol: float = 1e-8, context: str = "") -> None:
    """Raise ``CheckFailed`` unless ``got`` equals ``expected`` in type, shape, dtype and values."""
    expected = np.asarray(expected)
    got = check_array(name, got, expected.shape, expected.dtype, context)
    close = np.isclose(got, expected, rtol=rtol, atol=atol)
    if not close.all():
        bad = tuple(int(i) for i in np.argwhere(~close)[0])
        n_bad = int(close.size - np.count_nonzero(close))
        where = f" {context}" if context else ""
        raise CheckFailed(
            f"{name}{where}: element {list(bad)} is {got[bad].item()!r}, expected {expected[bad].item()!r} "
            f"({n_bad} of {close.size} elements differ)"
        )


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    # Inputs within eps of 0 sit on the kink of ReLU-like functions, where finite
    # differences average two slopes and disagree with any correct backward.
    x = rng.normal(size=shape)
    return x + np.where(x >= 0, 0.1, -0.1)


def _ok(message: str) -> None:
    print(f"\N{CHECK MARK} {message}")


def check_function(fn: Callable[..., Any], reference: Callable[..., Any],
                   make_inputs: Callable[[np.random.Generator, tuple[int, ...], type], tuple],
                   shapes: Sequence[tuple[int, ...]] = DEFAULT_SHAPES,
                   dtypes: Sequence[type] = (np.float64, np.float32), name: str | None = None,
                   rtol: float = 1e-5, atol: float = 1e-7, seed: int = 0) -> None:
    """Check that ``fn(*inputs)`` equals ``reference(*inputs)`` for inputs made per shape and dtype.

    ``make_inputs(rng, shape, dtype)`` returns the argument tuple. Outputs may be an array or a
    tuple of arrays (compared element by element).
    """
    name = name or getattr(fn, "__name__", "your function")
    rng = np.random.default_rng(seed)
    for dtype in dtypes:
        for shape in shapes:
            args = make_inputs(rng, shape, dtype)
            expected = reference(*args)
            got = _call(fn, name, *(a.copy() if isinstance(a, np.ndarray) else a for a in args))
            context = f"for {np.dtype(dtype).name} input of shape {shape}"
            if isinstance(expected, tuple):
                if not isinstance(got, tuple) or len(got) != len(expected):
                    raise CheckFailed(f"{name} must return a tuple of {len(expected)} arrays {context}, got {type(got).__name__}")
                for i, (g, e) in enumerate(zip(got, expected)):
                    compare_arrays(f"{name} (output {i})", g, np.asarray(e), rtol, atol, context)
            else:
                compare_arrays(name, got, np.asarray(expected), rtol, atol, context)
    _ok(f"{name} matches the reference on {len(shapes) * len(dtypes)} inputs")


def check_elementwise_gradient(forward: Callable[[np.ndarray], np.ndarray],
                               backward: Callable[[np.ndarray, np.ndarray], np.ndarray],
                               name: str = "backward", shapes: Sequence[tuple[int, ...]] = DEFAULT_SHAPES,
                               seed: int = 0, tol: float = 1e-6) -> None:
    """Check ``backward(grad_out, x)`` against finite differences of ``forward(x)``.

    The scalar tested is ``L = sum(forward(x) * grad_out)`` with a random ``grad_out``, whose
    gradient with respect to ``x`` is exactly what a backward function must return.
    """
    rng = np.random.default_rng(seed)
    for shape in shapes:
        x = _away_from_zero(rng, shape)
        grad_out = rng.normal(size=shape)
        got = _call(backward, name, grad_out.copy(), x.copy())
        numeric = numerical_grad(lambda: float(np.sum(forward(x) * grad_out)), x)
        compare_arrays(f"{name} vs finite differences", got, numeric, rtol=1e-4, atol=1e-6,
                       context=f"for input of shape {shape}")
        err = relative_error(got, numeric)
        if err > tol:
            raise CheckFailed(f"{name}: relative error {err:.2e} against finite differences for shape {shape}")
    _ok(f"{name} agrees with finite differences on {len(shapes)} shapes")


def check_layer(make_layer: Callable[[int], Layer], make_reference: Callable[[int], Layer] | None = None,
                reference_forward: Callable[[np.ndarray], np.ndarray] | None = None, name: str | None = None,
                shapes: Sequence[tuple[int, int]] = DEFAULT_SHAPES, seed: int = 0) -> None:
    """Check a learner's layer: forward/backward against a reference, then all gradients numerically.

    ``make_layer(n_features)`` builds the learner's layer for inputs with ``n_features``
    columns; ``make_reference(n_features)`` builds the reference layer with the same weights
    (or give ``reference_forward(x)`` for a parameter-free layer without a reference class).
    """
    rng = np.random.default_rng(seed)
    for batch, features in shapes:
        layer = _call(make_layer, name or "your layer", features)
        name = name or type(layer).__name__
        context = f"for input of shape {(batch, features)}"
        x = _away_from_zero(rng, (batch, features))
        out = _call(layer.forward, f"{name}.forward", x.copy())
        ref = make_reference(features) if make_reference is not None else None
        if ref is not None:
            compare_arrays(f"{name}.forward", out, ref.forward(x.copy()), context=context)
        elif reference_forward is not None:
            compare_arrays(f"{name}.forward", out, reference_forward(x.copy()), context=context)
        out = check_array(f"{name}.forward", out, np.shape(out), x.dtype, context)
        grad_out = rng.normal(size=out.shape)
        grad_in = _call(layer.backward, f"{name}.backward", grad_out.copy())
        if ref is not None:
            compare_arrays(f"{name}.backward (input gradient)", grad_in, ref.backward(grad_out.copy()), context=context)
            for key in ref.grads:
                if key not in layer.grads:
                    raise CheckFailed(f"{name}.backward did not store the gradient of {key!r} in self.grads")
                compare_arrays(f"{name}.grads[{key!r}]", layer.grads[key], ref.grads[key], context=context)
        # Finite differences are the final word, whatever the reference says.
        def objective() -> float:
            return float(np.sum(layer.forward(x) * grad_out))

        compare_arrays(f"{name}.backward vs finite differences", grad_in, numerical_grad(objective, x),
                       rtol=1e-4, atol=1e-6, context=context)
        for key, value in layer.params.items():
            analytic = layer.grads[key].copy()
            compare_arrays(f"{name}.grads[{key!r}] vs finite differences", analytic,
                           numerical_grad(objective, value), rtol=1e-4, atol=1e-6, context=context)
    _ok(f"{name} forward and backward are right on {len(shapes)} shapes")


def check_loss(make_loss: Callable[[], Loss], make_reference: Callable[[], Loss],
               make_inputs: Callable[[np.random.Generator, int, int], tuple[np.ndarray, np.ndarray]],
               name: str | None = None, shapes: Sequence[tuple[int, int]] = ((1, 2), (5, 3), (8, 10)),
               seed: int = 0) -> None:
    """Check a learner's ``Loss``: value and ``backward`` against a reference and finite differences."""
    rng = np.random.default_rng(seed)
    for n, k in shapes:
        pred, target = make_inputs(rng, n, k)
        loss, ref = make_loss(), make_reference()
        name = name or type(loss).__name__
        context = f"for predictions of shape {pred.shape}"
        value = _call(loss, f"{name}.forward", pred.copy(), target)
        expected = ref(pred.copy(), target)
        if not isinstance(value, (float, np.floating)) or np.ndim(value) != 0:
            raise CheckFailed(f"{name}.forward must return a float, got {type(value).__name__}")
        if not np.isclose(value, expected, rtol=1e-6, atol=1e-9):
            raise CheckFailed(f"{name}.forward {context}: loss is {value!r}, expected {expected!r}")
        grad = _call(loss.backward, f"{name}.backward")
        compare_arrays(f"{name}.backward", grad, ref.backward(), context=context)
        numeric = numerical_grad(lambda: float(loss(pred, target)), pred)
        compare_arrays(f"{name}.backward vs finite differences", grad, numeric, rtol=1e-4, atol=1e-7, context=context)
    _ok(f"{name} value and gradient are right on {len(shapes)} shapes")


def check_initializer(fn: Callable[..., np.ndarray], expected_std: Callable[[int, int], float],
                      name: str | None = None, distribution: str = "normal",
                      sizes: Sequence[tuple[int, int]] = ((400, 300), (1000, 50), (64, 1000))) -> None:
    """Check ``fn(fan_in, fan_out, rng, dtype)``: shape, dtype, seeding, mean 0 and the right spread."""
    name = name or getattr(fn, "__name__", "your initializer")
    for fan_in, fan_out in sizes:
        W = _call(fn, name, fan_in, fan_out, rng=np.random.default_rng(0), dtype=np.float32)
        check_array(name, W, (fan_in, fan_out), np.float32, context=f"for fan_in={fan_in}, fan_out={fan_out}")
        again = fn(fan_in, fan_out, rng=np.random.default_rng(0), dtype=np.float32)
        if not np.array_equal(W, again):
            raise CheckFailed(f"{name} gives different weights for the same seed: draw from the `rng` argument, "
                              f"not from np.random directly")
        std = expected_std(fan_in, fan_out)
        if abs(W.mean()) > 5 * std / np.sqrt(W.size):
            raise CheckFailed(f"{name}: mean of the weights is {W.mean():.4f}, expected about 0")
        if not 0.95 < W.std() / std < 1.05:
            raise CheckFailed(f"{name}: std of the weights is {W.std():.4f} for fan_in={fan_in}, fan_out={fan_out}; "
                              f"expected {std:.4f}")
        if distribution == "uniform":
            bound = std * np.sqrt(3)
            if np.abs(W).max() > bound * (1 + 1e-6) or np.abs(W).max() < 0.98 * bound:
                raise CheckFailed(f"{name}: a uniform initializer with this std needs the bound ±{bound:.4f}, "
                                  f"but the largest |weight| is {np.abs(W).max():.4f}")
        elif distribution == "normal":
            # A normal sample of this size has values beyond 3 std; a uniform one never does.
            if np.abs(W).max() < 3 * std:
                raise CheckFailed(f"{name}: the weights look uniform, not normal (no value beyond 3 std)")
    _ok(f"{name} has the right shape, dtype, seeding and spread for {len(sizes)} layer sizes")


def check_optimizer(make_optimizer: Callable[[list], Any], make_reference: Callable[[list], Any],
                    name: str | None = None, steps: int = 4, seed: int = 0) -> None:
    """Check an optimizer step by step against a reference on identical parameters and gradients."""
    rng = np.random.default_rng(seed)
    mine = Sequential(Dense(3, 4, rng=seed), Dense(4, 2, rng=seed + 1))
    theirs = Sequential(Dense(3, 4, rng=seed), Dense(4, 2, rng=seed + 1))
    opt = _call(make_optimizer, name or "your optimizer", mine.parameters())
    name = name or type(opt).__name__
    ref = make_reference(theirs.parameters())
    for step in range(1, steps + 1):
        for p, q in zip(mine.parameters(), theirs.parameters()):
            g = rng.normal(size=p.value.shape)
            p.grad[...] = g
            q.grad[...] = g
        _call(opt.step, f"{name}.step")
        ref.step()
        for (key, got), expected in zip(mine.params.items(), theirs.params.values()):
            compare_arrays(f"{name}: parameter {key}", got, expected, rtol=1e-7, atol=1e-10,
                           context=f"after step {step}")
    _ok(f"{name} matches the reference for {steps} steps")
