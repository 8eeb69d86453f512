"""Checks for the exercises of notebook 01, "Filters as templates".

Each check runs the learner's function on fixed inputs and returns a
:class:`~cnnedu.exercises._core.Verdict`; it never raises.

>>> from cnnedu.exercises.solutions import nb01 as sol
>>> correlate2d_loops(sol.correlate2d_loops).passed
True
>>> print(correlate2d_loops(lambda image, kernel: None))
NOT YET: <lambda> returned None: replace the stub with your code, then run this cell again.
"""
from __future__ import annotations

import numpy as np

from cnnedu.topics import kernels
from cnnedu.nn.conv import convolve2d, correlate2d
from cnnedu.data import load_grey_image
from cnnedu.topics.templates import best_match, cut_patch, sliding_dot
from cnnedu.exercises._core import Verdict, call, compare, compare_value, passed, wrong

__all__ = ["correlate2d_loops", "horizontal_edge_preset", "where_is_the_template",
           "edge_images", "edge_scores", "template_cases"]


# ----------------------------------------------------------------------- exercise 1

def _correlation_cases():
    rng = np.random.default_rng(1)
    return [
        (rng.integers(-3, 4, size=(6, 7)).astype(float),
         np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]])),          # 3x2: not square
        (rng.normal(size=(5, 5)), np.arange(9.0).reshape(3, 3) - 4.0),
    ]


def correlate2d_loops(fn) -> Verdict:
    """Check ``fn(image, kernel)``: the "valid" cross-correlation (no kernel flip)."""
    for image, kernel in _correlation_cases():
        got = call(fn, image.copy(), kernel.copy())
        if isinstance(got, Verdict):
            return got
        expected = correlate2d(image, kernel)
        try:
            arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            arr = None
        label = f"the output for a {image.shape} image and a {kernel.shape} kernel"
        if arr is not None and arr.shape == expected.shape:
            if not np.allclose(arr, expected) and np.allclose(arr, convolve2d(image, kernel)):
                return wrong(f"{label} is the convolution: the kernel was flipped.",
                             hint="deep learning's 'convolution' is cross-correlation: "
                                  "multiply image[i + u, j + v] by kernel[u, v], no flip")
        elif arr is not None and arr.shape == image.shape:
            return wrong(f"{label} has shape {arr.shape}, the image's shape; expected "
                         f"{expected.shape}.",
                         hint="'valid': only windows fully inside the image, so the output "
                              "is (H - kh + 1, W - kw + 1)")
        v = compare(got, expected, label,
                    hint="out[i, j] = sum over u, v of image[i + u, j + v] * kernel[u, v]; "
                         "rows go with kh and H, columns with kw and W")
        if not v:
            return v
    return passed("your loops give the same numbers as cnnedu.nn.conv.correlate2d, on a square "
                  "and on a non-square kernel.")


# ----------------------------------------------------------------------- exercise 2

def edge_images(size: int = 8):
    """A horizontal edge (dark top half, bright bottom half) and a vertical edge (dark
    left, bright right), ``(size, size)`` each."""
    horizontal = np.zeros((size, size))
    horizontal[size // 2:] = 1.0
    return horizontal, horizontal.T.copy()


def edge_scores(name: str) -> dict:
    """How the preset ``name`` (3x3) answers each edge: its largest absolute response on
    the horizontal and on the vertical edge of :func:`edge_images`."""
    horizontal, vertical = edge_images()
    k = kernels.get(name, 3)
    rh, rv = correlate2d(horizontal, k), correlate2d(vertical, k)
    return {"horizontal": float(np.abs(rh).max()), "vertical": float(np.abs(rv).max())}


_WHY = {
    "sobel_x": "Sobel x goes -1, 0, +1 from left to right: it compares left with right, so "
               "it answers vertical edges",
    "laplacian": "the Laplacian answers edges of every orientation (and on both sides of "
                 "each), so its answer does not say 'horizontal'",
    "line_horizontal": "the horizontal-line template answers a step twice, +3 on one side "
                       "and -3 on the other: it finds thin lines; its sign does not tell "
                       "which way an edge goes",
}


def horizontal_edge_preset(fn) -> Verdict:
    """Check ``fn()``: the name of the preset that finds horizontal edges."""
    got = call(fn)
    if isinstance(got, Verdict):
        return got
    if not isinstance(got, str):
        return wrong(f"return a preset name as a string; got {got!r}",
                     hint=f"one of {kernels.names()}")
    name = got.strip().lower().replace(" ", "_")
    if name not in kernels.names():
        return wrong(f"{got!r} is not a preset name.", hint=f"one of {kernels.names()}")
    s = edge_scores(name)
    numbers = (f"{name} on a horizontal edge: up to {s['horizontal']:g}; on a vertical "
               f"edge: up to {s['vertical']:g}")
    if name == "sobel_y":
        return passed(f"{numbers}. Its rows go -1, 0, +1 from top to bottom: a template of "
                      "'dark above, bright below'; along the row it only averages "
                      "(1, 2, 1), so a vertical edge gives 0.")
    return wrong(f"{numbers}.", hint=_WHY.get(name, "look at the kernel's numbers: which "
                                                    "direction do they change along?"))


# ----------------------------------------------------------------------- exercise 3

def template_cases():
    """The test cases: ``(image, template, (row, col) of its true top-left)``.

    Each template is cut from its image and then dimmed and lifted (``0.6 * patch + 0.3``),
    as if seen in other light: a raw dot product misses it, zero-mean NCC finds it.
    """
    cases = []
    for name, (top, left, h, w) in (("chelsea", (30, 10, 24, 24)),
                                    ("camera", (20, 44, 20, 18))):
        image = load_grey_image(name, size=128)
        template = 0.6 * cut_patch(image, top, left, h, w) + 0.3
        cases.append((image, template, (top, left)))
    return cases


def where_is_the_template(fn) -> Verdict:
    """Check ``fn(image, template)``: the (row, col) of the template's top-left corner."""
    for image, template, truth in template_cases():
        got = call(fn, image.copy(), template.copy())
        if isinstance(got, Verdict):
            return got
        try:
            pos = tuple(int(v) for v in got)
        except (TypeError, ValueError):
            return wrong(f"return (row, col), two integers; got {got!r}")
        if len(pos) != 2:
            return wrong(f"return (row, col), two integers; got {got!r}")
        raw = best_match(sliding_dot(image, template))
        th, tw = template.shape
        if pos == truth:
            continue
        if pos == (raw.row, raw.col):
            return wrong(f"{pos} is where the raw dot product peaks, not where the template "
                         f"is.", hint="the raw score grows with brightness: remove the means "
                                      "and normalize (cnnedu.topics.templates.ncc)")
        if pos == (truth[1], truth[0]):
            return wrong(f"{pos} has row and column swapped.", hint="return (row, col)")
        if pos == (truth[0] + th // 2, truth[1] + tw // 2):
            return wrong(f"{pos} is the centre of the match.",
                         hint="return the top-left corner of the window: the index of the "
                              "best score in the 'valid' map")
        return compare_value(pos, truth, "(row, col)",
                             hint="score every window with cnnedu.topics.templates.ncc, then "
                                  "cnnedu.topics.templates.best_match", exact=True)
    return passed("found in both test images, though the templates were dimmed and lifted "
                  "(0.6 * patch + 0.3): zero-mean NCC does not care about brightness or "
                  "contrast.")
