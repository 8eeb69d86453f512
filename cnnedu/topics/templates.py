r"""Template matching: a filter as a stored patch, and how to score a match fairly.

Cross-correlating an image with a template ``t`` (a patch) computes, at every window
``a`` of the image, the dot product

.. math::

    a \cdot t = \lVert a \rVert \, \lVert t \rVert \cos\theta .

The raw score grows with the window's brightness :math:`\lVert a \rVert`, so a bright flat
region can beat the true match. The zero-mean normalized cross-correlation (NCC) removes
each window's mean and divides by both norms: it is :math:`\cos\theta` between the
mean-removed window and the mean-removed template, in :math:`[-1, 1]`, and 1 only where the
window is the template up to brightness and contrast (``a = alpha * t + beta``, alpha > 0).

All maps are "valid" (the template fully inside the image): entry ``[i, j]`` scores the
window whose top-left corner is ``(i, j)``; shape ``(H - th + 1, W - tw + 1)``.

>>> import numpy as np
>>> image = np.zeros((6, 6)); image[2:4, 3:5] = [[1.0, 2.0], [3.0, 4.0]]
>>> template = image[2:4, 3:5].copy()
>>> m = best_match(ncc(image, template))
>>> m.row, m.col, round(m.value, 6)
(2, 3, 1.0)
>>> best_match(sliding_dot(image + 10 * (np.arange(6) == 0), template))[:2]  # a bright row wins
(0, 0)
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cnnedu._validate import as_float_array, check_choice, check_ndim, describe
from cnnedu.nn.conv import correlate2d

__all__ = ["sliding_dot", "ncc", "ncc_naive", "match_template", "best_match", "Match",
           "cut_patch", "WindowProduct", "window_product", "similarity", "Similarity",
           "METHODS", "FLAT_TOL"]

METHODS = ("raw", "ncc")
#: A window whose standard deviation is below this (relative to the image's largest
#: absolute value) counts as flat: NCC is 0 there (no pattern to compare).
FLAT_TOL = 1e-6


def _image_template(image, template, func):
    image = as_float_array(image, "image", func)
    template = as_float_array(template, "template", func)
    check_ndim(image, 2, "image", func, "(H, W)")
    check_ndim(template, 2, "template", func, "(th, tw)")
    if template.size == 0 or image.size == 0:
        raise ValueError(f"{func}: image and template must not be empty; got image of shape "
                         f"{image.shape} and template of shape {template.shape}")
    if template.shape[0] > image.shape[0] or template.shape[1] > image.shape[1]:
        raise ValueError(f"{func}: the template must fit inside the image; got template of "
                         f"shape (th, tw) = {template.shape} and image of shape (H, W) = "
                         f"{image.shape}")
    for a, name in ((image, "image"), (template, "template")):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{func}: {name} must hold finite numbers; got NaN or inf")
    return image.astype(np.float64), template.astype(np.float64)


def sliding_dot(image, template) -> np.ndarray:
    r"""The raw score: the dot product of the template with every window.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    template : ndarray, shape (th, tw)

    Returns
    -------
    ndarray, shape (H - th + 1, W - tw + 1)

    .. math::

        out[i, j] = \sum_{u, v} image[i + u, j + v] \; template[u, v]

    This is :func:`cnnedu.nn.conv.correlate2d` in "valid" mode.

    >>> sliding_dot(np.arange(9.0).reshape(3, 3), np.ones((2, 2)))
    array([[ 8., 12.],
           [20., 24.]])
    """
    image, template = _image_template(image, template, "sliding_dot")
    return correlate2d(image, template, mode="valid")


def ncc(image, template) -> np.ndarray:
    r"""Zero-mean normalized cross-correlation of the template with every window.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    template : ndarray, shape (th, tw)
        Must not be flat (constant): a flat template has no pattern to look for.

    Returns
    -------
    ndarray, shape (H - th + 1, W - tw + 1)
        Values in [-1, 1]; 0 where the window is flat.

    .. math::

        out[i, j] = \frac{\sum_{u,v} (a_{uv} - \bar a)(t_{uv} - \bar t)}
                         {\sqrt{\sum_{u,v} (a_{uv} - \bar a)^2}\,
                          \sqrt{\sum_{u,v} (t_{uv} - \bar t)^2}}

    with ``a`` the window at ``(i, j)``. Computed with three correlations: the numerator
    is ``correlate2d(image, t - t.mean())`` (the window's mean drops out because the
    centred template sums to 0) and the window energies come from box sums of ``image``
    and ``image**2``. :func:`ncc_naive` is the loop version.

    >>> t = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> ncc(np.array([[5.0, 9.0, 5.0], [9.0, 5.0, 9.0]]), t)
    array([[ 1., -1.]])
    """
    image, template = _image_template(image, template, "ncc")
    t0 = template - template.mean()
    t_norm = float(np.sqrt(np.sum(t0 * t0)))
    scale = max(float(np.abs(template).max()), 1e-300)
    if t_norm <= FLAT_TOL * scale * np.sqrt(template.size):
        raise ValueError("ncc: the template is flat (all its values are equal): there is no "
                         "pattern to match; cut a patch with some contrast")
    n = template.size
    # centre the image on its own mean: the same NCC, less cancellation in the box sums
    image = image - image.mean()
    num = correlate2d(image, t0, mode="valid")
    ones = np.ones_like(template)
    s1 = correlate2d(image, ones, mode="valid")
    s2 = correlate2d(image * image, ones, mode="valid")
    energy = np.maximum(s2 - s1 * s1 / n, 0.0)
    img_scale = max(float(np.abs(image).max()), 1e-300)
    flat = energy <= (FLAT_TOL * img_scale) ** 2 * n
    denom = np.sqrt(np.where(flat, 1.0, energy)) * t_norm
    out = np.where(flat, 0.0, num / denom)
    return np.clip(out, -1.0, 1.0)


def ncc_naive(image, template) -> np.ndarray:
    """:func:`ncc` with plain loops over the windows, straight from the formula (slow)."""
    image, template = _image_template(image, template, "ncc_naive")
    th, tw = template.shape
    H, W = image.shape
    t0 = template - template.mean()
    t_norm = np.sqrt(np.sum(t0 ** 2))
    if t_norm == 0:
        raise ValueError("ncc_naive: the template is flat (all its values are equal)")
    out = np.zeros((H - th + 1, W - tw + 1))
    for i in range(H - th + 1):
        for j in range(W - tw + 1):
            a0 = image[i:i + th, j:j + tw] - image[i:i + th, j:j + tw].mean()
            a_norm = np.sqrt(np.sum(a0 ** 2))
            out[i, j] = 0.0 if a_norm == 0 else np.sum(a0 * t0) / (a_norm * t_norm)
    return out


def match_template(image, template, method: str = "ncc") -> np.ndarray:
    """The score map of ``method``: ``"raw"`` (:func:`sliding_dot`) or ``"ncc"`` (:func:`ncc`).

    >>> match_template(np.eye(3), np.eye(2), method="raw")
    array([[2., 0.],
           [0., 2.]])
    """
    check_choice(method, METHODS, "method", "match_template")
    return sliding_dot(image, template) if method == "raw" else ncc(image, template)


class Match(NamedTuple):
    """The best score of a map: ``row``, ``col`` (top-left of the window) and ``value``."""

    row: int
    col: int
    value: float


def best_match(response) -> Match:
    """Where a score map is largest (the first such place), ignoring NaN.

    Parameters
    ----------
    response : ndarray, shape (H_out, W_out)

    Returns
    -------
    Match
        ``(row, col, value)``; in a "valid" map, ``(row, col)`` is the top-left corner of
        the best window in the image.

    >>> best_match(np.array([[0.0, 3.0], [3.0, 1.0]]))
    Match(row=0, col=1, value=3.0)
    """
    r = as_float_array(response, "response", "best_match")
    check_ndim(r, 2, "response", "best_match", "(H_out, W_out)")
    if r.size == 0 or not np.any(np.isfinite(r)):
        raise ValueError(f"best_match: response must hold at least one finite number; got "
                         f"{describe(r)}")
    flat = np.where(np.isfinite(r), r, -np.inf)
    i, j = np.unravel_index(int(np.argmax(flat)), r.shape)
    return Match(int(i), int(j), float(r[i, j]))


def cut_patch(image, top: int, left: int, height: int, width: int) -> np.ndarray:
    """A copy of ``image[top:top + height, left:left + width]``, checked to lie inside.

    >>> cut_patch(np.arange(16.0).reshape(4, 4), 1, 2, 2, 2)
    array([[ 6.,  7.],
           [10., 11.]])
    """
    image = as_float_array(image, "image", "cut_patch")
    check_ndim(image, 2, "image", "cut_patch", "(H, W)")
    H, W = image.shape
    vals = {"top": top, "left": left, "height": height, "width": width}
    for k, v in vals.items():
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"cut_patch: {k} must be an integer; got {v!r}")
    if height < 1 or width < 1 or top < 0 or left < 0 or top + height > H or left + width > W:
        raise ValueError(f"cut_patch: the patch rows {top}:{top + height}, columns "
                         f"{left}:{left + width} must lie inside the image of shape (H, W) = "
                         f"{image.shape}, with height and width >= 1")
    return image[top:top + height, left:left + width].copy()


class WindowProduct(NamedTuple):
    """One step of the sliding dot product (see :func:`window_product`)."""

    window: np.ndarray
    products: np.ndarray
    total: float


def window_product(image, kernel, i: int, j: int) -> WindowProduct:
    """The window at output position ``(i, j)``, its elementwise products with the kernel,
    and their sum (which is ``correlate2d(image, kernel)[i, j]``).

    >>> step = window_product(np.arange(9.0).reshape(3, 3), np.eye(2), 1, 0)
    >>> step.window.tolist(), step.products.tolist(), step.total
    ([[3.0, 4.0], [6.0, 7.0]], [[3.0, 0.0], [0.0, 7.0]], 10.0)
    """
    image = as_float_array(image, "image", "window_product")
    kernel = as_float_array(kernel, "kernel", "window_product")
    check_ndim(image, 2, "image", "window_product", "(H, W)")
    check_ndim(kernel, 2, "kernel", "window_product", "(kh, kw)")
    kh, kw = kernel.shape
    H, W = image.shape
    if kh > H or kw > W:
        raise ValueError(f"window_product: the kernel of shape {kernel.shape} must fit in the "
                         f"image of shape {image.shape}")
    Ho, Wo = H - kh + 1, W - kw + 1
    for v, name, hi in ((i, "i", Ho), (j, "j", Wo)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < hi:
            raise ValueError(f"window_product: {name} must be an output index in 0..{hi - 1} "
                             f"(the output has shape {(Ho, Wo)}); got {v!r}")
    window = image[i:i + kh, j:j + kw].copy()
    products = window * kernel
    return WindowProduct(window, products, float(products.sum()))


class Similarity(NamedTuple):
    """The parts of a dot product (see :func:`similarity`)."""

    dot: float
    norm_window: float
    norm_template: float
    cosine: float
    centred_cosine: float


def similarity(window, template) -> Similarity:
    r"""Split the raw score of a window into length and angle.

    Returns ``dot = a . t``, ``|a|``, ``|t|``, ``cos(theta) = dot / (|a| |t|)`` and the
    cosine after removing both means (which is the NCC score of that window).

    >>> s = similarity(np.array([[2.0, 4.0]]), np.array([[1.0, 2.0]]))
    >>> round(s.dot, 6), round(s.cosine, 6), round(s.centred_cosine, 6)
    (10.0, 1.0, 1.0)
    """
    a = as_float_array(window, "window", "similarity")
    t = as_float_array(template, "template", "similarity")
    if a.shape != t.shape:
        raise ValueError(f"similarity: window and template must have the same shape; got "
                         f"{a.shape} and {t.shape}")
    a, t = a.astype(np.float64).ravel(), t.astype(np.float64).ravel()
    dot = float(a @ t)
    na, nt = float(np.linalg.norm(a)), float(np.linalg.norm(t))
    cos = dot / (na * nt) if na > 0 and nt > 0 else 0.0
    a0, t0 = a - a.mean(), t - t.mean()
    n0 = float(np.linalg.norm(a0) * np.linalg.norm(t0))
    ccos = float(a0 @ t0) / n0 if n0 > 0 else 0.0
    return Similarity(dot, na, nt, cos, ccos)
