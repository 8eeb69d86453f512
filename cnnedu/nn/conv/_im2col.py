"""Fast internals of :mod:`cnnedu.nn.conv` (private): im2col GEMMs, kernel-offset loops, FFT.

Arguments arrive validated and normalised (arrays of one float dtype, ``(h, w)`` pairs).
:func:`forward` and :func:`backward` pick a method by shape (:func:`choose`):

``"flat"`` (stride 1)
    The padded input is flattened per channel and the windows are read on a grid of
    ``H_out`` rows of pitch ``P = max(W + pw, W_out)``: kernel tap ``(u, v)`` then sees
    the *contiguous* run ``x_flat[u*dh*P + v*dw :][:H_out*P]``. A row carries its left
    padding only: a window that runs off a row's right end reads the next row's left
    padding, the same ``pw`` zeros (for a 3x3 kernel with padding 1, rows of ``W + 1``,
    not ``W + 2``). im2col becomes long memcpy-like copies and col2im ``kh*kw``
    contiguous adds. The ``P - W_out`` extra columns per row (``dw*(kw - 1) - pw``, or 0)
    are garbage; they are cropped from ``y`` and zero in ``dy``.
``"strided"`` (any stride)
    Classic im2col through an ``as_strided`` view ``(C, kh, kw, N, H_out, W_out)``.
``"offsets"`` (stride 1, very few channels: ``C*F <= 2``)
    No im2col at all: ``y += w[f, c, u, v] * x_shifted`` for every tap (axpy), and
    ``dw[f, c, u, v]`` as one dot product per tap.
``"fft"`` (stride 1, dilation 1, kernels of 7x7 and more on large inputs)
    Products of 2-D FFTs, exact up to rounding: the padded size makes the circular
    correlation equal the linear one on the cropped region.

In every GEMM method the im2col matrix is ``(C*kh*kw, n*L)`` (rows ``c, u, v``; columns
``n`` then position), so forward, ``dw`` and ``dcols`` are one GEMM each per chunk of
the batch. :mod:`cnnedu.nn.conv._plan` sizes the tiles (chunks of samples; bands of output
rows or groups of channels when one sample is too large) so that the scratch of a call
stays below ``SCRATCH_BYTES`` (and a batch's chunks near ``CACHE_BYTES``, for speed); each
chunk's arrays are released before the next chunk is filled. The FFT method is used only
where its spectra fit (in chunks of samples, :mod:`cnnedu.nn.conv._fft`); otherwise the
GEMM path, tiled, does the work. Chunks of samples may run on worker threads
(:mod:`cnnedu.nn.conv._workers`).
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from cnnedu.nn.conv import _fft, _plan, _workers

SCRATCH_BYTES = 256 * 2**20  # at most this much im2col scratch per chunk
CACHE_BYTES = 8 * 2**20  # batches are cut into chunks of about this much (speed)
CHUNKS, CHUNK_FLOOR = 4, 256 * 2**10  # and into 4 or more while a chunk keeps 256 KiB
FORCE = None  # tests set "flat", "strided", "offsets" or "fft" (if applicable)


def pad(x: np.ndarray, ph: int, pw: int) -> np.ndarray:
    """Zero-pad the last two axes by ``ph`` rows and ``pw`` columns on each side."""
    if ph == 0 and pw == 0:
        return x
    H, W = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (H + 2 * ph, W + 2 * pw), dtype=x.dtype)
    out[..., ph:ph + H, pw:pw + W] = x
    return out


def choose(x, w, stride, dilation, padding, out_hw) -> str:
    """The method for this shape (see the module docstring)."""
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    Ho, Wo = out_hw
    pitch = _plan.flat_pitch(W, padding[1], Wo)  # the flat grid's row
    unit = stride == (1, 1)
    if FORCE is not None:
        if FORCE == "strided" or (FORCE == "fft" and dilation != (1, 1)) or not unit:
            return "strided"
        return FORCE
    if not unit:
        return "strided"
    if dilation == (1, 1) and kh >= 7 and kw >= 7 and Ho * Wo >= 48 * 48:
        return "fft"
    if _plan.flat_wastes(pitch, Wo):
        return "strided"
    return "offsets" if C * F <= 2 else "flat"


# ---------------------------------------------------------------------------------------
# views of the windows
# ---------------------------------------------------------------------------------------

def flat_windows(xf, C, kshape, dilation, P, L):
    """View ``(C, kh, kw, n, L)`` of ``xf`` (n, C, rows*P): ``xf[n, c, u*dh*P + v*dw + t]``."""
    sN, sC, s1 = xf.strides
    (kh, kw), (dh, dw) = kshape, dilation
    return as_strided(xf, shape=(C, kh, kw, xf.shape[0], L),
                      strides=(sC, dh * P * s1, dw * s1, sN, s1), writeable=False)


def strided_windows(x_pad, kshape, stride, dilation, out_hw):
    """View ``(C, kh, kw, n, H_out, W_out)``: ``x_pad[n, c, i*s + u*d, j*s + v*d]``."""
    sN, sC, sH, sW = x_pad.strides
    (kh, kw), (sh, sw), (dh, dw) = kshape, stride, dilation
    return as_strided(x_pad, shape=(x_pad.shape[1], kh, kw, x_pad.shape[0], *out_hw),
                      strides=(sC, sH * dh, sW * dw, sN, sH * sh, sW * sw), writeable=False)


def _im2col(view, rows):
    cols = np.empty(view.shape, dtype=view.dtype)
    np.copyto(cols, view)
    return cols.reshape(rows, -1)


class _Geometry:
    """Padded sizes and the grid of one call."""

    def __init__(self, x, w, padding, stride, dilation, out_hw, method):
        self.N, self.C, self.H, self.W = x.shape
        self.F, _, self.kh, self.kw = w.shape
        self.ph, self.pw = padding
        self.stride, self.dilation = stride, dilation
        self.Ho, self.Wo = out_hw
        self.Hp, self.Wp = self.H + 2 * self.ph, self.W + 2 * self.pw
        self.flat = method in ("flat", "offsets")
        # flat grid: H_out rows of pitch P (left padding only), and spare zero rows
        # (``rows = Hp + spare`` in all) for the last windows' overrun
        self.P = _plan.flat_pitch(self.W, self.pw, self.Wo) if self.flat else self.Wp
        spare = _plan.flat_spare(self.kw, self.dilation[1], self.P) if self.flat else 0
        self.rows = self.Hp + spare
        self.L = self.Ho * self.P if self.flat else self.Ho * self.Wo
        self.CKK = self.C * self.kh * self.kw

    def padded(self, x):
        """(n, C, rows*P) flat when ``self.flat``, else (n, C, Hp, Wp)."""
        if not self.flat:
            return pad(x, self.ph, self.pw)
        xf = np.zeros((x.shape[0], self.C, self.rows, self.P), dtype=x.dtype)
        xf[:, :, self.ph:self.ph + self.H, self.pw:self.pw + self.W] = x
        return xf.reshape(x.shape[0], self.C, -1)

    def cols(self, xp):
        if self.flat:
            view = flat_windows(xp, self.C, (self.kh, self.kw), self.dilation, self.P, self.L)
        else:
            view = strided_windows(xp, (self.kh, self.kw), self.stride, self.dilation,
                                   (self.Ho, self.Wo))
        return _im2col(view, self.CKK)

    def offsets(self):
        """Flat offset of each kernel tap ``(u, v)``, in ``c, u, v`` row order."""
        dh, dw = self.dilation
        return [u * dh * self.P + v * dw for u in range(self.kh) for v in range(self.kw)]

    def grid(self, a):
        """``a`` (..., L) on the grid, as (..., H_out, W_out) (a view)."""
        Wg = self.P if self.flat else self.Wo
        return a.reshape(a.shape[:-1] + (self.Ho, Wg))[..., :self.Wo]

    def extend(self, dy, order):
        """``dy`` (n, F, H_out, W_out) transposed by ``order``, on the grid (..., L)."""
        dyt = dy.transpose(order)
        if not self.flat:
            return np.ascontiguousarray(dyt).reshape(dyt.shape[:2] + (self.L,))
        ext = np.zeros(dyt.shape[:2] + (self.Ho, self.P), dtype=dy.dtype)
        ext[..., :self.Wo] = dyt
        return ext.reshape(dyt.shape[:2] + (self.L,))

    def col2im(self, dcols, n):
        """Add ``dcols`` (C*kh*kw, n*L) back into the windows; dx as (n, C, H, W) view."""
        d = dcols.reshape(self.C, self.kh, self.kw, n, self.L)
        if self.flat:
            dxf = np.empty((self.C, n, self.rows * self.P), dtype=dcols.dtype)
            dxf[:, :, :self.L] = d[:, 0, 0]  # tap (0, 0) has offset 0: set, not added
            dxf[:, :, self.L:] = 0
            for k, off in enumerate(self.offsets()[1:], start=1):
                dxf[:, :, off:off + self.L] += d[:, k // self.kw, k % self.kw]
            dxp = dxf.reshape(self.C, n, self.rows, self.P)
        else:
            dxp = np.zeros((self.C, n, self.Hp, self.Wp), dtype=dcols.dtype)
            (sh, sw), (dh, dw) = self.stride, self.dilation
            d = d.reshape(self.C, self.kh, self.kw, n, self.Ho, self.Wo)
            for u in range(self.kh):
                for v in range(self.kw):
                    dxp[:, :, u * dh: u * dh + sh * (self.Ho - 1) + 1: sh,
                        v * dw: v * dw + sw * (self.Wo - 1) + 1: sw] += d[:, u, v]
        return dxp[:, :, self.ph:self.ph + self.H, self.pw:self.pw + self.W].transpose(1, 0, 2, 3)


# ---------------------------------------------------------------------------------------
# forward / backward, tiled by :func:`cnnedu.nn.conv._plan.plan` to stay under the budget
# ---------------------------------------------------------------------------------------

def _sizes(x, w, padding, stride, dilation) -> _plan.Conv:
    return _plan.Conv(*x.shape, w.shape[0], *w.shape[2:], *stride, *dilation, *padding,
                      itemsize=x.itemsize)


def _method_and_plan(x, w, padding, stride, dilation, out_hw, backward, budget):
    """The method, and its tiling (an int: FFT samples per chunk; else a Plan)."""
    method = choose(x, w, stride, dilation, padding, out_hw)
    return _plan.tiling(_sizes(x, w, padding, stride, dilation), method, backward, budget,
                        min(budget, CACHE_BYTES), CHUNKS, CHUNK_FLOOR)


def _band(x1, top: int, count: int) -> np.ndarray:
    """Rows ``top .. top + count - 1`` of ``x1`` (1, C, H, W), zero outside ``0 .. H - 1``."""
    H = x1.shape[2]
    out = np.zeros(x1.shape[:2] + (count, x1.shape[3]), dtype=x1.dtype)
    lo, hi = max(0, top), min(H, top + count)
    if lo < hi:
        out[:, :, lo - top:hi - top] = x1[:, :, lo:hi]
    return out


def forward(x, w, b, padding, stride, dilation, out_hw, budget=None):
    budget = SCRATCH_BYTES if budget is None else budget
    method, tiles = _method_and_plan(x, w, padding, stride, dilation, out_hw, False, budget)
    if method == "fft":
        return _fft.forward(x, w, b, padding, out_hw, tiles)
    if tiles.split != "samples":
        return _split_forward(x, w, b, padding, stride, dilation, out_hw, tiles, budget)
    g = _Geometry(x, w, padding, stride, dilation, out_hw, method)
    y = np.empty((g.N, g.F, g.Ho, g.Wo), dtype=x.dtype)
    if method == "offsets":
        for sl in _slices(g.N, tiles.size):
            xf = g.padded(x[sl])
            acc = np.zeros((g.F, xf.shape[0], g.L), dtype=x.dtype)
            tmp = np.empty((xf.shape[0], g.L), dtype=x.dtype)
            for f in range(g.F):
                for c in range(g.C):
                    for k, off in enumerate(g.offsets()):
                        np.multiply(xf[:, c, off:off + g.L], w[f, c].flat[k], out=tmp)
                        acc[f] += tmp
            _store(y[sl], g.grid(acc), b)
            del xf, acc, tmp  # release this chunk before the next is filled
        return y
    w2 = w.reshape(g.F, g.CKK)
    slices = _slices(g.N, tiles.size)
    # With single-threaded GEMMs (see _workers) one GEMM per sample is faster, as its
    # product is already sample-major (W2 chunk: 0.43 -> 0.37 ms); with threaded GEMMs
    # such small products would be slow.
    by_sample = _workers.single_threaded(len(slices))

    def chunk(sl):
        cols = g.cols(g.padded(x[sl]))
        n = sl.stop - sl.start
        if n == 1 and not g.flat:  # one image: y[n] is w2 @ cols itself
            np.matmul(w2, cols, out=y[sl].reshape(g.F, g.L))
            if b is not None:
                y[sl] += b.reshape(-1, 1, 1)
        elif by_sample:
            out = g.grid(np.matmul(w2, cols.reshape(g.CKK, n, g.L).transpose(1, 0, 2)))
            if b is None:
                y[sl] = out
            else:
                np.add(out, b.reshape(-1, 1, 1), out=y[sl])
        else:
            _store(y[sl], g.grid((w2 @ cols).reshape(g.F, -1, g.L)), b)
        # returning releases this chunk's arrays before the thread takes the next

    _workers.map_chunks(chunk, slices, tiles.bytes, budget)
    return y


def _slices(N: int, step: int):
    return [slice(n0, min(N, n0 + step)) for n0 in range(0, N, step)]


def _split_forward(x, w, b, padding, stride, dilation, out_hw, tiles, budget):
    """One sample at a time, in bands of output rows or in groups of input channels."""
    cv = _sizes(x, w, padding, stride, dilation)
    y = np.empty((cv.N, cv.F, *out_hw), dtype=x.dtype)
    for n in range(cv.N):
        if tiles.split == "rows":
            for i0 in range(0, cv.Ho, tiles.size):
                r = min(tiles.size, cv.Ho - i0)
                xb = _band(x[n:n + 1], i0 * cv.sh - cv.ph, cv.rows_in(r))
                left = budget - xb.nbytes - cv.F * r * cv.Wo * x.itemsize
                y[n:n + 1, :, i0:i0 + r] = forward(xb, w, b, (0, cv.pw), stride, dilation,
                                                   (r, cv.Wo), left)
                del xb
        else:
            y[n] = 0 if b is None else b.reshape(-1, 1, 1)
            for c0 in range(0, cv.C, tiles.size):
                part = slice(c0, c0 + tiles.size)
                left = budget - cv.F * cv.Ho * cv.Wo * x.itemsize
                y[n:n + 1] += forward(x[n:n + 1, part], w[:, part], None, padding, stride,
                                      dilation, out_hw, left)
    return y


def _store(y, out_fn, b):
    """``y[n, f] = out[f, n] (+ b[f])`` for ``out`` (F, n, H_out, W_out)."""
    out = out_fn.transpose(1, 0, 2, 3)
    if b is None:
        y[...] = out
    else:
        np.add(out, b.reshape(-1, 1, 1), out=y)


def backward(dy, x, w, padding, stride, dilation, out_hw, need_dx=True, budget=None):
    """``(dx, dw, db)``; ``dx`` is ``None`` when ``need_dx`` is False (not computed)."""
    budget = SCRATCH_BYTES if budget is None else budget
    method, tiles = _method_and_plan(x, w, padding, stride, dilation, out_hw, True, budget)
    gemm = method in ("flat", "strided") and tiles.split == "samples"
    db = None if gemm else dy.sum(axis=(0, 2, 3))  # the GEMM path sums it per chunk
    if method == "fft":
        return (*_fft.backward(dy, x, w, padding, out_hw, need_dx, tiles), db)
    if tiles.split != "samples":
        return (*_split_backward(dy, x, w, padding, stride, dilation, out_hw, need_dx,
                                 tiles, budget), db)
    g = _Geometry(x, w, padding, stride, dilation, out_hw, method)
    dx = np.empty_like(x) if need_dx else None
    if method == "offsets":
        dw = np.zeros_like(w)
        for sl in _slices(g.N, tiles.size):
            xf = g.padded(x[sl])
            n = xf.shape[0]
            dye = g.extend(dy[sl], (0, 1, 2, 3))  # (n, F, L)
            dxf = np.zeros_like(xf) if need_dx else None
            tmp = np.empty((n, g.L), dtype=x.dtype)
            for f in range(g.F):
                for c in range(g.C):
                    for k, off in enumerate(g.offsets()):
                        u, v = divmod(k, g.kw)
                        xs = xf[:, c, off:off + g.L]
                        dw[f, c, u, v] += (np.dot(dye[0, f], xs[0]) if n == 1
                                           else np.einsum("nt,nt->", dye[:, f], xs))
                        if need_dx:
                            np.multiply(dye[:, f], w[f, c, u, v], out=tmp)
                            dxf[:, c, off:off + g.L] += tmp
            if need_dx:
                dxp = dxf.reshape(n, g.C, g.rows, g.P)
                dx[sl] = dxp[:, :, g.ph:g.ph + g.H, g.pw:g.pw + g.W]
            del xf, dye, dxf, tmp
        return dx, dw, db
    w2 = w.reshape(g.F, g.CKK)

    def chunk(sl):
        cols = g.cols(g.padded(x[sl]))
        dye = g.extend(dy[sl], (1, 0, 2, 3)).reshape(g.F, -1)  # (F, n*L)
        dw_part = (cols @ dye.T).T  # (C*kh*kw, F) first: the long side as GEMM rows is faster
        del cols
        if need_dx:
            dx[sl] = g.col2im(w2.T @ dye, sl.stop - sl.start)
        return dw_part, dye.sum(axis=1)  # db: dy's sum, on the grid (its extra columns are 0)

    dw2, db = np.zeros_like(w2), np.zeros(g.F, dtype=dy.dtype)

    def add(parts):  # in chunk order, wherever each chunk ran
        np.add(dw2, parts[0], out=dw2)
        np.add(db, parts[1], out=db)

    _workers.map_chunks(chunk, _slices(g.N, tiles.size), tiles.bytes + w.nbytes, budget, add)
    return dx, dw2.reshape(w.shape), db


def _split_backward(dy, x, w, padding, stride, dilation, out_hw, need_dx, tiles, budget):
    """:func:`_split_forward`'s tiles, backward: ``dw`` summed, ``dx`` added back."""
    cv = _sizes(x, w, padding, stride, dilation)
    dx = np.zeros_like(x) if need_dx else None
    dw = np.zeros_like(w)
    for n in range(cv.N):
        if tiles.split == "rows":
            for i0 in range(0, cv.Ho, tiles.size):
                r = min(tiles.size, cv.Ho - i0)
                top, count = i0 * cv.sh - cv.ph, cv.rows_in(r)
                xb = _band(x[n:n + 1], top, count)
                left = budget - 2 * xb.nbytes - w.nbytes  # the band, its dx and dw
                dxb, dwb, _ = backward(dy[n:n + 1, :, i0:i0 + r], xb, w, (0, cv.pw), stride,
                                       dilation, (r, cv.Wo), need_dx, left)
                dw += dwb
                lo, hi = max(0, top), min(cv.H, top + count)
                if need_dx and lo < hi:
                    dx[n:n + 1, :, lo:hi] += dxb[:, :, lo - top:hi - top]
                del xb, dxb
        else:
            for c0 in range(0, cv.C, tiles.size):
                part = slice(c0, c0 + tiles.size)
                xg = x[n:n + 1, part]
                left = budget - (xg.size + w[:, part].size) * x.itemsize
                dxg, dwg, _ = backward(dy[n:n + 1], xg, w[:, part], padding, stride,
                                       dilation, out_hw, need_dx, left)
                dw[:, part] += dwg
                if need_dx:
                    dx[n:n + 1, part] = dxg
    return dx, dw
