"""Checks for notebook 05's last two exercises: the learner's own central differences
(:func:`numerical_gradient`) and their own gradient check (:func:`gradient_check`), whose
verdicts are compared with :func:`cnnedu.nn.gradcheck.check_gradient`'s.

The public face is :mod:`cnnedu.exercises.checks.nb05`.
"""
from __future__ import annotations

import numpy as np

from cnnedu.exercises import _core
from cnnedu.exercises._core import Verdict, as_array, call, compare_shape, passed, wrong
from cnnedu.exercises.checks import _nb05_mistakes as mk
from cnnedu.nn.activations import tanh
from cnnedu.nn.conv import conv2d, conv2d_backward
from cnnedu.nn.gradcheck import check_gradient, numerical_gradient as _pkg_numerical
from cnnedu.topics.gradient_checking import norm_rel_error

__all__ = ["numerical_gradient", "gradient_check", "package_note"]

# names of the mistakes (tests use them)
NOT_RESTORED = "x is left changed (an entry was nudged and not put back)"
FORWARD = "a forward difference (f(x + h) - f(x)) / h is used: its error grows like h"
BACKWARD = "a backward difference (f(x) - f(x - h)) / h is used: its error grows like h"
HALF = "the difference is divided by h instead of 2h"
NO_DF = "df is ignored (the gradient of sum(f(x)), not of sum(f(x) * df))"
SMALL_H32 = ("the step is too small for float32 (a float64-sized h, about 1e-6 or less): "
             "rounding swamps the difference")
ABSOLUTE = ("an absolute threshold is used: a correct gradient of size 1e4 fails it and a "
            "wrong one of size 1e-8 passes it")
ALWAYS_TRUE = "the check says right whatever the gradient"
TOO_STRICT = "the threshold is too strict (correct gradients fail)"
TOO_LOOSE = "the threshold is too loose (wrong gradients pass)"

_H_HINT = ("use a central difference, (L(x + h e_i) - L(x - h e_i)) / (2h), with a step "
           "chosen for x's dtype: h = np.finfo(x.dtype).eps ** (1/3) (about 6e-6 in "
           "float64, 5e-3 in float32)")


def package_note(seen, what: str) -> list[str]:
    """The note for a learner who called the package function the exercise asks for."""
    if not seen:
        return []
    return [f"you called {', '.join(sorted(seen))}; that passes, but the exercise asks you "
            f"to write {what}"]


# --------------------------------------------------------------------------- exercise 5

def _grad_cases():
    """(label, f, x, df, exact gradient, tolerance) for float64 and float32."""
    rng = np.random.default_rng(560)
    xq = rng.standard_normal((3, 4))
    dfq = rng.uniform(0.5, 1.5, (3, 4)) * rng.choice([-1.0, 1.0], (3, 4))
    x1 = rng.standard_normal((1, 2, 4, 5))
    w1 = rng.standard_normal((2, 2, 2, 3))
    df1 = rng.standard_normal((1, 2, 3, 3))
    z1 = conv2d(x1, w1)
    g1 = conv2d_backward(df1 * (1 - np.tanh(z1) ** 2), x1, w1)[0]
    x2 = rng.standard_normal((1, 2, 5, 4))
    w2 = rng.standard_normal((2, 2, 3, 2))
    df2 = rng.standard_normal((1, 2, 3, 3))
    g2 = conv2d_backward(df2, x2, w2)[0]
    w2_32, df2_32 = w2.astype(np.float32), df2.astype(np.float32)
    return [
        ("float64, f(x) = x**2", lambda v: v ** 2, xq, dfq, 2 * xq * dfq, 1e-8),
        ("float64, f(x) = tanh(conv2d(x, w))", lambda v: tanh(conv2d(v, w1)), x1, df1, g1,
         1e-7),
        ("float32, f(x) = conv2d(x, w)", lambda v: conv2d(v, w2_32), x2.astype(np.float32),
         df2_32, g2, 1e-2),
    ]


def _offset_mistake(arr, xq, dfq):
    """On f = x**2 a central difference is exact; a one-sided one is off by +-h * df."""
    d = (arr - 2 * xq * dfq) / dfq
    m = float(np.mean(d))
    if abs(m) > 1e-12 and float(np.std(d)) < 1e-3 * abs(m):
        return FORWARD if m > 0 else BACKWARD
    return ""


def numerical_gradient(fn, *, time_limit: float = _core.TIME_LIMIT) -> Verdict:
    """``fn(f, x, df)`` must return the central-difference gradient of
    ``sum(f(x) * df)`` with respect to ``x`` (``x``'s shape, float), for float64 and
    float32 ``x``, and leave ``x`` as it was."""
    cases = _grad_cases()
    with _core.watch_calls(_pkg_numerical, check_gradient) as seen:
        for k, (label, f, x, df, exact, tol) in enumerate(cases):
            given = x.copy()
            got = call(fn, f, given, df.copy(), name="my_numerical_gradient",
                       time_limit=time_limit)
            if isinstance(got, Verdict):
                return got
            what = f"the gradient (case {k}: {label})"
            if not np.array_equal(given, x):
                return wrong(f"{what}: this is what you get when {NOT_RESTORED}.",
                             "after f(x + h e_i) and f(x - h e_i), set x[i] back to its old "
                             "value (or work on a copy)", mistake=NOT_RESTORED)
            arr = as_array(got, what, _H_HINT)
            if isinstance(arr, Verdict):
                return arr
            bad = compare_shape(arr, exact.shape, what, "the gradient has the shape of x")
            if bad is not None:
                return bad
            if not np.all(np.isfinite(arr)):
                return wrong(f"{what} has NaN or inf entries; expected finite numbers.",
                             _H_HINT)
            err = norm_rel_error(arr, exact)
            if err < tol:
                continue
            mistake = ""
            if k == 0:
                if norm_rel_error(arr, 2 * exact) < 1e-6:
                    mistake = HALF
                elif norm_rel_error(arr, 2 * x) < 1e-6:
                    mistake = NO_DF
                else:
                    mistake = _offset_mistake(arr, x, df)
            elif k == 2 and err > tol:
                mistake = SMALL_H32
            msg = (f"{what} is off: relative error {err:.1e}, expected below {tol:.0e}")
            if mistake:
                msg += f"; this is what you get when {mistake}"
            return wrong(msg + ".", _H_HINT, mistake=mistake)
    return passed("your central differences agree with the exact gradient in float64 (error "
                  "below 1e-7) and in float32 (below 1e-2), and x is left as it was.",
                  package_note(seen, "the central differences yourself"))


# --------------------------------------------------------------------------- exercise 6

def _check_cases():
    """(label, f, x, analytic, df, correct?) built on a conv layer, stride 2, padding 1."""
    rng = np.random.default_rng(580)
    x = rng.standard_normal((2, 2, 5, 6))
    w = rng.standard_normal((2, 2, 3, 2))
    b = rng.standard_normal(2)
    kw = {"stride": 2, "padding": 1}
    dy = rng.standard_normal(conv2d(x, w, b, **kw).shape)
    dx, dw, db = conv2d_backward(dy, x, w, **kw)
    dx_norot = mk.conv_mistakes(dy, x, w, 2, 1)["dx"][mk.ROT][0]
    xb = 1e4 * x
    dw_big = conv2d_backward(dy, xb, w, **kw)[1]
    tiny = 1e-8 * dy
    db_first = tiny[0].sum(axis=(1, 2))
    dw_off = dw.copy()
    dw_off.flat[int(np.argmax(np.abs(dw)))] *= 2
    return [
        ("a correct dx", lambda v: conv2d(v, w, b, **kw), x, dx, dy, True),
        ("dx without rot180", lambda v: conv2d(v, w, b, **kw), x, dx_norot, dy, False),
        ("a correct dw, inputs about 1e4", lambda v: conv2d(xb, v, b, **kw), w, dw_big, dy,
         True),
        ("db from one sample, all about 1e-8", lambda v: conv2d(x, w, v, **kw), b, db_first,
         tiny, False),
        ("dw with one entry doubled", lambda v: conv2d(x, v, b, **kw), w, dw_off, dy, False),
        ("a correct db", lambda v: conv2d(x, w, v, **kw), b, db, dy, True),
    ]


def _short(x) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def _as_bool(got):
    if isinstance(got, (bool, np.bool_)):
        return bool(got)
    if isinstance(got, np.ndarray) and got.shape == () and got.dtype == bool:
        return bool(got)
    return None


def gradient_check(fn, *, time_limit: float = _core.TIME_LIMIT) -> Verdict:
    """``fn(f, x, analytic, df)`` must return True when ``analytic`` is the gradient of
    ``sum(f(x) * df)`` and False when it is not; the verdicts are compared with
    :func:`cnnedu.nn.gradcheck.check_gradient` on six cases."""
    cases = _check_cases()
    yours = []
    with _core.watch_calls(check_gradient) as seen:
        for label, f, x, a, df, _ in cases:
            got = call(fn, f, x.copy(), a.copy(), df.copy(), name="my_gradient_check",
                       time_limit=time_limit)
            if isinstance(got, Verdict):
                return got
            b = _as_bool(got)
            if b is None:
                return wrong(f"my_gradient_check should return True or False; got "
                             f"{_short(got)} for '{label}'.",
                             "return error < threshold, a bool")
            yours.append(b)
    package = [check_gradient(f, x.copy(), a, df=df).passed for _, f, x, a, df, _ in cases]
    table = [f"{label:36s} package: {'right' if p else 'WRONG'}   yours: "
             f"{'right' if y else 'WRONG'}{'' if p == y else '   <- differs'}"
             for (label, *_), p, y in zip(cases, package, yours)]
    if yours == package:
        return Verdict("passed", "your check agrees with check_gradient on all six cases:",
                       details=table, notes=package_note(seen, "the check yourself"))
    correct = [c for *_, c in cases]
    if all(yours):
        mistake = ALWAYS_TRUE
    elif not yours[2] and yours[3]:
        mistake = ABSOLUTE
    elif any(not y for y, c in zip(yours, correct) if c):
        mistake = TOO_STRICT
    else:
        mistake = TOO_LOOSE
    return wrong(f"your check disagrees with check_gradient; this is what you get when "
                 f"{mistake}.",
                 "compare relative to the size of the gradients, e.g. ||a - n|| / (||a|| + "
                 "||n||) < 1e-6 with n from your my_numerical_gradient", table,
                 mistake=mistake)
