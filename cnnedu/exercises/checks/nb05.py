"""Checks for the exercises of notebook 05, Backpropagation through a convolution.

Each check runs the learner's function on several seeded, non-square cases with
non-symmetric kernels, compares with the package (:func:`cnnedu.nn.conv.conv2d_backward`,
:class:`cnnedu.nn.layers.MaxPool2D`, :func:`cnnedu.nn.gradcheck.check_gradient`) and
names the classic mistakes (a missing rotation, db not summed, channels not swapped, the
wrong crop, the stride ignored, ``=`` for ``+=``, ties sent to every maximum, a forward
difference, a step too small for float32, an absolute threshold, ...).

>>> from cnnedu.exercises.solutions import nb05 as sol
>>> dw_loops(sol.dw_loops).passed, dx_loops(sol.dx_loops).passed
(True, True)
>>> print(dw_loops(lambda x, dy: None).status)
not yet
"""
from __future__ import annotations

import numpy as np

from cnnedu.exercises import _core
from cnnedu.exercises._core import Verdict, call, compare, passed, watch_calls, wrong
from cnnedu.exercises.checks import _nb05_mistakes as mk
from cnnedu.exercises.checks._nb05_gradcheck import gradient_check, numerical_gradient
from cnnedu.exercises.checks._nb05_gradcheck import package_note as _package_note
from cnnedu.nn.conv import (conv2d, conv2d_backward, conv2d_backward_naive, convolve2d,
                            correlate2d, rot180)
from cnnedu.nn.layers import MaxPool2D
from cnnedu.topics.conv_transpose import conv2d_backward_formulas, conv_transpose2d
from cnnedu.topics.im2col_backward import conv2d_backward_im2col
from cnnedu.topics.pool_backward import max_pool_backward_naive

__all__ = ["dw_loops", "dx_loops", "conv_backward", "max_pool_backward",
           "numerical_gradient", "gradient_check"]

# (H, W) of the input, (kh, kw) of the kernel
_CASES = [((5, 6), (2, 3)), ((4, 4), (3, 3)), ((6, 5), (3, 2)), ((3, 7), (1, 4))]
_NO_ROT = ("dW needs no rotation: dW[u, v] = sum dY[i, j] * x[i + u, j + v] (x correlated "
           "with dY). The rotation belongs to dX.")


def _case(k: int):
    (H, W), (kh, kw) = _CASES[k]
    rng = np.random.default_rng(500 + k)
    x = rng.standard_normal((H, W))
    w = rng.standard_normal((kh, kw))
    dy = rng.standard_normal((H - kh + 1, W - kw + 1))
    dx, dw, _ = conv2d_backward(dy[None, None], x[None, None], w[None, None])
    return x, w, dy, dx[0, 0], dw[0, 0]


def dw_loops(fn, *, time_limit: float = _core.TIME_LIMIT) -> Verdict:
    """``fn(x, dy)`` must return ``dW``, shape ``(H - H_out + 1, W - W_out + 1)``."""
    cases = []
    for k in range(len(_CASES)):
        x, w, dy, _, dw = _case(k)
        cases.append((x, dy, dw, {
            "the indices are flipped (your dW is the reference rotated by 180 degrees)":
                (rot180(dw), _NO_ROT),
            "x is convolved with dY (dY flipped)": (convolve2d(x, dy, "valid"), _NO_ROT)}))
    with watch_calls(correlate2d, convolve2d, conv2d, conv2d_backward) as seen:
        for k, (x, dy, dw, mistakes) in enumerate(cases):
            got = call(fn, x.copy(), dy.copy(), name="my_dw_loops", time_limit=time_limit)
            if isinstance(got, Verdict):
                return got
            v = compare(got, dw, f"dW (case {k}: x {x.shape}, dY {dy.shape})",
                        hint="dW has the kernel's shape (H - H_out + 1, W - W_out + 1), and "
                             "each dW[u, v] sums dY[i, j] * x[i + u, j + v] over ALL i, j",
                        mistakes=mistakes)
            if not v:
                return v
    return passed(f"dW matches conv2d_backward on all {len(_CASES)} cases.",
                  _package_note(seen, "the loops"))


def dx_loops(fn, *, time_limit: float = _core.TIME_LIMIT) -> Verdict:
    """``fn(dy, w)`` must return ``dX``, shape ``(H_out + kh - 1, W_out + kw - 1)``."""
    cases = []
    for k in range(len(_CASES)):
        x, w, dy, dx, _ = _case(k)
        cases.append((w, dy, dx, {"dY is fully correlated with W, not rotated": (
            correlate2d(dy, w, "full"),
            "x[i + u, j + v] met w[u, v] in output (i, j): add dY[i, j] * w[u, v] into "
            "dX[i + u, j + v]. As one operation that is the full correlation with "
            "rot180(W).")}))
    with watch_calls(correlate2d, convolve2d, conv2d, conv2d_backward) as seen:
        for k, (w, dy, dx, mistakes) in enumerate(cases):
            got = call(fn, dy.copy(), w.copy(), name="my_dx_loops", time_limit=time_limit)
            if isinstance(got, Verdict):
                return got
            v = compare(got, dx, f"dX (case {k}: dY {dy.shape}, W {w.shape})",
                        hint="dX has the input's shape (H_out + kh - 1, W_out + kw - 1): "
                             "'full', not 'valid'; loop over outputs and kernel taps and add "
                             "dY[i, j] * w[u, v] into dX[i + u, j + v]",
                        mistakes=mistakes)
            if not v:
                return v
    return passed(f"dX matches conv2d_backward on all {len(_CASES)} cases.",
                  _package_note(seen, "the loops"))


# --------------------------------------------------------------------------- conv layer

# (x shape, w shape, stride, padding): F == C first (so a missing channel swap shows),
# stride 2 with kernels of 3 (overlapping windows), a last row no window reads, stride 1.
_CONV_CASES = [((2, 2, 5, 6), (2, 2, 3, 2), 2, 1),
               ((2, 3, 6, 7), (2, 3, 3, 3), 2, 1),
               ((1, 2, 4, 5), (3, 2, 2, 3), 1, 0)]


def _conv_case(k: int):
    xs, ws, s, p = _CONV_CASES[k]
    rng = np.random.default_rng(520 + k)
    x = rng.standard_normal(xs)
    w = rng.standard_normal(ws)
    Ho, Wo = (xs[2] + 2 * p - ws[2]) // s + 1, (xs[3] + 2 * p - ws[3]) // s + 1
    dy = rng.standard_normal((xs[0], ws[0], Ho, Wo))
    return dy, x, w, s, p


_CONV_HINTS = {
    "dx": "dx has x's shape (N, C, H, W): add dy[n, f, i, j] * w[f] onto the window of "
          "x_pad that output read (rows i*stride .. i*stride + kh - 1), then crop the padding",
    "dw": "dw has w's shape (F, C, kh, kw): dw[f] += dy[n, f, i, j] * (the window of x_pad "
          "that output read), over every n, i, j",
    "db": "db has shape (F,): db[f] sums dy[n, f, i, j] over n, i and j",
}


def _three(got, label):
    if isinstance(got, Verdict):
        return got
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        return wrong(f"{label} should return three arrays (dx, dw, db); got "
                     f"{type(got).__name__}" + (f" of length {len(got)}"
                                                if isinstance(got, (tuple, list)) else ""),
                     hint="end with: return dx, dw, db")
    return got


def conv_backward(fn, *, time_limit: float = _core.TIME_LIMIT) -> Verdict:
    """``fn(dy, x, w, stride, padding)`` must return ``(dx, dw, db)`` of
    ``conv2d(x, w, b, stride=stride, padding=padding)`` (shapes of x, w and b)."""
    cases = []
    for k in range(len(_CONV_CASES)):
        dy, x, w, s, p = _conv_case(k)
        cases.append((dy, x, w, s, p, conv2d_backward(dy, x, w, stride=s, padding=p),
                      mk.conv_mistakes(dy, x, w, s, p)))
    with watch_calls(conv2d_backward, conv2d_backward_naive, conv2d_backward_formulas,
                     conv_transpose2d, conv2d_backward_im2col) as seen:
        for k, (dy, x, w, s, p, ref, mistakes) in enumerate(cases):
            got = _three(call(fn, dy.copy(), x.copy(), w.copy(), s, p,
                              name="my_conv_backward", time_limit=time_limit),
                         "my_conv_backward")
            if isinstance(got, Verdict):
                return got
            where = f"(case {k}: x {x.shape}, w {w.shape}, stride {s}, padding {p})"
            for name, g, r in zip(("dx", "dw", "db"), got, ref):
                v = compare(g, r, f"{name} {where}", hint=_CONV_HINTS[name],
                            mistakes=mistakes[name])
                if not v:
                    return v
    return passed(f"dx, dw and db match conv2d_backward in all {len(_CONV_CASES)} settings "
                  "(stride 2 and 1, padding 1 and 0, F = C and F != C).",
                  _package_note(seen, "the loops"))


# --------------------------------------------------------------------------- max pooling

# (x shape, size, stride): integer inputs, so windows have ties
_POOL_CASES = [((2, 2, 7, 6), 3, 2), ((1, 3, 4, 6), 2, 2), ((2, 1, 5, 4), 2, 1)]


def _pool_case(k: int):
    xs, size, s = _POOL_CASES[k]
    rng = np.random.default_rng(540 + k)
    x = rng.integers(0, 3, size=xs).astype(float)
    pool = MaxPool2D(size, s)
    dy = rng.standard_normal(pool.forward(x).shape)
    return dy, x, size, s, pool.backward(dy)


def max_pool_backward(fn, *, time_limit: float = _core.TIME_LIMIT) -> Verdict:
    """``fn(dy, x, size, stride)`` must return ``dx`` of max pooling (ties: first max)."""
    cases = []
    for k in range(len(_POOL_CASES)):
        dy, x, size, s, ref = _pool_case(k)
        cases.append((dy, x, size, s, ref, mk.pool_mistakes(dy, x, size, s)))
    with watch_calls(MaxPool2D._backward, max_pool_backward_naive) as seen:
        for k, (dy, x, size, s, ref, mistakes) in enumerate(cases):
            got = call(fn, dy.copy(), x.copy(), size, s, name="my_max_pool_backward",
                       time_limit=time_limit)
            if isinstance(got, Verdict):
                return got
            v = compare(got, ref, f"dx (case {k}: x {x.shape}, size {size}, stride {s})",
                        hint="dx has x's shape; each dy[n, c, i, j] goes, whole, to the "
                             "FIRST maximum of its window (np.argmax), and adds (+=) to "
                             "what other windows sent there",
                        mistakes=mistakes)
            if not v:
                return v
    return passed(f"dx matches MaxPool2D.backward in all {len(_POOL_CASES)} settings (ties, "
                  "overlapping windows, stride 1).", _package_note(seen, "the loops"))

