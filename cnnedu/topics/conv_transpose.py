r"""The input gradient of a convolution as whole-array operations: dilate, pad, rotate,
swap the channel axes, crop; together, the transposed convolution.

- :func:`dilate`: put ``s - 1`` zeros between the entries of ``dY`` (undoes the stride);
- :func:`crop`: cut the padding off a gradient computed on the padded input;
- :func:`output_padding_for`: the rows at the end that no window read;
- :func:`full_conv_steps`: the one-channel input gradient step by step (for figures);
- :func:`conv_transpose2d` (and the loops :func:`conv_transpose2d_naive`): the input
  gradient is a transposed convolution, i.e. the full correlation of the dilated ``dY``
  with the rotated kernel, channel axes swapped;
- :func:`conv2d_backward_formulas`: ``dx``, ``dw``, ``db`` from those operations (equal to
  :func:`cnnedu.nn.conv.conv2d_backward`, which the tests check).

>>> dilate(np.array([[1.0, 2.0], [3.0, 4.0]]), 2)
array([[1., 0., 2.],
       [0., 0., 0.],
       [3., 0., 4.]])
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import as_float_array, check_ndim, describe, pair
from cnnedu.nn.conv import conv2d, pad2d, rot180
from cnnedu.topics.gradflow import geometry

__all__ = [
    "dilate",
    "crop",
    "output_padding_for",
    "full_conv_steps",
    "conv_transpose2d",
    "conv_transpose2d_naive",
    "conv2d_backward_formulas",
]


def dilate(a, stride) -> np.ndarray:
    """Insert ``stride - 1`` zeros between neighbouring entries of the last two axes.

    Parameters
    ----------
    a : ndarray, shape (..., H, W)
    stride : int or (int, int)

    Returns
    -------
    ndarray, shape (..., (H - 1) * sh + 1, (W - 1) * sw + 1)

    A stride-``s`` convolution is a stride-1 convolution that keeps every ``s``-th output;
    the outputs it skipped get gradient 0, and these zeros are exactly those.
    """
    func = "dilate"
    a = as_float_array(a, "a", func)
    if a.ndim < 2:
        raise ValueError(f"{func}: a must have at least 2 axes (..., H, W); got {describe(a)}")
    sh, sw = pair(stride, "stride", func, minimum=1)
    H, W = a.shape[-2:]
    out = np.zeros(a.shape[:-2] + ((H - 1) * sh + 1 if H else 0, (W - 1) * sw + 1 if W else 0),
                   dtype=a.dtype)
    out[..., ::sh, ::sw] = a
    return out


def crop(a, padding) -> np.ndarray:
    """Remove ``padding`` rows and columns from each side of the last two axes.

    The gradient with respect to the padded input has entries for the zeros that were
    added; those are not parameters of anything, so they are dropped.

    >>> crop(np.arange(16.0).reshape(4, 4), 1)
    array([[ 5.,  6.],
           [ 9., 10.]])
    """
    func = "crop"
    a = np.asarray(a)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{func}: a must be a numeric array; got {describe(a)}")
    if a.ndim < 2:
        raise ValueError(f"{func}: a must have at least 2 axes (..., H, W); got {describe(a)}")
    ph, pw = pair(padding, "padding", func, minimum=0)
    H, W = a.shape[-2:]
    if 2 * ph >= H or 2 * pw >= W:
        raise ValueError(f"{func}: cropping {ph, pw} from each side of a {H}x{W} array "
                         "leaves nothing")
    return a[..., ph:H - ph, pw:W - pw]


def output_padding_for(in_hw, k_hw, *, stride=1, padding=0, dilation=1) -> tuple[int, int]:
    """Rows/columns at the end of the padded input that no window reached.

    ``(H + 2p - d(kh - 1) - 1) % s``: when the stride does not divide the room, the last
    rows are skipped by every window. The transposed convolution cannot know about them
    from ``dY``'s shape alone, so they are added back (as zero gradient).

    >>> output_padding_for((8, 7), (3, 3), stride=2)
    (1, 0)
    """
    g = geometry(in_hw, k_hw, stride=stride, padding=padding, dilation=dilation,
                 func="output_padding_for")
    return tuple((g.padded_hw[a] - g.dilation[a] * (g.k_hw[a] - 1) - 1) % g.stride[a]
                 for a in (0, 1))


def full_conv_steps(dy, w, *, stride=1, padding=0, in_hw=None) -> dict:
    """The input gradient of a one-channel conv, step by step (for the figures).

    Parameters
    ----------
    dy : ndarray, shape (H_out, W_out)
    w : ndarray, shape (kh, kw)
    stride, padding : int
    in_hw : (int, int), optional
        The input size (needed when the stride leaves rows unread); by default the
        smallest input that gives ``dy``'s shape.

    Returns
    -------
    dict with
        ``"dilated"`` (dY with zeros between entries), ``"padded"`` (that, zero-padded by
        ``k - 1`` for a full correlation, plus the unread rows at the end), ``"rotated"``
        (``rot180(w)``), ``"full"`` (the gradient of the padded input), ``"dx"`` (after
        :func:`crop`) and ``"stride"`` ``(sh, sw)``.
    """
    func = "full_conv_steps"
    dy = as_float_array(dy, "dy", func)
    w = as_float_array(w, "w", func)
    check_ndim(dy, 2, "dy", func, "(H_out, W_out)")
    check_ndim(w, 2, "w", func, "(kh, kw)")
    sh, sw = pair(stride, "stride", func, minimum=1)
    ph, pw = pair(padding, "padding", func, minimum=0)
    kh, kw = w.shape
    if in_hw is None:
        in_hw = ((dy.shape[0] - 1) * sh + kh - 2 * ph, (dy.shape[1] - 1) * sw + kw - 2 * pw)
    g = geometry(in_hw, w.shape, stride=(sh, sw), padding=(ph, pw), func=func)
    if g.out_hw != dy.shape:
        raise ValueError(f"{func}: dy must have shape (H_out, W_out) = {g.out_hw} for input "
                         f"{g.in_hw}, kernel {w.shape}, stride {stride}, padding {padding}; "
                         f"got {describe(dy)}")
    oh, ow = output_padding_for(in_hw, w.shape, stride=(sh, sw), padding=(ph, pw))
    dil = dilate(dy, (sh, sw))
    padded = np.pad(dil, ((kh - 1, kh - 1 + oh), (kw - 1, kw - 1 + ow)))
    rotated = rot180(w)
    full = conv2d(padded[None, None], rotated[None, None])[0, 0]
    dx = crop(full, (ph, pw)) if (ph or pw) else full
    return {"dilated": dil, "padded": padded, "rotated": np.ascontiguousarray(rotated),
            "full": full, "dx": dx, "stride": (sh, sw)}


def _check_transpose_args(dy, w, stride, padding, dilation, output_padding, func):
    dy = as_float_array(dy, "dy", func)
    w = as_float_array(w, "w", func)
    check_ndim(dy, 4, "dy", func, "(N, F, H_out, W_out)")
    check_ndim(w, 4, "w", func, "(F, C, kh, kw)")
    if dy.shape[1] != w.shape[0]:
        raise ValueError(f"{func}: dy has F = {dy.shape[1]} channels but w has F = "
                         f"{w.shape[0]} filters; dy must be (N, F, H_out, W_out) for w "
                         f"(F, C, kh, kw) = {w.shape}")
    if min(dy.shape) == 0 or min(w.shape) == 0:
        raise ValueError(f"{func}: dy {dy.shape} and w {w.shape} must not be empty")
    s = pair(stride, "stride", func, minimum=1)
    p = pair(padding, "padding", func, minimum=0)
    d = pair(dilation, "dilation", func, minimum=1)
    op = pair(output_padding, "output_padding", func, minimum=0)
    for a in (0, 1):
        if op[a] >= max(s[a], d[a]):
            raise ValueError(f"{func}: output_padding must be smaller than the stride or the "
                             f"dilation; got output_padding {op}, stride {s}, dilation {d}")
    kh, kw = w.shape[2:]
    H = (dy.shape[2] - 1) * s[0] + d[0] * (kh - 1) + 1 + op[0] - 2 * p[0]
    W = (dy.shape[3] - 1) * s[1] + d[1] * (kw - 1) + 1 + op[1] - 2 * p[1]
    if H < 1 or W < 1:
        raise ValueError(f"{func}: padding {p} crops away the whole output "
                         f"(it would be {H}x{W})")
    dtype = np.result_type(dy.dtype, w.dtype)
    return dy.astype(dtype, copy=False), w.astype(dtype, copy=False), s, p, d, op, (H, W)


def conv_transpose2d(dy, w, *, stride=1, padding=0, dilation=1, output_padding=0):
    r"""Transposed convolution (as ``torch.nn.functional.conv_transpose2d``, no bias).

    The adjoint of :func:`cnnedu.nn.conv.conv2d`: for ``y = conv2d(x, w)`` it maps an array of
    ``y``'s shape back to one of ``x``'s shape, and ``conv_transpose2d(dy, w) = dx``.

    Parameters
    ----------
    dy : ndarray, shape (N, F, H_out, W_out)
    w : ndarray, shape (F, C, kh, kw)
        The forward weights (not rotated, not swapped: this function does both).
    stride, padding, dilation : int or (int, int)
        Those of the forward conv.
    output_padding : int or (int, int)
        Extra rows/columns at the end (:func:`output_padding_for`); smaller than the stride.

    Returns
    -------
    ndarray, shape (N, C, H, W)
        ``H = (H_out - 1) s - 2p + d (kh - 1) + 1 + output_padding``.

    Notes
    -----
    .. math::

        dX = \mathrm{crop}_p\Big(\mathrm{corr}_{full}\big(\mathrm{dilate}_s(dY),\;
             \mathrm{rot180}(W)^{\top_{F \leftrightarrow C}}\big)\Big)

    i.e. ``conv2d`` of the dilated, fully padded ``dy`` with weights
    ``rot180(w).swapaxes(0, 1)``, shape ``(C, F, kh, kw)``: output channel ``c`` of the
    transposed conv sums over the forward outputs ``f``.

    Examples
    --------
    >>> dy = np.ones((1, 1, 2, 2)); w = np.ones((1, 1, 2, 2))
    >>> conv_transpose2d(dy, w)[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    dy, w, s, p, d, op, _ = _check_transpose_args(dy, w, stride, padding, dilation,
                                                  output_padding, "conv_transpose2d")
    kh, kw = w.shape[2:]
    eh, ew = d[0] * (kh - 1), d[1] * (kw - 1)  # dilated kernel span minus one
    padded = np.pad(dilate(dy, s), ((0, 0), (0, 0), (eh, eh + op[0]), (ew, ew + op[1])))
    full = conv2d(padded, np.ascontiguousarray(rot180(w).swapaxes(0, 1)), dilation=d)
    if p == (0, 0):
        return full
    return np.ascontiguousarray(crop(full, p))


def conv_transpose2d_naive(dy, w, *, stride=1, padding=0, dilation=1, output_padding=0):
    """:func:`conv_transpose2d` as loops: every ``dy[n, f, i, j]`` stamps ``dy * w[f]``
    onto the window it came from (scatter), then the padding is cropped."""
    dy, w, s, p, d, op, (H, W) = _check_transpose_args(
        dy, w, stride, padding, dilation, output_padding, "conv_transpose2d_naive")
    N, F, Ho, Wo = dy.shape
    C, kh, kw = w.shape[1:]
    out = np.zeros((N, C, H + 2 * p[0], W + 2 * p[1]), dtype=dy.dtype)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    rows = slice(i * s[0], i * s[0] + d[0] * (kh - 1) + 1, d[0])
                    cols = slice(j * s[1], j * s[1] + d[1] * (kw - 1) + 1, d[1])
                    out[n, :, rows, cols] += dy[n, f, i, j] * w[f]
    return out[:, :, p[0]:p[0] + H, p[1]:p[1] + W]


def conv2d_backward_formulas(dy, x, w, *, stride=1, padding=0, dilation=1):
    r"""``dx, dw, db`` of :func:`cnnedu.nn.conv.conv2d` from the formulas of the notebook.

    .. math::

        dW[f, c] &= \sum_n \mathrm{corr}_{valid}\big(x_{pad}[n, c],\;
            \mathrm{dilate}_s(dY[n, f])\big)[::d, ::d] \\
        dX &= \mathrm{conv\_transpose2d}(dY, W) \\
        db[f] &= \sum_{n, i, j} dY[n, f, i, j]

    Parameters
    ----------
    dy : ndarray, shape (N, F, H_out, W_out)
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (F, C, kh, kw)

    Returns
    -------
    dx : (N, C, H, W), dw : (F, C, kh, kw), db : (F,)
    """
    func = "conv2d_backward_formulas"
    x = as_float_array(x, "x", func)
    w = as_float_array(w, "w", func)
    check_ndim(x, 4, "x", func, "(N, C, H, W)")
    check_ndim(w, 4, "w", func, "(F, C, kh, kw)")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"{func}: x has C = {x.shape[1]} channels but w expects "
                         f"C = {w.shape[1]}; x (N, C, H, W) = {x.shape}, w (F, C, kh, kw) = "
                         f"{w.shape}")
    g = geometry(x.shape[2:], w.shape[2:], stride=stride, padding=padding, dilation=dilation,
                 func=func)
    dy = as_float_array(dy, "dy", func)
    expected = (x.shape[0], w.shape[0], *g.out_hw)
    if dy.shape != expected:
        raise ValueError(f"{func}: dy must have the shape of y, (N, F, H_out, W_out) = "
                         f"{expected}; got {describe(dy)}")
    op = output_padding_for(x.shape[2:], w.shape[2:], stride=stride, padding=padding,
                            dilation=dilation)
    dx = conv_transpose2d(dy, w, stride=g.stride, padding=g.padding, dilation=g.dilation,
                          output_padding=op)
    # dW: the batch axis plays the role of the channel axis that is summed over
    x_pad = pad2d(x, g.padding)                                   # (N, C, Hp, Wp)
    dyd = dilate(dy, g.stride)                                    # (N, F, Hd, Wd)
    corr = conv2d(np.ascontiguousarray(x_pad.swapaxes(0, 1)),     # (C, N, Hp, Wp)
                  np.ascontiguousarray(dyd.swapaxes(0, 1)))       # (F, N, Hd, Wd)
    kh, kw = w.shape[2:]
    (dh, dw_) = g.dilation
    dw = corr[:, :, ::dh, ::dw_][:, :, :kh, :kw].swapaxes(0, 1)   # (F, C, kh, kw)
    dtype = np.result_type(x.dtype, w.dtype)
    return (dx.astype(dtype, copy=False), np.ascontiguousarray(dw).astype(dtype, copy=False),
            dy.sum(axis=(0, 2, 3)).astype(dtype, copy=False))
