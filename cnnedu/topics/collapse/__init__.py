r"""Stacked linear layers collapse into one layer: the algebra, for dense nodes and for convolutions.

Dense nodes. ``x1 = m0 x0 + b0`` then ``x2 = m1 x1 + b1`` is ``x2 = (m1 m0) x0 + (m1 b0 + b1)``:
one node with ``M = m1 m0`` and ``B = m1 b0 + b1``. With matrices the same fold works for
any depth (:func:`collapse_dense`).

Convolutions (stride 1, no padding: "valid"). The package's ``conv2d`` is a
cross-correlation. Two correlations in a row are one correlation whose kernel is the *full
convolution* of the two kernels:

.. math::

    \operatorname{corr}(\operatorname{corr}(x, k_1), k_2) = \operatorname{corr}(x, K),
    \qquad K[u] = \sum_a k_1[a]\, k_2[u - a],

of size ``k1 + k2 - 1`` along each axis. With channels, ``w1`` (M, C, k1h, k1w) and ``w2``
(F, M, k2h, k2w), and biases ``b1`` (M,), ``b2`` (F,):

.. math::

    W[o, i] = \sum_m \operatorname{full\_conv}(w_1[m, i], w_2[o, m]), \qquad
    B[o] = b_2[o] + \sum_m b_1[m] \sum_{u, v} w_2[o, m, u, v].

With zero padding the identity holds only away from the border: the second layer pads
the intermediate map with zeros, where the single layer would see the first layer's
response to the padded input (its bias, at least). :func:`padding_difference` and
:func:`same_padding_difference` show where; :func:`border_ring` predicts it.
:func:`superposition_gap` proves a ReLU stack is no single layer: for one layer
``L(xa + xb) - L(xa) - L(xb) + L(0)`` is 0 for every pair of inputs.

With strides ``s1`` then ``s2`` the pair is one layer of stride ``s1 s2`` whose kernel is
the full convolution of ``k1`` with ``k2`` dilated by ``s1``, of size ``k1 + s1 (k2 - 1)``
(:func:`compose_conv_strided`).

A non-linearity between the layers breaks the collapse; :func:`best_single_kernel` finds
the best single layer by least squares and reports how much it misses.

The code lives in modules of one idea each: :mod:`cnnedu.topics.collapse.dense` (dense
nodes), :mod:`cnnedu.topics.collapse.conv` (conv layers, any depth),
:mod:`cnnedu.topics.collapse.strided` (strides), :mod:`cnnedu.topics.collapse.border`
("same" padding), :mod:`cnnedu.topics.collapse.superposition` (the test a single
layer always passes) and :mod:`cnnedu.topics.collapse.fit` (the best single kernel when a
non-linearity sits between layers). Import from here.

>>> import numpy as np
>>> M, B = collapse_dense([2.0, 3.0], [1.0, -4.0])   # x1 = 2 x0 + 1, x2 = 3 x1 - 4
>>> float(M), float(B)
(6.0, -1.0)
>>> print(full_convolve2d(np.array([[1.0, 2.0]]), np.array([[1.0, -1.0]])))
[[ 1.  1. -2.]]
"""
from __future__ import annotations

from cnnedu.topics.collapse.conv import (
    compose_conv,
    compose_stack,
    full_convolve2d,
    padding_difference,
    run_stack,
)
from cnnedu.topics.collapse.border import border_ring, measured_border, same_padding_difference
from cnnedu.topics.collapse.dense import collapse_dense, run_dense
from cnnedu.topics.collapse.fit import (
    KernelFit,
    TwoLayerSummary,
    best_single_kernel,
    collapse_gap,
    two_layer_summary,
)
from cnnedu.topics.collapse.strided import compose_conv_strided, dilate_kernel
from cnnedu.topics.collapse.superposition import BREAK_STACK, break_stack, superposition_gap

__all__ = [
    "collapse_dense", "run_dense",
    "full_convolve2d", "compose_conv", "compose_stack", "run_stack",
    "padding_difference", "same_padding_difference", "border_ring",
    "measured_border", "BREAK_STACK", "break_stack", "superposition_gap",
    "dilate_kernel", "compose_conv_strided", "KernelFit", "best_single_kernel", "collapse_gap",
    "TwoLayerSummary", "two_layer_summary",
]
