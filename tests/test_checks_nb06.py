"""Notebook 06 checks: pass the reference, NOT YET for stubs, fail plausible wrong answers."""
import numpy as np

from cnnedu.exercises.checks import nb06 as check
from cnnedu.exercises.solutions import nb06 as sol


def stub(*args):
    raise NotImplementedError


def test_references_pass():
    assert check.sgd_momentum(sol.sgd_momentum_step).passed
    assert check.count_parameters(sol.count_parameters).passed
    v = check.constant_init(sol.filter_spread)
    assert v.passed and "constant init 0.0" in v.message


def test_stubs_say_not_yet():
    for c in (check.sgd_momentum, check.count_parameters, check.constant_init):
        assert c(stub).status == "not yet"
        assert c(lambda *a: None).status == "not yet"


def test_sgd_wrong_answers():
    no_momentum = lambda p, g, v, lr, mu: (p - lr * g, g)
    v = check.sgd_momentum(no_momentum)
    assert v.status == "wrong" and "step 2" in v.message
    wrong_sign = lambda p, g, v, lr, mu: (p + lr * (mu * v + g), mu * v + g)
    v = check.sgd_momentum(wrong_sign)
    assert v.status == "wrong" and "sign" in v.hint
    # the other common convention (v <- mu v - lr g; p <- p + v) is the same update
    other = lambda p, g, v, lr, mu: (p + (mu * v - lr * g), mu * v - lr * g)
    assert check.sgd_momentum(other).passed
    assert check.sgd_momentum(lambda *a: 3).status == "wrong"


def test_count_wrong_answers():
    no_bias = lambda F, k, H, p, K: F * k * k + K * F * (H // p) ** 2
    v = check.count_parameters(no_bias)
    assert v.status == "wrong" and "biases" in v.hint
    no_pool = lambda F, k, H, p, K: F * k * k + F + K * F * H * H + K
    assert check.count_parameters(no_pool).status == "wrong"


def test_spread_wrong_answers():
    v = check.constant_init(lambda w: float(np.max(w) - np.min(w)))  # spread of values, not filters
    assert v.status == "wrong" and "spread of filters" in v.message
    v = check.constant_init(lambda w: float(np.std(w)))
    assert v.status == "wrong"
    v = check.constant_init(lambda w: "zero")
    assert v.status == "wrong"
