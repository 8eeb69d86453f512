"""The prerequisite self-check of notebook 00: the reference passes, a stub says NOT YET,
each listed mistake is named, and whatever the learner's code does ends in a verdict."""
import sys

import numpy as np
import pytest

from cnnedu.exercises import _core
from cnnedu.exercises.checks import nb00 as check
from cnnedu.exercises.solutions import nb00 as sol
from cnnedu.nn.conv import correlate2d


def test_reference_passes_without_a_note():
    v = check.window_dot(sol.window_dot)
    assert v.passed and not v.notes


def test_stubs_say_not_yet():
    assert check.window_dot(lambda image, kernel, i, j: None).status == "not yet"

    def stub(image, kernel, i, j):
        raise NotImplementedError
    assert check.window_dot(stub).status == "not yet"


def _kh_kw(k):
    return k.shape


MUTANTS = {
    "the window is taken at (j, i)":
        lambda im, k, i, j: np.sum(im[j:j + 2, i:i + 3] * k),
    "the window is one row and one column too big, starting one early":
        lambda im, k, i, j: np.sum(im[i - 1:i + 1, j - 1:j + 2] * k),
    "only the window is summed":
        lambda im, k, i, j: np.sum(im[i:i + 2, j:j + 3]),
    "the sums are multiplied":
        lambda im, k, i, j: np.sum(im[i:i + 2, j:j + 3]) * np.sum(k),
    "the kernel is flipped":
        lambda im, k, i, j: np.sum(im[i:i + 2, j:j + 3] * k[::-1, ::-1]),
}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutants_are_named(name):
    v = check.window_dot(MUTANTS[name])
    assert v.status == "wrong" and v.mistake.startswith(name), (name, str(v))
    assert "this is what you get when" in str(v)


def test_other_wrong_answers():
    v = check.window_dot(lambda im, k, i, j: np.dot(im[i:i + 2, j:j + 3], k.T))
    assert v.status == "wrong" and "should be a number" in str(v)
    v = check.window_dot(lambda im, k, i, j: np.sum(im[i:i + 2, j:j + 3] * k) + 0.5)
    assert v.status == "wrong" and not v.mistake and "is not right" in str(v)
    v = check.window_dot(lambda im, k, i, j: np.sum(im[i:i + 3, j:j + 3] * k))
    assert v.status == "wrong" and "ValueError" in str(v)   # shapes do not broadcast


def test_the_package_passes_with_a_note():
    v = check.window_dot(lambda im, k, i, j: correlate2d(im, k)[i, j])
    assert v.passed and "note: you called" in str(v)


def _forever(*args):
    while True:
        pass


@pytest.mark.parametrize("body, words", [
    (lambda *a: 1 / 0, "ZeroDivisionError"), (lambda *a: "six", "should be a number"),
    (lambda *a: np.nan, "nan"), (lambda *a: np.inf, "inf"), (lambda *a: 1 + 1j, "complex"),
    (lambda *a: True, "boolean"), (lambda *a: [[1, 2], [3]], "should be a number"),
    (lambda *a: sys.exit(), "SystemExit"),
])
def test_robustness(body, words, capsys):
    v = check.window_dot(body)
    assert v.status == "wrong" and words in str(v), str(v)
    assert capsys.readouterr().out == ""


def test_prints_a_lot_and_endless_loop(monkeypatch, capsys):
    def chatty(*args):
        print("x" * 100000)
        return sol.window_dot(*args)
    assert check.window_dot(chatty).passed and capsys.readouterr().out == ""
    with _core.capped_time_limit(0.2):
        v = check.window_dot(_forever)
    assert v.status == "wrong" and "did not return within 0.2 s" in str(v)


def test_the_cases_are_not_symmetric():
    for image, kernel, i, j in check.window_dot_cases():
        assert image.shape[0] != image.shape[1] and kernel.shape[0] != kernel.shape[1]
        assert not np.allclose(kernel, kernel[::-1, ::-1])
