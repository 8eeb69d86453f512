"""Checks for the exercises of notebook 04, "Activations and the linear collapse".

Each check runs the learner's function on fixed inputs and returns a
:class:`~cnnedu.exercises._core.Verdict`; it never raises.

>>> from cnnedu.exercises.solutions import nb04 as sol
>>> collapse_two_nodes(sol.collapse_two_nodes).passed
True
>>> print(combined_kernel(lambda k1, k2: None))
NOT YET: <lambda> returned None: replace the stub with your code, then run this cell again.
"""
from __future__ import annotations

import numpy as np

from cnnedu.nn import activations
from cnnedu.topics.collapse import collapse_dense, full_convolve2d, run_dense
from cnnedu.nn.conv import conv2d
from cnnedu.exercises._core import Verdict, call, compare, not_yet, passed, wrong

__all__ = ["collapse_two_nodes", "combined_kernel", "predict_saturation",
           "SATURATION_RANGES", "SATURATION_CHOICES", "saturated_set"]


# ----------------------------------------------------------------------- exercise 1

def _node_cases():
    rng = np.random.default_rng(4)
    m0, b0 = rng.integers(-3, 4, size=(3, 2)).astype(float), np.array([1.0, -2.0, 0.5])
    m1, b1 = rng.integers(-3, 4, size=(4, 3)).astype(float), np.array([0.0, 1.0, 2.0, -1.0])
    return [
        (np.array([[2.0]]), np.array([1.0]), np.array([[3.0]]), np.array([-4.0])),  # 1 node
        (m0, b0, m1, b1),
    ]


def _as_pair(got):
    if isinstance(got, Verdict):
        return got
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return wrong(f"your function should return a pair (M, B); got {type(got).__name__}",
                     hint="end with: return M, B")
    return tuple(got)


def collapse_two_nodes(fn) -> Verdict:
    """Check ``fn(m0, b0, m1, b1) -> (M, B)`` with ``x2 = M x0 + B``."""
    for m0, b0, m1, b1 in _node_cases():
        got = _as_pair(call(fn, m0.copy(), b0.copy(), m1.copy(), b1.copy()))
        if isinstance(got, Verdict):
            return got
        M, B = collapse_dense([m0, m1], [b0, b1])
        label = f"for m0 {m0.shape} and m1 {m1.shape}"
        v = compare(got[0], M, f"M {label}",
                    hint="x2 = m1 (m0 x0 + b0) + b1: multiply out the bracket; with matrices "
                         "m0 acts first, so it stands on the right: M = m1 @ m0")
        if not v:
            return v
        b_hint = "the bias of the first node goes through the second node's weight"
        try:
            if np.allclose(np.asarray(got[1], dtype=float), b0.sum() + b1) or \
                    np.allclose(np.asarray(got[1], dtype=float)[:len(b1)], b1):
                b_hint += ": B is m1 @ b0 + b1, not b0 + b1"
        except (TypeError, ValueError, IndexError):
            pass
        v = compare(got[1], B, f"B {label}", hint=b_hint)
        if not v:
            return v
    x0 = np.array([0.5, -1.0])
    m0, b0, m1, b1 = _node_cases()[1]
    two = run_dense([m0, m1], [b0, b1], x0)
    return passed(f"M and B are right: for x0 = {x0.tolist()}, M x0 + B = "
                  f"{np.round(M @ x0 + B, 3).tolist()} and the two nodes give "
                  f"{np.round(two, 3).tolist()}.")


# ----------------------------------------------------------------------- exercise 2

def _kernel_cases():
    rng = np.random.default_rng(5)
    return [
        (np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, -1.0]])),            # 1-D, as rows
        (np.array([[1.0, 0.0, -1.0]]), np.array([[1.0, 2.0, 1.0]])),
        (rng.integers(-2, 3, size=(3, 3)).astype(float),
         rng.integers(-2, 3, size=(2, 3)).astype(float)),                  # 2-D, not square
    ]


def combined_kernel(fn) -> Verdict:
    """Check ``fn(k1, k2) -> K``: one kernel equal to correlating with k1, then with k2."""
    for k1, k2 in _kernel_cases():
        got = call(fn, k1.copy(), k2.copy())
        if isinstance(got, Verdict):
            return got
        expected = full_convolve2d(k1, k2)
        label = f"K for k1 {k1.shape} and k2 {k2.shape}"
        try:
            arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            arr = None
        if arr is not None and arr.shape == expected.shape and not np.allclose(arr, expected):
            flipped = full_convolve2d(k1, k2[::-1, ::-1])
            if np.allclose(arr, flipped) or np.allclose(arr, flipped[::-1, ::-1]):
                return wrong(f"{label} is the full correlation (one kernel flipped): the "
                             "combined kernel of two correlations is their convolution.",
                             hint="K[u, v] = sum over a, b of k1[a, b] * k2[u - a, v - b]: "
                                  "each tap k2[p, q] adds k1 * k2[p, q] at offset (p, q)")
        v = compare(got, expected, label,
                    hint="the combined kernel has size (h1 + h2 - 1, w1 + w2 - 1); each tap "
                         "k2[p, q] adds k1 * k2[p, q] into K[p:p + h1, q:q + w1]")
        if not v:
            return v
    k1, k2 = _kernel_cases()[2]
    x = np.random.default_rng(6).normal(size=(1, 1, 9, 9))
    K = np.asarray(fn(k1, k2), dtype=float)
    two = conv2d(conv2d(x, k1[None, None]), k2[None, None])
    diff = float(np.abs(two - conv2d(x, K[None, None])).max())
    return passed(f"your kernels are right, and on a random 9x9 input one layer with your K "
                  f"matches the two layers (largest difference {diff:.1e}).")


# ----------------------------------------------------------------------- exercise 3

SATURATION_RANGES = ((-1, 2), (4, 10), (-10, -4), (-5, 1))
"""The input ranges of exercise 3."""

SATURATION_CHOICES = ("relu", "leaky_relu", "sigmoid", "tanh")
"""The activations to choose from."""


def saturated_set(low: float, high: float) -> set:
    """The activations saturated (derivative below 1% of its largest value) on more than
    half of ``[low, high]``, measured on 1001 evenly spaced points."""
    x = np.linspace(low, high, 1001)
    return {n for n in SATURATION_CHOICES if activations.saturation_fraction(n, x) > 0.5}


def predict_saturation(fn) -> Verdict:
    """Check ``fn() -> {(low, high): set of names}`` against the measured saturation."""
    got = call(fn, name=getattr(fn, "__name__", "predict_saturation"))
    if isinstance(got, Verdict):
        return got
    if not isinstance(got, dict):
        return wrong(f"return a dict {{(low, high): set of names}}; got {type(got).__name__}",
                     hint="e.g. {(-1, 2): set(), (4, 10): {'tanh'}, ...}")
    for rng_ in SATURATION_RANGES:
        if rng_ not in got:
            return not_yet(f"no answer yet for the range {rng_}: add the key {rng_}.")
        answer = got[rng_]
        if answer is None:
            return not_yet(f"no answer yet for the range {rng_}.")
        if isinstance(answer, str):
            answer = {answer}
        try:
            answer = {str(a) for a in answer}
        except TypeError:
            return wrong(f"the answer for {rng_} should be a set of names; got {answer!r}")
        unknown = answer - set(SATURATION_CHOICES)
        if unknown:
            return wrong(f"the answer for {rng_} names {sorted(unknown)}; choose from "
                         f"{list(SATURATION_CHOICES)}.")
        truth = saturated_set(*rng_)
        if answer != truth:
            missing, extra = sorted(truth - answer), sorted(answer - truth)
            details = []
            x = np.linspace(*rng_, 1001)
            for n in missing + extra:
                details.append(f"{n}: saturated on "
                               f"{100 * activations.saturation_fraction(n, x):.0f}% of {rng_}")
            what = []
            if missing:
                what.append(f"missing {missing}")
            if extra:
                what.append(f"{extra} should not be there")
            return wrong(f"for inputs in {rng_}: {'; '.join(what)}.",
                         hint="saturated means f'(x) < 1% of its largest value: relu for x <= 0, "
                              "leaky_relu never, sigmoid for |x| > 6, tanh for |x| > 3",
                         details=details)
    return passed("your predictions match the measured saturation on all "
                  f"{len(SATURATION_RANGES)} ranges.")
