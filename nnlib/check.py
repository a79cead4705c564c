"""Feedback for learners: compare your implementation with nnlib's and say what is wrong.

Used by the graded assignments. Every check runs a learner's code on several shapes (and both
float dtypes where it matters) and raises ``CheckFailed``, an ``AssertionError``, whose message
names the problem: a wrong shape or dtype, the first wrong element with both values, or the
gradient that disagrees with finite differences. On success it prints one line and returns.

Feedback is written for the learner: calls are described with the learner's own parameter
names and argument shapes, return values are counted from one and named where the test knows
the names ("the second of 3 return values, dW"), common mistakes are named (a flipped sign, a
transpose, a factor equal to the batch size), and a ``CheckFailed`` shows in Jupyter as its
message alone, without a traceback through this file. Used by the graded assignments in
``assignments/`` (one per chapter).
"""

from __future__ import annotations

import inspect
import linecache
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._validation import as_rng, seed_is_old_rng
from .gradcheck import numerical_grad, relative_error
from .layers import Dense, Layer, Sequential
from .losses import Loss

DEFAULT_SHAPES: tuple[tuple[int, int], ...] = ((1, 1), (4, 3), (7, 5))
_NNLIB = str(Path(__file__).resolve().parent)
_ORDINALS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
)


class CheckFailed(AssertionError):
    """A learner's code disagrees with the reference; the message says how."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback: the message is the whole feedback, and
        # the frames inside nnlib (with the teacher's file paths) mean nothing to a learner.
        return [f"\x1b[0;31mCheckFailed\x1b[0m: {self}"]


def describe_call(
    fn: Callable[..., Any], args: Sequence[Any], kwargs: dict | None = None
) -> str:
    """Describe a call the way the learner sees it: ``grad_out of shape (4, 3), x of shape (4, 5) (float64)``.

    Arguments are named after ``fn``'s own parameters where its signature allows.
    """
    kwargs = kwargs or {}
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs).arguments
        named = list(bound.items())
    except (
        TypeError,
        ValueError,
    ):  # builtins without a signature, or a call that does not bind
        named = [(f"argument {i}", a) for i, a in enumerate(args, start=1)] + list(
            kwargs.items()
        )
    parts, dtypes = [], set()
    for key, value in named:
        if isinstance(value, np.ndarray):
            parts.append(f"{key} of shape {value.shape}")
            if value.dtype.kind == "f":
                dtypes.add(value.dtype.name)
        elif (
            isinstance(value, (tuple, list))
            and value
            and all(isinstance(v, np.ndarray) for v in value)
        ):
            parts.append(f"{key} of {len(value)} arrays")
        else:
            text = repr(value)
            parts.append(f"{key}={text if len(text) <= 30 else type(value).__name__}")
    text = (
        ", ".join(parts[:-1])
        + (" and " if len(parts) > 1 else "")
        + (parts[-1] if parts else "no arguments")
    )
    return text + (f" ({dtypes.pop()})" if len(dtypes) == 1 else "")


def output_name(i: int, n: int, names: Sequence[str] | None = None) -> str:
    """``the second return value, dW``: 1-based, and named when the names are known."""
    ordinal = _ORDINALS[i] if i < len(_ORDINALS) else f"number {i + 1}"
    name = f", {names[i]}" if names is not None and i < len(names) else ""
    return f"the {ordinal} of {n} return values{name}"


def _learner_line(error: BaseException) -> str:
    """`` at line 3 of your code: `return x[:, 5]` `` for the deepest frame outside nnlib."""
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if not f.filename.startswith(_NNLIB)
    ]
    if not frames:
        return ""
    frame = frames[-1]
    line = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
    return (
        f" at line {frame.lineno} of your code: `{line}`"
        if line
        else f" at line {frame.lineno} of your code"
    )


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
        raise CheckFailed(
            f"{name} raised {type(e).__name__}: {e}{_learner_line(e)} "
            f"(called with {describe_call(fn, args, kwargs)})"
        ) from None


def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a learner's ``fn(*args, **kwargs)``; a stub or a crash becomes a ``CheckFailed`` that says so."""
    return _call(fn, getattr(fn, "__name__", "your function"), *args, **kwargs)


def _num(value: Any) -> str:
    """A number as a learner reads it: 6 significant digits, no numpy repr."""
    value = np.asarray(value).item()
    return f"{value:.6g}" if isinstance(value, float) else repr(value)


def pattern_hint(
    got: np.ndarray, expected: np.ndarray, sizes: dict[str, int] | None = None
) -> str:
    """Name a common mistake behind a wrong array: a flipped sign, a transpose, a constant factor.

    ``sizes`` maps a description (``"the batch size"``) to a number a factor may equal, e.g.
    a forgotten ``1/n``. Returns ``""`` when no pattern fits.
    """
    try:
        got, expected = (
            np.asarray(got, dtype=np.float64),
            np.asarray(expected, dtype=np.float64),
        )
    except (
        TypeError,
        ValueError,
    ):  # not numbers (None, a string...): no pattern to name
        return ""
    if got.shape != expected.shape or got.size == 0 or not np.any(expected):
        return ""
    if (
        got.ndim == 2
        and got.shape[0] == got.shape[1]
        and got.shape[0] > 1
        and np.allclose(got.T, expected)
    ):
        return "; your result is the transpose of the expected one: check the order of the product"
    each = "the value" if got.ndim == 0 else "every element"
    if np.allclose(got, -expected, rtol=1e-5, atol=1e-8):
        return f"; {each} has the wrong sign: check the sign of your formula (a - b vs b - a)"
    mask = np.abs(expected) > 1e-8 * np.abs(expected).max()
    ratio = got[mask] / expected[mask]
    factor = float(np.median(ratio))
    if (
        factor != 0
        and not np.isclose(factor, 1.0)
        and np.allclose(ratio, factor, rtol=1e-4)
        and np.allclose(got[~mask], 0, atol=1e-8)
    ):
        for what, size in (sizes or {}).items():
            if size > 1 and np.isclose(factor, size, rtol=1e-4):
                return (
                    f"; {each} is {size} times the expected value, and {size} is {what}: "
                    f"did you forget to divide by it?"
                )
            if size > 1 and np.isclose(factor, 1 / size, rtol=1e-4):
                return (
                    f"; {each} is the expected value divided by {size}, which is {what}: "
                    f"did you divide by it twice, or where it does not belong?"
                )
        return f"; {each} is {factor:.4g} times the expected value: look for a wrong constant factor"
    return ""


def check_array(
    name: str, got: object, shape: tuple[int, ...], dtype: np.dtype, context: str = ""
) -> np.ndarray:
    """Raise ``CheckFailed`` unless ``got`` is a finite array of this shape and dtype kind."""
    where = f" {context}" if context else ""
    dtype = np.dtype(dtype)
    if got is None:
        raise CheckFailed(
            f"{name} returned None{where}; did you forget the `return` statement?"
        )
    if not isinstance(got, np.ndarray):
        if np.ndim(got) == 0 and shape == ():
            got = np.asarray(got)
        else:
            raise CheckFailed(
                f"{name} returned a {type(got).__name__}{where}, expected a numpy array of shape {shape}"
            )
    if got.shape != shape:
        hint = (
            "; that is the expected shape transposed: check the order of your matrix product "
            "or a missing .T"
            if len(shape) == 2 and got.shape == shape[::-1]
            else ""
        )
        raise CheckFailed(
            f"{name} returned shape {got.shape}{where}, expected {shape}{hint}"
        )
    if dtype.kind == "f" and got.dtype != dtype:
        raise CheckFailed(
            f"{name} returned dtype {got.dtype}{where}, expected {dtype}: "
            f"keep the input's dtype (avoid creating float64 arrays from float32 input)"
        )
    if dtype.kind in "iub" and got.dtype.kind not in "iub":
        raise CheckFailed(
            f"{name} returned dtype {got.dtype}{where}, expected integers ({dtype})"
        )
    if got.dtype.kind == "f" and not np.isfinite(got).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0])
        raise CheckFailed(
            f"{name} returned a non-finite value {got[bad]} at index {list(bad)}{where}; "
            f"look for an overflow (exp of a large number) or a division by zero"
        )
    return got


def compare_arrays(
    name: str,
    got: object,
    expected: np.ndarray,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    context: str = "",
    sizes: dict[str, int] | None = None,
) -> None:
    """Raise ``CheckFailed`` unless ``got`` equals ``expected`` in type, shape, dtype and values.

    The message names the first wrong element and, where one fits, a common mistake
    (:func:`pattern_hint`; ``sizes`` are the numbers a wrong factor may equal).
    """
    expected = np.asarray(expected)
    got = check_array(name, got, expected.shape, expected.dtype, context)
    close = np.isclose(got, expected, rtol=rtol, atol=atol)
    if not close.all():
        bad = tuple(int(i) for i in np.argwhere(~close)[0])
        n_bad = int(close.size - np.count_nonzero(close))
        where = f" {context}" if context else ""
        raise CheckFailed(
            f"{name}{where}: element {list(bad)} is {_num(got[bad])}, expected {_num(expected[bad])} "
            f"({n_bad} of {close.size} elements differ){pattern_hint(got, expected, sizes)}"
        )


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    # Inputs within eps of 0 sit on the kink of ReLU-like functions, where finite
    # differences average two slopes and disagree with any correct backward.
    x = rng.normal(size=shape)
    return x + np.where(x >= 0, 0.1, -0.1)


def _ok(message: str) -> None:
    print(f"\N{CHECK MARK} {message}")


@seed_is_old_rng
def check_function(
    fn: Callable[..., Any],
    reference: Callable[..., Any],
    make_inputs: Callable[[np.random.Generator, tuple[int, ...], type], tuple],
    shapes: Sequence[tuple[int, ...]] = DEFAULT_SHAPES,
    dtypes: Sequence[type] = (np.float64, np.float32),
    name: str | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    rng: np.random.Generator | int | None = 0,
    outputs: Sequence[str] | None = None,
) -> None:
    """Check that ``fn(*inputs)`` equals ``reference(*inputs)`` for inputs made per shape and dtype.

    ``make_inputs(rng, shape, dtype)`` returns the argument tuple. Outputs may be an array or a
    tuple of arrays (compared element by element); ``outputs`` names them for the feedback
    (``("dx", "dW", "db")`` gives "the second of 3 return values, dW"). Messages describe the
    call with the learner's own parameter names and shapes; a wrong factor equal to the batch
    size (the length of the first array argument) is pointed out.
    """
    name = name or getattr(fn, "__name__", "your function")
    rng = as_rng(rng, "check_function")
    for dtype in dtypes:
        for shape in shapes:
            args = make_inputs(rng, shape, dtype)
            expected = reference(*args)
            got = _call(
                fn, name, *(a.copy() if isinstance(a, np.ndarray) else a for a in args)
            )
            context = f"with {describe_call(fn, args)}"
            first = next(
                (a for a in args if isinstance(a, np.ndarray) and a.ndim >= 1), None
            )
            sizes = (
                {"the batch size (the number of rows)": len(first)}
                if first is not None
                else {}
            )
            if isinstance(expected, tuple):
                if not isinstance(got, tuple) or len(got) != len(expected):
                    what = (
                        f"a tuple of {len(got)}"
                        if isinstance(got, tuple)
                        else f"a {type(got).__name__}"
                    )
                    raise CheckFailed(
                        f"{name} must return a tuple of {len(expected)} arrays"
                        f"{' (' + ', '.join(outputs) + ')' if outputs else ''} {context}, "
                        f"got {what}"
                    )
                for i, (g, e) in enumerate(zip(got, expected)):
                    compare_arrays(
                        f"{name}, {output_name(i, len(expected), outputs)},",
                        g,
                        np.asarray(e),
                        rtol,
                        atol,
                        context,
                        sizes,
                    )
            else:
                compare_arrays(
                    name, got, np.asarray(expected), rtol, atol, context, sizes
                )
    _ok(f"{name} matches the reference on {len(shapes) * len(dtypes)} inputs")


@seed_is_old_rng
def check_elementwise_gradient(
    forward: Callable[[np.ndarray], np.ndarray],
    backward: Callable[[np.ndarray, np.ndarray], np.ndarray],
    name: str = "backward",
    shapes: Sequence[tuple[int, ...]] = DEFAULT_SHAPES,
    rng: np.random.Generator | int | None = 0,
    tol: float = 1e-6,
) -> None:
    """Check ``backward(grad_out, x)`` against finite differences of ``forward(x)``.

    The scalar tested is ``L = sum(forward(x) * grad_out)`` with a random ``grad_out``, whose
    gradient with respect to ``x`` is exactly what a backward function must return.
    """
    rng = as_rng(rng, "check_elementwise_gradient")
    for shape in shapes:
        x = _away_from_zero(rng, shape)
        grad_out = rng.normal(size=shape)
        got = _call(backward, name, grad_out.copy(), x.copy())
        # The closure is called inside numerical_grad, in this iteration: late binding is moot.
        numeric = numerical_grad(lambda: float(np.sum(forward(x) * grad_out)), x)  # noqa: B023
        compare_arrays(
            f"{name} vs finite differences",
            got,
            numeric,
            rtol=1e-4,
            atol=1e-6,
            context=f"for input of shape {shape}",
        )
        err = relative_error(got, numeric)
        if err > tol:
            raise CheckFailed(
                f"{name}: relative error {err:.2e} against finite differences for shape {shape}"
            )
    _ok(f"{name} agrees with finite differences on {len(shapes)} shapes")


@seed_is_old_rng
def check_layer(
    make_layer: Callable[[int], Layer],
    make_reference: Callable[[int], Layer] | None = None,
    reference_forward: Callable[[np.ndarray], np.ndarray] | None = None,
    name: str | None = None,
    shapes: Sequence[tuple[int, int]] = DEFAULT_SHAPES,
    rng: np.random.Generator | int | None = 0,
) -> None:
    """Check a learner's layer: forward/backward against a reference, then all gradients numerically.

    ``make_layer(n_features)`` builds the learner's layer for inputs with ``n_features``
    columns; ``make_reference(n_features)`` builds the reference layer with the same weights
    (or give ``reference_forward(x)`` for a parameter-free layer without a reference class).
    """
    rng = as_rng(rng, "check_layer")
    for batch, features in shapes:
        layer = _call(make_layer, name or "your layer", features)
        name = name or type(layer).__name__
        context = f"for input of shape {(batch, features)}"
        x = _away_from_zero(rng, (batch, features))
        out = _call(layer.forward, f"{name}.forward", x.copy())
        ref = make_reference(features) if make_reference is not None else None
        if ref is not None:
            compare_arrays(
                f"{name}.forward", out, ref.forward(x.copy()), context=context
            )
        elif reference_forward is not None:
            compare_arrays(
                f"{name}.forward", out, reference_forward(x.copy()), context=context
            )
        out = check_array(f"{name}.forward", out, np.shape(out), x.dtype, context)
        grad_out = rng.normal(size=out.shape)
        grad_in = _call(layer.backward, f"{name}.backward", grad_out.copy())
        if ref is not None:
            compare_arrays(
                f"{name}.backward (input gradient)",
                grad_in,
                ref.backward(grad_out.copy()),
                context=context,
            )
            for key in ref.grads:
                if key not in layer.grads:
                    raise CheckFailed(
                        f"{name}.backward did not store the gradient of {key!r} in self.grads"
                    )
                compare_arrays(
                    f"{name}.grads[{key!r}]",
                    layer.grads[key],
                    ref.grads[key],
                    context=context,
                )

        # Finite differences are the final word, whatever the reference says.
        def objective() -> float:
            return float(np.sum(layer.forward(x) * grad_out))  # noqa: B023 (called in this iteration)

        compare_arrays(
            f"{name}.backward vs finite differences",
            grad_in,
            numerical_grad(objective, x),
            rtol=1e-4,
            atol=1e-6,
            context=context,
        )
        for key, value in layer.params.items():
            analytic = layer.grads[key].copy()
            compare_arrays(
                f"{name}.grads[{key!r}] vs finite differences",
                analytic,
                numerical_grad(objective, value),
                rtol=1e-4,
                atol=1e-6,
                context=context,
            )
    _ok(f"{name} forward and backward are right on {len(shapes)} shapes")


@seed_is_old_rng
def check_loss(
    make_loss: Callable[[], Loss],
    make_reference: Callable[[], Loss],
    make_inputs: Callable[
        [np.random.Generator, int, int], tuple[np.ndarray, np.ndarray]
    ],
    name: str | None = None,
    shapes: Sequence[tuple[int, int]] = ((1, 2), (5, 3), (8, 10)),
    rng: np.random.Generator | int | None = 0,
) -> None:
    """Check a learner's ``Loss``: value and ``backward`` against a reference and finite differences."""
    rng = as_rng(rng, "check_loss")
    for n, k in shapes:
        pred, target = make_inputs(rng, n, k)
        loss, ref = make_loss(), make_reference()
        name = name or type(loss).__name__
        context = f"for predictions of shape {pred.shape}"
        value = _call(loss, f"{name}.forward", pred.copy(), target)
        expected = ref(pred.copy(), target)
        if not isinstance(value, (float, np.floating)) or np.ndim(value) != 0:
            raise CheckFailed(
                f"{name}.forward must return a float, got {type(value).__name__}"
            )
        if not np.isclose(value, expected, rtol=1e-6, atol=1e-9):
            hint = pattern_hint(
                np.array(value), np.array(expected), {"the batch size": n}
            )
            raise CheckFailed(
                f"{name}.forward {context}: loss is {_num(value)}, expected {_num(expected)}{hint}"
            )
        grad = _call(loss.backward, f"{name}.backward")
        compare_arrays(f"{name}.backward", grad, ref.backward(), context=context)
        numeric = numerical_grad(lambda: float(loss(pred, target)), pred)  # noqa: B023 (called now)
        compare_arrays(
            f"{name}.backward vs finite differences",
            grad,
            numeric,
            rtol=1e-4,
            atol=1e-7,
            context=context,
        )
    _ok(f"{name} value and gradient are right on {len(shapes)} shapes")


def check_initializer(
    fn: Callable[..., np.ndarray],
    expected_std: Callable[[int, int], float],
    name: str | None = None,
    distribution: str = "normal",
    sizes: Sequence[tuple[int, int]] = ((400, 300), (1000, 50), (64, 1000)),
) -> None:
    """Check ``fn(fan_in, fan_out, rng, dtype)``: shape, dtype, seeding, mean 0 and the right spread."""
    name = name or getattr(fn, "__name__", "your initializer")
    for fan_in, fan_out in sizes:
        W = _call(
            fn, name, fan_in, fan_out, rng=np.random.default_rng(0), dtype=np.float32
        )
        check_array(
            name,
            W,
            (fan_in, fan_out),
            np.float32,
            context=f"for fan_in={fan_in}, fan_out={fan_out}",
        )
        again = fn(fan_in, fan_out, rng=np.random.default_rng(0), dtype=np.float32)
        if not np.array_equal(W, again):
            raise CheckFailed(
                f"{name} gives different weights for the same seed: draw from the `rng` argument, "
                f"not from np.random directly"
            )
        std = expected_std(fan_in, fan_out)
        if abs(W.mean()) > 5 * std / np.sqrt(W.size):
            raise CheckFailed(
                f"{name}: mean of the weights is {W.mean():.4f}, expected about 0"
            )
        if not 0.95 < W.std() / std < 1.05:
            raise CheckFailed(
                f"{name}: std of the weights is {W.std():.4f} for fan_in={fan_in}, fan_out={fan_out}; "
                f"expected {std:.4f}"
            )
        if distribution == "uniform":
            bound = std * np.sqrt(3)
            if np.abs(W).max() > bound * (1 + 1e-6) or np.abs(W).max() < 0.98 * bound:
                raise CheckFailed(
                    f"{name}: a uniform initializer with this std needs the bound ±{bound:.4f}, "
                    f"but the largest |weight| is {np.abs(W).max():.4f}"
                )
        elif distribution == "normal":
            # A normal sample of this size has values beyond 3 std; a uniform one never does.
            if np.abs(W).max() < 3 * std:
                raise CheckFailed(
                    f"{name}: the weights look uniform, not normal (no value beyond 3 std)"
                )
    _ok(
        f"{name} has the right shape, dtype, seeding and spread for {len(sizes)} layer sizes"
    )


@seed_is_old_rng
def check_optimizer(
    make_optimizer: Callable[[list], Any],
    make_reference: Callable[[list], Any],
    name: str | None = None,
    steps: int = 4,
    rng: np.random.Generator | int | None = 0,
) -> None:
    """Check an optimizer step by step against a reference on identical parameters and gradients."""
    rng = as_rng(rng, "check_optimizer")
    # Both networks must start from the same weights: draw two seeds and build each from them.
    seeds = rng.integers(2**32, size=2).tolist()
    mine = Sequential(Dense(3, 4, rng=seeds[0]), Dense(4, 2, rng=seeds[1]))
    theirs = Sequential(Dense(3, 4, rng=seeds[0]), Dense(4, 2, rng=seeds[1]))
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
            compare_arrays(
                f"{name}: parameter {key}",
                got,
                expected,
                rtol=1e-7,
                atol=1e-10,
                context=f"after step {step}",
            )
    _ok(f"{name} matches the reference for {steps} steps")
