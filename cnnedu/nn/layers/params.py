r"""The layers with parameters: :class:`Conv2D` and :class:`Dense`, and how their initial
``w`` and ``b`` are drawn.

The public face is :mod:`cnnedu.nn.layers`, which re-exports both.

>>> import numpy as np
>>> Dense(4, 3, rng=0).forward(np.ones((2, 4))).shape
(2, 3)
"""
from __future__ import annotations

import numbers

import numpy as np

from cnnedu.nn.layers._base import Layer, _float_dtype
from cnnedu._validate import as_float_array, as_rng, check_callable, describe, pair
from cnnedu.nn.conv import _im2col, conv2d, conv2d_backward

__all__ = ["Conv2D", "Dense"]


def _init_params(layer: str, w_shape, bias: bool, init, bias_init, rng, dtype):
    """Draw ``w`` with ``init``, then ``b`` (see :class:`Conv2D`), both from ``rng``."""
    from cnnedu.nn import init as _init  # imported on first use

    def resolve(spec, what):
        if callable(spec):
            return check_callable(spec, what, layer, "f(shape, rng)", 2)
        if isinstance(spec, str):
            try:
                return _init.get(spec)
            except ValueError as err:
                raise ValueError(str(err).replace("init.get", f"{layer}: {what}")) from None
        raise TypeError(f"{layer}: {what} must be an initializer name or a callable "
                        f"f(shape, rng); got {describe(spec)}")

    rng = as_rng(rng, "rng", layer)
    w_shape = tuple(w_shape)
    w = _drawn(resolve(init, "init")(w_shape, rng), w_shape, dtype, layer, "init")
    params = {"w": w}
    if bias:
        F = w_shape[0]
        if bias_init is None:
            # the bias that goes with the weight scheme: PyTorch's U(+-1/sqrt(fan_in))
            # for "pytorch_default", zeros for every other scheme and for a callable
            name = init if isinstance(init, str) else "zeros"
            b = _init.init_bias(name, F, _init.fans(w_shape)[0], rng)
        else:
            b = resolve(bias_init, "bias_init")((F,), rng)
        params["b"] = _drawn(b, (F,), dtype, layer, "bias_init")
    return params


def _drawn(values, shape, dtype, layer: str, what: str) -> np.ndarray:
    """What an initializer returned, as a finite array of ``shape`` and ``dtype``, or raise."""
    expected = f"an array of shape {shape}"
    try:
        a = np.asarray(values)
        if a.dtype.kind not in "biuf":
            raise TypeError
        a = a.astype(dtype)
    except (TypeError, ValueError):
        raise TypeError(f"{layer}: {what} must return {expected} of real numbers; "
                        f"got {describe(values)}") from None
    if a.shape != shape:
        raise ValueError(f"{layer}: {what} must return {expected}; got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{layer}: {what} must return finite numbers; got "
                         f"{int(np.count_nonzero(~np.isfinite(a)))} NaN or inf of {a.size}")
    return a


class Conv2D(Layer):
    r"""2-D convolution layer: ``F`` filters of size ``k x k`` over ``C`` input channels.

    Parameters
    ----------
    in_channels : int
        ``C``.
    out_channels : int
        ``F``, the number of filters (and of output channels).
    kernel_size : int or (int, int)
        ``(kh, kw)``.
    stride, padding : int or (int, int)
        As in :func:`cnnedu.nn.conv.conv2d`.
    bias : bool
        Whether the layer has a bias ``b`` (shape ``(F,)``).
    init : str or callable
        Initializer of ``w``: a name from :mod:`cnnedu.nn.init` (``"pytorch_default"``,
        ``"he_normal"``, ``"glorot_uniform"``, ...) or a callable ``f(shape, rng)``.
    bias_init : str, callable or None
        Initializer of ``b`` (called with shape ``(F,)``). ``None``: the bias that goes
        with ``init`` (:func:`cnnedu.nn.init.init_bias`): as PyTorch with
        ``init="pytorch_default"``, :math:`U(-1/\sqrt{C k_h k_w}, 1/\sqrt{C k_h k_w})`;
        zeros otherwise.
    rng : numpy.random.Generator, int or None
        Source of the initial values (an int is a seed; ``None`` draws a fresh seed).
    dtype : float64 or float32
        dtype of the parameters. A float32 layer fed float32 computes in float32.

    Notes
    -----
    Forward and backward are :func:`cnnedu.nn.conv.conv2d` and
    :func:`cnnedu.nn.conv.conv2d_backward`:

    .. math::

        y[n, f, i, j] = b[f] + \sum_{c, u, v} x_{pad}[n, c, i s + u, j s + v]\, w[f, c, u, v]

    ``x`` ``(N, C, H, W)`` gives ``y`` ``(N, F, H_out, W_out)`` with
    ``H_out = (H + 2*padding - kh) // stride + 1``.

    >>> conv = Conv2D(3, 8, 5, stride=2, padding=2, rng=0)
    >>> conv, conv.params["w"].shape, conv.n_params
    (Conv2D(C=3, F=8, k=5, stride=2, padding=2), (8, 3, 5, 5), 608)
    >>> conv.forward(np.zeros((4, 3, 32, 32))).shape
    (4, 8, 16, 16)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, *, stride=1,
                 padding=0, bias: bool = True, init="pytorch_default", bias_init=None,
                 rng=None, dtype=np.float64):
        super().__init__()
        name = "Conv2D"
        self.in_channels = _count(in_channels, "in_channels", name)
        self.out_channels = _count(out_channels, "out_channels", name)
        self.kernel_size = pair(kernel_size, "kernel_size", name)
        self.stride = pair(stride, "stride", name)
        self.padding = pair(padding, "padding", name, minimum=0)
        dt = _float_dtype(dtype, name)
        self._set_params(_init_params(
            name, (self.out_channels, self.in_channels, *self.kernel_size), bool(bias),
            init, bias_init, rng, dt))
        self._checked = {}  # (input shape, dtypes) -> (H_out, W_out), validated once
        self._w_shape = (self.out_channels, self.in_channels, *self.kernel_size)

    def __repr__(self) -> str:
        def one(p):
            return p[0] if p[0] == p[1] else p
        extra = "" if "b" in self.params else ", bias=False"
        return (f"Conv2D(C={self.in_channels}, F={self.out_channels}, "
                f"k={one(self.kernel_size)}, stride={one(self.stride)}, "
                f"padding={one(self.padding)}{extra})")

    def _forward(self, x):
        x = as_float_array(x, "x", repr(self))
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise self._bad_input(x, f"(N, C, H, W) with C={self.in_channels}")
        w, b = self.params["w"], self.params.get("b")
        key = (x.shape[1:], x.dtype, w.shape, w.dtype,
               None if b is None else (b.shape, b.dtype))
        out_hw = self._checked.get(key) if x.dtype == w.dtype else None
        if out_hw is None:
            # the full validation of conv2d, once per input shape and dtype (then cached:
            # a training loop feeds the same shape every batch)
            y = conv2d(x, w, b, stride=self.stride, padding=self.padding)
            if x.dtype == w.dtype and y.dtype == x.dtype:
                if len(self._checked) >= 64:  # many shapes (a widget): keep it small
                    self._checked.clear()
                self._checked[key] = y.shape[2:]
        else:
            b = None if b is None else b.astype(x.dtype, copy=False)
            y = _im2col.forward(x, w, b, self.padding, self.stride, (1, 1), out_hw)
        return y, (x, y.shape)

    def _backward(self, dy, cache):
        x, y_shape = cache
        w = self.params["w"]
        if x.dtype == w.dtype and w.shape == self._w_shape:
            # the shapes were checked by forward and by Layer.backward
            dx, dw, db = _im2col.backward(dy.astype(x.dtype, copy=False), x, w, self.padding,
                                          self.stride, (1, 1), y_shape[2:],
                                          need_dx=bool(self.needs_input_grad))
        else:
            dx, dw, db = conv2d_backward(dy, x, w, stride=self.stride, padding=self.padding,
                                         input_grad=bool(self.needs_input_grad))
        self.grads["w"][...] = dw
        if "b" in self.params:
            self.grads["b"][...] = db
        return dx


def _count(value, name: str, func: str) -> int:
    """A positive integer (a number of channels or features), or raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{func}: {name} must be a positive integer; got {value!r}")
    if value < 1:
        raise ValueError(f"{func}: {name} must be a positive integer; got {value!r}")
    return int(value)


class Dense(Layer):
    r"""Fully connected layer: ``y = x w^T + b``, weights ``w`` of shape ``(out, in)`` as in PyTorch.

    Parameters
    ----------
    in_features, out_features : int
    bias : bool
    init, bias_init, rng, dtype
        As in :class:`Conv2D` (``fan_in = in_features``).

    Notes
    -----
    ``x`` ``(N, in_features)`` gives ``y`` ``(N, out_features)``:

    .. math::

        y = x\, w^{T} + b, \qquad dx = dy\, w, \qquad dw = dy^{T} x, \qquad
        db = \sum_n dy[n, :]

    >>> dense = Dense(4, 3, rng=0)
    >>> dense, dense.forward(np.ones((2, 4))).shape, dense.n_params
    (Dense(in_features=4, out_features=3), (2, 3), 15)
    """

    def __init__(self, in_features: int, out_features: int, *, bias: bool = True,
                 init="pytorch_default", bias_init=None, rng=None, dtype=np.float64):
        super().__init__()
        name = "Dense"
        self.in_features = _count(in_features, "in_features", name)
        self.out_features = _count(out_features, "out_features", name)
        dt = _float_dtype(dtype, name)
        self._set_params(_init_params(name, (self.out_features, self.in_features),
                                      bool(bias), init, bias_init, rng, dt))

    def __repr__(self) -> str:
        extra = "" if "b" in self.params else ", bias=False"
        return f"Dense(in_features={self.in_features}, out_features={self.out_features}{extra})"

    def _forward(self, x):
        x = as_float_array(x, "x", repr(self))
        if x.ndim != 2 or x.shape[1] != self.in_features:
            hint = " (put a Flatten() before Dense)" if x.ndim > 2 else ""
            raise self._bad_input(x, f"(N, in_features) with in_features={self.in_features}",
                                  hint)
        w = self.params["w"]
        y = x @ w.T
        if "b" in self.params:
            y += self.params["b"].astype(y.dtype, copy=False)
        return y, (x, y.shape)

    def _backward(self, dy, cache):
        x, _ = cache
        w = self.params["w"]
        self.grads["w"][...] = dy.T @ x
        if "b" in self.params:
            self.grads["b"][...] = dy.sum(axis=0)
        if not self.needs_input_grad:
            return None
        return dy @ w.astype(dy.dtype, copy=False)
