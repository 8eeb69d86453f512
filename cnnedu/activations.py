"""Activation functions and their derivatives, as functions of the input ``x``.

Every activation ``f`` comes with ``f_grad(x)``, the elementwise derivative
:math:`f'(x)`; a layer's backward pass is then ``dx = dy * f_grad(x)``. All work
elementwise on arrays of any shape, keep the dtype (float32 stays float32; integers are
promoted to float64) and never warn about overflow.

At the kinks the derivative follows PyTorch: ``relu_grad(0) == 0``,
``leaky_relu_grad(0) == alpha`` and ``elu_grad(0) == alpha``.

The code lives in three modules, re-exported here: the elementwise functions in
:mod:`cnnedu.activation_functions`, ``erf`` in :mod:`cnnedu._erf`, and the lookup by name
(:func:`get`, :class:`Activation`) with the saturation statistics in
:mod:`cnnedu.activation_lookup`.

>>> import numpy as np
>>> x = np.array([-2.0, 0.0, 3.0])
>>> print(relu(x), relu_grad(x))
[0. 0. 3.] [0. 0. 1.]
>>> act = get("sigmoid")
>>> print(act.name, np.round(act.forward(x), 4), np.round(act.grad(x), 4))
sigmoid [0.1192 0.5    0.9526] [0.105  0.25   0.0452]
"""
from __future__ import annotations

from . import activation_lookup as _lookup
from ._erf import erf
from .activation_functions import (
    elu, elu_grad,
    gelu, gelu_grad,
    identity, identity_grad,
    leaky_relu, leaky_relu_grad,
    relu, relu_grad,
    sigmoid, sigmoid_grad,
    softplus, softplus_grad,
    tanh, tanh_grad,
)
from .activation_lookup import (
    NAMES,
    SATURATION_THRESHOLD,
    Activation,
    get,
    saturation_fraction,
    zeroed_fraction,
)

_resolve = _lookup._resolve  # private, but cnnedu.layers uses activations._resolve

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
