r"""What a non-linearity buys a conv stack, and what it costs: runnable experiments.

- :func:`map_through`: a feature map before and after an activation (applied to every
  element, after the bias), with the fractions zeroed and saturated.
- The edge task (:func:`edge_patches`, :func:`edge_target`): detect vertical edges of
  *either* sign, :math:`|\operatorname{corr}(x, \text{Sobel}_x)|`. The absolute value is not
  linear, so no linear stack can learn it; with a ReLU, :math:`|z| = \max(z, 0) +
  \max(-z, 0)` is two units away.
- :func:`train_stack`: full-batch Adam on a small conv stack (mean squared error), with
  or without an activation between the layers; seeded and fast.
- :func:`dead_fraction`: the filters whose ReLU never opens on a batch.
- :func:`gradient_through_depth`: how big the weight gradient is at each layer of a deep
  stack, for each activation (the sigmoid's derivative is at most 1/4, and a saturated tanh's
  is near 0, so the gradient vanishes).

- :func:`relu_net_1d`: a ReLU network is piecewise linear, straight pieces between kinks.
- :func:`train_deep_linear`: depth adds nothing to what a linear network can represent,
  but it changes how it learns (strong modes first, in steps; Saxe et al. 2014).

The code lives in parts, one idea each: :mod:`~cnnedu.topics.nonlinear.maps`,
:mod:`~cnnedu.topics.nonlinear.edges`, :mod:`~cnnedu.topics.nonlinear.stack`,
:mod:`~cnnedu.topics.nonlinear.depth`, :mod:`~cnnedu.topics.nonlinear.kinks`,
:mod:`~cnnedu.topics.nonlinear.deep_linear`. Import from here.

>>> import numpy as np
>>> r = map_through(np.array([[0.0, 1.0], [2.0, 3.0]]), np.ones((1, 1)), -1.5, "relu")
>>> print(r.pre, r.post, r.zeroed, sep="\n")
[[-1.5 -0.5]
 [ 0.5  1.5]]
[[0.  0. ]
 [0.5 1.5]]
0.5
"""
from __future__ import annotations

from cnnedu.topics.nonlinear.deep_linear import LinearDynamics, train_deep_linear
from cnnedu.topics.nonlinear.depth import DepthProfile, gradient_through_depth
from cnnedu.topics.nonlinear.edges import edge_patches, edge_target
from cnnedu.topics.nonlinear.kinks import PiecewiseLinear, relu_net_1d
from cnnedu.topics.nonlinear.maps import SOBEL_X, MapResult, map_through
from cnnedu.topics.nonlinear.stack import (
    TrainResult,
    dead_fraction,
    init_stack,
    stack_backward,
    stack_forward,
    train_stack,
)

__all__ = [
    "SOBEL_X", "MapResult", "map_through",
    "edge_patches", "edge_target", "init_stack", "stack_forward", "stack_backward",
    "TrainResult", "train_stack", "dead_fraction",
    "DepthProfile", "gradient_through_depth",
    "PiecewiseLinear", "relu_net_1d", "LinearDynamics", "train_deep_linear",
]
