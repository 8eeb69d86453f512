r"""The edge task: vertical edges of either sign, which no linear stack can learn.

Holds :func:`edge_patches` (crops of a shipped photograph) and :func:`edge_target`
(:math:`|\operatorname{corr}(x, \text{Sobel}_x)|`). The public face is
:mod:`cnnedu.topics.nonlinear` (import from there).
"""
from __future__ import annotations

import numpy as np

from cnnedu import data as _data
from cnnedu._validate import as_float_array, check_ndim, integer
from cnnedu.nn.conv import conv2d
from cnnedu.topics.nonlinear.maps import SOBEL_X

__all__ = ["edge_patches", "edge_target"]


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
