"""Checks for the exercises of notebook 02, "The convolutional layer".

Each check runs the learner's function on small non-square, non-symmetric cases and
returns a :class:`~cnnedu.exercises._core.Verdict`; it never raises. A wrong answer that
equals what a classic mistake gives is named ("this is what you get when the kernel is
flipped"). The cases are chosen so that every named mistake shows in at least one of them
(``tests/test_checks_nb02.py`` runs one mutant per mistake).

Warm-up (recall): :func:`output_size`, :func:`param_count`, :func:`weight_shape`.
Build: :func:`conv_forward`, :func:`max_pool_forward`, :func:`receptive_field`,
:func:`window_matrix`.

>>> from cnnedu.exercises.solutions import nb02 as sol
>>> output_size(sol.output_size).passed, conv_forward(sol.conv_forward).passed
(True, True)
>>> print(param_count(lambda in_channels, out_channels, kernel_size: None))
NOT YET: <lambda> returned None: replace the stub with your code, then run this cell again.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from cnnedu.exercises._core import (TIME_LIMIT, Verdict, call, compare, compare_value,
                                    passed, watch_calls, wrong)
from cnnedu.nn.conv import conv2d, conv2d_naive, correlate2d
from cnnedu.nn.layers import MaxPool2D
from cnnedu.topics import im2col, pooling, shapes
from cnnedu.topics import receptive_field as rf

__all__ = ["output_size", "param_count", "weight_shape", "conv_forward", "max_pool_forward",
           "receptive_field", "window_matrix", "OUTPUT_SIZE_CASES", "PARAM_CASES",
           "CONV_CASES", "POOL_CASES", "RF_CASES", "WINDOW_CASES"]

#: (H, k, stride, padding): ceil, one-sided padding and a forgotten +1 all differ somewhere.
OUTPUT_SIZE_CASES = [(32, 3, 1, 1), (7, 3, 2, 0), (6, 3, 2, 0), (32, 5, 2, 2), (28, 5, 1, 0),
                     (10, 4, 3, 1), (5, 5, 1, 0)]
PARAM_CASES = [(3, 20, 3), (16, 32, 5), (1, 8, 3), (64, 128, 1)]   #: (C, F, k)


def _note(seen, what: str) -> list[str]:
    names = sorted({n.replace(".fast.", ".").replace(".naive.", ".") for n in seen})
    return [f"you called {', '.join(names)}; that passes, but the exercise asks you to "
            f"{what}"] if names else []


def _watched(watch, seen: set, fn, *args, **kwargs):
    """``call(fn, ...)``, adding to ``seen`` the names of ``watch`` it ran."""
    with watch_calls(*watch) as ran:
        got = call(fn, *args, **kwargs)
    seen |= ran
    return got


def _formulas(fn, cases, right, mistakes, label, time_limit, hint, watch=(), seen=None):
    """Run ``fn`` on every case; if an answer is wrong, name the mistake whose formula
    explains *every* answer (so one coincidence does not mislead)."""
    answers = []
    for case in cases:
        got = _watched(watch, set() if seen is None else seen, fn, *case,
                       time_limit=time_limit)
        if isinstance(got, Verdict):
            return got
        v = compare_value(got, right(*case), label(*case), exact=True, hint=hint)
        if not v and not _whole(got):
            return v
        answers.append((case, got, v))
    bad = [(case, got, v) for case, got, v in answers if not v]
    if not bad:
        return None
    case, _, v = bad[0]
    said = f"{v.message[:-1]} (expected {right(*case)})"     # the learner can compare by hand
    for description, formula, mhint in mistakes:
        if all(int(got) == formula(*case) for case, got, _ in answers):
            return wrong(f"{said}: this is what you get when {description}.", mhint,
                         mistake=description)
    return wrong(f"{said}.", v.hint, v.details)


def _whole(g) -> bool:
    if isinstance(g, (bool, np.bool_)):
        return False
    if isinstance(g, numbers.Integral):
        return True
    return isinstance(g, (float, np.floating)) and math.isfinite(g) and float(g).is_integer()


# ----------------------------------------------------------------------- warm-up

def output_size(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(H, k, stride, padding)``: the output length along one axis."""
    mistakes = [
        ("the output size is rounded up (ceil)", lambda H, k, s, p: math.ceil(
            (H + 2 * p - k) / s) + 1, "a window must fit entirely inside the padded input: "
         "round DOWN, (H + 2*padding - k) // stride + 1"),
        ("the padding is added on one side only", lambda H, k, s, p: (H + p - k) // s + 1,
         "padding adds zeros on BOTH sides: H + 2*padding"),
        ("the first window is not counted", lambda H, k, s, p: (H + 2 * p - k) // s,
         "count the first window too: ... // stride + 1"),
    ]
    v = _formulas(fn, OUTPUT_SIZE_CASES,
                  lambda H, k, s, p: shapes.output_size(H, k, stride=s, padding=p), mistakes,
                  lambda H, k, s, p: f"the output size for H={H}, k={k}, stride={s}, "
                                     f"padding={p}", time_limit,
                  "H_out = (H + 2*padding - k) // stride + 1; use // so it is an int")
    return v if v is not None else passed(f"your formula gives the right output size in all "
                       f"{len(OUTPUT_SIZE_CASES)} cases (with stride, padding, and a kernel "
                       "as large as the input).")


def param_count(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(in_channels, out_channels, kernel_size)``: learned numbers of a conv layer."""
    mistakes = [
        ("the biases are forgotten", lambda C, F, k: F * C * k * k,
         "one bias per filter: + F"),
        ("each filter has only k*k weights", lambda C, F, k: F * k * k + F,
         "each filter spans ALL C input channels: its weights are C*k*k"),
        ("there is one bias per channel", lambda C, F, k: F * C * k * k + F * C,
         "one bias per filter (F of them), not one per channel"),
        ("a k x k slice has k weights", lambda C, F, k: F * C * k + F,
         "a k x k filter has k*k weights per channel"),
        ("only one filter is counted", lambda C, F, k: C * k * k + 1,
         "that is one filter; the layer has F of them"),
    ]
    v = _formulas(fn, PARAM_CASES, shapes.conv_params, mistakes,
                  lambda C, F, k: f"the parameter count for C={C}, F={F}, k={k}", time_limit,
                  "F filters, each with C*k*k weights, plus one bias per filter")
    return v if v is not None else passed(f"your count is right in all {len(PARAM_CASES)} cases: F*C*k*k + F.")


def weight_shape(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(in_channels, out_channels, kernel_size)``: the weight tensor's shape."""
    for C, F, k in [(3, 20, 5), (16, 32, 3), (1, 4, 7)]:
        got = call(fn, C, F, k, time_limit=time_limit)
        if isinstance(got, Verdict):
            return got
        if isinstance(got, list):
            got = tuple(got)
        mistakes = {
            "the channels come first": ((C, F, k, k), "PyTorch puts the filters first: "
                                                      "(F, C, kh, kw)"),
            "Keras' order is used": ((k, k, C, F), "Keras' order is (kh, kw, C, F); this "
                                                   "series uses PyTorch's (F, C, kh, kw)"),
            "the input channels are left out": ((F, k, k), "each filter spans all C input "
                                                           "channels: (F, C, kh, kw)"),
            "the channels come last": ((F, k, k, C), "channels come before the kernel rows "
                                                     "and columns: (F, C, kh, kw)"),
        }
        v = compare_value(got, shapes.weight_shape(C, F, k),
                          f"the weight shape for C={C}, F={F}, k={k}", exact=True,
                          mistakes=mistakes, hint="return a tuple (F, C, kh, kw)")
        if not v:
            return v
    return passed("your weight shapes are right: (F, C, kh, kw).")


# ----------------------------------------------------------------------- conv_forward

def _case(seed, x_shape, w_shape):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=x_shape)
    w = rng.normal(size=w_shape)
    b = np.linspace(0.5, -1.5, w_shape[0]) + np.arange(w_shape[0]) ** 2 * 0.3
    return x, w, b


#: (x, w, b, stride, padding): N=2 differs from F; rectangular kernels; stride 2 with a
#: remainder; padding 1 and 2.
CONV_CASES = [(*_case(1, (2, 3, 5, 6), (4, 3, 3, 2)), 1, 0),
              (*_case(2, (2, 3, 8, 7), (4, 3, 3, 2)), 2, 1),
              (*_case(3, (2, 2, 6, 5), (3, 2, 2, 3)), 1, 2)]


def _pad(x, before, after):  # zeros before/after along H and W
    return np.pad(x, ((0, 0), (0, 0), (before, after), (before, after)))


def _conv_mistakes(x, w, b, s, p):
    F, C, kh, kw = w.shape
    ref = conv2d(x, w, b, stride=s, padding=p)
    Ho, Wo = ref.shape[2:]
    xp = _pad(x, p, p)
    Hc = math.ceil((xp.shape[2] - kh) / s) + 1
    Wc = math.ceil((xp.shape[3] - kw) / s) + 1
    ceil_x = np.pad(xp, ((0, 0), (0, 0), (0, (Hc - 1) * s + kh - xp.shape[2]),
                         (0, (Wc - 1) * s + kw - xp.shape[3])))
    bias = b.reshape(1, -1, 1, 1)
    z = ref - bias
    return {
        "the kernel is flipped (a true convolution; a conv layer cross-correlates)": (
            conv2d(x, w[:, :, ::-1, ::-1], b, stride=s, padding=p),
            "use w[f] as it is: y[n, f, i, j] = sum(window * w[f]) + b[f]"),
        "the output size is rounded up (ceil), so windows hanging over the edge count": (
            conv2d(ceil_x, w, b, stride=s), "H_out = (H + 2*padding - kh) // stride + 1"),
        "the padding is added on one side only (before: top and left)": (
            conv2d(_pad(x, p, 0), w, b, stride=s), "pad BOTH sides: np.pad(x, ((0, 0), "
                                                   "(0, 0), (p, p), (p, p)))"),
        "the padding is added on one side only (after: bottom and right)": (
            conv2d(_pad(x, 0, p), w, b, stride=s), "pad BOTH sides: np.pad(x, ((0, 0), "
                                                   "(0, 0), (p, p), (p, p)))"),
        "the bias is missing": (z, "add b[f] to every element of map f"),
        "one bias (b[0]) is added to every map": (z + b[0], "map f gets its own bias b[f]"),
        "the bias is added once for all filters (their sum)": (
            z + b.sum(), "map f gets its own bias b[f], once"),
        "the bias is added once per input channel (C * b[f])": (
            z + C * bias, "add b[f] once per output, after the sum over channels, not "
                          "inside the channel loop"),
        "the channels are not summed: only the last channel is kept": (
            conv2d(x[:, -1:], w[:, -1:], b, stride=s, padding=p),
            "the window is x_pad[n, :, ...]: all C channels, summed into one number"),
        "only channel 0 is used": (
            conv2d(x[:, :1], w[:, :1], b, stride=s, padding=p),
            "the window is x_pad[n, :, ...]: all C channels, summed into one number"),
        "the N and F axes are swapped": (
            ref.transpose(1, 0, 2, 3), "y has shape (N, F, H_out, W_out): images first, "
                                       "then one map per filter"),
        "the stride is ignored (a window at every pixel)": (
            conv2d(x, w, b, padding=p), "window (i, j) starts at (i*stride, j*stride)"),
        "window (i, j) starts at (i, j) instead of (i*stride, j*stride)": (
            conv2d(x, w, b, padding=p)[:, :, :Ho, :Wo],
            "window (i, j) starts at (i*stride, j*stride)"),
    }


def conv_forward(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(x, w, b, stride=, padding=)``: a conv layer's forward pass with loops."""
    seen: set = set()
    for x, w, b, s, p in CONV_CASES:
        got = _watched((conv2d, conv2d_naive, correlate2d), seen, fn, x.copy(), w.copy(),
                       b.copy(), stride=s, padding=p, time_limit=time_limit)
        if isinstance(got, Verdict):
            if "broadcast" in got.message or "IndexError" in got.message:
                got.hint = ("a window ran past the edge of the padded input: check H_out = "
                            "(H + 2*padding - kh) // stride + 1 (floor, not ceil) and that "
                            "the padding is on both sides")
            return got
        v = compare(got, conv2d(x, w, b, stride=s, padding=p),
                    f"y for x {x.shape}, w {w.shape}, stride={s}, padding={p}",
                    mistakes=_conv_mistakes(x, w, b, s, p),
                    hint="y[n, f, i, j] = sum(x_pad[n, :, i*s:i*s+kh, j*s:j*s+kw] * w[f]) "
                         "+ b[f]")
        if not v:
            return v
    return passed(f"your loops match cnnedu.nn.conv.conv2d in all {len(CONV_CASES)} cases "
                  "(batch of 2, rectangular kernels, stride 2 with a remainder, padding 1 "
                  "and 2).", notes=_note(seen, "write the loops"))


# ----------------------------------------------------------------------- max_pool_forward

def _pool_case(seed, shape, size, stride):
    x = np.random.default_rng(seed).normal(size=shape)
    x[:, -1] -= 4.0     # a channel of negative numbers only
    return x, size, stride


#: (x, size, stride): remainders along H or W, overlapping windows, a negative channel.
POOL_CASES = [_pool_case(4, (2, 3, 7, 6), 2, 2), _pool_case(5, (1, 2, 7, 9), 3, 2),
              _pool_case(6, (2, 2, 5, 6), 2, 1)]


def _pool_mistakes(x, k, s):
    ref = pooling.max_pool(x, k, s)
    Ho, Wo = ref.shape[2:]
    H, W = x.shape[2:]
    Hc, Wc = math.ceil((H - k) / s) + 1, math.ceil((W - k) / s) + 1
    ceil_x = np.pad(x, ((0, 0), (0, 0), (0, (Hc - 1) * s + k - H), (0, (Wc - 1) * s + k - W)),
                    constant_values=-np.inf)
    across = ref.max(axis=1, keepdims=True)
    return {
        "the mean of each window is taken (average pooling)": (
            pooling.avg_pool(x, k, s), "max pooling keeps the largest number of each window"),
        "the running maximum starts at 0, so a window of negative numbers gives 0": (
            np.maximum(ref, 0.0), "start from the window's first value, or use window.max()"),
        "windows hanging over the edge are kept (the output size rounded up)": (
            pooling.max_pool(ceil_x, k, s), "H_out = (H - size) // stride + 1: a window "
                                            "must fit entirely"),
        "the stride is ignored (a window at every pixel)": (
            pooling.max_pool(x, k, 1), "window (i, j) starts at (i*stride, j*stride)"),
        "window (i, j) starts at (i, j) instead of (i*stride, j*stride)": (
            pooling.max_pool(x, k, 1)[:, :, :Ho, :Wo],
            "window (i, j) starts at (i*stride, j*stride)"),
        "the maximum is taken over the channels too": (
            np.broadcast_to(across, ref.shape), "pool each channel on its own: the output "
                                                "keeps all C channels"),
        "the maximum is taken over the channels too (one map left)": (
            across, "pool each channel on its own: the output keeps all C channels"),
    }


def max_pool_forward(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(x, size, stride)``: max pooling with loops."""
    seen: set = set()
    for x, k, s in POOL_CASES:
        got = _watched((MaxPool2D._forward, pooling.max_pool, pooling.max_pool_naive), seen,
                       fn, x.copy(), k, s, time_limit=time_limit)
        if isinstance(got, Verdict):
            return got
        v = compare(got, pooling.max_pool(x, k, s), f"the pooled x {x.shape}, size={k}, "
                    f"stride={s}", mistakes=_pool_mistakes(x, k, s),
                    hint="y[n, c, i, j] = max of x[n, c, i*s:i*s+size, j*s:j*s+size]")
        if not v:
            return v
    return passed(f"your max pooling is right in all {len(POOL_CASES)} cases (remainders, "
                  "overlapping windows, a channel of negative numbers).",
                  notes=_note(seen, "write the loops"))


# ----------------------------------------------------------------------- receptive_field

#: Stacks of (kernel, stride), from the input up.
RF_CASES = [[(3, 1), (3, 1), (3, 1)], [(3, 2), (3, 2), (3, 1)], [(5, 1), (2, 2)],
            [(2, 2), (3, 1), (3, 2)], [(7, 2), (3, 2), (3, 1)], [(4, 3)]]


def _rf_own_stride(L):
    return 1 + sum((k - 1) * math.prod(s for _, s in L[:i + 1]) for i, (k, _) in enumerate(L))


RF_MISTAKES = [
    ("the strides are ignored (1 + the sum of k - 1)", lambda L: 1 + sum(k - 1 for k, _ in L),
     "a stride s makes each step of the layers above span s times more input pixels"),
    ("the kernel sizes are added", lambda L: sum(k for k, _ in L),
     "each layer adds k - 1 steps of its input, not k"),
    ("each layer's own stride is counted in its jump", _rf_own_stride,
     "a layer's stride matters only to the layers ABOVE it: add (k - 1) * jump, then "
     "multiply jump by s"),
    ("the kernel sizes are multiplied", lambda L: math.prod(k for k, _ in L),
     "the field grows by adding: r += (k - 1) * jump"),
    ("the starting 1 is missing", lambda L: rf.receptive_field(L) - 1,
     "one output pixel sees 1 pixel before any layer: start from r = 1"),
]


def receptive_field(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(layers)`` (a list of (kernel, stride)): the receptive field along one axis."""
    seen: set = set()
    v = _formulas(fn, [([tuple(l) for l in c],) for c in RF_CASES], rf.receptive_field,
                  RF_MISTAKES, lambda layers: f"the receptive field of {layers}", time_limit,
                  "r = 1, jump = 1; for each layer: r += (k - 1) * jump; jump *= s",
                  watch=(rf.receptive_field, rf.receptive_field_table), seen=seen)
    if v is not None:
        return v
    return passed(f"your receptive fields are right for all {len(RF_CASES)} stacks.",
                  notes=_note(seen, "write the loop"))


# ----------------------------------------------------------------------- window_matrix

#: (x (C, H, W), k): non-square images, two or three channels.
WINDOW_CASES = [(np.random.default_rng(7).normal(size=(2, 4, 5)), 3),
                (np.random.default_rng(8).normal(size=(3, 5, 4)), 2),
                (np.random.default_rng(9).normal(size=(2, 3, 6)), 3)]


def _window_mistakes(x, k):
    ref = im2col.window_matrix(x, k)
    C, H, W = x.shape
    Ho, Wo = H - k + 1, W - k + 1
    win = ref.reshape(C, k, k, Ho, Wo)
    return {
        "the rows run (u, v, c), channel last, instead of (c, u, v) as in w.reshape(F, -1)": (
            win.transpose(1, 2, 0, 3, 4).reshape(ref.shape),
            "window.reshape(-1) of x[:, i:i+k, j:j+k] gives the (c, u, v) order"),
        "each window is flattened column by column (v before u)": (
            win.transpose(0, 2, 1, 3, 4).reshape(ref.shape),
            "row-major: u (rows of the window) before v (columns)"),
        "the columns run column by column (j before i)": (
            win.transpose(0, 1, 2, 4, 3).reshape(ref.shape),
            "column i*W_out + j holds window (i, j): row-major over the output"),
        "the matrix is transposed (one window per row)": (
            ref.T, "one window per COLUMN, so w.reshape(F, -1) @ M works"),
        "the last window of each row and column is missed (range(H - k))": (
            win[:, :, :, :-1, :-1].reshape(C * k * k, -1) if Ho > 1 and Wo > 1 else None,
            "there are H - k + 1 window positions along H"),
        "only channel 0 is copied": (ref[:k * k], "each column holds all C channels of "
                                                  "its window: C*k*k numbers"),
    }


def window_matrix(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(x, k)``: the im2col matrix of one image ``x`` (C, H, W), stride 1."""
    seen: set = set()
    for x, k in WINDOW_CASES:
        got = _watched((im2col.window_matrix, im2col.window_matrix_naive), seen, fn,
                       x.copy(), k, time_limit=time_limit)
        if isinstance(got, Verdict):
            return got
        v = compare(got, im2col.window_matrix(x, k), f"the window matrix of x {x.shape} "
                    f"with k={k}", mistakes=_window_mistakes(x, k),
                    hint="shape (C*k*k, H_out*W_out); column i*W_out + j = "
                         "x[:, i:i+k, j:j+k].reshape(-1)")
        if not v:
            return v
    return passed(f"your window matrices are right in all {len(WINDOW_CASES)} cases, so "
                  "w.reshape(F, -1) @ M, reshaped to (F, H_out, W_out), is the layer's "
                  "output.", notes=_note(seen, "write the loops"))
