"""Checks for the exercises of notebook 06, "Learning filters".

Each check runs the learner's function on fixed inputs and returns a
:class:`~cnnedu.exercises._core.Verdict`; it never raises.

>>> from cnnedu.exercises.solutions import nb06 as sol
>>> sgd_momentum(sol.sgd_momentum_step).passed
True
>>> print(count_parameters(lambda *a: None))
NOT YET: <lambda> returned None: replace the stub with your code, then run this cell again.
"""
from __future__ import annotations

import numpy as np

from cnnedu.nn.optim import SGD
from cnnedu.nn.layers import Dense
from cnnedu.nn.training import build_cnn, filter_spread as _spread, gradient_chain
from cnnedu.exercises._core import Verdict, call, compare, compare_value, passed, wrong

__all__ = ["sgd_momentum", "count_parameters", "constant_init"]


# ----------------------------------------------------------------------- exercise 1

def _reference_run(p0, grads, lr, momentum):
    """The parameters after each step of cnnedu.nn.optim.SGD fed these gradients."""
    layer = Dense(p0.shape[1], p0.shape[0], bias=False, init="zeros")
    layer.params["w"][...] = p0
    opt = SGD(layer, lr=lr, momentum=momentum)
    out = []
    for g in grads:
        layer.grads["w"][...] = g
        opt.step()
        out.append(layer.params["w"].copy())
    return out


def sgd_momentum(fn) -> Verdict:
    """Check ``fn(p, g, v, lr, momentum) -> (p_new, v_new)`` over three steps.

    The learner's own velocity is fed back at each step and the parameters are compared
    with :class:`cnnedu.nn.optim.SGD` (so any equivalent way of writing the velocity passes).
    """
    rng = np.random.default_rng(6)
    p0 = rng.normal(size=(3, 4))
    grads = [rng.normal(size=(3, 4)) for _ in range(3)]
    for lr, mu in ((0.1, 0.9), (0.05, 0.0), (0.5, 0.5)):
        expected = _reference_run(p0, grads, lr, mu)
        p, v = p0.copy(), np.zeros_like(p0)
        for step, g in enumerate(grads):
            got = call(fn, p.copy(), g.copy(), v.copy(), lr, mu)
            if isinstance(got, Verdict):
                return got
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                return wrong(f"your function should return a pair (p_new, v_new); got "
                             f"{type(got).__name__}", hint="end with: return p_new, v_new")
            p, v = (np.asarray(a, dtype=float) for a in got)
            hint = ("v <- momentum * v + g, then p <- p - lr * v: the step follows the "
                    "velocity, which remembers earlier gradients")
            if step == 0:
                hint = ("on the first step v is 0, so the step is p - lr * g: check the sign "
                        "(go against the gradient) and the learning rate")
            ver = compare(p, expected[step], f"p after step {step + 1} (lr={lr}, momentum={mu})",
                          hint=hint)
            if not ver:
                return ver
    return passed("your update matches cnnedu.nn.optim.SGD (PyTorch's rule) over 3 steps, with "
                  "and without momentum.")


# ----------------------------------------------------------------------- exercise 2

_CONFIGS = ((16, 3, 8, 2, 10), (8, 5, 8, 4, 10), (4, 7, 28, 28, 4), (1, 3, 6, 3, 2))


def count_parameters(fn) -> Verdict:
    """Check ``fn(n_filters, kernel_size, image_size, pool, n_classes) -> int`` against
    ``build_cnn(...).n_params`` on several networks."""
    for F, k, H, p, K in _CONFIGS:
        got = call(fn, F, k, H, p, K)
        if isinstance(got, Verdict):
            return got
        expected = build_cnn(n_filters=F, kernel_size=k, image_size=H, pool=p,
                             n_classes=K).n_params
        v = compare_value(got, expected,
                          f"the count for F={F}, k={k}, {H}x{H} images, pool {p}, K={K}",
                          exact=True,
                          hint="conv: F*k*k weights + F biases; dense: it reads F maps of "
                               "(image_size // pool)**2 pooled values, one weight per "
                               "(class, feature) + K biases")
        if not v:
            return v
    return passed(f"your counts match the layers' n_params on {len(_CONFIGS)} networks "
                  "(2730 for the digits network).")


# ----------------------------------------------------------------------- exercise 3

def _batch():
    from cnnedu.data import load_digits

    x, y = load_digits()
    return x[:64], y[:64]


def constant_init(fn) -> Verdict:
    """Check ``fn(w) -> float``, the spread ``max |w[f] - w[0]|`` of filters (or of their
    gradients), and use it on the constant and He networks' first gradient."""
    rng = np.random.default_rng(3)
    cases = [np.ones((4, 1, 3, 3)), rng.normal(size=(5, 1, 3, 3)), rng.normal(size=(3, 2, 5, 5))]
    for w in cases:
        got = call(fn, w.copy())
        if isinstance(got, Verdict):
            return got
        v = compare_value(got, _spread(w), f"the spread of filters of shape {w.shape}",
                          hint="subtract the first filter w[0] from every filter (broadcast), "
                               "take absolute values, then the largest")
        if not v:
            return v
    x, y = _batch()
    spreads = {}
    for init in ("constant", "he_normal"):
        model = build_cnn(init, seed=0)
        _, levels = gradient_chain(model, x, y)
        got = call(fn, levels[3].grad.copy())
        if isinstance(got, Verdict):
            return got
        try:
            spreads[init] = float(got)
        except (TypeError, ValueError):
            return wrong(f"your function should return a number; got {got!r}")
    if spreads["constant"] != 0.0:
        return wrong(f"on the constant network's first gradient your spread is "
                     f"{spreads['constant']!r}; expected exactly 0.0",
                     hint="identical filters see the same input and the same upstream "
                          "gradient, so their gradients are identical")
    return passed(
        f"spread of dL/dw after one backward pass: constant init {spreads['constant']:.1f}, "
        f"He init {spreads['he_normal']:.3f}. Identical filters get identical gradients, so "
        "they take identical steps and stay identical forever: 16 filters learn 1 feature.")
