"""The elementwise activation functions and their derivatives ``f_grad(x)``.

Public face: :mod:`cnnedu.nn.activations` (import from there); conventions are described
there. ``erf``, which ``gelu`` is built on, lives in :mod:`cnnedu.nn.activations._erf`.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from cnnedu.nn.activations._erf import _std_normal_cdf
from cnnedu._validate import as_float_array, describe

__all__ = [
    "identity", "identity_grad",
    "relu", "relu_grad",
    "leaky_relu", "leaky_relu_grad",
    "sigmoid", "sigmoid_grad",
    "tanh", "tanh_grad",
    "gelu", "gelu_grad",
    "elu", "elu_grad",
    "softplus", "softplus_grad",
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
