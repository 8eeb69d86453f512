r"""Two linear conv layers with strides are still one layer: dilate the second kernel.

With a first stride :math:`s_1` and a second stride :math:`s_2` (both valid), 1-D:

.. math::

    y_1[j] &= \sum_a k_1[a]\, x[s_1 j + a], \qquad
    y_2[i] = \sum_b k_2[b]\, y_1[s_2 i + b]
           = \sum_b \sum_a k_2[b]\, k_1[a]\, x[s_1 s_2 i + s_1 b + a] \\
    &= \sum_u x[s_1 s_2\, i + u]\, K[u], \qquad K[u] = \sum_b k_2[b]\, k_1[u - s_1 b].

So the single layer has stride :math:`s_1 s_2` and the kernel :math:`K`, the full
convolution of :math:`k_1` with :math:`k_2` *dilated by* :math:`s_1` (its taps spread
:math:`s_1` apart, zeros between): size :math:`k_1 + s_1 (k_2 - 1)`. Each step of the
second layer moves :math:`s_1` pixels of the input, so its taps sit :math:`s_1` apart
there. The bias is the same as without stride (the inserted zeros add nothing to the sums
of ``w2``). The output sizes agree: ``((H - k1) // s1 + 1 - k2) // s2 + 1 ==
(H - k1 - s1 * (k2 - 1)) // (s1 * s2) + 1``.

The public face is :mod:`cnnedu.topics.collapse` (import from there).

>>> import numpy as np
>>> dilate_kernel(np.array([[1.0, 2.0, 3.0]]), 2)
array([[1., 0., 2., 0., 3.]])
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import as_float_array, check_ndim, pair
from cnnedu.topics.collapse.conv import compose_conv

__all__ = ["dilate_kernel", "compose_conv_strided"]


def dilate_kernel(k, dilation):
    """Spread the taps of a kernel ``dilation`` apart, zeros between them.

    Parameters
    ----------
    k : ndarray, shape (kh, kw) or (F, C, kh, kw)
    dilation : int or (int, int), at least 1

    Returns
    -------
    kd : ndarray, shape (..., d_h (kh - 1) + 1, d_w (kw - 1) + 1)
        ``kd[..., d_h p, d_w q] = k[..., p, q]``, 0 elsewhere.

    >>> dilate_kernel(np.ones((2, 2)), (1, 3)).astype(int)
    array([[1, 0, 0, 1],
           [1, 0, 0, 1]])
    """
    func = "dilate_kernel"
    k = as_float_array(k, "k", func)
    if k.ndim not in (2, 4):
        raise ValueError(f"{func}: k must have shape (kh, kw) or (F, C, kh, kw); got an "
                         f"array of shape {k.shape}")
    dh, dw = pair(dilation, "dilation", func, minimum=1)
    kh, kw = k.shape[-2:]
    out = np.zeros(k.shape[:-2] + (dh * (kh - 1) + 1, dw * (kw - 1) + 1), dtype=k.dtype)
    out[..., ::dh, ::dw] = k
    return out


def compose_conv_strided(w1, b1, w2, b2, *, stride1=1, stride2=1):
    r"""The single conv layer equal to ``conv2d(conv2d(x, w1, b1, stride=stride1), w2, b2,
    stride=stride2)`` (both valid).

    Parameters
    ----------
    w1 : ndarray, shape (M, C, k1h, k1w)
    b1 : ndarray, shape (M,), or None
    w2 : ndarray, shape (F, M, k2h, k2w)
    b2 : ndarray, shape (F,), or None
    stride1, stride2 : int or (int, int)

    Returns
    -------
    W : ndarray, shape (F, C, k1h + s1h (k2h - 1), k1w + s1w (k2w - 1))
    B : ndarray, shape (F,)
    stride : (int, int)
        ``(s1h s2h, s1w s2w)``.

    Notes
    -----
    .. math::

        W[o, i] = \sum_m \operatorname{full\_conv}\big(w_1[m, i],\,
        \operatorname{dilate}(w_2[o, m], s_1)\big), \qquad
        B[o] = b_2[o] + \sum_m b_1[m] \sum_{p, q} w_2[o, m, p, q]

    >>> from cnnedu.nn.conv import conv2d
    >>> rng = np.random.default_rng(0)
    >>> w1, w2 = rng.normal(size=(3, 2, 3, 2)), rng.normal(size=(2, 3, 2, 3))
    >>> W, B, s = compose_conv_strided(w1, np.ones(3), w2, None, stride1=2, stride2=(1, 2))
    >>> W.shape, s
    ((2, 2, 5, 6), (2, 4))
    >>> x = rng.normal(size=(1, 2, 15, 17))
    >>> two = conv2d(conv2d(x, w1, np.ones(3), stride=2), w2, stride=(1, 2))
    >>> bool(np.abs(two - conv2d(x, W, B, stride=s)).max() < 1e-12)
    True
    """
    func = "compose_conv_strided"
    s1 = pair(stride1, "stride1", func, minimum=1)
    s2 = pair(stride2, "stride2", func, minimum=1)
    w2a = as_float_array(w2, "w2", func)
    check_ndim(w2a, 4, "w2", func, "(F, M, kh, kw)")
    W, B = compose_conv(w1, b1, dilate_kernel(w2a, s1), b2)
    return W, B, (s1[0] * s2[0], s1[1] * s2[1])
