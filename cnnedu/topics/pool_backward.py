r"""The backward pass of max pooling, as loops: each output's gradient goes to one input.

Forward, ``y[n, c, i, j]`` is the largest of the window
``x[n, c, i*s : i*s + k, j*s : j*s + k]``. Only that one input moved the output, so

.. math::

    dX[n, c, i s + u^*, j s + v^*] \mathrel{+}= dY[n, c, i, j], \qquad
    (u^*, v^*) = \text{the first maximum of the window (row-major)},

and every other input of the window gets nothing from it. Two details decide the
numbers: **ties** (several equal maxima) send the whole gradient to the first one, as
PyTorch does, so it is neither split nor duplicated; **overlapping windows**
(``stride < size``) can pick the same input twice, and then its gradients add up
(``+=``, not ``=``). The fast version is :class:`cnnedu.nn.layers.MaxPool2D`; the tests
compare the two.

>>> x = np.array([[[[1.0, 3.0, 3.0],
...                 [0.0, 2.0, 1.0]]]])
>>> max_pool_backward_naive(np.array([[[[1.0, 10.0]]]]), x, 2, 1)[0, 0]
array([[ 0., 11.,  0.],
       [ 0.,  0.,  0.]])
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import as_float_array, check_ndim, describe, integer

__all__ = ["pool_geometry", "max_pool_naive", "max_pool_backward_naive", "winners"]


def pool_geometry(x_shape, size, stride, func: str = "pool_geometry"):
    """``(size, stride, (H_out, W_out))`` for square windows; ``H_out = (H - size) // stride + 1``."""
    size = integer(size, "size", func, minimum=1)
    stride = size if stride is None else integer(stride, "stride", func, minimum=1)
    H, W = x_shape[-2:]
    if size > H or size > W:
        raise ValueError(f"{func}: the window {size}x{size} is larger than the input "
                         f"(H, W) = {(H, W)}")
    return size, stride, ((H - size) // stride + 1, (W - size) // stride + 1)


def _x(x, func):
    x = as_float_array(x, "x", func)
    check_ndim(x, 4, "x", func, "(N, C, H, W)")
    return x


def max_pool_naive(x, size, stride=None) -> np.ndarray:
    """Max pooling as loops.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    size : int
        The window is ``size x size``.
    stride : int, optional
        Default ``size``.

    Returns
    -------
    y : ndarray, shape (N, C, H_out, W_out)
    """
    func = "max_pool_naive"
    x = _x(x, func)
    k, s, (Ho, Wo) = pool_geometry(x.shape, size, stride, func)
    N, C = x.shape[:2]
    y = np.empty((N, C, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    y[n, c, i, j] = x[n, c, i * s:i * s + k, j * s:j * s + k].max()
    return y


def winners(x, size, stride=None) -> np.ndarray:
    """For each output, the input position ``(row, col)`` of the first maximum of its
    window: an int array of shape ``(N, C, H_out, W_out, 2)``."""
    func = "winners"
    x = _x(x, func)
    k, s, (Ho, Wo) = pool_geometry(x.shape, size, stride, func)
    N, C = x.shape[:2]
    out = np.empty((N, C, Ho, Wo, 2), dtype=int)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * s:i * s + k, j * s:j * s + k]
                    u, v = divmod(int(np.argmax(window)), k)  # argmax: the first maximum
                    out[n, c, i, j] = (i * s + u, j * s + v)
    return out


def max_pool_backward_naive(dy, x, size, stride=None) -> np.ndarray:
    """The gradient of :func:`max_pool_naive` with respect to ``x``, as loops.

    Parameters
    ----------
    dy : ndarray, shape (N, C, H_out, W_out)
    x : ndarray, shape (N, C, H, W)
        The input of the forward pass.
    size, stride : int
        As in the forward pass.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
        ``dy[n, c, i, j]`` added at the first maximum of window ``(i, j)``; zero elsewhere
        (also in rows and columns that no window reached).
    """
    func = "max_pool_backward_naive"
    x = _x(x, func)
    dy = as_float_array(dy, "dy", func)
    k, s, (Ho, Wo) = pool_geometry(x.shape, size, stride, func)
    if dy.shape != x.shape[:2] + (Ho, Wo):
        raise ValueError(f"{func}: dy must have the shape of y, (N, C, H_out, W_out) = "
                         f"{x.shape[:2] + (Ho, Wo)}; got {describe(dy)}")
    win = winners(x, k, s)
    dx = np.zeros_like(x)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(Ho):
                for j in range(Wo):
                    r, col = win[n, c, i, j]
                    dx[n, c, r, col] += dy[n, c, i, j]   # += : overlapping windows add up
    return dx
