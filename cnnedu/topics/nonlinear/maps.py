r"""One feature map through an activation: every element, after the bias.

Holds :data:`SOBEL_X`, :class:`MapResult` and :func:`map_through`. The public face is
:mod:`cnnedu.topics.nonlinear` (import from there).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnedu.nn import activations as _activations
from cnnedu._validate import as_float_array, check_ndim, real
from cnnedu.nn.conv import correlate2d

__all__ = ["SOBEL_X", "MapResult", "map_through"]

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
