"""Checks of notebook 06's capstone: the learner's conv forward and backward passes, then
the network trained with them (:class:`cnnedu.nn.training.OwnConv2D`).

The public face is :mod:`cnnedu.exercises.checks.nb06`.
"""
from __future__ import annotations

import numpy as np

from cnnedu.exercises._core import (TIME_LIMIT, Verdict, as_array, call, compare, passed,
                                    watch_calls, wrong)
from cnnedu.nn.conv import conv2d, conv2d_backward, correlate2d, rot180
from cnnedu.nn.losses import softmax_cross_entropy
from cnnedu.nn.optim import evaluate
from cnnedu.nn.training import build_cnn, train, with_own_conv

#: The capstone's training budget: training digits, epochs, batch size, seed.
BUDGET = dict(n_train=500, epochs=5, batch_size=32, seed=0)
#: Seconds the learner's layer may take to train on that budget.
TRAIN_TIME_LIMIT = 120.0


def _package_functions():
    return [conv2d, conv2d_backward, correlate2d]


def _note(seen, what):
    if not seen:
        return []
    return [f"you called {', '.join(sorted(seen))}; that passes, but the exercise asks you "
            f"to write {what} yourself: try it with loops over the kernel offsets"]


def conv_cases():
    """``(x, w, b, padding)``: non-square images and kernels, 2 channels, 3 filters, no
    symmetry, a non-zero bias per filter; padding 1 and 0."""
    rng = np.random.default_rng(60)
    x = rng.integers(-3, 4, size=(2, 2, 5, 4)).astype(float)
    w = rng.integers(-2, 3, size=(3, 2, 3, 2)).astype(float)
    w[0, 0] = [[1, 2], [0, -1], [3, 0.5]]              # certainly not symmetric
    b = np.array([0.5, -1.0, 2.0])
    return [(x, w, b, 1), (x[:, :, :4, :], w[:, :, :2, :], b, 0),
            (rng.normal(size=(3, 2, 4, 6)), rng.normal(size=(3, 2, 3, 3)), b, 1)]


def _forward_mistakes(x, w, b, p):
    return {
        "the kernel is flipped (a convolution; the layers compute the correlation)": (
            conv2d(x, rot180(w), b, padding=p), "use w[f, c, u, v] with x[..., i + u, j + v]: "
                                                 "no flip"),
        "the bias is left out": conv2d(x, w, None, padding=p),
        "only b[0] is added, to every filter": conv2d(x, w, np.full_like(b, b[0]), padding=p),
        "the channels are not summed (only channel 0 is used)": conv2d(
            x[:, :1], w[:, :1], b, padding=p),
        "there is no zero padding": (conv2d(x, w, b, padding=0),
                                     "pad the input with `padding` zeros on every side first"),
    }


def conv_forward(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(x, w, b, padding) -> y`` (stride 1) against :func:`cnnedu.nn.conv.conv2d`."""
    seen_all = set()
    for x, w, b, p in conv_cases():
        with watch_calls(*_package_functions()) as seen:
            got = call(fn, x.copy(), w.copy(), b.copy(), padding=p, time_limit=time_limit)
        seen_all |= seen
        if isinstance(got, Verdict):
            return got
        expected = conv2d(x, w, b, padding=p)
        v = compare(got, expected, f"y for x {x.shape}, w {w.shape}, padding {p}",
                    mistakes=_forward_mistakes(x, w, b, p),
                    hint="y[n, f, i, j] = b[f] + sum over c, u, v of "
                         "x_pad[n, c, i + u, j + v] * w[f, c, u, v]")
        if not v:
            return v
    return passed("your forward pass equals cnnedu.nn.conv.conv2d (stride 1) with "
                  "channels, a bias per filter, padding 1 and 0, non-square kernels.",
                  notes=_note(seen_all, "the forward pass"))


def _backward_mistakes(dy, x, w, p, exp):
    dx, dw, db = exp
    N = len(x)
    return {
        "dx": {
            "dx uses the kernel without its 180-degree rotation": (
                conv2d_backward(dy, x, rot180(w), padding=p)[0],
                "each output collects dy times the weight that joined it: in dx the kernel "
                "appears rotated by 180 degrees (notebook 05)"),
            "dx keeps the padding (it is the gradient of the padded input)": (
                np.pad(dx, ((0, 0), (0, 0), (p, p), (p, p))) if p else None,
                "cut `padding` rows and columns off every side of the padded gradient"),
        },
        "dw": {
            "dw is averaged over the batch instead of summed": dw / N,
            "dw comes from the first image only": conv2d_backward(dy[:1], x[:1], w, padding=p)[1],
            "dw is computed without the padding": (
                conv2d_backward(dy[..., p:dy.shape[2] - p, p:dy.shape[3] - p], x, w)[1]
                if p else None, "correlate the padded input with dy"),
        },
        "db": {
            "db comes from the first image only (not summed over the batch)": dy[0].sum(axis=(1, 2)),
            "db is the mean of dy instead of its sum": dy.mean(axis=(0, 2, 3)),
        },
    }


def conv_backward(fn, *, time_limit: float = TIME_LIMIT) -> Verdict:
    """Check ``fn(dy, x, w, padding) -> (dx, dw, db)`` against
    :func:`cnnedu.nn.conv.conv2d_backward` (stride 1)."""
    rng = np.random.default_rng(61)
    seen_all = set()
    for x, w, b, p in conv_cases():
        dy = rng.normal(size=conv2d(x, w, b, padding=p).shape)
        with watch_calls(*_package_functions()) as seen:
            got = call(fn, dy.copy(), x.copy(), w.copy(), padding=p, time_limit=time_limit)
        seen_all |= seen
        if isinstance(got, Verdict):
            return got
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            return wrong(f"your function should return three arrays (dx, dw, db); got "
                         f"{type(got).__name__}", hint="end with: return dx, dw, db")
        exp = conv2d_backward(dy, x, w, padding=p)
        mistakes = _backward_mistakes(dy, x, w, p, exp)
        for name, g, e in zip(("dx", "dw", "db"), got, exp):
            v = compare(g, e, f"{name} for x {x.shape}, w {w.shape}, padding {p}",
                        mistakes=mistakes[name],
                        hint={"dx": "dx_pad[n, c, i + u, j + v] += dy[n, f, i, j] * w[f, c, u, v]",
                              "dw": "dw[f, c, u, v] = sum over n, i, j of dy[n, f, i, j] * "
                                    "x_pad[n, c, i + u, j + v]",
                              "db": "db[f] = sum over n, i, j of dy[n, f, i, j]"}[name])
            if not v:
                return v
    return passed("your dx, dw and db equal cnnedu.nn.conv.conv2d_backward (stride 1, "
                  "padding 1 and 0, channels, a batch).", notes=_note(seen_all, "the backward pass"))


def _digits():
    from cnnedu.data import load_digits, train_test_split

    x, y = load_digits()
    x_tr, _, y_tr, _ = train_test_split(x, y, 0.2, seed=0)
    return train_test_split(x_tr, y_tr, 0.2, seed=0)


def your_layer_trains(conv_forward_fn, conv_backward_fn, *,
                      time_limit: float = TRAIN_TIME_LIMIT) -> Verdict:
    """Plug ``conv_forward_fn`` and ``conv_backward_fn`` into the digits network
    (:func:`cnnedu.nn.training.with_own_conv`); check every gradient on a batch against the
    package's layer, then train both on :data:`BUDGET` and compare the results."""
    for check, fn in ((conv_forward, conv_forward_fn), (conv_backward, conv_backward_fn)):
        v = check(fn, time_limit=min(time_limit, TIME_LIMIT))
        if not v:
            v.message = f"first make {check.__name__} pass: {v.message}"
            return v
    x_tr, x_val, y_tr, y_val = _digits()
    seed = BUDGET["seed"]
    ref, mine = build_cnn(seed=seed), build_cnn(seed=seed)
    own = with_own_conv(mine, conv_forward_fn, conv_backward_fn)
    xb, yb = x_tr[:32], y_tr[:32]
    ref.backward(softmax_cross_entropy(ref.forward(xb), yb)[1])

    def one_pass():
        own.backward(softmax_cross_entropy(own.forward(xb), yb)[1])
        return True

    got = call(one_pass, name="the network with your layer", time_limit=time_limit)
    if isinstance(got, Verdict):
        return got
    for key in ref.grads:
        v = compare(own.grads[key], ref.grads[key], f"the network's gradient for {key}",
                    rtol=1e-6, atol=1e-9)
        if not v:
            return v
    n, ep, bs = BUDGET["n_train"], BUDGET["epochs"], BUDGET["batch_size"]

    def run_own():
        return train(x_tr[:n], y_tr[:n], x_val, y_val, epochs=ep, batch_size=bs, seed=seed,
                     model=with_own_conv(build_cnn(seed=seed), conv_forward_fn,
                                         conv_backward_fn), snapshot_epochs=())

    r_own = call(run_own, name="training with your layer", time_limit=time_limit)
    if isinstance(r_own, Verdict):
        return r_own
    r_ref = train(x_tr[:n], y_tr[:n], x_val, y_val, epochs=ep, batch_size=bs, seed=seed,
                  snapshot_epochs=())
    a_own, a_ref = r_own.history["val_accuracy"][-1], r_ref.history["val_accuracy"][-1]
    diff = float(np.max(np.abs(r_own.filters - r_ref.filters)))
    if diff > 1e-6 or a_own != a_ref:
        return wrong(f"trained with your layer, the filters end {diff:.2g} away from the "
                     f"package's (validation accuracy {a_own:.1%} against {a_ref:.1%})",
                     hint="the single-batch gradients matched: look for something that "
                          "changes between calls (an array modified in place?)")
    return passed(f"the network trains with your layer: every gradient on a batch of 32 "
                  f"matches the package's Conv2D, and after {ep} epochs on {n} training digits "
                  f"(batch {bs}, seed {seed}) your network reaches {a_own:.1%} validation "
                  f"accuracy, the same as the package's layer (filters equal to within 1e-6).")
