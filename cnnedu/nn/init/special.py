"""Structured initializers: orthogonal filters and the identity (dirac) convolution.

The public face is :mod:`cnnedu.nn.init`.
"""
from __future__ import annotations

import math

import numpy as np

from cnnedu.nn.init._checks import _POSITIVE, _dtype, _rng, _shape
from cnnedu._validate import real

__all__ = ["orthogonal", "dirac"]


def orthogonal(shape, rng, *, gain: float = 1.0, dtype=np.float64) -> np.ndarray:
    """A (semi-)orthogonal matrix, reshaped: the filters are orthonormal vectors.

    The weight is viewed as the matrix :math:`W` of shape ``(F, C*kh*kw)`` (one row per
    filter). If ``F <= C*kh*kw`` its rows are orthonormal, :math:`W W^T = g^2 I_F`;
    otherwise there are too many rows and its columns are, :math:`W^T W = g^2 I`.

    Parameters
    ----------
    shape : tuple of int, at least 2-D
    rng : numpy.random.Generator
    gain : float, default 1.0
        The scale :math:`g`.
    dtype : float dtype, default float64

    Notes
    -----
    .. math::

        A \\sim \\mathcal{N}(0, 1)^{n \\times m}\\ (n \\ge m), \\quad A = QR, \\quad
        Q \\leftarrow Q \\operatorname{diag}(\\operatorname{sign} R_{ii})

    The sign correction makes :math:`Q` uniformly distributed over orthogonal matrices
    (Haar); without it, ``numpy.linalg.qr``'s sign convention biases it. Entries have
    mean square :math:`g^2 / \\max(F, C\\,kh\\,kw)`.

    Examples
    --------
    >>> w = orthogonal((4, 2, 3, 3), np.random.default_rng(0))
    >>> m = w.reshape(4, -1)
    >>> bool(np.allclose(m @ m.T, np.eye(4)))
    True
    """
    func = "orthogonal"
    dims = _shape(shape, func, min_ndim=2)
    rng = _rng(rng, func)
    gain = real(gain, "gain", func, **_POSITIVE)
    dt = _dtype(dtype, func)
    rows, cols = dims[0], math.prod(dims[1:])
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)  # q: orthonormal columns
    q = q * np.where(np.diagonal(r) < 0, -1.0, 1.0)
    if rows < cols:
        q = q.T
    return (gain * q).reshape(dims).astype(dt, copy=False)


def dirac(shape, rng=None, *, dtype=np.float64) -> np.ndarray:
    """The identity convolution: filter ``f`` copies input channel ``f``.

    Parameters
    ----------
    shape : (F, C, kh, kw), kh and kw odd
    rng : unused (nothing is drawn); accepted for the common signature
    dtype : float dtype, default float64

    Notes
    -----
    .. math::

        w[f, c, i, j] = \\begin{cases} 1 & c = f,\\ i = kh/\\!/2,\\ j = kw/\\!/2 \\\\
        0 & \\text{otherwise} \\end{cases} \\qquad (f < \\min(F, C))

    With ``padding = k // 2`` ("same") and stride 1, ``conv2d(x, dirac(...))`` returns
    ``x`` (the first ``min(F, C)`` channels; extra filters give zero maps). An even
    kernel has no centre, so it is refused.

    Examples
    --------
    >>> w = dirac((2, 2, 3, 3))
    >>> print(w[0, 0])
    [[0. 0. 0.]
     [0. 1. 0.]
     [0. 0. 0.]]
    >>> print(w[0, 1].sum(), w[1, 1, 1, 1])
    0.0 1.0
    """
    func = "dirac"
    dims = _shape(shape, func)
    if len(dims) != 4:
        raise ValueError(
            f"{func}: shape must be (F, C, kh, kw) (4-D); got {dims!r} ({len(dims)}-D)"
        )
    _rng(rng, func, required=False)
    dt = _dtype(dtype, func)
    f_, c_, kh, kw = dims
    if kh % 2 == 0 or kw % 2 == 0:
        raise ValueError(
            f"{func}: kernel size must be odd in both directions, so the kernel has a "
            f"centre; got kh={kh}, kw={kw}"
        )
    w = np.zeros(dims, dtype=dt)
    k = np.arange(min(f_, c_))
    w[k, k, kh // 2, kw // 2] = 1
    return w
