r"""Max pooling as a layer: :class:`MaxPool2D`, with a fast path for non-overlapping
windows and a general one for overlapping windows.

The public face is :mod:`cnnedu.nn.layers`, which re-exports :class:`MaxPool2D`.

>>> import numpy as np
>>> MaxPool2D(2).forward(np.zeros((1, 3, 8, 8))).shape
(1, 3, 4, 4)
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnedu.nn.layers._base import Layer
from cnnedu._validate import as_float_array, pair

__all__ = ["MaxPool2D"]


class MaxPool2D(Layer):
    r"""Max pooling over ``size x size`` windows taken every ``stride`` pixels (no padding).

    Parameters
    ----------
    size : int or (int, int)
        Window ``(kh, kw)``.
    stride : int or (int, int), optional
        Step between windows; default ``size`` (non-overlapping windows).

    Notes
    -----
    ``x`` ``(N, C, H, W)`` gives ``y`` ``(N, C, H_out, W_out)``,
    ``H_out = (H - kh) // stride + 1``; rows and columns that no window reaches are
    ignored (their gradient is 0).

    .. math::

        y[n, c, i, j] = \max_{u, v}\; x[n, c, i s + u, j s + v]

    The gradient of each output goes to **one** input: the first maximum of its window
    in row-major order (as PyTorch does), so ties do not split or duplicate it. A NaN
    counts as the maximum (``y`` is NaN) and takes the gradient (the last NaN of the
    window, as in PyTorch), so the gradient is never routed to a number that did not
    produce ``y``. Where
    windows overlap, an input that is the maximum of several windows collects the sum of
    their gradients.

    >>> pool = MaxPool2D(2)
    >>> x = np.array([[[[1.0, 1.0, 0.0, 2.0],
    ...                 [0.0, 1.0, 3.0, 0.0]]]])
    >>> pool.forward(x)
    array([[[[1., 3.]]]])
    >>> pool.backward(np.ones((1, 1, 1, 2)))
    array([[[[1., 0., 0., 0.],
             [0., 0., 1., 0.]]]])
    """

    def __init__(self, size=2, stride=None):
        super().__init__()
        self.size = pair(size, "size", "MaxPool2D")
        self.stride = self.size if stride is None else pair(stride, "stride", "MaxPool2D")

    def __repr__(self) -> str:
        def one(p):
            return p[0] if p[0] == p[1] else p
        return f"MaxPool2D(size={one(self.size)}, stride={one(self.stride)})"

    def _forward(self, x):
        x = as_float_array(x, "x", repr(self))
        (kh, kw), (sh, sw) = self.size, self.stride
        if x.ndim != 4:
            raise self._bad_input(x, "(N, C, H, W)")
        N, C, H, W = x.shape
        if H < kh or W < kw:
            raise ValueError(f"{self!r}: the window {self.size} is larger than the input "
                             f"(H, W) = {(H, W)}")
        Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
        if (sh, sw) == (kh, kw):
            # Non-overlapping windows, pooled in two passes over long strided views
            # (fast): first the max of each group of kw columns, then of kh rows of those.
            # Each pass keeps the first maximum, so together they pick the first in
            # row-major order. Rows and columns that no window reaches are cropped.
            xc = np.ascontiguousarray(x[:, :, :Ho * kh, :Wo * kw])
            nan = bool(np.isnan(xc.sum()))  # one cheap pass (inf - inf only costs time)
            cols = xc.reshape(-1, kw)
            row_max, col_arg = _first_max([cols[:, v] for v in range(kw)], nan)
            rows = row_max.reshape(N * C * Ho, kh, Wo)
            y, row_arg = _first_max([rows[:, u, :] for u in range(kh)], nan)
            return y.reshape(N, C, Ho, Wo), (x.shape, x.dtype, (col_arg, row_arg), (N, C, Ho, Wo))
        # overlapping windows: all windows as a (N, C, Ho, Wo, kh*kw) copy, then argmax
        xw = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
        xw = xw.reshape(N, C, Ho, Wo, kh * kw)
        arg = xw.argmax(axis=-1)  # first maximum in row-major (u, v) order
        nan = np.isnan(xw)
        if nan.any():  # as PyTorch: a NaN is the maximum, the last NaN of the window wins
            last = kh * kw - 1 - nan[..., ::-1].argmax(axis=-1)
            arg = np.where(nan.any(axis=-1), last, arg)
        y = np.take_along_axis(xw, arg[..., None], axis=-1)[..., 0]
        return y, (x.shape, x.dtype, arg, y.shape)

    def _backward(self, dy, cache):
        shape, dtype, arg, _ = cache
        N, C, H, W = shape
        (kh, kw), (sh, sw) = self.size, self.stride
        dy = dy.astype(dtype, copy=False)
        if (sh, sw) == (kh, kw):
            col_arg, row_arg = arg
            Ho, Wo = dy.shape[2:]
            # undo the row pass, then the column pass: each value goes to its winner
            d_rows = np.empty((N * C * Ho, kh, Wo), dtype=dtype)
            dyr = dy.reshape(N * C * Ho, Wo)
            for u in range(kh):
                np.multiply(dyr, row_arg == u, out=d_rows[:, u, :])
            d_row_max = d_rows.reshape(-1)
            d_cols = np.empty((d_row_max.size, kw), dtype=dtype)
            for v in range(kw):
                np.multiply(d_row_max, col_arg == v, out=d_cols[:, v])
            dx = d_cols.reshape(N, C, Ho * kh, Wo * kw)
            if (Ho * kh, Wo * kw) == (H, W):
                return dx
            full = np.zeros(shape, dtype=dtype)
            full[:, :, :Ho * kh, :Wo * kw] = dx
            return full
        # overlapping windows: add each gradient at its input position (np.bincount sums)
        Ho, Wo = arg.shape[2:]
        rows = np.arange(Ho)[:, None] * sh + arg // kw
        cols = np.arange(Wo)[None, :] * sw + arg % kw
        plane = (np.arange(N * C) * (H * W)).reshape(N, C, 1, 1)
        flat = (plane + rows * W + cols).ravel()
        dx = np.bincount(flat, weights=dy.ravel(), minlength=N * C * H * W)
        return dx.astype(dtype, copy=False).reshape(shape)


def _first_max(candidates, nan: bool = True):
    """Elementwise max over a list of same-shape arrays, and the index of the first maximum.

    Returns ``(m, idx)``; ``idx`` is ``uint8`` (``intp`` for more than 255 candidates).
    Later candidates win only when strictly greater, so ties go to the first; a NaN
    always wins (and stays in ``m``), so the last NaN is picked, as PyTorch does
    (``nan=False`` skips that test when the caller knows there is no NaN).
    """
    m = np.array(candidates[0])
    itype = np.dtype(np.uint8 if len(candidates) < 256 else np.intp)
    idx = np.zeros(m.shape, dtype=itype)
    for t, c in enumerate(candidates[1:], start=1):
        better = (c > m) | np.isnan(c) if nan else c > m
        # (np.where is much faster than idx[better] = t on random masks)
        idx = better.astype(itype) if t == 1 else np.where(better, itype.type(t), idx)
        np.maximum(m, c, out=m)
    return m, idx
