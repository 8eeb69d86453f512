"""Checks for the exercises of notebook 06, "Learning filters".

Each check runs the learner's function on small cases chosen so that each classic mistake
shows, names the mistake when the answer equals what it gives, and returns a
:class:`~cnnedu.exercises._core.Verdict`; it never raises. The capstone's checks (the
learner's own conv layer) live in :mod:`cnnedu.exercises.checks._nb06_layer` and are
re-exported here.

>>> from cnnedu.exercises.solutions import nb06 as sol
>>> sgd_momentum(sol.sgd_momentum_step).passed
True
>>> print(train_one_epoch(lambda *a: None))
NOT YET: <lambda> returned None: replace the stub with your code, then run this cell again.
"""
from __future__ import annotations

import numpy as np

from cnnedu.exercises._core import (TIME_LIMIT, Verdict, as_array, call, compare, passed,
                                    watch_calls, wrong)
from cnnedu.exercises.checks._nb06_layer import (BUDGET, conv_backward, conv_forward,
                                                 your_layer_trains)
from cnnedu.nn.layers import Dense
from cnnedu.nn.losses import softmax_cross_entropy
from cnnedu.nn.optim import SGD, fit, train_epoch
from cnnedu.nn.training import build_cnn, filter_spread

__all__ = ["sgd_momentum", "conv_forward", "conv_backward", "your_layer_trains",
           "train_one_epoch", "symmetry", "BUDGET", "EPOCH_SETUP", "SYMMETRY_CASES"]


# ----------------------------------------------------------------------- exercise 1

def _reference_run(p0, grads, lr, momentum, variant=""):
    """The parameters after each step of cnnedu.nn.optim.SGD fed these gradients (or of a
    classic mistake, ``variant``)."""
    if variant:
        p, v, out = p0.copy(), np.zeros_like(p0), []
        for g in grads:
            if variant == "no momentum":
                p = p - lr * g
            elif variant == "uphill":
                v = momentum * v + g
                p = p + lr * v
            elif variant == "old velocity":
                p = p - lr * v
                v = momentum * v + g
            out.append(p.copy())
        return out
    layer = Dense(p0.shape[1], p0.shape[0], bias=False, init="zeros")
    layer.params["w"][...] = p0
    opt = SGD(layer, lr=lr, momentum=momentum)
    out = []
    for g in grads:
        layer.grads["w"][...] = g
        opt.step()
        out.append(layer.params["w"].copy())
    return out


_SGD_MISTAKES = {
    "no momentum": "the velocity is not used (plain SGD, p - lr * g)",
    "uphill": "the step goes up the gradient (p + lr * v)",
    "old velocity": "the step uses the velocity before adding the new gradient",
}


def sgd_momentum(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(p, g, v, lr, momentum) -> (p_new, v_new)`` over three steps.

    The learner's own velocity is fed back at each step and the parameters are compared
    with :class:`cnnedu.nn.optim.SGD` (so any equivalent way of writing the velocity passes).
    """
    rng = np.random.default_rng(6)
    p0 = rng.normal(size=(3, 4))
    grads = [rng.normal(size=(3, 4)) for _ in range(3)]
    v_scaled = None        # +1 or -1 when the velocity is +-lr times PyTorch's
    for lr, mu in ((0.1, 0.9), (0.05, 0.0), (0.5, 0.5)):
        v_torch = np.zeros_like(p0)
        expected = _reference_run(p0, grads, lr, mu)
        variants = {k: _reference_run(p0, grads, lr, mu, k) for k in _SGD_MISTAKES}
        p, v = p0.copy(), np.zeros_like(p0)
        for step, g in enumerate(grads):
            got = call(fn, p.copy(), g.copy(), v.copy(), lr, mu, time_limit=time_limit)
            if isinstance(got, Verdict):
                return got
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                return wrong(f"your function should return a pair (p_new, v_new); got "
                             f"{type(got).__name__}", hint="end with: return p_new, v_new")
            p, v = (as_array(a, f"{name} after step {step + 1}")
                    for a, name in zip(got, ("p_new", "v_new")))
            for a in (p, v):
                if isinstance(a, Verdict):
                    return a
            if v.shape != p0.shape:
                return wrong(f"v_new has shape {v.shape}; expected {p0.shape}, the shape of p")
            hint = ("v <- momentum * v + g, then p <- p - lr * v: the step follows the "
                    "velocity, which remembers earlier gradients")
            if step == 0:
                hint = ("on the first step v is 0, so the step is p - lr * g: check the sign "
                        "(go against the gradient) and the learning rate")
            mistakes = {_SGD_MISTAKES[k]: run[step] for k, run in variants.items()}
            ver = compare(p, expected[step], f"p after step {step + 1} (lr={lr}, momentum={mu})",
                          hint=hint, mistakes=mistakes)
            if not ver:
                return ver
            v_torch = mu * v_torch + g
            if not np.allclose(v, v_torch):
                for sign in (1, -1):
                    if np.allclose(v, sign * lr * v_torch):
                        v_scaled = sign
    ver = passed("your update matches cnnedu.nn.optim.SGD (PyTorch's rule) over 3 steps, "
                 "with and without momentum.")
    if v_scaled is not None:
        form = ("v <- momentum * v + lr * g, p <- p - v" if v_scaled > 0 else
                "v <- momentum * v - lr * g, p <- p + v")
        ver.notes.append(f"your velocity is {'' if v_scaled > 0 else '-'}lr times PyTorch's "
                         f"({form}, as in Sutskever et al. 2013 and CS231n). The steps are the "
                         "same while lr stays fixed; they differ once lr changes during "
                         "training (a schedule).")
    return ver


# ----------------------------------------------------------------------- exercise 5

#: The small case the epoch check trains on: images, batch size, lr, momentum, seed.
EPOCH_SETUP = dict(n=100, batch_size=32, lr=0.05, momentum=0.9, seed=4, n_filters=4)

_EPOCH_MISTAKES = {
    "reset": "the velocity starts again from zero every epoch (it must carry over: keep "
             "it in `velocity`)",
    "no momentum": "there is no momentum (p -= lr * g)",
    "data order": "the batches follow the data order instead of `order`",
    "skip last": "the last, smaller batch is skipped",
    "uphill": "the step goes up the gradient (p += lr * v)",
}


def _epoch_data():
    from cnnedu.data import load_digits

    x, y = load_digits()
    n = EPOCH_SETUP["n"]
    return x[:n], y[:n]


def _variant_epochs(x, y, orders, variant, loss_mean_of_batches=False):
    """Two epochs by a reference written here, with one classic mistake (or none)."""
    s = EPOCH_SETUP
    model = build_cnn(n_filters=s["n_filters"], seed=s["seed"])
    bs, lr, mu = s["batch_size"], s["lr"], s["momentum"]
    velocity, losses = {}, []
    for order in orders:
        if variant == "reset":
            velocity = {}
        if variant == "data order":
            order = np.arange(len(x))
        stop = len(order) - len(order) % bs if variant == "skip last" else len(order)
        total, batch_losses = 0.0, []
        for start in range(0, stop, bs):
            idx = order[start:start + bs]
            value, d = softmax_cross_entropy(model.forward(x[idx]), y[idx])
            model.backward(d)
            for name, p, g in model.parameters():
                v = g if variant == "no momentum" else mu * velocity.get(name, 0.0) + g
                velocity[name] = v
                if variant == "uphill":
                    p += lr * v
                else:
                    p -= lr * v
            total += value * len(idx)
            batch_losses.append(value)
        losses.append(float(np.mean(batch_losses)) if loss_mean_of_batches else total / len(order))
    return model, losses


def train_one_epoch(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(model, x, y, order, batch_size, lr, momentum, velocity) -> mean loss``:
    called for two epochs on a small digits network, against
    :func:`cnnedu.nn.optim.fit` with the same seed (so the same batches)."""
    s = EPOCH_SETUP
    x, y = _epoch_data()
    rng = np.random.default_rng(s["seed"])
    orders = [rng.permutation(len(x)) for _ in range(2)]       # what fit(seed=...) draws
    ref = build_cnn(n_filters=s["n_filters"], seed=s["seed"])
    hist = fit(ref, x, y, epochs=2, batch_size=s["batch_size"], lr=s["lr"],
               momentum=s["momentum"], seed=s["seed"])
    model = build_cnn(n_filters=s["n_filters"], seed=s["seed"])
    velocity, losses, seen_all = {}, [], set()
    for epoch, order in enumerate(orders):
        with watch_calls(fit, train_epoch, SGD.step) as seen:
            got = call(fn, model, x, y, order.copy(), s["batch_size"], s["lr"], s["momentum"],
                       velocity, time_limit=time_limit)
        seen_all |= seen
        if isinstance(got, Verdict):
            return got
        arr = as_array(got, f"the loss your function returned for epoch {epoch + 1}")
        if isinstance(arr, Verdict):
            return arr
        if arr.size != 1 or not np.isfinite(arr).all():
            return wrong(f"your function should return the epoch's mean loss, one finite "
                         f"number; got {got!r:.80}")
        losses.append(float(arr.reshape(())))
    variants = {desc: _variant_epochs(x, y, orders, key)[0] for key, desc in _EPOCH_MISTAKES.items()}
    for key, p in ref.params.items():
        mistakes = {desc: m.params[key] for desc, m in variants.items()}
        v = compare(model.params[key], p, f"parameter {key} after two epochs", rtol=1e-7,
                    atol=1e-10, mistakes=mistakes,
                    hint="for each batch of `order`: forward, softmax_cross_entropy, backward, "
                         "then for every (name, p, g) in model.parameters(): "
                         "v = momentum * velocity.get(name, 0) + g; velocity[name] = v; p -= lr * v")
        if not v:
            return v
    mean_of_batches = _variant_epochs(x, y, orders, "", loss_mean_of_batches=True)[1]
    v = compare(np.array(losses), np.array(hist["loss"]), "the two epoch losses you returned",
                rtol=1e-7, mistakes={
                    "the loss is the mean of the batch losses (the smaller last batch counts "
                    "as much as a full one)": np.array(mean_of_batches)},
                hint="add loss * len(batch) over the batches and divide by the number of images")
    if not v:
        return v
    notes = []
    if seen_all:
        notes = [f"you called {', '.join(sorted(seen_all))}; that passes, but the exercise "
                 "asks you to write the loop and the update yourself"]
    return passed(f"two epochs of your loop give the same weights and losses as "
                  f"cnnedu.nn.optim.fit (seed {s['seed']}, batch {s['batch_size']}, "
                  f"{len(x)} images: 3 full batches and one of {len(x) % s['batch_size']}).",
                  notes=notes)


# ----------------------------------------------------------------------- exercise 6

#: (label, build_cnn arguments) for the symmetry experiment.
SYMMETRY_CASES = (
    ("constant filters, constant dense layer", dict(init="constant")),
    ("constant filters, random dense layer", dict(init="constant", dense_init="pytorch_default")),
    ("He filters and dense layer", dict(init="he_normal")),
)
_SYM_STEPS, _SYM_LR = 10, 0.1


def _sym_batch():
    from cnnedu.data import load_digits

    x, y = load_digits()
    return x[:64], y[:64]


def _sym_reference(model, x, y, steps, lr, variant=""):
    for _ in range(0 if variant == "no training" else steps):
        _, d = softmax_cross_entropy(model.forward(x), y)
        model.backward(d)
        for _, p, g in model.parameters():
            p -= lr * g
    _, d = softmax_cross_entropy(model.forward(x), y)
    model.backward(d)
    dw, w = model[0].grads["w"], model[0].params["w"]
    if variant == "norms":
        return float(np.linalg.norm(dw)), float(np.linalg.norm(w - w[0]))
    if variant == "std":
        return float(np.sqrt(np.mean(dw ** 2))), float(np.std(w))
    return float(np.sqrt(np.mean(dw ** 2))), filter_spread(w)


_SYM_MISTAKES = {
    "no training": "the steps are not taken (the numbers are those of the untrained network)",
    "norms": "norms are returned instead of RMS per entry (a norm grows with the number of "
             "entries)",
    "std": "the spread is the standard deviation of all weights (it is not 0 for identical "
           "filters whose nine weights differ)",
}


def symmetry(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(model, x, y, steps, lr) -> (gradient RMS, filter spread)`` on the three
    :data:`SYMMETRY_CASES`, and say what the numbers show."""
    x, y = _sym_batch()
    found = {}
    for label, kwargs in SYMMETRY_CASES:
        got = call(fn, build_cnn(seed=0, **kwargs), x, y, _SYM_STEPS, _SYM_LR,
                   time_limit=time_limit)
        if isinstance(got, Verdict):
            return got
        arr = as_array(got, f"your pair for {label}")
        if isinstance(arr, Verdict):
            return arr
        if arr.shape != (2,):
            return wrong(f"your function should return two numbers (gradient RMS, spread); "
                         f"got {got!r:.80}", hint="return rms_grad, spread")
        expected = _sym_reference(build_cnn(seed=0, **kwargs), x, y, _SYM_STEPS, _SYM_LR)
        mistakes = {desc: np.array(_sym_reference(build_cnn(seed=0, **kwargs), x, y, _SYM_STEPS,
                                                  _SYM_LR, key))
                    for key, desc in _SYM_MISTAKES.items()}
        v = compare(arr, np.array(expected), f"(gradient RMS, filter spread) for {label}",
                    rtol=1e-6, atol=1e-12, mistakes=mistakes,
                    hint="after the steps: one forward and backward pass; RMS = "
                         "sqrt(mean(a ** 2)); spread = RMS of w - w[0]")
        if not v:
            return v
        found[label] = expected
    (g0, s0), (g1, s1), (g2, s2) = found.values()
    return passed(
        f"after {_SYM_STEPS} steps: constant filters and a constant dense layer: gradient RMS "
        f"{g0:.2g} (the filters do learn), spread {s0:.1f}: still one filter. Constant filters "
        f"read by a random dense layer: spread {s1:.2g}. He: spread {s2:.2g}. Identical "
        "filters stay identical only if everything downstream treats them alike too.")
