"""Checks for the exercises of notebook 03, "Initializing filters".

Each check runs the learner's function on fixed inputs and returns a
:class:`~cnnedu.exercises._core.Verdict`; it never raises. The references come from
:mod:`cnnedu.nn.init` (``fans``, ``describe``) and :mod:`cnnedu.topics.depth` (a measured ReLU stack).

>>> from cnnedu.exercises.solutions import nb03 as sol
>>> fan_in_fan_out(sol.fan_in_fan_out).passed, glorot_limit(sol.glorot_limit).passed
(True, True)
>>> print(glorot_limit(lambda fan_in, fan_out: None))
NOT YET: <lambda> returned None: replace the stub with your code, then run this cell again.
"""
from __future__ import annotations

import math

import numpy as np

from cnnedu.nn import init as _init
from cnnedu.topics.depth import depth_profile
from cnnedu.exercises._core import Verdict, call, compare_value, passed, wrong

__all__ = ["fan_in_fan_out", "glorot_limit", "relu_initializer", "FAN_CASES", "LIMIT_CASES",
           "relu_stack_std", "RELU_STACK"]

FAN_CASES = [(20, 3, 5, 5), (64, 16, 3, 3), (8, 1, 7, 5), (1, 32, 1, 1)]
LIMIT_CASES = [(75, 500), (144, 576), (9, 9), (784, 10)]
RELU_STACK = {"depth": 20, "channels": 8, "size": 32}
_SEEDS = (0, 1, 2, 3)
_NOT_DRAWN = ("zeros", "ones", "constant", "dirac")


# ----------------------------------------------------------------------- exercise 1

def fan_in_fan_out(fn) -> Verdict:
    """Check ``fn(shape)`` -> ``(fan_in, fan_out)`` for conv weights ``(F, C, kh, kw)``."""
    for shape in FAN_CASES:
        got = call(fn, shape)
        if isinstance(got, Verdict):
            return got
        expected = _init.fans(shape)
        F, C, kh, kw = shape
        if isinstance(got, (tuple, list)) and len(got) == 2:
            try:
                g = (float(got[0]), float(got[1]))
            except (TypeError, ValueError):
                g = None
            if g == (expected[1], expected[0]) and expected[0] != expected[1]:
                return wrong(f"for shape {shape} you returned {tuple(got)}: fan_in and fan_out "
                             "are swapped.",
                             hint="fan_in counts the inputs of ONE output value: C*kh*kw")
            if g is not None and g[0] == F * C * kh * kw != expected[0]:
                return wrong(f"for shape {shape} your fan_in is {got[0]}, the number of "
                             f"weights of the whole layer; expected {expected[0]}.",
                             hint="one output value is made by one filter: C*kh*kw products")
        v = compare_value(got, expected, f"(fan_in, fan_out) for shape {shape}", exact=True,
                          hint="a conv weight is (F, C, kh, kw): fan_in = C*kh*kw, "
                               "fan_out = F*kh*kw")
        if not v:
            return v
    return passed(f"your fans match cnnedu.nn.init.fans on {len(FAN_CASES)} shapes, "
                  "including (20, 3, 5, 5) -> (75, 500).")


# ----------------------------------------------------------------------- exercise 2

def _glorot_reference(fan_in: int, fan_out: int) -> float:
    # a dense weight (out, in) has fans (in, out)
    return _init.describe("glorot_uniform", (fan_out, fan_in)).limit


def glorot_limit(fn) -> Verdict:
    """Check ``fn(fan_in, fan_out)`` -> the Glorot uniform limit ``l`` of ``U(-l, l)``."""
    for fan_in, fan_out in LIMIT_CASES:
        got = call(fn, fan_in, fan_out)
        if isinstance(got, Verdict):
            return got
        expected = _glorot_reference(fan_in, fan_out)
        try:
            g = float(got)
        except (TypeError, ValueError):
            g = None
        label = f"the limit for fan_in={fan_in}, fan_out={fan_out}"
        if g is not None and not math.isclose(g, expected, rel_tol=1e-6):
            if math.isclose(g, math.sqrt(2 / (fan_in + fan_out)), rel_tol=1e-6):
                return wrong(f"{label} is {g:.4f}, Glorot's std; the limit is {expected:.4f}.",
                             hint="U(-l, l) has std l / sqrt(3): set l / sqrt(3) equal to "
                                  "the std sqrt(2 / (fan_in + fan_out))")
            if math.isclose(g, math.sqrt(6 / fan_in), rel_tol=1e-6):
                return wrong(f"{label} is {g:.4f}, He's limit sqrt(6 / fan_in); Glorot's is "
                             f"{expected:.4f}.", hint="Glorot averages the fans: "
                                                       "n = (fan_in + fan_out) / 2")
        v = compare_value(got, expected, label,
                          hint="Var(U(-l, l)) = l**2 / 3 and Glorot wants "
                               "Var(w) = 2 / (fan_in + fan_out)")
        if not v:
            return v
    return passed("your limit matches cnnedu.nn.init's glorot_uniform on "
                  f"{len(LIMIT_CASES)} layers, e.g. {_glorot_reference(75, 500):.4f} for "
                  "(75, 500).")


# ----------------------------------------------------------------------- exercise 3

def relu_stack_std(name: str) -> float:
    """Root mean square, over 4 seeds, of the last-layer activation std of the ReLU stack
    (``RELU_STACK``: 20 layers of 8 channels, 3x3, on the photograph)."""
    stds = [depth_profile(name, "relu", seed=s, **RELU_STACK).forward_std[-1] for s in _SEEDS]
    return float(np.sqrt(np.mean(np.square(stds))))


def relu_initializer(fn) -> Verdict:
    """Check ``fn()`` -> the name of a random initializer (in ``cnnedu.nn.init.NAMES``) that
    keeps the activations of a 20-layer ReLU stack from vanishing (or exploding)."""
    got = call(fn)
    if isinstance(got, Verdict):
        return got
    if not isinstance(got, str) or got not in _init.NAMES:
        return wrong(f"expected the name of an initializer of cnnedu.nn.init; got {got!r}",
                     hint="one of: " + ", ".join(_init.NAMES))
    if got in _NOT_DRAWN:
        why = ("it starts every layer as the identity, a copy of its input (section 7): "
               "the std survives, but nothing is drawn" if got == "dirac" else
               "every filter starts identical, and identical filters stay identical "
               "(section 2)")
        return wrong(f"{got!r} draws nothing at random: {why}. The question asks for a "
                     "random draw.",
                     hint="choose a distribution whose variance is scaled for ReLU")
    s = relu_stack_std(got)
    if not math.isfinite(s) or s > 1e2:
        return wrong(f"with {got!r} the activations explode: std {s:.3g} at layer 20.",
                     hint="its default spread ignores the fan-in; a 3x3 conv on 8 channels "
                          "sums 72 products")
    if s < 1e-2:
        return wrong(f"with {got!r} the activations vanish: std {s:.3g} at layer 20 "
                     "(from 1 at the input).",
                     hint="ReLU zeroes about half of the values, halving the variance in "
                          "every layer; which scheme doubles Var(w) to make up for it?")
    return passed(f"{got!r} keeps a 20-layer ReLU stack alive: activation std {s:.3g} at "
                  "layer 20 (root mean square over 4 random draws).")
