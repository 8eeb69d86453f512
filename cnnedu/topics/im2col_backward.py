r"""The backward pass of a conv layer in the im2col view: two matrix products and a col2im.

Notebook 02 turns the convolution into one matrix product: every window of the padded
input becomes a column of ``cols`` (:func:`im2col`), the filters become the rows of
``W_mat``, and ``Y_mat = W_mat @ cols``. The backward pass of a matrix product is the dense
rule of notebook 05, section 1, so

.. math::

    dW_{mat} = dY_{mat}\, \mathrm{cols}^\top, \qquad
    d\mathrm{cols} = W_{mat}^\top\, dY_{mat}, \qquad
    dX = \mathrm{col2im}(d\mathrm{cols}),

and :func:`col2im` is :func:`im2col` run backwards: each column is added (``+=``) back
onto the window it came from, so a pixel in several windows collects all their
gradients, and the padding is cropped. The channel bookkeeping of the loops (which
filter reads which channel) is a matrix transpose here.

Shapes: ``x`` ``(N, C, H, W)``, ``w`` ``(F, C, kh, kw)``, ``cols``
``(C*kh*kw, N*H_out*W_out)`` (row ``c*kh*kw + u*kw + v``, column
``n*H_out*W_out + i*W_out + j``), ``H_out = (H + 2*padding - kh) // stride + 1``.

>>> x = np.arange(16.0).reshape(1, 1, 4, 4)
>>> im2col(x, 2, 2, stride=2).shape
(4, 4)
>>> col2im(im2col(x, 2, 2, stride=2), x.shape, 2, 2, stride=2)[0, 0, 0]
array([0., 1., 2., 3.])
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import as_float_array, check_ndim, describe, pair

__all__ = ["im2col", "col2im", "conv2d_im2col", "conv2d_backward_im2col"]


def _geometry(shape, kh, kw, stride, padding, func):
    sh, sw = pair(stride, "stride", func, minimum=1)
    ph, pw = pair(padding, "padding", func, minimum=0)
    kh, kw = pair((kh, kw), "kernel size (kh, kw)", func, minimum=1)
    N, C, H, W = shape
    if kh > H + 2 * ph or kw > W + 2 * pw:
        raise ValueError(f"{func}: the kernel ({kh}, {kw}) is larger than the padded input "
                         f"({H + 2 * ph}, {W + 2 * pw})")
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    return (sh, sw), (ph, pw), (kh, kw), (Ho, Wo)


def im2col(x, kh, kw, *, stride=1, padding=0) -> np.ndarray:
    """Every ``kh x kw`` window of the zero-padded ``x`` as one column.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kh, kw : int
        The window (kernel) size.
    stride, padding : int or (int, int)

    Returns
    -------
    cols : ndarray, shape (C*kh*kw, N*H_out*W_out)
        ``cols[c*kh*kw + u*kw + v, n*H_out*W_out + i*W_out + j]
        = x_pad[n, c, i*stride + u, j*stride + v]``.
    """
    func = "im2col"
    x = as_float_array(x, "x", func)
    check_ndim(x, 4, "x", func, "(N, C, H, W)")
    (sh, sw), (ph, pw), (kh, kw), (Ho, Wo) = _geometry(x.shape, kh, kw, stride, padding, func)
    N, C = x.shape[:2]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.empty((C, kh, kw, N, Ho, Wo), dtype=x.dtype)
    for u in range(kh):          # one slice per kernel tap: all windows at once
        for v in range(kw):
            cols[:, u, v] = xp[:, :, u:u + sh * (Ho - 1) + 1:sh,
                               v:v + sw * (Wo - 1) + 1:sw].transpose(1, 0, 2, 3)
    return cols.reshape(C * kh * kw, N * Ho * Wo)


def col2im(cols, x_shape, kh, kw, *, stride=1, padding=0) -> np.ndarray:
    """Add every column back onto its window (``+=``: overlapping windows sum), then crop
    the padding. The adjoint of :func:`im2col`.

    Parameters
    ----------
    cols : ndarray, shape (C*kh*kw, N*H_out*W_out)
    x_shape : (N, C, H, W)

    Returns
    -------
    ndarray, shape (N, C, H, W)
    """
    func = "col2im"
    cols = as_float_array(cols, "cols", func)
    if len(tuple(x_shape)) != 4:
        raise ValueError(f"{func}: x_shape must be (N, C, H, W); got {x_shape!r}")
    N, C, H, W = (int(v) for v in x_shape)
    (sh, sw), (ph, pw), (kh, kw), (Ho, Wo) = _geometry((N, C, H, W), kh, kw, stride,
                                                       padding, func)
    if cols.shape != (C * kh * kw, N * Ho * Wo):
        raise ValueError(f"{func}: cols must have shape (C*kh*kw, N*H_out*W_out) = "
                         f"{(C * kh * kw, N * Ho * Wo)}; got {describe(cols)}")
    c6 = cols.reshape(C, kh, kw, N, Ho, Wo)
    dxp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    for u in range(kh):
        for v in range(kw):
            dxp[:, :, u:u + sh * (Ho - 1) + 1:sh,
                v:v + sw * (Wo - 1) + 1:sw] += c6[:, u, v].transpose(1, 0, 2, 3)
    return dxp[:, :, ph:ph + H, pw:pw + W]


def _check(x, w, func):
    x = as_float_array(x, "x", func)
    w = as_float_array(w, "w", func)
    check_ndim(x, 4, "x", func, "(N, C, H, W)")
    check_ndim(w, 4, "w", func, "(F, C, kh, kw)")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"{func}: x (N, C, H, W) = {x.shape} has C = {x.shape[1]} but w "
                         f"(F, C, kh, kw) = {w.shape} has C = {w.shape[1]}")
    return x, w


def conv2d_im2col(x, w, b=None, *, stride=1, padding=0) -> np.ndarray:
    """The forward pass as one matrix product: ``Y_mat = W_mat @ cols + b``.

    Returns ``y``, shape ``(N, F, H_out, W_out)`` (equal to :func:`cnnedu.nn.conv.conv2d`).
    """
    func = "conv2d_im2col"
    x, w = _check(x, w, func)
    F, C, kh, kw = w.shape
    _, _, _, (Ho, Wo) = _geometry(x.shape, kh, kw, stride, padding, func)
    y_mat = w.reshape(F, C * kh * kw) @ im2col(x, kh, kw, stride=stride, padding=padding)
    if b is not None:
        y_mat = y_mat + np.asarray(b, dtype=x.dtype).reshape(F, 1)
    return y_mat.reshape(F, x.shape[0], Ho, Wo).transpose(1, 0, 2, 3)


def conv2d_backward_im2col(dy, x, w, *, stride=1, padding=0):
    r"""``dx, dw, db`` of the conv layer from the im2col view.

    .. math::

        dW_{mat} = dY_{mat}\,\mathrm{cols}^\top, \quad
        dX = \mathrm{col2im}(W_{mat}^\top dY_{mat}), \quad
        db = \textstyle\sum_{n, i, j} dY

    Parameters
    ----------
    dy : ndarray, shape (N, F, H_out, W_out)
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (F, C, kh, kw)

    Returns
    -------
    dx : (N, C, H, W), dw : (F, C, kh, kw), db : (F,)
    """
    func = "conv2d_backward_im2col"
    x, w = _check(x, w, func)
    dy = as_float_array(dy, "dy", func)
    F, C, kh, kw = w.shape
    N = x.shape[0]
    _, _, _, (Ho, Wo) = _geometry(x.shape, kh, kw, stride, padding, func)
    if dy.shape != (N, F, Ho, Wo):
        raise ValueError(f"{func}: dy must have the shape of y, (N, F, H_out, W_out) = "
                         f"{(N, F, Ho, Wo)}; got {describe(dy)}")
    cols = im2col(x, kh, kw, stride=stride, padding=padding)      # (C*kh*kw, N*L)
    dy_mat = dy.transpose(1, 0, 2, 3).reshape(F, N * Ho * Wo)      # (F, N*L)
    dw = (dy_mat @ cols.T).reshape(F, C, kh, kw)
    dcols = w.reshape(F, C * kh * kw).T @ dy_mat                   # (C*kh*kw, N*L)
    dx = col2im(dcols, x.shape, kh, kw, stride=stride, padding=padding)
    return dx, dw, dy.sum(axis=(0, 2, 3))
