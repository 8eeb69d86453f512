"""Activation functions and their derivatives, as functions of the input ``x``.

Every activation ``f`` comes with ``f_grad(x)``, the elementwise derivative
:math:`f'(x)`; a layer's backward pass is then ``dx = dy * f_grad(x)``. All work
elementwise on arrays of any shape, keep the dtype (float32 stays float32; integers are
promoted to float64) and never warn about overflow.

At the kinks the derivative follows PyTorch: ``relu_grad(0) == 0``,
``leaky_relu_grad(0) == alpha`` and ``elu_grad(0) == alpha``.

>>> import numpy as np
>>> x = np.array([-2.0, 0.0, 3.0])
>>> print(relu(x), relu_grad(x))
[0. 0. 3.] [0. 0. 1.]
>>> act = get("sigmoid")
>>> print(act.name, np.round(act.forward(x), 4), np.round(act.grad(x), 4))
sigmoid [0.1192 0.5    0.9526] [0.105  0.25   0.0452]
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np

from ._validate import as_float_array, check_choice, describe

__all__ = [
    "identity", "identity_grad",
    "relu", "relu_grad",
    "leaky_relu", "leaky_relu_grad",
    "sigmoid", "sigmoid_grad",
    "tanh", "tanh_grad",
    "gelu", "gelu_grad",
    "elu", "elu_grad",
    "softplus", "softplus_grad",
    "erf", "Activation", "NAMES", "get",
    "saturation_fraction", "zeroed_fraction", "SATURATION_THRESHOLD",
]


def _x(x, func: str) -> np.ndarray:
    return as_float_array(x, "x", func)


def _alpha(alpha, func: str) -> float:
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"{func}: alpha must be a real number; got {describe(alpha)}")
    if not math.isfinite(alpha):
        raise ValueError(f"{func}: alpha must be finite; got {alpha!r}")
    return float(alpha)


# ----------------------------------------------------------------------------- identity

def identity(x) -> np.ndarray:
    """The identity, :math:`f(x) = x` (a layer with no nonlinearity).

    .. math::

        f(x) = x, \\qquad f'(x) = 1

    >>> print(identity([1, -2]))
    [ 1. -2.]
    """
    return _x(x, "identity").copy()


def identity_grad(x) -> np.ndarray:
    """Derivative of :func:`identity`: ones, same shape and dtype as ``x``.

    .. math::

        f'(x) = 1

    >>> print(identity_grad([1.0, -2.0]))
    [1. 1.]
    """
    return np.ones_like(_x(x, "identity_grad"))


# --------------------------------------------------------------------------------- relu

def relu(x) -> np.ndarray:
    """Rectified linear unit: keeps positives, zeroes the rest.

    .. math::

        \\mathrm{relu}(x) = \\max(x, 0)

    >>> print(relu([-1.0, 0.0, 2.0]))
    [0. 0. 2.]
    """
    x = _x(x, "relu")
    return np.maximum(x, x.dtype.type(0))


def relu_grad(x) -> np.ndarray:
    """Derivative of :func:`relu`; 0 at ``x == 0``, as in PyTorch.

    .. math::

        \\mathrm{relu}'(x) = \\begin{cases} 1 & x > 0 \\\\ 0 & x \\le 0 \\end{cases}

    >>> print(relu_grad([-1.0, 0.0, 2.0]))
    [0. 0. 1.]
    """
    x = _x(x, "relu_grad")
    return (x > 0).astype(x.dtype)


# --------------------------------------------------------------------------- leaky relu

def leaky_relu(x, alpha: float = 0.01) -> np.ndarray:
    """Leaky ReLU: negatives are scaled by ``alpha`` instead of zeroed.

    .. math::

        f(x) = \\begin{cases} x & x > 0 \\\\ \\alpha x & x \\le 0 \\end{cases}

    >>> print(leaky_relu([-2.0, 3.0], alpha=0.1))
    [-0.2  3. ]
    """
    x = _x(x, "leaky_relu")
    a = x.dtype.type(_alpha(alpha, "leaky_relu"))
    return np.where(x > 0, x, a * x)


def leaky_relu_grad(x, alpha: float = 0.01) -> np.ndarray:
    """Derivative of :func:`leaky_relu`; ``alpha`` at ``x == 0``, as in PyTorch.

    .. math::

        f'(x) = \\begin{cases} 1 & x > 0 \\\\ \\alpha & x \\le 0 \\end{cases}

    >>> print(leaky_relu_grad([-2.0, 0.0, 3.0], alpha=0.1))
    [0.1 0.1 1. ]
    """
    x = _x(x, "leaky_relu_grad")
    a = _alpha(alpha, "leaky_relu_grad")
    return np.where(x > 0, 1.0, a).astype(x.dtype)


# ------------------------------------------------------------------------------ sigmoid

def sigmoid(x) -> np.ndarray:
    """Logistic sigmoid, computed without overflow for any ``x``.

    .. math::

        \\sigma(x) = \\frac{1}{1 + e^{-x}} =
        \\begin{cases} \\dfrac{1}{1 + e^{-|x|}} & x \\ge 0 \\\\[1ex]
        \\dfrac{e^{-|x|}}{1 + e^{-|x|}} & x < 0 \\end{cases}

    Only :math:`e^{-|x|} \\le 1` is ever computed, so ``sigmoid(-1000)`` is 0 and
    ``sigmoid(1000)`` is 1 with no overflow warning.

    >>> print(np.round(sigmoid([-1000.0, 0.0, 1000.0]), 4))
    [0.  0.5 1. ]
    """
    x = _x(x, "sigmoid")
    e = np.exp(-np.abs(x))
    one = x.dtype.type(1)
    return np.where(x >= 0, one / (one + e), e / (one + e))


def sigmoid_grad(x) -> np.ndarray:
    """Derivative of :func:`sigmoid`, at most 0.25 (at 0).

    .. math::

        \\sigma'(x) = \\sigma(x)\\,(1 - \\sigma(x)) = \\frac{e^{-|x|}}{(1 + e^{-|x|})^2}

    The right-hand form keeps full relative accuracy in the tails, where
    :math:`1 - \\sigma(x)` would round to 0.

    >>> print(np.round(sigmoid_grad([-2.0, 0.0, 2.0]), 4))
    [0.105 0.25  0.105]
    """
    x = _x(x, "sigmoid_grad")
    e = np.exp(-np.abs(x))
    one = x.dtype.type(1)
    return e / ((one + e) * (one + e))


# --------------------------------------------------------------------------------- tanh

def tanh(x) -> np.ndarray:
    """Hyperbolic tangent, a sigmoid rescaled to (-1, 1): :math:`\\tanh(x) = 2\\sigma(2x) - 1`.

    .. math::

        \\tanh(x) = \\frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}

    >>> print(np.round(tanh([-1.0, 0.0, 1.0]), 4))
    [-0.7616  0.      0.7616]
    """
    return np.tanh(_x(x, "tanh"))


def tanh_grad(x) -> np.ndarray:
    """Derivative of :func:`tanh`, at most 1 (at 0).

    .. math::

        \\tanh'(x) = 1 - \\tanh^2(x) = \\frac{4\\,e^{-2|x|}}{(1 + e^{-2|x|})^2}

    The right-hand form keeps full relative accuracy in the tails.

    >>> print(np.round(tanh_grad([-1.0, 0.0, 1.0]), 4))
    [0.42 1.   0.42]
    """
    x = _x(x, "tanh_grad")
    e = np.exp(-2 * np.minimum(np.abs(x), x.dtype.type(400)))  # exp(-800) is 0 anyway
    one = x.dtype.type(1)
    return (4 * e) / ((one + e) * (one + e))


# ---------------------------------------------------------------------------------- erf
# erf/erfc by the rational approximations of the Cephes library (S. L. Moshier, ndtr.c,
# the code scipy.special.erf descends from): relative error about 1e-16 for erf and
# 1e-14 for erfc deep in the tail (Cephes' own tests: 5.7e-14 peak on [0, 26.6]).
# That is float64 accuracy, so the exact derivative 2/sqrt(pi) exp(-z^2) agrees with
# finite differences of this erf far below the 1e-7 used in gradient checks. (The
# 1.5e-7 error of Abramowitz-Stegun 7.1.26 would not.) Vectorized numpy, about as fast
# as np.exp; math.erf element by element is 10x slower on a 256x256 map.

_ERF_T = (9.60497373987051638749E0, 9.00260197203842689217E1, 2.23200534594684319226E3,
          7.00332514112805075473E3, 5.55923013010394962768E4)
_ERF_U = (1.0, 3.35617141647503099647E1, 5.21357949780152679795E2,
          4.59432382970980127987E3, 2.26290000613890934246E4, 4.92673942608635921086E4)
_ERFC_P = (2.46196981473530512524E-10, 5.64189564831068821977E-1, 7.46321056442269912687E0,
           4.86371970985681366614E1, 1.96520832956077098242E2, 5.26445194995477358631E2,
           9.34528527171957607540E2, 1.02755188689515710272E3, 5.57535335369399327526E2)
_ERFC_Q = (1.0, 1.32281951154744992508E1, 8.67072140885989742329E1,
           3.54937778887819891062E2, 9.75708501743205489753E2, 1.82390916687909736289E3,
           2.24633760818710981792E3, 1.65666309194161350182E3, 5.57535340817727675546E2)
_ERFC_R = (5.64189583547755073984E-1, 1.27536670759978104416E0, 5.01905042251180477414E0,
           6.16021097993053585195E0, 7.40974269950448939160E0, 2.97886665372100240670E0)
_ERFC_S = (1.0, 2.26052863220117276590E0, 9.39603524938001434673E0,
           1.20489539808096656605E1, 1.70814450747565897222E1, 9.60896809063285878198E0,
           3.36907645100081516050E0)


def _poly(coefs, z: np.ndarray) -> np.ndarray:
    """Horner's rule, highest power first."""
    out = np.full_like(z, coefs[0])
    for c in coefs[1:]:
        out = out * z + c
    return out


def _erf_small(z: np.ndarray) -> np.ndarray:
    """erf on |z| <= 1."""
    z2 = z * z
    return z * _poly(_ERF_T, z2) / _poly(_ERF_U, z2)


def _erfc_large(a: np.ndarray) -> np.ndarray:
    """erfc(|a|) for |a| >= 1 (clipped at 30, where erfc is 0 in float64)."""
    x = np.minimum(np.abs(a), 30.0)
    mid = _poly(_ERFC_P, x) / _poly(_ERFC_Q, x)
    far = _poly(_ERFC_R, x) / _poly(_ERFC_S, x)
    return np.exp(-x * x) * np.where(x < 8.0, mid, far)


def _erfc(a: np.ndarray) -> np.ndarray:
    """erfc of a float64 array, accurate relative to its value also in the tail."""
    small = np.abs(a) < 1.0
    big = _erfc_large(np.where(small, 1.0, a))
    big = np.where(a < 0, 2.0 - big, big)
    return np.where(small, 1.0 - _erf_small(np.where(small, a, 0.0)), big)


def erf(z) -> np.ndarray:
    """The error function, vectorized, to float64 accuracy (no scipy needed).

    .. math::

        \\operatorname{erf}(z) = \\frac{2}{\\sqrt{\\pi}} \\int_0^z e^{-t^2}\\,dt

    Cephes' rational approximations (the ones behind ``scipy.special.erf``): relative
    error about 1e-16, so its exact derivative :math:`\\tfrac{2}{\\sqrt\\pi} e^{-z^2}`
    passes float64 gradient checks. Computed in float64, returned in ``z``'s dtype.

    >>> print(np.round(erf([-1.0, 0.0, 0.5, 3.0]), 6))
    [-0.842701  0.        0.5205    0.999978]
    """
    z = _x(z, "erf")
    zz = z.astype(np.float64)
    small = np.abs(zz) <= 1.0
    inner = _erf_small(np.where(small, zz, 0.0))
    outer = np.sign(zz) * (1.0 - _erfc_large(np.where(small, 1.0, zz)))
    return np.where(small, inner, outer).astype(z.dtype, copy=False)


def _std_normal_cdf(x: np.ndarray) -> np.ndarray:
    """Phi(x) in float64 with relative accuracy in the lower tail (Cephes ndtr)."""
    return 0.5 * _erfc(-x / math.sqrt(2.0))


# --------------------------------------------------------------------------------- gelu

def gelu(x) -> np.ndarray:
    """Gaussian error linear unit, the exact erf form (PyTorch's default).

    .. math::

        \\mathrm{gelu}(x) = x\\,\\Phi(x) = \\frac{x}{2}\\left(1 +
        \\operatorname{erf}\\left(\\frac{x}{\\sqrt{2}}\\right)\\right)

    :math:`\\Phi` is the standard normal CDF, computed via :func:`erf`'s float64
    approximation (error about 1e-16, see there), as ``erfc(-x / sqrt(2)) / 2`` so the
    small values for very negative ``x`` keep their relative accuracy. Not the tanh
    approximation (``approximate="tanh"`` in PyTorch).

    >>> print(np.round(gelu([-3.0, -1.0, 0.0, 1.0, 3.0]), 4))
    [-0.004  -0.1587  0.      0.8413  2.996 ]
    """
    x = _x(x, "gelu")
    # below -40, x Phi(x) underflows to 0; clipping there keeps -inf from giving nan
    xx = np.maximum(x.astype(np.float64), -40.0)
    return (xx * _std_normal_cdf(xx)).astype(x.dtype, copy=False)


def gelu_grad(x) -> np.ndarray:
    """Derivative of :func:`gelu`; dips below 0 for negative ``x`` (minimum about -0.17).

    .. math::

        \\mathrm{gelu}'(x) = \\Phi(x) + x\\,\\varphi(x), \\qquad
        \\varphi(x) = \\frac{e^{-x^2/2}}{\\sqrt{2\\pi}}

    >>> print(np.round(gelu_grad([-3.0, -1.0, 0.0, 1.0, 3.0]), 4))
    [-0.0119 -0.0833  0.5     1.0833  1.0119]
    """
    x = _x(x, "gelu_grad")
    xx = x.astype(np.float64)
    xc = np.clip(xx, -40.0, 40.0)  # phi(40) is 0 in float64; avoids overflow in x * x
    pdf = np.exp(-0.5 * xc * xc) / math.sqrt(2.0 * math.pi)
    return (_std_normal_cdf(xx) + xc * pdf).astype(x.dtype, copy=False)


# ---------------------------------------------------------------------------------- elu

def elu(x, alpha: float = 1.0) -> np.ndarray:
    """Exponential linear unit: smooth for negatives, saturating at ``-alpha``.

    .. math::

        \\mathrm{elu}(x) = \\begin{cases} x & x > 0 \\\\
        \\alpha\\,(e^{x} - 1) & x \\le 0 \\end{cases}

    >>> print(np.round(elu([-1.0, 0.0, 2.0]), 4))
    [-0.6321  0.      2.    ]
    """
    x = _x(x, "elu")
    a = x.dtype.type(_alpha(alpha, "elu"))
    return np.where(x > 0, x, a * np.expm1(np.minimum(x, x.dtype.type(0))))


def elu_grad(x, alpha: float = 1.0) -> np.ndarray:
    """Derivative of :func:`elu`; ``alpha`` at ``x == 0``, as in PyTorch.

    .. math::

        \\mathrm{elu}'(x) = \\begin{cases} 1 & x > 0 \\\\
        \\alpha\\,e^{x} & x \\le 0 \\end{cases}

    >>> print(np.round(elu_grad([-1.0, 0.0, 2.0]), 4))
    [0.3679 1.     1.    ]
    """
    x = _x(x, "elu_grad")
    a = x.dtype.type(_alpha(alpha, "elu_grad"))
    return np.where(x > 0, x.dtype.type(1), a * np.exp(np.minimum(x, x.dtype.type(0))))


# ----------------------------------------------------------------------------- softplus

def softplus(x) -> np.ndarray:
    """Softplus, a smooth ReLU, computed without overflow.

    .. math::

        \\mathrm{softplus}(x) = \\log(1 + e^{x}) = \\max(x, 0) + \\log(1 + e^{-|x|})

    >>> print(np.round(softplus([-1000.0, 0.0, 1000.0]), 4).tolist())
    [0.0, 0.6931, 1000.0]
    """
    x = _x(x, "softplus")
    return np.maximum(x, x.dtype.type(0)) + np.log1p(np.exp(-np.abs(x)))


def softplus_grad(x) -> np.ndarray:
    """Derivative of :func:`softplus`: the sigmoid.

    .. math::

        \\mathrm{softplus}'(x) = \\sigma(x)

    >>> print(np.round(softplus_grad([-2.0, 0.0, 2.0]), 4))
    [0.1192 0.5    0.8808]
    """
    return sigmoid(_x(x, "softplus_grad"))


# ------------------------------------------------------------------------------- lookup

@dataclass(frozen=True)
class Activation:
    """An activation by name: ``forward(x)``, ``grad(x)`` (the derivative :math:`f'(x)`).

    Attributes
    ----------
    name : str
    forward, grad : callable
        ``x -> ndarray`` of the same shape and dtype.
    max_grad : float
        :math:`\\sup_x |f'(x)|`, the scale :func:`saturation_fraction` measures against.
    params : dict
        The keyword arguments bound (``{"alpha": 0.01}`` for ``leaky_relu``).
    """

    name: str
    forward: Callable
    grad: Callable
    max_grad: float
    params: dict

    def __call__(self, x):
        return self.forward(x)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"Activation({self.name!r}{extra})"


# name -> (forward, grad, default params, sup |f'| as a function of the params)
_TABLE = {
    "identity": (identity, identity_grad, {}, lambda: 1.0),
    "relu": (relu, relu_grad, {}, lambda: 1.0),
    "leaky_relu": (leaky_relu, leaky_relu_grad, {"alpha": 0.01},
                   lambda alpha: max(1.0, abs(alpha))),
    "sigmoid": (sigmoid, sigmoid_grad, {}, lambda: 0.25),
    "tanh": (tanh, tanh_grad, {}, lambda: 1.0),
    # gelu' peaks where gelu'' = phi(x) (2 - x^2) = 0, i.e. at x = sqrt(2): 1.1289...
    "gelu": (gelu, gelu_grad, {}, lambda: float(gelu_grad(np.array(math.sqrt(2.0))))),
    "elu": (elu, elu_grad, {"alpha": 1.0}, lambda alpha: max(1.0, abs(alpha))),
    "softplus": (softplus, softplus_grad, {}, lambda: 1.0),
}

NAMES: tuple[str, ...] = tuple(_TABLE)
"""The names :func:`get` accepts."""


def get(name: str, **params) -> Activation:
    """The activation called ``name`` (one of :data:`NAMES`), with optional parameters.

    Parameters
    ----------
    name : str
        One of ``identity, relu, leaky_relu, sigmoid, tanh, gelu, elu, softplus``.
    **params
        Only ``alpha`` for ``leaky_relu`` (default 0.01) and ``elu`` (default 1.0).

    Returns
    -------
    Activation
        With ``.name``, ``.forward(x)``, ``.grad(x)``, ``.max_grad``.

    Examples
    --------
    >>> act = get("leaky_relu", alpha=0.2)
    >>> act
    Activation('leaky_relu', alpha=0.2)
    >>> print(act.forward([-1.0, 1.0]), act.grad([-1.0, 1.0]))
    [-0.2  1. ] [0.2 1. ]
    """
    check_choice(name, NAMES, "name", "activations.get")
    forward, grad, defaults, sup = _TABLE[name]
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        allowed = ", ".join(defaults) if defaults else "none"
        raise ValueError(
            f"activations.get: {name!r} takes parameters: {allowed}; "
            f"got {', '.join(repr(k) for k in unknown)}"
        )
    bound = {**defaults, **params}
    for k, v in bound.items():
        bound[k] = _alpha(v, f"activations.get({name!r})")
    if bound:
        forward, grad = partial(forward, **bound), partial(grad, **bound)
    return Activation(name, forward, grad, float(sup(**bound)), bound)


def _resolve(name, params: dict, func: str) -> Activation:
    if isinstance(name, Activation):
        if params:
            raise ValueError(f"{func}: parameters go with a name, not an Activation")
        return name
    try:
        return get(name, **params)
    except ValueError as err:
        raise ValueError(str(err).replace("activations.get", func)) from None


# ---------------------------------------------------------------- saturation statistics

SATURATION_THRESHOLD = 0.01
"""Default: an element is saturated where :math:`|f'(x)| < 0.01 \\cdot \\sup|f'|`."""


def saturation_fraction(name, x, threshold: float = SATURATION_THRESHOLD, **params) -> float:
    """Fraction of elements where the activation passes (almost) no gradient.

    Parameters
    ----------
    name : str or Activation
        One of :data:`NAMES`, or an :class:`Activation` from :func:`get`.
    x : array_like, any shape
        Pre-activations.
    threshold : float in [0, 1], default 0.01
        Relative to the activation's largest derivative.
    **params
        Passed to :func:`get` (``alpha``).

    Returns
    -------
    float in [0, 1]

    Notes
    -----
    .. math::

        \\frac{1}{n} \\#\\{\\, i : |f'(x_i)| < \\text{threshold} \\cdot \\sup_x |f'(x)| \\,\\}

    With the default 0.01: sigmoid (:math:`\\sup\\sigma' = 1/4`) is saturated for
    :math:`|x| > 5.99`, tanh for :math:`|x| > 2.99`, relu for :math:`x \\le 0` (its
    derivative is exactly 0 there). gelu also counts a narrow band around
    :math:`x \\approx -0.75`, where its derivative crosses 0.

    Examples
    --------
    >>> x = np.array([-8.0, -1.0, 0.0, 1.0, 8.0])
    >>> print(saturation_fraction("sigmoid", x), saturation_fraction("relu", x))
    0.4 0.6
    """
    func = "saturation_fraction"
    act = _resolve(name, params, func)
    x = _x(x, func)
    if isinstance(threshold, (bool, np.bool_)) or not isinstance(threshold, numbers.Real) \
            or not 0 <= threshold <= 1:
        raise ValueError(f"{func}: threshold must be a number in [0, 1]; got {threshold!r}")
    if x.size == 0:
        return 0.0
    return float(np.mean(np.abs(act.grad(x)) < threshold * act.max_grad))


def zeroed_fraction(name, x, **params) -> float:
    """Fraction of elements the activation sets to exactly 0 (for ReLU: :math:`x \\le 0`).

    Parameters
    ----------
    name : str or Activation
    x : array_like, any shape
    **params
        Passed to :func:`get`.

    Returns
    -------
    float in [0, 1]

    Notes
    -----
    .. math::

        \\frac{1}{n} \\#\\{\\, i : f(x_i) = 0 \\,\\}

    A ReLU statistic: smooth activations are 0 only at ``x == 0`` (and where they
    underflow), leaky ReLU only at 0. For ReLU the zeroed elements are also those that
    pass no gradient.

    Examples
    --------
    >>> print(zeroed_fraction("relu", [-2.0, 0.0, 1.0, 3.0]))
    0.5
    """
    func = "zeroed_fraction"
    act = _resolve(name, params, func)
    x = _x(x, func)
    if x.size == 0:
        return 0.0
    return float(np.mean(act.forward(x) == 0))
