r"""Beyond one draw: the spread of a deep stack's scale over seeds, and why a saturated
tanh stack's gradient grows (built on :func:`cnnedu.topics.depth.depth_profile`).

>>> curves = seed_curves("he_normal", depth=3, channels=2, size=32, seeds=[0, 1])
>>> curves.shape
(2, 3)
"""
from __future__ import annotations

import numpy as np

from cnnedu.topics.depth import DepthProfile, depth_profile

__all__ = ["seed_curves", "tanh_backward_gain"]



def seed_curves(init: str, activation: str = "relu", *, seeds=range(6), **kwargs) -> np.ndarray:
    """The forward std of every layer for several seeds: shape ``(len(seeds), depth)``.

    One stack is one random draw; its curve scatters. Rows are seeds, columns layers (the
    other arguments as in :func:`depth_profile`).

    >>> seed_curves("he_normal", depth=3, channels=2, size=32, seeds=[0, 1]).shape
    (2, 3)
    """
    return np.array([depth_profile(init, activation, seed=int(s), **kwargs).forward_std
                     for s in seeds])


def tanh_backward_gain(profile: DepthProfile, *, std_w: float, fan_out: int):
    r"""Why a saturated tanh stack's gradient still explodes: the variance gain per layer
    on the way down, predicted from the activations, and measured.

    Going down one layer, each input's gradient sums ``fan_out`` terms
    :math:`w\,\tanh'(z)\,g`, so with independent weights of std :math:`\sigma_w`

    .. math::

        \frac{\operatorname{Var}(g_{l-1})}{\operatorname{Var}(g_l)} \approx
        \text{fan\_out}\;\sigma_w^2\;\mathbb E\big[\tanh'(z_l)^2\big], \qquad
        \tanh'(z) = 1 - h^2

    Saturated units pass nothing (:math:`\tanh' \approx 0`), but with :math:`\sigma_w = 1`
    and ``fan_out = 72`` the few unsaturated ones pass 72 times the variance.

    Parameters
    ----------
    profile : DepthProfile
        A tanh profile run with ``keep_all=True``.

    Returns
    -------
    predicted, measured : ndarray, shape (depth - 1,)
        For layers 2 .. depth: the formula above, and
        ``(backward_std[l - 2] / backward_std[l - 1]) ** 2``.
    saturated : ndarray, shape (depth,)
        The fraction of units with :math:`|h| > 0.99` in each layer.
    """
    if profile.activation != "tanh" or profile.all_activations is None:
        raise ValueError("tanh_backward_gain: needs a tanh profile run with keep_all=True; "
                         f"got activation {profile.activation!r}, keep_all "
                         f"{profile.all_activations is not None}")
    hs = profile.all_activations
    tprime2 = np.array([np.mean((1 - h ** 2) ** 2) for h in hs])
    predicted = fan_out * std_w ** 2 * tprime2[1:]
    bwd = profile.backward_std
    measured = (bwd[:-1] / bwd[1:]) ** 2
    saturated = np.array([np.mean(np.abs(h) > 0.99) for h in hs])
    return predicted, measured, saturated
