"""Activation functions and their derivatives, as functions of the input ``x``.

Every activation ``f`` comes with ``f_grad(x)``, the elementwise derivative
:math:`f'(x)`; a layer's backward pass is then ``dx = dy * f_grad(x)``. All work
elementwise on arrays of any shape, keep the dtype (float32 stays float32; integers are
promoted to float64) and never warn about overflow.

At the kinks the derivative follows PyTorch: ``relu_grad(0) == 0``,
``leaky_relu_grad(0) == alpha`` and ``elu_grad(0) == alpha``.

The code lives in three modules, re-exported here: the elementwise functions in
:mod:`cnnedu.nn.activations.functions`, ``erf`` in :mod:`cnnedu.nn.activations._erf`, and the lookup by name
(:func:`get`, :class:`Activation`) with the saturation statistics in
:mod:`cnnedu.nn.activations.lookup`.

>>> import numpy as np
>>> x = np.array([-2.0, 0.0, 3.0])
>>> print(relu(x), relu_grad(x))
[0. 0. 3.] [0. 0. 1.]
>>> act = get("sigmoid")
>>> print(act.name, np.round(act.forward(x), 4), np.round(act.grad(x), 4))
sigmoid [0.1192 0.5    0.9526] [0.105  0.25   0.0452]
"""
from __future__ import annotations

from cnnedu.nn.activations import lookup as _lookup
from cnnedu.nn.activations._erf import erf
from cnnedu.nn.activations.functions import (
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
from cnnedu.nn.activations.lookup import (
    NAMES,
    SATURATION_THRESHOLD,
    Activation,
    get,
    saturation_fraction,
    zeroed_fraction,
)

_resolve = _lookup._resolve  # private, but cnnedu.nn.layers uses activations._resolve

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
