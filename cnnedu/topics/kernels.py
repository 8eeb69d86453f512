"""Hand-made filters: small named kernels, each a template of a simple pattern.

Every preset exists as a 3x3 and a 5x5 array. Read them as cross-correlation kernels (the
deep-learning convention of :func:`cnnedu.nn.conv.correlate2d`): the output is large where the
image under the window looks like the kernel.

- ``sobel_x`` is ``-1 0 +1`` across the columns (x): positive where the image gets brighter
  to the right, so it finds *vertical* edges; ``sobel_y`` is its transpose and finds
  *horizontal* edges.
- ``laplacian`` compares a pixel with its neighbours: a template of a spot (its sign says
  dark spot on bright, or bright spot on dark), zero on flat regions and on ramps.
- ``box_blur`` and ``gaussian`` average a neighbourhood (weights sum to 1); ``sharpen`` is
  ``2 * identity - blur``.

>>> get("sobel_x")
array([[-1.,  0.,  1.],
       [-2.,  0.,  2.],
       [-1.,  0.,  1.]])
>>> float(get("gaussian", size=5).sum())
1.0
>>> names()[:4]
['identity', 'zeros', 'box_blur', 'gaussian']
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnedu._validate import check_choice

__all__ = ["Preset", "PRESETS", "SIZES", "names", "get", "describe", "title", "matching"]

SIZES = (3, 5)


@dataclass(frozen=True)
class Preset:
    """A named filter: its 3x3 and 5x5 arrays, a short title and what it responds to."""

    name: str
    title: str
    description: str
    k3: np.ndarray
    k5: np.ndarray

    def array(self, size: int = 3) -> np.ndarray:
        return (self.k3 if size == 3 else self.k5).copy()


def _identity(n: int) -> np.ndarray:
    k = np.zeros((n, n))
    k[n // 2, n // 2] = 1.0
    return k


_B3 = np.array([1.0, 2.0, 1.0])            # binomial smoothing, rows of Pascal's triangle
_B5 = np.array([1.0, 4.0, 6.0, 4.0, 1.0])
_D3 = np.array([-1.0, 0.0, 1.0])           # central difference
_D5 = np.array([-1.0, -2.0, 0.0, 2.0, 1.0])

_GAUSS3 = np.outer(_B3, _B3) / 16.0
_GAUSS5 = np.outer(_B5, _B5) / 256.0
_SOBEL_X3 = np.outer(_B3, _D3)
_SOBEL_X5 = np.outer(_B5, _D5)
_LAPLACE3 = np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
_LAPLACE5 = np.array([[0.0, 0.0, 1.0, 0.0, 0.0],
                      [0.0, 1.0, 2.0, 1.0, 0.0],
                      [1.0, 2.0, -16.0, 2.0, 1.0],
                      [0.0, 1.0, 2.0, 1.0, 0.0],
                      [0.0, 0.0, 1.0, 0.0, 0.0]])
_LINE_H3 = np.array([[-1.0, -1.0, -1.0], [2.0, 2.0, 2.0], [-1.0, -1.0, -1.0]])
_LINE_H5 = np.full((5, 5), -1.0)
_LINE_H5[2] = 4.0

_PRESETS = [
    Preset("identity", "identity", "copies the image: a single 1 in the centre",
           _identity(3), _identity(5)),
    Preset("zeros", "all zeros", "responds to nothing: every weight is 0, so the output is "
           "the bias alone", np.zeros((3, 3)), np.zeros((5, 5))),
    Preset("box_blur", "box blur", "the plain average of the window (weights sum to 1): "
           "smooths", np.full((3, 3), 1.0 / 9.0), np.full((5, 5), 1.0 / 25.0)),
    Preset("gaussian", "Gaussian blur", "a weighted average, heavier in the centre "
           "(binomial weights, sum 1): smooths without blocky artefacts", _GAUSS3, _GAUSS5),
    Preset("sharpen", "sharpen", "identity minus the Laplacian: the image plus its edges "
           "(5 in the centre; the 5x5 uses a quarter of the 5x5 Laplacian; weights sum to 1)",
           _identity(3) - _LAPLACE3, _identity(5) - _LAPLACE5 / 4.0),
    Preset("sobel_x", "Sobel x", "a template of a vertical edge: dark on the left, bright "
           "on the right (positive), or the reverse (negative)", _SOBEL_X3, _SOBEL_X5),
    Preset("sobel_y", "Sobel y", "a template of a horizontal edge: dark above, bright below "
           "(positive), or the reverse (negative)", _SOBEL_X3.T.copy(), _SOBEL_X5.T.copy()),
    Preset("laplacian", "Laplacian", "a template of a spot: negative on a bright spot, "
           "positive on a dark one, 0 on flat regions and even ramps (weights sum to 0)",
           _LAPLACE3, _LAPLACE5),
    Preset("line_horizontal", "horizontal line", "a template of a thin bright horizontal "
           "line on a darker background (weights sum to 0)", _LINE_H3, _LINE_H5),
    Preset("line_vertical", "vertical line", "a template of a thin bright vertical line on "
           "a darker background (weights sum to 0)", _LINE_H3.T.copy(), _LINE_H5.T.copy()),
]

#: Every preset by name, in display order.
PRESETS: dict[str, Preset] = {p.name: p for p in _PRESETS}
for _p in _PRESETS:
    _p.k3.setflags(write=False)
    _p.k5.setflags(write=False)


_STACKS = {3: np.stack([p.k3 for p in _PRESETS]), 5: np.stack([p.k5 for p in _PRESETS])}


def names() -> list[str]:
    """The preset names :func:`get` accepts, in display order."""
    return list(PRESETS)


def _check_size(size, func: str) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size not in SIZES:
        raise ValueError(f"{func}: size must be 3 or 5 (a 3x3 or 5x5 kernel); got {size!r}")
    return int(size)


def get(name: str, size: int = 3) -> np.ndarray:
    """The preset ``name`` as a new float64 array of shape ``(size, size)``.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    size : {3, 5}

    Returns
    -------
    kernel : ndarray, shape (size, size)
        A copy: changing it does not change the preset.

    >>> get("laplacian")
    array([[ 0.,  1.,  0.],
           [ 1., -4.,  1.],
           [ 0.,  1.,  0.]])
    """
    check_choice(name, names(), "name", "kernels.get")
    return PRESETS[name].array(_check_size(size, "kernels.get"))


def describe(name: str) -> str:
    """One sentence: what the preset ``name`` responds to.

    >>> describe("sobel_y")
    'a template of a horizontal edge: dark above, bright below (positive), or the reverse (negative)'
    """
    check_choice(name, names(), "name", "kernels.describe")
    return PRESETS[name].description


def title(name: str) -> str:
    """A short display title for the preset ``name`` (``"Sobel x"``)."""
    check_choice(name, names(), "name", "kernels.title")
    return PRESETS[name].title


def matching(kernel) -> str | None:
    """The name of the preset equal to ``kernel`` (3x3 or 5x5), or None.

    >>> matching(np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]))
    'identity'
    >>> matching(np.ones((3, 3))) is None
    True
    """
    k = np.asarray(kernel, dtype=float)
    if k.ndim != 2 or k.shape[0] != k.shape[1] or k.shape[0] not in SIZES:
        return None
    stack = _STACKS[k.shape[0]]
    hit = np.flatnonzero(np.abs(stack - k).max(axis=(1, 2)) <= 1e-12)
    return _PRESETS[int(hit[0])].name if hit.size else None
