"""Checks for the exercises of notebook 04, "Activations and the linear collapse".

The learner collapses layers (dense nodes; kernels; multi-channel and strided conv layers),
predicts where "same" padding breaks the collapse, and breaks it with a ReLU. Each check
runs small non-square cases on which the classic mistakes differ, names them, never raises.

>>> from cnnedu.exercises.solutions import nb04 as sol
>>> combine(sol.combine).passed
True
>>> print(combined_kernel(lambda k1, k2: None))
NOT YET: <lambda> returned None: replace the stub with your code, then run this cell again.
"""
from __future__ import annotations

import numpy as np

from cnnedu.nn import activations
from cnnedu.topics import collapse as _collapse
from cnnedu.topics.collapse import (border_ring, break_stack, collapse_dense, compose_conv,
                                    dilate_kernel, full_convolve2d, measured_border,
                                    superposition_gap)
from cnnedu.exercises._core import (TIME_LIMIT, Verdict, as_array, call, compare,
                                    compare_value, not_yet, passed, watch_calls, wrong)

__all__ = ["collapse_two_nodes", "combined_kernel", "combine", "combine_strided",
           "border_mask", "break_collapse",
           "predict_saturation", "SATURATION_RANGES", "SATURATION_CHOICES", "saturated_set"]

_PACKAGE = (compose_conv, full_convolve2d, _collapse.compose_stack,
            _collapse.compose_conv_strided)


def _watched(seen: set, fn, *args, time_limit: float):
    """``call(fn, *args)``, adding to ``seen`` the package functions it ran."""
    with watch_calls(*_PACKAGE) as now:
        out = call(fn, *args, time_limit=time_limit)
    return seen.update(now) or out


def _note(seen) -> list[str]:
    return [f"you called {', '.join(sorted(seen))}; that passes, but the exercise asks you "
            "to write the sums yourself"] if seen else []


def _pair(got, what="(M, B)"):
    if isinstance(got, Verdict):
        return got
    if not isinstance(got, (tuple, list)) or len(got) != 2:  # a pair, or a verdict saying so
        return wrong(f"your function should return a pair {what}; got {type(got).__name__}",
                     hint=f"end with: return {what.strip('()')}")
    return tuple(got)


def _compare(got, expected, what, *, hint="", mistakes=None):
    """:func:`compare`, with the general hint shown under a named mistake too."""
    return compare(got, expected, what, hint=hint, mistakes={
        d: v if isinstance(v, tuple) else (v, hint) for d, v in (mistakes or {}).items()})


def _flip(k):
    return k[..., ::-1, ::-1]


def _ints(rng, *shape):
    return rng.integers(-3, 4, size=shape).astype(float)


# ----------------------------------------------------------------------- exercise 1
def _node_cases():
    rng = np.random.default_rng(4)
    return [(_ints(rng, 2, 2), np.array([1.0, -2.0]), _ints(rng, 2, 2), np.array([0.5, 3.0])),
            (_ints(rng, 3, 2), np.array([1.0, -2.0, 0.5]), _ints(rng, 4, 3),
             np.array([0.0, 1.0, 2.0, -1.0]))]


def collapse_two_nodes(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(m0, b0, m1, b1) -> (M, B)`` with ``x2 = M x0 + B``."""
    for m0, b0, m1, b1 in _node_cases():
        got = _pair(call(fn, m0.copy(), b0.copy(), m1.copy(), b1.copy(), time_limit=time_limit))
        if isinstance(got, Verdict):
            return got
        M, B = collapse_dense([m0, m1], [b0, b1])
        label = f"for m0 {m0.shape} and m1 {m1.shape}"
        square = m0.shape == m1.shape
        v = _compare(got[0], M, f"M {label}", hint="m0 acts first, so it stands on the right",
                    mistakes={"the product is in the wrong order (m0 @ m1)":
                              m0 @ m1 if square else None})
        if not v:
            return v
        v = _compare(got[1], B, f"B {label}", hint="x2 = m1 (m0 x0 + b0) + b1: multiply out",
                    mistakes={"b0 does not go through m1 (B = b0 + b1)":
                              b0 + b1 if square else None,
                              "b1 is forgotten (B = m1 @ b0)": m1 @ b0,
                              "the biases swap roles (B = m1 @ b1 + b0)":
                              m1 @ b1 + b0 if square else None})
        if not v:
            return v
    return passed("M = m1 @ m0 and B = m1 @ b0 + b1, on square and non-square weights.")


# ----------------------------------------------------------------------- exercise 2
def _kernel_cases():
    rng = np.random.default_rng(5)
    return [(np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, -1.0]])),
            (_ints(rng, 3, 2), _ints(rng, 2, 3))]


def _kernel_mistakes(k1, k2):
    return {"k2 is not rotated: you correlated k1 with k2 (a full correlation) instead of "
            "convolving": full_convolve2d(k1, _flip(k2)),
            "k1 was rotated instead of k2 (the correlation the other way round)":
            full_convolve2d(_flip(k1), k2),
            "the combined kernel is rotated by 180 degrees": _flip(full_convolve2d(k1, k2))}


def combined_kernel(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(k1, k2) -> K`` with ``corr(corr(x, k1), k2) == corr(x, K)``."""
    hint = ("each tap k2[p, q] adds k1 * k2[p, q] into K[p:p + h1, q:q + w1]; "
            "K has shape (h1 + h2 - 1, w1 + w2 - 1)")
    seen: set = set()
    for k1, k2 in _kernel_cases():
        got = _watched(seen, fn, k1.copy(), k2.copy(), time_limit=time_limit)
        v = _compare(got, full_convolve2d(k1, k2), f"K for k1 {k1.shape} and k2 {k2.shape}",
                    hint=hint, mistakes=_kernel_mistakes(k1, k2))
        if not v:
            return v
    return passed("K is the full convolution of k1 and k2, on a row and on non-square "
                  "kernels.", notes=_note(seen))


# ----------------------------------------------------------------------- exercise 3
def _layer_cases():
    rng = np.random.default_rng(6)
    return [(_ints(rng, 3, 2, 2, 3), np.array([1.0, -2.0, 0.5]),            # C 2, M 3, F 2
             _ints(rng, 2, 3, 3, 2), np.array([0.25, -1.0])),
            (_ints(rng, 2, 1, 3, 2), np.array([2.0, -1.0]),                  # M = F = 2
             _ints(rng, 2, 2, 2, 2), np.array([1.0, 0.5]))]


def _per_pair(w1, w2, op):
    """``out[o, m, i] = op(w1[m, i], w2[o, m])``, shape (F, M, C, kh, kw)."""
    return np.array([[[op(w1[m, i], w2[o, m]) for i in range(w1.shape[1])]
                      for m in range(w1.shape[0])] for o in range(w2.shape[0])])


def _weight_mistakes(w1, w2):
    pairs = _per_pair(w1, w2, full_convolve2d)
    return {"w2's kernels are not rotated: you correlated instead of convolving":
            _per_pair(w1, w2, lambda a, c: full_convolve2d(a, _flip(c))).sum(axis=1),
            "w1's kernels were rotated instead of w2's":
            _per_pair(w1, w2, lambda a, c: full_convolve2d(_flip(a), c)).sum(axis=1),
            "the combined kernels are rotated by 180 degrees": _flip(pairs.sum(axis=1)),
            "the middle channels m are not summed": (pairs, "W[o, i] = sum over m of ..."),
            "only the first middle channel (m = 0) is used": pairs[:, 0],
            "the middle channels are averaged, not summed": pairs.mean(axis=1)}


def _bias_mistakes(b1, w2, b2):
    F, M = w2.shape[:2]
    return {"b1 does not go through w2 (B = b2 + sum of b1)": b2 + b1.sum(),
            "B = b1 + b2": b1 + b2 if M == F else None,
            "b1 is forgotten (B = b2)": b2,
            "b1 meets only one tap of w2, not the sum of its taps": b2 + w2[:, :, 0, 0] @ b1,
            "the middle channels are not summed in the bias":
            b2[:, None] + w2.sum(axis=(2, 3)) * b1[None, :]}


def combine(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(w1, b1, w2, b2) -> (W, B)``: one conv layer equal to the two (valid)."""
    seen: set = set()
    for w1, b1, w2, b2 in _layer_cases():
        got = _pair(_watched(seen, fn, w1.copy(), b1.copy(), w2.copy(), b2.copy(),
                             time_limit=time_limit), "(W, B)")
        if isinstance(got, Verdict):
            return got
        W, B = compose_conv(w1, b1, w2, b2)
        label = f"for w1 {w1.shape} and w2 {w2.shape}"
        v = _compare(got[0], W, f"W {label}", mistakes=_weight_mistakes(w1, w2),
                    hint="W[o, i] = sum over m of full_conv(w1[m, i], w2[o, m]), of shape "
                         "(F, C, k1h + k2h - 1, k1w + k2w - 1)")
        if not v:
            return v
        v = _compare(got[1], B, f"B {label}", mistakes=_bias_mistakes(b1, w2, b2),
                    hint="b1[m] is added at every position of map m, and every tap of "
                         "w2[o, m] picks it up: B[o] = b2[o] + sum over m of b1[m] * "
                         "sum(w2[o, m])")
        if not v:
            return v
    return passed("W and B are right: one layer equal to the two, with several channels and "
                  "non-square kernels.", notes=_note(seen))


# ----------------------------------------------------------------------- exercise 4
def _stride_cases():
    rng = np.random.default_rng(8)
    return [(np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, -1.0]]), 2, 1),
            (_ints(rng, 3, 2), _ints(rng, 2, 3), 2, 1),
            (_ints(rng, 2, 3), _ints(rng, 3, 2), 2, 3)]


def _stride_answer(s):
    try:                               # (2, 2) is the stride 2
        return s[0] if not isinstance(s, str) and len(s) == 2 and bool(s[0] == s[1]) else s
    except Exception:
        return s


def combine_strided(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(k1, k2, s1, s2) -> (K, stride)`` for corr with k1 at stride s1, then k2
    at stride s2."""
    seen: set = set()
    for k1, k2, s1, s2 in _stride_cases():
        got = _pair(_watched(seen, fn, k1.copy(), k2.copy(), s1, s2, time_limit=time_limit),
                    "(K, stride)")
        if isinstance(got, Verdict):
            return got
        label = f"for k1 {k1.shape}, k2 {k2.shape}, s1 = {s1}, s2 = {s2}"
        K = full_convolve2d(k1, dilate_kernel(k2, s1))
        v = _compare(got[0], K, f"K {label}",
                    hint="every step of the second layer moves s1 pixels of the input, so "
                         "k2's taps sit s1 apart there: K has size k1 + s1 (k2 - 1)",
                    mistakes={
                        "k2 is not spread out by s1 (the stride-1 kernel)":
                            full_convolve2d(k1, k2),
                        "k1 is dilated by s1 instead of k2":
                            full_convolve2d(dilate_kernel(k1, s1), k2),
                        "k2 is dilated by s2 instead of s1":
                            full_convolve2d(k1, dilate_kernel(k2, s2)) if s2 > 1 else None,
                        "k2 is dilated by s1 * s2 instead of s1":
                            full_convolve2d(k1, dilate_kernel(k2, s1 * s2))
                            if s2 > 1 else None,
                        "the dilated k2 is correlated, not convolved (not rotated)":
                            full_convolve2d(k1, _flip(dilate_kernel(k2, s1)))})
        if not v:
            return v
        v = compare_value(_stride_answer(got[1]), s1 * s2, f"the stride {label}",
                          exact=True, hint="one step of the second layer is s2 steps of "
                                           "the first, each s1 pixels",
                          mistakes={"the strides are added (s1 + s2)": s1 + s2,
                                    "only the first stride is kept": s1,
                                    "only the second stride is kept": s2})
        if not v:
            return v
    return passed("K is the full convolution of k1 with k2 dilated by s1, and the stride is "
                  "s1 * s2, on three cases.", notes=_note(seen))


# ----------------------------------------------------------------------- exercise 5
def _border_cases():
    return [((6, 8), (3, 3), (3, 5)), ((7, 5), (5, 1), (5, 3)), ((5, 6), (3, 3), (1, 3))]


def _mask(got):
    if isinstance(got, np.ndarray) and got.dtype == bool:
        return got.astype(float)
    arr = as_array(got, "the mask", hint="return an array of True/False, shape (H, W)")
    if isinstance(arr, Verdict) or np.all(np.isnan(arr) | (arr == 0) | (arr == 1)):
        return arr
    return wrong("the mask should hold True/False (or 1/0); got other numbers",
                 hint="True where the two outputs differ")


def border_mask(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(size, k1, k2) -> mask``: True where two "same"-padded layers and their
    collapse differ."""
    for size, k1, k2 in _border_cases():
        got = _mask(call(fn, size, k1, k2, time_limit=time_limit))
        truth = measured_border(size, k1, k2)
        both = (k1[0] + k2[0] - 1, k1[1] + k2[1] - 1)
        v = _compare(got, truth.astype(float), f"the mask for size {size}, k1 {k1}, k2 {k2}",
                    hint="the stack's second layer reads zeros outside y1; the single layer "
                         "reads the first layer's response there. Which output pixels have a "
                         "second-layer window that reaches outside y1?",
                    mistakes={"the ring is as wide as the first layer's padding (k1 // 2)":
                              border_ring(size, k2, k1),
                              "the ring is as wide as both paddings together":
                              border_ring(size, k1, both),
                              "the ring is k2 - 1 wide (the whole kernel, not half of it)":
                              border_ring(size, k1, (2 * k2[0] - 1, 2 * k2[1] - 1)),
                              "rows and columns are swapped (k2h // 2 used for the columns)":
                              border_ring(size, k1, k2[::-1]),
                              "True and False are swapped (True where they agree)": ~truth})
        if not v:
            return v
    return passed("your masks match where the two layers and their collapse really differ: a "
                  "ring k2h // 2 rows and k2w // 2 columns deep, whatever k1.")


# ----------------------------------------------------------------------- exercise 6
def break_collapse(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn() -> (xa, xb)``, two 8x8 inputs in [-1, 1] whose superposition gap is >= 1
    for :data:`cnnedu.topics.collapse.BREAK_STACK` (Sobel x, ReLU, 3x3 mean)."""
    got = _pair(call(fn, time_limit=time_limit), "(xa, xb)")
    if isinstance(got, Verdict):
        return got
    xs = []
    for name, g in zip(("xa", "xb"), got):
        a = as_array(g, name, hint="an 8x8 array, e.g. np.zeros((8, 8))")
        if isinstance(a, Verdict):
            return a
        if a.shape != (8, 8):
            return wrong(f"{name} has shape {a.shape}; expected (8, 8).")
        if not np.all(np.abs(a) <= 1):     # NaN too
            return wrong(f"{name} must hold values in [-1, 1]", hint="pixel values from -1 "
                         "to 1: a bigger input only scales the answer")
        xs.append(a)
    xa, xb = xs
    gap = superposition_gap(xa, xb)
    if gap >= 1.0:
        return passed(f"S(xa + xb) - S(xa) - S(xb) + S(0) reaches {gap:.2f}: no single conv "
                      "layer can do that (for one layer it is 0 for every pair of inputs).")
    za, zb = break_stack(xa)[0], break_stack(xb)[0]
    hint = "a ReLU breaks the sum where it is open for one input and closed for another"
    if not xa.any() or not xb.any():
        return wrong("one of the inputs is all zeros: then S(xa + xb) = S(xa) + S(xb) - S(0) "
                     "holds for any S.", hint, mistake="an input is all zeros")
    c = float(np.sum(xa * xb) / np.sum(xa * xa))
    if c > 0 and np.allclose(xb, c * xa):
        return wrong("xb is a positive multiple of xa: relu(c z) = c relu(z) for c > 0, so "
                     "scaled copies never break the sum.", hint, mistake="xb = c xa with c > 0")
    if np.all(za * zb >= -1e-12):
        return wrong("at every position the first layer's responses to xa and to xb have the "
                     "same sign, so each ReLU is open for both or closed for both and adds "
                     "them like a linear map: relu(za + zb) = relu(za) + relu(zb).", hint,
                     mistake="xa and xb never push a ReLU in opposite directions")
    return wrong(f"the gap S(xa + xb) - S(xa) - S(xb) + S(0) is only {gap:.2f}; make it at "
                 "least 1.", hint + ": give xa an edge that xb cancels")


# ----------------------------------------------------------------------- exercise 7
SATURATION_RANGES = ((-1, 2), (4, 10), (-10, -4), (-5, 1))
"""The input ranges of exercise 7."""

SATURATION_CHOICES = ("relu", "leaky_relu", "sigmoid", "tanh")
"""The activations to choose from (leaky_relu with alpha = 0.1)."""


def _fraction(name, x):
    return activations.saturation_fraction(name, x, **({"alpha": 0.1} if name == "leaky_relu"
                                                        else {}))


def saturated_set(low: float, high: float) -> set:
    """The activations saturated (derivative below 1% of its largest value) on more than
    half of ``[low, high]``, measured on 1001 evenly spaced points (leaky_relu with
    alpha = 0.1, ten times the threshold)."""
    x = np.linspace(low, high, 1001)
    return {n for n in SATURATION_CHOICES if _fraction(n, x) > 0.5}


_SAT_MISTAKES = (
    ("sigmoid", "extra", "the sigmoid's small derivative (at most 1/4) was taken for "
     "saturation: 1/4 is its largest value, so near 0 it is 100% of it"),
    ("leaky_relu", "extra", "leaky ReLU's left slope (alpha = 0.1) was taken for saturation: "
     "it is 10% of its largest, never below 1%"),
    ("relu", "missing", "ReLU's derivative is exactly 0 for negative inputs: that is "
     "saturation in full"),
)


def predict_saturation(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn() -> {(low, high): set of names}`` against the measured saturation."""
    got = call(fn, name=getattr(fn, "__name__", "predict_saturation"), time_limit=time_limit)
    if isinstance(got, Verdict):
        return got
    if not isinstance(got, dict):
        return wrong(f"return a dict {{(low, high): set of names}}; got {type(got).__name__}",
                     hint="e.g. {(-1, 2): set(), (4, 10): {'tanh'}, ...}")
    for rng_ in SATURATION_RANGES:
        answer = got.get(rng_)
        if answer is None:
            return not_yet(f"no answer yet for the range {rng_}: add the key {rng_}.")
        try:
            answer = {answer} if isinstance(answer, str) else {str(a) for a in answer}
        except TypeError:
            return wrong(f"the answer for {rng_} should be a set of names; got {answer!r:.80}")
        unknown = answer - set(SATURATION_CHOICES)
        if unknown:
            return wrong(f"the answer for {rng_} names {sorted(unknown)}; choose from "
                         f"{list(SATURATION_CHOICES)}.")
        truth = saturated_set(*rng_)
        if answer == truth:
            continue
        missing, extra = sorted(truth - answer), sorted(answer - truth)
        details = [f"{n}: saturated on {100 * _fraction(n, np.linspace(*rng_, 1001)):.0f}% "
                   f"of {rng_}" for n in missing + extra]
        what = ([f"missing {missing}"] * bool(missing)
                + [f"{extra} should not be there"] * bool(extra))
        v = wrong(f"for inputs in {rng_}: {'; '.join(what)}.",
                  hint="saturated means f'(x) < 1% of its largest value: relu for x <= 0, "
                       "leaky_relu never, sigmoid for |x| > 6, tanh for |x| > 3",
                  details=details)
        for name, kind, text in _SAT_MISTAKES:
            if name in (extra if kind == "extra" else missing):
                v.mistake = text
                v.details.append(f"this is what you get when {text}")
                break
        return v
    return passed("your predictions match the measured saturation on all "
                  f"{len(SATURATION_RANGES)} ranges.")
