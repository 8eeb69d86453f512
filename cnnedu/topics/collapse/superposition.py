r"""A test no single conv layer passes and a ReLU stack fails: superposition.

A single conv layer with a bias is an affine map :math:`L(x) = \operatorname{corr}(x, W) +
B`, so for every pair of inputs

.. math::

    L(x_a + x_b) - L(x_a) - L(x_b) + L(0) = 0.

A stack with a ReLU between its layers breaks this wherever the first layer's responses
to :math:`x_a` and :math:`x_b` have opposite signs: :math:`\operatorname{relu}(z_a + z_b)
\ne \operatorname{relu}(z_a) + \operatorname{relu}(z_b)`. Two inputs with a large
:func:`superposition_gap` prove that no single kernel, of any size, reproduces the stack.

The public face is :mod:`cnnedu.topics.collapse` (import from there).

>>> import numpy as np
>>> x = np.zeros((8, 8)); x[:, 4:] = 1.0                  # a rising edge
>>> round(superposition_gap(x, -x), 2), superposition_gap(x, 0.5 * x)
(2.67, 0.0)
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import as_float_array, check_ndim
from cnnedu.nn import activations as _activations
from cnnedu.nn.conv import conv2d

__all__ = ["BREAK_STACK", "break_stack", "superposition_gap"]

BREAK_STACK = {"k1": np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]),
               "activation": "relu", "k2": np.full((3, 3), 1.0 / 9.0)}
"""The default stack: Sobel x (bias 0), ReLU, then a 3x3 mean (bias 0)."""


def break_stack(x, stack=None):
    """Run the stack on one image: ``(z, y)`` with ``z = corr(x, k1)`` (the first layer's
    response, before the activation) and ``y = corr(f(z), k2)``.

    Parameters
    ----------
    x : ndarray, shape (H, W)
    stack : dict with "k1", "activation", "k2", optional (default :data:`BREAK_STACK`)

    Returns
    -------
    z : ndarray, shape (H - k1h + 1, W - k1w + 1)
    y : ndarray, shape (H - k1h - k2h + 2, W - k1w - k2w + 2)
    """
    s = BREAK_STACK if stack is None else stack
    x = as_float_array(x, "x", "break_stack")
    check_ndim(x, 2, "x", "break_stack", "(H, W)")
    z = conv2d(x[None, None], np.asarray(s["k1"], dtype=float)[None, None])
    a = _activations.get(s["activation"]).forward(z)
    return z[0, 0], conv2d(a, np.asarray(s["k2"], dtype=float)[None, None])[0, 0]


def superposition_gap(xa, xb, stack=None) -> float:
    """``max |S(xa + xb) - S(xa) - S(xb) + S(0)|`` for the stack ``S`` (:func:`break_stack`).

    0 (to rounding) for any single conv layer with a bias, whatever ``xa`` and ``xb``.

    Parameters
    ----------
    xa, xb : ndarray, shape (H, W)
    """
    xa = as_float_array(xa, "xa", "superposition_gap")
    xb = as_float_array(xb, "xb", "superposition_gap")
    if xa.shape != xb.shape:
        raise ValueError(f"superposition_gap: xa and xb must have the same shape (H, W); got "
                         f"{xa.shape} and {xb.shape}")
    s = lambda x: break_stack(x, stack)[1]
    return float(np.abs(s(xa + xb) - s(xa) - s(xb) + s(np.zeros_like(xa))).max())
