"""Seeded synthetic images: oriented bars, a data set a small CNN learns in seconds.

Each image holds one bright bar at a random position, of random length, on a dark noisy
background; its label is the bar's orientation. With 4 orientations the classes are
horizontal (0), rising diagonal ``/`` (1), vertical (2) and falling diagonal ``\\`` (3):
exactly the patterns a 3x3 edge/line filter responds to.

>>> images, labels = make_bars(8, size=16, seed=0)
>>> images.shape, labels.shape, np.bincount(labels).tolist()
((8, 1, 16, 16), (8,), [2, 2, 2, 2])
>>> bar_angles(4).tolist()
[0.0, 45.0, 90.0, 135.0]
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["make_bars", "bar_angles", "BAR_NAMES"]

#: Names of the 4 default classes, by label.
BAR_NAMES = ("horizontal", "diagonal /", "vertical", "diagonal \\")


def bar_angles(orientations: int = 4) -> np.ndarray:
    """Angle of each class in degrees, counter-clockwise from horizontal: ``k * 180 / orientations``."""
    _check_int(orientations, "orientations", "bar_angles", minimum=1)
    return np.arange(orientations) * (180.0 / orientations)


def _check_int(v, name, func, minimum):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{func}: {name} must be an integer; got {v!r}")
    if v < minimum:
        raise ValueError(f"{func}: {name} must be >= {minimum}; got {v!r}")
    return int(v)


def make_bars(n: int, size: int = 28, *, orientations: int = 4, length=(0.4, 0.8),
              thickness: float = 2.0, noise: float = 0.1, seed=0, dtype=np.float64):
    """``n`` images of one oriented bar each, labelled by orientation.

    Labels are balanced (``n // orientations`` or one more of each, in a seeded random
    order). The bar of image ``i`` has angle ``theta = labels[i] * 180 / orientations``
    degrees, a random length, a random centre (the whole bar stays inside the image) and
    anti-aliased edges; then Gaussian noise is added and values are clipped to [0, 1].
    A pixel at distance ``t`` along the bar from its centre and ``s`` across it gets

    .. math::

        v = \\operatorname{clip}(\\tfrac{w}{2} + \\tfrac12 - |s|, 0, 1)\\,
            \\operatorname{clip}(\\tfrac{L}{2} + \\tfrac12 - |t|, 0, 1)

    with ``w`` the thickness and ``L`` the length.

    Parameters
    ----------
    n : int
        Number of images.
    size : int
        ``H = W = size`` (at least 8).
    orientations : int
        Number of classes (angles evenly spaced over 180 degrees).
    length : (float, float)
        Range of the bar length as a fraction of ``size``.
    thickness : float
        Bar width in pixels.
    noise : float
        Standard deviation of the added Gaussian noise (0 for clean bars).
    seed : int or numpy.random.Generator
    dtype : float32 or float64

    Returns
    -------
    images : ndarray, shape (n, 1, size, size)
    labels : ndarray of int64, shape (n,)
        Values in ``0 .. orientations - 1``.
    """
    func = "make_bars"
    n = _check_int(n, "n", func, minimum=1)
    size = _check_int(size, "size", func, minimum=8)
    orientations = _check_int(orientations, "orientations", func, minimum=1)
    lo, hi = (float(v) for v in length)
    if not 0 < lo <= hi <= 1:
        raise ValueError(f"{func}: length must be a (min, max) pair with 0 < min <= max <= 1; "
                         f"got {length!r}")
    if not 0 < thickness < size / 2:
        raise ValueError(f"{func}: thickness must be in (0, size / 2); got {thickness!r}")
    if noise < 0:
        raise ValueError(f"{func}: noise must be >= 0; got {noise!r}")
    if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{func}: dtype must be float32 or float64; got {dtype!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    labels = rng.permutation(np.arange(n) % orientations).astype(np.int64)
    theta = np.deg2rad(bar_angles(orientations)[labels])
    # Unit vector along the bar in (row, col) coordinates: rows grow downwards.
    dy, dx = -np.sin(theta), np.cos(theta)
    bar_len = rng.uniform(lo, hi, n) * (size - 2 * thickness)
    # Keep the whole bar inside: half its extent along each axis, plus half the width.
    ext_y = bar_len / 2 * np.abs(dy) + thickness / 2 + 0.5
    ext_x = bar_len / 2 * np.abs(dx) + thickness / 2 + 0.5
    cy = ext_y + rng.uniform(0, 1, n) * (size - 1 - 2 * ext_y)
    cx = ext_x + rng.uniform(0, 1, n) * (size - 1 - 2 * ext_x)

    r = np.arange(size, dtype=np.float64)
    py = r[None, :, None] - cy[:, None, None]          # (n, size, 1)
    px = r[None, None, :] - cx[:, None, None]          # (n, 1, size)
    t = py * dy[:, None, None] + px * dx[:, None, None]     # along the bar
    s = -py * dx[:, None, None] + px * dy[:, None, None]    # across the bar
    across = np.clip(thickness / 2 + 0.5 - np.abs(s), 0.0, 1.0)
    along = np.clip(bar_len[:, None, None] / 2 + 0.5 - np.abs(t), 0.0, 1.0)
    images = across * along
    if noise > 0:
        images = images + rng.normal(0.0, noise, images.shape)
    images = np.clip(images, 0.0, 1.0)
    return images[:, None].astype(dtype, copy=False), labels
