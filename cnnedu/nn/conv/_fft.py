"""The FFT method of :mod:`cnnedu.nn.conv` (private): stride 1, dilation 1, in chunks of samples.

Products of 2-D FFTs, exact up to rounding: on the padded size ``(H + 2 ph, W + 2 pw)``
the circular correlation equals the linear one on the cropped region. Used for kernels
of 7x7 and more on large inputs, where its spectra fit the budget
(:func:`cnnedu.nn.conv._plan.fft_chunk` sizes the chunks).
"""
from __future__ import annotations

import numpy as np


def _pad(x, ph, pw):
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def _chunks(N, step):
    return [slice(n0, min(N, n0 + step)) for n0 in range(0, N, step)]


def forward(x, w, b, padding, out_hw, chunk):
    """``y = irfft2(sum_c X[n, c] * conj(W[f, c]))`` cropped: circular = linear here."""
    (ph, pw), (H, W) = padding, x.shape[2:]
    shape = (H + 2 * ph, W + 2 * pw)
    Wc = np.fft.rfft2(w, shape)
    np.conjugate(Wc, out=Wc)
    Wc = Wc.reshape(*Wc.shape[:2], -1)
    y = np.empty((x.shape[0], w.shape[0], *out_hw), dtype=x.dtype)
    for sl in _chunks(x.shape[0], chunk):
        X = np.fft.rfft2(_pad(x[sl], ph, pw), shape)
        Y = np.einsum("nck,fck->nfk", X.reshape(*X.shape[:2], -1), Wc)
        half = X.shape[2:]
        del X
        yc = np.fft.irfft2(Y.reshape(Y.shape[:2] + half), shape)
        del Y
        y[sl] = yc[:, :, :out_hw[0], :out_hw[1]]
        del yc
    if b is not None:
        y += b.reshape(-1, 1, 1)
    return y


def backward(dy, x, w, padding, out_hw, need_dx=True, chunk=None):
    """``dw = sum_n corr(x_pad, dy)``, ``dx_pad = sum_f conv(dy, w)`` via FFTs."""
    (ph, pw), (H, W), (kh, kw) = padding, x.shape[2:], w.shape[2:]
    shape = (H + 2 * ph, W + 2 * pw)
    flat = lambda a: a.reshape(*a.shape[:2], -1)  # noqa: E731
    half = shape[:1] + (shape[1] // 2 + 1,)
    Wf = flat(np.fft.rfft2(w, shape)) if need_dx else None
    DW = np.zeros(w.shape[:2] + (half[0] * half[1],), dtype=np.result_type(x.dtype, np.complex64))
    dx = np.empty_like(x) if need_dx else None
    for sl in _chunks(x.shape[0], chunk or x.shape[0]):
        X = flat(np.fft.rfft2(_pad(x[sl], ph, pw), shape))
        DY = flat(np.fft.rfft2(dy[sl], shape))  # dy zero-extended to the padded size
        np.conjugate(DY, out=DY)
        DW += np.einsum("nfk,nck->fck", DY, X)
        del X
        if need_dx:
            np.conjugate(DY, out=DY)
            DX = np.einsum("nfk,fck->nck", DY, Wf).reshape(dy[sl].shape[:1] + x.shape[1:2] + half)
            del DY
            dx[sl] = np.fft.irfft2(DX, shape)[:, :, ph:ph + H, pw:pw + W]
            del DX
        else:
            del DY
    dw = np.fft.irfft2(DW.reshape(w.shape[:2] + half), shape)[:, :, :kh, :kw].astype(x.dtype)
    return dx, dw
