"""Fast internals of :mod:`cnnedu.nn.conv` (private): im2col GEMMs, kernel-offset loops, FFT.

Arguments arrive validated and normalised (arrays of one float dtype, ``(h, w)`` pairs).
:func:`forward` and :func:`backward` pick a method by shape (:func:`choose`):

``"flat"`` (stride 1)
    The padded input is flattened per channel and the windows are read on a grid of
    ``H_out`` rows of full padded width ``Wp``: kernel tap ``(u, v)`` then sees the
    *contiguous* run ``x_flat[u*dh*Wp + v*dw :][:H_out*Wp]``. im2col becomes long
    memcpy-like copies and col2im ``kh*kw`` contiguous adds. The ``Wp - W_out`` extra
    columns per row are garbage; they are cropped from ``y`` and zero in ``dy``.
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
the batch, and chunks keep the scratch below ``SCRATCH_BYTES``.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

SCRATCH_BYTES = 256 * 2**20  # at most this much im2col scratch per chunk
FORCE = None  # tests set "flat", "strided", "offsets" or "fft" (if applicable)


def pad(x: np.ndarray, ph: int, pw: int, extra_rows: int = 0) -> np.ndarray:
    """Zero-pad the last two axes (and add ``extra_rows`` zero rows at the bottom)."""
    if ph == 0 and pw == 0 and extra_rows == 0:
        return x
    H, W = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (H + 2 * ph + extra_rows, W + 2 * pw), dtype=x.dtype)
    out[..., ph:ph + H, pw:pw + W] = x
    return out


def chunks(N: int, bytes_per_sample: int):
    """Split ``range(N)`` into slices whose scratch stays below ``SCRATCH_BYTES``."""
    step = max(1, min(N, SCRATCH_BYTES // max(1, bytes_per_sample)))
    return [slice(n0, min(N, n0 + step)) for n0 in range(0, N, step)]


def choose(x, w, stride, dilation, padding, out_hw) -> str:
    """The method for this shape (see the module docstring)."""
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    Ho, Wo = out_hw
    Wp = W + 2 * padding[1]
    unit = stride == (1, 1)
    if FORCE is not None:
        if FORCE == "strided" or (FORCE == "fft" and dilation != (1, 1)) or not unit:
            return "strided"
        return FORCE
    if not unit:
        return "strided"
    if dilation == (1, 1) and kh >= 7 and kw >= 7 and Ho * Wo >= 48 * 48:
        return "fft"
    if 5 * Wp > 6 * Wo:  # the flat grid would waste more than a sixth of its columns
        return "strided"
    return "offsets" if C * F <= 2 else "flat"


# ---------------------------------------------------------------------------------------
# views of the windows
# ---------------------------------------------------------------------------------------

def flat_windows(xf, C, kshape, dilation, Wp, L):
    """View ``(C, kh, kw, n, L)`` of ``xf`` (n, C, rows*Wp): ``xf[n, c, u*dh*Wp + v*dw + t]``."""
    sN, sC, s1 = xf.strides
    (kh, kw), (dh, dw) = kshape, dilation
    return as_strided(xf, shape=(C, kh, kw, xf.shape[0], L),
                      strides=(sC, dh * Wp * s1, dw * s1, sN, s1), writeable=False)


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
        # flat grid: H_out rows of full padded width, and one spare zero row so the
        # last windows' garbage columns stay inside the buffer
        self.L = self.Ho * self.Wp if self.flat else self.Ho * self.Wo
        self.CKK = self.C * self.kh * self.kw

    def padded(self, x):
        """(n, C, rows*Wp) flat when ``self.flat``, else (n, C, Hp, Wp)."""
        if not self.flat:
            return pad(x, self.ph, self.pw)
        xp = pad(x, self.ph, self.pw, extra_rows=1)
        return xp.reshape(xp.shape[0], self.C, -1)

    def cols(self, xp):
        if self.flat:
            view = flat_windows(xp, self.C, (self.kh, self.kw), self.dilation, self.Wp, self.L)
        else:
            view = strided_windows(xp, (self.kh, self.kw), self.stride, self.dilation,
                                   (self.Ho, self.Wo))
        return _im2col(view, self.CKK)

    def offsets(self):
        """Flat offset of each kernel tap ``(u, v)``, in ``c, u, v`` row order."""
        dh, dw = self.dilation
        return [u * dh * self.Wp + v * dw for u in range(self.kh) for v in range(self.kw)]

    def grid(self, a):
        """``a`` (..., L) on the grid, as (..., H_out, W_out) (a view)."""
        Wg = self.Wp if self.flat else self.Wo
        return a.reshape(a.shape[:-1] + (self.Ho, Wg))[..., :self.Wo]

    def extend(self, dy, order):
        """``dy`` (n, F, H_out, W_out) transposed by ``order``, on the grid (..., L)."""
        dyt = dy.transpose(order)
        if not self.flat:
            return np.ascontiguousarray(dyt).reshape(dyt.shape[:2] + (self.L,))
        ext = np.zeros(dyt.shape[:2] + (self.Ho, self.Wp), dtype=dy.dtype)
        ext[..., :self.Wo] = dyt
        return ext.reshape(dyt.shape[:2] + (self.L,))

    def col2im(self, dcols, n):
        """Add ``dcols`` (C*kh*kw, n*L) back into the windows; dx as (n, C, H, W) view."""
        d = dcols.reshape(self.C, self.kh, self.kw, n, self.L)
        if self.flat:
            dxf = np.zeros((self.C, n, (self.Hp + 1) * self.Wp), dtype=dcols.dtype)
            for k, off in enumerate(self.offsets()):
                dxf[:, :, off:off + self.L] += d[:, k // self.kw, k % self.kw]
            dxp = dxf.reshape(self.C, n, self.Hp + 1, self.Wp)
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
# forward / backward
# ---------------------------------------------------------------------------------------

def forward(x, w, b, padding, stride, dilation, out_hw):
    method = choose(x, w, stride, dilation, padding, out_hw)
    if method == "fft":
        return _fft_forward(x, w, b, padding, out_hw)
    g = _Geometry(x, w, padding, stride, dilation, out_hw, method)
    y = np.empty((g.N, g.F, g.Ho, g.Wo), dtype=x.dtype)
    if method == "offsets":
        for sl in chunks(g.N, 2 * g.F * g.L * x.itemsize):
            xf = g.padded(x[sl])
            acc = np.zeros((g.F, xf.shape[0], g.L), dtype=x.dtype)
            tmp = np.empty((xf.shape[0], g.L), dtype=x.dtype)
            for f in range(g.F):
                for c in range(g.C):
                    for k, off in enumerate(g.offsets()):
                        np.multiply(xf[:, c, off:off + g.L], w[f, c].flat[k], out=tmp)
                        acc[f] += tmp
            _store(y[sl], g.grid(acc), b)
        return y
    w2 = w.reshape(g.F, g.CKK)
    for sl in chunks(g.N, g.CKK * g.L * x.itemsize):
        cols = g.cols(g.padded(x[sl]))
        if sl.stop - sl.start == 1 and not g.flat:  # one image: y[n] is w2 @ cols itself
            np.matmul(w2, cols, out=y[sl].reshape(g.F, g.L))
            if b is not None:
                y[sl] += b.reshape(-1, 1, 1)
        else:
            _store(y[sl], g.grid((w2 @ cols).reshape(g.F, -1, g.L)), b)
    return y


def _store(y, out_fn, b):
    """``y[n, f] = out[f, n] (+ b[f])`` for ``out`` (F, n, H_out, W_out)."""
    out = out_fn.transpose(1, 0, 2, 3)
    if b is None:
        y[...] = out
    else:
        np.add(out, b.reshape(-1, 1, 1), out=y)


def backward(dy, x, w, padding, stride, dilation, out_hw, need_dx=True):
    """``(dx, dw, db)``; ``dx`` is ``None`` when ``need_dx`` is False (not computed)."""
    method = choose(x, w, stride, dilation, padding, out_hw)
    db = dy.sum(axis=(0, 2, 3))
    if method == "fft":
        return (*_fft_backward(dy, x, w, padding, out_hw, need_dx), db)
    g = _Geometry(x, w, padding, stride, dilation, out_hw, method)
    dx = np.empty_like(x) if need_dx else None
    if method == "offsets":
        dw = np.zeros_like(w)
        for sl in chunks(g.N, 3 * g.F * g.L * x.itemsize):
            xf = g.padded(x[sl])
            n = xf.shape[0]
            dye = g.extend(dy[sl], (0, 1, 2, 3))  # (n, F, L)
            dxf = np.zeros_like(xf)
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
                dxp = dxf.reshape(n, g.C, g.Hp + 1, g.Wp)
                dx[sl] = dxp[:, :, g.ph:g.ph + g.H, g.pw:g.pw + g.W]
        return dx, dw, db
    w2 = w.reshape(g.F, g.CKK)
    dw2 = np.zeros_like(w2)
    for sl in chunks(g.N, 2 * g.CKK * g.L * x.itemsize):
        cols = g.cols(g.padded(x[sl]))
        dye = g.extend(dy[sl], (1, 0, 2, 3)).reshape(g.F, -1)  # (F, n*L)
        dw2 += dye @ cols.T
        del cols
        if need_dx:
            dx[sl] = g.col2im(w2.T @ dye, sl.stop - sl.start)
    return dx, dw2.reshape(w.shape), db


# ---------------------------------------------------------------------------------------
# FFT (stride 1, dilation 1)
# ---------------------------------------------------------------------------------------

def _fft_forward(x, w, b, padding, out_hw):
    """``y = irfft2(sum_c X[n, c] * conj(W[f, c]))`` cropped: circular = linear here."""
    x_pad = pad(x, *padding)
    shape = x_pad.shape[2:]
    X = np.fft.rfft2(x_pad, shape)
    Wc = np.conj(np.fft.rfft2(w, shape))
    Y = np.einsum("nck,fck->nfk", X.reshape(*X.shape[:2], -1), Wc.reshape(*Wc.shape[:2], -1))
    y = np.fft.irfft2(Y.reshape(Y.shape[:2] + X.shape[2:]), shape)
    y = np.ascontiguousarray(y[:, :, :out_hw[0], :out_hw[1]], dtype=x.dtype)
    if b is not None:
        y += b.reshape(-1, 1, 1)
    return y


def _fft_backward(dy, x, w, padding, out_hw, need_dx=True):
    """``dw = sum_n corr(x_pad, dy)``, ``dx_pad = sum_f conv(dy, w)`` via FFTs."""
    (ph, pw), (H, W), (kh, kw) = padding, x.shape[2:], w.shape[2:]
    x_pad = pad(x, ph, pw)
    shape = x_pad.shape[2:]
    flat = lambda a: a.reshape(*a.shape[:2], -1)  # noqa: E731
    X = flat(np.fft.rfft2(x_pad, shape))
    DY = flat(np.fft.rfft2(dy, shape))  # dy zero-extended to the padded size
    Wf = flat(np.fft.rfft2(w, shape))
    half = shape[:1] + (shape[1] // 2 + 1,)
    DW = np.einsum("nfk,nck->fck", np.conj(DY), X).reshape(w.shape[:2] + half)
    dw = np.fft.irfft2(DW, shape)[:, :, :kh, :kw].astype(x.dtype)
    if not need_dx:
        return None, dw
    DX = np.einsum("nfk,fck->nck", DY, Wf).reshape(x.shape[:2] + half)
    dx = np.fft.irfft2(DX, shape)[:, :, ph:ph + H, pw:pw + W]
    return np.ascontiguousarray(dx, dtype=x.dtype), dw
