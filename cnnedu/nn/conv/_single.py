"""Single-image cross-correlation internals of :func:`cnnedu.nn.conv.correlate2d` (private):
a region of the full correlation, in bands of output rows under the scratch cap, by
kernel taps or (large kernels on large images) by FFT.
"""
from __future__ import annotations

import numpy as np

from cnnedu.nn.conv import _im2col, _plan

__all__ = ["_correlate_region"]


def _correlate_region(image, kernel, start, out_shape):
    """``full[start:start + out_shape]`` of the full cross-correlation of image and kernel.

    ``full[r, c] = sum_{u, v} image_pad[r + u, c + v] * kernel[u, v]`` with the image
    padded by ``(kh - 1, kw - 1)`` zeros on each side. Computed in bands of output rows
    whose scratch stays below ``SCRATCH_BYTES`` (:func:`cnnedu.nn.conv._plan.correlate_rows`).
    """
    kh, kw = kernel.shape
    Ho, Wo = out_shape
    (r0, c0) = start
    # large kernel on a large image: an FFT is much faster than kh*kw passes
    fft = kh * kw >= 49 and kh * kw * Ho * Wo >= 2**21
    rows = _plan.correlate_rows(Ho, Wo, kh, kw, fft, image.itemsize, _im2col.SCRATCH_BYTES)
    if rows >= Ho:
        return _correlate_band(image, kernel, r0, c0, Ho, Wo, fft)
    out = np.empty(out_shape, dtype=image.dtype)
    for i0 in range(0, Ho, rows):
        r = min(rows, Ho - i0)
        out[i0:i0 + r] = _correlate_band(image, kernel, r0 + i0, c0, r, Wo, fft)
    return out


def _correlate_band(image, kernel, r0, c0, Ho, Wo, fft):
    """``Ho`` rows of the region: only the rows and columns of the padded image they read."""
    kh, kw = kernel.shape
    H, W = image.shape
    top, left = r0 - (kh - 1), c0 - (kw - 1)  # in image coordinates
    R, Q = Ho + kh - 1, Wo + kw - 1
    win = np.zeros((R, Q), dtype=image.dtype)
    lo, hi, cl, cr = max(0, top), min(H, top + R), max(0, left), min(W, left + Q)
    if lo < hi and cl < cr:
        win[lo - top:hi - top, cl - left:cr - left] = image[lo:hi, cl:cr]
    if fft:
        shape = (R + kh - 1, Q + kw - 1)
        spec = np.fft.rfft2(win, shape)
        del win
        spec *= np.fft.rfft2(kernel[::-1, ::-1], shape)
        full = np.fft.irfft2(spec, shape)
        del spec
        return full[kh - 1:kh - 1 + Ho, kw - 1:kw - 1 + Wo].astype(image.dtype)
    out = np.zeros((Ho, Wo), dtype=image.dtype)
    tmp = np.empty((Ho, Wo), dtype=image.dtype)
    for u in range(kh):
        for v in range(kw):
            np.multiply(win[u:u + Ho, v:v + Wo], kernel[u, v], out=tmp)
            out += tmp
    return out
