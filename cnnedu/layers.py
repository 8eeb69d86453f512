r"""Layers of a small CNN, each a forward/backward pair: Conv2D, Activation, MaxPool2D,
Flatten, Dense, and Sequential to chain them.

Every layer has

- ``forward(x)`` (also ``layer(x)``): computes ``y`` and caches what backward needs;
- ``backward(dy)``: returns ``dx`` and writes the parameter gradients into ``grads``
  (overwriting them: gradients are not accumulated across calls);
- ``params`` and ``grads``: dicts ``{"w": ..., "b": ...}`` with the same keys and shapes
  (empty for layers without parameters). The arrays are updated in place, so a reference
  taken once stays current; ``n_params`` counts the numbers in ``params``.

The loss (:func:`softmax_cross_entropy`), the optimizer (:class:`SGD`) and the training
helpers (:func:`fit`, :func:`train_epoch`, :func:`accuracy`, :func:`evaluate`) live in
:mod:`cnnedu.losses` and :mod:`cnnedu.optim` and are re-exported here.

>>> rng = np.random.default_rng(0)
>>> model = Sequential(
...     Conv2D(1, 16, 3, padding=1, rng=rng), Activation("relu"), MaxPool2D(2),
...     Flatten(), Dense(16 * 4 * 4, 10, rng=rng))
>>> model
Sequential(
  (0): Conv2D(C=1, F=16, k=3, stride=1, padding=1)
  (1): Activation('relu')
  (2): MaxPool2D(size=2, stride=2)
  (3): Flatten()
  (4): Dense(in_features=256, out_features=10)
)
>>> model.n_params
2730
>>> x = rng.random((5, 1, 8, 8))
>>> logits = model.forward(x)
>>> loss, dlogits = softmax_cross_entropy(logits, np.array([0, 1, 2, 3, 4]))
>>> dx = model.backward(dlogits)
>>> logits.shape, dx.shape, model[0].grads["w"].shape
((5, 10), (5, 1, 8, 8), (16, 1, 3, 3))
"""
from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import activations as _activations
from ._validate import as_float_array, describe, pair
from .conv import conv2d, conv2d_backward
from .losses import SoftmaxCrossEntropy, softmax, softmax_cross_entropy
from .optim import SGD, accuracy, evaluate, fit, train_epoch

__all__ = [
    "Layer", "Conv2D", "Activation", "MaxPool2D", "Flatten", "Dense", "Sequential",
    "softmax", "softmax_cross_entropy", "SoftmaxCrossEntropy",
    "SGD", "fit", "train_epoch", "accuracy", "evaluate",
]


def _rng(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy.random.Generator, an integer seed or None; got {describe(rng)}")


def _float_dtype(dtype, func: str) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{func}: dtype must be float32 or float64; got {dtype!r}")
    return dt


def _init_params(layer: str, w_shape, bias: bool, init, bias_init, rng, dtype):
    """Draw ``w`` with ``init``, then ``b`` (see :class:`Conv2D`), both from ``rng``."""
    from . import init as _init  # imported on first use

    def resolve(spec, what):
        if callable(spec):
            return spec
        if isinstance(spec, str):
            try:
                return _init.get(spec)
            except ValueError as err:
                raise ValueError(str(err).replace("init.get", f"{layer}: {what}")) from None
        raise TypeError(f"{layer}: {what} must be an initializer name or a callable "
                        f"f(shape, rng); got {describe(spec)}")

    rng = _rng(rng)
    w_shape = tuple(w_shape)
    w = np.asarray(resolve(init, "init")(w_shape, rng), dtype=dtype)
    if w.shape != w_shape:
        raise ValueError(f"{layer}: init returned shape {w.shape}; expected {w_shape}")
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
        b = np.asarray(b, dtype=dtype)
        if b.shape != (F,):
            raise ValueError(f"{layer}: bias_init returned shape {b.shape}; expected ({F},)")
        params["b"] = b
    return params


class Layer:
    """Base class: ``params``/``grads`` dicts, ``n_params``, and the forward/backward protocol."""

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._cache = None

    # subclasses implement _forward(x) -> (y, cache) and _backward(dy, cache) -> dx
    def forward(self, x) -> np.ndarray:
        """Compute the output for the batch ``x`` and remember what :meth:`backward` needs."""
        y, self._cache = self._forward(x)
        return y

    __call__ = forward

    def backward(self, dy) -> np.ndarray:
        """Gradient with respect to the input of the last :meth:`forward`; fills ``grads``."""
        if self._cache is None:
            raise RuntimeError(f"{self!r}.backward: call forward first (backward needs the "
                               "input of the forward pass)")
        dy = as_float_array(dy, "dy", f"{self!r}.backward")
        if dy.shape != self._cache_out_shape:
            raise ValueError(f"{self!r}.backward: dy must have the shape of the last output, "
                             f"{self._cache_out_shape}; got {describe(dy)}")
        return self._backward(dy, self._cache)

    @property
    def _cache_out_shape(self):
        return self._cache[-1]

    @property
    def n_params(self) -> int:
        """How many numbers ``params`` holds."""
        return int(sum(p.size for p in self.params.values()))

    def parameters(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``[(name, param, grad), ...]``, the arrays themselves (not copies)."""
        return [(k, p, self.grads[k]) for k, p in self.params.items()]

    def zero_grad(self) -> None:
        """Set every gradient to 0."""
        for g in self.grads.values():
            g.fill(0)

    def astype(self, dtype):
        """Convert the parameters (and gradients) to ``dtype``, in place; returns ``self``."""
        dt = _float_dtype(dtype, f"{type(self).__name__}.astype")
        for k in self.params:
            self.params[k] = self.params[k].astype(dt)
            self.grads[k] = np.zeros_like(self.params[k])
        return self

    def _set_params(self, params):
        self.params = params
        self.grads = {k: np.zeros_like(p) for k, p in params.items()}

    def _bad_input(self, x, expected: str, hint: str = ""):
        return ValueError(f"{self!r}: x must have shape {expected}; got {describe(x)}{hint}")


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
        As in :func:`cnnedu.conv.conv2d`.
    bias : bool
        Whether the layer has a bias ``b`` (shape ``(F,)``).
    init : str or callable
        Initializer of ``w``: a name from :mod:`cnnedu.init` (``"pytorch_default"``,
        ``"he_normal"``, ``"glorot_uniform"``, ...) or a callable ``f(shape, rng)``.
    bias_init : str, callable or None
        Initializer of ``b`` (called with shape ``(F,)``). ``None``: the bias that goes
        with ``init`` (:func:`cnnedu.init.init_bias`): as PyTorch with
        ``init="pytorch_default"``, :math:`U(-1/\sqrt{C k_h k_w}, 1/\sqrt{C k_h k_w})`;
        zeros otherwise.
    rng : numpy.random.Generator, int or None
        Source of the initial values (an int is a seed; ``None`` draws a fresh seed).
    dtype : float64 or float32
        dtype of the parameters. A float32 layer fed float32 computes in float32.

    Notes
    -----
    Forward and backward are :func:`cnnedu.conv.conv2d` and
    :func:`cnnedu.conv.conv2d_backward`:

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
        y = conv2d(x, self.params["w"], self.params.get("b"), stride=self.stride,
                   padding=self.padding)
        return y, (x, y.shape)

    def _backward(self, dy, cache):
        x, _ = cache
        dx, dw, db = conv2d_backward(dy, x, self.params["w"], stride=self.stride,
                                     padding=self.padding)
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
        return dy @ w.astype(dy.dtype, copy=False)


class Activation(Layer):
    """An elementwise activation as a layer: ``y = f(x)``, ``dx = dy * f'(x)``.

    Parameters
    ----------
    name : str or cnnedu.activations.Activation
        One of :data:`cnnedu.activations.NAMES` (``"relu"``, ``"tanh"``, ...).
    **params
        E.g. ``alpha`` for ``"leaky_relu"``.

    >>> act = Activation("leaky_relu", alpha=0.1)
    >>> act, act.forward(np.array([[-1.0, 2.0]]))
    (Activation('leaky_relu', alpha=0.1), array([[-0.1,  2. ]]))
    """

    def __init__(self, name="relu", **params):
        super().__init__()
        self.activation = _activations._resolve(name, params, "Activation")

    def __repr__(self) -> str:
        return repr(self.activation)

    def _forward(self, x):
        x = as_float_array(x, "x", repr(self))
        y = self.activation.forward(x)
        return y, (x, y.shape)

    def _backward(self, dy, cache):
        x, _ = cache
        return dy * self.activation.grad(x)


class Flatten(Layer):
    """Reshape ``(N, C, H, W)`` (or any ``(N, ...)``) to ``(N, C*H*W)``; backward reshapes back.

    >>> Flatten().forward(np.zeros((2, 3, 4, 4))).shape
    (2, 48)
    """

    def __repr__(self) -> str:
        return "Flatten()"

    def _forward(self, x):
        x = as_float_array(x, "x", repr(self))
        if x.ndim < 2:
            raise self._bad_input(x, "(N, ...) with at least 2 axes")
        # a copy, not a view: changing y must not change x (nor the gradient check's x)
        y = x.reshape(x.shape[0], -1).copy()
        return y, (x.shape, y.shape)

    def _backward(self, dy, cache):
        return dy.reshape(cache[0])


class MaxPool2D(Layer):
    r"""Max pooling over ``size x size`` windows taken every ``stride`` pixels (no padding).

    Parameters
    ----------
    size : int or (int, int)
        Window ``(kh, kw)``.
    stride : int or (int, int), optional
        Step between windows; default ``size`` (non-overlapping windows).

    Notes
    -----
    ``x`` ``(N, C, H, W)`` gives ``y`` ``(N, C, H_out, W_out)``,
    ``H_out = (H - kh) // stride + 1``; rows and columns that no window reaches are
    ignored (their gradient is 0).

    .. math::

        y[n, c, i, j] = \max_{u, v}\; x[n, c, i s + u, j s + v]

    The gradient of each output goes to **one** input: the first maximum of its window
    in row-major order (as PyTorch does), so ties do not split or duplicate it. Where
    windows overlap, an input that is the maximum of several windows collects the sum of
    their gradients.

    >>> pool = MaxPool2D(2)
    >>> x = np.array([[[[1.0, 1.0, 0.0, 2.0],
    ...                 [0.0, 1.0, 3.0, 0.0]]]])
    >>> pool.forward(x)
    array([[[[1., 3.]]]])
    >>> pool.backward(np.ones((1, 1, 1, 2)))
    array([[[[1., 0., 0., 0.],
             [0., 0., 1., 0.]]]])
    """

    def __init__(self, size=2, stride=None):
        super().__init__()
        self.size = pair(size, "size", "MaxPool2D")
        self.stride = self.size if stride is None else pair(stride, "stride", "MaxPool2D")

    def __repr__(self) -> str:
        def one(p):
            return p[0] if p[0] == p[1] else p
        return f"MaxPool2D(size={one(self.size)}, stride={one(self.stride)})"

    def _forward(self, x):
        x = as_float_array(x, "x", repr(self))
        (kh, kw), (sh, sw) = self.size, self.stride
        if x.ndim != 4:
            raise self._bad_input(x, "(N, C, H, W)")
        N, C, H, W = x.shape
        if H < kh or W < kw:
            raise ValueError(f"{self!r}: the window {self.size} is larger than the input "
                             f"(H, W) = {(H, W)}")
        Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
        if (sh, sw) == (kh, kw):
            # Non-overlapping windows, pooled in two passes over long strided views
            # (fast): first the max of each group of kw columns, then of kh rows of those.
            # Each pass keeps the first maximum, so together they pick the first in
            # row-major order. Rows and columns that no window reaches are cropped.
            xc = np.ascontiguousarray(x[:, :, :Ho * kh, :Wo * kw])
            cols = xc.reshape(-1, kw)
            row_max, col_arg = _first_max([cols[:, v] for v in range(kw)])
            rows = row_max.reshape(N * C * Ho, kh, Wo)
            y, row_arg = _first_max([rows[:, u, :] for u in range(kh)])
            return y.reshape(N, C, Ho, Wo), (x.shape, x.dtype, (col_arg, row_arg), (N, C, Ho, Wo))
        # overlapping windows: all windows as a (N, C, Ho, Wo, kh*kw) copy, then argmax
        xw = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
        xw = xw.reshape(N, C, Ho, Wo, kh * kw)
        arg = xw.argmax(axis=-1)  # first maximum in row-major (u, v) order
        y = np.take_along_axis(xw, arg[..., None], axis=-1)[..., 0]
        return y, (x.shape, x.dtype, arg, y.shape)

    def _backward(self, dy, cache):
        shape, dtype, arg, _ = cache
        N, C, H, W = shape
        (kh, kw), (sh, sw) = self.size, self.stride
        dy = dy.astype(dtype, copy=False)
        if (sh, sw) == (kh, kw):
            col_arg, row_arg = arg
            Ho, Wo = dy.shape[2:]
            # undo the row pass, then the column pass: each value goes to its winner
            d_rows = np.empty((N * C * Ho, kh, Wo), dtype=dtype)
            dyr = dy.reshape(N * C * Ho, Wo)
            for u in range(kh):
                np.multiply(dyr, row_arg == u, out=d_rows[:, u, :])
            d_row_max = d_rows.reshape(-1)
            d_cols = np.empty((d_row_max.size, kw), dtype=dtype)
            for v in range(kw):
                np.multiply(d_row_max, col_arg == v, out=d_cols[:, v])
            dx = d_cols.reshape(N, C, Ho * kh, Wo * kw)
            if (Ho * kh, Wo * kw) == (H, W):
                return dx
            full = np.zeros(shape, dtype=dtype)
            full[:, :, :Ho * kh, :Wo * kw] = dx
            return full
        # overlapping windows: add each gradient at its input position (np.bincount sums)
        Ho, Wo = arg.shape[2:]
        rows = np.arange(Ho)[:, None] * sh + arg // kw
        cols = np.arange(Wo)[None, :] * sw + arg % kw
        plane = (np.arange(N * C) * (H * W)).reshape(N, C, 1, 1)
        flat = (plane + rows * W + cols).ravel()
        dx = np.bincount(flat, weights=dy.ravel(), minlength=N * C * H * W)
        return dx.astype(dtype, copy=False).reshape(shape)


def _first_max(candidates):
    """Elementwise max over a list of same-shape arrays, and the index of the first maximum.

    Returns ``(m, idx)``; ``idx`` is ``uint8`` (``intp`` for more than 255 candidates).
    Later candidates win only when strictly greater, so ties go to the first.
    """
    m = np.array(candidates[0])
    itype = np.dtype(np.uint8 if len(candidates) < 256 else np.intp)
    idx = np.zeros(m.shape, dtype=itype)
    for t, c in enumerate(candidates[1:], start=1):
        better = c > m
        # (np.where is much faster than idx[better] = t on random masks)
        idx = better.astype(itype) if t == 1 else np.where(better, itype.type(t), idx)
        np.maximum(m, c, out=m)
    return m, idx


class Sequential(Layer):
    """Layers applied one after another; backward runs them in reverse.

    ``Sequential(a, b, c)`` or ``Sequential([a, b, c])``. Parameters are named
    ``"<index>.<name>"`` (``"0.w"``, ``"0.b"``, ``"4.w"``, ...) in ``params`` and ``grads``.

    >>> model = Sequential(Flatten(), Dense(4, 2, rng=0))
    >>> list(model.params), len(model), model.n_params
    (['1.w', '1.b'], 2, 10)
    >>> model.predict(np.zeros((3, 1, 2, 2))).shape
    (3,)
    """

    def __init__(self, *layers):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential: layer {i} must be a cnnedu layer (Conv2D, Dense, "
                                f"...); got {describe(layer)}")
        self.layers = list(layers)

    def __repr__(self) -> str:
        body = "".join(f"  ({i}): {layer!r}\n" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{body})"

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def __iter__(self):
        return iter(self.layers)

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": p for i, layer in enumerate(self.layers)
                for k, p in layer.params.items()}

    @params.setter
    def params(self, value):  # Layer.__init__ assigns {}; the real dict is computed
        pass

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": g for i, layer in enumerate(self.layers)
                for k, g in layer.grads.items()}

    @grads.setter
    def grads(self, value):
        pass

    def parameters(self):
        return [(f"{i}.{k}", p, g) for i, layer in enumerate(self.layers)
                for k, p, g in layer.parameters()]

    def zero_grad(self) -> None:
        for layer in self.layers:
            layer.zero_grad()

    def astype(self, dtype):
        for layer in self.layers:
            layer.astype(dtype)
        return self

    def forward(self, x) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    __call__ = forward

    def backward(self, dy) -> np.ndarray:
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        return dy

    def predict(self, x, batch_size: int | None = None) -> np.ndarray:
        """The class with the largest score for each sample, shape ``(N,)`` int64."""
        return self.predict_scores(x, batch_size).argmax(axis=1)

    def predict_scores(self, x, batch_size: int | None = None) -> np.ndarray:
        """The model's output for ``x``, computed in batches (``None``: all at once)."""
        x = as_float_array(x, "x", "Sequential.predict")
        if batch_size is None or batch_size >= len(x):
            return self.forward(x)
        return np.concatenate([self.forward(x[i:i + batch_size])
                               for i in range(0, len(x), batch_size)])

    def summary(self, input_shape) -> str:
        """A table of each layer's output shape and parameter count for one input of
        shape ``input_shape`` (without the batch axis).

        >>> print(Sequential(Conv2D(1, 4, 3, rng=0), Flatten()).summary((1, 8, 8)))
        layer                                       output shape  params
        Conv2D(C=1, F=4, k=3, stride=1, padding=0)  (4, 6, 6)         40
        Flatten()                                   (144,)             0
        total                                                         40
        """
        x = np.zeros((1, *input_shape))
        rows = []
        for layer in self.layers:
            x = layer.forward(x)
            rows.append((repr(layer), str(x.shape[1:]), layer.n_params))
            layer._cache = None
        w1 = max(len("layer"), *(len(r[0]) for r in rows)) + 2
        w2 = max(len("output shape"), *(len(r[1]) for r in rows)) + 2
        lines = [f"{'layer':{w1}s}{'output shape':{w2}s}{'params':>6s}"]
        lines += [f"{a:{w1}s}{b:{w2}s}{c:6d}" for a, b, c in rows]
        lines.append(f"{'total':{w1 + w2}s}{self.n_params:6d}")
        return "\n".join(lines)

    def _forward(self, x):  # not used: forward is overridden
        raise NotImplementedError

    def _backward(self, dy, cache):
        raise NotImplementedError
