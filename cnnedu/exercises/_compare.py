"""Comparing a learner's answer with the reference, and naming classic mistakes (part of
:mod:`cnnedu.exercises._core`, which re-exports every name: import from there)."""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from cnnedu.exercises._verdict import Verdict, passed, wrong

__all__ = ["as_array", "compare_shape", "compare", "diagnose", "compare_value"]


def as_array(got, what: str, hint: str = ""):
    """The learner's answer as a float64 array, or a "wrong" :class:`Verdict` saying why
    it is not one (not numeric, complex, ragged, a string, a boolean array)."""
    if isinstance(got, Verdict):
        return got
    if isinstance(got, (str, bytes, dict, set)):
        return wrong(f"{what} should be a numeric array; got a {type(got).__name__}", hint)
    try:
        raw = np.asarray(got)
    except Exception:  # ragged lists and the like
        return wrong(f"{what} should be a numeric array; got {type(got).__name__} that numpy "
                     "cannot turn into one (rows of different lengths?)", hint)
    if raw.dtype == bool:
        return wrong(f"{what} is an array of True/False; expected numbers", hint)
    if np.iscomplexobj(raw):
        if np.any(np.imag(raw) != 0):
            return wrong(f"{what} has complex values; expected real numbers", hint)
        raw = np.real(raw)
    if raw.dtype.kind not in "iuf":
        return wrong(f"{what} should be a numeric array; got an array of dtype "
                     f"{raw.dtype}", hint)
    return raw.astype(np.float64)


def compare_shape(arr: np.ndarray, expected_shape: tuple, what: str, hint: str = ""):
    """None if the shapes agree, else a "wrong" verdict that names both shapes."""
    if arr.shape == tuple(expected_shape):
        return None
    extra = ""
    if arr.shape == tuple(reversed(expected_shape)) and len(expected_shape) == 2:
        extra = " (transposed: rows and columns swapped?)"
    return wrong(f"{what} has shape {arr.shape}; expected shape {tuple(expected_shape)}"
                 f"{extra}.", hint)


def _first_difference(arr, expected, close) -> str:
    idx = tuple(int(i) for i in np.argwhere(~close)[0])
    return f"first difference at index {list(idx)}: got {arr[idx]:.6g}, expected {expected[idx]:.6g}"


def compare(got, expected, what: str, *, hint: str = "", rtol: float = 1e-6,
            atol: float = 1e-8, mistakes: dict | None = None) -> Verdict:
    """Compare an array answer with the reference: type, shape, finiteness, then values.

    ``mistakes`` maps a description of a classic mistake ("the kernel was flipped") to the
    array that mistake produces, or to ``(array, hint)``; a wrong answer equal to one of
    them is named (see :func:`diagnose`).
    """
    arr = as_array(got, what, hint)
    if isinstance(arr, Verdict):
        return arr
    expected = np.asarray(expected, dtype=np.float64)
    if mistakes:
        named = diagnose(arr, expected, mistakes, what, rtol=rtol, atol=atol)
        if named is not None:
            return named
    bad_shape = compare_shape(arr, expected.shape, what, hint)
    if bad_shape is not None:
        return bad_shape
    if not np.all(np.isfinite(arr)):
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        return wrong(f"{what}{list(idx)} is {arr[idx]}; expected a finite number "
                     f"({expected[idx]:.6g}).", hint)
    close = np.isclose(arr, expected, rtol=rtol, atol=atol)
    if close.all():
        return passed(f"{what} matches the reference (shape {expected.shape}).")
    return wrong(f"{what} has the right shape {expected.shape}, but {int((~close).sum())} of "
                 f"{expected.size} values differ.", hint, [_first_difference(arr, expected, close)])


def diagnose(arr, expected, mistakes: dict, what: str, *, rtol: float = 1e-6,
             atol: float = 1e-8) -> Verdict | None:
    """If ``arr`` differs from ``expected`` but equals what a listed mistake gives, a
    "wrong" verdict naming that mistake; else None.

    ``mistakes``: description -> array, or description -> (array, hint). The description
    completes "this is what you get when ...".
    """
    arr = np.asarray(arr, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if arr.shape == expected.shape and np.allclose(arr, expected, rtol=rtol, atol=atol):
        return None
    for description, value in mistakes.items():
        mistaken, hint = value if isinstance(value, tuple) else (value, "")
        if mistaken is None:
            continue
        m = np.asarray(mistaken, dtype=np.float64)
        if m.shape == arr.shape and np.all(np.isfinite(arr)) and np.allclose(
                arr, m, rtol=rtol, atol=atol):
            return wrong(f"{what} is not right: this is what you get when {description}.",
                         hint, mistake=description)
    return None


def _is_integer_value(g) -> bool:
    return isinstance(g, Integral) and not isinstance(g, bool) or (
        isinstance(g, (float, np.floating)) and math.isfinite(g) and float(g).is_integer())


def compare_value(got, expected, what: str, *, hint: str = "", rtol: float = 1e-6,
                  exact: bool = False, mistakes: dict | None = None) -> Verdict:
    """Compare a scalar (or a tuple of scalars) with the reference.

    With ``exact`` (counts, shapes, indices) the answer must be a whole number equal to the
    reference: 2.5 or 3.0000001 is wrong, never rounded. NaN, inf, complex numbers, strings
    and booleans are refused with a clear line. ``mistakes`` maps a description to the
    value a classic mistake gives.
    """
    if isinstance(got, Verdict):
        return got
    if mistakes:
        for description, value in mistakes.items():
            m, mhint = value if isinstance(value, tuple) and len(value) == 2 and isinstance(
                value[1], str) else (value, hint)
            if m is not None and m != expected and _same(got, m, rtol, exact):
                return wrong(f"{what} = {_show(got)} is not right: this is what you get "
                             f"when {description}.", mhint, mistake=description)
    if isinstance(expected, tuple):
        if isinstance(got, np.ndarray):
            got = tuple(got.tolist())
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return wrong(f"{what} should be a tuple of {len(expected)} values; got "
                         f"{_show(got)}", hint)
        for i, (g, e) in enumerate(zip(got, expected)):
            v = compare_value(g, e, f"{what}[{i}]", hint=hint, rtol=rtol, exact=exact)
            if not v:
                return v
        return passed(f"{what} = {tuple(expected)} is right.")
    g = _scalar(got)
    if isinstance(g, str):
        return wrong(f"{what} should be a number; {g}", hint)
    if exact:
        if not _is_integer_value(g):
            return wrong(f"{what} = {_show(got)} is not a whole number; expected a count.", hint)
        ok = int(g) == expected
    else:
        ok = math.isclose(g, float(expected), rel_tol=rtol, abs_tol=0.0)
    if ok:
        return passed(f"{what} = {_show(got)} is right.")
    return wrong(f"{what} = {_show(got)} is not right.", hint)


def _scalar(got):
    """A finite real number, or a string saying why ``got`` is not one."""
    if isinstance(got, (bool, np.bool_)):
        return f"got {got!r} (a boolean)"
    if isinstance(got, np.ndarray) and got.size == 1:
        got = got.reshape(()).item()
    if isinstance(got, (complex, np.complexfloating)):
        return f"got the complex number {got!r}"
    if not isinstance(got, Real):
        return f"got {_show(got)}"
    if isinstance(got, Integral):
        if abs(int(got)) > 2 ** 1000:     # too large for a float: no count is this big
            return f"got a whole number of {len(str(abs(int(got))))} digits"
        return got
    g = float(got)
    if not math.isfinite(g):
        return f"got {g!r}"
    return g


def _same(got, m, rtol, exact) -> bool:
    if isinstance(m, tuple):
        try:
            return len(got) == len(m) and all(_same(a, b, rtol, exact) for a, b in zip(got, m))
        except TypeError:
            return False
    g = _scalar(got)
    if isinstance(g, str):
        return False
    if exact:
        return _is_integer_value(g) and int(g) == m
    return math.isclose(g, float(m), rel_tol=rtol, abs_tol=0.0)


def _show(x) -> str:
    if isinstance(x, np.generic):              # 6.5, not np.float64(6.5)
        x = x.item()
    elif isinstance(x, tuple):
        x = tuple(v.item() if isinstance(v, np.generic) else v for v in x)
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."
