r"""A convolution layer run by functions you give it: plug your own forward and backward
passes into the network and train it.

:class:`OwnConv2D` holds the same ``w`` and ``b`` as a :class:`~cnnedu.nn.layers.Conv2D`
(the very arrays: the optimizer updates them), and calls

- ``conv_forward(x, w, b, padding=p)`` ``-> y`` ``(N, F, H_out, W_out)``, and
- ``conv_backward(dy, x, w, padding=p)`` ``-> (dx, dw, db)``

for stride 1. :func:`with_own_conv` puts one in place of the first layer of a
:func:`build_cnn` network. Import these from the public face, :mod:`cnnedu.nn.training`.

>>> from cnnedu.nn.conv import conv2d, conv2d_backward
>>> from cnnedu.nn.training import build_cnn
>>> fwd = lambda x, w, b, padding: conv2d(x, w, b, padding=padding)
>>> bwd = lambda dy, x, w, padding: conv2d_backward(dy, x, w, padding=padding)
>>> model = with_own_conv(build_cnn(seed=0), fwd, bwd)
>>> model[0]
OwnConv2D(C=1, F=16, k=3, padding=1, forward=<lambda>, backward=<lambda>)
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import describe
from cnnedu.nn.layers import Conv2D, Sequential
from cnnedu.nn.layers._base import Layer


class OwnConv2D(Layer):
    """A stride-1 convolution layer whose passes are the functions given.

    Parameters
    ----------
    conv : Conv2D
        The layer to stand in for: its ``params`` (the same arrays), channels, kernel
        size and padding are used.
    conv_forward : callable ``(x, w, b, padding) -> y``
    conv_backward : callable ``(dy, x, w, padding) -> (dx, dw, db)``

    Whatever the functions return is checked: ``y`` must have shape
    ``(N, F, H + 2p - kh + 1, W + 2p - kw + 1)`` and the gradients the shapes of
    ``x``, ``w``, ``b``, all finite; otherwise a ``ValueError`` says which.
    """

    def __init__(self, conv: Conv2D, conv_forward, conv_backward):
        super().__init__()
        if not isinstance(conv, Conv2D):
            raise TypeError(f"OwnConv2D: conv must be a Conv2D; got {describe(conv)}")
        if conv.stride != (1, 1) or conv.padding[0] != conv.padding[1] or "b" not in conv.params:
            raise ValueError(f"OwnConv2D: conv must have stride 1, the same padding on both "
                             f"axes and a bias; got {conv!r}")
        for f, what in ((conv_forward, "conv_forward"), (conv_backward, "conv_backward")):
            if not callable(f):
                raise TypeError(f"OwnConv2D: {what} must be a function; got {describe(f)}")
        self.in_channels, self.out_channels = conv.in_channels, conv.out_channels
        self.kernel_size, self.stride, self.padding = conv.kernel_size, conv.stride, conv.padding
        self.params, self.grads = conv.params, conv.grads
        self.conv_forward, self.conv_backward = conv_forward, conv_backward

    def __repr__(self) -> str:
        name = lambda f: getattr(f, "__name__", type(f).__name__)
        return (f"OwnConv2D(C={self.in_channels}, F={self.out_channels}, "
                f"k={self.kernel_size[0]}, padding={self.padding[0]}, "
                f"forward={name(self.conv_forward)}, backward={name(self.conv_backward)})")

    def _forward(self, x):
        x = np.asarray(x)
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise self._bad_input(x, f"(N, C, H, W) with C={self.in_channels}")
        w, b = self.params["w"], self.params["b"]
        p = self.padding[0]
        N, _, H, W = x.shape
        shape = (N, self.out_channels, H + 2 * p - self.kernel_size[0] + 1,
                 W + 2 * p - self.kernel_size[1] + 1)
        y = _checked(self.conv_forward(x, w.copy(), b.copy(), padding=p), shape, "y",
                     "conv_forward", w.dtype)
        return y, (x, y.shape)

    def _backward(self, dy, cache):
        x, _ = cache
        w = self.params["w"]
        got = self.conv_backward(dy, x, w.copy(), padding=self.padding[0])
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            raise ValueError(f"OwnConv2D: conv_backward must return (dx, dw, db); got "
                             f"{describe(got)}")
        dx = _checked(got[0], x.shape, "dx", "conv_backward", w.dtype)
        self.grads["w"][...] = _checked(got[1], w.shape, "dw", "conv_backward", w.dtype)
        self.grads["b"][...] = _checked(got[2], self.params["b"].shape, "db", "conv_backward",
                                        w.dtype)
        return dx


def _checked(a, shape, what, func, dtype):
    try:
        arr = np.asarray(a, dtype=dtype)
    except (TypeError, ValueError):
        raise ValueError(f"OwnConv2D: {func} must return {what} as an array of shape "
                         f"{shape}; got {describe(a)}") from None
    if arr.shape != tuple(shape):
        raise ValueError(f"OwnConv2D: {func} returned {what} of shape {arr.shape}; expected "
                         f"{tuple(shape)}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"OwnConv2D: {func} returned {what} with NaN or inf values")
    return arr


def with_own_conv(model: Sequential, conv_forward, conv_backward) -> Sequential:
    """A network that shares ``model``'s arrays but runs its first layer (a Conv2D) with
    the functions given: ``Sequential(OwnConv2D(model[0], ...), *model[1:])``.

    The layers after the first are the same objects; train one of the two networks, not
    both at once.
    """
    if not isinstance(model, Sequential) or len(model) < 1 or not isinstance(model[0], Conv2D):
        raise TypeError(f"with_own_conv: model must be a Sequential starting with a Conv2D; "
                        f"got {describe(model)}")
    return Sequential(OwnConv2D(model[0], conv_forward, conv_backward), *model.layers[1:])
