"""The exercise checks of notebook 03: the reference passes, a stub is NOT YET, every named
mistake is recognised by a mutant that makes it, and no answer a learner can write makes a
check raise."""
import math

import numpy as np
import pytest

from cnnedu.exercises.checks import nb03 as check
from cnnedu.exercises.solutions import nb03 as sol
from cnnedu.nn import init

EXERCISES = ["fan_in_fan_out", "he_uniform", "kaiming_limit", "truncated_std",
             "gradient_step", "downstream_start", "relu_rms"]


def run(name, fn, **kw):
    return getattr(check, name)(fn, **kw)


@pytest.mark.parametrize("name", EXERCISES)
def test_reference_passes_and_stubs_are_not_yet(name):
    v = run(name, getattr(sol, name))
    assert v.passed, str(v)
    assert not v.notes

    def raises(*a):
        raise NotImplementedError

    assert run(name, raises).status == "not yet"
    assert run(name, lambda *a: None).status == "not yet"


def forever(*a):
    while True:
        pass


def chatty(*a):
    for i in range(10_000):
        print("debug line", i)
    return getattr(sol, chatty.target)(*a)


BAD_ANSWERS = {
    "raises": lambda *a: 1 / 0,
    "a string": lambda *a: "0.5",
    "nan": lambda *a: float("nan"),
    "inf": lambda *a: float("inf"),
    "complex": lambda *a: 1 + 2j,
    "a bool": lambda *a: True,
    "a dict": lambda *a: {"a": 1},
    "an array of nan": lambda *a: np.full((3,), np.nan),
    "a triple of nan": lambda *a: (np.nan, np.nan, np.nan),
    "a tuple of complex": lambda *a: (1j, 2j),
    "recursion": None,
}


def recurse(*a):
    return recurse(*a)


@pytest.mark.parametrize("name", EXERCISES)
@pytest.mark.parametrize("kind", list(BAD_ANSWERS))
def test_bad_answers_give_a_clear_verdict(name, kind):
    fn = BAD_ANSWERS[kind] or recurse
    v = run(name, fn, time_limit=2.0)
    assert v.status == "wrong", (kind, str(v))
    assert str(v).startswith("WRONG: ")


@pytest.mark.parametrize("name", EXERCISES)
def test_endless_loop_is_stopped(name):
    v = run(name, forever, time_limit=0.2)
    assert v.status == "wrong" and "did not return within 0.2 s" in str(v)


@pytest.mark.parametrize("name", EXERCISES)
def test_a_lot_of_printing_is_captured(name, capsys):
    chatty.target = name
    v = run(name, chatty)
    assert v.passed, str(v)
    assert "debug line" not in capsys.readouterr().out


def test_fans_mistakes():
    cases = {
        "fan_in and fan_out are swapped": lambda s: (s[0] * s[2] * s[3], s[1] * s[2] * s[3]),
        "fan_in counts the whole layer's weights, F*C*kh*kw":
            lambda s: (s[0] * s[1] * s[2] * s[3], s[0] * s[2] * s[3]),
        "the kernel area is left out (C and F alone)": lambda s: (s[1], s[0]),
        "kh is used twice (kh*kh instead of kh*kw)":
            lambda s: (s[1] * s[2] * s[2], s[0] * s[2] * s[2]),
    }
    for description, fn in cases.items():
        v = check.fan_in_fan_out(fn)
        assert v.mistake == description, (description, str(v))
    v = check.fan_in_fan_out(lambda s: (s[1] * s[2] * s[3] + 0.5, s[0] * s[2] * s[3]))
    assert not v and "whole number" in str(v)


def _he(limit_of):
    def fn(shape, rng):
        return rng.uniform(-limit_of(*shape), limit_of(*shape), size=shape)
    return fn


def test_he_uniform_mistakes():
    cases = {
        "fan_out is used instead of fan_in": _he(lambda F, C, kh, kw: math.sqrt(6 / (F * kh * kw))),
        "the kernel area is forgotten (fan_in = C)": _he(lambda F, C, kh, kw: math.sqrt(6 / C)),
        "the normal's std sqrt(2 / fan_in) is used as the uniform's limit":
            _he(lambda F, C, kh, kw: math.sqrt(2 / (C * kh * kw))),
        "Glorot's fans are averaged in (6 / (fan_in + fan_out))":
            _he(lambda F, C, kh, kw: math.sqrt(6 / (C * kh * kw + F * kh * kw))),
    }
    for description, fn in cases.items():
        v = check.he_uniform(fn)
        assert v.mistake == description, (description, str(v))
    normal = lambda s, rng: rng.normal(0, math.sqrt(2 / (s[1] * s[2] * s[3])), size=s)
    assert check.he_uniform(normal).mistake == "normal, not uniform"
    one_sided = lambda s, rng: rng.uniform(0, math.sqrt(6 / (s[1] * s[2] * s[3])), size=s)
    assert check.he_uniform(one_sided).mistake == "one-sided interval"
    global_rng = lambda s, rng: sol.he_uniform(s, np.random.default_rng())
    assert check.he_uniform(global_rng).mistake == "rng not used"
    fixed = lambda s, rng: sol.he_uniform(s, np.random.default_rng(0))
    assert check.he_uniform(fixed).mistake == "rng not used"
    assert "shape" in str(check.he_uniform(lambda s, rng: sol.he_uniform(s, rng)[0]))
    assert check.he_uniform(lambda s, rng: sol.he_uniform(s, rng) * 0.9).status == "wrong"


def test_he_uniform_calling_the_package_passes_with_a_note():
    v = check.he_uniform(lambda s, rng: init.he_uniform(s, rng))
    assert v.passed and "you called cnnedu.nn.init.he_uniform" in str(v)


def test_kaiming_limit_mistakes():
    cases = {
        "you return the std, gain / sqrt(fan_in), not the limit":
            lambda n, a: math.sqrt(2 / (1 + a * a)) / math.sqrt(n),
        "the gain is 2 / (1 + a**2), without its square root":
            lambda n, a: 2 / (1 + a * a) * math.sqrt(3 / n),
        "a is used where a**2 belongs": lambda n, a: math.sqrt(2 / (1 + a)) * math.sqrt(3 / n),
        "the gain is left out (He's sqrt(6 / fan_in) for every a)":
            lambda n, a: math.sqrt(6 / n),
    }
    for description, fn in cases.items():
        v = check.kaiming_limit(fn)
        assert v.mistake == description, (description, str(v))
    assert check.kaiming_limit(lambda n, a: 1 / math.sqrt(n)).status == "wrong"  # a ignored


def test_truncated_std_mistakes():
    def integral(c, f):
        x = np.linspace(-c, c, 10_001)
        y = f(x)
        return np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2

    phi = lambda x: np.exp(-x ** 2 / 2) / np.sqrt(2 * np.pi)
    cases = {
        "the integral of x**2 phi(x) is not divided by the mass inside [-c, c] (the cut "
        "density must integrate to 1)": lambda c: np.sqrt(integral(c, lambda x: x ** 2 * phi(x))),
        "you return the variance, not its square root": lambda c: sol.truncated_std(c) ** 2,
        "phi lacks its 1 / sqrt(2 pi) and nothing is normalised":
            lambda c: np.sqrt(integral(c, lambda x: x ** 2 * np.exp(-x ** 2 / 2))),
        "nothing is cut (the std of the whole normal)": lambda c: 1.0,
    }
    for description, fn in cases.items():
        v = check.truncated_std(fn)
        assert v.mistake == description, (description, str(v))
    const = lambda c: init.TRUNCATED_NORMAL_STD_CORRECTION          # right only at c = 2
    assert check.truncated_std(const).status == "wrong"
    coarse = lambda c: sol.truncated_std(c) * (1 + 1e-3)
    assert check.truncated_std(coarse).status == "wrong"


def _mutant_step(**slip):
    def fn(w, b, v, x, t, lr):
        return check._variant_step(w, b, v, x, t, lr, **slip)
    return fn


def test_gradient_step_mistakes():
    cases = {
        "v_f is left out of dL/dh_f (every filter gets dL/dy)": _mutant_step(use_v=False),
        "relu'(z) is left out (dL/dz = dL/dh)": _mutant_step(use_relu_grad=False),
        "the step goes up the gradient (+ lr * grad)": _mutant_step(sign=1.0),
        "dL/dy is y - t: the mean's 1 / n is forgotten": _mutant_step(mean=False),
    }
    for description, fn in cases.items():
        v = check.gradient_step(fn)
        assert v.mistake == description, (description, str(v))
    # the reference of the mutants is the solution: no mutant equals it
    w, b, v, x, t, lr = check.step_case()
    ref = sol.gradient_step(w, b, v, x, t, lr)
    for d, m in check.step_mistakes(w, b, v, x, t, lr).items():
        assert not all(np.allclose(a, r) for a, r in zip(m, ref)), d
    pair = check.gradient_step(lambda *a: sol.gradient_step(*a)[:2])
    assert pair.status == "wrong" and "(w, b, v)" in str(pair)


def test_gradient_step_pass_message_reports_the_symmetric_run():
    v = check.gradient_step(sol.gradient_step)
    # the solution computes the three filters in one conv2d call: exactly 0 on some BLAS
    # kernels, about 1e-16 on others (notebook section 2)
    assert "differ by 0:" in str(v) or "differ by less than 1e-12" in str(v)


def test_downstream_start_mistakes():
    w = np.full((3, 1, 3, 3), 0.1)
    all_equal = check.downstream_start(lambda: (w, np.zeros(3), np.full(3, 0.25)))
    assert all_equal.mistake == "v equal"
    differ = check.downstream_start(
        lambda: (w + np.arange(3)[:, None, None, None] * 0.01, np.zeros(3), np.ones(3)))
    assert differ.mistake == "filters not equal"
    zeros = check.downstream_start(lambda: (0 * w, np.zeros(3), np.array([0.1, 0.2, 0.3])))
    assert zeros.mistake == "zeros block the gradient"
    shape = check.downstream_start(lambda: (w[:2], np.zeros(2), np.ones(2)))
    assert shape.status == "wrong" and "shape" in str(shape)
    huge = check.downstream_start(lambda: (w * 1e200, np.zeros(3), np.array([1e200, 0, 1])))
    assert huge.status == "wrong"


def test_relu_rms_mistakes():
    cases = {
        "the ReLU's half is left out": lambda s, n, L: (n * s * s) ** (L / 2),
        "you return the second moment E[h**2], not its square root":
            lambda s, n, L: (n * s * s / 2) ** L,
        "std_w is used where its square belongs": lambda s, n, L: (n * s / 2) ** (L / 2),
        "the exponent counts depth - 1 layers": lambda s, n, L: (n * s * s / 2) ** ((L - 1) / 2),
    }
    for description, fn in cases.items():
        v = check.relu_rms(fn)
        assert v.mistake == description, (description, str(v))
    assert check.relu_rms(lambda s, n, L: 1.0).status == "wrong"
