"""Notebook 06 checks: the reference passes, a stub is NOT YET, every named mistake is
named, a learner who calls the package is passed with a note, and no answer a learner
can write makes a check raise."""
import numpy as np
import pytest

from cnnedu.exercises.checks import _nb06_layer as layer_checks
from cnnedu.exercises.checks import nb06 as check
from cnnedu.exercises.solutions import nb06 as sol
from cnnedu.nn.conv import conv2d, conv2d_backward, rot180
from cnnedu.nn.losses import softmax_cross_entropy
from cnnedu.nn.optim import fit

CHECKS = {
    "sgd_momentum": (check.sgd_momentum, (sol.sgd_momentum_step,)),
    "conv_forward": (check.conv_forward, (sol.conv_forward,)),
    "conv_backward": (check.conv_backward, (sol.conv_backward,)),
    "train_one_epoch": (check.train_one_epoch, (sol.train_one_epoch,)),
    "symmetry": (check.symmetry, (sol.symmetry_experiment,)),
}


def stub(*args, **kwargs):
    raise NotImplementedError


def forever(*args, **kwargs):
    while True:
        pass


def chatty(*args, **kwargs):
    print("x" * 100_000)
    raise ValueError("oops")


@pytest.mark.parametrize("name", list(CHECKS))
def test_reference_passes(name):
    c, args = CHECKS[name]
    v = c(*args)
    assert v.passed, str(v)
    assert not v.notes


def test_capstone_reference_passes_and_reports_the_budget():
    v = check.your_layer_trains(sol.conv_forward, sol.conv_backward)
    assert v.passed, str(v)
    assert "500 training digits" in v.message and "5 epochs" in v.message


@pytest.mark.parametrize("name", list(CHECKS))
@pytest.mark.parametrize("bad,status", [
    (stub, "not yet"), (lambda *a, **k: None, "not yet"),
    (lambda *a, **k: 1 / 0, "wrong"), (lambda *a, **k: "abc", "wrong"),
    (lambda *a, **k: float("nan"), "wrong"), (lambda *a, **k: (np.inf, np.inf), "wrong"),
    (lambda *a, **k: (1j, 2j, 3j), "wrong"), (lambda *a, **k: [[1, 2], [3]], "wrong"),
    (lambda *a, **k: {"p": 1}, "wrong"), (chatty, "wrong"), (forever, "wrong"),
])
def test_robust_to_anything(name, bad, status):
    c, args = CHECKS[name]
    v = c(*([bad] * len(args)), time_limit=0.3)
    assert v.status == status, str(v)
    assert len(str(v)) < 2000


@pytest.mark.parametrize("bad", [stub, forever, lambda *a, **k: (np.zeros(3),) * 3])
def test_capstone_robust(bad):
    v = check.your_layer_trains(bad, sol.conv_backward, time_limit=0.3)
    assert not v.passed and "conv_forward" in v.message
    v = check.your_layer_trains(sol.conv_forward, bad, time_limit=0.3)
    assert not v.passed and "conv_backward" in v.message


# ------------------------------------------------------------------ named mistakes

def named(v, words):
    assert v.status == "wrong", str(v)
    assert words in v.mistake, str(v)


@pytest.mark.parametrize("mutant,words", [
    (lambda p, g, v, lr, mu: (p - lr * g, g), "velocity is not used"),
    (lambda p, g, v, lr, mu: (p + lr * (mu * v + g), mu * v + g), "up the gradient"),
    (lambda p, g, v, lr, mu: (p - lr * v, mu * v + g), "before adding the new gradient"),
])
def test_sgd_mistakes_are_named(mutant, words):
    named(check.sgd_momentum(mutant), words)


def test_sgd_other_convention_passes():
    other = lambda p, g, v, lr, mu: (p + (mu * v - lr * g), mu * v - lr * g)
    v = check.sgd_momentum(other)
    assert v.passed and "-lr times PyTorch's" in " ".join(v.notes)
    scaled = lambda p, g, v, lr, mu: (p - (mu * v + lr * g), mu * v + lr * g)
    v = check.sgd_momentum(scaled)
    assert v.passed and "is lr times PyTorch's" in " ".join(v.notes)
    assert check.sgd_momentum(sol.sgd_momentum_step).notes == []


@pytest.mark.parametrize("mutant,words", [
    (lambda x, w, b, padding: conv2d(x, rot180(w), b, padding=padding), "flipped"),
    (lambda x, w, b, padding: conv2d(x, w, None, padding=padding), "bias is left out"),
    (lambda x, w, b, padding: conv2d(x, w, np.full_like(b, b[0]), padding=padding), "b[0]"),
    (lambda x, w, b, padding: conv2d(x[:, :1], w[:, :1], b, padding=padding), "channels"),
    (lambda x, w, b, padding: conv2d(x, w, b), "no zero padding"),
])
def test_forward_mistakes_are_named(mutant, words):
    named(check.conv_forward(mutant), words)


def _bwd(dy, x, w, padding):
    return conv2d_backward(dy, x, w, padding=padding)


def _pad(a, p):
    return np.pad(a, ((0, 0), (0, 0), (p, p), (p, p)))


@pytest.mark.parametrize("mutant,words", [
    (lambda dy, x, w, padding: (conv2d_backward(dy, x, rot180(w), padding=padding)[0],
                                *_bwd(dy, x, w, padding)[1:]), "180-degree"),
    (lambda dy, x, w, padding: (_pad(_bwd(dy, x, w, padding)[0], padding),
                                *_bwd(dy, x, w, padding)[1:]), "keeps the padding"),
    (lambda dy, x, w, padding: (_bwd(dy, x, w, padding)[0], _bwd(dy, x, w, padding)[1] / len(x),
                                _bwd(dy, x, w, padding)[2]), "averaged"),
    (lambda dy, x, w, padding: (_bwd(dy, x, w, padding)[0], _bwd(dy[:1], x[:1], w, padding)[1],
                                _bwd(dy, x, w, padding)[2]), "first image only"),
    (lambda dy, x, w, padding: (*_bwd(dy, x, w, padding)[:2], dy[0].sum(axis=(1, 2))),
     "not summed over the batch"),
    (lambda dy, x, w, padding: (*_bwd(dy, x, w, padding)[:2], dy.mean(axis=(0, 2, 3))),
     "mean of dy"),
])
def test_backward_mistakes_are_named(mutant, words):
    named(check.conv_backward(mutant), words)


def test_dw_without_padding_is_named():
    def mutant(dy, x, w, padding):
        dx, _, db = _bwd(dy, x, w, padding)
        p = padding
        dw = conv2d_backward(dy[..., p:dy.shape[2] - p, p:dy.shape[3] - p], x, w)[1]
        return dx, dw, db
    named(check.conv_backward(mutant), "without the padding")


def test_capstone_names_the_failing_pass_and_a_stateful_layer():
    flipped = lambda x, w, b, padding: conv2d(x, rot180(w), b, padding=padding)
    v = check.your_layer_trains(flipped, sol.conv_backward)
    assert v.status == "wrong" and "conv_forward" in v.message and "flipped" in v.mistake
    calls = [0]

    def drifting(dy, x, w, padding):     # right on the first call, wrong later
        calls[0] += 1
        dx, dw, db = sol.conv_backward(dy, x, w, padding)
        return dx, dw * (1.0 if calls[0] < 8 else 1.5), db
    v = check.your_layer_trains(sol.conv_forward, drifting)
    assert v.status == "wrong" and "filters end" in v.message


def test_calling_the_package_passes_with_a_note():
    v = check.conv_forward(lambda x, w, b, padding: conv2d(x, w, b, padding=padding))
    assert v.passed and "conv2d" in v.notes[0]
    v = check.conv_backward(_bwd)
    assert v.passed and "conv2d_backward" in v.notes[0]


def _epoch(variant):
    """The reference epoch with one classic mistake."""
    def run(model, x, y, order, batch_size, lr, momentum, velocity):
        if variant == "reset":
            velocity.clear()
        if variant == "data order":
            order = np.arange(len(order))
        stop = len(order) - len(order) % batch_size if variant == "skip last" else len(order)
        total, batch_losses = 0.0, []
        for start in range(0, stop, batch_size):
            idx = order[start:start + batch_size]
            loss, d = softmax_cross_entropy(model.forward(x[idx]), y[idx])
            model.backward(d)
            for name, p, g in model.parameters():
                v = g if variant == "no momentum" else momentum * velocity.get(name, 0.0) + g
                velocity[name] = v
                if variant == "uphill":
                    p += lr * v
                else:
                    p -= lr * v
            total += loss * len(idx)
            batch_losses.append(loss)
        return float(np.mean(batch_losses)) if variant == "mean of batches" else total / len(order)
    return run


@pytest.mark.parametrize("variant,words", [
    ("reset", "starts again from zero"), ("no momentum", "no momentum"),
    ("data order", "data order"), ("skip last", "last, smaller batch"),
    ("uphill", "up the gradient"), ("mean of batches", "mean of the batch losses"),
])
def test_epoch_mistakes_are_named(variant, words):
    named(check.train_one_epoch(_epoch(variant)), words)


def test_epoch_by_calling_fit_passes_with_a_note():
    def with_fit(model, x, y, order, batch_size, lr, momentum, velocity):
        from cnnedu.nn.optim import SGD, train_epoch
        opt = velocity.setdefault("_opt", SGD(model, lr=lr, momentum=momentum))
        return train_epoch(model, x[order], y[order], opt, batch_size=batch_size)[0]
    v = check.train_one_epoch(with_fit)
    assert v.passed, str(v)
    assert "train_epoch" in v.notes[0]


def _sym(variant):
    def run(model, x, y, steps, lr):
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
        return float(np.sqrt(np.mean(dw ** 2))), float(np.std(w))
    return run


@pytest.mark.parametrize("variant,words", [
    ("no training", "steps are not taken"), ("norms", "norms"), ("std", "standard deviation"),
])
def test_symmetry_mistakes_are_named(variant, words):
    named(check.symmetry(_sym(variant)), words)


def test_symmetry_is_not_degenerate():
    """The constant case's filters get a gradient clearly above 0, yet stay one filter."""
    v = check.symmetry(sol.symmetry_experiment)
    assert "spread 0.0: still one filter" in v.message
    from cnnedu.nn.training import build_cnn
    x, y = check._sym_batch()
    g, s = sol.symmetry_experiment(build_cnn("constant", seed=0), x, y, 10, 0.1)
    assert g > 1e-3 and s == 0.0
    g, s = sol.symmetry_experiment(build_cnn("constant", dense_init="pytorch_default", seed=0),
                                   x, y, 10, 0.1)
    assert s > 1e-3


def test_budget_is_what_the_notebook_says():
    assert layer_checks.BUDGET == dict(n_train=500, epochs=5, batch_size=32, seed=0)
