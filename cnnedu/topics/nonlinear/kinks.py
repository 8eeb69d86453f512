r"""A ReLU network is piecewise linear: straight pieces joined at kinks.

One input, one hidden layer of ReLUs, one output:

.. math::

    y(x) = c + \sum_j v_j \operatorname{relu}(w_j x + b_j), \qquad
    y'(x) = \sum_j v_j w_j\, [w_j x + b_j > 0].

Each unit switches on or off at :math:`x = -b_j / w_j`; between two switch points the set
of open units is fixed, so :math:`y` is a straight line there. ``J`` units give at most
``J + 1`` pieces. Deeper networks, and conv stacks with ReLUs, are piecewise linear in the
same way (in every direction of the input), with many more pieces. Without the ReLUs there
is a single piece: the collapse.

The public face is :mod:`cnnedu.topics.nonlinear` (import from there).

>>> import numpy as np
>>> net = relu_net_1d(np.linspace(-2, 2, 5), w=[1.0, -1.0], b=[0.0, 1.0], v=[1.0, 2.0])
>>> net.y.tolist(), net.kinks.tolist()
([6.0, 4.0, 2.0, 1.0, 2.0], [0.0, 1.0])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnedu._validate import as_float_array, check_ndim, real

__all__ = ["PiecewiseLinear", "relu_net_1d"]


@dataclass(frozen=True)
class PiecewiseLinear:
    """What :func:`relu_net_1d` returns.

    Attributes
    ----------
    x, y, slope : ndarray, shape (n,)
        The inputs, the network's output and its derivative ``dy/dx`` there.
    kinks : ndarray, shape (k,)
        The switch points ``-b_j / w_j`` inside ``[x.min(), x.max()]``, sorted (units with
        ``w_j = 0`` never switch).
    pieces : int
        How many straight pieces the output has on the range (distinct slopes between
        kinks; a kink where the slope does not change is not counted).
    """

    x: np.ndarray
    y: np.ndarray
    slope: np.ndarray
    kinks: np.ndarray
    pieces: int


def relu_net_1d(x, w, b, v, c: float = 0.0) -> PiecewiseLinear:
    """Run a one-input, one-output network with one hidden layer of ReLUs.

    Parameters
    ----------
    x : ndarray, shape (n,)
    w, b, v : ndarray, shape (J,)
        Input weights, biases and output weights of the ``J`` hidden units.
    c : float
        Output bias.

    Returns
    -------
    PiecewiseLinear
    """
    func = "relu_net_1d"
    x = as_float_array(x, "x", func)
    check_ndim(x, 1, "x", func, "(n,)")
    w, b, v = (as_float_array(a, n, func) for a, n in ((w, "w"), (b, "b"), (v, "v")))
    for a, n in ((w, "w"), (b, "b"), (v, "v")):
        check_ndim(a, 1, n, func, "(J,)")
    if not w.shape == b.shape == v.shape:
        raise ValueError(f"{func}: w, b and v must have the same shape (J,); got {w.shape}, "
                         f"{b.shape} and {v.shape}")
    c = real(c, "c", func, expected="finite")
    z = x[:, None] * w[None, :] + b[None, :]
    open_ = z > 0
    y = c + (np.maximum(z, 0.0) * v).sum(axis=1)
    slope = (open_ * (v * w)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = -b[w != 0] / w[w != 0]
    kinks = np.sort(at[(at >= x.min()) & (at <= x.max())]) if x.size else at[:0]
    edges = np.concatenate([[x.min()], kinks, [x.max()]]) if x.size else np.zeros(0)
    mids = (edges[:-1] + edges[1:]) / 2
    slopes = ((mids[:, None] * w + b > 0) * (v * w)).sum(axis=1)
    pieces = int(1 + np.sum(~np.isclose(np.diff(slopes), 0.0))) if mids.size else 0
    return PiecewiseLinear(x, y, slope, kinks, pieces)
