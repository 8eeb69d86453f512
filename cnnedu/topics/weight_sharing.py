r"""Why a conv layer and not a dense layer on the pixels: weight sharing and equivariance.

- :func:`conv_as_matrix` writes a conv layer as the dense weight matrix it is equivalent
  to: ``y.ravel() == M @ x.ravel()``. Most entries are 0 (each output sees only its
  window) and the non-zero ones repeat the same few filter weights along the rows
  (the same filter at every position): a dense layer would learn every entry separately.
- :func:`shift` translates an image (zeros come in at the edge), to show translation
  equivariance: shifting the input shifts the feature map by the same amount
  (``conv(shift(x)) == shift(conv(x))`` away from the borders).
- :func:`shift_error` measures it with a stride: a stride-1 layer's output shifts with
  its input exactly; with stride 2 a one-pixel shift of the input is half an output
  pixel, which no shift of the output reproduces.

>>> M = conv_as_matrix(np.arange(1.0, 5.0).reshape(1, 1, 2, 2), (1, 3, 3))
>>> M.shape, int((M != 0).sum()), len(np.unique(M[M != 0]))
((4, 9), 16, 4)
"""
from __future__ import annotations

import numbers

import numpy as np

from cnnedu._validate import as_float_array, check_ndim, describe
from cnnedu.nn.conv import conv2d

__all__ = ["conv_as_matrix", "shift", "interior", "shift_error"]


def conv_as_matrix(w, in_shape, *, stride=1, padding=0) -> np.ndarray:
    """The dense matrix ``M`` with ``conv2d(x, w).ravel() == M @ x.ravel()`` for one image.

    Parameters
    ----------
    w : ndarray, shape (F, C, kh, kw)
    in_shape : (C, H, W)
        Shape of one input image.
    stride, padding : int
        As in :func:`cnnedu.nn.conv.conv2d`.

    Returns
    -------
    M : ndarray, shape (F*H_out*W_out, C*H*W)
        Column ``k`` is the layer's response to the ``k``-th unit image (a single 1), so
        ``M`` is built by the conv layer itself, not by a separate formula.
    """
    w = as_float_array(w, "w", "conv_as_matrix")
    check_ndim(w, 4, "w", "conv_as_matrix", "(F, C, kh, kw)")
    if len(tuple(in_shape)) != 3:
        raise ValueError(f"conv_as_matrix: in_shape must be (C, H, W); got {in_shape!r}")
    C, H, W = (int(v) for v in in_shape)
    size = C * H * W
    if size > 20_000:
        raise ValueError(f"conv_as_matrix: in_shape {in_shape} has {size} pixels; the matrix "
                         "would be too large to build (keep C*H*W <= 20000)")
    basis = np.eye(size, dtype=w.dtype).reshape(size, C, H, W)
    cols = conv2d(basis, w, stride=stride, padding=padding)   # (size, F, H_out, W_out)
    return cols.reshape(size, -1).T


def shift(x, dy: int, dx: int) -> np.ndarray:
    """Translate the last two axes by ``dy`` rows (down) and ``dx`` columns (right).

    What moves out at one edge is lost; zeros come in at the other (no wrap-around).

    >>> shift(np.arange(1.0, 5.0).reshape(2, 2), 1, 0)
    array([[0., 0.],
           [1., 2.]])
    """
    x = as_float_array(x, "x", "shift")
    if x.ndim < 2:
        raise ValueError(f"shift: x must have at least 2 axes (..., H, W); got {describe(x)}")
    for name, v in (("dy", dy), ("dx", dx)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"shift: {name} must be an integer; got {v!r}")
    H, W = x.shape[-2:]
    out = np.zeros_like(x)
    if abs(dy) >= H or abs(dx) >= W:
        return out
    src_r = slice(max(0, -dy), H - max(0, dy))
    dst_r = slice(max(0, dy), H - max(0, -dy))
    src_c = slice(max(0, -dx), W - max(0, dx))
    dst_c = slice(max(0, dx), W - max(0, -dx))
    out[..., dst_r, dst_c] = x[..., src_r, src_c]
    return out


def interior(a, margin: int) -> np.ndarray:
    """``a`` without ``margin`` rows/columns at each edge (where shifts bring in zeros).

    >>> interior(np.zeros((1, 10, 8)), 2).shape
    (1, 6, 4)
    """
    a = np.asarray(a)
    if isinstance(margin, bool) or not isinstance(margin, numbers.Integral) or margin < 0:
        raise ValueError(f"interior: margin must be an integer >= 0; got {margin!r}")
    if 2 * margin >= min(a.shape[-2:]):
        raise ValueError(f"interior: margin {margin} leaves nothing of an array of shape {a.shape}")
    return a[..., margin:a.shape[-2] - margin, margin:a.shape[-1] - margin]


def shift_error(x, w, b=None, *, dx: int = 1, stride: int = 1) -> float:
    """How far a strided conv layer is from equivariant for a shift of ``dx`` columns.

    ``y = conv2d(x, w, b, stride=s)`` and ``y_s = conv2d(shift(x, 0, dx), ...)``. The best
    whole-pixel shift of the output (``m = dx // s`` or ``m = -(-dx // s)``) is tried, and the
    largest difference ``|y_s[..., j + m] - y[..., j]|`` away from the left border (where
    zeros came in) is returned relative to ``max |y|``. It is 0 up to rounding when
    ``dx`` is a multiple of ``s`` and usually large otherwise.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (F, C, kh, kw)
    b : ndarray, shape (F,), optional
    dx, stride : int

    Returns
    -------
    float
    """
    for name, v in (("dx", dx), ("stride", stride)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(f"shift_error: {name} must be an integer >= 1; got {v!r}")
    y = conv2d(x, w, b, stride=stride)
    ys = conv2d(shift(x, 0, dx), w, b, stride=stride)
    scale = float(np.abs(y).max()) or 1.0
    Wo, kw = y.shape[-1], np.shape(w)[-1]
    skip = -(-(dx + kw) // stride)           # output columns whose window saw the new zeros
    best = np.inf
    for m in sorted({dx // stride, -(-dx // stride)}):
        if skip + m >= Wo:
            raise ValueError(f"shift_error: a shift of {dx} leaves no output column to "
                             f"compare (W_out = {Wo})")
        d = np.abs(ys[..., skip:] - y[..., skip - m:Wo - m]).max()
        best = min(best, float(d) / scale)
    return best
