"""Checks for the exercises of notebook 01, "Filters as templates".

Each check runs the learner's function on small, non-square, non-symmetric cases chosen so
that each classic mistake shows, names the mistake when the answer equals what it gives,
and returns a :class:`~cnnedu.exercises._core.Verdict`; it never raises. A function that
passes by calling the package's own version (or ``scipy.signal``) is passed with a note.

>>> from cnnedu.exercises.solutions import nb01 as sol
>>> correlate2d_loops(sol.correlate2d_loops).passed
True
>>> print(correlate2d_loops(lambda image, kernel: None))
NOT YET: <lambda> returned None: replace the stub with your code, then run this cell again.
"""
from __future__ import annotations

import sys

import numpy as np

from cnnedu.exercises._core import (Verdict, as_array, call, compare, compare_shape, passed,
                                    watch_calls, wrong)
from cnnedu.nn.conv import convolve2d, correlate2d, rot180
from cnnedu.topics import kernels, templates
from cnnedu.topics.filter_response import TILE_LABELS, diagonal_edge_tiles

__all__ = ["correlate2d_loops", "convolve2d_by_flipping", "ncc_loops", "diagonal_edge_kernel",
           "learn_kernel", "correlation_cases", "ncc_cases", "learning_data",
           "LEARNING_RATE", "STEPS"]


def _package_functions(*extra):
    """The functions a learner might call instead of writing the loops: the package's,
    and ``scipy.signal``'s when the learner has imported it (importing it here would cost
    seconds, and a learner who calls it has imported it already)."""
    found = [correlate2d, convolve2d, *extra]
    signal = sys.modules.get("scipy.signal")
    if signal is not None:
        found += [getattr(signal, name) for name in ("correlate2d", "convolve2d",
                                                     "correlate", "convolve")
                  if hasattr(signal, name)]
    return found


def _note_calls(seen, what: str) -> list[str]:
    if not seen:
        return []
    names = ", ".join(sorted(seen))
    return [f"you called {names}; that passes, but the exercise asks you to write {what} "
            "yourself"]


# ----------------------------------------------------------------------- exercise 1

def correlation_cases():
    """``(image, kernel)`` pairs: non-square images, a 3x2 and a 2x3 kernel with no
    symmetry (so a flip, a transpose or swapped kh, kw all show), and a 3x3 one."""
    rng = np.random.default_rng(1)
    return [
        (rng.integers(-3, 4, size=(6, 7)).astype(float),
         np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]])),         # 3x2
        (rng.integers(-3, 4, size=(5, 8)).astype(float),
         np.array([[2.0, -1.0, 0.5], [1.0, 0.0, -3.0]])),          # 2x3
        (rng.normal(size=(5, 6)), np.arange(9.0).reshape(3, 3) - 4.0),
    ]


def _correlation_mistakes(image, kernel, expected):
    kh, kw = kernel.shape
    H, W = image.shape
    pad = np.zeros((H + 2 * (kh - 1), W + 2 * (kw - 1)))
    pad[kh - 1:kh - 1 + H, kw - 1:kw - 1 + W] = image
    m = {
        "the kernel is flipped (that is convolution, not cross-correlation)":
            (convolve2d(image, kernel), "deep learning's 'convolution' is cross-correlation: "
                                        "multiply image[i + u, j + v] by kernel[u, v], no flip"),
        "the output is transposed (i runs over columns, j over rows)":
            (expected.T, "out[i, j]: i is the row (0 .. H - kh), j the column (0 .. W - kw)"),
        "the kernel is transposed (kernel[v, u] instead of kernel[u, v])":
            (correlate2d(image, kernel.T) if kw <= H and kh <= W else None,
             "u runs over the kernel's rows (kh of them), v over its columns (kw)"),
        "the output is 'same' (zero-padded to the image's size) instead of 'valid'":
            (correlate2d(image, kernel, mode="same"), "'valid': only windows fully inside the image, so "
                                        "the output is (H - kh + 1, W - kw + 1)"),
        "the output is 'full' (every overlap, zero-padded) instead of 'valid'":
            (correlate2d(pad, kernel), "'valid': only windows fully inside the image"),
        "the loops stop one short (range(H - kh) instead of range(H - kh + 1))":
            (expected[:-1, :-1], "there are H - kh + 1 window positions down the image"),
    }
    return m


def correlate2d_loops(fn) -> Verdict:
    """Check ``fn(image, kernel)``: the "valid" cross-correlation (no kernel flip)."""
    notes = set()
    for image, kernel in correlation_cases():
        with watch_calls(*_package_functions()) as seen:
            got = call(fn, image.copy(), kernel.copy())
        notes |= seen
        if isinstance(got, Verdict):
            return got
        expected = correlate2d(image, kernel)
        label = f"the output for a {image.shape} image and a {kernel.shape} kernel"
        v = compare(got, expected, label, mistakes=_correlation_mistakes(image, kernel, expected),
                    hint="out[i, j] = sum over u, v of image[i + u, j + v] * kernel[u, v]; "
                         "rows go with kh and H, columns with kw and W")
        if not v:
            return v
    return passed("your loops give the same numbers as cnnedu.nn.conv.correlate2d, on 3x2, "
                  "2x3 and 3x3 kernels.", notes=_note_calls(notes, "the loops"))


def convolve2d_by_flipping(fn) -> Verdict:
    """Check ``fn(image, kernel)``: the "valid" convolution, by flipping the kernel."""
    notes = set()
    for image, kernel in correlation_cases():
        with watch_calls(*_package_functions()) as seen:
            got = call(fn, image.copy(), kernel.copy())
        notes |= seen - {f"{correlate2d.__module__}.{correlate2d.__qualname__}"}
        if isinstance(got, Verdict):
            return got
        expected = convolve2d(image, kernel)
        label = f"the convolution of a {image.shape} image with a {kernel.shape} kernel"
        mistakes = {
            "the kernel is not flipped (that is cross-correlation)":
                (correlate2d(image, kernel), "convolution rotates the kernel by 180 degrees: "
                                             "kernel[::-1, ::-1]"),
            "only the rows are reversed (kernel[::-1]): that flips upside down, not a "
            "rotation": (correlate2d(image, kernel[::-1]), "reverse the columns too"),
            "only the columns are reversed (kernel[:, ::-1])":
                (correlate2d(image, kernel[:, ::-1]), "reverse the rows too"),
            "the kernel is transposed (kernel.T) instead of rotated":
                (correlate2d(image, kernel.T),
                 "a transpose mirrors across the diagonal; a 180-degree rotation reverses "
                 "rows and columns"),
            "the image is flipped instead of the kernel":
                (correlate2d(image[::-1, ::-1], kernel),
                 "flip the kernel; the image stays as it is"),
            "the output is 'same' (zero-padded to the image's size) instead of 'valid'":
                (convolve2d(image, kernel, mode="same"), "keep 'valid': (H - kh + 1, W - kw + 1)"),
        }
        v = compare(got, expected, label, mistakes=mistakes,
                    hint="convolve = correlate with kernel[::-1, ::-1]: reuse your "
                         "my_correlate2d")
        if not v:
            return v
    return passed("convolution is cross-correlation with the kernel rotated by 180 degrees: "
                  "your function matches cnnedu.nn.conv.convolve2d on 3x2, 2x3 and 3x3 "
                  "kernels.", notes=_note_calls(notes, "the flip"))


# ----------------------------------------------------------------------- exercise 2

def ncc_cases():
    """``(image, template)`` pairs: a non-square random image and template, and an image
    with a flat band (windows with no pattern: NCC is 0 there by definition) holding a
    dimmed, lifted copy of its template (``0.6 * patch + 0.3``)."""
    rng = np.random.default_rng(7)
    first = (rng.normal(1.0, 0.5, size=(7, 9)), rng.normal(0.5, 1.0, size=(3, 4)))
    image = rng.uniform(0.0, 1.0, size=(8, 10))
    image[:, 5:] = 0.5                                # a flat band on the right
    template = 0.6 * image[2:5, 1:5] + 0.3
    return [first, (image, template)]


def _window_stats(image, shape):
    """For every "valid" window: its mean, its length and its centred length."""
    n = shape[0] * shape[1]
    ones = np.ones(shape)
    s1 = correlate2d(image, ones)
    s2 = correlate2d(image * image, ones)
    length = np.sqrt(np.maximum(s2, 0.0))
    centred = np.sqrt(np.maximum(s2 - s1 * s1 / n, 0.0))
    return s1 / n, length, centred


def _ncc_mistakes(image, template):
    t0 = template - template.mean()
    n = template.size
    mean, length, centred = _window_stats(image, template.shape)
    num = correlate2d(image, t0)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = {
            "the template is centred but the windows are not normalized (the half-fix: "
            "nothing divides by the window's length)":
                (num, "divide by both lengths, |a - mean(a)| and |t - mean(t)|"),
            "the template is centred and normalized, but the windows are not normalized":
                (num / np.linalg.norm(t0), "divide by each window's centred length too"),
            "nothing is centred or normalized (the raw dot product)":
                (correlate2d(image, template), "subtract the means, then divide by the "
                                               "lengths"),
            "the means are not subtracted (the plain cosine a . t / (|a| |t|))":
                (correlate2d(image, template) / (length * np.linalg.norm(template)),
                 "subtract each window's mean and the template's mean first"),
            "the windows are divided by their length before their mean is removed":
                (num / (length * np.linalg.norm(t0)),
                 "use the length of the centred window, |a - mean(a)|"),
            "only the window's length divides (the template's is missing)":
                (num / centred, "divide by |t - mean(t)| as well"),
            "it divides by the standard deviations without the factor n (values outside "
            "[-1, 1])": (num / (centred * np.linalg.norm(t0)) * n,
                         "|a - mean(a)| = sqrt(n) * std(a): use the lengths (np.linalg.norm)"),
            "the template is flipped (a convolution)":
                (templates.ncc(image, rot180(template)), "no flip: window[u, v] meets "
                                                          "template[u, v]"),
        }
    return {k: (np.where(np.isfinite(a), a, np.nan), h) for k, (a, h) in m.items()}


def ncc_loops(fn) -> Verdict:
    """Check ``fn(image, template)``: the zero-mean NCC map ("valid"), 0 on flat windows."""
    notes = set()
    for image, template in ncc_cases():
        with watch_calls(templates.ncc, templates.ncc_naive, templates.match_template) as seen:
            got = call(fn, image.copy(), template.copy())
        notes |= seen
        if isinstance(got, Verdict):
            return got
        expected = templates.ncc(image, template)
        label = f"the NCC map of a {image.shape} image and a {template.shape} template"
        arr = as_array(got, label)
        if isinstance(arr, Verdict):
            return arr
        flat = _window_stats(image, template.shape)[2] < 1e-9
        if (arr.shape == expected.shape and flat.any() and not np.all(np.isfinite(arr[flat]))
                and np.allclose(arr[~flat], expected[~flat])):
            return wrong(f"{label} is right except on the flat windows, where it is "
                         f"{arr[flat][0]}: a flat window divides by zero.",
                         hint="a flat window (all its values equal) has no pattern: "
                              "return 0 there", mistake="a flat window divides by zero")
        v = compare(arr, expected, label, mistakes=_ncc_mistakes(image, template),
                    hint="NCC = (a - mean(a)) . (t - mean(t)) / (|a - mean(a)| |t - mean(t)|) "
                         "for each window a")
        if not v:
            return v
    return passed("your NCC map matches cnnedu.topics.templates.ncc: in [-1, 1], 0 on flat "
                  "windows, and exactly 1 where the dimmed, lifted copy of the template "
                  "sits (brightness and contrast do not count).",
                  notes=_note_calls(notes, "NCC"))


# ----------------------------------------------------------------------- exercise 3

_TILE_WHY = {
    "opposite": "your kernel answers the 45-degree edge of the other polarity (bright "
                "above-left, dark below-right): change every sign",
    "diagonal_135": "your kernel answers the other diagonal (135 degrees, from top-left to "
                    "bottom-right): mirror it left to right",
    "diagonal_135_opposite": "your kernel answers the other diagonal (135 degrees): mirror it "
                             "left to right",
    "vertical": "your kernel answers a vertical edge: its numbers change along the row "
                "only; make them change along the diagonal",
    "vertical_opposite": "your kernel answers a vertical edge: make its numbers change along "
                         "the diagonal",
    "horizontal": "your kernel answers a horizontal edge: its numbers change down the column "
                  "only; make them change along the diagonal",
    "horizontal_opposite": "your kernel answers a horizontal edge: make its numbers change "
                           "along the diagonal",
    "flat": "your kernel answers a bright flat region: its weights do not sum to 0, so "
            "brightness counts; make them sum to 0",
    "line": "your kernel answers a thin diagonal line more than the edge: a template of an "
            "edge has one sign on each side",
}


def diagonal_edge_kernel(fn, *, held_out: bool = True) -> Verdict:
    """Check ``fn()``: a 3x3 kernel whose strongest response (largest value) is on the
    45-degree edge (dark above-left, bright below-right), scored on the held-out tiles
    (:func:`cnnedu.topics.filter_response.diagonal_edge_tiles`); ``held_out=False`` scores
    it on the tiles the notebook shows."""
    got = call(fn)
    if isinstance(got, Verdict):
        return got
    k = as_array(got, "your kernel", hint="return a 3x3 numpy array")
    if isinstance(k, Verdict):
        return k
    bad = compare_shape(k, (3, 3), "your kernel", hint="return a 3x3 numpy array")
    if bad is not None:
        return bad
    if not np.all(np.isfinite(k)):
        return wrong("your kernel has NaN or inf entries.", hint="use finite numbers")
    if not np.any(k):
        return wrong("your kernel is all zeros: it answers nothing.",
                     hint="put negative weights on the dark side and positive ones on the "
                          "bright side", mistake="all zeros")
    tiles = diagonal_edge_tiles(held_out=held_out)
    best = {name: float(correlate2d(tile, k).max()) for name, tile in tiles.items()}
    target = best.pop("target")
    top = max(best.values())
    ties = [n for n in best if best[n] > top - 1e-9]
    rival = "flat" if "flat" in ties else ties[0]     # a bright flat tile explains most
    scores = (f"largest response on the edge {target:.2f}, elsewhere {best[rival]:.2f} "
              f"(the {TILE_LABELS[rival]} tile)")
    if abs(best[rival] - target) <= 1e-9 * max(1.0, abs(target)) and target > 0:
        return wrong(f"your kernel answers the 45-degree edge no more than another tile: "
                     f"{scores}.", hint=_TILE_WHY[rival], mistake="not selective")
    if target <= 0:
        return wrong(f"your kernel gives at most {target:.2f} on the edge: it never answers "
                     "it positively.", hint=_TILE_WHY.get(rival, "look at the signs"),
                     mistake=rival)
    if best[rival] >= target:
        return wrong(f"on the held-out picture your strongest response is not on the "
                     f"45-degree edge: {scores}.", hint=_TILE_WHY[rival], mistake=rival)
    if best[rival] > target / 1.2:
        return wrong(f"your kernel answers the 45-degree edge, but not much more than the "
                     f"{TILE_LABELS[rival]} tile: {scores} (needs at least 1.2 times).",
                     hint=_TILE_WHY[rival], mistake="not selective")
    return passed(f"on the held-out picture (other positions, sizes and brightness) the "
                  f"strongest response is on the 45-degree edge: {scores}, "
                  f"{target / max(best[rival], 1e-12):.2f} times more." if best[rival] > 0
                  else f"on the held-out picture only the 45-degree edge gets a positive "
                       f"response: {scores}.")


# ----------------------------------------------------------------------- exercise 4

#: the learning rate and number of steps the check gives ``learn_kernel``
LEARNING_RATE = 0.2
STEPS = 150


def learning_data(hidden, n_images: int = 3, shape=(8, 10), seed: int = 0):
    """``(images, targets)``: random images (seeded) and what the ``hidden`` kernel makes
    of them, ``targets[i] = correlate2d(images[i], hidden)``."""
    rng = np.random.default_rng(seed)
    images = [rng.normal(size=shape) for _ in range(n_images)]
    return images, [correlate2d(x, hidden) for x in images]


def _learning_cases():
    rng = np.random.default_rng(3)
    return [kernels.get("sobel_y"), np.round(rng.normal(size=(3, 2)), 1)]


def learn_kernel(fn) -> Verdict:
    """Check ``fn(images, targets, lr, steps)``: gradient descent recovers the hidden kernel
    (Sobel y, then a random 3x2 kernel, from images it has not seen)."""
    for case, hidden in enumerate(_learning_cases()):
        images, targets = learning_data(hidden, seed=10 + case)
        got = call(fn, [x.copy() for x in images], [y.copy() for y in targets],
                   LEARNING_RATE, STEPS)
        if isinstance(got, Verdict):
            return got
        label = f"the kernel learned for a hidden {hidden.shape} kernel"
        arr = as_array(got, label)
        if isinstance(arr, Verdict):
            return arr
        if arr.shape == hidden.shape[::-1] and hidden.shape[0] != hidden.shape[1]:
            return wrong(f"{label} has shape {arr.shape}, the transpose of {hidden.shape}.",
                         hint="kh = H - H_out + 1 rows, kw = W - W_out + 1 columns",
                         mistake="transposed")
        if arr.shape == hidden.shape and (not np.all(np.isfinite(arr))
                                          or float(np.abs(arr).max()) > 1e60):
            return wrong(f"{label} has NaN, inf or astronomically large entries: the steps "
                         "overshoot and grow without bound.",
                         hint="average the gradient over the output cells (divide by their "
                              "number), or take a smaller step", mistake="diverged")
        if arr.shape == hidden.shape:
            err = float(np.abs(arr - hidden).max())
            size = float(np.abs(hidden).max())
            if np.allclose(arr, rot180(hidden), atol=1e-3) and err > 1e-3:
                return wrong(f"{label} is the hidden kernel rotated by 180 degrees.",
                             hint="predict with cross-correlation, correlate2d(x, kernel), "
                                  "as the targets were made", mistake="flipped")
            if arr.shape == arr.T.shape and np.allclose(arr, hidden.T, atol=1e-3) and err > 1e-3:
                return wrong(f"{label} is the hidden kernel transposed.",
                             hint="gradient[u, v] pairs kernel row u with image rows i + u: "
                                  "correlate2d(x, residual), not its transpose",
                             mistake="transposed")
            if float(np.abs(arr).max()) > 100 * size:
                return wrong(f"{label} reaches {float(np.abs(arr).max()):.3g}: the steps "
                             "climb the loss instead of descending it.",
                             hint="kernel -= lr * gradient, with residual = prediction - "
                                  "target", mistake="ascent")
            if not np.any(arr):
                return wrong(f"{label} is still all zeros: the kernel never changed.",
                             hint="update the kernel in place, or assign the new value",
                             mistake="no update")
            if err > 1e-3:
                return wrong(f"{label} is off by up to {err:.3g} after {STEPS} steps: not "
                             f"there yet.", mistake="not converged",
                             hint="gradient[u, v] = mean over cells of residual[i, j] * "
                                  "image[i + u, j + v] (correlate2d(x, residual)), summed "
                                  "over the images; one step per loop pass")
        v = compare(arr, hidden, label, atol=1e-3, rtol=0.0,
                    hint="start from zeros of shape (H - H_out + 1, W - W_out + 1)")
        if not v:
            return v
    return passed(f"from {len(images)} random images and their outputs alone, {STEPS} steps "
                  "of gradient descent recover the hidden Sobel y kernel (and a random 3x2 "
                  "one) to within 0.001: a filter is a set of weights that can be learned.")
