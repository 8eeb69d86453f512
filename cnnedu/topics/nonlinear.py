r"""What a non-linearity buys a conv stack, and what it costs: runnable experiments.

- :func:`map_through`: a feature map before and after an activation (applied to every
  element, after the bias), with the fractions zeroed and saturated.
- The edge task (:func:`edge_patches`, :func:`edge_target`): detect vertical edges of
  *either* sign, :math:`|\operatorname{corr}(x, \text{Sobel}_x)|`. The absolute value is not
  linear, so no linear stack can learn it; with a ReLU, :math:`|z| = \max(z, 0) +
  \max(-z, 0)` is two units away.
- :func:`train_stack`: full-batch Adam on a small conv stack (mean squared error), with
  or without an activation between the layers; seeded and fast.
- :func:`dead_fraction`: the filters whose ReLU never opens on a batch.
- :func:`gradient_through_depth`: how big the weight gradient is at each layer of a deep
  stack, for each activation (sigmoid and tanh saturate, and the gradient vanishes).

>>> import numpy as np
>>> r = map_through(np.array([[0.0, 1.0], [2.0, 3.0]]), np.ones((1, 1)), -1.5, "relu")
>>> print(r.pre, r.post, r.zeroed, sep="\n")
[[-1.5 -0.5]
 [ 0.5  1.5]]
[[0.  0. ]
 [0.5 1.5]]
0.5
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnedu.nn import activations as _activations
from cnnedu import data as _data
from cnnedu.nn import init as _init
from cnnedu._validate import as_float_array, check_choice, check_ndim, integer, real
from cnnedu.nn.conv import conv2d, conv2d_backward, correlate2d

__all__ = [
    "SOBEL_X", "MapResult", "map_through",
    "edge_patches", "edge_target", "init_stack", "stack_forward", "stack_backward",
    "TrainResult", "train_stack", "dead_fraction",
    "DepthProfile", "gradient_through_depth",
]

SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
"""The Sobel kernel for vertical edges (responds to a left-to-right increase)."""


# ------------------------------------------------------------------- one feature map

@dataclass(frozen=True)
class MapResult:
    """A feature map before and after the activation.

    Attributes
    ----------
    pre : ndarray, shape (H_out, W_out)
        ``correlate2d(image, scale * kernel) + bias``.
    post : ndarray, shape (H_out, W_out)
        ``f(pre)``, element by element.
    zeroed : float
        Fraction of ``post`` that is exactly 0 (:func:`cnnedu.nn.activations.zeroed_fraction`).
    saturated : float
        Fraction where ``|f'(pre)|`` is below 1% of its largest value
        (:func:`cnnedu.nn.activations.saturation_fraction`).
    """

    pre: np.ndarray
    post: np.ndarray
    zeroed: float
    saturated: float


def map_through(image, kernel, bias: float, activation: str, *, scale: float = 1.0,
                **params) -> MapResult:
    r"""Filter ``image``, add the bias, then apply ``activation`` to every element.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (kh, kw)
    bias : float
    activation : str
        One of :data:`cnnedu.nn.activations.NAMES`; ``params`` go to
        :func:`cnnedu.nn.activations.get` (``alpha``).
    scale : float
        Multiplies the kernel (a larger filter gives larger pre-activations).

    Returns
    -------
    MapResult

    Notes
    -----
    .. math::

        z[i, j] = b + \sum_{u, v} s\,k[u, v]\, x[i + u, j + v], \qquad a[i, j] = f(z[i, j])

    The activation sees every element of the map: no element is skipped or pooled first.
    """
    func = "map_through"
    img = as_float_array(image, "image", func)
    check_ndim(img, 2, "image", func, "(H, W)")
    k = as_float_array(kernel, "kernel", func)
    check_ndim(k, 2, "kernel", func, "(kh, kw)")
    b = real(bias, "bias", func, expected="finite")
    s = real(scale, "scale", func)
    act = _activations.get(activation, **params)
    pre = correlate2d(img, s * k) + b
    return MapResult(pre, act.forward(pre), _activations.zeroed_fraction(act, pre),
                     _activations.saturation_fraction(act, pre))


# ------------------------------------------------------------------------ edge task

def edge_patches(n: int = 16, size: int = 20, *, image: str = "camera", seed: int = 0,
                 source_size: int = 128, centred: bool = True) -> np.ndarray:
    """Random square crops of a shipped grey photograph, shape (n, 1, size, size).

    Values in [-0.5, 0.5] (``centred``, the default: ReLUs then start half open) or in
    [0, 1]. Edges do not care: the Sobel kernel sums to 0.

    >>> edge_patches(4, 12, seed=1).shape
    (4, 1, 12, 12)
    """
    func = "edge_patches"
    n = integer(n, "n", func, minimum=1)
    size = integer(size, "size", func, minimum=3)
    src = _data.load_grey_image(image, size=source_size)
    if size > src.shape[0]:
        raise ValueError(f"{func}: size must be at most {src.shape[0]}; got {size}")
    rng = np.random.default_rng(seed)
    top = rng.integers(0, src.shape[0] - size + 1, size=n)
    left = rng.integers(0, src.shape[1] - size + 1, size=n)
    patches = np.stack([src[t:t + size, l:l + size] for t, l in zip(top, left)])[:, None]
    return patches - 0.5 if centred else patches


def edge_target(x, depth: int) -> np.ndarray:
    r"""Edges of either sign, :math:`|\operatorname{corr}(x, \text{Sobel}_x)|`, aligned
    with the output of ``depth`` stacked 3x3 valid conv layers.

    Parameters
    ----------
    x : ndarray, shape (N, 1, H, W)
    depth : int
        Number of 3x3 layers; the stack's output is (H - 2 depth, W - 2 depth) and the
        Sobel response is cropped to the same centred window.

    Returns
    -------
    target : ndarray, shape (N, 1, H - 2 depth, W - 2 depth)

    >>> x = np.zeros((1, 1, 8, 8)); x[..., 4:] = 1.0   # a step edge
    >>> edge_target(x, 2)[0, 0, 0]
    array([0., 4., 4., 0.])
    >>> edge_target(1.0 - x, 2)[0, 0, 0]                # the opposite edge: same answer
    array([0., 4., 4., 0.])
    """
    func = "edge_target"
    x = as_float_array(x, "x", func)
    check_ndim(x, 4, "x", func, "(N, 1, H, W)")
    depth = integer(depth, "depth", func, minimum=1)
    if x.shape[1] != 1 or x.shape[2] <= 2 * depth or x.shape[3] <= 2 * depth:
        raise ValueError(f"{func}: x must have shape (N, 1, H, W) with H, W > 2 * depth = "
                         f"{2 * depth}; got {x.shape}")
    r = np.abs(conv2d(x, SOBEL_X[None, None]))
    c = depth - 1
    return r[:, :, c:r.shape[2] - c, c:r.shape[3] - c]


# ----------------------------------------------------------------- a trainable stack

def init_stack(channels=(1, 4, 4, 1), *, kernel_size: int = 3, seed: int = 0,
               hidden_bias: float = 0.0, scheme: str = "he_normal"):
    """Weights for a conv stack: a list of ``(w, b)``, ``w`` of shape (F, C, k, k).

    Parameters
    ----------
    channels : sequence of int
        ``(C_0, F_1, F_2, ..., F_last)``.
    hidden_bias : float
        The starting bias of every layer but the last (a large negative value kills ReLUs).
    scheme : str
        A weight initializer of :mod:`cnnedu.nn.init` (``"he_normal"``, ``"glorot_normal"``, ...).

    >>> [w.shape for w, b in init_stack((1, 4, 1))]
    [(4, 1, 3, 3), (1, 4, 3, 3)]
    """
    func = "init_stack"
    if not isinstance(channels, (list, tuple)) or len(channels) < 2:
        raise ValueError(f"{func}: channels must list at least (C_in, F_out); got {channels!r}")
    chans = [integer(c, "channels", func, minimum=1) for c in channels]
    k = integer(kernel_size, "kernel_size", func, minimum=1)
    hb = real(hidden_bias, "hidden_bias", func)
    make = _init.get(scheme)
    rng = np.random.default_rng(seed)
    layers = []
    for i, (c, f) in enumerate(zip(chans[:-1], chans[1:])):
        b = np.full(f, hb if i < len(chans) - 2 else 0.0)
        layers.append((make((f, c, k, k), rng), b))
    return layers


def stack_forward(x, layers, activation: str = "relu", **params):
    """Run a conv stack (stride 1, valid) and keep what the backward pass needs.

    Returns ``y`` of shape (N, F_last, H_out, W_out) and a cache: the input of each layer
    and the pre-activations ``z`` of each hidden layer.
    """
    act = _activations.get(activation, **params)
    inputs, pres = [], []
    for i, (w, b) in enumerate(layers):
        inputs.append(x)
        x = conv2d(x, w, b)
        if i < len(layers) - 1:
            pres.append(x)
            x = act.forward(x)
    return x, (inputs, pres, act)


def stack_backward(dy, layers, cache):
    """Gradients ``[(dw, db), ...]`` of a stack from ``dy`` (the loss gradient at the output).

    Checked against central differences in the tests (``cnnedu.nn.gradcheck``).
    """
    inputs, pres, act = cache
    grads = [None] * len(layers)
    for i in range(len(layers) - 1, -1, -1):
        w, _ = layers[i]
        dx, dw, db = conv2d_backward(dy, inputs[i], w)
        grads[i] = (dw, db)
        if i:
            dy = dx * act.grad(pres[i - 1])
    return grads


def dead_fraction(pre) -> float:
    """Fraction of filters whose ReLU never opens: ``pre <= 0`` at every position of every
    image of the batch, so they output 0 and pass no gradient (a "dead ReLU").

    Parameters
    ----------
    pre : ndarray, shape (N, F, H, W)
        Pre-activations of one layer on a batch.

    >>> pre = np.array([[[[-1.0, 2.0]], [[-3.0, 0.0]]]])   # filter 1 never opens
    >>> dead_fraction(pre)
    0.5
    """
    z = as_float_array(pre, "pre", "dead_fraction")
    check_ndim(z, 4, "pre", "dead_fraction", "(N, F, H, W)")
    if z.shape[1] == 0:
        raise ValueError(f"dead_fraction: pre must have at least one filter; got {z.shape}")
    return float(np.mean(np.all(z <= 0, axis=(0, 2, 3))))


@dataclass
class TrainResult:
    """What :func:`train_stack` returns.

    Attributes
    ----------
    layers : list of (w, b)
        The trained weights (new arrays; the starting ones are untouched).
    losses : ndarray, shape (steps + 1,)
        Mean squared error before each step, and after the last.
    dead : ndarray, shape (steps + 1,)
        :func:`dead_fraction` over all hidden filters, at the same moments.
    """

    layers: list
    losses: np.ndarray
    dead: np.ndarray


def train_stack(x, target, layers, activation: str = "relu", *, steps: int = 300,
                lr: float = 0.01, **params) -> TrainResult:
    r"""Train a conv stack on ``(x, target)`` by full-batch Adam on the mean squared error.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    target : ndarray, shape of the stack's output
    layers : list of (w, b)
        The starting weights (e.g. :func:`init_stack`); copied, not changed.
    activation : str
        Between the layers: ``"identity"`` for a linear stack, ``"relu"``, ...
    steps : int
    lr : float
        Adam's step size (:math:`\beta_1 = 0.9, \beta_2 = 0.999, \epsilon = 10^{-8}`).

    Returns
    -------
    TrainResult

    Notes
    -----
    Deterministic: no random draw (full batch), so the same inputs give the same curve.
    """
    func = "train_stack"
    x = as_float_array(x, "x", func)
    check_ndim(x, 4, "x", func, "(N, C, H, W)")
    t = as_float_array(target, "target", func)
    steps = integer(steps, "steps", func, minimum=0)
    lr = real(lr, "lr", func, minimum=0)
    check_choice(activation, _activations.NAMES, "activation", func)
    params_ = [[np.array(w, dtype=np.float64), np.array(b, dtype=np.float64)]
               for w, b in layers]
    y, _ = stack_forward(x, params_, activation, **params)
    if y.shape != t.shape:
        raise ValueError(f"{func}: target must have the stack's output shape {y.shape}; "
                         f"got {t.shape}")
    m = [[np.zeros_like(p) for p in layer] for layer in params_]
    v = [[np.zeros_like(p) for p in layer] for layer in params_]
    losses, dead = [], []
    b1, b2, eps = 0.9, 0.999, 1e-8
    for step in range(steps + 1):
        y, cache = stack_forward(x, params_, activation, **params)
        diff = y - t
        losses.append(float(np.mean(diff ** 2)))
        pres = cache[1]
        dead.append(float(np.mean(np.concatenate(
            [np.all(z <= 0, axis=(0, 2, 3)) for z in pres]))) if pres else 0.0)
        if step == steps:
            break
        grads = stack_backward(2.0 * diff / diff.size, params_, cache)
        for layer, g, ml, vl in zip(params_, grads, m, v):
            for j in range(2):
                ml[j] = b1 * ml[j] + (1 - b1) * g[j]
                vl[j] = b2 * vl[j] + (1 - b2) * g[j] ** 2
                mhat = ml[j] / (1 - b1 ** (step + 1))
                vhat = vl[j] / (1 - b2 ** (step + 1))
                layer[j] -= lr * mhat / (np.sqrt(vhat) + eps)
    return TrainResult([tuple(l) for l in params_], np.array(losses), np.array(dead))


# -------------------------------------------------------------- gradients through depth

@dataclass(frozen=True)
class DepthProfile:
    """Per-layer statistics of one forward and backward pass through a deep stack.

    Attributes
    ----------
    grad_rms : ndarray, shape (depth,)
        Root mean square of ``dL/dw`` at each layer, first layer first.
    saturated : ndarray, shape (depth - 1,)
        Fraction of each hidden layer's pre-activations where the activation is
        saturated (:func:`cnnedu.nn.activations.saturation_fraction`).
    """

    activation: str
    grad_rms: np.ndarray
    saturated: np.ndarray


def gradient_through_depth(activation: str, *, depth: int = 10, channels: int = 8,
                           size: int = 16, gain: float = 1.0, bias: float = 0.0,
                           scheme: str | None = None,
                           seed: int = 0) -> DepthProfile:
    r"""How the weight gradient's size changes from the last layer to the first.

    A stack of ``depth`` 3x3 conv layers (``channels`` wide, padding 1 so the map keeps
    its size) with ``activation`` between them runs on a random input; a random
    gradient of unit variance enters at the output and is backpropagated.

    Parameters
    ----------
    activation : str
    depth, channels, size : int
    gain : float
        Multiplies every weight: a gain above 1 pushes pre-activations into the flat
        tails of sigmoid and tanh (saturation).
    bias : float
        The bias of every layer; a large one also pushes sigmoid and tanh into their tails
        (and a negative one closes ReLUs).
    scheme : str, optional
        Weight initializer; default ``"glorot_normal"`` for identity, sigmoid and tanh,
        ``"he_normal"`` for the ReLU family and GELU (the usual pairings).
    seed : int

    Returns
    -------
    DepthProfile

    Notes
    -----
    Each layer backward multiplies the gradient by :math:`f'(z)` elementwise; for the
    sigmoid :math:`f' \le 1/4`, so after :math:`L` layers the gradient is at most
    :math:`4^{-L}` of what it would be through a linear stack of the same weights.

    >>> p = gradient_through_depth("sigmoid", depth=6)
    >>> bool(p.grad_rms[0] < 0.01 * p.grad_rms[-1])
    True
    """
    func = "gradient_through_depth"
    check_choice(activation, _activations.NAMES, "activation", func)
    depth = integer(depth, "depth", func, minimum=2)
    channels = integer(channels, "channels", func, minimum=1)
    size = integer(size, "size", func, minimum=1)
    gain = real(gain, "gain", func)
    bias = real(bias, "bias", func)
    if scheme is None:
        scheme = "glorot_normal" if activation in ("identity", "sigmoid", "tanh") else "he_normal"
    make = _init.get(scheme)
    rng = np.random.default_rng(seed)
    layers = [(gain * make((channels, channels, 3, 3), rng), np.full(channels, bias))
              for _ in range(depth)]
    x = rng.normal(size=(4, channels, size, size))
    act = _activations.get(activation)
    inputs, pres = [], []
    for i, (w, b) in enumerate(layers):
        inputs.append(x)
        x = conv2d(x, w, b, padding=1)
        if i < depth - 1:
            pres.append(x)
            x = act.forward(x)
    dy = rng.normal(size=x.shape)
    rms = np.zeros(depth)
    for i in range(depth - 1, -1, -1):
        dx, dw, _ = conv2d_backward(dy, inputs[i], layers[i][0], padding=1)
        rms[i] = np.sqrt(np.mean(dw ** 2))
        if i:
            dy = dx * act.grad(pres[i - 1])
    sat = np.array([_activations.saturation_fraction(act, z) for z in pres])
    return DepthProfile(activation, rms, sat)
