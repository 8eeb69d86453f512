r"""How big the weight gradient is at each layer of a deep conv stack, per activation.

The public face is :mod:`cnnedu.topics.nonlinear` (import from there).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnedu.nn import activations as _activations
from cnnedu.nn import init as _init
from cnnedu._validate import check_choice, integer, real
from cnnedu.nn.conv import conv2d, conv2d_backward

__all__ = ["DepthProfile", "gradient_through_depth"]


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
        The bias of every layer; a large one pushes tanh into its flat tails (the sigmoid
        needs a far larger one: its derivative is at most 1/4 everywhere, which is what
        shrinks its gradient) and a negative one closes ReLUs.
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
