"""The exercise checks of notebook 03 pass the reference, say NOT YET for the stubs, and
fail plausible wrong answers with a useful message."""
import numpy as np

from cnnedu.exercises.checks import nb03 as check
from cnnedu.exercises.solutions import nb03 as sol


def test_checks_pass_the_reference_solutions():
    assert check.fan_in_fan_out(sol.fan_in_fan_out).passed
    assert check.glorot_limit(sol.glorot_limit).passed
    v = check.relu_initializer(sol.relu_initializer)
    assert v.passed and "layer 20" in str(v)


def test_stubs_are_not_yet():
    def stub(*args):
        raise NotImplementedError
    for fn in (check.fan_in_fan_out, check.glorot_limit, check.relu_initializer):
        assert str(fn(stub)).startswith("NOT YET")
        assert str(fn(lambda *a: None)).startswith("NOT YET")


def test_fans_wrong_answers():
    v = check.fan_in_fan_out(lambda s: (s[0] * s[2] * s[3], s[1] * s[2] * s[3]))
    assert not v and "swapped" in str(v)
    v = check.fan_in_fan_out(lambda s: (s[0] * s[1] * s[2] * s[3], s[0] * s[2] * s[3]))
    assert not v and "whole layer" in str(v)
    v = check.fan_in_fan_out(lambda s: (s[1] * s[2] * s[2], s[0] * s[2] * s[2]))  # kh*kh
    assert not v and "(8, 1, 7, 5)" in str(v)
    v = check.fan_in_fan_out(lambda s: 1 / 0)
    assert not v and "ZeroDivisionError" in str(v)


def test_glorot_limit_wrong_answers():
    v = check.glorot_limit(lambda i, o: np.sqrt(2 / (i + o)))
    assert not v and "std" in str(v)
    v = check.glorot_limit(lambda i, o: np.sqrt(6 / i))
    assert not v and "He" in str(v)
    v = check.glorot_limit(lambda i, o: np.sqrt(6 / (i * o)))
    assert not v and "not right" in str(v)
    v = check.glorot_limit(lambda i, o: "0.1")
    assert not v


def test_relu_initializer_wrong_answers():
    for name, word in (("glorot_uniform", "vanish"), ("pytorch_default", "vanish"),
                       ("normal", "explode"), ("zeros", "draws nothing"),
                       ("dirac", "identity"), ("xavier", "expected the name")):
        v = check.relu_initializer(lambda name=name: name)
        assert not v, name
        assert word in str(v), (name, str(v))
    assert check.relu_initializer(lambda: "he_uniform").passed
