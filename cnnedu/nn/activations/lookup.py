"""Activations by name: the :class:`Activation` object, :func:`get`, and the statistics
measured against it (:func:`saturation_fraction`, :func:`zeroed_fraction`).

Public face: :mod:`cnnedu.nn.activations` (import from there).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np

from cnnedu._validate import check_choice
from cnnedu.nn.activations.functions import (
    _alpha,
    _x,
    elu,
    elu_grad,
    gelu,
    gelu_grad,
    identity,
    identity_grad,
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softplus,
    softplus_grad,
    tanh,
    tanh_grad,
)

__all__ = ["Activation", "NAMES", "get",
           "saturation_fraction", "zeroed_fraction", "SATURATION_THRESHOLD"]


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
