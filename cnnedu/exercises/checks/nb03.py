"""Checks for the exercises of notebook 03, "Initializing filters".

Each check runs the learner's function on small, non-square cases chosen so that each
classic mistake gives a different answer, names the mistake it recognises, and returns a
:class:`~cnnedu.exercises._core.Verdict`; it never raises. The references come from
:mod:`cnnedu.nn.init`, :mod:`cnnedu.topics.init_derivations` and
:mod:`cnnedu.topics.symmetry`.

>>> from cnnedu.exercises.solutions import nb03 as sol
>>> fan_in_fan_out(sol.fan_in_fan_out).passed, truncated_std(sol.truncated_std).passed
(True, True)
>>> print(kaiming_limit(lambda fan_in, a: None))
NOT YET: <lambda> returned None: replace the stub with your code, then run this cell again.
"""
from __future__ import annotations

import math

import numpy as np

from cnnedu.nn import init as _init
from cnnedu.nn.activations import relu, relu_grad
from cnnedu.nn.conv import conv2d, conv2d_backward
from cnnedu.topics import init_derivations as _deriv
from cnnedu.topics import symmetry as _sym
from cnnedu.exercises._core import (TIME_LIMIT, Verdict, as_array, call, compare,
                                    compare_shape, compare_value, passed, watch_calls, wrong)

__all__ = ["fan_in_fan_out", "he_uniform", "kaiming_limit", "truncated_std", "gradient_step",
           "downstream_start", "relu_rms", "FAN_CASES", "HE_SHAPES", "KAIMING_CASES",
           "TRUNC_CASES", "RMS_CASES", "step_case", "step_mistakes"]

FAN_CASES = [(20, 3, 5, 5), (64, 16, 3, 3), (8, 1, 7, 5), (1, 32, 1, 1)]
HE_SHAPES = [(32, 8, 3, 5), (24, 6, 5, 3)]
KAIMING_CASES = [(120, 0.0), (75, 5 ** 0.5), (27, 1.0), (288, 0.2), (500, 5 ** 0.5)]
TRUNC_CASES = [2.0, 1.0, 2.5, 0.5]
RMS_CASES = [(0.25, 50, 7), (0.05, 288, 13), ((2 / 72) ** 0.5, 72, 20), (0.1, 27, 5)]
def _distinct(mistakes: dict, expected: float, rtol: float = 1e-4) -> dict:
    """The mistakes whose value differs from the right answer in this case (a mistake that
    gives the right number here cannot be named from it)."""
    return {d: m for d, m in mistakes.items()
            if not math.isclose(m, expected, rel_tol=rtol, abs_tol=0.0)}


_FAN_HINT = "a conv weight is (F, C, kh, kw): fan_in = C*kh*kw, fan_out = F*kh*kw"


# ----------------------------------------------------------------------- exercise 1

def fan_in_fan_out(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(shape)`` -> ``(fan_in, fan_out)`` for conv weights ``(F, C, kh, kw)``."""
    for shape in FAN_CASES:
        got = call(fn, shape, time_limit=time_limit)
        F, C, kh, kw = shape
        expected = _init.fans(shape)
        v = compare_value(got, expected, f"(fan_in, fan_out) for shape {shape}", exact=True,
                          hint=_FAN_HINT, mistakes={
                              "fan_in and fan_out are swapped": (F * kh * kw, C * kh * kw),
                              "fan_in counts the whole layer's weights, F*C*kh*kw":
                                  (F * C * kh * kw, F * kh * kw),
                              "the kernel area is left out (C and F alone)": (C, F),
                              "kh is used twice (kh*kh instead of kh*kw)":
                                  (C * kh * kh, F * kh * kh)})
        if not v:
            return v
    return passed(f"your fans match cnnedu.nn.init.fans on {len(FAN_CASES)} shapes, "
                  "including (20, 3, 5, 5) -> (75, 500).")


# ----------------------------------------------------------------------- exercise 2

def _he_candidates(shape) -> dict:
    F, C, kh, kw = shape
    fan_in, fan_out = C * kh * kw, F * kh * kw
    return {"fan_out is used instead of fan_in": math.sqrt(6 / fan_out),
            "the kernel area is forgotten (fan_in = C)": math.sqrt(6 / C),
            "the normal's std sqrt(2 / fan_in) is used as the uniform's limit":
                math.sqrt(2 / fan_in),
            "Glorot's fans are averaged in (6 / (fan_in + fan_out))":
                math.sqrt(6 / (fan_in + fan_out))}


def he_uniform(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(shape, rng)`` -> He uniform draws U(-l, l), l = sqrt(6 / fan_in).

    A draw is random, so the check reads the limit off the draws (the largest ``|w|`` of a
    few thousand uniform values lies within 0.3% of ``l``) and the shape of the
    distribution off ``std / max|w|`` (1/sqrt(3) = 0.577 for a uniform, about 0.27 for a
    normal)."""
    notes = []
    for shape in HE_SHAPES:
        with watch_calls(_init.he_uniform) as seen:
            got = call(fn, shape, np.random.default_rng(1), time_limit=time_limit)
        if seen:
            notes = ["you called cnnedu.nn.init.he_uniform; that passes, but the exercise "
                     "asks you to derive the limit and draw with rng.uniform"]
        w = as_array(got, f"the weights for shape {shape}")
        if isinstance(w, Verdict):
            return w
        bad = compare_shape(w, shape, "your weights", hint="draw rng.uniform(-l, l, size=shape)")
        if bad is not None:
            return bad
        if not np.all(np.isfinite(w)):
            return wrong(f"the weights for shape {shape} contain NaN or inf.")
        again = as_array(call(fn, shape, np.random.default_rng(1), time_limit=time_limit), "w")
        other = as_array(call(fn, shape, np.random.default_rng(2), time_limit=time_limit), "w")
        if isinstance(again, Verdict) or isinstance(other, Verdict):
            return again if isinstance(again, Verdict) else other
        if not np.array_equal(w, again):
            return wrong("two calls with the same seed gave different weights: draw from the "
                         "rng you are given, not from np.random.", mistake="rng not used")
        if np.array_equal(w, other):
            return wrong("two different generators gave the same weights: they are not drawn "
                         "at random from rng.", mistake="rng not used")
        limit = _deriv.he_uniform_limit(shape)
        top, mean, std = float(np.abs(w).max()), float(w.mean()), float(w.std())
        label = f"for shape {shape} (fan_in {_init.fans(shape)[0]})"
        if abs(mean) > 0.2 * top:
            return wrong(f"your weights {label} have mean {mean:.3g}: this is what you get when "
                         "they are drawn on [0, l) instead of [-l, l).",
                         hint="rng.uniform(-l, l, size=shape)", mistake="one-sided interval")
        if std / top < 0.45:
            return wrong(f"your weights {label}: std {std:.3g} is only {std / top:.2f} of the "
                         "largest |w|: this is what you get when they are drawn from a normal "
                         "instead of a uniform (a uniform's std is 0.577 of its limit).",
                         hint="rng.uniform(-l, l, size=shape)", mistake="normal, not uniform")
        for description, wrong_limit in _he_candidates(shape).items():
            if abs(top / wrong_limit - 1) < 0.02 and abs(top / limit - 1) > 0.02:
                return wrong(f"your limit {label} is about {top:.4f}; expected {limit:.4f}: "
                             f"this is what you get when {description}.",
                             hint="Var(w) = 2 / fan_in and Var(U(-l, l)) = l**2 / 3",
                             mistake=description)
        if not (0.99 * limit <= top <= limit * (1 + 1e-12)):
            return wrong(f"your largest |w| {label} is {top:.4f}; the limit is {limit:.4f}.",
                         hint="l = sqrt(3 * Var(w)) with Var(w) = 2 / fan_in")
    limit = _deriv.he_uniform_limit(HE_SHAPES[0])
    return passed(f"your draws are uniform on [-l, l) with l = sqrt(6 / fan_in) = {limit:.4f} "
                  f"for {HE_SHAPES[0]} (fan_in 120), and std l / sqrt(3) = "
                  f"{limit / math.sqrt(3):.4f} = sqrt(2 / fan_in).", notes=notes)


# ----------------------------------------------------------------------- exercise 3

def kaiming_limit(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(fan_in, a)`` -> the limit of PyTorch's ``kaiming_uniform_(w, a=a)``."""
    for fan_in, a in KAIMING_CASES:
        got = call(fn, fan_in, a, time_limit=time_limit)
        g = math.sqrt(2 / (1 + a * a))
        expected = _deriv.kaiming_uniform_limit(fan_in, a)
        v = compare_value(got, expected, f"the limit for fan_in={fan_in}, a={a:.4g}",
                          hint="gain = sqrt(2 / (1 + a**2)); std = gain / sqrt(fan_in); "
                               "a uniform's limit is sqrt(3) times its std",
                          mistakes=_distinct({
                              "you return the std, gain / sqrt(fan_in), not the limit":
                                  g / math.sqrt(fan_in),
                              "the gain is 2 / (1 + a**2), without its square root":
                                  (2 / (1 + a * a)) * math.sqrt(3 / fan_in),
                              "a is used where a**2 belongs": math.sqrt(2 / (1 + a)) *
                                  math.sqrt(3 / fan_in),
                              "the gain is left out (He's sqrt(6 / fan_in) for every a)":
                                  math.sqrt(6 / fan_in)}, expected))
        if not v:
            return v
    rows = ", ".join(f"{_deriv.kaiming_uniform_limit(n, 5 ** 0.5):.4f} = 1/sqrt({n})"
                     for n in (75, 500))
    return passed(f"your limit matches on {len(KAIMING_CASES)} cases. With a = sqrt(5) the "
                  f"gain is sqrt(1/3) and the limit 1/sqrt(fan_in): {rows}. That is "
                  "nn.Conv2d's default U(-1/sqrt(fan_in), 1/sqrt(fan_in)).")


# ----------------------------------------------------------------------- exercise 4

def _unnormalised(c, density_factor=1.0):
    x = np.linspace(-c, c, 20_001)
    return _deriv.trapezoid(x ** 2 * np.exp(-x ** 2 / 2) * density_factor, x)


def truncated_std(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(c)`` -> the std of a standard normal truncated to [-c, c]."""
    for c in TRUNC_CASES:
        got = call(fn, c, time_limit=time_limit)
        exact = _deriv.truncated_std(c)
        m2 = _unnormalised(c, 1 / math.sqrt(2 * math.pi))
        v = compare_value(got, exact, f"the std for c={c:g}", rtol=1e-4,
                          hint="Var = (integral of x**2 phi(x)) / (integral of phi(x)), both "
                               "from -c to c, with phi(x) = exp(-x**2 / 2) / sqrt(2 pi); the "
                               "trapezoid rule: sum((y[1:] + y[:-1]) * np.diff(x)) / 2",
                          mistakes=_distinct({
                              "the integral of x**2 phi(x) is not divided by the mass inside "
                              "[-c, c] (the cut density must integrate to 1)": math.sqrt(m2),
                              "you return the variance, not its square root": exact ** 2,
                              "phi lacks its 1 / sqrt(2 pi) and nothing is normalised":
                                  math.sqrt(_unnormalised(c)),
                              "nothing is cut (the std of the whole normal)": 1.0}, exact))
        if not v:
            return v
    return passed(f"a standard normal cut at +-2 keeps std {_deriv.truncated_std(2.0):.6f}: "
                  "so a truncated normal is drawn with std / 0.8796 to land on std "
                  f"(cnnedu.nn.init uses {_init.TRUNCATED_NORMAL_STD_CORRECTION:.10f}).")


# ----------------------------------------------------------------------- exercises 5 and 6

def step_case():
    """The case of :func:`gradient_step`: ``(w, b, v, x, t, lr)`` with 3 different filters
    on a 5x7 input (nothing square, nothing symmetric)."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 1, 5, 7))
    t = np.abs(rng.standard_normal((1, 1, 5, 7)))
    w = rng.standard_normal((3, 1, 3, 3)) * 0.5
    b = np.array([0.1, -0.2, 0.05])
    v = np.array([0.7, -0.4, 0.3])
    return w, b, v, x, t, 0.2


def _variant_step(w, b, v, x, t, lr, *, use_v=True, use_relu_grad=True, sign=-1.0,
                  mean=True):
    """One step with the learner's classic slips switched on (the reference when all off)."""
    z = conv2d(x, w, b, padding=1)
    h = relu(z)
    r = (v[None, :, None, None] * h).sum(axis=1, keepdims=True) - t
    dy = r / r.size if mean else r
    dh = (v[None, :, None, None] if use_v else 1.0) * dy
    dz = dh * relu_grad(z) if use_relu_grad else dh
    _, dw, db = conv2d_backward(dz, x, w, padding=1)
    dv = (dy * h).sum(axis=(0, 2, 3))
    return w + sign * lr * dw, b + sign * lr * db, v + sign * lr * dv


def step_mistakes(w, b, v, x, t, lr) -> dict:
    """description -> the (w, b, v) that mistake gives."""
    return {"v_f is left out of dL/dh_f (every filter gets dL/dy)":
                _variant_step(w, b, v, x, t, lr, use_v=False),
            "relu'(z) is left out (dL/dz = dL/dh)":
                _variant_step(w, b, v, x, t, lr, use_relu_grad=False),
            "the step goes up the gradient (+ lr * grad)":
                _variant_step(w, b, v, x, t, lr, sign=1.0),
            "dL/dy is y - t: the mean's 1 / n is forgotten":
                _variant_step(w, b, v, x, t, lr, mean=False)}


def _as_triple(got):
    if isinstance(got, Verdict):
        return got
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        return wrong(f"return the three new arrays (w, b, v); got {type(got).__name__}"
                     + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""))
    return got


def gradient_step(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(w, b, v, x, t, lr)`` -> the new ``(w, b, v)`` after one step, then run it
    from a symmetric start to show the filters stay equal."""
    w, b, v, x, t, lr = step_case()
    got = _as_triple(call(fn, w.copy(), b.copy(), v.copy(), x.copy(), t.copy(), lr,
                          time_limit=time_limit))
    if isinstance(got, Verdict):
        return got
    ref = _sym.gradient_step(w, b, v, x, t, lr=lr)
    mistakes = step_mistakes(w, b, v, x, t, lr)
    for i, name in enumerate(("w", "b", "v")):
        verdict = compare(got[i], ref[i], f"the new {name}", rtol=1e-6, atol=1e-9,
                          mistakes={d: m[i] for d, m in mistakes.items()},
                          hint="dL/dy = (y - t) / n; dL/dh_f = v_f dL/dy; dL/dz_f = dL/dh_f "
                               "* relu'(z_f); then conv2d_backward gives dL/dw, dL/db")
        if not verdict:
            return verdict
    # the experiment, with the learner's own step: equal filters, equal readout
    x2, t2 = _sym.edge_task(size=16)
    ws, bs, vs = _sym.start("constant", filters=3, value=0.1)
    for _ in range(25):
        got = _as_triple(call(fn, ws, bs, vs, x2, t2, 0.15, time_limit=time_limit))
        if isinstance(got, Verdict):
            return got
        ws, bs, vs = (np.asarray(a, dtype=float) for a in got)
    diff = _sym.max_filter_difference(ws)
    moved = float(np.abs(ws - 0.1).max())
    # exactly 0 when each filter is computed by the same operations; one conv2d call for
    # all filters may sum rows in another order (about 1e-16 on some BLAS kernels)
    apart = "0" if diff == 0 else "less than 1e-12" if diff < 1e-12 else f"{diff:.1e}"
    return passed(f"your step matches the reference on 3 different filters. Run 25 times from "
                  f"3 equal filters with equal readout weights, your filters moved by "
                  f"{moved:.3f} and differ by {apart}: the gradient is the same expression "
                  "for every filter.")


def downstream_start(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn()`` -> ``(w, b, v)``: 3 identical filters and biases, yet training makes
    them differ (the layer downstream, the readout ``v``, must break the tie)."""
    got = _as_triple(call(fn, time_limit=time_limit))
    if isinstance(got, Verdict):
        return got
    arrays = []
    for name, a, shape in zip(("w", "b", "v"), got, ((3, 1, 3, 3), (3,), (3,))):
        arr = as_array(a, name)
        if isinstance(arr, Verdict):
            return arr
        bad = compare_shape(arr, shape, name)
        if bad is not None:
            return bad
        if not np.all(np.isfinite(arr)):
            return wrong(f"{name} contains NaN or inf.")
        arrays.append(arr)
    w, b, v = arrays
    if _sym.max_filter_difference(w) > 0 or _sym.max_filter_difference(b) > 0:
        return wrong("your filters (or biases) already differ: the question starts them equal "
                     "and asks what else can separate them.", mistake="filters not equal")
    if _sym.max_filter_difference(v) == 0:
        return wrong(f"with v = {np.round(v, 3).tolist()} equal too, every filter gets the same "
                     "gradient and they stay equal forever (section 2).",
                     hint="change something downstream of the filters", mistake="v equal")
    x, t = _sym.edge_task(size=16)
    try:
        run = _sym.train_filters(w, b, v, x, t, steps=30)
    except ValueError as exc:
        return wrong(f"training from your start failed: {exc}")
    diff = _sym.max_filter_difference(run.w_end)
    if diff < 1e-9:
        return wrong(f"your filters did not move apart in 30 steps (they differ by {diff:.1e}); "
                     "this is what you get when the filters start at zero: with a ReLU, "
                     "relu'(0) = 0 blocks every gradient.", hint="start the filters at 0.1",
                     mistake="zeros block the gradient")
    return passed(f"equal filters, unequal readout v = {np.round(v, 3).tolist()}: after 30 "
                  f"steps the filters differ by {diff:.3f}. Equal filters stay equal only if "
                  "everything downstream treats them alike too (here the readout weights).")


# ----------------------------------------------------------------------- exercise 7

def relu_rms(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(std_w, fan_in, depth)`` -> the predicted root mean square after ``depth``
    ReLU layers (input of second moment 1)."""
    for std_w, n, L in RMS_CASES:
        got = call(fn, std_w, n, L, time_limit=time_limit)
        g = n * std_w ** 2
        expected = _deriv.relu_rms_prediction(std_w, n, L)
        v = compare_value(got, expected,
                          f"the prediction for std_w={std_w:.4g}, fan_in={n}, depth={L}",
                          rtol=1e-6, hint="per layer E[z**2] = fan_in * std_w**2 * E[h**2], "
                                          "and the ReLU keeps half: E[h**2] = E[z**2] / 2",
                          mistakes=_distinct({
                              "the ReLU's half is left out": g ** (L / 2),
                              "you return the second moment E[h**2], not its square root":
                                  (g / 2) ** L,
                              "std_w is used where its square belongs":
                                  (n * std_w / 2) ** (L / 2),
                              "the exponent counts depth - 1 layers": (g / 2) ** ((L - 1) / 2)},
                              expected))
        if not v:
            return v
    rows = "; ".join(f"{label} {_deriv.relu_rms_prediction(s, 72, 20):.1e}" for label, s in
                     (("std 0.01:", 0.01), ("PyTorch default:", 1 / math.sqrt(3 * 72)),
                      ("Glorot:", 1 / math.sqrt(72)), ("He:", math.sqrt(2 / 72))))
    return passed("your prediction matches. For the stack of section 4 (fan_in 72, 20 layers): "
                  f"{rows}.")
