r"""The conv layer as one matrix product (im2col), the teaching view.

Copy every window of the input into one column of a matrix ``X_col``; reshape the weights
``w`` ``(F, C, kh, kw)`` to ``W_row`` ``(F, C*kh*kw)``; then the whole layer is one
matrix product:

.. math::

    X_{col}[(c, u, v),\; (i, j)] = x_{pad}[c,\; i s + u,\; j s + v], \qquad
    Y = W_{row} \, X_{col} \quad (F \times H_{out} W_{out})

Rows of ``X_col`` run over ``(c, u, v)`` in the order of ``w.reshape(F, -1)``; columns
over the output positions in row-major order (``i`` then ``j``), so
``(w.reshape(F, -1) @ X_col).reshape(F, H_out, W_out)`` is the layer's output for one
image. Why this is fast: one call to an optimised matrix product (GEMM) instead of
``F*H_out*W_out`` small dot products in Python. What it costs: each input pixel is copied
into up to ``kh*kw`` columns, so the matrix holds about ``kh*kw`` copies of the input
(:func:`copies_of_input`).

The package's fast path (:mod:`cnnedu.nn.conv`) does exactly this, with tricks of its own;
this module is the plain version to read: :func:`window_matrix_naive` (loops) and
:func:`window_matrix` (one strided view).

>>> x = np.arange(12.0).reshape(1, 3, 4)
>>> window_matrix(x, 2)
array([[ 0.,  1.,  2.,  4.,  5.,  6.],
       [ 1.,  2.,  3.,  5.,  6.,  7.],
       [ 4.,  5.,  6.,  8.,  9., 10.],
       [ 5.,  6.,  7.,  9., 10., 11.]])
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnedu._validate import as_float_array, check_ndim, integer, pair

__all__ = ["window_matrix", "window_matrix_naive", "conv_as_gemm", "copies_of_input"]


def _args(x, k, stride, padding, func):
    x = as_float_array(x, "x", func)
    check_ndim(x, 3, "x", func, "(C, H, W)")
    kh, kw = pair(k, "k", func)
    s = integer(stride, "stride", func, minimum=1)
    p = integer(padding, "padding", func, minimum=0)
    if p:
        x = np.pad(x, ((0, 0), (p, p), (p, p)))
    C, H, W = x.shape
    if kh > H or kw > W:
        raise ValueError(f"{func}: the kernel {(kh, kw)} is larger than the padded input "
                         f"(H, W) = {(H, W)}")
    return x, kh, kw, s


def window_matrix_naive(x, k, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """The im2col matrix of one image, with loops: column ``i*W_out + j`` is window (i, j).

    Parameters
    ----------
    x : ndarray, shape (C, H, W)
        One image.
    k : int or (int, int)
        Kernel ``(kh, kw)``.
    stride, padding : int

    Returns
    -------
    ndarray, shape (C*kh*kw, H_out*W_out)
        ``H_out = (H + 2*padding - kh) // stride + 1``; rows in ``(c, u, v)`` order.
    """
    x, kh, kw, s = _args(x, k, stride, padding, "window_matrix_naive")
    C, H, W = x.shape
    Ho, Wo = (H - kh) // s + 1, (W - kw) // s + 1
    cols = np.empty((C * kh * kw, Ho * Wo), dtype=x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, i * s:i * s + kh, j * s:j * s + kw]     # (C, kh, kw)
            cols[:, i * Wo + j] = window.reshape(-1)              # c, then u, then v
    return cols


def window_matrix(x, k, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """The im2col matrix of one image, from one strided view (same result as the loops).

    Shapes as :func:`window_matrix_naive`.
    """
    x, kh, kw, s = _args(x, k, stride, padding, "window_matrix")
    C = x.shape[0]
    view = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::s, ::s]  # (C, Ho, Wo, kh, kw)
    Ho, Wo = view.shape[1:3]
    return view.transpose(0, 3, 4, 1, 2).reshape(C * kh * kw, Ho * Wo)


def conv_as_gemm(x, w, b=None, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """A conv layer on one image as ``w.reshape(F, -1) @ window_matrix(x) + b``.

    Parameters
    ----------
    x : ndarray, shape (C, H, W)
    w : ndarray, shape (F, C, kh, kw)
    b : ndarray, shape (F,), optional

    Returns
    -------
    ndarray, shape (F, H_out, W_out)
        Equal to ``cnnedu.nn.conv.conv2d(x[None], w, b, stride=stride,
        padding=padding)[0]``.
    """
    w = as_float_array(w, "w", "conv_as_gemm")
    check_ndim(w, 4, "w", "conv_as_gemm", "(F, C, kh, kw)")
    x = as_float_array(x, "x", "conv_as_gemm")
    check_ndim(x, 3, "x", "conv_as_gemm", "(C, H, W)")
    F, C, kh, kw = w.shape
    if x.shape[0] != C:
        raise ValueError(f"conv_as_gemm: x has {x.shape[0]} channels (C, H, W) = {x.shape}, "
                         f"but w (F, C, kh, kw) = {w.shape} expects C = {C}")
    cols = window_matrix(x, (kh, kw), stride=stride, padding=padding)
    Hp, Wp = x.shape[1] + 2 * padding, x.shape[2] + 2 * padding
    Ho, Wo = (Hp - kh) // stride + 1, (Wp - kw) // stride + 1
    y = w.reshape(F, -1) @ cols
    if b is not None:
        y = y + np.asarray(b, dtype=y.dtype).reshape(F, 1)
    return y.reshape(F, Ho, Wo)


def copies_of_input(in_shape, k, *, stride: int = 1, padding: int = 0) -> float:
    """How many times larger the im2col matrix is than the input: entries / (C*H*W).

    About ``kh*kw`` for stride 1 and a large image (each pixel sits in ``kh*kw`` windows);
    less near the borders and with a larger stride.

    >>> round(copies_of_input((3, 128, 128), 3), 2)
    8.72
    """
    C, H, W = (integer(v, "in_shape", "copies_of_input", minimum=1) for v in in_shape)
    kh, kw = pair(k, "k", "copies_of_input")
    Ho = (H + 2 * padding - kh) // stride + 1
    Wo = (W + 2 * padding - kw) // stride + 1
    if Ho < 1 or Wo < 1:
        raise ValueError(f"copies_of_input: the kernel {(kh, kw)} does not fit an input of "
                         f"(C, H, W) = {(C, H, W)} with padding {padding}")
    return C * kh * kw * Ho * Wo / (C * H * W)
