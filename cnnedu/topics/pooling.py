r"""Pooling: max and average over windows of each channel, and what it does to shape and shifts.

A pooling layer has no weights. It slides a ``size x size`` window every ``stride`` pixels
over each channel on its own (channels are never mixed) and keeps one number per window:

.. math::

    y_{max}[n, c, i, j] = \max_{u, v}\; x[n, c, i s + u, j s + v] \qquad
    y_{avg}[n, c, i, j] = \frac{1}{k^2} \sum_{u, v} x[n, c, i s + u, j s + v]

with ``H_out = (H - size) // stride + 1`` (no padding: rows a window cannot cover whole are
dropped, as in a conv layer). With the usual ``size = stride = 2`` the map is halved in
each direction and a small shift of the input often leaves the pooled map unchanged
(:func:`shift_agreement` measures how often).

The fast max pooling is :class:`cnnedu.nn.layers.MaxPool2D`; :func:`max_pool_naive` and
:func:`avg_pool_naive` are the loops beside it, :func:`avg_pool` the vectorised average.

>>> x = np.arange(16.0).reshape(1, 1, 4, 4)
>>> max_pool(x, 2)[0, 0]
array([[ 5.,  7.],
       [13., 15.]])
>>> avg_pool(x, 2)[0, 0]
array([[ 2.5,  4.5],
       [10.5, 12.5]])
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnedu._validate import as_float_array, check_ndim, integer
from cnnedu.nn.layers import MaxPool2D

__all__ = ["pool_output_size", "max_pool", "max_pool_naive", "avg_pool", "avg_pool_naive",
           "shift_agreement"]


def _args(x, size, stride, func):
    x = as_float_array(x, "x", func)
    check_ndim(x, 4, "x", func, "(N, C, H, W)")
    size = integer(size, "size", func, minimum=1)
    stride = size if stride is None else integer(stride, "stride", func, minimum=1)
    H, W = x.shape[2:]
    if H < size or W < size:
        raise ValueError(f"{func}: the window {size}x{size} is larger than the input "
                         f"(H, W) = {(H, W)}")
    return x, size, stride


def pool_output_size(size_in: int, size: int, stride: int | None = None) -> int:
    """``(H - size) // stride + 1``: the pooled length of an axis of length ``size_in``.

    >>> pool_output_size(7, 2), pool_output_size(7, 3, 2)
    (3, 3)
    """
    size_in = integer(size_in, "H", "pool_output_size", minimum=1)
    size = integer(size, "size", "pool_output_size", minimum=1)
    stride = size if stride is None else integer(stride, "stride", "pool_output_size",
                                                 minimum=1)
    if size > size_in:
        raise ValueError(f"pool_output_size: the window {size} is longer than the input "
                         f"{size_in}")
    return (size_in - size) // stride + 1


def max_pool(x, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max pooling (fast, :class:`cnnedu.nn.layers.MaxPool2D`).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    size : int
        Window side ``k``.
    stride : int, optional
        Step between windows (default ``size``: windows side by side).

    Returns
    -------
    ndarray, shape (N, C, H_out, W_out)
        ``H_out = (H - size) // stride + 1``.
    """
    x, size, stride = _args(x, size, stride, "max_pool")
    return MaxPool2D(size, stride).forward(x)


def max_pool_naive(x, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max pooling with plain loops (the reference beside :func:`max_pool`)."""
    return _pool_loops(*_args(x, size, stride, "max_pool_naive"), np.max)


def avg_pool(x, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Average pooling (vectorised over windows): the mean of each window, channel by channel.

    Same shapes as :func:`max_pool`.
    """
    x, size, stride = _args(x, size, stride, "avg_pool")
    windows = sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    return windows.mean(axis=(-2, -1))


def avg_pool_naive(x, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Average pooling with plain loops (the reference beside :func:`avg_pool`)."""
    return _pool_loops(*_args(x, size, stride, "avg_pool_naive"),
                       lambda window: window.sum() / window.size)


def _pool_loops(x, size: int, stride: int, reduce) -> np.ndarray:
    """``y[n, c, i, j] = reduce(window)`` over every ``size x size`` window, with loops."""
    N, C, H, W = x.shape
    Ho, Wo = (H - size) // stride + 1, (W - size) // stride + 1
    y = np.empty((N, C, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * stride:i * stride + size, j * stride:j * stride + size]
                    y[n, c, i, j] = reduce(window)
    return y


def shift_agreement(maps, shift: tuple[int, int] = (0, 1), *, size: int = 2,
                    pool: str = "max", atol: float = 1e-9) -> tuple[float, float]:
    """How much of a map survives a small shift of the input, before and after pooling.

    ``maps`` ``(N, C, H, W)`` are compared with themselves shifted by ``shift = (dy, dx)``
    pixels (``maps[..., dy:, dx:]`` against ``maps[..., :H-dy, :W-dx]``, so no zeros come
    in). Returns the fraction of positions whose value is unchanged (within ``atol``) for
    the raw maps and for the maps pooled with ``size x size`` windows (stride ``size``).

    Only positions where the map responds (either value non-zero) are counted, so the
    zeros of a ReLU map do not inflate the fraction. At that fraction of the positions a
    reader of the map cannot tell the shift happened. Max pooling raises it (a maximum that moves inside its window
    is still the maximum); it is partial invariance, not full: a shift that moves a maximum
    across a window border changes the pooled value.

    Returns
    -------
    (float, float)
        ``(unchanged_raw, unchanged_pooled)``, each in [0, 1].
    """
    x = as_float_array(maps, "maps", "shift_agreement")
    check_ndim(x, 4, "maps", "shift_agreement", "(N, C, H, W)")
    dy, dx = (integer(v, "shift", "shift_agreement", minimum=0) for v in shift)
    H, W = x.shape[2:]
    if dy >= H - size or dx >= W - size:
        raise ValueError(f"shift_agreement: shift {shift} too large for maps of (H, W) = "
                         f"{(H, W)} and windows of {size}")
    a = x[..., dy:, dx:]
    b = x[..., :H - dy, :W - dx]
    fn = {"max": max_pool, "avg": avg_pool}.get(pool)
    if fn is None:
        raise ValueError(f"shift_agreement: pool must be 'max' or 'avg'; got {pool!r}")
    return _agreement(a, b, atol), _agreement(fn(a, size), fn(b, size), atol)


def _agreement(a, b, atol) -> float:
    live = (np.abs(a) > atol) | (np.abs(b) > atol)
    if not live.any():
        return 1.0
    return float(np.mean(np.isclose(a[live], b[live], rtol=0, atol=atol)))
