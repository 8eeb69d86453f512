r"""Where "same" zero padding breaks the collapse of two conv layers, and why.

Each layer pads by half its kernel, ``(kh // 2, kw // 2)`` (odd kernels), so every map
keeps the input's size. The single collapsed layer pads the input by the sum of the two
paddings. Both compute the first layer's map ``y1`` identically *inside* the image; the
difference is outside it: the stack's second layer reads zeros there (its own padding),
while the single layer reads what the first layer would give on the padded input (at
least its bias). So an output pixel differs exactly when the second kernel's window,
centred on it, reaches past the border of ``y1``: a ring of ``k2h // 2`` rows at the top
and bottom and ``k2w // 2`` columns at the left and right. Its width depends on the
*second* kernel only.

The public face is :mod:`cnnedu.topics.collapse` (import from there).

>>> import numpy as np
>>> border_ring((4, 6), (3, 3), (3, 5)).astype(int)
array([[1, 1, 1, 1, 1, 1],
       [1, 1, 0, 0, 1, 1],
       [1, 1, 0, 0, 1, 1],
       [1, 1, 1, 1, 1, 1]])
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import as_float_array, check_ndim, integer
from cnnedu.nn.conv import conv2d
from cnnedu.topics.collapse.conv import _conv_layer, compose_conv

__all__ = ["same_padding_difference", "border_ring", "measured_border"]


def _odd_kernel(shape, name, func):
    try:
        kh, kw = (int(v) for v in shape)
    except (TypeError, ValueError):
        raise ValueError(f"{func}: {name} must be a (kh, kw) pair; got {shape!r}") from None
    if kh < 1 or kw < 1 or kh % 2 == 0 or kw % 2 == 0:
        raise ValueError(f"{func}: {name} must be odd sizes (kh, kw) for 'same' padding; "
                         f"got {(kh, kw)}")
    return kh, kw


def same_padding_difference(x, w1, b1, w2, b2):
    """|two layers with "same" padding - the collapsed layer|, shape (N, F, H, W).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w1 : ndarray, shape (M, C, k1h, k1w), odd kernel sizes
    b1 : ndarray, shape (M,), or None
    w2 : ndarray, shape (F, M, k2h, k2w), odd kernel sizes
    b2 : ndarray, shape (F,), or None

    Returns
    -------
    d : ndarray, shape (N, F, H, W)
        0 (to rounding) away from :func:`border_ring`.

    >>> x = np.ones((1, 1, 5, 5))
    >>> d = same_padding_difference(x, np.ones((1, 1, 3, 3)), None, np.ones((1, 1, 3, 3)), None)
    >>> bool(d[0, 0, 2, 2] == 0), bool(d[0, 0, 0, 2] > 0)
    (True, True)
    """
    func = "same_padding_difference"
    x = as_float_array(x, "x", func)
    check_ndim(x, 4, "x", func, "(N, C, H, W)")
    w1, b1 = _conv_layer(w1, b1, "1", func)
    w2, b2 = _conv_layer(w2, b2, "2", func)
    p1 = tuple(k // 2 for k in _odd_kernel(w1.shape[2:], "w1's kernel", func))
    p2 = tuple(k // 2 for k in _odd_kernel(w2.shape[2:], "w2's kernel", func))
    if x.shape[1] != w1.shape[1]:
        raise ValueError(f"{func}: x has {x.shape[1]} channels but w1 {w1.shape} expects "
                         f"{w1.shape[1]}")
    W, B = compose_conv(w1, b1, w2, b2)
    two = conv2d(conv2d(x, w1, b1, padding=p1), w2, b2, padding=p2)
    one = conv2d(x, W, B, padding=(p1[0] + p2[0], p1[1] + p2[1]))
    return np.abs(two - one)


def border_ring(size, k1, k2) -> np.ndarray:
    """The output pixels where two "same"-padded layers and their collapse may differ.

    Parameters
    ----------
    size : (H, W)
        The input's (and every map's) height and width.
    k1, k2 : (kh, kw)
        Odd kernel sizes of the first and second layer (``k1`` does not matter: the ring
        is as wide as the second layer's padding).

    Returns
    -------
    mask : ndarray of bool, shape (H, W)
        True on the ring ``k2h // 2`` rows deep at the top and bottom and ``k2w // 2``
        columns at the sides.
    """
    func = "border_ring"
    try:
        H, W = (integer(v, "size", func, minimum=1) for v in size)
    except TypeError:
        raise ValueError(f"{func}: size must be an (H, W) pair; got {size!r}") from None
    _odd_kernel(k1, "k1", func)
    ph, pw = (k // 2 for k in _odd_kernel(k2, "k2", func))
    mask = np.zeros((H, W), dtype=bool)
    mask[:ph] = mask[H - ph:] = True
    mask[:, :pw] = mask[:, W - pw:] = True
    return mask


def measured_border(size, k1, k2, *, seed: int = 9) -> np.ndarray:
    """Where two random "same"-padded layers (kernels ``k1`` then ``k2``, 2 channels each,
    random biases) and their collapse differ by more than 1e-9 on a random input.

    Returns
    -------
    mask : ndarray of bool, shape (H, W)
        Measured, not predicted: it equals :func:`border_ring` (the tests check it).
    """
    func = "measured_border"
    k1, k2 = _odd_kernel(k1, "k1", func), _odd_kernel(k2, "k2", func)
    try:
        H, W = (integer(v, "size", func, minimum=1) for v in size)
    except TypeError:
        raise ValueError(f"{func}: size must be an (H, W) pair; got {size!r}") from None
    rng = np.random.default_rng(seed)
    w1, w2 = rng.normal(size=(2, 2) + k1), rng.normal(size=(2, 2) + k2)
    x = rng.normal(size=(2, 2, H, W))
    d = same_padding_difference(x, w1, rng.normal(size=2), w2, rng.normal(size=2))
    return (d > 1e-9).any(axis=(0, 1))
