"""Check for the prerequisite self-check of notebook 00, "Introduction": numpy slicing
and a dot product, the two things every later notebook builds on.

>>> from cnnedu.exercises.solutions import nb00 as sol
>>> window_dot(sol.window_dot).passed
True
>>> print(window_dot(lambda image, kernel, i, j: None))
NOT YET: <lambda> returned None: replace the stub with your code, then run this cell again.
"""
from __future__ import annotations

import numpy as np

from cnnedu.exercises._core import Verdict, call, compare_value, passed, watch_calls
from cnnedu.nn.conv import correlate2d

__all__ = ["window_dot", "window_dot_cases"]


def window_dot_cases():
    """``(image, kernel, i, j)``: a 5x7 image and a 2x3 kernel, no symmetry, so swapped
    indices, a transposed window or an off-by-one slice all give other numbers."""
    image = np.arange(35.0).reshape(5, 7) % 11 - 3.0
    kernel = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    return [(image, kernel, 1, 3), (image, kernel, 3, 0)]


def _mistakes(image, kernel, i, j):
    kh, kw = kernel.shape
    H, W = image.shape
    m = {
        "the window is taken at (j, i): rows and columns swapped":
            (np.sum(image[j:j + kh, i:i + kw] * kernel) if j + kh <= H and i + kw <= W
             else None, "image[rows, columns]: rows i:i + kh first, then columns j:j + kw"),
        "the window is one row and one column too big, starting one early":
            (np.sum(image[i - 1:i + kh - 1, j - 1:j + kw - 1] * kernel) if i and j else None,
             "image[i:i + kh] holds rows i .. i + kh - 1: kh rows, starting at i"),
        "only the window is summed (the kernel is not used)":
            (np.sum(image[i:i + kh, j:j + kw]), "multiply by the kernel before summing"),
        "the sums are multiplied (sum(window) * sum(kernel)) instead of summing the "
        "products": (np.sum(image[i:i + kh, j:j + kw]) * np.sum(kernel),
                     "multiply elementwise first (window * kernel), then sum"),
        "the kernel is flipped": (np.sum(image[i:i + kh, j:j + kw] * kernel[::-1, ::-1]),
                                  "no flip: window[u, v] meets kernel[u, v]"),
    }
    return {k: (float(v), h) for k, (v, h) in m.items() if v is not None}


def window_dot(fn) -> Verdict:
    """Check ``fn(image, kernel, i, j)``: the sum of ``image[i:i+kh, j:j+kw] * kernel``."""
    seen = set()
    for image, kernel, i, j in window_dot_cases():
        with watch_calls(correlate2d) as called:
            got = call(fn, image.copy(), kernel.copy(), i, j)
        seen |= called
        if isinstance(got, Verdict):
            return got
        kh, kw = kernel.shape
        expected = float(np.sum(image[i:i + kh, j:j + kw] * kernel))
        v = compare_value(got, expected, f"the value at (i, j) = ({i}, {j})",
                          mistakes=_mistakes(image, kernel, i, j),
                          hint="window = image[i:i + kh, j:j + kw]; then "
                               "np.sum(window * kernel)")
        if not v:
            return v
    notes = [f"you called {', '.join(sorted(seen))}; that passes, but here take the "
             "window with a slice"] if seen else []
    return passed("slicing and the dot product are in place: that is all the numpy the "
                  "series needs to begin.", notes=notes)
