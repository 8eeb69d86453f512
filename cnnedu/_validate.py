"""Input checks shared by every public function.

Each helper raises ``TypeError`` (wrong kind of thing) or ``ValueError`` (right kind,
wrong value or shape) with a message that names the function, what was expected and what
arrived, so a learner never sees a raw numpy traceback from deep inside.

>>> as_float_array([[1, 2], [3, 4]], "x", "demo").dtype
dtype('float64')
>>> pair(2, "stride", "demo")
(2, 2)
>>> pair((1, 3), "padding", "demo", minimum=0)
(1, 3)
>>> integer(3, "depth", "demo", minimum=1)
3
>>> real(0.5, "lr", "demo", minimum=0, strict=True)
0.5
>>> float_dtype("float32", "dtype", "demo")
dtype('float32')
>>> as_rng(3, "seed", "demo").integers(10) == np.random.default_rng(3).integers(10)
np.True_
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "as_float_array",
    "check_ndim",
    "pair",
    "integer",
    "real",
    "check_choice",
    "describe",
    "result_dtype",
    "float_dtype",
    "as_rng",
    "check_callable",
]


def describe(a) -> str:
    """A short description of what arrived: ``an array of shape (3, 4) and dtype float32``."""
    if isinstance(a, np.ndarray):
        return f"an array of shape {a.shape} and dtype {a.dtype}"
    if isinstance(a, (list, tuple)):
        try:
            shape = np.shape(a)
        except ValueError:  # ragged
            return f"a ragged {type(a).__name__}"
        return f"a {type(a).__name__} of shape {shape}"
    return f"{type(a).__name__} {a!r}" if np.isscalar(a) or a is None else type(a).__name__


def as_float_array(a, name: str, func: str) -> np.ndarray:
    """Return ``a`` as a floating-point ndarray, or raise a clear ``TypeError``.

    Floating arrays keep their dtype (float32 stays float32); booleans and integers are
    promoted to float64; anything non-numeric (strings, objects, ragged lists) is refused.
    """
    if isinstance(a, np.ndarray):
        arr = a
    else:
        try:
            arr = np.asarray(a)
        except (ValueError, TypeError):
            raise TypeError(
                f"{func}: {name} must be a numeric array; got {describe(a)}"
            ) from None
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    if arr.dtype.kind == "c":
        raise TypeError(f"{func}: {name} must be real-valued; got complex dtype {arr.dtype}")
    raise TypeError(
        f"{func}: {name} must be a numeric array; got {describe(a)}"
    )


def check_ndim(arr: np.ndarray, ndim: int, name: str, func: str, axes: str) -> None:
    """Raise ``ValueError`` unless ``arr.ndim == ndim``; ``axes`` names them, e.g. ``(N, C, H, W)``."""
    if arr.ndim != ndim:
        raise ValueError(
            f"{func}: {name} must have shape {axes} ({ndim}-D); "
            f"got an array of shape {arr.shape} ({arr.ndim}-D)"
        )


def _as_int(v, name: str, func: str) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{func}: {name} must be an integer or a pair of integers; got {v!r}")
    return int(v)


def pair(value, name: str, func: str, minimum: int = 1) -> tuple[int, int]:
    """Normalize an int or an ``(h, w)`` pair of ints, each at least ``minimum``."""
    if isinstance(value, (tuple, list, np.ndarray)):
        if len(value) != 2:
            raise ValueError(
                f"{func}: {name} must be an integer or an (h, w) pair; got {value!r}"
            )
        h, w = (_as_int(v, name, func) for v in value)
    else:
        h = w = _as_int(value, name, func)
    if h < minimum or w < minimum:
        raise ValueError(f"{func}: {name} must be >= {minimum}; got {value!r}")
    return h, w


def integer(v, name: str, func: str, *, minimum: int | None = None,
            maximum: int | None = None, expected: str | None = None) -> int:
    """Return ``v`` as a Python ``int`` in ``[minimum, maximum]`` (either bound optional).

    Python and numpy integers are accepted; ``bool`` and everything else (floats too, even
    ``2.0``) raise ``TypeError``. A value out of range raises ``ValueError``; ``expected``
    replaces the generated description in that message (``"an integer >= 1"``).

    >>> integer(np.int64(4), "n", "demo", minimum=1)
    4
    >>> integer(2.5, "n", "make_bars", minimum=1)
    Traceback (most recent call last):
    ...
    TypeError: make_bars: n must be an integer; got float 2.5
    >>> integer(0, "epochs", "train", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: train: epochs must be an integer >= 1; got 0
    >>> integer(65, "channels", "demo", minimum=1, maximum=64)
    Traceback (most recent call last):
    ...
    ValueError: demo: channels must be an integer from 1 to 64; got 65
    """
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{func}: {name} must be an integer; got {describe(v)}")
    v = int(v)
    if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
        if expected is None:
            if minimum is not None and maximum is not None:
                expected = f"an integer from {minimum} to {maximum}"
            elif minimum is not None:
                expected = f"an integer >= {minimum}"
            else:
                expected = f"an integer <= {maximum}"
        raise ValueError(f"{func}: {name} must be {expected}; got {v}")
    return v


def real(v, name: str, func: str, *, minimum: float | None = None,
         maximum: float | None = None, strict: bool = False, finite: bool = True,
         expected: str | None = None) -> float:
    """Return ``v`` as a Python ``float``, finite and in ``[minimum, maximum]``.

    Python and numpy reals (integers included) are accepted; ``bool``, complex numbers and
    everything else raise ``TypeError``. ``strict=True`` excludes ``minimum`` itself;
    ``finite=False`` lets infinities through (NaN is always refused). A value out of range
    raises ``ValueError``; ``expected`` replaces the generated description in that message.

    >>> real(np.float32(0.25), "momentum", "demo", minimum=0)
    0.25
    >>> real(0.0, "lr", "SGD", minimum=0, strict=True)
    Traceback (most recent call last):
    ...
    ValueError: SGD: lr must be a finite number > 0; got 0.0
    >>> real(float("nan"), "bias", "demo")
    Traceback (most recent call last):
    ...
    ValueError: demo: bias must be a finite number; got nan
    >>> real("1", "bias", "demo")
    Traceback (most recent call last):
    ...
    TypeError: demo: bias must be a real number; got str '1'
    """
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
        raise TypeError(f"{func}: {name} must be a real number; got {describe(v)}")
    v = float(v)
    bad = math.isnan(v) or (finite and math.isinf(v))
    if minimum is not None:
        bad = bad or v < minimum or (strict and v == minimum)
    if maximum is not None:
        bad = bad or v > maximum
    if bad:
        if expected is None:
            bounds = []
            if minimum is not None:
                bounds.append(f"{'>' if strict else '>='} {minimum:g}")
            if maximum is not None:
                bounds.append(f"<= {maximum:g}")
            kind = "a finite number" if finite else "a number"
            expected = " ".join([kind, " and ".join(bounds)]).rstrip()
        raise ValueError(f"{func}: {name} must be {expected}; got {v!r}")
    return v


def check_choice(value, choices, name: str, func: str) -> str:
    """Raise ``ValueError`` unless ``value`` is one of ``choices`` (strings)."""
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{func}: {name} must be one of {options}; got {value!r}")
    return value


def result_dtype(*arrays: np.ndarray) -> np.dtype:
    """The dtype the main operands agree on (float32 only when all are float32)."""
    return np.result_type(*[a.dtype for a in arrays])


_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def float_dtype(dtype, name: str, func: str, allowed=_FLOAT_DTYPES) -> np.dtype:
    """``dtype`` as a numpy dtype among ``allowed`` (float32 and float64), or raise ``TypeError``.

    Anything numpy does not understand (``"banana"``, ``3``), ``None`` and other dtypes
    (``int32``, ``float16``) are refused with the list of what is accepted.

    >>> float_dtype(np.float64, "dtype", "demo")
    dtype('float64')
    >>> float_dtype("banana", "dtype", "Conv2D")
    Traceback (most recent call last):
    ...
    TypeError: Conv2D: dtype must be float32 or float64; got str 'banana' (write np.float32 or "float32", np.float64 or "float64")
    """
    names = " or ".join(d.name for d in allowed)
    spelled = ", ".join(f'np.{d.name} or "{d.name}"' for d in allowed)
    what = describe(dtype) if isinstance(dtype, (str, np.ndarray)) else repr(dtype)
    expected = f"{name} must be {names}; got {what} (write {spelled})"
    if dtype is None or isinstance(dtype, (bool, np.bool_)):
        raise TypeError(f"{func}: {expected}")
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        raise TypeError(f"{func}: {expected}") from None
    if dt not in allowed:
        raise TypeError(f"{func}: {expected}")
    return dt


def as_rng(value, name: str, func: str, *, allow_none: bool = True) -> np.random.Generator:
    """A ``numpy.random.Generator`` from a Generator, a non-negative integer seed or ``None``.

    ``None`` (when ``allow_none``) draws a fresh, unseeded generator. Negative integers,
    booleans, floats (even ``2.0``), strings and sequences are refused: ``TypeError`` for
    the wrong kind, ``ValueError`` for a negative seed.

    >>> as_rng(-1, "seed", "fit")
    Traceback (most recent call last):
    ...
    ValueError: fit: seed must be a non-negative integer (or a numpy.random.Generator); got -1
    >>> as_rng("abc", "rng", "Dense")
    Traceback (most recent call last):
    ...
    TypeError: Dense: rng must be a numpy.random.Generator, a non-negative integer seed or None; got str 'abc'
    """
    if isinstance(value, np.random.Generator):
        return value
    if value is None and allow_none:
        return np.random.default_rng()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        kinds = "a non-negative integer seed" + (" or None" if allow_none else "")
        raise TypeError(f"{func}: {name} must be a numpy.random.Generator, {kinds}; "
                        f"got {describe(value)}")
    if value < 0:
        raise ValueError(f"{func}: {name} must be a non-negative integer (or a "
                         f"numpy.random.Generator); got {int(value)}")
    return np.random.default_rng(int(value))


def check_callable(value, name: str, func: str, signature: str, n_args: int):
    """``value`` if it is callable with ``n_args`` positional arguments, else ``TypeError``.

    ``signature`` describes what is expected, e.g. ``"f(shape, rng)"``. Functions whose
    signature Python cannot inspect (some builtins) are accepted as they are.

    >>> check_callable(lambda s: s, "init", "Dense", "f(shape, rng)", 2)
    Traceback (most recent call last):
    ...
    TypeError: Dense: init must be a function f(shape, rng) (2 arguments); got a function that cannot take 2 arguments: (s)
    """
    if not callable(value):
        raise TypeError(f"{func}: {name} must be a function {signature}; got {describe(value)}")
    import inspect

    try:
        sig = inspect.signature(value)
    except (TypeError, ValueError):
        return value
    try:
        sig.bind(*([None] * n_args))
    except TypeError:
        raise TypeError(f"{func}: {name} must be a function {signature} ({n_args} arguments); "
                        f"got a function that cannot take {n_args} arguments: {sig}") from None
    return value
