"""Finite-difference gradient checks: the oracle every backward pass is tested against.

**Defaults (measured, float64 only).** :func:`check_gradient` uses the central-difference
step ``h = 1e-6`` and passes when the largest *scaled* relative error is below
``tol = 1e-5``. Each entry is judged against its own size, ``|g_i| + |n_i|``, but never
against less than ``rel_floor = 1e-3`` times the largest ``|g_j| + |n_j|`` of the array
(nor less than the absolute ``floor = 1e-8``): an entry a thousand times smaller than the
biggest is compared with the biggest, because there the finite-difference noise (about
1e-9 of the largest entry, absolute) is as large as the entry itself. Over 2,808 random
correct problems (conv ``dx``/``dw``/``db``, seven activations, Dense, MaxPool2D and a
small Conv-ReLU-Pool-Dense model) the largest error was 2e-7 (50 times below ``tol``);
over 1,400 wrong gradients (a missing rot180, ``db`` from one sample, a batch-averaged
``dw``, a leaky ReLU without its slope, the tanh-approximate GELU, a misrouted max-pool
gradient, one entry off by 2x) the smallest was 8e-4 (the tanh GELU, 80 times above).
float32 is refused: its best achievable error (about 1e-3) overlaps the subtle bugs.

For a function ``f`` of an array ``x`` and an upstream gradient ``df`` (the same shape as
``f(x)``), the scalar being differentiated is :math:`L(x) = \\sum f(x) \\odot df`. Its
gradient is estimated one element at a time by central differences,

.. math::

    \\frac{\\partial L}{\\partial x_i} \\approx
    \\frac{L(x + h e_i) - L(x - h e_i)}{2h},

whose truncation error is :math:`O(h^2)` and whose rounding error is about
:math:`\\varepsilon\\,|L| / h` (:math:`\\varepsilon` the machine epsilon). With float64
(:math:`\\varepsilon \\approx 2.2\\times10^{-16}`) and :math:`h = 10^{-6}` both are around
:math:`10^{-10}` *of the largest entries*: an entry whose true value is small carries
the same absolute noise, so its own relative error can reach :math:`10^{-7}` or more
(CS231n's conv test case, seed 231: 1.07e-7 at an entry of size 0.0031, with ``dx``
exact). The scaled error with ``rel_floor`` keeps such entries from crying wolf. With
float32 (:math:`\\varepsilon \\approx 1.2\\times10^{-7}`) the rounding error alone is around
:math:`10^{-1}` at this step, which is why float32 is refused.

>>> import numpy as np
>>> x = np.array([1.0, -2.0, 3.0])
>>> g = numerical_gradient(lambda v: v ** 2, x)
>>> print(np.round(g, 6))
[ 2. -4.  6.]
>>> print(rel_error(g, 2 * x) < 1e-9)
True
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from cnnedu._validate import as_float_array, describe

__all__ = ["numerical_gradient", "rel_error", "check_gradient", "GradCheckResult", "DEFAULTS"]

_WHY_FLOAT64 = (
    "finite differences need float64: float32 keeps only about 7 significant digits, so "
    "f(x + h) - f(x - h) loses most of them to rounding and the estimate is wrong by "
    "about 1e-7 / h (0.1 for h = 1e-6); use x.astype(np.float64)"
)


def _check_h(h, func: str) -> float:
    if isinstance(h, (bool, np.bool_)) or not isinstance(h, numbers.Real):
        raise TypeError(f"{func}: h must be a positive real number; got {describe(h)}")
    h = float(h)
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"{func}: h must be a positive finite number; got {h!r}")
    return h


def _evaluate(f, x: np.ndarray, func: str) -> np.ndarray:
    out = f(x)
    try:
        out = np.asarray(out)
    except (TypeError, ValueError):
        raise TypeError(
            f"{func}: f must return a numeric array or scalar; got {describe(out)}"
        ) from None
    if out.dtype.kind == "f" and out.dtype.itemsize < 8:
        raise TypeError(f"{func}: f returned dtype {out.dtype}; {_WHY_FLOAT64}")
    if out.dtype.kind not in "biuf":
        raise TypeError(
            f"{func}: f must return a real numeric array or scalar; got {describe(out)}"
        )
    return out.astype(np.float64, copy=False)


def numerical_gradient(f, x, df=None, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of ``sum(f(x) * df)`` with respect to ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns an array (any shape) or a scalar. It is called ``2 * x.size``
        times, so keep ``x`` small (a few hundred elements).
    x : ndarray, float64, any shape
        The point of evaluation. **Perturbed in place** (one element at a time, so ``f``
        sees an array of the usual shape and dtype) and restored afterwards, even if ``f``
        raises: after the call ``x`` holds exactly its original values. A float32 ``x``
        raises ``TypeError`` (see the module docstring for why).
    df : array_like, same shape as ``f(x)``, optional
        The upstream gradient. Defaults to ones, i.e. the gradient of ``sum(f(x))``.
    h : float, default 1e-6
        The step.

    Returns
    -------
    dx : ndarray, float64, same shape as ``x``

    Notes
    -----
    .. math::

        dx_i = \\frac{\\sum \\big(f(x + h e_i) - f(x - h e_i)\\big) \\odot df}{2h}

    ``f`` must return float64 too: a float32 result spoils the difference just as a
    float32 ``x`` does, so it raises ``TypeError``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, np.pi / 2])
    >>> print(np.round(numerical_gradient(np.sin, x), 6))
    [1. 0.]
    >>> print(np.round(numerical_gradient(np.sin, x, df=np.array([2.0, 5.0])), 6))
    [2. 0.]
    """
    func = "numerical_gradient"
    if not callable(f):
        raise TypeError(f"{func}: f must be callable; got {describe(f)}")
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{func}: x must be a float64 ndarray (it is perturbed in place); "
            f"got {describe(x)}"
        )
    if x.dtype != np.float64:
        if x.dtype.kind == "f":
            raise TypeError(f"{func}: x has dtype {x.dtype}; {_WHY_FLOAT64}")
        raise TypeError(
            f"{func}: x must be a float64 ndarray (it is perturbed in place); "
            f"got {describe(x)}"
        )
    if not x.flags.writeable:
        raise ValueError(
            f"{func}: x must be writeable (it is perturbed in place and restored); "
            "got a read-only array, pass x.copy()"
        )
    h = _check_h(h, func)

    out_shape = _evaluate(f, x, func).shape
    if df is None:
        dfa = np.ones(out_shape)
    else:
        dfa = as_float_array(df, "df", func).astype(np.float64, copy=False)
        if dfa.shape != out_shape:
            raise ValueError(
                f"{func}: df must have the shape of f(x), {out_shape}; "
                f"got an array of shape {dfa.shape}"
            )

    grad = np.zeros(x.shape, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        try:
            x[idx] = old + h
            fp = _evaluate(f, x, func)
            x[idx] = old - h
            fm = _evaluate(f, x, func)
        finally:
            x[idx] = old
        grad[idx] = np.sum((fp - fm) * dfa) / (2.0 * h)
    return grad


def rel_error(a, b, floor: float = 1e-8, rel_floor: float = 0.0) -> float:
    """Largest elementwise relative error between two arrays (the CS231n form, optionally
    scaled).

    Parameters
    ----------
    a, b : array_like, same shape (or broadcastable)
    floor : float, default 1e-8
        Absolute lower bound of the denominator, so two zeros give 0 rather than ``0 / 0``.
    rel_floor : float, default 0
        Lower bound of the denominator relative to the largest ``|a_j| + |b_j|``: entries
        smaller than ``rel_floor`` times the largest are judged against that instead of
        against themselves. 0 gives the plain CS231n error; :func:`check_gradient` uses
        ``1e-3`` (see the module docstring for why).

    Returns
    -------
    float
        In ``[0, 1]``; 0 for identical arrays (including all zeros and empty arrays);
        ``inf`` when either holds a NaN.

    Notes
    -----
    .. math::

        \\mathrm{rel\\_error}(a, b) =
        \\max_i \\frac{|a_i - b_i|}{\\max\\big(\\text{floor},\\ \\text{rel\\_floor}
        \\cdot \\max_j (|a_j| + |b_j|),\\ |a_i| + |b_i|\\big)}

    Each element is judged against its own magnitude, so a wrong small entry is not
    hidden by large ones. The price: where the true gradient is tiny compared with the
    rest, the numerical estimate carries the absolute noise of the large entries (about
    1e-9 of the largest, float64, ``h = 1e-6``) and the plain ratio is inflated, up to
    1 for a true 0; ``rel_floor`` bounds that inflation (at ``1e-3``, by 1e-6).

    Examples
    --------
    >>> print(rel_error([1.0, 2.0], [1.0, 2.0]))
    0.0
    >>> print(rel_error([0.0], [0.0]))
    0.0
    >>> print(round(rel_error([1.0, 3.0], [1.0, 1.0]), 3))
    0.5
    >>> a, b = [10.0, 0.0], [10.0, 1e-7]  # a true 0 estimated as 1e-7
    >>> print(rel_error(a, b), f"{rel_error(a, b, rel_floor=1e-3):.0e}")
    1.0 5e-06
    """
    func = "rel_error"
    a = as_float_array(a, "a", func)
    b = as_float_array(b, "b", func)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"{func}: a and b must have the same shape; got shapes {a.shape} and {b.shape}"
        ) from None
    floor = _check_floor(floor, "floor", func, positive=True)
    rel_floor = _check_floor(rel_floor, "rel_floor", func, positive=False)
    if 0 in shape:
        return 0.0
    a, b = np.broadcast_arrays(a.astype(np.float64), b.astype(np.float64))
    if np.isnan(a).any() or np.isnan(b).any():
        return float("inf")  # a NaN gradient is never right
    return float(np.max(_elementwise_error(a, b, floor, rel_floor)))


def _check_floor(value, name: str, func: str, positive: bool) -> float:
    ok = not isinstance(value, (bool, np.bool_)) and isinstance(value, numbers.Real)
    if not ok:
        raise TypeError(f"{func}: {name} must be a real number; got {describe(value)}")
    value = float(value)
    if not (np.isfinite(value) and (value > 0 if positive else value >= 0)):
        what = "a positive" if positive else "a non-negative"
        raise ValueError(f"{func}: {name} must be {what} finite number; got {value!r}")
    return value


def _elementwise_error(a: np.ndarray, b: np.ndarray, floor: float, rel_floor: float):
    """The per-entry errors of :func:`rel_error` (NaN entries count as ``inf``)."""
    size = np.abs(a) + np.abs(b)
    finite = size[np.isfinite(size)]
    lowest = floor
    if rel_floor and finite.size:
        lowest = max(floor, rel_floor * float(finite.max()))
    same = a == b  # exact agreement, including equal infinities, is error 0
    with np.errstate(invalid="ignore"):
        err = np.abs(a - b) / np.maximum(lowest, size)
    err = np.where(same, 0.0, np.where(np.isnan(err), 1.0, err))
    return np.where(np.isnan(a) | np.isnan(b), np.inf, err)


@dataclass(frozen=True)
class GradCheckResult:
    """What :func:`check_gradient` found.

    Attributes
    ----------
    max_rel_error : float
        ``rel_error(analytic, numerical, floor, rel_floor)``, the scaled error.
    passed : bool
        ``max_rel_error < tol``.
    worst_index : tuple of int
        Where the elementwise (scaled) relative error is largest.
    tol : float
    numerical, analytic : ndarray
    """

    max_rel_error: float
    passed: bool
    worst_index: tuple
    tol: float
    numerical: np.ndarray
    analytic: np.ndarray

    def __repr__(self) -> str:  # short and stable, for notebooks
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"GradCheckResult({verdict}: max rel error {self.max_rel_error:.1e} "
            f"{'<' if self.passed else '>='} tol {self.tol:.0e}, worst at {self.worst_index})"
        )


#: The defaults of :func:`check_gradient`, per dtype of ``x`` (see the module docstring
#: for the measurements). float32 has none: it is refused.
DEFAULTS = {"float64": {"h": 1e-6, "tol": 1e-5, "floor": 1e-8, "rel_floor": 1e-3}}
_D = DEFAULTS["float64"]


def check_gradient(f, x, analytic, df=None, h: float = _D["h"], tol: float = _D["tol"],
                   floor: float = _D["floor"], rel_floor: float = _D["rel_floor"]
                   ) -> GradCheckResult:
    """Compare an analytic gradient with :func:`numerical_gradient`.

    Parameters
    ----------
    f : callable
        As in :func:`numerical_gradient`.
    x : ndarray, float64
        Perturbed in place and restored.
    analytic : array_like, same shape as ``x``, or callable
        The gradient to check, or a function of ``x`` returning it.
    df, h : see :func:`numerical_gradient` (``h`` default 1e-6)
    tol : float, default 1e-5
        Pass when the largest scaled relative error is below it. Correct gradients
        measured at most 2e-7, wrong ones at least 8e-4 (module docstring).
    floor : float, default 1e-8
        Absolute floor of the denominator, see :func:`rel_error`.
    rel_floor : float, default 1e-3
        Floor of the denominator relative to the largest entry, see :func:`rel_error`;
        0 gives the plain CS231n per-entry error (which cries wolf on tiny entries).

    Returns
    -------
    GradCheckResult

    Notes
    -----
    With :math:`g` the analytic and :math:`\\hat g` the numerical gradient,

    .. math::

        \\max_i \\frac{|g_i - \\hat g_i|}{\\max\\big(\\text{floor},\\ \\text{rel\\_floor}
        \\cdot \\max_j(|g_j| + |\\hat g_j|),\\ |g_i| + |\\hat g_i|\\big)} < \\text{tol}

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.5, 1.0, 2.0])
    >>> check_gradient(np.exp, x, np.exp(x)).passed
    True
    >>> check_gradient(np.exp, x, 2 * np.exp(x)).passed
    False
    """
    func = "check_gradient"
    if isinstance(tol, (bool, np.bool_)) or not isinstance(tol, numbers.Real):
        raise TypeError(f"{func}: tol must be a positive number; got {describe(tol)}")
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"{func}: tol must be a positive finite number; got {tol!r}")
    floor = _check_floor(floor, "floor", func, positive=True)
    rel_floor = _check_floor(rel_floor, "rel_floor", func, positive=False)
    numerical = numerical_gradient(f, x, df=df, h=h)
    if callable(analytic):
        analytic = analytic(x)
    g = as_float_array(analytic, "analytic", func)
    if g.shape != x.shape:
        raise ValueError(
            f"{func}: analytic must have the shape of x, {x.shape}; "
            f"got an array of shape {g.shape}"
        )
    g = g.astype(np.float64, copy=False)
    err = rel_error(g, numerical, floor=floor, rel_floor=rel_floor)
    if x.size:
        elem = _elementwise_error(g, numerical, floor, rel_floor)
        worst = tuple(int(i) for i in np.unravel_index(np.argmax(elem), x.shape))
    else:
        worst = ()
    return GradCheckResult(err, bool(err < tol), worst, float(tol), numerical, g)
