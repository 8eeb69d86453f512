r"""Scale through depth: how the spread of activations and gradients changes layer by layer.

A deep stack of ``depth`` conv layers (``channels`` filters of ``k x k`` on ``channels``
input channels, stride 1, "same" padding so the maps keep their size) is started with an
initializer from :mod:`cnnedu.nn.init` and run on a real photograph. :func:`depth_profile`
records, for every layer :math:`l`,

- the forward std: :math:`\operatorname{std}(h_l)`, where :math:`z_l = w_l * h_{l-1} + b_l`
  and :math:`h_l = f(z_l)`;
- the backward std: :math:`\operatorname{std}(\partial L / \partial h_l)`, starting from a
  seeded standard-normal gradient at the top (:math:`\partial L / \partial h_L`) and
  going down through every activation and conv layer (the ``dx`` of
  :func:`cnnedu.nn.conv.conv2d_backward`, computed as a conv with the rotated kernel);
- the signal std: :math:`\operatorname{std}(h_l(x) - h_l(0))`, the part of the
  activations that the input causes. Without biases it equals the forward std; with
  biases (PyTorch's default draws them) the stack has an output even for a black input,
  and this separates what is left of the picture from what the biases add.

The input (:func:`stack_input`) is the shipped astronaut photograph with each colour
channel standardized (mean 0, std 1), turned into ``channels`` channels by a fixed 1x1
conv layer (an orthogonal, seeded weight) and rescaled to std 1, so every curve starts from
the same real image at std 1.

>>> p = depth_profile("he_normal", "relu", depth=20, channels=8, size=32)
>>> p.forward_std.shape, p.backward_std.shape
((20,), (20,))
>>> bool(1e-2 < p.forward_std[-1] < 1e2)
True
>>> q = depth_profile("normal", "relu", depth=20, channels=8, size=32, init_options={"std": 0.01})
>>> bool(q.forward_std[-1] < 1e-12)
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import numpy as np

from cnnedu.nn import activations as _act
from cnnedu.nn import init as _init
from cnnedu._validate import as_float_array, check_choice, describe, integer
from cnnedu.nn.conv import conv2d, rot180
from cnnedu.data import load_color_image

__all__ = ["ACTIVATIONS", "DepthProfile", "stack_input", "init_stack", "depth_profile",
           "window_norm_ratio", "UNDERFLOW_STD"]

ACTIVATIONS: tuple[str, ...] = ("relu", "tanh", "leaky_relu", "identity")
"""The activations the depth study offers (see :mod:`cnnedu.nn.activations`)."""

UNDERFLOW_STD = {"float32": 1e-30}
"""Below this std a float32 run stops: its values would soon be subnormal (under 1.2e-38)."""

_MAX_DEPTH = 200
_MAX_CHANNELS = 64


def stack_input(channels: int = 8, *, size: int = 64, image: str = "astronaut",
                seed: int = 0) -> np.ndarray:
    r"""A real photograph as a ``(1, channels, size, size)`` input of std 1.

    Parameters
    ----------
    channels : int
        ``C`` of the stack.
    size : int
        A divisor of 256 (see :func:`cnnedu.data.load_image`).
    image : str
        A colour photograph of :mod:`cnnedu.data` (``"astronaut"`` or ``"chelsea"``).
    seed : int
        Seed of the fixed 1x1 mixing layer.

    Returns
    -------
    x : ndarray, shape (1, channels, size, size)
        Mean about 0, std exactly 1.

    Notes
    -----
    .. math::

        \tilde r, \tilde g, \tilde b = \text{each channel standardized}, \qquad
        x = \frac{m * [\tilde r, \tilde g, \tilde b]}{\operatorname{std}(\cdot)}

    with :math:`m` an orthogonal ``(channels, 3, 1, 1)`` weight
    (:func:`cnnedu.nn.init.orthogonal`, seeded): a fixed first layer that only mixes colours.

    >>> x = stack_input(4, size=32)
    >>> x.shape, round(float(x.std()), 6)
    ((1, 4, 32, 32), 1.0)
    """
    func = "stack_input"
    channels = integer(channels, "channels", func, minimum=1, maximum=_MAX_CHANNELS)
    photo = load_color_image(image, size=size)
    photo = (photo - photo.mean(axis=(1, 2), keepdims=True)) / photo.std(axis=(1, 2), keepdims=True)
    mix = _init.orthogonal((channels, 3, 1, 1), np.random.default_rng(seed))
    x = conv2d(photo[None], mix)
    return x / x.std()


_photo = lru_cache(maxsize=8)(stack_input)    # depth_profile's default input, made once


def init_stack(init: str, *, depth: int = 20, channels: int = 8, kernel_size: int = 3,
               seed: int = 0, bias: str = "zeros", init_options: Optional[dict] = None):
    r"""Draw the weights and biases of the stack: ``depth`` pairs ``(w, b)``.

    Parameters
    ----------
    init : str
        A name of :data:`cnnedu.nn.init.NAMES`.
    depth, channels, kernel_size : int
        ``w`` has shape ``(channels, channels, kernel_size, kernel_size)``.
    seed : int
        One generator, seeded once, draws every layer in order.
    bias : ``"zeros"`` or ``"default"``
        ``"zeros"``: every bias 0 (the depth study isolates the weights). ``"default"``:
        the bias that goes with ``init`` (:func:`cnnedu.nn.init.init_bias`; PyTorch's
        default draws it, every other scheme starts it at 0).
    init_options : dict, optional
        Keywords for the initializer, e.g. ``{"std": 0.01}`` for ``"normal"``.

    Returns
    -------
    layers : list of (w, b), w of shape (channels, channels, k, k), b of shape (channels,)

    >>> layers = init_stack("pytorch_default", depth=3, channels=2, bias="default")
    >>> len(layers), layers[0][0].shape, layers[0][1].shape
    (3, (2, 2, 3, 3), (2,))
    """
    func = "init_stack"
    check_choice(init, _init.NAMES, "init", func)
    check_choice(bias, ("zeros", "default"), "bias", func)
    depth = integer(depth, "depth", func, minimum=1, maximum=_MAX_DEPTH)
    channels = integer(channels, "channels", func, minimum=1, maximum=_MAX_CHANNELS)
    k = integer(kernel_size, "kernel_size", func, minimum=1, maximum=15)
    if k % 2 == 0:
        raise ValueError(f"{func}: kernel_size must be odd (so 'same' padding keeps the size); "
                         f"got {k}")
    opts = dict(init_options or {})
    rng = np.random.default_rng(seed)
    f = _init.get(init)
    shape = (channels, channels, k, k)
    fan_in = _init.fans(shape)[0]
    layers = []
    for _ in range(depth):
        w = f(shape, rng, **opts)
        b = (_init.init_bias(init, channels, fan_in, rng) if bias == "default"
             else np.zeros(channels))
        layers.append((w, b))
    return layers


@dataclass
class DepthProfile:
    """What :func:`depth_profile` measured, one value per layer (index 0 = layer 1).

    Attributes
    ----------
    init, activation : str
    forward_std : ndarray, shape (depth,)
        std of the activations :math:`h_l`.
    backward_std : ndarray, shape (depth,)
        std of :math:`\\partial L / \\partial h_l` (layer ``depth`` gets the seeded
        standard-normal gradient, so its value is about 1).
    signal_std : ndarray, shape (depth,)
        std of :math:`h_l(x) - h_l(0)`: what the input changes (the same stack run on
        an all-zero input gives :math:`h_l(0)`).
    input_std : float
    kept_layer : int or None
        The layer (1-based) whose arrays are kept in ``activations`` / ``gradients``.
    activations, gradients : ndarray or None
        :math:`h_l` and :math:`\\partial L / \\partial h_l` at ``kept_layer``.
    overflow_layer : int or None
        The first layer where a value overflowed to inf (later values are NaN).
    underflow_layer : int or None
        In a float32 run: the first layer whose std fell below :data:`UNDERFLOW_STD`
        (the run stopped there; later values are NaN).
    all_activations, all_gradients : list of ndarray or None
        With ``keep_all``: :math:`h_l` and :math:`\\partial L / \\partial h_l` of every
        layer (index 0 = layer 1), so a caller can show any layer without rerunning
        the stack (:meth:`layer_arrays`).
    """

    init: str
    activation: str
    forward_std: np.ndarray
    backward_std: np.ndarray
    signal_std: np.ndarray
    input_std: float
    kept_layer: Optional[int] = None
    activations: Optional[np.ndarray] = field(default=None, repr=False)
    gradients: Optional[np.ndarray] = field(default=None, repr=False)
    overflow_layer: Optional[int] = None
    all_activations: Optional[list] = field(default=None, repr=False)
    all_gradients: Optional[list] = field(default=None, repr=False)
    underflow_layer: Optional[int] = None

    @property
    def depth(self) -> int:
        return len(self.forward_std)

    def layer_arrays(self, layer: int):
        """``(h_l, dL/dh_l)`` of ``layer`` (1-based) from a profile run with ``keep_all``;
        an entry is None where the run stopped (overflow) before reaching it."""
        if self.all_activations is None:
            raise ValueError("layer_arrays: this profile was run without keep_all=True")
        layer = integer(layer, "layer", "layer_arrays", minimum=1, maximum=self.depth)
        return self.all_activations[layer - 1], self.all_gradients[layer - 1]


def _std(a: np.ndarray, out: Optional[np.ndarray] = None) -> float:
    """std in float64 (float32 squares overflow before the values); NaN if any is inf.
    ``a.std(dtype=np.float64)``'s steps without its Python overhead (the same float), the
    deviations in ``out`` (float64, the shape of ``a``) if given: one array for a stack."""
    n = np.intp(a.size)
    d = np.subtract(a, np.add.reduce(a, None, np.float64, keepdims=True) / n, out=out)
    v = math.sqrt(np.add.reduce(np.square(d, out=d), None, np.float64) / n)
    return v if math.isfinite(v) else math.nan


def depth_profile(init: str, activation: str = "relu", *, depth: int = 20, channels: int = 8,
                  kernel_size: int = 3, size: int = 64, x=None, seed: int = 0,
                  bias: str = "zeros", init_options: Optional[dict] = None,
                  keep_layer: Optional[int] = None, keep_all: bool = False,
                  dtype="float64") -> DepthProfile:
    r"""Run a deep conv stack forward and backward; return the per-layer stds.

    Parameters
    ----------
    init : str
        Weight initializer, a name of :data:`cnnedu.nn.init.NAMES`.
    activation : str
        One of :data:`ACTIVATIONS`.
    depth, channels, kernel_size : int
        The stack (see :func:`init_stack`); stride 1, padding ``kernel_size // 2``.
    size : int
        Side of the photograph when ``x`` is not given (see :func:`stack_input`).
    x : ndarray, shape (N, channels, H, W), optional
        The input; default ``stack_input(channels, size=size)``.
    seed : int
        Seeds the weights (and biases) and, with ``seed + 1``, the top gradient.
    bias, init_options
        See :func:`init_stack`.
    keep_layer : int, optional
        Keep :math:`h_l` and :math:`\partial L / \partial h_l` of this layer (1-based).
    keep_all : bool
        Keep them for every layer (``all_activations``, ``all_gradients``): the variance
        meter's "histogram at" slider then picks a layer without rerunning the stack.
    dtype : ``"float64"`` or ``"float32"``
        Weights are drawn in float64, then cast. float32 (the variance meter) halves the
        work; its range ends near 1e-38 and 3e38: a run stops where a std falls below
        :data:`UNDERFLOW_STD` (``underflow_layer``), before values turn subnormal.

    Returns
    -------
    DepthProfile

    Notes
    -----
    .. math::

        z_l = w_l * h_{l-1} + b_l, \quad h_l = f(z_l), \quad h_0 = x

        g_L \sim \mathcal N(0, 1), \quad
        \frac{\partial L}{\partial z_l} = g_l \odot f'(z_l), \quad
        g_{l-1} = \frac{\partial L}{\partial h_{l-1}} =
        \operatorname{conv2d}\Big(\frac{\partial L}{\partial z_l},\
        \operatorname{rot180}(w_l)^{\top}\Big)

    The last line is the ``dx`` of :func:`cnnedu.nn.conv.conv2d_backward` for stride 1 and
    "same" padding: a correlation with each kernel rotated by 180 degrees and its two
    channel axes swapped (``(F, C, k, k)`` becomes ``(C, F, k, k)``). It is computed with
    :func:`cnnedu.nn.conv.conv2d`, three times faster here than the general backward (the
    tests compare the two).

    Once a value overflows (a fixed large std in a very deep stack), the rest of the
    profile is NaN and ``overflow_layer`` says where it happened; nothing warns.
    """
    func = "depth_profile"
    check_choice(activation, ACTIVATIONS, "activation", func)
    name = np.dtype(dtype).name if isinstance(dtype, (type, np.dtype)) else dtype
    dtype = np.dtype(check_choice(name, ("float64", "float32"), "dtype", func))
    floor = UNDERFLOW_STD.get(dtype.name, 0.0)
    layers = init_stack(init, depth=depth, channels=channels, kernel_size=kernel_size,
                        seed=seed, bias=bias, init_options=init_options)
    depth = len(layers)
    if keep_layer is not None:
        keep_layer = integer(keep_layer, "keep_layer", func, minimum=1, maximum=depth)
    layers = [(w.astype(dtype, copy=False), b.astype(dtype, copy=False)) for w, b in layers]
    if x is None:       # one photograph per size, made once (read-only: the cache shares it)
        cached = type(channels) is int and type(size) is int and size <= 64
        x = (_photo if cached else stack_input)(channels, size=size)
        x.flags.writeable = False
    else:
        x = as_float_array(x, "x", func)
        if x.ndim != 4 or x.shape[1] != channels:
            raise ValueError(f"{func}: x must have shape (N, C, H, W) with C={channels}; "
                             f"got {describe(x)}")
    x = x.astype(dtype, copy=False)
    act = _act.get(activation)
    pad = kernel_size // 2
    fwd, signal, bwd = (np.full(depth, np.nan) for _ in range(3))
    overflow = underflow = kept_h = kept_g = None
    scratch = np.empty(x.shape, np.float64)     # _std's deviations, every layer
    all_g = [None] * depth
    hs, zs = [x], []
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        h = x
        for l, (w, b) in enumerate(layers):
            z = conv2d(h, w, b, padding=pad)
            h = act.forward(z)
            zs.append(z)
            hs.append(h)
            fwd[l] = _std(h, scratch)
            if math.isnan(fwd[l]) or fwd[l] < floor:     # inf or NaN: overflowed; else vanished
                overflow, underflow = (l + 1, None) if math.isnan(fwd[l]) else (None, l + 1)
                break
            if keep_layer == l + 1:
                kept_h = h.copy()
        if overflow is None and underflow is None:
            if bias != "zeros" and any(np.any(b != 0) for _, b in layers):
                h0 = np.zeros_like(x)
                for l, (w, b) in enumerate(layers):
                    h0 = act.forward(conv2d(h0, w, b, padding=pad))
                    signal[l] = _std(hs[l + 1] - h0, scratch)
            else:
                signal[:] = fwd
            g = np.random.default_rng(seed + 1).standard_normal(hs[-1].shape).astype(dtype)
            for l in range(depth - 1, -1, -1):
                bwd[l] = _std(g, scratch)
                if math.isnan(bwd[l]) or bwd[l] < floor:     # inf or NaN: overflowed; else vanished
                    overflow, underflow = (l + 1, None) if math.isnan(bwd[l]) else (None, l + 1)
                    break
                if keep_layer == l + 1:
                    kept_g = g.copy()
                if keep_all:
                    all_g[l] = g
                if l:           # below layer 1 is the photograph: no gradient to measure
                    g = conv2d(g * act.grad(zs[l]), _back_kernel(layers[l][0]), padding=pad)
    all_h = list(hs[1:]) + [None] * (depth - len(hs) + 1) if keep_all else None
    return DepthProfile(init, activation, fwd, bwd, signal, float(x.std()),
                        keep_layer, kept_h, kept_g, overflow,
                        all_h, all_g if keep_all else None, underflow)


def _back_kernel(w: np.ndarray) -> np.ndarray:
    """``rot180(w)`` with the channel axes swapped: (F, C, k, k) -> (C, F, k, k)."""
    return np.ascontiguousarray(rot180(w).transpose(1, 0, 2, 3))


def window_norm_ratio(x, w) -> np.ndarray:
    r"""For every window of ``x``: the norm of the layer's output there over the window's norm.

    A conv layer applies one matrix, ``w`` reshaped to ``(F, C*kh*kw)``, to every window
    (flattened to a vector :math:`p` of length ``C*kh*kw``). If that matrix has orthonormal
    columns (:func:`cnnedu.nn.init.orthogonal` with ``F >= C*kh*kw``), it keeps every
    window's norm: the ratio is 1 everywhere.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (F, C, kh, kw)

    Returns
    -------
    ratio : ndarray, shape (N, H_out, W_out)
        :math:`\lVert W p_{ij} \rVert / \lVert p_{ij} \rVert` (stride 1, no padding);
        NaN for an all-zero window (no length to keep).

    Notes
    -----
    .. math::

        \lVert W p \rVert^2 = \sum_f y[n, f, i, j]^2, \qquad
        \lVert p \rVert^2 = \left(x^2 * \mathbf 1_{C \times kh \times kw}\right)[n, i, j]

    >>> from cnnedu.nn.init import orthogonal
    >>> x = np.random.default_rng(0).standard_normal((1, 1, 6, 6))
    >>> r = window_norm_ratio(x, orthogonal((9, 1, 3, 3), np.random.default_rng(1)))
    >>> r.shape, bool(np.allclose(r, 1))
    ((1, 4, 4), True)
    """
    func = "window_norm_ratio"
    x = as_float_array(x, "x", func)
    w = as_float_array(w, "w", func)
    if x.ndim != 4:
        raise ValueError(f"{func}: x must have shape (N, C, H, W); got {describe(x)}")
    if w.ndim != 4 or w.shape[1] != x.shape[1]:
        raise ValueError(f"{func}: w must have shape (F, C, kh, kw) with C={x.shape[1]}; "
                         f"got {describe(w)}")
    y = conv2d(x, w)
    out_norm = np.sqrt((y ** 2).sum(axis=1))
    ones = np.ones((1, *w.shape[1:]))
    in_norm = np.sqrt(conv2d(x ** 2, ones)[:, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(in_norm > 0, out_norm / np.where(in_norm > 0, in_norm, 1.0), np.nan)
