"""Each check of notebook 02 passes the reference, says NOT YET for a stub, and catches
plausible wrong answers with a message that names the mistake."""
import math

import numpy as np
import pytest

from cnnedu.exercises.checks import nb02 as check
from cnnedu.nn.conv import conv2d
from cnnedu.exercises.solutions import nb02 as sol


def stub(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize("name", ["output_size", "param_count", "weight_shape",
                                  "conv_forward_loops"])
def test_reference_passes_and_stub_is_not_yet(name):
    assert getattr(check, name)(getattr(sol, name)).passed
    v = getattr(check, name)(stub)
    assert v.status == "not yet" and "NotImplementedError" in str(v)
    assert getattr(check, name)(lambda *a, **k: None).status == "not yet"


@pytest.mark.parametrize("wrong_fn,words", [
    (lambda H, k, stride=1, padding=0: math.ceil((H + 2 * padding - k) / stride) + 1, "round DOWN"),
    (lambda H, k, stride=1, padding=0: (H + padding - k) // stride + 1, "BOTH sides"),
    (lambda H, k, stride=1, padding=0: (H + 2 * padding - k) // stride, "+ 1"),
    (lambda H, k, stride=1, padding=0: (H + 2 * padding - k) / stride + 1, "whole number"),
    (lambda H, k, stride=1, padding=0: H - k + 1, "expected"),
])
def test_output_size_catches_mistakes(wrong_fn, words):
    v = check.output_size(wrong_fn)
    assert v.status == "wrong" and words in str(v)


@pytest.mark.parametrize("wrong_fn,words", [
    (lambda C, F, k: F * C * k * k, "forgot the biases"),
    (lambda C, F, k: F * k * k + F, "ALL C input channels"),
    (lambda C, F, k: F * C * k * k + F * C, "not one per channel"),
    (lambda C, F, k: F * C * k + F, "k*k weights"),
])
def test_param_count_catches_mistakes(wrong_fn, words):
    v = check.param_count(wrong_fn)
    assert v.status == "wrong" and words in str(v)


@pytest.mark.parametrize("wrong_fn,words", [
    (lambda C, F, k: (C, F, k, k), "filters first"),
    (lambda C, F, k: (k, k, C, F), "Keras"),
    (lambda C, F, k: (F, k, k), "all C input channels"),
    (lambda C, F, k: 42, "tuple of 4 integers"),
])
def test_weight_shape_catches_mistakes(wrong_fn, words):
    v = check.weight_shape(wrong_fn)
    assert v.status == "wrong" and words in str(v)


@pytest.mark.parametrize("wrong_fn,words", [
    (lambda x, w, b: conv2d(x, w), "bias is missing"),
    (lambda x, w, b: conv2d(x[:, :1], w[:, :1], b), "only channel 0"),
    (lambda x, w, b: conv2d(x, w[:, :, ::-1, ::-1], b), "flipped"),
    (lambda x, w, b: conv2d(x, w) + b.sum(), "its own bias"),
    (lambda x, w, b: np.zeros((x.shape[0], x.shape[1], 4, 4)), "one channel per FILTER"),
    (lambda x, w, b: conv2d(x, w, b) + 1e-3, "first difference"),
    (lambda x, w, b: 1 / 0, "ZeroDivisionError"),
])
def test_conv_forward_loops_catches_mistakes(wrong_fn, words):
    v = check.conv_forward_loops(wrong_fn)
    assert v.status == "wrong" and words in str(v), str(v)
