r"""Where the gradient of a convolution flows: the index sets.

Forward (one channel, stride ``s``, padding ``p``, dilation ``d``): output ``y[i, j]`` reads
the padded input at ``(i s + u d, j s + v d)`` through weight ``w[u, v]``. Backward, every
such read sends ``dy[i, j] * w[u, v]`` back to that input cell and ``dy[i, j] * x`` to that
weight. So

- :func:`output_window`: the input cells and weights one output used (its receptive field);
- :func:`input_reach`: every ``(i, j, u, v)`` through which one input cell reached the
  output: exactly the terms of its gradient, ``dX[r, c] = sum dY[i, j] W[u, v]``.

The same gradients as whole-array operations (dilate, crop, the transposed convolution)
are in :mod:`cnnedu.topics.conv_transpose`.

>>> [t[:2] for t in input_reach(1, 1, (3, 3), (2, 2))]
[(0, 0), (0, 1), (1, 0), (1, 1)]
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cnnedu._validate import pair

__all__ = [
    "Geometry",
    "geometry",
    "output_window",
    "input_reach",
    "reach_counts",
    "input_grad_terms",
]


class Geometry(NamedTuple):
    """One-channel conv geometry, per axis pairs ``(rows, cols)``."""

    in_hw: tuple[int, int]
    k_hw: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    out_hw: tuple[int, int]

    @property
    def padded_hw(self) -> tuple[int, int]:
        return (self.in_hw[0] + 2 * self.padding[0], self.in_hw[1] + 2 * self.padding[1])


def geometry(in_hw, k_hw, *, stride=1, padding=0, dilation=1, func: str = "geometry") -> Geometry:
    """Check a geometry and compute the output size.

    ``H_out = (H + 2p - d(kh - 1) - 1) // s + 1`` (the same for ``W_out``).

    >>> geometry((7, 7), (3, 3), stride=2, padding=1).out_hw
    (4, 4)
    """
    in_hw = pair(in_hw, "in_hw", func, minimum=1)
    k_hw = pair(k_hw, "k_hw", func, minimum=1)
    s = pair(stride, "stride", func, minimum=1)
    p = pair(padding, "padding", func, minimum=0)
    d = pair(dilation, "dilation", func, minimum=1)
    out = []
    for ax, name in ((0, "height"), (1, "width")):
        span = d[ax] * (k_hw[ax] - 1) + 1
        room = in_hw[ax] + 2 * p[ax]
        if span > room:
            raise ValueError(
                f"{func}: the dilated kernel {name} d*(k-1)+1 = {span} is larger than the "
                f"padded input {name} H+2p = {room} (input {in_hw}, kernel {k_hw}, "
                f"padding {p}, dilation {d})")
        out.append((room - span) // s[ax] + 1)
    return Geometry(in_hw, k_hw, s, p, d, tuple(out))


def _index(value, size: int, name: str, func: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{func}: {name} must be an integer; got {value!r}")
    if not 0 <= value < size:
        raise ValueError(f"{func}: {name} must be in 0..{size - 1}; got {value}")
    return int(value)


def output_window(i, j, in_hw, k_hw, *, stride=1, padding=0, dilation=1) -> np.ndarray:
    """The cells of the padded input that output ``y[i, j]`` read, and through which weight.

    Returns
    -------
    weight_map : ndarray of int, shape (H + 2p, W + 2p)
        ``u * kw + v`` where weight ``w[u, v]`` touched that cell, ``-1`` elsewhere. The
        real input is ``weight_map[p:p+H, p:p+W]`` (:func:`crop`); the border is padding.

    >>> output_window(0, 1, (3, 4), (2, 2))
    array([[-1,  0,  1, -1],
           [-1,  2,  3, -1],
           [-1, -1, -1, -1]])
    """
    func = "output_window"
    g = geometry(in_hw, k_hw, stride=stride, padding=padding, dilation=dilation, func=func)
    i = _index(i, g.out_hw[0], "i (output row)", func)
    j = _index(j, g.out_hw[1], "j (output column)", func)
    (kh, kw), (sh, sw), (dh, dw) = g.k_hw, g.stride, g.dilation
    m = np.full(g.padded_hw, -1, dtype=int)
    for u in range(kh):
        for v in range(kw):
            m[i * sh + u * dh, j * sw + v * dw] = u * kw + v
    return m


def input_reach(r, c, in_hw, k_hw, *, stride=1, padding=0, dilation=1) -> list[tuple]:
    """Every ``(i, j, u, v)`` with output ``y[i, j]`` reading input ``x[r, c]`` through
    ``w[u, v]``: ``i s + u d - p = r`` and ``j s + v d - p = c``.

    These are the terms of ``dX[r, c] = sum dY[i, j] * W[u, v]``. An empty list means the
    cell was never read (possible with stride > kernel, or at the end of a strided row):
    its gradient is 0.

    >>> input_reach(0, 0, (4, 4), (3, 3), stride=2)
    [(0, 0, 0, 0)]
    >>> input_reach(3, 3, (4, 4), (3, 3), stride=2)  # the last row is never read
    []
    """
    func = "input_reach"
    g = geometry(in_hw, k_hw, stride=stride, padding=padding, dilation=dilation, func=func)
    r = _index(r, g.in_hw[0], "r (input row)", func)
    c = _index(c, g.in_hw[1], "c (input column)", func)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = g.k_hw, g.stride, g.padding, g.dilation
    terms = []
    for i in range(g.out_hw[0]):
        for u in range(kh):
            if i * sh + u * dh - ph != r:
                continue
            for j in range(g.out_hw[1]):
                for v in range(kw):
                    if j * sw + v * dw - pw == c:
                        terms.append((i, j, u, v))
    return terms


def reach_counts(r, c, in_hw, k_hw, *, stride=1, padding=0, dilation=1):
    """:func:`input_reach` as two masks: ``(outputs, weights)``, shapes ``(H_out, W_out)``
    and ``(kh, kw)``, each counting how often that cell appears in the terms.

    >>> out, wts = reach_counts(1, 1, (3, 3), (2, 2))
    >>> out.tolist(), wts.tolist()
    ([[1, 1], [1, 1]], [[1, 1], [1, 1]])
    """
    g = geometry(in_hw, k_hw, stride=stride, padding=padding, dilation=dilation,
                 func="reach_counts")
    outs = np.zeros(g.out_hw, dtype=int)
    wts = np.zeros(g.k_hw, dtype=int)
    for i, j, u, v in input_reach(r, c, in_hw, k_hw, stride=stride, padding=padding,
                                  dilation=dilation):
        outs[i, j] += 1
        wts[u, v] += 1
    return outs, wts


def input_grad_terms(r, c, in_hw, k_hw, *, stride=1, padding=0, dilation=1) -> str:
    """``dX[r, c]`` written as its sum of terms (text).

    >>> input_grad_terms(0, 1, (3, 3), (2, 2))
    'dX[0,1] = dY[0,0]*W[0,1] + dY[0,1]*W[0,0]'
    >>> input_grad_terms(3, 3, (4, 4), (3, 3), stride=2)
    'dX[3,3] = 0 (no output read this cell)'
    """
    terms = input_reach(r, c, in_hw, k_hw, stride=stride, padding=padding, dilation=dilation)
    if not terms:
        return f"dX[{r},{c}] = 0 (no output read this cell)"
    return f"dX[{r},{c}] = " + " + ".join(f"dY[{i},{j}]*W[{u},{v}]" for i, j, u, v in terms)
