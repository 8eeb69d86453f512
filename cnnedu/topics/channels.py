r"""A conv layer's forward pass taken apart: channels, the sum over them, the bias, the activation.

A conv layer with weights ``w`` (F, C, kh, kw) and bias ``b`` (F,) maps ``x`` (N, C, H, W)
to ``y`` (N, F, H_out, W_out) in three steps:

1. **convolve**: each filter ``w[f]`` (C, kh, kw) spans *all* input channels; its output
   at a position is the dot product of the (C, kh, kw) window with the filter, which is the
   sum over channels of each channel slice's own 2-D response:

   .. math::

       z[n, f] = \sum_{c} \mathrm{corr}(x[n, c], w[f, c])

2. **add the bias**: one number ``b[f]`` per filter, broadcast over the whole map;
3. **activate**: the activation is applied to every element of the map.

:func:`forward_steps` returns the three arrays of a whole layer; :func:`decompose` returns
one filter's pieces (each channel slice's response, their sum, the bias, the activated
map), which the channel explorer draws. Everything is computed with
:func:`cnnedu.nn.conv.conv2d` (tests compare with the loops of :mod:`cnnedu.nn.conv.naive`).

:func:`dense_at_every_pixel` applies a :class:`cnnedu.nn.layers.Dense` layer to the channel
vector of every pixel: the same numbers as a 1x1 convolution.

:func:`filter_bank` gives the 20 filters of the worked example (20 filters on a 3-channel
photograph): 12 hand-made (edges, a spot, brightness, colour-opponent and colour
detectors) and 8 random ones drawn with a fixed seed.

>>> x = np.ones((1, 2, 4, 4))
>>> w = np.ones((3, 2, 3, 3))
>>> steps = forward_steps(x, w, np.array([1.0, -20.0, 0.0]))
>>> print("\n".join(steps.shape_lines()))
x        (N, C, H, W)         = (1, 2, 4, 4)
w        (F, C, kh, kw)       = (3, 2, 3, 3)
z = x⋆w  (N, F, H_out, W_out) = (1, 3, 2, 2)
z + b    (N, F, H_out, W_out) = (1, 3, 2, 2)   b (F,) = (3,) as (1, F, 1, 1)
relu     (N, F, H_out, W_out) = (1, 3, 2, 2)
>>> steps.activated[0, :, 0, 0]
array([19.,  0., 18.])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnedu.nn import activations as _act
from cnnedu._validate import as_float_array, check_ndim, describe
from cnnedu.nn.conv import conv2d

__all__ = [
    "add_bias",
    "ForwardSteps",
    "forward_steps",
    "ChannelDecomposition",
    "decompose",
    "dense_at_every_pixel",
    "FilterBank",
    "filter_bank",
    "BANK_KERNEL",
]


def add_bias(z, b) -> np.ndarray:
    """Add one bias per output channel, broadcast over the map: ``z + b[None, :, None, None]``.

    Parameters
    ----------
    z : ndarray, shape (N, F, H_out, W_out)
    b : ndarray, shape (F,)

    Returns
    -------
    ndarray, shape (N, F, H_out, W_out)

    >>> add_bias(np.zeros((1, 2, 2, 2)), np.array([1.0, -3.0]))[0]
    array([[[ 1.,  1.],
            [ 1.,  1.]],
    <BLANKLINE>
           [[-3., -3.],
            [-3., -3.]]])
    """
    z = as_float_array(z, "z", "add_bias")
    check_ndim(z, 4, "z", "add_bias", "(N, F, H_out, W_out)")
    b = as_float_array(b, "b", "add_bias")
    if b.ndim != 1 or b.shape[0] != z.shape[1]:
        raise ValueError(f"add_bias: b must have shape (F,) = ({z.shape[1]},), one bias per "
                         f"channel of z {z.shape}; got {describe(b)}")
    return z + b.astype(z.dtype, copy=False).reshape(1, -1, 1, 1)


@dataclass
class ForwardSteps:
    """The three steps of a conv layer's forward pass (see :func:`forward_steps`)."""

    x: np.ndarray
    w: np.ndarray
    b: np.ndarray
    z: np.ndarray          # convolution only, (N, F, H_out, W_out)
    pre: np.ndarray        # z + b
    activated: np.ndarray  # activation(z + b)
    activation: str

    def shape_lines(self) -> list[str]:
        """One line per step with the shape of what it produces."""
        out = "(N, F, H_out, W_out)"
        return [
            f"x        (N, C, H, W)         = {self.x.shape}",
            f"w        (F, C, kh, kw)       = {self.w.shape}",
            f"z = x⋆w  {out} = {self.z.shape}",
            f"z + b    {out} = {self.pre.shape}   b (F,) = {self.b.shape} as (1, F, 1, 1)",
            f"{self.activation:<8} {out} = {self.activated.shape}",
        ]


def forward_steps(x, w, b, *, activation: str = "relu", stride=1, padding=0,
                  dilation=1) -> ForwardSteps:
    """A conv layer's forward pass, keeping each step: convolve, add the bias, activate.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (F, C, kh, kw)
    b : ndarray, shape (F,)
    activation : str
        A name from :data:`cnnedu.nn.activations.NAMES` (``"relu"``, ``"identity"``, ...).
    stride, padding, dilation : int or (int, int)
        As in :func:`cnnedu.nn.conv.conv2d`.

    Returns
    -------
    ForwardSteps
        ``z = conv2d(x, w)``, ``pre = z + b`` (broadcast), ``activated = f(pre)``.
    """
    act = _act.get(activation)
    x = as_float_array(x, "x", "forward_steps")
    w = as_float_array(w, "w", "forward_steps")
    z = conv2d(x, w, stride=stride, padding=padding, dilation=dilation)
    pre = add_bias(z, b)
    return ForwardSteps(x, w, as_float_array(b, "b", "forward_steps"), z, pre,
                        act.forward(pre), act.name)


@dataclass
class ChannelDecomposition:
    """One filter's output taken apart channel by channel (see :func:`decompose`).

    Attributes
    ----------
    inputs : ndarray, shape (C, H, W)
        The input channels of image ``n``.
    slices : ndarray, shape (C, kh, kw)
        The filter's slice for each input channel, ``w[f, c]``.
    responses : ndarray, shape (C, H_out, W_out)
        Each slice correlated with its own channel.
    total : ndarray, shape (H_out, W_out)
        ``responses.sum(axis=0)``: the convolution of the whole filter.
    bias : float
        ``b[f]``.
    pre : ndarray, shape (H_out, W_out)
        ``total + bias``.
    activated : ndarray, shape (H_out, W_out)
        The activation applied to every element of ``pre``: the feature map.
    activation : str
    """

    inputs: np.ndarray
    slices: np.ndarray
    responses: np.ndarray
    total: np.ndarray
    bias: float
    pre: np.ndarray
    activated: np.ndarray
    activation: str


def decompose(x, w, b, f: int, *, n: int = 0, activation: str = "relu", bias=None,
              stride=1, padding=0, dilation=1) -> ChannelDecomposition:
    """Take filter ``f``'s feature map apart: per-channel responses, their sum, bias, activation.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (F, C, kh, kw)
    b : ndarray, shape (F,)
    f : int
        Which filter (0 <= f < F).
    n : int
        Which image of the batch.
    activation : str
        A name from :data:`cnnedu.nn.activations.NAMES`.
    bias : float, optional
        Use this bias instead of ``b[f]`` (to see what the bias does).
    stride, padding, dilation
        As in :func:`cnnedu.nn.conv.conv2d`.

    Returns
    -------
    ChannelDecomposition
        ``total + bias`` equals ``conv2d(x, w, b)[n, f]`` (tests check it).

    Examples
    --------
    >>> x = np.arange(2 * 9.0).reshape(1, 2, 3, 3)
    >>> w = np.ones((1, 2, 2, 2))
    >>> d = decompose(x, w, np.array([-30.0]), 0)
    >>> d.responses[:, 0, 0], float(d.total[0, 0]), d.bias, float(d.activated[0, 0])
    (array([ 8., 44.]), 52.0, -30.0, 22.0)
    """
    func = "decompose"
    act = _act.get(activation)
    x = as_float_array(x, "x", func)
    w = as_float_array(w, "w", func)
    check_ndim(x, 4, "x", func, "(N, C, H, W)")
    check_ndim(w, 4, "w", func, "(F, C, kh, kw)")
    F, C = w.shape[:2]
    if x.shape[1] != C:
        raise ValueError(f"{func}: x {x.shape} has C={x.shape[1]} channels but w {w.shape} "
                         f"has C={C}")
    for name, value, limit in (("f", f, F), ("n", n, x.shape[0])):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
                or not 0 <= value < limit:
            raise ValueError(f"{func}: {name} must be an integer in 0..{limit - 1}; got {value!r}")
    b = as_float_array(b, "b", func)
    if b.shape != (F,):
        raise ValueError(f"{func}: b must have shape (F,) = ({F},); got {describe(b)}")
    if bias is None:
        bias = float(b[f])
    else:
        bias = float(bias)
        if not np.isfinite(bias):
            raise ValueError(f"{func}: bias must be a finite number; got {bias!r}")
    # each channel slice on its own channel: C single-channel convolutions
    responses = np.stack([
        conv2d(x[n:n + 1, c:c + 1], w[f:f + 1, c:c + 1], stride=stride, padding=padding,
               dilation=dilation)[0, 0]
        for c in range(C)])
    total = responses.sum(axis=0)
    pre = total + bias
    return ChannelDecomposition(x[n].copy(), w[f].copy(), responses, total, bias, pre,
                                act.forward(pre), act.name)


def dense_at_every_pixel(x, weight, bias=None) -> np.ndarray:
    """Apply one dense layer to the channel vector of every pixel (what a 1x1 conv does).

    Each pixel ``x[n, :, i, j]`` (a vector of C numbers) goes through a
    :class:`cnnedu.nn.layers.Dense` layer with ``weight`` (F, C) and ``bias`` (F,), giving the
    F numbers ``y[n, :, i, j]``.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    weight : ndarray, shape (F, C)
    bias : ndarray, shape (F,), optional

    Returns
    -------
    ndarray, shape (N, F, H, W)
        Equal to ``conv2d(x, weight[:, :, None, None], bias)``.

    >>> x = np.arange(8.0).reshape(1, 2, 2, 2)
    >>> dense_at_every_pixel(x, np.array([[1.0, 1.0], [1.0, -1.0]]))[0, :, 0, 0]
    array([ 4., -4.])
    """
    from cnnedu.nn.layers import Dense

    func = "dense_at_every_pixel"
    x = as_float_array(x, "x", func)
    check_ndim(x, 4, "x", func, "(N, C, H, W)")
    weight = as_float_array(weight, "weight", func)
    check_ndim(weight, 2, "weight", func, "(F, C)")
    N, C, H, W = x.shape
    F = weight.shape[0]
    if weight.shape[1] != C:
        raise ValueError(f"{func}: weight must have shape (F, C) with C={C} (the channels of "
                         f"x {x.shape}); got {describe(weight)}")
    dense = Dense(C, F, bias=bias is not None, rng=0, dtype=x.dtype)
    dense.params["w"][...] = weight
    if bias is not None:
        bias = as_float_array(bias, "bias", func)
        if bias.shape != (F,):
            raise ValueError(f"{func}: bias must have shape (F,) = ({F},); got {describe(bias)}")
        dense.params["b"][...] = bias
    pixels = x.transpose(0, 2, 3, 1).reshape(N * H * W, C)   # one row per pixel
    out = dense.forward(pixels)                                # (N*H*W, F)
    return out.reshape(N, H, W, F).transpose(0, 3, 1, 2)


# ------------------------------------------------------------------------- the 20 filters

BANK_KERNEL = 3
_SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 4
_DIAG = np.array([[0.0, 1.0, 2.0], [-1.0, 0.0, 1.0], [-2.0, -1.0, 0.0]]) / 4
_SPOT = np.array([[-1.0, -1.0, -1.0], [-1.0, 8.0, -1.0], [-1.0, -1.0, -1.0]]) / 4
_BOX = np.ones((3, 3)) / 9


@dataclass(frozen=True)
class FilterBank:
    """Weights ``w`` (F, C, kh, kw), biases ``b`` (F,), and a short name for each filter."""

    w: np.ndarray
    b: np.ndarray
    names: tuple[str, ...]


def _grey(kernel):
    """The same 2-D kernel on R, G and B (a filter that sees brightness only)."""
    return np.stack([kernel / 3] * 3)


def _colour(weights, kernel=_BOX):
    return np.stack([c * kernel for c in weights])


def filter_bank(seed: int = 2) -> FilterBank:
    """The 20 filters of the worked example, for a 3-channel (RGB) image in [0, 1].

    Filters 0-11 are hand-made: grey edge detectors (vertical, horizontal, two diagonals;
    the same slice on each channel), a spot detector, a brightness (blur) filter, two
    colour-opponent filters (red vs green, yellow vs blue), red/green/blue detectors and a
    red-channel-only vertical edge. Filters 12-19 are random, drawn from
    ``N(0, 1/27)`` (He-like for 27 inputs) with ``np.random.default_rng(seed)``; their
    biases are uniform in [-0.1, 0.1] from the same generator.

    Returns
    -------
    FilterBank
        ``w`` shape (20, 3, 3, 3), ``b`` shape (20,), ``names`` (20 strings).

    >>> bank = filter_bank()
    >>> bank.w.shape, bank.b.shape, bank.names[0], bank.names[-1]
    ((20, 3, 3, 3), (20,), 'vertical edge', 'random 8')
    """
    hand = [
        ("vertical edge", _grey(_SOBEL_X), -0.02),
        ("horizontal edge", _grey(_SOBEL_X.T), -0.02),
        ("diagonal edge", _grey(_DIAG), -0.02),
        ("anti-diagonal edge", _grey(_DIAG[:, ::-1]), -0.02),
        ("spot", _grey(_SPOT), -0.02),
        ("brightness", _grey(_BOX * 3), -0.5),
        ("red vs green", _colour([1.0, -1.0, 0.0]), 0.0),
        ("yellow vs blue", _colour([0.5, 0.5, -1.0]), 0.0),
        ("red", _colour([1.0, -0.5, -0.5]), -0.02),
        ("green", _colour([-0.5, 1.0, -0.5]), -0.02),
        ("blue", _colour([-0.5, -0.5, 1.0]), -0.02),
        ("red vertical edge", np.stack([_SOBEL_X, 0 * _SOBEL_X, 0 * _SOBEL_X]), -0.02),
    ]
    rng = np.random.default_rng(seed)
    n_random = 20 - len(hand)
    w_rand = rng.normal(0.0, np.sqrt(1.0 / 27), size=(n_random, 3, 3, 3))
    b_rand = rng.uniform(-0.1, 0.1, size=n_random)
    w = np.concatenate([np.stack([h[1] for h in hand]), w_rand])
    b = np.concatenate([[h[2] for h in hand], b_rand])
    names = tuple(h[0] for h in hand) + tuple(f"random {i + 1}" for i in range(n_random))
    return FilterBank(w, b, names)
