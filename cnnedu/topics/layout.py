"""Memory layouts of image batches and weights: NCHW (PyTorch) and NHWC (Keras/TensorFlow).

The same batch of images can be stored with the channels first, ``(N, C, H, W)`` (PyTorch,
and everything in cnnedu), or last, ``(N, H, W, C)`` (Keras/TensorFlow, and matplotlib's
``imshow``, which wants ``(H, W, 3)``). Converting is a *transpose* (the axes change
order); a ``reshape`` to the new shape keeps the numbers in memory order and scrambles the
image (:func:`nchw_to_nhwc_wrong` shows it).

Weights follow the same idea: PyTorch stores conv weights ``(F, C, kh, kw)``, Keras
``(kh, kw, C, F)``.

>>> x = np.zeros((8, 3, 32, 24))
>>> nchw_to_nhwc(x).shape, nhwc_to_nchw(nchw_to_nhwc(x)).shape
((8, 32, 24, 3), (8, 3, 32, 24))
>>> torch_to_keras_weights(np.zeros((20, 3, 5, 5))).shape
(5, 5, 3, 20)
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import as_float_array, check_ndim

__all__ = [
    "nchw_to_nhwc",
    "nhwc_to_nchw",
    "nchw_to_nhwc_wrong",
    "torch_to_keras_weights",
    "keras_to_torch_weights",
    "conv2d_nhwc",
]


def _four(a, name: str, func: str, axes: str) -> np.ndarray:
    a = as_float_array(a, name, func)
    check_ndim(a, 4, name, func, axes)
    return a


def nchw_to_nhwc(x) -> np.ndarray:
    """Channels first to channels last: ``(N, C, H, W) -> (N, H, W, C)`` (a transposed view).

    >>> x = np.arange(12.0).reshape(1, 3, 2, 2)   # channel c is filled with 4c..4c+3
    >>> nchw_to_nhwc(x)[0, 0, 0]                   # the 3 channel values of pixel (0, 0)
    array([0., 4., 8.])
    """
    return _four(x, "x", "nchw_to_nhwc", "(N, C, H, W)").transpose(0, 2, 3, 1)


def nhwc_to_nchw(x) -> np.ndarray:
    """Channels last to channels first: ``(N, H, W, C) -> (N, C, H, W)`` (a transposed view).

    >>> nhwc_to_nchw(np.zeros((2, 32, 32, 3))).shape
    (2, 3, 32, 32)
    """
    return _four(x, "x", "nhwc_to_nchw", "(N, H, W, C)").transpose(0, 3, 1, 2)


def nchw_to_nhwc_wrong(x) -> np.ndarray:
    """A common mistake, on purpose: ``reshape`` to ``(N, H, W, C)`` instead of transposing.

    The shape is right, the content is not: the numbers keep their memory order, so the
    "channel" axis of the result walks along a row of one channel.

    >>> x = np.arange(12.0).reshape(1, 3, 2, 2)
    >>> nchw_to_nhwc_wrong(x)[0, 0, 0]             # not the 3 values of pixel (0, 0)
    array([0., 1., 2.])
    """
    x = _four(x, "x", "nchw_to_nhwc_wrong", "(N, C, H, W)")
    N, C, H, W = x.shape
    return x.reshape(N, H, W, C)


def torch_to_keras_weights(w) -> np.ndarray:
    """Conv weights ``(F, C, kh, kw)`` (PyTorch) to ``(kh, kw, C, F)`` (Keras)."""
    return _four(w, "w", "torch_to_keras_weights", "(F, C, kh, kw)").transpose(2, 3, 1, 0)


def keras_to_torch_weights(w) -> np.ndarray:
    """Conv weights ``(kh, kw, C, F)`` (Keras) to ``(F, C, kh, kw)`` (PyTorch).

    >>> keras_to_torch_weights(np.zeros((5, 5, 3, 20))).shape
    (20, 3, 5, 5)
    """
    return _four(w, "w", "keras_to_torch_weights", "(kh, kw, C, F)").transpose(3, 2, 0, 1)


def conv2d_nhwc(x, w, b=None, *, stride=1, padding=0, dilation=1) -> np.ndarray:
    """A conv layer in Keras' layout: ``x`` (N, H, W, C), ``w`` (kh, kw, C, F) -> (N, H_out, W_out, F).

    Converts to NCHW, calls :func:`cnnedu.nn.conv.conv2d`, converts back: the layout changes
    where the numbers sit, not what is computed.

    >>> conv2d_nhwc(np.ones((1, 5, 5, 3)), np.ones((3, 3, 3, 4))).shape
    (1, 3, 3, 4)
    """
    from cnnedu.nn.conv import conv2d

    x = _four(x, "x", "conv2d_nhwc", "(N, H, W, C)")
    w = _four(w, "w", "conv2d_nhwc", "(kh, kw, C, F)")
    if x.shape[3] != w.shape[2]:
        raise ValueError(f"conv2d_nhwc: x of shape (N, H, W, C) = {x.shape} has C={x.shape[3]}"
                         f" but w of shape (kh, kw, C, F) = {w.shape} has C={w.shape[2]}")
    y = conv2d(nhwc_to_nchw(x), keras_to_torch_weights(w), b, stride=stride, padding=padding,
               dilation=dilation)
    return nchw_to_nhwc(y)
