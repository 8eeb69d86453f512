"""Checks for the exercises of notebook 02, "The convolutional layer".

Each check runs the learner's function on fixed inputs and returns a
:class:`~cnnedu.exercises._core.Verdict`; it never raises. Where a wrong answer matches a
common mistake (ceil instead of floor, padding on one side, a forgotten bias, the
channels left out, Keras' weight order, a flipped kernel) the verdict names it.

>>> from cnnedu.exercises.solutions import nb02 as sol
>>> output_size(sol.output_size).passed
True
>>> print(param_count(lambda in_channels, out_channels, kernel_size: None))
NOT YET: <lambda> returned None: replace the stub with your code, then run this cell again.
"""
from __future__ import annotations

import numbers

import numpy as np

from cnnedu.topics import shapes
from cnnedu.nn.conv import conv2d
from cnnedu.exercises._core import Verdict, call, compare, passed, wrong

__all__ = ["output_size", "param_count", "weight_shape", "conv_forward_loops",
           "OUTPUT_SIZE_CASES", "PARAM_CASES"]

#: (H, k, stride, padding): chosen so that ceil, one-sided padding and a forgotten +1 all
#: give a different answer somewhere.
OUTPUT_SIZE_CASES = [(32, 3, 1, 1), (7, 3, 2, 0), (6, 3, 2, 0), (32, 5, 2, 2), (28, 5, 1, 0),
                     (10, 4, 3, 1), (5, 5, 1, 0)]

#: (C, F, k)
PARAM_CASES = [(3, 20, 3), (16, 32, 5), (1, 8, 3), (64, 128, 1)]


def _is_int(v) -> bool:
    if isinstance(v, (bool, np.bool_)):
        return False
    if isinstance(v, numbers.Integral):
        return True
    return isinstance(v, (float, np.floating)) and float(v).is_integer()


# ----------------------------------------------------------------------- exercise 1

def _diagnose(answers, mistakes, default):
    """The hint of the first mistake that explains *every* answer (so a coincidence in one
    case does not mislead), else ``default``."""
    for formula, hint in mistakes:
        if all(g == formula(*case) for case, g in answers):
            return hint
    return default


def output_size(fn) -> Verdict:
    """Check ``fn(H, k, stride=..., padding=...)``: the output size along one axis."""
    answers, first_bad = [], None
    for H, k, s, p in OUTPUT_SIZE_CASES:
        got = call(fn, H, k, stride=s, padding=p)
        if isinstance(got, Verdict):
            return got
        label = f"the output size for H={H}, k={k}, stride={s}, padding={p}"
        if not _is_int(got):
            return wrong(f"{label} should be a whole number; got {got!r}",
                         hint="use floor division // so the result is an int")
        right = shapes.output_size(H, k, stride=s, padding=p)
        answers.append(((H, k, s, p), int(got)))
        if int(got) != right and first_bad is None:
            first_bad = f"{label} = {got!r}; expected {right}."
    if first_bad is None:
        return passed(f"your formula gives the right output size in all "
                      f"{len(OUTPUT_SIZE_CASES)} cases (with stride, padding, and a kernel as "
                      "large as the input).")
    mistakes = [
        (lambda H, k, s, p: shapes.output_size_ceil(H, k, stride=s, padding=p),
         "you rounded up. A window must fit entirely inside the padded input, so round "
         "DOWN: (H + 2*padding - k) // stride + 1"),
        (lambda H, k, s, p: shapes.output_size_one_side(H, k, stride=s, padding=p),
         "padding adds zeros on BOTH sides: H + 2*padding"),
        (lambda H, k, s, p: (H + 2 * p - k) // s,
         "count the first window too: ... // stride + 1"),
    ]
    return wrong(first_bad, hint=_diagnose(answers, mistakes,
                                           "H_out = (H + 2*padding - k) // stride + 1"))


# ----------------------------------------------------------------------- exercise 2

def param_count(fn) -> Verdict:
    """Check ``fn(in_channels, out_channels, kernel_size)``: learned numbers of a conv layer."""
    answers, first_bad = [], None
    for C, F, k in PARAM_CASES:
        got = call(fn, C, F, k)
        if isinstance(got, Verdict):
            return got
        label = f"the parameter count for C={C}, F={F}, k={k}"
        if not _is_int(got):
            return wrong(f"{label} should be a whole number; got {got!r}")
        right = shapes.conv_params(C, F, k)
        answers.append(((C, F, k), int(got)))
        if int(got) != right and first_bad is None:
            first_bad = f"{label} = {int(got)}; expected {right}."
    if first_bad is None:
        return passed(f"your count is right in all {len(PARAM_CASES)} cases: F*C*k*k + F.")
    mistakes = [
        (lambda C, F, k: F * C * k * k, "you forgot the biases: one per filter, so + F"),
        (lambda C, F, k: F * k * k + F,
         "each filter spans ALL C input channels: its weights are C*k*k, not k*k"),
        (lambda C, F, k: F * C * k * k + F * C,
         "one bias per filter (F of them), not one per channel"),
        (lambda C, F, k: F * C * k + F, "a k x k filter has k*k weights per channel"),
        (lambda C, F, k: C * k * k + 1, "that is one filter; the layer has F of them"),
    ]
    return wrong(first_bad, hint=_diagnose(
        answers, mistakes, "F filters, each with C*k*k weights, plus one bias per filter"))


# ----------------------------------------------------------------------- exercise 3

def weight_shape(fn) -> Verdict:
    """Check ``fn(in_channels, out_channels, kernel_size)``: the weight tensor's shape."""
    for C, F, k in [(3, 20, 5), (16, 32, 3), (1, 4, 7)]:
        got = call(fn, C, F, k)
        if isinstance(got, Verdict):
            return got
        right = shapes.weight_shape(C, F, k)
        label = f"the weight shape for C={C}, F={F}, k={k}"
        try:
            g = tuple(int(v) for v in got)
        except (TypeError, ValueError):
            return wrong(f"{label} should be a tuple of 4 integers; got {got!r}",
                         hint="return (F, C, kh, kw)")
        if g == right:
            continue
        hints = {
            (C, F, k, k): "PyTorch puts the filters first: (F, C, kh, kw)",
            (k, k, C, F): "that is Keras' order (kh, kw, C, F); this series uses PyTorch's "
                          "(F, C, kh, kw)",
            (F, k, k): "each filter spans all C input channels: (F, C, kh, kw)",
            (F, k, k, C): "channels come before the kernel rows and columns: (F, C, kh, kw)",
        }
        return wrong(f"{label} = {g}; expected {right}.",
                     hint=hints.get(g, "(F, C, kh, kw): filters, input channels, kernel rows, "
                                       "kernel columns"))
    return passed("your weight shapes are right: (F, C, kh, kw).")


# ----------------------------------------------------------------------- exercise 4

def _forward_case():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 3, 6, 5))
    w = rng.normal(size=(4, 3, 3, 2))          # not square: rows and columns must not mix
    b = np.array([0.5, -1.0, 2.0, 0.25])
    return x, w, b


def conv_forward_loops(fn) -> Verdict:
    """Check ``fn(x, w, b)``: a conv layer's forward pass (stride 1, no padding) with loops."""
    x, w, b = _forward_case()
    got = call(fn, x.copy(), w.copy(), b.copy())
    if isinstance(got, Verdict):
        return got
    expected = conv2d(x, w, b)
    label = f"y for x {x.shape}, w {w.shape}, b {b.shape}"
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        arr = None
    if arr is not None and arr.shape == expected.shape and not np.allclose(arr, expected):
        suspects = [
            (conv2d(x, w), "the bias is missing: add b[f] to every element of map f"),
            (conv2d(x[:, :1], w[:, :1], b), "only channel 0 was used: the window is "
                                            "x[n, :, i:i+kh, j:j+kw], all C channels, summed"),
            (conv2d(x, w[:, :, ::-1, ::-1], b), "the kernel was flipped: a conv layer "
                                                "cross-correlates (no flip)"),
            (conv2d(x, w) + b.sum(), "each map gets its own bias b[f], not the sum of all"),
        ]
        for wrong_y, hint in suspects:
            if np.allclose(arr, wrong_y):
                return wrong(f"{label} has the right shape {expected.shape} but wrong values.",
                             hint=hint)
    elif arr is not None and arr.ndim == 4 and arr.shape[1] == x.shape[1] \
            and arr.shape != expected.shape:
        return wrong(f"{label} has shape {arr.shape}; expected {expected.shape}.",
                     hint="the output has one channel per FILTER (F), not per input channel")
    v = compare(got, expected, label,
                hint="y[n, f, i, j] = sum(x[n, :, i:i+kh, j:j+kw] * w[f]) + b[f], with "
                     "H_out = H - kh + 1 and W_out = W - kw + 1")
    if not v:
        return v
    return passed(f"your loops match cnnedu.nn.conv.conv2d on a batch of 2, 3 channels and 4 "
                  f"non-square filters: y has shape {expected.shape}.")
