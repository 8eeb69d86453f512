"""Convolution as plain loops that read like the equations (the teaching reference).

Every fast function in :mod:`cnnedu.nn.conv` has its reference here, and the tests compare
them. The loops run over ``n, f, i, j`` (the output positions) and take one ``np.sum``
over the ``(C, kh, kw)`` window, so each line is one equation of the notebooks.

Symbols: ``x`` (N, C, H, W), ``w`` (F, C, kh, kw), ``b`` (F,), ``y`` (N, F, H_out, W_out),
``s`` stride, ``p`` padding, ``d`` dilation, with

``H_out = (H + 2*p - d*(kh - 1) - 1) // s + 1`` (the same for ``W_out``).

>>> import numpy as np
>>> x = np.arange(16.0).reshape(1, 1, 4, 4)
>>> w = np.ones((1, 1, 2, 2))
>>> conv2d_naive(x, w)[0, 0]
array([[10., 14., 18.],
       [26., 30., 34.],
       [42., 46., 50.]])
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cnnedu._validate import as_float_array, check_ndim, describe, pair, result_dtype

__all__ = ["conv2d_naive", "conv2d_backward_naive"]


# ---------------------------------------------------------------------------------------
# Shared argument checks (used by cnnedu.nn.conv as well).
# ---------------------------------------------------------------------------------------

class _ConvArgs(NamedTuple):
    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    out_hw: tuple[int, int]


def _check_nonempty(a: np.ndarray, name: str, func: str, axes: str) -> None:
    if a.size == 0:
        raise ValueError(
            f"{func}: {name} must not be empty (every axis of {axes} at least 1); "
            f"got an array of shape {a.shape}"
        )


def _check_padding(padding, func: str) -> tuple[int, int]:
    if isinstance(padding, str):
        raise TypeError(
            f"{func}: padding must be an integer or an (h, w) pair of integers (zeros added "
            f"on each side); got the string {padding!r}. {func} takes integer padding; "
            f"the modes 'valid', 'same', 'full' belong to correlate2d/convolve2d"
        )
    try:
        return pair(padding, "padding", func, minimum=0)
    except TypeError as err:
        raise TypeError(f"{err} ({func} takes integer padding)") from None


def _out_len(size: int, k: int, s: int, p: int, d: int, func: str,
             what: str = "length", names: tuple[str, str] = ("size", "kernel")) -> int:
    """One output length, ``(size + 2*p - d*(k - 1) - 1) // s + 1``, checked."""
    span = d * (k - 1) + 1
    if span > size + 2 * p:
        size_name, k_name = names
        raise ValueError(
            f"{func}: the kernel {what} is larger than the padded input {what}: "
            f"{k_name}={k} with dilation={d} spans dilation*({k_name} - 1) + 1 = {span}, "
            f"but {size_name} + 2*padding = {size} + 2*{p} = {size + 2 * p}; use a smaller "
            f"kernel or dilation, or more padding"
        )
    return (size + 2 * p - span) // s + 1


def _check_conv_args(x, w, b, stride, padding, dilation, func: str) -> _ConvArgs:
    """Validate and normalise the arguments of a conv2d call (forward or backward)."""
    x = as_float_array(x, "x", func)
    w = as_float_array(w, "w", func)
    check_ndim(x, 4, "x", func, "(N, C, H, W)")
    check_ndim(w, 4, "w", func, "(F, C, kh, kw)")
    _check_nonempty(x, "x", func, "(N, C, H, W)")
    _check_nonempty(w, "w", func, "(F, C, kh, kw)")
    if x.shape[1] != w.shape[1]:
        raise ValueError(
            f"{func}: x and w must have the same number of input channels C; x of shape "
            f"(N, C, H, W) = {x.shape} has C={x.shape[1]}, w of shape (F, C, kh, kw) = "
            f"{w.shape} has C={w.shape[1]}"
        )
    stride = pair(stride, "stride", func, minimum=1)
    padding = _check_padding(padding, func)
    dilation = pair(dilation, "dilation", func, minimum=1)
    dtype = result_dtype(x, w)
    x = x.astype(dtype, copy=False)
    w = w.astype(dtype, copy=False)
    if b is not None:
        F = w.shape[0]
        b_arr = as_float_array(b, "b", func)
        if b_arr.ndim != 1 or b_arr.shape[0] != F:
            raise ValueError(
                f"{func}: b must have shape (F,) = ({F},), one bias per filter of w "
                f"{w.shape}; got {describe(b_arr)}"
            )
        b = b_arr.astype(dtype, copy=False)
    (H, W), (kh, kw) = x.shape[2:], w.shape[2:]
    H_out = _out_len(H, kh, stride[0], padding[0], dilation[0], func, "height", ("H", "kh"))
    W_out = _out_len(W, kw, stride[1], padding[1], dilation[1], func, "width", ("W", "kw"))
    return _ConvArgs(x, w, b, stride, padding, dilation, (H_out, W_out))


def _check_dy(dy, args: _ConvArgs, func: str) -> np.ndarray:
    """``dy`` as an array of shape (N, F, H_out, W_out) in the dtype of x and w."""
    dy = as_float_array(dy, "dy", func)
    expected = (args.x.shape[0], args.w.shape[0], *args.out_hw)
    if dy.shape != expected:
        raise ValueError(
            f"{func}: dy must have the shape of y, (N, F, H_out, W_out) = {expected}; "
            f"got {describe(dy)}"
        )
    return dy.astype(args.x.dtype, copy=False)


def _pad(x: np.ndarray, ph: int, pw: int) -> np.ndarray:
    """Zero-pad the last two axes by ``ph`` rows and ``pw`` columns on each side."""
    width = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
    return np.pad(x, width)


# ---------------------------------------------------------------------------------------
# The reference loops.
# ---------------------------------------------------------------------------------------

def conv2d_naive(x, w, b=None, *, stride=1, padding=0, dilation=1):
    r"""2-D cross-correlation layer as loops (the reference for :func:`cnnedu.nn.conv.conv2d`).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input batch.
    w : ndarray, shape (F, C, kh, kw)
        Weights: F filters, each spanning all C input channels.
    b : ndarray, shape (F,), optional
        One bias per filter (cast to the dtype of ``x``).
    stride, padding, dilation : int or (int, int)
        Step between windows, zeros added on each side, spacing of the kernel taps.

    Returns
    -------
    y : ndarray, shape (N, F, H_out, W_out)
        ``H_out = (H + 2*padding - dilation*(kh - 1) - 1) // stride + 1``, the same for
        ``W_out``.

    Notes
    -----
    With :math:`x_{pad}` the zero-padded input, :math:`s` the stride and :math:`d` the
    dilation:

    .. math::

        y[n, f, i, j] = b[f] + \sum_{c} \sum_{u} \sum_{v}
            x_{pad}[n, c, i s + u d, j s + v d] \; w[f, c, u, v]

    Examples
    --------
    >>> x = np.ones((1, 2, 5, 5))
    >>> w = np.ones((3, 2, 3, 3))
    >>> conv2d_naive(x, w, np.zeros(3), stride=2, padding=1).shape
    (1, 3, 3, 3)
    """
    x, w, b, (sh, sw), (ph, pw), (dh, dw_), (H_out, W_out) = _check_conv_args(
        x, w, b, stride, padding, dilation, "conv2d_naive")
    N, F = x.shape[0], w.shape[0]
    kh, kw = w.shape[2:]
    x_pad = _pad(x, ph, pw)
    y = np.zeros((N, F, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    # the (C, kh, kw) window under filter f at output position (i, j)
                    window = x_pad[n, :,
                                   i * sh: i * sh + dh * (kh - 1) + 1: dh,
                                   j * sw: j * sw + dw_ * (kw - 1) + 1: dw_]
                    y[n, f, i, j] = np.sum(window * w[f])
            if b is not None:
                y[n, f] += b[f]
    return y


def conv2d_backward_naive(dy, x, w, *, stride=1, padding=0, dilation=1):
    r"""Gradients of :func:`conv2d_naive` as loops (the reference for ``conv2d_backward``).

    Parameters
    ----------
    dy : ndarray, shape (N, F, H_out, W_out)
        Gradient of the loss with respect to the output ``y``.
    x : ndarray, shape (N, C, H, W)
        The input of the forward pass.
    w : ndarray, shape (F, C, kh, kw)
        The weights of the forward pass.
    stride, padding, dilation : int or (int, int)
        As in the forward pass.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dw : ndarray, shape (F, C, kh, kw)
    db : ndarray, shape (F,)

    Notes
    -----
    Every output ``y[n, f, i, j]`` touched one window of :math:`x_{pad}`; its gradient
    flows back through that window only:

    .. math::

        dW[f, c, u, v] &= \sum_{n} \sum_{i} \sum_{j}
            dY[n, f, i, j] \; x_{pad}[n, c, i s + u d, j s + v d] \\
        dX_{pad}[n, c, i s + u d, j s + v d] &\mathrel{+}= dY[n, f, i, j] \; w[f, c, u, v] \\
        db[f] &= \sum_{n} \sum_{i} \sum_{j} dY[n, f, i, j]

    and :math:`dX` is :math:`dX_{pad}` with the padding cropped off.

    Examples
    --------
    >>> x = np.ones((1, 1, 3, 3))
    >>> w = np.ones((1, 1, 2, 2))
    >>> dx, dw, db = conv2d_backward_naive(np.ones((1, 1, 2, 2)), x, w)
    >>> dx[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> dw[0, 0], db
    (array([[4., 4.],
           [4., 4.]]), array([4.]))
    """
    func = "conv2d_backward_naive"
    args = _check_conv_args(x, w, None, stride, padding, dilation, func)
    dy = _check_dy(dy, args, func)
    x, w = args.x, args.w
    (sh, sw), (ph, pw), (dh, dw_), (H_out, W_out) = (
        args.stride, args.padding, args.dilation, args.out_hw)
    N, F = x.shape[0], w.shape[0]
    H, W = x.shape[2:]
    kh, kw = w.shape[2:]
    x_pad = _pad(x, ph, pw)
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = np.zeros(F, dtype=x.dtype)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw_ * (kw - 1) + 1, dw_)
                    dw[f] += dy[n, f, i, j] * x_pad[n, :, rows, cols]
                    dx_pad[n, :, rows, cols] += dy[n, f, i, j] * w[f]
                    db[f] += dy[n, f, i, j]
    dx = dx_pad[:, :, ph: ph + H, pw: pw + W]
    return dx, dw, db
