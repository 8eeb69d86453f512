"""Checks for the exercises of notebook 05, Backpropagation through a convolution.

Each check runs the learner's function on several seeded, non-square cases with
non-symmetric kernels and compares with :func:`cnnedu.nn.conv.conv2d_backward`. It recognises
the usual mistakes (a rotated kernel where none belongs, a missing rotation, a "valid"
result where a "full" one is needed) and says so.

>>> from cnnedu.exercises.solutions import nb05 as sol
>>> dw_loops(sol.dw_loops).passed, dx_loops(sol.dx_loops).passed
(True, True)
>>> print(dw_loops(lambda x, dy: None).status)
not yet
"""
from __future__ import annotations

import numpy as np

from cnnedu.nn.conv import conv2d_backward, convolve2d, correlate2d, rot180
from cnnedu.exercises._core import Verdict, call, compare, passed, run_all, wrong

__all__ = ["dw_loops", "dx_loops", "gradient_shapes"]

# (H, W) of the input, (kh, kw) of the kernel
_CASES = [((5, 6), (2, 3)), ((4, 4), (3, 3)), ((6, 5), (3, 2)), ((3, 7), (1, 4))]


def _case(k: int):
    (H, W), (kh, kw) = _CASES[k]
    rng = np.random.default_rng(500 + k)
    x = rng.standard_normal((H, W))
    w = rng.standard_normal((kh, kw))
    dy = rng.standard_normal((H - kh + 1, W - kw + 1))
    dx, dw, _ = conv2d_backward(dy[None, None], x[None, None], w[None, None])
    return x, w, dy, dx[0, 0], dw[0, 0]


def _same(got, ref) -> bool:
    try:
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    return g.shape == ref.shape and np.allclose(g, ref)


def dw_loops(fn) -> Verdict:
    """``fn(x, dy)`` must return ``dW``, shape ``(H - H_out + 1, W - W_out + 1)``."""
    verdicts = []
    for k in range(len(_CASES)):
        x, w, dy, _, dw = _case(k)
        got = call(fn, x.copy(), dy.copy(), name="my_dw_loops")
        if isinstance(got, Verdict):
            return got
        if not _same(got, dw) and _same(got, rot180(dw)):
            return wrong(f"case {k}: your dW is the reference rotated by 180 degrees.",
                         "dW needs no rotation: dW[u, v] = sum dY[i, j] * x[i + u, j + v] "
                         "(x correlated with dY). The rotation belongs to dX.")
        if not _same(got, dw) and _same(got, convolve2d(x, dy, "valid")):
            return wrong(f"case {k}: your dW is x convolved with dY (dY flipped).",
                         "dW needs no rotation: dW[u, v] = sum dY[i, j] * x[i + u, j + v] "
                         "(x correlated with dY). The rotation belongs to dX.")
        v = compare(got, dw, f"dW (case {k}: x {x.shape}, dY {dy.shape})",
                    hint="dW has the kernel's shape (H - H_out + 1, W - W_out + 1), and "
                         "each dW[u, v] sums dY[i, j] * x[i + u, j + v] over ALL i, j")
        verdicts.append(v)
    return run_all(verdicts, f"dW matches conv2d_backward on all {len(_CASES)} cases.")


def dx_loops(fn) -> Verdict:
    """``fn(dy, w)`` must return ``dX``, shape ``(H_out + kh - 1, W_out + kw - 1)``."""
    verdicts = []
    for k in range(len(_CASES)):
        x, w, dy, dx, _ = _case(k)
        got = call(fn, dy.copy(), w.copy(), name="my_dx_loops")
        if isinstance(got, Verdict):
            return got
        if not _same(got, dx) and _same(got, correlate2d(dy, w, "full")):
            return wrong(f"case {k}: your dX is the full correlation of dY with W, not "
                         "rotated.",
                         "x[i + u, j + v] met w[u, v] in output (i, j): add dY[i, j] * "
                         "w[u, v] into dX[i + u, j + v]. As one operation that is the full "
                         "correlation with rot180(W).")
        v = compare(got, dx, f"dX (case {k}: dY {dy.shape}, W {w.shape})",
                    hint="dX has the input's shape (H_out + kh - 1, W_out + kw - 1): "
                         "'full', not 'valid'; loop over outputs and kernel taps and add "
                         "dY[i, j] * w[u, v] into dX[i + u, j + v]")
        verdicts.append(v)
    return run_all(verdicts, f"dX matches conv2d_backward on all {len(_CASES)} cases.")


_SHAPE_CASES = [
    ((2, 3, 8, 8), (4, 3, 3, 3), 1, 0),
    ((1, 3, 32, 32), (16, 3, 5, 5), 1, 2),
    ((5, 1, 28, 28), (6, 1, 3, 3), 2, 1),
    ((4, 8, 7, 9), (2, 8, 3, 2), 2, 0),
    ((1, 2, 10, 6), (3, 2, 4, 4), 3, 1),
]


def _as_shape(s):
    try:
        return tuple(int(v) for v in s)
    except (TypeError, ValueError):
        return None


def gradient_shapes(fn) -> Verdict:
    """``fn(x_shape, w_shape, stride, padding)`` must return the shapes of
    ``(dy, dx, dw, db)``, as tuples."""
    from cnnedu.exercises.solutions.nb05 import gradient_shapes as ref_fn

    names = ("dy", "dx", "dw", "db")
    hints = {
        "dy": "dy has y's shape (N, F, H_out, W_out), H_out = (H + 2*padding - kh) // "
              "stride + 1",
        "dx": "dx has x's shape: the gradient of the unpadded input (the padding is "
              "cropped off)",
        "dw": "dw has w's shape (F, C, kh, kw)",
        "db": "db has b's shape: one number per filter, (F,)",
    }
    for x_shape, w_shape, s, p in _SHAPE_CASES:
        got = call(fn, x_shape, w_shape, s, p, name="my_gradient_shapes")
        if isinstance(got, Verdict):
            return got
        ref = ref_fn(x_shape, w_shape, s, p)
        if not isinstance(got, (tuple, list)) or len(got) != 4:
            return wrong(f"return 4 shapes (dy, dx, dw, db); got {got!r}",
                         "return a tuple: (dy_shape, dx_shape, dw_shape, db_shape)")
        for name, g, e in zip(names, got, ref):
            if _as_shape(g) != e:
                return wrong(f"for x {x_shape}, w {w_shape}, stride {s}, padding {p}: "
                             f"{name} shape {g!r}; expected {e}.", hints[name])
    return passed(f"all four shapes right in all {len(_SHAPE_CASES)} settings.")
